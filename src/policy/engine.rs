//! Evaluation: one prepared regorus engine, cloned per rayon worker.
//!
//! All enabled vault rules of a vault are evaluated in one query through a generated aggregator
//! module, so a vault record is converted to a Rego value once, whatever the number of rules.

use super::{Catalog, PolicyError, RuleMeta, RuleScope};
use crate::finding::PathToken;
use crate::inventory::{Inventory, VaultRecord};
use rayon::prelude::*;
use regorus::Value;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::Mutex;

const AGGREGATOR_PACKAGE: &str = "kvscan.engine";
const VAULT_ENTRY: &str = "data.kvscan.engine.vault_hits";
const TENANT_ENTRY: &str = "data.kvscan.engine.tenant_hits";

/// One element of a rule's `deny` set, read back into Rust.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleHit {
    /// Index into [`Engine::rules`].
    pub rule: usize,
    /// Index of the vault record the hit belongs to, when known.
    pub vault: Option<usize>,
    /// ARM id of the object at fault; the vault's id when the rule did not say.
    pub resource: String,
    pub message: String,
    /// Path of the offending value relative to the vault record.
    pub path: Vec<PathToken>,
}

#[derive(Clone)]
pub struct Engine {
    prepared: regorus::Engine,
    /// What `prepared` was built from, to build independent engines per worker thread.
    sources: Vec<(String, String)>,
    data: Value,
    rules: Vec<RuleMeta>,
    has_vault_rules: bool,
    has_tenant_rules: bool,
}

impl Engine {
    /// Prepares an engine with the catalog's modules, the rules for which `enabled` holds, and
    /// `data` under `data.kvscan` (config, roles, principals, …).
    pub fn new(
        catalog: &Catalog,
        enabled: impl Fn(&RuleMeta) -> bool,
        data: serde_json::Map<String, serde_json::Value>,
    ) -> Result<Engine, PolicyError> {
        let rules: Vec<RuleMeta> = catalog.rules.iter().filter(|r| enabled(r)).cloned().collect();
        let mut sources: Vec<(String, String)> =
            catalog.modules.iter().map(|m| (m.name.clone(), m.text.clone())).collect();
        sources.push(("kvscan-engine.rego".into(), aggregator(&rules)));
        let mut kvscan = serde_json::Map::new();
        for (name, value) in &catalog.data {
            kvscan.insert(name.clone(), value.clone());
        }
        kvscan.extend(data);
        let data = to_rego(&serde_json::json!({ "kvscan": kvscan }));
        let prepared = build(&sources, &data)?;
        Ok(Engine {
            sources,
            data,
            has_vault_rules: rules.iter().any(|r| r.scope == RuleScope::Vault),
            has_tenant_rules: rules.iter().any(|r| r.scope == RuleScope::Tenant),
            prepared,
            rules,
        })
    }

    pub fn rules(&self) -> &[RuleMeta] {
        &self.rules
    }

    /// An engine for one worker thread that shares nothing with the others. A clone would share
    /// the parsed modules through atomic reference counts, and the two cores would then spend
    /// their time bouncing those counters between caches (measured: 2 threads no faster than 1).
    fn worker_engine(&self) -> regorus::Engine {
        build(&self.sources, &self.data).unwrap_or_else(|_| self.prepared.clone())
    }

    /// Evaluates every enabled rule: vault rules per vault in parallel, tenant rules once.
    pub fn evaluate(&self, inventory: &Inventory) -> Result<Vec<RuleHit>, PolicyError> {
        let mut hits = Vec::new();
        if self.has_vault_rules {
            // One engine per pool thread, built once; the mutex is never contended because a
            // thread only ever takes its own.
            let workers: Vec<Mutex<regorus::Engine>> =
                (0..rayon::current_num_threads().max(1)).map(|_| Mutex::new(self.worker_engine())).collect();
            let per_vault: Vec<Result<Vec<RuleHit>, PolicyError>> = inventory
                .vaults
                .par_iter()
                .enumerate()
                .map(|(index, vault)| {
                    let slot = rayon::current_thread_index().unwrap_or(0) % workers.len();
                    let mut engine = workers[slot].lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                    self.evaluate_vault(&mut engine, index, vault)
                })
                .collect();
            for result in per_vault {
                hits.extend(result?);
            }
        }
        if self.has_tenant_rules {
            hits.extend(self.evaluate_tenant(inventory)?);
        }
        Ok(hits)
    }

