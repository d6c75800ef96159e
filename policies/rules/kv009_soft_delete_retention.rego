# METADATA
# title: Key Vault keeps deleted objects for the full retention period
# description: |
#   The soft-delete retention period (7 to 90 days) is the window in which a deleted vault,
#   secret, key or certificate can be recovered, and with purge protection the minimum time before
#   it can be destroyed. A week is easily missed over a holiday or a slow incident response; 90
#   days gives time to notice. The period is fixed when the vault is created.
#
#   Verdict: fails when `properties.softDeleteRetentionInDays` is a number below
#   `minSoftDeleteRetentionDays` (default 90). An absent or `null` value means 90 days (the ARM
#   default), which passes the default threshold. A non-numeric value is not evaluated. Whether
#   soft delete is on at all is KV002's verdict, not this rule's.
# custom:
#   id: KV009
#   severity: low
#   scope: vault
#   tags: [data-protection, recovery]
#   checks:
#     arm: properties.softDeleteRetentionInDays >= 90 (absent = 90)
#     terraform: azurerm_key_vault.soft_delete_retention_days >= 90 (absent = 90)
#   remediation: |
#     The retention period cannot be changed after creation: create a new vault with 90 days and
#     move the secrets, keys and certificates to it (or accept the shorter window).
#
#     - az CLI: `az keyvault create --name <new-vault> --resource-group <rg> --retention-days 90 --enable-purge-protection true`
#     - Bicep: `properties: { softDeleteRetentionInDays: 90 }` on the new `Microsoft.KeyVault/vaults`
#     - Terraform: `soft_delete_retention_days = 90` on `azurerm_key_vault` (forces a new vault)
#   benchmarks: {}
#   parameters:
#     minSoftDeleteRetentionDays: 90
package kvscan.rules.soft_delete_retention

import rego.v1

import data.kvscan.lib

arm_default_days := 90

deny contains finding if {
	vault := input.vault.resource
	days := retention_days(vault)
	minimum := lib.param("minSoftDeleteRetentionDays", 90)
	days < minimum
	finding := {
		"resource": vault.id,
		"message": sprintf("Key Vault '%s' keeps deleted objects recoverable for only %v days (%s; minimum %v)", [vault.name, days, describe(vault), minimum]),
		"path": ["resource", "properties", "softDeleteRetentionInDays"],
	}
}

retention_days(vault) := vault.properties.softDeleteRetentionInDays if {
	is_number(vault.properties.softDeleteRetentionInDays)
} else := arm_default_days if {
	not configured(vault)
}

configured(vault) if vault.properties.softDeleteRetentionInDays != null

describe(vault) := "softDeleteRetentionInDays not set, defaults to 90" if {
	not configured(vault)
} else := sprintf("softDeleteRetentionInDays: %v", [vault.properties.softDeleteRetentionInDays])
