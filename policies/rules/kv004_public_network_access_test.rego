package kvscan.rules.public_network_access_test

import rego.v1

import data.kvscan.rules.public_network_access

vault_id := "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv"

vault(properties) := {"resource": {"id": vault_id, "name": "kv", "properties": properties}}

test_disabled_passes if {
	count(public_network_access.deny) == 0 with input.vault as vault({"publicNetworkAccess": "Disabled"})
}

test_disabled_lowercase_passes if {
	count(public_network_access.deny) == 0 with input.vault as vault({"publicNetworkAccess": "disabled"})
	count(public_network_access.deny) == 0 with input.vault as vault({"publicNetworkAccess": "DISABLED"})
}

test_enabled_fails if {
	findings := public_network_access.deny with input.vault as vault({"publicNetworkAccess": "Enabled"})
	count(findings) == 1
	some f in findings
	f.resource == vault_id
	f.path == ["resource", "properties", "publicNetworkAccess"]
	contains(f.message, "'kv'")
	contains(f.message, "publicNetworkAccess: Enabled")
}

test_enabled_with_default_deny_firewall_still_fails if {
	count(public_network_access.deny) == 1 with input.vault as vault({
		"publicNetworkAccess": "Enabled",
		"networkAcls": {"defaultAction": "Deny", "ipRules": []},
	})
}

test_absent_fails_as_enabled if {
	findings := public_network_access.deny with input.vault as vault({"networkAcls": {"defaultAction": "Deny"}})
	count(findings) == 1
	some f in findings
	contains(f.message, "not set, defaults to Enabled")
}

test_null_fails_as_enabled if {
	count(public_network_access.deny) == 1 with input.vault as vault({"publicNetworkAccess": null})
}

test_no_properties_fails if {
	count(public_network_access.deny) == 1 with input.vault as {"resource": {"id": vault_id, "name": "kv"}}
}

test_other_value_fails if {
	count(public_network_access.deny) == 1 with input.vault as vault({"publicNetworkAccess": "SecuredByPerimeter"})
}

test_null_properties_fails if {
	count(public_network_access.deny) == 1 with input.vault as {"resource": {"id": vault_id, "name": "kv", "properties": null}}
}
