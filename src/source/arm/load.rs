//! An ARM template (and its parameter file) → inventory vault records with file anchors.

use super::eval::DeploymentInfo;
use super::records;
use super::template::{self, TemplateError};
use crate::inventory::{Inventory, ScanError, SourceKind, VaultRecord};
use crate::source::{Anchor, Loaded};
use crate::span;
use rayon::prelude::*;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Scans one template. `supplied` holds the parameter values of its parameter file, if any.
pub fn load(file: &str, text: &str, supplied: &Map<String, Value>) -> Result<Loaded, TemplateError> {
    let value = template::parse(file, text)?;
    let deployment = DeploymentInfo::default();
    // The walk drops the template's value tree as it goes; the evaluated resources are several
    // times the template's size and not needed once the vault records are assembled.
    let (walked, problems) = template::walk(file, value, supplied, &deployment);
    let vaults = records::vaults(walked, &deployment, SourceKind::Arm);

    // The line of each vault resource, for the record's `source` (one pass per file).
    let mut wanted: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for vault in &vaults {
        wanted.entry(vault.file.as_str()).or_default().push(vault.pointer.clone());
    }
    let mut positions = BTreeMap::new();
    for (vault_file, pointers) in wanted {
        let found = if vault_file == file {
            span::locate(text, &pointers)
        } else {
            span::locate(&std::fs::read_to_string(vault_file).unwrap_or_default(), &pointers)
        };
        positions.insert(vault_file.to_string(), found);
    }

    // Each record is serialized and checked on its own: on every core.
    let built: Vec<(VaultRecord, Anchor)> = vaults
        .into_par_iter()
        .map(|mut vault| {
            let at = positions
                .get(&vault.file)
                .and_then(|found| found.get(&vault.pointer))
                .copied()
                .unwrap_or(span::Position::START);
            vault.parts.source.line = Some(at.line);
            vault.parts.source.column = Some(at.column);
            let record = VaultRecord::new(&vault.parts).map_err(|problem| TemplateError {
                file: vault.file.clone(),
                line: at.line as usize,
                column: at.column as usize,
                message: format!(
                    "the vault resource does not make a valid record: {} at {}",
                    problem.message, problem.pointer
                ),
            })?;
            Ok((record, Anchor::Json { file: vault.file, mappings: vault.mappings }))
        })
        .collect::<Result<_, TemplateError>>()?;
    let (vaults, anchors): (Vec<VaultRecord>, Vec<Anchor>) = built.into_iter().unzip();
    let mut inventory = Inventory { schema_version: crate::inventory::SCHEMA_VERSION, vaults, ..Inventory::default() };
    inventory.errors =
        problems.into_iter().map(|p| ScanError { scope: p.file.clone(), message: p.to_string() }).collect();
    Ok(Loaded::single(inventory, anchors, None))
}

/// The values of an ARM parameter file (`parameters.<name>.value`). Key Vault references
/// (`parameters.<name>.reference`) are left out: their value is only read at deployment.
pub fn parameters(file: &str, text: &str) -> Result<Map<String, Value>, TemplateError> {
    let value = template::parse(file, text)?;
    let Some(Value::Object(parameters)) = value.get("parameters") else {
        return Err(TemplateError {
            file: file.to_string(),
            line: 1,
            column: 1,
            message: "a parameter file needs a \"parameters\" object".into(),
        });
    };
    Ok(parameters
        .iter()
        .filter_map(|(name, parameter)| parameter.get("value").map(|v| (name.clone(), v.clone())))
        .collect())
}
