//! Rego policies: the catalog (built-in + user), the evaluation engine and the test runner.

pub mod catalog;
pub mod docs;
pub mod engine;
pub mod metadata;
pub(crate) mod reads;
mod rego_value;
pub mod test_runner;
mod vm_limits;

pub use catalog::{Catalog, Module};
pub use engine::{Engine, Evaluator, RuleHit};
pub use metadata::{RuleMeta, RuleScope};

#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    /// A policy file is not usable: bad METADATA, duplicate id, no package.
    #[error("{file}:{line}: {message}")]
    Invalid { file: String, line: u32, message: String },
    /// regorus rejected or failed to evaluate a policy; its message carries file:line:column.
    #[error("{0}")]
    Rego(String),
    /// A rule produced a finding kvscan cannot read.
    #[error("{file}: rule {rule} returned a malformed finding: {message}")]
    BadFinding { file: String, rule: String, message: String },
}

impl PolicyError {
    /// regorus reports `error: \n--> file:line:col\n<snippet>\nerror: <what>`; kvscan puts the
    /// place and the problem on the first line (`file:line:col: what`) and keeps the snippet.
    pub(crate) fn rego(err: impl std::fmt::Display) -> Self {
        PolicyError::Rego(reformat_rego_error(&err.to_string()))
    }
}

fn reformat_rego_error(message: &str) -> String {
    let place = message.lines().find_map(|l| l.trim_start().strip_prefix("--> ")).map(str::trim);
    let what =
        message.lines().filter_map(|l| l.trim_start().strip_prefix("error:")).map(str::trim).rfind(|w| !w.is_empty());
    match (place, what) {
        (Some(place), Some(what)) => {
            let snippet: Vec<&str> = message
                .lines()
                .filter(|l| !l.trim_start().starts_with("error:") && !l.trim_start().starts_with("--> "))
                .collect();
            format!("{place}: {what}\n{}", snippet.join("\n")).trim_end().to_string()
        }
        _ => message.trim().to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn rego_errors_lead_with_place_and_problem() {
        let raw = "error: \n--> p.rego:12:7\n   |\n12 | \tf := {\n   |       ^\nerror: expecting `}` while parsing set";
        let out = super::reformat_rego_error(raw);
        assert!(out.starts_with("p.rego:12:7: expecting `}` while parsing set\n"), "{out}");
        assert!(out.contains("12 | \tf := {"));
        assert_eq!(super::reformat_rego_error("plain"), "plain");
    }
}
