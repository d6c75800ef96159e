//! The quarterly access review (`kvscan report access`): who can do what on which vault, the
//! risky grants the access rules found, rotation evidence, and what changed since the previous
//! review — as HTML, Markdown, CSV and JSON. The JSON form is the machine-readable record that
//! `--previous` reads next quarter. Format reference: docs/access-review.md.
//!
//! [`build`] turns a loaded inventory plus the scan that ran on it into an [`AccessReview`];
//! [`render`] writes one format. Nothing here reads the clock or the environment: the reference
//! time comes in with the input, so the same input gives the same bytes.

mod changes;
mod charts;
mod csv_matrix;
mod html;
mod markdown;
mod matrix;
pub mod model;
mod principals;
mod review;
mod risky;
mod roles;
mod rotation;
mod scope;
mod templates;
mod text;
mod view;

pub use changes::PreviousReview;
pub use model::{AccessReview, REPORT_VERSION};
pub use review::{build, ReviewInput};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// One self-contained page: inline CSS, SVG charts and a small script for sorting and filtering
    Html,
    /// Markdown, for a wiki page or a pull request
    #[value(alias = "markdown")]
    Md,
    /// The access matrix, one row per (vault, principal, grant)
    Csv,
    /// The complete record, read back by --previous next quarter
    Json,
}

impl ReportFormat {
    pub fn name(self) -> &'static str {
        match self {
            ReportFormat::Html => "HTML",
            ReportFormat::Md => "Markdown",
            ReportFormat::Csv => "CSV",
            ReportFormat::Json => "JSON",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("--previous {file}: {message}")]
    Previous { file: String, message: String },
    #[error("cannot write the {format} report: {message}")]
    Render { format: &'static str, message: String },
    #[error("vault record {vault} cannot be read: {message}")]
    Record { vault: String, message: String },
}

pub fn render(format: ReportFormat, review: &AccessReview) -> Result<String, ReportError> {
    let failed = |message: String| ReportError::Render { format: format.name(), message };
    match format {
        ReportFormat::Json => {
            let mut text = serde_json::to_string_pretty(review).map_err(|e| failed(e.to_string()))?;
            text.push('\n');
            Ok(text)
        }
        ReportFormat::Csv => csv_matrix::render(review).map_err(failed),
        ReportFormat::Md => markdown::render(review).map_err(|e| failed(format!("{e:#}"))),
        ReportFormat::Html => html::render(review).map_err(|e| failed(format!("{e:#}"))),
    }
}
