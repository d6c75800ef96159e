package kvscan.rules.guest_access_test

import rego.v1

import data.kvscan.rules.guest_access

vault_id := "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv"

marco := "28b0b164-7eb3-4aba-aac1-d7498b344ed4"

priya := "842a8b9b-3d64-474d-8bd9-1ad9e0f08bcf"

principals := {
	marco: {"id": marco, "displayName": "Marco Rossi (Fabrikam)", "type": "User", "userPrincipalName": "marco.rossi_fabrikam.com#EXT#@contosopayments.onmicrosoft.com"},
	priya: {"id": priya, "displayName": "Priya Sharma", "type": "User", "userPrincipalName": "priya.sharma@contosopayments.com"},
}

ra(name, principal_id, scope) := {
	"id": concat("", [scope, "/providers/Microsoft.Authorization/roleAssignments/", name]),
	"properties": {
		"roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
		"principalId": principal_id,
		"principalType": "User",
		"scope": scope,
	},
	"roleName": "Key Vault Secrets Officer",
}

vault(properties, assignments) := {"resource": {"id": vault_id, "name": "kv", "properties": properties}, "roleAssignments": assignments, "source": {"kind": "live"}}

test_member_passes if {
	count(guest_access.deny) == 0 with input.vault as vault({}, [ra("a", priya, vault_id)]) with data.kvscan.principals as principals
}

test_guest_role_assignment_fails if {
	findings := guest_access.deny with input.vault as vault({"enableRbacAuthorization": true}, [ra("a", priya, vault_id), ra("b", marco, vault_id)])
		with data.kvscan.principals as principals
	count(findings) == 1
	some f in findings
	f.resource == concat("", [vault_id, "/providers/Microsoft.Authorization/roleAssignments/b"])
	f.path == ["roleAssignments", 1]
	contains(f.message, "'Marco Rossi (Fabrikam)'")
	contains(f.message, ", UPN marco.rossi_fabrikam.com#EXT#@contosopayments.onmicrosoft.com, holds")
	contains(f.message, "'Key Vault Secrets Officer' on Key Vault 'kv' (vault scope)")
}

test_ext_marker_is_case_insensitive_and_principal_id_too if {
	lower_case := {"x": {"id": "X", "type": "User", "userPrincipalName": "a_b.com#ext#@t.onmicrosoft.com"}}
	count(guest_access.deny) == 1 with input.vault as vault({}, [ra("a", "X", "/subscriptions/s1")]) with data.kvscan.principals as lower_case
}

test_guest_access_policy_fails if {
	findings := guest_access.deny with input.vault as vault({"enableRbacAuthorization": false, "accessPolicies": [
		{"objectId": priya, "permissions": {"secrets": ["get"]}},
		{"objectId": marco, "permissions": {"secrets": ["get"]}},
	]}, []) with data.kvscan.principals as principals
	count(findings) == 1
	some f in findings
	f.resource == vault_id
	f.path == ["resource", "properties", "accessPolicies", 1]
	contains(f.message, "has an access policy on Key Vault 'kv'")
}

test_access_policy_on_rbac_vault_is_ignored if {
	count(guest_access.deny) == 0 with input.vault as vault({"enableRbacAuthorization": true, "accessPolicies": [{"objectId": marco}]}, [])
		with data.kvscan.principals as principals
}

test_absent_rbac_flag_means_access_policies if {
	count(guest_access.deny) == 1 with input.vault as vault({"enableRbacAuthorization": null, "accessPolicies": [{"objectId": marco}]}, [])
		with data.kvscan.principals as principals
}

test_without_principals_nothing_is_reported if {
	count(guest_access.deny) == 0 with input.vault as vault({"accessPolicies": [{"objectId": marco}]}, [ra("b", marco, vault_id)])
}

test_missing_or_null_upn_and_ids if {
	no_upn := {marco: {"id": marco, "type": "User", "userPrincipalName": null}}
	count(guest_access.deny) == 0 with input.vault as vault({}, [ra("b", marco, vault_id)]) with data.kvscan.principals as no_upn
	count(guest_access.deny) == 0 with input.vault as vault({"accessPolicies": [{"objectId": null}, {}]}, [ra("b", null, vault_id)]) with data.kvscan.principals as principals
	count(guest_access.deny) == 0 with input.vault as vault({"accessPolicies": null}, null) with data.kvscan.principals as principals
}
