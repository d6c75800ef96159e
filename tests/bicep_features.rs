//! The native Bicep reader end to end: Bicep syntax (parent and nested children, `if`, `for`,
//! `existing`, `scope:`, string interpolation, ternaries, modules, `.bicepparam`), line-accurate
//! findings, unknown parameters as notes, and syntax errors with their place (exit 2).

use assert_cmd::Command;
use serde_json::Value;

const NOW: &str = "2026-11-15T00:00:00Z";
const MAIN: &str = "tests/data/bicep/features/main.bicep";

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

fn findings<'a>(report: &'a Value, rule: &str, vault: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .map(|all| {
            all.iter()
                .filter(|f| {
                    f["ruleId"] == rule && f["vault"].as_str().is_some_and(|v| v.ends_with(&format!("/{vault}")))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn place(finding: &Value) -> (String, u64) {
    (
        finding["location"]["file"].as_str().unwrap_or_default().to_string(),
        finding["location"]["line"].as_u64().unwrap_or_default(),
    )
}

#[test]
fn findings_point_at_the_bicep_property_or_the_resource() {
    let (_, report) = json_report(&[MAIN, "--fail-on", "none"]);
    assert_eq!(report["scan"]["kind"], "iac");
    // The interpolated name `'${vaultName}-${suffix}'` with a var calling toLower().
    let kv001 = findings(&report, "KV001", "kv-features-prod");
    assert_eq!(kv001.len(), 1, "{report}");
    assert_eq!(place(kv001[0]), (MAIN.to_string(), 23), "the line of `enablePurgeProtection: false`");
    assert_eq!(kv001[0]["status"], "open");
    // No private endpoint: KV007 is about a missing property, placed at the resource.
    let kv007 = findings(&report, "KV007", "kv-features-prod");
    assert_eq!(place(kv007[0]), (MAIN.to_string(), 13), "the vault resource's line");
    // The ternary on a parameter with a default (deployKeys = false) gives 'Disabled': no KV004.
    assert!(findings(&report, "KV004", "kv-features-prod").is_empty(), "{report}");
}

#[test]
fn nested_children_parent_loops_and_conditions() {
    let (_, report) = json_report(&[MAIN, "--fail-on", "none"]);
    // The nested child `resource nested 'secrets'` expired: KV021 on its `exp` line.
    let expired = findings(&report, "KV021", "kv-features-prod");
    assert_eq!(expired.len(), 1, "{report}");
    assert!(expired[0]["resource"].as_str().is_some_and(|r| r.ends_with("/secrets/nested-secret")));
    assert_eq!(place(expired[0]).1, 32);
    // `[for (name, i) in secretNames: { parent: vault … }]` deploys alpha-0 and beta-1.
    let mut looped: Vec<String> = findings(&report, "KV020", "kv-features-prod")
        .iter()
        .filter_map(|f| f["resource"].as_str().and_then(|r| r.rsplit('/').next()).map(str::to_string))
        .collect();
    looped.sort();
    assert_eq!(looped, vec!["alpha-0", "beta-1"]);
    for finding in findings(&report, "KV020", "kv-features-prod") {
        assert_eq!(place(finding).1, 38, "the looped resource's line: {finding}");
    }
    // `if (deployKeys)` is false: the key is not deployed, so there is no key finding at all.
    assert!(report["findings"]
        .as_array()
        .is_some_and(|all| all.iter().all(|f| !f["resource"].as_str().unwrap_or_default().contains("/keys/never"))));
}

#[test]
fn scoped_role_assignments_and_diagnostic_settings_join_the_vault() {
    let (_, report) = json_report(&[MAIN, "--fail-on", "none"]);
    // `scope: vault` on the role assignment: Owner for a service principal on the vault.
    let kv050 = findings(&report, "KV050", "kv-features-prod");
    assert_eq!(kv050.len(), 1, "{report}");
    assert_eq!(place(kv050[0]).1, 52, "the role assignment's line");
    // `scope: vault` on the diagnostic setting with audit logs: no KV008 for the vault.
    assert!(findings(&report, "KV008", "kv-features-prod").is_empty());
    // The `existing` vault is a reference, not a deployment.
    assert_eq!(report["scan"]["vaults"], 2, "{report}");
}

#[test]
fn modules_are_followed_and_an_unset_parameter_is_a_note() {
    let (code, report) = json_report(&[MAIN]);
    let kv001 = findings(&report, "KV001", "kv-module");
    assert_eq!(kv001.len(), 1, "the module's vault is scanned: {report}");
    assert_eq!(kv001[0]["status"], "unknown");
    let message = kv001[0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("parameter 'purgeProtection'"), "{message}");
    assert_eq!(place(kv001[0]), ("tests/data/bicep/features/modules/kv.bicep".to_string(), 13));
    // The module's missing properties are placed at its resource.
    let kv008 = findings(&report, "KV008", "kv-module");
    assert_eq!(place(kv008[0]), ("tests/data/bicep/features/modules/kv.bicep".to_string(), 4));
    // High findings elsewhere fail the gate; the note alone would not.
    assert_eq!(code, Some(1));
}

#[test]
fn parameter_files_give_values() {
    let dir = tempfile::tempdir().expect("dir");
    let main = dir.path().join("main.bicep");
    std::fs::copy(format!("{}/{MAIN}", env!("CARGO_MANIFEST_DIR")), &main).expect("copy");
    std::fs::create_dir(dir.path().join("modules")).expect("mkdir");
    std::fs::copy(
        format!("{}/tests/data/bicep/features/modules/kv.bicep", env!("CARGO_MANIFEST_DIR")),
        dir.path().join("modules/kv.bicep"),
    )
    .expect("copy");
    let scan = |extra: &[&str]| {
        let output = kvscan()
            .arg("scan")
            .arg(&main)
            .args(extra)
            .args(["--format", "json", "--now", NOW, "--fail-on", "none"])
            .output()
            .expect("run");
        serde_json::from_slice::<Value>(&output.stdout).expect("json")
    };
    // main.bicepparam beside main.bicep: purge protection on for the module, public access on.
    std::fs::write(
        dir.path().join("main.bicepparam"),
        "using 'main.bicep'\n\nparam purgeProtection = true\nvar on = true\nparam deployKeys = on\n",
    )
    .expect("write");
    let report = scan(&[]);
    assert!(findings(&report, "KV001", "kv-module").is_empty(), "{report}");
    assert_eq!(findings(&report, "KV004", "kv-features-prod").len(), 1, "deployKeys = on enables public access");
    // A JSON parameter file given with --parameters replaces it.
    let json = dir.path().join("other.parameters.json");
    std::fs::write(&json, r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#", "parameters": {"purgeProtection": {"value": false}}}"#).expect("write");
    let report = scan(&["--parameters", json.to_str().expect("utf-8")]);
    let kv001 = findings(&report, "KV001", "kv-module");
    assert_eq!(kv001.first().map(|f| f["status"].clone()), Some(Value::from("open")), "{report}");
    // So does a .bicepparam file given by name.
    let prod = dir.path().join("prod.bicepparam");
    std::fs::write(&prod, "using 'main.bicep'\nparam purgeProtection = !false\n").expect("write");
    let report = scan(&["--parameters", prod.to_str().expect("utf-8")]);
    assert!(findings(&report, "KV001", "kv-module").is_empty(), "{report}");
    assert!(findings(&report, "KV004", "kv-features-prod").is_empty(), "deployKeys keeps its default");
}

#[test]
fn a_directory_scan_reads_bicep_files() {
    let (_, report) = json_report(&["tests/data/bicep/quickstarts", "--fail-on", "none"]);
    assert_eq!(report["scan"]["vaults"], 4, "{report}");
    assert!(report["errors"].as_array().is_some_and(Vec::is_empty), "{}", report["errors"]);
}

#[test]
fn malformed_bicep_names_file_line_and_column_and_exits_2() {
    let output = kvscan().args(["scan", "tests/data/bicep/malformed.bicep"]).output().expect("run");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("tests/data/bicep/malformed.bicep:6:"), "{stderr}");
    assert!(stderr.contains("expected"), "{stderr}");
}

#[test]
fn a_missing_module_is_reported_not_skipped() {
    let dir = tempfile::tempdir().expect("dir");
    let main = dir.path().join("main.bicep");
    std::fs::write(&main, "module m './absent.bicep' = {\n  name: 'm'\n}\nmodule r 'br/public:avm/res/key-vault/vault:0.1.0' = {\n  name: 'r'\n}\n").expect("write");
    let output = kvscan().arg("scan").arg(&main).args(["--format", "json", "--now", NOW]).output().expect("run");
    let report: Value = serde_json::from_slice(&output.stdout).expect("json");
    let errors = report["errors"].to_string();
    assert!(errors.contains("absent.bicep") && errors.contains("cannot be read"), "{errors}");
    assert!(errors.contains("registry"), "{errors}");
    assert_eq!(output.status.code(), Some(3), "an incomplete scan");
}
