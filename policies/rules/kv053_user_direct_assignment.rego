# METADATA
# title: Data roles go to groups, not to individual users
# description: |
#   A data role assigned to a person directly is invisible to group-based access reviews, stays
#   behind when the person changes team, and multiplies assignments that each have to be found
#   and removed. Granting data roles to a group (ideally with PIM for groups and time-bound
#   membership) keeps who-can-read-secrets answerable from one place.
#
#   Verdict: one finding per role assignment in `roleAssignments` whose `principalType` is `User`
#   (case-insensitive; when a template leaves it out, the directory type from
#   `data.kvscan.principals` is used) and whose role is marked `dataPlane` in `data.kvscan.roles`
#   (looked up by role definition GUID, else by `roleName`, case-insensitive), at any scope that
#   applies to the vault: the vault, an object in it, or an inherited scope. Key Vault Reader is
#   not a data-plane role (metadata only). Custom roles that roles.json does not know are not
#   evaluated.
# custom:
#   id: KV053
#   severity: low
#   scope: vault
#   tags: [access-control, identity, governance]
#   checks:
#     arm: roleAssignments[].properties.principalType == User with a Key Vault data role (roleDefinitionId)
#     terraform: azurerm_role_assignment.principal_id of a user with role_definition_name / role_definition_id of a Key Vault data role
#   remediation: |
#     Assign the role to a group that contains the user (and remove the direct assignment):
#
#     - az CLI: `az role assignment create --assignee-object-id <group-object-id> --assignee-principal-type Group --role "Key Vault Secrets User" --scope <vault-id>` then
#       `az role assignment delete --assignee <user-object-id> --role "Key Vault Secrets User" --scope <vault-id>`
#     - Bicep: `properties: { roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '4633458b-17de-408a-b874-0445c86b69e6'), principalId: groupObjectId, principalType: 'Group' }` on `Microsoft.Authorization/roleAssignments` scoped to the vault
#     - Terraform: `resource "azurerm_role_assignment" "readers" { scope = azurerm_key_vault.kv.id, role_definition_name = "Key Vault Secrets User", principal_id = azuread_group.readers.object_id, principal_type = "Group" }`
#   benchmarks:
#     mcsb: PA-7
#   parameters: {}
package kvscan.rules.user_direct_assignment

import rego.v1

import data.kvscan.lib.access

deny contains finding if {
	vault := input.vault.resource
	some index, fact in data.kvscan.lib.access.assignments
	fact.type == "user"
	fact.role.dataPlane == true
	assignment := input.vault.roleAssignments[index]
	finding := {
		"resource": access.assignment_id(assignment, vault.id),
		"message": sprintf("User %s is assigned the data role '%s' directly on Key Vault '%s' (%s): grant it to a group instead", [
			access.display(access.principal_of(assignment)),
			access.role_name(assignment),
			vault.name,
			access.scope_label_of(fact.scope, assignment, vault.id),
		]),
		"path": ["roleAssignments", index],
	}
}
