# METADATA
# title: Microsoft Defender for Key Vault is enabled
# description: |
#   Defender for Key Vault watches the vault's data-plane traffic and alerts on unusual access:
#   a secret read from a Tor exit node, a principal listing every secret for the first time, a
#   burst of failed requests. Nothing in the vault configuration itself detects a stolen token
#   being used; this plan does. It is enabled per subscription.
#
#   Verdict (tenant scope): one finding per entry of the inventory's `pricings` whose `name`
#   (else the last segment of its `id`) is `KeyVaults` (case-insensitive) and whose
#   `properties.pricingTier` is not `Standard` (case-insensitive; `Free`, absent or `null` fail).
#   The sub-plan is not evaluated. The finding names the subscription by `subscriptionId` and,
#   when the inventory lists it, its display name. An inventory without a KeyVaults pricing (e.g.
#   the Security pricings could not be read) yields no finding: the rule does not guess.
# custom:
#   id: KV011
#   severity: medium
#   scope: tenant
#   tags: [monitoring, threat-detection]
#   checks:
#     arm: Microsoft.Security/pricings/KeyVaults properties.pricingTier == 'Standard'
#     terraform: azurerm_security_center_subscription_pricing (resource_type = "KeyVaults").tier = "Standard"
#   remediation: |
#     Enable the Defender for Key Vault plan on the subscription:
#
#     - az CLI: `az security pricing create --subscription <subscription-id> --name KeyVaults --tier Standard --subplan PerKeyVault`
#     - Bicep (`targetScope = 'subscription'`): `resource defenderKv 'Microsoft.Security/pricings@2024-01-01' = { name: 'KeyVaults', properties: { pricingTier: 'Standard', subPlan: 'PerKeyVault' } }`
#     - Terraform: `resource "azurerm_security_center_subscription_pricing" "kv" { tier = "Standard" resource_type = "KeyVaults" subplan = "PerKeyVault" }`
#   benchmarks:
#     cis-azure-2.0: "2.1.10"
#     cis-azure-3.0: "3.1.8.1"
#     cis-azure-5.0: "8.1.8.1"
#     azure-policy: 0e6763cc-5078-4e64-889d-ff4d9a839047
#     checkov: CKV_AZURE_87
#     psrule: Azure.Defender.KeyVault
#   parameters: {}
package kvscan.rules.defender_for_key_vault

import rego.v1

import data.kvscan.lib

deny contains finding if {
	some index, pricing in pricings
	lib.equals_ci(pricing_name(pricing), "KeyVaults")
	not lib.equals_ci(pricing.properties.pricingTier, "Standard")
	finding := {
		"resource": resource_id(pricing),
		"message": sprintf("Microsoft Defender for Key Vault is not enabled on subscription %s: %s", [subscription_label(pricing), tier_label(pricing)]),
		"path": ["pricings", index, "properties", "pricingTier"],
	}
}

pricings := input.inventory.pricings if {
	is_array(input.inventory.pricings)
} else := []

subscriptions := input.inventory.subscriptions if {
	is_array(input.inventory.subscriptions)
} else := []

# Lower-cased subscription id -> display name, built once.
display_names := {lower(id): name |
	some subscription in subscriptions
	id := subscription.subscriptionId
	is_string(id)
	name := subscription.displayName
	is_string(name)
	name != ""
}

subscription_id(pricing) := pricing.subscriptionId if {
	is_string(pricing.subscriptionId)
} else := split(pricing.id, "/")[2] if {
	is_string(pricing.id)
	startswith(lower(pricing.id), "/subscriptions/")
} else := "(unknown)"

# The pricing's ARM id; rebuilt from the subscription id when the inventory omits it.
resource_id(pricing) := pricing.id if {
	is_string(pricing.id)
} else := sprintf("/subscriptions/%s/providers/Microsoft.Security/pricings/%s", [pricing.subscriptionId, pricing_name(pricing)]) if {
	is_string(pricing.subscriptionId)
} else := sprintf("/providers/Microsoft.Security/pricings/%s", [pricing_name(pricing)])

# The plan name: `name`, else the last segment of the pricing's ARM id.
pricing_name(pricing) := pricing.name if {
	is_string(pricing.name)
} else := name if {
	is_string(pricing.id)
	parts := split(pricing.id, "/")
	name := parts[count(parts) - 1]
}

subscription_label(pricing) := sprintf("'%s' (%s)", [display_names[lower(id)], id]) if {
	id := subscription_id(pricing)
	display_names[lower(id)]
} else := subscription_id(pricing)

tier_label(pricing) := sprintf("pricing tier is %s, not Standard", [pricing.properties.pricingTier]) if {
	is_string(pricing.properties.pricingTier)
} else := "pricing tier is not set"
