//! End-to-end throughput: a generated inventory (10,000 vaults × 20 secrets × 5 keys by default)
//! scanned by the release binary from file to SARIF, with every built-in rule. A third of the
//! vaults are compliant; the rest fail a few vault-level rules and some secrets lack an expiry,
//! which gives a handful of findings per vault, as in a tenant that is being cleaned up.
//!
//! Run: `cargo bench --bench scan_throughput` (optional args: VAULTS SECRETS KEYS RUNS).
//! Scans twice over: with the full catalog (the catalog issue's target: 10,000 vault records/s)
//! and with the scanner core's four rules KV001, KV003, KV005 and KV020 (the core issue's target:
//! 20,000/s). Prints vault records per second (median of the runs, after one untimed warm-up
//! run), the input size and the peak RSS of the kvscan process (under GNU time, so the
//! generator's own memory does not count).
//! `KVSCAN_BENCH_KEEP=DIR` keeps the generated inventory in DIR for profiling.

use serde_json::json;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

#[path = "support/measure.rs"]
mod measure;
#[path = "support/workdir.rs"]
mod workdir;

/// The scanner core's rules: the rest of the catalog is disabled for the core's figure.
const CORE_RULES: [&str; 4] = ["KV001", "KV003", "KV005", "KV020"];

/// The `--now` the bench scans with (2026-11-15T00:00:00Z), so time-based verdicts are stable.
const NOW: i64 = 1_794_700_800;
const DAY: i64 = 86_400;

fn vault(index: usize, secrets: usize, keys: usize) -> serde_json::Value {
    let sub = format!("{:08x}-0000-4000-8000-{:012x}", index % 97, index % 97);
    let name = format!("kv-bench-{index:05}");
    let id = format!(
        "/subscriptions/{sub}/resourceGroups/rg-bench-{}/providers/Microsoft.KeyVault/vaults/{name}",
        index % 13
    );
    let compliant = index % 3 == 0;
    let secrets: Vec<_> = (0..secrets)
        .map(|s| {
            // Rotated ten days before the scan's --now, expiring in 300 days.
            let changed = NOW - 10 * DAY + s as i64;
            let mut attributes = json!({"enabled": s % 7 != 0, "created": changed, "updated": changed});
            // A third of the vaults have two secrets without expiry (one of them disabled).
            if index % 3 != 1 || s >= 2 {
                attributes["exp"] = json!(NOW + 300 * DAY + s as i64);
            }
            json!({
                "id": format!("{id}/secrets/secret-{s:02}"),
                "name": format!("secret-{s:02}"),
                "type": "Microsoft.KeyVault/vaults/secrets",
                "properties": {"attributes": attributes, "contentType": "text/plain",
                    "secretUri": format!("https://{name}.vault.azure.net/secrets/secret-{s:02}")}
            })
        })
        .collect();
    let keys: Vec<_> = (0..keys)
        .map(|k| {
            json!({
                "id": format!("{id}/keys/key-{k}"),
                "name": format!("key-{k}"),
                "type": "Microsoft.KeyVault/vaults/keys",
                "properties": {"kty": if k % 2 == 0 { "RSA-HSM" } else { "EC-HSM" }, "keySize": 2048, "curveName": "P-256",
                    "keyOps": ["encrypt", "decrypt", "sign", "verify"],
                    "attributes": {"enabled": true, "exp": NOW + 300 * DAY, "created": NOW - 10 * DAY, "updated": NOW - 10 * DAY},
                    "rotationPolicy": {"lifetimeActions": [{"trigger": {"timeAfterCreate": "P90D"}, "action": {"type": "Rotate"}}],
                        "attributes": {"expiryTime": "P1Y"}}}
            })
        })
        .collect();
    let principal = format!("{:08x}-1111-4000-8000-000000000000", index % 50);
    json!({
        "resource": {
            "id": id, "name": name, "type": "Microsoft.KeyVault/vaults", "location": "westeurope",
            "tags": {"environment": if index % 2 == 0 { "prod" } else { "dev" }, "application": format!("app-{}", index % 20)},
            "properties": {
                "tenantId": "72f988bf-86f1-41af-91ab-2d7cd011db47",
                "sku": {"family": "A", "name": "standard"},
                "enableSoftDelete": true, "softDeleteRetentionInDays": 90,
                "enabledForDeployment": false, "enabledForTemplateDeployment": false, "enabledForDiskEncryption": false,
                "enablePurgeProtection": compliant,
                "enableRbacAuthorization": index % 2 == 0,
                "publicNetworkAccess": if compliant { "Disabled" } else { "Enabled" },
                "networkAcls": {"defaultAction": if index % 4 == 0 { "Deny" } else { "Allow" }, "bypass": "AzureServices", "ipRules": [], "virtualNetworkRules": []},
                "accessPolicies": [],
                "privateEndpointConnections": if compliant { json!([{"id": format!("{id}/privateEndpointConnections/pe"),
                    "properties": {"privateLinkServiceConnectionState": {"status": "Approved"}}}]) } else { json!([]) },
                "vaultUri": format!("https://{name}.vault.azure.net/")
            }
        },
        "secrets": secrets,
        "keys": keys,
        "diagnosticSettings": [{
            "id": format!("{id}/providers/microsoft.insights/diagnosticSettings/audit"),
            "name": "audit", "type": "Microsoft.Insights/diagnosticSettings",
            "properties": {"workspaceId": format!("/subscriptions/{sub}/resourceGroups/rg-logs/providers/Microsoft.OperationalInsights/workspaces/logs"),
                "logs": [{"categoryGroup": "audit", "enabled": compliant || index % 3 == 2}]}
        }],
        "roleAssignments": [{
            "id": format!("{id}/providers/Microsoft.Authorization/roleAssignments/{principal}"),
            "name": principal, "type": "Microsoft.Authorization/roleAssignments",
            "properties": {"scope": id, "principalId": principal, "principalType": "ServicePrincipal",
                "roleDefinitionId": format!("/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6")},
            "roleName": "Key Vault Secrets User"
        }],
        "source": {"kind": "live"}
    })
}

