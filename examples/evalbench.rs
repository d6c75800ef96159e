//! Profiling aid for the policy engine: parse, convert and evaluate phases of an inventory file.
//! `cargo run --release --example evalbench -- FILE [RULE]`
use std::time::Instant;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    let path = std::env::args().nth(1).ok_or_else(|| anyhow::anyhow!("usage: evalbench FILE [RULE]"))?;
    let text = std::sync::Arc::new(std::fs::read_to_string(&path)?);
    let t = Instant::now();
    let loaded = kvscan::source::snapshot::load("x", &text)?;
    println!("load {:?}", t.elapsed());
    let t = Instant::now();
    let values =
        loaded.inventory.vaults.iter().map(kvscan::policy::engine::vault_input).collect::<Result<Vec<_>, _>>()?;
    println!("convert (1 thread) {:?} ({} vaults)", t.elapsed(), values.len());
    let catalog = kvscan::policy::Catalog::load(&[])?;
    let mut data = serde_json::Map::new();
    data.insert("config".into(), serde_json::json!({"now": 1_794_700_800}));
    let only = std::env::args().nth(2).unwrap_or_default();
    let engine = kvscan::policy::Engine::new(&catalog, |r| only.is_empty() || r.id == only, data)?;
    let t = Instant::now();
    let hits = engine.evaluate(&loaded.inventory)?;
    println!("evaluate (convert + rules, all threads) {:?}, {} hits", t.elapsed(), hits.len());
    let interpreter = engine.clone().with_evaluator(kvscan::policy::Evaluator::Interpreter)?;
    let t = Instant::now();
    let hits = interpreter.evaluate(&loaded.inventory)?;
    println!("evaluate with the interpreter {:?}, {} hits", t.elapsed(), hits.len());
    Ok(())
}
