//! Rule metadata from standard Rego `# METADATA` annotation blocks.
//!
//! regorus does not implement `rego.metadata.rule()`, so kvscan reads the YAML in the comment block
//! itself. The block is the OPA one: `title`, `description` and a `custom` map carrying kvscan's
//! fields (`id`, `severity`, `scope`, `remediation`, `benchmarks`, …).

use crate::finding::Severity;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleScope {
    /// Evaluated once per vault with `input.vault`.
    Vault,
    /// Evaluated once per scan with `input.inventory`.
    Tenant,
}

/// The OPA annotation block; unknown top-level keys are rejected so typos do not go unnoticed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Annotation {
    #[allow(dead_code)]
    scope: Option<String>,
    title: Option<String>,
    description: Option<String>,
    #[allow(dead_code)]
    related_resources: Option<serde_json::Value>,
    #[allow(dead_code)]
    authors: Option<serde_json::Value>,
    #[allow(dead_code)]
    organizations: Option<serde_json::Value>,
    #[allow(dead_code)]
    schemas: Option<serde_json::Value>,
    #[allow(dead_code)]
    entrypoint: Option<bool>,
    custom: Option<Custom>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Custom {
    id: String,
    severity: String,
    scope: RuleScope,
    remediation: Option<String>,
    #[serde(default)]
    benchmarks: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    tags: Vec<String>,
    /// Exact properties the rule reads, per source kind (e.g. `arm`, `terraform`): for `policy explain`.
    #[serde(default)]
    checks: BTreeMap<String, serde_json::Value>,
    /// Threshold parameters the rule reads from `data.kvscan.config`, with their defaults.
    #[serde(default)]
    parameters: BTreeMap<String, serde_json::Value>,
}

/// Everything kvscan knows about one rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleMeta {
    pub id: String,
    pub title: String,
    pub description: String,
    pub severity: Severity,
    pub scope: RuleScope,
    pub remediation: String,
    pub benchmarks: BTreeMap<String, serde_json::Value>,
    pub tags: Vec<String>,
    pub checks: BTreeMap<String, serde_json::Value>,
    pub parameters: BTreeMap<String, serde_json::Value>,
    /// The Rego package that holds the rule's `deny` set, e.g. `kvscan.rules.purge_protection`.
    pub package: String,
    /// Where the rule was loaded from (`builtin/rules/…` for embedded ones).
    pub file: String,
}

/// A problem in a METADATA block, with the 1-based line it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataProblem {
    pub line: u32,
    pub message: String,
}

/// Finds the first `# METADATA` block: returns its YAML text and the line of the block's first
/// YAML line.
fn metadata_block(source: &str) -> Option<(String, u32)> {
    let mut lines = source.lines().enumerate();
    for (index, line) in lines.by_ref() {
        if line.trim() == "# METADATA" {
            let mut yaml = String::new();
            let first_line = index as u32 + 2;
            for (_, line) in lines.by_ref() {
                let trimmed = line.trim_start();
                let Some(rest) = trimmed.strip_prefix('#') else { break };
                // Comment marker plus one space is syntax; deeper indentation is YAML's.
                yaml.push_str(rest.strip_prefix(' ').unwrap_or(rest));
                yaml.push('\n');
            }
            return Some((yaml, first_line));
        }
    }
    None
}

/// The `package` of a Rego module.
pub fn package_of(source: &str) -> Option<String> {
    source.lines().find_map(|line| {
        let rest = line.trim().strip_prefix("package ")?;
        Some(rest.split_whitespace().next()?.to_string())
    })
}

/// Reads the rule metadata of a module. `Ok(None)` when the module has no METADATA block with a
/// `custom.id` (a library module).
pub fn parse_rule(source: &str, file: &str) -> Result<Option<RuleMeta>, MetadataProblem> {
    let Some((yaml, first_line)) = metadata_block(source) else { return Ok(None) };
    let annotation: Annotation = serde_norway::from_str(&yaml).map_err(|err| MetadataProblem {
        line: first_line + err.location().map_or(0, |l| l.line().saturating_sub(1) as u32),
        message: format!("invalid METADATA block: {err}"),
    })?;
    let Some(custom) = annotation.custom else { return Ok(None) };
    let at_block = |message: String| MetadataProblem { line: first_line, message };
    let severity: Severity = custom.severity.parse().map_err(at_block)?;
    let package = package_of(source).ok_or_else(|| at_block("module has no package declaration".into()))?;
    if !valid_rule_id(&custom.id) {
        return Err(at_block(format!(
            "rule id '{}' is not valid: use letters, digits, '-' or '_' (e.g. KV001)",
            custom.id
        )));
    }
    let title = annotation.title.ok_or_else(|| at_block(format!("rule {} has no title", custom.id)))?;
    Ok(Some(RuleMeta {
        id: custom.id,
        title,
        description: annotation.description.unwrap_or_default().trim().to_string(),
        severity,
        scope: custom.scope,
        remediation: custom.remediation.unwrap_or_default().trim().to_string(),
        benchmarks: custom.benchmarks,
        tags: custom.tags,
        checks: custom.checks,
        parameters: custom.parameters,
        package,
        file: file.to_string(),
    }))
}

fn valid_rule_id(id: &str) -> bool {
    !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: &str = "# METADATA\n# title: Purge protection\n# description: |\n#   Long text.\n# custom:\n#   id: KV001\n#   severity: high\n#   scope: vault\n#   benchmarks:\n#     mcsb: DP-8\npackage kvscan.rules.purge\n\ndeny contains f if { false }\n";

    #[test]
    fn reads_annotation() {
        let meta = parse_rule(RULE, "x.rego").expect("valid").expect("is a rule");
        assert_eq!(meta.id, "KV001");
        assert_eq!(meta.severity, Severity::High);
        assert_eq!(meta.scope, RuleScope::Vault);
        assert_eq!(meta.description, "Long text.");
        assert_eq!(meta.package, "kvscan.rules.purge");
        assert_eq!(meta.benchmarks["mcsb"], "DP-8");
    }

    #[test]
    fn library_modules_have_no_rule() {
        assert_eq!(parse_rule("package kvscan.lib\nx := 1\n", "lib.rego"), Ok(None));
    }

    #[test]
    fn bad_severity_names_the_line() {
        let bad = RULE.replace("severity: high", "severity: severe");
        let problem = parse_rule(&bad, "x.rego").expect_err("invalid");
        assert_eq!(problem.line, 2);
        assert!(problem.message.contains("severe"));
    }

    #[test]
    fn unknown_keys_are_errors_with_their_line() {
        let bad = RULE.replace("#   scope: vault", "#   scope: vault\n#   severty: low");
        let problem = parse_rule(&bad, "x.rego").expect_err("invalid");
        assert!(problem.message.contains("severty"), "{}", problem.message);
        assert!(problem.line >= 2);
    }
}
