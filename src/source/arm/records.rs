//! Deployed resources → vault records in the inventory's ARM shape, the same shape a live scan
//! reads from Azure, so every rule judges a template exactly like the vault it would create.
//!
//! What belongs to a vault: its child resources (`vaults/secrets`, `vaults/keys`,
//! `vaults/accessPolicies`, legacy `vaults/providers/…`), extension resources whose `scope` is
//! the vault (role assignments, diagnostic settings), role assignments without a scope (at the
//! resource group: inherited by every vault of the deployment), and private endpoints whose
//! connections target the vault. A value that cannot be known before deployment is left out of
//! the record and listed in its `unknowns`, so a finding about it is a note, not a verdict.

use super::eval::DeploymentInfo;
use super::resolve::Resolved;
use super::template::{reason_of, Walked};
use crate::inventory::{SourceKind, SourceRef, UnknownValue, VaultParts};
use crate::span::escape_token;
use serde_json::{Map, Value};

/// A vault of the template: its record, where its parts are in the files, and its file.
#[derive(Debug, Clone)]
pub struct TemplateVault {
    pub parts: VaultParts,
    /// Record pointer prefix → pointer in `file` (the longest prefix wins).
    pub mappings: Vec<(String, String)>,
    pub file: String,
    /// Pointer of the vault resource in `file`.
    pub pointer: String,
    /// The vault's name is an expression kvscan could not evaluate (kept as its text).
    pub name_unknown: bool,
}

const VAULT: &str = "Microsoft.KeyVault/vaults";

/// Takes the walked resources by value: each is dropped once its part of a record is built, so
/// a large template's evaluated resources and its records are not held in full together.
pub fn vaults(walked: Vec<Walked>, deployment: &DeploymentInfo, kind: SourceKind) -> Vec<TemplateVault> {
    let group = format!("/subscriptions/{}/resourceGroups/{}", deployment.subscription_id, deployment.resource_group);
    let vaults: Vec<TemplateVault> = walked
        .iter()
        .filter(|w| w.is(VAULT))
        .map(|w| {
            let mut unknowns = Vec::new();
            let mut resource = split(&w.body, "/resource", &mut unknowns).unwrap_or_else(|| Value::Object(Map::new()));
            let id = format!("{group}/providers/{VAULT}/{}", w.name);
            if let Value::Object(map) = &mut resource {
                map.insert("id".into(), Value::String(id));
                map.insert("name".into(), Value::String(w.name.clone()));
                map.insert("type".into(), Value::String(VAULT.into()));
            }
            if !w.name_known {
                unknowns.push(UnknownValue {
                    pointer: "/resource/name".into(),
                    reason: format!("the vault name {} is only known at deployment", w.name),
                });
            }
            TemplateVault {
                parts: VaultParts {
                    resource,
                    unknowns,
                    source: SourceRef { kind, file: Some(w.file.clone()), line: None, column: None },
                    ..VaultParts::default()
                },
                // Anything of the record without a place of its own (no diagnostic settings at all)
                // is located at the vault resource.
                mappings: vec![(String::new(), w.pointer.clone()), ("/resource".into(), w.pointer.clone())],
                file: w.file.clone(),
                pointer: w.pointer.clone(),
                name_unknown: !w.name_known,
            }
        })
        .collect();
    let mut vaults = Vaults::new(vaults);

    for child in walked {
        let child = &child;
        let lower = child.kind.to_ascii_lowercase();
        if lower.starts_with("microsoft.keyvault/vaults/") {
            let Some(vault) = parent_vault(&mut vaults, child) else { continue };
            match lower.as_str() {
                "microsoft.keyvault/vaults/secrets" => add_object(vault, child, "secrets"),
                "microsoft.keyvault/vaults/keys" => add_object(vault, child, "keys"),
                "microsoft.keyvault/vaults/accesspolicies" => add_access_policies(vault, child),
                "microsoft.keyvault/vaults/providers/diagnosticsettings" => add_diagnostic_setting(vault, child),
                "microsoft.keyvault/vaults/providers/roleassignments" => {
                    let scope = vault_id(vault);
                    add_role_assignment(vault, child, scope);
                }
                _ => {}
            }
            continue;
        }
        match lower.as_str() {
            "microsoft.insights/diagnosticsettings" => {
                let Some(scope) = child.string_at("/scope") else { continue };
                let Some((name, _)) = vault_in_scope(&scope) else { continue };
                let Some(vault) = vaults.named(&name) else { continue };
                add_diagnostic_setting(vault, child);
            }
            "microsoft.authorization/roleassignments" => match child.string_at("/scope") {
                Some(scope) => {
                    let Some((name, below)) = vault_in_scope(&scope) else { continue };
                    let Some(vault) = vaults.named(&name) else { continue };
                    let scope = format!("{}{below}", vault_id(vault));
                    add_role_assignment(vault, child, scope);
                }
                // No scope: the deployment's resource group, inherited by each of its vaults.
                None if child.body.pointer("/scope").is_none() => {
                    let id =
                        format!("{group}/providers/Microsoft.Authorization/roleAssignments/{}", child.short_name());
                    for vault in &mut vaults.list {
                        add_extension(
                            vault,
                            child,
                            "roleAssignments",
                            "Microsoft.Authorization/roleAssignments",
                            id.clone(),
                            Some(group.clone()),
                        );
                    }
                }
                None => {}
            },
            "microsoft.network/privateendpoints" => {
                for target in private_link_targets(child) {
                    let Some((name, _)) = vault_in_scope(&target) else { continue };
                    let Some(vault) = vaults.named(&name) else { continue };
                    let id = format!("{group}/providers/Microsoft.Network/privateEndpoints/{}", child.name);
                    add_extension(vault, child, "privateEndpoints", "Microsoft.Network/privateEndpoints", id, None);
                }
            }
            _ => {}
        }
    }
    vaults.list
}

