//! Terraform plan JSON and HCL: the same vault in ARM, Bicep, HCL and plan form gives the same
//! rule ids and verdicts; findings point at the `.tf` line or the plan resource; unknown values
//! are notes; hand-written plans of the shared configurations agree with their HCL where both
//! are known; and every configuration of `../shared/iac-examples/terraform/` gives its reviewed findings
//! (reasoning in `docs/terraform-corpus.md`).

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn scan(path: &str) -> Value {
    let output = Command::cargo_bin("kvscan")
        .expect("binary")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["scan", path, "--format", "json", "--fail-on", "none", "--now", "2026-11-15T00:00:00Z"])
        .output()
        .expect("run kvscan");
    assert_eq!(output.status.code(), Some(0), "{path}: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("json report")
}

fn verdicts(report: &Value) -> Vec<(String, String, String)> {
    let mut out: Vec<(String, String, String)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["ruleId"].as_str().unwrap_or_default().to_string(),
                f["status"].as_str().unwrap_or_default().to_string(),
                f["path"].as_str().unwrap_or("-").to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn the_same_vault_gives_the_same_verdicts_in_arm_bicep_hcl_and_plan() {
    let arm = verdicts(&scan("tests/data/terraform/equivalence/arm.json"));
    let bicep = verdicts(&scan("tests/data/terraform/equivalence/main.bicep"));
    let hcl = verdicts(&scan("tests/data/terraform/equivalence/hcl"));
    let plan = verdicts(&scan("tests/data/terraform/equivalence/plan.json"));
    // The fixture is built so that some rules fail and others pass in every form.
    let ids: Vec<&str> = arm.iter().map(|(id, _, _)| id.as_str()).collect();
    assert!(ids.contains(&"KV052") && ids.contains(&"KV006") && !ids.contains(&"KV001") && !ids.contains(&"KV008"));
    assert!(!ids.contains(&"KV030") && !ids.contains(&"KV031"), "the key has an expiry and rotates");
    assert_eq!(bicep, arm, "Bicep and ARM differ");
    assert_eq!(hcl, arm, "HCL and ARM differ");
    assert_eq!(plan, arm, "plan and ARM differ");
}

#[test]
fn records_say_where_they_came_from() {
    let hcl = scan("tests/data/terraform/equivalence/hcl");
    let purge = hcl["findings"].as_array().expect("findings").iter().find(|f| f["ruleId"] == "KV009").expect("KV009");
    assert_eq!(purge["location"]["file"], "tests/data/terraform/equivalence/hcl/main.tf");
    assert_eq!(purge["location"]["line"], 22, "the soft_delete_retention_days line");
    let plan = scan("tests/data/terraform/equivalence/plan.json");
    let retention =
        plan["findings"].as_array().expect("findings").iter().find(|f| f["ruleId"] == "KV009").expect("KV009");
    assert_eq!(retention["location"]["file"], "tests/data/terraform/equivalence/plan.json");
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/terraform/equivalence/plan.json"),
    )
    .expect("plan fixture");
    let line = retention["location"]["line"].as_u64().expect("line") as usize;
    assert!(text.lines().nth(line - 1).is_some_and(|l| l.contains("\"soft_delete_retention_days\"")));
}

#[test]
fn unresolvable_values_are_notes_and_count_instances_keep_their_children() {
    let report = scan("tests/data/terraform/unknowns");
    let vaults = report["findings"].as_array().expect("findings");
    let purge: Vec<&Value> = vaults.iter().filter(|f| f["ruleId"] == "KV001").collect();
    assert_eq!(purge.len(), 2, "one per count instance");
    for finding in purge {
        assert_eq!(finding["status"], "unknown");
        assert!(finding["message"].as_str().unwrap_or_default().contains("variable 'purge_protection'"), "{finding}");
    }
    // Each secret joins the vault with the same index, and expires within the 30-day window.
    let expiring: Vec<&str> =
        vaults.iter().filter(|f| f["ruleId"] == "KV021").filter_map(|f| f["vault"].as_str()).collect();
    assert_eq!(expiring.len(), 2, "{report}");
    assert!(
        expiring.iter().any(|v| v.ends_with("/kv-unknowns-0"))
            && expiring.iter().any(|v| v.ends_with("/kv-unknowns-1"))
    );
}

