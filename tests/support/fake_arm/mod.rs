//! A fake Azure on loopback HTTPS, for the live collector's tests and benchmark. It plays Microsoft
//! Entra's token endpoint, Resource Manager, Resource Graph, Microsoft Graph, the Key Vault data
//! plane and GitHub's OIDC token endpoint; pages with `nextLink` and `$skipToken`; checks that each
//! call carries a token for the right audience; logs every request; and injects faults.
//!
//! kvscan reaches it only through a cloud profile (`cloud.json`), a CA file (`--ca-cert`) and a
//! client secret: the same code path as a real tenant. ARM is served on `127.0.0.1`, the vaults'
//! data planes on `localhost` (the profile's Key Vault DNS suffix), so a token for one audience
//! sent to the other host is caught.

#![allow(dead_code)]

pub mod tenant;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tenant::Tenant;
pub use tenant::{TenantSpec, CLIENT_ID, CLIENT_SECRET, TENANT_ID};

/// The client assertion the token endpoint accepts: GitHub's ID token, or a workload identity file.
pub const FEDERATED_ASSERTION: &str = "github-oidc-jwt-for-the-fake";
/// The secret header of the App Service managed identity endpoint.
pub const IDENTITY_HEADER: &str = "fake-identity-header";
/// Tokens a fake `az account get-access-token` hands out, by audience.
pub const CLI_TOKENS: &[(&str, &str)] =
    &[("cli-token-arm", "arm"), ("cli-token-vault", "vault"), ("cli-token-graph", "graph")];

/// Faults to inject. Shares are applied by a hash of the request path, so a run is repeatable.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Added to every response.
    pub latency: Duration,
    /// Share (0–1) of paths whose first try answers 429 with `Retry-After: secs`.
    pub throttle: Option<(f64, u64)>,
    /// Share (0–1) of paths whose first try answers 503.
    pub transient_share: f64,
    /// Share (0–1) of paths whose first try is held this long before answering (a timeout).
    pub slow_share: f64,
    pub slow_for: Duration,
    /// Every ARM call under this subscription index answers 403 AuthorizationFailed.
    pub forbidden_subscription: Option<usize>,
    /// Resource Graph answers 403.
    pub resource_graph_forbidden: bool,
    /// Vault URIs point at a closed port: the data plane cannot be reached.
    pub data_plane_unreachable: bool,
    /// Every ARM call under this vault name answers 500.
    pub failing_vault: Option<String>,
    /// This vault's secret list returns a nextLink to itself.
    pub paging_loop_vault: Option<String>,
    /// This vault's diagnostic settings body is cut off mid-JSON.
    pub truncated_vault: Option<String>,
    /// Microsoft Graph answers 403.
    pub graph_forbidden: bool,
    /// Items per page of ARM and data-plane lists, and rows per Resource Graph page.
    pub page_size: usize,
    pub graph_page_size: usize,
    /// Send `x-ms-ratelimit-remaining-subscription-reads` with this value on ARM answers.
    pub remaining_reads: Option<u64>,
    /// This subscription index is listed with `state: Disabled`.
    pub disabled_subscription: Option<usize>,
}

impl Faults {
    pub fn none() -> Faults {
        Faults { page_size: 100, graph_page_size: 1000, ..Faults::default() }
    }
}

#[derive(Debug, Clone)]
pub struct Logged {
    pub method: String,
    pub host: String,
    /// Path and query.
    pub target: String,
    pub at: Duration,
    pub status: u16,
    /// Which audience the request's token was issued for (`arm`, `vault`, `graph`), if any.
    pub audience: Option<String>,
}

struct State {
    /// SubjectPublicKeyInfo and SHA-1 thumbprint (base64url) of the registered client certificate.
    client_certificate: (Vec<u8>, String),
    tenant: Tenant,
    faults: Faults,
    port: u16,
    started: Instant,
    log: Mutex<Vec<Logged>>,
    tokens: Mutex<HashMap<String, String>>,
    attempts: Mutex<HashMap<String, usize>>,
}