fn vault_id(vault: &TemplateVault) -> String {
    vault.parts.resource.get("id").and_then(Value::as_str).unwrap_or_default().to_string()
}

/// The vault a child resource belongs to. Nested children name their parent; a top-level child
/// names it in the first segment of its name. When that name cannot be evaluated (a parameter
/// without a value), the child still belongs to the vault whose name expression it uses, or to
/// the template's only vault: dropping it would silently skip its checks.
fn parent_vault<'a>(vaults: &'a mut Vaults, child: &Walked) -> Option<&'a mut TemplateVault> {
    if let Some(parent) = &child.parent {
        return vaults.named(parent);
    }
    if child.name_known {
        return vaults.named(child.parent_name());
    }
    let raw = child.name.to_ascii_lowercase();
    let vaults = &mut vaults.list;
    let by_expression = vaults.iter().position(|v| {
        let name = v.parts.resource.get("name").and_then(Value::as_str).unwrap_or_default();
        let expression = name.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
        v.name_unknown && !expression.is_empty() && raw.contains(&expression)
    });
    let index = by_expression.or_else(|| (vaults.len() == 1).then_some(0))?;
    vaults.get_mut(index)
}

/// The template's vaults, found by name in constant time: a template with thousands of vaults has
/// tens of thousands of children to attach.
struct Vaults {
    list: Vec<TemplateVault>,
    by_name: std::collections::HashMap<String, usize>,
}

impl Vaults {
    fn new(list: Vec<TemplateVault>) -> Vaults {
        let mut by_name = std::collections::HashMap::new();
        for (index, vault) in list.iter().enumerate() {
            let name = vault.parts.resource.get("name").and_then(Value::as_str).unwrap_or_default();
            // The first vault of a name wins, as ARM deploys them in order.
            by_name.entry(name.to_ascii_lowercase()).or_insert(index);
        }
        Vaults { list, by_name }
    }

    fn named(&mut self, name: &str) -> Option<&mut TemplateVault> {
        let index = *self.by_name.get(&name.to_ascii_lowercase())?;
        self.list.get_mut(index)
    }
}

