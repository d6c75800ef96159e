# Helpers shared by the access-control rules (KV050–KV061): role definitions, assignment
# scopes, principals, access policies, and facts about the vault under evaluation. The tenant-wide
# data-plane grants are in data_access.rego.
#
# Rules read this package's *rules* (assignments, uses_access_policies, principals_known) by their
# full path, `data.kvscan.lib.access.assignments`, and call its *functions* through the import
# alias: regorus re-evaluates every rule of an imported package on each `alias.rule` reference,
# whereas a full path is evaluated once per query.
#
# Role assignments are the verbatim ARM objects of a vault record's `roleAssignments` (plus
# kvscan's `roleName`); access policies are `resource.properties.accessPolicies`. Every string
# that Azure treats case-insensitively (scopes, principal types, permissions, tag names) is
# compared lower-cased, and every collection is read through `items()` because regorus raises an
# error when it iterates `null`.
package kvscan.lib.access

import rego.v1

import data.kvscan.rules.rbac_authorization

# ---------------------------------------------------------------------------------------------
# Collections and strings

# `x` when it is a collection, else an empty array (absent, `null`, or a wrong type).
items(x) := x if is_array(x)

else := x if is_set(x)

else := x if is_object(x)

else := []

# {key: [value, …]} for an array of distinct [key, value] pairs sorted by key (`sort` of a set of
# pairs): each key with its values in order. This is what `m[key] contains value` expresses, but
# regorus 0.14's VM compiles that rule form as one flat set (microsoft/regorus PR #665), so the
# catalog groups through this function, which stays linear: one pass finds where each key's run
# starts, then each run is sliced out. Also guarded for the VM, which, unlike the interpreter,
# keeps comprehension entries whose key or value is undefined.
group_sorted(pairs) := {key: [pair[1] | some pair in array.slice(pairs, start, bounds[run + 1])] |
	some run, start in starts
	first := pairs[start]
	is_array(first)
	count(first) == 2
	key := first[0]
} if {
	count(pairs) > 0
	starts := array.concat([0], [i | some i, pair in pairs; i > 0; pair[0] != pairs[i - 1][0]])
	bounds := array.concat(starts, [count(pairs)])
} else := {}

# A non-empty string.
text(x) if {
	is_string(x)
	trim_space(x) != ""
}

# ---------------------------------------------------------------------------------------------
# Role definitions (data.kvscan.roles, from data/roles.json)

definitions := d if {
	d := data.kvscan.roles.definitions
	is_object(d)
} else := {}

definitions_by_name := {lower(definition.name): definition |
	some definition in definitions
	is_string(definition.name)
}

# GUID of an assignment's role definition: the last segment of `roleDefinitionId`, lower-cased.
role_guid(assignment) := lower(parts[count(parts) - 1]) if {
	id := assignment.properties.roleDefinitionId
	is_string(id)
	parts := split(trim_right(id, "/"), "/")
}

# The well-known definition of an assignment's role: looked up by GUID, else by `roleName`
# (case-insensitive). Undefined for a role roles.json does not know (a custom role).
role(assignment) := definition if {
	definition := definitions[role_guid(assignment)]
} else := definition if {
	is_string(assignment.roleName)
	definition := definitions_by_name[lower(assignment.roleName)]
}

# The role has `flag` (dataPlane, privileged, canWriteVault, canAssignRoles) set to true.
role_has(assignment, flag) if role(assignment)[flag] == true

# The role's name for messages: kvscan's `roleName`, else the roles.json name, else the GUID.
role_name(assignment) := assignment.roleName if {
	text(assignment.roleName)
} else := role(assignment).name if {
	text(role(assignment).name)
} else := role_guid(assignment) if {
	role_guid(assignment)
} else := "an unknown role"

# ---------------------------------------------------------------------------------------------
# Scopes

# Lower-cased scope without a trailing slash; the root stays "/".
normalize(scope) := "/" if {
	trim_right(scope, "/") == ""
} else := lower(trim_right(scope, "/"))

