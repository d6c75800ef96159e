//! Credentials: the chain `--auth auto` walks, the GitHub Actions OIDC assertion, and a token cache.
//!
//! azure_identity 1.x has no DefaultAzureCredential, so the chain is built here; every credential
//! gets kvscan's HTTP client (extra CAs included) and the cloud profile's authority host, so
//! sovereign clouds, Azure Stack and the test suite's loopback server work the same way.

use super::certificate::CertificateAssertion;
use super::cloud::CloudProfile;
use azure_core::cloud::{CloudConfiguration, CustomConfiguration};
use azure_core::credentials::{Secret, TokenCredential};
use azure_core::http::{ClientMethodOptions, ClientOptions, Transport};
use azure_identity::{
    AzureCliCredential, ClientAssertion, ClientAssertionCredential, ClientAssertionCredentialOptions,
    ClientSecretCredential, ClientSecretCredentialOptions, ManagedIdentityCredential, ManagedIdentityCredentialOptions,
    UserAssignedId, WorkloadIdentityCredential, WorkloadIdentityCredentialOptions,
};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// `--auth`: which credential a live scan uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AuthMode {
    /// The first that works of: env, workload-identity, github-oidc, managed-identity, cli
    Auto,
    /// Service principal from AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or
    /// AZURE_CLIENT_CERTIFICATE_PATH: a PEM file with the certificate and its RSA key)
    Env,
    /// Federated token file (AZURE_FEDERATED_TOKEN_FILE), e.g. AKS workload identity
    WorkloadIdentity,
    /// GitHub Actions OIDC: needs `permissions: id-token: write`, AZURE_CLIENT_ID and AZURE_TENANT_ID
    GithubOidc,
    /// Managed identity (AZURE_CLIENT_ID selects a user-assigned one)
    ManagedIdentity,
    /// The Azure CLI's login (`az login`)
    Cli,
}

/// The GitHub Actions token exchange audience Microsoft Entra expects for federated credentials.
const GITHUB_AUDIENCE: &str = "api://AzureADTokenExchange";

