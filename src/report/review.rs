//! Builds the access review from a loaded inventory and the scan that ran on it.

use super::changes::{self, PreviousReview};
use super::matrix::{self, Lookups, Row};
use super::model::*;
use super::principals::{is_guest, Directory};
use super::risky::{self, IndexedRows};
use super::roles::RoleBook;
use super::rotation::{self, Limits, ObjectFindings};
use super::text::rfc3339;
use super::ReportError;
use crate::policy::Catalog;
use crate::scan::ScanReport;
use crate::source::Loaded;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};

pub struct ReviewInput<'a> {
    pub loaded: &'a Loaded,
    /// The scan of the same inventory, after the configuration's severities and exemptions.
    pub scan: &'a ScanReport,
    pub catalog: &'a Catalog,
    /// The rules' parameters as the scan used them (`scan::policy_config`).
    pub config: &'a serde_json::Map<String, Value>,
    pub now: i64,
    pub now_pinned: bool,
    pub inputs: Vec<String>,
    pub previous: Option<&'a PreviousReview>,
}

fn parameter_i64(config: &serde_json::Map<String, Value>, name: &str, default: i64) -> i64 {
    config.get(name).and_then(|v| v.as_i64().or_else(|| v.as_f64().map(|f| f as i64))).unwrap_or(default)
}

/// `/subscriptions/<id>/resourceGroups/<group>/…` → (id, group), case-insensitively.
fn subscription_and_group(vault_id: &str) -> (Option<String>, Option<String>) {
    let parts: Vec<&str> = vault_id.split('/').collect();
    let sub = (parts.len() > 2 && parts[1].eq_ignore_ascii_case("subscriptions")).then(|| parts[2].to_string());
    let group = (parts.len() > 4 && parts[3].eq_ignore_ascii_case("resourcegroups")).then(|| parts[4].to_string());
    (sub, group)
}

