# METADATA
# title: Key Vault is not reachable from any network
# description: |
#   A vault that accepts traffic from every network relies on authentication alone: a leaked
#   token or credential works from anywhere. Either public network access is disabled (private
#   endpoints only), or the firewall denies by default and admits named networks.
#
#   Verdict: fails when `properties.publicNetworkAccess` is not `Disabled` (case-insensitive;
#   absent means enabled) and `properties.networkAcls` is absent or its `defaultAction` is not
#   `Deny`. IP rules do not change the verdict: with `defaultAction: Allow` they restrict nothing.
# custom:
#   id: KV005
#   severity: high
#   scope: vault
#   tags: [network]
#   checks:
#     arm: properties.publicNetworkAccess, properties.networkAcls.defaultAction
#     terraform: azurerm_key_vault.public_network_access_enabled, network_acls.default_action
#   remediation: |
#     Deny by default and allow only the networks that need the vault (or disable public access
#     and use a private endpoint):
#
#     - az CLI: `az keyvault update --name <vault> --default-action Deny --bypass AzureServices`
#     - Bicep: `properties: { networkAcls: { defaultAction: 'Deny', bypass: 'AzureServices' } }`
#     - Terraform: `network_acls { default_action = "Deny" bypass = "AzureServices" }`
#   benchmarks:
#     mcsb: NS-2
#     azure-policy: 55615ac9-af46-4a59-874e-391cc3dfb490
#     checkov: CKV_AZURE_109
package kvscan.rules.network_default_deny

import rego.v1

import data.kvscan.lib

deny contains finding if {
	vault := input.vault.resource
	not lib.equals_ci(object.get(properties, "publicNetworkAccess", "Enabled"), "Disabled")
	not firewall_denies(properties)
	finding := {
		"resource": vault.id,
		"message": sprintf("Key Vault '%s' accepts connections from any network: public network access is enabled and the firewall default action is not Deny", [vault.name]),
		"path": path(properties),
	}
}

# A template may leave properties null; treat that like an empty object.
properties := input.vault.resource.properties if {
	is_object(input.vault.resource.properties)
} else := {}

firewall_denies(properties) if lib.equals_ci(properties.networkAcls.defaultAction, "Deny")

path(properties) := ["resource", "properties", "networkAcls", "defaultAction"] if {
	properties.networkAcls
} else := ["resource", "properties", "networkAcls"]
