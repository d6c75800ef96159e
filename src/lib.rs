//! kvscan: a policy-as-code compliance scanner for Azure Key Vault.
//!
//! The pipeline, one module per stage: [`source`] → [`inventory`] → [`policy`] → [`finding`] →
//! [`output`]. [`scan`] runs the middle of it; `commands` drives it from the command line.

pub mod cli;
pub mod commands;
pub mod config;
pub mod finding;
pub mod inventory;
pub mod output;
pub mod policy;
pub mod report;
pub mod scan;
pub mod source;
pub mod span;
pub mod triage;

/// Process exit codes (documented in the README and `--help`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// No finding at or above the threshold.
    Pass = 0,
    /// Findings at or above the threshold.
    Findings = 1,
    /// Usage error, unreadable or invalid input or policy: nothing was scanned.
    Error = 2,
    /// Parts of the estate were not scanned.
    Incomplete = 3,
}
