//! SARIF 2.1.0 for GitHub code scanning (and any SARIF viewer).
//!
//! GitHub rejects results without a physical location, so a live resource (no file) is placed at
//! a stable pseudo-path derived from its ARM id: `azure/<resource id without the leading slash>`,
//! percent-encoded, line 1. The ARM id itself is the logical location and part of the fingerprint.

use super::{Context, OutputError};
use crate::finding::{Finding, Severity, Status};
use crate::policy::RuleMeta;
use crate::scan::ScanReport;
use rayon::prelude::*;
use serde_sarif::sarif;
use std::collections::BTreeMap;

pub const FINGERPRINT_KEY: &str = "kvscan/v1";
pub const INFORMATION_URI: &str = "https://github.com/kvscan/kvscan";

fn level(severity: Severity) -> sarif::ResultLevel {
    match severity {
        Severity::Critical | Severity::High => sarif::ResultLevel::Error,
        Severity::Medium => sarif::ResultLevel::Warning,
        Severity::Low => sarif::ResultLevel::Note,
    }
}

/// `azure/subscriptions/…/vaults/kv1` for a resource with no file.
pub fn pseudo_path(resource_id: &str) -> String {
    let mut out = String::from("azure/");
    for byte in resource_id.trim_start_matches('/').bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => out.push(byte as char),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

/// `purge_protection` → `PurgeProtection`: a readable, stable rule name for SARIF viewers.
fn rule_name(rule: &RuleMeta) -> String {
    let last = rule.package.rsplit('.').next().unwrap_or(&rule.id);
    last.split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect()
}

pub fn help_markdown(rule: &RuleMeta) -> String {
    let mut md = format!("**{}** ({}, severity {})\n\n{}\n", rule.title, rule.id, rule.severity, rule.description);
    if !rule.remediation.is_empty() {
        md.push_str(&format!("\n### Remediation\n\n{}\n", rule.remediation));
    }
    if !rule.benchmarks.is_empty() {
        md.push_str("\n### Benchmarks\n\n");
        for (name, value) in &rule.benchmarks {
            let value = match value {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            md.push_str(&format!("- {name}: {value}\n"));
        }
    }
    md
}

fn descriptor(rule: &RuleMeta, context: &Context) -> sarif::ReportingDescriptor {
    let mut properties = BTreeMap::new();
    properties.insert("security-severity".to_string(), serde_json::json!(rule.severity.security_severity()));
    properties.insert("precision".to_string(), serde_json::json!("very-high"));
    let mut tags = vec!["security".to_string(), "azure".to_string(), "key-vault".to_string()];
    tags.extend(rule.tags.iter().cloned());
    let markdown = help_markdown(rule);
    sarif::ReportingDescriptor::builder()
        .id(rule.id.clone())
        .name(rule_name(rule))
        .short_description(sarif::MultiformatMessageString::builder().text(rule.title.clone()).build())
        .full_description(
            sarif::MultiformatMessageString::builder()
                .text(if rule.description.is_empty() { rule.title.clone() } else { rule.description.clone() })
                .build(),
        )
        .help(sarif::MultiformatMessageString::builder().text(markdown.clone()).markdown(markdown).build())
        .help_uri(format!("{}/{}.md", context.docs_base, rule.id))
        .default_configuration(
            sarif::ReportingConfiguration::builder()
                .level(serde_json::to_value(level(rule.severity)).unwrap_or_default())
                .build(),
        )
        .properties(sarif::PropertyBag::builder().tags(tags).additional_properties(properties).build())
        .build()
}

fn result(finding: &Finding, rule_index: usize, baseline: bool) -> sarif::Result {
    let (uri, line, column) = match &finding.location.file {
        Some(file) => (file.file.clone(), file.line, file.column),
        None => (pseudo_path(&finding.location.resource_id), 1, 1),
    };
    let physical = sarif::PhysicalLocation::builder()
        .artifact_location(sarif::ArtifactLocation::builder().uri(uri).uri_base_id("%SRCROOT%").build())
        .region(sarif::Region::builder().start_line(line as i64).start_column(column as i64).build())
        .build();
    let logical = sarif::LogicalLocation::builder()
        .fully_qualified_name(finding.resource.clone())
        .name(finding.resource.rsplit('/').next().unwrap_or_default().to_string())
        .kind("resource")
        .build();
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert(FINGERPRINT_KEY.to_string(), finding.fingerprint.clone());
    let mut properties = BTreeMap::new();
    properties.insert("severity".to_string(), serde_json::json!(finding.severity));
    properties.insert("vault".to_string(), serde_json::json!(finding.vault));
    if let Some(path) = &finding.path {
        properties.insert("path".to_string(), serde_json::json!(path));
    }
    let mut result = sarif::Result::builder()
        .rule_id(finding.rule_id.clone())
        .rule_index(rule_index as i64)
        // A value only known at deployment is worth a look, not an alert.
        .level(if finding.status == Status::Unknown { sarif::ResultLevel::Note } else { level(finding.severity) })
        .message(sarif::Message::builder().text(finding.message.clone()).build())
        .locations(vec![sarif::Location::builder()
            .physical_location(physical)
            .logical_locations(vec![logical])
            .build()])
        .partial_fingerprints(fingerprints)
        .properties(sarif::PropertyBag::builder().additional_properties(properties).build())
        .build();
    if let Some(exemption) = &finding.exemption {
        let mut properties = BTreeMap::new();
        properties.insert("owner".to_string(), serde_json::json!(exemption.owner));
        properties.insert("expires".to_string(), serde_json::json!(exemption.expires));
        result.suppressions = Some(vec![sarif::Suppression::builder()
            .kind(serde_json::json!("external"))
            .status(serde_json::json!("accepted"))
            .justification(exemption.reason.clone())
            .properties(sarif::PropertyBag::builder().additional_properties(properties).build())
            .build()]);
    }
    if baseline {
        let state = if finding.status == Status::Existing { "unchanged" } else { "new" };
        result.baseline_state = Some(serde_json::json!(state));
    }
    result
}

pub fn render(report: &ScanReport, context: &Context) -> Result<String, OutputError> {
    let rules: Vec<sarif::ReportingDescriptor> = report.rules.iter().map(|r| descriptor(r, context)).collect();
    let index: BTreeMap<&str, usize> = report.rules.iter().enumerate().map(|(i, r)| (r.id.as_str(), i)).collect();
    let notifications: Vec<sarif::Notification> = report
        .errors
        .iter()
        .map(|e| {
            sarif::Notification::builder()
                .level(serde_json::json!("error"))
                .message(sarif::Message::builder().text(format!("not scanned: {}: {}", e.scope, e.message)).build())
                .build()
        })
        .collect();
    let mut invocation = sarif::Invocation::builder().execution_successful(!report.incomplete()).build();
    if !notifications.is_empty() {
        invocation.tool_execution_notifications = Some(notifications);
    }
    let driver = sarif::ToolComponent::builder()
        .name("kvscan")
        .full_name(format!("kvscan {} — Azure Key Vault policy scanner", env!("CARGO_PKG_VERSION")))
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri(INFORMATION_URI)
        .rules(rules)
        .build();
    let run = sarif::Run::builder()
        .tool(sarif::Tool::builder().driver(driver).build())
        .automation_details(
            sarif::RunAutomationDetails::builder().id(format!("kvscan/{}/", report.kind.as_str())).build(),
        )
        .column_kind(serde_json::json!("unicodeCodePoints"))
        .invocations(vec![invocation])
        .results(Vec::new())
        .build();
    let log = sarif::Sarif::builder()
        .schema("https://json.schemastore.org/sarif-2.1.0.json")
        .version(serde_json::json!("2.1.0"))
        .runs(vec![run])
        .build();
    let serialize_error = |e: serde_json::Error| OutputError::Serialize { format: "SARIF", message: e.to_string() };
    let frame = serde_json::to_string_pretty(&log).map_err(serialize_error)?;
    // The frame was written with an empty result list; the results go where it stands.
    let at = frame.find(EMPTY_RESULTS).ok_or_else(|| OutputError::Serialize {
        format: "SARIF",
        message: "internal: no result list in the SARIF frame".into(),
    })?;
    let mut out = Vec::with_capacity(frame.len() + 1600 * report.findings.len());
    out.extend_from_slice(&frame.as_bytes()[..at]);
    let before_results = out.len();
    out.extend_from_slice(b"\n      \"results\": [\n");
    if write_results(report, &index, &mut out).map_err(serialize_error)? == 0 {
        out.truncate(before_results);
        out.extend_from_slice(EMPTY_RESULTS.as_bytes());
    } else {
        out.extend_from_slice(b"\n      ]");
    }
    out.extend_from_slice(&frame.as_bytes()[at + EMPTY_RESULTS.len()..]);
    out.push(b'\n');
    // serde_json writes UTF-8 only, and so does everything around it here.
    String::from_utf8(out).map_err(|e| OutputError::Serialize { format: "SARIF", message: e.to_string() })
}

/// How serde_json's pretty printer writes the run's empty `results` (a member of `runs[0]`).
const EMPTY_RESULTS: &str = "\n      \"results\": []";

/// Indentation of a result's lines: it is an element of `runs[0].results`, three levels deep.
const RESULT_INDENT: &[u8] = b"        ";

/// Appends every result to `out`, pretty-printed at its depth in the log and separated by `,\n`;
/// returns how many there were.
///
/// A large tenant has tens of thousands of results. Built and written one by one on a single
/// thread, they were most of the output time and held a tree several times the size of the text;
/// here each is built, written and dropped on whichever core is free, in batches so that only
/// one batch of trees exists at a time. The text is the same as serde_json writes for the whole
/// log: its pretty printer indents a nested value exactly as a top-level one, shifted by its
/// depth, and JSON strings cannot contain a raw line break.
fn write_results(
    report: &ScanReport,
    index: &BTreeMap<&str, usize>,
    out: &mut Vec<u8>,
) -> Result<usize, serde_json::Error> {
    const BATCH: usize = 4096;
    let mut written = 0;
    for batch in report.findings.chunks(BATCH) {
        let texts: Vec<Vec<u8>> = batch
            .par_iter()
            .filter_map(|f| index.get(f.rule_id.as_str()).map(|i| result(f, *i, report.baseline)))
            .map(|result| serde_json::to_vec_pretty(&result).map(|plain| indented(&plain)))
            .collect::<Result<_, serde_json::Error>>()?;
        for text in texts {
            if written > 0 {
                out.extend_from_slice(b",\n");
            }
            out.extend_from_slice(RESULT_INDENT);
            out.extend_from_slice(&text);
            written += 1;
        }
    }
    Ok(written)
}

/// `text` with every line after the first indented by [`RESULT_INDENT`]. Done afterwards, in one
/// pass, rather than in a writer: serde_json writes a token at a time, and a search per write
/// cost a twentieth of a whole scan.
fn indented(text: &[u8]) -> Vec<u8> {
    let breaks = memchr::memchr_iter(b'\n', text).count();
    let mut out = Vec::with_capacity(text.len() + breaks * RESULT_INDENT.len());
    let mut start = 0;
    for at in memchr::memchr_iter(b'\n', text) {
        out.extend_from_slice(&text[start..=at]);
        out.extend_from_slice(RESULT_INDENT);
        start = at + 1;
    }
    out.extend_from_slice(&text[start..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudo_paths_are_relative_and_encoded() {
        assert_eq!(
            pseudo_path("/subscriptions/s/resourceGroups/rg (x)/providers/Microsoft.KeyVault/vaults/kv"),
            "azure/subscriptions/s/resourceGroups/rg%20%28x%29/providers/Microsoft.KeyVault/vaults/kv"
        );
    }
}
