//! The GitHub Action's shell steps (scripts/action/*.sh, called by action.yml), run locally the way
//! the runner runs them: a fake GITHUB_* environment whose GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and
//! GITHUB_PATH are temp files, the kvscan built by this test run first on PATH; for live scans the
//! fake ARM server (tests/support/fake_arm) signed in to through the GitHub OIDC credential, as in
//! a job with `id-token: write`; for the installer a loopback HTTP server that plays the GitHub
//! API and the release download host.
//!
//! Needs bash, jq, curl, tar and sha256sum, as a GitHub runner has them.
#![cfg(unix)]

#[path = "support/fake_arm/mod.rs"]
mod fake_arm;

use fake_arm::{FakeArm, Faults, TenantSpec};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

const SAMPLE: &str = "fixtures/sample-tenant.json";
const PARTIAL: &str = "fixtures/sample-tenant-partial.json";
/// The sample's reference date (fixtures/README.md).
const NOW: &str = "2026-11-15T00:00:00Z";
const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn kvscan_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_kvscan"))
}

/// PATH with `first` in front of the test's own PATH.
fn path_with(first: &Path) -> String {
    format!("{}:{}", first.display(), std::env::var("PATH").unwrap_or_default())
}

/// A fake runner: temp files for the runner's command files, and the environment of a
/// pull-request job. Nothing of the test process's own environment leaks in but PATH and HOME
/// (cargo test may itself run inside GitHub Actions).
struct Runner {
    dir: tempfile::TempDir,
}

impl Runner {
    fn new() -> Self {
        Runner { dir: tempfile::tempdir().expect("tempdir") }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn command(&self, script: &str, path_first: &Path) -> Command {
        let mut cmd = Command::new("bash");
        cmd.arg(root().join("scripts/action").join(script))
            .current_dir(root())
            .env_clear()
            .env("PATH", path_with(path_first))
            .env("HOME", std::env::var("HOME").unwrap_or_else(|_| "/tmp".into()))
            .env("NO_COLOR", "1")
            .env("KVSCAN_NOW", NOW)
            .env("CI", "true")
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_OUTPUT", self.path("github_output"))
            .env("GITHUB_STEP_SUMMARY", self.path("step_summary.md"))
            .env("GITHUB_PATH", self.path("github_path"))
            .env("RUNNER_TEMP", self.path("runner_temp"))
            .env("GITHUB_SERVER_URL", "https://github.com")
            .env("GITHUB_REPOSITORY", "octo/infra")
            .env("GITHUB_SHA", SHA)
            .env("GITHUB_REF", "refs/pull/42/merge")
            .env("GITHUB_WORKSPACE", root());
        cmd
    }

    /// The scan step, with the real kvscan first on PATH.
    fn scan(&self, inputs: &[(&str, &str)]) -> Output {
        self.scan_with(inputs, kvscan_bin().parent().expect("bin dir"), &[])
    }

    fn scan_with(&self, inputs: &[(&str, &str)], path_first: &Path, env: &[(&str, &str)]) -> Output {
        let mut cmd = self.command("run.sh", path_first);
        for (name, value) in inputs {
            cmd.env(format!("INPUT_{}", name.to_uppercase().replace('-', "_")), value);
        }
        for (name, value) in env {
            cmd.env(name, value);
        }
        cmd.output().expect("bash runs")
    }

    /// `name=value` lines of GITHUB_OUTPUT; a name written twice keeps the last value, as on
    /// GitHub.
    fn outputs(&self) -> HashMap<String, String> {
        let text = std::fs::read_to_string(self.path("github_output")).unwrap_or_default();
        text.lines().filter_map(|line| line.split_once('=')).map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn summary(&self) -> String {
        std::fs::read_to_string(self.path("step_summary.md")).unwrap_or_default()
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn describe(output: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn read_json(path: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"))).expect("json")
}

fn open_findings(report: &Value) -> Vec<&Value> {
    report["findings"].as_array().expect("findings").iter().filter(|f| f["status"] == "open").collect()
}

/// The data rows of the Markdown table that follows `heading` in the summary.
fn table_after<'a>(summary: &'a str, heading: &str) -> Vec<Vec<&'a str>> {
    let start = summary.find(heading).unwrap_or_else(|| panic!("no {heading:?} in summary:\n{summary}"));
    summary[start..]
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2) // header and separator
        .map(|l| l.trim_matches('|').split(" | ").map(str::trim).collect())
        .collect()
}

fn severity_rank(severity: &str) -> u8 {
    match severity {
        "critical" => 4,
        "high" => 3,
        "medium" => 2,
        "low" => 1,
        other => panic!("unknown severity {other}"),
    }
}

#[test]
fn sample_scan_fails_the_gate_with_outputs_annotations_and_summary() {
    let runner = Runner::new();
    let junit = runner.path("results/kvscan.xml");
    let output = runner.scan(&[("path", SAMPLE), ("junit-file", junit.to_str().expect("utf-8"))]);
    assert_eq!(output.status.code(), Some(1), "{}", describe(&output));

    let outputs = runner.outputs();
    assert_eq!(outputs["exit-code"], "1");
    assert_eq!(outputs["result"], "fail");
    let report = read_json(&outputs["json-file"]);
    let open = open_findings(&report);
    assert!(!open.is_empty());
    assert_eq!(outputs["findings"], open.len().to_string());
    let failing = report["summary"]["failing"].as_u64().expect("failing");
    assert!(failing > 0);
    assert_eq!(outputs["failing"], failing.to_string());
    assert_eq!(outputs["kind"], report["scan"]["kind"].as_str().expect("kind"));

    // The SARIF is where the upload step expects it, and the category is the one in the file.
    let sarif = read_json(&outputs["sarif-file"]);
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), report["findings"].as_array().expect("findings").len());
    let automation_id = sarif["runs"][0]["automationDetails"]["id"].as_str().expect("automationDetails.id");
    assert_eq!(format!("{}/", outputs["category"]), automation_id);
    assert_eq!(outputs["category"], format!("kvscan/{}", outputs["kind"]));
    assert_eq!(outputs["junit-file"], junit.to_str().expect("utf-8"));
    assert!(std::fs::read_to_string(&junit).expect("junit").contains("<testsuites"));
    assert_eq!(outputs["inventory-file"], "");

