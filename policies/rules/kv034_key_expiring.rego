# METADATA
# title: No enabled key has expired or expires soon
# description: |
#   An expired key can no longer encrypt, wrap or sign (Key Vault rejects those operations), so a
#   storage account, SQL database or disk that uses it as a customer-managed key stops working or
#   loses access to its data; a key that is about to expire is the same outage with a date on it.
#   Rotate it (or let a rotation policy do it, KV031) before the expiry date.
#
#   Verdict: one finding per enabled key whose `properties.attributes.exp` (Unix seconds) is a
#   number at or before `now + expiryWarningDays` days (default 30; one day = 86400 s): already
#   expired (`exp` <= now) or expiring within the window (the boundary itself counts). The message
#   says "expired N days ago" (N rounded up) or "expires in N days" (N rounded down), or "less
#   than a day" when under 86400 s. Keys without a numeric `exp` (absent, `null`) are
#   KV030's concern and pass here. Disabled keys (`attributes.enabled == false`) are skipped.
# custom:
#   id: KV034
#   severity: medium
#   scope: vault
#   tags: [keys, rotation, expiry]
#   checks:
#     arm: keys[].properties.attributes.exp > now + 30 days
#     terraform: azurerm_key_vault_key.expiration_date (or rotation_policy.expire_after)
#   remediation: |
#     Rotate the key to a new version with a later expiry date (and give it a rotation policy so
#     this happens automatically):
#
#     - az CLI: `az keyvault key rotate --vault-name <vault> --name <key>` (applies the key's rotation policy), or `az keyvault key set-attributes --vault-name <vault> --name <key> --expires 2027-06-30T00:00:00Z`
#     - Bicep: `properties: { attributes: { exp: dateTimeToEpoch(dateTimeAdd(utcNow(), 'P1Y')) }, rotationPolicy: { attributes: { expiryTime: 'P1Y' }, lifetimeActions: [ { trigger: { timeBeforeExpiry: 'P30D' }, action: { type: 'rotate' } } ] } }` on `Microsoft.KeyVault/vaults/keys`
#     - Terraform: `rotation_policy { expire_after = "P1Y" automatic { time_before_expiry = "P30D" } }` (or a later `expiration_date`) on `azurerm_key_vault_key`
#   benchmarks:
#     azure-policy: 5ff38825-c5d8-47c5-b70e-069a21955146
#   parameters:
#     expiryWarningDays: 30
package kvscan.rules.key_expiring

import rego.v1

import data.kvscan.lib

day := 86400

deny contains finding if {
	now := data.kvscan.config.now
	window := lib.param("expiryWarningDays", 30) * day
	some index, key in keys
	not key.properties.attributes.enabled == false
	exp := key.properties.attributes.exp
	is_number(exp)
	exp - now <= window
	finding := {
		"resource": lib.object_id(input.vault.resource, "keys", key),
		"message": sprintf("Key '%s' in Key Vault '%s' %s", [key.name, input.vault.resource.name, timing(exp, now)]),
		"path": ["keys", index, "properties", "attributes", "exp"],
	}
}

keys := input.vault.keys if {
	is_array(input.vault.keys)
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
