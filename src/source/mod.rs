//! Where inventories come from. Every source yields the same [`Inventory`] plus, per vault, an
//! [`Anchor`] that tells how a finding's path maps back to a place in a file.

pub mod arm;
pub mod azure;
pub mod snapshot;

use crate::finding::FileLocation;
use crate::inventory::{Inventory, InventoryError};
use crate::span::Position;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    #[error(transparent)]
    Inventory(#[from] InventoryError),
    #[error("{path}: {message}")]
    Unsupported { path: String, message: String },
}

/// How findings about one vault record are placed in files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Anchor {
    /// The record lives in a JSON file. Each mapping takes a prefix of the record (as a JSON pointer
    /// into the vault record, "" for all of it) to a JSON pointer in `file`; the longest prefix wins.
    Json { file: String, mappings: Vec<(String, String)> },
    /// The record is itself a JSON value in `file` starting at `start` (an inventory): paths are
    /// located in the record's own text, so the file is not read again.
    Record { file: String, start: Position },
    /// A fixed place: the record names its own source file and line.
    Fixed(FileLocation),
    /// No file: a resource read from Azure; outputs identify it by its resource id.
    Resource,
}

/// The inventories read from the command line's inputs, merged.
#[derive(Debug, Default)]
pub struct Loaded {
    pub inventory: Inventory,
    /// One per vault, in the same order as `inventory.vaults`.
    pub anchors: Vec<Anchor>,
    /// The inventory file, when the whole inventory came from exactly one: tenant-wide findings
    /// (paths relative to the inventory) are located in it.
    pub document: Option<String>,
    sources: usize,
}

impl Loaded {
    /// What one source produced; `document` is the file the whole inventory was read from, if any.
    pub fn single(inventory: Inventory, anchors: Vec<Anchor>, document: Option<String>) -> Loaded {
        Loaded { inventory, anchors, document, sources: 1 }
    }

    pub fn merge(&mut self, other: Loaded) {
        let Loaded { inventory, anchors, document, sources } = other;
        self.sources += sources;
        self.document = if self.sources == 1 { document } else { None };
        let target = &mut self.inventory;
        target.schema_version = inventory.schema_version;
        target.tenants.extend(inventory.tenants);
        target.subscriptions.extend(inventory.subscriptions);
        target.vaults.extend(inventory.vaults);
        target.pricings.extend(inventory.pricings);
        target.role_definitions.extend(inventory.role_definitions);
        target.principals.extend(inventory.principals);
        target.errors.extend(inventory.errors);
        self.anchors.extend(anchors);
    }
}

/// What a file holds, judged by its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    Inventory,
    ArmTemplate,
    ArmParameters,
    TerraformPlan,
    Bicep,
    Terraform,
    Other,
}

/// Detects the kind of a file from its name and content.
pub fn detect(path: &Path, text: &str) -> InputKind {
    match path.extension().and_then(|e| e.to_str()) {
        Some("bicep") => return InputKind::Bicep,
        Some("tf") => return InputKind::Terraform,
        _ => {}
    }
    // kvscan writes `schemaVersion` first: such a file is an inventory without a probe pass over
    // it (a large inventory is over 100 MB). Anything else is probed below.
    let head = (0..=256.min(text.len())).rev().find_map(|n| text.get(..n)).unwrap_or_default();
    if head.trim_start().starts_with('{') && head.contains("\"schemaVersion\"") {
        return InputKind::Inventory;
    }
    #[derive(serde::Deserialize)]
    struct Probe {
        #[serde(rename = "schemaVersion")]
        schema_version: Option<serde::de::IgnoredAny>,
        vaults: Option<serde::de::IgnoredAny>,
        #[serde(rename = "$schema")]
        schema: Option<String>,
        format_version: Option<serde::de::IgnoredAny>,
        planned_values: Option<serde::de::IgnoredAny>,
    }
    let Ok(probe) = serde_json::from_str::<Probe>(text) else {
        // Not strict JSON: a template with comments still names its schema near the top.
        if text.contains("deploymentTemplate.json#") {
            return InputKind::ArmTemplate;
        }
        return InputKind::Other;
    };
    if probe.schema_version.is_some() && probe.vaults.is_some() {
        return InputKind::Inventory;
    }
    if probe.format_version.is_some() && probe.planned_values.is_some() {
        return InputKind::TerraformPlan;
    }
    match probe.schema.as_deref() {
        Some(s) if s.contains("deploymentTemplate.json") => InputKind::ArmTemplate,
        Some(s) if s.contains("deploymentParameters.json") => InputKind::ArmParameters,
        _ => InputKind::Other,
    }
}

/// Path as shown in outputs: relative to the working directory when below it, `/`-separated.
pub fn display_path(path: &Path) -> String {
    let relative = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(&cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf());
    let text = relative.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").map(str::to_string).unwrap_or(text)
}

/// Reads every input path into one inventory.
pub fn load_paths(paths: &[std::path::PathBuf]) -> Result<Loaded, SourceError> {
    let mut loaded = Loaded::default();
    for path in paths {
        let shown = display_path(path);
        if path.is_dir() {
            return Err(SourceError::Unsupported {
                path: shown,
                message: "is a directory; this version scans inventory files (kvscan collect output or \
                          fixtures/sample-tenant.json). Template directories come with the IaC sources."
                    .into(),
            });
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| SourceError::Io { path: shown.clone(), message: e.to_string() })?;
        match detect(path, &text) {
            InputKind::Inventory => loaded.merge(snapshot::load(&shown, &text)?),
            kind => {
                let what = match kind {
                    InputKind::ArmTemplate => "an ARM template",
                    InputKind::ArmParameters => "an ARM parameter file",
                    InputKind::TerraformPlan => "a Terraform plan",
                    InputKind::Bicep => "a Bicep file",
                    InputKind::Terraform => "a Terraform file",
                    _ => "not a kvscan inventory (expected a JSON document with \"schemaVersion\" and \"vaults\")",
                };
                let message = if kind == InputKind::Other {
                    format!("{what}; if it is meant to be one, check it with `python -m json.tool`")
                } else {
                    format!("{what}: this input kind is not supported yet; scan an inventory file")
                };
                // A malformed inventory should say where it breaks, not that it is unknown.
                if kind == InputKind::Other && text.contains("\"schemaVersion\"") {
                    return Err(snapshot::load(&shown, &text)
                        .err()
                        .map(SourceError::from)
                        .unwrap_or(SourceError::Unsupported { path: shown, message }));
                }
                return Err(SourceError::Unsupported { path: shown, message });
            }
        }
    }
    Ok(loaded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_by_content() {
        let p = Path::new("x.json");
        assert_eq!(detect(p, r#"{"schemaVersion":1,"vaults":[]}"#), InputKind::Inventory);
        assert_eq!(
            detect(
                p,
                r#"{"$schema":"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#","resources":[]}"#
            ),
            InputKind::ArmTemplate
        );
        assert_eq!(detect(p, r#"{"format_version":"1.2","planned_values":{}}"#), InputKind::TerraformPlan);
        assert_eq!(detect(p, r#"{"name":"package.json"}"#), InputKind::Other);
        assert_eq!(detect(Path::new("main.bicep"), ""), InputKind::Bicep);
    }
}
