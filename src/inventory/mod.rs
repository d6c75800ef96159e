//! The inventory: the one model every source produces and every policy reads.
//!
//! Only the envelope is typed. Resource bodies stay JSON, verbatim as Azure (or the template) has
//! them, so a policy can read any ARM property without a code change here.
//! Format documentation: `docs/inventory.md`; schema: `schemas/inventory.schema.json`.

mod record;
mod validate;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use record::{RecordProblem, UnknownValue, VaultParts, VaultRecord};
pub use validate::{parse, parse_with_offsets, InventoryError};

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Inventory {
    /// Lets editors validate the document against `schemas/inventory.schema.json`.
    #[serde(rename = "$schema", skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    pub schema_version: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generated_by: Option<GeneratedBy>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tenants: Vec<Value>,
    pub subscriptions: Vec<Value>,
    pub vaults: Vec<VaultRecord>,
    /// Defender for Cloud plans (`Microsoft.Security/pricings`), each with its `subscriptionId`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pricings: Vec<Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub role_definitions: Vec<Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub principals: Vec<Principal>,
    pub errors: Vec<ScanError>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GeneratedBy {
    pub tool: String,
    pub version: String,
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