#[derive(Debug, thiserror::Error)]
#[error("no credential worked:\n{}", .attempts.iter().map(|(name, why)| format!("  - {name}: {why}")).collect::<Vec<_>>().join("\n"))]
pub struct AuthError {
    pub attempts: Vec<(&'static str, String)>,
}

/// What the chain settled on.
pub struct Chosen {
    pub credential: Arc<dyn TokenCredential>,
    /// Human description for stderr, e.g. "environment service principal (client id …)".
    pub description: String,
}

/// Builds the credential for `mode`. In `auto` mode each candidate whose environment is present
/// is asked for a Resource Manager token, and the first that answers wins.
pub async fn choose(
    mode: AuthMode,
    profile: &CloudProfile,
    client: &reqwest::Client,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Chosen, AuthError> {
    let order = match mode {
        AuthMode::Auto => vec![
            AuthMode::Env,
            AuthMode::WorkloadIdentity,
            AuthMode::GithubOidc,
            AuthMode::ManagedIdentity,
            AuthMode::Cli,
        ],
        forced => vec![forced],
    };
    let forced = mode != AuthMode::Auto;
    let scope = profile.resource_manager_scope();
    let mut attempts = Vec::new();
    for candidate in order {
        let name = name_of(candidate);
        let built = match build(candidate, profile, client, env, forced) {
            Ok(Some(built)) => built,
            Ok(None) => continue,
            Err(why) => {
                attempts.push((name, why));
                continue;
            }
        };
        match built.credential.get_token(&[scope.as_str()], None).await {
            Ok(_) => return Ok(built),
            Err(error) => attempts.push((name, one_line(&error.to_string()))),
        }
    }
    if attempts.is_empty() {
        attempts.push((
            "auto",
            "nothing to try: set AZURE_TENANT_ID/AZURE_CLIENT_ID with AZURE_CLIENT_SECRET, AZURE_FEDERATED_TOKEN_FILE \
             or GitHub's id-token permission; run on Azure with a managed identity (--auth managed-identity on a VM); \
             or `az login`"
                .into(),
        ));
    }
    Err(AuthError { attempts })
}

fn name_of(mode: AuthMode) -> &'static str {
    match mode {
        AuthMode::Auto => "auto",
        AuthMode::Env => "env",
        AuthMode::WorkloadIdentity => "workload-identity",
        AuthMode::GithubOidc => "github-oidc",
        AuthMode::ManagedIdentity => "managed-identity",
        AuthMode::Cli => "cli",
    }
}

/// `Ok(None)`: the candidate's environment is absent, so `auto` skips it silently.
fn build(
    mode: AuthMode,
    profile: &CloudProfile,
    client: &reqwest::Client,
    env: &dyn Fn(&str) -> Option<String>,
    forced: bool,
) -> Result<Option<Chosen>, String> {
    let client_options = || ClientOptions {
        transport: Some(Transport::new(Arc::new(client.clone()))),
        cloud: Some(Arc::new(cloud_configuration(profile))),
        ..ClientOptions::default()
    };
    let need = |names: &[&str]| -> Result<Option<Vec<String>>, String> {
        let values: Vec<Option<String>> = names.iter().map(|n| env(n).filter(|v| !v.is_empty())).collect();
        if values.iter().all(Option::is_some) {
            return Ok(Some(values.into_iter().flatten().collect()));
        }
        let missing: Vec<&str> = names.iter().zip(&values).filter(|(_, v)| v.is_none()).map(|(n, _)| *n).collect();
        if forced {
            Err(format!("{} not set", missing.join(", ")))
        } else {
            Ok(None)
        }
    };
    let fail = |e: azure_core::Error| one_line(&e.to_string());
    match mode {
        AuthMode::Auto => Ok(None),
        AuthMode::Env => {
            if let (Some(path), None) =
                (env("AZURE_CLIENT_CERTIFICATE_PATH").filter(|p| !p.is_empty()), env("AZURE_CLIENT_SECRET"))
            {
                let Some(values) = need(&["AZURE_TENANT_ID", "AZURE_CLIENT_ID"])? else { return Ok(None) };
                let [tenant, client_id] = <[String; 2]>::try_from(values).map_err(|_| "internal".to_string())?;
                let pem = std::fs::read(&path).map_err(|e| format!("AZURE_CLIENT_CERTIFICATE_PATH {path}: {e}"))?;
                let assertion =
                    CertificateAssertion::from_pem(&pem, &path, &client_id, &tenant, &profile.authority_host)?;
                let options = ClientAssertionCredentialOptions { client_options: client_options() };
                let credential =
                    ClientAssertionCredential::new(tenant.clone(), client_id.clone(), assertion, Some(options))
                        .map_err(fail)?;
                return Ok(Some(Chosen {
                    credential: cached(credential),
                    description: format!("environment service principal with certificate {path} (client id {client_id}, tenant {tenant})"),
                }));
            }
            let Some(values) = need(&["AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"])? else {
                return Ok(None);
            };
            let [tenant, client_id, secret] = <[String; 3]>::try_from(values).map_err(|_| "internal".to_string())?;
            let options = ClientSecretCredentialOptions { client_options: client_options() };
            let credential =
                ClientSecretCredential::new(&tenant, client_id.clone(), Secret::new(secret), Some(options))
                    .map_err(fail)?;
            Ok(Some(Chosen {
                credential: cached(credential),
                description: format!("environment service principal (client id {client_id}, tenant {tenant})"),
            }))
        }
        AuthMode::WorkloadIdentity => {
            let Some(values) = need(&["AZURE_FEDERATED_TOKEN_FILE", "AZURE_CLIENT_ID", "AZURE_TENANT_ID"])? else {
                return Ok(None);
            };
            let [file, client_id, tenant] = <[String; 3]>::try_from(values).map_err(|_| "internal".to_string())?;
            let options = WorkloadIdentityCredentialOptions {
                credential_options: ClientAssertionCredentialOptions { client_options: client_options() },
                client_id: Some(client_id.clone()),
                tenant_id: Some(tenant.clone()),
                token_file_path: Some(file.clone().into()),
            };
            let credential = WorkloadIdentityCredential::new(Some(options)).map_err(fail)?;
            Ok(Some(Chosen {
                credential: cached(credential),
                description: format!("workload identity (client id {client_id}, token file {file})"),
            }))
        }
        AuthMode::GithubOidc => {
            let Some(values) = need(&[
                "ACTIONS_ID_TOKEN_REQUEST_URL",
                "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
                "AZURE_CLIENT_ID",
                "AZURE_TENANT_ID",
            ])?
            else {
                return Ok(None);
            };
            let [url, request_token, client_id, tenant] =
                <[String; 4]>::try_from(values).map_err(|_| "internal".to_string())?;
            let assertion =
                GithubOidcAssertion { client: client.clone(), url, request_token: Secret::new(request_token) };
            let options = ClientAssertionCredentialOptions { client_options: client_options() };
            let credential =
                ClientAssertionCredential::new(tenant.clone(), client_id.clone(), assertion, Some(options))
                    .map_err(fail)?;
            Ok(Some(Chosen {
                credential: cached(credential),
                description: format!("GitHub Actions OIDC (client id {client_id}, tenant {tenant})"),
            }))
        }
        AuthMode::ManagedIdentity => {
            // Outside App Service, Functions, Container Apps or Arc the only way to tell is to call
            // the instance metadata endpoint, which on a laptop just times out: auto mode tries
            // managed identity only where the platform announces it.
            let announced = env("IDENTITY_ENDPOINT").is_some() || env("MSI_ENDPOINT").is_some();
            if !forced && !announced {
                return Ok(None);
            }
            let options = ManagedIdentityCredentialOptions {
                user_assigned_id: env("AZURE_CLIENT_ID").filter(|v| !v.is_empty()).map(UserAssignedId::ClientId),
                client_options: client_options(),
            };
            let credential = ManagedIdentityCredential::new(Some(options)).map_err(fail)?;
            Ok(Some(Chosen { credential: cached(credential), description: "managed identity".into() }))
        }
        AuthMode::Cli => {
            if !forced && !on_path("az", env) {
                return Ok(None);
            }
            let credential = AzureCliCredential::new(None).map_err(fail)?;
            Ok(Some(Chosen { credential: cached(credential), description: "Azure CLI login".into() }))
        }
    }
}

fn cloud_configuration(profile: &CloudProfile) -> CloudConfiguration {
    let mut custom = CustomConfiguration::default();
    custom.authority_host = profile.authority_host.clone();
    CloudConfiguration::Custom(custom)
}

fn on_path(program: &str, env: &dyn Fn(&str) -> Option<String>) -> bool {
    let Some(path) = env("PATH") else { return false };
    std::env::split_paths(&path).any(|dir| {
        let candidate = dir.join(program);
        candidate.is_file() || candidate.with_extension("cmd").is_file() || candidate.with_extension("exe").is_file()
    })
}

fn one_line(text: &str) -> String {
    let line = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ");
    line.chars().take(400).collect()
}

/// GitHub Actions' ID token as a client assertion: fetched fresh whenever Entra needs one, so a
/// long scan never runs into an expired federated assertion.
#[derive(Clone)]
struct GithubOidcAssertion {
    client: reqwest::Client,
    url: String,
    request_token: Secret,
}

impl std::fmt::Debug for GithubOidcAssertion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GithubOidcAssertion").finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl ClientAssertion for GithubOidcAssertion {
    async fn secret(&self, _options: Option<ClientMethodOptions<'_>>) -> azure_core::Result<String> {
        let error =
            |message: String| azure_core::Error::with_message(azure_core::error::ErrorKind::Credential, message);
        let mut url = reqwest::Url::parse(&self.url)
            .map_err(|e| error(format!("ACTIONS_ID_TOKEN_REQUEST_URL is not a URL: {e}")))?;
        url.query_pairs_mut().append_pair("audience", GITHUB_AUDIENCE);
        let response = self
            .client
            .get(url)
            .bearer_auth(self.request_token.secret())
            .timeout(Duration::from_secs(30))
            .send()
            .await
            .map_err(|e| error(format!("GitHub ID token request failed: {e}")))?;
        let status = response.status();
        let body: serde_json::Value = response
            .json()
            .await
            .map_err(|e| error(format!("GitHub ID token response (HTTP {status}) is not JSON: {e}")))?;
        match body.get("value").and_then(serde_json::Value::as_str) {
            Some(token) if status.is_success() => Ok(token.to_string()),
            _ => Err(error(format!(
                "GitHub ID token request answered HTTP {status} without a token; does the job have `permissions: id-token: write`?"
            ))),
        }
    }
}

