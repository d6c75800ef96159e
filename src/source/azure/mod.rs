//! Live Azure collection: cloud profiles, credentials, one throttle-aware HTTP client, and the
//! collector that turns ARM, Resource Graph, Microsoft Graph and data-plane answers into an
//! inventory. Hosts, audiences and api-versions come only from the cloud profile.

pub mod auth;
pub mod certificate;
pub mod cloud;
pub mod collect;
pub mod dataplane;
pub mod directory;
pub mod http;
pub mod progress;

pub use auth::AuthMode;
pub use cloud::CloudProfile;
pub use collect::{Collected, Discovery, Selection};
pub use http::{Http, HttpOptions};

use std::path::PathBuf;

/// Everything a live collection needs to know, as the command line gives it.
#[derive(Debug, Clone)]
pub struct LiveOptions {
    pub profile: CloudProfile,
    pub auth: AuthMode,
    pub selection: Selection,
    pub http: HttpOptions,
    /// Extra trusted root certificates (PEM): Azure Stack Hub, TLS-inspecting proxies.
    pub ca_certs: Vec<PathBuf>,
    pub progress: progress::Mode,
}

#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    #[error("{0}")]
    Certificate(String),
    #[error("{0}")]
    Client(String),
    #[error(transparent)]
    Auth(#[from] auth::AuthError),
}

/// The HTTP client every call and every credential uses: rustls with the platform's roots plus
/// any `--ca-cert` files and `SSL_CERT_FILE`.
pub fn http_client(ca_certs: &[PathBuf], env: &dyn Fn(&str) -> Option<String>) -> Result<reqwest::Client, LiveError> {
    let mut files: Vec<PathBuf> = ca_certs.to_vec();
    if let Some(file) = env("SSL_CERT_FILE").filter(|f| !f.is_empty()) {
        files.push(PathBuf::from(file));
    }
    let mut roots = Vec::new();
    for file in &files {
        let pem = std::fs::read(file)
            .map_err(|e| LiveError::Certificate(format!("cannot read CA certificate file {}: {e}", file.display())))?;
        let certificates = reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|e| LiveError::Certificate(format!("{}: not a PEM certificate bundle: {e}", file.display())))?;
        if certificates.is_empty() {
            return Err(LiveError::Certificate(format!("{}: no PEM certificate in the file", file.display())));
        }
        roots.extend(certificates);
    }
    reqwest::Client::builder()
        .user_agent(concat!("kvscan/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(std::time::Duration::from_secs(15))
        .tls_certs_merge(roots)
        .build()
        .map_err(|e| LiveError::Client(format!("cannot set up the HTTP client: {e}")))
}

/// Authenticates and collects. Progress and the chosen credential are reported on stderr.
/// `env` reads the environment (credentials, `SSL_CERT_FILE`): `std::env::var` in the binary.
pub async fn collect_live(
    options: &LiveOptions,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(Collected, Http), LiveError> {
    let client = http_client(&options.ca_certs, env)?;
    let progress = progress::Progress::new(options.progress);
    let chosen = auth::choose(options.auth, &options.profile, &client, env).await?;
    progress.note(&format!("authenticated with {} against {}", chosen.description, options.profile.name));
    let http = Http::new(client, auth::TokenSource::new(chosen.credential), options.http.clone());
    let watcher = progress.watch(&http);
    let collected = collect::collect(&http, &options.profile, &options.selection, &progress).await;
    if let Some(watcher) = watcher {
        watcher.abort();
    }
    progress.finish(&http, collected.inventory.errors.len());
    Ok((collected, http))
}