/// The vault a scope or resource id points at, and the part below it (`/secrets/x`): a full id
/// (`/subscriptions/…/providers/Microsoft.KeyVault/vaults/kv`) or the relative form
/// `Microsoft.KeyVault/vaults/kv` that templates compiled from Bicep use.
pub fn vault_in_scope(scope: &str) -> Option<(String, String)> {
    let lower = scope.to_ascii_lowercase();
    let marker = "microsoft.keyvault/vaults/";
    let start = lower.find(marker)? + marker.len();
    let rest = &scope[start..];
    let (name, below) = match rest.find('/') {
        Some(cut) => (&rest[..cut], &rest[cut..]),
        None => (rest, ""),
    };
    (!name.is_empty()).then(|| (name.to_string(), below.trim_end_matches('/').to_string()))
}

fn private_link_targets(endpoint: &Walked) -> Vec<String> {
    let mut targets = Vec::new();
    for list in ["privateLinkServiceConnections", "manualPrivateLinkServiceConnections"] {
        let Some(Resolved::Known(Value::Array(connections))) = endpoint.body.pointer(&format!("/properties/{list}"))
        else {
            // Partly unknown connection lists: take the known ids one by one.
            let mut index = 0;
            while let Some(id) =
                endpoint.string_at(&format!("/properties/{list}/{index}/properties/privateLinkServiceId"))
            {
                targets.push(id);
                index += 1;
            }
            continue;
        };
        targets.extend(
            connections.iter().filter_map(|c| {
                c.pointer("/properties/privateLinkServiceId").and_then(Value::as_str).map(str::to_string)
            }),
        );
    }
    targets
}

/// A secret or key: the ARM child resource, with a secret's value dropped — an inventory never
/// holds one, and the template's value (often a parameter) says nothing about compliance.
fn add_object(vault: &mut TemplateVault, child: &Walked, list: &str) {
    let index = match list {
        "secrets" => vault.parts.secrets.len(),
        _ => vault.parts.keys.len(),
    };
    let prefix = format!("/{list}/{index}");
    let mut unknowns = Vec::new();
    let Some(Value::Object(mut object)) = split(&child.body, &prefix, &mut unknowns) else { return };
    object.remove("apiVersion");
    if let Some(Value::Object(properties)) = object.get_mut("properties") {
        properties.remove("value");
    }
    unknowns.retain(|u| !u.pointer.ends_with("/properties/value"));
    object.insert("id".into(), Value::String(format!("{}/{list}/{}", vault_id(vault), child.short_name())));
    object.insert("name".into(), Value::String(child.short_name().to_string()));
    let value = Value::Object(object);
    match list {
        "secrets" => vault.parts.secrets.push(value),
        _ => vault.parts.keys.push(value),
    }
    vault.parts.unknowns.extend(unknowns);
    if child.file == vault.file {
        vault.mappings.push((prefix, child.pointer.clone()));
    }
}

/// `vaults/accessPolicies` (`add`, `replace`) entries join the vault's own access policies.
fn add_access_policies(vault: &mut TemplateVault, child: &Walked) {
    if child.short_name().eq_ignore_ascii_case("remove") {
        return;
    }
    let Some(Value::Array(entries)) = child.body.pointer("/properties/accessPolicies").and_then(|r| r.known().cloned())
    else {
        if child.body.pointer("/properties/accessPolicies").is_some() {
            vault.parts.unknowns.push(UnknownValue {
                pointer: "/resource/properties/accessPolicies".into(),
                reason: format!("the access policies of {} are only known at deployment", child.name),
            });
        }
        return;
    };
    let Value::Object(resource) = &mut vault.parts.resource else { return };
    let properties = resource.entry("properties").or_insert_with(|| Value::Object(Map::new()));
    let Value::Object(properties) = properties else { return };
    let list = properties.entry("accessPolicies").or_insert_with(|| Value::Array(Vec::new()));
    let Value::Array(list) = list else { return };
    for (j, entry) in entries.into_iter().enumerate() {
        if child.file == vault.file {
            vault.mappings.push((
                format!("/resource/properties/accessPolicies/{}", list.len()),
                format!("{}/properties/accessPolicies/{j}", child.pointer),
            ));
        }
        list.push(entry);
    }
}

