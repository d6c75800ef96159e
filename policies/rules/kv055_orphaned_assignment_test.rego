package kvscan.rules.orphaned_assignment_test

import rego.v1

import data.kvscan.rules.orphaned_assignment

vault_id := "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv"

known := "1c6e562f-9279-461a-8bce-fe144a92418d"

principals := {known: {"id": known, "displayName": "id-identity-svc-stg", "type": "ManagedIdentity"}}

ra(name, principal_id, principal_type) := {
	"id": concat("", [vault_id, "/providers/Microsoft.Authorization/roleAssignments/", name]),
	"properties": {
		"roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6",
		"principalId": principal_id,
		"principalType": principal_type,
		"scope": vault_id,
	},
	"roleName": "Key Vault Secrets User",
}

vault(properties, assignments) := {"resource": {"id": vault_id, "name": "kv", "properties": properties}, "roleAssignments": assignments, "source": {"kind": "live"}}

test_resolved_principal_passes if {
	count(orphaned_assignment.deny) == 0 with input.vault as vault({}, [ra("a", known, "ServicePrincipal")]) with data.kvscan.principals as principals
}

test_principal_id_compared_case_insensitively if {
	count(orphaned_assignment.deny) == 0 with input.vault as vault({}, [ra("a", upper(known), "ServicePrincipal")]) with data.kvscan.principals as principals
}

test_unknown_principal_type_fails_even_without_principals if {
	findings := orphaned_assignment.deny with input.vault as vault({}, [ra("a", "97eb5064-b74d-4b24-a80d-3543c88662d1", "Unknown")])
	count(findings) == 1
	some f in findings
	f.resource == concat("", [vault_id, "/providers/Microsoft.Authorization/roleAssignments/a"])
	f.path == ["roleAssignments", 0]
	contains(f.message, "'97eb5064-b74d-4b24-a80d-3543c88662d1'")
	contains(f.message, "Unknown")
	contains(f.message, "'Key Vault Secrets User' on Key Vault 'kv'")
}

test_unknown_type_case_insensitive if {
	count(orphaned_assignment.deny) == 1 with input.vault as vault({}, [ra("a", "x", "unknown")])
}

test_unresolved_principal_fails_only_with_principals if {
	assignments := [ra("a", "f7627626-edbb-4524-a15f-b720aa88b99d", "ServicePrincipal")]
	count(orphaned_assignment.deny) == 0 with input.vault as vault({}, assignments)
	count(orphaned_assignment.deny) == 0 with input.vault as vault({}, assignments) with data.kvscan.principals as {}
	findings := orphaned_assignment.deny with input.vault as vault({}, assignments) with data.kvscan.principals as principals
	count(findings) == 1
	some f in findings
	contains(f.message, "not in the directory")
}

test_unknown_and_unresolved_fires_once if {
	count(orphaned_assignment.deny) == 1 with input.vault as vault({}, [ra("a", "gone", "Unknown")]) with data.kvscan.principals as principals
}

test_absent_or_null_principal_fields if {
	# Templates may leave the principal type out; that is not "Unknown".
	count(orphaned_assignment.deny) == 0 with input.vault as vault({}, [ra("a", known, null)]) with data.kvscan.principals as principals
	count(orphaned_assignment.deny) == 0 with input.vault as vault({}, [ra("a", null, null)]) with data.kvscan.principals as principals
	count(orphaned_assignment.deny) == 0 with input.vault as vault({}, null) with data.kvscan.principals as principals
}

test_orphaned_access_policy_fails if {
	findings := orphaned_assignment.deny with input.vault as vault({"enableRbacAuthorization": false, "accessPolicies": [
		{"objectId": known, "permissions": {}},
		{"objectId": "d0ec4b79-1e6c-465b-9a5c-056f62ecf7ba", "permissions": {"keys": ["get"]}},
	]}, []) with data.kvscan.principals as principals
	count(findings) == 1
	some f in findings
	f.resource == vault_id
	f.path == ["resource", "properties", "accessPolicies", 1]
	contains(f.message, "'d0ec4b79-1e6c-465b-9a5c-056f62ecf7ba'")
}

test_access_policies_need_principals_and_access_policy_model if {
	policies := [{"objectId": "d0ec4b79-1e6c-465b-9a5c-056f62ecf7ba"}]
	count(orphaned_assignment.deny) == 0 with input.vault as vault({"accessPolicies": policies}, [])
	count(orphaned_assignment.deny) == 0 with input.vault as vault({"enableRbacAuthorization": true, "accessPolicies": policies}, []) with data.kvscan.principals as principals
	count(orphaned_assignment.deny) == 1 with input.vault as vault({"enableRbacAuthorization": null, "accessPolicies": policies}, []) with data.kvscan.principals as principals
	count(orphaned_assignment.deny) == 0 with input.vault as vault({"accessPolicies": [{"objectId": null}, {}]}, []) with data.kvscan.principals as principals
}
