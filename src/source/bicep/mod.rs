//! Bicep files, scanned natively: parsed with the tree-sitter Bicep grammar ([`parse`]),
//! translated to the ARM template the Bicep compiler would produce ([`translate`]), then walked
//! and turned into vault records by the ARM path ([`load`]), so both give the same verdicts.
//! Findings point at Bicep lines through a side table of positions, not at generated JSON.
//! [`cli`] compiles with the Bicep CLI instead, for `--bicep-cli`.

pub mod cli;
pub mod load;
pub mod parse;
pub mod translate;

use crate::span::Position;

/// A Bicep file that cannot be read or translated: `file:line:column: what`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct BicepError {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl BicepError {
    pub fn at(file: &str, position: Position, message: impl Into<String>) -> BicepError {
        BicepError { file: file.to_string(), line: position.line, column: position.column, message: message.into() }
    }
}