pub struct FakeArm {
    pub port: u16,
    pub ca_pem: String,
    /// A service principal certificate and its RSA key (PEM), registered with the fake tenant.
    pub client_certificate_pem: String,
    state: Arc<State>,
    dir: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl FakeArm {
    /// Starts the server on its own thread and runtime, so tests may drive kvscan in-process or
    /// as a child process alike.
    pub fn start(spec: TenantSpec, faults: Faults) -> FakeArm {
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let (ca_pem, server_config) = certificates();
        let (client_certificate_pem, client_certificate) = client_certificate();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().expect("addr").port();
        let data_plane = if faults.data_plane_unreachable {
            // A port nothing listens on: bind and drop it.
            let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
            format!("https://localhost:{closed}/vaults/")
        } else {
            format!("https://localhost:{port}/vaults/")
        };
        let mut tenant = Tenant::generate(&spec, &data_plane);
        if let Some(index) = faults.disabled_subscription {
            if let Some(subscription) = tenant.subscriptions.get_mut(index) {
                subscription["state"] = json!("Disabled");
            }
        }
        let state = Arc::new(State {
            client_certificate,
            tenant,
            faults,
            port,
            started: Instant::now(),
            log: Mutex::new(Vec::new()),
            tokens: Mutex::new(CLI_TOKENS.iter().map(|(t, a)| (t.to_string(), a.to_string())).collect()),
            attempts: Mutex::new(HashMap::new()),
        });
        let (shutdown, stop) = tokio::sync::oneshot::channel();
        let served = state.clone();
        let thread = std::thread::spawn(move || {
            let runtime =
                tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
            runtime.block_on(serve(listener, server_config, served, stop));
        });
        let dir = tempfile::tempdir().expect("temp dir");
        let fake = FakeArm {
            port,
            ca_pem,
            client_certificate_pem,
            state,
            dir,
            shutdown: Some(shutdown),
            thread: Some(thread),
        };
        std::fs::write(fake.ca_file(), &fake.ca_pem).expect("write CA");
        std::fs::write(fake.cloud_file(), fake.cloud_profile().to_string()).expect("write profile");
        fake
    }

    pub fn base(&self) -> String {
        format!("https://127.0.0.1:{}", self.port)
    }

    /// The custom cloud profile kvscan is pointed at (`--cloud-config`).
    pub fn cloud_profile(&self) -> Value {
        json!({
            "name": "FakeArm",
            "resourceManager": format!("{}/", self.base()),
            "resourceManagerAudience": "https://management.fake.test",
            "authorityHost": self.base(),
            "keyVaultDnsSuffix": "localhost",
            "keyVaultAudience": "https://vault.fake.test",
            "microsoftGraph": self.base(),
        })
    }

    pub fn cloud_file(&self) -> std::path::PathBuf {
        self.dir.path().join("cloud.json")
    }

    pub fn ca_file(&self) -> std::path::PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// Environment for `--auth env` with the fake's service principal.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AZURE_TENANT_ID", TENANT_ID.to_string()),
            ("AZURE_CLIENT_ID", CLIENT_ID.to_string()),
            ("AZURE_CLIENT_SECRET", CLIENT_SECRET.to_string()),
        ]
    }

    /// Environment of a GitHub Actions job with `id-token: write`, and no client secret.
    pub fn github_env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AZURE_TENANT_ID", TENANT_ID.to_string()),
            ("AZURE_CLIENT_ID", CLIENT_ID.to_string()),
            ("ACTIONS_ID_TOKEN_REQUEST_URL", format!("{}/github/idtoken?api-version=2.0", self.base())),
            ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "github-request-token".to_string()),
        ]
    }

    pub fn requests(&self) -> Vec<Logged> {
        self.state.log.lock().expect("log").clone()
    }

    /// Environment of an App Service / Functions / Container Apps managed identity.
    pub fn managed_identity_env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("IDENTITY_ENDPOINT", format!("{}/msi/token", self.base())),
            ("IDENTITY_HEADER", IDENTITY_HEADER.to_string()),
        ]
    }

    /// Every access token the fake issued: none may appear in any output.
    pub fn issued_tokens(&self) -> Vec<String> {
        self.state.tokens.lock().expect("tokens").keys().cloned().collect()
    }

    pub fn vault_names(&self) -> Vec<String> {
        self.state.tenant.vaults.iter().map(|v| v.name.clone()).collect()
    }
}

