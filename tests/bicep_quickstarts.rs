//! Bicep files that mirror ARM quickstarts of `shared/iac-examples/arm` (the Bicep those
//! templates were compiled from): the native Bicep reader must give the same verdicts as the
//! ARM path on the compiled originals, with findings placed in the `.bicep` files.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeSet;

const NOW: &str = "2026-11-15T00:00:00Z";

fn report(path: &str) -> Value {
    let output = Command::cargo_bin("kvscan")
        .expect("binary")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["scan", path, "--now", NOW, "--format", "json", "--fail-on", "none"])
        .output()
        .expect("run");
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!("{path}: {e}: {}\n{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
    })
}

/// (vault name, rule, status) of every finding.
fn verdicts(report: &Value) -> BTreeSet<(String, String, String)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["vault"].as_str().unwrap_or_default().rsplit('/').next().unwrap_or_default().to_string(),
                f["ruleId"].as_str().unwrap_or_default().to_string(),
                f["status"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn assert_same_verdicts(quickstart: &str) {
    let arm = report(&format!("../shared/iac-examples/arm/quickstart-{quickstart}.json"));
    let bicep = report(&format!("tests/data/bicep/quickstarts/{quickstart}.bicep"));
    assert_eq!(bicep["scan"]["vaults"], arm["scan"]["vaults"], "{quickstart}: vault count");
    assert!(bicep["errors"].as_array().is_some_and(Vec::is_empty), "{quickstart}: {}", bicep["errors"]);
    assert!(!verdicts(&arm).is_empty(), "{quickstart}: the ARM original has findings to compare");
    assert_eq!(verdicts(&bicep), verdicts(&arm), "{quickstart}: Bicep and ARM verdicts differ");
    for finding in bicep["findings"].as_array().expect("findings") {
        assert_eq!(
            finding["location"]["file"],
            format!("tests/data/bicep/quickstarts/{quickstart}.bicep"),
            "{quickstart}: every finding is placed in the Bicep file: {finding}"
        );
        assert!(finding["location"]["line"].as_u64().is_some_and(|l| l > 1), "{finding}");
    }
}

#[test]
fn key_vault_create_matches_its_arm_original() {
    assert_same_verdicts("key-vault-create");
}

#[test]
fn key_vault_create_rbac_matches_its_arm_original() {
    assert_same_verdicts("key-vault-create-rbac");
}

#[test]
fn key_vault_secret_create_matches_its_arm_original() {
    assert_same_verdicts("key-vault-secret-create");
}

#[test]
fn key_vault_with_logging_create_matches_its_arm_original() {
    assert_same_verdicts("key-vault-with-logging-create");
}
