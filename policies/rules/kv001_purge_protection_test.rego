package kvscan.rules.purge_protection_test

import rego.v1

import data.kvscan.rules.purge_protection

vault(properties) := {"resource": {
	"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv",
	"name": "kv",
	"properties": properties,
}}

test_enabled_passes if {
	count(purge_protection.deny) == 0 with input.vault as vault({"enablePurgeProtection": true})
}

test_disabled_fails if {
	count(purge_protection.deny) == 1 with input.vault as vault({"enablePurgeProtection": false})
}

test_absent_fails if {
	count(purge_protection.deny) == 1 with input.vault as vault({"enableSoftDelete": true})
}

test_null_fails if {
	count(purge_protection.deny) == 1 with input.vault as vault({"enablePurgeProtection": null})
}

test_string_true_is_not_enabled if {
	# ARM returns a boolean; a string is a template mistake that Azure would reject.
	count(purge_protection.deny) == 1 with input.vault as vault({"enablePurgeProtection": "true"})
}

test_finding_names_vault_and_path if {
	findings := purge_protection.deny with input.vault as vault({})
	some f in findings
	f.resource == "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv"
	f.path == ["resource", "properties", "enablePurgeProtection"]
	contains(f.message, "'kv'")
}
