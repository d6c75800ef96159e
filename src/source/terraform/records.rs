//! Terraform resources → vault records: each `azurerm_key_vault` becomes a record, and the
//! resources that belong to it (secrets, keys, certificates, access policies, role assignments,
//! diagnostic settings, private endpoints) join it by the vault's id or by address references.

use super::mapping::{self, Attribute};
use super::{TfResource, SUBSCRIPTION};
use crate::inventory::{SourceKind, SourceRef, UnknownValue, VaultParts};
use serde_json::{json, Map, Value};
use std::collections::{HashMap, HashSet};

const VAULT_TYPE: &str = "Microsoft.KeyVault/vaults";

/// A vault of the configuration, its record parts and where those parts are in the source.
#[derive(Debug, Clone)]
pub struct BuiltVault {
    pub parts: VaultParts,
    /// Record pointer prefix → source pointer (the longest prefix wins).
    pub places: Vec<(String, String)>,
    /// Source pointer of the vault resource.
    pub origin: String,
    address: String,
    config_address: String,
    index_key: Option<String>,
}

/// What a plan or configuration holds for the inventory.
#[derive(Debug, Default)]
pub struct Built {
    pub vaults: Vec<BuiltVault>,
    pub pricings: Vec<Value>,
    /// Resources that belong to a vault kvscan could not identify.
    pub problems: Vec<String>,
    index: VaultIndex,
}

/// Lookups of vaults by id and by address, built once the vaults are known: every child
/// resource is matched against them, and a scan over all vaults per child was quadratic
/// (5,000 vaults: seconds in the reader alone).
#[derive(Debug, Default)]
struct VaultIndex {
    /// Lower-cased vault id → the first vault with it.
    by_id: HashMap<String, usize>,
    /// Lower-cased vault ids, by vault index.
    lower_ids: Vec<String>,
    /// Resource address or configuration address → vaults, in order.
    by_address: HashMap<String, Vec<usize>>,
    /// Configuration addresses of the vaults.
    config_addresses: HashSet<String>,
}

impl VaultIndex {
    fn new(vaults: &[BuiltVault]) -> VaultIndex {
        let mut index = VaultIndex::default();
        for (i, vault) in vaults.iter().enumerate() {
            let lower = vault.id().to_ascii_lowercase();
            index.by_id.entry(lower.clone()).or_insert(i);
            index.lower_ids.push(lower);
            index.by_address.entry(vault.address.clone()).or_default().push(i);
            if vault.config_address != vault.address {
                index.by_address.entry(vault.config_address.clone()).or_default().push(i);
            }
            index.config_addresses.insert(vault.config_address.clone());
        }
        index
    }

    /// The first vault whose id is `lower` or a prefix of it at a `/`.
    fn containing(&self, lower: &str) -> Option<usize> {
        let whole = self.by_id.get(lower).copied();
        let prefixes = lower.match_indices('/').filter_map(|(cut, _)| self.by_id.get(&lower[..cut]).copied());
        whole.into_iter().chain(prefixes).min()
    }
}

/// The ARM id Azure will give a vault: known when its name and resource group are.
pub fn vault_id(resource_group: &str, name: &str) -> String {
    format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/{resource_group}/providers/{VAULT_TYPE}/{name}")
}

pub fn resource_group_id(name: &str) -> String {
    format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/{name}")
}

pub fn build(resources: &[TfResource], kind: SourceKind, file: &str) -> Built {
    let mut built = Built::default();
    for resource in resources.iter().filter(|r| r.kind == "azurerm_key_vault") {
        built.vaults.push(new_vault(resource, kind, file));
    }
    built.index = VaultIndex::new(&built.vaults);
    for resource in resources {
        match resource.kind.as_str() {
            "azurerm_key_vault_secret" => attach_object(&mut built, resource, "secrets", mapping::SECRET),
            "azurerm_key_vault_key" => attach_object(&mut built, resource, "keys", mapping::KEY),
            "azurerm_key_vault_certificate" => {
                attach_object(&mut built, resource, "certificates", mapping::CERTIFICATE)
            }
            "azurerm_key_vault_access_policy" => attach_access_policy(&mut built, resource),
            "azurerm_role_assignment" => attach_role_assignment(&mut built, resource),
            "azurerm_monitor_diagnostic_setting" => attach_diagnostic_setting(&mut built, resource),
            "azurerm_private_endpoint" => attach_private_endpoint(&mut built, resource),
            "azurerm_security_center_subscription_pricing" => {
                if let Some(pricing) = pricing(resource) {
                    built.pricings.push(pricing);
                }
            }
            _ => {}
        }
    }
    built
}