    // Annotations on stdout, one per open finding.
    let out = stdout(&output);
    let annotations = out
        .lines()
        .filter(|l| l.starts_with("::error ") || l.starts_with("::warning ") || l.starts_with("::notice "))
        .count();
    assert_eq!(annotations, open.len(), "{out}");
    assert!(out.contains("::error file=fixtures/sample-tenant.json,line="), "{out}");

    // The summary: verdict, counts by severity as in the report, the ten most severe findings
    // with links to the file at the commit, and the SARIF with a link to its alerts.
    let summary = runner.summary();
    assert!(summary.starts_with("### kvscan: "), "{summary}");
    assert!(summary.contains(&format!("❌ **Failed**: {failing} findings at or above `high`")), "{summary}");
    let rows = table_after(&summary, "| Severity | Open |");
    let mut counted = BTreeMap::new();
    for row in &rows {
        counted.insert(row[0].to_string(), row[1].to_string());
    }
    for severity in ["critical", "high", "medium", "low"] {
        let expected = open.iter().filter(|f| f["severity"] == severity).count();
        assert_eq!(counted[severity], expected.to_string(), "{severity} in\n{summary}");
    }
    assert_eq!(counted["**total**"], format!("**{}**", open.len()));

    let top = table_after(&summary, "#### Top findings");
    assert_eq!(top.len(), 10, "{summary}");
    let ranks: Vec<u8> = top.iter().map(|row| severity_rank(row[0])).collect();
    let most_severe =
        open.iter().map(|f| severity_rank(f["severity"].as_str().expect("severity"))).max().expect("some");
    assert_eq!(ranks[0], most_severe);
    assert!(ranks.windows(2).all(|w| w[0] >= w[1]), "not most severe first: {ranks:?}");
    let link = format!("](https://github.com/octo/infra/blob/{SHA}/fixtures/sample-tenant.json#L");
    assert!(top.iter().all(|row| row[4].contains(&link)), "{summary}");
    // Each listed finding is a real one: its rule and its line appear in the report.
    for row in &top {
        let line: u64 = row[4].rsplit("#L").next().and_then(|l| l.trim_end_matches(')').parse().ok()).expect("line");
        assert!(
            open.iter().any(|f| f["ruleId"] == row[1] && f["location"]["line"] == line),
            "{row:?} is not a finding of the report"
        );
    }
    assert!(summary.contains(&format!("Showing 10 of {} open findings", open.len())), "{summary}");
    assert!(summary.contains(&format!("SARIF: `{}`", outputs["sarif-file"])), "{summary}");
    assert!(
        summary.contains(&format!(
            "category `{}`: [open alerts](https://github.com/octo/infra/security/code-scanning?query=is%3Aopen%20tool%3Akvscan%20pr%3A42)",
            outputs["category"]
        )),
        "{summary}"
    );
}

