# METADATA
# title: Key Vault public network access is disabled
# description: |
#   With public network access disabled the vault answers only on its private endpoints: the
#   public endpoint refuses every connection whatever the firewall rules say, so a leaked token
#   is useless outside the private network. This is stricter than KV005 (which accepts a public
#   endpoint behind a default-deny firewall) and is what CIS v5 asks for.
#
#   Verdict: fails unless `properties.publicNetworkAccess` equals `Disabled`, compared
#   case-insensitively (`disabled` passes). An absent or `null` value means `Enabled` (the ARM
#   default), so it fails; so does any other value, including `SecuredByPerimeter`. Firewall
#   settings (`networkAcls`) do not change the verdict.
# custom:
#   id: KV004
#   severity: medium
#   scope: vault
#   tags: [network]
#   checks:
#     arm: properties.publicNetworkAccess == 'Disabled' (case-insensitive)
#     terraform: azurerm_key_vault.public_network_access_enabled = false
#   remediation: |
#     Reach the vault through a private endpoint (KV007) first, then disable the public endpoint:
#
#     - az CLI: `az keyvault update --name <vault> --public-network-access Disabled`
#     - Bicep: `properties: { publicNetworkAccess: 'Disabled' }`
#     - Terraform: `public_network_access_enabled = false` on `azurerm_key_vault`
#   benchmarks:
#     cis-azure-5.0: "8.3.7"
#     mcsb: NS-2
#     azure-policy: 405c5871-3e91-4644-8a63-58e19d68ff5b
#     checkov: CKV_AZURE_189
#   parameters: {}
package kvscan.rules.public_network_access

import rego.v1

import data.kvscan.lib

deny contains finding if {
	vault := input.vault.resource
	not lib.equals_ci(vault.properties.publicNetworkAccess, "Disabled")
	finding := {
		"resource": vault.id,
		"message": sprintf("Key Vault '%s' has public network access enabled (%s): its public endpoint accepts connections", [vault.name, describe(vault)]),
		"path": ["resource", "properties", "publicNetworkAccess"],
	}
}

describe(vault) := sprintf("publicNetworkAccess: %s", [vault.properties.publicNetworkAccess]) if {
	is_string(vault.properties.publicNetworkAccess)
} else := "publicNetworkAccess not set, defaults to Enabled"
