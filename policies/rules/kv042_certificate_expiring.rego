# METADATA
# title: No enabled certificate has expired or expires soon
# description: |
#   An expired certificate breaks every TLS handshake, signature check or client authentication
#   that relies on it; one about to expire without a working renewal is the same outage a few
#   days later. Renew it (and make renewal automatic, KV041) or disable it if it is no longer
#   used.
#
#   Verdict: one finding per enabled certificate whose `properties.attributes.exp` (Unix seconds,
#   the current version's notAfter) is a number at or before `now + expiryWarningDays` days
#   (default 30; one day = 86400 s): already expired (`exp` <= now) or expiring within the window
#   (the boundary itself counts). The message says "expired N days ago" (N rounded up) or
#   "expires in N days" (N rounded down), or "less than a day" when under 86400 s. A certificate
#   without a numeric `exp` (absent, `null`) passes. Disabled certificates
#   (`attributes.enabled == false`) are skipped.
# custom:
#   id: KV042
#   severity: medium
#   scope: vault
#   tags: [certificates, expiry]
#   checks:
#     arm: certificates[].properties.attributes.exp > now + 30 days (data plane; certificates are not ARM resources)
#     terraform: none (the expiry is only known from the vault; azurerm_key_vault_certificate.certificate_policy.lifetime_action drives renewal)
#   remediation: |
#     Issue a new version with the certificate's policy (or import the renewed certificate), then
#     make renewal automatic (KV041):
#
#     - az CLI: `az keyvault certificate show --vault-name <vault> --name <cert> --query policy > policy.json` then `az keyvault certificate create --vault-name <vault> --name <cert> --policy @policy.json` (or `az keyvault certificate import --vault-name <vault> --name <cert> --file renewed.pfx`)
#     - Bicep: certificates are data-plane objects with no ARM resource type; run the command above from a `Microsoft.Resources/deploymentScripts` resource
#     - Terraform: `certificate_policy { lifetime_action { action { action_type = "AutoRenew" } trigger { days_before_expiry = 30 } } ... }` on `azurerm_key_vault_certificate` (or replace the imported `certificate { contents = ... }`)
#   benchmarks:
#     azure-policy: f772fb64-8e40-40ad-87bc-7706e1949427
#   parameters:
#     expiryWarningDays: 30
package kvscan.rules.certificate_expiring

import rego.v1

import data.kvscan.lib

day := 86400

deny contains finding if {
	now := data.kvscan.config.now
	window := lib.param("expiryWarningDays", 30) * day
	some index, certificate in certificates
	not certificate.properties.attributes.enabled == false
	exp := certificate.properties.attributes.exp
	is_number(exp)
	exp - now <= window
	finding := {
		"resource": lib.object_id(input.vault.resource, "certificates", certificate),
		"message": sprintf("Certificate '%s' in Key Vault '%s' %s", [certificate.name, input.vault.resource.name, timing(exp, now)]),
		"path": ["certificates", index, "properties", "attributes", "exp"],
	}
}

certificates := input.vault.certificates if {
	is_array(input.vault.certificates)
} else := []

timing(exp, now) := sprintf("expired %s ago", [days_text(ceil((now - exp) / day), now - exp)]) if {
	exp <= now
} else := sprintf("expires in %s", [days_text(floor((exp - now) / day), exp - now)])

# Elapsed days are rounded up and remaining days down: never understate how long ago, never
# overstate how long is left.
days_text(days, seconds) := "less than a day" if {
	seconds < day
} else := "1 day" if {
	seconds >= day
	days == 1
} else := sprintf("%d days", [days])
