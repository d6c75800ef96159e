# METADATA
# title: Access policies grant neither "all" nor "purge"
# description: |
#   An access policy with `all` grants every current and future permission of its kind, including
#   delete, purge, backup/restore and (for keys) release and rotation-policy changes; `purge`
#   lets the holder destroy a deleted secret, key or certificate permanently, which defeats soft
#   delete. Workloads need a few read operations (`get`, `list`, `wrapKey`, `unwrapKey`), and
#   people who manage a vault rarely need purge at all.
#
#   Verdict: applies only when the vault uses access policies, as KV003 decides it
#   (`enableRbacAuthorization` not `true`; a template's apiVersion default applies): on an RBAC
#   vault Azure ignores leftover access policies. Then one finding per access policy in
#   `properties.accessPolicies` and per permission list (`keys`, `secrets`, `certificates`,
#   `storage`) that contains `all` or `purge` (case-insensitive). Absent, `null` or empty lists
#   grant nothing.
# custom:
#   id: KV052
#   severity: high
#   scope: vault
#   tags: [access-control, least-privilege, data-protection]
#   checks:
#     arm: properties.accessPolicies[].permissions.{keys,secrets,certificates,storage} must not contain all or purge
#     terraform: azurerm_key_vault.access_policy / azurerm_key_vault_access_policy key_permissions, secret_permissions, certificate_permissions, storage_permissions (All, Purge)
#   remediation: |
#     List only the operations the principal needs (better: migrate to Azure RBAC, KV003):
#
#     - az CLI: `az keyvault delete-policy --name <vault> --object-id <object-id>` then
#       `az keyvault set-policy --name <vault> --object-id <object-id> --secret-permissions get list`
#     - Bicep: `accessPolicies: [ { tenantId: tenant().tenantId, objectId: objectId, permissions: { secrets: [ 'get', 'list' ] } } ]`
#     - Terraform: `access_policy { tenant_id = var.tenant_id, object_id = var.object_id, secret_permissions = ["Get", "List"] }`
#   benchmarks:
#     mcsb: PA-7
#     psrule: Azure.KeyVault.AccessPolicy
#   parameters: {}
package kvscan.rules.access_policy_too_broad

import rego.v1

import data.kvscan.lib.access

broad := {"all", "purge"}

deny contains finding if {
	vault := input.vault.resource
	data.kvscan.lib.access.uses_access_policies
	some index, policy in access.access_policies(input.vault.resource)
	some list in ["keys", "secrets", "certificates", "storage"]
	granted := access.permissions(policy, list)
	too_broad := sort([p | some p in granted; p in broad])
	count(too_broad) > 0
	finding := {
		"resource": vault.id,
		"message": sprintf("Access policy of Key Vault '%s' for %s grants %s permissions %s", [
			vault.name,
			access.display(object_id(policy)),
			list,
			describe(sort(granted), too_broad),
		]),
		"path": ["resource", "properties", "accessPolicies", index, "permissions", list],
	}
}

# "[all]" when the list holds only the broad permissions, else "[get, list, purge], including purge".
describe(granted, too_broad) := sprintf("[%s]", [concat(", ", granted)]) if {
	count(granted) == count(too_broad)
} else := sprintf("[%s], including %s", [concat(", ", granted), concat(" and ", too_broad)])

object_id(policy) := policy.objectId if {
	access.text(policy.objectId)
} else := "unknown principal"
