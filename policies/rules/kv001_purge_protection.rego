# METADATA
# title: Key Vault purge protection is enabled
# description: |
#   Purge protection enforces the soft-delete retention period: a deleted vault, secret, key or
#   certificate cannot be purged (permanently destroyed) until the period ends, not even by an
#   owner. Without it, an attacker or a mistaken script with delete and purge rights can destroy
#   keys that encrypt other data beyond recovery. Once enabled it cannot be turned off.
#
#   Verdict: fails unless `properties.enablePurgeProtection` is `true`. An absent or `null` value
#   means purge protection is off (the ARM default), so it fails too.
# custom:
#   id: KV001
#   severity: high
#   scope: vault
#   tags: [data-protection, recovery]
#   checks:
#     arm: properties.enablePurgeProtection == true
#     terraform: azurerm_key_vault.purge_protection_enabled = true
#   remediation: |
#     Enable purge protection (irreversible; soft delete must be on):
#
#     - az CLI: `az keyvault update --name <vault> --enable-purge-protection true`
#     - Bicep: `properties: { enablePurgeProtection: true }`
#     - Terraform: `purge_protection_enabled = true` on `azurerm_key_vault`
#   benchmarks:
#     cis-azure-2.0: "8.5"
#     cis-azure-3.0: "3.3.5"
#     cis-azure-5.0: "8.3.5"
#     mcsb: DP-8
#     azure-policy: 0b60c0b2-2dc2-4e1c-b5c9-abbed971de53
#     checkov: CKV_AZURE_110
package kvscan.rules.purge_protection

import rego.v1

deny contains finding if {
	vault := input.vault.resource
	not vault.properties.enablePurgeProtection == true
	finding := {
		"resource": vault.id,
		"message": sprintf("Key Vault '%s' does not have purge protection enabled: deleted keys and secrets can be purged before the retention period ends", [vault.name]),
		"path": ["resource", "properties", "enablePurgeProtection"],
	}
}
