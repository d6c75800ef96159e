//! `kvscan report access` on the sample tenant: golden Markdown, CSV and JSON, several outputs in
//! one run, exit codes, the first page of an incomplete review, hostile display names, and that
//! the review agrees with the rule engine it is built on.

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

const SAMPLE: &str = "fixtures/sample-tenant.json";
const PARTIAL: &str = "fixtures/sample-tenant-partial.json";
/// The sample's reference date (fixtures/README.md).
const NOW: &str = "2026-11-15T00:00:00Z";

fn kvscan() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kvscan"));
    cmd.env_remove("KVSCAN_NOW").env_remove("KVSCAN_TIMINGS").env("NO_COLOR", "1");
    cmd
}

/// Writes every format of one run into `dir` and returns (exit code, stderr, path per format).
fn report(dir: &Path, inputs: &[&str], extra: &[&str]) -> (i32, String, [PathBuf; 4]) {
    let paths = ["html", "md", "csv", "json"].map(|ext| dir.join(format!("review.{ext}")));
    let mut cmd = kvscan();
    cmd.args(["report", "access", "--now", NOW]).args(inputs).args(extra);
    for (format, path) in ["html", "md", "csv", "json"].iter().zip(&paths) {
        cmd.args(["--format", format, "--output"]).arg(path);
    }
    let output = cmd.output().expect("kvscan runs");
    (output.status.code().unwrap_or(-1), String::from_utf8_lossy(&output.stderr).into_owned(), paths)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&read(path)).expect("the JSON report parses")
}

#[test]
fn sample_review_golden_markdown_csv_and_json() {
    let dir = tempfile::tempdir().expect("dir");
    let (code, stderr, [html, md, csv, json_path]) = report(dir.path(), &[SAMPLE], &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("13 vault(s) in 3 subscription(s)"), "{stderr}");
    insta::assert_snapshot!("sample_markdown", read(&md));
    insta::assert_snapshot!("sample_csv", read(&csv));
    insta::assert_snapshot!("sample_json", read(&json_path));
    let page = read(&html);
    assert!(page.starts_with("<!DOCTYPE html>") && page.trim_end().ends_with("</html>"));
    assert!(!page.contains(env!("CARGO_MANIFEST_DIR")), "no absolute paths in the report");
    for needle in ["<link", "<img", " src=", "href=\"http", "url(", "@import", "<iframe"] {
        assert!(!page.contains(needle), "the page is self-contained: it holds {needle:?}");
    }
}

#[test]
fn outputs_are_byte_identical_across_runs_and_formats_agree() {
    let (a, b) = (tempfile::tempdir().expect("dir"), tempfile::tempdir().expect("dir"));
    let (_, _, first) = report(a.path(), &[SAMPLE], &[]);
    let (_, _, second) = report(b.path(), &[SAMPLE], &[]);
    for (x, y) in first.iter().zip(&second) {
        assert_eq!(read(x), read(y), "{} differs between runs", x.display());
    }
    // One row per grant in every format.
    let review = json(&first[3]);
    let grants = review["grants"].as_array().map(Vec::len).expect("grants");
    assert_eq!(review["summary"]["grants"].as_u64(), Some(grants as u64));
    let mut rows = csv::Reader::from_path(&first[2]).expect("csv");
    assert_eq!(rows.records().count(), grants);
    let page = read(&first[0]);
    let matrix =
        page.split("<table id=\"matrix-table\"").nth(1).and_then(|t| t.split("</table>").next()).expect("matrix");
    assert_eq!(matrix.matches("<tr").count() - 1, grants, "matrix rows in HTML (minus the header row)");
}

#[test]
fn format_and_output_must_pair_up() {
    let output = kvscan()
        .args(["report", "access", SAMPLE, "--format", "html", "--format", "md", "--output", "x.html"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--format and --output come in pairs") && stderr.contains("2 --format and 1 --output"),
        "{stderr}"
    );
    assert!(!Path::new("x.html").exists(), "nothing is written on a usage error");
    let twice = kvscan()
        .args(["report", "access", SAMPLE, "-f", "md", "-o", "same", "-f", "csv", "-o", "same"])
        .output()
        .expect("runs");
    assert_eq!(twice.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&twice.stderr).contains("given twice"));
}

