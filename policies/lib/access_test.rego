package kvscan.lib.access_test

import rego.v1

import data.kvscan.lib.access

vault_id := "/subscriptions/s1/resourceGroups/rg-app/providers/Microsoft.KeyVault/vaults/kv-app"

assignment(guid, role_name, scope) := {
	"id": concat("", [scope, "/providers/Microsoft.Authorization/roleAssignments/ra1"]),
	"properties": {
		"roleDefinitionId": concat("", ["/subscriptions/s1/providers/Microsoft.Authorization/roleDefinitions/", guid]),
		"principalId": "P1",
		"principalType": "ServicePrincipal",
		"scope": scope,
	},
	"roleName": role_name,
}

# --- roles.json ---------------------------------------------------------------------------

expected_roles := {
	"8e3af657-a8ff-443c-a75c-2fe8c4bcb635": ["Owner", false, true, true, true],
	"b24988ac-6180-42a0-ab88-20f7382dd24c": ["Contributor", false, true, true, false],
	"acdd72a7-3385-48ef-bd42-f606fba81ae7": ["Reader", false, false, false, false],
	"18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": ["User Access Administrator", false, true, false, true],
	"f58310d9-a9f6-439a-9e8d-f62e7b41a168": ["Role Based Access Control Administrator", false, true, false, true],
	"00482a5a-887f-4fb3-b363-3b7fe8e74483": ["Key Vault Administrator", true, true, false, false],
	"a4417e6f-fecd-4de8-b567-7b0420556985": ["Key Vault Certificates Officer", true, true, false, false],
	"db79e9a7-68ee-4b58-9aeb-b90e7c24fcba": ["Key Vault Certificate User", true, false, false, false],
	"14b46e9e-c2b7-41b4-b07b-48a6ebf60603": ["Key Vault Crypto Officer", true, true, false, false],
	"e147488a-f6f5-4113-8e2d-b22465e65bf6": ["Key Vault Crypto Service Encryption User", true, false, false, false],
	"08bbd89e-9f13-488c-ac41-acfcb10c90ab": ["Key Vault Crypto Service Release User", true, false, false, false],
	"12338af0-0e69-4776-bea7-57ae8d297424": ["Key Vault Crypto User", true, false, false, false],
	"8b54135c-b56d-4d72-a534-26097cfdc8d8": ["Key Vault Data Access Administrator", false, true, false, true],
	"21090545-7ca7-4776-b22c-e363652d74d2": ["Key Vault Reader", false, false, false, false],
	"b86a8fe4-44ce-4948-aee5-eccb2c155cd7": ["Key Vault Secrets Officer", true, true, false, false],
	"4633458b-17de-408a-b874-0445c86b69e6": ["Key Vault Secrets User", true, false, false, false],
	"f25e0fa2-a7c8-4377-a976-54943a77a395": ["Key Vault Contributor", false, false, true, false],
}

test_roles_json_has_exactly_the_expected_definitions if {
	object.keys(data.kvscan.roles.definitions) == object.keys(expected_roles)
}

test_roles_json_flags if {
	mismatches := {guid |
		some guid, e in expected_roles
		d := data.kvscan.roles.definitions[guid]
		[d.name, d.dataPlane, d.privileged, d.canWriteVault, d.canAssignRoles] != e
	}
	count(mismatches) == 0
}

test_roles_json_guids_are_lower_case if {
	every guid, _ in data.kvscan.roles.definitions {
		guid == lower(guid)
	}
}

# --- role lookup --------------------------------------------------------------------------

test_role_by_guid_is_case_insensitive if {
	a := assignment("4633458B-17DE-408A-B874-0445C86B69E6", null, vault_id)
	access.role(a).name == "Key Vault Secrets User"
	access.role_has(a, "dataPlane")
	not access.role_has(a, "privileged")
}

test_role_by_name_when_guid_unknown if {
	a := assignment("00000000-0000-0000-0000-000000000000", "key vault administrator", vault_id)
	access.role(a).name == "Key Vault Administrator"
	access.role_has(a, "privileged")
}

test_guid_wins_over_name if {
	a := assignment("acdd72a7-3385-48ef-bd42-f606fba81ae7", "Owner", vault_id)
	access.role(a).name == "Reader"
}

test_unknown_role_is_undefined if {
	a := assignment("00000000-0000-0000-0000-000000000000", "Contoso Custom", vault_id)
	not access.role(a)
	not access.role_has(a, "dataPlane")
	access.role_name(a) == "Contoso Custom"
}

test_role_name_falls_back_to_guid if {
	a := assignment("00000000-0000-0000-0000-000000000000", null, vault_id)
	access.role_name(a) == "00000000-0000-0000-0000-000000000000"
	b := {"properties": {}}
	access.role_name(b) == "an unknown role"
}

test_missing_role_definition_id_uses_name if {
	a := {"properties": {"roleDefinitionId": null}, "roleName": "Owner"}
	access.role(a).name == "Owner"
}

# --- scopes -------------------------------------------------------------------------------

