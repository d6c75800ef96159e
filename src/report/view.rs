//! The review arranged for reading: sections grouped and labelled the way the HTML and Markdown
//! templates show them, so the templates only lay out text. Values stay raw here; each template
//! environment escapes them for its format.

use super::model::*;
use super::text::date_part;
use crate::finding::Severity;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

#[derive(Serialize)]
pub struct View<'a> {
    pub review: &'a AccessReview,
    pub tenant: String,
    pub reference_date: String,
    /// `Contoso Payments Production (d4156625-…): 5 vaults`
    pub subscriptions: Vec<String>,
    pub findings_by_severity: Vec<Count>,
    pub findings_by_rule: Vec<Count>,
    pub risky_by_severity: Vec<Count>,
    pub matrix: Vec<VaultSection>,
    pub risky: Vec<RiskyLine>,
    pub risky_by_principal: Vec<RiskyGroup>,
    pub risky_by_vault: Vec<RiskyGroup>,
    pub principals: Vec<PrincipalSection>,
    pub rotation: Vec<RotationSection>,
    pub rotation_flags: Vec<Count>,
    pub age_histogram: Vec<Count>,
    pub changes: Option<ChangesView>,
}

#[derive(Serialize, Clone)]
pub struct Count {
    pub label: String,
    pub count: usize,
    /// A text bar for Markdown, scaled to the largest count.
    pub bar: String,
    /// Severity name, for colouring.
    pub class: String,
}

#[derive(Serialize)]
pub struct VaultSection {
    pub name: String,
    pub id: String,
    pub subscription: String,
    pub model: String,
    pub environment: String,
    pub principals: usize,
    pub grants: usize,
    pub risky: usize,
    pub rows: Vec<RowView>,
}

#[derive(Serialize)]
pub struct RowView {
    pub vault: String,
    pub principal: String,
    pub principal_id: String,
    pub principal_type: String,
    pub upn: String,
    pub status: String,
    pub grant: String,
    pub what: String,
    pub plane: String,
    pub effective: bool,
    pub scope: String,
    pub inherited: bool,
    pub condition: String,
    pub created_on: String,
    pub created_by: String,
    pub note: String,
    pub risks: String,
}

#[derive(Serialize, Clone)]
pub struct RiskyLine {
    pub number: String,
    pub rule_id: String,
    pub title: String,
    pub severity: String,
    pub status: String,
    pub exemption: String,
    pub principal: String,
    pub principal_id: String,
    pub vaults: String,
    pub message: String,
    pub remediation: String,
}

#[derive(Serialize)]
pub struct RiskyGroup {
    pub title: String,
    pub subtitle: String,
    pub items: Vec<RiskyLine>,
}

#[derive(Serialize)]
pub struct PrincipalSection {
    pub label: String,
    pub id: String,
    pub principal_type: String,
    pub upn: String,
    pub status: String,
    pub guest: bool,
    pub environments: String,
    pub vaults: usize,
    pub data_vaults: usize,
    pub risky: usize,
    pub reach: Vec<ReachLine>,
}

#[derive(Serialize)]
pub struct ReachLine {
    pub vault: String,
    pub environment: String,
    pub grant: String,
    pub what: String,
    pub scope: String,
    pub plane: String,
    pub note: String,
}

#[derive(Serialize)]
pub struct RotationSection {
    pub vault: String,
    pub items: Vec<RotationLine>,
}

#[derive(Serialize)]
pub struct RotationLine {
    pub kind: String,
    pub name: String,
    pub enabled: bool,
    pub created: String,
    pub updated: String,
    pub expires: String,
    pub age_days: String,
    pub days_to_expiry: String,
    pub renewal: String,
    pub flags: Vec<FlagView>,
    pub findings: String,
}

#[derive(Serialize)]
pub struct FlagView {
    pub label: String,
    /// `bad` (expired, over the limit), `warn` (expiring, no automation) or `info`.
    pub class: &'static str,
}

#[derive(Serialize)]
pub struct ChangesView {
    pub previous_file: String,
    pub previous_time: String,
    pub previous_version: String,
    pub grants_added: Vec<ChangeLine>,
    pub grants_removed: Vec<ChangeLine>,
    pub grants_changed: Vec<ChangedLine>,
    pub principals_new: Vec<String>,
    pub principals_gone: Vec<String>,
    pub vaults_new: Vec<String>,
    pub vaults_gone: Vec<String>,
    pub risky_new: Vec<RiskyLine>,
    pub risky_resolved: Vec<RiskyLine>,
    pub empty: bool,
}

