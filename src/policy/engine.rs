//! Evaluation: one prepared regorus engine, cloned per rayon worker.
//!
//! All enabled vault rules of a vault are evaluated in one query through a generated aggregator
//! module, so a vault record is converted to a Rego value once, whatever the number of rules.

use super::rego_value::KeyCache;
use super::{reads, vm_limits};
use super::{Catalog, PolicyError, RuleMeta, RuleScope};
use crate::finding::PathToken;
use crate::inventory::{Inventory, VaultRecord};
use rayon::prelude::*;
use regorus::languages::rego::compiler::Compiler;
use regorus::rvm::{Program, RegoVM};
use regorus::Value;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

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
    /// Path of the offending value: relative to the vault record for vault rules, to the
    /// inventory for tenant rules.
    pub path: Vec<PathToken>,
    /// The vault a tenant rule named in its finding (`"vault"`), if any.
    pub vault_id: Option<String>,
}

/// Which regorus evaluator runs the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evaluator {
    /// Rules compiled once to regorus's register VM (RVM) bytecode: about six times faster than
    /// the tree-walking interpreter on the built-in catalog. Policies that use a rule form the
    /// VM gets wrong run on the interpreter instead (see [`super::vm_limits`]).
    Compiled,
    /// The tree-walking interpreter (what `policy test` uses, for `with`): kept to cross-check
    /// that both give the same findings.
    Interpreter,
}

