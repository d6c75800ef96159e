//! The fake tenant: N subscriptions × M vaults × K secrets of mixed compliance, every object
//! built from the real response shapes in `../shared/azure-rest-examples/` (read at start), with
//! only ids, names and the compliance-relevant properties changed.
//!
//! Not in any published example, so written from the API reference and said here: Microsoft
//! Graph `directoryObjects/getByIds` objects, Defender pricings, and vault properties such as
//! `enablePurgeProtection` (the README of the examples lists these gaps).

use serde_json::{json, Value};
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct TenantSpec {
    pub subscriptions: usize,
    pub vaults_per_subscription: usize,
    pub secrets_per_vault: usize,
    pub keys_per_vault: usize,
    pub certificates_per_vault: usize,
}

impl Default for TenantSpec {
    fn default() -> Self {
        TenantSpec {
            subscriptions: 3,
            vaults_per_subscription: 4,
            secrets_per_vault: 5,
            keys_per_vault: 2,
            certificates_per_vault: 2,
        }
    }
}

pub const TENANT_ID: &str = "b3cd5540-79c7-4e4f-867c-e0444d03ada6";
pub const CLIENT_ID: &str = "5c2a3cbb-2a4f-4c36-9a8b-2f0d1b7e9a01";
pub const CLIENT_SECRET: &str = "fake-client-secret-for-the-loopback-token-endpoint";

/// Built-in roles the fake assigns: (GUID, name, data actions).
pub const ROLES: &[(&str, &str, &[&str])] = &[
    (
        "4633458b-17de-408a-b874-0445c86b69e6",
        "Key Vault Secrets User",
        &[
            "Microsoft.KeyVault/vaults/secrets/getSecret/action",
            "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
        ],
    ),
    ("b24988ac-6180-42a0-ab88-20f7382dd24c", "Contributor", &[]),
    ("acdd72a7-3385-48ef-bd42-f606fba81ae7", "Reader", &[]),
    ("00482a5a-887f-4fb3-b363-3b7fe8e74483", "Key Vault Administrator", &["Microsoft.KeyVault/vaults/*"]),
];

/// Principals: (object id, kind, display name). The last one is never returned by Graph (orphan).
pub const PRINCIPALS: &[(&str, &str, &str)] = &[
    ("184eeee4-fe00-45d3-bdb6-544cf2ddb68c", "user", "Alice Johnson"),
    ("72ee6985-f6a8-4947-a2e9-02e371e1e2c8", "managedIdentity", "id-payments-api"),
    ("9a7c1c3e-1d2b-4f3a-8e6d-5b4c3a2f1e0d", "servicePrincipal", "sp-deploy"),
    ("e3f1a2b4-5c6d-4e7f-8a9b-0c1d2e3f4a5b", "group", "kv-admins"),
    ("0badc0de-0000-4000-8000-00000000dead", "orphan", "deleted principal"),
];

pub fn shared_examples() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/azure-rest-examples");
    assert!(
        dir.is_dir(),
        "the fake ARM server reads the real response shapes from {}; check out shared/ beside the repository",
        dir.display()
    );
    dir
}

/// The published examples, by relative path: the bodies the fake serves are built from these.
pub struct Examples {
    root: PathBuf,
}

impl Examples {
    pub fn load() -> Examples {
        Examples { root: shared_examples() }
    }

    /// `responses.<status>.body` of an example file.
    pub fn body(&self, file: &str, status: &str) -> Value {
        let path = self.root.join(file);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let example: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        example["responses"][status]["body"].clone()
    }

    pub fn first(&self, file: &str) -> Value {
        self.body(file, "200")["value"][0].clone()
    }
}

pub struct Vault {
    pub subscription: String,
    pub id: String,
    pub name: String,
    pub resource: Value,
    pub secrets: Vec<Value>,
    pub keys: Vec<(Value, Value)>,
    pub certificates: Vec<(Value, Value)>,
    pub rotation_policy: Value,
    pub role_assignments: Vec<Value>,
    pub diagnostic_settings: Vec<Value>,
}

pub struct Tenant {
    pub subscriptions: Vec<Value>,
    pub tenants: Vec<Value>,
    pub vaults: Vec<Vault>,
    pub role_definition: Value,
}

pub fn subscription_id(i: usize) -> String {
    format!("a0b5c000-0000-4000-8000-{i:012x}")
}

