package kvscan.rules.certificate_validity_test

import rego.v1

import data.kvscan.rules.certificate_validity

vault_id := "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv"

vault(certificates) := {"resource": {"id": vault_id, "name": "kv", "properties": {}}, "certificates": certificates}

certificate(name, months) := {
	"id": sprintf("https://kv.vault.azure.net/certificates/%s", [name]),
	"name": name,
	"properties": {
		"attributes": {"enabled": true},
		"policy": {"x509_props": {"subject": "CN=x", "validity_months": months}},
	},
}

test_twelve_months_passes if {
	count(certificate_validity.deny) == 0 with input.vault as vault([certificate("c", 12), certificate("d", 1)])
}

test_long_validity_fails if {
	findings := certificate_validity.deny with input.vault as vault([certificate("code-signing", 36)])
	count(findings) == 1
	some f in findings
	f.resource == sprintf("%s/certificates/code-signing", [vault_id])
	f.path == ["certificates", 0, "properties", "policy", "x509_props", "validity_months"]
	f.message == "Certificate 'code-signing' in Key Vault 'kv' is issued for 36 months, longer than the maximum of 12"
}

test_boundary if {
	count(certificate_validity.deny) == 1 with input.vault as vault([certificate("c", 13)])
}

test_absent_or_null_policy_or_validity_passes if {
	count(certificate_validity.deny) == 0 with input.vault as vault([
		certificate("a", null),
		{"name": "b", "properties": {"attributes": {"enabled": true}, "policy": {"x509_props": {}}}},
		{"name": "c", "properties": {"attributes": {"enabled": true}, "policy": null}},
		{"name": "d", "properties": {"attributes": {"enabled": true}}},
		{"name": "e"},
		certificate("f", "24"),
	])
}

test_disabled_certificate_is_skipped if {
	disabled := {"name": "c", "properties": {"attributes": {"enabled": false}, "policy": {"x509_props": {"validity_months": 24}}}}
	count(certificate_validity.deny) == 0 with input.vault as vault([disabled])
}

test_parameter if {
	count(certificate_validity.deny) == 0 with input.vault as vault([certificate("c", 24)])
		with data.kvscan.config as {"maxCertificateValidityMonths": 24}
	count(certificate_validity.deny) == 1 with input.vault as vault([certificate("c", 12)])
		with data.kvscan.config as {"maxCertificateValidityMonths": 6}
}

test_one_finding_per_certificate if {
	findings := certificate_validity.deny with input.vault as vault([certificate("a", 24), certificate("b", 12), certificate("c", 36)])
	count(findings) == 2
	{f.path[1] | some f in findings} == {0, 2}
}

test_missing_or_null_certificates_list if {
	count(certificate_validity.deny) == 0 with input.vault as {"resource": {"id": vault_id, "name": "kv"}}
	count(certificate_validity.deny) == 0 with input.vault as {"resource": {"id": vault_id, "name": "kv"}, "certificates": null}
}
