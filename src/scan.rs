//! The pipeline's middle: inventory → policy engine → findings with resolved locations.

use crate::finding::{render_path, FailOn, FileLocation, Finding, Location, PathToken, Severity, Status};
use crate::inventory::{ScanError, SourceKind};
use crate::policy::{Catalog, Engine, PolicyError, RuleHit, RuleMeta};
use crate::source::{Anchor, Loaded};
use crate::span;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// "Now" for time-dependent rules, in Unix seconds.
    pub now: i64,
    /// Rule parameters (`data.kvscan.config`), over the rules' defaults.
    pub parameters: serde_json::Map<String, serde_json::Value>,
    /// Rule ids not to evaluate.
    pub disabled: Vec<String>,
    /// Findings about values only known at deployment fail the gate like any other.
    pub unknown_as_failure: bool,
}

/// A vault that was evaluated, for outputs that list passes too.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ScannedVault {
    pub id: String,
    pub name: String,
}

/// Which kind of scan produced the findings; keeps code-scanning categories apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanKind {
    Live,
    Iac,
    Inventory,
}

impl ScanKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ScanKind::Live => "live",
            ScanKind::Iac => "iac",
            ScanKind::Inventory => "inventory",
        }
    }
}

#[derive(Debug, Clone)]
pub struct ScanReport {
    /// Sorted by vault, rule, resource, path.
    pub findings: Vec<Finding>,
    /// The rules that were evaluated, sorted by id.
    pub rules: Vec<RuleMeta>,
    /// Sorted by id.
    pub vaults: Vec<ScannedVault>,
    /// Parts of the estate that were not scanned.
    pub errors: Vec<ScanError>,
    pub kind: ScanKind,
    /// A `--baseline` was compared: findings are marked new or existing.
    pub baseline: bool,
}

impl ScanReport {
    pub fn incomplete(&self) -> bool {
        !self.errors.is_empty()
    }

    pub fn failing(&self, fail_on: FailOn) -> usize {
        self.findings.iter().filter(|f| f.status == Status::Open && fail_on.fails(f.severity)).count()
    }

    /// Open findings of a severity (exempted and existing ones are counted apart).
    pub fn count(&self, severity: Severity) -> usize {
        self.findings.iter().filter(|f| f.status == Status::Open && f.severity == severity).count()
    }

    pub fn count_status(&self, status: Status) -> usize {
        self.findings.iter().filter(|f| f.status == status).count()
    }
}

/// `data.kvscan.config`: every rule parameter's default, the user's values over them, and `now`.
pub fn policy_config(catalog: &Catalog, options: &ScanOptions) -> serde_json::Map<String, serde_json::Value> {
    let mut config = serde_json::Map::new();
    for rule in &catalog.rules {
        for (name, default) in &rule.parameters {
            config.insert(name.clone(), default.clone());
        }
    }
    config.extend(options.parameters.clone());
    config.insert("now".into(), options.now.into());
    config
}

pub fn scan(loaded: &Loaded, catalog: &Catalog, options: &ScanOptions) -> Result<ScanReport, PolicyError> {
    let inventory = &loaded.inventory;
    let mut data = serde_json::Map::new();
    data.insert("config".into(), policy_config(catalog, options).into());
    let principals: serde_json::Map<String, serde_json::Value> = inventory
        .principals
        .iter()
        .map(|p| (p.id.to_ascii_lowercase(), serde_json::to_value(p).unwrap_or_default()))
        .collect();
    data.insert("principals".into(), principals.into());

    let disabled = |rule: &RuleMeta| options.disabled.iter().any(|d| d.eq_ignore_ascii_case(&rule.id));
    let engine = Engine::new(catalog, |rule| !disabled(rule), data)?;
    let hits = engine.evaluate(inventory)?;

    let mut findings: Vec<(Finding, Target)> =
        hits.into_par_iter().map(|hit| to_finding(&engine, loaded, hit, options.unknown_as_failure)).collect();
    resolve_locations(&mut findings, loaded);
    let mut findings: Vec<Finding> = findings.into_iter().map(|(f, _)| f).collect();
    findings.par_sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings.dedup_by(|a, b| a.sort_key() == b.sort_key());

    let mut vaults: Vec<ScannedVault> = inventory
        .vaults
        .iter()
        .map(|vault| ScannedVault { id: vault.id().to_string(), name: vault.name().to_string() })
        .collect();
    vaults.sort();
    let mut errors = inventory.errors.clone();
    errors.sort();
    errors.dedup();
    Ok(ScanReport {
        findings,
        rules: engine.rules().to_vec(),
        vaults,
        errors,
        kind: scan_kind(loaded),
        baseline: false,
    })
}