    fn evaluate_vault(
        &self,
        engine: &mut regorus::Engine,
        index: usize,
        vault: &VaultRecord,
    ) -> Result<Vec<RuleHit>, PolicyError> {
        let mut input = BTreeMap::new();
        input.insert(Value::from("vault"), vault_input(vault)?);
        engine.set_input(Value::from(input));
        let result = engine.eval_rule(VAULT_ENTRY.into()).map_err(PolicyError::rego)?;
        self.read_hits(&result, Some((index, vault.id())))
    }

    fn evaluate_tenant(&self, inventory: &Inventory) -> Result<Vec<RuleHit>, PolicyError> {
        let mut engine = self.prepared.clone();
        let document = serde_json::to_string(inventory).map_err(PolicyError::rego)?;
        let mut input = BTreeMap::new();
        input.insert(Value::from("inventory"), Value::from_json_str(&document).map_err(PolicyError::rego)?);
        engine.set_input(Value::from(input));
        let result = engine.eval_rule(TENANT_ENTRY.into()).map_err(PolicyError::rego)?;
        let mut hits = self.read_hits(&result, None)?;
        // A tenant rule names the vault in its finding; map it back to the record for locations.
        let by_id: BTreeMap<String, usize> =
            inventory.vaults.iter().enumerate().map(|(i, v)| (v.id().to_ascii_lowercase(), i)).collect();
        for hit in &mut hits {
            if hit.vault.is_none() {
                hit.vault = by_id.get(&hit.resource.to_ascii_lowercase()).copied();
            }
        }
        Ok(hits)
    }

    fn read_hits(&self, result: &Value, vault: Option<(usize, &str)>) -> Result<Vec<RuleHit>, PolicyError> {
        let set = match result {
            Value::Set(set) => set,
            Value::Undefined => return Ok(Vec::new()),
            other => return Err(PolicyError::Rego(format!("aggregator returned {other}, expected a set"))),
        };
        let mut hits = Vec::with_capacity(set.len());
        for pair in set.iter() {
            let (rule, finding) = match pair {
                Value::Array(items) if items.len() == 2 => (&items[0], &items[1]),
                _ => continue,
            };
            let rule = rule.as_u64().map_err(PolicyError::rego)? as usize;
            let meta = self.rules.get(rule).ok_or_else(|| PolicyError::Rego(format!("no rule #{rule}")))?;
            let raw: RawFinding = serde_json::to_value(finding)
                .and_then(serde_json::from_value)
                .map_err(|e| PolicyError::BadFinding {
                    file: meta.file.clone(),
                    rule: meta.id.clone(),
                    message: format!("{e} (a finding is an object with \"message\" and optional \"resource\", \"path\", \"vault\"): {finding}"),
                })?;
            let vault_index = vault.map(|(i, _)| i);
            let vault_id = vault.map(|(_, id)| id).unwrap_or_default();
            let resource = raw.resource.or(raw.vault).unwrap_or_else(|| vault_id.to_string());
            hits.push(RuleHit {
                rule,
                vault: vault_index,
                resource,
                message: raw.message,
                path: raw.path.map(RawPath::into_tokens).unwrap_or_default(),
            });
        }
        Ok(hits)
    }
}

