//! The one table of Terraform `azurerm_*` attributes → ARM paths of the vault record.
//!
//! Plan JSON and HCL both produce [`TfResource`]s whose `values` have the plan's shape (nested
//! blocks are arrays of objects); this module turns them into the ARM-shaped parts the rules read.
//! Where an attribute is omitted, the value the provider sends is written (`provider defaults`),
//! so a Terraform vault is judged as the vault the provider would create, not by ARM's template
//! defaults. The table is documented in `docs/terraform.md`; keep the two in step.

use super::TfResource;
use crate::inventory::UnknownValue;
use crate::span::escape_token;
use serde_json::{json, Map, Value};

/// How a Terraform value becomes its ARM value.
#[derive(Debug, Clone, Copy)]
pub enum Convert {
    /// The same JSON value.
    Same,
    /// `true`/`false` → `"Enabled"`/`"Disabled"`.
    EnabledDisabled,
    /// An RFC 3339 date → Unix seconds (the inventory's time format).
    UnixSeconds,
    /// `sku_name = "premium"` → `{family: "A", name: "premium"}`.
    Sku,
    /// A list of strings → a list of objects with the string under this member (`ip_rules` →
    /// `ipRules[].value`).
    WrapEach(&'static str),
    /// The first block → an object built by the nested table.
    Block(&'static [Attribute]),
    /// Every block → an array of objects built by the nested table.
    Blocks(&'static [Attribute]),
    /// `rotation_policy` → the data-plane rotation policy.
    RotationPolicy,
}

/// One row of the table: Terraform attribute → ARM pointer (relative to the item).
#[derive(Debug, Clone, Copy)]
pub struct Attribute {
    pub terraform: &'static str,
    pub arm: &'static str,
    pub convert: Convert,
    /// What the provider sends when the attribute is omitted; `None`: nothing is sent.
    pub default: Option<fn() -> Value>,
}

const fn attr(terraform: &'static str, arm: &'static str) -> Attribute {
    Attribute { terraform, arm, convert: Convert::Same, default: None }
}

const fn with(terraform: &'static str, arm: &'static str, convert: Convert) -> Attribute {
    Attribute { terraform, arm, convert, default: None }
}

const fn defaulted(terraform: &'static str, arm: &'static str, convert: Convert, default: fn() -> Value) -> Attribute {
    Attribute { terraform, arm, convert, default: Some(default) }
}

fn yes() -> Value {
    Value::Bool(true)
}
fn no() -> Value {
    Value::Bool(false)
}

const ACCESS_POLICY: &[Attribute] = &[
    attr("tenant_id", "/tenantId"),
    attr("object_id", "/objectId"),
    attr("application_id", "/applicationId"),
    attr("key_permissions", "/permissions/keys"),
    attr("secret_permissions", "/permissions/secrets"),
    attr("certificate_permissions", "/permissions/certificates"),
    attr("storage_permissions", "/permissions/storage"),
];

const NETWORK_ACLS: &[Attribute] = &[
    attr("bypass", "/bypass"),
    attr("default_action", "/defaultAction"),
    with("ip_rules", "/ipRules", Convert::WrapEach("value")),
    with("virtual_network_subnet_ids", "/virtualNetworkRules", Convert::WrapEach("id")),
];

/// `azurerm_key_vault` → `resource` (the `Microsoft.KeyVault/vaults` resource).
pub const VAULT: &[Attribute] = &[
    attr("name", "/name"),
    attr("location", "/location"),
    attr("tags", "/tags"),
    attr("tenant_id", "/properties/tenantId"),
    with("sku_name", "/properties/sku", Convert::Sku),
    defaulted("purge_protection_enabled", "/properties/enablePurgeProtection", Convert::Same, no),
    // azurerm 2.x only; from 3.0 the provider always creates vaults with soft delete.
    defaulted("soft_delete_enabled", "/properties/enableSoftDelete", Convert::Same, yes),
    defaulted("soft_delete_retention_days", "/properties/softDeleteRetentionInDays", Convert::Same, || json!(90)),
    // 3.x name, and the 4.x name; both default to false and the provider always sends the value.
    defaulted("enable_rbac_authorization", "/properties/enableRbacAuthorization", Convert::Same, no),
    defaulted("rbac_authorization_enabled", "/properties/enableRbacAuthorization", Convert::Same, no),
    defaulted("public_network_access_enabled", "/properties/publicNetworkAccess", Convert::EnabledDisabled, || {
        json!("Enabled")
    }),
    defaulted("enabled_for_deployment", "/properties/enabledForDeployment", Convert::Same, no),
    defaulted("enabled_for_disk_encryption", "/properties/enabledForDiskEncryption", Convert::Same, no),
    defaulted("enabled_for_template_deployment", "/properties/enabledForTemplateDeployment", Convert::Same, no),
    with("network_acls", "/properties/networkAcls", Convert::Block(NETWORK_ACLS)),
    with("access_policy", "/properties/accessPolicies", Convert::Blocks(ACCESS_POLICY)),
];

/// `azurerm_key_vault_access_policy` → one entry of `resource.properties.accessPolicies`.
pub const ACCESS_POLICY_RESOURCE: &[Attribute] = ACCESS_POLICY;

/// `azurerm_key_vault_secret` → `secrets[]` (the value is never read).
pub const SECRET: &[Attribute] = &[
    attr("name", "/name"),
    attr("tags", "/tags"),
    attr("content_type", "/properties/contentType"),
    with("expiration_date", "/properties/attributes/exp", Convert::UnixSeconds),
    with("not_before_date", "/properties/attributes/nbf", Convert::UnixSeconds),
];

/// `azurerm_key_vault_key` → `keys[]`.
pub const KEY: &[Attribute] = &[
    attr("name", "/name"),
    attr("tags", "/tags"),
    attr("key_type", "/properties/kty"),
    attr("key_size", "/properties/keySize"),
    attr("curve", "/properties/curveName"),
    attr("key_opts", "/properties/keyOps"),
    with("expiration_date", "/properties/attributes/exp", Convert::UnixSeconds),
    with("not_before_date", "/properties/attributes/nbf", Convert::UnixSeconds),
    with("rotation_policy", "/properties/rotationPolicy", Convert::RotationPolicy),
];

const CERTIFICATE_POLICY: &[Attribute] = &[
    with("issuer_parameters", "/issuer", Convert::Block(&[attr("name", "/name")])),
    with(
        "key_properties",
        "/key_props",
        Convert::Block(&[
            attr("exportable", "/exportable"),
            attr("key_type", "/kty"),
            attr("key_size", "/key_size"),
            attr("reuse_key", "/reuse_key"),
            attr("curve", "/crv"),
        ]),
    ),
    with(
        "lifetime_action",
        "/lifetime_actions",
        Convert::Blocks(&[
            with("action", "/action", Convert::Block(&[attr("action_type", "/action_type")])),
            with(
                "trigger",
                "/trigger",
                Convert::Block(&[
                    attr("days_before_expiry", "/days_before_expiry"),
                    attr("lifetime_percentage", "/lifetime_percentage"),
                ]),
            ),
        ]),
    ),
    with("secret_properties", "/secret_props", Convert::Block(&[attr("content_type", "/contentType")])),
    with(
        "x509_certificate_properties",
        "/x509_props",
        Convert::Block(&[
            attr("subject", "/subject"),
            attr("validity_in_months", "/validity_months"),
            attr("key_usage", "/key_usage"),
            attr("extended_key_usage", "/ekus"),
        ]),
    ),
];

/// `azurerm_key_vault_certificate` → `certificates[]` (the data-plane policy shape).
pub const CERTIFICATE: &[Attribute] = &[
    attr("name", "/name"),
    attr("tags", "/tags"),
    with("certificate_policy", "/properties/policy", Convert::Block(CERTIFICATE_POLICY)),
];

/// `azurerm_role_assignment` → `roleAssignments[]` (`roleName` is kvscan's field).
pub const ROLE_ASSIGNMENT: &[Attribute] = &[
    attr("name", "/name"),
    attr("role_definition_name", "/roleName"),
    attr("role_definition_id", "/properties/roleDefinitionId"),
    attr("principal_id", "/properties/principalId"),
    attr("principal_type", "/properties/principalType"),
    attr("condition", "/properties/condition"),
    attr("condition_version", "/properties/conditionVersion"),
    attr("scope", "/properties/scope"),
];

/// `azurerm_monitor_diagnostic_setting` → `diagnosticSettings[]`.
pub const DIAGNOSTIC_SETTING: &[Attribute] = &[
    attr("name", "/name"),
    attr("log_analytics_workspace_id", "/properties/workspaceId"),
    attr("storage_account_id", "/properties/storageAccountId"),
    attr("eventhub_authorization_rule_id", "/properties/eventHubAuthorizationRuleId"),
    attr("eventhub_name", "/properties/eventHubName"),
    attr("partner_solution_id", "/properties/marketplacePartnerId"),
    with(
        "enabled_log",
        "/properties/logs",
        Convert::Blocks(&[attr("category", "/category"), attr("category_group", "/categoryGroup")]),
    ),
    with(
        "metric",
        "/properties/metrics",
        Convert::Blocks(&[attr("category", "/category"), attr("enabled", "/enabled")]),
    ),
];

/// `azurerm_private_endpoint` → `privateEndpoints[]`.
pub const PRIVATE_ENDPOINT: &[Attribute] = &[
    attr("name", "/name"),
    attr("location", "/location"),
    with(
        "private_service_connection",
        "/properties/privateLinkServiceConnections",
        Convert::Blocks(&[
            attr("name", "/name"),
            attr("private_connection_resource_id", "/properties/privateLinkServiceId"),
            attr("subresource_names", "/properties/groupIds"),
        ]),
    ),
];

/// `azurerm_security_center_subscription_pricing` → `pricings[]` (only `resource_type = "KeyVaults"`).
pub const PRICING: &[Attribute] = &[attr("tier", "/properties/pricingTier"), attr("subplan", "/properties/subPlan")];

/// The result of mapping one resource: the ARM value, its unknowns (record pointers below
/// `prefix`), and record pointer → source pointer pairs for locations.
#[derive(Debug, Default)]
pub struct Mapped {
    pub value: Value,
    pub unknowns: Vec<UnknownValue>,
    pub places: Vec<(String, String)>,
}

/// Maps `resource` by `table`; record pointers start with `prefix` (e.g. `/secrets/2`).
pub fn map_resource(resource: &TfResource, table: &[Attribute], prefix: &str) -> Mapped {
    let mut mapped = Mapped { value: Value::Object(Map::new()), ..Mapped::default() };
    mapped.places.push((prefix.to_string(), resource.origin.clone()));
    let mut out = Value::Object(Map::new());
    let context = Context { resource, record_prefix: prefix, source_prefix: &resource.values_origin };
    map_object(&context, &resource.values, "", "", table, &mut out, &mut mapped);
    mapped.value = out;
    mapped
}

struct Context<'a> {
    resource: &'a TfResource,
    record_prefix: &'a str,
    source_prefix: &'a str,
}

impl Context<'_> {
    /// Why the Terraform value at `tf_pointer` (or a part of it) is unknown, if it is.
    fn unknown_at(&self, tf_pointer: &str, with_parts: bool) -> Option<&str> {
        self.resource
            .unknowns
            .iter()
            .find(|(pointer, _)| within(pointer, tf_pointer) || (with_parts && within(tf_pointer, pointer)))
            .map(|(_, reason)| reason.as_str())
    }
}

fn within(outer: &str, inner: &str) -> bool {
    inner.starts_with(outer) && (inner.len() == outer.len() || inner.as_bytes()[outer.len()] == b'/')
}

/// Applies `table` to the object `values` (found at `tf_base` in the resource), writing below
/// `arm_base` of `out`.
fn map_object(
    context: &Context,
    values: &Map<String, Value>,
    tf_base: &str,
    arm_base: &str,
    table: &[Attribute],
    out: &mut Value,
    mapped: &mut Mapped,
) {
    for row in table {
        let tf_pointer = format!("{tf_base}/{}", escape_token(row.terraform));
        let arm_pointer = format!("{arm_base}{}", row.arm);
        let record_pointer = format!("{}{arm_pointer}", context.record_prefix);
        // A plan writes an omitted single nested block (`network_acls`, `rotation_policy`) as an
        // empty list: that is the block left out, as in HCL, not a value of its own.
        let single_block = matches!(row.convert, Convert::Block(_) | Convert::RotationPolicy);
        let value = values
            .get(row.terraform)
            .filter(|v| !v.is_null() && (!single_block || !v.as_array().is_some_and(Vec::is_empty)));
        // A whole attribute unknown (a variable without a value, a dynamic block).
        if let Some(reason) = context.unknown_at(&tf_pointer, false) {
            mapped.unknowns.push(UnknownValue { pointer: record_pointer, reason: reason.to_string() });
            continue;
        }
        let Some(value) = value else {
            if let Some(default) = row.default {
                if pointer_get(out, &arm_pointer).is_none() {
                    pointer_insert(out, &arm_pointer, default());
                }
            }
            continue;
        };
        mapped.places.push((record_pointer.clone(), format!("{}{tf_pointer}", context.source_prefix)));
        let converted = match row.convert {
            Convert::Same => Some(value.clone()),
            Convert::EnabledDisabled => {
                value.as_bool().map(|on| Value::String(if on { "Enabled" } else { "Disabled" }.into()))
            }
            Convert::UnixSeconds => value.as_str().and_then(unix_seconds).map(Value::from),
            Convert::Sku => value.as_str().map(|name| json!({"family": "A", "name": name})),
            Convert::WrapEach(member) => value.as_array().map(|items| {
                Value::Array(
                    items
                        .iter()
                        .map(|item| Value::Object(Map::from_iter([(member.to_string(), item.clone())])))
                        .collect(),
                )
            }),
            Convert::Block(nested) => {
                let Some(first) = value.as_array().and_then(|blocks| blocks.first()).or(Some(value)) else { continue };
                let Some(first_values) = first.as_object() else { continue };
                let element_tf = if value.is_array() { format!("{tf_pointer}/0") } else { tf_pointer.clone() };
                mapped.places.push((record_pointer.clone(), format!("{}{element_tf}", context.source_prefix)));
                let mut object = Value::Object(Map::new());
                let nested_context = Context { record_prefix: "", ..*context };
                let mut inner = Mapped::default();
                map_object(&nested_context, first_values, &element_tf, "", nested, &mut object, &mut inner);
                absorb(mapped, inner, &record_pointer);
                Some(object)
            }
            Convert::Blocks(nested) => {
                let Some(blocks) = value.as_array() else { continue };
                let mut items = Vec::new();
                for (index, block) in blocks.iter().enumerate() {
                    let Some(block_values) = block.as_object() else { continue };
                    let element_tf = format!("{tf_pointer}/{index}");
                    let element_record = format!("{record_pointer}/{}", items.len());
                    mapped.places.push((element_record.clone(), format!("{}{element_tf}", context.source_prefix)));
                    let mut object = Value::Object(Map::new());
                    let nested_context = Context { record_prefix: "", ..*context };
                    let mut inner = Mapped::default();
                    map_object(&nested_context, block_values, &element_tf, "", nested, &mut object, &mut inner);
                    absorb(mapped, inner, &element_record);
                    items.push(object);
                }
                Some(Value::Array(items))
            }
            Convert::RotationPolicy => {
                // Coarse on purpose: a rotation policy with any unknown part is unknown as a whole.
                if let Some(reason) = context.unknown_at(&tf_pointer, true) {
                    mapped.unknowns.push(UnknownValue { pointer: record_pointer, reason: reason.to_string() });
                    continue;
                }
                rotation_policy(value)
            }
        };
        match converted {
            Some(converted) => pointer_insert(out, &arm_pointer, converted),
            None => mapped.unknowns.push(UnknownValue {
                pointer: record_pointer,
                reason: format!("{} = {} is not a value the provider accepts", row.terraform, value),
            }),
        }
    }
}

/// Moves what a nested table produced into `mapped`, its record pointers placed below `base`.
fn absorb(mapped: &mut Mapped, inner: Mapped, base: &str) {
    mapped.unknowns.extend(
        inner.unknowns.into_iter().map(|u| UnknownValue { pointer: format!("{base}{}", u.pointer), reason: u.reason }),
    );
    mapped.places.extend(inner.places.into_iter().map(|(record, source)| (format!("{base}{record}"), source)));
}

/// `rotation_policy { automatic { time_after_creation | time_before_expiry } expire_after
/// notify_before_expiry }` → `{lifetimeActions: [{trigger, action: {type: "rotate"}}, {trigger:
/// {timeBeforeExpiry}, action: {type: "notify"}}], attributes: {expiryTime}}` (ARM spells the
/// action types in lower case).
fn rotation_policy(value: &Value) -> Option<Value> {
    let policy = value.as_array().and_then(|blocks| blocks.first()).unwrap_or(value).as_object()?;
    let mut actions = Vec::new();
    let automatic = policy.get("automatic").and_then(|a| a.as_array().and_then(|b| b.first()).or(Some(a)));
    if let Some(Value::Object(automatic)) = automatic {
        let mut trigger = Map::new();
        if let Some(after) = automatic.get("time_after_creation").filter(|v| !v.is_null()) {
            trigger.insert("timeAfterCreate".into(), after.clone());
        }
        if let Some(before) = automatic.get("time_before_expiry").filter(|v| !v.is_null()) {
            trigger.insert("timeBeforeExpiry".into(), before.clone());
        }
        actions.push(json!({"trigger": trigger, "action": {"type": "rotate"}}));
    }
    if let Some(notify) = policy.get("notify_before_expiry").filter(|v| !v.is_null()) {
        actions.push(json!({"trigger": {"timeBeforeExpiry": notify}, "action": {"type": "notify"}}));
    }
    let mut out = Map::new();
    out.insert("lifetimeActions".into(), Value::Array(actions));
    if let Some(expiry) = policy.get("expire_after").filter(|v| !v.is_null()) {
        out.insert("attributes".into(), json!({"expiryTime": expiry}));
    }
    Some(Value::Object(out))
}

/// RFC 3339 (`2026-12-31T00:00:00Z`) → Unix seconds.
pub fn unix_seconds(text: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(text).ok().map(|t| t.timestamp())
}

pub fn pointer_get<'a>(value: &'a Value, pointer: &str) -> Option<&'a Value> {
    if pointer.is_empty() {
        return Some(value);
    }
    value.pointer(pointer)
}