#[derive(Serialize)]
pub struct ChangeLine {
    pub vault: String,
    pub principal: String,
    pub grant: String,
    pub what: String,
    pub scope: String,
}

#[derive(Serialize)]
pub struct ChangedLine {
    pub vault: String,
    pub principal: String,
    pub before: String,
    pub after: String,
    pub changed: String,
}

fn counts(items: impl IntoIterator<Item = (String, usize, String)>) -> Vec<Count> {
    let items: Vec<(String, usize, String)> = items.into_iter().collect();
    let max = items.iter().map(|(_, c, _)| *c).max().unwrap_or(0).max(1);
    items
        .into_iter()
        .map(|(label, count, class)| Count { bar: "█".repeat((count * 20).div_ceil(max)), label, count, class })
        .collect()
}

fn severity_counts(map: &BTreeMap<Severity, usize>) -> Vec<Count> {
    counts(
        Severity::ALL
            .iter()
            .map(|s| (s.as_str().to_string(), map.get(s).copied().unwrap_or(0), s.as_str().to_string())),
    )
}

fn principal_label(p: &PrincipalRef) -> String {
    match p.status {
        PrincipalStatus::Orphaned => format!("{} (not in the directory)", p.id),
        _ => p.label().to_string(),
    }
}

fn status_label(status: PrincipalStatus) -> &'static str {
    match status {
        PrincipalStatus::Known => "in directory",
        PrincipalStatus::Orphaned => "orphaned: deleted or foreign",
        PrincipalStatus::Unresolved => "not resolved",
    }
}

fn row_view(grant: &Grant) -> RowView {
    let created_by = match (&grant.created_by_name, &grant.created_by) {
        (Some(name), _) => name.clone(),
        (None, Some(id)) => id.clone(),
        _ => String::new(),
    };
    RowView {
        vault: grant.vault.name.clone(),
        principal: principal_label(&grant.principal),
        principal_id: grant.principal.id.clone(),
        principal_type: grant.principal.kind.label().to_string(),
        upn: grant.principal.user_principal_name.clone().unwrap_or_default(),
        status: status_label(grant.principal.status).to_string(),
        grant: grant.kind.label().to_string(),
        what: grant.what(),
        plane: grant.plane.label().to_string(),
        effective: grant.effective,
        scope: grant.scope_label(),
        inherited: grant.inherited,
        condition: grant.condition.clone().unwrap_or_default(),
        created_on: grant.created_on.as_deref().map(date_part).unwrap_or_default().to_string(),
        created_by,
        note: grant.note.clone().unwrap_or_default(),
        risks: grant.risks.join(", "),
    }
}

fn risky_line(number: String, risky: &RiskyGrant) -> RiskyLine {
    let exemption = risky
        .exemption
        .as_ref()
        .map(|e| format!("exempted until {} by {}: {}", e.expires, e.owner, e.reason))
        .unwrap_or_default();
    RiskyLine {
        number,
        rule_id: risky.rule_id.clone(),
        title: risky.title.clone(),
        severity: risky.severity.as_str().to_string(),
        status: risky.status.clone(),
        exemption,
        principal: risky.principal.as_ref().map(principal_label).unwrap_or_else(|| "—".into()),
        principal_id: risky.principal.as_ref().map(|p| p.id.clone()).unwrap_or_default(),
        vaults: risky.vaults.iter().map(|v| v.name.clone()).collect::<Vec<_>>().join(", "),
        message: risky.message.clone(),
        remediation: risky.remediation.clone(),
    }
}

fn flag_class(flag: RotationFlag) -> &'static str {
    match flag {
        RotationFlag::Expired | RotationFlag::OverAge => "bad",
        RotationFlag::Expiring
        | RotationFlag::NeverExpires
        | RotationFlag::NoAutoRotation
        | RotationFlag::NoAutoRenew => "warn",
        RotationFlag::Disabled => "info",
    }
}

fn change_line(grant: &Grant) -> ChangeLine {
    ChangeLine {
        vault: grant.vault.name.clone(),
        principal: principal_label(&grant.principal),
        grant: grant.kind.label().to_string(),
        what: grant.what(),
        scope: grant.scope_label(),
    }
}

