# METADATA
# title: Key Vault audit logs are collected
# description: |
#   The AuditEvent log is the only record of who read, changed or deleted which secret, key or
#   certificate, from where, and of every denied attempt. Azure keeps none of it unless a
#   diagnostic setting sends it to a Log Analytics workspace, a storage account, an Event Hub or a
#   partner solution. Without it an incident cannot be investigated and exfiltration goes unseen.
#
#   Verdict: passes when some entry of the vault's `diagnosticSettings` has (1) a log entry with
#   `enabled` equal to `true` whose `category` is `AuditEvent` or whose `categoryGroup` is
#   `audit` or `allLogs` (all case-insensitive), and (2) a destination: a non-empty
#   `properties.workspaceId`, `storageAccountId`, `eventHubAuthorizationRuleId` or
#   `marketplacePartnerId`. Both must hold in the same setting. Otherwise it fails: no settings
#   (absent, `null` or empty), settings with only other categories (`AzurePolicyEvaluationDetails`)
#   or only disabled log entries, or an audit setting whose destinations are all empty or `null`.
#   For IaC sources (`source.kind` arm, bicep, terraform or terraform-plan) the parameter
#   `auditLoggingEnforcedElsewhere` (default false) set to true turns the rule off: use it when an
#   Azure Policy DeployIfNotExists assignment adds the diagnostic setting after deployment, so the
#   template does not declare it. Live and inventory scans are always evaluated.
# custom:
#   id: KV008
#   severity: medium
#   scope: vault
#   tags: [logging, monitoring]
#   checks:
#     arm: >-
#       Microsoft.Insights/diagnosticSettings scoped to the vault, properties.logs[].enabled == true
#       with properties.logs[].category == 'AuditEvent' or properties.logs[].categoryGroup in
#       ('audit', 'allLogs'), and properties.workspaceId, storageAccountId,
#       eventHubAuthorizationRuleId or marketplacePartnerId
#     terraform: >-
#       azurerm_monitor_diagnostic_setting with target_resource_id = the vault,
#       enabled_log.category = "AuditEvent" or enabled_log.category_group = "audit"/"allLogs", and
#       log_analytics_workspace_id, storage_account_id, eventhub_authorization_rule_id or
#       partner_solution_id
#   remediation: |
#     Send the audit category group to a Log Analytics workspace (or a storage account or Event Hub):
#
#     - az CLI: `az monitor diagnostic-settings create --name kv-audit --resource <vault-resource-id> --workspace <workspace-resource-id> --logs '[{"categoryGroup":"audit","enabled":true}]'`
#     - Bicep: `resource diag 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = { name: 'kv-audit', scope: kv, properties: { workspaceId: workspaceId, logs: [ { categoryGroup: 'audit', enabled: true } ] } }`
#     - Terraform: `resource "azurerm_monitor_diagnostic_setting" "kv" { name = "kv-audit" target_resource_id = azurerm_key_vault.kv.id log_analytics_workspace_id = azurerm_log_analytics_workspace.law.id enabled_log { category_group = "audit" } }`
#   benchmarks:
#     cis-azure-2.0: "5.1.5"
#     cis-azure-3.0: "6.1.4"
#     cis-azure-5.0: "6.1.1.4"
#     mcsb: LT-3
#     azure-policy: cf820ca0-f99e-4f3e-84fb-66e913812d21
#     psrule: Azure.KeyVault.Logs
#   parameters:
#     auditLoggingEnforcedElsewhere: false
package kvscan.rules.audit_logging

import rego.v1

import data.kvscan.lib

iac_kinds := {"arm", "bicep", "terraform", "terraform-plan"}

audit_groups := {"audit", "alllogs"}

destination_keys := ["workspaceId", "storageAccountId", "eventHubAuthorizationRuleId", "marketplacePartnerId"]

deny contains finding if {
	vault := input.vault.resource
	not exempt
	not audit_logged
	finding := {
		"resource": vault.id,
		"message": sprintf("Key Vault '%s' %s", [vault.name, problem.message]),
		"path": problem.path,
	}
}

exempt if {
	input.vault.source.kind in iac_kinds
	lib.param("auditLoggingEnforcedElsewhere", false) == true
}

settings := input.vault.diagnosticSettings if {
	is_array(input.vault.diagnosticSettings)
} else := []

audit_logged if {
	some setting in settings
	audit_log_enabled(setting)
	has_destination(setting)
}

audit_log_enabled(setting) if {
	some log in logs(setting)
	log.enabled == true
	audit_category(log)
}

logs(setting) := setting.properties.logs if {
	is_array(setting.properties.logs)
} else := []

audit_category(log) if lib.equals_ci(log.category, "AuditEvent")

audit_category(log) if {
	is_string(log.categoryGroup)
	lower(log.categoryGroup) in audit_groups
}

has_destination(setting) if {
	some key in destination_keys
	is_string(setting.properties[key])
	trim_space(setting.properties[key]) != ""
}

setting_name(setting) := setting.name if {
	is_string(setting.name)
} else := "(unnamed)"

# Indices of settings that collect audit logs but send them nowhere.
undelivered := [index |
	some index, setting in settings
	audit_log_enabled(setting)
	not has_destination(setting)
]

problem := {
	"message": "has no diagnostic settings: reads, changes and deletions of its secrets, keys and certificates are not logged",
	"path": ["diagnosticSettings"],
} if {
	count(settings) == 0
} else := {
	"message": sprintf("collects audit logs in diagnostic setting '%s' but sends them nowhere: no workspace, storage account, Event Hub or partner destination", [setting_name(settings[undelivered[0]])]),
	"path": ["diagnosticSettings", undelivered[0], "properties"],
} if {
	count(undelivered) > 0
} else := {
	"message": "has no diagnostic setting with the AuditEvent category (or the audit or allLogs group) enabled: data-plane access is not logged",
	"path": ["diagnosticSettings"],
}