# The assignment's normalized scope. An absent, null or empty scope (possible in templates)
# counts as the vault the record belongs to.
scope_of(assignment, vault_id) := lower(trimmed) if {
	scope := assignment.properties.scope
	is_string(scope)
	trimmed := trim_right(scope, "/")
	trimmed != ""
} else := "/" if {
	scope := assignment.properties.scope
	is_string(scope)
	scope != ""
} else := normalize(vault_id)

# `scope` (normalized) is the vault itself or one of its ancestors: resource group, subscription,
# management group or the root. A management group is never a prefix of the vault id, but an
# inherited assignment is only in the record of a vault below it. `<vault>/` starting with
# `<scope>/` tests "equal or ancestor at a segment boundary" in one step.
covers_vault(scope, vault_id) if startswith(concat("", [normalize(vault_id), "/"]), concat("", [scope, "/"]))

covers_vault(scope, _) if scope == "/"

covers_vault(scope, _) if management_group(scope)

# `scope` (normalized) is an object in the vault (`<vault id>/secrets/<name>`, …).
inside_vault(scope, vault_id) if startswith(scope, concat("", [normalize(vault_id), "/"]))

# The assignment grants something on (part of) the vault.
applies_to_vault(scope, vault_id) if covers_vault(scope, vault_id)

applies_to_vault(scope, vault_id) if inside_vault(scope, vault_id)

management_group(scope) if startswith(scope, "/providers/microsoft.management/managementgroups/")

# `/subscriptions/<id>` exactly. Split, not a regular expression: this regorus build compiles a
# pattern on every call.
subscription(scope) if {
	parts := split(scope, "/")
	count(parts) == 3
	parts[0] == ""
	parts[1] == "subscriptions"
	parts[2] != ""
}

resource_group(scope) if {
	parts := split(scope, "/")
	count(parts) == 5
	parts[0] == ""
	parts[1] == "subscriptions"
	parts[3] == "resourcegroups"
	parts[4] != ""
}

# Subscription, management group or root: scopes that span many vaults and resource groups.
broad_scope(scope) if scope == "/"

broad_scope(scope) if management_group(scope)

broad_scope(scope) if subscription(scope)

# Human-readable scope of an assignment for messages (names keep their original case).
scope_label(assignment, vault_id) := describe_scope(scope_of(assignment, vault_id), original_scope(assignment, vault_id), vault_id)

# The same for an assignment whose normalized scope is already known (vault rules' facts).
scope_label_of(scope, assignment, vault_id) := describe_scope(scope, original_scope(assignment, vault_id), vault_id)

original_scope(assignment, vault_id) := trim_right(assignment.properties.scope, "/") if {
	text(assignment.properties.scope)
} else := vault_id

describe_scope(scope, original, vault_id) := "vault scope" if {
	scope == normalize(vault_id)
} else := "root scope (/)" if {
	scope == "/"
} else := sprintf("management group '%s'", [last_segment(original)]) if {
	management_group(scope)
} else := sprintf("subscription '%s'", [last_segment(original)]) if {
	subscription(scope)
} else := sprintf("resource group '%s'", [last_segment(original)]) if {
	resource_group(scope)
} else := sprintf("object '%s'", [concat("/", array.slice(parts, count(parts) - 2, count(parts)))]) if {
	inside_vault(scope, vault_id)
	parts := split(original, "/")
} else := sprintf("scope '%s'", [original])

last_segment(s) := parts[count(parts) - 1] if parts := split(s, "/")

# The assignment's ARM id (the object at fault), else the vault's id (templates may omit it).
assignment_id(assignment, vault_id) := assignment.id if {
	text(assignment.id)
} else := vault_id

# ---------------------------------------------------------------------------------------------
# Principals

# data.kvscan.principals (keyed by lower-cased object id). A tenant rule falls back to
# input.inventory.principals when the data document is absent or empty; vault rules have no
# inventory, so there an empty object means "principal resolution did not run".
principals := p if {
	p := data.kvscan.principals
	is_object(p)
	count(p) > 0
} else := {key: records[0] | some key, records in inventory_principals}

# Lower-cased object id → the inventory's records of that principal, in sorted order (so a
# duplicated id resolves to the same record every time).
inventory_principals := group_sorted(sort({[lower(p.id), p] |
	some p in items(input.inventory.principals)
	text(p.id)
}))

