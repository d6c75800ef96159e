//! Terraform plan JSON (`terraform show -json plan.out`, format 1.x) → [`TfResource`]s.
//!
//! Values come from `planned_values` (every module), what is unknown from each resource change's
//! `after_unknown`, and references from `configuration` (which resources an attribute's
//! expression names; a plan does not know the id of a vault it has still to create, so children
//! find their vault by reference).

use super::records::{self, Built};
use super::{strip_instance_keys, TerraformError, TfResource};
use crate::inventory::{Inventory, ScanError, SourceKind, VaultRecord};
use crate::source::{Anchor, Loaded};
use crate::span::{self, escape_token};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// Reads one plan file into vault records anchored at the plan's resources.
pub fn load(file: &str, text: &str) -> Result<Loaded, TerraformError> {
    let resources = read(file, text)?;
    let built = records::build(&resources, SourceKind::TerraformPlan, file);
    to_loaded(file, text, built)
}

/// The managed resources of a plan.
pub fn read(file: &str, text: &str) -> Result<Vec<TfResource>, TerraformError> {
    let plan: Value = serde_json::from_str(text).map_err(|e| TerraformError {
        file: file.to_string(),
        line: u32::try_from(e.line()).unwrap_or(u32::MAX),
        column: u32::try_from(e.column()).unwrap_or(u32::MAX),
        message: format!("not a valid plan JSON document: {e}"),
    })?;
    let version = plan.get("format_version").and_then(Value::as_str).unwrap_or_default();
    if !version.starts_with("1.") && !version.starts_with("0.") {
        return Err(TerraformError::at_start(
            file,
            format!("unsupported plan format_version {version:?} (kvscan reads 0.x and 1.x, as written by `terraform show -json`)"),
        ));
    }
    let Some(root) = plan.pointer("/planned_values/root_module") else {
        return Err(TerraformError::at_start(file, "the plan has no planned_values.root_module"));
    };
    let unknowns: HashMap<&str, &Value> = plan
        .get("resource_changes")
        .and_then(Value::as_array)
        .map(|changes| {
            changes
                .iter()
                .filter_map(|c| Some((c.get("address")?.as_str()?, c.pointer("/change/after_unknown")?)))
                .collect()
        })
        .unwrap_or_default();
    let mut configurations = BTreeMap::new();
    if let Some(config) = plan.pointer("/configuration/root_module") {
        collect_configuration(config, "", &mut configurations);
    }
    let mut resources = Vec::new();
    collect_planned(root, "/planned_values/root_module", &unknowns, &configurations, &mut resources);
    Ok(resources)
}

/// Config address → the resource's `expressions` object.
fn collect_configuration<'a>(module: &'a Value, path: &str, out: &mut BTreeMap<String, &'a Value>) {
    for resource in module.get("resources").and_then(Value::as_array).into_iter().flatten() {
        let (Some(address), Some(expressions)) =
            (resource.get("address").and_then(Value::as_str), resource.get("expressions"))
        else {
            continue;
        };
        out.insert(format!("{path}{address}"), expressions);
    }
    for (name, call) in module.get("module_calls").and_then(Value::as_object).into_iter().flatten() {
        if let Some(child) = call.get("module") {
            collect_configuration(child, &format!("{path}module.{name}."), out);
        }
    }
}

