//! The access matrix of one vault: every role assignment that applies to it and every access
//! policy on it, as one row each, read with the semantics of policies/lib/access.rego and
//! data_access.rego (which grants reach the data plane, when access policies count).

use super::model::{Grant, GrantKind, Permissions, Plane, ScopeKind, VaultRef};
use super::principals::Directory;
use super::roles::RoleBook;
use super::scope;
use crate::inventory::{SourceKind, VaultParts};
use serde_json::Value;

/// Where in the vault record a row comes from, so findings (whose paths point there) can be tied
/// to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Origin {
    RoleAssignment(usize),
    AccessPolicy(usize),
}

#[derive(Debug, Clone)]
pub struct Row {
    pub origin: Origin,
    pub grant: Grant,
    /// The grant counts as data-plane access the way the tenant-wide access rules (KV060, KV061)
    /// count it: a data role at, above or inside the vault whatever the permission model, or an
    /// access policy granting more than `list` on a vault that uses access policies.
    pub data_access: bool,
}

/// What the rows of one vault need to know besides the record.
pub struct Lookups<'a> {
    pub directory: &'a Directory<'a>,
    pub roles: &'a RoleBook,
    pub subscription_name: &'a dyn Fn(&str) -> Option<String>,
}

/// The API version from which a template-created vault uses RBAC when it does not say
/// (KV003's `rbac_default_api_version`).
const RBAC_DEFAULT_API_VERSION: &str = "2026-02-01";

/// KV003's notion of an RBAC vault, including the creation default of a template's apiVersion.
pub fn uses_rbac(parts: &VaultParts) -> bool {
    let properties = parts.resource.get("properties");
    let setting = properties.and_then(|p| p.get("enableRbacAuthorization"));
    if setting == Some(&Value::Bool(true)) {
        return true;
    }
    let template = matches!(parts.source.kind, SourceKind::Arm | SourceKind::Bicep);
    let explicitly_set = setting.is_some_and(|v| !v.is_null());
    let api_version = parts.resource.get("apiVersion").and_then(Value::as_str);
    template && !explicitly_set && api_version.is_some_and(|v| v >= RBAC_DEFAULT_API_VERSION)
}

/// Every row of one vault, in record order.
pub fn vault_rows(vault: &VaultRef, parts: &VaultParts, lookups: &Lookups) -> Vec<Row> {
    let rbac = uses_rbac(parts);
    let mut rows = Vec::new();
    for (index, assignment) in parts.role_assignments.iter().enumerate() {
        if let Some(row) = role_assignment_row(vault, rbac, index, assignment, lookups) {
            rows.push(row);
        }
    }
    let policies = parts.resource.pointer("/properties/accessPolicies").and_then(Value::as_array);
    for (index, policy) in policies.into_iter().flatten().enumerate() {
        rows.push(access_policy_row(vault, rbac, index, policy, lookups.directory));
    }
    rows
}

fn text<'v>(value: &'v Value, pointer: &str) -> Option<&'v str> {
    value.pointer(pointer).and_then(Value::as_str).filter(|s| !s.trim().is_empty())
}

