//! Terraform scanning at scale: generated configurations of 1,000 and 5,000 vaults, as HCL (one
//! `.tf` file) and as plan JSON (`terraform show -json` format), each vault with three secrets,
//! two keys with rotation policies, a role assignment and, for every other vault, a diagnostic
//! setting; a third of the vaults hardened, the rest failing different rules. Scanned by the
//! release binary with the full catalog: median of 3 runs and the peak RSS of the kvscan process,
//! and whether time grows linearly with the vault count.
//!
//! Run: `cargo bench --bench terraform` (optional args: vault counts, e.g. `1000 5000`, and
//! `--with-checkov` to install Checkov 3.3.30 into a virtualenv under target/ and time it once per
//! file on the same inputs with only its Key Vault checks, printing the ratio). `KVSCAN_BENCH_KEEP=DIR`
//! writes the generated inputs to DIR and keeps them, to profile a scan of the same files.

#[path = "support/checkov.rs"]
mod checkov;
#[path = "support/measure.rs"]
mod measure;
#[path = "support/workdir.rs"]
mod workdir;

use checkov::median_of_3;
use serde_json::{json, Map, Value};
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// Checkov's Key Vault checks for Terraform (HCL and plan): the same ids as arm_templates.rs uses.
const CHECKOV_KEY_VAULT_CHECKS: &str = "CKV_AZURE_40,CKV_AZURE_41,CKV_AZURE_42,CKV_AZURE_109,CKV_AZURE_110,CKV_AZURE_111,CKV_AZURE_112,CKV_AZURE_114,CKV_AZURE_189";

const TENANT: &str = "11111111-1111-1111-1111-111111111111";
const PRINCIPAL: &str = "22222222-2222-4333-8444-555555555555";
const WORKSPACE: &str = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/logs/providers/Microsoft.OperationalInsights/workspaces/audit";
/// 2028-01-01: in the future of the scan's `--now`, so keys and secrets with it pass.
const EXPIRY: &str = "2028-01-01T00:00:00Z";

/// The settings of vault `index`, shared by the HCL and the plan generator so both describe the
/// same vaults: every third vault hardened, the others failing purge protection, network and
/// (every other) RBAC rules; the first secret of each vault without an expiry.
struct Vault {
    name: String,
    hardened: bool,
    rbac: bool,
    environment: &'static str,
    diagnostics: bool,
}

impl Vault {
    fn new(index: usize) -> Vault {
        let hardened = index % 3 == 0;
        Vault {
            name: format!("kv-bench-{index:05}"),
            hardened,
            rbac: hardened || index % 3 == 1,
            environment: if index % 2 == 0 { "prod" } else { "dev" },
            diagnostics: index % 2 == 0,
        }
    }
    fn default_action(&self) -> &'static str {
        if self.hardened {
            "Deny"
        } else {
            "Allow"
        }
    }
}