/// The pull-request gate's case: a directory of ARM templates (kvscan-pr.yml scans `infra/`).
#[test]
fn template_directory_scan_uses_the_iac_category_and_links_the_templates() {
    const INFRA: &str = "tests/data/arm/infra";
    let runner = Runner::new();
    let output = runner.scan(&[("path", INFRA), ("fail-on", "medium")]);
    let outputs = runner.outputs();
    let report = read_json(&outputs["json-file"]);
    let failing = report["summary"]["failing"].as_u64().expect("failing");
    assert!(failing > 0, "the IaC test data has medium findings");
    assert_eq!(output.status.code(), Some(1), "{}", describe(&output));
    assert_eq!(outputs["kind"], "iac");
    assert_eq!(outputs["category"], "kvscan/iac");
    let sarif = read_json(&outputs["sarif-file"]);
    assert_eq!(sarif["runs"][0]["automationDetails"]["id"], "kvscan/iac/");

    // Annotations on the template lines, as the pull request diff shows them.
    let out = stdout(&output);
    for finding in open_findings(&report) {
        let file = finding["location"]["file"].as_str().expect("a template finding has a file");
        assert!(file.starts_with(INFRA), "{file}");
        let annotation = format!("file={file},line={},", finding["location"]["line"]);
        assert!(out.contains(&annotation), "no annotation {annotation} in\n{out}");
    }

    let summary = runner.summary();
    assert!(summary.starts_with("### kvscan: infrastructure-as-code scan"), "{summary}");
    assert!(summary.contains(&format!("❌ **Failed**: {failing} finding")), "{summary}");
    let top = table_after(&summary, "#### Top findings");
    assert_eq!(top.len(), open_findings(&report).len().min(10));
    let link = format!("](https://github.com/octo/infra/blob/{SHA}/{INFRA}/");
    assert!(top.iter().all(|row| row[4].contains(&link)), "{summary}");
    // Values unknown before deployment get their own column when there are any.
    let unknown = report["findings"].as_array().expect("findings").iter().filter(|f| f["status"] == "unknown").count();
    if unknown > 0 {
        let rows = table_after(&summary, "| Severity | Open | Unknown |");
        let total = rows.iter().find(|r| r[0] == "**total**").expect("total row");
        assert_eq!(total[2], unknown.to_string(), "{summary}");
        assert!(summary.contains("values that cannot be known before deployment"), "{summary}");
    }
}