fn role_assignment_row(
    vault: &VaultRef,
    rbac: bool,
    index: usize,
    assignment: &Value,
    lookups: &Lookups,
) -> Option<Row> {
    let placement = scope::place(text(assignment, "/properties/scope"), &vault.id, lookups.subscription_name)?;
    let principal_id = text(assignment, "/properties/principalId").unwrap_or("unknown principal");
    let principal = lookups.directory.resolve(principal_id, text(assignment, "/properties/principalType"));
    let resolved = lookups.roles.resolve(assignment);
    let role_key = resolved.role.definition_id.clone().unwrap_or_else(|| resolved.role.name.to_ascii_lowercase());
    let note = match resolved.plane {
        Plane::Data if !rbac => Some(
            "latent: the vault uses access policies, so Azure does not honour this data role until it switches to RBAC"
                .to_string(),
        ),
        Plane::Both if !rbac => {
            Some("its data actions are not honoured while the vault uses access policies".to_string())
        }
        Plane::Unknown => {
            Some("role definition not in the inventory or roles.json: what it allows is unknown".to_string())
        }
        _ => None,
    };
    let created_by = text(assignment, "/properties/createdBy").map(str::to_string);
    let grant = Grant {
        key: grant_key(&vault.id, principal_id, GrantKind::RoleAssignment, &role_key, &placement.scope),
        vault: vault.clone(),
        kind: GrantKind::RoleAssignment,
        role: Some(resolved.role),
        permissions: None,
        application_id: None,
        inherited: placement.kind.inherited(),
        inherited_from: placement.from,
        object: placement.object,
        scope: placement.scope,
        scope_kind: placement.kind,
        plane: resolved.plane,
        effective: rbac || resolved.plane != Plane::Data,
        note,
        condition: text(assignment, "/properties/condition").map(str::to_string),
        created_on: text(assignment, "/properties/createdOn").map(str::to_string),
        created_by_name: created_by.as_deref().and_then(|id| lookups.directory.display_name(id)),
        created_by,
        assignment_id: text(assignment, "/id").map(str::to_string),
        risks: Vec::new(),
        principal,
    };
    let data_access = grant.plane.reaches_data() && principal_id != "unknown principal";
    Some(Row { origin: Origin::RoleAssignment(index), grant, data_access })
}

fn permission_list(policy: &Value, list: &str) -> Vec<String> {
    let mut values: Vec<String> = policy
        .pointer(&format!("/permissions/{list}"))
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(Value::as_str).map(str::to_ascii_lowercase).collect())
        .unwrap_or_default();
    values.sort();
    values.dedup();
    values
}

fn access_policy_row(vault: &VaultRef, rbac: bool, index: usize, policy: &Value, directory: &Directory) -> Row {
    let principal_id = text(policy, "/objectId").unwrap_or("unknown principal");
    let permissions = Permissions {
        keys: permission_list(policy, "keys"),
        secrets: permission_list(policy, "secrets"),
        certificates: permission_list(policy, "certificates"),
        storage: permission_list(policy, "storage"),
    };
    // access.rego's policy_grants_data: some key, secret or certificate permission besides `list`.
    let grants_data = [&permissions.keys, &permissions.secrets, &permissions.certificates]
        .iter()
        .any(|list| list.iter().any(|p| p != "list"));
    let application_id = text(policy, "/applicationId").map(str::to_string);
    let mut permissions_key = format!(
        "keys={};secrets={};certificates={};storage={}",
        permissions.keys.join(","),
        permissions.secrets.join(","),
        permissions.certificates.join(","),
        permissions.storage.join(",")
    );
    if let Some(application) = &application_id {
        permissions_key.push_str(&format!(";application={}", application.to_ascii_lowercase()));
    }
    let note = if rbac {
        Some("ignored: vault uses RBAC".to_string())
    } else if !grants_data {
        Some("list only: object names and metadata, no contents".to_string())
    } else {
        None
    };
    let scope = vault.id.trim_end_matches('/').to_string();
    let grant = Grant {
        key: grant_key(&vault.id, principal_id, GrantKind::AccessPolicy, &permissions_key, &scope),
        vault: vault.clone(),
        principal: directory.resolve(principal_id, None),
        kind: GrantKind::AccessPolicy,
        role: None,
        permissions: Some(permissions),
        application_id,
        scope,
        scope_kind: ScopeKind::Vault,
        inherited: false,
        inherited_from: None,
        object: None,
        plane: Plane::Data,
        effective: !rbac,
        note,
        condition: None,
        created_on: None,
        created_by: None,
        created_by_name: None,
        assignment_id: None,
        risks: Vec::new(),
    };
    let data_access = !rbac && grants_data && principal_id != "unknown principal";
    Row { origin: Origin::AccessPolicy(index), grant, data_access }
}

