package kvscan.rules.shared_identity_test

import rego.v1

import data.kvscan.rules.shared_identity

secrets_user := "4633458b-17de-408a-b874-0445c86b69e6"

kv_reader := "21090545-7ca7-4776-b22c-e363652d74d2"

owner := "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"

sp := "0b2e9163-8b76-4c29-acfe-7330a0f80a9f"

vault_id(name) := concat("", ["/subscriptions/s1/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/", name])

ra(vault, guid, principal_id, principal_type) := {
	"id": concat("", [vault_id(vault), "/providers/Microsoft.Authorization/roleAssignments/", vault, principal_id]),
	"properties": {
		"roleDefinitionId": concat("", ["/subscriptions/s1/providers/Microsoft.Authorization/roleDefinitions/", guid]),
		"principalId": principal_id,
		"principalType": principal_type,
		"scope": vault_id(vault),
	},
}

# A vault whose only grant is `guid` for `principal_id`.
vault(name, app, guid, principal_id, principal_type) := {
	"resource": {"id": vault_id(name), "name": name, "tags": {"application": app}, "properties": {"enableRbacAuthorization": true}},
	"roleAssignments": [ra(name, guid, principal_id, principal_type)],
	"source": {"kind": "live"},
}

inventory(vaults) := {"vaults": vaults, "principals": [{"id": sp, "displayName": "sp-deploy", "type": "ServicePrincipal"}]}

same_app(n, principal_id, principal_type) := [vault(sprintf("kv-%d", [i]), "payments", secrets_user, principal_id, principal_type) | some i in numbers.range(1, n)]

test_three_vaults_of_one_application_pass if {
	count(shared_identity.deny) == 0 with input.inventory as inventory(same_app(3, sp, "ServicePrincipal"))
}

test_four_vaults_fail if {
	findings := shared_identity.deny with input.inventory as inventory(same_app(4, sp, "ServicePrincipal"))
	count(findings) == 1
	some f in findings
	f.resource == "/principals/0b2e9163-8b76-4c29-acfe-7330a0f80a9f"
	not f.vault
	contains(f.message, "'sp-deploy' (0b2e9163-8b76-4c29-acfe-7330a0f80a9f)")
	contains(f.message, "4 Key Vaults (more than 3)")
	contains(f.message, "kv-1, kv-2, kv-3, kv-4")
}

test_threshold_is_a_parameter if {
	count(shared_identity.deny) == 0 with input.inventory as inventory(same_app(4, sp, "ServicePrincipal"))
		with data.kvscan.config as {"sharedIdentityMaxVaults": 4}
}

test_two_applications_fail if {
	findings := shared_identity.deny with input.inventory as inventory([
		vault("kv-a", "Payments", secrets_user, sp, "ServicePrincipal"),
		vault("kv-b", "orders", secrets_user, sp, "ServicePrincipal"),
	])
	count(findings) == 1
	some f in findings
	contains(f.message, "2 Key Vaults (2 applications: orders, payments)")
}

test_application_values_compared_case_insensitively if {
	count(shared_identity.deny) == 0 with input.inventory as inventory([
		vault("kv-a", "Payments", secrets_user, sp, "ServicePrincipal"),
		vault("kv-b", " payments ", secrets_user, sp, "ServicePrincipal"),
	])
}

test_untagged_and_empty_tags_add_no_application if {
	untagged := object.union(vault("kv-b", "x", secrets_user, sp, "ServicePrincipal"), {"resource": {"tags": null}})
	count(shared_identity.deny) == 0 with input.inventory as inventory([
		vault("kv-a", "payments", secrets_user, sp, "ServicePrincipal"),
		untagged,
		vault("kv-c", "", secrets_user, sp, "ServicePrincipal"),
	])
}

test_application_tag_is_a_parameter if {
	v1 := object.union(vault("kv-a", "x", secrets_user, sp, "ServicePrincipal"), {"resource": {"tags": {"App": "one"}}})
	v2 := object.union(vault("kv-b", "x", secrets_user, sp, "ServicePrincipal"), {"resource": {"tags": {"app": "two"}}})
	count(shared_identity.deny) == 0 with input.inventory as inventory([v1, v2])
	count(shared_identity.deny) == 1 with input.inventory as inventory([v1, v2]) with data.kvscan.config as {"applicationTag": "APP"}
}

test_both_reasons_one_finding_with_few_names if {
	vaults := [vault(sprintf("kv-%d", [i]), sprintf("app-%d", [i]), secrets_user, sp, "ServicePrincipal") | some i in numbers.range(1, 7)]
	findings := shared_identity.deny with input.inventory as inventory(vaults)
	count(findings) == 1
	some f in findings
	contains(f.message, "7 Key Vaults (more than 3; 7 applications: app-1, app-2, app-3, app-4, app-5 and 2 more)")
	contains(f.message, ": kv-1, kv-2, kv-3, kv-4, kv-5 and 2 more;")
}

