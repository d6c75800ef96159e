# METADATA
# title: No enabled secret has expired or expires soon
# description: |
#   An expiry date only helps if someone acts before it. An expired secret still in the vault
#   means a credential that applications may still fetch (Key Vault keeps serving the value) or
#   that already broke a dependency; one about to expire is an outage waiting for a rotation that
#   nobody scheduled. Rotate it, or disable it if it is no longer used.
#
#   Verdict: one finding per enabled secret whose `properties.attributes.exp` (Unix seconds) is a
#   number at or before `now + expiryWarningDays` days (default 30; one day = 86400 s): already
#   expired (`exp` <= now) or expiring within the window (the boundary itself counts). The message
#   says "expired N days ago" (N rounded up) or "expires in N days" (N rounded down), or "less
#   than a day" when under 86400 s. Secrets without a numeric `exp` (absent, `null`) are
#   KV020's concern and pass here. Disabled secrets (`attributes.enabled == false`) are skipped.
# custom:
#   id: KV021
#   severity: medium
#   scope: vault
#   tags: [secrets, rotation, expiry]
#   checks:
#     arm: secrets[].properties.attributes.exp > now + 30 days
#     terraform: azurerm_key_vault_secret.expiration_date
#   remediation: |
#     Rotate the secret (a new version with a new expiry date), or disable it if it is unused:
#
#     - az CLI: `az keyvault secret set --vault-name <vault> --name <secret> --value <new-value> --expires 2027-06-30T00:00:00Z` (or `az keyvault secret set-attributes --vault-name <vault> --name <secret> --enabled false`)
#     - Bicep: `properties: { value: newValue, attributes: { exp: dateTimeToEpoch(dateTimeAdd(utcNow(), 'P90D')) } }` on `Microsoft.KeyVault/vaults/secrets`
#     - Terraform: update `value` and `expiration_date` on `azurerm_key_vault_secret`
#   benchmarks:
#     azure-policy: b0eb591a-5e70-4534-a8bf-04b9c489584a
#   parameters:
#     expiryWarningDays: 30
package kvscan.rules.secret_expiring

import rego.v1

import data.kvscan.lib

day := 86400

deny contains finding if {
	now := data.kvscan.config.now
	window := lib.param("expiryWarningDays", 30) * day
	some index, secret in secrets
	# The violation before the disabled skip: most secrets are not about to expire, and each
	# test per secret costs regorus's VM thousands of instructions.
	exp := secret.properties.attributes.exp
	is_number(exp)
	exp - now <= window
	not secret.properties.attributes.enabled == false
	finding := {
		"resource": lib.object_id(input.vault.resource, "secrets", secret),
		"message": sprintf("Secret '%s' in Key Vault '%s' %s", [secret.name, input.vault.resource.name, timing(exp, now)]),
		"path": ["secrets", index, "properties", "attributes", "exp"],
	}
}

secrets := input.vault.secrets if {
	is_array(input.vault.secrets)
} else := []

timing(exp, now) := sprintf("expired %s ago", [days_text(ceil((now - exp) / day), now - exp)]) if {
	exp <= now
} else := sprintf("expires in %s", [days_text(floor((exp - now) / day), exp - now)])

# Elapsed days are rounded up and remaining days down: never understate how long ago, never
# overstate how long is left.
days_text(days, seconds) := "less than a day" if {
	seconds < day
} else := "1 day" if {
	seconds >= day
	days == 1
} else := sprintf("%d days", [days])
