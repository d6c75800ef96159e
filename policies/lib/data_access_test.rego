package kvscan.lib.data_access_test

import rego.v1

import data.kvscan.lib.data_access

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

# --- custom roles and grants --------------------------------------------------------------

custom_definition(guid, data_actions, not_data_actions) := {
	"id": concat("", ["/providers/Microsoft.Authorization/roleDefinitions/", guid]),
	"name": guid,
	"properties": {"roleName": "custom", "type": "CustomRole", "permissions": [{"actions": [], "notActions": [], "dataActions": data_actions, "notDataActions": not_data_actions}]},
}

test_custom_data_roles if {
	inventory := {"vaults": [], "roleDefinitions": [
		custom_definition("c1", ["Microsoft.KeyVault/vaults/secrets/*"], ["Microsoft.KeyVault/vaults/secrets/getSecret/action"]),
		custom_definition("C2", ["Microsoft.KeyVault/vaults/*/read", "Microsoft.KeyVault/vaults/secrets/readMetadata/action"], []),
		custom_definition("c3", ["Microsoft.KeyVault/vaults/secrets/getSecret/action"], ["microsoft.keyvault/vaults/secrets/getsecret/action"]),
		custom_definition("c4", ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read", "Microsoft.Storage/*"], null),
		custom_definition("c5", ["*"], null),
	]}
	data_access.custom_data_roles == {"c1", "c5"} with input.inventory as inventory
}

test_data_grants_and_grouping if {
	secrets_user := "4633458b-17de-408a-b874-0445c86b69e6"
	reader := "21090545-7ca7-4776-b22c-e363652d74d2"
	v0 := {
		"resource": {"id": vault_id, "name": "kv-app", "properties": {"enableRbacAuthorization": true, "accessPolicies": [{"objectId": "ignored", "permissions": {"secrets": ["all"]}}]}},
		"roleAssignments": [
			assignment(secrets_user, null, vault_id),
			object.union(assignment(reader, null, "/"), {"properties": {"principalId": "reader"}}),
			object.union(assignment(secrets_user, null, vault_id), {"properties": {"principalId": "U1", "principalType": "User"}}),
		],
	}
	v1 := {
		"resource": {"id": "/subscriptions/s1/resourceGroups/rg2/providers/Microsoft.KeyVault/vaults/kv-two", "name": "kv-two", "properties": {"accessPolicies": [
			{"objectId": "P1", "permissions": {"secrets": ["Get"]}},
			{"objectId": "lister", "permissions": {"secrets": ["List"]}},
		]}},
		"roleAssignments": null,
	}
	inventory := {"vaults": [v0, v1], "principals": []}
	data_access.data_grants == {["p1", 0, false], ["u1", 0, true], ["p1", 1, false]} with input.inventory as inventory
	data_access.data_vaults == {"p1": [0, 1], "u1": [0]} with input.inventory as inventory
	data_access.non_user_data_vaults == {"p1": [0, 1]} with input.inventory as inventory
}

test_tag_values_and_principal_resource if {
	record := {"resource": {"tags": {"Environment": " Prod ", "environment": "prod", "other": "x", "env2": ""}}}
	data_access.tag_values(record, "environment") == {"prod"}
	data_access.tag_values({"resource": {"tags": null}}, "environment") == set()
	data_access.tag_values({"resource": {}}, "environment") == set()
	data_access.principal_resource("ABC") == "/principals/abc"
}

scoped(principal_id, scope) := object.union(
	assignment("4633458b-17de-408a-b874-0445c86b69e6", null, scope),
	{"properties": {"principalId": principal_id}},
)

test_grant_scopes if {
	record := {
		"resource": {"id": vault_id, "name": "kv-app", "properties": {"enableRbacAuthorization": true}},
		"roleAssignments": [
			scoped("root", "/"),
			scoped("mg", "/providers/Microsoft.Management/managementGroups/MG"),
			scoped("sub", "/subscriptions/S1"),
			scoped("rg", "/subscriptions/s1/resourceGroups/rg-app/"),
			scoped("object", concat("", [vault_id, "/keys/k1"])),
			scoped("sibling", "/subscriptions/s1/resourceGroups/rg-app-2"),
			scoped("other-vault", concat("", [vault_id, "-2"])),
			scoped("", vault_id),
			object.union(scoped("mi", vault_id), {"properties": {"principalType": null}}),
		],
	}
	grants := data_access.data_grants with input.inventory as {"vaults": [record], "principals": [{"id": "MI", "type": "ManagedIdentity"}]}
	grants == {["root", 0, false], ["mg", 0, false], ["sub", 0, false], ["rg", 0, false], ["object", 0, false], ["mi", 0, false]}
}

test_custom_role_grant_by_guid if {
	definition := custom_definition("2F55C3E8-71DA-4DD5-A995-E7F90E45199C", ["Microsoft.KeyVault/vaults/keys/sign/action"], [])
	record := {"resource": {"id": vault_id, "name": "kv-app", "properties": {"enableRbacAuthorization": true}}, "roleAssignments": [
		object.union(assignment("2f55c3e8-71da-4dd5-a995-e7f90e45199c", "Signer", vault_id), {"properties": {"principalType": "User"}}),
	]}
	data_access.data_grants == {["p1", 0, true]} with input.inventory as {"vaults": [record], "roleDefinitions": [definition]}
	data_access.data_grants == set() with input.inventory as {"vaults": [record]}
}

test_definition_guid_from_id if {
	data_access.definition_guid({"id": "/providers/Microsoft.Authorization/roleDefinitions/ABC/"}) == "abc"
	data_access.definition_guid({"name": "Def", "id": "/x/y"}) == "def"
}

test_principal_path_points_at_the_principal_entry if {
	inventory := {"principals": [{"id": "AAA"}, {"id": "bbb"}]}
	data.kvscan.lib.data_access.principal_path("bbb") == {"path": ["principals", 1]} with input.inventory as inventory
	data.kvscan.lib.data_access.principal_path("aaa") == {"path": ["principals", 0]} with input.inventory as inventory
	data.kvscan.lib.data_access.principal_path("ccc") == {} with input.inventory as inventory
}