pub fn view(review: &AccessReview) -> View<'_> {
    let tenant = if review.tenants.is_empty() {
        "not recorded in the inventory".to_string()
    } else {
        review
            .tenants
            .iter()
            .map(|t| match &t.display_name {
                Some(name) => format!("{name} ({})", t.id),
                None => t.id.clone(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    // Everything grouped once: a large tenant has tens of thousands of grants.
    let mut grants_by_vault: HashMap<&str, Vec<&Grant>> = HashMap::new();
    let mut grants_by_principal: HashMap<String, Vec<&Grant>> = HashMap::new();
    for grant in &review.grants {
        grants_by_vault.entry(grant.vault.id.as_str()).or_default().push(grant);
        grants_by_principal.entry(grant.principal.id.to_ascii_lowercase()).or_default().push(grant);
    }
    let mut risky_by_vault_id: HashMap<&str, Vec<&RiskyGrant>> = HashMap::new();
    for risky in &review.risky_grants {
        for vault in &risky.vaults {
            risky_by_vault_id.entry(vault.id.as_str()).or_default().push(risky);
        }
    }
    let mut items_by_vault: HashMap<&str, Vec<&RotationItem>> = HashMap::new();
    for item in &review.rotation.items {
        items_by_vault.entry(item.vault.id.as_str()).or_default().push(item);
    }
    let environments: HashMap<&str, &str> =
        review.vaults.iter().filter_map(|v| Some((v.id.as_str(), v.environment.as_deref()?))).collect();
    let principal_infos: HashMap<String, &PrincipalInfo> =
        review.principals.iter().map(|p| (p.principal.id.to_ascii_lowercase(), p)).collect();
    let numbers: BTreeMap<&str, String> =
        review.risky_grants.iter().enumerate().map(|(i, r)| (r.fingerprint.as_str(), format!("R{}", i + 1))).collect();
    let line =
        |r: &RiskyGrant| risky_line(numbers.get(r.fingerprint.as_str()).cloned().unwrap_or_else(|| "—".into()), r);
    let risky: Vec<RiskyLine> = review.risky_grants.iter().map(line).collect();

    let mut by_principal: BTreeMap<(String, String), Vec<RiskyLine>> = BTreeMap::new();
    for r in &review.risky_grants {
        let (title, id) = match &r.principal {
            Some(p) => (principal_label(p), p.id.clone()),
            None => ("no single principal".to_string(), String::new()),
        };
        by_principal.entry((title.to_ascii_lowercase(), id)).or_default().push(line(r));
    }
    let risky_by_principal = by_principal
        .into_iter()
        .map(|((_, id), items)| {
            let principal = principal_infos.get(&id.to_ascii_lowercase());
            let title = items.first().map(|i| i.principal.clone()).unwrap_or_default();
            let subtitle = principal.map(|p| format!("{}, {}", p.principal.kind.label(), p.principal.id)).unwrap_or(id);
            RiskyGroup { title, subtitle, items }
        })
        .collect();
    let risky_by_vault = review
        .vaults
        .iter()
        .filter_map(|vault| {
            let items: Vec<RiskyLine> =
                risky_by_vault_id.get(vault.id.as_str()).into_iter().flatten().map(|r| line(r)).collect();
            (!items.is_empty()).then(|| RiskyGroup { title: vault.name.clone(), subtitle: vault.id.clone(), items })
        })
        .collect();

    let matrix = review
        .vaults
        .iter()
        .map(|vault| VaultSection {
            name: vault.name.clone(),
            id: vault.id.clone(),
            subscription: vault.subscription_name.clone().or_else(|| vault.subscription_id.clone()).unwrap_or_default(),
            model: vault.permission_model.label().to_string(),
            environment: vault.environment.clone().unwrap_or_default(),
            principals: vault.principals,
            grants: vault.grants,
            risky: vault.risky_grants,
            rows: grants_by_vault.get(vault.id.as_str()).into_iter().flatten().map(|g| row_view(g)).collect(),
        })
        .collect();

    let environment_of = |id: &str| environments.get(id).map(|e| e.to_string()).unwrap_or_default();
    let principals = review
        .principals
        .iter()
        .map(|p| PrincipalSection {
            label: principal_label(&p.principal),
            id: p.principal.id.clone(),
            principal_type: p.principal.kind.label().to_string(),
            upn: p.principal.user_principal_name.clone().unwrap_or_default(),
            status: status_label(p.principal.status).to_string(),
            guest: p.guest,
            environments: p.environments.join(", "),
            vaults: p.vaults.len(),
            data_vaults: p.data_vaults.len(),
            risky: p.risky_grants,
            reach: grants_by_principal
                .get(&p.principal.id.to_ascii_lowercase())
                .into_iter()
                .flatten()
                .map(|g| ReachLine {
                    vault: g.vault.name.clone(),
                    environment: environment_of(&g.vault.id),
                    grant: g.kind.label().to_string(),
                    what: g.what(),
                    scope: g.scope_label(),
                    plane: g.plane.label().to_string(),
                    note: g.note.clone().unwrap_or_default(),
                })
                .collect(),
        })
        .collect();

    let rotation = review
        .vaults
        .iter()
        .filter_map(|vault| {
            let items: Vec<RotationLine> = items_by_vault
                .get(vault.id.as_str())
                .into_iter()
                .flatten()
                .map(|i| RotationLine {
                    kind: i.kind.label().to_string(),
                    name: i.name.clone(),
                    enabled: i.enabled,
                    created: i.created.as_deref().map(date_part).unwrap_or_default().to_string(),
                    updated: i.updated.as_deref().map(date_part).unwrap_or_default().to_string(),
                    expires: i.expires.as_deref().map(date_part).unwrap_or("never").to_string(),
                    age_days: i.age_days.map(|d| d.to_string()).unwrap_or_default(),
                    days_to_expiry: i.days_to_expiry.map(|d| d.to_string()).unwrap_or_default(),
                    renewal: i.renewal.clone().unwrap_or_default(),
                    flags: i
                        .flags
                        .iter()
                        .map(|f| FlagView { label: f.label().to_string(), class: flag_class(*f) })
                        .collect(),
                    findings: i.findings.join(", "),
                })
                .collect();
            (!items.is_empty()).then(|| RotationSection { vault: vault.name.clone(), items })
        })
        .collect();

    let changes = review.changes.as_ref().map(|c| ChangesView {
        previous_file: c.previous.file.clone(),
        previous_time: c.previous.reference_time.clone(),
        previous_version: c.previous.tool_version.clone(),
        grants_added: c.grants_added.iter().map(change_line).collect(),
        grants_removed: c.grants_removed.iter().map(change_line).collect(),
        grants_changed: c
            .grants_changed
            .iter()
            .map(|change| ChangedLine {
                vault: change.after.vault.name.clone(),
                principal: principal_label(&change.after.principal),
                before: format!("{} ({})", change.before.what(), change.before.scope_label()),
                after: format!("{} ({})", change.after.what(), change.after.scope_label()),
                changed: change.changed.join(", "),
            })
            .collect(),
        principals_new: c
            .principals_new
            .iter()
            .map(|p| format!("{} ({})", principal_label(p), p.kind.label()))
            .collect(),
        principals_gone: c
            .principals_gone
            .iter()
            .map(|p| format!("{} ({})", principal_label(p), p.kind.label()))
            .collect(),
        vaults_new: c.vaults_new.iter().map(|v| v.name.clone()).collect(),
        vaults_gone: c.vaults_gone.iter().map(|v| v.name.clone()).collect(),
        risky_new: c.risky_new.iter().map(line).collect(),
        risky_resolved: c.risky_resolved.iter().map(|r| risky_line("—".into(), r)).collect(),
        empty: c.grants_added.is_empty()
            && c.grants_removed.is_empty()
            && c.grants_changed.is_empty()
            && c.principals_new.is_empty()
            && c.principals_gone.is_empty()
            && c.vaults_new.is_empty()
            && c.vaults_gone.is_empty()
            && c.risky_new.is_empty()
            && c.risky_resolved.is_empty(),
    });

    View {
        review,
        tenant,
        reference_date: date_part(&review.reference_time).to_string(),
        subscriptions: review
            .subscriptions
            .iter()
            .map(|s| {
                let state = s
                    .state
                    .as_deref()
                    .filter(|st| !st.eq_ignore_ascii_case("enabled"))
                    .map(|st| format!(", state {st}"))
                    .unwrap_or_default();
                match &s.display_name {
                    Some(name) => format!("{name} ({}): {} vaults{state}", s.id, s.vaults),
                    None => format!("{}: {} vaults{state}", s.id, s.vaults),
                }
            })
            .collect(),
        findings_by_severity: severity_counts(&review.summary.findings_by_severity),
        findings_by_rule: counts(
            review.summary.findings_by_rule.iter().map(|(rule, n)| (rule.clone(), *n, String::new())),
        ),
        risky_by_severity: severity_counts(&review.summary.risky_by_severity),
        matrix,
        risky,
        risky_by_principal,
        risky_by_vault,
        principals,
        rotation,
        rotation_flags: counts(
            review.rotation.flag_counts.iter().map(|(f, n)| (f.label().to_string(), *n, flag_class(*f).to_string())),
        ),
        age_histogram: counts(
            review.rotation.secret_age_histogram.iter().map(|b| (b.label.clone(), b.count, String::new())),
        ),
        changes,
    }
}