#[derive(Clone)]
pub struct Engine {
    prepared: regorus::Engine,
    /// What `prepared` was built from, to build independent engines per worker thread.
    sources: Vec<(String, String)>,
    data: Value,
    /// Bytecode of the vault entry point; `None` runs vault rules on the interpreter.
    program: Option<Arc<Program>>,
    /// Bytecode of the tenant entry point; `None` runs tenant rules on the interpreter.
    tenant_program: Option<Arc<Program>>,
    /// The first rule (module, line) the VM would get wrong: then everything runs on the
    /// interpreter.
    vm_unsafe: Option<(String, usize)>,
    rules: Vec<RuleMeta>,
    /// The members of a vault record the enabled rules read, when they can be listed (see
    /// [`reads`]); the others are not converted.
    record_members: Option<Vec<String>>,
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
        let mut sources = module_sources(catalog);
        let aggregator = aggregator(&rules);
        let record_members = reads::record_members(&aggregator, &catalog.modules).map(|set| set.into_iter().collect());
        sources.push(("kvscan-engine.rego".into(), aggregator));
        let data = data_document(catalog, data);
        let prepared = build(&sources, &data)?;
        let engine = Engine {
            sources,
            data,
            program: None,
            tenant_program: None,
            vm_unsafe: vm_limits::multi_value_object_rule(&catalog.modules),
            record_members,
            has_vault_rules: rules.iter().any(|r| r.scope == RuleScope::Vault),
            has_tenant_rules: rules.iter().any(|r| r.scope == RuleScope::Tenant),
            prepared,
            rules,
        };
        engine.with_evaluator(Evaluator::Compiled)
    }

    /// Switches evaluators (the default is [`Evaluator::Compiled`], unless a module uses a rule
    /// form the VM gets wrong).
    pub fn with_evaluator(mut self, evaluator: Evaluator) -> Result<Engine, PolicyError> {
        (self.program, self.tenant_program) = match evaluator {
            Evaluator::Interpreter => (None, None),
            Evaluator::Compiled if self.vm_unsafe.is_some() => (None, None),
            Evaluator::Compiled => {
                (Some(compile(&mut self.prepared, VAULT_ENTRY)?), Some(compile(&mut self.prepared, TENANT_ENTRY)?))
            }
        };
        Ok(self)
    }

    /// Gives the rules whole vault records, as when they read them in ways that cannot be listed.
    pub fn converting_whole_records(mut self) -> Engine {
        self.record_members = None;
        self
    }

    /// The members of a vault record the rules get, or `None` for the whole record.
    pub fn record_members(&self) -> Option<&[String]> {
        self.record_members.as_deref()
    }

    /// Why the rules run on the interpreter although the VM was asked for: the module and line
    /// of a rule the VM gets wrong.
    pub fn interpreted_because(&self) -> Option<String> {
        self.vm_unsafe.as_ref().map(|(module, line)| {
            format!("{module}:{line}: a multi-value partial object rule (`m[k] contains v`), which regorus's VM evaluates wrongly")
        })
    }

    pub fn rules(&self) -> &[RuleMeta] {
        &self.rules
    }

    /// An evaluator for one worker thread that shares nothing mutable with the others. A clone
    /// of the interpreter would share the parsed modules through atomic reference counts, and
    /// the two cores would then spend their time bouncing those counters between caches
    /// (measured: 2 threads no faster than 1).
    fn worker(&self) -> Result<Worker, PolicyError> {
        match &self.program {
            Some(program) => Ok(Worker::Compiled(vm(program, &deep_copy(&self.data))?)),
            None => Ok(Worker::Interpreter(build(&self.sources, &self.data)?)),
        }
    }

    /// Evaluates every enabled rule: vault rules per vault in parallel, tenant rules once.
    ///
    /// Tenant rules run on one thread while the vault rules take the others: they are one long
    /// query (about a fifth of a full scan), and run after the vault pass they left a core idle.
    /// They get their own slim parse of the records, which costs far less than that idle time.
    pub fn evaluate(&self, inventory: &Inventory) -> Result<Vec<RuleHit>, PolicyError> {
        let tenant = || -> Result<Vec<RuleHit>, PolicyError> {
            if !self.has_tenant_rules {
                return Ok(Vec::new());
            }
            let vaults = inventory
                .vaults
                .par_iter()
                .map_init(KeyCache::default, |keys, v| tenant_input(v, keys))
                .collect::<Result<Vec<_>, _>>()?;
            self.evaluate_tenant(inventory, vaults)
        };
        let (vault_hits, tenant_hits) = rayon::join(|| self.evaluate_vaults(inventory), tenant);
        let mut hits = vault_hits?;
        hits.extend(tenant_hits?);
        Ok(hits)
    }

    fn evaluate_vaults(&self, inventory: &Inventory) -> Result<Vec<RuleHit>, PolicyError> {
        if !self.has_vault_rules {
            return Ok(Vec::new());
        }
        // One engine per pool thread, built once; the mutex is never contended because a
        // thread only ever takes its own.
        let workers: Vec<Mutex<(Worker, KeyCache)>> = (0..rayon::current_num_threads().max(1))
            .map(|_| self.worker().map(|worker| Mutex::new((worker, KeyCache::default()))))
            .collect::<Result<_, _>>()?;
        let per_vault: Vec<Result<Vec<RuleHit>, PolicyError>> = inventory
            .vaults
            .par_iter()
            .enumerate()
            .map(|(index, vault)| {
                let slot = rayon::current_thread_index().unwrap_or(0) % workers.len();
                let mut guard = workers[slot].lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                let (engine, keys) = &mut *guard;
                self.evaluate_vault(engine, keys, index, vault)
            })
            .collect();
        let mut hits = Vec::new();
        for result in per_vault {
            hits.extend(result?);
        }
        Ok(hits)
    }

    fn evaluate_vault(
        &self,
        worker: &mut Worker,
        keys: &mut KeyCache,
        index: usize,
        vault: &VaultRecord,
    ) -> Result<Vec<RuleHit>, PolicyError> {
        let mut input = BTreeMap::new();
        input.insert(Value::from("vault"), record_input(vault, keys, self.record_members.as_deref())?);
        let result = worker.run(Value::from(input), Entry::Vault)?;
        self.read_hits(&result, Some((index, vault.id())))
    }

    fn evaluate_tenant(&self, inventory: &Inventory, vaults: Vec<Value>) -> Result<Vec<RuleHit>, PolicyError> {
        let mut worker = match &self.tenant_program {
            Some(program) => Worker::Compiled(vm(program, &deep_copy(&self.data))?),
            None => Worker::Interpreter(self.prepared.clone()),
        };
        let envelope = serde_json::json!({
            "schemaVersion": inventory.schema_version,
            "tenants": inventory.tenants,
            "subscriptions": inventory.subscriptions,
            "pricings": inventory.pricings,
            "roleDefinitions": inventory.role_definitions,
            "principals": inventory.principals,
            "errors": inventory.errors,
        });
        let mut document = to_rego(&envelope);
        document.as_object_mut().map_err(PolicyError::rego)?.insert(Value::from("vaults"), Value::from(vaults));
        let mut input = BTreeMap::new();
        input.insert(Value::from("inventory"), document);
        let result = worker.run(Value::from(input), Entry::Tenant)?;
        let mut hits = self.read_hits(&result, None)?;
        // A tenant rule names the vault in its finding; map it back to the record for locations.
        let by_id: BTreeMap<String, usize> =
            inventory.vaults.iter().enumerate().map(|(i, v)| (v.id().to_ascii_lowercase(), i)).collect();
        for hit in &mut hits {
            if hit.vault.is_none() {
                let named = hit.vault_id.as_deref().unwrap_or(&hit.resource);
                hit.vault = by_id.get(&named.to_ascii_lowercase()).copied();
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
            let raw: RawFinding = match RawFinding::read(finding) {
                Some(raw) => Ok(raw),
                None => serde_json::to_value(finding).and_then(serde_json::from_value),
            }
            .map_err(|e| PolicyError::BadFinding {
                    file: meta.file.clone(),
                    rule: meta.id.clone(),
                    message: format!("{e} (a finding is an object with \"message\" and optional \"resource\", \"path\", \"vault\"): {finding}"),
                })?;
            let vault_index = vault.map(|(i, _)| i);
            let vault_id = vault.map(|(_, id)| id).unwrap_or_default();
            let resource = raw.resource.or_else(|| raw.vault.clone()).unwrap_or_else(|| vault_id.to_string());
            hits.push(RuleHit {
                rule,
                vault: vault_index,
                resource,
                message: raw.message,
                path: raw.path.map(RawPath::into_tokens).unwrap_or_default(),
                vault_id: raw.vault,
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

impl RawFinding {
    /// Reads a finding straight from its Rego value, as serde would from its JSON form; `None`
    /// for any other shape, which the serde path then explains. (Going through JSON cost as much
    /// as building the finding.)
    fn read(finding: &Value) -> Option<RawFinding> {
        let Value::Object(fields) = finding else { return None };
        let text = |name: &str| match fields.get(&Value::from(name)) {
            None | Some(Value::Null) => Some(None),
            Some(Value::String(s)) => Some(Some(s.to_string())),
            Some(_) => None,
        };
        let path = match fields.get(&Value::from("path")) {
            None | Some(Value::Null) => None,
            Some(Value::String(dotted)) => Some(RawPath::Dotted(dotted.to_string())),
            Some(Value::Array(items)) => Some(RawPath::Tokens(
                items
                    .iter()
                    .map(|item| match item {
                        Value::String(key) => Some(RawToken::Key(key.to_string())),
                        Value::Number(n) => n.as_u64().map(RawToken::Index),
                        _ => None,
                    })
                    .collect::<Option<_>>()?,
            )),
            Some(_) => return None,
        };
        Some(RawFinding { message: text("message")??, resource: text("resource")?, vault: text("vault")?, path })
    }
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

#[derive(Clone, Copy)]
enum Entry {
    Vault,
    Tenant,
}

/// One thread's evaluator.
enum Worker {
    /// Runs the one entry point its program was compiled for.
    Compiled(RegoVM),
    Interpreter(regorus::Engine),
}

impl Worker {
    fn run(&mut self, input: Value, entry: Entry) -> Result<Value, PolicyError> {
        match (self, entry) {
            (Worker::Compiled(vm), _) => {
                vm.set_input(input);
                vm.execute().map_err(PolicyError::rego)
            }
            (Worker::Interpreter(engine), entry) => {
                engine.set_input(input);
                let name = match entry {
                    Entry::Vault => VAULT_ENTRY,
                    Entry::Tenant => TENANT_ENTRY,
                };
                engine.eval_rule(name.into()).map_err(PolicyError::rego)
            }
        }
    }
}

fn compile(engine: &mut regorus::Engine, entry: &str) -> Result<Arc<Program>, PolicyError> {
    let compiled = engine.compile_with_entrypoint(&entry.into()).map_err(PolicyError::rego)?;
    Compiler::compile_from_policy(&compiled, &[entry]).map_err(PolicyError::rego)
}

fn vm(program: &Arc<Program>, data: &Value) -> Result<RegoVM, PolicyError> {
    let mut vm = RegoVM::new();
    // The VM's default budget (25,000 instructions) is for request-sized inputs; a tenant-wide
    // rule over thousands of vaults needs far more, and a scan must finish.
    vm.set_max_instructions(usize::MAX);
    vm.load_program(program.clone());
    vm.set_data(data.clone()).map_err(PolicyError::rego)?;
    Ok(vm)
}

/// The catalog's modules as (name, text), as regorus loads them.
pub(crate) fn module_sources(catalog: &Catalog) -> Vec<(String, String)> {
    catalog.modules.iter().map(|m| (m.name.clone(), m.text.clone())).collect()
}

/// `data.kvscan`: the catalog's data documents (roles, …) plus `extra` (config, principals).
pub(crate) fn data_document(catalog: &Catalog, extra: serde_json::Map<String, serde_json::Value>) -> Value {
    let mut kvscan: serde_json::Map<String, serde_json::Value> =
        catalog.data.iter().map(|(name, value)| (name.clone(), value.clone())).collect();
    kvscan.extend(extra);
    to_rego(&serde_json::json!({ "kvscan": kvscan }))
}

pub(crate) fn build(sources: &[(String, String)], data: &Value) -> Result<regorus::Engine, PolicyError> {
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

/// Record fields tenant rules do not get: per-object data is for vault rules, and leaving it out
/// keeps the tenant input small enough to evaluate in one piece.
const PER_OBJECT_FIELDS: [&str; 4] = ["secrets", "keys", "certificates", "diagnosticSettings"];

/// A vault record as tenant rules see it in `input.inventory.vaults`: [`vault_input`] without the
/// per-object fields, which are skipped unparsed.
fn tenant_input(vault: &VaultRecord, keys: &mut KeyCache) -> Result<Value, PolicyError> {
    let fields: BTreeMap<std::borrow::Cow<'_, str>, &serde_json::value::RawValue> =
        serde_json::from_str(vault.json()).map_err(|e| unreadable(vault, e))?;
    let mut record = BTreeMap::new();
    for (name, raw) in fields {
        if !PER_OBJECT_FIELDS.contains(&name.as_ref()) {
            let value = keys.parse(raw.get()).map_err(|e| unreadable(vault, e))?;
            record.insert(keys.key(name.as_ref()), value);
        }
    }
    let mut record = Value::from(record);
    let arrays: Vec<&str> = RECORD_ARRAYS.into_iter().filter(|f| !PER_OBJECT_FIELDS.contains(f)).collect();
    complete_record(&mut record, vault, &arrays)?;
    Ok(record)
}

/// Record fields a policy may rely on being arrays even when a record leaves them out.
const RECORD_ARRAYS: [&str; 6] =
    ["secrets", "keys", "certificates", "roleAssignments", "diagnosticSettings", "privateEndpoints"];

/// `input.vault`: the vault record as the policies see it, parsed straight from its text.
pub fn vault_input(vault: &VaultRecord) -> Result<Value, PolicyError> {
    record_input(vault, &mut KeyCache::default(), None)
}

/// [`vault_input`] with a worker's key cache, limited to `members` when the rules read no others.
fn record_input(vault: &VaultRecord, keys: &mut KeyCache, members: Option<&[String]>) -> Result<Value, PolicyError> {
    let Some(members) = members else {
        let mut record = keys.parse(vault.json()).map_err(|e| unreadable(vault, e))?;
        complete_record(&mut record, vault, &RECORD_ARRAYS)?;
        return Ok(record);
    };
    let wanted = |name: &str| members.iter().any(|member| member == name);
    let mut record = keys.parse_members(vault.json(), &wanted).map_err(|e| unreadable(vault, e))?;
    let arrays: Vec<&str> = RECORD_ARRAYS.into_iter().filter(|field| wanted(field)).collect();
    complete_record(&mut record, vault, &arrays)?;
    Ok(record)
}

/// A record whose text does not parse: it was checked on the way in, so this is an internal fault.
fn unreadable(vault: &VaultRecord, error: serde_json::Error) -> PolicyError {
    PolicyError::Rego(format!("vault record {}: {error}", vault.id()))
}

/// Adds what a record may leave out: empty `arrays`, and its `source`.
fn complete_record(record: &mut Value, vault: &VaultRecord, arrays: &[&str]) -> Result<(), PolicyError> {
    let object = record.as_object_mut().map_err(PolicyError::rego)?;
    for field in arrays {
        let key = Value::from(*field);
        if !object.contains_key(&key) {
            object.insert(key, Value::new_array());
        }
    }
    let key = Value::from("source");
    if !object.contains_key(&key) {
        let source = serde_json::to_value(vault.source()).unwrap_or_default();
        object.insert(key, to_rego(&source));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_read_from_values_as_from_json() {
        let cases = [
            serde_json::json!({"message": "m", "resource": "/r", "path": ["secrets", 2, "name"], "extra": 1}),
            serde_json::json!({"message": "m", "vault": "/v", "path": "a.b[3]"}),
            serde_json::json!({"message": "m", "resource": null, "path": null}),
        ];
        for case in cases {
            let quick = RawFinding::read(&to_rego(&case)).expect("expected shape");
            let slow: RawFinding = serde_json::from_value(case.clone()).expect("valid");
            assert_eq!(quick.message, slow.message);
            assert_eq!(quick.resource, slow.resource);
            assert_eq!(quick.vault, slow.vault);
            assert_eq!(quick.path.map(RawPath::into_tokens), slow.path.map(RawPath::into_tokens), "{case}");
        }
        for bad in [
            serde_json::json!({"resource": "/r"}),
            serde_json::json!({"message": 1}),
            serde_json::json!({"message": "m", "path": [true]}),
            serde_json::json!({"message": "m", "path": {"a": 1}}),
            serde_json::json!("m"),
        ] {
            assert!(RawFinding::read(&to_rego(&bad)).is_none(), "{bad}");
            assert!(serde_json::from_value::<RawFinding>(bad.clone()).is_err(), "{bad}");
        }
    }

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