/// The identity of a grant across quarters (see docs/access-review.md, "Changes").
pub fn grant_key(
    vault_id: &str,
    principal_id: &str,
    kind: GrantKind,
    role_or_permissions: &str,
    scope: &str,
) -> String {
    let kind = match kind {
        GrantKind::RoleAssignment => "roleAssignment",
        GrantKind::AccessPolicy => "accessPolicy",
    };
    format!(
        "{}|{}|{kind}|{}|{}",
        scope::normalize(vault_id),
        principal_id.to_ascii_lowercase(),
        role_or_permissions.to_ascii_lowercase(),
        scope::normalize(scope)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::Principal;
    use crate::report::model::{PrincipalKind, PrincipalStatus};
    use serde_json::json;

    const VAULT: &str = "/subscriptions/s1/resourceGroups/rg-app/providers/Microsoft.KeyVault/vaults/kv-app";

    fn roles() -> RoleBook {
        let data = json!({"definitions": {
            "4633458b-17de-408a-b874-0445c86b69e6": {"name": "Key Vault Secrets User", "dataPlane": true},
            "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": {"name": "Owner", "canWriteVault": true, "canAssignRoles": true},
            "acdd72a7-3385-48ef-bd42-f606fba81ae7": {"name": "Reader"},
        }});
        RoleBook::new(Some(&data), &[])
    }

    fn assignment(scope: &str, principal: &str, guid: &str) -> Value {
        json!({
            "id": format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{principal}-{guid}"),
            "properties": {
                "scope": scope, "principalId": principal, "principalType": "ServicePrincipal",
                "roleDefinitionId": format!("/subscriptions/s1/providers/Microsoft.Authorization/roleDefinitions/{guid}"),
                "createdOn": "2026-01-19T01:40:17.1361217Z", "createdBy": "admin-1",
            }
        })
    }

    fn rows(rbac: Option<bool>, assignments: Vec<Value>, policies: Value) -> Vec<Row> {
        let parts = VaultParts {
            resource: json!({"id": VAULT, "name": "kv-app", "properties": {"enableRbacAuthorization": rbac, "accessPolicies": policies}}),
            role_assignments: assignments,
            ..VaultParts::default()
        };
        let principals = vec![
            Principal {
                id: "MI-1".into(),
                display_name: Some("id-app".into()),
                principal_type: Some("ManagedIdentity".into()),
                user_principal_name: None,
            },
            Principal {
                id: "admin-1".into(),
                display_name: Some("Alice".into()),
                principal_type: Some("User".into()),
                user_principal_name: Some("alice@contoso.com".into()),
            },
        ];
        let directory = Directory::new(&principals);
        let roles = roles();
        let names = |id: &str| id.eq_ignore_ascii_case("s1").then(|| "Production".to_string());
        let lookups = Lookups { directory: &directory, roles: &roles, subscription_name: &names };
        vault_rows(&VaultRef { name: "kv-app".into(), id: VAULT.into() }, &parts, &lookups)
    }

    #[test]
    fn inherited_scopes_are_resolved_and_labelled() {
        let rows = rows(
            Some(true),
            vec![
                assignment(
                    "/providers/Microsoft.Management/managementGroups/mg-platform",
                    "mi-1",
                    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
                ),
                assignment("/subscriptions/S1", "mi-1", "acdd72a7-3385-48ef-bd42-f606fba81ae7"),
                assignment("/subscriptions/s1/resourceGroups/RG-APP", "mi-1", "4633458b-17de-408a-b874-0445c86b69e6"),
                assignment(VAULT, "mi-1", "4633458b-17de-408a-b874-0445c86b69e6"),
                // Another resource group whose name starts like this vault's: does not apply.
                assignment("/subscriptions/s1/resourceGroups/rg-ap", "mi-1", "4633458b-17de-408a-b874-0445c86b69e6"),
            ],
            json!([]),
        );
        let seen: Vec<(ScopeKind, bool, Option<&str>)> =
            rows.iter().map(|r| (r.grant.scope_kind, r.grant.inherited, r.grant.inherited_from.as_deref())).collect();
        assert_eq!(
            seen,
            vec![
                (ScopeKind::ManagementGroup, true, Some("management group 'mg-platform'")),
                (ScopeKind::Subscription, true, Some("subscription 'Production' (S1)")),
                (ScopeKind::ResourceGroup, true, Some("resource group 'RG-APP'")),
                (ScopeKind::Vault, false, None),
            ]
        );
        let first = &rows[0].grant;
        assert_eq!((first.plane, first.principal.kind), (Plane::Control, PrincipalKind::ManagedIdentity));
        assert_eq!(first.principal.display_name.as_deref(), Some("id-app"));
        assert_eq!(first.created_by_name.as_deref(), Some("Alice"));
        assert_eq!(rows[1].grant.role.as_ref().map(|r| r.name.as_str()), Some("Reader"));
        assert!(rows[2].data_access && rows[3].data_access && !rows[0].data_access);
    }

    #[test]
    fn access_policies_and_role_assignments_are_both_listed() {
        let policies = json!([
            {"tenantId": "t", "objectId": "admin-1", "permissions": {"secrets": ["Get", "LIST", "get"], "keys": []}},
            {"tenantId": "t", "objectId": "gone-1", "permissions": {"secrets": ["list"]}},
        ]);
        let rows = rows(None, vec![assignment(VAULT, "mi-1", "4633458b-17de-408a-b874-0445c86b69e6")], policies);
        let kinds: Vec<GrantKind> = rows.iter().map(|r| r.grant.kind).collect();
        assert_eq!(kinds, vec![GrantKind::RoleAssignment, GrantKind::AccessPolicy, GrantKind::AccessPolicy]);
        // An access-policy vault: its policies apply, RBAC data roles are latent (the rules still count them).
        let role = &rows[0];
        assert!(!role.grant.effective && role.data_access);
        assert!(role.grant.note.as_deref().is_some_and(|n| n.starts_with("latent")));
        let policy = &rows[1];
        assert!(policy.grant.effective && policy.data_access);
        assert_eq!(
            policy.grant.permissions.as_ref().map(|p| p.secrets.clone()),
            Some(vec!["get".to_string(), "list".to_string()])
        );
        assert_eq!(policy.grant.principal.user_principal_name.as_deref(), Some("alice@contoso.com"));
        let list_only = &rows[2];
        assert!(!list_only.data_access, "list alone is not data access");
        assert_eq!(list_only.grant.principal.status, PrincipalStatus::Orphaned);
    }

    #[test]
    fn access_policies_on_rbac_vaults_are_listed_but_ignored() {
        let policies = json!([{"objectId": "admin-1", "permissions": {"secrets": ["all"]}}]);
        let rows = rows(Some(true), vec![], policies);
        assert_eq!(rows.len(), 1);
        assert!(!rows[0].grant.effective && !rows[0].data_access);
        assert_eq!(rows[0].grant.note.as_deref(), Some("ignored: vault uses RBAC"));
    }

    #[test]
    fn per_object_assignments_are_attributed_to_their_object() {
        let rows = rows(
            Some(true),
            vec![
                assignment(&format!("{VAULT}/secrets/stripe-key"), "mi-1", "4633458b-17de-408a-b874-0445c86b69e6"),
                assignment(&format!("{VAULT}/certificates/api-tls"), "mi-1", "4633458b-17de-408a-b874-0445c86b69e6"),
            ],
            json!([]),
        );
        let objects: Vec<(ScopeKind, String)> =
            rows.iter().map(|r| (r.grant.scope_kind, r.grant.scope_label())).collect();
        assert_eq!(
            objects,
            vec![
                (ScopeKind::Object, "secret 'stripe-key'".to_string()),
                (ScopeKind::Object, "certificate 'api-tls'".to_string())
            ]
        );
        assert!(rows.iter().all(|r| !r.grant.inherited && r.data_access));
        assert_ne!(rows[0].grant.key, rows[1].grant.key);
    }

    #[test]
    fn template_vaults_follow_the_creation_default_of_their_api_version() {
        let mut parts = VaultParts {
            resource: json!({"id": VAULT, "name": "kv", "apiVersion": "2026-02-01", "properties": {}}),
            ..VaultParts::default()
        };
        assert!(!uses_rbac(&parts), "a live vault without the property uses access policies");
        parts.source.kind = SourceKind::Arm;
        assert!(uses_rbac(&parts));
        parts.resource["apiVersion"] = json!("2024-11-01");
        assert!(!uses_rbac(&parts));
    }
}
