# METADATA
# title: Key Vault does not open secrets to Azure deployment services
# description: |
#   Three vault flags let Azure platform services fetch secrets outside the vault's own
#   permission model: `enabledForDeployment` lets virtual machines pull certificates stored as
#   secrets, `enabledForTemplateDeployment` lets Azure Resource Manager read secrets into template
#   deployments (anyone with `Microsoft.KeyVault/vaults/deploy/action`, which Contributor and
#   Owner hold, can then pass any secret into a deployment without a data-plane role), and
#   `enabledForDiskEncryption` lets Azure Disk Encryption read secrets and unwrap keys. Each is a
#   side door that should be open only on vaults that need it.
#
#   Verdict: one finding per flag among `properties.enabledForDeployment`,
#   `enabledForTemplateDeployment` and `enabledForDiskEncryption` that is the boolean `true` and
#   is not listed in the parameter `allowedDeploymentFlags` (default `[]`; names compared
#   case-insensitively). An absent or `null` flag is off (the ARM default) and passes.
# custom:
#   id: KV010
#   severity: low
#   scope: vault
#   tags: [access-control]
#   checks:
#     arm: properties.enabledForDeployment, properties.enabledForTemplateDeployment, properties.enabledForDiskEncryption != true
#     terraform: azurerm_key_vault.enabled_for_deployment, enabled_for_template_deployment, enabled_for_disk_encryption != true
#   remediation: |
#     Turn off the flags the vault does not need (or list the needed ones in `allowedDeploymentFlags`):
#
#     - az CLI: `az keyvault update --name <vault> --enabled-for-deployment false --enabled-for-template-deployment false --enabled-for-disk-encryption false`
#     - Bicep: `properties: { enabledForDeployment: false, enabledForTemplateDeployment: false, enabledForDiskEncryption: false }`
#     - Terraform: `enabled_for_deployment = false`, `enabled_for_template_deployment = false`, `enabled_for_disk_encryption = false` on `azurerm_key_vault`
#   benchmarks: {}
#   parameters:
#     allowedDeploymentFlags: []
package kvscan.rules.deployment_access

import rego.v1

import data.kvscan.lib

flag_effects := {
	"enabledForDeployment": "Azure virtual machines can retrieve certificates stored as secrets",
	"enabledForTemplateDeployment": "Azure Resource Manager can read its secrets into template deployments",
	"enabledForDiskEncryption": "Azure Disk Encryption can retrieve its secrets and unwrap its keys",
}

deny contains finding if {
	vault := input.vault.resource
	some flag, effect in flag_effects
	vault.properties[flag] == true
	not lower(flag) in allowed_flags
	finding := {
		"resource": vault.id,
		"message": sprintf("Key Vault '%s' has %s enabled: %s", [vault.name, flag, effect]),
		"path": ["resource", "properties", flag],
	}
}

allowed_flags := {lower(name) |
	some name in allowed_list
	is_string(name)
}

allowed_list := lib.param("allowedDeploymentFlags", []) if {
	is_array(lib.param("allowedDeploymentFlags", []))
} else := []