impl Drop for FakeArm {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// An RSA client certificate as Entra would have it registered for the service principal.
fn client_certificate() -> (String, (Vec<u8>, String)) {
    use base64::Engine as _;
    use sha1::Digest as _;
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).expect("RSA key");
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
    params.distinguished_name.push(rcgen::DnType::CommonName, "kvscan-scanner");
    let certificate = params.self_signed(&key).expect("certificate");
    let thumbprint = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha1::Sha1::digest(certificate.der()));
    (
        format!("{}{}", certificate.pem(), key.serialize_pem()),
        (rcgen::PublicKeyData::der_bytes(&key).to_vec(), thumbprint),
    )
}

/// Checks a certificate client assertion: RS256 JWT from the registered certificate, for this
/// client, addressed to this tenant's token endpoint, not expired.
fn valid_certificate_assertion(state: &State, path: &str, jwt: &str) -> bool {
    use base64::Engine as _;
    let decode = |part: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part).ok();
    let parts: Vec<&str> = jwt.split('.').collect();
    let [header, claims, signature] = parts.as_slice() else { return false };
    let (Some(header_json), Some(claims_json), Some(signature)) = (decode(header), decode(claims), decode(signature))
    else {
        return false;
    };
    let header: Value = serde_json::from_slice(&header_json).unwrap_or_default();
    let claims: Value = serde_json::from_slice(&claims_json).unwrap_or_default();
    let (public_key, thumbprint) = &state.client_certificate;
    let key =
        aws_lc_rs::signature::UnparsedPublicKey::new(&aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256, public_key);
    let signed = key.verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature).is_ok();
    let now =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
    signed
        && header["alg"] == "RS256"
        && header["x5t"].as_str() == Some(thumbprint.as_str())
        && claims["iss"] == CLIENT_ID
        && claims["sub"] == CLIENT_ID
        && claims["aud"].as_str().is_some_and(|aud| aud.ends_with(path))
        && claims["exp"].as_i64().is_some_and(|exp| exp > now)
}

fn certificates() -> (String, Arc<rustls::ServerConfig>) {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose,
        SanType,
    };
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("ca params");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name.push(DnType::CommonName, "kvscan fake ARM test CA");
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let ca_key = KeyPair::generate().expect("ca key");
    let ca_cert = ca.self_signed(&ca_key).expect("ca cert");
    let issuer = Issuer::new(ca, ca_key);
    let mut leaf = CertificateParams::new(vec!["localhost".to_string()]).expect("leaf params");
    leaf.subject_alt_names.push(SanType::IpAddress(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST)));
    leaf.distinguished_name.push(DnType::CommonName, "fake-arm");
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let leaf_key = KeyPair::generate().expect("leaf key");
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer).expect("leaf cert");
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("protocols")
        .with_no_client_auth()
        .with_single_cert(vec![leaf_cert.der().clone(), ca_cert.der().clone()], key)
        .expect("server config");
    (ca_cert.pem(), Arc::new(config))
}

