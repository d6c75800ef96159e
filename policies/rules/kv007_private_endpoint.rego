# METADATA
# title: Key Vault is reached through an approved private endpoint
# description: |
#   A private endpoint gives the vault an address inside your virtual network, so clients reach it
#   over the Microsoft backbone instead of the internet, and the public endpoint can then be
#   disabled (KV004). A connection that is still Pending, Rejected or Disconnected carries no
#   traffic.
#
#   Verdict: passes when at least one entry of `properties.privateEndpointConnections` has
#   `properties.privateLinkServiceConnectionState.status` equal to `Approved`
#   (case-insensitive), or when the vault record lists at least one private endpoint in
#   `privateEndpoints` (IaC sources: a `Microsoft.Network/privateEndpoints` /
#   `azurerm_private_endpoint` in the same deployment targets the vault; its connection is
#   approved automatically when the deployer owns the vault). Otherwise it fails: no connections,
#   an absent or `null` list, or only connections in another state. The message lists the states
#   of the connections that exist.
# custom:
#   id: KV007
#   severity: medium
#   scope: vault
#   tags: [network]
#   checks:
#     arm: properties.privateEndpointConnections[].properties.privateLinkServiceConnectionState.status == 'Approved' (or a Microsoft.Network/privateEndpoints resource targeting the vault in the template)
#     terraform: azurerm_private_endpoint.private_service_connection.private_connection_resource_id = azurerm_key_vault.id (subresource_names = ["vault"])
#   remediation: |
#     Create a private endpoint for the `vault` sub-resource (plus a `privatelink.vaultcore.azure.net`
#     private DNS zone), or approve the pending connection:
#
#     - az CLI: `az network private-endpoint create --name pe-<vault> --resource-group <rg> --vnet-name <vnet> --subnet <subnet> --private-connection-resource-id <vault-resource-id> --group-id vault --connection-name <vault>-pe`; approve a pending one with `az keyvault private-endpoint-connection approve --id <connection-id>`
#     - Bicep: `resource pe 'Microsoft.Network/privateEndpoints@2023-11-01' = { name: 'pe-kv', location: location, properties: { subnet: { id: subnetId }, privateLinkServiceConnections: [ { name: 'kv', properties: { privateLinkServiceId: kv.id, groupIds: [ 'vault' ] } } ] } }`
#     - Terraform: `resource "azurerm_private_endpoint" "kv" { ... private_service_connection { name = "kv" private_connection_resource_id = azurerm_key_vault.kv.id subresource_names = ["vault"] is_manual_connection = false } }`
#   benchmarks:
#     cis-azure-2.0: "8.7"
#     cis-azure-3.0: "3.3.7"
#     cis-azure-5.0: "8.3.8"
#     mcsb: NS-2
#     azure-policy: a6abeaec-4d90-4a02-805f-6b26c4d3fbe9
#     checkov: CKV2_AZURE_32
#   parameters: {}
package kvscan.rules.private_endpoint

import rego.v1

import data.kvscan.lib

deny contains finding if {
	vault := input.vault.resource
	not approved_connection(vault)
	not declared_private_endpoint
	finding := {
		"resource": vault.id,
		"message": sprintf("Key Vault '%s' has no approved private endpoint connection%s", [vault.name, detail(vault)]),
		"path": ["resource", "properties", "privateEndpointConnections"],
	}
}

connections(vault) := vault.properties.privateEndpointConnections if {
	is_array(vault.properties.privateEndpointConnections)
} else := []

approved_connection(vault) if {
	some connection in connections(vault)
	lib.equals_ci(connection.properties.privateLinkServiceConnectionState.status, "Approved")
}

# IaC sources list the private endpoints of the same deployment that target the vault.
declared_private_endpoint if {
	is_array(input.vault.privateEndpoints)
	count(input.vault.privateEndpoints) > 0
}

detail(vault) := sprintf(" (existing connections: %s)", [concat(", ", sort(states))]) if {
	states := [state_of(connection) | some connection in connections(vault)]
	count(states) > 0
} else := ""

state_of(connection) := connection.properties.privateLinkServiceConnectionState.status if {
	is_string(connection.properties.privateLinkServiceConnectionState.status)
} else := "unknown"