#[test]
fn markdown_can_go_to_stdout() {
    let output = kvscan()
        .args(["report", "access", "--now", NOW, SAMPLE, "--format", "markdown", "--output", "-"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).expect("utf-8");
    assert!(text.starts_with("# Key Vault access review: Contoso Payments"), "{}", &text[..80.min(text.len())]);
}

#[test]
fn incomplete_inventory_says_so_on_the_first_page_and_exits_3() {
    let dir = tempfile::tempdir().expect("dir");
    let (code, stderr, [html, md, _, json_path]) = report(dir.path(), &[PARTIAL], &[]);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("incomplete"), "{stderr}");
    let md = read(&md);
    let first_lines: String = md.lines().take(6).collect::<Vec<_>>().join("\n");
    assert!(first_lines.contains("INCOMPLETE REVIEW"), "{first_lines}");
    assert!(
        first_lines.contains("/subscriptions/eb2e362b-313e-4016-a0f7-f64b73c8fc73: AuthorizationFailed"),
        "{first_lines}"
    );
    let page = read(&html);
    let alert = page.find("class=\"incomplete\" role=\"alert\"").expect("an alert");
    assert!(alert < page.find("id=\"summary\"").expect("summary"), "the warning comes before everything else");
    let review = json(&json_path);
    assert_eq!(review["complete"], false);
    assert_eq!(review["gaps"][0]["scope"], "/subscriptions/eb2e362b-313e-4016-a0f7-f64b73c8fc73");
}

#[test]
fn bad_inputs_exit_2_and_write_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    // A scan report is not an access-review report.
    let scan = dir.path().join("scan.json");
    let out =
        kvscan().args(["scan", "--now", NOW, "--fail-on", "none", "--format", "json", SAMPLE]).output().expect("scan");
    std::fs::write(&scan, out.stdout).expect("write");
    let (code, stderr, paths) = report(dir.path(), &[SAMPLE], &["--previous", scan.to_str().expect("utf-8 path")]);
    assert_eq!(code, 2);
    assert!(stderr.contains("not a kvscan access-review JSON report"), "{stderr}");
    assert!(paths.iter().all(|p| !p.exists()));
    let (code, stderr, _) = report(dir.path(), &["tests/data/invalid/secret-with-value.json"], &[]);
    assert_eq!(code, 2);
    assert!(stderr.contains("secret carries a \"value\""), "{stderr}");
}

