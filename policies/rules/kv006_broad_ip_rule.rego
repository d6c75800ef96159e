# METADATA
# title: Key Vault firewall has no over-broad IP rule
# description: |
#   A firewall that denies by default is only as narrow as its allow list. An IP rule such as
#   `0.0.0.0/0` re-opens the vault to the whole internet while the vault still looks locked down
#   (KV005 passes because the default action is Deny), and a short prefix such as a /8 admits
#   millions of addresses, most of them not yours. Allow single egress addresses or small ranges.
#
#   Verdict: evaluated only when the firewall actually filters: `properties.publicNetworkAccess`
#   is not `Disabled` (case-insensitive; absent or `null` means Enabled) AND
#   `properties.networkAcls.defaultAction` is `Deny` (case-insensitive). With public access
#   disabled the IP rules are inert; with `defaultAction: Allow` (or no `networkAcls`) every
#   address is admitted anyway and KV005 reports the vault, so this rule stays silent. Then one
#   finding per entry of `networkAcls.ipRules` whose `value` is `0.0.0.0/0`, `0.0.0.0` or `::/0`
#   (any address), or an IPv4 CIDR whose prefix length is shorter than `minIpRulePrefix`
#   (default 16, so /15 fails and /16 passes). A bare address without `/` is a /32 and passes.
#   Other IPv6 entries and values that are not an address or CIDR are not evaluated.
# custom:
#   id: KV006
#   severity: high
#   scope: vault
#   tags: [network]
#   checks:
#     arm: properties.networkAcls.ipRules[].value (when properties.networkAcls.defaultAction == 'Deny' and properties.publicNetworkAccess != 'Disabled')
#     terraform: azurerm_key_vault.network_acls.ip_rules
#   remediation: |
#     Replace the wide rule with the specific egress addresses (or ranges) that need the vault, or
#     move those clients to a private endpoint:
#
#     - az CLI: `az keyvault network-rule remove --name <vault> --ip-address 0.0.0.0/0` then `az keyvault network-rule add --name <vault> --ip-address 203.0.113.10/32`
#     - Bicep: `properties: { networkAcls: { defaultAction: 'Deny', ipRules: [ { value: '203.0.113.10/32' } ] } }`
#     - Terraform: `network_acls { default_action = "Deny" bypass = "AzureServices" ip_rules = ["203.0.113.10/32"] }`
#   benchmarks:
#     azure-policy: 55615ac9-af46-4a59-874e-391cc3dfb490
#   parameters:
#     minIpRulePrefix: 16
package kvscan.rules.broad_ip_rule

import rego.v1

import data.kvscan.lib

any_address := {"0.0.0.0/0", "0.0.0.0", "::/0"}

deny contains finding if {
	vault := input.vault.resource
	not lib.equals_ci(vault.properties.publicNetworkAccess, "Disabled")
	lib.equals_ci(vault.properties.networkAcls.defaultAction, "Deny")
	min_prefix := lib.param("minIpRulePrefix", 16)
	some index, rule in ip_rules(vault.properties.networkAcls)
	is_string(rule.value)
	value := trim_space(rule.value)
	problem := too_broad(value, min_prefix)
	finding := {
		"resource": vault.id,
		"message": sprintf("Key Vault '%s' firewall admits %s: IP rule '%s' %s", [vault.name, scope_of(value), value, problem]),
		"path": ["resource", "properties", "networkAcls", "ipRules", index],
	}
}

# The ipRules array; anything else (absent, null) holds no rule.
ip_rules(acls) := acls.ipRules if {
	is_array(acls.ipRules)
} else := []

# Why the value is too broad; undefined when it is narrow enough or cannot be evaluated.
too_broad(value, min_prefix) := "allows every address" if {
	value in any_address
} else := sprintf("has prefix /%d, shorter than the allowed minimum /%d", [prefix, min_prefix]) if {
	prefix := ipv4_prefix(value)
	prefix < min_prefix
}

# Prefix length of an IPv4 address or CIDR; a bare address is a /32.
ipv4_prefix(value) := 32 if {
	regex.match(`^[0-9]{1,3}(\.[0-9]{1,3}){3}$`, value)
} else := to_number(split(value, "/")[1]) if {
	regex.match(`^[0-9]{1,3}(\.[0-9]{1,3}){3}/[0-9]{1,2}$`, value)
}

scope_of(value) := "the whole internet" if {
	value in any_address
} else := "a very wide address range"
