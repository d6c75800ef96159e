# METADATA
# title: Enabled secrets declare a content type
# description: |
#   The content type (`text/plain`, `application/x-pkcs12`, `password`, `connection-string`...)
#   tells the people and tools handling a secret what it is and how to rotate it, without reading
#   the value. Secrets without one are harder to inventory, classify and rotate safely.
#
#   Verdict: one finding per enabled secret whose `properties.contentType` is not a non-empty
#   string: absent, `null`, `""` or only whitespace fail. Disabled secrets
#   (`attributes.enabled == false`) are skipped.
# custom:
#   id: KV023
#   severity: low
#   scope: vault
#   tags: [secrets, inventory]
#   checks:
#     arm: secrets[].properties.contentType is a non-empty string
#     terraform: azurerm_key_vault_secret.content_type
#   remediation: |
#     Describe what the secret holds:
#
#     - az CLI: `az keyvault secret set-attributes --vault-name <vault> --name <secret> --content-type text/plain`
#     - Bicep: `properties: { contentType: 'text/plain' }` on `Microsoft.KeyVault/vaults/secrets`
#     - Terraform: `content_type = "text/plain"` on `azurerm_key_vault_secret`
#   benchmarks:
#     azure-policy: 75262d3e-ba4a-4f43-85f8-9f72c090e5e3
#     checkov: CKV_AZURE_114
#     trivy: AVD-AZU-0015
#   parameters: {}
package kvscan.rules.secret_content_type

import rego.v1

import data.kvscan.lib

# "Not a non-empty string" as two bodies with their tests inline (not a string; a blank string):
# a function call per secret cost regorus's VM more than the tests, and most secrets fail the
# first test of each body. The violation is tested before the disabled skip for the same reason.
deny contains finding if {
	some index, secret in secrets
	not is_string(secret.properties.contentType)
	not secret.properties.attributes.enabled == false
	finding := missing(index, secret)
}

deny contains finding if {
	some index, secret in secrets
	content_type := secret.properties.contentType
	is_string(content_type)
	trim_space(content_type) == ""
	not secret.properties.attributes.enabled == false
	finding := missing(index, secret)
}

secrets := input.vault.secrets if {
	is_array(input.vault.secrets)
} else := []

missing(index, secret) := {
	"resource": lib.object_id(input.vault.resource, "secrets", secret),
	"message": sprintf("Secret '%s' in Key Vault '%s' has no content type", [secret.name, input.vault.resource.name]),
	"path": ["secrets", index, "properties", "contentType"],
}