/// Inserts `new` at `pointer` (object members only), creating objects on the way.
pub fn pointer_insert(root: &mut Value, pointer: &str, new: Value) {
    let tokens: Vec<String> =
        pointer.trim_start_matches('/').split('/').map(|t| t.replace("~1", "/").replace("~0", "~")).collect();
    let mut current = root;
    for (index, token) in tokens.iter().enumerate() {
        if !current.is_object() {
            *current = Value::Object(Map::new());
        }
        let Value::Object(map) = current else { return };
        if index + 1 == tokens.len() {
            map.insert(token.clone(), new);
            return;
        }
        current = map.entry(token.clone()).or_insert_with(|| Value::Object(Map::new()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource(values: Value, unknowns: &[(&str, &str)]) -> TfResource {
        TfResource {
            address: "azurerm_key_vault.kv".into(),
            kind: "azurerm_key_vault".into(),
            values: values.as_object().cloned().unwrap_or_default(),
            unknowns: unknowns.iter().map(|(p, r)| (p.to_string(), r.to_string())).collect(),
            references: Default::default(),
            origin: "/r".into(),
            values_origin: "/r/values".into(),
        }
    }

    #[test]
    fn vault_attributes_and_provider_defaults() {
        let r = resource(
            json!({"name": "kv", "sku_name": "premium", "purge_protection_enabled": true,
                   "network_acls": [{"default_action": "Deny", "bypass": "AzureServices", "ip_rules": ["1.2.3.4/32"]}],
                   "rbac_authorization_enabled": true}),
            &[],
        );
        let mapped = map_resource(&r, VAULT, "/resource");
        let p = &mapped.value["properties"];
        assert_eq!(p["enablePurgeProtection"], json!(true));
        assert_eq!(p["enableRbacAuthorization"], json!(true));
        assert_eq!(p["sku"], json!({"family": "A", "name": "premium"}));
        assert_eq!(p["publicNetworkAccess"], json!("Enabled"));
        assert_eq!(p["softDeleteRetentionInDays"], json!(90));
        assert_eq!(p["networkAcls"]["ipRules"], json!([{"value": "1.2.3.4/32"}]));
        assert!(mapped.places.contains(&(
            "/resource/properties/networkAcls/defaultAction".into(),
            "/r/values/network_acls/0/default_action".into()
        )));
    }

    #[test]
    fn unknown_attributes_are_left_out_and_listed() {
        let r = resource(
            json!({"access_policy": [{"object_id": "o", "key_permissions": ["All"]}]}),
            &[
                ("/purge_protection_enabled", "variable 'pp' has no value"),
                ("/access_policy/0/tenant_id", "data source"),
            ],
        );
        let mapped = map_resource(&r, VAULT, "/resource");
        assert!(mapped.value.pointer("/properties/enablePurgeProtection").is_none());
        assert_eq!(mapped.value.pointer("/properties/accessPolicies/0/permissions/keys"), Some(&json!(["All"])));
        let pointers: Vec<&str> = mapped.unknowns.iter().map(|u| u.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            ["/resource/properties/enablePurgeProtection", "/resource/properties/accessPolicies/0/tenantId"]
        );
    }

    #[test]
    fn rotation_policy_and_dates() {
        let r = resource(
            json!({"expiration_date": "2027-01-01T00:00:00Z",
                   "rotation_policy": [{"automatic": [{"time_after_creation": "P90D"}], "expire_after": "P2Y"}]}),
            &[],
        );
        let mapped = map_resource(&r, KEY, "/keys/0");
        assert_eq!(mapped.value.pointer("/properties/attributes/exp"), Some(&json!(1798761600)));
        assert_eq!(
            mapped.value["properties"]["rotationPolicy"],
            json!({"lifetimeActions": [{"trigger": {"timeAfterCreate": "P90D"}, "action": {"type": "rotate"}}],
                   "attributes": {"expiryTime": "P2Y"}})
        );
        assert_eq!(unix_seconds("not a date"), None);
    }

    #[test]
    fn an_omitted_block_written_as_an_empty_plan_list_is_absent() {
        // `terraform show -json` writes a key without a rotation_policy block as `[]`: no policy,
        // as the same key in HCL, not an unacceptable value (which would make the rule unknown).
        let r = resource(json!({"rotation_policy": [], "expiration_date": null}), &[]);
        let mapped = map_resource(&r, KEY, "/keys/0");
        assert!(mapped.value.pointer("/properties/rotationPolicy").is_none(), "{}", mapped.value);
        assert!(mapped.unknowns.is_empty(), "{:?}", mapped.unknowns.iter().map(|u| &u.reason).collect::<Vec<_>>());
    }
}
