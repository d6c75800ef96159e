package kvscan.rules.soft_delete_test

import rego.v1

import data.kvscan.rules.soft_delete

vault_id := "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv"

vault(properties) := {"resource": {"id": vault_id, "name": "kv", "properties": properties}}

test_enabled_passes if {
	count(soft_delete.deny) == 0 with input.vault as vault({"enableSoftDelete": true, "softDeleteRetentionInDays": 90})
}

test_explicit_false_fails if {
	count(soft_delete.deny) == 1 with input.vault as vault({"enableSoftDelete": false})
}

test_absent_passes if {
	# Soft delete is the platform default and can no longer be turned off.
	count(soft_delete.deny) == 0 with input.vault as vault({"enablePurgeProtection": true})
}

test_null_passes if {
	count(soft_delete.deny) == 0 with input.vault as vault({"enableSoftDelete": null})
}

test_no_properties_passes if {
	count(soft_delete.deny) == 0 with input.vault as {"resource": {"id": vault_id, "name": "kv"}}
}

test_string_false_is_not_evaluated if {
	# ARM returns a boolean; only the boolean false is a verdict.
	count(soft_delete.deny) == 0 with input.vault as vault({"enableSoftDelete": "false"})
}

test_finding_names_vault_and_path if {
	findings := soft_delete.deny with input.vault as vault({"enableSoftDelete": false})
	count(findings) == 1
	some f in findings
	f.resource == vault_id
	f.path == ["resource", "properties", "enableSoftDelete"]
	contains(f.message, "'kv'")
	contains(f.message, "enableSoftDelete: false")
}
