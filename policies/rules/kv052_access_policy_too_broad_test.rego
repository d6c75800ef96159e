package kvscan.rules.access_policy_too_broad_test

import rego.v1

import data.kvscan.rules.access_policy_too_broad

vault_id := "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv"

dan := "142d3c1c-2669-442e-afce-d4f1ae91f17e"

principals := {dan: {"id": dan, "displayName": "Dan Okafor", "type": "User"}}

vault(properties) := {
	"resource": {"id": vault_id, "name": "kv", "properties": properties},
	"source": {"kind": "live"},
}

policies(list) := vault({"enableRbacAuthorization": false, "accessPolicies": list})

policy(permissions) := {"tenantId": "t", "objectId": dan, "permissions": permissions}

test_least_privilege_policy_passes if {
	count(access_policy_too_broad.deny) == 0 with input.vault as policies([policy({"secrets": ["get", "list"], "keys": ["get", "wrapKey", "unwrapKey"]})])
}

test_all_everywhere_gives_one_finding_per_list if {
	findings := access_policy_too_broad.deny with input.vault as policies([policy({"keys": ["all"], "secrets": ["all"], "certificates": ["all"], "storage": ["all"]})])
		with data.kvscan.principals as principals
	count(findings) == 4
	{f.path | some f in findings} == {
		["resource", "properties", "accessPolicies", 0, "permissions", "keys"],
		["resource", "properties", "accessPolicies", 0, "permissions", "secrets"],
		["resource", "properties", "accessPolicies", 0, "permissions", "certificates"],
		["resource", "properties", "accessPolicies", 0, "permissions", "storage"],
	}
	every f in findings {
		f.resource == vault_id
		contains(f.message, "'Dan Okafor' (142d3c1c-2669-442e-afce-d4f1ae91f17e)")
		endswith(f.message, " permissions [all]")
	}
}

test_purge_fails_and_message_lists_permissions if {
	findings := access_policy_too_broad.deny with input.vault as policies([
		policy({"secrets": ["get"]}),
		{"objectId": "e80bf9e1-f158-422e-a10b-8cfd5a7e8ec5", "permissions": {"keys": ["get", "list", "purge"]}},
	])
	count(findings) == 1
	some f in findings
	f.path == ["resource", "properties", "accessPolicies", 1, "permissions", "keys"]
	contains(f.message, "Key Vault 'kv'")
	contains(f.message, "'e80bf9e1-f158-422e-a10b-8cfd5a7e8ec5'")
	contains(f.message, "keys permissions [get, list, purge], including purge")
}

test_case_insensitive if {
	findings := access_policy_too_broad.deny with input.vault as policies([policy({"secrets": ["Get", "Purge", "ALL"]})])
	count(findings) == 1
	some f in findings
	contains(f.message, "including all and purge")
}

test_absent_null_and_empty_lists_pass if {
	count(access_policy_too_broad.deny) == 0 with input.vault as policies([policy({"keys": null, "secrets": []}), policy(null), {"objectId": dan}])
	count(access_policy_too_broad.deny) == 0 with input.vault as policies(null)
	count(access_policy_too_broad.deny) == 0 with input.vault as vault({})
}

test_rbac_vault_is_skipped if {
	count(access_policy_too_broad.deny) == 0 with input.vault as vault({"enableRbacAuthorization": true, "accessPolicies": [policy({"keys": ["all"]})]})
}

test_absent_rbac_flag_means_access_policies if {
	count(access_policy_too_broad.deny) == 1 with input.vault as vault({"enableRbacAuthorization": null, "accessPolicies": [policy({"keys": ["all"]})]})
	count(access_policy_too_broad.deny) == 1 with input.vault as vault({"accessPolicies": [policy({"keys": ["all"]})]})
}

test_missing_object_id_still_reported if {
	findings := access_policy_too_broad.deny with input.vault as policies([{"permissions": {"keys": ["purge"]}}])
	count(findings) == 1
	some f in findings
	contains(f.message, "'unknown principal'")
}
