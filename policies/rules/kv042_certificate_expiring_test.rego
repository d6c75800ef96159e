package kvscan.rules.certificate_expiring_test

import rego.v1

import data.kvscan.rules.certificate_expiring

vault_id := "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv"

now := 1794700800

day := 86400

config := {"now": now}

vault(certificates) := {"resource": {"id": vault_id, "name": "kv", "properties": {}}, "certificates": certificates}

certificate(name, attributes) := {
	"id": sprintf("%s/certificates/%s", [vault_id, name]),
	"name": name,
	"properties": {"attributes": attributes},
}

findings_for(attributes) := findings if {
	findings := certificate_expiring.deny with input.vault as vault([certificate("s", attributes)])
		with data.kvscan.config as config
}

test_far_expiry_passes if {
	count(findings_for({"enabled": true, "exp": now + (95 * day)})) == 0
}

test_expiring_soon_fails_with_message if {
	findings := findings_for({"enabled": true, "exp": (now + (12 * day)) + 7200})
	count(findings) == 1
	some f in findings
	f.resource == sprintf("%s/certificates/s", [vault_id])
	f.path == ["certificates", 0, "properties", "attributes", "exp"]
	f.message == "Certificate 's' in Key Vault 'kv' expires in 12 days"
}

test_expired_fails_with_message if {
	findings := findings_for({"enabled": true, "exp": (now - (3 * day)) + 3600})
	count(findings) == 1
	some f in findings
	f.message == "Certificate 's' in Key Vault 'kv' expired 3 days ago"
}

test_window_boundaries if {
	count(findings_for({"exp": now + (30 * day)})) == 1
	count(findings_for({"exp": (now + (30 * day)) + 1})) == 0
	count(findings_for({"exp": now})) == 1
}

test_singular_and_sub_day_wording if {
	some a in findings_for({"exp": now})
	a.message == "Certificate 's' in Key Vault 'kv' expired less than a day ago"
	some b in findings_for({"exp": now + 100})
	b.message == "Certificate 's' in Key Vault 'kv' expires in less than a day"
	some c in findings_for({"exp": now - day})
	c.message == "Certificate 's' in Key Vault 'kv' expired 1 day ago"
	some d in findings_for({"exp": (now + (2 * day)) - 5})
	d.message == "Certificate 's' in Key Vault 'kv' expires in 1 day"
}

test_elapsed_days_round_up_and_remaining_days_round_down if {
	some a in findings_for({"exp": (now - day) - 5})
	a.message == "Certificate 's' in Key Vault 'kv' expired 2 days ago"
	some b in findings_for({"exp": (now - (12 * day)) + 16000})
	b.message == "Certificate 's' in Key Vault 'kv' expired 12 days ago"
	some c in findings_for({"exp": (now + (12 * day)) + 80000})
	c.message == "Certificate 's' in Key Vault 'kv' expires in 12 days"
}

test_absent_and_null_expiry_pass if {
	count(findings_for({"enabled": true})) == 0
	count(findings_for({"enabled": true, "exp": null})) == 0
	count(certificate_expiring.deny) == 0 with input.vault as vault([{"name": "bare"}]) with data.kvscan.config as config
}

test_disabled_certificate_is_skipped if {
	count(findings_for({"enabled": false, "exp": now - (10 * day)})) == 0
}

test_warning_window_parameter if {
	attributes := {"exp": now + (12 * day)}
	count(certificate_expiring.deny) == 0 with input.vault as vault([certificate("s", attributes)])
		with data.kvscan.config as {"now": now, "expiryWarningDays": 7}
	count(certificate_expiring.deny) == 1 with input.vault as vault([certificate("s", attributes)])
		with data.kvscan.config as {"now": now, "expiryWarningDays": 14}
}

test_one_finding_per_certificate_and_data_plane_ids if {
	findings := certificate_expiring.deny with input.vault as vault([
		certificate("ok", {"exp": now + (200 * day)}),
		certificate("old", {"exp": now - (100 * day)}),
		{"id": "https://kv.vault.azure.net/certificates/soon", "name": "soon", "properties": {"attributes": {"exp": now + (2 * day)}}},
	])
		with data.kvscan.config as config
	count(findings) == 2
	{f.resource | some f in findings} == {sprintf("%s/certificates/old", [vault_id]), sprintf("%s/certificates/soon", [vault_id])}
	{f.path[1] | some f in findings} == {1, 2}
}

test_missing_or_null_certificates_list if {
	count(certificate_expiring.deny) == 0 with input.vault as {"resource": {"id": vault_id, "name": "kv"}} with data.kvscan.config as config
	count(certificate_expiring.deny) == 0 with input.vault as {"resource": {"id": vault_id, "name": "kv"}, "certificates": null} with data.kvscan.config as config
}
