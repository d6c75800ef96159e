package kvscan.rules.key_rotation_test

import rego.v1

import data.kvscan.rules.key_rotation

vault_id := "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv"

vault(keys) := {"resource": {"id": vault_id, "name": "kv", "properties": {}}, "keys": keys}

key(name, rotation_policy) := {"name": name, "properties": {"kty": "RSA", "attributes": {"enabled": true}, "rotationPolicy": rotation_policy}}

rotate := {"trigger": {"timeAfterCreate": "P90D"}, "action": {"type": "Rotate"}}

notify := {"trigger": {"timeBeforeExpiry": "P30D"}, "action": {"type": "Notify"}}

test_rotate_action_passes if {
	count(key_rotation.deny) == 0 with input.vault as vault([key("k", {"lifetimeActions": [rotate, notify], "attributes": {"expiryTime": "P1Y"}})])
}

test_rotate_is_case_insensitive if {
	count(key_rotation.deny) == 0 with input.vault as vault([key("k", {"lifetimeActions": [{"trigger": {"timeBeforeExpiry": "P30D"}, "action": {"type": "rotate"}}]})])
	count(key_rotation.deny) == 0 with input.vault as vault([key("k", {"lifetimeActions": [{"action": {"type": "ROTATE"}}]})])
}

test_no_rotation_policy_fails if {
	findings := key_rotation.deny with input.vault as vault([{"name": "k", "properties": {"kty": "RSA", "attributes": {"enabled": true}}}])
	count(findings) == 1
	some f in findings
	f.resource == sprintf("%s/keys/k", [vault_id])
	f.path == ["keys", 0, "properties", "rotationPolicy"]
	f.message == "Key 'k' in Key Vault 'kv' has no rotation policy: it is never rotated automatically"
}

test_null_rotation_policy_fails if {
	findings := key_rotation.deny with input.vault as vault([key("k", null)])
	count(findings) == 1
	some f in findings
	f.path == ["keys", 0, "properties", "rotationPolicy"]
}

test_notify_only_fails if {
	findings := key_rotation.deny with input.vault as vault([key("k", {"lifetimeActions": [notify]})])
	count(findings) == 1
	some f in findings
	f.path == ["keys", 0, "properties", "rotationPolicy", "lifetimeActions"]
	f.message == "Key 'k' in Key Vault 'kv' has a rotation policy without a Rotate action: it is never rotated automatically"
}

test_empty_or_null_actions_fail if {
	count(key_rotation.deny) == 1 with input.vault as vault([key("k", {"lifetimeActions": []})])
	count(key_rotation.deny) == 1 with input.vault as vault([key("k", {"lifetimeActions": null})])
	count(key_rotation.deny) == 1 with input.vault as vault([key("k", {"lifetimeActions": [{"action": null}, {}]})])
}

test_disabled_key_is_skipped if {
	count(key_rotation.deny) == 0 with input.vault as vault([{"name": "k", "properties": {"attributes": {"enabled": false}}}])
}

test_one_finding_per_key if {
	findings := key_rotation.deny with input.vault as vault([
		key("a", {"lifetimeActions": [rotate]}),
		key("b", {"lifetimeActions": [notify]}),
		{"name": "c"},
	])
	count(findings) == 2
	{f.path[1] | some f in findings} == {1, 2}
}

test_missing_or_null_keys_list if {
	count(key_rotation.deny) == 0 with input.vault as {"resource": {"id": vault_id, "name": "kv"}}
	count(key_rotation.deny) == 0 with input.vault as {"resource": {"id": vault_id, "name": "kv"}, "keys": null}
}
