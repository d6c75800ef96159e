//! Output formats, one file each. Every writer takes the finished report and returns the document;
//! none of them reads the clock, the environment or absolute paths, so output is reproducible.

pub mod github;
pub mod json;
pub mod junit;
pub mod sarif;
pub mod text;

use crate::finding::FailOn;
use crate::scan::ScanReport;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Sarif,
    Junit,
    /// GitHub Actions workflow commands: annotations on the pull request diff
    Github,
}

/// What every writer needs besides the report.
#[derive(Debug, Clone)]
pub struct Context {
    pub fail_on: FailOn,
    /// Colour the text output (a terminal that did not ask for NO_COLOR).
    pub color: bool,
    /// Base of `helpUri` links to the rule pages.
    pub docs_base: String,
}

impl Default for Context {
    fn default() -> Self {
        Context { fail_on: FailOn::Severity(crate::finding::Severity::High), color: false, docs_base: DOCS_BASE.into() }
    }
}

pub const DOCS_BASE: &str = "https://github.com/kvscan/kvscan/blob/main/docs/rules";

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("could not serialize {format}: {message}")]
    Serialize { format: &'static str, message: String },
}

pub fn render(format: Format, report: &ScanReport, context: &Context) -> Result<String, OutputError> {
    match format {
        Format::Text => Ok(text::render(report, context)),
        Format::Json => json::render(report, context),
        Format::Sarif => sarif::render(report, context),
        Format::Junit => junit::render(report, context),
        Format::Github => Ok(github::render(report, context)),
    }
}
