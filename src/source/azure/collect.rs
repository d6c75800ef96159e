//! A live collection, start to end: subscriptions → vaults (Resource Graph, else ARM per
//! subscription) → per vault its role assignments, diagnostic settings, secret and key metadata
//! (ARM) and certificates and rotation policies (data plane) → role definitions → principals.
//!
//! Failures are data: anything that cannot be read becomes an entry in `errors` and the rest
//! goes on. Bodies are kept verbatim; kvscan only adds `roleName` and `subscriptionId` where
//! the inventory format says so.

use super::cloud::CloudProfile;
use super::dataplane::DataPlane;
use super::directory;
use super::http::{Auth, Http, HttpError};
use super::progress::Progress;
use crate::inventory::{GeneratedBy, Inventory, ScanError, SourceKind, SourceRef, VaultParts, VaultRecord};
use futures::stream::{self, StreamExt};
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

/// Which part of the estate to read. Empty: every subscription the identity can see.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub subscriptions: Vec<String>,
    pub management_groups: Vec<String>,
}

/// How vaults were found, for the progress log and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Discovery {
    ResourceGraph,
    ArmPerSubscription,
}

pub struct Collected {
    pub inventory: Inventory,
    pub discovery: Discovery,
}

pub async fn collect(http: &Http, profile: &CloudProfile, selection: &Selection, progress: &Progress) -> Collected {
    Collector { http: http.clone(), profile: profile.clone(), errors: Default::default(), roles: Default::default() }
        .run(selection, progress)
        .await
}

struct Collector {
    http: Http,
    profile: CloudProfile,
    errors: Mutex<Vec<ScanError>>,
    /// Role definitions by lower-case GUID: fetched once however many scopes name them, with every
    /// full id that named them (built-in roles are served under each subscription's path).
    roles: tokio::sync::Mutex<HashMap<String, RoleEntry>>,
}

const VAULT_QUERY: &str = "resources | where type =~ 'microsoft.keyvault/vaults' \
| project id, name, type, location, tags, properties | order by id asc";
const SUBSCRIPTION_QUERY: &str = "resourcecontainers | where type =~ 'microsoft.resources/subscriptions' \
| project id, subscriptionId | order by id asc";

impl Collector {
    fn arm(&self) -> &str {
        self.profile.resource_manager.trim_end_matches('/')
    }

    fn arm_auth(&self) -> Auth {
        Auth::Scope(self.profile.resource_manager_scope())
    }

    fn error(&self, scope: impl Into<String>, message: impl Into<String>) {
        let mut errors = self.errors.lock().unwrap_or_else(|p| p.into_inner());
        errors.push(ScanError { scope: scope.into(), message: message.into() });
    }

