//! Every expression in a corpus of real templates (Azure quickstarts and Verified Modules) must
//! parse, and evaluating them must not panic.
//!
//! The corpus is the project's shared `iac-examples/arm` directory beside the checkout (as CI
//! has it), or `KVSCAN_ARM_CORPUS`. A missing corpus fails the tests: a check that silently
//! checks nothing would hide a regression.

use super::eval::{evaluate_string, supports_function, DeploymentInfo, EvalContext, EvalValue};
use super::expr::{classify, parse, TemplateString};
use super::relaxed_json;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;

fn corpus() -> Option<Vec<(String, Value)>> {
    let dir = PathBuf::from(
        std::env::var("KVSCAN_ARM_CORPUS")
            .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/iac-examples/arm").to_string()),
    );
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .ok()?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    let templates = files
        .into_iter()
        .map(|path| {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let text = std::fs::read_to_string(&path).unwrap();
            // Templates may carry comments and raw line breaks in strings, as ARM allows.
            let value = serde_json::from_str(&relaxed_json::to_strict(&text))
                .unwrap_or_else(|e| panic!("{name} is not (relaxed) JSON: {e}"));
            (name, value)
        })
        .collect();
    Some(templates)
}

/// Every string (object keys included) with its JSON pointer.
fn strings(value: &Value) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut pending = vec![(String::new(), value)];
    while let Some((pointer, value)) = pending.pop() {
        match value {
            Value::String(text) => found.push((pointer, text.clone())),
            Value::Array(items) => {
                pending.extend(items.iter().enumerate().map(|(i, item)| (format!("{pointer}/{i}"), item)));
            }
            Value::Object(members) => {
                for (key, member) in members {
                    let path = format!("{pointer}/{}", crate::span::escape_token(key));
                    found.push((format!("{path} (key)"), key.clone()));
                    pending.push((path, member));
                }
            }
            _ => {}
        }
    }
    found
}

#[test]
fn every_expression_in_the_corpus_parses() {
    let templates = corpus()
        .expect("ARM corpus not found: expected ../shared/iac-examples/arm beside the checkout, or KVSCAN_ARM_CORPUS");
    assert!(!templates.is_empty(), "the corpus directory holds no .json file");
    let mut failures = Vec::new();
    let mut unsupported: BTreeMap<String, usize> = BTreeMap::new();
    let mut expressions = 0;
    let mut escaped = 0;
    for (name, template) in &templates {
        for (pointer, text) in strings(template) {
            match classify(&text) {
                TemplateString::Expression(expression) => {
                    expressions += 1;
                    match parse(expression) {
                        Ok(parsed) => {
                            for function in parsed.function_names() {
                                if !supports_function(function) {
                                    *unsupported.entry(function.to_string()).or_default() += 1;
                                }
                            }
                        }
                        Err(error) => failures.push(format!("{name}{pointer}: {error}\n    {text}")),
                    }
                }
                TemplateString::Literal(_) if text.starts_with("[[") => escaped += 1,
                TemplateString::Literal(_) => {}
            }
        }
    }
    eprintln!("{} templates, {expressions} expressions parsed, {escaped} escaped literals", templates.len());
    eprintln!("functions kvscan does not evaluate (calls): {unsupported:?}");
    assert!(failures.is_empty(), "{} expression(s) do not parse:\n{}", failures.len(), failures.join("\n"));
    assert!(expressions > 500, "only {expressions} expressions found: is the corpus complete?");
}

#[test]
fn evaluating_the_corpus_never_panics() {
    let templates = corpus()
        .expect("ARM corpus not found: expected ../shared/iac-examples/arm beside the checkout, or KVSCAN_ARM_CORPUS");
    let (mut known, mut unknown, mut invalid) = (0, 0, 0);
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    for (_, template) in &templates {
        // Top-level context only: expressions of nested deployments see the outer parameters,
        // so some of them fail here by construction; the point is that nothing panics.
        let ctx = EvalContext::for_template(template, &serde_json::Map::new(), DeploymentInfo::default());
        for (_, text) in strings(template) {
            if !matches!(classify(&text), TemplateString::Expression(_)) {
                continue;
            }
            match evaluate_string(&text, &ctx) {
                Ok(EvalValue::Known(_)) => known += 1,
                Ok(EvalValue::Unknown { reason }) => {
                    unknown += 1;
                    *reasons.entry(summarize(&reason)).or_default() += 1;
                }
                Err(error) => {
                    invalid += 1;
                    *reasons.entry(format!("error: {}", summarize(&error.to_string()))).or_default() += 1;
                }
            }
        }
    }
    eprintln!("known {known}, unknown {unknown}, errors {invalid}");
    for (reason, count) in &reasons {
        eprintln!("{count:5}  {reason}");
    }
    assert!(known > 0);
}

#[test]
fn the_verified_module_key_vault_resolves_from_its_defaults() {
    let templates = corpus()
        .expect("ARM corpus not found: expected ../shared/iac-examples/arm beside the checkout, or KVSCAN_ARM_CORPUS");
    let (_, template) = templates
        .iter()
        .find(|(name, _)| name == "avm-res-key-vault-vault-main.json")
        .expect("avm-res-key-vault-vault-main.json in the corpus");
    let supplied = serde_json::json!({ "name": "kv-contoso" });
    let ctx = EvalContext::for_template(template, supplied.as_object().unwrap(), DeploymentInfo::default());
    let vault = super::resolve::evaluate_template_value(&template["resources"]["keyVault"], &ctx);
    let expected = serde_json::json!({
        "type": "Microsoft.KeyVault/vaults",
        "apiVersion": "2024-11-01",
        "name": "kv-contoso",
        "location": "eastus",
        "tags": null,
        "properties": {
            "enabledForDeployment": true,
            "enabledForTemplateDeployment": true,
            "enabledForDiskEncryption": true,
            "enableSoftDelete": true,
            "softDeleteRetentionInDays": 90,
            "enableRbacAuthorization": true,
            "createMode": "default",
            "enablePurgeProtection": true,
            "tenantId": "00000000-0000-0000-0000-000000000000",
            "accessPolicies": [],
            "sku": { "name": "premium", "family": "A" },
            "networkAcls": null,
            "publicNetworkAccess": null
        }
    });
    assert_eq!(vault.known(), Some(&expected), "unresolved: {:?}", vault.unresolved());
}

/// A reason without the names in it, to group similar ones.
fn summarize(reason: &str) -> String {
    let mut out = String::new();
    let mut quoted = false;
    for c in reason.chars() {
        if c == '\'' {
            quoted = !quoted;
            out.push_str(if quoted { "'…" } else { "'" });
        } else if !quoted {
            out.push(c);
        }
    }
    out.chars().take(120).collect()
}
