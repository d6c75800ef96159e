//! ARM templates, end to end through the binary: discovery, parameter files, unknown values as
//! notes, child resources, line-accurate locations and exit codes.

use assert_cmd::Command;
use serde_json::Value;

const NOW: &str = "2026-11-15T00:00:00Z";

fn kvscan() -> Command {
    let mut command = Command::cargo_bin("kvscan").expect("binary");
    command.current_dir(env!("CARGO_MANIFEST_DIR"));
    command
}

fn json_report(args: &[&str]) -> (Option<i32>, Value) {
    let output = kvscan().arg("scan").args(args).args(["--format", "json", "--now", NOW]).output().expect("run");
    let report = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}\n{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
    });
    (output.status.code(), report)
}

/// (rule, status, vault name, file:line) of every finding.
fn verdicts(report: &Value) -> Vec<(String, String, String, String)> {
    let mut list: Vec<_> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let file = f["location"]["file"].as_str().unwrap_or_default();
            let line = f["location"]["line"].as_u64().unwrap_or_default();
            (
                f["ruleId"].as_str().unwrap_or_default().to_string(),
                f["status"].as_str().unwrap_or_default().to_string(),
                f["vault"].as_str().unwrap_or_default().rsplit('/').next().unwrap_or_default().to_string(),
                format!("{file}:{line}"),
            )
        })
        .collect();
    list.sort();
    list
}

fn find<'a>(report: &'a Value, rule: &str, vault: &str) -> Option<&'a Value> {
    report["findings"]
        .as_array()?
        .iter()
        .find(|f| f["ruleId"] == rule && f["vault"].as_str().is_some_and(|v| v.ends_with(&format!("/{vault}"))))
}

#[test]
fn a_directory_scan_pairs_parameter_files_and_honours_gitignore() {
    let (code, report) = json_report(&["tests/data/arm/infra", "--fail-on", "none"]);
    assert_eq!(code, Some(0), "the ignored broken template and package.json are skipped: {report}");
    assert_eq!(report["scan"]["kind"], "iac");
    assert_eq!(report["scan"]["vaults"], 2);
    assert!(report["errors"].as_array().is_some_and(Vec::is_empty), "{}", report["errors"]);
    // The parameter file sets purge protection and disables public access: no KV001/KV004.
    assert!(find(&report, "KV001", "kv-params").is_none());
    assert!(find(&report, "KV004", "kv-params").is_none());
    // The nested secret child is scanned (no expiry), and its value never reaches the inventory.
    let secret = find(&report, "KV020", "kv-params").expect("nested secret scanned");
    assert!(secret["resource"].as_str().is_some_and(|r| r.ends_with("/secrets/db-password")));
    assert_eq!(secret["location"]["file"], "tests/data/arm/infra/keyvault.json");
    assert_eq!(secret["location"]["line"], 25, "the secret's child resource: {secret}");
    // The top-level key child has an expiry in properties.attributes.exp: no KV030.
    assert!(find(&report, "KV030", "kv-params").is_none());
}