#[derive(Deserialize)]
struct RawFinding {
    message: String,
    resource: Option<String>,
    vault: Option<String>,
    path: Option<RawPath>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawPath {
    Tokens(Vec<RawToken>),
    Dotted(String),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawToken {
    Index(u64),
    Key(String),
}

impl RawPath {
    fn into_tokens(self) -> Vec<PathToken> {
        match self {
            RawPath::Tokens(tokens) => tokens
                .into_iter()
                .map(|t| match t {
                    RawToken::Index(i) => PathToken::Index(i as usize),
                    RawToken::Key(k) => PathToken::Key(k),
                })
                .collect(),
            RawPath::Dotted(text) => text
                .split('.')
                .filter(|s| !s.is_empty())
                .flat_map(|segment| {
                    let mut parts = segment.split('[');
                    let key = parts.next().unwrap_or_default();
                    let mut tokens = Vec::new();
                    if !key.is_empty() {
                        tokens.push(PathToken::Key(key.to_string()));
                    }
                    for index in parts {
                        let index = index.trim_end_matches(']');
                        match index.parse() {
                            Ok(i) => tokens.push(PathToken::Index(i)),
                            Err(_) => tokens.push(PathToken::Key(index.to_string())),
                        }
                    }
                    tokens
                })
                .collect(),
        }
    }
}

fn build(sources: &[(String, String)], data: &Value) -> Result<regorus::Engine, PolicyError> {
    let mut engine = regorus::Engine::new();
    for (name, text) in sources {
        engine.add_policy(name.clone(), text.clone()).map_err(PolicyError::rego)?;
    }
    engine.add_data(deep_copy(data)).map_err(PolicyError::rego)?;
    Ok(engine)
}

/// A copy of a Rego value that shares no reference-counted node with the original.
fn deep_copy(value: &Value) -> Value {
    serde_json::to_value(value).map(|json| to_rego(&json)).unwrap_or(Value::Undefined)
}

/// The generated module that gathers every enabled rule's `deny` set into one, tagged with the
/// rule's index: `[index, finding]`.
fn aggregator(rules: &[RuleMeta]) -> String {
    let mut text = format!("package {AGGREGATOR_PACKAGE}\n\nimport rego.v1\n\n");
    let mut wrote = [false, false];
    for (index, rule) in rules.iter().enumerate() {
        let set = match rule.scope {
            RuleScope::Vault => "vault_hits",
            RuleScope::Tenant => "tenant_hits",
        };
        wrote[matches!(rule.scope, RuleScope::Tenant) as usize] = true;
        text.push_str(&format!("{set} contains [{index}, f] if {{\n\tsome f in data.{}.deny\n}}\n\n", rule.package));
    }
    // Keep both entry points defined even when no rule of that scope is enabled.
    for (set, done) in [("vault_hits", wrote[0]), ("tenant_hits", wrote[1])] {
        if !done {
            text.push_str(&format!("{set} contains x if {{\n\tsome x in []\n}}\n\n"));
        }
    }
    text
}

/// Converts JSON to a Rego value without an intermediate string.
pub fn to_rego(value: &serde_json::Value) -> Value {
    Value::deserialize(value).unwrap_or(Value::Undefined)
}

/// Record fields a policy may rely on being arrays even when a record leaves them out.
const RECORD_ARRAYS: [&str; 6] =
    ["secrets", "keys", "certificates", "roleAssignments", "diagnosticSettings", "privateEndpoints"];

/// `input.vault`: the vault record as the policies see it, parsed straight from its text.
pub fn vault_input(vault: &VaultRecord) -> Result<Value, PolicyError> {
    let mut record = Value::from_json_str(vault.json()).map_err(PolicyError::rego)?;
    let object = record.as_object_mut().map_err(PolicyError::rego)?;
    for field in RECORD_ARRAYS {
        let key = Value::from(field);
        if !object.contains_key(&key) {
            object.insert(key, Value::new_array());
        }
    }
    let key = Value::from("source");
    if !object.contains_key(&key) {
        let source = serde_json::to_value(vault.source()).unwrap_or_default();
        object.insert(key, to_rego(&source));
    }
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_paths_become_tokens() {
        let tokens = RawPath::Dotted("secrets[2].properties.attributes.exp".into()).into_tokens();
        assert_eq!(
            tokens,
            vec![
                PathToken::Key("secrets".into()),
                PathToken::Index(2),
                PathToken::Key("properties".into()),
                PathToken::Key("attributes".into()),
                PathToken::Key("exp".into()),
            ]
        );
    }
}