fn new_vault(resource: &TfResource, kind: SourceKind, file: &str) -> BuiltVault {
    let mut mapped = mapping::map_resource(resource, mapping::VAULT, "/resource");
    let name = resource.string("name").map(str::to_string);
    let id = match (resource.string("resource_group_name"), &name) {
        (Some(group), Some(name)) => vault_id(group, name),
        // Without a name or group the id is only known after apply; the address identifies it.
        _ => resource.address.clone(),
    };
    if let Value::Object(map) = &mut mapped.value {
        map.insert("id".into(), Value::String(id));
        map.insert("name".into(), Value::String(name.unwrap_or_else(|| resource.address.clone())));
        map.insert("type".into(), Value::String(VAULT_TYPE.into()));
    }
    let index_key = resource.address.rfind('[').map(|cut| resource.address[cut..].to_string());
    BuiltVault {
        parts: VaultParts {
            resource: mapped.value,
            unknowns: mapped.unknowns,
            source: SourceRef { kind, file: Some(file.to_string()), line: None, column: None },
            ..VaultParts::default()
        },
        places: mapped.places,
        origin: resource.origin.clone(),
        address: resource.address.clone(),
        config_address: resource.config_address(),
        index_key,
    }
}

impl BuiltVault {
    fn id(&self) -> &str {
        self.parts.resource.get("id").and_then(Value::as_str).unwrap_or_default()
    }
}

/// How a resource's target relates to a vault.
enum Target {
    /// The vault itself, or something below it (`<vault id>/secrets/x`).
    Vault(usize),
    /// A scope above the vault (its resource group, its subscription): inherited.
    Above(Vec<usize>),
}

/// The vault(s) `attribute` of `resource` points at: by known id first, then by the addresses
/// its expression references (with `count`/`for_each`, the vault with the same instance key).
fn target(built: &Built, resource: &TfResource, attribute: &str, ids: &[String]) -> Option<Target> {
    for id in ids {
        let lower = id.to_ascii_lowercase();
        if let Some(index) = built.index.containing(&lower) {
            return Some(Target::Vault(index));
        }
        let scope = format!("{}/", lower.trim_end_matches('/'));
        let above: Vec<usize> =
            built.index.lower_ids.iter().enumerate().filter(|(_, id)| id.starts_with(&scope)).map(|(i, _)| i).collect();
        if !above.is_empty() && lower.starts_with("/subscriptions/") {
            return Some(Target::Above(above));
        }
    }
    let references = resource.references.get(attribute)?;
    for reference in references {
        let candidates: &[usize] = built.index.by_address.get(reference).map_or(&[], Vec::as_slice);
        let own_key = resource.address.rfind('[').map(|cut| &resource.address[cut..]);
        match candidates {
            [] => continue,
            [only] => return Some(Target::Vault(*only)),
            several => {
                let same_key = several.iter().find(|&&i| built.vaults[i].index_key.as_deref() == own_key);
                return same_key.map(|&i| Target::Vault(i));
            }
        }
    }
    None
}

fn the_vault(built: &mut Built, resource: &TfResource, attribute: &str) -> Option<usize> {
    let ids: Vec<String> = resource.string(attribute).map(str::to_string).into_iter().collect();
    match target(built, resource, attribute, &ids) {
        Some(Target::Vault(index)) => Some(index),
        _ => {
            // A child of a vault outside the configuration (a data source, an id from a variable)
            // is not part of any scanned vault; one that references a declared vault but cannot
            // be matched to one instance is a gap the report must show.
            if resource
                .references
                .get(attribute)
                .is_some_and(|refs| refs.iter().any(|r| built.index.config_addresses.contains(r)))
            {
                built.problems.push(format!(
                    "{}: {attribute} references a vault declared with count/for_each, but kvscan cannot tell which instance; it was not scanned",
                    resource.address
                ));
            }
            None
        }
    }
}