fn scan_kind(loaded: &Loaded) -> ScanKind {
    let kinds: Vec<SourceKind> = loaded.inventory.vaults.iter().map(|v| v.source().kind).collect();
    if kinds.iter().any(|k| !matches!(k, SourceKind::Live | SourceKind::Inventory)) {
        ScanKind::Iac
    } else if kinds.contains(&SourceKind::Live) {
        ScanKind::Live
    } else {
        ScanKind::Inventory
    }
}

/// Where a finding's path points: the vault record it belongs to (none: the inventory document as
/// a whole, for tenant-wide rules), and the JSON pointer of the path within it.
type Target = (Option<usize>, String);

/// Builds the finding and the record pointer its location must be resolved from.
fn to_finding(engine: &Engine, loaded: &Loaded, hit: RuleHit, unknown_as_failure: bool) -> (Finding, Target) {
    let rule = &engine.rules()[hit.rule];
    let vault = hit.vault.and_then(|i| loaded.inventory.vaults.get(i));
    let path = (!hit.path.is_empty()).then(|| render_path(&hit.path));
    let record_pointer = span::pointer(hit.path.iter().map(PathToken::as_pointer_token));
    let vault_id = vault.map(|v| v.id().to_string()).unwrap_or_default();
    let unknown = vault.and_then(|v| v.unknown_reason(&record_pointer)).map(str::to_string);
    let mut finding = Finding {
        rule_id: rule.id.clone(),
        severity: rule.severity,
        status: Status::Open,
        fingerprint: Finding::fingerprint(&rule.id, &hit.resource, &vault_id, path.as_deref()),
        location: Location { resource_id: hit.resource.clone(), file: None },
        resource: hit.resource,
        vault: vault_id,
        message: hit.message,
        path,
        exemption: None,
    };
    if let Some(reason) = unknown {
        finding.message = format!("{} (unknown before deployment: {reason})", finding.message);
        if !unknown_as_failure {
            finding.status = Status::Unknown;
        }
    }
    // A tenant rule's path is relative to the inventory, even when it names a vault.
    let anchor = if rule.scope == crate::policy::RuleScope::Tenant { None } else { hit.vault };
    (finding, (anchor, record_pointer))
}

