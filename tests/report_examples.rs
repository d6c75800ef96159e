//! The committed example reports (docs/examples/access-review.*) are what the documented command
//! writes today, and the previous-quarter record they compare with is what kvscan writes for the
//! previous-quarter inventory derived below. `KVSCAN_UPDATE_EXAMPLES=1 cargo test --test
//! report_examples` rewrites all of them (docs/access-review.md, "Examples").

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

const SAMPLE: &str = "fixtures/sample-tenant.json";
const NOW: &str = "2026-11-15T00:00:00Z";
/// The previous review's reference time: one quarter earlier.
const PREVIOUS_NOW: &str = "2026-08-15T00:00:00Z";
const PREVIOUS: &str = "docs/examples/access-review-previous.json";
const EXAMPLES: [(&str, &str); 2] =
    [("html", "docs/examples/access-review.html"), ("md", "docs/examples/access-review.md")];

fn kvscan() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kvscan"));
    cmd.env_remove("KVSCAN_NOW").env_remove("KVSCAN_TIMINGS").current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

fn updating() -> bool {
    std::env::var_os("KVSCAN_UPDATE_EXAMPLES").is_some_and(|v| v == "1")
}

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn vault_mut<'a>(inventory: &'a mut Value, name: &str) -> &'a mut Value {
    inventory["vaults"]
        .as_array_mut()
        .expect("vaults")
        .iter_mut()
        .find(|v| v["resource"]["name"] == name)
        .unwrap_or_else(|| panic!("vault {name}"))
}

fn assignments_mut(vault: &mut Value) -> &mut Vec<Value> {
    vault["roleAssignments"].as_array_mut().expect("role assignments")
}

const ANALYSTS_ASSIGNMENT: &str = "e3a1f6c2-8b4d-4f7e-a9c5-2d6b8e0f1a37";
const SECRETS_OFFICER: &str = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7";
const SECRETS_USER: &str = "4633458b-17de-408a-b874-0445c86b69e6";

