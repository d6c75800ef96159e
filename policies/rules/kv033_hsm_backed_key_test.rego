package kvscan.rules.hsm_backed_key_test

import rego.v1

import data.kvscan.rules.hsm_backed_key

vault_id := "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv"

vault(keys) := {"resource": {"id": vault_id, "name": "kv", "properties": {}}, "keys": keys}

key(name, kty) := {"name": name, "properties": {"kty": kty, "attributes": {"enabled": true}}}

test_hsm_keys_pass if {
	count(hsm_backed_key.deny) == 0 with input.vault as vault([key("a", "RSA-HSM"), key("b", "EC-HSM"), key("c", "oct-HSM")])
}

test_hsm_types_are_case_insensitive if {
	count(hsm_backed_key.deny) == 0 with input.vault as vault([key("a", "rsa-hsm"), key("b", "Ec-Hsm"), key("c", "OCT-HSM")])
}

test_software_key_fails if {
	findings := hsm_backed_key.deny with input.vault as vault([key("k", "RSA")])
	count(findings) == 1
	some f in findings
	f.resource == sprintf("%s/keys/k", [vault_id])
	f.path == ["keys", 0, "properties", "kty"]
	f.message == "Key 'k' in Key Vault 'kv' is software-protected (kty: RSA), not backed by an HSM"
}

test_each_software_type_fails if {
	findings := hsm_backed_key.deny with input.vault as vault([key("a", "RSA"), key("b", "EC"), key("c", "oct"), key("d", "RSA-HSM")])
	count(findings) == 3
	{f.path[1] | some f in findings} == {0, 1, 2}
}

test_absent_or_null_kty_passes if {
	count(hsm_backed_key.deny) == 0 with input.vault as vault([
		key("a", null),
		{"name": "b", "properties": {"attributes": {"enabled": true}}},
		{"name": "c"},
		{"name": "d", "properties": null},
	])
}

test_disabled_key_is_skipped if {
	count(hsm_backed_key.deny) == 0 with input.vault as vault([{"name": "k", "properties": {"kty": "RSA", "attributes": {"enabled": false}}}])
}

test_missing_or_null_keys_list if {
	count(hsm_backed_key.deny) == 0 with input.vault as {"resource": {"id": vault_id, "name": "kv"}}
	count(hsm_backed_key.deny) == 0 with input.vault as {"resource": {"id": vault_id, "name": "kv"}, "keys": null}
}
