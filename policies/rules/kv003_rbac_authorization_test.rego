package kvscan.rules.rbac_authorization_test

import rego.v1

import data.kvscan.rules.rbac_authorization

record(kind, api_version, properties) := {
	"resource": {
		"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv",
		"name": "kv",
		"apiVersion": api_version,
		"properties": properties,
	},
	"source": {"kind": kind},
}

test_rbac_enabled_passes if {
	count(rbac_authorization.deny) == 0 with input.vault as record("live", null, {"enableRbacAuthorization": true})
}

test_access_policies_fail if {
	count(rbac_authorization.deny) == 1 with input.vault as record("live", null, {"enableRbacAuthorization": false})
}

test_absent_on_live_vault_fails if {
	count(rbac_authorization.deny) == 1 with input.vault as record("live", null, {})
}

test_null_on_live_vault_fails if {
	count(rbac_authorization.deny) == 1 with input.vault as record("live", null, {"enableRbacAuthorization": null})
}

test_absent_in_old_template_fails if {
	count(rbac_authorization.deny) == 1 with input.vault as record("arm", "2024-11-01", {})
}

test_absent_in_2026_template_passes if {
	count(rbac_authorization.deny) == 0 with input.vault as record("arm", "2026-02-01", {})
	count(rbac_authorization.deny) == 0 with input.vault as record("bicep", "2026-02-01", {})
}

test_explicit_false_in_2026_template_fails if {
	count(rbac_authorization.deny) == 1 with input.vault as record("arm", "2026-02-01", {"enableRbacAuthorization": false})
}

test_template_default_does_not_apply_to_terraform if {
	# The azurerm provider always sends the attribute; its mapping fills the provider default.
	count(rbac_authorization.deny) == 1 with input.vault as record("terraform", "2026-02-01", {})
}

without_source(properties) := object.remove(record("live", null, properties), ["source"])

test_record_without_source_is_judged_by_its_flag if {
	count(rbac_authorization.deny) == 0 with input.vault as without_source({"enableRbacAuthorization": true})
	count(rbac_authorization.deny) == 1 with input.vault as without_source({})
}