fn hcl(vaults: usize) -> String {
    let mut out = String::with_capacity(vaults * 3000);
    out.push_str(
        "provider \"azurerm\" {\n  features {}\n}\n\nvariable \"location\" {\n  default = \"westeurope\"\n}\n\n\
         resource \"azurerm_resource_group\" \"rg\" {\n  name     = \"kv-bench\"\n  location = var.location\n}\n",
    );
    for index in 0..vaults {
        let v = Vault::new(index);
        let r = format!("kv{index}");
        // `write!` into a String cannot fail.
        let _ = write!(
            out,
            r#"
resource "azurerm_key_vault" "{r}" {{
  name                          = "{name}"
  location                      = azurerm_resource_group.rg.location
  resource_group_name           = azurerm_resource_group.rg.name
  tenant_id                     = "{TENANT}"
  sku_name                      = "standard"
  rbac_authorization_enabled    = {rbac}
  purge_protection_enabled      = {hardened}
  soft_delete_retention_days    = 90
  public_network_access_enabled = {public}
  tags = {{
    environment = "{env}"
  }}

  network_acls {{
    default_action = "{action}"
    bypass         = "AzureServices"
    ip_rules       = []
  }}
}}
"#,
            name = v.name,
            rbac = v.rbac,
            hardened = v.hardened,
            public = !v.hardened,
            env = v.environment,
            action = v.default_action(),
        );
        for s in 0..3 {
            let expiry = if s == 0 { String::new() } else { format!("\n  expiration_date = \"{EXPIRY}\"") };
            let _ = write!(
                out,
                r#"
resource "azurerm_key_vault_secret" "{r}_secret{s}" {{
  name         = "secret-{s}"
  key_vault_id = azurerm_key_vault.{r}.id
  value        = "not-a-real-secret"
  content_type = "text/plain"{expiry}
}}
"#
            );
        }
        for k in 0..2 {
            let _ = write!(
                out,
                r#"
resource "azurerm_key_vault_key" "{r}_key{k}" {{
  name            = "key-{k}"
  key_vault_id    = azurerm_key_vault.{r}.id
  key_type        = "{kty}"
  key_size        = 2048
  key_opts        = ["wrapKey", "unwrapKey"]
  expiration_date = "{EXPIRY}"

  rotation_policy {{
    automatic {{
      time_after_creation = "P90D"
    }}
    expire_after = "P1Y"
  }}
}}
"#,
                kty = if k == 0 { "RSA-HSM" } else { "RSA" },
            );
        }
        let _ = write!(
            out,
            r#"
resource "azurerm_role_assignment" "{r}_secrets_user" {{
  scope                = azurerm_key_vault.{r}.id
  role_definition_name = "Key Vault Secrets User"
  principal_id         = "{PRINCIPAL}"
}}
"#
        );
        if v.diagnostics {
            let _ = write!(
                out,
                r#"
resource "azurerm_monitor_diagnostic_setting" "{r}_audit" {{
  name                       = "audit"
  target_resource_id         = azurerm_key_vault.{r}.id
  log_analytics_workspace_id = "{WORKSPACE}"

  enabled_log {{
    category_group = "audit"
  }}
}}
"#
            );
        }
    }
    out
}

