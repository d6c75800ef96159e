# METADATA
# title: No identity reads both production and non-production vaults
# description: |
#   Non-production environments are guarded less: more people deploy there, debugging tools and
#   test code run there, and their credentials are handled casually. An identity that can read
#   both production and non-production secrets turns any compromise of the weaker environment
#   into a path to production, and usually means production credentials were used (or copied)
#   outside production. Each environment needs its own identities, as it needs its own vaults.
#
#   Verdict: tenant-wide, one finding per principal (of any type, users included) with
#   data-plane access to at least one vault whose `environmentTag` tag value is one of
#   `productionValues` and at least one vault whose value of that tag is non-empty and not one of
#   them (tag name and values compared case-insensitively, values trimmed; vaults without the tag
#   are ignored). Data-plane access to a vault is a role assignment applying to it (at, above or
#   inside the vault) whose role is marked `dataPlane` in `data.kvscan.roles` (by GUID, else
#   `roleName`) or, for a custom role, whose definition in `input.inventory.roleDefinitions` has a
#   Key Vault data action other than read-only metadata; or, on a vault that uses access policies
#   (as KV003 decides it), an access policy granting any keys, secrets or certificates permission
#   other than `list`. The finding's resource is `/principals/<lower-case object id>`; its message
#   names up to five production and five non-production vaults, sorted.
# custom:
#   id: KV061
#   severity: high
#   scope: tenant
#   tags: [access-control, identity, environment-isolation]
#   checks:
#     arm: vaults[].roleAssignments[].properties.{principalId, roleDefinitionId, scope}, vaults[].resource.properties.accessPolicies[].{objectId, permissions}, vaults[].resource.tags.<environmentTag>
#     terraform: azurerm_role_assignment.principal_id across vaults, azurerm_key_vault.access_policy.object_id / azurerm_key_vault_access_policy.object_id, azurerm_key_vault.tags
#   remediation: |
#     Use separate identities (and, for people, separate groups) per environment, and remove the
#     identity's grants on the vaults of the other environment:
#
#     - az CLI: `az role assignment delete --assignee <object-id> --scope <non-production-vault-id>` (or `az keyvault delete-policy --name <vault> --object-id <object-id>`), then grant a non-production identity there
#     - Bicep: parameterise the principal per environment, e.g. `principalId: environment == 'prod' ? prodIdentityPrincipalId : nonProdIdentityPrincipalId` on `Microsoft.Authorization/roleAssignments`
#     - Terraform: one `azurerm_user_assigned_identity` per environment (workspace or variable), referenced by that environment's `azurerm_role_assignment`
#   benchmarks:
#     mcsb: IM-1
#   parameters:
#     environmentTag: environment
#     productionValues: [prod, production]
package kvscan.rules.cross_environment_identity

import rego.v1

import data.kvscan.lib
import data.kvscan.lib.access
import data.kvscan.lib.data_access

environment_tag := lib.param("environmentTag", "environment")

production_values := {lower(trim_space(v)) | some v in as_list(lib.param("productionValues", ["prod", "production"])); is_string(v)}

as_list(x) := [x] if is_string(x)

else := access.items(x)

# vault index → its environment tag values, computed once.
environments := {index: data_access.tag_values(record, environment_tag) |
	some index, record in access.items(input.inventory.vaults)
}

deny contains finding if {
	some principal_id, indexes in data.kvscan.lib.data_access.data_vaults
	production := {index | some index in indexes; some e in environments[index]; e in production_values}
	count(production) > 0
	other := {index | some index in indexes; some e in environments[index]; not e in production_values}
	count(other) > 0
	other_environments := sort({e | some index in other; some e in environments[index]; not e in production_values})
	details := {
		"resource": data_access.principal_resource(principal_id),
		"message": sprintf("Identity %s has data-plane access to production Key Vaults (%s) and to %s Key Vaults (%s): a compromise outside production reaches production secrets", [
			access.display(principal_id),
			access.few(data_access.vault_names(production), 5),
			concat("/", other_environments),
			access.few(data_access.vault_names(other), 5),
		]),
	}

	# Point at the principal in the inventory's principals list, when it is there.
	finding := object.union(details, data.kvscan.lib.data_access.principal_path(principal_id))
}