#[test]
fn gate_off_text_report_and_a_shorter_summary() {
    let runner = Runner::new();
    let output = runner.scan(&[
        ("path", SAMPLE),
        ("fail-on", "none"),
        ("annotations", "false"),
        ("top-findings", "3"),
        ("upload-sarif", "false"),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let outputs = runner.outputs();
    assert_eq!(outputs["exit-code"], "0");
    assert_eq!(outputs["result"], "pass");
    assert_eq!(outputs["failing"], "0");
    let out = stdout(&output);
    assert!(!out.contains("::error"), "annotations although annotations is false:\n{out}");
    assert!(out.contains("13 vault(s)"), "no text report:\n{out}");

    let summary = runner.summary();
    assert!(summary.contains("✅ **Passed** (the gate is off: `fail-on: none`)"), "{summary}");
    assert_eq!(table_after(&summary, "#### Top findings").len(), 3);
    assert!(summary.contains("Showing 3 of "), "{summary}");
    assert!(!summary.contains("open alerts"), "no upload, no alerts link:\n{summary}");
}

#[test]
fn incomplete_scan_exits_3_and_names_what_was_not_scanned() {
    let runner = Runner::new();
    let output = runner.scan(&[("path", PARTIAL), ("fail-on", "none")]);
    assert_eq!(output.status.code(), Some(3), "{}", describe(&output));
    let outputs = runner.outputs();
    assert_eq!(outputs["exit-code"], "3");
    assert_eq!(outputs["result"], "incomplete");
    assert_ne!(outputs["sarif-file"], "", "an incomplete scan still uploads what it found");
    let summary = runner.summary();
    assert!(summary.contains("⚠️ **Incomplete**"), "{summary}");
    assert!(summary.contains("**Not scanned** (1 scope):"), "{summary}");
    assert!(
        summary.contains("- `/subscriptions/eb2e362b-313e-4016-a0f7-f64b73c8fc73`: AuthorizationFailed"),
        "{summary}"
    );
}

#[test]
fn unreadable_input_is_an_error_and_no_stale_sarif_is_left_for_upload() {
    let runner = Runner::new();
    let sarif = runner.path("kvscan.sarif");
    std::fs::write(&sarif, "{\"stale\": true}").expect("write");
    let output = runner.scan(&[("path", "no/such/inventory.json"), ("sarif-file", sarif.to_str().expect("utf-8"))]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(!sarif.exists(), "the SARIF of an earlier run is still there");
    let outputs = runner.outputs();
    assert_eq!(outputs["exit-code"], "2");
    assert_eq!(outputs["result"], "error");
    assert_eq!(outputs["sarif-file"], "");
    assert_eq!(outputs["json-file"], "");
    let summary = runner.summary();
    assert!(summary.contains("❌ **Error**: kvscan scanned nothing"), "{summary}");
    // kvscan's own message, shown in the summary.
    let pre = &summary[summary.find("<pre>").expect("messages")..];
    assert!(pre.contains("no/such/inventory.json"), "{summary}");
}

#[test]
fn inputs_the_action_cannot_use_fail_before_kvscan_runs() {
    for (inputs, message) in [
        (vec![("path", SAMPLE), ("fail-on", "severe")], "input 'fail-on' must be low, medium, high, critical or none"),
        (vec![("path", SAMPLE), ("live", "maybe")], "input 'live' must be true or false"),
        (vec![("path", SAMPLE), ("subscriptions", "sub-a")], "input 'subscriptions' applies to live scans only"),
        (vec![("path", SAMPLE), ("inventory-file", "inv.json")], "input 'inventory-file' applies to live scans only"),
        (vec![("path", SAMPLE), ("top-findings", "ten")], "input 'top-findings' must be a whole number"),
        (vec![("path", " \n ")], "input 'path' is empty"),
    ] {
        let runner = Runner::new();
        let output = runner.scan(&inputs);
        assert_eq!(output.status.code(), Some(2), "{inputs:?}: {}", describe(&output));
        assert!(
            stdout(&output).contains(&format!("::error title=kvscan action::{message}")),
            "{inputs:?}: {}",
            describe(&output)
        );
        assert_eq!(runner.outputs()["exit-code"], "2");
        assert!(
            runner.summary().contains(&format!("❌ **Input error**: {message}")),
            "{inputs:?}: {}",
            runner.summary()
        );
        assert!(!runner.path("runner_temp/kvscan/kvscan.json").exists(), "{inputs:?}: kvscan ran");
    }
}

/// A stand-in for kvscan on PATH: records its arguments, writes the JSON and SARIF it is given
/// (from files the test prepared) where --json and --sarif say, an inventory for
/// --save-inventory, and exits with $FAKE_EXIT.
fn fake_kvscan(dir: &Path) -> PathBuf {
    let bin = dir.join("fake-bin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    let script = r#"#!/usr/bin/env bash
set -euo pipefail
printf '%s\n' "$@" >"$FAKE_ARGS"
while [ $# -gt 0 ]; do
  case "$1" in
    --json) cp "$FAKE_JSON" "$2"; shift ;;
    --sarif) cp "$FAKE_SARIF" "$2"; shift ;;
    --save-inventory) echo '{"schemaVersion":1}' >"$2"; shift ;;
  esac
  shift
done
echo "fake kvscan: collected" >&2
exit "${FAKE_EXIT:-0}"
"#;
    let path = bin.join("kvscan");
    std::fs::write(&path, script).expect("write");
    Command::new("chmod").arg("+x").arg(&path).status().expect("chmod");
    bin
}

#[test]
fn live_inputs_become_kvscan_flags_and_a_category_goes_into_the_sarif() {
    let runner = Runner::new();
    // A real report and SARIF of the sample, with hostile text in every message and vault name:
    // display names in Azure are attacker-controllable and the summary renders HTML.
    let real = runner.path("real");
    std::fs::create_dir_all(&real).expect("mkdir");
    let status = Command::new(kvscan_bin())
        .current_dir(root())
        .env("KVSCAN_NOW", NOW)
        .args(["scan", SAMPLE, "--fail-on", "none", "--format", "json", "--output"])
        .arg(real.join("report.json"))
        .arg("--sarif")
        .arg(real.join("report.sarif"))
        .status()
        .expect("kvscan runs");
    assert!(status.success());
    let hostile = "<img src=x onerror=alert(1)> | [click](https://evil.example) `x`";
    let mut report = read_json(real.join("report.json").to_str().expect("utf-8"));
    for finding in report["findings"].as_array_mut().expect("findings") {
        finding["message"] = Value::from(hostile);
        finding["vault"] =
            Value::from("/subscriptions/s/resourceGroups/r/providers/Microsoft.KeyVault/vaults/<script>kv");
    }
    std::fs::write(real.join("report.json"), serde_json::to_string(&report).expect("json")).expect("write");

    let bin = fake_kvscan(runner.dir.path());
    let args_file = runner.path("fake-args");
    let inventory = runner.path("results/inventory.json");
    let sarif = runner.path("results/live.sarif");
    let output = runner.scan_with(
        &[
            ("live", "true"),
            ("subscriptions", "sub-a, sub-b\nsub-c"),
            ("management-groups", "mg-1"),
            ("cloud", "AzureUSGovernment"),
            ("auth", "github-oidc"),
            ("inventory-file", inventory.to_str().expect("utf-8")),
            ("sarif-file", sarif.to_str().expect("utf-8")),
            ("category", "kvscan/live-prod/"),
            ("fail-on", "High"),
            ("args", "--disable KV020\n--concurrency 8"),
        ],
        &bin,
        &[
            ("FAKE_ARGS", args_file.to_str().expect("utf-8")),
            ("FAKE_JSON", real.join("report.json").to_str().expect("utf-8")),
            ("FAKE_SARIF", real.join("report.sarif").to_str().expect("utf-8")),
            ("FAKE_EXIT", "3"),
            ("AZURE_CLIENT_ID", "00000000-0000-0000-0000-000000000001"),
            ("AZURE_TENANT_ID", "00000000-0000-0000-0000-000000000002"),
        ],
    );
    assert_eq!(output.status.code(), Some(3), "kvscan's exit code is the step's: {}", describe(&output));
    let json = runner.path("runner_temp/kvscan/kvscan.json");
    let args: Vec<String> = std::fs::read_to_string(&args_file).expect("args").lines().map(String::from).collect();
    let expected: Vec<String> = [
        "scan",
        "--live",
        "--subscription",
        "sub-a",
        "--subscription",
        "sub-b",
        "--subscription",
        "sub-c",
        "--management-group",
        "mg-1",
        "--cloud",
        "AzureUSGovernment",
        "--auth",
        "github-oidc",
        "--save-inventory",
        inventory.to_str().expect("utf-8"),
        "--format",
        "github",
        "--sarif",
        sarif.to_str().expect("utf-8"),
        "--json",
        json.to_str().expect("utf-8"),
        "--fail-on",
        "high",
        "--disable",
        "KV020",
        "--concurrency",
        "8",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(args, expected);

    // No id-token permission in this fake job: the script says what to add.
    assert!(stdout(&output).contains("add 'permissions: id-token: write' to the job"), "{}", describe(&output));
    // kvscan's stderr still reaches the log.
    assert!(String::from_utf8_lossy(&output.stderr).contains("fake kvscan: collected"));

    let outputs = runner.outputs();
    assert_eq!(outputs["category"], "kvscan/live-prod");
    assert_eq!(outputs["inventory-file"], inventory.to_str().expect("utf-8"));
    let written = read_json(sarif.to_str().expect("utf-8"));
    assert_eq!(written["runs"][0]["automationDetails"]["id"], "kvscan/live-prod/");
    // The rest of the SARIF is untouched.
    let original = read_json(real.join("report.sarif").to_str().expect("utf-8"));
    assert_eq!(written["runs"][0]["results"], original["runs"][0]["results"]);

    let summary = runner.summary();
    assert!(!summary.contains("<img"), "unescaped HTML in summary:\n{summary}");
    assert!(!summary.contains("<script"), "unescaped HTML in summary:\n{summary}");
    assert!(
        summary.contains("&lt;img src=x onerror=alert(1)&gt; \\| \\[click\\](https://evil.example) \\`x\\`"),
        "{summary}"
    );
    assert!(summary.contains("| &lt;script&gt;kv |"), "{summary}");
    // Escaped pipes keep the table at five columns.
    assert!(table_after(&summary, "#### Top findings").iter().all(|row| row.len() == 5), "{summary}");
}

#[test]
fn live_scan_with_the_oidc_environment_gives_no_warning() {
    let runner = Runner::new();
    let real = runner.path("report.json");
    std::fs::write(&real, "{}").expect("write");
    let bin = fake_kvscan(runner.dir.path());
    let output = runner.scan_with(
        &[("live", "true")],
        &bin,
        &[
            ("FAKE_ARGS", runner.path("fake-args").to_str().expect("utf-8")),
            ("FAKE_JSON", real.to_str().expect("utf-8")),
            ("FAKE_SARIF", real.to_str().expect("utf-8")),
            ("AZURE_CLIENT_ID", "00000000-0000-0000-0000-000000000001"),
            ("AZURE_TENANT_ID", "00000000-0000-0000-0000-000000000002"),
            ("ACTIONS_ID_TOKEN_REQUEST_URL", "https://token.actions.example/?x=1"),
            ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "request-token"),
        ],
    );
    // The fake's JSON is no kvscan report: the step reports an error summary but keeps the code.
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert!(!stdout(&output).contains("::warning"), "{}", describe(&output));
    let args = std::fs::read_to_string(runner.path("fake-args")).expect("args");
    assert!(args.starts_with("scan\n--live\n--format\ngithub\n"), "{args}");
    assert_eq!(runner.outputs()["kind"], "live");
}

/// The inputs a live workflow gives (kvscan-live.yml), plus the fake's cloud profile and CA.
fn live_inputs(fake: &FakeArm, runner: &Runner) -> Vec<(&'static str, String)> {
    vec![
        ("live", "true".into()),
        ("fail-on", "none".into()),
        ("inventory-file", runner.path("results/inventory.json").display().to_string()),
        ("junit-file", runner.path("results/kvscan-live.xml").display().to_string()),
        ("args", format!("--cloud-config {} --ca-cert {}", fake.cloud_file().display(), fake.ca_file().display())),
    ]
}

fn run_live(runner: &Runner, fake: &FakeArm) -> Output {
    let inputs = live_inputs(fake, runner);
    let inputs: Vec<(&str, &str)> = inputs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let env = fake.github_env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    runner.scan_with(&inputs, kvscan_bin().parent().expect("bin dir"), &env)
}

#[test]
fn live_scan_signs_in_with_github_oidc_and_keeps_the_inventory() {
    let fake = FakeArm::start(
        TenantSpec { subscriptions: 2, vaults_per_subscription: 2, ..TenantSpec::default() },
        Faults::none(),
    );
    let runner = Runner::new();
    let output = run_live(&runner, &fake);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("authenticated with GitHub Actions OIDC"), "{stderr}");
    assert!(!stdout(&output).contains("::warning title=kvscan action"), "{}", describe(&output));
    let id_token =
        fake.requests().into_iter().find(|r| r.target.starts_with("/github/idtoken")).expect("ID token requested");
    assert!(id_token.target.contains("audience=api%3A%2F%2FAzureADTokenExchange"), "{}", id_token.target);

    let outputs = runner.outputs();
    assert_eq!(outputs["exit-code"], "0");
    assert_eq!(outputs["result"], "pass");
    assert_eq!(outputs["kind"], "live");
    assert_eq!(outputs["category"], "kvscan/live");
    let inventory = read_json(&outputs["inventory-file"]);
    assert_eq!(inventory["vaults"].as_array().expect("vaults").len(), fake.vault_names().len());
    assert!(std::fs::read_to_string(&outputs["junit-file"]).expect("junit").contains("<testsuites"));
    let sarif = read_json(&outputs["sarif-file"]);
    assert_eq!(sarif["runs"][0]["automationDetails"]["id"], "kvscan/live/");

    let summary = runner.summary();
    assert!(summary.starts_with("### kvscan: live tenant scan"), "{summary}");
    assert!(summary.contains(&format!("{} vaults", fake.vault_names().len())), "{summary}");
    // Tokens stay out of every output.
    let everything = format!(
        "{}{}{}{}",
        summary,
        stdout(&output),
        stderr,
        std::fs::read_to_string(runner.path("github_output")).unwrap_or_default()
    );
    for token in fake.issued_tokens() {
        assert!(!everything.contains(&token), "token {token} leaked");
    }
    assert!(!everything.contains(fake_arm::FEDERATED_ASSERTION));
}

#[test]
fn live_scan_of_a_partly_forbidden_tenant_is_incomplete_and_says_where() {
    let faults = Faults { forbidden_subscription: Some(1), ..Faults::none() };
    let fake =
        FakeArm::start(TenantSpec { subscriptions: 2, vaults_per_subscription: 1, ..TenantSpec::default() }, faults);
    let runner = Runner::new();
    let output = run_live(&runner, &fake);
    assert_eq!(output.status.code(), Some(3), "{}", describe(&output));
    let outputs = runner.outputs();
    assert_eq!(outputs["result"], "incomplete");
    assert_ne!(outputs["sarif-file"], "");
    assert_ne!(outputs["inventory-file"], "", "what was read is kept");
    let report = read_json(&outputs["json-file"]);
    let scope = report["errors"][0]["scope"].as_str().expect("an unread scope").to_string();
    let summary = runner.summary();
    assert!(summary.contains("⚠️ **Incomplete**"), "{summary}");
    assert!(summary.contains(&format!("- `{scope}`: ")), "{summary}");
}

// ---------------------------------------------------------------------------------------------
// The installer.

/// A loopback HTTP/1.1 server with fixed responses; it logs each request's method, path and
/// whether it carried an Authorization header.
struct Server {
    port: u16,
    log: Arc<Mutex<Vec<(String, String, bool)>>>,
}

impl Server {
    fn start(routes: HashMap<String, (u16, Vec<u8>)>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let log = Arc::new(Mutex::new(Vec::new()));
        let server_log = Arc::clone(&log);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let text = String::from_utf8_lossy(&request).into_owned();
                let mut first = text.lines().next().unwrap_or("").split(' ');
                let method = first.next().unwrap_or("").to_string();
                let path = first.next().unwrap_or("").to_string();
                let auth = text.lines().any(|l| l.to_ascii_lowercase().starts_with("authorization:"));
                server_log.lock().expect("log").push((method.clone(), path.clone(), auth));
                let (status, body) =
                    routes.get(&path).cloned().unwrap_or((404, b"{\"message\":\"Not Found\"}".to_vec()));
                let head =
                    format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
                let _ = stream.write_all(head.as_bytes());
                if method != "HEAD" {
                    let _ = stream.write_all(&body);
                }
            }
        });
        Server { port, log }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn requests(&self) -> Vec<(String, String, bool)> {
        self.log.lock().expect("log").clone()
    }
}

