//! Risky grants: the findings of the access rules (KV050–KV056, KV060 and KV061 of the built-in
//! catalog, and user rules tagged `access-control`), each tied to its
//! principal and the matrix rows it is about. The findings come from the rule engine; this module
//! only reads where they point.

use super::matrix::{Origin, Row};
use super::model::{Exemption, PrincipalRef, RiskyGrant, VaultRef};
use super::principals::Directory;
use crate::finding::{Finding, Status};
use crate::policy::RuleMeta;
use std::collections::{BTreeSet, HashMap};

/// The built-in rules about grants. KV003 and KV010 carry the `access-control` tag too, but they
/// judge the vault's permission model and deployment flags, not who holds a grant.
pub const BUILTIN_ACCESS_RULES: [&str; 9] =
    ["KV050", "KV051", "KV052", "KV053", "KV054", "KV055", "KV056", "KV060", "KV061"];

/// The tag that makes a user rule (from `--policy DIR`) count as an access rule.
pub const ACCESS_TAG: &str = "access-control";

pub fn is_access_rule(rule: &RuleMeta) -> bool {
    if rule.file.starts_with(crate::policy::catalog::BUILTIN_PREFIX) {
        BUILTIN_ACCESS_RULES.contains(&rule.id.as_str())
    } else {
        rule.tags.iter().any(|t| t.eq_ignore_ascii_case(ACCESS_TAG))
    }
}

/// Rows of the matrix, with the vault record (index into the inventory) each came from.
pub struct IndexedRows<'a> {
    pub rows: &'a [(usize, Row)],
    /// Lower-cased vault id → index of its (first) record.
    pub vault_index: &'a HashMap<String, usize>,
}

/// `roleAssignments[3]…` → the role assignment; `resource.properties.accessPolicies[0]…` → the policy.
pub fn origin_of(path: &str) -> Option<Origin> {
    let index = |rest: &str| rest.split(']').next().and_then(|n| n.parse::<usize>().ok());
    if let Some(rest) = path.strip_prefix("roleAssignments[") {
        return index(rest).map(Origin::RoleAssignment);
    }
    path.strip_prefix("resource.properties.accessPolicies[").and_then(index).map(Origin::AccessPolicy)
}

pub fn risky_grants(
    findings: &[Finding],
    rules: &[RuleMeta],
    indexed: &IndexedRows,
    directory: &Directory,
) -> Vec<RiskyGrant> {
    let rules: HashMap<&str, &RuleMeta> =
        rules.iter().filter(|r| is_access_rule(r)).map(|r| (r.id.as_str(), r)).collect();
    let lookup = RowLookup::new(indexed);
    let mut risky: Vec<RiskyGrant> = findings
        .iter()
        .filter_map(|finding| Some(risky_grant(finding, rules.get(finding.rule_id.as_str())?, &lookup, directory)))
        .collect();
    risky.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
    risky.dedup_by(|a, b| a.fingerprint == b.fingerprint);
    risky
}

/// The rows indexed the ways findings point at them, built once: a scan of a large tenant has
/// tens of thousands of findings and rows.
struct RowLookup<'a> {
    vault_index: &'a HashMap<String, usize>,
    by_origin: HashMap<(usize, Origin), Vec<&'a Row>>,
    /// Lower-cased principal id → its rows that count as data access.
    data_by_principal: HashMap<String, Vec<&'a Row>>,
    vault_by_index: HashMap<usize, &'a VaultRef>,
}

impl<'a> RowLookup<'a> {
    fn new(indexed: &IndexedRows<'a>) -> Self {
        let mut lookup = RowLookup {
            vault_index: indexed.vault_index,
            by_origin: HashMap::new(),
            data_by_principal: HashMap::new(),
            vault_by_index: HashMap::new(),
        };
        for (vault, row) in indexed.rows {
            lookup.by_origin.entry((*vault, row.origin)).or_default().push(row);
            lookup.vault_by_index.entry(*vault).or_insert(&row.grant.vault);
            if row.data_access {
                lookup.data_by_principal.entry(row.grant.principal.id.to_ascii_lowercase()).or_default().push(row);
            }
        }
        lookup
    }
}

fn sort_key(r: &RiskyGrant) -> (std::cmp::Reverse<crate::finding::Severity>, &str, Option<&VaultRef>, String, &str) {
    let principal = r.principal.as_ref().map(|p| p.label().to_ascii_lowercase()).unwrap_or_default();
    (std::cmp::Reverse(r.severity), &r.rule_id, r.vaults.first(), principal, &r.fingerprint)
}

fn risky_grant(finding: &Finding, rule: &RuleMeta, lookup: &RowLookup, directory: &Directory) -> RiskyGrant {
    let vault_index = (!finding.vault.is_empty())
        .then(|| lookup.vault_index.get(&finding.vault.to_ascii_lowercase()).copied())
        .flatten();
    let origin = finding.path.as_deref().and_then(origin_of);
    let mut principal: Option<PrincipalRef> = None;
    let mut keys = BTreeSet::new();
    let mut vaults = BTreeSet::new();
    match (vault_index, origin) {
        (Some(vault), Some(origin)) => {
            for row in lookup.by_origin.get(&(vault, origin)).into_iter().flatten() {
                principal = Some(row.grant.principal.clone());
                keys.insert(row.grant.key.clone());
            }
        }
        _ => {
            // A tenant-wide finding about a principal names it in its resource id; the rows it is
            // about are the principal's data-plane grants, which is what the rule counted.
            if let Some(id) = finding.resource.strip_prefix("/principals/") {
                for row in lookup.data_by_principal.get(&id.to_ascii_lowercase()).into_iter().flatten() {
                    keys.insert(row.grant.key.clone());
                    vaults.insert(row.grant.vault.clone());
                }
                principal = Some(directory.resolve(id, None));
            }
        }
    }
    if let Some(vault) = vault_index.and_then(|v| lookup.vault_by_index.get(&v)) {
        vaults = BTreeSet::from([(*vault).clone()]);
    } else if !finding.vault.is_empty() && vaults.is_empty() {
        let name = finding.vault.rsplit('/').next().unwrap_or_default().to_string();
        vaults.insert(VaultRef { name, id: finding.vault.clone() });
    }
    RiskyGrant {
        fingerprint: finding.fingerprint.clone(),
        rule_id: finding.rule_id.clone(),
        title: rule.title.clone(),
        severity: finding.severity,
        status: finding.status.as_str().to_string(),
        exemption: finding.exemption.as_ref().filter(|_| finding.status == Status::Exempted).map(|e| Exemption {
            reason: e.reason.clone(),
            owner: e.owner.clone(),
            expires: e.expires.clone(),
        }),
        vaults: vaults.into_iter().collect(),
        tenant_wide: finding.vault.is_empty(),
        principal,
        grant_keys: keys.into_iter().collect(),
        resource: finding.resource.clone(),
        message: finding.message.clone(),
        remediation: rule.remediation.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_point_at_assignments_and_policies() {
        assert_eq!(origin_of("roleAssignments[3]"), Some(Origin::RoleAssignment(3)));
        assert_eq!(origin_of("roleAssignments[12].properties.scope"), Some(Origin::RoleAssignment(12)));
        assert_eq!(origin_of("resource.properties.accessPolicies[0].permissions.keys"), Some(Origin::AccessPolicy(0)));
        assert_eq!(origin_of("resource.properties.enableRbacAuthorization"), None);
        assert_eq!(origin_of("roleAssignments[x]"), None);
    }
}
