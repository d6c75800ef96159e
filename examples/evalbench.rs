use std::time::Instant;
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let t = Instant::now();
    let loaded = kvscan::source::snapshot::load("x", &text).unwrap();
    println!("parse {:?}", t.elapsed());
    let t = Instant::now();
    let vals: Vec<_> = loaded.inventory.vaults.iter().map(|v| kvscan::policy::engine::vault_input(v).unwrap()).collect();
    println!("convert {:?} ({} vaults)", t.elapsed(), vals.len());
    let catalog = kvscan::policy::Catalog::load(&[]).unwrap();
    let mut data = serde_json::Map::new();
    data.insert("config".into(), serde_json::json!({"now": 1}));
    let only = std::env::args().nth(2).unwrap_or_default();
    let engine = kvscan::policy::Engine::new(&catalog, |r| only.is_empty() || r.id == only, data).unwrap();
    let t = Instant::now();
    let hits = engine.evaluate(&loaded.inventory).unwrap();
    println!("evaluate {:?} hits {}", t.elapsed(), hits.len());
    let mut e = regorus::Engine::new();
    e.add_policy("a.rego".into(), "package a\nimport rego.v1\nx contains 1 if { input.vault.resource.properties.enablePurgeProtection == false }\n".into()).unwrap();
    let t = Instant::now();
    for v in &vals {
        let mut m = std::collections::BTreeMap::new();
        m.insert(regorus::Value::from("vault"), v.clone());
        e.set_input(regorus::Value::from(m));
        e.eval_rule("data.a.x".into()).unwrap();
    }
    println!("trivial rule sequential {:?}", t.elapsed());
}