    async fn run(self, selection: &Selection, progress: &Progress) -> Collected {
        let versions = self.profile.api_versions.clone();
        let auth = self.arm_auth();
        let tenants =
            match self.http.list(&format!("{}/tenants?api-version={}", self.arm(), versions.resources), &auth).await {
                Ok(tenants) => tenants,
                Err(error) => {
                    progress.note(&format!("tenants not listed ({error}); continuing without tenant details"));
                    Vec::new()
                }
            };
        let subscriptions = self.subscriptions(selection).await;
        // Disabled and deleted subscriptions stay in the inventory, verbatim with their state, but
        // are not read: Azure refuses reads of their resources.
        let ids: Vec<String> = subscriptions
            .iter()
            .filter(|s| {
                let readable = readable(s);
                if !readable {
                    progress.note(&format!(
                        "skipping subscription {} ({}): it is {}, and its resources cannot be read",
                        str_at(s, "subscriptionId").unwrap_or_default(),
                        str_at(s, "displayName").unwrap_or_default(),
                        str_at(s, "state").unwrap_or_default()
                    ));
                }
                readable
            })
            .filter_map(|s| str_at(s, "subscriptionId"))
            .collect();
        progress.subscriptions(ids.len());

        let (discovered, pricings) = tokio::join!(self.discover_vaults(&ids, selection, progress), self.pricings(&ids));
        let (rows, discovery) = discovered;
        progress.vaults_found(rows.len(), discovery);

        let concurrency = self.http_concurrency() * 4;
        let this = &self;
        let mut collected: Vec<(VaultRecord, BTreeSet<String>)> = stream::iter(rows)
            .map(|row| async move {
                let result = this.vault(row).await;
                progress.vault_done();
                result
            })
            .buffer_unordered(concurrency)
            .filter_map(|r| async move { r })
            .collect()
            .await;
        collected.sort_by_cached_key(|(record, _)| record.id().to_ascii_lowercase());

        let mut principal_ids = BTreeSet::new();
        let mut vaults = Vec::with_capacity(collected.len());
        for (record, ids) in collected {
            principal_ids.extend(ids);
            vaults.push(record);
        }
        let principals = match directory::resolve(&self.http, &self.profile, &principal_ids).await {
            Ok(principals) => principals,
            Err(why) => {
                progress.note(&format!(
                    "principal names not resolved ({why}); the inventory lists principal ids only \
                     (grant Microsoft Graph Directory.Read.All for names, types and guest detection)"
                ));
                Vec::new()
            }
        };

        let mut role_definitions: Vec<Value> = {
            let roles = self.roles.lock().await;
            roles.values().filter_map(RoleEntry::definition).collect()
        };
        role_definitions.sort_by_key(|r| str_at(r, "id").unwrap_or_default().to_ascii_lowercase());
        let mut errors = self.errors.into_inner().unwrap_or_else(|p| p.into_inner());
        errors.sort();
        errors.dedup();

        let inventory = Inventory {
            schema: None,
            schema_version: crate::inventory::SCHEMA_VERSION,
            generated_by: Some(GeneratedBy { tool: "kvscan".into(), version: env!("CARGO_PKG_VERSION").into() }),
            tenants,
            subscriptions,
            vaults,
            pricings,
            role_definitions,
            principals,
            errors,
        };
        Collected { inventory, discovery }
    }

    fn http_concurrency(&self) -> usize {
        self.http.concurrency()
    }

    /// The subscriptions to scan, verbatim from `GET /subscriptions`, sorted by id.
    async fn subscriptions(&self, selection: &Selection) -> Vec<Value> {
        let url = format!("{}/subscriptions?api-version={}", self.arm(), self.profile.api_versions.resources);
        let mut listed = match self.http.list(&url, &self.arm_auth()).await {
            Ok(listed) => listed,
            Err(error) => {
                self.error("/subscriptions", format!("subscriptions could not be listed: {error}"));
                return Vec::new();
            }
        };
        listed.sort_by_key(|s| str_at(s, "subscriptionId").unwrap_or_default().to_ascii_lowercase());
        let id_of = |s: &Value| str_at(s, "subscriptionId").unwrap_or_default().to_ascii_lowercase();

        if !selection.subscriptions.is_empty() {
            let wanted: BTreeSet<String> = selection.subscriptions.iter().map(|s| s.to_ascii_lowercase()).collect();
            for id in &wanted {
                if !listed.iter().any(|s| id_of(s) == *id) {
                    self.error(
                        format!("/subscriptions/{id}"),
                        "SubscriptionNotFound: the subscription is not visible to this identity (not in GET /subscriptions); \
                         grant it Reader on the subscription",
                    );
                }
            }
            listed.retain(|s| wanted.contains(&id_of(s)));
        }
        if !selection.management_groups.is_empty() {
            match self.subscriptions_below(&selection.management_groups).await {
                Ok(below) => listed.retain(|s| below.contains(&id_of(s))),
                Err(error) => {
                    for group in &selection.management_groups {
                        self.error(
                            format!("/providers/Microsoft.Management/managementGroups/{group}"),
                            format!("subscriptions of the management group could not be listed: {error}"),
                        );
                    }
                    listed.clear();
                }
            }
        }
        listed
    }

    async fn subscriptions_below(&self, groups: &[String]) -> Result<BTreeSet<String>, HttpError> {
        let rows = self.resource_graph(SUBSCRIPTION_QUERY, Scope::ManagementGroups(groups)).await?;
        Ok(rows.iter().filter_map(|r| str_at(r, "subscriptionId")).map(|s| s.to_ascii_lowercase()).collect())
    }

