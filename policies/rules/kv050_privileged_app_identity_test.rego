package kvscan.rules.privileged_app_identity_test

import rego.v1

import data.kvscan.rules.privileged_app_identity

vault_id := "/subscriptions/s1/resourceGroups/rg-app/providers/Microsoft.KeyVault/vaults/kv"

owner := "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"

kv_admin := "00482a5a-887f-4fb3-b363-3b7fe8e74483"

secrets_user := "4633458b-17de-408a-b874-0445c86b69e6"

secrets_officer := "b86a8fe4-44ce-4948-aee5-eccb2c155cd7"

kv_contributor := "f25e0fa2-a7c8-4377-a976-54943a77a395"

ra(name, guid, principal_type, scope) := {
	"id": concat("", [scope, "/providers/Microsoft.Authorization/roleAssignments/", name]),
	"name": name,
	"properties": {
		"roleDefinitionId": concat("", ["/subscriptions/s1/providers/Microsoft.Authorization/roleDefinitions/", guid]),
		"principalId": "0b2e9163-8b76-4c29-acfe-7330a0f80a9f",
		"principalType": principal_type,
		"scope": scope,
	},
}

vault(assignments) := {
	"resource": {"id": vault_id, "name": "kv", "properties": {"enableRbacAuthorization": true}},
	"roleAssignments": assignments,
	"source": {"kind": "live"},
}

test_least_privilege_data_role_passes if {
	count(privileged_app_identity.deny) == 0 with input.vault as vault([ra("a", secrets_user, "ServicePrincipal", vault_id)])
}

test_key_vault_administrator_for_app_fails if {
	findings := privileged_app_identity.deny with input.vault as vault([ra("a", kv_admin, "ServicePrincipal", vault_id)])
	count(findings) == 1
	some f in findings
	f.resource == concat("", [vault_id, "/providers/Microsoft.Authorization/roleAssignments/a"])
	f.path == ["roleAssignments", 0]
	contains(f.message, "'Key Vault Administrator'")
	contains(f.message, "Key Vault 'kv'")
	contains(f.message, "(vault scope)")
}

test_message_names_known_principal if {
	findings := privileged_app_identity.deny with input.vault as vault([ra("a", owner, "ServicePrincipal", vault_id)])
		with data.kvscan.principals as {"0b2e9163-8b76-4c29-acfe-7330a0f80a9f": {"id": "0b2e9163-8b76-4c29-acfe-7330a0f80a9f", "displayName": "sp-deploy", "type": "ServicePrincipal"}}
	some f in findings
	contains(f.message, "'sp-deploy' (0b2e9163-8b76-4c29-acfe-7330a0f80a9f)")
	contains(f.message, "'Owner'")
}

test_inherited_scopes_fail if {
	count(privileged_app_identity.deny) == 1 with input.vault as vault([ra("a", owner, "ServicePrincipal", "/subscriptions/s1/resourceGroups/rg-app")])
	count(privileged_app_identity.deny) == 1 with input.vault as vault([ra("a", owner, "ServicePrincipal", "/subscriptions/s1")])
	count(privileged_app_identity.deny) == 1 with input.vault as vault([ra("a", owner, "ServicePrincipal", "/providers/Microsoft.Management/managementGroups/mg-root")])
	count(privileged_app_identity.deny) == 1 with input.vault as vault([ra("a", owner, "ServicePrincipal", "/")])
}

test_scope_comparison_is_case_insensitive if {
	count(privileged_app_identity.deny) == 1 with input.vault as vault([ra("a", owner, "ServicePrincipal", "/SUBSCRIPTIONS/S1/RESOURCEGROUPS/RG-APP/")])
}

test_sibling_resource_group_is_not_above_the_vault if {
	count(privileged_app_identity.deny) == 0 with input.vault as vault([ra("a", owner, "ServicePrincipal", "/subscriptions/s1/resourceGroups/rg")])
}

test_object_scope_is_not_evaluated if {
	count(privileged_app_identity.deny) == 0 with input.vault as vault([ra("a", secrets_officer, "ServicePrincipal", concat("", [vault_id, "/secrets/db"]))])
}

test_principal_type_is_case_insensitive if {
	count(privileged_app_identity.deny) == 1 with input.vault as vault([ra("a", secrets_officer, "servicePRINCIPAL", vault_id)])
}

test_users_and_groups_are_out_of_scope if {
	count(privileged_app_identity.deny) == 0 with input.vault as vault([ra("a", owner, "User", vault_id), ra("b", owner, "Group", vault_id)])
}

test_absent_or_null_principal_type_uses_directory if {
	mi := {"0b2e9163-8b76-4c29-acfe-7330a0f80a9f": {"id": "0b2e9163-8b76-4c29-acfe-7330a0f80a9f", "type": "ManagedIdentity"}}
	count(privileged_app_identity.deny) == 1 with input.vault as vault([ra("a", owner, null, vault_id)]) with data.kvscan.principals as mi
	no_type := {"properties": {"roleDefinitionId": owner, "principalId": "0B2E9163-8B76-4C29-ACFE-7330A0F80A9F", "scope": vault_id}}
	count(privileged_app_identity.deny) == 1 with input.vault as vault([no_type]) with data.kvscan.principals as mi
	count(privileged_app_identity.deny) == 0 with input.vault as vault([ra("a", owner, null, vault_id)])
}

test_kv_contributor_is_not_privileged_here if {
	# Key Vault Contributor is KV051's concern (access-policy vaults), not a privileged role.
	count(privileged_app_identity.deny) == 0 with input.vault as vault([ra("a", kv_contributor, "ServicePrincipal", vault_id)])
}

test_role_name_fallback_and_unknown_custom_role if {
	named := object.union(ra("a", "11111111-1111-1111-1111-111111111111", "ServicePrincipal", vault_id), {"roleName": "user access administrator"})
	count(privileged_app_identity.deny) == 1 with input.vault as vault([named])
	custom := object.union(ra("a", "11111111-1111-1111-1111-111111111111", "ServicePrincipal", vault_id), {"roleName": "Contoso Vault Operator"})
	count(privileged_app_identity.deny) == 0 with input.vault as vault([custom])
}

test_absent_scope_counts_as_vault_and_missing_id_uses_vault if {
	bare := {"properties": {"roleDefinitionId": owner, "principalId": "p", "principalType": "ServicePrincipal", "scope": null}}
	findings := privileged_app_identity.deny with input.vault as vault([bare])
	count(findings) == 1
	some f in findings
	f.resource == vault_id
	contains(f.message, "'p'")
}

test_one_finding_per_assignment if {
	findings := privileged_app_identity.deny with input.vault as vault([
		ra("a", owner, "ServicePrincipal", "/providers/Microsoft.Management/managementGroups/mg"),
		ra("b", secrets_user, "ServicePrincipal", vault_id),
		ra("c", kv_admin, "ServicePrincipal", vault_id),
	])
	count(findings) == 2
	{f.path | some f in findings} == {["roleAssignments", 0], ["roleAssignments", 2]}
}

test_no_or_null_assignments if {
	count(privileged_app_identity.deny) == 0 with input.vault as vault([])
	count(privileged_app_identity.deny) == 0 with input.vault as vault(null)
}
