//! `kvscan report access --live` on the fake ARM server (tests/support/fake_arm): the review is
//! built from a real collection, and agrees with the review of the same collection saved to a file.

#[path = "support/fake_arm/mod.rs"]
mod fake_arm;

use fake_arm::{FakeArm, Faults, TenantSpec};
use serde_json::Value;
use std::process::Command;

const NOW: &str = "2026-11-15T00:00:00Z";

/// The binary with none of the machine's Azure credentials, so only the fake's are used.
fn kvscan(fake: &FakeArm) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kvscan"));
    for name in [
        "AZURE_TENANT_ID",
        "AZURE_CLIENT_ID",
        "AZURE_CLIENT_SECRET",
        "AZURE_FEDERATED_TOKEN_FILE",
        "ACTIONS_ID_TOKEN_REQUEST_URL",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
        "IDENTITY_ENDPOINT",
        "MSI_ENDPOINT",
        "SSL_CERT_FILE",
        "KVSCAN_CLOUD",
        "KVSCAN_NOW",
    ] {
        command.env_remove(name);
    }
    command.env("PATH", "/nonexistent").envs(fake.env());
    command
}

#[test]
fn live_review_matches_the_review_of_the_saved_inventory() {
    let fake = FakeArm::start(TenantSpec::default(), Faults::none());
    let dir = tempfile::tempdir().expect("dir");
    let (live, saved, inventory) =
        (dir.path().join("live.json"), dir.path().join("saved.json"), dir.path().join("inventory.json"));
    let output = kvscan(&fake)
        .args(["report", "access", "--live", "--auth", "env", "--quiet", "--now", NOW, "--cloud-config"])
        .arg(fake.cloud_file())
        .arg("--ca-cert")
        .arg(fake.ca_file())
        .arg("--save-inventory")
        .arg(&inventory)
        .args(["--format", "json", "--output"])
        .arg(&live)
        .output()
        .expect("kvscan runs");
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let output = kvscan(&fake)
        .args(["report", "access", "--now", NOW, "--format", "json", "--output"])
        .arg(&saved)
        .arg(&inventory)
        .output()
        .expect("kvscan runs");
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let read = |path: &std::path::Path| -> Value {
        serde_json::from_str(&std::fs::read_to_string(path).expect("report")).expect("json")
    };
    let (mut live, mut saved) = (read(&live), read(&saved));
    assert_eq!(live["inputs"], serde_json::json!(["live collection"]));
    for review in [&mut live, &mut saved] {
        review["inputs"] = Value::Null;
    }
    assert_eq!(live, saved, "the live review and the review of the saved inventory agree");
    assert!(live["summary"]["vaults"].as_u64().is_some_and(|n| n > 0), "the fake's vaults are reviewed");
    assert!(!live["grants"].as_array().expect("grants").is_empty(), "the fake's role assignments are in the matrix");
}
