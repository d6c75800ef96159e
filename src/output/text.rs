//! Human output: findings grouped by vault, most severe first, and a one-line verdict.

use super::Context;
use crate::finding::{FailOn, Finding, Severity, Status};
use crate::scan::ScanReport;
use std::fmt::Write;

fn paint(context: &Context, code: &str, text: &str) -> String {
    if context.color {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

fn severity_label(context: &Context, severity: Severity) -> String {
    let label = format!("{:<8}", severity.as_str().to_uppercase());
    let code = match severity {
        Severity::Critical => "1;35",
        Severity::High => "1;31",
        Severity::Medium => "33",
        Severity::Low => "36",
    };
    paint(context, code, &label)
}

/// The part of a resource id below its vault (`/secrets/db-password`), or the id itself.
fn object_label(finding: &Finding) -> Option<&str> {
    if finding.resource.eq_ignore_ascii_case(&finding.vault) {
        return None;
    }
    let vault_len = finding.vault.len();
    if !finding.vault.is_empty()
        && finding.resource.len() > vault_len
        && finding.resource[..vault_len].eq_ignore_ascii_case(&finding.vault)
    {
        return Some(&finding.resource[vault_len..]);
    }
    Some(&finding.resource)
}

pub fn render(report: &ScanReport, context: &Context) -> String {
    let mut out = String::new();
    let mut groups: Vec<(&str, Vec<&Finding>)> = Vec::new();
    for finding in report.findings.iter().filter(|f| f.status != Status::Exempted) {
        match groups.last_mut() {
            Some((vault, items)) if *vault == finding.vault => items.push(finding),
            _ => groups.push((&finding.vault, vec![finding])),
        }
    }
    // People look for a vault by name: groups in name order (tenant-wide findings first), with a
    // map instead of a search per group so large reports stay linear.
    let names: std::collections::HashMap<&str, &str> =
        report.vaults.iter().map(|v| (v.id.as_str(), v.name.as_str())).collect();
    fn name_of<'a>(names: &std::collections::HashMap<&str, &'a str>, vault: &'a str) -> &'a str {
        names.get(vault).copied().unwrap_or(vault)
    }
    groups.sort_by(|(a, _), (b, _)| name_of(&names, a).cmp(name_of(&names, b)).then_with(|| a.cmp(b)));
    for (vault, mut items) in groups {
        items.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.sort_key().cmp(&b.sort_key())));
        let name = name_of(&names, vault);
        if vault.is_empty() {
            let _ = writeln!(out, "{}", paint(context, "1", "tenant-wide"));
        } else {
            let _ = writeln!(out, "{}  {}", paint(context, "1", name), paint(context, "2", vault));
        }
        for finding in items {
            let existing = match finding.status {
                Status::Existing => " (existing)",
                Status::Unknown => " (unknown until deployment)",
                _ => "",
            };
            let _ = writeln!(
                out,
                "  {} {:<6} {}{}",
                severity_label(context, finding.severity),
                finding.rule_id,
                finding.message,
                paint(context, "2", existing)
            );
            let mut detail = Vec::new();
            if let Some(object) = object_label(finding) {
                detail.push(object.to_string());
            }
            if let Some(file) = &finding.location.file {
                detail.push(format!("{}:{}:{}", file.file, file.line, file.column));
            }
            if let Some(path) = &finding.path {
                detail.push(path.clone());
            }
            if !detail.is_empty() {
                let _ = writeln!(out, "{:17}{}", "", paint(context, "2", &detail.join("  ")));
            }
        }
        out.push('\n');
    }
    let exempted: Vec<&Finding> = report.findings.iter().filter(|f| f.status == Status::Exempted).collect();
    if !exempted.is_empty() {
        let _ = writeln!(out, "{}", paint(context, "1", "exempted"));
        for finding in exempted {
            let _ = writeln!(
                out,
                "  {:<6} {}  {}",
                finding.rule_id,
                finding.resource,
                paint(context, "2", &finding.message)
            );
            if let Some(exemption) = &finding.exemption {
                let _ =
                    writeln!(out, "{:9}until {} by {}: {}", "", exemption.expires, exemption.owner, exemption.reason);
            }
        }
        out.push('\n');
    }
    if report.incomplete() {
        let _ = writeln!(
            out,
            "{} {} part(s) of the estate could not be read and were not scanned:",
            paint(context, "1;33", "INCOMPLETE"),
            report.errors.len()
        );
        for error in &report.errors {
            let _ = writeln!(out, "  {}: {}", error.scope, error.message);
        }
        out.push('\n');
    }
    let counts: Vec<String> = Severity::ALL.iter().map(|s| format!("{} {}", report.count(*s), s.as_str())).collect();
    let failing = report.failing(context.fail_on);
    let verdict = match super::json::verdict(report, context) {
        "fail" => paint(context, "1;31", &format!("FAIL: {failing} finding(s) at or above {}", context.fail_on)),
        "incomplete" => paint(context, "1;33", "INCOMPLETE: no failing findings in what was scanned"),
        _ if context.fail_on == FailOn::None => paint(context, "1;32", "PASS: the gate is off (--fail-on none)"),
        _ => paint(context, "1;32", &format!("PASS: nothing at or above {}", context.fail_on)),
    };
    let mut accepted = Vec::new();
    for status in [Status::Exempted, Status::Existing, Status::Unknown] {
        let count = report.count_status(status);
        if count > 0 {
            accepted.push(format!("{count} {}", status.as_str()));
        }
    }
    let accepted = if accepted.is_empty() { String::new() } else { format!("; {}", accepted.join(", ")) };
    let open = report.count_status(Status::Open);
    let _ = writeln!(
        out,
        "{} vault(s), {} rule(s): {} finding(s) ({}){}. {}",
        report.vaults.len(),
        report.rules.len(),
        open,
        counts.join(", "),
        accepted,
        verdict
    );
    out
}