async fn serve(
    listener: std::net::TcpListener,
    config: Arc<rustls::ServerConfig>,
    state: Arc<State>,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) {
    let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    loop {
        let (stream, _peer): (tokio::net::TcpStream, SocketAddr) = tokio::select! {
            _ = &mut stop => return,
            accepted = listener.accept() => match accepted { Ok(a) => a, Err(_) => continue },
        };
        let acceptor = acceptor.clone();
        let state = state.clone();
        tokio::spawn(async move {
            let Ok(tls) = acceptor.accept(stream).await else { return };
            let service = hyper::service::service_fn(move |request| {
                let state = state.clone();
                async move { Ok::<_, std::convert::Infallible>(handle(state, request).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                .await;
        });
    }
}

struct Reply {
    status: StatusCode,
    body: Vec<u8>,
    headers: Vec<(&'static str, String)>,
}

fn reply(status: StatusCode, body: Value) -> Reply {
    Reply { status, body: body.to_string().into_bytes(), headers: Vec::new() }
}

fn ok(body: Value) -> Reply {
    reply(StatusCode::OK, body)
}

fn arm_error(status: StatusCode, code: &str, message: &str) -> Reply {
    reply(status, json!({ "error": { "code": code, "message": message } }))
}

async fn handle(state: Arc<State>, request: Request<Incoming>) -> Response<Full<Bytes>> {
    let method = request.method().to_string();
    let host = request.headers().get(hyper::header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default().to_string();
    let target = request.uri().path_and_query().map(|p| p.as_str().to_string()).unwrap_or_default();
    let request_identity_header =
        request.headers().get("x-identity-header").and_then(|h| h.to_str().ok()).map(str::to_string);
    let bearer = request
        .headers()
        .get(hyper::header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::to_string);
    let body = request.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    let audience = bearer.as_ref().and_then(|t| state.tokens.lock().expect("tokens").get(t).cloned());
    let identity_header = request_identity_header;
    let faults = &state.faults;
    if !faults.latency.is_zero() {
        tokio::time::sleep(faults.latency).await;
    }
    let path = target.split('?').next().unwrap_or_default().to_string();
    // Logged on arrival: a request held back by a fault still counts as sent.
    let entry = {
        let mut log = state.log.lock().expect("log");
        log.push(Logged {
            method: method.clone(),
            host: host.clone(),
            target: target.clone(),
            at: state.started.elapsed(),
            status: 0,
            audience: audience.clone(),
        });
        log.len() - 1
    };
    let attempt = {
        let mut attempts = state.attempts.lock().expect("attempts");
        let n = attempts.entry(format!("{method} {host} {target}")).or_insert(0);
        *n += 1;
        *n
    };
    let is_token_call =
        path.ends_with("/oauth2/v2.0/token") || path.starts_with("/github/") || path.starts_with("/msi/");
    let mut reply = None;
    if !is_token_call {
        if let Some((throttle_share, secs)) = faults.throttle {
            if attempt == 1 && share(&path, "throttle") < throttle_share {
                reply = Some(Reply {
                    status: StatusCode::TOO_MANY_REQUESTS,
                    body: json!({"error": {"code": "TooManyRequests", "message": "The request is being throttled."}})
                        .to_string()
                        .into_bytes(),
                    headers: vec![("retry-after", secs.to_string())],
                });
            }
        }
        if reply.is_none() && attempt == 1 && share(&path, "transient") < faults.transient_share {
            reply = Some(arm_error(StatusCode::SERVICE_UNAVAILABLE, "ServiceUnavailable", "try again"));
        }
        if reply.is_none() && attempt == 1 && share(&path, "slow") < faults.slow_share {
            tokio::time::sleep(faults.slow_for).await;
        }
    }
    let reply = match reply {
        Some(reply) => reply,
        None if path == "/msi/token" => managed_identity(&state, &target, identity_header.as_deref()),
        None => route(&state, &method, &host, &target, &path, audience.as_deref(), &body),
    };
    if let Some(logged) = state.log.lock().expect("log").get_mut(entry) {
        logged.status = reply.status.as_u16();
    }
    let mut response = Response::builder().status(reply.status).header("content-type", "application/json");
    for (name, value) in &reply.headers {
        response = response.header(*name, value);
    }
    response.body(Full::new(Bytes::from(reply.body))).expect("response")
}

/// A stable number in [0, 1) for a path, per fault kind.
fn share(path: &str, salt: &str) -> f64 {
    let mut hash: u64 = 0xcbf29ce484222325;
    for byte in salt.bytes().chain(path.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x100000001b3);
    }
    (hash % 10_000) as f64 / 10_000.0
}

fn query(target: &str, key: &str) -> Option<String> {
    let query = target.split_once('?')?.1;
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == key || k == key.replace('$', "%24")).then(|| v.to_string())
    })
}

fn route(
    state: &State,
    method: &str,
    host: &str,
    target: &str,
    path: &str,
    audience: Option<&str>,
    body: &[u8],
) -> Reply {
    let base = format!("https://127.0.0.1:{}", state.port);
    if host.starts_with("localhost") {
        return data_plane(state, method, target, path, audience);
    }
    if method == "POST" && path.ends_with("/oauth2/v2.0/token") {
        return token(state, path, body);
    }
    if method == "GET" && path == "/github/idtoken" {
        return ok(json!({ "count": 1, "value": FEDERATED_ASSERTION }));
    }
    if path.starts_with("/v1.0/") {
        if audience != Some("graph") {
            return arm_error(
                StatusCode::UNAUTHORIZED,
                "InvalidAuthenticationToken",
                "Access token is empty or not for Graph.",
            );
        }
        if state.faults.graph_forbidden {
            return arm_error(
                StatusCode::FORBIDDEN,
                "Authorization_RequestDenied",
                "Insufficient privileges to complete the operation.",
            );
        }
        let request: Value = serde_json::from_slice(body).unwrap_or_default();
        let found: Vec<Value> = request["ids"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|id| id.as_str())
            .filter_map(tenant::directory_object)
            .collect();
        return ok(
            json!({ "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#directoryObjects", "value": found }),
        );
    }
    if audience != Some("arm") {
        return arm_error(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            "The access token is missing or is not for Resource Manager.",
        );
    }
    let faults = &state.faults;
    if let Some(index) = faults.forbidden_subscription {
        let sub = tenant::subscription_id(index);
        if path.to_ascii_lowercase().starts_with(&format!("/subscriptions/{sub}/")) {
            return arm_error(
                StatusCode::FORBIDDEN,
                "AuthorizationFailed",
                &format!("The client '{CLIENT_ID}' with object id 'c56f4c82-0000-4000-8000-000000000000' does not have authorization to perform action over scope '/subscriptions/{sub}' or the scope is invalid."),
            );
        }
    }
    let mut reply = arm(state, method, target, path, body, &base);
    if let Some(left) = faults.remaining_reads {
        reply.headers.push(("x-ms-ratelimit-remaining-subscription-reads", left.to_string()));
    }
    reply
}

fn token(state: &State, path: &str, body: &[u8]) -> Reply {
    let form: HashMap<String, String> = url_form(body);
    let tenant_ok = path.trim_start_matches('/').starts_with(TENANT_ID);
    let client_ok = form.get("client_id").map(String::as_str) == Some(CLIENT_ID);
    let secret_ok = form.get("client_secret").map(String::as_str) == Some(CLIENT_SECRET)
        || (form.get("client_assertion").map(String::as_str) == Some(FEDERATED_ASSERTION)
            && form.get("client_assertion_type").is_some_and(|t| t.ends_with("jwt-bearer")))
        || form.get("client_assertion").is_some_and(|jwt| valid_certificate_assertion(state, path, jwt));
    if !(tenant_ok && client_ok && secret_ok) {
        return reply(
            StatusCode::UNAUTHORIZED,
            json!({"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided."}),
        );
    }
    let scope = form.get("scope").cloned().unwrap_or_default();
    let Some(audience) = audience_of(state, &scope) else {
        return reply(
            StatusCode::BAD_REQUEST,
            json!({"error": "invalid_scope", "error_description": format!("AADSTS70011: unknown scope {scope}")}),
        );
    };
    let token = issue(state, audience, &scope);
    ok(json!({ "token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": token }))
}

fn audience_of(state: &State, scope: &str) -> Option<&'static str> {
    if scope.starts_with("https://management.fake.test") {
        Some("arm")
    } else if scope.starts_with("https://vault.fake.test") {
        Some("vault")
    } else if scope.starts_with(&format!("https://127.0.0.1:{}", state.port)) {
        Some("graph")
    } else {
        None
    }
}

fn issue(state: &State, audience: &str, scope: &str) -> String {
    let mut tokens = state.tokens.lock().expect("tokens");
    let token = format!("eyFAKE.{audience}.{}.{}", tokens.len(), share(scope, &tokens.len().to_string()).to_bits());
    tokens.insert(token.clone(), audience.to_string());
    token
}

/// App Service's managed identity protocol (api-version 2019-08-01): `resource` in the query and
/// the secret `X-IDENTITY-HEADER`.
fn managed_identity(state: &State, target: &str, header: Option<&str>) -> Reply {
    if header != Some(IDENTITY_HEADER) {
        return reply(
            StatusCode::BAD_REQUEST,
            json!({"error": "invalid_request", "error_description": "X-IDENTITY-HEADER missing"}),
        );
    }
    let resource = query(target, "resource").map(|r| decode(&r)).unwrap_or_default();
    let Some(audience) = audience_of(state, &resource) else {
        return reply(
            StatusCode::BAD_REQUEST,
            json!({"error": "invalid_resource", "error_description": format!("unknown resource {resource}")}),
        );
    };
    let token = issue(state, audience, &resource);
    let expires =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() + 3600).unwrap_or(0);
    ok(
        json!({ "access_token": token, "expires_on": expires.to_string(), "resource": resource, "token_type": "Bearer" }),
    )
}

