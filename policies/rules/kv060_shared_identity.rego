# METADATA
# title: Workload identities are not shared across many vaults or applications
# description: |
#   One identity per workload keeps the blast radius of a leaked credential to that workload's
#   own secrets, makes audit logs say which application read a secret, and lets an identity be
#   rotated or deleted without breaking unrelated systems. An identity that reads many vaults, or
#   vaults of different applications, is a shared credential: typically a deployment pipeline or
#   a "platform" app registration that every team reuses.
#
#   Verdict: tenant-wide, one finding per non-user principal with data-plane access to more than
#   `sharedIdentityMaxVaults` vaults, or to vaults whose `applicationTag` tag has at least two
#   distinct non-empty values (tag name and values compared case-insensitively, values trimmed;
#   untagged vaults add no value). Non-user means a role assignment's `principalType` is not
#   `User` (case-insensitive; the directory type when a template leaves it out), and for an
#   access policy that the principal's directory type (`data.kvscan.principals`, else
#   `input.inventory.principals`) is not `User`: service principals, managed identities, groups
#   and unresolved principals count. Data-plane access to a vault is a role assignment applying to
#   it (at, above or inside the vault) whose role is marked `dataPlane` in `data.kvscan.roles`
#   (by GUID, else `roleName`) or, for a custom role, whose definition in
#   `input.inventory.roleDefinitions` has a Key Vault data action other than read-only metadata;
#   or, on a vault that uses access policies (as KV003 decides it), an access policy granting any
#   keys, secrets or certificates permission other than `list`. The finding's resource is
#   `/principals/<lower-case object id>` (stable across scans); its message gives the count and up
#   to five vault names, sorted.
# custom:
#   id: KV060
#   severity: medium
#   scope: tenant
#   tags: [access-control, identity, blast-radius]
#   checks:
#     arm: vaults[].roleAssignments[].properties.{principalId, principalType, roleDefinitionId, scope}, vaults[].resource.properties.accessPolicies[].{objectId, permissions}, vaults[].resource.tags.<applicationTag>
#     terraform: azurerm_role_assignment.principal_id across vaults, azurerm_key_vault.access_policy.object_id / azurerm_key_vault_access_policy.object_id, azurerm_key_vault.tags
#   remediation: |
#     Give each workload its own (preferably managed) identity with a data role on its own vault
#     only, then remove the shared identity's other grants:
#
#     - az CLI: `az identity create --name id-<app> --resource-group <rg>` then
#       `az role assignment create --assignee-object-id <new-principal-id> --assignee-principal-type ServicePrincipal --role "Key Vault Secrets User" --scope <vault-id>` and
#       `az role assignment delete --assignee <shared-object-id> --scope <other-vault-id>`
#     - Bicep: `resource id 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = { name: 'id-${app}', location: location }` plus a `Microsoft.Authorization/roleAssignments` with `scope: kv` and `principalId: id.properties.principalId`
#     - Terraform: `resource "azurerm_user_assigned_identity" "app" { ... }` and `azurerm_role_assignment` with `scope = azurerm_key_vault.app.id`, `principal_id = azurerm_user_assigned_identity.app.principal_id`
#   benchmarks:
#     mcsb: IM-1
#   parameters:
#     sharedIdentityMaxVaults: 3
#     applicationTag: application
package kvscan.rules.shared_identity

import rego.v1

import data.kvscan.lib
import data.kvscan.lib.access
import data.kvscan.lib.data_access

max_vaults := lib.param("sharedIdentityMaxVaults", 3)

application_tag := lib.param("applicationTag", "application")

# vault index → its application tag values, computed once.
applications := {index: data_access.tag_values(record, application_tag) |
	some index, record in access.items(input.inventory.vaults)
}

deny contains finding if {
	some principal_id, indexes in data.kvscan.lib.data_access.non_user_data_vaults
	apps := sort({app | some index in indexes; some app in applications[index]})
	reasons := [reason |
		some reason in [too_many(count(indexes)), several_applications(apps)]
		reason != ""
	]
	count(reasons) > 0
	details := {
		"resource": data_access.principal_resource(principal_id),
		"message": sprintf("Identity %s has data-plane access to %d Key Vaults (%s): %s; give each workload its own identity", [
			access.display(principal_id),
			count(indexes),
			concat("; ", reasons),
			access.few(data_access.vault_names(indexes), 5),
		]),
	}

	# Point at the principal in the inventory's principals list, when it is there.
	finding := object.union(details, data.kvscan.lib.data_access.principal_path(principal_id))
}

too_many(n) := sprintf("more than %v", [max_vaults]) if {
	n > max_vaults
} else := ""

several_applications(apps) := sprintf("%d applications: %s", [count(apps), access.few(apps, 5)]) if {
	count(apps) >= 2
} else := ""
