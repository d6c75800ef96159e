//! The binary on the sample tenant and on bad inputs: exit codes, messages, determinism, and
//! snapshots of every output format.

use assert_cmd::prelude::*;
use predicates::prelude::*;
use std::process::Command;

const SAMPLE: &str = "fixtures/sample-tenant.json";
const PARTIAL: &str = "fixtures/sample-tenant-partial.json";
/// The sample's reference date (fixtures/README.md): verdicts of time-dependent rules are fixed.
const NOW: &str = "2026-11-15T00:00:00Z";

fn kvscan() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kvscan"));
    cmd.env_remove("KVSCAN_NOW").env_remove("KVSCAN_TIMINGS").env("NO_COLOR", "1");
    cmd
}

fn scan(format: &str, input: &str) -> (String, i32) {
    let output = kvscan().args(["scan", "--now", NOW, "--format", format, input]).output().expect("kvscan runs");
    (String::from_utf8(output.stdout).expect("utf-8"), output.status.code().unwrap_or(-1))
}

#[test]
fn sample_scan_fails_the_default_gate() {
    kvscan()
        .args(["scan", "--now", NOW, SAMPLE])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("13 vault(s)"))
        .stdout(predicate::str::contains("FAIL:"));
}

#[test]
fn fail_on_none_passes_and_critical_threshold_is_respected() {
    kvscan().args(["scan", "--now", NOW, "--fail-on", "none", SAMPLE]).assert().code(0);
    let (json, code) = scan("json", SAMPLE);
    assert_eq!(code, 1);
    let report: serde_json::Value = serde_json::from_str(&json).expect("json");
    let criticals = report["summary"]["bySeverity"]["critical"].as_u64().expect("count");
    let expected = if criticals > 0 { 1 } else { 0 };
    kvscan().args(["scan", "--now", NOW, "--fail-on", "critical", SAMPLE]).assert().code(expected);
}

#[test]
fn incomplete_inventory_exits_3_unless_findings_fail() {
    kvscan()
        .args(["scan", "--now", NOW, "--fail-on", "none", PARTIAL])
        .assert()
        .code(3)
        .stdout(predicate::str::contains("INCOMPLETE"))
        .stdout(predicate::str::contains("AuthorizationFailed"));
    // The partial sample holds a non-compliant vault: failing findings take precedence.
    kvscan().args(["scan", "--now", NOW, PARTIAL]).assert().code(1);
}

#[test]
fn incomplete_scan_is_visible_in_every_format() {
    let (json, _) = scan("json", PARTIAL);
    let report: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(report["errors"].as_array().map(Vec::len), Some(1));
    let (sarif, _) = scan("sarif", PARTIAL);
    let log: serde_json::Value = serde_json::from_str(&sarif).expect("sarif");
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    assert!(invocation["toolExecutionNotifications"][0]["message"]["text"]
        .as_str()
        .is_some_and(|t| t.contains("AuthorizationFailed")));
}

#[test]
fn outputs_are_byte_identical_across_runs() {
    for format in ["json", "sarif", "junit", "text"] {
        let first = scan(format, SAMPLE).0;
        let second = scan(format, SAMPLE).0;
        assert_eq!(first, second, "{format} output differs between runs");
        assert!(!first.contains(env!("CARGO_MANIFEST_DIR")), "{format} output holds an absolute path");
    }
}

#[test]
fn extra_outputs_are_written_in_the_same_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sarif = dir.path().join("out.sarif");
    let junit = dir.path().join("out.xml");
    let json = dir.path().join("out.json");
    kvscan()
        .args(["scan", "--now", NOW, SAMPLE, "--sarif"])
        .arg(&sarif)
        .arg("--junit")
        .arg(&junit)
        .arg("--json")
        .arg(&json)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("vault(s)"));
    assert_eq!(std::fs::read_to_string(&sarif).expect("sarif written"), scan("sarif", SAMPLE).0);
    assert_eq!(std::fs::read_to_string(&junit).expect("junit written"), scan("junit", SAMPLE).0);
    assert_eq!(std::fs::read_to_string(&json).expect("json written"), scan("json", SAMPLE).0);
}

#[test]
fn bad_inputs_exit_2_with_file_line_and_column() {
    let cases = [
        ("tests/data/invalid/malformed.json", "tests/data/invalid/malformed.json:7:17: invalid JSON"),
        ("tests/data/invalid/secret-with-value.json", "secret carries a \"value\""),
        ("tests/data/invalid/wrong-schema-version.json", "unsupported schemaVersion 99"),
        ("tests/data/invalid/missing-vault-id.json", "missing its \"id\""),
    ];
    for (file, message) in cases {
        kvscan()
            .args(["scan", file])
            .assert()
            .code(2)
            .stdout(predicate::str::is_empty())
            .stderr(predicate::str::starts_with(format!("error: {file}:")))
            .stderr(predicate::str::contains(message));
    }
}