    async fn discover_vaults(
        &self,
        ids: &[String],
        selection: &Selection,
        progress: &Progress,
    ) -> (Vec<Value>, Discovery) {
        if ids.is_empty() {
            return (Vec::new(), Discovery::ResourceGraph);
        }
        let scope = if selection.management_groups.is_empty() {
            Scope::Subscriptions(ids)
        } else {
            Scope::ManagementGroups(&selection.management_groups)
        };
        match self.resource_graph(VAULT_QUERY, scope).await {
            Ok(rows) => {
                let wanted: BTreeSet<String> = ids.iter().map(|s| s.to_ascii_lowercase()).collect();
                let vaults = rows
                    .into_iter()
                    .filter(|row| subscription_of(row).is_some_and(|s| wanted.contains(&s)))
                    .map(normalise_graph_row)
                    .collect();
                (vaults, Discovery::ResourceGraph)
            }
            Err(error) => {
                progress.note(&format!(
                    "Resource Graph unavailable ({error}); listing vaults per subscription through ARM"
                ));
                let this = self;
                let lists: Vec<Vec<Value>> = stream::iter(ids.iter())
                    .map(|id| async move { this.vaults_of_subscription(id).await })
                    .buffered(self.http_concurrency())
                    .collect()
                    .await;
                let mut vaults: Vec<Value> = lists.into_iter().flatten().collect();
                vaults.sort_by_key(|v| str_at(v, "id").unwrap_or_default().to_ascii_lowercase());
                (vaults, Discovery::ArmPerSubscription)
            }
        }
    }

    async fn vaults_of_subscription(&self, subscription: &str) -> Vec<Value> {
        let path = format!("{}/subscriptions/{subscription}/providers/Microsoft.KeyVault/vaults", self.arm());
        match self.list_key_vault(&path).await {
            Ok(vaults) => vaults,
            Err(error) => {
                self.error(format!("/subscriptions/{subscription}"), format!("vaults could not be listed: {error}"));
                Vec::new()
            }
        }
    }

    /// Lists a Microsoft.KeyVault collection with the profile's api-version, falling back to the
    /// older one where a cloud does not offer the newest yet.
    async fn list_key_vault(&self, path: &str) -> Result<Vec<Value>, HttpError> {
        let versions = &self.profile.api_versions;
        match self.http.list(&format!("{path}?api-version={}", versions.key_vault), &self.arm_auth()).await {
            Err(error) if unsupported_api_version(&error) && versions.key_vault_fallback != versions.key_vault => {
                self.http.list(&format!("{path}?api-version={}", versions.key_vault_fallback), &self.arm_auth()).await
            }
            other => other,
        }
    }

    async fn get_key_vault(&self, path: &str) -> Result<Value, HttpError> {
        let versions = &self.profile.api_versions;
        match self.http.get_json(&format!("{path}?api-version={}", versions.key_vault), &self.arm_auth()).await {
            Err(error) if unsupported_api_version(&error) && versions.key_vault_fallback != versions.key_vault => {
                self.http
                    .get_json(&format!("{path}?api-version={}", versions.key_vault_fallback), &self.arm_auth())
                    .await
            }
            other => other,
        }
    }

