//! The inventory: the one model every source produces and every policy reads.
//!
//! Only the envelope is typed. Resource bodies stay `serde_json::Value`, verbatim as Azure (or the
//! template) has them, so a policy can read any ARM property without a code change here.
//! Format documentation: `docs/inventory.md`; schema: `schemas/inventory.schema.json`.

mod validate;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use validate::{parse, validate, InventoryError};

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Inventory {
    pub schema_version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated_by: Option<GeneratedBy>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tenants: Vec<Value>,
    #[serde(default)]
    pub subscriptions: Vec<Value>,
    pub vaults: Vec<VaultRecord>,
    /// Defender for Cloud plans (`Microsoft.Security/pricings`), each with its `subscriptionId`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pricings: Vec<Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub role_definitions: Vec<Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub principals: Vec<Principal>,
    #[serde(default)]
    pub errors: Vec<ScanError>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GeneratedBy {
    pub tool: String,
    pub version: String,
}

/// One vault with everything that applies to it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VaultRecord {
    /// The verbatim ARM vault resource: id, name, type, location, tags, properties, systemData.
    pub resource: Value,
    #[serde(default)]
    pub secrets: Vec<Value>,
    #[serde(default)]
    pub keys: Vec<Value>,
    #[serde(default)]
    pub certificates: Vec<Value>,
    #[serde(default)]
    pub role_assignments: Vec<Value>,
    #[serde(default)]
    pub diagnostic_settings: Vec<Value>,
    #[serde(default)]
    pub private_endpoints: Vec<Value>,
    #[serde(default)]
    pub source: SourceRef,
}

impl VaultRecord {
    pub fn id(&self) -> &str {
        self.resource.get("id").and_then(Value::as_str).unwrap_or_default()
    }

    pub fn name(&self) -> &str {
        self.resource.get("name").and_then(Value::as_str).unwrap_or_default()
    }
}

/// Where a vault record came from; IaC sources fill file, line and column.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SourceRef {
    pub kind: SourceKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    Live,
    #[default]
    Inventory,
    Arm,
    Bicep,
    TerraformPlan,
    Terraform,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Live => "live",
            SourceKind::Inventory => "inventory",
            SourceKind::Arm => "arm",
            SourceKind::Bicep => "bicep",
            SourceKind::TerraformPlan => "terraform-plan",
            SourceKind::Terraform => "terraform",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Principal {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub principal_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_principal_name: Option<String>,
}

/// A part of the estate that could not be read. Its presence makes a scan incomplete (exit 3).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanError {
    pub scope: String,
    pub message: String,
}