/// The sample tenant as it stood a quarter earlier: one change of every kind the review reports.
fn previous_quarter_inventory() -> Value {
    let text = std::fs::read_to_string(repo(SAMPLE)).expect("sample");
    let mut inventory: Value = serde_json::from_str(&text).expect("sample parses");
    // kv-build-dev did not exist yet (a vault new this quarter) ...
    inventory["vaults"].as_array_mut().expect("vaults").retain(|v| v["resource"]["name"] != "kv-build-dev");
    // ... and kv-archive-prod, since deleted, did (a vault gone, with its grants).
    let archive = vault_mut(&mut inventory, "kv-orders-prod").to_string().replace("kv-orders-prod", "kv-archive-prod");
    let archive: Value = serde_json::from_str(&archive).expect("copy");
    inventory["vaults"].as_array_mut().expect("vaults").push(archive);
    // Priya held Secrets User on kv-reporting-prod; she is Secrets Officer now (a role change).
    let reporting = vault_mut(&mut inventory, "kv-reporting-prod");
    for assignment in assignments_mut(reporting) {
        if assignment["roleName"] == "Key Vault Secrets Officer" {
            let id = assignment["properties"]["roleDefinitionId"]
                .as_str()
                .expect("id")
                .replace(SECRETS_OFFICER, SECRETS_USER);
            assignment["properties"]["roleDefinitionId"] = id.into();
            assignment["roleName"] = "Key Vault Secrets User".into();
        }
    }
    // The deploy pipeline's access policy on kv-shared-prod could not set secrets yet.
    let shared = vault_mut(&mut inventory, "kv-shared-prod");
    for policy in shared["resource"]["properties"]["accessPolicies"].as_array_mut().expect("policies") {
        if policy["objectId"] == "0b2e9163-8b76-4c29-acfe-7330a0f80a9f" {
            policy["permissions"]["secrets"] = json!(["get", "list"]);
        }
    }
    // grp-data-analysts held Secrets User on rg-data-dev only; it moved to the subscription
    // (a scope change on kv-data-dev, new grants on the other dev vaults).
    for name in ["kv-payments-dev", "kv-sandbox-dev"] {
        assignments_mut(vault_mut(&mut inventory, name)).retain(|a| a["name"] != ANALYSTS_ASSIGNMENT);
    }
    for assignment in assignments_mut(vault_mut(&mut inventory, "kv-data-dev")) {
        if assignment["name"] == ANALYSTS_ASSIGNMENT {
            let scope = "/subscriptions/ccc098ff-c787-4ef6-b389-80ffb28a7d4d/resourceGroups/rg-data-dev";
            assignment["properties"]["scope"] = scope.into();
            assignment["id"] =
                format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{ANALYSTS_ASSIGNMENT}").into();
        }
    }
    // A contractor, since departed, held Secrets Officer directly on kv-payments-prod (a principal
    // gone, and its KV053 finding resolved).
    let contractor = "6f0e2a4c-1b7d-4c3e-9a85-2d4f6b8c0e17";
    inventory["principals"].as_array_mut().expect("principals").push(json!({
        "id": contractor, "displayName": "Eve Martin (contractor)", "type": "User",
        "userPrincipalName": "eve.martin@contosopayments.com"
    }));
    let payments = vault_mut(&mut inventory, "kv-payments-prod");
    let vault_id = payments["resource"]["id"].as_str().expect("id").to_string();
    assignments_mut(payments).push(json!({
        "properties": {
            "roleDefinitionId": format!("/subscriptions/d4156625-a93d-4106-b7d9-43f8c4293bf5/providers/Microsoft.Authorization/roleDefinitions/{SECRETS_OFFICER}"),
            "principalId": contractor, "principalType": "User", "scope": vault_id,
            "condition": null, "conditionVersion": null,
            "createdOn": "2026-03-02T09:15:00.0000000Z", "createdBy": "184eeee4-fe00-45d3-bdb6-544cf2ddb68c"
        },
        "id": format!("{vault_id}/providers/Microsoft.Authorization/roleAssignments/9d3b1f7e-5a2c-4e8b-b6d4-1c0a9e7f3b25"),
        "type": "Microsoft.Authorization/roleAssignments",
        "name": "9d3b1f7e-5a2c-4e8b-b6d4-1c0a9e7f3b25",
        "roleName": "Key Vault Secrets Officer"
    }));
    inventory
}

/// Compares (or, when updating, writes) a committed file.
fn check(path: &str, produced: &str, how: &str) {
    let file = repo(path);
    if updating() {
        std::fs::create_dir_all(file.parent().expect("parent")).expect("dir");
        std::fs::write(&file, produced).expect("write");
        return;
    }
    let committed = std::fs::read_to_string(&file).unwrap_or_default();
    if committed != produced {
        let line = committed.lines().zip(produced.lines()).position(|(a, b)| a != b).map_or(0, |i| i + 1);
        panic!("{path} is stale (first difference at line {line}); regenerate it with {how}");
    }
}

/// The JSON record of the previous-quarter inventory, as kvscan writes it.
fn previous_record() -> String {
    let dir = tempfile::tempdir().expect("dir");
    // A bare file name, run from its folder: the record names its input without a temporary path.
    let name = "sample-tenant-2026-q3.json";
    let text = serde_json::to_string_pretty(&previous_quarter_inventory()).expect("json") + "\n";
    std::fs::write(dir.path().join(name), text).expect("write");
    let output = kvscan()
        .current_dir(dir.path())
        .args(["report", "access", name, "--now", PREVIOUS_NOW, "--format", "json", "--output", "-"])
        .output()
        .expect("kvscan runs");
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("utf-8")
}

const UPDATE: &str = "KVSCAN_UPDATE_EXAMPLES=1 cargo test --test report_examples";

#[test]
fn previous_quarter_record_is_current() {
    check(PREVIOUS, &previous_record(), UPDATE);
}

/// The command documented in docs/access-review.md.
fn example_command() -> Command {
    let mut cmd = kvscan();
    cmd.args(["report", "access", SAMPLE, "--now", NOW, "--previous", PREVIOUS]);
    cmd
}

