//! Rego policies: the catalog (built-in + user), the evaluation engine and the test runner.

pub mod catalog;
pub mod engine;
pub mod metadata;
pub mod test_runner;

pub use catalog::{Catalog, Module};
pub use engine::{Engine, RuleHit};
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
    pub(crate) fn rego(err: impl std::fmt::Display) -> Self {
        PolicyError::Rego(err.to_string())
    }
}
