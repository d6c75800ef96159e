//! The compiled evaluator (regorus RVM) must give exactly the interpreter's findings: the
//! interpreter is what the policy tests exercise.

use kvscan::policy::{Catalog, Engine, Evaluator, RuleHit};

fn hits(engine: &Engine, inventory: &kvscan::inventory::Inventory) -> Vec<String> {
    let mut hits: Vec<String> = engine
        .evaluate(inventory)
        .expect("evaluates")
        .iter()
        .map(|h: &RuleHit| format!("{} {:?} {} {:?} {}", h.rule, h.vault, h.resource, h.path, h.message))
        .collect();
    hits.sort();
    hits
}

#[test]
fn compiled_and_interpreted_rules_agree_on_the_sample() {
    for file in ["fixtures/sample-tenant.json", "fixtures/sample-tenant-partial.json"] {
        let text = std::sync::Arc::new(std::fs::read_to_string(file).expect("fixture"));
        let loaded = kvscan::source::snapshot::load(file, &text).expect("valid inventory");
        let catalog = Catalog::load(&[]).expect("catalog");
        let mut data = serde_json::Map::new();
        data.insert("config".into(), serde_json::json!({"now": 1_794_700_800}));
        let principals: serde_json::Map<String, serde_json::Value> = loaded
            .inventory
            .principals
            .iter()
            .map(|p| (p.id.to_ascii_lowercase(), serde_json::to_value(p).expect("json")))
            .collect();
        data.insert("principals".into(), principals.into());
        let compiled = Engine::new(&catalog, |_| true, data).expect("engine");
        let interpreted = compiled.clone().with_evaluator(Evaluator::Interpreter).expect("interpreter");
        let from_vm = hits(&compiled, &loaded.inventory);
        let from_interpreter = hits(&interpreted, &loaded.inventory);
        assert!(!from_vm.is_empty());
        assert_eq!(from_vm, from_interpreter, "{file}: the evaluators disagree");
    }
}
