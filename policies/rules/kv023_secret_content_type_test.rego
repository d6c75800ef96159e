package kvscan.rules.secret_content_type_test

import rego.v1

import data.kvscan.rules.secret_content_type

vault_id := "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv"

vault(secrets) := {"resource": {"id": vault_id, "name": "kv", "properties": {}}, "secrets": secrets}

secret(name, properties) := {"name": name, "properties": properties}

test_content_type_passes if {
	count(secret_content_type.deny) == 0 with input.vault as vault([secret("s", {"attributes": {"enabled": true}, "contentType": "text/plain"})])
}

test_absent_content_type_fails if {
	findings := secret_content_type.deny with input.vault as vault([secret("s", {"attributes": {"enabled": true}})])
	count(findings) == 1
	some f in findings
	f.resource == sprintf("%s/secrets/s", [vault_id])
	f.path == ["secrets", 0, "properties", "contentType"]
	f.message == "Secret 's' in Key Vault 'kv' has no content type"
}

test_null_empty_and_blank_fail if {
	count(secret_content_type.deny) == 1 with input.vault as vault([secret("s", {"contentType": null})])
	count(secret_content_type.deny) == 1 with input.vault as vault([secret("s", {"contentType": ""})])
	count(secret_content_type.deny) == 1 with input.vault as vault([secret("s", {"contentType": "   "})])
	count(secret_content_type.deny) == 1 with input.vault as vault([secret("s", {"contentType": 42})])
}

test_secret_without_properties_fails if {
	count(secret_content_type.deny) == 1 with input.vault as vault([{"name": "bare"}])
	count(secret_content_type.deny) == 1 with input.vault as vault([{"name": "bare", "properties": null}])
}

test_disabled_secret_is_skipped if {
	count(secret_content_type.deny) == 0 with input.vault as vault([secret("s", {"attributes": {"enabled": false}})])
}

test_one_finding_per_secret if {
	findings := secret_content_type.deny with input.vault as vault([
		secret("a", {}),
		secret("b", {"contentType": "application/json"}),
		secret("c", {"attributes": {"enabled": true}, "contentType": ""}),
	])
	count(findings) == 2
	{f.path | some f in findings} == {["secrets", 0, "properties", "contentType"], ["secrets", 2, "properties", "contentType"]}
}

test_missing_or_null_secrets_list if {
	count(secret_content_type.deny) == 0 with input.vault as {"resource": {"id": vault_id, "name": "kv"}}
	count(secret_content_type.deny) == 0 with input.vault as {"resource": {"id": vault_id, "name": "kv"}, "secrets": null}
}