fn attach_object(built: &mut Built, resource: &TfResource, list: &str, table: &[Attribute]) {
    let Some(index) = the_vault(built, resource, "key_vault_id") else { return };
    let vault = &mut built.vaults[index];
    let position = match list {
        "secrets" => vault.parts.secrets.len(),
        "keys" => vault.parts.keys.len(),
        _ => vault.parts.certificates.len(),
    };
    let prefix = format!("/{list}/{position}");
    let mut mapped = mapping::map_resource(resource, table, &prefix);
    let name = resource.string("name").map(str::to_string).unwrap_or_else(|| resource.address.clone());
    let vault_id = vault.id().to_string();
    if let Value::Object(map) = &mut mapped.value {
        map.insert("id".into(), Value::String(format!("{vault_id}/{list}/{name}")));
        map.insert("name".into(), Value::String(name));
        if list != "certificates" {
            map.insert("type".into(), Value::String(format!("{VAULT_TYPE}/{list}")));
        }
    }
    if list == "keys" && resource.values.get("expiration_date").is_none_or(Value::is_null) {
        // `rotation_policy.expire_after` gives each new version an expiry, but its date is only
        // known when the key is created.
        let expires =
            resource.values.get("rotation_policy").and_then(|v| v.pointer("/0/expire_after")).and_then(Value::as_str);
        if let Some(after) = expires {
            mapped.unknowns.push(UnknownValue {
                pointer: format!("{prefix}/properties/attributes/exp"),
                reason: format!("rotation_policy.expire_after = {after} sets the expiry when the key is created"),
            });
        }
    }
    if list == "certificates"
        && resource.values.get("certificate_policy").is_none_or(|v| v.is_null() || v == &json!([]))
    {
        // An imported certificate's policy is read from the certificate file by the provider.
        mapped.unknowns.push(UnknownValue {
            pointer: format!("{prefix}/properties/policy"),
            reason: format!("{} imports a certificate: its policy comes from the certificate file", resource.address),
        });
    }
    vault.parts.unknowns.extend(mapped.unknowns);
    vault.places.extend(mapped.places);
    match list {
        "secrets" => vault.parts.secrets.push(mapped.value),
        "keys" => vault.parts.keys.push(mapped.value),
        _ => vault.parts.certificates.push(mapped.value),
    }
}

fn attach_access_policy(built: &mut Built, resource: &TfResource) {
    let Some(index) = the_vault(built, resource, "key_vault_id") else { return };
    let vault = &mut built.vaults[index];
    let Value::Object(resource_map) = &mut vault.parts.resource else { return };
    let properties = resource_map.entry("properties").or_insert_with(|| Value::Object(Map::new()));
    let Value::Object(properties) = properties else { return };
    let list = properties.entry("accessPolicies").or_insert_with(|| Value::Array(Vec::new()));
    let Value::Array(list) = list else { return };
    let prefix = format!("/resource/properties/accessPolicies/{}", list.len());
    let mapped = mapping::map_resource(resource, mapping::ACCESS_POLICY_RESOURCE, &prefix);
    list.push(mapped.value);
    vault.parts.unknowns.extend(mapped.unknowns);
    vault.places.extend(mapped.places);
}

