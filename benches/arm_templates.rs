//! ARM template scanning at scale: generated templates of 1,000 and 5,000 vaults (each with three
//! secrets and two keys as child resources, a role assignment and, for every other vault, a
//! diagnostic setting), scanned by the release binary with the full catalog: median of 3 runs and
//! the peak RSS of the kvscan process.
//!
//! Run: `cargo bench --bench arm_templates` (optional args: vault counts, e.g. `1000 5000`, and
//! `--with-checkov` to install Checkov 3.3.30 into a virtualenv under target/ and time it on the
//! same files with only its Key Vault checks, printing the ratio). `KVSCAN_BENCH_KEEP=DIR` writes the
//! generated inputs to DIR and keeps them, to profile a scan of the same files.

#[path = "support/checkov.rs"]
mod checkov;
#[path = "support/measure.rs"]
mod measure;
#[path = "support/workdir.rs"]
mod workdir;

use checkov::median_of_3;
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;

/// Checkov's Key Vault checks that apply to ARM templates.
const CHECKOV_KEY_VAULT_CHECKS: &str = "CKV_AZURE_40,CKV_AZURE_41,CKV_AZURE_42,CKV_AZURE_109,CKV_AZURE_110,CKV_AZURE_111,CKV_AZURE_112,CKV_AZURE_114,CKV_AZURE_189";

fn vault(index: usize) -> Vec<Value> {
    let name = format!("kv-bench-{index:05}");
    let hardened = index % 3 == 0;
    let mut resources = vec![json!({
        "type": "Microsoft.KeyVault/vaults",
        "apiVersion": "2023-07-01",
        "name": name,
        "location": "[parameters('location')]",
        "tags": { "environment": if index % 2 == 0 { "prod" } else { "dev" } },
        "properties": {
            "tenantId": "[subscription().tenantId]",
            "sku": { "family": "A", "name": "standard" },
            "enableRbacAuthorization": hardened || index % 3 == 1,
            "enablePurgeProtection": hardened,
            "enableSoftDelete": true,
            "softDeleteRetentionInDays": 90,
            "publicNetworkAccess": if hardened { "Disabled" } else { "Enabled" },
            "networkAcls": { "defaultAction": if hardened { "Deny" } else { "Allow" }, "bypass": "AzureServices", "ipRules": [] },
            "accessPolicies": []
        },
        "resources": (0..3).map(|s| json!({
            "type": "secrets", "apiVersion": "2023-07-01", "name": format!("secret-{s}"),
            "dependsOn": [format!("[resourceId('Microsoft.KeyVault/vaults', '{name}')]")],
            "properties": { "value": "[parameters('secretValue')]", "contentType": "text/plain",
                "attributes": if s == 0 { json!({ "enabled": true }) } else { json!({ "enabled": true, "exp": 1830000000 }) } }
        })).collect::<Vec<_>>()
    })];
    for k in 0..2 {
        resources.push(json!({
            "type": "Microsoft.KeyVault/vaults/keys", "apiVersion": "2023-07-01",
            "name": format!("{name}/key-{k}"),
            "dependsOn": [format!("[resourceId('Microsoft.KeyVault/vaults', '{name}')]")],
            "properties": { "kty": if k == 0 { "RSA-HSM" } else { "RSA" }, "keySize": 2048,
                "attributes": { "enabled": true, "exp": 1830000000 },
                "rotationPolicy": { "lifetimeActions": [{ "trigger": { "timeAfterCreate": "P90D" }, "action": { "type": "rotate" } }],
                    "attributes": { "expiryTime": "P1Y" } } }
        }));
    }
    resources.push(json!({
        "type": "Microsoft.Authorization/roleAssignments", "apiVersion": "2022-04-01",
        "scope": format!("[format('Microsoft.KeyVault/vaults/{{0}}', '{name}')]"),
        "name": format!("[guid('{name}', 'secrets-user')]"),
        "properties": { "roleDefinitionId": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '4633458b-17de-408a-b874-0445c86b69e6')]",
            "principalId": "[parameters('appPrincipalId')]", "principalType": "ServicePrincipal" }
    }));
    if index % 2 == 0 {
        resources.push(json!({
            "type": "Microsoft.Insights/diagnosticSettings", "apiVersion": "2021-05-01-preview",
            "scope": format!("[format('Microsoft.KeyVault/vaults/{{0}}', '{name}')]"),
            "name": "audit",
            "properties": { "workspaceId": "[parameters('workspaceId')]", "logs": [{ "categoryGroup": "audit", "enabled": true }] }
        }));
    }
    resources
}

