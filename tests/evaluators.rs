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

/// The engine converts only the members of a vault record the enabled rules name. Each built-in
/// rule alone, the core rules and the whole catalog must give the findings they give on whole
/// records, on live, template and Terraform vaults alike.
#[test]
fn rules_given_only_the_members_they_read_find_what_they_find_on_whole_records() {
    let paths: Vec<std::path::PathBuf> =
        ["fixtures/sample-tenant.json", "tests/data/arm", "tests/data/bicep", "tests/data/terraform"]
            .iter()
            .map(Into::into)
            .collect();
    let loaded = kvscan::source::load_paths(&paths).expect("inputs load");
    let kinds: std::collections::BTreeSet<String> =
        loaded.inventory.vaults.iter().map(|v| format!("{:?}", v.source().kind)).collect();
    assert!(kinds.len() >= 3, "live, template and Terraform vaults: {kinds:?}");
    let catalog = Catalog::load(&[]).expect("catalog");
    let mut data = serde_json::Map::new();
    data.insert("config".into(), serde_json::json!({"now": 1_794_700_800}));
    let core = ["KV001", "KV003", "KV005", "KV020"];
    let mut selections: Vec<Vec<&str>> = catalog.rules.iter().map(|r| vec![r.id.as_str()]).collect();
    selections.push(core.to_vec());
    selections.push(catalog.rules.iter().map(|r| r.id.as_str()).collect());
    let mut projected = 0;
    for ids in selections {
        let engine = Engine::new(&catalog, |r| ids.contains(&r.id.as_str()), data.clone()).expect("engine");
        if engine.record_members().is_some() {
            projected += 1;
        }
        let whole = engine.clone().converting_whole_records();
        assert_eq!(hits(&engine, &loaded.inventory), hits(&whole, &loaded.inventory), "rules {ids:?}");
    }
    assert!(projected > catalog.rules.len() / 2, "most rules read named members only");
    let engine = Engine::new(&catalog, |r| core.contains(&r.id.as_str()), data).expect("engine");
    assert_eq!(engine.record_members(), Some(&["resource".to_string(), "secrets".into(), "source".into()][..]));
}

/// regorus 0.14's VM evaluates `m[k] contains v` as one flat set. A user policy with that rule
/// form must still get the interpreter's answer: the engine then runs everything there.
#[test]
fn a_multi_value_object_rule_is_evaluated_on_the_interpreter() {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(
        dir.path().join("grouped.rego"),
        "# METADATA\n# title: Vaults per location\n# custom:\n#   id: ORG100\n#   severity: low\n#   scope: tenant\n\
         package kvscan.rules.vaults_per_location\n\nimport rego.v1\n\n\
         by_location[location] contains vault.resource.name if {\n\tsome vault in input.inventory.vaults\n\tlocation := vault.resource.location\n}\n\n\
         deny contains f if {\n\tsome location, names in by_location\n\tf := {\"message\": sprintf(\"%s: %d vaults\", [location, count(names)])}\n}\n",
    )
    .expect("write");
    let file = "fixtures/sample-tenant.json";
    let text = std::sync::Arc::new(std::fs::read_to_string(file).expect("fixture"));
    let loaded = kvscan::source::snapshot::load(file, &text).expect("valid inventory");
    let catalog = Catalog::load(&[dir.path().to_path_buf()]).expect("catalog");
    let mut data = serde_json::Map::new();
    data.insert("config".into(), serde_json::json!({"now": 1_794_700_800}));
    let engine = Engine::new(&catalog, |rule| rule.id == "ORG100", data).expect("engine");
    let because = engine.interpreted_because().expect("falls back to the interpreter");
    assert!(because.contains("grouped.rego:11"), "{because}");

    let mut expected: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for vault in &loaded.inventory.vaults {
        let record: serde_json::Value = serde_json::from_str(vault.json()).expect("record");
        if let Some(location) = record["resource"]["location"].as_str() {
            *expected.entry(location.to_string()).or_default() += 1;
        }
    }
    let expected: Vec<String> = expected.iter().map(|(l, n)| format!("{l}: {n} vaults")).collect();
    let mut found: Vec<String> =
        engine.evaluate(&loaded.inventory).expect("evaluates").into_iter().map(|h| h.message).collect();
    found.sort();
    assert!(expected.len() > 1, "the sample has vaults in several locations");
    assert_eq!(found, expected);
}
