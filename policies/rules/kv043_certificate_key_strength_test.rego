package kvscan.rules.certificate_key_strength_test

import rego.v1

import data.kvscan.rules.certificate_key_strength

vault_id := "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv"

vault(certificates) := {"resource": {"id": vault_id, "name": "kv", "properties": {}}, "certificates": certificates}

certificate(name, key_props) := {
	"id": sprintf("https://kv.vault.azure.net/certificates/%s", [name]),
	"name": name,
	"properties": {"attributes": {"enabled": true}, "policy": {"key_props": key_props}},
}

test_strong_rsa_passes if {
	count(certificate_key_strength.deny) == 0 with input.vault as vault([
		certificate("a", {"kty": "RSA", "key_size": 2048}),
		certificate("b", {"kty": "RSA-HSM", "key_size": 4096}),
	])
}

test_weak_rsa_fails if {
	findings := certificate_key_strength.deny with input.vault as vault([certificate("legacy", {"kty": "RSA", "key_size": 1024})])
	count(findings) == 1
	some f in findings
	f.resource == sprintf("%s/certificates/legacy", [vault_id])
	f.path == ["certificates", 0, "properties", "policy", "key_props", "key_size"]
	f.message == "Certificate 'legacy' in Key Vault 'kv' uses an RSA key of 1024 bits, below the minimum of 2048"
}

test_kty_is_case_insensitive if {
	count(certificate_key_strength.deny) == 1 with input.vault as vault([certificate("c", {"kty": "rsa-hsm", "key_size": 1024})])
	count(certificate_key_strength.deny) == 1 with input.vault as vault([certificate("c", {"kty": "Rsa", "key_size": 2047})])
}

test_ec_certificates_are_not_evaluated if {
	count(certificate_key_strength.deny) == 0 with input.vault as vault([certificate("c", {"kty": "EC", "key_size": 256, "crv": "P-256"})])
}

test_absent_or_null_values_pass if {
	count(certificate_key_strength.deny) == 0 with input.vault as vault([
		certificate("a", {"kty": "RSA"}),
		certificate("b", {"kty": "RSA", "key_size": null}),
		certificate("c", {"key_size": 1024}),
		certificate("d", {"kty": null, "key_size": 1024}),
		certificate("e", null),
		{"name": "f", "properties": {"attributes": {"enabled": true}, "policy": null}},
		{"name": "g"},
		{"name": "h", "properties": null},
	])
}

test_disabled_certificate_is_skipped if {
	count(certificate_key_strength.deny) == 0 with input.vault as vault([{"name": "c", "properties": {"attributes": {"enabled": false}, "policy": {"key_props": {"kty": "RSA", "key_size": 1024}}}}])
}

test_parameter if {
	findings := certificate_key_strength.deny with input.vault as vault([certificate("c", {"kty": "RSA", "key_size": 2048})])
		with data.kvscan.config as {"minRsaKeySize": 3072}
	count(findings) == 1
	some f in findings
	contains(f.message, "2048 bits, below the minimum of 3072")
}

test_one_finding_per_certificate if {
	findings := certificate_key_strength.deny with input.vault as vault([
		certificate("a", {"kty": "RSA", "key_size": 1024}),
		certificate("b", {"kty": "RSA", "key_size": 3072}),
		certificate("c", {"kty": "RSA-HSM", "key_size": 1024}),
	])
	count(findings) == 2
	{f.path[1] | some f in findings} == {0, 2}
}

test_missing_or_null_certificates_list if {
	count(certificate_key_strength.deny) == 0 with input.vault as {"resource": {"id": vault_id, "name": "kv"}}
	count(certificate_key_strength.deny) == 0 with input.vault as {"resource": {"id": vault_id, "name": "kv"}, "certificates": null}
}
