//! Every real template in `../shared/iac-examples/arm/` (Azure quickstarts, Azure Verified
//! Modules, CARML), scanned as a user would, its findings snapshot-tested. Each snapshot was
//! reviewed by hand; the reasoning for the verdicts that are not obvious is in
//! `docs/arm-corpus.md`. A missing corpus fails: a test that checks nothing would hide regressions.

use assert_cmd::Command;
use serde_json::Value;
use std::path::PathBuf;

fn corpus() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/iac-examples/arm");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| {
            panic!("the ARM corpus {} is missing ({e}); check out shared/ beside the repository", dir.display())
        })
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "expected the full corpus, found {} templates", files.len());
    files
}

/// One line per finding: rule, status, vault, line, property path.
fn summary(file: &std::path::Path) -> String {
    let relative =
        format!("../shared/iac-examples/arm/{}", file.file_name().and_then(|n| n.to_str()).unwrap_or_default());
    let output = Command::cargo_bin("kvscan")
        .expect("binary")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["scan", &relative, "--format", "json", "--fail-on", "none", "--now", "2026-11-15T00:00:00Z"])
        .output()
        .expect("run kvscan");
    assert_eq!(output.status.code(), Some(0), "{relative}: {}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).expect("json report");
    let mut lines = vec![format!("vaults: {}  errors: {}", report["scan"]["vaults"], report["errors"])];
    for finding in report["findings"].as_array().expect("findings") {
        let vault = finding["vault"].as_str().unwrap_or_default().rsplit('/').next().unwrap_or_default().to_string();
        assert_eq!(finding["location"]["file"].as_str(), Some(relative.as_str()), "every finding is in the template");
        lines.push(format!(
            "{} {:<7} {} line {} {}",
            finding["ruleId"].as_str().unwrap_or_default(),
            finding["status"].as_str().unwrap_or_default(),
            vault,
            finding["location"]["line"],
            finding["path"].as_str().unwrap_or("-"),
        ));
    }
    lines.join("\n")
}

#[test]
fn real_templates_give_reviewed_findings() {
    for file in corpus() {
        let name = file.file_stem().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        insta::assert_snapshot!(name, summary(&file));
    }
}
