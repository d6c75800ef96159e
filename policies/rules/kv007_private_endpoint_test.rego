package kvscan.rules.private_endpoint_test

import rego.v1

import data.kvscan.rules.private_endpoint

vault_id := "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv"

vault(properties) := {"resource": {"id": vault_id, "name": "kv", "properties": properties}, "source": {"kind": "live"}}

connection(status) := {"properties": {"privateLinkServiceConnectionState": {"status": status}}}

test_approved_connection_passes if {
	count(private_endpoint.deny) == 0 with input.vault as vault({"privateEndpointConnections": [connection("Approved")]})
}

test_status_is_case_insensitive if {
	count(private_endpoint.deny) == 0 with input.vault as vault({"privateEndpointConnections": [connection("approved")]})
}

test_one_approved_among_others_passes if {
	count(private_endpoint.deny) == 0 with input.vault as vault({"privateEndpointConnections": [connection("Rejected"), connection("Approved")]})
}

test_pending_only_fails_and_lists_states if {
	findings := private_endpoint.deny with input.vault as vault({"privateEndpointConnections": [connection("Pending"), connection("Disconnected")]})
	count(findings) == 1
	some f in findings
	f.resource == vault_id
	f.path == ["resource", "properties", "privateEndpointConnections"]
	contains(f.message, "'kv'")
	contains(f.message, "(existing connections: Disconnected, Pending)")
}

test_no_connections_fails if {
	findings := private_endpoint.deny with input.vault as vault({"privateEndpointConnections": []})
	count(findings) == 1
	some f in findings
	endswith(f.message, "has no approved private endpoint connection")
}

test_absent_and_null_fail if {
	count(private_endpoint.deny) == 1 with input.vault as vault({"publicNetworkAccess": "Disabled"})
	count(private_endpoint.deny) == 1 with input.vault as vault({"privateEndpointConnections": null})
	count(private_endpoint.deny) == 1 with input.vault as {"resource": {"id": vault_id, "name": "kv", "properties": null}}
}

test_connection_without_state_fails if {
	findings := private_endpoint.deny with input.vault as vault({"privateEndpointConnections": [{"properties": {}}]})
	count(findings) == 1
	some f in findings
	contains(f.message, "(existing connections: unknown)")
}

test_iac_private_endpoint_passes if {
	record := {
		"resource": {"id": vault_id, "name": "kv", "properties": {}},
		"privateEndpoints": [{"type": "Microsoft.Network/privateEndpoints", "name": "pe-kv"}],
		"source": {"kind": "bicep"},
	}
	count(private_endpoint.deny) == 0 with input.vault as record
}

test_empty_or_null_iac_private_endpoints_fail if {
	count(private_endpoint.deny) == 1 with input.vault as {"resource": {"id": vault_id, "name": "kv", "properties": {}}, "privateEndpoints": [], "source": {"kind": "arm"}}
	count(private_endpoint.deny) == 1 with input.vault as {"resource": {"id": vault_id, "name": "kv", "properties": {}}, "privateEndpoints": null, "source": {"kind": "terraform"}}
}
