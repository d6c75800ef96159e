//! Where inventories come from. Every source yields the same [`Inventory`] plus, per vault, an
//! [`Anchor`] that tells how a finding's path maps back to a place in a file.

pub mod arm;
pub mod azure;
pub mod bicep;
pub mod snapshot;
pub mod terraform;

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
    /// A template or parameter file that does not parse: `file:line:column: what`.
    #[error("{0}")]
    Template(String),
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
    /// The places are known in advance (Bicep: the translation recorded where each part of the
    /// generated template came from). `mappings` work as for `Json`, taking record prefixes to
    /// template pointers; `positions` gives the file and position of each template pointer.
    Positions { mappings: Vec<(String, String)>, positions: std::collections::BTreeMap<String, FileLocation> },
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

/// How directories are searched and templates are given their parameters.
#[derive(Debug, Clone, Default)]
pub struct Discovery {
    /// Globs of paths to skip inside directories (matched against the path as shown).
    pub exclude: Vec<String>,
    /// One parameter file for every template, instead of the `NAME.parameters.json` beside it.
    pub parameters: Option<std::path::PathBuf>,
    /// Compile Bicep with the Bicep CLI (when on PATH) instead of reading it natively.
    pub bicep_cli: bool,
}

/// Reads every input path into one inventory (inventory files only, no directory discovery).
pub fn load_paths(paths: &[std::path::PathBuf]) -> Result<Loaded, SourceError> {
    load_inputs(paths, &Discovery::default())
}

/// Reads files and directories into one inventory. A file that fails is an error of the whole
/// run only when nothing else could be scanned; otherwise it is reported in the inventory's
/// `errors` (the scan is then incomplete) and the rest is scanned.
pub fn load_inputs(paths: &[std::path::PathBuf], discovery: &Discovery) -> Result<Loaded, SourceError> {
    let exclude = exclusions(&discovery.exclude)?;
    // A `.bicepparam` file is read with each Bicep file (its values are Bicep expressions).
    let explicit_parameters = match &discovery.parameters {
        Some(path) if path.extension().is_some_and(|e| e == "bicepparam") => None,
        Some(path) => {
            let shown = display_path(path);
            let text = std::fs::read_to_string(path)
                .map_err(|e| SourceError::Io { path: shown.clone(), message: e.to_string() })?;
            Some(arm::load::parameters(&shown, &text).map_err(|e| SourceError::Template(e.to_string()))?)
        }
        None => None,
    };
    let mut files: Vec<(std::path::PathBuf, bool)> = Vec::new();
    for path in paths {
        if path.is_dir() {
            files.extend(discover(path, &exclude).into_iter().map(|p| (p, false)));
        } else {
            files.push((path.clone(), true));
        }
    }
    let mut loaded = Loaded::default();
    let mut failures: Vec<SourceError> = Vec::new();
    let mut scanned = 0usize;
    let mut terraform_modules: std::collections::BTreeSet<std::path::PathBuf> = std::collections::BTreeSet::new();
    for (path, explicit) in &files {
        let shown = display_path(path);
        // Shared, so the records of an inventory file keep this text instead of copies of it.
        let text = match std::fs::read_to_string(path) {
            Ok(text) => std::sync::Arc::new(text),
            Err(e) => {
                failures.push(SourceError::Io { path: shown, message: e.to_string() });
                continue;
            }
        };
        match detect(path, &text) {
            InputKind::Inventory => match snapshot::load(&shown, &text) {
                Ok(inventory) => {
                    loaded.merge(inventory);
                    scanned += 1;
                }
                Err(error) => failures.push(error.into()),
            },
            InputKind::ArmTemplate => {
                let supplied = match (&explicit_parameters, &discovery.parameters) {
                    (Some(values), _) => Ok(values.clone()),
                    (None, Some(bicep_parameters)) => Err(SourceError::Unsupported {
                        path: shown.clone(),
                        message: format!(
                            "--parameters {}: a .bicepparam file gives values to Bicep files only; this ARM template was not scanned",
                            display_path(bicep_parameters)
                        ),
                    }),
                    (None, None) => paired_parameters(path),
                };
                let result = supplied.and_then(|supplied| {
                    arm::load::load(&shown, &text, &supplied).map_err(|e| SourceError::Template(e.to_string()))
                });
                match result {
                    Ok(template) => {
                        loaded.merge(template);
                        scanned += 1;
                    }
                    Err(error) => failures.push(error),
                }
            }
            // Read with the template they belong to.
            InputKind::ArmParameters => {}
            InputKind::Bicep => match load_bicep(path, &shown, &text, discovery) {
                Ok(template) => {
                    loaded.merge(template);
                    scanned += 1;
                }
                Err(error) => failures.push(error),
            },
            InputKind::TerraformPlan => match terraform::plan::load(&shown, &text) {
                Ok(plan) => {
                    loaded.merge(plan);
                    scanned += 1;
                }
                Err(error) => failures.push(SourceError::Template(error.to_string())),
            },
            // A directory of `.tf` files is one module: read once, at its first file.
            InputKind::Terraform => {
                let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
                if !terraform_modules.insert(dir.clone()) {
                    continue;
                }
                match terraform::hcl::load_directory(&dir) {
                    Ok(module) => {
                        loaded.merge(module);
                        scanned += 1;
                    }
                    Err(error) => failures.push(SourceError::Template(error.to_string())),
                }
            }
            InputKind::Other if *explicit => {
                // A malformed inventory should say where it breaks, not that it is unknown.
                if text.contains("\"schemaVersion\"") {
                    if let Err(error) = snapshot::load(&shown, &text) {
                        failures.push(error.into());
                        continue;
                    }
                }
                failures.push(SourceError::Unsupported {
                    path: shown,
                    message: "not a kvscan inventory or an ARM template (expected a JSON document with \"schemaVersion\" and \"vaults\", or a deploymentTemplate $schema)".into(),
                });
            }
            // Unrelated files found in a directory.
            InputKind::Other => {}
        }
    }
    if scanned == 0 {
        if let Some(first) = failures.into_iter().next() {
            return Err(first);
        }
        return Ok(loaded);
    }
    for failure in failures {
        let (scope, message) = match &failure {
            SourceError::Io { path, message } | SourceError::Unsupported { path, message } => {
                (path.clone(), message.clone())
            }
            other => {
                let text = other.to_string();
                (text.split(':').next().unwrap_or_default().to_string(), text)
            }
        };
        loaded.inventory.errors.push(crate::inventory::ScanError { scope, message });
    }
    Ok(loaded)
}

