# METADATA
# title: Key Vault soft delete is not disabled
# description: |
#   Soft delete keeps a deleted vault, secret, key or certificate recoverable for the retention
#   period (7 to 90 days) instead of destroying it at once. Without it a mistaken `az keyvault
#   delete` or a compromised identity with delete rights loses every key that encrypts other data,
#   for good. Soft delete has been on by default for new vaults since 2020 and cannot be switched
#   off since February 2025, so a vault that still reports `false` predates the change and has not
#   been migrated.
#
#   Verdict: fails only when `properties.enableSoftDelete` is the boolean `false`. An absent or
#   `null` value passes: the platform default is on (a GET may or may not echo the property), and
#   Azure rejects a template that tries to set `false` on a new vault. A string such as `"false"`
#   is not a value ARM returns and is not evaluated. The retention length is KV009's business.
# custom:
#   id: KV002
#   severity: high
#   scope: vault
#   tags: [data-protection, recovery]
#   checks:
#     arm: properties.enableSoftDelete != false
#     terraform: azurerm_key_vault.soft_delete_enabled != false (azurerm 2.x only; removed in 3.0, where soft delete is always on)
#   remediation: |
#     Turn soft delete on (irreversible; then consider purge protection, KV001):
#
#     - az CLI: `az resource update --ids <vault-resource-id> --set properties.enableSoftDelete=true`
#     - Bicep: `properties: { enableSoftDelete: true, softDeleteRetentionInDays: 90 }` (or leave `enableSoftDelete` out: it defaults to true)
#     - Terraform: upgrade to azurerm >= 3.0 (soft delete always on) and set `soft_delete_retention_days = 90`; on 2.x remove `soft_delete_enabled = false`
#   benchmarks:
#     cis-azure-2.0: "8.5"
#     cis-azure-3.0: "3.3.5"
#     mcsb: DP-8
#     azure-policy: 1e66c121-a66a-4b1f-9b83-0fd99bf0fc2d
#     checkov: CKV_AZURE_111
#     psrule: Azure.KeyVault.SoftDelete
#   parameters: {}
package kvscan.rules.soft_delete

import rego.v1

deny contains finding if {
	vault := input.vault.resource
	vault.properties.enableSoftDelete == false
	finding := {
		"resource": vault.id,
		"message": sprintf("Key Vault '%s' has soft delete disabled (enableSoftDelete: false): a deleted vault, secret, key or certificate is destroyed immediately", [vault.name]),
		"path": ["resource", "properties", "enableSoftDelete"],
	}
}