const TARGET: &str = "x86_64-unknown-linux-musl";

/// kvscan-<target>.tar.gz as the release workflow packs it (kvscan-<target>/kvscan, README.md),
/// and its .sha256 line. The packed kvscan is a small executable that runs the kvscan of this
/// build (the debug binary itself is too big to pack quickly).
fn release_asset(dir: &Path) -> (Vec<u8>, String) {
    let name = format!("kvscan-{TARGET}");
    let pack = dir.join("pack").join(&name);
    std::fs::create_dir_all(&pack).expect("mkdir");
    std::fs::write(pack.join("kvscan"), format!("#!/bin/sh\nexec '{}' \"$@\"\n", kvscan_bin().display()))
        .expect("write");
    Command::new("chmod").arg("+x").arg(pack.join("kvscan")).status().expect("chmod");
    std::fs::write(pack.join("README.md"), "# kvscan\n").expect("write");
    let archive = dir.join(format!("{name}.tar.gz"));
    let status =
        Command::new("tar").arg("-czf").arg(&archive).arg("-C").arg(dir.join("pack")).arg(&name).status().expect("tar");
    assert!(status.success());
    let sum = Command::new("sha256sum").arg(&archive).output().expect("sha256sum");
    let hash = String::from_utf8_lossy(&sum.stdout).split_whitespace().next().expect("hash").to_string();
    (std::fs::read(&archive).expect("read"), format!("{hash}  {name}.tar.gz\n"))
}