fn corpus() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/iac-examples/terraform");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("the Terraform corpus {} is missing ({e})", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 8, "expected the full corpus, found {} configurations", dirs.len());
    dirs
}

#[test]
fn real_configurations_give_reviewed_findings() {
    for dir in corpus() {
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let relative = format!("../shared/iac-examples/terraform/{name}");
        let report = scan(&relative);
        let mut lines = vec![format!("vaults: {}  errors: {}", report["scan"]["vaults"], report["errors"])];
        for finding in report["findings"].as_array().expect("findings") {
            let file = finding["location"]["file"].as_str().unwrap_or_default();
            assert!(file.starts_with(&relative), "{name}: every finding is in the configuration, got {file}");
            lines.push(format!(
                "{} {:<7} {} {}:{} {}",
                finding["ruleId"].as_str().unwrap_or_default(),
                finding["status"].as_str().unwrap_or_default(),
                finding["vault"].as_str().unwrap_or_default().rsplit('/').next().unwrap_or_default(),
                file.rsplit('/').next().unwrap_or_default(),
                finding["location"]["line"],
                finding["path"].as_str().unwrap_or("-"),
            ));
        }
        insta::assert_snapshot!(format!("terraform_{name}"), lines.join("\n"));
    }
}

/// (rule id, resource below its vault, path) → statuses. The vault part of the resource is left
/// out: HCL cannot know a name built from a variable without a value (the address stands in for
/// it), while the plan was made with one; every configuration with a plan has a single vault.
fn verdicts_by_resource(report: &Value) -> std::collections::BTreeMap<(String, String, String), Vec<String>> {
    let mut out: std::collections::BTreeMap<(String, String, String), Vec<String>> = Default::default();
    for finding in report["findings"].as_array().expect("findings") {
        let resource = finding["resource"].as_str().unwrap_or_default();
        let vault = finding["vault"].as_str().unwrap_or_default();
        let below = resource.strip_prefix(vault).unwrap_or(resource).to_string();
        let key = (
            finding["ruleId"].as_str().unwrap_or_default().to_string(),
            below,
            finding["path"].as_str().unwrap_or("-").to_string(),
        );
        out.entry(key).or_default().push(finding["status"].as_str().unwrap_or_default().to_string());
    }
    for statuses in out.values_mut() {
        statuses.sort();
    }
    out
}

#[test]
fn hand_written_plans_of_the_shared_configurations_agree_with_their_hcl() {
    let plans = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/terraform/plans");
    let mut compared = 0;
    for dir in corpus() {
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        if !plans.join(format!("{name}.json")).is_file() {
            continue;
        }
        let hcl_report = scan(&format!("../shared/iac-examples/terraform/{name}"));
        let plan_report = scan(&format!("tests/data/terraform/plans/{name}.json"));
        assert_eq!(hcl_report["scan"]["vaults"], plan_report["scan"]["vaults"], "{name}: vault count");
        assert_eq!(hcl_report["scan"]["vaults"], 1, "{name}: the comparison assumes one vault");
        let (hcl, plan) = (verdicts_by_resource(&hcl_report), verdicts_by_resource(&plan_report));
        let mut differences = Vec::new();
        for key in hcl.keys().chain(plan.keys()).collect::<std::collections::BTreeSet<_>>() {
            let (h, p) = (hcl.get(key), plan.get(key));
            // Where either side cannot know (HCL: data sources, variables without values; plan:
            // values known after apply) there is nothing to compare.
            let unknown = |s: Option<&Vec<String>>| s.is_some_and(|s| s.iter().any(|s| s == "unknown"));
            if unknown(h) || unknown(p) {
                continue;
            }
            if h != p {
                differences.push(format!("{key:?}: HCL {h:?}, plan {p:?}"));
            }
        }
        assert!(differences.is_empty(), "{name}: plan and HCL differ:\n{}", differences.join("\n"));
        compared += 1;
    }
    assert!(compared >= 2, "expected plan fixtures in {}", plans.display());
}