test_covers_vault if {
	access.covers_vault(access.normalize(vault_id), vault_id)
	access.covers_vault(access.normalize("/SUBSCRIPTIONS/S1/resourcegroups/RG-APP/"), vault_id)
	access.covers_vault(access.normalize("/subscriptions/s1"), vault_id)
	access.covers_vault(access.normalize("/providers/Microsoft.Management/managementGroups/mg1"), vault_id)
	access.covers_vault(access.normalize("/"), vault_id)
}

test_does_not_cover_sibling_or_object if {
	not access.covers_vault(access.normalize("/subscriptions/s1/resourceGroups/rg-app-2"), vault_id)
	not access.covers_vault(access.normalize("/subscriptions/s1/resourceGroups/rg"), vault_id)
	not access.covers_vault(access.normalize("/subscriptions/s10"), vault_id)
	not access.covers_vault(access.normalize(concat("", [vault_id, "/secrets/a"])), vault_id)
	access.inside_vault(access.normalize(concat("", [vault_id, "/secrets/a"])), vault_id)
	access.applies_to_vault(access.normalize(concat("", [vault_id, "/secrets/a"])), vault_id)
	not access.applies_to_vault(access.normalize(concat("", [vault_id, "-2"])), vault_id)
}

test_absent_scope_is_the_vault if {
	access.scope_of({"properties": {}}, vault_id) == lower(vault_id)
	access.scope_of({"properties": {"scope": null}}, vault_id) == lower(vault_id)
	access.scope_of({"properties": {"scope": ""}}, vault_id) == lower(vault_id)
}

test_broad_scopes if {
	access.broad_scope("/")
	access.broad_scope(access.normalize("/subscriptions/S1/"))
	access.broad_scope(access.normalize("/providers/Microsoft.Management/managementGroups/mg1"))
	not access.broad_scope(access.normalize("/subscriptions/s1/resourceGroups/rg-app"))
	not access.broad_scope(access.normalize(vault_id))
}

test_scope_labels if {
	access.scope_label(assignment("x", null, vault_id), vault_id) == "vault scope"
	access.scope_label(assignment("x", null, "/"), vault_id) == "root scope (/)"
	access.scope_label(assignment("x", null, "/providers/Microsoft.Management/managementGroups/MG-Root"), vault_id) == "management group 'MG-Root'"
	access.scope_label(assignment("x", null, "/subscriptions/S1"), vault_id) == "subscription 'S1'"
	access.scope_label(assignment("x", null, "/subscriptions/s1/resourceGroups/RG-App"), vault_id) == "resource group 'RG-App'"
	access.scope_label(assignment("x", null, concat("", [vault_id, "/secrets/db"])), vault_id) == "object 'secrets/db'"
	access.scope_label(assignment("x", null, "/weird"), vault_id) == "scope '/weird'"
}

# --- principals ---------------------------------------------------------------------------

principals := {
	"p1": {"id": "P1", "displayName": "app-one", "type": "ServicePrincipal"},
	"mi": {"id": "mi", "displayName": "id-one", "type": "ManagedIdentity"},
	"u1": {"id": "u1", "displayName": "Guest", "type": "User", "userPrincipalName": "g_x.com#EXT#@t.onmicrosoft.com"},
}

test_principal_lookup_is_case_insensitive if {
	access.display("P1") == "'app-one' (P1)" with data.kvscan.principals as principals
	access.display("unknown-id") == "'unknown-id'" with data.kvscan.principals as principals
	access.principal_type("U1") == "user" with data.kvscan.principals as principals
	access.principal_type("nobody") == "unknown" with data.kvscan.principals as principals
}

test_assignment_principal_type_falls_back_to_directory if {
	access.assignment_principal_type({"properties": {"principalType": "User"}}) == "user"
	access.assignment_principal_type({"properties": {"principalId": "mi", "principalType": null}}) == "serviceprincipal" with data.kvscan.principals as principals
	access.assignment_principal_type({"properties": {"principalId": "u1"}}) == "user" with data.kvscan.principals as principals
	access.assignment_principal_type({"properties": {"principalId": "x"}}) == "unknown" with data.kvscan.principals as principals
}

test_guest if {
	access.guest("u1") with data.kvscan.principals as principals
	not access.guest("p1") with data.kvscan.principals as principals
	not access.guest("u1") with data.kvscan.principals as {"u1": {"id": "u1", "type": "User", "userPrincipalName": null}}
}

test_principals_fall_back_to_inventory if {
	inventory := {"vaults": [], "principals": [{"id": "ABC", "displayName": "from-inventory", "type": "Group"}]}
	access.display("abc") == "'from-inventory' (abc)" with input.inventory as inventory
	access.principal_type("abc") == "group" with input.inventory as inventory
}

test_duplicated_principal_ids_resolve_to_one_record if {
	inventory := {"vaults": [], "principals": [
		{"id": "abc", "displayName": "second", "type": "User"},
		{"id": "ABC", "displayName": "first", "type": "Group"},
		{"id": null, "displayName": "no id"},
		{"id": "def", "displayName": "other", "type": "User"},
	]}
	access.principals == {
		"abc": {"id": "ABC", "displayName": "first", "type": "Group"},
		"def": {"id": "def", "displayName": "other", "type": "User"},
	} with input.inventory as inventory
}

