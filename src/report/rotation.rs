//! Rotation evidence: each secret, key and certificate with its dates, age, days to expiry and
//! flags, judged as the expiry and rotation rules judge them (docs/semantics.md, "Expiry,
//! rotation and dates"): times in Unix seconds, a day is 86,400 s, the boundary day is inside the
//! window, age from `updated` else `created`, disabled objects flagged but not judged.

use super::model::{AgeBucket, ObjectKind, RotationFlag, RotationItem, VaultRef};
use super::text::rfc3339;
use crate::inventory::VaultParts;
use serde_json::Value;

const DAY: i64 = 86_400;

/// The thresholds, from the rules' parameters.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub now: i64,
    pub expiry_warning_days: i64,
    pub max_secret_age_days: i64,
}

/// Rule ids of the findings about each object: (kind, index in the record) → rule ids.
pub type ObjectFindings = std::collections::HashMap<(ObjectKind, usize), Vec<String>>;

pub fn vault_items(
    vault: &VaultRef,
    parts: &VaultParts,
    limits: Limits,
    findings: &ObjectFindings,
) -> Vec<RotationItem> {
    let lists = [
        (ObjectKind::Secret, &parts.secrets),
        (ObjectKind::Key, &parts.keys),
        (ObjectKind::Certificate, &parts.certificates),
    ];
    let mut items = Vec::new();
    for (kind, objects) in lists {
        for (index, object) in objects.iter().enumerate() {
            let mut item = item(vault, kind, object, limits);
            item.findings = findings.get(&(kind, index)).cloned().unwrap_or_default();
            items.push(item);
        }
    }
    items
}

/// Unix seconds; the data plane's fractional values are truncated, as collectors must.
fn seconds(attributes: Option<&Value>, name: &str) -> Option<i64> {
    let value = attributes?.get(name)?;
    value.as_i64().or_else(|| value.as_f64().map(|f| f as i64))
}

fn item(vault: &VaultRef, kind: ObjectKind, object: &Value, limits: Limits) -> RotationItem {
    let properties = object.get("properties");
    let attributes = properties.and_then(|p| p.get("attributes"));
    let enabled = attributes.and_then(|a| a.get("enabled")) != Some(&Value::Bool(false));
    let created = seconds(attributes, "created");
    let updated = seconds(attributes, "updated");
    let expires = seconds(attributes, "exp");
    let last_change = updated.or(created);
    let age_days = last_change.map(|t| (limits.now - t).div_euclid(DAY));
    let days_to_expiry = expires.map(|t| (t - limits.now).div_euclid(DAY));
    let renewal = match kind {
        ObjectKind::Secret => None,
        ObjectKind::Key => Some(key_renewal(properties)),
        ObjectKind::Certificate => Some(certificate_renewal(properties)),
    };
    let mut flags = Vec::new();
    if !enabled {
        flags.push(RotationFlag::Disabled);
    } else {
        match expires {
            None => flags.push(RotationFlag::NeverExpires),
            Some(exp) if exp <= limits.now => flags.push(RotationFlag::Expired),
            Some(exp) if exp - limits.now <= limits.expiry_warning_days * DAY => flags.push(RotationFlag::Expiring),
            Some(_) => {}
        }
        if kind == ObjectKind::Secret && last_change.is_some_and(|t| limits.now - t > limits.max_secret_age_days * DAY)
        {
            flags.push(RotationFlag::OverAge);
        }
        if kind == ObjectKind::Key && !key_rotates(properties) {
            flags.push(RotationFlag::NoAutoRotation);
        }
        if kind == ObjectKind::Certificate
            && certificate_policy(properties).is_some_and(|p| !lifetime_action(p, "AutoRenew"))
        {
            flags.push(RotationFlag::NoAutoRenew);
        }
    }
    RotationItem {
        vault: vault.clone(),
        kind,
        name: object.get("name").and_then(Value::as_str).unwrap_or_default().to_string(),
        enabled,
        created: created.map(rfc3339),
        updated: updated.map(rfc3339),
        expires: expires.map(rfc3339),
        age_days,
        days_to_expiry,
        renewal,
        flags,
        findings: Vec::new(),
    }
}

fn lifetime_actions<'v>(value: Option<&'v Value>, pointer: &str) -> &'v [Value] {
    value.and_then(|v| v.pointer(pointer)).and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default()
}