fn release_json(tag: &str, assets: &[&str]) -> Vec<u8> {
    let assets: Vec<Value> = assets.iter().map(|a| serde_json::json!({ "name": a })).collect();
    serde_json::to_vec(&serde_json::json!({ "tag_name": tag, "assets": assets })).expect("json")
}

impl Runner {
    /// install.sh resolve|install on a Linux x86_64 runner, against `server`.
    fn installer(&self, step: &str, server: &Server, path_first: &Path, env: &[(&str, &str)]) -> Output {
        let mut cmd = self.command("install.sh", path_first);
        cmd.arg(step)
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "X64")
            .env("RUNNER_TOOL_CACHE", self.path("toolcache"))
            .env("GITHUB_API_URL", format!("{}/api", server.url()))
            .env("GITHUB_SERVER_URL", server.url())
            .env("GH_TOKEN", "test-token")
            .env("ACTION_PATH", root());
        for (name, value) in env {
            cmd.env(name, value);
        }
        cmd.output().expect("bash runs")
    }

    /// Runs `install.sh install` with the outputs of `resolve` (as action.yml passes them).
    fn install_resolved(&self, server: &Server, path_first: &Path, extra: &[(&str, &str)]) -> Output {
        let o = self.outputs();
        let mut env = vec![
            ("METHOD", o["method"].as_str()),
            ("REPOSITORY", o["repository"].as_str()),
            ("TAG", o["tag"].as_str()),
            ("TARGET", o["target"].as_str()),
            ("DIR", o["dir"].as_str()),
        ];
        env.extend_from_slice(extra);
        self.installer("install", server, path_first, &env)
    }
}