#[test]
fn unsupported_and_missing_inputs_exit_2() {
    kvscan()
        .args(["scan", "Cargo.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("Cargo.toml: not a kvscan inventory"));
    kvscan().args(["scan", "no-such-file.json"]).assert().code(2).stderr(predicate::str::contains("no-such-file.json"));
    kvscan().args(["scan", "--fail-on", "severe", SAMPLE]).assert().code(2);
    kvscan().args(["scan", "--disable", "KV999", SAMPLE]).assert().code(2).stderr(predicate::str::contains("KV999"));
}

#[test]
fn disabled_rules_are_not_evaluated() {
    let (json, _) = scan("json", SAMPLE);
    assert!(json.contains("\"ruleId\": \"KV001\""));
    let output =
        kvscan().args(["scan", "--now", NOW, "--format", "json", "--disable", "kv001", SAMPLE]).output().expect("runs");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert!(!report["scan"]["rules"].as_array().expect("rules").iter().any(|r| r == "KV001"));
    assert!(!String::from_utf8_lossy(&output.stdout).contains("\"ruleId\": \"KV001\""));
}

#[test]
fn findings_point_at_the_offending_line_of_the_inventory() {
    let (json, _) = scan("json", SAMPLE);
    let report: serde_json::Value = serde_json::from_str(&json).expect("json");
    let text = std::fs::read_to_string(SAMPLE).expect("sample");
    let lines: Vec<&str> = text.lines().collect();
    let findings = report["findings"].as_array().expect("findings");
    assert!(!findings.is_empty());
    for finding in findings {
        let location = &finding["location"];
        assert_eq!(location["file"], SAMPLE);
        let line = location["line"].as_u64().expect("line") as usize;
        let shown = lines[line - 1];
        // The line holds the offending property, or the object that lacks it.
        let path = finding["path"].as_str().unwrap_or_default();
        let last = path.rsplit('.').next().unwrap_or_default();
        assert!(
            shown.contains(&format!("\"{last}\"")) || shown.trim_end().ends_with('{'),
            "{path} resolved to line {line}: {shown}"
        );
    }
}

#[test]
fn text_output_snapshot() {
    insta::assert_snapshot!("sample_text", scan("text", SAMPLE).0);
}

#[test]
fn json_output_snapshot() {
    insta::assert_snapshot!("sample_json", scan("json", SAMPLE).0);
}

#[test]
fn sarif_output_snapshot() {
    insta::assert_snapshot!("sample_sarif", scan("sarif", SAMPLE).0);
}

#[test]
fn junit_output_snapshot() {
    insta::assert_snapshot!("sample_junit", scan("junit", SAMPLE).0);
}

#[test]
fn sample_exercises_every_rule_failing_and_passing() {
    let (json, _) = scan("json", SAMPLE);
    let report: serde_json::Value = serde_json::from_str(&json).expect("json");
    let list = kvscan().args(["policy", "list", "--format", "json"]).output().expect("runs");
    let rules: serde_json::Value = serde_json::from_slice(&list.stdout).expect("json");
    let vaults = report["scan"]["vaults"].as_u64().expect("vault count") as usize;
    let findings = report["findings"].as_array().expect("findings");
    for rule in rules.as_array().expect("rules") {
        let id = rule["id"].as_str().expect("id");
        let failing: std::collections::BTreeSet<&str> =
            findings.iter().filter(|f| f["ruleId"] == id).filter_map(|f| f["vault"].as_str()).collect();
        assert!(findings.iter().any(|f| f["ruleId"] == id), "{id} never fails on the sample");
        if rule["scope"] == "vault" {
            assert!(failing.len() < vaults, "{id} fails on every vault of the sample: no passing case");
        }
    }
}

#[test]
fn github_format_annotates_findings_with_file_and_line() {
    let (out, code) = scan("github", SAMPLE);
    assert_eq!(code, 1);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines.iter().any(|l| l.starts_with("::error file=fixtures/sample-tenant.json,line=")));
    assert!(lines.iter().any(|l| l.starts_with("::warning ")));
    assert!(lines.iter().any(|l| l.starts_with("::notice ")));
    assert!(lines.iter().all(|l| l.starts_with("::") || l.starts_with("kvscan: ")));
    let (json, _) = scan("json", SAMPLE);
    let report: serde_json::Value = serde_json::from_str(&json).expect("json");
    let open = report["summary"]["findings"].as_u64().expect("count") as usize;
    assert_eq!(lines.iter().filter(|l| l.starts_with("::")).count(), open);
}

#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    // `kvscan scan … | head -1`: the pipe closes while kvscan still writes; it must neither panic
    // nor fail the gate for it.
    use std::io::Read;
    let mut child = kvscan()
        .args(["scan", "--now", NOW, "--fail-on", "none", "--format", "sarif", SAMPLE])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("kvscan runs");
    let mut first = [0u8; 1];
    child.stdout.take().expect("stdout").read_exact(&mut first).expect("some output");
    let output = child.wait_with_output().expect("kvscan ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(output.status.code(), Some(0), "{stderr}");
}
