//! JUnit XML: one `<testsuite>` per rule, one `<testcase>` per (rule, resource) evaluated.
//!
//! A vault with no finding for a rule is one passing test case (named by the vault's id), so CI
//! dashboards show pass counts; each finding is a failing test case named by the object at fault.

use super::{Context, OutputError};
use crate::finding::{Finding, Status};
use crate::policy::RuleScope;
use crate::scan::ScanReport;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use std::collections::{BTreeMap, BTreeSet};

fn failure_case(finding: &Finding, repeated: bool) -> TestCase {
    let mut status = match finding.status {
        Status::Open => TestCaseStatus::non_success(NonSuccessKind::Failure),
        // Accepted findings are neither passes nor failures of this run.
        Status::Exempted | Status::Existing | Status::Unknown => TestCaseStatus::skipped(),
    };
    let message = match (&finding.exemption, finding.status) {
        (Some(e), _) => format!("exempted until {} ({}): {} — {}", e.expires, e.owner, e.reason, finding.message),
        (None, Status::Existing) => format!("existing (in baseline): {}", finding.message),
        _ => finding.message.clone(),
    };
    status.set_message(message);
    status.set_type(finding.severity.as_str());
    let mut details = vec![format!("resource: {}", finding.resource)];
    if let Some(file) = &finding.location.file {
        details.push(format!("location: {}:{}:{}", file.file, file.line, file.column));
    }
    if let Some(path) = &finding.path {
        details.push(format!("path: {path}"));
    }
    details.push(format!("fingerprint: {}", finding.fingerprint));
    status.set_description(details.join("\n"));
    let name = match (&finding.path, repeated) {
        (Some(path), true) => format!("{} ({path})", finding.resource),
        _ => finding.resource.clone(),
    };
    let mut case = TestCase::new(name, status);
    case.set_classname(finding.rule_id.clone());
    case
}

pub fn render(report: &ScanReport, _context: &Context) -> Result<String, OutputError> {
    let mut by_rule: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for finding in &report.findings {
        by_rule.entry(finding.rule_id.as_str()).or_default().push(finding);
    }
    let mut junit = Report::new("kvscan");
    for rule in &report.rules {
        let findings = by_rule.remove(rule.id.as_str()).unwrap_or_default();
        let mut suite = TestSuite::new(format!("{} {}", rule.id, rule.title));
        let mut per_resource: BTreeMap<String, usize> = BTreeMap::new();
        for finding in &findings {
            *per_resource.entry(finding.resource.to_ascii_lowercase()).or_default() += 1;
        }
        let failing_vaults: BTreeSet<String> = findings.iter().map(|f| f.vault.to_ascii_lowercase()).collect();
        let mut cases: Vec<TestCase> =
            findings.iter().map(|f| failure_case(f, per_resource[&f.resource.to_ascii_lowercase()] > 1)).collect();
        match rule.scope {
            RuleScope::Vault => {
                for vault in &report.vaults {
                    if !failing_vaults.contains(&vault.id.to_ascii_lowercase()) {
                        let mut case = TestCase::new(vault.id.clone(), TestCaseStatus::success());
                        case.set_classname(rule.id.clone());
                        cases.push(case);
                    }
                }
            }
            RuleScope::Tenant => {
                if findings.is_empty() {
                    let mut case = TestCase::new("tenant", TestCaseStatus::success());
                    case.set_classname(rule.id.clone());
                    cases.push(case);
                }
            }
        }
        cases.sort_by(|a, b| a.name.as_str().cmp(b.name.as_str()));
        suite.add_test_cases(cases);
        junit.add_test_suite(suite);
    }
    let mut text = junit.to_string().map_err(|e| OutputError::Serialize { format: "JUnit", message: e.to_string() })?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}
