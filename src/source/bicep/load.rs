//! A Bicep file (and its parameters) → inventory vault records anchored at Bicep lines.

use super::parse;
use super::translate::{self, ParameterFile};
use super::BicepError;
use crate::finding::FileLocation;
use crate::inventory::{Inventory, ScanError, SourceKind, VaultRecord};
use crate::source::arm::eval::DeploymentInfo;
use crate::source::arm::{records, template};
use crate::source::{Anchor, Loaded};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::Path;

/// The parameter values a Bicep file is scanned with.
#[derive(Debug, Clone, Default)]
pub struct BicepParameters {
    /// From a JSON parameter file (`parameters.<name>.value`).
    pub values: Map<String, Value>,
    /// From a `.bicepparam` file.
    pub file: Option<ParameterFile>,
}

/// Reads a `.bicepparam` file.
pub fn parameter_file(shown: &str, text: &str) -> Result<ParameterFile, BicepError> {
    Ok(ParameterFile { file: shown.to_string(), parsed: parse::parse_parameters(shown, text)? })
}

/// Scans one Bicep file; `path` is where it is on disk (modules are found from it), `shown` its
/// name in outputs.
pub fn load(path: &Path, shown: &str, text: &str, parameters: &BicepParameters) -> Result<Loaded, BicepError> {
    let parsed = parse::parse(shown, text)?;
    let translated = translate::translate(path, shown, &parsed, parameters.file.as_ref())?;
    let mut problems = translated.problems;
    let mut loaded = records_of(shown, translated.template, &translated.positions, &parameters.values)?;
    problems.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    loaded
        .inventory
        .errors
        .extend(problems.into_iter().map(|p| ScanError { scope: p.file.clone(), message: p.to_string() }));
    Ok(loaded)
}

/// Walks a template that came from `shown` and builds its vault records; `positions` places each
/// template pointer in a file.
pub(super) fn records_of(
    shown: &str,
    template_value: Value,
    positions: &BTreeMap<String, FileLocation>,
    supplied: &Map<String, Value>,
) -> Result<Loaded, BicepError> {
    let deployment = DeploymentInfo::default();
    let (walked, walk_problems) = template::walk(shown, template_value, supplied, &deployment);
    let vaults = records::vaults(walked, &deployment, SourceKind::Bicep);
    let mut inventory = Inventory { schema_version: crate::inventory::SCHEMA_VERSION, ..Inventory::default() };
    let mut anchors = Vec::new();
    for mut vault in vaults {
        let at = positions.get(&vault.pointer).cloned().unwrap_or(FileLocation {
            file: shown.to_string(),
            line: 1,
            column: 1,
        });
        // A vault of a module lives in the module's file, not in the file that deploys it.
        vault.parts.source.file = Some(at.file.clone());
        vault.parts.source.line = Some(at.line);
        vault.parts.source.column = Some(at.column);
        let record = VaultRecord::new(&vault.parts).map_err(|problem| BicepError {
            file: at.file.clone(),
            line: at.line,
            column: at.column,
            message: format!(
                "the vault resource does not make a valid record: {} at {}",
                problem.message, problem.pointer
            ),
        })?;
        inventory.vaults.push(record);
        let own: BTreeMap<String, FileLocation> = positions
            .range::<str, _>(..)
            .filter(|(pointer, _)| vault.mappings.iter().any(|(_, base)| is_below(pointer, base)))
            .map(|(pointer, location)| (pointer.clone(), location.clone()))
            .collect();
        anchors.push(Anchor::Positions { mappings: vault.mappings, positions: own });
    }
    inventory.errors =
        walk_problems.into_iter().map(|p| ScanError { scope: p.file.clone(), message: p.to_string() }).collect();
    Ok(Loaded::single(inventory, anchors, None))
}

fn is_below(pointer: &str, base: &str) -> bool {
    pointer.starts_with(base) && (pointer.len() == base.len() || pointer.as_bytes().get(base.len()) == Some(&b'/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_loops_and_unknown_parameters_reach_the_record() {
        let text = "param ids array = [\n  'a'\n  'b'\n]\nparam sku string\nresource kv 'Microsoft.KeyVault/vaults@2023-07-01' = {\n  name: 'kv'\n  properties: {\n    sku: {\n      name: sku\n      family: 'A'\n    }\n    accessPolicies: [for (id, i) in ids: {\n      objectId: id\n      tenantId: 't${i}'\n      permissions: {}\n    }]\n  }\n}\n";
        let loaded = load(Path::new("kv.bicep"), "kv.bicep", text, &BicepParameters::default()).expect("loads");
        let record: Value = serde_json::from_str(loaded.inventory.vaults[0].json()).expect("json");
        let policies = &record["resource"]["properties"]["accessPolicies"];
        assert_eq!(policies[0]["objectId"], "a");
        assert_eq!(policies[1]["tenantId"], "t1");
        assert_eq!(record["source"]["kind"], "bicep");
        assert_eq!(record["source"]["line"], 6);
        let unknowns = record["unknowns"].to_string();
        assert!(unknowns.contains("/resource/properties/sku/name") && unknowns.contains("'sku'"), "{unknowns}");
        let Some(Anchor::Positions { positions, .. }) = loaded.anchors.first() else { panic!("a positions anchor") };
        assert_eq!(positions.get("/resources/0/properties/sku/name").map(|l| l.line), Some(10));
    }
}
