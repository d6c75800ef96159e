package kvscan.rules.defender_for_key_vault_test

import rego.v1

import data.kvscan.rules.defender_for_key_vault

sub_a := "d4156625-a93d-4106-b7d9-43f8c4293bf5"

sub_b := "ccc098ff-c787-4ef6-b389-80ffb28a7d4d"

pricing(sub, name, tier) := {
	"id": sprintf("/subscriptions/%s/providers/Microsoft.Security/pricings/%s", [sub, name]),
	"name": name,
	"type": "Microsoft.Security/pricings",
	"properties": {"pricingTier": tier},
	"subscriptionId": sub,
}

subscriptions := [
	{"subscriptionId": sub_a, "displayName": "Production"},
	{"subscriptionId": sub_b, "displayName": "Development"},
]

inventory(pricings) := {"subscriptions": subscriptions, "vaults": [], "pricings": pricings}

test_standard_passes if {
	count(defender_for_key_vault.deny) == 0 with input.inventory as inventory([pricing(sub_a, "KeyVaults", "Standard")])
	count(defender_for_key_vault.deny) == 0 with input.inventory as inventory([pricing(sub_a, "keyvaults", "standard")])
}

test_free_fails_with_subscription_name if {
	findings := defender_for_key_vault.deny with input.inventory as inventory([
		pricing(sub_a, "KeyVaults", "Standard"),
		pricing(sub_b, "KeyVaults", "Free"),
	])
	count(findings) == 1
	some f in findings
	f.resource == sprintf("/subscriptions/%s/providers/Microsoft.Security/pricings/KeyVaults", [sub_b])
	f.path == ["pricings", 1, "properties", "pricingTier"]
	f.message == sprintf("Microsoft Defender for Key Vault is not enabled on subscription 'Development' (%s): pricing tier is Free, not Standard", [sub_b])
}

test_name_is_case_insensitive if {
	count(defender_for_key_vault.deny) == 1 with input.inventory as inventory([pricing(sub_b, "keyVaults", "Free")])
}

test_other_plans_are_ignored if {
	count(defender_for_key_vault.deny) == 0 with input.inventory as inventory([
		pricing(sub_b, "VirtualMachines", "Free"),
		pricing(sub_b, "StorageAccounts", "Free"),
	])
}

test_absent_and_null_tier_fail if {
	findings := defender_for_key_vault.deny with input.inventory as inventory([
		{"id": "/subscriptions/x/providers/Microsoft.Security/pricings/KeyVaults", "name": "KeyVaults", "properties": {}, "subscriptionId": "x"},
		{"id": "/subscriptions/y/providers/Microsoft.Security/pricings/KeyVaults", "name": "KeyVaults", "properties": {"pricingTier": null}, "subscriptionId": "y"},
	])
	count(findings) == 2
	every f in findings {
		endswith(f.message, "pricing tier is not set")
	}
}

test_unknown_subscription_uses_the_id_alone if {
	findings := defender_for_key_vault.deny with input.inventory as {"pricings": [pricing(sub_b, "KeyVaults", "Free")]}
	count(findings) == 1
	some f in findings
	f.message == sprintf("Microsoft Defender for Key Vault is not enabled on subscription %s: pricing tier is Free, not Standard", [sub_b])
}

test_subscription_id_falls_back_to_the_pricing_id if {
	p := {"id": sprintf("/subscriptions/%s/providers/Microsoft.Security/pricings/KeyVaults", [sub_b]), "name": "KeyVaults", "properties": {"pricingTier": "Free"}}
	findings := defender_for_key_vault.deny with input.inventory as inventory([p])
	count(findings) == 1
	some f in findings
	contains(f.message, sprintf("'Development' (%s)", [sub_b]))
}

test_missing_pricing_id_is_rebuilt if {
	findings := defender_for_key_vault.deny with input.inventory as inventory([{"name": "KeyVaults", "properties": {"pricingTier": "Free"}, "subscriptionId": sub_b}])
	count(findings) == 1
	some f in findings
	f.resource == sprintf("/subscriptions/%s/providers/Microsoft.Security/pricings/KeyVaults", [sub_b])
	contains(f.message, "'Development'")
}

test_subscription_id_unknown if {
	findings := defender_for_key_vault.deny with input.inventory as inventory([{"name": "KeyVaults", "properties": {"pricingTier": "Free"}}])
	count(findings) == 1
	some f in findings
	f.resource == "/providers/Microsoft.Security/pricings/KeyVaults"
	contains(f.message, "subscription (unknown)")
}

test_no_pricings_no_findings if {
	count(defender_for_key_vault.deny) == 0 with input.inventory as inventory([])
	count(defender_for_key_vault.deny) == 0 with input.inventory as inventory(null)
	count(defender_for_key_vault.deny) == 0 with input.inventory as {"subscriptions": subscriptions, "vaults": []}
}

test_one_finding_per_subscription if {
	count(defender_for_key_vault.deny) == 2 with input.inventory as inventory([
		pricing(sub_a, "KeyVaults", "Free"),
		pricing(sub_b, "KeyVaults", "Free"),
	])
}

test_name_falls_back_to_the_id if {
	p := {"id": sprintf("/subscriptions/%s/providers/Microsoft.Security/pricings/KeyVaults", [sub_b]), "properties": {"pricingTier": "Free"}, "subscriptionId": sub_b}
	count(defender_for_key_vault.deny) == 1 with input.inventory as inventory([p])
	q := {"id": sprintf("/subscriptions/%s/providers/Microsoft.Security/pricings/VirtualMachines", [sub_b]), "properties": {"pricingTier": "Free"}, "subscriptionId": sub_b}
	count(defender_for_key_vault.deny) == 0 with input.inventory as inventory([q])
}
