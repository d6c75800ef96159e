# METADATA
# title: No role assignment or access policy points at a deleted principal
# description: |
#   When an app, managed identity, user or group is deleted, its role assignments and access
#   policies stay behind with an object id nobody can resolve. They grant nothing today, but they
#   clutter access reviews, hide which workload used to read the vault, and count against the
#   subscription's role-assignment limit; a stale grant is also a sign that offboarding does not
#   clean up access.
#
#   Verdict: one finding per role assignment in `roleAssignments` whose `principalType` is
#   `Unknown` (case-insensitive: Azure could not resolve the principal) or, only when the
#   principals list (`data.kvscan.principals`) is non-empty, whose `principalId` is not in it
#   (compared case-insensitively). On a vault that uses access policies (as KV003 decides it;
#   Azure ignores them on an RBAC vault), one finding per access policy whose `objectId` is not in
#   a non-empty principals list. An empty principals list means principal resolution did not run,
#   so only the `Unknown` type is evaluated then.
# custom:
#   id: KV055
#   severity: low
#   scope: vault
#   tags: [access-control, hygiene]
#   checks:
#     arm: roleAssignments[].properties.principalType == Unknown, roleAssignments[].properties.principalId and properties.accessPolicies[].objectId not found in the directory
#     terraform: azurerm_role_assignment.principal_id, azurerm_key_vault.access_policy.object_id / azurerm_key_vault_access_policy.object_id of a deleted principal
#   remediation: |
#     Delete the stale grant (find them with `az role assignment list --scope <vault-id> --query "[?principalType=='Unknown']"`):
#
#     - az CLI: `az role assignment delete --ids <role-assignment-id>` or `az keyvault delete-policy --name <vault> --object-id <object-id>`
#     - Bicep: remove the `Microsoft.Authorization/roleAssignments` resource or `accessPolicies` entry for the deleted object id
#     - Terraform: remove the `azurerm_role_assignment` / `access_policy` block (or `azurerm_key_vault_access_policy`) for the deleted object id
#   benchmarks:
#     mcsb: PA-4
#   parameters: {}
package kvscan.rules.orphaned_assignment

import rego.v1

import data.kvscan.lib
import data.kvscan.lib.access

deny contains finding if {
	vault := input.vault.resource
	some index, assignment in access.items(input.vault.roleAssignments)
	reason := orphan_reason(assignment)
	finding := {
		"resource": access.assignment_id(assignment, vault.id),
		"message": sprintf("Role assignment of '%s' on Key Vault '%s' (%s) belongs to principal '%s', which %s", [
			access.role_name(assignment),
			vault.name,
			access.scope_label(assignment, vault.id),
			access.principal_of(assignment),
			reason,
		]),
		"path": ["roleAssignments", index],
	}
}

deny contains finding if {
	vault := input.vault.resource
	data.kvscan.lib.access.principals_known
	data.kvscan.lib.access.uses_access_policies
	some index, policy in access.access_policies(input.vault.resource)
	access.text(policy.objectId)
	not access.principal(policy.objectId)
	finding := {
		"resource": vault.id,
		"message": sprintf("Access policy of Key Vault '%s' belongs to object id '%s', which is not in the directory (deleted or foreign principal)", [vault.name, policy.objectId]),
		"path": ["resource", "properties", "accessPolicies", index],
	}
}

# One reason per assignment, so an assignment that is both Unknown and unresolved fires once.
orphan_reason(assignment) := "Azure reports as Unknown (deleted)" if {
	lib.equals_ci(assignment.properties.principalType, "Unknown")
} else := "is not in the directory (deleted or foreign principal)" if {
	data.kvscan.lib.access.principals_known
	access.text(assignment.properties.principalId)
	not access.principal(assignment.properties.principalId)
}
