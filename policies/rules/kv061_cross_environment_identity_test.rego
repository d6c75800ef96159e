package kvscan.rules.cross_environment_identity_test

import rego.v1

import data.kvscan.rules.cross_environment_identity

secrets_user := "4633458b-17de-408a-b874-0445c86b69e6"

kv_reader := "21090545-7ca7-4776-b22c-e363652d74d2"

priya := "842a8b9b-3d64-474d-8bd9-1ad9e0f08bcf"

vault_id(name) := concat("", ["/subscriptions/s1/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/", name])

vault(name, environment, guid, principal_id) := {
	"resource": {"id": vault_id(name), "name": name, "tags": {"environment": environment}, "properties": {"enableRbacAuthorization": true}},
	"roleAssignments": [{
		"id": concat("", [vault_id(name), "/providers/Microsoft.Authorization/roleAssignments/", principal_id]),
		"properties": {
			"roleDefinitionId": concat("", ["/subscriptions/s1/providers/Microsoft.Authorization/roleDefinitions/", guid]),
			"principalId": principal_id,
			"principalType": "User",
			"scope": vault_id(name),
		},
	}],
	"source": {"kind": "live"},
}

policy_vault(name, environment, principal_id, permissions) := {
	"resource": {"id": vault_id(name), "name": name, "tags": {"Environment": environment}, "properties": {
		"enableRbacAuthorization": false,
		"accessPolicies": [{"objectId": principal_id, "permissions": permissions}],
	}},
	"source": {"kind": "live"},
}

inventory(vaults) := {"vaults": vaults, "principals": [{"id": priya, "displayName": "Priya Sharma", "type": "User"}]}

test_one_environment_passes if {
	count(cross_environment_identity.deny) == 0 with input.inventory as inventory([
		vault("kv-a-prod", "prod", secrets_user, priya),
		vault("kv-b-prod", "production", secrets_user, priya),
	])
	count(cross_environment_identity.deny) == 0 with input.inventory as inventory([
		vault("kv-a-dev", "dev", secrets_user, priya),
		vault("kv-a-stg", "staging", secrets_user, priya),
	])
}

test_prod_and_dev_fail if {
	findings := cross_environment_identity.deny with input.inventory as inventory([
		vault("kv-reporting-prod", "prod", secrets_user, priya),
		vault("kv-data-dev", "dev", secrets_user, priya),
		vault("kv-web-stg", "staging", secrets_user, priya),
	])
	count(findings) == 1
	some f in findings
	f.resource == "/principals/842a8b9b-3d64-474d-8bd9-1ad9e0f08bcf"
	not f.vault
	contains(f.message, "'Priya Sharma' (842a8b9b-3d64-474d-8bd9-1ad9e0f08bcf)")
	contains(f.message, "production Key Vaults (kv-reporting-prod)")
	contains(f.message, "to dev/staging Key Vaults (kv-data-dev, kv-web-stg)")
}

test_tag_name_and_values_case_insensitive if {
	findings := cross_environment_identity.deny with input.inventory as inventory([
		policy_vault("kv-1", " PROD ", priya, {"secrets": ["Get"]}),
		policy_vault("kv-2", "Dev", priya, {"keys": ["unwrapKey"]}),
	])
	count(findings) == 1
}

test_untagged_and_empty_values_are_ignored if {
	untagged := object.union(vault("kv-x", "x", secrets_user, priya), {"resource": {"tags": null}})
	count(cross_environment_identity.deny) == 0 with input.inventory as inventory([
		vault("kv-prod", "prod", secrets_user, priya),
		untagged,
		vault("kv-empty", "  ", secrets_user, priya),
	])
}

test_parameters if {
	vaults := [vault("kv-1", "live", secrets_user, priya), vault("kv-2", "test", secrets_user, priya)]
	count(cross_environment_identity.deny) == 0 with input.inventory as inventory(vaults)
	count(cross_environment_identity.deny) == 1 with input.inventory as inventory(vaults) with data.kvscan.config as {"productionValues": ["LIVE"]}
	count(cross_environment_identity.deny) == 1 with input.inventory as inventory(vaults) with data.kvscan.config as {"productionValues": "live"}
	count(cross_environment_identity.deny) == 0 with input.inventory as inventory(vaults) with data.kvscan.config as {"environmentTag": "stage", "productionValues": ["live"]}
}

test_metadata_roles_and_list_only_policies_do_not_count if {
	count(cross_environment_identity.deny) == 0 with input.inventory as inventory([
		vault("kv-prod", "prod", kv_reader, priya),
		vault("kv-dev", "dev", secrets_user, priya),
	])
	count(cross_environment_identity.deny) == 0 with input.inventory as inventory([
		policy_vault("kv-prod", "prod", priya, {"secrets": ["list"], "keys": ["List"], "storage": ["get"]}),
		vault("kv-dev", "dev", secrets_user, priya),
	])
}

test_rbac_vault_access_policies_do_not_count if {
	rbac := object.union(policy_vault("kv-prod", "prod", priya, {"secrets": ["get"]}), {"resource": {"properties": {"enableRbacAuthorization": true}}})
	count(cross_environment_identity.deny) == 0 with input.inventory as inventory([rbac, vault("kv-dev", "dev", secrets_user, priya)])
}

test_one_finding_per_principal if {
	findings := cross_environment_identity.deny with input.inventory as inventory([
		vault("kv-1", "prod", secrets_user, priya),
		vault("kv-2", "dev", secrets_user, priya),
		vault("kv-3", "prod", secrets_user, "sp1"),
		vault("kv-4", "test", secrets_user, "sp1"),
		vault("kv-5", "prod", secrets_user, "sp2"),
	])
	{f.resource | some f in findings} == {"/principals/842a8b9b-3d64-474d-8bd9-1ad9e0f08bcf", "/principals/sp1"}
}

test_empty_inventory if {
	count(cross_environment_identity.deny) == 0 with input.inventory as {"vaults": []}
	count(cross_environment_identity.deny) == 0 with input.inventory as {"vaults": null}
}