fn collect_planned(
    module: &Value,
    pointer: &str,
    unknowns: &HashMap<&str, &Value>,
    configurations: &BTreeMap<String, &Value>,
    out: &mut Vec<TfResource>,
) {
    for (index, resource) in module.get("resources").and_then(Value::as_array).into_iter().flatten().enumerate() {
        if resource.get("mode").and_then(Value::as_str).is_some_and(|m| m != "managed") {
            continue;
        }
        let (Some(address), Some(kind)) =
            (resource.get("address").and_then(Value::as_str), resource.get("type").and_then(Value::as_str))
        else {
            continue;
        };
        let origin = format!("{pointer}/resources/{index}");
        let values = resource.get("values").and_then(Value::as_object).cloned().unwrap_or_default();
        let config_address = strip_instance_keys(address);
        // References inside a module name its own resources: give them the module's path.
        let module_path = config_address
            .strip_suffix(&format!("{kind}.{}", resource.get("name").and_then(Value::as_str).unwrap_or_default()))
            .unwrap_or_default()
            .to_string();
        let references = configurations
            .get(&config_address)
            .and_then(|e| e.as_object())
            .map(|expressions| {
                expressions
                    .iter()
                    .map(|(attribute, expression)| {
                        let mut found = Vec::new();
                        collect_references(expression, &module_path, &mut found);
                        (attribute.clone(), found)
                    })
                    .filter(|(_, found)| !found.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let mut unknown = Vec::new();
        if let Some(after_unknown) = unknowns.get(address) {
            unknown_leaves(after_unknown, "", &mut unknown);
        }
        let unknowns = unknown
            .into_iter()
            .map(|leaf| {
                let attribute = leaf.trim_start_matches('/').split('/').next().unwrap_or_default().to_string();
                let from = references_of(&references, &attribute);
                let reason = match from {
                    Some(from) => format!("{address}.{attribute} is known after apply (it depends on {from})"),
                    None => format!("{address}.{attribute} is known after apply"),
                };
                (leaf, reason)
            })
            .collect();
        out.push(TfResource {
            address: address.to_string(),
            kind: kind.to_string(),
            values,
            unknowns,
            references,
            values_origin: format!("{origin}/values"),
            origin,
        });
    }
    for (index, child) in module.get("child_modules").and_then(Value::as_array).into_iter().flatten().enumerate() {
        collect_planned(child, &format!("{pointer}/child_modules/{index}"), unknowns, configurations, out);
    }
}

fn references_of(references: &BTreeMap<String, Vec<String>>, attribute: &str) -> Option<String> {
    references.get(attribute).filter(|r| !r.is_empty()).map(|r| r.join(", "))
}

/// Resource addresses named by an expression (`references: ["azurerm_key_vault.kv.id",
/// "azurerm_key_vault.kv"]`), also inside nested blocks; variables, locals and data sources are
/// not resources of the plan.
fn collect_references(expression: &Value, module_path: &str, out: &mut Vec<String>) {
    match expression {
        Value::Object(map) => {
            if let Some(Value::Array(references)) = map.get("references") {
                for reference in references.iter().filter_map(Value::as_str) {
                    let plain = strip_instance_keys(reference);
                    let mut parts = plain.split('.');
                    let (Some(kind), Some(name)) = (parts.next(), parts.next()) else { continue };
                    if matches!(
                        kind,
                        "var" | "local" | "data" | "each" | "count" | "path" | "module" | "self" | "terraform"
                    ) {
                        continue;
                    }
                    let address = format!("{module_path}{kind}.{name}");
                    if !out.contains(&address) {
                        out.push(address);
                    }
                }
            }
            for (key, value) in map {
                if key != "references" && key != "constant_value" {
                    collect_references(value, module_path, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_references(item, module_path, out)),
        _ => {}
    }
}

/// Pointers of the `true` leaves of `after_unknown`.
fn unknown_leaves(value: &Value, pointer: &str, out: &mut Vec<String>) {
    match value {
        Value::Bool(true) => out.push(pointer.to_string()),
        Value::Object(map) => {
            for (key, member) in map {
                unknown_leaves(member, &format!("{pointer}/{}", escape_token(key)), out);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                unknown_leaves(item, &format!("{pointer}/{index}"), out);
            }
        }
        _ => {}
    }
}

/// Records with JSON anchors into the plan file.
fn to_loaded(file: &str, text: &str, built: Built) -> Result<Loaded, TerraformError> {
    let origins: Vec<String> = built.vaults.iter().map(|v| v.origin.clone()).collect();
    let found = span::locate(text, &origins);
    let mut inventory = Inventory { schema_version: crate::inventory::SCHEMA_VERSION, ..Inventory::default() };
    let mut anchors = Vec::new();
    for mut vault in built.vaults {
        let at = found.get(&vault.origin).copied().unwrap_or(span::Position::START);
        vault.parts.source.line = Some(at.line);
        vault.parts.source.column = Some(at.column);
        let record = VaultRecord::new(&vault.parts).map_err(|problem| TerraformError {
            file: file.to_string(),
            line: at.line,
            column: at.column,
            message: format!("the vault does not make a valid record: {} at {}", problem.message, problem.pointer),
        })?;
        inventory.vaults.push(record);
        let mut mappings = vec![(String::new(), vault.origin.clone())];
        mappings.extend(vault.places);
        anchors.push(Anchor::Json { file: file.to_string(), mappings });
    }
    inventory.pricings = built.pricings;
    inventory.errors =
        built.problems.into_iter().map(|message| ScanError { scope: file.to_string(), message }).collect();
    Ok(Loaded::single(inventory, anchors, None))
}
