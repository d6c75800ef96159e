//! What a role assignment's role can do, read the way the access rules read it: the well-known
//! roles from the catalog's roles.json (`data.kvscan.roles`), looked up by definition GUID and
//! then by name; custom roles from the inventory's `roleDefinitions`, whose data actions are
//! judged like policies/lib/data_access.rego judges them.

use super::model::{Plane, RoleRef};
use serde_json::Value;
use std::collections::HashMap;

/// A roles.json entry.
#[derive(Debug, Clone, Default)]
struct KnownRole {
    name: String,
    data_plane: bool,
    can_write_vault: bool,
    can_assign_roles: bool,
}

/// A custom role as its definition in the inventory describes it.
#[derive(Debug, Clone, Default)]
struct CustomRole {
    name: Option<String>,
    grants_data: bool,
    can_write_vault: bool,
    can_assign_roles: bool,
    has_actions: bool,
}

pub struct RoleBook {
    known: HashMap<String, KnownRole>,
    known_by_name: HashMap<String, String>,
    custom: HashMap<String, CustomRole>,
}

/// A role assignment's role, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedRole {
    pub role: RoleRef,
    pub plane: Plane,
}

impl RoleBook {
    /// `roles` is the catalog's `roles` data document; `definitions` the inventory's role definitions.
    pub fn new(roles: Option<&Value>, definitions: &[Value]) -> Self {
        let mut known = HashMap::new();
        let mut known_by_name = HashMap::new();
        if let Some(Value::Object(entries)) = roles.and_then(|r| r.get("definitions")) {
            for (guid, entry) in entries {
                let flag = |name: &str| entry.get(name).and_then(Value::as_bool).unwrap_or(false);
                let role = KnownRole {
                    name: entry.get("name").and_then(Value::as_str).unwrap_or(guid).to_string(),
                    data_plane: flag("dataPlane"),
                    can_write_vault: flag("canWriteVault"),
                    can_assign_roles: flag("canAssignRoles"),
                };
                known_by_name.insert(role.name.to_ascii_lowercase(), guid.to_ascii_lowercase());
                known.insert(guid.to_ascii_lowercase(), role);
            }
        }
        let custom = definitions.iter().filter_map(|d| Some((definition_guid(d)?, custom_role(d)))).collect();
        RoleBook { known, known_by_name, custom }
    }

    /// The role of a verbatim role assignment (plus kvscan's `roleName`).
    pub fn resolve(&self, assignment: &Value) -> ResolvedRole {
        let guid = assignment
            .pointer("/properties/roleDefinitionId")
            .and_then(Value::as_str)
            .and_then(|id| id.trim_end_matches('/').rsplit('/').next())
            .filter(|g| !g.is_empty())
            .map(str::to_ascii_lowercase);
        let given_name = assignment.get("roleName").and_then(Value::as_str).filter(|n| !n.trim().is_empty());
        let known = guid.as_ref().and_then(|g| self.known.get(g)).or_else(|| {
            given_name.and_then(|n| self.known_by_name.get(&n.to_ascii_lowercase())).and_then(|g| self.known.get(g))
        });
        let custom = if known.is_none() { guid.as_ref().and_then(|g| self.custom.get(g)) } else { None };
        let name = given_name
            .map(str::to_string)
            .or_else(|| known.map(|k| k.name.clone()))
            .or_else(|| custom.and_then(|c| c.name.clone()))
            .or_else(|| guid.clone())
            .unwrap_or_else(|| "an unknown role".into());
        let plane = match (known, custom) {
            (Some(k), _) => plane(k.data_plane, k.can_write_vault || k.can_assign_roles, true),
            (None, Some(c)) => plane(c.grants_data, c.can_write_vault || c.can_assign_roles, c.has_actions),
            (None, None) => Plane::Unknown,
        };
        ResolvedRole { role: RoleRef { name, definition_id: guid }, plane }
    }
}

fn plane(data: bool, manages_access: bool, has_actions: bool) -> Plane {
    match (data, manages_access) {
        (true, true) => Plane::Both,
        (true, false) => Plane::Data,
        (false, _) if has_actions => Plane::Control,
        (false, _) => Plane::None,
    }
}

