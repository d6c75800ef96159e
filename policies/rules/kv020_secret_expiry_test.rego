package kvscan.rules.secret_expiry_test

import rego.v1

import data.kvscan.rules.secret_expiry

vault_id := "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv"

vault(secrets) := {"resource": {"id": vault_id, "name": "kv", "properties": {}}, "secrets": secrets}

secret(name, attributes) := {"name": name, "properties": {"attributes": attributes}}

test_secret_with_expiry_passes if {
	count(secret_expiry.deny) == 0 with input.vault as vault([secret("a", {"enabled": true, "exp": 1800000000})])
}

test_secret_without_expiry_fails if {
	count(secret_expiry.deny) == 1 with input.vault as vault([secret("a", {"enabled": true})])
}

test_null_expiry_fails if {
	count(secret_expiry.deny) == 1 with input.vault as vault([secret("a", {"enabled": true, "exp": null})])
}

test_disabled_secret_is_skipped if {
	count(secret_expiry.deny) == 0 with input.vault as vault([secret("a", {"enabled": false})])
}

test_secret_without_attributes_fails if {
	count(secret_expiry.deny) == 1 with input.vault as vault([{"name": "bare"}])
}

test_one_finding_per_secret_with_arm_id if {
	findings := secret_expiry.deny with input.vault as vault([
		secret("a", {}),
		secret("b", {"exp": 1800000000}),
		{"name": "c", "id": concat("", [vault_id, "/secrets/c"]), "properties": {}},
	])
	ids := {f.resource | some f in findings}
	ids == {concat("", [vault_id, "/secrets/a"]), concat("", [vault_id, "/secrets/c"])}
	paths := {f.path | some f in findings}
	paths == {["secrets", 0, "properties", "attributes", "exp"], ["secrets", 2, "properties", "attributes", "exp"]}
}

test_data_plane_url_ids_fall_back_to_arm_id if {
	findings := secret_expiry.deny with input.vault as vault([{"name": "d", "id": "https://kv.vault.azure.net/secrets/d", "properties": {"attributes": {}}}])
	some f in findings
	f.resource == concat("", [vault_id, "/secrets/d"])
}
