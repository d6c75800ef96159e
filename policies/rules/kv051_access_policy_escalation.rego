# METADATA
# title: Nobody can grant themselves data access through access policies
# description: |
#   On a vault that uses the access-policy permission model, access policies are part of the vault
#   resource. Anyone allowed `Microsoft.KeyVault/vaults/write` (Owner, Contributor, Key Vault
#   Contributor, or a custom role with that action) can therefore add an access policy for
#   themselves and read every secret, key and certificate, although their role grants no data
#   access. Microsoft documents this escalation path; Azure RBAC closes it because there only
#   principals that can write role assignments can grant data access.
#
#   Verdict: applies only when the vault uses access policies, exactly as KV003 decides it:
#   `properties.enableRbacAuthorization` is not `true` (absent or `null` on a live vault means
#   access policies; in an ARM/Bicep template an absent value means RBAC from apiVersion
#   2026-02-01 on). Then one finding per role assignment in `roleAssignments` whose role is marked
#   `canWriteVault` in `data.kvscan.roles` (looked up by role definition GUID, else by `roleName`,
#   case-insensitive) and whose scope is the vault or above it (resource group, subscription,
#   management group, root `/`; compared case-insensitively at `/` boundaries; an absent scope
#   counts as the vault). Every principal type counts. Custom roles that roles.json does not know
#   are not evaluated.
# custom:
#   id: KV051
#   severity: high
#   scope: vault
#   tags: [access-control, privilege-escalation]
#   checks:
#     arm: properties.enableRbacAuthorization (not true), roleAssignments[].properties.roleDefinitionId (role with Microsoft.KeyVault/vaults/write), roleAssignments[].properties.scope (at or above the vault)
#     terraform: azurerm_key_vault.rbac_authorization_enabled (4.x) / enable_rbac_authorization (3.x), azurerm_role_assignment.role_definition_name / role_definition_id, scope
#   remediation: |
#     Migrate the vault to Azure RBAC (see KV003) after replacing each access policy by a data role
#     assignment; until then remove vault-write roles from everyone who must not read the vault's
#     contents:
#
#     - az CLI: `az keyvault update --name <vault> --enable-rbac-authorization true`, or
#       `az role assignment delete --assignee <object-id> --role "Key Vault Contributor" --scope <vault-id>`
#     - Bicep: `properties: { enableRbacAuthorization: true }` on `Microsoft.KeyVault/vaults`
#     - Terraform: `rbac_authorization_enabled = true` (azurerm 4.x) or `enable_rbac_authorization = true` (3.x) on `azurerm_key_vault`
#   benchmarks:
#     mcsb: PA-7
#   parameters: {}
package kvscan.rules.access_policy_escalation

import rego.v1

import data.kvscan.lib.access

deny contains finding if {
	vault := input.vault.resource
	data.kvscan.lib.access.uses_access_policies
	some index, fact in data.kvscan.lib.access.assignments
	fact.role.canWriteVault == true
	fact.coversVault
	assignment := input.vault.roleAssignments[index]
	finding := {
		"resource": access.assignment_id(assignment, vault.id),
		"message": sprintf("Key Vault '%s' uses access policies and %s holds '%s' (%s): it can write the vault and grant itself access to every secret, key and certificate through an access policy", [
			vault.name,
			access.display(access.principal_of(assignment)),
			access.role_name(assignment),
			access.scope_label_of(fact.scope, assignment, vault.id),
		]),
		"path": ["roleAssignments", index],
	}
}
