//! The access review as data: what every format renders, and the JSON record (`reportVersion` 1)
//! that `--previous` reads back next quarter. Field meanings: docs/access-review.md.
//!
//! Every list is sorted by the builder, so the same inventory and reference time give the same
//! document byte for byte.

use crate::finding::Severity;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Bumped only for incompatible changes (a field renamed, removed or given a new meaning).
pub const REPORT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessReview {
    pub report_version: u32,
    pub generated_by: GeneratedBy,
    /// The instant ages and days to expiry are measured from (RFC 3339, UTC).
    pub reference_time: String,
    /// True when the reference time came from `--now` (or `KVSCAN_NOW`), false for the clock.
    pub reference_time_pinned: bool,
    /// What was reviewed: inventory files as given, or `live collection`.
    pub inputs: Vec<String>,
    /// False when the inventory records parts of the estate that could not be read.
    pub complete: bool,
    pub tenants: Vec<TenantInfo>,
    pub subscriptions: Vec<SubscriptionInfo>,
    /// The inventory's `errors`: what this review does not cover.
    pub gaps: Vec<Gap>,
    pub parameters: Parameters,
    pub summary: Summary,
    pub vaults: Vec<VaultInfo>,
    pub principals: Vec<PrincipalInfo>,
    pub grants: Vec<Grant>,
    pub risky_grants: Vec<RiskyGrant>,
    pub rotation: Rotation,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<Changes>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GeneratedBy {
    pub tool: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantInfo {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_domain: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionInfo {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    pub vaults: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gap {
    pub scope: String,
    pub message: String,
}

/// The rule parameters the rotation evidence applies (the same values the rules used).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Parameters {
    pub expiry_warning_days: i64,
    pub max_secret_age_days: i64,
    pub environment_tag: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub vaults: usize,
    pub subscriptions: usize,
    pub principals: usize,
    pub orphaned_principals: usize,
    pub guests: usize,
    /// Distinct role assignments (an inherited assignment counts once, however many vaults it reaches).
    pub role_assignments: usize,
    pub access_policies: usize,
    /// Rows of the access matrix: one per (vault, principal, grant).
    pub grants: usize,
    pub risky_grants: usize,
    pub risky_by_severity: BTreeMap<Severity, usize>,
    /// Every finding of the scan that ran for this review, whatever its rule.
    pub findings: usize,
    pub findings_by_severity: BTreeMap<Severity, usize>,
    pub findings_by_rule: BTreeMap<String, usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct VaultRef {
    pub name: String,
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VaultInfo {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_group: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    pub permission_model: PermissionModel,
    pub principals: usize,
    pub grants: usize,
    pub risky_grants: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PermissionModel {
    /// Azure RBAC authorizes the data plane; access policies are ignored.
    Rbac,
    /// Legacy access policies authorize the data plane; RBAC data roles are not honoured.
    AccessPolicies,
}

impl PermissionModel {
    pub fn label(self) -> &'static str {
        match self {
            PermissionModel::Rbac => "Azure RBAC",
            PermissionModel::AccessPolicies => "access policies",
        }
    }
}

/// What the directory (the inventory's `principals`) says about a principal id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PrincipalStatus {
    /// In `principals`.
    Known,
    /// Not in a non-empty `principals` list: a deleted or foreign principal.
    Orphaned,
    /// `principals` is empty: principal resolution did not run, nothing is known.
    Unresolved,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PrincipalKind {
    User,
    Group,
    ServicePrincipal,
    ManagedIdentity,
    ForeignGroup,
    Device,
    Unknown,
}

impl PrincipalKind {
    pub fn label(self) -> &'static str {
        match self {
            PrincipalKind::User => "user",
            PrincipalKind::Group => "group",
            PrincipalKind::ServicePrincipal => "service principal",
            PrincipalKind::ManagedIdentity => "managed identity",
            PrincipalKind::ForeignGroup => "foreign group",
            PrincipalKind::Device => "device",
            PrincipalKind::Unknown => "unknown",
        }
    }
}

/// A principal as a grant names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrincipalRef {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(rename = "type")]
    pub kind: PrincipalKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_principal_name: Option<String>,
    pub status: PrincipalStatus,
}

impl PrincipalRef {
    /// The display name, else the object id.
    pub fn label(&self) -> &str {
        self.display_name.as_deref().filter(|n| !n.trim().is_empty()).unwrap_or(&self.id)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrincipalInfo {
    #[serde(flatten)]
    pub principal: PrincipalRef,
    /// A B2B guest (`#EXT#` in the user principal name).
    pub guest: bool,
    /// Every vault the principal holds a grant on.
    pub vaults: Vec<VaultRef>,
    /// The vaults it can read or change the contents of (data-plane grants, latent ones included,
    /// as the access rules count them).
    pub data_vaults: Vec<VaultRef>,
    /// Distinct values of the environment tag of the vaults it reaches.
    pub environments: Vec<String>,
    pub grants: usize,
    pub risky_grants: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum GrantKind {
    RoleAssignment,
    AccessPolicy,
}

impl GrantKind {
    pub fn label(self) -> &'static str {
        match self {
            GrantKind::RoleAssignment => "role assignment",
            GrantKind::AccessPolicy => "access policy",
        }
    }
}

/// Which plane of the vault a grant reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Plane {
    /// Reads or changes secrets, keys or certificates.
    Data,
    /// Reads or manages the vault resource (ARM) without data access.
    Control,
    /// Data access and the right to change the vault or its access.
    Both,
    /// No Key Vault access: a custom role without Key Vault data actions or any action.
    None,
    /// A role kvscan has no definition for: neither roles.json nor the inventory knows it.
    Unknown,
}

impl Plane {
    pub fn label(self) -> &'static str {
        match self {
            Plane::Data => "data",
            Plane::Control => "control",
            Plane::Both => "both",
            Plane::None => "none",
            Plane::Unknown => "unknown",
        }
    }

    pub fn reaches_data(self) -> bool {
        matches!(self, Plane::Data | Plane::Both)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ScopeKind {
    /// The vault itself.
    Vault,
    /// One secret, key or certificate in the vault.
    Object,
    ResourceGroup,
    Subscription,
    ManagementGroup,
    Root,
    /// Another ancestor of the vault (e.g. a resource-provider scope).
    Ancestor,
}

impl ScopeKind {
    pub fn inherited(self) -> bool {
        !matches!(self, ScopeKind::Vault | ScopeKind::Object)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RoleRef {
    pub name: String,
    /// GUID of the role definition (lower case), when the assignment names one.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "definitionId")]
    pub definition_id: Option<String>,
}

/// Access-policy permissions, lower-cased and sorted (Azure compares them case-insensitively).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Permissions {
    pub keys: Vec<String>,
    pub secrets: Vec<String>,
    pub certificates: Vec<String>,
    pub storage: Vec<String>,
}

impl Permissions {
    /// `keys: get, list; secrets: get` — the lists that are not empty.
    pub fn summary(&self) -> String {
        let lists = [
            ("keys", &self.keys),
            ("secrets", &self.secrets),
            ("certificates", &self.certificates),
            ("storage", &self.storage),
        ];
        let parts: Vec<String> = lists
            .iter()
            .filter(|(_, values)| !values.is_empty())
            .map(|(name, values)| format!("{name}: {}", values.join(", ")))
            .collect();
        if parts.is_empty() {
            "no permissions".into()
        } else {
            parts.join("; ")
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ObjectRef {
    /// `secret`, `key` or `certificate` (or the path segment Azure used, for anything else).
    pub kind: String,
    pub name: String,
}

/// One row of the access matrix: a principal's grant on a vault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Grant {
    /// Identity across quarters: vault, principal, kind, role or permissions, scope (lower case).
    pub key: String,
    pub vault: VaultRef,
    pub principal: PrincipalRef,
    pub kind: GrantKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<RoleRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Permissions>,
    /// Compound identity of an access policy: the principal only through this application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_id: Option<String>,
    /// As Azure wrote it (the vault's id when a template left it out).
    pub scope: String,
    pub scope_kind: ScopeKind,
    pub inherited: bool,
    /// Where an inherited grant comes from, e.g. `management group 'mg-contoso-platform'`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inherited_from: Option<String>,
    /// The one object a per-object assignment is limited to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<ObjectRef>,
    pub plane: Plane,
    /// Azure honours the grant under the vault's permission model today.
    pub effective: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_on: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignment_id: Option<String>,
    /// Rule ids of the risky grants about this row.
    #[serde(default)]
    pub risks: Vec<String>,
}

impl Grant {
    /// The role name, or the access policy's permissions.
    pub fn what(&self) -> String {
        match (&self.role, &self.permissions) {
            (Some(role), _) => role.name.clone(),
            (None, Some(permissions)) => permissions.summary(),
            (None, None) => "unknown".into(),
        }
    }

    /// The scope in words: `vault`, `secret 'x'`, or where an inherited grant comes from.
    pub fn scope_label(&self) -> String {
        match (&self.object, &self.inherited_from) {
            (Some(object), _) => format!("{} '{}'", object.kind, object.name),
            (None, Some(from)) => from.clone(),
            (None, None) => "vault".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exemption {
    pub reason: String,
    pub owner: String,
    pub expires: String,
}

/// A finding of an access rule, tied to the principal and the matrix rows it is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RiskyGrant {
    pub fingerprint: String,
    pub rule_id: String,
    pub title: String,
    pub severity: Severity,
    /// `open`, or `exempted` by the configuration.
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exemption: Option<Exemption>,
    /// The vaults it concerns: the finding's vault, or for a tenant-wide finding the vaults the
    /// principal reaches the data of.
    pub vaults: Vec<VaultRef>,
    /// True for findings about the tenant as a whole (shared and cross-environment identities).
    pub tenant_wide: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal: Option<PrincipalRef>,
    pub grant_keys: Vec<String>,
    pub resource: String,
    /// The finding's sentence: what is wrong, in plain words.
    pub message: String,
    #[serde(default)]
    pub remediation: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ObjectKind {
    Secret,
    Key,
    Certificate,
}

impl ObjectKind {
    pub fn label(self) -> &'static str {
        match self {
            ObjectKind::Secret => "secret",
            ObjectKind::Key => "key",
            ObjectKind::Certificate => "certificate",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RotationFlag {
    /// Enabled and without an expiry date.
    NeverExpires,
    Expired,
    /// Expires within the warning window.
    Expiring,
    /// A secret not changed for longer than the rotation limit.
    OverAge,
    /// A key without a Rotate lifetime action.
    NoAutoRotation,
    /// A certificate whose policy has no AutoRenew action.
    NoAutoRenew,
    /// Disabled: not usable, and skipped by the rules.
    Disabled,
}

impl RotationFlag {
    pub fn label(self) -> &'static str {
        match self {
            RotationFlag::NeverExpires => "never expires",
            RotationFlag::Expired => "expired",
            RotationFlag::Expiring => "expiring",
            RotationFlag::OverAge => "over rotation limit",
            RotationFlag::NoAutoRotation => "no auto-rotation",
            RotationFlag::NoAutoRenew => "no auto-renewal",
            RotationFlag::Disabled => "disabled",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RotationItem {
    pub vault: VaultRef,
    pub kind: ObjectKind,
    pub name: String,
    pub enabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// Whole days since the last change (`updated`, else `created`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_days: Option<i64>,
    /// Whole days until `expires`; negative once expired.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days_to_expiry: Option<i64>,
    /// How the object is renewed: a key's rotation policy, a certificate's lifetime actions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renewal: Option<String>,
    pub flags: Vec<RotationFlag>,
    /// Rule ids of the scan's findings about this object.
    pub findings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgeBucket {
    pub label: String,
    pub count: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rotation {
    pub items: Vec<RotationItem>,
    /// Ages of enabled secrets.
    pub secret_age_histogram: Vec<AgeBucket>,
    pub flag_counts: BTreeMap<RotationFlag, usize>,
}

/// What differs from the previous quarter's JSON report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Changes {
    pub previous: PreviousInfo,
    pub grants_added: Vec<Grant>,
    pub grants_removed: Vec<Grant>,
    pub grants_changed: Vec<GrantChange>,
    pub principals_new: Vec<PrincipalRef>,
    pub principals_gone: Vec<PrincipalRef>,
    pub vaults_new: Vec<VaultRef>,
    pub vaults_gone: Vec<VaultRef>,
    pub risky_new: Vec<RiskyGrant>,
    pub risky_resolved: Vec<RiskyGrant>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviousInfo {
    pub file: String,
    pub reference_time: String,
    pub tool_version: String,
}

/// The same principal's grant on the same vault, with another role, scope or permissions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantChange {
    pub before: Grant,
    pub after: Grant,
    /// `role`, `scope` and/or `permissions`.
    pub changed: Vec<String>,
}
