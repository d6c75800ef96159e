# METADATA
# title: Certificates use RSA keys of at least 2048 bits
# description: |
#   A certificate is only as strong as its key pair: an RSA key below 2048 bits can no longer be
#   assumed secure, and browsers, CAs and most TLS stacks reject it. Key Vault generates the key of
#   each new version from the certificate policy, so a weak size in the policy repeats at every
#   renewal.
#
#   Verdict: one finding per enabled certificate whose issuance policy
#   `properties.policy.key_props.kty` is `RSA` or `RSA-HSM` (case-insensitive) and whose
#   `key_props.key_size` is a number below `minRsaKeySize` (default 2048). An absent or `null`
#   policy, key type or key size is unknown and passes; EC certificates are not evaluated.
#   Disabled certificates (`attributes.enabled == false`) are skipped.
# custom:
#   id: KV043
#   severity: low
#   scope: vault
#   tags: [certificates, cryptography]
#   checks:
#     arm: certificates[].properties.policy.key_props.key_size >= 2048 when key_props.kty is RSA/RSA-HSM (data plane; certificates are not ARM resources)
#     terraform: azurerm_key_vault_certificate.certificate_policy.key_properties.key_size >= 2048 (key_type RSA)
#   remediation: |
#     Raise the key size in the certificate policy and issue a new version (with `reuse_key` false):
#
#     - az CLI: `az keyvault certificate show --vault-name <vault> --name <cert> --query policy > policy.json`, set `"key_size": 3072` under `key_props`, then `az keyvault certificate create --vault-name <vault> --name <cert> --policy @policy.json`
#     - Bicep: certificates are data-plane objects with no ARM resource type; run the command above from a `Microsoft.Resources/deploymentScripts` resource
#     - Terraform: `certificate_policy { key_properties { key_type = "RSA" key_size = 3072 exportable = true reuse_key = false } ... }` on `azurerm_key_vault_certificate`
#   benchmarks:
#     azure-policy: cee51871-e572-4576-855c-047c820360f0
#   parameters:
#     minRsaKeySize: 2048
package kvscan.rules.certificate_key_strength

import rego.v1

import data.kvscan.lib

rsa_types := {"rsa", "rsa-hsm"}

deny contains finding if {
	minimum := lib.param("minRsaKeySize", 2048)
	some index, certificate in certificates
	not certificate.properties.attributes.enabled == false
	key_props := certificate.properties.policy.key_props
	is_string(key_props.kty)
	lower(key_props.kty) in rsa_types
	is_number(key_props.key_size)
	key_props.key_size < minimum
	finding := {
		"resource": lib.object_id(input.vault.resource, "certificates", certificate),
		"message": sprintf("Certificate '%s' in Key Vault '%s' uses an %s key of %v bits, below the minimum of %v", [certificate.name, input.vault.resource.name, key_props.kty, key_props.key_size, minimum]),
		"path": ["certificates", index, "properties", "policy", "key_props", "key_size"],
	}
}

certificates := input.vault.certificates if {
	is_array(input.vault.certificates)
} else := []
