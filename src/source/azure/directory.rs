//! Principal names and types from Microsoft Graph (`directoryObjects/getByIds`, 1,000 ids a
//! request). Optional: without Graph permission a scan goes on with bare object ids.

use super::cloud::CloudProfile;
use super::http::{Auth, Http};
use crate::inventory::Principal;
use serde_json::{json, Value};
use std::collections::BTreeSet;

pub async fn resolve(http: &Http, profile: &CloudProfile, ids: &BTreeSet<String>) -> Result<Vec<Principal>, String> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let url = format!("{}/v1.0/directoryObjects/getByIds", profile.microsoft_graph.trim_end_matches('/'));
    let auth = Auth::Scope(profile.graph_scope());
    let ids: Vec<&String> = ids.iter().collect();
    let mut principals = Vec::new();
    for batch in ids.chunks(1000) {
        let body = json!({ "ids": batch, "types": ["user", "group", "servicePrincipal"] });
        let answer = http.post_json(&url, &auth, &body).await.map_err(|e| e.to_string())?;
        let Some(Value::Array(objects)) = answer.get("value") else {
            return Err("Microsoft Graph answered without a \"value\" array".into());
        };
        principals.extend(objects.iter().filter_map(principal));
    }
    principals.sort_by(|a, b| a.id.cmp(&b.id));
    principals.dedup_by(|a, b| a.id == b.id);
    Ok(principals)
}

/// Graph's directory object as an inventory principal (`type` as docs/inventory.md defines it).
fn principal(object: &Value) -> Option<Principal> {
    let text = |key: &str| object.get(key).and_then(Value::as_str).map(str::to_string);
    let kind = match text("@odata.type").as_deref() {
        Some("#microsoft.graph.user") => "User",
        Some("#microsoft.graph.group") => "Group",
        Some("#microsoft.graph.servicePrincipal") => {
            if text("servicePrincipalType").is_some_and(|t| t.eq_ignore_ascii_case("ManagedIdentity")) {
                "ManagedIdentity"
            } else {
                "ServicePrincipal"
            }
        }
        _ => "Unknown",
    };
    Some(Principal {
        id: text("id")?,
        display_name: text("displayName"),
        principal_type: Some(kind.to_string()),
        user_principal_name: text("userPrincipalName"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_objects_become_principals() {
        let user = json!({"@odata.type": "#microsoft.graph.user", "id": "ABC", "displayName": "A", "userPrincipalName": "a_x.com#EXT#@t.onmicrosoft.com"});
        let p = principal(&user).expect("user");
        assert_eq!((p.id.as_str(), p.principal_type.as_deref()), ("ABC", Some("User")));
        let mi = json!({"@odata.type": "#microsoft.graph.servicePrincipal", "id": "d", "servicePrincipalType": "ManagedIdentity"});
        assert_eq!(principal(&mi).and_then(|p| p.principal_type).as_deref(), Some("ManagedIdentity"));
        let app = json!({"@odata.type": "#microsoft.graph.servicePrincipal", "id": "e", "servicePrincipalType": "Application"});
        assert_eq!(principal(&app).and_then(|p| p.principal_type).as_deref(), Some("ServicePrincipal"));
        assert!(principal(&json!({"@odata.type": "#microsoft.graph.user"})).is_none());
    }
}