/// One Bicep file with its parameters: `--parameters` (JSON or `.bicepparam`), else `x.bicepparam`
/// beside `x.bicep`, else the JSON parameter file paired like a template's.
fn load_bicep(path: &Path, shown: &str, text: &str, discovery: &Discovery) -> Result<Loaded, SourceError> {
    let read_parameter_file = |parameter_path: &Path| -> Result<bicep::load::BicepParameters, SourceError> {
        let parameter_shown = display_path(parameter_path);
        let parameter_text = std::fs::read_to_string(parameter_path)
            .map_err(|e| SourceError::Io { path: parameter_shown.clone(), message: e.to_string() })?;
        if parameter_path.extension().is_some_and(|e| e == "bicepparam") {
            let file = bicep::load::parameter_file(&parameter_shown, &parameter_text)
                .map_err(|e| SourceError::Template(e.to_string()))?;
            return Ok(bicep::load::BicepParameters { file: Some(file), ..Default::default() });
        }
        let values = arm::load::parameters(&parameter_shown, &parameter_text)
            .map_err(|e| SourceError::Template(e.to_string()))?;
        Ok(bicep::load::BicepParameters { values, file: None })
    };
    let beside = path.with_extension("bicepparam");
    let parameters = match &discovery.parameters {
        Some(explicit) => read_parameter_file(explicit)?,
        None if beside.is_file() => read_parameter_file(&beside)?,
        None => bicep::load::BicepParameters { values: paired_parameters(path)?, file: None },
    };
    let result = match (discovery.bicep_cli, bicep::cli::find_compiler()) {
        (true, Some(compiler)) => bicep::cli::load(&compiler, path, shown, &parameters),
        (true, None) => {
            return Err(SourceError::Unsupported {
                path: shown.to_string(),
                message: "--bicep-cli: neither `bicep` nor `az` is on PATH; it was not scanned".into(),
            })
        }
        (false, _) => bicep::load::load(path, shown, text, &parameters),
    };
    result.map_err(|e| SourceError::Template(e.to_string()))
}

fn exclusions(globs: &[String]) -> Result<globset::GlobSet, SourceError> {
    let mut builder = globset::GlobSetBuilder::new();
    for glob in globs {
        let parsed = globset::Glob::new(glob)
            .map_err(|e| SourceError::Unsupported { path: format!("--exclude {glob}"), message: e.to_string() })?;
        builder.add(parsed);
    }
    builder.build().map_err(|e| SourceError::Unsupported { path: "--exclude".into(), message: e.to_string() })
}

/// Candidate files below a directory, honouring `.gitignore` (also outside a git checkout),
/// sorted so that scans are deterministic.
fn discover(dir: &Path, exclude: &globset::GlobSet) -> Vec<std::path::PathBuf> {
    let mut files: Vec<std::path::PathBuf> = ignore::WalkBuilder::new(dir)
        .require_git(false)
        .build()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_some_and(|t| t.is_file()))
        .map(ignore::DirEntry::into_path)
        .filter(|path| {
            let interesting = path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "json" | "jsonc" | "bicep" | "tf"));
            interesting && !exclude.is_match(display_path(path)) && !exclude.is_match(path)
        })
        .collect();
    files.sort();
    files
}

/// The parameter file of `x.json`: `x.parameters.json`, else the only `x.parameters.<env>.json`.
/// With several environments and no `--parameters`, values stay unknown (reported as notes).
fn paired_parameters(template: &Path) -> Result<serde_json::Map<String, serde_json::Value>, SourceError> {
    let (Some(dir), Some(stem)) = (template.parent(), template.file_stem().and_then(|s| s.to_str())) else {
        return Ok(serde_json::Map::new());
    };
    let exact = dir.join(format!("{stem}.parameters.json"));
    let candidates: Vec<std::path::PathBuf> = if exact.is_file() {
        vec![exact]
    } else {
        let prefix = format!("{stem}.parameters.");
        let mut found: Vec<std::path::PathBuf> =
            std::fs::read_dir(if dir.as_os_str().is_empty() { Path::new(".") } else { dir })
                .map(|entries| {
                    entries
                        .filter_map(Result::ok)
                        .map(|e| e.path())
                        .filter(|p| {
                            p.file_name()
                                .and_then(|n| n.to_str())
                                .is_some_and(|n| n.starts_with(&prefix) && n.ends_with(".json"))
                        })
                        .collect()
                })
                .unwrap_or_default();
        found.sort();
        found
    };
    match candidates.as_slice() {
        [only] => {
            let shown = display_path(only);
            let text = std::fs::read_to_string(only)
                .map_err(|e| SourceError::Io { path: shown.clone(), message: e.to_string() })?;
            arm::load::parameters(&shown, &text).map_err(|e| SourceError::Template(e.to_string()))
        }
        _ => Ok(serde_json::Map::new()),
    }
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
