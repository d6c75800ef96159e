package kvscan.rules.user_direct_assignment_test

import rego.v1

import data.kvscan.rules.user_direct_assignment

vault_id := "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv"

priya := "842a8b9b-3d64-474d-8bd9-1ad9e0f08bcf"

secrets_user := "4633458b-17de-408a-b874-0445c86b69e6"

secrets_officer := "b86a8fe4-44ce-4948-aee5-eccb2c155cd7"

kv_reader := "21090545-7ca7-4776-b22c-e363652d74d2"

owner := "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"

ra(name, guid, principal_type, scope) := {
	"id": concat("", [scope, "/providers/Microsoft.Authorization/roleAssignments/", name]),
	"properties": {
		"roleDefinitionId": concat("", ["/subscriptions/s1/providers/Microsoft.Authorization/roleDefinitions/", guid]),
		"principalId": priya,
		"principalType": principal_type,
		"scope": scope,
	},
}

vault(assignments) := {"resource": {"id": vault_id, "name": "kv", "properties": {}}, "roleAssignments": assignments}

test_group_assignment_passes if {
	count(user_direct_assignment.deny) == 0 with input.vault as vault([ra("a", secrets_user, "Group", vault_id)])
}

test_user_with_data_role_fails if {
	findings := user_direct_assignment.deny with input.vault as vault([ra("a", secrets_officer, "User", vault_id)])
		with data.kvscan.principals as {priya: {"id": priya, "displayName": "Priya Sharma", "type": "User"}}
	count(findings) == 1
	some f in findings
	f.resource == concat("", [vault_id, "/providers/Microsoft.Authorization/roleAssignments/a"])
	f.path == ["roleAssignments", 0]
	contains(f.message, "User 'Priya Sharma' (842a8b9b-3d64-474d-8bd9-1ad9e0f08bcf)")
	contains(f.message, "'Key Vault Secrets Officer'")
	contains(f.message, "Key Vault 'kv'")
}

test_principal_type_case_insensitive if {
	count(user_direct_assignment.deny) == 1 with input.vault as vault([ra("a", secrets_user, "user", vault_id)])
}

test_user_with_control_plane_or_metadata_role_passes if {
	count(user_direct_assignment.deny) == 0 with input.vault as vault([ra("a", owner, "User", vault_id), ra("b", kv_reader, "User", vault_id)])
}

test_object_and_inherited_scopes_count if {
	findings := user_direct_assignment.deny with input.vault as vault([
		ra("a", secrets_user, "User", concat("", [vault_id, "/secrets/db"])),
		ra("b", secrets_user, "User", "/subscriptions/s1"),
	])
	count(findings) == 2
	messages := {f.message | some f in findings}
	some m in messages
	contains(m, "object 'secrets/db'")
}

test_absent_or_null_principal_type_uses_directory if {
	users := {priya: {"id": priya, "type": "User"}}
	count(user_direct_assignment.deny) == 1 with input.vault as vault([ra("a", secrets_user, null, vault_id)]) with data.kvscan.principals as users
	count(user_direct_assignment.deny) == 0 with input.vault as vault([ra("a", secrets_user, null, vault_id)])
}

test_role_name_fallback_and_custom_roles if {
	named := object.union(ra("a", "11111111-1111-1111-1111-111111111111", "User", vault_id), {"roleName": "Key Vault Crypto User"})
	count(user_direct_assignment.deny) == 1 with input.vault as vault([named])
	custom := object.union(ra("a", "11111111-1111-1111-1111-111111111111", "User", vault_id), {"roleName": "Contoso Secret Reader"})
	count(user_direct_assignment.deny) == 0 with input.vault as vault([custom])
}

test_no_assignments if {
	count(user_direct_assignment.deny) == 0 with input.vault as vault([])
	count(user_direct_assignment.deny) == 0 with input.vault as vault(null)
}
