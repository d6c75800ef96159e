package kvscan.rules.broad_ip_rule_test

import rego.v1

import data.kvscan.rules.broad_ip_rule

vault_id := "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv"

vault(properties) := {"resource": {"id": vault_id, "name": "kv", "properties": properties}}

filtering(values) := vault({
	"publicNetworkAccess": "Enabled",
	"networkAcls": {"defaultAction": "Deny", "bypass": "AzureServices", "ipRules": [{"value": v} | some v in values]},
})

test_narrow_rules_pass if {
	count(broad_ip_rule.deny) == 0 with input.vault as filtering(["198.51.100.17/32", "198.51.100.18", "192.0.2.0/24", "172.16.0.0/16"])
}

test_any_address_fails_with_path_and_message if {
	findings := broad_ip_rule.deny with input.vault as filtering(["198.51.100.17/32", "0.0.0.0/0"])
	count(findings) == 1
	some f in findings
	f.resource == vault_id
	f.path == ["resource", "properties", "networkAcls", "ipRules", 1]
	contains(f.message, "'kv'")
	contains(f.message, "'0.0.0.0/0' allows every address")
	contains(f.message, "the whole internet")
}

test_bare_any_address_and_ipv6_any_fail if {
	count(broad_ip_rule.deny) == 2 with input.vault as filtering(["0.0.0.0", "::/0"])
}

test_short_prefix_fails if {
	findings := broad_ip_rule.deny with input.vault as filtering(["203.0.113.0/24", "10.0.0.0/8"])
	count(findings) == 1
	some f in findings
	f.path == ["resource", "properties", "networkAcls", "ipRules", 1]
	contains(f.message, "'10.0.0.0/8' has prefix /8, shorter than the allowed minimum /16")
}

test_prefix_boundary if {
	count(broad_ip_rule.deny) == 0 with input.vault as filtering(["10.0.0.0/16"])
	count(broad_ip_rule.deny) == 1 with input.vault as filtering(["10.0.0.0/15"])
}

test_one_finding_per_offending_rule if {
	findings := broad_ip_rule.deny with input.vault as filtering(["0.0.0.0/0", "10.0.0.0/8", "100.64.0.0/10", "192.0.2.1"])
	count(findings) == 3
	{f.path[4] | some f in findings} == {0, 1, 2}
}

test_threshold_parameter if {
	count(broad_ip_rule.deny) == 1 with input.vault as filtering(["192.0.2.0/24"])
		with data.kvscan.config as {"minIpRulePrefix": 28}
	count(broad_ip_rule.deny) == 0 with input.vault as filtering(["10.0.0.0/8"])
		with data.kvscan.config as {"minIpRulePrefix": 8}
}

test_default_action_case_insensitive if {
	count(broad_ip_rule.deny) == 1 with input.vault as vault({"networkAcls": {"defaultAction": "deny", "ipRules": [{"value": "0.0.0.0/0"}]}})
}

test_absent_public_network_access_means_enabled if {
	count(broad_ip_rule.deny) == 1 with input.vault as vault({"networkAcls": {"defaultAction": "Deny", "ipRules": [{"value": "0.0.0.0/0"}]}})
	count(broad_ip_rule.deny) == 1 with input.vault as vault({"publicNetworkAccess": null, "networkAcls": {"defaultAction": "Deny", "ipRules": [{"value": "0.0.0.0/0"}]}})
}

test_public_access_disabled_is_skipped if {
	count(broad_ip_rule.deny) == 0 with input.vault as vault({"publicNetworkAccess": "Disabled", "networkAcls": {"defaultAction": "Deny", "ipRules": [{"value": "0.0.0.0/0"}]}})
	count(broad_ip_rule.deny) == 0 with input.vault as vault({"publicNetworkAccess": "disabled", "networkAcls": {"defaultAction": "Deny", "ipRules": [{"value": "0.0.0.0/0"}]}})
}

test_default_allow_is_left_to_kv005 if {
	count(broad_ip_rule.deny) == 0 with input.vault as vault({"publicNetworkAccess": "Enabled", "networkAcls": {"defaultAction": "Allow", "ipRules": [{"value": "0.0.0.0/0"}]}})
}

test_absent_or_null_network_settings_pass if {
	count(broad_ip_rule.deny) == 0 with input.vault as vault({"publicNetworkAccess": "Enabled"})
	count(broad_ip_rule.deny) == 0 with input.vault as vault({"networkAcls": null})
	count(broad_ip_rule.deny) == 0 with input.vault as vault({"networkAcls": {"defaultAction": "Deny"}})
	count(broad_ip_rule.deny) == 0 with input.vault as vault({"networkAcls": {"defaultAction": "Deny", "ipRules": null}})
}

test_unparseable_values_are_ignored if {
	count(broad_ip_rule.deny) == 0 with input.vault as filtering(["2001:db8::/32", "not-an-ip", "10.0.0.0/abc", ""])
	count(broad_ip_rule.deny) == 0 with input.vault as vault({"networkAcls": {"defaultAction": "Deny", "ipRules": [{"value": null}, {"value": 42}, {}]}})
}

test_whitespace_is_trimmed if {
	count(broad_ip_rule.deny) == 1 with input.vault as filtering([" 0.0.0.0/0 "])
}

test_null_properties_pass if {
	count(broad_ip_rule.deny) == 0 with input.vault as {"resource": {"id": vault_id, "name": "kv", "properties": null}}
	count(broad_ip_rule.deny) == 0 with input.vault as {"resource": {"id": vault_id, "name": "kv"}}
}
