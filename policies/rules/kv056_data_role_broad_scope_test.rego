package kvscan.rules.data_role_broad_scope_test

import rego.v1

import data.kvscan.rules.data_role_broad_scope

vault_id := "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv"

secrets_user := "4633458b-17de-408a-b874-0445c86b69e6"

kv_reader := "21090545-7ca7-4776-b22c-e363652d74d2"

owner := "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"

ra(name, guid, scope) := {
	"id": concat("", [scope, "/providers/Microsoft.Authorization/roleAssignments/", name]),
	"properties": {
		"roleDefinitionId": concat("", ["/providers/Microsoft.Authorization/roleDefinitions/", guid]),
		"principalId": "p1",
		"principalType": "Group",
		"scope": scope,
	},
}

vault(assignments) := {"resource": {"id": vault_id, "name": "kv", "properties": {}}, "roleAssignments": assignments}

test_vault_and_resource_group_scopes_pass if {
	count(data_role_broad_scope.deny) == 0 with input.vault as vault([
		ra("a", secrets_user, vault_id),
		ra("b", secrets_user, "/subscriptions/s1/resourceGroups/rg"),
		ra("c", secrets_user, concat("", [vault_id, "/secrets/x"])),
	])
}

test_subscription_scope_fails if {
	findings := data_role_broad_scope.deny with input.vault as vault([ra("a", secrets_user, "/subscriptions/s1")])
		with data.kvscan.principals as {"p1": {"id": "p1", "displayName": "grp-readers", "type": "Group"}}
	count(findings) == 1
	some f in findings
	f.resource == "/subscriptions/s1/providers/Microsoft.Authorization/roleAssignments/a"
	f.path == ["roleAssignments", 0]
	contains(f.message, "'Key Vault Secrets User' for 'grp-readers' (p1) is assigned at subscription 's1'")
	contains(f.message, "Key Vault 'kv'")
}

test_management_group_and_root_fail if {
	findings := data_role_broad_scope.deny with input.vault as vault([
		ra("a", secrets_user, "/providers/Microsoft.Management/managementGroups/mg-root"),
		ra("b", secrets_user, "/"),
	])
	count(findings) == 2
	{f.path | some f in findings} == {["roleAssignments", 0], ["roleAssignments", 1]}
}

test_case_and_trailing_slash if {
	count(data_role_broad_scope.deny) == 1 with input.vault as vault([ra("a", secrets_user, "/SUBSCRIPTIONS/S1/")])
	count(data_role_broad_scope.deny) == 1 with input.vault as vault([ra("a", secrets_user, "/PROVIDERS/microsoft.management/MANAGEMENTGROUPS/mg")])
}

test_non_data_roles_pass if {
	count(data_role_broad_scope.deny) == 0 with input.vault as vault([
		ra("a", kv_reader, "/providers/Microsoft.Management/managementGroups/mg"),
		ra("b", owner, "/subscriptions/s1"),
	])
}

test_absent_or_null_scope_counts_as_vault if {
	no_scope := {"properties": {"roleDefinitionId": secrets_user, "principalId": "p1", "scope": null}}
	count(data_role_broad_scope.deny) == 0 with input.vault as vault([no_scope])
}

test_role_name_fallback if {
	named := object.union(ra("a", "11111111-1111-1111-1111-111111111111", "/subscriptions/s1"), {"roleName": "key vault secrets officer"})
	count(data_role_broad_scope.deny) == 1 with input.vault as vault([named])
}

test_no_assignments if {
	count(data_role_broad_scope.deny) == 0 with input.vault as vault([])
	count(data_role_broad_scope.deny) == 0 with input.vault as vault(null)
}
