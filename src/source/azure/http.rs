//! The one HTTP client of a live scan: bounded concurrency, throttling that honours Azure's
//! `Retry-After` and rate-limit headers, retries with backoff, and `nextLink` paging.
//!
//! Every ARM, Resource Graph, Microsoft Graph and data-plane call goes through [`Http::send`], so
//! the request budget, the retry policy and the statistics the benchmark prints are in one place.

use super::auth::TokenSource;
use reqwest::{Method, StatusCode, Url};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// Tuning of the client. The defaults suit a real tenant; tests and benchmarks shorten the waits.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Tries for a request that fails with 5xx, a reset connection or a timeout.
    pub max_tries: u32,
    /// Throttled answers (429) a single request may receive before it is given up.
    pub max_throttled: u32,
    /// First backoff after a failure; doubles on each further try, with jitter.
    pub base_backoff: Duration,
    /// Longest single backoff or `Retry-After` wait kvscan accepts.
    pub max_wait: Duration,
    /// Time limit of one request, connection included.
    pub request_timeout: Duration,
    /// Below this many remaining reads (`x-ms-ratelimit-remaining-*`), pause before the next request.
    pub low_remaining: u64,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            concurrency: 16,
            max_tries: 5,
            max_throttled: 30,
            base_backoff: Duration::from_millis(500),
            max_wait: Duration::from_secs(120),
            request_timeout: Duration::from_secs(60),
            low_remaining: 10,
        }
    }
}

/// A failed call, with Azure's error code and message when the body carried them.
#[derive(Debug, Clone, thiserror::Error)]
pub enum HttpError {
    #[error("{}{message} (HTTP {status}{}, {method} {url})", code.as_ref().map(|c| format!("{c}: ")).unwrap_or_default(), request_id.as_ref().map(|r| format!(", x-ms-request-id {r}")).unwrap_or_default())]
    Status {
        status: u16,
        code: Option<String>,
        message: String,
        method: String,
        url: String,
        request_id: Option<String>,
    },
    #[error("{what} after {tries} tries ({method} {url})")]
    Transport { what: String, tries: u32, method: String, url: String },
    #[error("malformed response from {url}: {message}")]
    Body { url: String, message: String },
    #[error("paging loop: {url} returned a nextLink that was already followed ({next})")]
    PagingLoop { url: String, next: String },
    #[error("refusing to follow nextLink {next}: it leaves {origin}, and the request carries a token")]
    ForeignNextLink { origin: String, next: String },
    #[error("authentication failed: {0}")]
    Auth(String),
}