    /// Every row of a Resource Graph query, page by page (`$skipToken` in the body, 1,000 rows a
    /// page). A truncated answer without a token is an error, never a complete result.
    async fn resource_graph(&self, query: &str, scope: Scope<'_>) -> Result<Vec<Value>, HttpError> {
        let url = format!(
            "{}/providers/Microsoft.ResourceGraph/resources?api-version={}",
            self.arm(),
            self.profile.api_versions.resource_graph
        );
        let batches: Vec<(&str, Vec<String>)> = match scope {
            // Microsoft recommends batches below 300 subscriptions per query.
            Scope::Subscriptions(ids) => ids.chunks(250).map(|c| ("subscriptions", c.to_vec())).collect(),
            Scope::ManagementGroups(groups) => vec![("managementGroups", groups.to_vec())],
        };
        let mut rows = Vec::new();
        for (key, batch) in batches {
            let mut skip_token: Option<String> = None;
            let mut seen = BTreeSet::new();
            loop {
                let mut options = json!({ "$top": 1000, "resultFormat": "objectArray" });
                if let Some(token) = &skip_token {
                    options["$skipToken"] = Value::String(token.clone());
                }
                let body = json!({ key: batch, "query": query, "options": options });
                let page = self.http.post_json(&url, &self.arm_auth(), &body).await?;
                match page.get("data") {
                    Some(Value::Array(data)) => rows.extend(data.iter().cloned()),
                    _ => {
                        return Err(HttpError::Body {
                            url,
                            message: "Resource Graph answer has no \"data\" array".into(),
                        })
                    }
                }
                let truncated = match page.get("resultTruncated") {
                    Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
                    Some(Value::Bool(b)) => *b,
                    _ => false,
                };
                match page.get("$skipToken").and_then(Value::as_str).filter(|t| !t.is_empty()) {
                    Some(token) => {
                        if !seen.insert(token.to_string()) {
                            return Err(HttpError::PagingLoop { url, next: format!("$skipToken {token}") });
                        }
                        skip_token = Some(token.to_string());
                    }
                    None if truncated => {
                        return Err(HttpError::Body {
                            url,
                            message: "resultTruncated is true but no $skipToken came back: the result is incomplete"
                                .into(),
                        })
                    }
                    None => break,
                }
            }
        }
        Ok(rows)
    }

    /// Defender for Key Vault per subscription. It doubles as the readability probe of a
    /// subscription: Resource Graph silently leaves out subscriptions it may not read.
    async fn pricings(&self, ids: &[String]) -> Vec<Value> {
        let this = self;
        let results: Vec<Option<Value>> = stream::iter(ids.iter())
            .map(|id| async move {
                let url = format!(
                    "{}/subscriptions/{id}/providers/Microsoft.Security/pricings/KeyVaults?api-version={}",
                    this.arm(),
                    this.profile.api_versions.security_pricings
                );
                match this.http.get_json(&url, &this.arm_auth()).await {
                    Ok(mut pricing) => {
                        if let Value::Object(map) = &mut pricing {
                            map.insert("subscriptionId".into(), Value::String(id.clone()));
                        }
                        Some(pricing)
                    }
                    Err(error) if matches!(error.status(), Some(401) | Some(403)) => {
                        this.error(format!("/subscriptions/{id}"), format!("subscription could not be read: {error}"));
                        None
                    }
                    Err(error) => {
                        this.error(
                            format!("/subscriptions/{id}/providers/Microsoft.Security/pricings/KeyVaults"),
                            format!("Defender for Key Vault plan could not be read: {error}"),
                        );
                        None
                    }
                }
            })
            .buffered(self.http_concurrency())
            .collect()
            .await;
        results.into_iter().flatten().collect()
    }