fn attach_role_assignment(built: &mut Built, resource: &TfResource) {
    let scope = resource.string("scope").map(str::to_string);
    let ids: Vec<String> = scope.iter().cloned().collect();
    let targets = match target(built, resource, "scope", &ids) {
        Some(Target::Vault(index)) => vec![index],
        Some(Target::Above(indexes)) => indexes,
        None => return,
    };
    let name = resource.string("name").map(str::to_string).unwrap_or_else(|| resource.address.clone());
    for index in targets {
        let vault = &mut built.vaults[index];
        let prefix = format!("/roleAssignments/{}", vault.parts.role_assignments.len());
        let mut mapped = mapping::map_resource(resource, mapping::ROLE_ASSIGNMENT, &prefix);
        let scope = scope.clone().unwrap_or_else(|| vault.id().to_string());
        mapping::pointer_insert(&mut mapped.value, "/properties/scope", Value::String(scope.clone()));
        if let Value::Object(map) = &mut mapped.value {
            map.insert(
                "id".into(),
                Value::String(format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{name}")),
            );
            map.insert("name".into(), Value::String(name.clone()));
            map.insert("type".into(), Value::String("Microsoft.Authorization/roleAssignments".into()));
        }
        vault.parts.unknowns.extend(mapped.unknowns.into_iter().filter(|u| !u.pointer.ends_with("/properties/scope")));
        vault.places.extend(mapped.places);
        vault.parts.role_assignments.push(mapped.value);
    }
}

fn attach_diagnostic_setting(built: &mut Built, resource: &TfResource) {
    let Some(index) = the_vault(built, resource, "target_resource_id") else { return };
    let vault = &mut built.vaults[index];
    let prefix = format!("/diagnosticSettings/{}", vault.parts.diagnostic_settings.len());
    let mut mapped = mapping::map_resource(resource, mapping::DIAGNOSTIC_SETTING, &prefix);
    // Destinations created in the same configuration have ids only known after apply; that a
    // destination is configured is known, and that is what the logging rule asks.
    let destinations = [
        ("log_analytics_workspace_id", "workspaceId"),
        ("storage_account_id", "storageAccountId"),
        ("eventhub_authorization_rule_id", "eventHubAuthorizationRuleId"),
        ("partner_solution_id", "marketplacePartnerId"),
    ];
    for (attribute, arm) in destinations {
        let referenced = resource.references.get(attribute).is_some_and(|r| !r.is_empty());
        if resource.is_unknown(attribute).is_some() && referenced {
            let pointer = format!("{prefix}/properties/{arm}");
            mapped.unknowns.retain(|u| u.pointer != pointer);
            let shown = resource.references.get(attribute).and_then(|r| r.first()).cloned().unwrap_or_default();
            mapping::pointer_insert(
                &mut mapped.value,
                &format!("/properties/{arm}"),
                Value::String(format!("(known after apply: {shown}.id)")),
            );
        }
    }
    // Every `enabled_log` block is an enabled log.
    if let Some(Value::Array(logs)) = mapped.value.pointer_mut("/properties/logs") {
        for log in logs.iter_mut() {
            if let Value::Object(log) = log {
                log.insert("enabled".into(), Value::Bool(true));
            }
        }
    }
    let name = resource.string("name").map(str::to_string).unwrap_or_else(|| resource.address.clone());
    let vault_id = vault.id().to_string();
    if let Value::Object(map) = &mut mapped.value {
        map.insert(
            "id".into(),
            Value::String(format!("{vault_id}/providers/Microsoft.Insights/diagnosticSettings/{name}")),
        );
        map.insert("name".into(), Value::String(name));
        map.insert("type".into(), Value::String("Microsoft.Insights/diagnosticSettings".into()));
    }
    vault.parts.unknowns.extend(mapped.unknowns);
    vault.places.extend(mapped.places);
    vault.parts.diagnostic_settings.push(mapped.value);
}

fn attach_private_endpoint(built: &mut Built, resource: &TfResource) {
    let ids: Vec<String> = resource
        .values
        .get("private_service_connection")
        .and_then(Value::as_array)
        .map(|connections| {
            connections
                .iter()
                .filter_map(|c| c.get("private_connection_resource_id").and_then(Value::as_str).map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let Some(Target::Vault(index)) = target(built, resource, "private_service_connection", &ids) else { return };
    let vault = &mut built.vaults[index];
    let prefix = format!("/privateEndpoints/{}", vault.parts.private_endpoints.len());
    let mut mapped = mapping::map_resource(resource, mapping::PRIVATE_ENDPOINT, &prefix);
    let name = resource.string("name").map(str::to_string).unwrap_or_else(|| resource.address.clone());
    let id = match resource.string("resource_group_name") {
        Some(group) => {
            format!("{}/providers/Microsoft.Network/privateEndpoints/{name}", super::records::resource_group_id(group))
        }
        None => resource.address.clone(),
    };
    if let Value::Object(map) = &mut mapped.value {
        map.insert("id".into(), Value::String(id));
        map.insert("name".into(), Value::String(name));
        map.insert("type".into(), Value::String("Microsoft.Network/privateEndpoints".into()));
    }
    vault.parts.unknowns.extend(mapped.unknowns);
    vault.places.extend(mapped.places);
    vault.parts.private_endpoints.push(mapped.value);
}

/// `azurerm_security_center_subscription_pricing` with `resource_type = "KeyVaults"` → the
/// subscription's Defender for Key Vault plan. Its `resource_type` defaults to VirtualMachines.
fn pricing(resource: &TfResource) -> Option<Value> {
    let kind = resource.string("resource_type").unwrap_or("VirtualMachines");
    if !kind.eq_ignore_ascii_case("KeyVaults") {
        return None;
    }
    let mut mapped = mapping::map_resource(resource, mapping::PRICING, "");
    if let Value::Object(map) = &mut mapped.value {
        map.insert(
            "id".into(),
            json!(format!("/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Security/pricings/KeyVaults")),
        );
        map.insert("name".into(), json!("KeyVaults"));
        map.insert("type".into(), json!("Microsoft.Security/pricings"));
        map.insert("subscriptionId".into(), json!(SUBSCRIPTION));
    }
    Some(mapped.value)
}
