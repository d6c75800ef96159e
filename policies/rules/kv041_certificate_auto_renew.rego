# METADATA
# title: Certificates renew automatically
# description: |
#   Expired certificates are one of the most common causes of outages, and a reminder e-mail
#   (the `EmailContacts` lifetime action) depends on someone reading it in time. With an
#   `AutoRenew` lifetime action Key Vault requests the new version itself (self-signed or from an
#   integrated CA such as DigiCert or GlobalSign) and services bound to the versionless secret
#   pick it up.
#
#   Verdict: one finding per enabled certificate that has an issuance policy
#   (`properties.policy` is an object) whose `lifetime_actions` contain no entry with
#   `action.action_type` equal to `AutoRenew` (case-insensitive): only `EmailContacts`, an empty,
#   absent or `null` list all fail. A certificate without a policy (absent or `null`: the data
#   plane was not read) is unknown and passes. Disabled certificates
#   (`attributes.enabled == false`) are skipped. Certificates from a non-integrated CA (issuer
#   `Unknown`) cannot auto-renew in Key Vault and fail too: renew them through your own pipeline
#   and accept or suppress the finding.
# custom:
#   id: KV041
#   severity: medium
#   scope: vault
#   tags: [certificates, rotation]
#   checks:
#     arm: certificates[].properties.policy.lifetime_actions[].action.action_type == 'AutoRenew' (data plane; certificates are not ARM resources)
#     terraform: azurerm_key_vault_certificate.certificate_policy.lifetime_action.action.action_type = "AutoRenew"
#   remediation: |
#     Add an AutoRenew lifetime action to the certificate policy (self-signed or integrated CA issuer):
#
#     - az CLI: `az keyvault certificate set-attributes --vault-name <vault> --name <cert> --policy @policy.json` with `"lifetime_actions": [{"trigger": {"days_before_expiry": 30}, "action": {"action_type": "AutoRenew"}}]` in the policy
#     - Bicep: certificates are data-plane objects with no ARM resource type; run the command above from a `Microsoft.Resources/deploymentScripts` resource
#     - Terraform: `certificate_policy { lifetime_action { action { action_type = "AutoRenew" } trigger { days_before_expiry = 30 } } ... }` on `azurerm_key_vault_certificate`
#   benchmarks: {}
#   parameters: {}
package kvscan.rules.certificate_auto_renew

import rego.v1

import data.kvscan.lib

deny contains finding if {
	some index, certificate in certificates
	not certificate.properties.attributes.enabled == false
	policy := certificate.properties.policy
	is_object(policy)
	not auto_renews(policy)
	finding := {
		"resource": lib.object_id(input.vault.resource, "certificates", certificate),
		"message": sprintf("Certificate '%s' in Key Vault '%s' %s", [certificate.name, input.vault.resource.name, describe(policy)]),
		"path": ["certificates", index, "properties", "policy", "lifetime_actions"],
	}
}

certificates := input.vault.certificates if {
	is_array(input.vault.certificates)
} else := []

lifetime_actions(policy) := policy.lifetime_actions if {
	is_array(policy.lifetime_actions)
} else := []

auto_renews(policy) if {
	some action in lifetime_actions(policy)
	lib.equals_ci(action.action.action_type, "AutoRenew")
}

describe(policy) := sprintf("does not renew automatically: its only lifetime actions are %s", [concat(", ", sort(types))]) if {
	types := {action.action.action_type |
		some action in lifetime_actions(policy)
		is_string(action.action.action_type)
	}
	count(types) > 0
} else := "has no lifetime action: it is never renewed automatically"
