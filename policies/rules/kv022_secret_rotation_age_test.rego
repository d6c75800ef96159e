package kvscan.rules.secret_rotation_age_test

import rego.v1

import data.kvscan.rules.secret_rotation_age

vault_id := "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv"

now := 1794700800

day := 86400

config := {"now": now}

vault(secrets) := {"resource": {"id": vault_id, "name": "kv", "properties": {}}, "secrets": secrets}

secret(name, attributes) := {"name": name, "properties": {"attributes": attributes}}

findings_for(attributes) := findings if {
	findings := secret_rotation_age.deny with input.vault as vault([secret("s", attributes)])
		with data.kvscan.config as config
}

test_recently_updated_passes if {
	count(findings_for({"enabled": true, "created": now - (400 * day), "updated": now - (25 * day)})) == 0
}

test_old_update_fails_with_message_and_path if {
	findings := findings_for({"enabled": true, "created": now - (400 * day), "updated": (now - (168 * day)) + 3600})
	count(findings) == 1
	some f in findings
	f.resource == sprintf("%s/secrets/s", [vault_id])
	f.path == ["secrets", 0, "properties", "attributes", "updated"]
	f.message == "Secret 's' in Key Vault 'kv' was last updated 168 days ago (maximum 60 days)"
}

test_created_is_used_when_updated_is_absent_or_null if {
	findings := findings_for({"created": now - (93 * day)})
	count(findings) == 1
	some f in findings
	f.path == ["secrets", 0, "properties", "attributes", "created"]
	f.message == "Secret 's' in Key Vault 'kv' was created 93 days ago and has no update time (maximum 60 days)"
	count(findings_for({"created": now - (93 * day), "updated": null})) == 1
	count(findings_for({"created": now - (10 * day), "updated": null})) == 0
}

test_updated_wins_over_created if {
	count(findings_for({"created": now - (300 * day), "updated": now - day})) == 0
}

test_boundary_is_inclusive if {
	count(findings_for({"updated": now - (60 * day)})) == 0
	findings := findings_for({"updated": (now - (60 * day)) - 1})
	count(findings) == 1
	some f in findings
	f.message == "Secret 's' in Key Vault 'kv' was last updated 61 days ago (maximum 60 days)"
}

test_no_timestamps_is_not_evaluated if {
	count(findings_for({"enabled": true})) == 0
	count(findings_for({"created": null, "updated": null})) == 0
	count(secret_rotation_age.deny) == 0 with input.vault as vault([{"name": "bare"}]) with data.kvscan.config as config
}

test_disabled_secret_is_skipped if {
	count(findings_for({"enabled": false, "updated": now - (800 * day)})) == 0
}

test_max_age_parameter if {
	attributes := {"updated": now - (70 * day)}
	count(secret_rotation_age.deny) == 0 with input.vault as vault([secret("s", attributes)])
		with data.kvscan.config as {"now": now, "maxSecretAgeDays": 90}
	count(secret_rotation_age.deny) == 1 with input.vault as vault([secret("s", attributes)])
		with data.kvscan.config as {"now": now, "maxSecretAgeDays": 30}
}

test_one_finding_per_secret if {
	findings := secret_rotation_age.deny with input.vault as vault([
		secret("a", {"updated": now - (400 * day)}),
		secret("b", {"updated": now - (5 * day)}),
		secret("c", {"updated": now - (800 * day)}),
	])
		with data.kvscan.config as config
	count(findings) == 2
	{f.resource | some f in findings} == {sprintf("%s/secrets/a", [vault_id]), sprintf("%s/secrets/c", [vault_id])}
}

test_null_secrets_list if {
	count(secret_rotation_age.deny) == 0 with input.vault as {"resource": {"id": vault_id, "name": "kv"}, "secrets": null} with data.kvscan.config as config
}