fn generate(path: &Path, vaults: usize) -> std::io::Result<()> {
    let template = json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {
            "location": { "type": "string", "defaultValue": "westeurope" },
            "secretValue": { "type": "securestring" },
            "appPrincipalId": { "type": "string", "defaultValue": "11111111-2222-4333-8444-555555555555" },
            "workspaceId": { "type": "string", "defaultValue": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/logs/providers/Microsoft.OperationalInsights/workspaces/audit" }
        },
        "resources": (0..vaults).flat_map(vault).collect::<Vec<_>>()
    });
    std::fs::write(path, serde_json::to_vec_pretty(&template)?)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (sizes, checkov) = checkov::args()?;
    let dir = workdir::WorkDir::new()?;
    println!("arm_templates: one template per size, each vault with 3 secrets, 2 keys, a role assignment; full catalog, median of 3");
    println!(
        "  vaults  template (MiB)  kvscan (s)  vaults/s  kvscan peak RSS (MiB){}",
        if checkov.is_some() { "  checkov (s)  ratio" } else { "" }
    );
    for vaults in sizes {
        let template = dir.path().join(format!("vaults-{vaults}.json"));
        generate(&template, vaults)?;
        let size = std::fs::metadata(&template)?.len() as f64 / 1_048_576.0;
        let sarif = dir.path().join("out.sarif");
        let mut peak_kib = 0u64;
        let kvscan = median_of_3(|| {
            let (output, peak) = measure::measured(
                Command::new(env!("CARGO_BIN_EXE_kvscan"))
                    .args(["scan", "--format", "sarif", "--fail-on", "none", "--now", "2026-11-15", "--output"])
                    .arg(&sarif)
                    .arg(&template),
            )
            .map_err(|e| e.to_string())?;
            peak_kib = peak_kib.max(peak.unwrap_or(0));
            if output.status.success() {
                Ok(())
            } else {
                Err(format!("kvscan exited with {}", output.status))
            }
        })?;
        let peak = peak_kib as f64 / 1024.0;
        let log: Value = serde_json::from_slice(&std::fs::read(&sarif)?)?;
        let results = log["runs"][0]["results"].as_array().map_or(0, Vec::len);
        let mut line =
            format!("  {vaults:>6}  {size:>14.1}  {kvscan:>10.3}  {:>8.0}  {peak:>21.0}", vaults as f64 / kvscan);
        if let Some(checkov) = &checkov {
            let time = median_of_3(|| {
                let status = Command::new(checkov)
                    .args([
                        "--quiet",
                        "--compact",
                        "--framework",
                        "arm",
                        "--check",
                        CHECKOV_KEY_VAULT_CHECKS,
                        "-o",
                        "json",
                        "-f",
                    ])
                    .arg(&template)
                    .stdout(std::process::Stdio::null())
                    .status()
                    .map_err(|e| e.to_string())?;
                // Checkov exits 1 when checks fail, which they do on this template.
                if status.code().is_some_and(|c| c <= 1) {
                    Ok(())
                } else {
                    Err(format!("checkov exited with {status}"))
                }
            })?;
            line.push_str(&format!("  {time:>11.2}  {:>5.0}x", time / kvscan));
        }
        println!("{line}   ({results} SARIF results)");
    }
    Ok(())
}