test_users_are_not_shared_identities if {
	count(shared_identity.deny) == 0 with input.inventory as inventory(same_app(5, "u1", "User"))
	count(shared_identity.deny) == 0 with input.inventory as inventory(same_app(5, "u1", "user"))
}

test_groups_and_unknown_principals_count if {
	count(shared_identity.deny) == 1 with input.inventory as inventory(same_app(4, "g1", "Group"))
	count(shared_identity.deny) == 1 with input.inventory as inventory(same_app(4, "x1", null))
}

test_metadata_and_control_plane_roles_do_not_count if {
	vaults := array.concat(
		[vault(sprintf("kv-r%d", [i]), sprintf("a%d", [i]), kv_reader, sp, "ServicePrincipal") | some i in numbers.range(1, 5)],
		[vault(sprintf("kv-o%d", [i]), sprintf("b%d", [i]), owner, sp, "ServicePrincipal") | some i in numbers.range(1, 5)],
	)
	count(shared_identity.deny) == 0 with input.inventory as inventory(vaults)
}

inherited(name, app) := {
	"resource": {"id": vault_id(name), "name": name, "tags": {"application": app}, "properties": {"enableRbacAuthorization": true}},
	"roleAssignments": [{"id": "/subscriptions/s1/providers/Microsoft.Authorization/roleAssignments/x", "properties": {
		"roleDefinitionId": secrets_user, "principalId": upper(sp), "principalType": "ServicePrincipal", "scope": "/subscriptions/S1",
	}}],
}

test_inherited_assignment_counts_once_per_vault if {
	findings := shared_identity.deny with input.inventory as inventory([inherited("kv-a", "a"), inherited("kv-b", "a"), inherited("kv-c", "a"), inherited("kv-d", "a")])
	count(findings) == 1
	some f in findings
	f.resource == "/principals/0b2e9163-8b76-4c29-acfe-7330a0f80a9f"
	contains(f.message, "4 Key Vaults")
}

ap(name, app, rbac, permissions) := {
	"resource": {"id": vault_id(name), "name": name, "tags": {"application": app}, "properties": {
		"enableRbacAuthorization": rbac,
		"accessPolicies": [{"objectId": sp, "permissions": permissions}],
	}},
	"source": {"kind": "live"},
}

test_access_policies_count_on_access_policy_vaults_only if {
	findings := shared_identity.deny with input.inventory as inventory([
		ap("kv-a", "one", false, {"secrets": ["Get"]}),
		ap("kv-b", "two", null, {"keys": ["unwrapKey"]}),
		ap("kv-c", "three", true, {"secrets": ["get"]}),
		ap("kv-d", "four", false, {"secrets": ["List"], "storage": ["get"]}),
	])
	count(findings) == 1
	some f in findings
	contains(f.message, "2 Key Vaults (2 applications: one, two): kv-a, kv-b;")
}

ap_unknown(name, app) := {"resource": {"id": vault_id(name), "name": name, "tags": {"application": app}, "properties": {"accessPolicies": [{"objectId": "u9", "permissions": {"secrets": ["get"]}}]}}}

test_access_policy_principal_type_from_directory if {
	vaults := [ap_unknown("kv-a", "one"), ap_unknown("kv-b", "two")]
	count(shared_identity.deny) == 1 with input.inventory as {"vaults": vaults}
	count(shared_identity.deny) == 0 with input.inventory as {"vaults": vaults, "principals": [{"id": "U9", "type": "User"}]}
	count(shared_identity.deny) == 0 with input.inventory as {"vaults": vaults} with data.kvscan.principals as {"u9": {"id": "U9", "type": "User"}}
}

test_custom_role_from_inventory_definitions if {
	custom := "2f55c3e8-71da-4dd5-a995-e7f90e45199c"
	definition := {"name": custom, "properties": {"roleName": "Secret Rotator", "type": "CustomRole", "permissions": [{
		"dataActions": ["Microsoft.KeyVault/vaults/secrets/*"],
		"notDataActions": ["Microsoft.KeyVault/vaults/secrets/getSecret/action"],
	}]}}
	vaults := [vault(sprintf("kv-%d", [i]), "x", custom, sp, "ServicePrincipal") | some i in numbers.range(1, 4)]
	count(shared_identity.deny) == 0 with input.inventory as inventory(vaults)
	count(shared_identity.deny) == 1 with input.inventory as object.union(inventory(vaults), {"roleDefinitions": [definition]})
}

test_empty_inventory if {
	count(shared_identity.deny) == 0 with input.inventory as {"vaults": []}
	count(shared_identity.deny) == 0 with input.inventory as {"vaults": [{"resource": {"id": "/x", "name": "x"}, "roleAssignments": null}]}
}
