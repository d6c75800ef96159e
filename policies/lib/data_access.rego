# Tenant-wide data-plane access (KV060, KV061): which principal can read or change the contents
# of which vault, built once from input.inventory and grouped by principal, so the tenant rules
# stay linear in the number of role assignments and access policies.
package kvscan.lib.data_access

import rego.v1

import data.kvscan.lib.access

# ---------------------------------------------------------------------------------------------
# Tenant scope: data-plane grants across the inventory

# GUIDs (lower-cased) of the inventory's role definitions that grant data-plane access to vault
# contents: a Key Vault data action (`*`, `Microsoft.KeyVault/*`, `Microsoft.KeyVault/vaults/…`)
# that is not read-only metadata (`…/read`, `…/readMetadata/action`) and not listed verbatim in
# the same permission's `notDataActions`. Used for custom roles that roles.json does not know.
custom_data_roles := {guid |
	some definition in access.items(input.inventory.roleDefinitions)
	guid := definition_guid(definition)
	definition_grants_data(definition)
}

definition_guid(definition) := lower(definition.name) if {
	access.text(definition.name)
} else := lower(access.last_segment(trim_right(definition.id, "/"))) if access.text(definition.id)

definition_grants_data(definition) if {
	some permission in access.items(definition.properties.permissions)
	excluded := {lower(a) | some a in access.items(permission.notDataActions); is_string(a)}
	some action in access.items(permission.dataActions)
	is_string(action)
	a := lower(action)
	key_vault_data_action(a)
	not metadata_only(a)
	not a in excluded
}

key_vault_data_action(a) if a in {"*", "microsoft.keyvault/*"}

key_vault_data_action(a) if startswith(a, "microsoft.keyvault/vaults/")

metadata_only(a) if endswith(a, "/read")

metadata_only(a) if endswith(a, "/readmetadata/action")

# The assignment's role grants data-plane access: roles.json says so, or, for a role roles.json
# does not know, the inventory's definition of it does.
data_role(assignment) if access.role_has(assignment, "dataPlane")

data_role(assignment) if {
	not access.role(assignment)
	access.role_guid(assignment) in custom_data_roles
}

# The role reference of an assignment: [roleDefinitionId, roleName], each null when absent.
role_key(assignment) := [object.get(properties, "roleDefinitionId", null), object.get(assignment, "roleName", null)] if {
	properties := assignment.properties
	is_object(properties)
}

# The distinct role references of the inventory that grant data-plane access. An inventory
# references a few dozen roles in thousands of assignments, so data_role runs once per role, not
# once per assignment.
data_role_keys := {key |
	some key in {role_key(assignment) |
		some record in access.items(input.inventory.vaults)
		some assignment in access.items(record.roleAssignments)
	}
	data_role({"properties": {"roleDefinitionId": key[0]}, "roleName": key[1]})
}

# Every data-plane grant of the inventory as [principal id (lower-case), vault index, is a user]:
# a data role assigned at, above or inside the vault, or an access policy that grants more than
# `list` on a vault that uses access policies. Built once, in one pass over the vaults.
data_grants contains [lower(principal_id), index, user] if {
	some index, record in access.items(input.inventory.vaults)
	vault_id := record.resource.id
	prefix := concat("", [access.normalize(vault_id), "/"])
	some assignment in access.items(record.roleAssignments)
	principal_id := assignment.properties.principalId
	is_string(principal_id)
	principal_id != ""
	role_key(assignment) in data_role_keys
	applies(access.scope_of(assignment, vault_id), prefix)
	user := access.assignment_principal_type(assignment) == "user"
}

# access.applies_to_vault with the vault's `<normalized id>/` computed once per vault.
# An `else` chain stops at the first match (separate definitions would all be evaluated).
applies(scope, prefix) if {
	startswith(prefix, concat("", [scope, "/"]))
} else if {
	startswith(scope, prefix)
} else if {
	scope == "/"
} else if {
	startswith(scope, "/providers/microsoft.management/managementgroups/")
}

data_grants contains [lower(policy.objectId), index, user] if {
	some index, record in access.items(input.inventory.vaults)
	access.access_policies_apply(record.resource, object.get(record, "source", {}))
	some policy in access.access_policies(record.resource)
	access.text(policy.objectId)
	access.policy_grants_data(policy)
	user := access.principal_type(policy.objectId) == "user"
}

# principal id → indexes of the vaults it has data-plane access to (ascending).
data_vaults := access.group_sorted(sort({[grant[0], grant[1]] | some grant in data_grants}))

# The same, counting only grants to non-user principals (service principals, managed
# identities, groups, and principals of unknown type).
non_user_data_vaults := access.group_sorted(sort({[grant[0], grant[1]] |
	some grant in data_grants
	grant[2] == false
}))

# Lower-cased, trimmed, non-empty values of the tag `name` (tag names compared case-insensitively,
# as Azure does) of a vault record.
tag_values(record, name) := {lower(trim_space(value)) |
	some key, value in access.items(record.resource.tags)
	is_string(key)
	lower(key) == lower(name)
	access.text(value)
}

# Sorted names of the vaults at `indexes`.
vault_names(indexes) := sort([name |
	some index in indexes
	name := input.inventory.vaults[index].resource.name
	is_string(name)
])

# Stable resource id of a principal for tenant findings: `/principals/<lower-case object id>`.
principal_resource(principal_id) := concat("", ["/principals/", lower(principal_id)])

# `{"path": ["principals", i]}` for the principal's entry in the inventory, else `{}`: tenant-wide
# findings about a principal then point at that entry in the inventory file.
principal_path(principal_id) := {"path": ["principals", indexes[0]]} if {
	indexes := [i |
		some i, principal in access.items(input.inventory.principals)
		is_string(principal.id)
		lower(principal.id) == lower(principal_id)
	]
	count(indexes) > 0
} else := {}
