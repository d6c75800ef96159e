package kvscan.rules.deployment_access_test

import rego.v1

import data.kvscan.rules.deployment_access

vault_id := "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv"

vault(properties) := {"resource": {"id": vault_id, "name": "kv", "properties": properties}}

all_on := {"enabledForDeployment": true, "enabledForTemplateDeployment": true, "enabledForDiskEncryption": true}

test_all_off_passes if {
	count(deployment_access.deny) == 0 with input.vault as vault({"enabledForDeployment": false, "enabledForTemplateDeployment": false, "enabledForDiskEncryption": false})
}

test_absent_and_null_pass if {
	count(deployment_access.deny) == 0 with input.vault as vault({})
	count(deployment_access.deny) == 0 with input.vault as vault({"enabledForDeployment": null, "enabledForTemplateDeployment": null, "enabledForDiskEncryption": null})
	count(deployment_access.deny) == 0 with input.vault as {"resource": {"id": vault_id, "name": "kv", "properties": null}}
}

test_one_finding_per_enabled_flag if {
	findings := deployment_access.deny with input.vault as vault(all_on)
	count(findings) == 3
	{f.path | some f in findings} == {
		["resource", "properties", "enabledForDeployment"],
		["resource", "properties", "enabledForTemplateDeployment"],
		["resource", "properties", "enabledForDiskEncryption"],
	}
	every f in findings {
		f.resource == vault_id
	}
}

test_single_flag_message if {
	findings := deployment_access.deny with input.vault as vault({"enabledForTemplateDeployment": true, "enabledForDeployment": false})
	count(findings) == 1
	some f in findings
	f.message == "Key Vault 'kv' has enabledForTemplateDeployment enabled: Azure Resource Manager can read its secrets into template deployments"
}

test_string_true_is_not_evaluated if {
	count(deployment_access.deny) == 0 with input.vault as vault({"enabledForDeployment": "true"})
}

test_allowed_flags_parameter if {
	findings := deployment_access.deny with input.vault as vault(all_on)
		with data.kvscan.config as {"allowedDeploymentFlags": ["enabledForDiskEncryption", "ENABLEDFORDEPLOYMENT"]}
	count(findings) == 1
	some f in findings
	f.path == ["resource", "properties", "enabledForTemplateDeployment"]
}

test_malformed_allowed_flags_parameter_allows_nothing if {
	count(deployment_access.deny) == 3 with input.vault as vault(all_on)
		with data.kvscan.config as {"allowedDeploymentFlags": null}
	count(deployment_access.deny) == 3 with input.vault as vault(all_on)
		with data.kvscan.config as {"allowedDeploymentFlags": [1, null]}
}
