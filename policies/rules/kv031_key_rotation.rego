# METADATA
# title: Every enabled key rotates automatically
# description: |
#   A key rotation policy with a `Rotate` action makes Key Vault create a new key version on a
#   schedule; services that reference the versionless key URI (storage, SQL TDE, disk encryption
#   with customer-managed keys) pick it up without a change. Without it rotation depends on
#   someone remembering, and keys typically stay in use far beyond their cryptoperiod.
#
#   Verdict: one finding per enabled key whose `properties.rotationPolicy.lifetimeActions` has no
#   entry with `action.type` equal to `Rotate` (case-insensitive: ARM templates write `rotate`).
#   No rotation policy (absent or `null`), an empty or `null` action list, or only `Notify`
#   actions fail. Disabled keys (`attributes.enabled == false`) are skipped.
# custom:
#   id: KV031
#   severity: medium
#   scope: vault
#   tags: [keys, rotation]
#   checks:
#     arm: keys[].properties.rotationPolicy.lifetimeActions[].action.type == 'Rotate' (case-insensitive)
#     terraform: azurerm_key_vault_key.rotation_policy.automatic (time_after_creation or time_before_expiry)
#   remediation: |
#     Give the key a rotation policy that rotates (and notifies) before expiry:
#
#     - az CLI: `az keyvault key rotation-policy update --vault-name <vault> --name <key> --value policy.json`, with `{"lifetimeActions": [{"trigger": {"timeAfterCreate": "P90D"}, "action": {"type": "Rotate"}}, {"trigger": {"timeBeforeExpiry": "P30D"}, "action": {"type": "Notify"}}], "attributes": {"expiryTime": "P1Y"}}`
#     - Bicep: `properties: { rotationPolicy: { attributes: { expiryTime: 'P1Y' }, lifetimeActions: [ { trigger: { timeAfterCreate: 'P90D' }, action: { type: 'rotate' } } ] } }` on `Microsoft.KeyVault/vaults/keys`
#     - Terraform: `rotation_policy { expire_after = "P1Y" notify_before_expiry = "P30D" automatic { time_after_creation = "P90D" } }` on `azurerm_key_vault_key`
#   benchmarks:
#     cis-azure-2.0: "8.8"
#     cis-azure-3.0: "3.3.8"
#     cis-azure-5.0: "8.3.9"
#     azure-policy: d8cf8476-a2ec-4916-896e-992351803c44
#     psrule: Azure.KeyVault.AutoRotationPolicy
#   parameters: {}
package kvscan.rules.key_rotation

import rego.v1

import data.kvscan.lib

deny contains finding if {
	some index, key in keys
	not rotates(key.properties.rotationPolicy.lifetimeActions)
	not key.properties.attributes.enabled == false
	problem := describe(key)
	finding := {
		"resource": lib.object_id(input.vault.resource, "keys", key),
		"message": sprintf("Key '%s' in Key Vault '%s' %s", [key.name, input.vault.resource.name, problem.text]),
		"path": array.concat(["keys", index, "properties"], problem.path),
	}
}

keys := input.vault.keys if {
	is_array(input.vault.keys)
} else := []

# The lifetime actions include a Rotate action (case-insensitive). One function with its tests
# inline: it runs for every key, and each further call per key (an `items` guard, `equals_ci`)
# cost regorus's VM more than the tests themselves.
rotates(actions) if {
	is_array(actions)
	some action in actions
	type := action.action.type
	is_string(type)
	lower(type) == "rotate"
}

describe(key) := {"text": "has no rotation policy: it is never rotated automatically", "path": ["rotationPolicy"]} if {
	not is_object(key.properties.rotationPolicy)
} else := {"text": "has a rotation policy without a Rotate action: it is never rotated automatically", "path": ["rotationPolicy", "lifetimeActions"]}