fn tag(resource: &Value, name: &str) -> Option<String> {
    resource
        .get("tags")
        .and_then(Value::as_object)?
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .and_then(|(_, value)| value.as_str())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

fn string(value: &Value, name: &str) -> Option<String> {
    value.get(name).and_then(Value::as_str).filter(|s| !s.trim().is_empty()).map(str::to_string)
}

/// `secrets[2]…` → (secret, 2).
fn object_of(path: &str) -> Option<(ObjectKind, usize)> {
    let kinds =
        [("secrets[", ObjectKind::Secret), ("keys[", ObjectKind::Key), ("certificates[", ObjectKind::Certificate)];
    kinds.iter().find_map(|(prefix, kind)| {
        let rest = path.strip_prefix(prefix)?;
        rest.split(']').next()?.parse().ok().map(|index| (*kind, index))
    })
}

pub fn build(input: &ReviewInput) -> Result<AccessReview, ReportError> {
    let inventory = &input.loaded.inventory;
    let parameters = Parameters {
        expiry_warning_days: parameter_i64(input.config, "expiryWarningDays", 30),
        max_secret_age_days: parameter_i64(input.config, "maxSecretAgeDays", 60),
        environment_tag: input
            .config
            .get("environmentTag")
            .and_then(Value::as_str)
            .unwrap_or("environment")
            .to_string(),
    };
    let limits = Limits {
        now: input.now,
        expiry_warning_days: parameters.expiry_warning_days,
        max_secret_age_days: parameters.max_secret_age_days,
    };
    let subscription_names: HashMap<String, String> = inventory
        .subscriptions
        .iter()
        .filter_map(|s| Some((string(s, "subscriptionId")?.to_ascii_lowercase(), string(s, "displayName")?)))
        .collect();
    let subscription_name = |id: &str| subscription_names.get(&id.to_ascii_lowercase()).cloned();
    let directory = Directory::new(&inventory.principals);
    let roles = RoleBook::new(input.catalog.data.get("roles"), &inventory.role_definitions);
    let lookups = Lookups { directory: &directory, roles: &roles, subscription_name: &subscription_name };

    // Findings about secrets, keys and certificates, by vault record.
    let mut object_findings: HashMap<String, ObjectFindings> = HashMap::new();
    for finding in &input.scan.findings {
        if let Some(object) = finding.path.as_deref().and_then(object_of) {
            let rules =
                object_findings.entry(finding.vault.to_ascii_lowercase()).or_default().entry(object).or_default();
            if !rules.contains(&finding.rule_id) {
                rules.push(finding.rule_id.clone());
                rules.sort();
            }
        }
    }

    let mut rows: Vec<(usize, Row)> = Vec::new();
    let mut seen_keys = BTreeSet::new();
    let mut vault_index: HashMap<String, usize> = HashMap::new();
    let mut vaults = Vec::new();
    let mut environments: HashMap<String, String> = HashMap::new();
    let mut rotation_items = Vec::new();
    for (index, record) in inventory.vaults.iter().enumerate() {
        let id_key = record.id().to_ascii_lowercase();
        if vault_index.contains_key(&id_key) {
            continue; // The same vault from two inputs: the first record stands.
        }
        vault_index.insert(id_key.clone(), index);
        let parts = record
            .parts()
            .map_err(|e| ReportError::Record { vault: record.id().to_string(), message: e.to_string() })?;
        let vault = VaultRef { name: record.name().to_string(), id: record.id().to_string() };
        for row in matrix::vault_rows(&vault, &parts, &lookups) {
            if seen_keys.insert(row.grant.key.clone()) {
                rows.push((index, row));
            }
        }
        let none = ObjectFindings::new();
        rotation_items.extend(rotation::vault_items(
            &vault,
            &parts,
            limits,
            object_findings.get(&id_key).unwrap_or(&none),
        ));
        let (subscription_id, resource_group) = subscription_and_group(record.id());
        let environment = tag(&parts.resource, &parameters.environment_tag);
        if let Some(environment) = &environment {
            environments.insert(id_key, environment.clone());
        }
        vaults.push(VaultInfo {
            id: vault.id.clone(),
            name: vault.name.clone(),
            subscription_name: subscription_id.as_deref().and_then(subscription_name),
            subscription_id,
            resource_group,
            environment,
            permission_model: if matrix::uses_rbac(&parts) {
                PermissionModel::Rbac
            } else {
                PermissionModel::AccessPolicies
            },
            principals: 0,
            grants: 0,
            risky_grants: 0,
        });
    }

    let risky_grants = risky::risky_grants(
        &input.scan.findings,
        &input.scan.rules,
        &IndexedRows { rows: &rows, vault_index: &vault_index },
        &directory,
    );
    let mut risks_by_key: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    for risky in &risky_grants {
        for key in &risky.grant_keys {
            risks_by_key.entry(key.as_str()).or_default().insert(risky.rule_id.as_str());
        }
    }
    let mut grants: Vec<Grant> = rows
        .iter()
        .map(|(_, row)| {
            let mut grant = row.grant.clone();
            grant.risks = risks_by_key
                .get(grant.key.as_str())
                .map(|r| r.iter().map(|s| s.to_string()).collect())
                .unwrap_or_default();
            grant
        })
        .collect();
    grants.sort_by(|a, b| grant_order(a).cmp(&grant_order(b)));

    let principals = principal_infos(&rows, &risky_grants, &environments);
    // Counts per vault in one pass over the grants and one over the risky grants.
    let mut per_vault: HashMap<String, (usize, BTreeSet<String>, usize)> = HashMap::new();
    for grant in &grants {
        let entry = per_vault.entry(grant.vault.id.to_ascii_lowercase()).or_default();
        entry.0 += 1;
        entry.1.insert(grant.principal.id.to_ascii_lowercase());
    }
    for risky in &risky_grants {
        for vault in &risky.vaults {
            per_vault.entry(vault.id.to_ascii_lowercase()).or_default().2 += 1;
        }
    }
    for vault in &mut vaults {
        if let Some((grants, principals, risky)) = per_vault.get(&vault.id.to_ascii_lowercase()) {
            (vault.grants, vault.principals, vault.risky_grants) = (*grants, principals.len(), *risky);
        }
    }

    vaults.sort_by(|a, b| (a.name.to_ascii_lowercase(), &a.id).cmp(&(b.name.to_ascii_lowercase(), &b.id)));
    rotation_items.sort_by(|a, b| (&a.vault, a.kind, &a.name).cmp(&(&b.vault, b.kind, &b.name)));
    let mut flag_counts = BTreeMap::new();
    for flag in rotation_items.iter().flat_map(|i| &i.flags) {
        *flag_counts.entry(*flag).or_insert(0) += 1;
    }
    let rotation = Rotation {
        secret_age_histogram: rotation::secret_age_histogram(&rotation_items),
        items: rotation_items,
        flag_counts,
    };

    let subscriptions = subscription_infos(inventory, &vaults);
    let summary = summary(input.scan, &vaults, &subscriptions, &principals, &grants, &risky_grants);
    let gaps: Vec<Gap> =
        input.scan.errors.iter().map(|e| Gap { scope: e.scope.clone(), message: e.message.clone() }).collect();
    let mut tenants: Vec<TenantInfo> = inventory
        .tenants
        .iter()
        .filter_map(|t| {
            Some(TenantInfo {
                id: string(t, "tenantId")?,
                display_name: string(t, "displayName"),
                default_domain: string(t, "defaultDomain"),
            })
        })
        .collect();
    tenants.sort_by(|a, b| a.id.cmp(&b.id));
    tenants.dedup();
    let mut review = AccessReview {
        report_version: REPORT_VERSION,
        generated_by: GeneratedBy { tool: "kvscan".into(), version: env!("CARGO_PKG_VERSION").into() },
        reference_time: rfc3339(input.now),
        reference_time_pinned: input.now_pinned,
        inputs: input.inputs.clone(),
        complete: gaps.is_empty(),
        tenants,
        subscriptions,
        gaps,
        parameters,
        summary,
        vaults,
        principals,
        grants,
        risky_grants,
        rotation,
        changes: None,
    };
    review.changes = input.previous.map(|previous| changes::compare(&review, previous));
    Ok(review)
}

fn grant_order(g: &Grant) -> (String, &str, String, &str, GrantKind, String, &str) {
    (
        g.vault.name.to_ascii_lowercase(),
        &g.vault.id,
        g.principal.label().to_ascii_lowercase(),
        &g.principal.id,
        g.kind,
        g.what().to_ascii_lowercase(),
        &g.key,
    )
}

fn principal_infos(
    rows: &[(usize, Row)],
    risky: &[RiskyGrant],
    environments: &HashMap<String, String>,
) -> Vec<PrincipalInfo> {
    let mut by_principal: BTreeMap<String, Vec<&Row>> = BTreeMap::new();
    for (_, row) in rows {
        by_principal.entry(row.grant.principal.id.to_ascii_lowercase()).or_default().push(row);
    }
    let mut risky_count: HashMap<String, usize> = HashMap::new();
    for principal in risky.iter().filter_map(|r| r.principal.as_ref()) {
        *risky_count.entry(principal.id.to_ascii_lowercase()).or_insert(0) += 1;
    }
    let mut infos: Vec<PrincipalInfo> = by_principal
        .into_iter()
        .filter_map(|(id, rows)| {
            let principal = rows.first()?.grant.principal.clone();
            let vaults: BTreeSet<VaultRef> = rows.iter().map(|r| r.grant.vault.clone()).collect();
            let data_vaults: BTreeSet<VaultRef> =
                rows.iter().filter(|r| r.data_access).map(|r| r.grant.vault.clone()).collect();
            let envs: BTreeSet<String> =
                vaults.iter().filter_map(|v| environments.get(&v.id.to_ascii_lowercase()).cloned()).collect();
            Some(PrincipalInfo {
                guest: is_guest(&principal),
                vaults: vaults.into_iter().collect(),
                data_vaults: data_vaults.into_iter().collect(),
                environments: envs.into_iter().collect(),
                grants: rows.len(),
                risky_grants: risky_count.get(&id).copied().unwrap_or(0),
                principal,
            })
        })
        .collect();
    infos.sort_by(|a, b| {
        (a.principal.label().to_ascii_lowercase(), &a.principal.id)
            .cmp(&(b.principal.label().to_ascii_lowercase(), &b.principal.id))
    });
    infos
}

fn subscription_infos(inventory: &crate::inventory::Inventory, vaults: &[VaultInfo]) -> Vec<SubscriptionInfo> {
    let mut by_id: BTreeMap<String, SubscriptionInfo> = BTreeMap::new();
    for subscription in &inventory.subscriptions {
        let Some(id) = string(subscription, "subscriptionId") else { continue };
        by_id.entry(id.to_ascii_lowercase()).or_insert(SubscriptionInfo {
            id,
            display_name: string(subscription, "displayName"),
            state: string(subscription, "state"),
            vaults: 0,
        });
    }
    for vault in vaults {
        if let Some(id) = &vault.subscription_id {
            by_id
                .entry(id.to_ascii_lowercase())
                .or_insert(SubscriptionInfo { id: id.clone(), display_name: None, state: None, vaults: 0 })
                .vaults += 1;
        }
    }
    let mut list: Vec<SubscriptionInfo> = by_id.into_values().collect();
    list.sort_by(|a, b| {
        (a.display_name.as_deref().unwrap_or(&a.id).to_ascii_lowercase(), &a.id)
            .cmp(&(b.display_name.as_deref().unwrap_or(&b.id).to_ascii_lowercase(), &b.id))
    });
    list
}

fn summary(
    scan: &ScanReport,
    vaults: &[VaultInfo],
    subscriptions: &[SubscriptionInfo],
    principals: &[PrincipalInfo],
    grants: &[Grant],
    risky: &[RiskyGrant],
) -> Summary {
    let mut findings_by_severity: BTreeMap<crate::finding::Severity, usize> =
        crate::finding::Severity::ALL.iter().map(|s| (*s, 0)).collect();
    let mut findings_by_rule = BTreeMap::new();
    for finding in &scan.findings {
        *findings_by_severity.entry(finding.severity).or_insert(0) += 1;
        *findings_by_rule.entry(finding.rule_id.clone()).or_insert(0) += 1;
    }
    let mut risky_by_severity: BTreeMap<crate::finding::Severity, usize> =
        crate::finding::Severity::ALL.iter().map(|s| (*s, 0)).collect();
    for r in risky {
        *risky_by_severity.entry(r.severity).or_insert(0) += 1;
    }
    let assignments: BTreeSet<String> = grants
        .iter()
        .filter(|g| g.kind == GrantKind::RoleAssignment)
        .map(|g| g.assignment_id.clone().unwrap_or_else(|| g.key.clone()).to_ascii_lowercase())
        .collect();
    Summary {
        vaults: vaults.len(),
        subscriptions: subscriptions.len(),
        principals: principals.len(),
        orphaned_principals: principals.iter().filter(|p| p.principal.status == PrincipalStatus::Orphaned).count(),
        guests: principals.iter().filter(|p| p.guest).count(),
        role_assignments: assignments.len(),
        access_policies: grants.iter().filter(|g| g.kind == GrantKind::AccessPolicy).count(),
        grants: grants.len(),
        risky_grants: risky.len(),
        risky_by_severity,
        findings: scan.findings.len(),
        findings_by_severity,
        findings_by_rule,
    }
}