    /// One vault's record and the principal ids it names. `None` only when the vault has no id.
    async fn vault(&self, resource: Value) -> Option<(VaultRecord, BTreeSet<String>)> {
        let id = str_at(&resource, "id")?;
        let base = format!("{}{}", self.arm(), id);
        let versions = &self.profile.api_versions;
        let auth = self.arm_auth();
        let diagnostics_url = format!(
            "{base}/providers/Microsoft.Insights/diagnosticSettings?api-version={}",
            versions.diagnostic_settings
        );
        let assignments_url =
            format!("{base}/providers/Microsoft.Authorization/roleAssignments?api-version={}", versions.authorization);
        let secrets_path = format!("{base}/secrets");
        let (diagnostics, assignments, secrets, keys) = tokio::join!(
            self.http.list(&diagnostics_url, &auth),
            self.http.list(&assignments_url, &auth),
            self.list_key_vault(&secrets_path),
            self.keys(&base),
        );
        let mut parts = VaultParts {
            resource,
            source: SourceRef { kind: SourceKind::Live, ..SourceRef::default() },
            ..VaultParts::default()
        };
        let take = |what: &str, result: Result<Vec<Value>, HttpError>| match result {
            Ok(items) => items,
            Err(error) => {
                self.error(id.clone(), format!("{what} not read: {error}"));
                Vec::new()
            }
        };
        parts.diagnostic_settings = take("diagnostic settings", diagnostics);
        parts.role_assignments = take("role assignments", assignments);
        parts.secrets = take("secrets", secrets);
        parts.keys = take("keys", keys);

        self.data_plane(&id, &mut parts).await;
        for assignment in &mut parts.role_assignments {
            self.name_role(assignment).await;
        }
        sort_by_key(&mut parts.diagnostic_settings, "id");
        sort_by_key(&mut parts.role_assignments, "id");
        sort_by_key(&mut parts.secrets, "name");
        sort_by_key(&mut parts.keys, "name");
        sort_by_key(&mut parts.certificates, "name");

        let mut principals: BTreeSet<String> = parts
            .role_assignments
            .iter()
            .filter_map(|a| a.pointer("/properties/principalId").and_then(Value::as_str).map(str::to_string))
            .collect();
        if let Some(Value::Array(policies)) = parts.resource.pointer("/properties/accessPolicies") {
            principals.extend(policies.iter().filter_map(|p| str_at(p, "objectId")));
        }
        match VaultRecord::new(&parts) {
            Ok(record) => Some((record, principals)),
            Err(problem) => {
                self.error(id, format!("vault record rejected at {}: {}", problem.pointer, problem.message));
                None
            }
        }
    }

    /// ARM's key list leaves out type and size: keys without `kty` are read one by one.
    async fn keys(&self, base: &str) -> Result<Vec<Value>, HttpError> {
        let listed = self.list_key_vault(&format!("{base}/keys")).await?;
        let this = self;
        let detailed: Vec<Result<Value, HttpError>> = stream::iter(listed)
            .map(|key| async move {
                if key.pointer("/properties/kty").is_some() {
                    return Ok(key);
                }
                match str_at(&key, "id") {
                    Some(key_id) => this.get_key_vault(&format!("{}{key_id}", this.arm())).await,
                    None => Ok(key),
                }
            })
            .buffered(4)
            .collect()
            .await;
        detailed.into_iter().collect()
    }

    /// Certificates and key rotation policies come from the data plane only. When it cannot be
    /// reached the vault is still scanned on its ARM metadata, and the gap is recorded.
    async fn data_plane(&self, id: &str, parts: &mut VaultParts) {
        let Some(uri) = parts.resource.pointer("/properties/vaultUri").and_then(Value::as_str).map(str::to_string)
        else {
            self.error(id, "data plane not scanned: the vault has no properties.vaultUri; certificates and key rotation policies not read");
            return;
        };
        let tenant = parts.resource.pointer("/properties/tenantId").and_then(Value::as_str).map(str::to_string);
        let plane = match DataPlane::connect(&self.http, &self.profile, &uri, tenant.as_deref()).await {
            Ok(plane) => plane,
            Err(why) => {
                self.error(
                    id,
                    format!("data plane not scanned ({uri}): {why}; certificates and key rotation policies not read"),
                );
                return;
            }
        };
        match plane.certificates().await {
            Ok(certificates) => parts.certificates = certificates,
            Err(error) => {
                self.error(id, format!("certificates not read from the data plane ({uri}): {error}"));
            }
        }
        for key in &mut parts.keys {
            if key.pointer("/properties/rotationPolicy").is_some() {
                continue;
            }
            let Some(name) = str_at(key, "name") else { continue };
            match plane.rotation_policy(&name).await {
                Ok(Some(policy)) => {
                    if let Some(Value::Object(properties)) = key.get_mut("properties") {
                        properties.insert("rotationPolicy".into(), policy);
                    }
                }
                Ok(None) => {}
                Err(error) => {
                    self.error(id, format!("rotation policy of key {name} not read from the data plane: {error}"));
                    break;
                }
            }
        }
    }

