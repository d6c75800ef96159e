# METADATA
# title: Enabled secrets are rotated at least every 60 days
# description: |
#   Every day a secret value stays the same widens the window in which a copy in a log, a laptop
#   or a former colleague's notes still works. Microsoft's guidance for Key Vault secrets is to
#   rotate at least every 60 days; an expiry date far in the future (KV020/KV021) does not force
#   that by itself.
#
#   Verdict: one finding per enabled secret whose last change is more than `maxSecretAgeDays`
#   days (default 60; one day = 86400 s) before now. The last change is
#   `properties.attributes.updated` (Unix seconds), or `created` when `updated` is absent or
#   `null`; exactly 60 days old passes. A secret with neither timestamp (e.g. one declared in an
#   IaC file) is not evaluated. The message gives the age in days rounded up (so it always
#   exceeds the maximum it is compared with). Disabled secrets (`attributes.enabled == false`)
#   are skipped.
# custom:
#   id: KV022
#   severity: medium
#   scope: vault
#   tags: [secrets, rotation]
#   checks:
#     arm: secrets[].properties.attributes.updated (else created) >= now - 60 days
#     terraform: none (the age is only known from the vault; azurerm_key_vault_secret.value changes create new versions)
#   remediation: |
#     Rotate the value at its source (database password, API key), store it as a new version and
#     automate the next rotation (Event Grid `SecretNearExpiry` + Function, or a pipeline):
#
#     - az CLI: `az keyvault secret set --vault-name <vault> --name <secret> --value <new-value> --expires 2027-01-31T00:00:00Z`
#     - Bicep: redeploy `Microsoft.KeyVault/vaults/secrets` with the new `properties.value` (from a secure parameter) and a new `attributes.exp`
#     - Terraform: change `value` and `expiration_date` on `azurerm_key_vault_secret`
#   benchmarks:
#     azure-policy: e8d99835-8a06-45ae-a8e0-87a91941ccfe
#   parameters:
#     maxSecretAgeDays: 60
package kvscan.rules.secret_rotation_age

import rego.v1

import data.kvscan.lib

day := 86400

# `updated`, and `created` when there is no `updated`, are separate bodies with their tests
# inline: a function call per secret (the last change as an object) cost regorus's VM more than
# all of a body's tests, and most secrets pass the first test of each body.
deny contains finding if {
	now := data.kvscan.config.now
	max_days := lib.param("maxSecretAgeDays", 60)
	some index, secret in secrets
	updated := secret.properties.attributes.updated
	is_number(updated)
	now - updated > max_days * day
	not secret.properties.attributes.enabled == false
	finding := too_old(index, secret, "updated", "was last updated %d days ago", now - updated, max_days)
}

deny contains finding if {
	now := data.kvscan.config.now
	max_days := lib.param("maxSecretAgeDays", 60)
	some index, secret in secrets
	attributes := secret.properties.attributes
	not is_number(attributes.updated)
	created := attributes.created
	is_number(created)
	now - created > max_days * day
	not attributes.enabled == false
	finding := too_old(index, secret, "created", "was created %d days ago and has no update time", now - created, max_days)
}

secrets := input.vault.secrets if {
	is_array(input.vault.secrets)
} else := []

too_old(index, secret, key, text, age, max_days) := {
	"resource": lib.object_id(input.vault.resource, "secrets", secret),
	"message": sprintf("Secret '%s' in Key Vault '%s' %s (maximum %v days)", [secret.name, input.vault.resource.name, sprintf(text, [ceil(age / day)]), max_days]),
	"path": ["secrets", index, "properties", "attributes", key],
}