#[test]
fn a_parameter_without_a_value_makes_a_note_not_a_failure() {
    let (code, report) = json_report(&["tests/data/arm/infra/modules/unparameterised.json"]);
    let kv001 = find(&report, "KV001", "kv-unknown").expect("KV001 reported");
    assert_eq!(kv001["status"], "unknown");
    let message = kv001["message"].as_str().unwrap_or_default();
    assert!(message.contains("unknown before deployment") && message.contains("purgeProtection"), "{message}");
    assert_eq!(kv001["location"]["line"], 16, "the line of enablePurgeProtection");
    assert_eq!(report["summary"]["unknown"], 1);
    assert_eq!(code, Some(0), "a note does not fail the gate: {report}");
    // With --unknown-as-failure it does.
    let (code, report) = json_report(&["tests/data/arm/infra/modules/unparameterised.json", "--unknown-as-failure"]);
    assert_eq!(find(&report, "KV001", "kv-unknown").map(|f| f["status"].clone()), Some(Value::from("open")));
    assert_eq!(code, Some(1));
    // In SARIF the note is a note.
    let sarif = kvscan()
        .args(["scan", "tests/data/arm/infra/modules/unparameterised.json", "--format", "sarif", "--now", NOW])
        .output()
        .expect("sarif");
    let log: Value = serde_json::from_slice(&sarif.stdout).expect("sarif json");
    let result = log["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["ruleId"] == "KV001")
        .cloned()
        .expect("KV001");
    assert_eq!(result["level"], "note");
    assert_eq!(result["locations"][0]["physicalLocation"]["region"]["startLine"], 16);
}

#[test]
fn the_2026_api_version_defaults_to_rbac_and_absent_properties_point_at_the_resource() {
    let (_, report) = json_report(&["tests/data/arm/infra/modules/unparameterised.json"]);
    // apiVersion 2026-02-01 creates RBAC vaults when enableRbacAuthorization is absent.
    assert!(find(&report, "KV003", "kv-unknown").is_none(), "{report}");
    // No diagnostic settings: KV008 is on the vault resource's line.
    let kv008 = find(&report, "KV008", "kv-unknown").expect("KV008");
    assert_eq!(kv008["status"], "open");
    assert_eq!(kv008["location"]["line"], 8, "the vault resource's line");
}

#[test]
fn explicit_parameters_override_the_paired_file() {
    let dir = tempfile::tempdir().expect("dir");
    let parameters = dir.path().join("p.json");
    std::fs::write(
        &parameters,
        r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#", "parameters": {"purgeProtection": {"value": false}}}"#,
    )
    .expect("write");
    let (code, report) =
        json_report(&["tests/data/arm/infra/keyvault.json", "--parameters", parameters.to_str().expect("utf-8")]);
    let kv001 = find(&report, "KV001", "kv-params").expect("purge protection off");
    assert_eq!(kv001["status"], "open");
    assert_eq!(kv001["location"]["line"], 20);
    assert_eq!(code, Some(1));
    // publicAccess falls back to its default, Enabled.
    assert!(find(&report, "KV004", "kv-params").is_some());
}

#[test]
fn a_broken_template_is_exit_2_alone_and_exit_3_beside_others() {
    let output = kvscan().args(["scan", "tests/data/arm/broken-template.json"]).output().expect("run");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("tests/data/arm/broken-template.json:4:"), "{stderr}");
    let (code, report) = json_report(&[
        "tests/data/arm/broken-template.json",
        "tests/data/arm/infra/modules/unparameterised.json",
        "--fail-on",
        "none",
    ]);
    assert_eq!(code, Some(3), "{report}");
    let errors = report["errors"].as_array().expect("errors");
    assert!(errors.iter().any(|e| e["scope"] == "tests/data/arm/broken-template.json"), "{errors:?}");
}

#[test]
fn exclude_globs_skip_files_in_directories() {
    let (_, report) = json_report(&["tests/data/arm/infra", "--exclude", "**/modules/**", "--fail-on", "none"]);
    assert_eq!(report["scan"]["vaults"], 1);
    assert!(verdicts(&report).iter().all(|(_, _, vault, _)| vault == "kv-params"));
}

#[test]
fn bicep_files_in_a_directory_are_scanned_beside_templates() {
    // Bicep used to be reported as not scanned; it is read now (tests/bicep_features.rs).
    let dir = tempfile::tempdir().expect("dir");
    std::fs::copy("tests/data/arm/infra/modules/unparameterised.json", dir.path().join("vault.json")).expect("copy");
    std::fs::write(
        dir.path().join("main.bicep"),
        "resource kv 'Microsoft.KeyVault/vaults@2023-07-01' = {\n  name: 'kv-bicep'\n  properties: {}\n}\n",
    )
    .expect("write");
    let output =
        kvscan().args(["scan", "--format", "json", "--fail-on", "none"]).arg(dir.path()).output().expect("run");
    assert_eq!(output.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(report["scan"]["vaults"], 2, "{report}");
    assert!(report["errors"].as_array().is_some_and(Vec::is_empty), "{}", report["errors"]);
}

#[test]
fn a_child_whose_name_is_unknown_still_belongs_to_its_vault() {
    // As in the key-creation quickstart: vault and key names are parameters without defaults.
    let dir = tempfile::tempdir().expect("dir");
    let template = dir.path().join("key.json");
    std::fs::write(
        &template,
        r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "parameters": { "vaultName": { "type": "string" }, "keyName": { "type": "string" } },
  "resources": [
    { "type": "Microsoft.KeyVault/vaults", "apiVersion": "2023-07-01", "name": "[parameters('vaultName')]",
      "properties": { "tenantId": "[subscription().tenantId]", "sku": { "family": "A", "name": "standard" }, "enableRbacAuthorization": true } },
    { "type": "Microsoft.KeyVault/vaults/keys", "apiVersion": "2023-07-01",
      "name": "[format('{0}/{1}', parameters('vaultName'), parameters('keyName'))]",
      "properties": { "kty": "RSA", "keySize": 2048 } }
  ]
}"#,
    )
    .expect("write");
    let (_, report) = json_report(&[template.to_str().expect("utf-8"), "--fail-on", "none"]);
    let kv030 = find(&report, "KV030", "[parameters('vaultName')]").expect("the key is scanned: no expiry");
    assert_eq!(kv030["status"], "open");
    assert_eq!(kv030["location"]["line"], 7, "the key resource");
    assert!(find(&report, "KV031", "[parameters('vaultName')]").is_some(), "no rotation policy");
}
