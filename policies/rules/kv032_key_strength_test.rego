package kvscan.rules.key_strength_test

import rego.v1

import data.kvscan.rules.key_strength

vault_id := "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv"

vault(keys) := {"resource": {"id": vault_id, "name": "kv", "properties": {}}, "keys": keys}

key(name, properties) := {"name": name, "properties": object.union({"attributes": {"enabled": true}}, properties)}

test_strong_keys_pass if {
	count(key_strength.deny) == 0 with input.vault as vault([
		key("a", {"kty": "RSA", "keySize": 2048}),
		key("b", {"kty": "RSA-HSM", "keySize": 4096}),
		key("c", {"kty": "EC-HSM", "curveName": "P-256"}),
		key("d", {"kty": "EC", "curveName": "P-521"}),
	])
}

test_short_rsa_key_fails if {
	findings := key_strength.deny with input.vault as vault([key("legacy", {"kty": "RSA", "keySize": 1024})])
	count(findings) == 1
	some f in findings
	f.resource == sprintf("%s/keys/legacy", [vault_id])
	f.path == ["keys", 0, "properties", "keySize"]
	f.message == "Key 'legacy' in Key Vault 'kv' is an RSA key of 1024 bits, below the minimum of 2048"
}

test_kty_is_case_insensitive if {
	count(key_strength.deny) == 1 with input.vault as vault([key("k", {"kty": "rsa-hsm", "keySize": 1024})])
	count(key_strength.deny) == 1 with input.vault as vault([key("k", {"kty": "ec", "curveName": "P-256K"})])
}

test_disallowed_curve_fails if {
	findings := key_strength.deny with input.vault as vault([key("signing", {"kty": "EC", "curveName": "P-256K"})])
	count(findings) == 1
	some f in findings
	f.path == ["keys", 0, "properties", "curveName"]
	f.message == "Key 'signing' in Key Vault 'kv' uses elliptic curve P-256K, which is not an allowed curve (P-256, P-384, P-521)"
}

test_curve_is_case_insensitive if {
	count(key_strength.deny) == 0 with input.vault as vault([key("k", {"kty": "EC", "curveName": "p-384"})])
}

test_absent_or_null_size_and_curve_pass if {
	count(key_strength.deny) == 0 with input.vault as vault([
		key("a", {"kty": "RSA"}),
		key("b", {"kty": "RSA", "keySize": null}),
		key("c", {"kty": "EC"}),
		key("d", {"kty": "EC-HSM", "curveName": null}),
		key("e", {"keySize": 1024}),
		{"name": "f"},
		{"name": "g", "properties": null},
	])
}

test_other_key_types_are_not_evaluated if {
	count(key_strength.deny) == 0 with input.vault as vault([key("k", {"kty": "oct-HSM", "keySize": 256})])
	count(key_strength.deny) == 0 with input.vault as vault([key("k", {"kty": "RSA", "curveName": "P-256K"})])
}

test_disabled_key_is_skipped if {
	count(key_strength.deny) == 0 with input.vault as vault([{"name": "k", "properties": {"kty": "RSA", "keySize": 1024, "attributes": {"enabled": false}}}])
}

test_parameters if {
	count(key_strength.deny) == 1 with input.vault as vault([key("k", {"kty": "RSA", "keySize": 2048})])
		with data.kvscan.config as {"minRsaKeySize": 3072}
	findings := key_strength.deny with input.vault as vault([key("k", {"kty": "EC", "curveName": "P-256"})])
		with data.kvscan.config as {"allowedCurves": ["P-384", "P-521"]}
	count(findings) == 1
	some f in findings
	contains(f.message, "not an allowed curve (P-384, P-521)")
	count(key_strength.deny) == 0 with input.vault as vault([key("k", {"kty": "EC", "curveName": "P-256K"})])
		with data.kvscan.config as {"allowedCurves": ["P-256", "P-256K"]}
}

test_malformed_curve_parameter_falls_back_to_default if {
	count(key_strength.deny) == 0 with input.vault as vault([key("k", {"kty": "EC", "curveName": "P-256"})])
		with data.kvscan.config as {"allowedCurves": null}
}

test_one_finding_per_key if {
	findings := key_strength.deny with input.vault as vault([
		key("a", {"kty": "RSA", "keySize": 1024}),
		key("b", {"kty": "RSA", "keySize": 2048}),
		key("c", {"kty": "EC", "curveName": "P-256K"}),
	])
	count(findings) == 2
	{f.path | some f in findings} == {["keys", 0, "properties", "keySize"], ["keys", 2, "properties", "curveName"]}
}

test_missing_or_null_keys_list if {
	count(key_strength.deny) == 0 with input.vault as {"resource": {"id": vault_id, "name": "kv"}}
	count(key_strength.deny) == 0 with input.vault as {"resource": {"id": vault_id, "name": "kv"}, "keys": null}
}
