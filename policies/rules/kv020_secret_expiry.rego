# METADATA
# title: Every enabled secret has an expiration date
# description: |
#   A secret without an expiry date never forces rotation: it stays valid after the people and
#   systems that knew it have moved on. An expiry date makes the rotation deadline visible to
#   Azure Policy, Event Grid near-expiry events and this scanner.
#
#   Verdict: one finding per enabled secret without a numeric `properties.attributes.exp` (Unix
#   seconds). Disabled secrets (`attributes.enabled == false`) are skipped.
# custom:
#   id: KV020
#   severity: medium
#   scope: vault
#   tags: [secrets, rotation]
#   checks:
#     arm: secrets[].properties.attributes.exp
#     terraform: azurerm_key_vault_secret.expiration_date
#   remediation: |
#     Set an expiry date on the secret (and rotate before it):
#
#     - az CLI: `az keyvault secret set-attributes --vault-name <vault> --name <secret> --expires 2027-01-31T00:00:00Z`
#     - Bicep: `properties: { attributes: { exp: dateTimeToEpoch(dateTimeAdd(utcNow(), 'P90D')) } }` on `Microsoft.KeyVault/vaults/secrets`
#     - Terraform: `expiration_date = "2027-01-31T00:00:00Z"` on `azurerm_key_vault_secret`
#   benchmarks:
#     cis-azure-2.0: "8.3, 8.4"
#     cis-azure-3.0: "3.3.3, 3.3.4"
#     cis-azure-5.0: "8.3.3, 8.3.4"
#     azure-policy: 98728c90-32c7-4049-8429-847dc0f4fe37
#     checkov: CKV_AZURE_41
package kvscan.rules.secret_expiry

import rego.v1

import data.kvscan.lib

deny contains finding if {
	some index, secret in input.vault.secrets
	# The violation is tested first: most secrets pass it, and each test per secret costs
	# thousands of VM instructions. Inlined rather than lib.disabled() for the same reason.
	not is_number(secret.properties.attributes.exp)
	not secret.properties.attributes.enabled == false
	finding := {
		"resource": lib.object_id(input.vault.resource, "secrets", secret),
		"message": sprintf("Secret '%s' in Key Vault '%s' has no expiration date", [secret.name, input.vault.resource.name]),
		"path": ["secrets", index, "properties", "attributes", "exp"],
	}
}