/// A diagnostic setting on the vault, as `{vault}/providers/Microsoft.Insights/diagnosticSettings/{name}`.
fn add_diagnostic_setting(vault: &mut TemplateVault, child: &Walked) {
    let id = format!("{}/providers/Microsoft.Insights/diagnosticSettings/{}", vault_id(vault), child.short_name());
    add_extension(vault, child, "diagnosticSettings", "Microsoft.Insights/diagnosticSettings", id, None);
}

/// A role assignment at `scope` (the vault, or an object below it).
fn add_role_assignment(vault: &mut TemplateVault, child: &Walked, scope: String) {
    let id = format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{}", child.short_name());
    add_extension(vault, child, "roleAssignments", "Microsoft.Authorization/roleAssignments", id, Some(scope));
}

fn add_extension(vault: &mut TemplateVault, child: &Walked, list: &str, kind: &str, id: String, scope: Option<String>) {
    let index = match list {
        "roleAssignments" => vault.parts.role_assignments.len(),
        "diagnosticSettings" => vault.parts.diagnostic_settings.len(),
        _ => vault.parts.private_endpoints.len(),
    };
    let prefix = format!("/{list}/{index}");
    let mut unknowns = Vec::new();
    let Some(Value::Object(mut object)) = split(&child.body, &prefix, &mut unknowns) else { return };
    object.remove("apiVersion");
    object.remove("scope");
    object.insert("id".into(), Value::String(id));
    object.insert("name".into(), Value::String(child.short_name().to_string()));
    object.insert("type".into(), Value::String(kind.to_string()));
    if let (Some(scope), Some(Value::Object(properties))) = (scope, object.get_mut("properties")) {
        properties.insert("scope".into(), Value::String(scope));
    }
    let value = Value::Object(object);
    match list {
        "roleAssignments" => vault.parts.role_assignments.push(value),
        "diagnosticSettings" => vault.parts.diagnostic_settings.push(value),
        _ => vault.parts.private_endpoints.push(value),
    }
    vault.parts.unknowns.extend(unknowns);
    if child.file == vault.file {
        vault.mappings.push((prefix, child.pointer.clone()));
    }
}

/// The known part of an evaluated value; every unknown or invalid leaf is left out and listed
/// with its record pointer (`prefix` + its place) and the reason.
pub fn split(value: &Resolved, prefix: &str, unknowns: &mut Vec<UnknownValue>) -> Option<Value> {
    match value {
        Resolved::Known(value) => Some(value.clone()),
        Resolved::Unknown { .. } | Resolved::Invalid { .. } => {
            unknowns.push(UnknownValue { pointer: prefix.to_string(), reason: reason_of(value) });
            None
        }
        Resolved::Object(members) => {
            let mut map = Map::new();
            for (key, member) in members {
                if let Some(known) = split(member, &format!("{prefix}/{}", escape_token(key)), unknowns) {
                    map.insert(key.clone(), known);
                }
            }
            Some(Value::Object(map))
        }
        Resolved::Array(items) => Some(Value::Array(
            items.iter().enumerate().filter_map(|(i, item)| split(item, &format!("{prefix}/{i}"), unknowns)).collect(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_name_their_vault() {
        assert_eq!(
            vault_in_scope("/subscriptions/s/resourceGroups/r/providers/Microsoft.KeyVault/vaults/kv1"),
            Some(("kv1".into(), String::new()))
        );
        assert_eq!(
            vault_in_scope("Microsoft.KeyVault/vaults/kv2/secrets/s"),
            Some(("kv2".into(), "/secrets/s".into()))
        );
        assert_eq!(vault_in_scope("/subscriptions/s/resourceGroups/r"), None);
    }
}
