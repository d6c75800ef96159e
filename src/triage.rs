//! After evaluation: severity overrides, exemptions and the baseline decide how each finding
//! counts towards the gate. Nothing is dropped: exempted and existing findings stay in every
//! output, marked as such.

use crate::config::{self, Config};
use crate::finding::{ExemptionNote, Status};
use crate::scan::ScanReport;
use std::collections::BTreeSet;

/// A warning for the user (stderr), e.g. an exemption past its date.
pub type Warning = String;

/// Applies the configuration's severity overrides and exemptions. `today` decides expiry.
pub fn apply_config(
    report: &mut ScanReport,
    config: &Config,
    today: chrono::NaiveDate,
) -> Result<Vec<Warning>, String> {
    for rule in &mut report.rules {
        if let Some(severity) =
            config.severity.iter().find(|(id, _)| id.eq_ignore_ascii_case(&rule.id)).map(|(_, s)| *s)
        {
            rule.severity = severity;
        }
    }
    for finding in &mut report.findings {
        if let Some(rule) = report.rules.iter().find(|r| r.id == finding.rule_id) {
            finding.severity = rule.severity;
        }
    }
    let mut warnings = Vec::new();
    let mut active = Vec::new();
    for exemption in &config.exemptions {
        if exemption.expires < today {
            warnings.push(format!(
                "exemption for {} on {} (owner {}) expired on {}: its findings count again",
                exemption.rule, exemption.resource, exemption.owner, exemption.expires
            ));
            continue;
        }
        active.push((exemption, config::glob(&exemption.resource)?));
    }
    for finding in &mut report.findings {
        let matched = active.iter().find(|(exemption, glob)| {
            exemption.rule.eq_ignore_ascii_case(&finding.rule_id)
                && (glob.is_match(&finding.resource) || (!finding.vault.is_empty() && glob.is_match(&finding.vault)))
        });
        if let Some((exemption, _)) = matched {
            finding.status = Status::Exempted;
            finding.exemption = Some(ExemptionNote {
                reason: exemption.reason.clone(),
                owner: exemption.owner.clone(),
                expires: exemption.expires.to_string(),
            });
        }
    }
    Ok(warnings)
}

/// Marks findings whose fingerprint is in a previous JSON report as existing.
pub fn apply_baseline(report: &mut ScanReport, baseline: &BTreeSet<String>) {
    for finding in &mut report.findings {
        if finding.status == Status::Open && baseline.contains(&finding.fingerprint) {
            finding.status = Status::Existing;
        }
    }
    report.baseline = true;
}

/// Reads the fingerprints of a kvscan JSON report (`--json` output of an earlier scan).
pub fn read_baseline(file: &str, text: &str) -> Result<BTreeSet<String>, String> {
    let document: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| format!("{file}:{}:{}: baseline is not JSON: {e}", e.line(), e.column()))?;
    let findings = document.get("findings").and_then(serde_json::Value::as_array).ok_or_else(|| {
        format!(
            "{file}: not a kvscan JSON report (no \"findings\" array); create one with `kvscan scan ... --json {file}`"
        )
    })?;
    Ok(findings
        .iter()
        .filter_map(|f| f.get("fingerprint").and_then(serde_json::Value::as_str))
        .map(str::to_string)
        .collect())
}