/// One resource of a plan: its planned values, its change (values known after apply in
/// `after_unknown`) and its configuration (which attributes reference which resources).
struct PlanResource {
    address: String,
    kind: &'static str,
    values: Value,
    unknown: Value,
    references: Vec<(&'static str, String)>,
}

fn plan_resources(index: usize) -> Vec<PlanResource> {
    let v = Vault::new(index);
    let r = format!("kv{index}");
    let vault = format!("azurerm_key_vault.{r}");
    let child = |address: String, kind: &'static str, values: Value, attribute: &'static str| PlanResource {
        address,
        kind,
        values,
        // A vault still to be created has no id: its children's references to it are unknown.
        unknown: json!({ "id": true, attribute: true }),
        references: vec![(attribute, vault.clone())],
    };
    let mut out = vec![PlanResource {
        address: vault.clone(),
        kind: "azurerm_key_vault",
        values: json!({
            "name": v.name, "location": "westeurope", "resource_group_name": "kv-bench", "tenant_id": TENANT,
            "sku_name": "standard", "rbac_authorization_enabled": v.rbac, "purge_protection_enabled": v.hardened,
            "soft_delete_retention_days": 90, "public_network_access_enabled": !v.hardened,
            "enabled_for_deployment": null, "enabled_for_disk_encryption": null, "enabled_for_template_deployment": null,
            "network_acls": [{ "default_action": v.default_action(), "bypass": "AzureServices", "ip_rules": [], "virtual_network_subnet_ids": null }],
            "access_policy": [], "contact": [], "tags": { "environment": v.environment }, "timeouts": null
        }),
        unknown: json!({ "id": true, "vault_uri": true, "access_policy": [], "network_acls": [{ "ip_rules": [] }], "contact": [], "tags": {} }),
        references: Vec::new(),
    }];
    for s in 0..3 {
        let expiry = if s == 0 { Value::Null } else { json!(EXPIRY) };
        out.push(child(
            format!("azurerm_key_vault_secret.{r}_secret{s}"),
            "azurerm_key_vault_secret",
            json!({ "name": format!("secret-{s}"), "value": "not-a-real-secret", "content_type": "text/plain",
                    "expiration_date": expiry, "not_before_date": null, "tags": null, "timeouts": null }),
            "key_vault_id",
        ));
    }
    for k in 0..2 {
        out.push(child(
            format!("azurerm_key_vault_key.{r}_key{k}"),
            "azurerm_key_vault_key",
            json!({ "name": format!("key-{k}"), "key_type": if k == 0 { "RSA-HSM" } else { "RSA" }, "key_size": 2048,
                    "curve": null, "key_opts": ["wrapKey", "unwrapKey"], "expiration_date": EXPIRY, "not_before_date": null,
                    "rotation_policy": [{ "automatic": [{ "time_after_creation": "P90D", "time_before_expiry": null }],
                                          "expire_after": "P1Y", "notify_before_expiry": null }],
                    "tags": null, "timeouts": null }),
            "key_vault_id",
        ));
    }
    out.push(child(
        format!("azurerm_role_assignment.{r}_secrets_user"),
        "azurerm_role_assignment",
        json!({ "role_definition_name": "Key Vault Secrets User", "principal_id": PRINCIPAL, "condition": null,
                "condition_version": null, "description": null, "timeouts": null }),
        "scope",
    ));
    if v.diagnostics {
        out.push(child(
            format!("azurerm_monitor_diagnostic_setting.{r}_audit"),
            "azurerm_monitor_diagnostic_setting",
            json!({ "name": "audit", "log_analytics_workspace_id": WORKSPACE, "enabled_log": [{ "category": null,
                    "category_group": "audit", "retention_policy": [] }], "metric": [], "timeouts": null }),
            "target_resource_id",
        ));
    }
    out
}

fn plan(vaults: usize) -> Value {
    let resources: Vec<PlanResource> = (0..vaults).flat_map(plan_resources).collect();
    let name_of = |address: &str| address.rsplit('.').next().unwrap_or_default().to_string();
    let planned: Vec<Value> = resources
        .iter()
        .map(|r| {
            json!({ "address": r.address, "mode": "managed", "type": r.kind, "name": name_of(&r.address),
                    "provider_name": "registry.terraform.io/hashicorp/azurerm", "schema_version": 0,
                    "values": r.values, "sensitive_values": {} })
        })
        .collect();
    let changes: Vec<Value> = resources
        .iter()
        .map(|r| {
            json!({ "address": r.address, "mode": "managed", "type": r.kind, "name": name_of(&r.address),
                    "provider_name": "registry.terraform.io/hashicorp/azurerm",
                    "change": { "actions": ["create"], "before": null, "after": r.values, "after_unknown": r.unknown,
                                "before_sensitive": false, "after_sensitive": {} } })
        })
        .collect();
    let configured: Vec<Value> = resources
        .iter()
        .map(|r| {
            let expressions: Map<String, Value> = r
                .references
                .iter()
                .map(|(attribute, target)| {
                    (attribute.to_string(), json!({ "references": [format!("{target}.id"), target.clone()] }))
                })
                .collect();
            json!({ "address": r.address, "mode": "managed", "type": r.kind, "name": name_of(&r.address),
                    "provider_config_key": "azurerm", "schema_version": 0, "expressions": expressions })
        })
        .collect();
    json!({
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "planned_values": { "root_module": { "resources": planned } },
        "resource_changes": changes,
        "configuration": { "root_module": { "resources": configured } }
    })
}

/// One timed Checkov run (minutes per run at 5,000 vaults: one run, not three) and its peak RSS.
fn time_checkov(checkov: &Path, framework: &str, input: &Path) -> Result<(f64, f64), String> {
    let start = Instant::now();
    let (output, peak) = measure::measured(
        Command::new(checkov)
            .args(["--quiet", "--compact", "--skip-download", "--framework", framework, "--check"])
            .arg(CHECKOV_KEY_VAULT_CHECKS)
            .args(["-o", "json"])
            .arg(if input.is_dir() { "-d" } else { "-f" })
            .arg(input),
    )
    .map_err(|e| e.to_string())?;
    let time = start.elapsed().as_secs_f64();
    // Checkov exits 1 when checks fail, which they do on these inputs.
    if output.status.code().is_some_and(|c| c <= 1) {
        Ok((time, peak.unwrap_or(0) as f64 / 1024.0))
    } else {
        Err(format!("checkov exited with {}: {}", output.status, String::from_utf8_lossy(&output.stderr)))
    }
}

struct Row {
    vaults: usize,
    seconds: f64,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (sizes, checkov) = checkov::args()?;
    let dir = workdir::WorkDir::new()?;
    println!(
        "terraform: HCL and plan JSON per size, each vault with 3 secrets, 2 keys, a role assignment; full catalog, kvscan median of 3{}",
        if checkov.is_some() { ", Checkov one run" } else { "" }
    );
    println!(
        "  form  vaults  input (MiB)  kvscan (s)  vaults/s  kvscan peak RSS (MiB){}",
        if checkov.is_some() { "  checkov (s)  checkov RSS (MiB)  ratio" } else { "" }
    );
    let mut rows: Vec<(&str, Vec<Row>)> = vec![("hcl", Vec::new()), ("plan", Vec::new())];
    for vaults in sizes {
        let config = dir.path().join(format!("hcl-{vaults}"));
        std::fs::create_dir_all(&config)?;
        std::fs::write(config.join("main.tf"), hcl(vaults))?;
        let plan_file = dir.path().join(format!("plan-{vaults}.json"));
        std::fs::write(&plan_file, serde_json::to_vec_pretty(&plan(vaults))?)?;
        for (form, rows) in rows.iter_mut() {
            let (input, size, framework) = if *form == "hcl" {
                (&config, std::fs::metadata(config.join("main.tf"))?.len(), "terraform")
            } else {
                (&plan_file, std::fs::metadata(&plan_file)?.len(), "terraform_plan")
            };
            let size = size as f64 / 1_048_576.0;
            let sarif = dir.path().join("out.sarif");
            let mut peak_kib = 0u64;
            let kvscan = median_of_3(|| {
                let (output, peak) = measure::measured(
                    Command::new(env!("CARGO_BIN_EXE_kvscan"))
                        .args(["scan", "--format", "sarif", "--fail-on", "none", "--now", "2026-11-15", "--output"])
                        .arg(&sarif)
                        .arg(input),
                )
                .map_err(|e| e.to_string())?;
                peak_kib = peak_kib.max(peak.unwrap_or(0));
                if output.status.success() {
                    Ok(())
                } else {
                    Err(format!("kvscan exited with {}: {}", output.status, String::from_utf8_lossy(&output.stderr)))
                }
            })?;
            let peak = peak_kib as f64 / 1024.0;
            let log: Value = serde_json::from_slice(&std::fs::read(&sarif)?)?;
            let results = log["runs"][0]["results"].as_array().map_or(0, Vec::len);
            let mut line = format!(
                "  {form:<4}  {vaults:>6}  {size:>11.1}  {kvscan:>10.3}  {:>8.0}  {peak:>21.0}",
                vaults as f64 / kvscan
            );
            if let Some(checkov) = &checkov {
                let (time, rss) = time_checkov(checkov, framework, input)?;
                line.push_str(&format!("  {time:>11.2}  {rss:>17.0}  {:>5.0}x", time / kvscan));
            }
            println!("{line}   ({results} SARIF results)");
            rows.push(Row { vaults, seconds: kvscan });
        }
    }
    // Linear: time per vault at the largest size within 1.5× of the smallest's (start-up and the
    // catalog's load are a fixed cost, so small sizes overstate the per-vault time, if anything).
    for (form, rows) in &rows {
        if let (Some(first), Some(last)) = (rows.first(), rows.last()) {
            if last.vaults > first.vaults {
                let growth = (last.seconds / first.seconds) / (last.vaults as f64 / first.vaults as f64);
                let verdict = if growth <= 1.5 { "linear" } else { "NOT linear" };
                println!(
                    "  {form}: {}× the vaults took {:.2}× the time: {verdict} (per-vault time ×{growth:.2})",
                    last.vaults / first.vaults.max(1),
                    last.seconds / first.seconds
                );
            }
        }
    }
    Ok(())
}