fn url_form(body: &[u8]) -> HashMap<String, String> {
    let text = String::from_utf8_lossy(body);
    text.split('&').filter_map(|pair| pair.split_once('=')).map(|(k, v)| (decode(k), decode(v))).collect()
}

fn decode(text: &str) -> String {
    let bytes = text.replace('+', " ").into_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&String::from_utf8_lossy(&bytes[i + 1..i + 3]), 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A page of `items` starting at `$skiptoken`, with a nextLink to the rest.
fn page(items: &[Value], target: &str, size: usize, base: &str) -> Reply {
    let start: usize = query(target, "$skiptoken").and_then(|s| s.parse().ok()).unwrap_or(0);
    let end = (start + size.max(1)).min(items.len());
    let slice = items.get(start..end).unwrap_or_default().to_vec();
    let next = if end < items.len() {
        let without: Vec<&str> = target
            .split_once('?')
            .map(|(_, q)| q)
            .unwrap_or_default()
            .split('&')
            .filter(|p| !p.starts_with("$skiptoken") && !p.starts_with("%24skiptoken") && !p.is_empty())
            .collect();
        let path = target.split('?').next().unwrap_or_default();
        Value::String(format!("{base}{path}?{}&%24skiptoken={end}", without.join("&")))
    } else {
        Value::Null
    };
    ok(json!({ "value": slice, "nextLink": next }))
}

fn arm(state: &State, method: &str, target: &str, path: &str, body: &[u8], base: &str) -> Reply {
    let tenant = &state.tenant;
    let faults = &state.faults;
    let size = faults.page_size;
    let lower = path.to_ascii_lowercase();
    if method == "POST" && lower == "/providers/microsoft.resourcegraph/resources" {
        return resource_graph(state, body);
    }
    if method != "GET" {
        return arm_error(StatusCode::METHOD_NOT_ALLOWED, "MethodNotAllowed", "the fake serves reads only");
    }
    if lower == "/tenants" {
        return page(&tenant.tenants, target, size, base);
    }
    if lower == "/subscriptions" {
        return page(&tenant.subscriptions, target, size, base);
    }
    if lower.contains("/providers/microsoft.authorization/roledefinitions/") && !lower.contains("/vaults/") {
        return match tenant.role_definition(path) {
            Some(definition) => ok(definition),
            None => arm_error(
                StatusCode::NOT_FOUND,
                "RoleDefinitionDoesNotExist",
                "The specified role definition does not exist.",
            ),
        };
    }
    if lower.ends_with("/providers/microsoft.security/pricings/keyvaults") {
        let sub = path.split('/').nth(2).unwrap_or_default();
        return ok(json!({
            "id": format!("/subscriptions/{sub}/providers/Microsoft.Security/pricings/KeyVaults"),
            "name": "KeyVaults", "type": "Microsoft.Security/pricings",
            "properties": { "pricingTier": if sub.ends_with('0') { "Standard" } else { "Free" }, "subPlan": "PerKeyVault", "freeTrialRemainingTime": "PT0S" }
        }));
    }
    if lower.ends_with("/providers/microsoft.keyvault/vaults") {
        let sub = path.split('/').nth(2).unwrap_or_default().to_ascii_lowercase();
        let vaults: Vec<Value> =
            tenant.vaults.iter().filter(|v| v.subscription == sub).map(|v| v.resource.clone()).collect();
        return page(&vaults, target, size, base);
    }
    let Some(vault) = tenant.vaults.iter().find(|v| {
        let id = v.id.to_ascii_lowercase();
        lower == id || lower.starts_with(&format!("{id}/"))
    }) else {
        return arm_error(StatusCode::NOT_FOUND, "ResourceNotFound", &format!("The Resource '{path}' was not found."));
    };
    if faults.failing_vault.as_deref() == Some(vault.name.as_str()) {
        return arm_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerError",
            "An internal server error occurred.",
        );
    }
    let rest = &lower[vault.id.len()..];
    match rest {
        "" => ok(vault.resource.clone()),
        "/providers/microsoft.insights/diagnosticsettings" => {
            if faults.truncated_vault.as_deref() == Some(vault.name.as_str()) {
                let full = json!({ "value": vault.diagnostic_settings }).to_string();
                return Reply {
                    status: StatusCode::OK,
                    body: full.as_bytes()[..full.len() / 2].to_vec(),
                    headers: Vec::new(),
                };
            }
            ok(json!({ "value": vault.diagnostic_settings }))
        }
        "/providers/microsoft.authorization/roleassignments" => page(&vault.role_assignments, target, size, base),
        "/secrets" => {
            if faults.paging_loop_vault.as_deref() == Some(vault.name.as_str()) {
                let mut reply = page(&vault.secrets, target, size, base);
                let mut body: Value = serde_json::from_slice(&reply.body).unwrap_or_default();
                body["nextLink"] = json!(format!("{base}{path}?api-version=2026-02-01&%24skiptoken=loop"));
                reply.body = body.to_string().into_bytes();
                return reply;
            }
            page(&vault.secrets, target, size, base)
        }
        "/keys" => {
            let keys: Vec<Value> = vault.keys.iter().map(|(listed, _)| listed.clone()).collect();
            page(&keys, target, size, base)
        }
        other => {
            if let Some(name) = other.strip_prefix("/keys/") {
                if let Some((_, full)) =
                    vault.keys.iter().find(|(l, _)| l["name"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(name)))
                {
                    return ok(full.clone());
                }
            }
            arm_error(StatusCode::NOT_FOUND, "ResourceNotFound", &format!("The Resource '{path}' was not found."))
        }
    }
}