/// KV031: a key rotates only with a `Rotate` lifetime action (any case).
fn key_rotates(properties: Option<&Value>) -> bool {
    lifetime_actions(properties, "/rotationPolicy/lifetimeActions")
        .iter()
        .any(|a| a.pointer("/action/type").and_then(Value::as_str).is_some_and(|t| t.eq_ignore_ascii_case("rotate")))
}

fn key_renewal(properties: Option<&Value>) -> String {
    let Some(policy) = properties.and_then(|p| p.get("rotationPolicy")).filter(|p| p.is_object()) else {
        return "no rotation policy".into();
    };
    let actions = lifetime_actions(Some(policy), "/lifetimeActions");
    let describe = |action: &Value| {
        let kind = action.pointer("/action/type").and_then(Value::as_str).unwrap_or("unknown action");
        let trigger = action.get("trigger");
        let when = trigger
            .and_then(|t| t.get("timeAfterCreate"))
            .and_then(Value::as_str)
            .map(|d| format!("{d} after creation"))
            .or_else(|| {
                trigger
                    .and_then(|t| t.get("timeBeforeExpiry"))
                    .and_then(Value::as_str)
                    .map(|d| format!("{d} before expiry"))
            });
        match when {
            Some(when) => format!("{} {when}", kind.to_ascii_lowercase()),
            None => kind.to_ascii_lowercase(),
        }
    };
    let described: Vec<String> = actions.iter().map(describe).collect();
    let expiry = policy.pointer("/attributes/expiryTime").and_then(Value::as_str);
    match (described.is_empty(), expiry) {
        (true, _) => "rotation policy without lifetime actions".into(),
        (false, Some(expiry)) => format!("{}; new versions expire after {expiry}", described.join(", ")),
        (false, None) => described.join(", "),
    }
}

fn certificate_policy(properties: Option<&Value>) -> Option<&Value> {
    properties.and_then(|p| p.get("policy")).filter(|p| p.is_object())
}

fn lifetime_action(policy: &Value, wanted: &str) -> bool {
    lifetime_actions(Some(policy), "/lifetime_actions").iter().any(|a| {
        a.pointer("/action/action_type").and_then(Value::as_str).is_some_and(|t| t.eq_ignore_ascii_case(wanted))
    })
}

fn certificate_renewal(properties: Option<&Value>) -> String {
    let Some(policy) = certificate_policy(properties) else {
        return "policy not in the inventory".into();
    };
    let described: Vec<String> = lifetime_actions(Some(policy), "/lifetime_actions")
        .iter()
        .map(|action| {
            let kind = action.pointer("/action/action_type").and_then(Value::as_str).unwrap_or("unknown action");
            let trigger = action.get("trigger");
            let when = trigger
                .and_then(|t| t.get("days_before_expiry"))
                .and_then(Value::as_i64)
                .map(|d| format!("{d} days before expiry"))
                .or_else(|| {
                    trigger
                        .and_then(|t| t.get("lifetime_percentage"))
                        .and_then(Value::as_i64)
                        .map(|p| format!("at {p}% of lifetime"))
                });
            match when {
                Some(when) => format!("{kind} {when}"),
                None => kind.to_string(),
            }
        })
        .collect();
    let validity = policy.pointer("/x509_props/validity_months").and_then(Value::as_i64);
    let actions = if described.is_empty() { "no lifetime action".to_string() } else { described.join(", ") };
    match validity {
        Some(months) => format!("{actions}; valid {months} months"),
        None => actions,
    }
}

