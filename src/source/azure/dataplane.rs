//! The Key Vault data plane, for what ARM does not have: certificates with their policies and
//! key rotation policies. Metadata endpoints only: kvscan never calls `GET /secrets/{name}`.
//!
//! Authentication follows Key Vault's challenge: the first request goes without a token, the
//! `401` names the authority and the audience, and kvscan checks both before sending a token —
//! a vault host outside the cloud's Key Vault domain, or a challenge for another audience, gets
//! no token at all.

use super::cloud::CloudProfile;
use super::http::{status_error, Auth, Http, HttpError};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

pub struct DataPlane<'a> {
    http: &'a Http,
    base: String,
    api_version: String,
    auth: Auth,
}

impl<'a> DataPlane<'a> {
    /// Runs the challenge against `vault_uri` and returns a client for its metadata endpoints.
    pub async fn connect(
        http: &'a Http,
        profile: &CloudProfile,
        vault_uri: &str,
        vault_tenant: Option<&str>,
    ) -> Result<DataPlane<'a>, String> {
        if !profile.is_vault_uri(vault_uri) {
            return Err(format!(
                "the vault URI is not in the {} Key Vault domain (*{}), so no token is sent to it",
                profile.name, profile.key_vault_dns_suffix
            ));
        }
        let base = if vault_uri.ends_with('/') { vault_uri.to_string() } else { format!("{vault_uri}/") };
        let api_version = profile.api_versions.key_vault_data_plane.clone();
        let probe = format!("{base}certificates?api-version={api_version}&maxresults=1");
        let response = http.send(Method::GET, &probe, &Auth::None, None).await.map_err(|e| e.to_string())?;
        let scope = profile.key_vault_scope();
        match response.status {
            StatusCode::UNAUTHORIZED => {
                let header = response
                    .headers
                    .get(reqwest::header::WWW_AUTHENTICATE)
                    .and_then(|v| v.to_str().ok())
                    .ok_or("the vault answered 401 without a WWW-Authenticate challenge")?;
                let challenge = Challenge::parse(header);
                if let Some(resource) = challenge.resource() {
                    if !same_audience(&resource, &profile.key_vault_audience) {
                        return Err(format!(
                            "the vault's challenge asks for a token for {resource}, not for the cloud's Key Vault audience {}",
                            profile.key_vault_audience
                        ));
                    }
                }
                if let (Some(challenged), Some(expected)) = (challenge.tenant(), vault_tenant) {
                    if !challenged.eq_ignore_ascii_case(expected) {
                        return Err(format!(
                            "the vault's challenge names tenant {challenged}, but the vault belongs to tenant {expected}"
                        ));
                    }
                }
            }
            status if status.is_success() => {}
            _ => return Err(status_error(&response, "GET").to_string()),
        }
        Ok(DataPlane { http, base, api_version, auth: Auth::Scope(scope) })
    }

    /// Every certificate with its policy, in the inventory's certificate shape.
    pub async fn certificates(&self) -> Result<Vec<Value>, HttpError> {
        let url = format!("{}certificates?api-version={}&maxresults=25", self.base, self.api_version);
        let items = self.http.list(&url, &self.auth).await?;
        let mut certificates = Vec::with_capacity(items.len());
        for item in items {
            let Some(id) = item.get("id").and_then(Value::as_str).map(str::to_string) else { continue };
            let name = id.trim_end_matches('/').rsplit('/').next().unwrap_or_default().to_string();
            let policy_url = format!("{}certificates/{name}/policy?api-version={}", self.base, self.api_version);
            let policy = self.http.get_json(&policy_url, &self.auth).await?;
            let mut properties = serde_json::Map::new();
            for key in ["attributes", "x5t", "tags", "subject"] {
                if let Some(value) = item.get(key) {
                    properties.insert(key.into(), value.clone());
                }
            }
            properties.insert("policy".into(), policy);
            certificates.push(json!({ "id": id, "name": name, "properties": properties }));
        }
        Ok(certificates)
    }

    /// The key's rotation policy; `None` when the key has none.
    pub async fn rotation_policy(&self, key: &str) -> Result<Option<Value>, HttpError> {
        let url = format!("{}keys/{key}/rotationpolicy?api-version={}", self.base, self.api_version);
        let response = self.http.send(Method::GET, &url, &self.auth, None).await?;
        match response.status {
            StatusCode::NOT_FOUND => Ok(None),
            status if status.is_success() => response.json().map(Some),
            _ => Err(status_error(&response, "GET")),
        }
    }
}

/// `Bearer authorization="https://login.microsoftonline.com/<tenant>", resource="https://vault.azure.net"`
/// (older vaults say `authorization_uri`; newer ones may give `scope` instead of `resource`).
struct Challenge {
    parameters: Vec<(String, String)>,
}

impl Challenge {
    fn parse(header: &str) -> Challenge {
        let rest = header.trim().strip_prefix("Bearer").unwrap_or(header);
        let mut parameters = Vec::new();
        for part in rest.split(',') {
            if let Some((key, value)) = part.split_once('=') {
                parameters.push((key.trim().to_ascii_lowercase(), value.trim().trim_matches('"').to_string()));
            }
        }
        Challenge { parameters }
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.parameters.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    fn resource(&self) -> Option<String> {
        self.get("resource")
            .map(str::to_string)
            .or_else(|| self.get("scope").map(|s| s.trim_end_matches("/.default").to_string()))
    }

    fn tenant(&self) -> Option<String> {
        let authority = self.get("authorization").or_else(|| self.get("authorization_uri"))?;
        let tenant = authority.trim_end_matches('/').rsplit('/').next()?;
        (!tenant.is_empty() && !tenant.contains(':')).then(|| tenant.to_string())
    }
}

fn same_audience(a: &str, b: &str) -> bool {
    a.trim_end_matches('/').eq_ignore_ascii_case(b.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges_name_tenant_and_audience() {
        let c = Challenge::parse(
            r#"Bearer authorization="https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47", resource="https://vault.azure.net""#,
        );
        assert_eq!(c.tenant().as_deref(), Some("72f988bf-86f1-41af-91ab-2d7cd011db47"));
        assert_eq!(c.resource().as_deref(), Some("https://vault.azure.net"));
        let scoped = Challenge::parse(
            r#"Bearer authorization_uri="https://login.example/t1/", scope="https://vault.azure.net/.default""#,
        );
        assert_eq!(scoped.tenant().as_deref(), Some("t1"));
        assert_eq!(scoped.resource().as_deref(), Some("https://vault.azure.net"));
        assert!(same_audience("https://vault.azure.net/", "https://VAULT.azure.net"));
        assert!(!same_audience("https://vault.azure.net", "https://graph.microsoft.com"));
    }
}