#[test]
fn committed_examples_are_what_the_documented_command_writes() {
    if updating() {
        // The examples compare with the previous record: bring it up to date first.
        check(PREVIOUS, &previous_record(), UPDATE);
    }
    let dir = tempfile::tempdir().expect("dir");
    let mut cmd = example_command();
    for (format, _) in EXAMPLES {
        cmd.args(["--format", format, "--output"]).arg(dir.path().join(format!("out.{format}")));
    }
    let output = cmd.output().expect("kvscan runs");
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    for (format, path) in EXAMPLES {
        let produced = std::fs::read_to_string(dir.path().join(format!("out.{format}"))).expect("written");
        check(path, &produced, "the command in docs/access-review.md (\"Examples\")");
    }
    let docs = std::fs::read_to_string(repo("docs/access-review.md")).expect("docs/access-review.md");
    let documented = format!(
        "kvscan report access {SAMPLE} --now {NOW} --previous {PREVIOUS} \\\n    --format html --output {} --format md --output {}",
        EXAMPLES[0].1, EXAMPLES[1].1
    );
    assert!(docs.contains(&documented), "docs/access-review.md shows the command this test runs:\n{documented}");
}

#[test]
fn example_changes_show_every_kind_of_change() {
    let output = example_command().args(["--format", "json", "--output", "-"]).output().expect("kvscan runs");
    let review: Value = serde_json::from_slice(&output.stdout).expect("json");
    let changes = &review["changes"];
    let names = |key: &str| -> Vec<String> {
        changes[key].as_array().expect(key).iter().map(|v| v["name"].as_str().unwrap_or_default().to_string()).collect()
    };
    assert_eq!(names("vaultsNew"), ["kv-build-dev"]);
    assert_eq!(names("vaultsGone"), ["kv-archive-prod"]);
    let gone: Vec<&str> =
        changes["principalsGone"].as_array().expect("gone").iter().filter_map(|p| p["displayName"].as_str()).collect();
    assert_eq!(gone, ["Eve Martin (contractor)"]);
    let changed: Vec<(String, String, Vec<String>)> = changes["grantsChanged"]
        .as_array()
        .expect("changed")
        .iter()
        .map(|c| {
            let what =
                c["changed"].as_array().expect("what").iter().filter_map(|w| w.as_str().map(str::to_string)).collect();
            (
                c["after"]["vault"]["name"].as_str().unwrap_or_default().to_string(),
                c["after"]["principal"]["displayName"].as_str().unwrap_or_default().to_string(),
                what,
            )
        })
        .collect();
    let expect = |vault: &str, principal: &str, what: &str| {
        assert!(
            changed.iter().any(|(v, p, w)| v == vault && p == principal && w == &[what.to_string()]),
            "{principal} on {vault}: {what} changed; got {changed:?}"
        )
    };
    expect("kv-reporting-prod", "Priya Sharma", "role");
    expect("kv-shared-prod", "sp-github-actions-deploy", "permissions");
    expect("kv-data-dev", "grp-data-analysts", "scope");
    let added: Vec<(&str, &str)> = changes["grantsAdded"]
        .as_array()
        .expect("added")
        .iter()
        .map(|g| {
            (
                g["vault"]["name"].as_str().unwrap_or_default(),
                g["principal"]["displayName"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert!(
        added.contains(&("kv-sandbox-dev", "grp-data-analysts"))
            && added.contains(&("kv-build-dev", "sp-github-actions-deploy"))
    );
    let removed = changes["grantsRemoved"].as_array().expect("removed");
    assert!(removed.iter().any(|g| g["vault"]["name"] == "kv-archive-prod"));
    assert!(removed.iter().any(|g| g["principal"]["displayName"] == "Eve Martin (contractor)"));
    let rules = |key: &str| -> Vec<String> {
        changes[key]
            .as_array()
            .expect(key)
            .iter()
            .map(|r| r["ruleId"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    assert!(rules("riskyResolved").contains(&"KV053".to_string()), "the contractor's direct assignment");
    assert!(rules("riskyNew").contains(&"KV056".to_string()), "the analysts' subscription-wide data role");
}