fn definition_guid(definition: &Value) -> Option<String> {
    let from_name = definition.get("name").and_then(Value::as_str).filter(|n| !n.trim().is_empty());
    let from_id =
        || definition.get("id").and_then(Value::as_str).and_then(|id| id.trim_end_matches('/').rsplit('/').next());
    from_name.or_else(from_id).map(str::to_ascii_lowercase)
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(Value::as_str).map(str::to_ascii_lowercase).collect())
        .unwrap_or_default()
}

fn custom_role(definition: &Value) -> CustomRole {
    let mut role = CustomRole {
        name: definition.pointer("/properties/roleName").and_then(Value::as_str).map(str::to_string),
        ..CustomRole::default()
    };
    let permissions =
        definition.pointer("/properties/permissions").and_then(Value::as_array).cloned().unwrap_or_default();
    for permission in &permissions {
        let not_data = strings(permission.get("notDataActions"));
        // data_access.rego: a Key Vault data action that is not metadata-only and not excluded verbatim.
        role.grants_data |= strings(permission.get("dataActions")).iter().any(|action| {
            let key_vault =
                action == "*" || action == "microsoft.keyvault/*" || action.starts_with("microsoft.keyvault/vaults/");
            let metadata = action.ends_with("/read") || action.ends_with("/readmetadata/action");
            key_vault && !metadata && !not_data.contains(action)
        });
        let not_actions = strings(permission.get("notActions"));
        let actions: Vec<String> =
            strings(permission.get("actions")).into_iter().filter(|a| !not_actions.contains(a)).collect();
        role.has_actions |= !actions.is_empty();
        role.can_write_vault |= actions.iter().any(|a| {
            matches!(
                a.as_str(),
                "*" | "microsoft.keyvault/*" | "microsoft.keyvault/vaults/*" | "microsoft.keyvault/vaults/write"
            )
        });
        role.can_assign_roles |= actions.iter().any(|a| {
            matches!(
                a.as_str(),
                "*" | "microsoft.authorization/*"
                    | "microsoft.authorization/roleassignments/*"
                    | "microsoft.authorization/roleassignments/write"
            )
        });
    }
    role
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn book() -> RoleBook {
        let roles = json!({"definitions": {
            "4633458b-17de-408a-b874-0445c86b69e6": {"name": "Key Vault Secrets User", "dataPlane": true},
            "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": {"name": "Owner", "canWriteVault": true, "canAssignRoles": true},
        }});
        let custom = json!({"name": "2f55c3e8-71da-4dd5-a995-e7f90e45199c", "properties": {"roleName": "Rotator", "permissions": [
            {"actions": ["Microsoft.KeyVault/vaults/read"], "dataActions": ["Microsoft.KeyVault/vaults/secrets/*"], "notDataActions": []}]}});
        let metadata = json!({"name": "11111111-0000-0000-0000-000000000000", "properties": {"roleName": "Lister", "permissions": [
            {"actions": [], "dataActions": ["Microsoft.KeyVault/vaults/secrets/readMetadata/action"]}]}});
        RoleBook::new(Some(&roles), &[custom, metadata])
    }

    fn assignment(definition: &str, name: Option<&str>) -> Value {
        json!({"properties": {"roleDefinitionId": format!("/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/{definition}")}, "roleName": name})
    }

    #[test]
    fn well_known_roles_by_guid_or_name() {
        let book = book();
        let by_guid = book.resolve(&assignment("4633458B-17DE-408A-B874-0445C86B69E6", None));
        assert_eq!((by_guid.role.name.as_str(), by_guid.plane), ("Key Vault Secrets User", Plane::Data));
        let by_name = book.resolve(&json!({"roleName": "owner"}));
        assert_eq!((by_name.role.name.as_str(), by_name.plane), ("owner", Plane::Control));
    }

    #[test]
    fn custom_roles_are_judged_by_their_definition() {
        let book = book();
        let rotator = book.resolve(&assignment("2f55c3e8-71da-4dd5-a995-e7f90e45199c", None));
        assert_eq!((rotator.role.name.as_str(), rotator.plane), ("Rotator", Plane::Data));
        let lister = book.resolve(&assignment("11111111-0000-0000-0000-000000000000", Some("Lister")));
        assert_eq!(lister.plane, Plane::None, "metadata-only data actions are not data access");
        let unknown = book.resolve(&assignment("22222222-0000-0000-0000-000000000000", None));
        assert_eq!(
            (unknown.role.name.as_str(), unknown.plane),
            ("22222222-0000-0000-0000-000000000000", Plane::Unknown)
        );
    }
}
