# METADATA
# title: Certificates are issued for at most 12 months
# description: |
#   The longer a certificate is valid, the longer a stolen private key stays useful and the
#   rarer (and more error-prone) renewals become. Public TLS certificates are already capped at
#   398 days by the CA/Browser Forum, with shorter limits coming; 12 months also keeps internal
#   certificates on a yearly, practised renewal cycle.
#
#   Verdict: one finding per enabled certificate whose issuance policy
#   `properties.policy.x509_props.validity_months` is a number greater than
#   `maxCertificateValidityMonths` (default 12; exactly 12 passes). A certificate without a policy
#   or without a numeric `validity_months` (absent, `null`: the data plane was not read) passes.
#   Disabled certificates (`attributes.enabled == false`) are skipped. The policy governs the
#   next issued version; the current version keeps its own dates (see KV042).
# custom:
#   id: KV040
#   severity: medium
#   scope: vault
#   tags: [certificates, expiry]
#   checks:
#     arm: certificates[].properties.policy.x509_props.validity_months <= 12 (data plane; certificates are not ARM resources)
#     terraform: azurerm_key_vault_certificate.certificate_policy.x509_certificate_properties.validity_in_months <= 12
#   remediation: |
#     Shorten the validity in the certificate policy (takes effect at the next renewal; renew now
#     if the current version is long-lived):
#
#     - az CLI: `az keyvault certificate show --vault-name <vault> --name <cert> --query policy > policy.json`, set `"validity_months": 12` under `x509_props`, then `az keyvault certificate set-attributes --vault-name <vault> --name <cert> --policy @policy.json`
#     - Bicep: certificates are data-plane objects with no ARM resource type; run the command above from a `Microsoft.Resources/deploymentScripts` resource
#     - Terraform: `certificate_policy { x509_certificate_properties { validity_in_months = 12 ... } ... }` on `azurerm_key_vault_certificate`
#   benchmarks:
#     cis-azure-5.0: "8.3.11"
#     azure-policy: 0a075868-4c26-42ef-914c-5bc007359560
#   parameters:
#     maxCertificateValidityMonths: 12
package kvscan.rules.certificate_validity

import rego.v1

import data.kvscan.lib

deny contains finding if {
	maximum := lib.param("maxCertificateValidityMonths", 12)
	some index, certificate in certificates
	not certificate.properties.attributes.enabled == false
	months := certificate.properties.policy.x509_props.validity_months
	is_number(months)
	months > maximum
	finding := {
		"resource": lib.object_id(input.vault.resource, "certificates", certificate),
		"message": sprintf("Certificate '%s' in Key Vault '%s' is issued for %v months, longer than the maximum of %v", [certificate.name, input.vault.resource.name, months, maximum]),
		"path": ["certificates", index, "properties", "policy", "x509_props", "validity_months"],
	}
}

certificates := input.vault.certificates if {
	is_array(input.vault.certificates)
} else := []
