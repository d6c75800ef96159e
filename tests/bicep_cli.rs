//! `--bicep-cli`: compiling with the Bicep CLI gives the same verdicts as the native reader.
//! Skipped (with a message) when neither `bicep` nor `az` is on PATH.

use assert_cmd::Command;
use kvscan::source::bicep::cli::find_compiler;
use serde_json::Value;
use std::collections::BTreeSet;

fn verdicts(path: &str, extra: &[&str]) -> BTreeSet<(String, String, String)> {
    let output = Command::cargo_bin("kvscan")
        .expect("binary")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["scan", path, "--now", "2026-11-15T00:00:00Z", "--format", "json", "--fail-on", "none"])
        .args(extra)
        .output()
        .expect("run");
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{path}: {e}: {}", String::from_utf8_lossy(&output.stderr)));
    assert!(report["errors"].as_array().is_some_and(Vec::is_empty), "{path} {extra:?}: {}", report["errors"]);
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

#[test]
fn the_bicep_cli_and_the_native_reader_agree() {
    let Some(compiler) = find_compiler() else {
        eprintln!("skipped: neither `bicep` nor `az` is on PATH, so --bicep-cli cannot be compared");
        return;
    };
    eprintln!("comparing with {compiler:?}");
    for file in [
        "tests/data/bicep/quickstarts/key-vault-create.bicep",
        "tests/data/bicep/quickstarts/key-vault-create-rbac.bicep",
        "tests/data/bicep/quickstarts/key-vault-secret-create.bicep",
        "tests/data/bicep/quickstarts/key-vault-with-logging-create.bicep",
        "tests/data/bicep/features/modules/kv.bicep",
    ] {
        let native = verdicts(file, &[]);
        assert!(!native.is_empty(), "{file}");
        assert_eq!(verdicts(file, &["--bicep-cli"]), native, "{file}: the CLI's template gives other verdicts");
    }
}
