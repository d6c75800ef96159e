//! GitHub Actions workflow commands (`::error file=…,line=…::message`): findings annotate the pull
//! request diff even where code scanning is not enabled.

use super::Context;
use crate::finding::{Severity, Status};
use crate::scan::ScanReport;
use std::fmt::Write;

/// Escapes the message part of a workflow command.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a property value (`file=`, `title=`), which also may not contain `:` or `,`.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(report: &ScanReport, context: &Context) -> String {
    let mut out = String::new();
    // Accepted findings (exempted, or already in the baseline) are not annotated: they are not
    // news on a pull request.
    for finding in report.findings.iter().filter(|f| f.status == Status::Open) {
        let command = match finding.severity {
            Severity::Critical | Severity::High => "error",
            Severity::Medium => "warning",
            Severity::Low => "notice",
        };
        let mut properties = Vec::new();
        if let Some(file) = &finding.location.file {
            properties.push(format!("file={}", escape_property(&file.file)));
            properties.push(format!("line={}", file.line));
            properties.push(format!("col={}", file.column));
        }
        let title = report.rules.iter().find(|r| r.id == finding.rule_id).map_or("", |r| r.title.as_str());
        properties.push(format!("title={}", escape_property(&format!("{} {}", finding.rule_id, title))));
        let _ = writeln!(
            out,
            "::{command} {}::{}",
            properties.join(","),
            escape_data(&format!("{} ({})", finding.message, finding.resource))
        );
    }
    let _ = writeln!(
        out,
        "kvscan: {} finding(s), {} failing at or above {}",
        report.count_status(Status::Open),
        report.failing(context.fail_on),
        context.fail_on
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_workflow_command_syntax() {
        assert_eq!(escape_data("50% done\nnext"), "50%25 done%0Anext");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
