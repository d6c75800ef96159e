//! Where a role assignment applies relative to a vault, decided as policies/lib/access.rego
//! decides it: scopes compared lower-cased without a trailing slash, an absent scope meaning the
//! vault itself, ancestors at segment boundaries, and any management group or the root counting as
//! above the vault (an assignment there is only in the records of vaults below it).

use super::model::{ObjectRef, ScopeKind};

const MANAGEMENT_GROUP_PREFIX: &str = "/providers/microsoft.management/managementgroups/";

/// A scope placed relative to one vault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    pub kind: ScopeKind,
    /// The scope as written (trailing slash removed), or the vault id when absent.
    pub scope: String,
    /// For an inherited scope: where it comes from, in words, with names as Azure wrote them.
    pub from: Option<String>,
    /// For a per-object scope: the object.
    pub object: Option<ObjectRef>,
}

/// Lower-cased scope without a trailing slash; the root stays "/".
pub fn normalize(scope: &str) -> String {
    let trimmed = scope.trim_end_matches('/');
    if trimmed.is_empty() {
        "/".into()
    } else {
        trimmed.to_ascii_lowercase()
    }
}

/// Places `scope` (None or empty: the vault) relative to `vault_id`; None when the scope neither
/// covers the vault nor lies inside it (it does not apply to this vault, and the rules ignore it).
/// `subscription_name` turns a subscription id into its display name for the label.
pub fn place(
    scope: Option<&str>,
    vault_id: &str,
    subscription_name: impl Fn(&str) -> Option<String>,
) -> Option<Placement> {
    let written = match scope {
        Some(s) if !s.is_empty() => {
            let trimmed = s.trim_end_matches('/');
            if trimmed.is_empty() {
                "/".to_string()
            } else {
                trimmed.to_string()
            }
        }
        _ => vault_id.trim_end_matches('/').to_string(),
    };
    let normalized = normalize(&written);
    let vault = normalize(vault_id);
    let vault_prefix = format!("{vault}/");
    let last = written.rsplit('/').next().unwrap_or_default().to_string();
    let placement = |kind, from: Option<String>, object| Some(Placement { kind, scope: written.clone(), from, object });
    if normalized == vault {
        return placement(ScopeKind::Vault, None, None);
    }
    if let Some(rest) = normalized.strip_prefix(&vault_prefix) {
        // Keep the object's name as written: the lower-cased copy only decides the kind.
        let original_rest = &written[written.len() - rest.len()..];
        let mut parts = original_rest.splitn(2, '/');
        let segment = parts.next().unwrap_or_default();
        let name = parts.next().unwrap_or_default().to_string();
        let kind = match segment.to_ascii_lowercase().as_str() {
            "secrets" => "secret".to_string(),
            "keys" => "key".to_string(),
            "certificates" => "certificate".to_string(),
            other => other.to_string(),
        };
        return placement(ScopeKind::Object, None, Some(ObjectRef { kind, name }));
    }
    if normalized == "/" {
        return placement(ScopeKind::Root, Some("root scope (/)".into()), None);
    }
    if normalized.starts_with(MANAGEMENT_GROUP_PREFIX) {
        return placement(ScopeKind::ManagementGroup, Some(format!("management group '{last}'")), None);
    }
    if !vault_prefix.starts_with(&format!("{normalized}/")) {
        return None;
    }
    let parts: Vec<&str> = normalized.split('/').collect();
    match parts.as_slice() {
        ["", "subscriptions", id] if !id.is_empty() => {
            let label = match subscription_name(&last) {
                Some(name) => format!("subscription '{name}' ({last})"),
                None => format!("subscription '{last}'"),
            };
            placement(ScopeKind::Subscription, Some(label), None)
        }
        ["", "subscriptions", _, "resourcegroups", group] if !group.is_empty() => {
            placement(ScopeKind::ResourceGroup, Some(format!("resource group '{last}'")), None)
        }
        _ => placement(ScopeKind::Ancestor, Some(format!("scope '{written}'")), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VAULT: &str = "/subscriptions/S1/resourceGroups/RG-App/providers/Microsoft.KeyVault/vaults/kv-app";

    fn kind(scope: Option<&str>) -> Option<ScopeKind> {
        place(scope, VAULT, |_| None).map(|p| p.kind)
    }

    #[test]
    fn inherited_scopes_are_prefixes_at_segment_boundaries_in_any_case() {
        assert_eq!(kind(Some("/subscriptions/s1/resourcegroups/rg-app")), Some(ScopeKind::ResourceGroup));
        assert_eq!(kind(Some("/SUBSCRIPTIONS/S1/")), Some(ScopeKind::Subscription));
        assert_eq!(kind(Some("/")), Some(ScopeKind::Root));
        assert_eq!(
            kind(Some("/providers/Microsoft.Management/managementGroups/mg-x")),
            Some(ScopeKind::ManagementGroup)
        );
        // "rg-ap" is a string prefix of "rg-app" but another resource group.
        assert_eq!(kind(Some("/subscriptions/s1/resourceGroups/rg-ap")), None);
        assert_eq!(kind(Some("/subscriptions/s2")), None);
    }

    #[test]
    fn vault_and_absent_scopes_are_the_vault() {
        assert_eq!(kind(Some(&VAULT.to_lowercase())), Some(ScopeKind::Vault));
        assert_eq!(kind(None), Some(ScopeKind::Vault));
        assert_eq!(kind(Some("")), Some(ScopeKind::Vault));
    }

    #[test]
    fn per_object_scopes_name_the_object_as_written() {
        let placed = place(
            Some(&format!("{}/secrets/Stripe-Key", VAULT.to_uppercase().replace("KV-APP", "kv-app"))),
            VAULT,
            |_| None,
        )
        .expect("inside the vault");
        assert_eq!(placed.kind, ScopeKind::Object);
        assert_eq!(placed.object, Some(ObjectRef { kind: "secret".into(), name: "Stripe-Key".into() }));
        let key = place(Some(&format!("{VAULT}/keys/cmk")), VAULT, |_| None).expect("inside");
        assert_eq!(key.object.map(|o| (o.kind, o.name)), Some(("key".into(), "cmk".into())));
    }

    #[test]
    fn labels_name_where_an_inherited_grant_comes_from() {
        let sub = place(Some("/subscriptions/S1"), VAULT, |id| (id == "S1").then(|| "Production".to_string()))
            .expect("covers");
        assert_eq!(sub.from.as_deref(), Some("subscription 'Production' (S1)"));
        let group = place(Some("/subscriptions/S1/resourceGroups/RG-App"), VAULT, |_| None).expect("covers");
        assert_eq!(group.from.as_deref(), Some("resource group 'RG-App'"));
    }
}
