package kvscan.rules.certificate_auto_renew_test

import rego.v1

import data.kvscan.rules.certificate_auto_renew

vault_id := "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv"

vault(certificates) := {"resource": {"id": vault_id, "name": "kv", "properties": {}}, "certificates": certificates}

certificate(name, actions) := {
	"id": sprintf("https://kv.vault.azure.net/certificates/%s", [name]),
	"name": name,
	"properties": {
		"attributes": {"enabled": true},
		"policy": {"x509_props": {"validity_months": 12}, "lifetime_actions": actions},
	},
}

auto_renew := {"trigger": {"days_before_expiry": 30}, "action": {"action_type": "AutoRenew"}}

email := {"trigger": {"lifetime_percentage": 80}, "action": {"action_type": "EmailContacts"}}

test_auto_renew_passes if {
	count(certificate_auto_renew.deny) == 0 with input.vault as vault([certificate("c", [auto_renew])])
}

test_action_type_is_case_insensitive if {
	count(certificate_auto_renew.deny) == 0 with input.vault as vault([certificate("c", [{"action": {"action_type": "autorenew"}}])])
}

test_email_only_fails if {
	findings := certificate_auto_renew.deny with input.vault as vault([certificate("www", [email])])
	count(findings) == 1
	some f in findings
	f.resource == sprintf("%s/certificates/www", [vault_id])
	f.path == ["certificates", 0, "properties", "policy", "lifetime_actions"]
	f.message == "Certificate 'www' in Key Vault 'kv' does not renew automatically: its only lifetime actions are EmailContacts"
}

test_no_lifetime_actions_fail if {
	findings := certificate_auto_renew.deny with input.vault as vault([certificate("c", [])])
	count(findings) == 1
	some f in findings
	f.message == "Certificate 'c' in Key Vault 'kv' has no lifetime action: it is never renewed automatically"
	count(certificate_auto_renew.deny) == 1 with input.vault as vault([certificate("c", null)])
	count(certificate_auto_renew.deny) == 1 with input.vault as vault([{"name": "c", "properties": {"policy": {"x509_props": {}}}}])
	count(certificate_auto_renew.deny) == 1 with input.vault as vault([certificate("c", [{"action": null}, {}])])
}

test_without_policy_is_unknown_and_passes if {
	count(certificate_auto_renew.deny) == 0 with input.vault as vault([
		{"name": "a", "properties": {"attributes": {"enabled": true}}},
		{"name": "b", "properties": {"attributes": {"enabled": true}, "policy": null}},
		{"name": "c"},
		{"name": "d", "properties": null},
	])
}

test_disabled_certificate_is_skipped if {
	count(certificate_auto_renew.deny) == 0 with input.vault as vault([{"name": "c", "properties": {"attributes": {"enabled": false}, "policy": {"lifetime_actions": [email]}}}])
}

test_one_finding_per_certificate if {
	findings := certificate_auto_renew.deny with input.vault as vault([
		certificate("a", [email]),
		certificate("b", [auto_renew]),
		certificate("c", []),
	])
	count(findings) == 2
	{f.path[1] | some f in findings} == {0, 2}
}

test_missing_or_null_certificates_list if {
	count(certificate_auto_renew.deny) == 0 with input.vault as {"resource": {"id": vault_id, "name": "kv"}}
	count(certificate_auto_renew.deny) == 0 with input.vault as {"resource": {"id": vault_id, "name": "kv"}, "certificates": null}
}
