package kvscan.rules.key_expiry_test

import rego.v1

import data.kvscan.rules.key_expiry

vault_id := "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv"

vault(keys) := {"resource": {"id": vault_id, "name": "kv", "properties": {}}, "keys": keys}

key(name, attributes) := {"name": name, "properties": {"kty": "RSA", "keySize": 2048, "attributes": attributes}}

test_key_with_expiry_passes if {
	count(key_expiry.deny) == 0 with input.vault as vault([key("k", {"enabled": true, "exp": 1823227373})])
}

test_key_without_expiry_fails if {
	findings := key_expiry.deny with input.vault as vault([key("k", {"enabled": true})])
	count(findings) == 1
	some f in findings
	f.resource == sprintf("%s/keys/k", [vault_id])
	f.path == ["keys", 0, "properties", "attributes", "exp"]
	f.message == "Key 'k' in Key Vault 'kv' has no expiration date"
}

test_null_and_non_numeric_expiry_fail if {
	count(key_expiry.deny) == 1 with input.vault as vault([key("k", {"exp": null})])
	count(key_expiry.deny) == 1 with input.vault as vault([key("k", {"exp": "2027-01-01"})])
}

test_key_without_attributes_fails if {
	count(key_expiry.deny) == 1 with input.vault as vault([{"name": "bare"}])
	count(key_expiry.deny) == 1 with input.vault as vault([{"name": "bare", "properties": null}])
}

test_disabled_key_is_skipped if {
	count(key_expiry.deny) == 0 with input.vault as vault([key("k", {"enabled": false})])
}

test_rotation_policy_expiry_time_does_not_count if {
	k := {"name": "k", "properties": {"attributes": {"enabled": true}, "rotationPolicy": {"attributes": {"expiryTime": "P1Y"}}}}
	count(key_expiry.deny) == 1 with input.vault as vault([k])
}

test_one_finding_per_key_and_data_plane_ids if {
	findings := key_expiry.deny with input.vault as vault([
		key("a", {}),
		key("b", {"exp": 1823227373}),
		{"id": "https://kv.vault.azure.net/keys/c", "name": "c", "properties": {"attributes": {"enabled": true}}},
	])
	count(findings) == 2
	{f.resource | some f in findings} == {sprintf("%s/keys/a", [vault_id]), sprintf("%s/keys/c", [vault_id])}
}

test_missing_or_null_keys_list if {
	count(key_expiry.deny) == 0 with input.vault as {"resource": {"id": vault_id, "name": "kv"}}
	count(key_expiry.deny) == 0 with input.vault as {"resource": {"id": vault_id, "name": "kv"}, "keys": null}
}
