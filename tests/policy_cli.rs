//! `kvscan policy list|test` and user policy directories.

use assert_cmd::prelude::*;
use predicates::prelude::*;
use std::process::Command;

fn kvscan() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kvscan"))
}

#[test]
fn builtin_policy_tests_pass() {
    let output = kvscan().args(["policy", "test"]).output().expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    let last = stdout.lines().last().unwrap_or_default();
    let passed: usize = last.split(' ').next().and_then(|n| n.parse().ok()).expect("N passed line");
    assert!(last.ends_with(" passed, 0 failed"), "{last}");
    let rules = kvscan().args(["policy", "list", "--format", "json"]).output().expect("runs");
    let rules: serde_json::Value = serde_json::from_slice(&rules.stdout).expect("json");
    let count = rules.as_array().expect("array").len();
    assert!(passed >= 4 * count, "{passed} tests for {count} rules");
}

#[test]
fn every_builtin_rule_has_tests_and_complete_metadata() {
    let rules = kvscan().args(["policy", "list", "--format", "json"]).output().expect("runs");
    let rules: serde_json::Value = serde_json::from_slice(&rules.stdout).expect("json");
    for rule in rules.as_array().expect("array") {
        let file = rule["file"].as_str().expect("file");
        let test = file.replace("builtin/", "policies/").replace(".rego", "_test.rego");
        assert!(std::path::Path::new(&test).exists(), "{} has no {test}", rule["id"]);
        for field in ["title", "description", "remediation"] {
            assert!(rule[field].as_str().is_some_and(|s| !s.is_empty()), "{} lacks {field}", rule["id"]);
        }
        // Empty only where no benchmark has an equivalent control (documented per rule).
        assert!(rule["benchmarks"].is_object(), "{} lacks benchmarks", rule["id"]);
    }
}

#[test]
fn failing_user_tests_fail_the_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("mine_test.rego"),
        "package mine_test\n\nimport rego.v1\n\ntest_ok if { 1 == 1 }\n\ntest_broken if { 1 == 2 }\n",
    )
    .expect("write");
    kvscan()
        .args(["policy", "test"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("FAIL "))
        .stdout(predicate::str::contains("test_broken"))
        .stdout(predicate::str::is_match(r"\n\d+ passed, 1 failed\n$").expect("regex"));
}

#[test]
fn user_rules_are_scanned_like_builtins() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("tags.rego"),
        "# METADATA\n# title: Vaults carry a data classification tag\n# description: Every vault states the classification of what it holds.\n# custom:\n#   id: ORG001\n#   severity: low\n#   scope: vault\npackage kvscan.rules.owner_tag\n\nimport rego.v1\n\ndeny contains f if {\n\tnot input.vault.resource.tags.dataClassification\n\tf := {\"message\": sprintf(\"%s has no dataClassification tag\", [input.vault.resource.name]), \"path\": [\"resource\", \"tags\"]}\n}\n",
    )
    .expect("write");
    kvscan()
        .args(["policy", "list", "--policy"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("ORG001"));
    kvscan()
        .args(["scan", "--fail-on", "none", "--format", "json", "fixtures/sample-tenant.json", "--policy"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("\"ruleId\": \"ORG001\""));
}

#[test]
fn policy_errors_name_file_line_and_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("broken.rego");
    std::fs::write(
        &file,
        "# METADATA\n# title: Broken\n# custom:\n#   id: ORG002\n#   severity: low\n#   scope: vault\npackage kvscan.rules.broken\n\nimport rego.v1\n\ndeny contains f if {\n\tf := {\"message\": \n}\n",
    )
    .expect("write");
    kvscan()
        .args(["scan", "fixtures/sample-tenant.json", "--policy"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!("error: {}:12:7: expecting", file.display())));

    std::fs::write(&file, "# METADATA\n# title: Broken\n# custom:\n#   id: ORG002\n#   severity: severe\n#   scope: vault\npackage kvscan.rules.broken\n").expect("write");
    kvscan()
        .args(["policy", "list", "--policy"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("severe"))
        .stderr(predicate::str::contains(format!("{}:2:", file.display())));
}

#[test]
fn duplicate_rule_ids_are_rejected() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("dup.rego"),
        "# METADATA\n# title: Duplicate\n# custom:\n#   id: KV001\n#   severity: low\n#   scope: vault\npackage kvscan.rules.dup\n\nimport rego.v1\n\ndeny contains f if { false; f := {} }\n",
    )
    .expect("write");
    kvscan()
        .args(["policy", "list", "--policy"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("KV001 is already defined"));
}

#[test]
fn committed_rule_docs_are_up_to_date() {
    let dir = tempfile::tempdir().expect("tempdir");
    kvscan().args(["policy", "docs", "--output"]).arg(dir.path()).assert().success();
    let mut generated: Vec<String> = std::fs::read_dir(dir.path())
        .expect("read")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    generated.sort();
    let mut committed: Vec<String> = std::fs::read_dir("docs/rules")
        .expect("docs/rules exists")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    committed.sort();
    let hint = "regenerate with `cargo run -- policy docs --output docs/rules`";
    assert_eq!(generated, committed, "docs/rules has other files than the catalog: {hint}");
    for name in generated {
        let fresh = std::fs::read_to_string(dir.path().join(&name)).expect("generated");
        let old = std::fs::read_to_string(std::path::Path::new("docs/rules").join(&name)).expect("committed");
        assert!(fresh == old, "docs/rules/{name} is out of date: {hint}");
    }
}

#[test]
fn explain_prints_the_rule_page() {
    kvscan()
        .args(["policy", "explain", "kv001"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("# KV001: Key Vault purge protection is enabled"))
        .stdout(predicate::str::contains("properties.enablePurgeProtection"))
        .stdout(predicate::str::contains("## Remediation"));
    kvscan().args(["policy", "explain", "KV999"]).assert().code(2);
}

#[test]
fn version_completions_and_man_page() {
    kvscan()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::starts_with(format!("kvscan {} (", env!("CARGO_PKG_VERSION"))));
    for shell in ["bash", "zsh", "fish", "powershell"] {
        kvscan()
            .args(["completions", shell])
            .assert()
            .success()
            .stdout(predicate::str::contains("kvscan"))
            .stdout(predicate::str::contains("policy"));
    }
    kvscan().arg("man").assert().success().stdout(predicate::str::contains(".TH kvscan 1"));
}
