//! Findings: what a rule reported, where, and how stable identities (fingerprints) are derived.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 4] = [Severity::Critical, Severity::High, Severity::Medium, Severity::Low];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// The `security-severity` score GitHub code scanning maps to its own levels.
    pub fn security_severity(self) -> &'static str {
        match self {
            Severity::Critical => "9.5",
            Severity::High => "8.0",
            Severity::Medium => "5.5",
            Severity::Low => "3.0",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "low" => Ok(Severity::Low),
            "medium" => Ok(Severity::Medium),
            "high" => Ok(Severity::High),
            "critical" => Ok(Severity::Critical),
            other => Err(format!("unknown severity '{other}' (expected low, medium, high or critical)")),
        }
    }
}

/// The gate: findings at or above this severity fail the scan; `None` never fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    Severity(Severity),
    None,
}

impl FailOn {
    pub fn fails(self, severity: Severity) -> bool {
        match self {
            FailOn::Severity(threshold) => severity >= threshold,
            FailOn::None => false,
        }
    }
}

impl FromStr for FailOn {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("none") {
            return Ok(FailOn::None);
        }
        s.parse()
            .map(FailOn::Severity)
            .map_err(|_| format!("unknown --fail-on value '{s}' (expected low, medium, high, critical or none)"))
    }
}

impl fmt::Display for FailOn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FailOn::Severity(s) => s.fmt(f),
            FailOn::None => f.write_str("none"),
        }
    }
}

/// How a finding counts towards the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// A violation: counts towards the gate.
    Open,
    /// Accepted by an exemption in the configuration until its expiry date.
    Exempted,
    /// Already present in the `--baseline` report: shown, but does not fail the gate.
    Existing,
    /// About a template value only known at deployment (a parameter without a value,
    /// `reference()`): a note, not a verdict; fails the gate only with `--unknown-as-failure`.
    Unknown,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Exempted => "exempted",
            Status::Existing => "existing",
            Status::Unknown => "unknown",
        }
    }
}

/// The exemption that applies to a finding, as written in the configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExemptionNote {
    pub reason: String,
    pub owner: String,
    pub expires: String,
}

/// A resolved place in a file; `file` is relative to the working directory when possible.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct FileLocation {
    pub file: String,
    pub line: u32,
    pub column: u32,
}

/// Where a finding points. The symbolic part (file + JSON pointer) is resolved to a line late,
/// only for reported findings.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Location {
    /// The ARM id of the resource the finding is about.
    #[serde(rename = "resourceId")]
    pub resource_id: String,
    /// The file and line, when the resource came from a file (an inventory or a template).
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub file: Option<FileLocation>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    #[serde(rename = "ruleId")]
    pub rule_id: String,
    pub severity: Severity,
    pub status: Status,
    /// ARM id of the object at fault (vault, secret, key, certificate, role assignment).
    pub resource: String,
    /// ARM id of the vault the object belongs to; empty for tenant-wide findings.
    pub vault: String,
    pub message: String,
    /// Path of the offending value relative to the vault record, e.g.
    /// `resource.properties.enablePurgeProtection` or `secrets[2].properties.attributes.exp`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub location: Location,
    pub fingerprint: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exemption: Option<ExemptionNote>,
}

impl Finding {
    /// A stable identity across runs and machines: rule, resource and vault (ARM ids are
    /// case-insensitive) and path. The vault is part of it because one inherited role assignment
    /// is a finding on every vault below its scope. Messages and line numbers are left out so
    /// edits elsewhere keep alerts stable.
    pub fn fingerprint(rule_id: &str, resource: &str, vault: &str, path: Option<&str>) -> String {
        let mut hasher = Sha256::new();
        hasher.update(rule_id.as_bytes());
        hasher.update([0]);
        hasher.update(resource.to_ascii_lowercase().as_bytes());
        hasher.update([0]);
        hasher.update(vault.to_ascii_lowercase().as_bytes());
        hasher.update([0]);
        hasher.update(path.unwrap_or_default().as_bytes());
        let digest = hasher.finalize();
        digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
    }

    /// Sort key for deterministic output: vault, rule, resource, path, message.
    pub fn sort_key(&self) -> (&str, &str, &str, &str, &str) {
        (&self.vault, &self.rule_id, &self.resource, self.path.as_deref().unwrap_or_default(), &self.message)
    }
}

/// Renders a record path (as a policy returns it: an array of keys and indices) as
/// `a.b[3].c`, and as a JSON pointer.
pub fn render_path(tokens: &[PathToken]) -> String {
    let mut out = String::new();
    for token in tokens {
        match token {
            PathToken::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            PathToken::Index(i) => {
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
        }
    }
    out
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathToken {
    Key(String),
    Index(usize),
}

impl PathToken {
    pub fn as_pointer_token(&self) -> String {
        match self {
            PathToken::Key(k) => k.clone(),
            PathToken::Index(i) => i.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_is_stable_and_case_insensitive_in_resource() {
        let vault = "/subscriptions/S/resourceGroups/RG/providers/Microsoft.KeyVault/vaults/kv";
        let path = Some("resource.properties.enablePurgeProtection");
        let a = Finding::fingerprint("KV001", vault, vault, path);
        let b = Finding::fingerprint("KV001", &vault.to_lowercase(), &vault.to_uppercase(), path);
        assert_eq!(a, b);
        assert_eq!(a.len(), 32);
        assert_eq!(Finding::fingerprint("KV001", "/x", "", None), Finding::fingerprint("KV001", "/X", "", Some("")));
        assert_ne!(a, Finding::fingerprint("KV003", vault, vault, path));
        assert_ne!(a, Finding::fingerprint("KV001", vault, vault, None));
        // The same inherited assignment reported on two vaults is two findings.
        assert_ne!(
            Finding::fingerprint("KV051", "/ra", "/v1", None),
            Finding::fingerprint("KV051", "/ra", "/v2", None)
        );
    }

    #[test]
    fn fail_on_thresholds() {
        let high: FailOn = "high".parse().expect("valid");
        assert!(high.fails(Severity::Critical));
        assert!(high.fails(Severity::High));
        assert!(!high.fails(Severity::Medium));
        let none: FailOn = "NONE".parse().expect("valid");
        assert!(!none.fails(Severity::Critical));
        assert!("severe".parse::<FailOn>().is_err());
    }

    #[test]
    fn renders_paths() {
        let path = [PathToken::Key("secrets".into()), PathToken::Index(2), PathToken::Key("properties".into())];
        assert_eq!(render_path(&path), "secrets[2].properties");
    }
}