    /// Adds `roleName` from the role definition (built-in or custom), fetched once per GUID.
    async fn name_role(&self, assignment: &mut Value) {
        let Some(definition_id) = assignment.pointer("/properties/roleDefinitionId").and_then(Value::as_str) else {
            return;
        };
        let definition_id = definition_id.to_string();
        let guid = definition_id.rsplit('/').next().unwrap_or_default().to_ascii_lowercase();
        let cell = {
            let mut roles = self.roles.lock().await;
            let entry = roles.entry(guid).or_default();
            entry.ids.insert(definition_id.clone());
            entry.cell.clone()
        };
        let definition = cell
            .get_or_init(|| async {
                let url =
                    format!("{}{definition_id}?api-version={}", self.arm(), self.profile.api_versions.authorization);
                match self.http.get_json(&url, &self.arm_auth()).await {
                    Ok(definition) => Some(definition),
                    Err(error) => {
                        self.error(definition_id.clone(), format!("role definition not read: {error}"));
                        None
                    }
                }
            })
            .await;
        let name = definition.as_ref().and_then(|d| d.pointer("/properties/roleName")).cloned();
        if let (Some(name), Value::Object(map)) = (name, assignment) {
            map.insert("roleName".into(), name);
        }
    }
}

#[derive(Default)]
struct RoleEntry {
    cell: Arc<tokio::sync::OnceCell<Option<Value>>>,
    ids: BTreeSet<String>,
}

impl RoleEntry {
    /// The definition as ARM served it, under the smallest id that named it: which vault asked
    /// first must not change the inventory.
    fn definition(&self) -> Option<Value> {
        let mut definition = self.cell.get().cloned().flatten()?;
        if let (Some(first), Value::Object(map)) = (self.ids.iter().next(), &mut definition) {
            map.insert("id".into(), Value::String(first.clone()));
        }
        Some(definition)
    }
}

enum Scope<'a> {
    Subscriptions(&'a [String]),
    ManagementGroups(&'a [String]),
}

/// Resource Graph lower-cases `type`; the record keeps ARM's spelling so it reads like a GET.
fn normalise_graph_row(mut row: Value) -> Value {
    if let Value::Object(map) = &mut row {
        map.insert("type".into(), Value::String("Microsoft.KeyVault/vaults".into()));
        if map.get("tags").is_some_and(Value::is_null) {
            map.remove("tags");
        }
    }
    row
}

fn readable(subscription: &Value) -> bool {
    let state = str_at(subscription, "state").unwrap_or_default();
    !(state.eq_ignore_ascii_case("Disabled") || state.eq_ignore_ascii_case("Deleted"))
}

fn subscription_of(row: &Value) -> Option<String> {
    let id = str_at(row, "id")?;
    let mut segments = id.split('/');
    while let Some(segment) = segments.next() {
        if segment.eq_ignore_ascii_case("subscriptions") {
            return segments.next().map(str::to_ascii_lowercase);
        }
    }
    None
}

fn unsupported_api_version(error: &HttpError) -> bool {
    error.status() == Some(400)
        && error.code().is_some_and(|c| c.contains("ApiVersion") || c.contains("NoRegisteredProviderFound"))
}

fn str_at(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_string)
}

fn sort_by_key(items: &mut [Value], key: &str) {
    items.sort_by_cached_key(|item| str_at(item, key).unwrap_or_default().to_ascii_lowercase());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_rows_read_like_arm() {
        let row = normalise_graph_row(
            json!({"id": "/subscriptions/S/resourceGroups/r/providers/Microsoft.KeyVault/vaults/v", "type": "microsoft.keyvault/vaults", "tags": null}),
        );
        assert_eq!(row["type"], "Microsoft.KeyVault/vaults");
        assert!(row.get("tags").is_none());
        assert_eq!(subscription_of(&row).as_deref(), Some("s"));
    }

    #[test]
    fn api_version_errors_trigger_the_fallback() {
        let error = |status, code: &str| HttpError::Status {
            status,
            code: Some(code.into()),
            message: String::new(),
            method: "GET".into(),
            url: String::new(),
            request_id: None,
        };
        assert!(unsupported_api_version(&error(400, "InvalidApiVersionParameter")));
        assert!(unsupported_api_version(&error(400, "NoRegisteredProviderFound")));
        assert!(!unsupported_api_version(&error(403, "AuthorizationFailed")));
    }
}