/// Ages of enabled secrets, in fixed buckets (the last for secrets without any date).
pub fn secret_age_histogram(items: &[RotationItem]) -> Vec<AgeBucket> {
    let bounds: [(&str, i64); 6] = [
        ("0–30 days", 30),
        ("31–60 days", 60),
        ("61–90 days", 90),
        ("91–180 days", 180),
        ("181–365 days", 365),
        ("over 365 days", i64::MAX),
    ];
    let mut buckets: Vec<AgeBucket> =
        bounds.iter().map(|(label, _)| AgeBucket { label: (*label).into(), count: 0 }).collect();
    buckets.push(AgeBucket { label: "no date".into(), count: 0 });
    for item in items.iter().filter(|i| i.kind == ObjectKind::Secret && i.enabled) {
        let slot = match item.age_days {
            Some(age) => bounds.iter().position(|(_, max)| age <= *max).unwrap_or(bounds.len() - 1),
            None => bounds.len(),
        };
        buckets[slot].count += 1;
    }
    buckets
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: i64 = 1_794_700_800; // 2026-11-15T00:00:00Z

    fn judge(kind: ObjectKind, object: Value) -> RotationItem {
        let limits = Limits { now: NOW, expiry_warning_days: 30, max_secret_age_days: 60 };
        item(&VaultRef { name: "kv".into(), id: "/v".into() }, kind, &object, limits)
    }

    #[test]
    fn secrets_are_flagged_like_the_rules_flag_them() {
        let never = judge(
            ObjectKind::Secret,
            json!({"name": "a", "properties": {"attributes": {"enabled": true, "updated": NOW - 61 * DAY}}}),
        );
        assert_eq!(never.flags, vec![RotationFlag::NeverExpires, RotationFlag::OverAge]);
        assert_eq!(never.age_days, Some(61));
        let boundary = judge(
            ObjectKind::Secret,
            json!({"name": "b", "properties": {"attributes": {"exp": NOW + 30 * DAY, "updated": NOW - 60 * DAY}}}),
        );
        assert_eq!(
            boundary.flags,
            vec![RotationFlag::Expiring],
            "the boundary day is inside the window; 60 days is not over 60"
        );
        assert_eq!(boundary.days_to_expiry, Some(30));
        let expired = judge(
            ObjectKind::Secret,
            json!({"name": "c", "properties": {"attributes": {"exp": NOW - 3 * DAY - 5, "created": NOW - 10 * DAY}}}),
        );
        assert_eq!((expired.flags.clone(), expired.days_to_expiry), (vec![RotationFlag::Expired], Some(-4)));
        let disabled =
            judge(ObjectKind::Secret, json!({"name": "d", "properties": {"attributes": {"enabled": false}}}));
        assert_eq!(disabled.flags, vec![RotationFlag::Disabled]);
    }

    #[test]
    fn keys_and_certificates_describe_their_renewal() {
        let key = judge(
            ObjectKind::Key,
            json!({"name": "k", "properties": {"attributes": {"exp": NOW + 100 * DAY}, "rotationPolicy": {
            "lifetimeActions": [{"trigger": {"timeAfterCreate": "P90D"}, "action": {"type": "Rotate"}}], "attributes": {"expiryTime": "P1Y"}}}}),
        );
        assert!(key.flags.is_empty());
        assert_eq!(key.renewal.as_deref(), Some("rotate P90D after creation; new versions expire after P1Y"));
        let bare = judge(ObjectKind::Key, json!({"name": "k2", "properties": {"attributes": {}}}));
        assert_eq!(bare.flags, vec![RotationFlag::NeverExpires, RotationFlag::NoAutoRotation]);
        let cert = judge(
            ObjectKind::Certificate,
            json!({"name": "c", "properties": {"attributes": {"exp": NOW + 10 * DAY}, "policy": {
            "x509_props": {"validity_months": 24}, "lifetime_actions": [{"trigger": {"days_before_expiry": 30}, "action": {"action_type": "EmailContacts"}}]}}}),
        );
        assert_eq!(cert.flags, vec![RotationFlag::Expiring, RotationFlag::NoAutoRenew]);
        assert_eq!(cert.renewal.as_deref(), Some("EmailContacts 30 days before expiry; valid 24 months"));
    }

    #[test]
    fn histogram_counts_enabled_secrets_by_age() {
        let items: Vec<RotationItem> = [5, 30, 31, 400]
            .iter()
            .map(|days| {
                judge(
                    ObjectKind::Secret,
                    json!({"name": "s", "properties": {"attributes": {"updated": NOW - days * DAY}}}),
                )
            })
            .chain([judge(
                ObjectKind::Secret,
                json!({"name": "x", "properties": {"attributes": {"enabled": false, "updated": NOW}}}),
            )])
            .collect();
        let counts: Vec<usize> = secret_age_histogram(&items).iter().map(|b| b.count).collect();
        assert_eq!(counts, vec![2, 1, 0, 0, 0, 1, 0]);
    }
}