fn no_extra_path() -> PathBuf {
    PathBuf::from("/nonexistent-kvscan-test-dir")
}

#[test]
fn installer_takes_the_release_binary_after_checking_its_checksum() {
    let runner = Runner::new();
    let (archive, sha) = release_asset(runner.dir.path());
    let asset = format!("kvscan-{TARGET}.tar.gz");
    let download = format!("/octo/kvscan/releases/download/v9.9.9/{asset}");
    let routes = HashMap::from([
        (
            "/api/repos/octo/kvscan/releases/latest".to_string(),
            (200, release_json("v9.9.9", &[&asset, &format!("{asset}.sha256")])),
        ),
        (download.clone(), (200, archive)),
        (format!("{download}.sha256"), (200, sha.into_bytes())),
    ]);
    let server = Server::start(routes);
    // github.action_repository is empty in composite actions: the repository comes from the
    // runner's download path of the action.
    let action_path = runner.path("work/_actions/octo/kvscan/v9");
    std::fs::create_dir_all(&action_path).expect("mkdir");
    let output = runner.installer(
        "resolve",
        &server,
        &no_extra_path(),
        &[
            ("INPUT_VERSION", "latest"),
            ("ACTION_REPOSITORY", ""),
            ("ACTION_PATH", action_path.to_str().expect("utf-8")),
        ],
    );
    assert!(output.status.success(), "{}", describe(&output));
    let o = runner.outputs();
    let dir = runner.path(&format!("toolcache/kvscan/v9.9.9/{TARGET}"));
    assert_eq!(o["method"], "release");
    assert_eq!(o["repository"], "octo/kvscan");
    assert_eq!(o["tag"], "v9.9.9");
    assert_eq!(o["target"], TARGET);
    assert_eq!(o["dir"], dir.to_str().expect("utf-8"));
    assert_eq!(o["cache-key"], format!("kvscan-bin-v9.9.9-{TARGET}"));

    let output = runner.install_resolved(&server, &no_extra_path(), &[]);
    assert!(output.status.success(), "{}", describe(&output));
    let bin = dir.join("bin/kvscan");
    let installed = Command::new(&bin).arg("--version").output().expect("installed kvscan runs");
    let version = String::from_utf8_lossy(&installed.stdout).trim().to_string();
    assert!(version.starts_with("kvscan "), "{version}");
    assert_eq!(runner.outputs()["version"], version);
    assert_eq!(runner.outputs()["path"], bin.to_str().expect("utf-8"));
    let github_path = std::fs::read_to_string(runner.path("github_path")).expect("GITHUB_PATH");
    assert_eq!(github_path, format!("{}\n", dir.join("bin").display()));

    // The token went to the API, not to the download host.
    let requests = server.requests();
    assert!(requests.iter().any(|(_, p, auth)| p.starts_with("/api/") && *auth), "{requests:?}");
    assert!(requests.iter().filter(|(_, p, _)| !p.starts_with("/api/")).all(|(_, _, auth)| !auth), "{requests:?}");
    let downloads = requests.iter().filter(|(_, p, _)| p.starts_with("/octo/")).count();
    assert_eq!(downloads, 2, "{requests:?}");

    // A second install (the cache restored the directory) downloads nothing.
    let output = runner.install_resolved(&server, &no_extra_path(), &[]);
    assert!(output.status.success(), "{}", describe(&output));
    assert!(stdout(&output).contains("already installed, or restored from the cache"), "{}", describe(&output));
    assert_eq!(server.requests().iter().filter(|(_, p, _)| p.starts_with("/octo/")).count(), 2);
}

