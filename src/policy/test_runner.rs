//! `kvscan policy test`: runs every `test_*` rule, like `opa test` (regorus has no runner).

use super::{engine, Catalog, Module, PolicyError};
use std::collections::BTreeSet;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    /// The test rule was false or undefined.
    Fail,
    /// Evaluating the test raised an error (message carries file:line:column).
    Error(String),
}

#[derive(Debug, Clone)]
pub struct TestResult {
    pub file: String,
    /// `data.<package>.<rule>`
    pub name: String,
    pub outcome: Outcome,
}

#[derive(Debug, Default)]
pub struct Summary {
    pub results: Vec<TestResult>,
}

impl Summary {
    pub fn passed(&self) -> usize {
        self.results.iter().filter(|r| r.outcome == Outcome::Pass).count()
    }

    pub fn failed(&self) -> usize {
        self.results.len() - self.passed()
    }
}

/// Names of the `test_*` rules a module defines, in order of first appearance.
pub fn test_rules(module: &Module) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut names = Vec::new();
    for line in module.text.lines() {
        if !line.starts_with("test_") {
            continue;
        }
        let name: String = line.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        if seen.insert(name.clone()) {
            names.push(name);
        }
    }
    names
}

/// Runs the tests of every test module in the catalog.
pub fn run(catalog: &Catalog) -> Result<Summary, PolicyError> {
    let mut config = serde_json::Map::new();
    config.insert("config".into(), serde_json::json!({}));
    let base = engine::build(&engine::module_sources(catalog), &engine::data_document(catalog, config))?;

    let mut summary = Summary::default();
    for module in &catalog.tests {
        let mut engine = base.clone();
        engine.add_policy(module.name.clone(), module.text.clone()).map_err(PolicyError::rego)?;
        for rule in test_rules(module) {
            let name = format!("data.{}.{}", module.package, rule);
            let outcome = match engine.eval_rule(name.clone()) {
                Ok(regorus::Value::Bool(true)) => Outcome::Pass,
                Ok(_) => Outcome::Fail,
                Err(e) => Outcome::Error(e.to_string()),
            };
            summary.results.push(TestResult { file: module.name.clone(), name, outcome });
        }
    }
    Ok(summary)
}