impl Tenant {
    /// `data_plane` is the base the vault URIs point at, e.g. `https://localhost:4443/vaults/`.
    pub fn generate(spec: &TenantSpec, data_plane: &str) -> Tenant {
        let examples = Examples::load();
        let subscription_shape = examples.first("resources/2022-12-01/GetSubscriptions.json");
        let mut tenants = examples.body("resources/2022-12-01/GetTenants.json", "200")["value"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for tenant in &mut tenants {
            tenant["tenantId"] = json!(TENANT_ID);
            tenant["id"] = json!(format!("/tenants/{TENANT_ID}"));
        }
        tenants.truncate(1);
        let vault_shape = examples.body("keyvault/2026-02-01/getVault.json", "200");
        let acl_shape = examples.body("keyvault/2026-02-01/createVaultWithNetworkAcls.json", "200")["properties"]
            ["networkAcls"]
            .clone();
        let pe_shape = examples.body("keyvault/2024-11-01/updateVault.json", "200")["properties"]
            ["privateEndpointConnections"][0]
            .clone();
        let secret_shape = examples.first("keyvault/2024-11-01/listSecrets.json");
        let key_list_shape = examples.first("keyvault/2024-11-01/listKeys.json");
        let key_shape = examples.body("keyvault/2024-11-01/getKey.json", "200");
        let cert_shape = examples.first("keyvault-dataplane/2025-07-01/GetCertificates-example.json");
        let policy_shape = examples.body("keyvault-dataplane/2025-07-01/GetCertificatePolicy-example.json", "200");
        let rotation_shape = examples.body("keyvault-dataplane/7.6/GetKeyRotationPolicy-example.json", "200");
        let assignment_shape = examples.first("authorization/2022-04-01/RoleAssignments_ListForResource.json");
        let diagnostic_shape = examples.first("monitor/2021-05-01-preview/listDiagnosticSettings.json");
        let role_definition = examples.body("authorization/2022-04-01/GetRoleDefinitionById.json", "200");

        let mut subscriptions = Vec::new();
        let mut vaults = Vec::new();
        for i in 0..spec.subscriptions {
            let sub = subscription_id(i);
            let mut subscription = subscription_shape.clone();
            subscription["id"] = json!(format!("/subscriptions/{sub}"));
            subscription["subscriptionId"] = json!(sub);
            subscription["tenantId"] = json!(TENANT_ID);
            subscription["displayName"] = json!(format!("Fake Subscription {i}"));
            subscriptions.push(subscription);
            for j in 0..spec.vaults_per_subscription {
                let name = format!("kv-s{i}-v{j}");
                let group = format!("rg-s{i}");
                let id =
                    format!("/subscriptions/{sub}/resourceGroups/{group}/providers/Microsoft.KeyVault/vaults/{name}");
                let mut resource = vault_shape.clone();
                resource["id"] = json!(id);
                resource["name"] = json!(name);
                resource["tags"] = json!({ "environment": if i == 0 { "prod" } else { "dev" }, "application": format!("app{}", j % 3) });
                let properties = &mut resource["properties"];
                properties["tenantId"] = json!(TENANT_ID);
                properties["vaultUri"] = json!(format!("{data_plane}{name}/"));
                // Mixed compliance: every fourth vault is hardened, the others miss something.
                let hardened = j % 4 == 0;
                properties["enablePurgeProtection"] = json!(hardened || j % 4 == 1);
                properties["enableRbacAuthorization"] = json!(j % 4 != 2);
                if j % 4 == 2 {
                    properties["accessPolicies"] = vault_shape["properties"]["accessPolicies"].clone();
                    properties["accessPolicies"][0]["objectId"] = json!(PRINCIPALS[2].0);
                    properties["accessPolicies"][0]["tenantId"] = json!(TENANT_ID);
                } else {
                    properties["accessPolicies"] = json!([]);
                }
                if hardened {
                    properties["publicNetworkAccess"] = json!("Disabled");
                    properties["networkAcls"] = acl_shape.clone();
                    let mut pe = pe_shape.clone();
                    pe["id"] = json!(format!("{id}/privateEndpointConnections/pe-{name}"));
                    properties["privateEndpointConnections"] = json!([pe]);
                } else {
                    properties["publicNetworkAccess"] = json!("Enabled");
                }
                let secrets = (0..spec.secrets_per_vault)
                    .map(|k| {
                        let mut secret = secret_shape.clone();
                        let secret_name = format!("secret-{k}");
                        secret["id"] = json!(format!("{id}/secrets/{secret_name}"));
                        secret["name"] = json!(secret_name);
                        secret["properties"]["secretUri"] = json!(format!("{data_plane}{name}/secrets/{secret_name}"));
                        secret["properties"]["secretUriWithVersion"] =
                            json!(format!("{data_plane}{name}/secrets/{secret_name}/0123456789abcdef"));
                        let attributes = &mut secret["properties"]["attributes"];
                        attributes["created"] = json!(1_790_000_000 + k as i64);
                        attributes["updated"] = json!(1_790_000_000 + k as i64);
                        if k % 2 == 0 {
                            attributes["exp"] = json!(1_830_000_000 + k as i64);
                        }
                        secret
                    })
                    .collect();
                let keys = (0..spec.keys_per_vault)
                    .map(|k| {
                        let key_name = format!("key-{k}");
                        let mut listed = key_list_shape.clone();
                        listed["id"] = json!(format!("{id}/keys/{key_name}"));
                        listed["name"] = json!(key_name);
                        listed["properties"]["keyUri"] = json!(format!("{data_plane}{name}/keys/{key_name}"));
                        let mut full = key_shape.clone();
                        full["id"] = listed["id"].clone();
                        full["name"] = listed["name"].clone();
                        full["properties"]["keyUri"] = listed["properties"]["keyUri"].clone();
                        full["properties"]["kty"] = json!(if k % 2 == 0 { "RSA-HSM" } else { "RSA" });
                        full["properties"]["keySize"] = json!(if k % 2 == 0 { 3072 } else { 2048 });
                        (listed, full)
                    })
                    .collect();
                let certificates = (0..spec.certificates_per_vault)
                    .map(|k| {
                        let cert_name = format!("cert-{k}");
                        let mut item = cert_shape.clone();
                        item["id"] = json!(format!("{data_plane}{name}/certificates/{cert_name}"));
                        let mut policy = policy_shape.clone();
                        policy["id"] = json!(format!("{data_plane}{name}/certificates/{cert_name}/policy"));
                        if k % 2 == 0 {
                            policy["x509_props"]["validity_months"] = json!(12);
                            policy["lifetime_actions"][0]["action"]["action_type"] = json!("AutoRenew");
                        }
                        (item, policy)
                    })
                    .collect();
                let assignment = |scope: &str, role: usize, principal: usize, n: usize| {
                    let mut a = assignment_shape.clone();
                    let guid = format!("{:08x}-{:04x}-4000-8000-{:012x}", i, j, n);
                    a["id"] = json!(format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{guid}"));
                    a["name"] = json!(guid);
                    a["properties"]["scope"] = json!(scope);
                    a["properties"]["roleDefinitionId"] = json!(format!(
                        "/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{}",
                        ROLES[role].0
                    ));
                    a["properties"]["principalId"] = json!(PRINCIPALS[principal].0);
                    a["properties"]["principalType"] = json!(match PRINCIPALS[principal].1 {
                        "user" => "User",
                        "group" => "Group",
                        _ => "ServicePrincipal",
                    });
                    a
                };
                let role_assignments = vec![
                    assignment(&id, 0, 1, 1),
                    assignment(&id, 3, 3, 2),
                    assignment(&format!("/subscriptions/{sub}/resourceGroups/{group}"), 1, 2, 3),
                    assignment(&format!("/subscriptions/{sub}"), 2, 0, 4),
                    assignment(&format!("{id}/secrets/secret-0"), 0, if j % 2 == 0 { 4 } else { 1 }, 5),
                ];
                let mut diagnostic_settings = Vec::new();
                if j % 4 != 3 {
                    let mut setting = diagnostic_shape.clone();
                    setting["id"] = json!(format!("{id}/providers/microsoft.insights/diagnosticSettings/audit"));
                    setting["name"] = json!("audit");
                    setting["properties"]["metrics"] = json!([]);
                    diagnostic_settings.push(setting);
                }
                vaults.push(Vault {
                    subscription: sub.clone(),
                    id,
                    name,
                    resource,
                    secrets,
                    keys,
                    certificates,
                    rotation_policy: rotation_shape.clone(),
                    role_assignments,
                    diagnostic_settings,
                });
            }
        }
        Tenant { subscriptions, tenants, vaults, role_definition }
    }

    /// `GET {roleDefinitionId}` answer for a GUID the fake assigns.
    pub fn role_definition(&self, path: &str) -> Option<Value> {
        let guid = path.rsplit('/').next()?.to_ascii_lowercase();
        let (_, name, data_actions) = ROLES.iter().find(|(g, _, _)| *g == guid)?;
        let mut definition = self.role_definition.clone();
        definition["id"] = json!(path);
        definition["name"] = json!(guid);
        definition["properties"]["roleName"] = json!(name);
        definition["properties"]["type"] = json!("BuiltInRole");
        definition["properties"]["permissions"] =
            json!([{ "actions": [], "notActions": [], "dataActions": data_actions, "notDataActions": [] }]);
        Some(definition)
    }
}

/// Microsoft Graph directory objects (shape from the getByIds API reference; no published example).
pub fn directory_object(id: &str) -> Option<Value> {
    let (_, kind, name) = PRINCIPALS.iter().find(|(p, _, _)| p.eq_ignore_ascii_case(id))?;
    Some(match *kind {
        "user" => {
            json!({ "@odata.type": "#microsoft.graph.user", "id": id, "displayName": name, "userPrincipalName": "alice.johnson@contoso.example" })
        }
        "group" => {
            json!({ "@odata.type": "#microsoft.graph.group", "id": id, "displayName": name, "securityEnabled": true })
        }
        "managedIdentity" => {
            json!({ "@odata.type": "#microsoft.graph.servicePrincipal", "id": id, "displayName": name, "servicePrincipalType": "ManagedIdentity", "appId": "11111111-2222-4333-8444-555555555555" })
        }
        "servicePrincipal" => {
            json!({ "@odata.type": "#microsoft.graph.servicePrincipal", "id": id, "displayName": name, "servicePrincipalType": "Application", "appId": "66666666-7777-4888-8999-000000000000" })
        }
        _ => return None,
    })
}
