//! Changes since the previous quarter: this review against the JSON record of the last one.
//!
//! A grant is identified by its key (vault, principal, kind, role or permissions, scope). A grant
//! whose key is gone while the same principal gained a grant of the same kind on the same vault is
//! reported as *changed* (a new role, scope or set of permissions) rather than as one removal and
//! one addition: that is how a reviewer thinks of "Priya went from Secrets User to Secrets Officer".

use super::model::{
    AccessReview, Changes, Grant, GrantChange, PreviousInfo, PrincipalRef, RiskyGrant, VaultRef, REPORT_VERSION,
};
use super::ReportError;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

/// The parts of a previous report the comparison reads; other fields are ignored, so a report
/// written by a newer kvscan of the same `reportVersion` still reads.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviousReview {
    pub report_version: u32,
    pub reference_time: String,
    pub generated_by: super::model::GeneratedBy,
    pub vaults: Vec<super::model::VaultInfo>,
    pub principals: Vec<super::model::PrincipalInfo>,
    pub grants: Vec<Grant>,
    pub risky_grants: Vec<RiskyGrant>,
    /// Display name of the file it was read from.
    #[serde(skip)]
    pub file: String,
}

impl PreviousReview {
    pub fn parse(file: &str, text: &str) -> Result<PreviousReview, ReportError> {
        let error = |message: String| ReportError::Previous { file: file.to_string(), message };
        let head: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| error(format!("line {}, column {}: not JSON: {e}", e.line(), e.column())))?;
        match head.get("reportVersion").and_then(serde_json::Value::as_u64) {
            Some(v) if v == u64::from(REPORT_VERSION) => {}
            Some(v) => return Err(error(format!("reportVersion {v} is not supported (this kvscan reads version {REPORT_VERSION})"))),
            None => {
                return Err(error(
                    "not a kvscan access-review JSON report (no \"reportVersion\"); write one with `kvscan report access ... --format json --output FILE`"
                        .into(),
                ))
            }
        }
        let mut previous: PreviousReview =
            serde_json::from_value(head).map_err(|e| error(format!("not a valid access-review report: {e}")))?;
        previous.file = file.to_string();
        Ok(previous)
    }
}

/// Which grants of the same (vault, principal, kind) pair up across quarters.
fn pair_key(grant: &Grant) -> (String, String, super::model::GrantKind) {
    (grant.vault.id.to_ascii_lowercase(), grant.principal.id.to_ascii_lowercase(), grant.kind)
}

fn role_key(grant: &Grant) -> String {
    match (&grant.role, &grant.permissions) {
        (Some(role), _) => role.definition_id.clone().unwrap_or_else(|| role.name.to_ascii_lowercase()),
        (None, Some(permissions)) => permissions.summary(),
        (None, None) => String::new(),
    }
}

pub fn compare(current: &AccessReview, previous: &PreviousReview) -> Changes {
    let now_keys: BTreeSet<&str> = current.grants.iter().map(|g| g.key.as_str()).collect();
    let then_keys: BTreeSet<&str> = previous.grants.iter().map(|g| g.key.as_str()).collect();
    let mut added: BTreeMap<_, Vec<&Grant>> = BTreeMap::new();
    for grant in current.grants.iter().filter(|g| !then_keys.contains(g.key.as_str())) {
        added.entry(pair_key(grant)).or_default().push(grant);
    }
    let mut removed: BTreeMap<_, Vec<&Grant>> = BTreeMap::new();
    for grant in previous.grants.iter().filter(|g| !now_keys.contains(g.key.as_str())) {
        removed.entry(pair_key(grant)).or_default().push(grant);
    }
    let mut changed = Vec::new();
    for (pair, befores) in removed.iter_mut() {
        let Some(afters) = added.get_mut(pair) else { continue };
        // Same role first (a scope change), then the rest in order (a role or permission change).
        let mut index = 0;
        while index < befores.len() {
            let before = befores[index];
            if let Some(at) = afters.iter().position(|a| role_key(a) == role_key(before)) {
                changed.push(change(before, afters.remove(at)));
                befores.remove(index);
            } else {
                index += 1;
            }
        }
        while !befores.is_empty() && !afters.is_empty() {
            changed.push(change(befores.remove(0), afters.remove(0)));
        }
    }
    let mut grants_added: Vec<Grant> = added.into_values().flatten().cloned().collect();
    let mut grants_removed: Vec<Grant> = removed.into_values().flatten().cloned().collect();
    let order =
        |a: &Grant, b: &Grant| (&a.vault, a.principal.label(), &a.key).cmp(&(&b.vault, b.principal.label(), &b.key));
    grants_added.sort_by(order);
    grants_removed.sort_by(order);
    changed.sort_by(|a, b| order(&a.after, &b.after));

    let principal_ids = |list: &[super::model::PrincipalInfo]| -> BTreeSet<String> {
        list.iter().map(|p| p.principal.id.to_ascii_lowercase()).collect()
    };
    let (now_principals, then_principals) = (principal_ids(&current.principals), principal_ids(&previous.principals));
    let only = |list: &[super::model::PrincipalInfo], other: &BTreeSet<String>| -> Vec<PrincipalRef> {
        list.iter()
            .filter(|p| !other.contains(&p.principal.id.to_ascii_lowercase()))
            .map(|p| p.principal.clone())
            .collect()
    };
    let vault_ids = |list: &[super::model::VaultInfo]| -> BTreeSet<String> {
        list.iter().map(|v| v.id.to_ascii_lowercase()).collect()
    };
    let (now_vaults, then_vaults) = (vault_ids(&current.vaults), vault_ids(&previous.vaults));
    let only_vaults = |list: &[super::model::VaultInfo], other: &BTreeSet<String>| -> Vec<VaultRef> {
        let mut refs: Vec<VaultRef> = list
            .iter()
            .filter(|v| !other.contains(&v.id.to_ascii_lowercase()))
            .map(|v| VaultRef { name: v.name.clone(), id: v.id.clone() })
            .collect();
        refs.sort();
        refs
    };
    let fingerprints =
        |list: &[RiskyGrant]| -> BTreeSet<String> { list.iter().map(|r| r.fingerprint.clone()).collect() };
    let (now_risky, then_risky) = (fingerprints(&current.risky_grants), fingerprints(&previous.risky_grants));
    Changes {
        previous: PreviousInfo {
            file: previous.file.clone(),
            reference_time: previous.reference_time.clone(),
            tool_version: previous.generated_by.version.clone(),
        },
        grants_added,
        grants_removed,
        grants_changed: changed,
        principals_new: only(&current.principals, &then_principals),
        principals_gone: only(&previous.principals, &now_principals),
        vaults_new: only_vaults(&current.vaults, &then_vaults),
        vaults_gone: only_vaults(&previous.vaults, &now_vaults),
        risky_new: current.risky_grants.iter().filter(|r| !then_risky.contains(&r.fingerprint)).cloned().collect(),
        risky_resolved: previous.risky_grants.iter().filter(|r| !now_risky.contains(&r.fingerprint)).cloned().collect(),
    }
}

fn change(before: &Grant, after: &Grant) -> GrantChange {
    let mut what = Vec::new();
    if before.role.is_some() && role_key(before) != role_key(after) {
        what.push("role".to_string());
    }
    if before.permissions != after.permissions {
        what.push("permissions".to_string());
    }
    if super::scope::normalize(&before.scope) != super::scope::normalize(&after.scope) {
        what.push("scope".to_string());
    }
    if what.is_empty() {
        what.push("application".to_string());
    }
    GrantChange { before: before.clone(), after: after.clone(), changed: what }
}
