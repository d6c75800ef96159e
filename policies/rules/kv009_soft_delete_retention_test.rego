package kvscan.rules.soft_delete_retention_test

import rego.v1

import data.kvscan.rules.soft_delete_retention

vault_id := "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv"

vault(properties) := {"resource": {"id": vault_id, "name": "kv", "properties": properties}}

test_ninety_days_passes if {
	count(soft_delete_retention.deny) == 0 with input.vault as vault({"enableSoftDelete": true, "softDeleteRetentionInDays": 90})
}

test_seven_days_fails if {
	findings := soft_delete_retention.deny with input.vault as vault({"enableSoftDelete": true, "softDeleteRetentionInDays": 7})
	count(findings) == 1
	some f in findings
	f.resource == vault_id
	f.path == ["resource", "properties", "softDeleteRetentionInDays"]
	f.message == "Key Vault 'kv' keeps deleted objects recoverable for only 7 days (softDeleteRetentionInDays: 7; minimum 90)"
}

test_just_below_threshold_fails if {
	count(soft_delete_retention.deny) == 1 with input.vault as vault({"softDeleteRetentionInDays": 89})
}

test_absent_means_ninety_and_passes if {
	count(soft_delete_retention.deny) == 0 with input.vault as vault({"enableSoftDelete": true})
	count(soft_delete_retention.deny) == 0 with input.vault as {"resource": {"id": vault_id, "name": "kv"}}
}

test_null_means_ninety_and_passes if {
	count(soft_delete_retention.deny) == 0 with input.vault as vault({"softDeleteRetentionInDays": null})
}

test_threshold_parameter if {
	count(soft_delete_retention.deny) == 0 with input.vault as vault({"softDeleteRetentionInDays": 30})
		with data.kvscan.config as {"minSoftDeleteRetentionDays": 30}
	count(soft_delete_retention.deny) == 1 with input.vault as vault({"softDeleteRetentionInDays": 29})
		with data.kvscan.config as {"minSoftDeleteRetentionDays": 30}
}

test_absent_compared_as_ninety_against_a_higher_threshold if {
	findings := soft_delete_retention.deny with input.vault as vault({})
		with data.kvscan.config as {"minSoftDeleteRetentionDays": 120}
	count(findings) == 1
	some f in findings
	contains(f.message, "only 90 days (softDeleteRetentionInDays not set, defaults to 90; minimum 120)")
}

test_non_numeric_value_is_not_evaluated if {
	count(soft_delete_retention.deny) == 0 with input.vault as vault({"softDeleteRetentionInDays": "7"})
}