#[test]
fn risky_grants_are_exactly_the_access_findings_of_the_scan() {
    let dir = tempfile::tempdir().expect("dir");
    let (_, _, paths) = report(dir.path(), &[SAMPLE], &[]);
    let review = json(&paths[3]);
    let out =
        kvscan().args(["scan", "--now", NOW, "--fail-on", "none", "--format", "json", SAMPLE]).output().expect("scan");
    let scan: Value = serde_json::from_slice(&out.stdout).expect("scan json");
    let access = ["KV050", "KV051", "KV052", "KV053", "KV054", "KV055", "KV056", "KV060", "KV061"];
    let expected: BTreeSet<&str> = scan["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| access.contains(&f["ruleId"].as_str().unwrap_or_default()))
        .filter_map(|f| f["fingerprint"].as_str())
        .collect();
    let risky = review["riskyGrants"].as_array().expect("risky grants");
    let got: BTreeSet<&str> = risky.iter().filter_map(|r| r["fingerprint"].as_str()).collect();
    assert_eq!(got, expected);
    let keys: BTreeSet<&str> =
        review["grants"].as_array().expect("grants").iter().filter_map(|g| g["key"].as_str()).collect();
    for r in risky {
        let what = format!("{} {}", r["ruleId"], r["message"]);
        assert!(r["principal"]["id"].is_string(), "every sample risky grant names its principal: {what}");
        let tied = r["grantKeys"].as_array().expect("keys");
        assert!(!tied.is_empty(), "tied to matrix rows: {what}");
        assert!(tied.iter().all(|k| keys.contains(k.as_str().unwrap_or_default())), "{what}");
        assert!(!r["vaults"].as_array().expect("vaults").is_empty(), "{what}");
    }
    // KV060 says sp-github-actions-deploy reaches the data of 6 vaults; the principals view agrees.
    let deploy = review["principals"]
        .as_array()
        .expect("principals")
        .iter()
        .find(|p| p["displayName"] == "sp-github-actions-deploy")
        .expect("deploy principal");
    assert_eq!(deploy["dataVaults"].as_array().map(Vec::len), Some(6));
    let kv060 = risky.iter().find(|r| r["ruleId"] == "KV060" && r["principal"]["id"] == deploy["id"]).expect("KV060");
    assert_eq!(kv060["vaults"].as_array().map(Vec::len), Some(6));
    assert_eq!(kv060["tenantWide"], true);
}

#[test]
fn rotation_flags_agree_with_the_rules() {
    let dir = tempfile::tempdir().expect("dir");
    let (_, _, paths) = report(dir.path(), &[SAMPLE], &[]);
    let review = json(&paths[3]);
    let items = review["rotation"]["items"].as_array().expect("items");
    let sample: Value = serde_json::from_str(&read(Path::new(SAMPLE))).expect("sample");
    let objects: usize = sample["vaults"]
        .as_array()
        .expect("vaults")
        .iter()
        .map(|v| ["secrets", "keys", "certificates"].iter().map(|k| v[k].as_array().map_or(0, Vec::len)).sum::<usize>())
        .sum();
    assert_eq!(items.len(), objects, "every secret, key and certificate of the sample");
    let pairs = [
        (&["expired", "expiring"][..], &["KV021", "KV034", "KV042"][..]),
        (&["neverExpires"], &["KV020", "KV030"]),
        (&["overAge"], &["KV022"]),
        (&["noAutoRotation"], &["KV031"]),
        (&["noAutoRenew"], &["KV041"]),
    ];
    for item in items {
        let flags: Vec<&str> = item["flags"].as_array().expect("flags").iter().filter_map(Value::as_str).collect();
        let findings: Vec<&str> =
            item["findings"].as_array().expect("findings").iter().filter_map(Value::as_str).collect();
        for (flag_names, rules) in pairs {
            let flagged = flags.iter().any(|f| flag_names.contains(f));
            let found = findings.iter().any(|f| rules.contains(f));
            assert_eq!(
                flagged, found,
                "{} {}: flags {flags:?}, findings {findings:?}",
                item["vault"]["name"], item["name"]
            );
        }
    }
    let nuget = items.iter().find(|i| i["name"] == "nuget-feed-pat").expect("nuget-feed-pat");
    assert_eq!((nuget["daysToExpiry"].as_i64(), nuget["ageDays"].as_i64()), (Some(12), Some(77)));
}

fn grant<'a>(review: &'a Value, vault: &str, principal: &str, what: impl Fn(&Value) -> bool) -> &'a Value {
    review["grants"]
        .as_array()
        .expect("grants")
        .iter()
        .find(|g| {
            g["vault"]["name"] == vault
                && (g["principal"]["displayName"] == principal || g["principal"]["id"] == principal)
                && what(g)
        })
        .unwrap_or_else(|| panic!("no grant of {principal} on {vault}"))
}