impl HttpError {
    pub fn status(&self) -> Option<u16> {
        match self {
            HttpError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Azure's error code, or a short name of the failure kind.
    pub fn code(&self) -> Option<&str> {
        match self {
            HttpError::Status { code, .. } => code.as_deref(),
            _ => None,
        }
    }
}

/// Counters the progress line and the benchmark read.
#[derive(Debug, Default)]
pub struct Stats {
    pub requests: AtomicU64,
    pub retries: AtomicU64,
    pub throttled: AtomicU64,
    pub slowdowns: AtomicU64,
}

impl Stats {
    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}

/// Which token a request carries.
#[derive(Debug, Clone)]
pub enum Auth {
    /// A bearer token for this OAuth scope.
    Scope(String),
    /// No token: the first request of the Key Vault challenge.
    None,
}

pub struct Response {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: bytes::Bytes,
    pub url: String,
}

impl Response {
    pub fn json(&self) -> Result<Value, HttpError> {
        serde_json::from_slice(&self.body)
            .map_err(|e| HttpError::Body { url: self.url.clone(), message: format!("not JSON: {e}") })
    }
}

#[derive(Clone)]
pub struct Http {
    inner: Arc<Inner>,
}

struct Inner {
    client: reqwest::Client,
    tokens: TokenSource,
    options: HttpOptions,
    permits: Semaphore,
    /// Per host: no request is sent before this instant (set by 429 and low rate-limit headers).
    paused_until: Mutex<HashMap<String, Instant>>,
    stats: Stats,
}

impl Http {
    pub fn new(client: reqwest::Client, tokens: TokenSource, options: HttpOptions) -> Http {
        let permits = Semaphore::new(options.concurrency.max(1));
        Http {
            inner: Arc::new(Inner {
                client,
                tokens,
                options,
                permits,
                paused_until: Mutex::new(HashMap::new()),
                stats: Stats::default(),
            }),
        }
    }

    pub fn stats(&self) -> &Stats {
        &self.inner.stats
    }

    pub fn concurrency(&self) -> usize {
        self.inner.options.concurrency.max(1)
    }

    pub fn tokens(&self) -> &TokenSource {
        &self.inner.tokens
    }

    pub async fn get_json(&self, url: &str, auth: &Auth) -> Result<Value, HttpError> {
        let response = self.send(Method::GET, url, auth, None).await?;
        ensure_success(&response, "GET")?;
        response.json()
    }

    pub async fn post_json(&self, url: &str, auth: &Auth, body: &Value) -> Result<Value, HttpError> {
        let response = self.send(Method::POST, url, auth, Some(body)).await?;
        ensure_success(&response, "POST")?;
        response.json()
    }

    /// Every item of a `{value, nextLink}` listing. `nextLink` is followed exactly as returned and
    /// only on the first page's host; a link already followed is a loop and fails the listing.
    pub async fn list(&self, url: &str, auth: &Auth) -> Result<Vec<Value>, HttpError> {
        const MAX_PAGES: usize = 100_000;
        let origin = origin_of(url);
        let mut items = Vec::new();
        let mut seen = HashSet::new();
        let mut next = url.to_string();
        for _ in 0..MAX_PAGES {
            let page = self.get_json(&next, auth).await?;
            match page.get("value") {
                Some(Value::Array(values)) => items.extend(values.iter().cloned()),
                Some(Value::Null) | None => {}
                Some(_) => {
                    return Err(HttpError::Body { url: next, message: "\"value\" is not an array".into() });
                }
            }
            let link = match page.get("nextLink") {
                Some(Value::String(link)) if !link.is_empty() => link.clone(),
                Some(Value::String(_)) | Some(Value::Null) | None => return Ok(items),
                Some(_) => return Err(HttpError::Body { url: next, message: "\"nextLink\" is not a string".into() }),
            };
            if origin_of(&link) != origin {
                return Err(HttpError::ForeignNextLink { origin, next: link });
            }
            if !seen.insert(link.clone()) || link == url {
                return Err(HttpError::PagingLoop { url: url.to_string(), next: link });
            }
            next = link;
        }
        Err(HttpError::Body { url: url.to_string(), message: format!("more than {MAX_PAGES} pages") })
    }

    /// Sends one request, retrying throttled and transient failures. Non-retryable statuses come
    /// back as a [`Response`] for the caller to judge (a 401 challenge, a 403, a 404).
    pub async fn send(
        &self,
        method: Method,
        url: &str,
        auth: &Auth,
        body: Option<&Value>,
    ) -> Result<Response, HttpError> {
        let options = &self.inner.options;
        let host = host_of(url);
        let mut failures = 0u32;
        let mut throttled = 0u32;
        loop {
            self.wait_for_host(&host).await;
            let outcome = {
                let _permit = self.inner.permits.acquire().await.map_err(|_| HttpError::Transport {
                    what: "client shut down".into(),
                    tries: failures,
                    method: method.to_string(),
                    url: url.to_string(),
                })?;
                // The pause may have been set while this request waited for a permit.
                self.wait_for_host(&host).await;
                self.try_once(method.clone(), url, auth, body).await
            };
            match outcome {
                Ok(response) if response.status == StatusCode::TOO_MANY_REQUESTS => {
                    self.inner.stats.throttled.fetch_add(1, Ordering::Relaxed);
                    throttled += 1;
                    if throttled > options.max_throttled {
                        return Ok(response);
                    }
                    let wait =
                        retry_after(&response.headers).unwrap_or_else(|| self.backoff(throttled)).min(options.max_wait);
                    self.pause_host(&host, wait);
                    self.inner.stats.retries.fetch_add(1, Ordering::Relaxed);
                }
                Ok(response) if is_transient(response.status) => {
                    failures += 1;
                    if failures >= options.max_tries {
                        return Ok(response);
                    }
                    self.inner.stats.retries.fetch_add(1, Ordering::Relaxed);
                    let wait = retry_after(&response.headers).unwrap_or_else(|| self.backoff(failures));
                    tokio::time::sleep(wait.min(options.max_wait)).await;
                }
                Ok(response) => {
                    self.observe_rate_limits(&host, &response.headers);
                    return Ok(response);
                }
                Err(Failure::Auth(message)) => return Err(HttpError::Auth(message)),
                Err(Failure::Transport(what)) => {
                    failures += 1;
                    if failures >= options.max_tries {
                        return Err(HttpError::Transport {
                            what,
                            tries: failures,
                            method: method.to_string(),
                            url: url.to_string(),
                        });
                    }
                    self.inner.stats.retries.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(self.backoff(failures)).await;
                }
            }
        }
    }

    async fn try_once(
        &self,
        method: Method,
        url: &str,
        auth: &Auth,
        body: Option<&Value>,
    ) -> Result<Response, Failure> {
        let mut request = self.inner.client.request(method, url).timeout(self.inner.options.request_timeout);
        if let Auth::Scope(scope) = auth {
            let token = self.inner.tokens.token(scope).await.map_err(Failure::Auth)?;
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        self.inner.stats.requests.fetch_add(1, Ordering::Relaxed);
        let response = request.send().await.map_err(|e| Failure::Transport(describe(&e)))?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(|e| Failure::Transport(describe(&e)))?;
        Ok(Response { status, headers, body, url: url.to_string() })
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let base = self.inner.options.base_backoff.as_secs_f64() * 2f64.powi(attempt.saturating_sub(1).min(16) as i32);
        // Full jitter in [0.5, 1.5) × base keeps many clients from retrying in lockstep.
        let jitter = 0.5 + jitter_fraction();
        Duration::from_secs_f64((base * jitter).min(self.inner.options.max_wait.as_secs_f64()))
    }

    async fn wait_for_host(&self, host: &str) {
        loop {
            let until = self.paused_until().get(host).copied();
            match until {
                Some(until) if until > Instant::now() => tokio::time::sleep_until(until.into()).await,
                _ => return,
            }
        }
    }

    fn pause_host(&self, host: &str, wait: Duration) {
        let until = Instant::now() + wait;
        let mut paused = self.paused_until();
        let entry = paused.entry(host.to_string()).or_insert(until);
        if *entry < until {
            *entry = until;
        }
    }

    fn paused_until(&self) -> std::sync::MutexGuard<'_, HashMap<String, Instant>> {
        self.inner.paused_until.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Slows down before Azure throttles: ARM's remaining-reads headers and Resource Graph's quota.
    fn observe_rate_limits(&self, host: &str, headers: &reqwest::header::HeaderMap) {
        let number =
            |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok());
        let remaining = [
            "x-ms-ratelimit-remaining-subscription-reads",
            "x-ms-ratelimit-remaining-subscription-global-reads",
            "x-ms-ratelimit-remaining-tenant-reads",
        ]
        .iter()
        .filter_map(|name| number(name))
        .min();
        if remaining.is_some_and(|left| left < self.inner.options.low_remaining) {
            self.inner.stats.slowdowns.fetch_add(1, Ordering::Relaxed);
            // ARM's token bucket refills at about 25 reads a second: a short pause lets it refill.
            self.pause_host(host, Duration::from_secs(1));
        }
        if number("x-ms-user-quota-remaining") == Some(0) {
            let reset = headers
                .get("x-ms-user-quota-resets-after")
                .and_then(|v| v.to_str().ok())
                .and_then(parse_hms)
                .unwrap_or(Duration::from_secs(5));
            self.inner.stats.slowdowns.fetch_add(1, Ordering::Relaxed);
            self.pause_host(host, reset.min(self.inner.options.max_wait));
        }
    }
}

enum Failure {
    Auth(String),
    Transport(String),
}

/// A non-success status as an error carrying Azure's `error.code` and `error.message`.
pub fn ensure_success(response: &Response, method: &str) -> Result<(), HttpError> {
    if response.status.is_success() {
        return Ok(());
    }
    Err(status_error(response, method))
}

pub fn status_error(response: &Response, method: &str) -> HttpError {
    let parsed: Option<Value> = serde_json::from_slice(&response.body).ok();
    let error = parsed.as_ref().and_then(|v| v.get("error"));
    let code = error.and_then(|e| e.get("code")).and_then(Value::as_str).filter(|c| !c.is_empty()).map(str::to_string);
    let inner_code =
        error.and_then(|e| e.get("innererror")).and_then(|e| e.get("code")).and_then(Value::as_str).map(str::to_string);
    let message =
        error.and_then(|e| e.get("message")).and_then(Value::as_str).map(str::to_string).unwrap_or_else(|| {
            let text = String::from_utf8_lossy(&response.body);
            let text = text.trim();
            if text.is_empty() {
                response.status.canonical_reason().unwrap_or("error").to_string()
            } else {
                text.chars().take(300).collect()
            }
        });
    HttpError::Status {
        status: response.status.as_u16(),
        code: inner_code.or(code),
        message,
        method: method.to_string(),
        url: response.url.clone(),
        request_id: response.headers.get("x-ms-request-id").and_then(|v| v.to_str().ok()).map(str::to_string),
    }
}

fn is_transient(status: StatusCode) -> bool {
    matches!(status.as_u16(), 500 | 502 | 503 | 504)
}

/// `Retry-After` as seconds or as an HTTP date.
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<f64>() {
        return (seconds >= 0.0 && seconds.is_finite()).then(|| Duration::from_secs_f64(seconds));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = when.timestamp_millis() - chrono::Utc::now().timestamp_millis();
    Some(Duration::from_millis(wait.max(0) as u64))
}

fn parse_hms(text: &str) -> Option<Duration> {
    let mut parts = text.trim().split(':').map(|p| p.parse::<f64>().ok());
    let (h, m, s) = (parts.next()??, parts.next()??, parts.next()??);
    Some(Duration::from_secs_f64(h * 3600.0 + m * 60.0 + s))
}

fn describe(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "cannot connect"
    } else {
        "connection failed"
    };
    // The source chain says why (refused, reset, certificate); the URL is added by the caller.
    let mut cause = String::new();
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        cause = inner.to_string();
        source = inner.source();
    }
    if cause.is_empty() {
        kind.to_string()
    } else {
        format!("{kind}: {cause}")
    }
}

