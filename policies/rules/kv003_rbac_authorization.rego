# METADATA
# title: Key Vault uses the Azure RBAC permission model
# description: |
#   With access policies, anyone who can write the vault resource (Contributor, Key Vault
#   Contributor) can grant themselves access to every secret, and grants cannot be scoped below the
#   vault, made conditional, or governed with PIM. Azure RBAC keeps data access in role
#   assignments that are reviewed, audited and scoped like every other Azure permission.
#
#   Verdict: fails unless `properties.enableRbacAuthorization` is `true`. On a live vault an
#   absent or `null` value means access policies. In an ARM template or Bicep file an absent value
#   means the creation default of the resource's apiVersion: access policies before 2026-02-01,
#   RBAC from 2026-02-01 on.
# custom:
#   id: KV003
#   severity: medium
#   scope: vault
#   tags: [access-control]
#   checks:
#     arm: properties.enableRbacAuthorization == true (absent in a template with apiVersion >= 2026-02-01 counts as true)
#     terraform: azurerm_key_vault.enable_rbac_authorization (azurerm 3.x) or rbac_authorization_enabled (4.x) = true
#   remediation: |
#     Switch the vault to Azure RBAC after creating role assignments that replace each access
#     policy (the policies stop applying the moment the model changes):
#
#     - az CLI: `az keyvault update --name <vault> --enable-rbac-authorization true`
#     - Bicep: `properties: { enableRbacAuthorization: true }`
#     - Terraform: `rbac_authorization_enabled = true` (azurerm 4.x) or `enable_rbac_authorization = true` (3.x)
#   benchmarks:
#     cis-azure-2.0: "8.6"
#     cis-azure-3.0: "3.3.6"
#     cis-azure-5.0: "8.3.6"
#     mcsb: PA-7
#     azure-policy: 12d4fa5e-1f9f-4c21-97a9-b99b3c6611b5
#     checkov: CKV_AZURE_242
package kvscan.rules.rbac_authorization

import rego.v1

# The api-version from which a vault created without the property uses RBAC.
rbac_default_api_version := "2026-02-01"

template_kinds := {"arm", "bicep"}

deny contains finding if {
	vault := input.vault.resource
	not rbac_enabled(input.vault.resource, record_source)
	finding := {
		"resource": vault.id,
		"message": sprintf("Key Vault '%s' uses access policies instead of Azure RBAC: whoever can write the vault can grant themselves data access", [vault.name]),
		"path": ["resource", "properties", "enableRbacAuthorization"],
	}
}

# kvscan always sets the record's source; a record written by hand may leave it out.
default record_source := {}

record_source := input.vault.source

# The vault record's members, not the record: kvscan converts only the members rules name.
rbac_enabled(resource, _) if resource.properties.enableRbacAuthorization == true

rbac_enabled(resource, source) if {
	source.kind in template_kinds
	not explicitly_set(resource.properties)
	is_string(resource.apiVersion)
	resource.apiVersion >= rbac_default_api_version
}

explicitly_set(properties) if {
	"enableRbacAuthorization" in object.keys(properties)
	properties.enableRbacAuthorization != null
}
