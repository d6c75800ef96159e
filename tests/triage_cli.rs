//! Configuration, exemptions and baselines, end to end through every output.

use assert_cmd::prelude::*;
use predicates::prelude::*;
use std::path::Path;
use std::process::Command;

const SAMPLE: &str = "fixtures/sample-tenant.json";
const NOW: &str = "2026-11-15T00:00:00Z";
const SHARED_PROD: &str =
    "/subscriptions/d4156625-a93d-4106-b7d9-43f8c4293bf5/resourceGroups/rg-shared-prod/providers/Microsoft.KeyVault/vaults/kv-shared-prod";

fn kvscan() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kvscan"));
    cmd.env("NO_COLOR", "1").env_remove("KVSCAN_NOW");
    cmd
}

fn write_config(dir: &Path, text: &str) -> std::path::PathBuf {
    let path = dir.join("kvscan.yaml");
    std::fs::write(&path, text).expect("write config");
    path
}

fn exemption(expires: &str) -> String {
    format!(
        "exemptions:\n  - rule: KV001\n    resource: /subscriptions/*/resourceGroups/rg-shared-prod/**\n    reason: vault is being decommissioned (CHG-1234)\n    owner: platform@contoso.com\n    expires: {expires}\n"
    )
}

fn json_report(extra: &[&str]) -> serde_json::Value {
    let output = kvscan().args(["scan", "--now", NOW, "--format", "json", SAMPLE]).args(extra).output().expect("runs");
    serde_json::from_slice(&output.stdout).expect("json")
}

#[test]
fn exemptions_are_reported_but_do_not_fail() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path(), &exemption("2027-01-31"));
    let config = config.to_str().expect("utf-8");
    let report = json_report(&["--config", config]);
    let exempted: Vec<&serde_json::Value> =
        report["findings"].as_array().expect("findings").iter().filter(|f| f["status"] == "exempted").collect();
    assert_eq!(exempted.len(), 1);
    assert_eq!(exempted[0]["ruleId"], "KV001");
    assert_eq!(exempted[0]["resource"], SHARED_PROD);
    assert_eq!(exempted[0]["exemption"]["owner"], "platform@contoso.com");
    assert_eq!(report["summary"]["exempted"], 1);

    let sarif =
        kvscan().args(["scan", "--now", NOW, "--format", "sarif", SAMPLE, "--config", config]).output().expect("runs");
    let sarif: serde_json::Value = serde_json::from_slice(&sarif.stdout).expect("sarif");
    let suppressed: Vec<&serde_json::Value> = sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(suppressed[0]["suppressions"][0]["kind"], "external");
    assert_eq!(suppressed[0]["suppressions"][0]["justification"], "vault is being decommissioned (CHG-1234)");

    let junit =
        kvscan().args(["scan", "--now", NOW, "--format", "junit", SAMPLE, "--config", config]).output().expect("runs");
    let junit = quick_junit::Report::deserialize_from_str(&String::from_utf8_lossy(&junit.stdout)).expect("junit");
    let skipped: usize = junit.test_suites.iter().map(|s| s.skipped).sum();
    assert_eq!(skipped, 1);

    kvscan()
        .args(["scan", "--now", NOW, SAMPLE, "--config", config])
        .assert()
        .stdout(predicate::str::contains("exempted\n  KV001"))
        .stdout(predicate::str::contains("until 2027-01-31 by platform@contoso.com"));
}

#[test]
fn exempting_every_failing_finding_passes_the_gate() {
    let list = kvscan().args(["policy", "list", "--format", "json"]).output().expect("runs");
    let rules: serde_json::Value = serde_json::from_slice(&list.stdout).expect("json");
    let mut config = String::from("exemptions:\n");
    for rule in rules.as_array().expect("rules") {
        if rule["severity"] == "high" || rule["severity"] == "critical" {
            config.push_str(&format!(
                "  - rule: {}\n    resource: '**'\n    reason: accepted risk, see RISK-7\n    owner: ciso@contoso.com\n    expires: 2027-06-30\n",
                rule["id"].as_str().expect("id")
            ));
        }
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path(), &config);
    kvscan().args(["scan", "--now", NOW, SAMPLE, "--config"]).arg(&config).assert().code(0);
}