fn resource_graph(state: &State, body: &[u8]) -> Reply {
    if state.faults.resource_graph_forbidden {
        return arm_error(
            StatusCode::FORBIDDEN,
            "AuthorizationFailed",
            "The client does not have authorization to perform action 'Microsoft.ResourceGraph/resources/read'.",
        );
    }
    let request: Value = match serde_json::from_slice(body) {
        Ok(request) => request,
        Err(_) => return arm_error(StatusCode::BAD_REQUEST, "InvalidRequest", "body is not JSON"),
    };
    let query = request["query"].as_str().unwrap_or_default();
    let scopes: Vec<String> = request["subscriptions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str())
        .map(str::to_ascii_lowercase)
        .collect();
    let forbidden = state.faults.forbidden_subscription.map(tenant::subscription_id);
    // Resource Graph leaves out what the caller may not read, without saying so.
    let readable =
        |sub: &str| Some(sub.to_string()) != forbidden && (scopes.is_empty() || scopes.iter().any(|s| s == sub));
    let rows: Vec<Value> = if query.starts_with("resourcecontainers") {
        state
            .tenant
            .subscriptions
            .iter()
            .filter(|s| s["subscriptionId"].as_str().is_some_and(readable))
            .map(|s| json!({"id": s["id"], "subscriptionId": s["subscriptionId"]}))
            .collect()
    } else if query.contains("microsoft.keyvault/vaults") {
        state
            .tenant
            .vaults
            .iter()
            .filter(|v| readable(&v.subscription))
            .map(|v| {
                let r = &v.resource;
                json!({ "id": r["id"], "name": r["name"], "type": "microsoft.keyvault/vaults", "location": r["location"], "tags": r["tags"], "properties": r["properties"] })
            })
            .collect()
    } else {
        return arm_error(StatusCode::BAD_REQUEST, "InvalidQuery", "the fake knows two queries");
    };
    let top = request["options"]["$top"].as_u64().unwrap_or(100) as usize;
    let size = top.min(state.faults.graph_page_size.max(1));
    let start: usize = request["options"]["$skipToken"]
        .as_str()
        .and_then(|t| t.strip_prefix("offset:"))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let end = (start + size).min(rows.len());
    let mut answer = json!({
        "totalRecords": rows.len(), "count": end - start, "resultTruncated": "false", "facets": [],
        "data": rows.get(start..end).unwrap_or_default(),
    });
    if end < rows.len() {
        answer["$skipToken"] = json!(format!("offset:{end}"));
    }
    ok(answer)
}

fn data_plane(state: &State, method: &str, target: &str, path: &str, audience: Option<&str>) -> Reply {
    let base = format!("https://localhost:{}", state.port);
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let (Some(&"vaults"), Some(name)) = (segments.first(), segments.get(1)) else {
        return arm_error(StatusCode::NOT_FOUND, "NotFound", "no such vault");
    };
    let Some(vault) = state.tenant.vaults.iter().find(|v| v.name == *name) else {
        return arm_error(StatusCode::NOT_FOUND, "VaultNotFound", "no such vault");
    };
    if audience != Some("vault") {
        return Reply {
            status: StatusCode::UNAUTHORIZED,
            body: json!({"error": {"code": "Unauthorized", "message": "AKV10000: Request is missing a Bearer or PoP token."}}).to_string().into_bytes(),
            headers: vec![(
                "www-authenticate",
                format!("Bearer authorization=\"https://127.0.0.1:{}/{TENANT_ID}\", resource=\"https://vault.fake.test\"", state.port),
            )],
        };
    }
    if method != "GET" {
        return arm_error(StatusCode::METHOD_NOT_ALLOWED, "BadParameter", "reads only");
    }
    let rest: Vec<&str> = segments[2..].to_vec();
    match rest.as_slice() {
        ["certificates"] => {
            let items: Vec<Value> = vault.certificates.iter().map(|(item, _)| item.clone()).collect();
            page(&items, target, state.faults.page_size.min(25), &base)
        }
        ["certificates", cert, "policy"] => match vault
            .certificates
            .iter()
            .find(|(item, _)| item["id"].as_str().is_some_and(|id| id.ends_with(&format!("/{cert}"))))
        {
            Some((_, policy)) => ok(policy.clone()),
            None => arm_error(StatusCode::NOT_FOUND, "CertificateNotFound", "not found"),
        },
        ["keys", key, "rotationpolicy"] => {
            let mut policy = vault.rotation_policy.clone();
            policy["id"] = json!(format!("{base}/vaults/{name}/keys/{key}/rotationpolicy"));
            ok(policy)
        }
        // Secret values: served like Key Vault would, so a request for one would be visible.
        ["secrets", secret] | ["secrets", secret, _] => ok(
            json!({ "value": "s3cr3t-value-must-never-be-read", "id": format!("{base}/vaults/{name}/secrets/{secret}") }),
        ),
        _ => arm_error(StatusCode::NOT_FOUND, "NotFound", "not served by the fake"),
    }
}