fn host_of(url: &str) -> String {
    Url::parse(url).ok().and_then(|u| u.host_str().map(str::to_ascii_lowercase)).unwrap_or_default()
}

fn origin_of(url: &str) -> String {
    Url::parse(url).map(|u| u.origin().ascii_serialization()).unwrap_or_default()
}

fn jitter_fraction() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(Instant::now().elapsed().as_nanos());
    (hasher.finish() % 10_000) as f64 / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        let soon = (chrono::Utc::now() + chrono::Duration::seconds(30)).to_rfc2822();
        headers.insert(RETRY_AFTER, HeaderValue::from_str(&soon).expect("header"));
        let wait = retry_after(&headers).expect("date");
        assert!(wait > Duration::from_secs(25) && wait <= Duration::from_secs(30), "{wait:?}");
        headers.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn quota_reset_is_hours_minutes_seconds() {
        assert_eq!(parse_hms("00:00:03"), Some(Duration::from_secs(3)));
        assert_eq!(parse_hms("01:02:03"), Some(Duration::from_secs(3723)));
        assert_eq!(parse_hms("3"), None);
    }

    #[test]
    fn origins_compare_scheme_host_and_port() {
        assert_eq!(origin_of("https://management.azure.com/subscriptions?x=1"), "https://management.azure.com");
        assert_ne!(origin_of("https://management.azure.com/a"), origin_of("https://evil.example/a"));
        assert_ne!(origin_of("https://127.0.0.1:1/a"), origin_of("https://127.0.0.1:2/a"));
    }
}