test_no_principals_at_all if {
	access.principals == {}
	access.principal_type("x") == "unknown"
}

# --- grouping ---------------------------------------------------------------------------

test_group_sorted if {
	access.group_sorted(sort({["a", 2], ["b", 3], ["a", 1], ["c", 0]})) == {"a": [1, 2], "b": [3], "c": [0]}
	access.group_sorted([["x", 1]]) == {"x": [1]}
	access.group_sorted([["x", 1], ["x", 2], ["x", 3]]) == {"x": [1, 2, 3]}
	access.group_sorted([]) == {}
	access.group_sorted(["not", "pairs"]) == {}
}

# --- access policies ----------------------------------------------------------------------

test_policy_grants_data if {
	access.policy_grants_data({"permissions": {"secrets": ["Get"]}})
	access.policy_grants_data({"permissions": {"keys": ["list", "unwrapKey"], "secrets": null}})
	not access.policy_grants_data({"permissions": {"keys": ["List"], "secrets": ["list"], "certificates": []}})
	not access.policy_grants_data({"permissions": {"storage": ["get"]}})
	not access.policy_grants_data({"permissions": null})
	not access.policy_grants_data({})
}

test_access_policies_apply_follows_kv003 if {
	access.access_policies_apply({"id": vault_id, "properties": {}}, {"kind": "live"})
	access.access_policies_apply({"id": vault_id, "properties": {"enableRbacAuthorization": false}}, {})
	not access.access_policies_apply({"id": vault_id, "properties": {"enableRbacAuthorization": true}}, {})
	not access.access_policies_apply({"id": vault_id, "apiVersion": "2026-02-01", "properties": {}}, {"kind": "bicep"})
}

test_few if {
	access.few(["a", "b", "c"], 3) == "a, b, c"
	access.few(["a", "b", "c", "d"], 2) == "a, b and 2 more"
}

# --- facts about input.vault ----------------------------------------------------------------

facts_vault := {
	"resource": {"id": vault_id, "name": "kv-app", "properties": {"enableRbacAuthorization": null}},
	"roleAssignments": [
		assignment("4633458b-17de-408a-b874-0445c86b69e6", null, vault_id),
		object.union(assignment("11111111-1111-1111-1111-111111111111", "Contoso Custom", "/SUBSCRIPTIONS/S1/"), {"properties": {"principalType": "User"}}),
		object.union(assignment("8e3af657-a8ff-443c-a75c-2fe8c4bcb635", null, "/providers/Microsoft.Management/managementGroups/mg"), {"properties": {"principalType": null}}),
		assignment("8e3af657-a8ff-443c-a75c-2fe8c4bcb635", null, "/"),
		assignment("4633458b-17de-408a-b874-0445c86b69e6", null, concat("", [vault_id, "/secrets/s"])),
		assignment("4633458b-17de-408a-b874-0445c86b69e6", null, "/subscriptions/s1/resourceGroups/rg-app-2"),
	],
	"source": {"kind": "live"},
}

test_assignment_facts if {
	facts := access.assignments with input.vault as facts_vault with data.kvscan.principals as principals
	count(facts) == 6
	facts[0].role.name == "Key Vault Secrets User"
	facts[0].type == "serviceprincipal"
	facts[0].scope == lower(vault_id)
	facts[0].coversVault == true
	facts[1].role == {}
	facts[1].type == "user"
	facts[1].scope == "/subscriptions/s1"
	facts[1].coversVault == true
	facts[2].role.name == "Owner"
	facts[2].type == "serviceprincipal"
	facts[2].coversVault == true
	facts[3].coversVault == true
	facts[4].coversVault == false
	facts[5].coversVault == false
}

test_vault_level_facts if {
	access.uses_access_policies with input.vault as facts_vault
	not access.uses_access_policies with input.vault as object.union(facts_vault, {"resource": {"properties": {"enableRbacAuthorization": true}}})
	access.principals_known with data.kvscan.principals as principals
	not access.principals_known with data.kvscan.principals as {}
	not access.principals_known
	count(access.assignments) == 0 with input.vault as {"resource": {"id": vault_id, "name": "kv-app"}, "roleAssignments": null}
}

test_scope_label_of_uses_the_given_scope if {
	a := assignment("x", null, "/subscriptions/S1/resourceGroups/RG-App/")
	access.scope_label_of("/subscriptions/s1/resourcegroups/rg-app", a, vault_id) == "resource group 'RG-App'"
}

test_assignment_id_and_principal_of if {
	access.assignment_id({"id": "/x"}, vault_id) == "/x"
	access.assignment_id({"id": ""}, vault_id) == vault_id
	access.principal_of({"properties": {"principalId": "p"}}) == "p"
	access.principal_of({}) == "unknown principal"
}