#[test]
fn expired_exemptions_stop_applying_and_warn() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path(), &exemption("2026-11-14"));
    kvscan()
        .args(["scan", "--now", NOW, "--format", "json", SAMPLE, "--config"])
        .arg(&config)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("warning: exemption for KV001"))
        .stderr(predicate::str::contains("expired on 2026-11-14"))
        .stdout(predicate::str::contains("\"status\": \"exempted\"").not());
    // The expiry day itself is still covered.
    let config = write_config(dir.path(), &exemption("2026-11-15"));
    kvscan()
        .args(["scan", "--now", NOW, "--format", "json", SAMPLE, "--config"])
        .arg(&config)
        .assert()
        .stdout(predicate::str::contains("\"status\": \"exempted\""));
}

#[test]
fn config_sets_gate_disables_rules_and_overrides_severity() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path(), "fail-on: none\ndisable: [KV020]\nseverity:\n  KV003: critical\n");
    let config = config.to_str().expect("utf-8");
    kvscan().args(["scan", "--now", NOW, SAMPLE, "--config", config]).assert().code(0);
    // The command line wins over the file.
    kvscan().args(["scan", "--now", NOW, SAMPLE, "--config", config, "--fail-on", "critical"]).assert().code(1);
    let report = json_report(&["--config", config]);
    let findings = report["findings"].as_array().expect("findings");
    assert!(!findings.iter().any(|f| f["ruleId"] == "KV020"));
    assert!(findings.iter().filter(|f| f["ruleId"] == "KV003").all(|f| f["severity"] == "critical"));
}

#[test]
fn config_errors_name_the_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path(), "fail-on: high\ndisable:\n  - KV001\n  - KV777\n");
    kvscan()
        .args(["scan", SAMPLE, "--config"])
        .arg(&config)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("kvscan.yaml:4: unknown rule id 'KV777'"));
    let config = write_config(dir.path(), "fail-on: high\nexemption: []\n");
    kvscan()
        .args(["scan", SAMPLE, "--config"])
        .arg(&config)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("kvscan.yaml:2:"))
        .stderr(predicate::str::contains("exemption"));
}

#[test]
fn config_is_found_in_the_working_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join(".kvscan.yaml"), "fail-on: none\n").expect("write");
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join(SAMPLE);
    kvscan().current_dir(dir.path()).args(["scan", "--now", NOW]).arg(&sample).assert().code(0);
}

#[test]
fn baseline_marks_existing_findings_and_only_new_ones_fail() {
    let dir = tempfile::tempdir().expect("tempdir");
    let baseline = dir.path().join("baseline.json");
    kvscan().args(["scan", "--now", NOW, "--fail-on", "none", SAMPLE, "--json"]).arg(&baseline).assert().code(0);
    kvscan()
        .args(["scan", "--now", NOW, SAMPLE, "--baseline"])
        .arg(&baseline)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("(existing)"));
    let sarif = kvscan()
        .args(["scan", "--now", NOW, "--format", "sarif", SAMPLE, "--baseline"])
        .arg(&baseline)
        .output()
        .expect("runs");
    let sarif: serde_json::Value = serde_json::from_slice(&sarif.stdout).expect("sarif");
    assert!(sarif["runs"][0]["results"].as_array().expect("results").iter().all(|r| r["baselineState"] == "unchanged"));

    // A baseline without one of today's findings: that finding is new and fails the gate.
    let mut report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&baseline).expect("read")).expect("json");
    let findings = report["findings"].as_array_mut().expect("findings");
    let position = findings.iter().position(|f| f["ruleId"] == "KV001").expect("a KV001 finding");
    let removed = findings.remove(position);
    std::fs::write(&baseline, serde_json::to_string(&report).expect("json")).expect("write");
    let output = kvscan()
        .args(["scan", "--now", NOW, "--format", "json", SAMPLE, "--baseline"])
        .arg(&baseline)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let now: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let open: Vec<&serde_json::Value> =
        now["findings"].as_array().expect("findings").iter().filter(|f| f["status"] == "open").collect();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0]["fingerprint"], removed["fingerprint"]);
}

#[test]
fn a_baseline_that_is_not_a_report_is_an_error() {
    kvscan()
        .args(["scan", SAMPLE, "--baseline", SAMPLE])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a kvscan JSON report"));
}
