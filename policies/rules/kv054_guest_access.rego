# METADATA
# title: Guest accounts have no access to the Key Vault
# description: |
#   B2B guests authenticate in their home organisation: their MFA, password policy, device
#   compliance and offboarding are outside your control, and guest accounts are often forgotten
#   after a project ends. Access to a vault that holds credentials should belong to members of
#   your own directory; if an external partner needs a secret, hand it over through a reviewed
#   process rather than a standing grant.
#
#   Verdict: needs the principals list (`data.kvscan.principals`); without it nothing is
#   reported. One finding per role assignment in `roleAssignments` (any role, any scope that
#   applies to the vault) whose `principalId` belongs to a principal with a `userPrincipalName`
#   containing `#EXT#` (case-insensitive), and, on a vault that uses access policies (as KV003
#   decides it; Azure ignores access policies on an RBAC vault), one finding per access policy
#   whose `objectId` belongs to such a principal.
# custom:
#   id: KV054
#   severity: medium
#   scope: vault
#   tags: [access-control, identity, guest]
#   checks:
#     arm: roleAssignments[].properties.principalId and properties.accessPolicies[].objectId of a principal whose userPrincipalName contains "#EXT#"
#     terraform: azurerm_role_assignment.principal_id, azurerm_key_vault.access_policy.object_id / azurerm_key_vault_access_policy.object_id of a guest user
#   remediation: |
#     Remove the guest's role assignment or access policy; review guest access regularly with
#     Entra ID access reviews:
#
#     - az CLI: `az role assignment delete --assignee <guest-object-id> --scope <vault-id>` or
#       `az keyvault delete-policy --name <vault> --object-id <guest-object-id>`
#     - Bicep: delete the `Microsoft.Authorization/roleAssignments` resource (or `accessPolicies` entry) whose `principalId` / `objectId` is the guest
#     - Terraform: remove the `azurerm_role_assignment` (or `access_policy` block / `azurerm_key_vault_access_policy`) for the guest's object id
#   benchmarks:
#     mcsb: PA-4
#   parameters: {}
package kvscan.rules.guest_access

import rego.v1

import data.kvscan.lib.access

deny contains finding if {
	vault := input.vault.resource
	data.kvscan.lib.access.principals_known
	some index, assignment in access.items(input.vault.roleAssignments)
	access.guest(assignment.properties.principalId)
	finding := {
		"resource": access.assignment_id(assignment, vault.id),
		"message": sprintf("Guest user %s, UPN %s, holds '%s' on Key Vault '%s' (%s)", [
			access.display(assignment.properties.principalId),
			access.principal(assignment.properties.principalId).userPrincipalName,
			access.role_name(assignment),
			vault.name,
			access.scope_label(assignment, vault.id),
		]),
		"path": ["roleAssignments", index],
	}
}

deny contains finding if {
	vault := input.vault.resource
	data.kvscan.lib.access.principals_known
	data.kvscan.lib.access.uses_access_policies
	some index, policy in access.access_policies(input.vault.resource)
	access.guest(policy.objectId)
	finding := {
		"resource": vault.id,
		"message": sprintf("Guest user %s, UPN %s, has an access policy on Key Vault '%s'", [
			access.display(policy.objectId),
			access.principal(policy.objectId).userPrincipalName,
			vault.name,
		]),
		"path": ["resource", "properties", "accessPolicies", index],
	}
}
