package kvscan.rules.access_policy_escalation_test

import rego.v1

import data.kvscan.rules.access_policy_escalation

vault_id := "/subscriptions/s1/resourceGroups/rg-app/providers/Microsoft.KeyVault/vaults/kv"

owner := "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"

contributor := "b24988ac-6180-42a0-ab88-20f7382dd24c"

kv_contributor := "f25e0fa2-a7c8-4377-a976-54943a77a395"

kv_admin := "00482a5a-887f-4fb3-b363-3b7fe8e74483"

user_access_admin := "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"

ra(name, guid, principal_type, scope) := {
	"id": concat("", [scope, "/providers/Microsoft.Authorization/roleAssignments/", name]),
	"name": name,
	"properties": {
		"roleDefinitionId": concat("", ["/providers/Microsoft.Authorization/roleDefinitions/", guid]),
		"principalId": "142d3c1c-2669-442e-afce-d4f1ae91f17e",
		"principalType": principal_type,
		"scope": scope,
	},
}

record(kind, api_version, properties, assignments) := {
	"resource": {"id": vault_id, "name": "kv", "apiVersion": api_version, "properties": properties},
	"roleAssignments": assignments,
	"source": {"kind": kind},
}

live(properties, assignments) := record("live", null, properties, assignments)

test_rbac_vault_passes if {
	count(access_policy_escalation.deny) == 0 with input.vault as live({"enableRbacAuthorization": true}, [ra("a", kv_contributor, "User", vault_id)])
}

test_kv_contributor_on_access_policy_vault_fails if {
	findings := access_policy_escalation.deny with input.vault as live({"enableRbacAuthorization": false}, [ra("a", kv_contributor, "User", vault_id)])
		with data.kvscan.principals as {"142d3c1c-2669-442e-afce-d4f1ae91f17e": {"id": "142d3c1c-2669-442e-afce-d4f1ae91f17e", "displayName": "Dan Okafor", "type": "User"}}
	count(findings) == 1
	some f in findings
	f.resource == concat("", [vault_id, "/providers/Microsoft.Authorization/roleAssignments/a"])
	f.path == ["roleAssignments", 0]
	contains(f.message, "Key Vault 'kv' uses access policies")
	contains(f.message, "'Dan Okafor' (142d3c1c-2669-442e-afce-d4f1ae91f17e)")
	contains(f.message, "'Key Vault Contributor' (vault scope)")
}

test_absent_and_null_rbac_flag_on_live_vault_fail if {
	count(access_policy_escalation.deny) == 1 with input.vault as live({}, [ra("a", contributor, "ServicePrincipal", vault_id)])
	count(access_policy_escalation.deny) == 1 with input.vault as live({"enableRbacAuthorization": null}, [ra("a", contributor, "ServicePrincipal", vault_id)])
}

test_template_default_follows_kv003 if {
	count(access_policy_escalation.deny) == 0 with input.vault as record("bicep", "2026-02-01", {}, [ra("a", owner, "Group", vault_id)])
	count(access_policy_escalation.deny) == 1 with input.vault as record("arm", "2024-11-01", {}, [ra("a", owner, "Group", vault_id)])
}

test_inherited_write_roles_fail if {
	findings := access_policy_escalation.deny with input.vault as live({}, [
		ra("a", contributor, "ServicePrincipal", "/subscriptions/s1/resourceGroups/RG-APP"),
		ra("b", owner, "Group", "/providers/Microsoft.Management/managementGroups/mg"),
		ra("c", owner, "Group", "/"),
	])
	count(findings) == 3
	some f in findings
	f.path == ["roleAssignments", 1]
	contains(f.message, "management group 'mg'")
}

test_roles_without_vault_write_pass if {
	# Key Vault Administrator has data actions only; User Access Administrator writes role
	# assignments, which grant nothing on an access-policy vault.
	count(access_policy_escalation.deny) == 0 with input.vault as live({}, [ra("a", kv_admin, "User", vault_id), ra("b", user_access_admin, "User", vault_id)])
}

test_object_scope_and_sibling_scope_pass if {
	count(access_policy_escalation.deny) == 0 with input.vault as live({}, [
		ra("a", contributor, "User", concat("", [vault_id, "/secrets/x"])),
		ra("b", contributor, "User", "/subscriptions/s1/resourceGroups/rg-app-2"),
	])
}

test_role_name_fallback_is_case_insensitive if {
	named := object.union(ra("a", "11111111-1111-1111-1111-111111111111", "User", vault_id), {"roleName": "KEY VAULT CONTRIBUTOR"})
	count(access_policy_escalation.deny) == 1 with input.vault as live({}, [named])
}

test_no_assignments if {
	count(access_policy_escalation.deny) == 0 with input.vault as live({}, [])
	count(access_policy_escalation.deny) == 0 with input.vault as live({}, null)
}
