//! End-to-end throughput: a generated inventory (10,000 vaults × 20 secrets × 5 keys by default)
//! scanned by the release binary from file to SARIF, with every built-in rule. A third of the
//! vaults are compliant; the rest fail a few vault-level rules and some secrets lack an expiry,
//! which gives a handful of findings per vault, as in a tenant that is being cleaned up.
//!
//! Run: `cargo bench --bench scan_throughput` (optional args: VAULTS SECRETS KEYS RUNS).
//! Prints vault records per second (median of the runs), the input size and the peak RSS of the
//! kvscan process, which is measured as a child so the generator's own memory does not count.

use serde_json::json;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

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

/// Peak resident set of terminated children, in KiB (Linux reports ru_maxrss in KiB).
#[cfg(unix)]
fn children_peak_rss_kib() -> i64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes a complete rusage into the pointer it is given.
    unsafe {
        libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr());
        usage.assume_init().ru_maxrss
    }
}

#[cfg(not(unix))]
fn children_peak_rss_kib() -> i64 {
    0
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let vaults = args.first().copied().unwrap_or(10_000);
    let secrets = args.get(1).copied().unwrap_or(20);
    let keys = args.get(2).copied().unwrap_or(5);
    let runs = args.get(3).copied().unwrap_or(3).max(1);
    let dir = tempfile::tempdir()?;
    // KVSCAN_BENCH_DIR keeps the generated inventory for profiling.
    let keep = std::env::var_os("KVSCAN_BENCH_DIR").map(std::path::PathBuf::from);
    let input = keep.as_deref().unwrap_or(dir.path()).join("inventory.json");
    let sarif = dir.path().join("out.sarif");
    generate(&input, vaults, secrets, keys)?;
    let size = std::fs::metadata(&input)?.len();
    let binary = env!("CARGO_BIN_EXE_kvscan");
    let mut times = Vec::new();
    let mut findings = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let status = Command::new(binary)
            .args(["scan", "--format", "sarif", "--fail-on", "none", "--now", "2026-11-15", "--output"])
            .arg(&sarif)
            .arg(&input)
            .status()?;
        times.push(start.elapsed().as_secs_f64());
        if !status.success() {
            return Err(format!("kvscan exited with {status}").into());
        }
        let log: serde_json::Value = serde_json::from_slice(&std::fs::read(&sarif)?)?;
        findings = log["runs"][0]["results"].as_array().map_or(0, Vec::len);
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let median = times[times.len() / 2];
    let peak_kib = children_peak_rss_kib();
    let input_mib = size as f64 / 1_048_576.0;
    let peak_mib = peak_kib as f64 / 1024.0;
    println!("scan_throughput: {vaults} vaults x {secrets} secrets x {keys} keys, {input_mib:.1} MiB inventory, {findings} findings");
    println!(
        "  end to end (file -> SARIF), median of {runs}: {median:.3} s = {:.0} vault records/s",
        vaults as f64 / median
    );
    println!("  peak RSS of kvscan: {peak_mib:.0} MiB = {:.2}x the input size", peak_mib / input_mib);
    println!("  runs: {}", times.iter().map(|t| format!("{t:.3}s")).collect::<Vec<_>>().join(", "));
    Ok(())
}
