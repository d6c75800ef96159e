package kvscan.rules.audit_logging_test

import rego.v1

import data.kvscan.rules.audit_logging

vault_id := "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv"

workspace := "/subscriptions/s/resourceGroups/rg-mon/providers/Microsoft.OperationalInsights/workspaces/law"

record(kind, settings) := {
	"resource": {"id": vault_id, "name": "kv", "properties": {}},
	"diagnosticSettings": settings,
	"source": {"kind": kind},
}

live(settings) := record("live", settings)

setting(name, destinations, logs) := {"name": name, "properties": object.union(destinations, {"logs": logs})}

test_category_group_audit_to_workspace_passes if {
	count(audit_logging.deny) == 0 with input.vault as live([setting("d", {"workspaceId": workspace}, [{"category": null, "categoryGroup": "audit", "enabled": true}])])
}

test_all_logs_and_audit_event_pass_case_insensitively if {
	count(audit_logging.deny) == 0 with input.vault as live([setting("d", {"workspaceId": workspace}, [{"categoryGroup": "allLogs", "enabled": true}])])
	count(audit_logging.deny) == 0 with input.vault as live([setting("d", {"workspaceId": workspace}, [{"categoryGroup": "AllLogs", "enabled": true}])])
	count(audit_logging.deny) == 0 with input.vault as live([setting("d", {"workspaceId": workspace}, [{"category": "AuditEvent", "enabled": true}])])
	count(audit_logging.deny) == 0 with input.vault as live([setting("d", {"workspaceId": workspace}, [{"category": "auditevent", "enabled": true}])])
}

test_each_destination_kind_counts if {
	logs := [{"categoryGroup": "audit", "enabled": true}]
	count(audit_logging.deny) == 0 with input.vault as live([setting("d", {"storageAccountId": "/subscriptions/s/.../sa"}, logs)])
	count(audit_logging.deny) == 0 with input.vault as live([setting("d", {"eventHubAuthorizationRuleId": "/subscriptions/s/.../rule", "eventHubName": "kv"}, logs)])
	count(audit_logging.deny) == 0 with input.vault as live([setting("d", {"marketplacePartnerId": "/subscriptions/s/.../partner"}, logs)])
}

test_no_settings_fails if {
	findings := audit_logging.deny with input.vault as live([])
	count(findings) == 1
	some f in findings
	f.resource == vault_id
	f.path == ["diagnosticSettings"]
	contains(f.message, "'kv' has no diagnostic settings")
}

test_absent_and_null_settings_fail if {
	count(audit_logging.deny) == 1 with input.vault as {"resource": {"id": vault_id, "name": "kv", "properties": {}}, "source": {"kind": "live"}}
	count(audit_logging.deny) == 1 with input.vault as live(null)
}

test_disabled_audit_log_fails if {
	findings := audit_logging.deny with input.vault as live([setting("metrics-only", {"workspaceId": workspace}, [
		{"categoryGroup": "audit", "enabled": false},
		{"category": "AuditEvent", "enabled": "true"},
	])])
	count(findings) == 1
	some f in findings
	f.path == ["diagnosticSettings"]
	contains(f.message, "has no diagnostic setting with the AuditEvent category")
}

test_other_category_only_fails if {
	count(audit_logging.deny) == 1 with input.vault as live([setting("d", {"workspaceId": workspace}, [{"category": "AzurePolicyEvaluationDetails", "enabled": true}])])
	count(audit_logging.deny) == 1 with input.vault as live([{"name": "d", "properties": {"workspaceId": workspace, "logs": null}}])
	count(audit_logging.deny) == 1 with input.vault as live([{"name": "d", "properties": null}])
}

test_audit_without_destination_fails_with_setting_path if {
	findings := audit_logging.deny with input.vault as live([
		setting("policy", {"workspaceId": workspace}, [{"category": "AzurePolicyEvaluationDetails", "enabled": true}]),
		setting("nowhere", {"workspaceId": "", "storageAccountId": null, "eventHubAuthorizationRuleId": "  "}, [{"categoryGroup": "audit", "enabled": true}]),
	])
	count(findings) == 1
	some f in findings
	f.path == ["diagnosticSettings", 1, "properties"]
	contains(f.message, "diagnostic setting 'nowhere' but sends them nowhere")
}

test_audit_and_destination_must_be_in_the_same_setting if {
	count(audit_logging.deny) == 1 with input.vault as live([
		setting("audit-nowhere", {}, [{"categoryGroup": "audit", "enabled": true}]),
		setting("policy-to-law", {"workspaceId": workspace}, [{"category": "AzurePolicyEvaluationDetails", "enabled": true}]),
	])
	count(audit_logging.deny) == 0 with input.vault as live([
		setting("audit-nowhere", {}, [{"categoryGroup": "audit", "enabled": true}]),
		setting("audit-to-law", {"workspaceId": workspace}, [{"category": "AuditEvent", "enabled": true}]),
	])
}

test_enforced_elsewhere_turns_off_iac_only if {
	config := {"auditLoggingEnforcedElsewhere": true}
	count(audit_logging.deny) == 0 with input.vault as record("arm", []) with data.kvscan.config as config
	count(audit_logging.deny) == 0 with input.vault as record("bicep", []) with data.kvscan.config as config
	count(audit_logging.deny) == 0 with input.vault as record("terraform", []) with data.kvscan.config as config
	count(audit_logging.deny) == 0 with input.vault as record("terraform-plan", []) with data.kvscan.config as config
	count(audit_logging.deny) == 1 with input.vault as record("live", []) with data.kvscan.config as config
	count(audit_logging.deny) == 1 with input.vault as record("inventory", []) with data.kvscan.config as config
}

test_iac_evaluated_by_default if {
	count(audit_logging.deny) == 1 with input.vault as record("bicep", [])
	count(audit_logging.deny) == 1 with input.vault as record("arm", []) with data.kvscan.config as {"auditLoggingEnforcedElsewhere": false}
}

test_unnamed_setting_without_destination_still_fails if {
	findings := audit_logging.deny with input.vault as live([{"properties": {"logs": [{"categoryGroup": "audit", "enabled": true}]}}])
	count(findings) == 1
	some f in findings
	f.path == ["diagnosticSettings", 0, "properties"]
	contains(f.message, "diagnostic setting '(unnamed)'")
}