/// Resolves symbolic locations to lines, reading each file once, only for files with findings.
fn resolve_locations(findings: &mut [(Finding, Target)], loaded: &Loaded) {
    let (anchors, inventory) = (&loaded.anchors, &loaded.inventory);
    // file → [(finding index, candidate pointers, most precise first)]
    let mut wanted: BTreeMap<String, Vec<(usize, Vec<String>)>> = BTreeMap::new();
    // vault index → [(finding index, candidate pointers within the record)]
    let mut in_records: BTreeMap<usize, Vec<(usize, Vec<String>)>> = BTreeMap::new();
    for (index, (finding, target)) in findings.iter_mut().enumerate() {
        let (vault, record_pointer) = target;
        let Some(vault) = vault else {
            // A tenant-wide finding: its path is relative to the inventory document.
            if let (Some(document), false) = (&loaded.document, record_pointer.is_empty()) {
                wanted.entry(document.clone()).or_default().push((index, fallback_chain("", record_pointer)));
            }
            continue;
        };
        match anchors.get(*vault) {
            Some(Anchor::Fixed(location)) => finding.location.file = Some(location.clone()),
            Some(Anchor::Record { .. }) => {
                in_records.entry(*vault).or_default().push((index, record_fallbacks(record_pointer)));
            }
            Some(Anchor::Json { file, mappings }) => {
                let best = mappings
                    .iter()
                    .filter(|(prefix, _)| is_pointer_prefix(prefix, record_pointer))
                    .max_by_key(|(prefix, _)| prefix.len());
                if let Some((prefix, base)) = best {
                    let candidates = fallback_chain(base, &record_pointer[prefix.len()..]);
                    wanted.entry(file.clone()).or_default().push((index, candidates));
                }
            }
            Some(Anchor::Positions { mappings, positions }) => {
                // Known places (Bicep): the same prefix and fallback rules as for JSON, no file read.
                let best = mappings
                    .iter()
                    .filter(|(prefix, _)| is_pointer_prefix(prefix, record_pointer))
                    .max_by_key(|(prefix, _)| prefix.len());
                if let Some((prefix, base)) = best {
                    let candidates = fallback_chain(base, &record_pointer[prefix.len()..]);
                    finding.location.file = candidates.iter().find_map(|c| positions.get(c)).cloned();
                }
            }
            Some(Anchor::Resource) | None => {}
        }
    }
    let resolved: Vec<(usize, FileLocation)> = in_records
        .into_par_iter()
        .flat_map_iter(|(vault, requests)| {
            let Some(Anchor::Record { file, start }) = anchors.get(vault) else { return Vec::new() };
            let Some(record) = inventory.vaults.get(vault) else { return Vec::new() };
            let pointers: Vec<String> = requests.iter().flat_map(|(_, c)| c.iter().cloned()).collect();
            let found = span::locate(record.json(), &pointers);
            requests
                .into_iter()
                .map(|(index, candidates)| {
                    let at = span::offset_position(*start, first_found(&candidates, &found));
                    (index, FileLocation { file: file.clone(), line: at.line, column: at.column })
                })
                .collect()
        })
        .collect();
    for (index, location) in resolved {
        findings[index].0.location.file = Some(location);
    }
    for (file, requests) in wanted {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let pointers: Vec<String> = requests.iter().flat_map(|(_, candidates)| candidates.iter().cloned()).collect();
        let found: HashMap<String, span::Position> = span::locate(&text, &pointers);
        for (index, candidates) in requests {
            let position = first_found(&candidates, &found);
            findings[index].0.location.file =
                Some(FileLocation { file: file.clone(), line: position.line, column: position.column });
        }
    }
}

/// The position of the most precise candidate pointer that exists (the start, if none does).
fn first_found(candidates: &[String], found: &HashMap<String, span::Position>) -> span::Position {
    candidates.iter().find_map(|c| found.get(c)).copied().unwrap_or(span::Position::START)
}

/// Candidates inside an inventory record: the value, else its enclosing array element, else the
/// resource (for paths below it), else the record.
fn record_fallbacks(record_pointer: &str) -> Vec<String> {
    let mut candidates = fallback_chain("", record_pointer);
    candidates.pop();
    if record_pointer.starts_with("/resource/") {
        candidates.push("/resource".into());
    }
    candidates.push(String::new());
    candidates
}

/// Where to point when the offending value is absent: the value itself, else the nearest enclosing
/// array element (the secret, key or assignment it belongs to), else the mapped object.
fn fallback_chain(base: &str, rest: &str) -> Vec<String> {
    let mut candidates = vec![format!("{base}{rest}")];
    let mut current = rest;
    while let Some(cut) = current.rfind('/') {
        current = &current[..cut];
        let last = current.rsplit('/').next().unwrap_or_default();
        if !current.is_empty() && !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit()) {
            candidates.push(format!("{base}{current}"));
        }
    }
    candidates.push(base.to_string());
    candidates
}

fn is_pointer_prefix(prefix: &str, pointer: &str) -> bool {
    pointer.starts_with(prefix) && (pointer.len() == prefix.len() || pointer.as_bytes()[prefix.len()] == b'/')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fallback_prefers_enclosing_array_elements() {
        assert_eq!(
            fallback_chain("/vaults/3", "/secrets/0/properties/attributes/exp"),
            vec!["/vaults/3/secrets/0/properties/attributes/exp", "/vaults/3/secrets/0", "/vaults/3"]
        );
        assert_eq!(
            fallback_chain("/vaults/0/resource", "/properties/x"),
            vec!["/vaults/0/resource/properties/x", "/vaults/0/resource"]
        );
        assert_eq!(fallback_chain("/vaults/0", ""), vec!["/vaults/0", "/vaults/0"]);
    }

    #[test]
    fn pointer_prefixes_respect_token_boundaries() {
        assert!(is_pointer_prefix("", "/a"));
        assert!(is_pointer_prefix("/resource", "/resource/properties"));
        assert!(!is_pointer_prefix("/res", "/resource"));
    }
}
