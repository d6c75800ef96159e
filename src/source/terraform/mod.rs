//! Terraform, scanned before `apply`: plan JSON (`terraform show -json plan.out`) and HCL
//! configurations (`.tf` directories), mapped onto the same ARM-shaped vault records as ARM
//! templates, Bicep and live scans, so the same rules give the same verdicts.
//!
//! Both readers produce [`TfResource`]s — a resource instance with its attribute values in the
//! plan's shape, what is unknown and why, and which resources it references — and
//! [`records::build`] turns them into vault records through the single table in [`mapping`].

pub mod eval;
pub mod hcl;
pub mod mapping;
pub mod plan;
pub mod records;

use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A Terraform source that cannot be read: `file:line:column: what`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct TerraformError {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl TerraformError {
    pub fn at_start(file: &str, message: impl Into<String>) -> TerraformError {
        TerraformError { file: file.to_string(), line: 1, column: 1, message: message.into() }
    }
}

/// One resource instance of a plan or configuration.
#[derive(Debug, Clone, Default)]
pub struct TfResource {
    /// Full address: `module.net.azurerm_key_vault.kv["prod"]`.
    pub address: String,
    /// Resource type: `azurerm_key_vault`.
    pub kind: String,
    /// Known attribute values; nested blocks are arrays of objects, as in a plan.
    pub values: Map<String, Value>,
    /// Unknown values: pointer into `values` (`/network_acls/0/default_action`) and the reason.
    pub unknowns: Vec<(String, String)>,
    /// Top-level attribute → addresses of the resources its expression references (without
    /// instance keys, with the module path): how children find their vault when ids are unknown.
    pub references: BTreeMap<String, Vec<String>>,
    /// Source pointer of the resource (a JSON pointer into the plan; a symbolic one for HCL).
    pub origin: String,
    /// Source pointer of `values` (attribute pointers are appended to it).
    pub values_origin: String,
}

impl TfResource {
    /// The address without instance keys: `module.net.azurerm_key_vault.kv`.
    pub fn config_address(&self) -> String {
        strip_instance_keys(&self.address)
    }

    pub fn string(&self, attribute: &str) -> Option<&str> {
        self.values.get(attribute).and_then(Value::as_str)
    }

    pub fn is_unknown(&self, attribute: &str) -> Option<&str> {
        let pointer = format!("/{attribute}");
        self.unknowns
            .iter()
            .find(|(p, _)| *p == pointer || p.starts_with(&format!("{pointer}/")))
            .map(|(_, r)| r.as_str())
    }
}

/// `a.b[0].c["x"]` → `a.b.c`.
pub fn strip_instance_keys(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let mut depth = 0usize;
    let mut in_string = false;
    for c in address.chars() {
        match c {
            '"' if depth > 0 => in_string = !in_string,
            '[' if !in_string => depth += 1,
            ']' if !in_string => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// The placeholder subscription every IaC source deploys to (the same as the ARM source's).
pub const SUBSCRIPTION: &str = "00000000-0000-0000-0000-000000000000";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_keys_are_stripped() {
        assert_eq!(strip_instance_keys(r#"module.m["a[b]"].azurerm_key_vault.kv[0]"#), "module.m.azurerm_key_vault.kv");
        assert_eq!(strip_instance_keys("azurerm_key_vault.kv"), "azurerm_key_vault.kv");
    }
}
