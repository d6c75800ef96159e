//! Cloud profiles: every endpoint, token audience and api-version a live scan uses. Sovereign
//! clouds, Azure Stack and the test suite's loopback server are all just profiles.

use serde::{Deserialize, Serialize};

/// The api-versions of every surface kvscan calls (`docs` of each in shared design notes:
/// Key Vault 2026-02-01 with a 2024-11-01 fallback, Authorization 2022-04-01, Resources
/// 2022-12-01, diagnostic settings 2021-05-01-preview, Resource Graph 2024-04-01, data plane 7.6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApiVersions {
    pub key_vault: String,
    pub key_vault_fallback: String,
    pub authorization: String,
    pub resources: String,
    pub diagnostic_settings: String,
    pub resource_graph: String,
    pub security_pricings: String,
    pub key_vault_data_plane: String,
}

impl Default for ApiVersions {
    fn default() -> Self {
        ApiVersions {
            key_vault: "2026-02-01".into(),
            key_vault_fallback: "2024-11-01".into(),
            authorization: "2022-04-01".into(),
            resources: "2022-12-01".into(),
            diagnostic_settings: "2021-05-01-preview".into(),
            resource_graph: "2024-04-01".into(),
            security_pricings: "2024-01-01".into(),
            key_vault_data_plane: "7.6".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CloudProfile {
    pub name: String,
    /// Resource Manager endpoint, e.g. `https://management.azure.com/`; Resource Graph is on it too.
    pub resource_manager: String,
    /// Token audience for Resource Manager (the scope is `<audience>/.default`).
    pub resource_manager_audience: String,
    /// Microsoft Entra authority host, e.g. `https://login.microsoftonline.com`.
    pub authority_host: String,
    /// Key Vault DNS suffix, e.g. `.vault.azure.net`.
    pub key_vault_dns_suffix: String,
    /// Key Vault data-plane token audience, e.g. `https://vault.azure.net`.
    pub key_vault_audience: String,
    /// Microsoft Graph endpoint, e.g. `https://graph.microsoft.com`.
    pub microsoft_graph: String,
    #[serde(default)]
    pub api_versions: ApiVersions,
}

#[derive(Debug, thiserror::Error)]
pub enum CloudError {
    #[error("unknown cloud '{0}' (built in: AzureCloud, AzureUSGovernment, AzureChinaCloud; use --cloud-config FILE for others)")]
    Unknown(String),
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
}

impl CloudProfile {
    /// The built-in profiles (values from the Azure CLI's cloud table and the Entra and Graph
    /// national-cloud documentation).
    pub fn builtin(name: &str) -> Result<CloudProfile, CloudError> {
        let (name, arm, login, kv_suffix, kv_audience, graph) = match name.to_ascii_lowercase().as_str() {
            "azurecloud" | "public" => (
                "AzureCloud",
                "https://management.azure.com/",
                "https://login.microsoftonline.com",
                ".vault.azure.net",
                "https://vault.azure.net",
                "https://graph.microsoft.com",
            ),
            "azureusgovernment" | "usgov" => (
                "AzureUSGovernment",
                "https://management.usgovcloudapi.net/",
                "https://login.microsoftonline.us",
                ".vault.usgovcloudapi.net",
                "https://vault.usgovcloudapi.net",
                "https://graph.microsoft.us",
            ),
            "azurechinacloud" | "china" => (
                "AzureChinaCloud",
                "https://management.chinacloudapi.cn/",
                "https://login.chinacloudapi.cn",
                ".vault.azure.cn",
                "https://vault.azure.cn",
                "https://microsoftgraph.chinacloudapi.cn",
            ),
            _ => return Err(CloudError::Unknown(name.to_string())),
        };
        Ok(CloudProfile {
            name: name.into(),
            resource_manager: arm.into(),
            resource_manager_audience: arm.trim_end_matches('/').into(),
            authority_host: login.into(),
            key_vault_dns_suffix: kv_suffix.into(),
            key_vault_audience: kv_audience.into(),
            microsoft_graph: graph.into(),
            api_versions: ApiVersions::default(),
        })
    }

    /// A custom profile (Azure Stack, a private cloud, or the tests' loopback server), as JSON.
    pub fn from_file(file: &str, text: &str) -> Result<CloudProfile, CloudError> {
        let profile: CloudProfile = serde_json::from_str(text).map_err(|e| CloudError::Invalid {
            file: file.to_string(),
            message: format!("{}:{}: not a cloud profile: {e}", e.line(), e.column()),
        })?;
        for (field, value) in [
            ("resourceManager", &profile.resource_manager),
            ("authorityHost", &profile.authority_host),
            ("keyVaultAudience", &profile.key_vault_audience),
            ("microsoftGraph", &profile.microsoft_graph),
        ] {
            if !value.starts_with("https://") {
                return Err(CloudError::Invalid {
                    file: file.to_string(),
                    message: format!("{field} must be an https:// URL, not '{value}' (tokens travel to it)"),
                });
            }
        }
        Ok(profile)
    }

    /// The OAuth scope for Resource Manager and Resource Graph calls.
    pub fn resource_manager_scope(&self) -> String {
        format!("{}/.default", self.resource_manager_audience.trim_end_matches('/'))
    }

    /// The OAuth scope for Key Vault data-plane calls.
    pub fn key_vault_scope(&self) -> String {
        format!("{}/.default", self.key_vault_audience.trim_end_matches('/'))
    }

    /// The OAuth scope for Microsoft Graph.
    pub fn graph_scope(&self) -> String {
        format!("{}/.default", self.microsoft_graph.trim_end_matches('/'))
    }

    /// Whether a vault URI belongs to this cloud: data-plane tokens go only to such hosts.
    pub fn is_vault_uri(&self, uri: &str) -> bool {
        let Some(rest) = uri.strip_prefix("https://") else { return false };
        let host = rest.split(['/', ':']).next().unwrap_or_default().to_ascii_lowercase();
        host.ends_with(&self.key_vault_dns_suffix.to_ascii_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_profiles_have_their_cloud_endpoints() {
        let public = CloudProfile::builtin("AzureCloud").expect("built in");
        assert_eq!(public.resource_manager_scope(), "https://management.azure.com/.default");
        assert_eq!(public.key_vault_scope(), "https://vault.azure.net/.default");
        let gov = CloudProfile::builtin("azureusgovernment").expect("built in");
        assert_eq!(gov.key_vault_dns_suffix, ".vault.usgovcloudapi.net");
        assert_eq!(gov.authority_host, "https://login.microsoftonline.us");
        let china = CloudProfile::builtin("AzureChinaCloud").expect("built in");
        assert_eq!(china.graph_scope(), "https://microsoftgraph.chinacloudapi.cn/.default");
        assert!(CloudProfile::builtin("AzureGermanCloud").is_err());
    }

    #[test]
    fn vault_uris_are_matched_on_the_host_suffix() {
        let public = CloudProfile::builtin("AzureCloud").expect("built in");
        assert!(public.is_vault_uri("https://kv1.vault.azure.net/"));
        assert!(public.is_vault_uri("https://KV1.VAULT.AZURE.NET:443/secrets"));
        assert!(!public.is_vault_uri("https://kv1.vault.azure.net.attacker.example/"));
        assert!(!public.is_vault_uri("http://kv1.vault.azure.net/"));
        assert!(!public.is_vault_uri("https://kv1.vault.usgovcloudapi.net/"));
    }

    #[test]
    fn custom_profiles_load_and_must_use_https() {
        let text = r#"{"name":"Loopback","resourceManager":"https://127.0.0.1:8443/","resourceManagerAudience":"https://management.example","authorityHost":"https://127.0.0.1:8443","keyVaultDnsSuffix":".vault.test","keyVaultAudience":"https://vault.test","microsoftGraph":"https://127.0.0.1:8443"}"#;
        let profile = CloudProfile::from_file("cloud.json", text).expect("valid");
        assert_eq!(profile.api_versions, ApiVersions::default());
        let plain = text.replace("https://127.0.0.1:8443/", "http://127.0.0.1:8443/");
        assert!(CloudProfile::from_file("cloud.json", &plain).is_err());
        assert!(CloudProfile::from_file("cloud.json", "{\"name\": 1}").is_err());
    }
}