/// Caches tokens per scope until shortly before they expire. azure_identity's CLI credential
/// starts an `az` process on every call; one fetch per scope per hour is enough.
#[derive(Debug)]
struct Cached {
    inner: Arc<dyn TokenCredential>,
    tokens: tokio::sync::Mutex<HashMap<String, azure_core::credentials::AccessToken>>,
}

fn cached(inner: Arc<dyn TokenCredential>) -> Arc<dyn TokenCredential> {
    Arc::new(Cached { inner, tokens: tokio::sync::Mutex::new(HashMap::new()) })
}

#[async_trait::async_trait]
impl TokenCredential for Cached {
    async fn get_token(
        &self,
        scopes: &[&str],
        options: Option<azure_core::credentials::TokenRequestOptions<'_>>,
    ) -> azure_core::Result<azure_core::credentials::AccessToken> {
        let key = scopes.join(" ");
        // Holding the lock across the fetch makes concurrent callers wait for one fetch, not race.
        let mut tokens = self.tokens.lock().await;
        let margin = time::Duration::minutes(5);
        if let Some(token) = tokens.get(&key) {
            if token.expires_on - margin > time::OffsetDateTime::now_utc() {
                return Ok(token.clone());
            }
        }
        let token = self.inner.get_token(scopes, options).await?;
        tokens.insert(key, token.clone());
        Ok(token)
    }
}

/// What the HTTP client asks for tokens: never printed, logged or written anywhere.
#[derive(Clone)]
pub struct TokenSource {
    credential: Arc<dyn TokenCredential>,
}

impl TokenSource {
    pub fn new(credential: Arc<dyn TokenCredential>) -> TokenSource {
        TokenSource { credential }
    }

    pub async fn token(&self, scope: &str) -> Result<String, String> {
        self.credential
            .get_token(&[scope], None)
            .await
            .map(|t| t.token.secret().to_string())
            .map_err(|e| one_line(&e.to_string()))
    }
}
