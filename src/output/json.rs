//! The JSON report: a stable, documented schema (`docs/output.md`); `--baseline` reads it back.

use super::{Context, OutputError};
use crate::finding::{Finding, Severity, Status};
use crate::inventory::ScanError;
use crate::scan::ScanReport;
use serde::Serialize;
use std::collections::BTreeMap;

pub const JSON_SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Document<'a> {
    schema_version: u32,
    tool: Tool,
    scan: Scan<'a>,
    summary: Summary,
    findings: &'a [Finding],
    errors: &'a [ScanError],
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Scan<'a> {
    kind: &'static str,
    fail_on: String,
    /// `pass`, `fail` or `incomplete`, the same verdict the exit code gives.
    result: &'static str,
    vaults: usize,
    rules: Vec<&'a str>,
}

#[derive(Serialize)]
struct Summary {
    findings: usize,
    failing: usize,
    exempted: usize,
    existing: usize,
    /// Findings about template values only known at deployment (absent when there are none).
    #[serde(skip_serializing_if = "is_zero")]
    unknown: usize,
    #[serde(rename = "bySeverity")]
    by_severity: BTreeMap<&'static str, usize>,
}

pub fn verdict(report: &ScanReport, context: &Context) -> &'static str {
    if report.failing(context.fail_on) > 0 {
        "fail"
    } else if report.incomplete() {
        "incomplete"
    } else {
        "pass"
    }
}

pub fn render(report: &ScanReport, context: &Context) -> Result<String, OutputError> {
    let document = Document {
        schema_version: JSON_SCHEMA_VERSION,
        tool: Tool { name: "kvscan", version: env!("CARGO_PKG_VERSION") },
        scan: Scan {
            kind: report.kind.as_str(),
            fail_on: context.fail_on.to_string(),
            result: verdict(report, context),
            vaults: report.vaults.len(),
            rules: report.rules.iter().map(|r| r.id.as_str()).collect(),
        },
        summary: Summary {
            findings: report.findings.len(),
            failing: report.failing(context.fail_on),
            exempted: report.count_status(Status::Exempted),
            existing: report.count_status(Status::Existing),
            unknown: report.count_status(Status::Unknown),
            by_severity: Severity::ALL.iter().map(|s| (s.as_str(), report.count(*s))).collect(),
        },
        findings: &report.findings,
        errors: &report.errors,
    };
    let mut text = serde_json::to_string_pretty(&document)
        .map_err(|e| OutputError::Serialize { format: "JSON", message: e.to_string() })?;
    text.push('\n');
    Ok(text)
}

fn is_zero(count: &usize) -> bool {
    *count == 0
}
