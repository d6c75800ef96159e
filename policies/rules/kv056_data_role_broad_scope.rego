# METADATA
# title: Key Vault data roles are not assigned at subscription, management group or root scope
# description: |
#   A data role assigned above the resource group reaches every vault that exists or will ever
#   be created below that scope, across applications and teams: one grant silently opens secrets
#   nobody meant to share, and a vault's own role list no longer tells who can read it. Assign
#   data roles on the vault (or on the single secret, key or certificate) that needs them.
#
#   Verdict: one finding per role assignment in `roleAssignments` whose role is marked
#   `dataPlane` in `data.kvscan.roles` (looked up by role definition GUID, else by `roleName`,
#   case-insensitive) and whose `properties.scope` is a subscription (exactly
#   `/subscriptions/<id>`), a management group (`/providers/Microsoft.Management/managementGroups/…`)
#   or the root `/` (case-insensitive, trailing `/` ignored). Resource-group, vault and object
#   scopes pass; an absent scope counts as the vault. Any principal type counts. Key Vault Reader
#   is not a data-plane role (metadata only); custom roles that roles.json does not know are not
#   evaluated.
# custom:
#   id: KV056
#   severity: medium
#   scope: vault
#   tags: [access-control, least-privilege]
#   checks:
#     arm: roleAssignments[].properties.scope (subscription, management group or /) with a Key Vault data role (roleDefinitionId)
#     terraform: azurerm_role_assignment.scope = a subscription / management group id with role_definition_name / role_definition_id of a Key Vault data role
#   remediation: |
#     Re-create the assignment on each vault that needs it, then delete the broad one:
#
#     - az CLI: `az role assignment create --assignee-object-id <object-id> --assignee-principal-type <type> --role "Key Vault Secrets User" --scope <vault-id>` then
#       `az role assignment delete --assignee <object-id> --role "Key Vault Secrets User" --scope /subscriptions/<subscription-id>`
#     - Bicep: declare the `Microsoft.Authorization/roleAssignments` resource with `scope: kv` (the vault) instead of deploying it at subscription or management-group level
#     - Terraform: `scope = azurerm_key_vault.kv.id` instead of `data.azurerm_subscription.current.id` on `azurerm_role_assignment`
#   benchmarks:
#     mcsb: PA-7
#   parameters: {}
package kvscan.rules.data_role_broad_scope

import rego.v1

import data.kvscan.lib.access

deny contains finding if {
	vault := input.vault.resource
	some index, fact in data.kvscan.lib.access.assignments
	fact.role.dataPlane == true
	access.broad_scope(fact.scope)
	assignment := input.vault.roleAssignments[index]
	finding := {
		"resource": access.assignment_id(assignment, vault.id),
		"message": sprintf("Data role '%s' for %s is assigned at %s and so applies to Key Vault '%s' and every other vault below that scope", [
			access.role_name(assignment),
			access.display(access.principal_of(assignment)),
			access.scope_label_of(fact.scope, assignment, vault.id),
			vault.name,
		]),
		"path": ["roleAssignments", index],
	}
}
