# METADATA
# title: Every enabled key has an expiration date
# description: |
#   A key without an expiry date can encrypt, sign and wrap for ever: nothing forces its
#   replacement, so a key copied or misused years ago stays valuable. An expiry date bounds the
#   key's cryptoperiod and lets Azure Policy, Event Grid near-expiry events and rotation policies
#   act on it.
#
#   Verdict: one finding per enabled key without a numeric `properties.attributes.exp` (Unix
#   seconds): absent or `null` fails. Disabled keys (`attributes.enabled == false`) are skipped. A
#   rotation policy's `expiryTime` is not an expiry date of the current version and does not count.
# custom:
#   id: KV030
#   severity: medium
#   scope: vault
#   tags: [keys, expiry]
#   checks:
#     arm: keys[].properties.attributes.exp
#     terraform: azurerm_key_vault_key.expiration_date (or rotation_policy.expire_after, which sets it on each new version)
#   remediation: |
#     Set an expiry date on the key (a rotation policy with `expiryTime` sets one on every new version):
#
#     - az CLI: `az keyvault key set-attributes --vault-name <vault> --name <key> --expires 2027-06-30T00:00:00Z`
#     - Bicep: `properties: { attributes: { exp: dateTimeToEpoch(dateTimeAdd(utcNow(), 'P1Y')) } }` on `Microsoft.KeyVault/vaults/keys`
#     - Terraform: `expiration_date = "2027-06-30T00:00:00Z"` on `azurerm_key_vault_key`
#   benchmarks:
#     cis-azure-2.0: "8.1, 8.2"
#     cis-azure-3.0: "3.3.1, 3.3.2"
#     cis-azure-5.0: "8.3.1, 8.3.2"
#     azure-policy: 152b15f7-8e1f-4c1f-ab71-8c010ba5dbc0
#     checkov: CKV_AZURE_40
#     trivy: AVD-AZU-0014
#   parameters: {}
package kvscan.rules.key_expiry

import rego.v1

import data.kvscan.lib

deny contains finding if {
	some index, key in keys
	# The violation first: most keys pass it, so the disabled test runs only for the rest.
	not is_number(key.properties.attributes.exp)
	not key.properties.attributes.enabled == false
	finding := {
		"resource": lib.object_id(input.vault.resource, "keys", key),
		"message": sprintf("Key '%s' in Key Vault '%s' has no expiration date", [key.name, input.vault.resource.name]),
		"path": ["keys", index, "properties", "attributes", "exp"],
	}
}

keys := input.vault.keys if {
	is_array(input.vault.keys)
} else := []
