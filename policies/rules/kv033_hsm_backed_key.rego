# METADATA
# title: Keys are protected by a hardware security module
# description: |
#   A software-protected key is processed in Key Vault's software boundary; an HSM-protected key
#   (`-HSM` key types, Premium SKU or Managed HSM) never leaves FIPS 140 Level 3 validated
#   hardware, which many regulations (PCI DSS, eIDAS, some national schemes) require for keys
#   that protect payment data, signatures or other keys.
#
#   Verdict: one finding per enabled key whose `properties.kty` is a string other than `RSA-HSM`,
#   `EC-HSM` or `oct-HSM` (case-insensitive), i.e. `RSA`, `EC` or `oct`. An absent or `null`
#   `kty` is unknown and passes. Disabled keys (`attributes.enabled == false`) are skipped.
# custom:
#   id: KV033
#   severity: low
#   scope: vault
#   tags: [keys, cryptography, hsm]
#   checks:
#     arm: keys[].properties.kty in (RSA-HSM, EC-HSM, oct-HSM)
#     terraform: azurerm_key_vault_key.key_type in (RSA-HSM, EC-HSM); the vault's sku_name = "premium"
#   remediation: |
#     The protection level of a key cannot change: create an HSM-backed key (the vault needs the
#     Premium SKU), move its users, then disable the software key.
#
#     - az CLI: `az keyvault update --name <vault> --set properties.sku.name=premium` then `az keyvault key create --vault-name <vault> --name <new-key> --kty RSA-HSM --size 3072`
#     - Bicep: `properties: { kty: 'RSA-HSM', keySize: 3072 }` on `Microsoft.KeyVault/vaults/keys` (vault `sku: { family: 'A', name: 'premium' }`)
#     - Terraform: `key_type = "RSA-HSM"` on `azurerm_key_vault_key` and `sku_name = "premium"` on `azurerm_key_vault`
#   benchmarks:
#     azure-policy: 587c79fe-dd04-4a5e-9d0b-f89598c7261b
#     checkov: CKV_AZURE_112
#   parameters: {}
package kvscan.rules.hsm_backed_key

import rego.v1

import data.kvscan.lib

hsm_types := {"rsa-hsm", "ec-hsm", "oct-hsm"}

deny contains finding if {
	some index, key in keys
	# The violation first: most keys pass it, so the disabled test runs only for the rest.
	is_string(key.properties.kty)
	not lower(key.properties.kty) in hsm_types
	not key.properties.attributes.enabled == false
	finding := {
		"resource": lib.object_id(input.vault.resource, "keys", key),
		"message": sprintf("Key '%s' in Key Vault '%s' is software-protected (kty: %s), not backed by an HSM", [key.name, input.vault.resource.name, key.properties.kty]),
		"path": ["keys", index, "properties", "kty"],
	}
}

keys := input.vault.keys if {
	is_array(input.vault.keys)
} else := []
