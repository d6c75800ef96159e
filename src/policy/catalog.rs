//! The rule catalog: built-in policies embedded in the binary plus user policy directories.

use super::metadata::{self, RuleMeta};
use super::PolicyError;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_policies.rs"));
}

/// Prefix of the names under which embedded policies are reported (`builtin/rules/kv001….rego`).
pub const BUILTIN_PREFIX: &str = "builtin/";

/// One Rego source file.
#[derive(Debug, Clone)]
pub struct Module {
    /// Display name: `builtin/…` or the path as given on the command line.
    pub name: String,
    pub text: String,
    pub package: String,
}

impl Module {
    pub fn is_test(&self) -> bool {
        self.name.ends_with("_test.rego")
    }
}

/// Rules (with metadata), library modules, tests and data documents.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// Sorted by rule id.
    pub rules: Vec<RuleMeta>,
    /// Every non-test module, rules and libraries alike.
    pub modules: Vec<Module>,
    pub tests: Vec<Module>,
    /// JSON documents under `data.kvscan.<file stem>` (e.g. `data.kvscan.roles`); a user
    /// directory's document replaces a built-in one of the same name.
    pub data: BTreeMap<String, serde_json::Value>,
}

impl Catalog {
    /// The built-in catalog plus every directory in `extra_dirs`.
    pub fn load(extra_dirs: &[PathBuf]) -> Result<Catalog, PolicyError> {
        let mut catalog = Catalog::default();
        for (relative, text) in embedded::EMBEDDED {
            catalog.add_file(&format!("{BUILTIN_PREFIX}{relative}"), text)?;
        }
        for dir in extra_dirs {
            let mut files = Vec::new();
            collect_rego(dir, &mut files)?;
            for path in files {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| PolicyError::Io { path: path.display().to_string(), message: e.to_string() })?;
                catalog.add_file(&path.display().to_string(), &text)?;
            }
        }
        catalog.rules.sort_by(|a, b| a.id.cmp(&b.id));
        for pair in catalog.rules.windows(2) {
            if pair[0].id == pair[1].id {
                return Err(PolicyError::Invalid {
                    file: pair[1].file.clone(),
                    line: 1,
                    message: format!("rule id {} is already defined in {}", pair[1].id, pair[0].file),
                });
            }
        }
        Ok(catalog)
    }

    fn add_file(&mut self, name: &str, text: &str) -> Result<(), PolicyError> {
        if name.ends_with(".json") {
            let value: serde_json::Value = serde_json::from_str(text).map_err(|e| PolicyError::Invalid {
                file: name.to_string(),
                line: e.line() as u32,
                message: format!("invalid JSON data document: {e}"),
            })?;
            let stem = Path::new(name).file_stem().and_then(|s| s.to_str()).unwrap_or_default();
            self.data.insert(stem.to_string(), value);
            return Ok(());
        }
        let package = metadata::package_of(text).ok_or_else(|| PolicyError::Invalid {
            file: name.to_string(),
            line: 1,
            message: "expected a `package` declaration".into(),
        })?;
        let module = Module { name: name.to_string(), text: text.to_string(), package };
        if module.is_test() {
            self.tests.push(module);
            return Ok(());
        }
        let rule = metadata::parse_rule(text, name).map_err(|p| PolicyError::Invalid {
            file: name.to_string(),
            line: p.line,
            message: p.message,
        })?;
        match rule {
            Some(rule) => self.rules.push(rule),
            None if module.package.starts_with("kvscan.rules.") => {
                return Err(PolicyError::Invalid {
                    file: name.to_string(),
                    line: 1,
                    message: "a rule module (package kvscan.rules.*) needs a `# METADATA` block with custom.id, custom.severity and custom.scope".into(),
                });
            }
            None => {}
        }
        self.modules.push(module);
        Ok(())
    }

    pub fn rule(&self, id: &str) -> Option<&RuleMeta> {
        self.rules.iter().find(|r| r.id.eq_ignore_ascii_case(id))
    }
}

fn collect_rego(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), PolicyError> {
    let io = |e: std::io::Error| PolicyError::Io { path: dir.display().to_string(), message: e.to_string() };
    if dir.is_file() {
        out.push(dir.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> =
        std::fs::read_dir(dir).map_err(io)?.map(|e| e.map(|e| e.path())).collect::<Result<_, _>>().map_err(io)?;
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect_rego(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rego" || e == "json") {
            out.push(path);
        }
    }
    Ok(())
}
