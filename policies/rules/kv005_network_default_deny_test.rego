package kvscan.rules.network_default_deny_test

import rego.v1

import data.kvscan.rules.network_default_deny

vault(properties) := {"resource": {
	"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv",
	"name": "kv",
	"properties": properties,
}}

test_public_access_disabled_passes if {
	count(network_default_deny.deny) == 0 with input.vault as vault({"publicNetworkAccess": "Disabled"})
}

test_public_access_disabled_lowercase_passes if {
	count(network_default_deny.deny) == 0 with input.vault as vault({"publicNetworkAccess": "disabled"})
}

test_default_deny_passes if {
	count(network_default_deny.deny) == 0 with input.vault as vault({
		"publicNetworkAccess": "Enabled",
		"networkAcls": {"defaultAction": "Deny", "bypass": "AzureServices"},
	})
}

test_default_deny_lowercase_passes if {
	count(network_default_deny.deny) == 0 with input.vault as vault({"networkAcls": {"defaultAction": "deny"}})
}

test_no_network_settings_fails if {
	count(network_default_deny.deny) == 1 with input.vault as vault({})
}

test_null_network_acls_fails if {
	count(network_default_deny.deny) == 1 with input.vault as vault({"networkAcls": null, "publicNetworkAccess": null})
}

test_default_allow_with_ip_rules_fails if {
	findings := network_default_deny.deny with input.vault as vault({
		"publicNetworkAccess": "Enabled",
		"networkAcls": {"defaultAction": "Allow", "ipRules": [{"value": "203.0.113.0/24"}]},
	})
	some f in findings
	f.path == ["resource", "properties", "networkAcls", "defaultAction"]
}

test_absent_acls_points_at_network_acls if {
	findings := network_default_deny.deny with input.vault as vault({"publicNetworkAccess": "Enabled"})
	some f in findings
	f.path == ["resource", "properties", "networkAcls"]
}

test_null_properties_fails if {
	count(network_default_deny.deny) == 1 with input.vault as vault(null)
}