#[test]
fn installer_refuses_an_asset_whose_checksum_does_not_match() {
    let runner = Runner::new();
    let (archive, _) = release_asset(runner.dir.path());
    let asset = format!("kvscan-{TARGET}.tar.gz");
    let download = format!("/octo/kvscan/releases/download/v9.9.9/{asset}");
    let wrong = format!("{}  {asset}\n", "0".repeat(64));
    let routes = HashMap::from([
        (
            "/api/repos/octo/kvscan/releases/tags/v9.9.9".to_string(),
            (200, release_json("v9.9.9", &[&asset, &format!("{asset}.sha256")])),
        ),
        (download.clone(), (200, archive)),
        (format!("{download}.sha256"), (200, wrong.into_bytes())),
    ]);
    let server = Server::start(routes);
    let output = runner.installer(
        "resolve",
        &server,
        &no_extra_path(),
        &[("INPUT_VERSION", "9.9.9"), ("ACTION_REPOSITORY", "octo/kvscan")],
    );
    assert!(output.status.success(), "{}", describe(&output));
    assert_eq!(runner.outputs()["method"], "release");
    let output = runner.install_resolved(&server, &no_extra_path(), &[]);
    assert_eq!(output.status.code(), Some(1), "{}", describe(&output));
    assert!(stdout(&output).contains("checksum mismatch"), "{}", describe(&output));
    assert!(!Path::new(&runner.outputs()["dir"]).join("bin/kvscan").exists());
    assert!(!runner.path("github_path").exists(), "PATH changed after a failed install");
}

/// A stand-in for cargo: records its arguments and installs a kvscan that prints a version.
fn fake_cargo(dir: &Path) -> PathBuf {
    let bin = dir.join("fake-cargo");
    std::fs::create_dir_all(&bin).expect("mkdir");
    let script = r#"#!/usr/bin/env bash
set -euo pipefail
printf '%s\n' "$@" >"$FAKE_CARGO_ARGS"
root=""
while [ $# -gt 0 ]; do
  if [ "$1" = --root ]; then root="$2"; fi
  shift
done
mkdir -p "$root/bin"
printf '#!/bin/sh\necho "kvscan 0.0.0 (fake build)"\n' >"$root/bin/kvscan"
chmod +x "$root/bin/kvscan"
"#;
    let path = bin.join("cargo");
    std::fs::write(&path, script).expect("write");
    Command::new("chmod").arg("+x").arg(&path).status().expect("chmod");
    bin
}

#[test]
fn installer_builds_the_action_source_when_there_is_no_release() {
    let runner = Runner::new();
    let server = Server::start(HashMap::new()); // every request: 404
    let cargo = fake_cargo(runner.dir.path());
    let cargo_args = runner.path("cargo-args");
    let output = runner.installer(
        "resolve",
        &server,
        &cargo,
        &[("INPUT_VERSION", "latest"), ("ACTION_REPOSITORY", "octo/kvscan")],
    );
    assert!(output.status.success(), "{}", describe(&output));
    assert!(
        stdout(&output).contains("::notice title=kvscan install::no release of octo/kvscan found"),
        "{}",
        describe(&output)
    );
    let o = runner.outputs();
    assert_eq!(o["method"], "source");
    assert!(o["cache-key"].starts_with("kvscan-src-Linux-X64-"), "{}", o["cache-key"]);
    assert!(o["dir"].starts_with(runner.path("toolcache/kvscan/source-").to_str().expect("utf-8")), "{}", o["dir"]);

    let output = runner.install_resolved(&server, &cargo, &[("FAKE_CARGO_ARGS", cargo_args.to_str().expect("utf-8"))]);
    assert!(output.status.success(), "{}", describe(&output));
    let args: Vec<String> = std::fs::read_to_string(&cargo_args).expect("args").lines().map(String::from).collect();
    let root_dir = root();
    assert_eq!(
        args,
        ["install", "--locked", "--force", "--path", root_dir.to_str().expect("utf-8"), "--root", o["dir"].as_str()]
    );
    assert_eq!(runner.outputs()["version"], "kvscan 0.0.0 (fake build)");
}

#[test]
fn installer_falls_back_to_source_when_the_release_lacks_this_runners_binary() {
    let runner = Runner::new();
    let routes = HashMap::from([(
        "/api/repos/octo/kvscan/releases/tags/v1.2.3".to_string(),
        (
            200,
            release_json(
                "v1.2.3",
                &["kvscan-aarch64-apple-darwin.tar.gz", "kvscan-aarch64-apple-darwin.tar.gz.sha256"],
            ),
        ),
    )]);
    let server = Server::start(routes);
    let output = runner.installer(
        "resolve",
        &server,
        &no_extra_path(),
        &[("INPUT_VERSION", "v1.2.3"), ("ACTION_REPOSITORY", "octo/kvscan")],
    );
    assert!(output.status.success(), "{}", describe(&output));
    assert!(
        stdout(&output)
            .contains(&format!("release v1.2.3 of octo/kvscan has no kvscan-{TARGET}.tar.gz with its .sha256")),
        "{}",
        describe(&output)
    );
    assert_eq!(runner.outputs()["method"], "source");

    // version: source asks the API nothing.
    let runner = Runner::new();
    let output = runner.installer(
        "resolve",
        &server,
        &no_extra_path(),
        &[("INPUT_VERSION", "source"), ("ACTION_REPOSITORY", "octo/kvscan")],
    );
    assert!(output.status.success(), "{}", describe(&output));
    assert_eq!(runner.outputs()["method"], "source");
    assert_eq!(server.requests().len(), 1, "{:?}", server.requests());
}