principal(id) := principals[lower(id)] if is_string(id)

# The assignment's principal id, or a placeholder when a template leaves it out.
principal_of(assignment) := assignment.properties.principalId if {
	text(assignment.properties.principalId)
} else := "unknown principal"

# "'display name' (object id)" when the principal is known by name, else "'object id'".
display(id) := sprintf("'%s' (%s)", [name, id]) if {
	name := principal(id).displayName
	text(name)
} else := sprintf("'%v'", [id])

# Lower-cased directory type of a principal (user, group, serviceprincipal, managedidentity),
# "unknown" when it is not in the principals list.
principal_type(id) := lower(type) if {
	type := principal(id).type
	is_string(type)
} else := "unknown"

# Lower-cased ARM principal type of an assignment (user, group, serviceprincipal, foreigngroup,
# device, unknown). When a template leaves `principalType` out, the directory type is used, with
# managed identities counted as service principals as ARM does.
assignment_principal_type(assignment) := lower(type) if {
	type := assignment.properties.principalType
	is_string(type)
	type != ""
} else := "serviceprincipal" if {
	principal_type(assignment.properties.principalId) == "managedidentity"
} else := principal_type(assignment.properties.principalId)

# A principal whose user principal name marks a B2B guest.
guest(id) if {
	upn := principal(id).userPrincipalName
	is_string(upn)
	contains(lower(upn), "#ext#")
}

# ---------------------------------------------------------------------------------------------
# Access policies

# The vault uses the access-policy permission model (KV003's notion, including the template
# default of the apiVersion): only then do its access policies grant anything.
access_policies_apply(resource, source) if not rbac_authorization.rbac_enabled(resource, source)

access_policies(resource) := items(resource.properties.accessPolicies)

# Lower-cased permissions of one list (keys, secrets, certificates, storage) of an access policy.
permissions(policy, list) := {lower(p) | some p in items(policy.permissions[list]); is_string(p)}

# The policy grants some secret, key or certificate permission other than `list`.
policy_grants_data(policy) if {
	some list in ["keys", "secrets", "certificates"]
	some permission in permissions(policy, list)
	permission != "list"
}

# At most `n` names, then "and N more".
few(names, n) := concat(", ", names) if {
	count(names) <= n
} else := sprintf("%s and %d more", [concat(", ", array.slice(names, 0, n)), count(names) - n])

# ---------------------------------------------------------------------------------------------
# Vault scope: facts about input.vault, computed once per vault and shared by the vault rules
# (KV050–KV056). A user-defined function call costs regorus far more than reading a field, so the
# rules read these facts instead of calling the helpers above once per rule and assignment.

this_vault_id := input.vault.resource.id

# `<normalized vault id>/`: every scope inside the vault starts with it, and it starts with
# `<scope>/` for the vault itself and each ancestor below a management group.
this_vault_prefix := concat("", [normalize(this_vault_id), "/"])

# The vault uses access policies (see access_policies_apply).
uses_access_policies if access_policies_apply(input.vault.resource, rbac_authorization.record_source)

# The principals list is available (principal resolution ran).
principals_known if count(principals) > 0

# roleAssignments index → {
#   "role": the roles.json entry of its role ({} for a role roles.json does not know),
#   "type": lower-cased ARM principal type (see assignment_principal_type),
#   "scope": normalized scope (the vault's id when absent),
#   "coversVault": the scope is the vault or one of its ancestors,
# }
assignments[index] := {
	"role": role_entry(assignment),
	"type": assignment_principal_type(assignment),
	"scope": scope,
	"coversVault": covers_this_vault(scope),
} if {
	some index, assignment in items(input.vault.roleAssignments)
	scope := scope_of(assignment, this_vault_id)
}

role_entry(assignment) := definition if {
	definition := role(assignment)
} else := {}

covers_this_vault(scope) := true if {
	startswith(this_vault_prefix, concat("", [scope, "/"]))
} else := true if {
	scope == "/"
} else := true if {
	management_group(scope)
} else := false
