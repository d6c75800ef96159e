//! Live collection against the fake ARM server with 20 ms added to every answer: how close the
//! collector gets to the lower bound `requests × latency ÷ concurrency`, whether requests grow
//! linearly with vaults (no request per secret), and the collector's peak memory.
//!
//! Run: `cargo bench --bench live_collect` (optional args: SUBSCRIPTIONS... e.g. `50 100`;
//! every size has 20 vaults per subscription, 50 secrets, 2 keys and 2 certificates per vault).
//! kvscan runs as a child process (`kvscan collect`, the release binary), so its peak RSS is its
//! own and not the fake tenant's.

#[path = "../tests/support/fake_arm/mod.rs"]
mod fake_arm;
#[path = "support/measure.rs"]
mod measure;

use fake_arm::{FakeArm, Faults, TenantSpec};
use std::process::Command;
use std::time::{Duration, Instant};

const LATENCY: Duration = Duration::from_millis(20);
const CONCURRENCY: usize = 16;

struct Figures {
    vaults: usize,
    requests: usize,
    retries: u64,
    wall: f64,
    peak_mib: f64,
}

fn run(subscriptions: usize) -> Result<Figures, Box<dyn std::error::Error>> {
    let spec = TenantSpec {
        subscriptions,
        vaults_per_subscription: 20,
        secrets_per_vault: 50,
        keys_per_vault: 2,
        certificates_per_vault: 2,
    };
    let faults = Faults { latency: LATENCY, page_size: 25, ..Faults::none() };
    let fake = FakeArm::start(spec, faults);
    let dir = tempfile::tempdir()?;
    let output = dir.path().join("inventory.json");
    let start = Instant::now();
    let (child, peak_kib) = measure::measured(
        Command::new(env!("CARGO_BIN_EXE_kvscan"))
            .args(["collect", "--auth", "env", "--concurrency", &CONCURRENCY.to_string(), "--cloud-config"])
            .arg(fake.cloud_file())
            .arg("--ca-cert")
            .arg(fake.ca_file())
            .arg("--output")
            .arg(&output)
            .envs(fake.env())
            .env_remove("SSL_CERT_FILE"),
    )?;
    let wall = start.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&child.stderr);
    if !child.status.success() && child.status.code() != Some(3) {
        return Err(format!("kvscan collect exited with {}: {stderr}", child.status).into());
    }
    let peak_mib = peak_kib.map_or(f64::NAN, |kib| kib as f64 / 1024.0);
    let inventory: serde_json::Value = serde_json::from_slice(&std::fs::read(&output)?)?;
    let vaults = inventory["vaults"].as_array().map_or(0, Vec::len);
    let errors = inventory["errors"].as_array().map_or(0, Vec::len);
    if vaults != subscriptions * 20 || errors != 0 {
        let first: Vec<String> =
            inventory["errors"].as_array().into_iter().flatten().take(3).map(|e| e.to_string()).collect();
        return Err(
            format!("incomplete collection: {vaults} vaults, {errors} errors, e.g. {}", first.join("; ")).into()
        );
    }
    // Requests as the server saw them, token calls excluded (they are not ARM reads).
    let requests = fake.requests().iter().filter(|r| !r.target.contains("/oauth2/")).count();
    let retries = stderr
        .lines()
        .rev()
        .find_map(|line| line.split(" requests, ").nth(1)?.split(' ').next()?.parse().ok())
        .unwrap_or(0);
    Ok(Figures { vaults, requests, retries, wall, peak_mib })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    if sizes.is_empty() {
        sizes = vec![50, 100];
    }
    sizes.sort_unstable();
    println!(
        "live_collect: fake ARM with {} ms latency per request, concurrency {CONCURRENCY}; 20 vaults/subscription, 50 secrets, 2 keys, 2 certificates per vault",
        LATENCY.as_millis()
    );
    println!("  subscriptions  vaults  requests  req/vault  retries  wall (s)  bound (s)  ratio  peak RSS (MiB)");
    for subscriptions in sizes {
        let f = run(subscriptions)?;
        let bound = f.requests as f64 * LATENCY.as_secs_f64() / CONCURRENCY as f64;
        println!(
            "  {subscriptions:>13}  {:>6}  {:>8}  {:>9.2}  {:>7}  {:>8.2}  {:>9.2}  {:>5.2}  {:>14.0}",
            f.vaults,
            f.requests,
            f.requests as f64 / f.vaults as f64,
            f.retries,
            f.wall,
            bound,
            f.wall / bound,
            f.peak_mib
        );
    }
    Ok(())
}
