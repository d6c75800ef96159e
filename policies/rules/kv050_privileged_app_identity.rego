# METADATA
# title: Application identities hold no privileged role on the Key Vault
# description: |
#   An application's credentials (client secrets, certificates, federated tokens, a compromised
#   workload running as a managed identity) are used unattended and leak more easily than a
#   person's sign-in, which MFA and Conditional Access protect. A workload needs a narrow data
#   role such as Key Vault Secrets User; a privileged role lets a leaked app credential take over
#   the vault: Owner, Contributor, User Access Administrator, Role Based Access Control
#   Administrator and Key Vault Data Access Administrator can change the vault or its
#   permissions (and so grant themselves data access), while Key Vault Administrator and the
#   Secrets/Crypto/Certificates Officer roles can read, overwrite, delete and purge its contents.
#
#   Verdict: one finding per role assignment in `roleAssignments` whose principal is a service
#   principal (ARM `principalType` `ServicePrincipal`, case-insensitive, which includes managed
#   identities; when a template leaves `principalType` out, the directory type from
#   `data.kvscan.principals` is used) and whose role is marked `privileged` in
#   `data.kvscan.roles` (looked up by the role definition GUID, else by `roleName`,
#   case-insensitive), assigned at or above the vault: the vault itself, its resource group, its
#   subscription, a management group or the root `/` (scopes compared case-insensitively, at
#   `/` boundaries; an absent scope counts as the vault). Assignments on a single secret, key or
#   certificate and custom roles that roles.json does not know are not evaluated. An ABAC
#   `condition` on the assignment does not exempt it.
# custom:
#   id: KV050
#   severity: high
#   scope: vault
#   tags: [access-control, identity, least-privilege]
#   checks:
#     arm: roleAssignments[].properties.principalType == ServicePrincipal, roleAssignments[].properties.roleDefinitionId (privileged role), roleAssignments[].properties.scope (at or above the vault)
#     terraform: azurerm_role_assignment.principal_type, role_definition_name / role_definition_id, scope
#   remediation: |
#     Replace the privileged role with the narrowest data role the workload needs, assigned on
#     the vault (or on the one secret or key it uses), and let people or a pipeline with
#     just-in-time (PIM) access do the administration:
#
#     - az CLI: `az role assignment delete --assignee <object-id> --role "Key Vault Administrator" --scope <vault-id>` then
#       `az role assignment create --assignee-object-id <object-id> --assignee-principal-type ServicePrincipal --role "Key Vault Secrets User" --scope <vault-id>`
#     - Bicep: `resource ra 'Microsoft.Authorization/roleAssignments@2022-04-01' = { scope: kv, name: guid(kv.id, principalId, '4633458b-17de-408a-b874-0445c86b69e6'), properties: { roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '4633458b-17de-408a-b874-0445c86b69e6'), principalId: principalId, principalType: 'ServicePrincipal' } }`
#     - Terraform: `resource "azurerm_role_assignment" "app" { scope = azurerm_key_vault.kv.id, role_definition_name = "Key Vault Secrets User", principal_id = <object-id>, principal_type = "ServicePrincipal" }`
#   benchmarks:
#     mcsb: IM-3, PA-7
#   parameters: {}
package kvscan.rules.privileged_app_identity

import rego.v1

import data.kvscan.lib.access

deny contains finding if {
	vault := input.vault.resource
	some index, fact in data.kvscan.lib.access.assignments
	fact.type == "serviceprincipal"
	fact.role.privileged == true
	fact.coversVault
	assignment := input.vault.roleAssignments[index]
	finding := {
		"resource": access.assignment_id(assignment, vault.id),
		"message": sprintf("Application identity %s holds the privileged role '%s' on Key Vault '%s' (%s): a leaked credential of the application gives administrative control over the vault or its contents", [
			access.display(access.principal_of(assignment)),
			access.role_name(assignment),
			vault.name,
			access.scope_label_of(fact.scope, assignment, vault.id),
		]),
		"path": ["roleAssignments", index],
	}
}