#[test]
fn matrix_of_the_sample_reads_scopes_models_and_principals_right() {
    let dir = tempfile::tempdir().expect("dir");
    let (_, _, paths) = report(dir.path(), &[SAMPLE], &[]);
    let review = json(&paths[3]);
    let grants = review["grants"].as_array().expect("grants");
    // The management-group Owner of grp-platform-admins: one assignment, a row on each of 13 vaults.
    let owner: Vec<&Value> = grants
        .iter()
        .filter(|g| g["principal"]["displayName"] == "grp-platform-admins" && g["role"]["name"] == "Owner")
        .collect();
    assert_eq!(owner.len(), 13);
    assert!(owner
        .iter()
        .all(|g| g["scopeKind"] == "managementGroup" && g["inherited"] == true && g["plane"] == "control"));
    assert_eq!(owner[0]["inheritedFrom"], "management group 'mg-contoso-platform'");
    let reader = grant(&review, "kv-payments-prod", "sp-kvscan-reader", |_| true);
    assert_eq!(reader["plane"], "control", "Key Vault Reader reads metadata only");
    let dan = grant(&review, "kv-shared-prod", "Dan Okafor", |g| g["kind"] == "accessPolicy");
    assert_eq!(dan["permissions"]["secrets"], serde_json::json!(["all"]));
    assert_eq!(
        (&dan["effective"], &dan["principal"]["userPrincipalName"]),
        (&Value::Bool(true), &Value::from("dan.okafor@contosopayments.com"))
    );
    let leftover = grant(&review, "kv-reporting-prod", "sp-reporting-etl", |g| g["kind"] == "accessPolicy");
    assert_eq!(
        (&leftover["effective"], &leftover["note"]),
        (&Value::Bool(false), &Value::from("ignored: vault uses RBAC"))
    );
    let delegated = grant(&review, "kv-identity-prod", "grp-platform-admins", |g| {
        g["role"]["name"] == "Key Vault Data Access Administrator"
    });
    assert!(delegated["condition"].as_str().is_some_and(|c| c.contains("ForAnyOfAnyValues:GuidEquals")));
    let alice = grant(&review, "kv-payments-stg", "Alice Johnson", |_| true);
    assert_eq!(
        (&alice["scopeKind"], &alice["inheritedFrom"]),
        (&Value::from("resourceGroup"), &Value::from("resource group 'rg-payments-stg'"))
    );
    let orphan = grant(&review, "kv-identity-stg", "f7627626-edbb-4524-a15f-b720aa88b99d", |_| true);
    assert_eq!(
        (&orphan["principal"]["status"], &orphan["principal"]["type"]),
        (&Value::from("orphaned"), &Value::from("servicePrincipal"))
    );
    let managed = grant(&review, "kv-payments-prod", "id-payments-api-prod", |_| true);
    assert_eq!(
        managed["principal"]["type"], "managedIdentity",
        "the directory's type wins over ARM's ServicePrincipal"
    );
    let custom = grant(&review, "kv-build-dev", "sp-github-actions-deploy", |g| {
        g["role"]["name"] == "Contoso Key Vault Secret Rotator"
    });
    assert_eq!(custom["plane"], "data", "the custom role's secrets/* data actions");
    let guest =
        review["principals"].as_array().expect("principals").iter().find(|p| p["guest"] == true).expect("a guest");
    assert_eq!(guest["displayName"], "Marco Rossi (Fabrikam)");
    assert_eq!(review["summary"]["orphanedPrincipals"], 3);
}

const HOSTILE: &str = "<img src=x onerror=alert(1)>|`tick`[link](http://evil.example)";

#[test]
fn hostile_display_names_stay_text_in_markdown_and_csv() {
    let dir = tempfile::tempdir().expect("dir");
    let mut inventory: Value = serde_json::from_str(&read(Path::new(SAMPLE))).expect("sample");
    for principal in inventory["principals"].as_array_mut().expect("principals") {
        match principal["displayName"].as_str() {
            Some("sp-github-actions-deploy") => principal["displayName"] = HOSTILE.into(),
            Some("sp-reporting-etl") => principal["displayName"] = "=HYPERLINK(\"http://evil.example\",\"x\")".into(),
            _ => {}
        }
    }
    let path = dir.path().join("hostile.json");
    std::fs::write(&path, inventory.to_string()).expect("write");
    let (code, stderr, [html, md, csv, _]) = report(dir.path(), &[path.to_str().expect("utf-8")], &[]);
    assert_eq!(code, 0, "{stderr}");
    let md = read(&md);
    assert!(!md.contains("<img"), "no raw HTML in Markdown");
    assert!(md.contains("&lt;img src=x onerror=alert(1)&gt;\\|\\`tick\\`\\[link\\](http://evil.example)"));
    let csv = read(&csv);
    assert!(csv.contains("\"'=HYPERLINK("), "formula cells are defused");
    assert!(!csv.contains(",=HYPERLINK(") && !csv.contains(",\"=HYPERLINK("));
    let page = read(&html);
    assert!(!page.contains("<img"));
    assert!(page.contains("&lt;img src=x onerror=alert(1)&gt;"));
}