fn generate(path: &Path, vaults: usize, secrets: usize, keys: usize) -> std::io::Result<()> {
    let mut out = BufWriter::new(std::fs::File::create(path)?);
    out.write_all(b"{\"schemaVersion\": 1, \"subscriptions\": [], \"vaults\": [\n")?;
    for i in 0..vaults {
        if i > 0 {
            out.write_all(b",\n")?;
        }
        serde_json::to_writer(&mut out, &vault(i, secrets, keys))?;
    }
    out.write_all(b"\n]}\n")?;
    out.flush()
}

/// Every built-in rule id, from `kvscan policy list`.
fn rule_ids(binary: &str) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let output = Command::new(binary).args(["policy", "list", "--format", "json"]).output()?;
    let rules: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout)?;
    Ok(rules.iter().filter_map(|r| r["id"].as_str().map(str::to_string)).collect())
}

struct Measured {
    median: f64,
    times: Vec<f64>,
    peak_kib: u64,
    findings: usize,
}

fn measure(
    binary: &str,
    input: &Path,
    sarif: &Path,
    disabled: &[String],
    runs: usize,
) -> Result<Measured, Box<dyn std::error::Error>> {
    let mut times = Vec::new();
    let mut peak_kib = 0;
    // One untimed run first, as hyperfine's --warmup: the first scan after the inventory is
    // written pays for the page cache and the memory the generator just freed, not for kvscan.
    for timed in std::iter::once(false).chain(std::iter::repeat_n(true, runs)) {
        let mut command = Command::new(binary);
        command
            .args(["scan", "--format", "sarif", "--fail-on", "none", "--now", "2026-11-15", "--output"])
            .arg(sarif)
            .arg(input);
        for id in disabled {
            command.args(["--disable", id]);
        }
        let start = Instant::now();
        let (output, peak) = measure::measured(&mut command)?;
        let elapsed = start.elapsed().as_secs_f64();
        if !output.status.success() {
            return Err(format!("kvscan exited with {}", output.status).into());
        }
        if timed {
            times.push(elapsed);
            peak_kib = peak_kib.max(peak.unwrap_or(0));
        }
    }
    // Read once, after the timed runs: parsing a SARIF log of this size between runs disturbed
    // the next one (hundreds of MB allocated and freed just before it).
    let log: serde_json::Value = serde_json::from_slice(&std::fs::read(sarif)?)?;
    let findings = log["runs"][0]["results"].as_array().map_or(0, Vec::len);
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| a.total_cmp(b));
    Ok(Measured { median: sorted[sorted.len() / 2], times, peak_kib, findings })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let vaults = args.first().copied().unwrap_or(10_000);
    let secrets = args.get(1).copied().unwrap_or(20);
    let keys = args.get(2).copied().unwrap_or(5);
    let runs = args.get(3).copied().unwrap_or(3).max(1);
    let dir = workdir::WorkDir::new()?;
    let input = dir.path().join("inventory.json");
    let sarif = dir.path().join("out.sarif");
    generate(&input, vaults, secrets, keys)?;
    let input_mib = std::fs::metadata(&input)?.len() as f64 / 1_048_576.0;
    let binary = env!("CARGO_BIN_EXE_kvscan");
    let all = rule_ids(binary)?;
    let not_core: Vec<String> = all.iter().filter(|id| !CORE_RULES.contains(&id.as_str())).cloned().collect();
    println!("scan_throughput: {vaults} vaults x {secrets} secrets x {keys} keys, {input_mib:.1} MiB inventory, end to end (file -> SARIF), median of {runs} after a warm-up run");
    println!("  rules                  findings   median (s)  vault records/s  target/s  peak RSS (MiB)  runs");
    for (label, disabled, target) in [
        (format!("full catalog ({})", all.len()), Vec::new(), 10_000),
        ("core (KV001/3/5/20)".to_string(), not_core, 20_000),
    ] {
        let m = measure(binary, &input, &sarif, &disabled, runs)?;
        let peak_mib = m.peak_kib as f64 / 1024.0;
        println!(
            "  {label:<21}  {:>8}  {:>11.3}  {:>15.0}  {target:>8}  {peak_mib:>7.0} ({:.2}x)  {}",
            m.findings,
            m.median,
            vaults as f64 / m.median,
            peak_mib / input_mib,
            m.times.iter().map(|t| format!("{t:.3}")).collect::<Vec<_>>().join(" ")
        );
    }
    Ok(())
}