#[test]
fn config_parameters_reach_the_rotation_evidence() {
    let dir = tempfile::tempdir().expect("dir");
    let config = dir.path().join("kvscan.yaml");
    std::fs::write(&config, "parameters:\n  maxSecretAgeDays: 500\ndisable: [KV053]\n").expect("write");
    let (code, stderr, paths) = report(dir.path(), &[SAMPLE], &["--config", config.to_str().expect("utf-8")]);
    assert_eq!(code, 0, "{stderr}");
    let review = json(&paths[3]);
    assert_eq!(review["parameters"]["maxSecretAgeDays"], 500);
    let over: Vec<&Value> = review["rotation"]["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| i["flags"].as_array().is_some_and(|f| f.contains(&Value::from("overAge"))))
        .collect();
    let names: Vec<&Value> = over.iter().map(|i| &i["name"]).collect();
    assert_eq!(names, ["legacy-ftp-password"], "only the secret older than 500 days");
    assert!(
        review["riskyGrants"].as_array().expect("risky").iter().all(|r| r["ruleId"] != "KV053"),
        "disabled rules report nothing"
    );
}

#[test]
fn previous_report_gives_the_changes() {
    let dir = tempfile::tempdir().expect("dir");
    // Last quarter only the production subscription was readable.
    let last = dir.path().join("last");
    std::fs::create_dir(&last).expect("dir");
    let (_, _, previous) = report(&last, &[PARTIAL], &[]);
    let (code, stderr, paths) = report(dir.path(), &[SAMPLE], &["--previous", previous[3].to_str().expect("utf-8")]);
    assert_eq!(code, 0, "{stderr}");
    let changes = &json(&paths[3])["changes"];
    let names = |list: &Value| -> Vec<String> {
        list.as_array().expect("list").iter().map(|v| v["name"].as_str().unwrap_or_default().to_string()).collect()
    };
    assert_eq!(names(&changes["vaultsNew"]).len(), 11);
    assert!(names(&changes["vaultsGone"]).is_empty());
    assert!(changes["grantsRemoved"].as_array().expect("removed").is_empty());
    assert!(changes["riskyResolved"].as_array().expect("resolved").is_empty());
    assert!(!changes["riskyNew"].as_array().expect("new").is_empty());
    // The other way round, the eleven vaults are gone and their risky grants resolved.
    let (_, _, now) = report(&last, &[SAMPLE], &[]);
    let back = dir.path().join("back");
    std::fs::create_dir(&back).expect("dir");
    let (code, _, paths) = report(&back, &[PARTIAL], &["--previous", now[3].to_str().expect("utf-8")]);
    assert_eq!(code, 3);
    let changes = &json(&paths[3])["changes"];
    assert_eq!(names(&changes["vaultsGone"]).len(), 11);
    assert!(!changes["riskyResolved"].as_array().expect("resolved").is_empty());
    assert!(read(&paths[1]).contains("### Risky grants resolved"));
}

#[test]
fn help_lists_the_live_collection_flags() {
    let output = kvscan().args(["report", "access", "--help"]).output().expect("runs");
    let help = String::from_utf8_lossy(&output.stdout);
    for flag in ["--live", "--subscription", "--previous", "--format", "--output", "--now", "--config"] {
        assert!(help.contains(flag), "{flag} missing from --help");
    }
}
