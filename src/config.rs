//! `.kvscan.yaml`: gate threshold, disabled rules, severity overrides, rule parameters and
//! exemptions. Every exemption lives here (there are no inline skip comments), so all of them can
//! be reviewed in one place. Schema: `schemas/kvscan-config.schema.json`.

use crate::finding::{FailOn, Severity};
use crate::policy::Catalog;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = ".kvscan.yaml";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Config {
    #[serde(default, deserialize_with = "fail_on")]
    pub fail_on: Option<FailOn>,
    #[serde(default)]
    pub disable: Vec<String>,
    #[serde(default)]
    pub severity: BTreeMap<String, Severity>,
    #[serde(default)]
    pub parameters: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    pub exemptions: Vec<Exemption>,
    /// Where the configuration was read from, for messages.
    #[serde(skip)]
    pub file: Option<String>,
}

/// A reviewed decision to accept a finding until a date.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exemption {
    /// Rule id, e.g. `KV001`.
    pub rule: String,
    /// Glob over ARM resource ids (case-insensitive): `*` matches within one `/` segment, `**`
    /// across segments.
    pub resource: String,
    pub reason: String,
    pub owner: String,
    /// Last day the exemption applies (inclusive), `YYYY-MM-DD`.
    #[serde(deserialize_with = "date")]
    pub expires: chrono::NaiveDate,
}

fn fail_on<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<FailOn>, D::Error> {
    let text = String::deserialize(deserializer)?;
    text.parse().map(Some).map_err(serde::de::Error::custom)
}

fn date<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<chrono::NaiveDate, D::Error> {
    let text = String::deserialize(deserializer)?;
    chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d")
        .map_err(|_| serde::de::Error::custom(format!("expires: '{text}' is not a date (expected YYYY-MM-DD)")))
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{file}: {message}")]
    Io { file: String, message: String },
    #[error("{file}:{line}: {message}")]
    Invalid { file: String, line: usize, message: String },
}

impl Config {
    /// `--config FILE`, else `.kvscan.yaml` in the working directory, else at the git root.
    pub fn discover(explicit: Option<&Path>) -> Result<Config, ConfigError> {
        let path = match explicit {
            Some(path) => Some(path.to_path_buf()),
            None => default_location(),
        };
        match path {
            Some(path) => {
                let file = crate::source::display_path(&path);
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| ConfigError::Io { file: file.clone(), message: e.to_string() })?;
                Config::parse(&file, &text)
            }
            None => Ok(Config::default()),
        }
    }

    pub fn parse(file: &str, text: &str) -> Result<Config, ConfigError> {
        if text.trim().is_empty() {
            return Ok(Config { file: Some(file.to_string()), ..Config::default() });
        }
        let mut config: Config = serde_norway::from_str(text).map_err(|err| ConfigError::Invalid {
            file: file.to_string(),
            line: err.location().map_or(1, |l| l.line()),
            message: err.to_string().split(" at line ").next().unwrap_or_default().to_string(),
        })?;
        config.file = Some(file.to_string());
        for exemption in &config.exemptions {
            for (field, value) in [("reason", &exemption.reason), ("owner", &exemption.owner)] {
                if value.trim().is_empty() {
                    return Err(config.error_at(
                        text,
                        &exemption.rule,
                        format!("exemption for {} needs a non-empty {field}", exemption.rule),
                    ));
                }
            }
            glob(&exemption.resource).map_err(|e| config.error_at(text, &exemption.resource, e))?;
        }
        Ok(config)
    }

    /// Checks rule ids and parameter names against the catalog; `text` is the file for line numbers.
    pub fn check_against(&self, catalog: &Catalog) -> Result<(), ConfigError> {
        let Some(file) = &self.file else { return Ok(()) };
        let text = std::fs::read_to_string(file).unwrap_or_default();
        let ids = self.disable.iter().chain(self.severity.keys()).chain(self.exemptions.iter().map(|e| &e.rule));
        for id in ids {
            if catalog.rule(id).is_none() {
                return Err(self.error_at(&text, id, format!("unknown rule id '{id}' (see `kvscan policy list`)")));
            }
        }
        let known: Vec<&String> = catalog.rules.iter().flat_map(|r| r.parameters.keys()).collect();
        for name in self.parameters.keys() {
            if !known.contains(&name) {
                let mut names: Vec<&str> = known.iter().map(|s| s.as_str()).collect();
                names.sort();
                names.dedup();
                return Err(self.error_at(
                    &text,
                    name,
                    format!("unknown parameter '{name}' (rules read: {})", names.join(", ")),
                ));
            }
        }
        Ok(())
    }

    fn error_at(&self, text: &str, needle: &str, message: String) -> ConfigError {
        let line = text.lines().position(|l| l.contains(needle)).map_or(1, |i| i + 1);
        ConfigError::Invalid { file: self.file.clone().unwrap_or_default(), line, message }
    }
}

fn default_location() -> Option<PathBuf> {
    let here = PathBuf::from(FILE_NAME);
    if here.is_file() {
        return Some(here);
    }
    let mut dir = std::env::current_dir().ok()?;
    loop {
        if dir.join(".git").exists() {
            let candidate = dir.join(FILE_NAME);
            return candidate.is_file().then_some(candidate);
        }
        if !dir.pop() {
            return None;
        }
    }
}

/// Compiles an exemption's resource pattern.
pub fn glob(pattern: &str) -> Result<globset::GlobMatcher, String> {
    globset::GlobBuilder::new(pattern)
        .case_insensitive(true)
        .literal_separator(true)
        .build()
        .map(|g| g.compile_matcher())
        .map_err(|e| format!("resource pattern '{pattern}' is not a valid glob: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_complete_file() {
        let text = "fail-on: medium\ndisable: [KV020]\nseverity:\n  KV003: high\nparameters:\n  maxSecretAgeDays: 90\nexemptions:\n  - rule: KV001\n    resource: /subscriptions/*/resourceGroups/rg-sandbox/**\n    reason: sandbox is rebuilt nightly\n    owner: platform@contoso.com\n    expires: 2027-01-31\n";
        let config = Config::parse(".kvscan.yaml", text).expect("valid");
        assert_eq!(config.fail_on, Some(FailOn::Severity(Severity::Medium)));
        assert_eq!(config.severity["KV003"], Severity::High);
        assert_eq!(config.exemptions[0].expires.to_string(), "2027-01-31");
    }

    #[test]
    fn unknown_keys_name_their_line() {
        let err = Config::parse("c.yaml", "fail-on: high\nexemptons: []\n").expect_err("typo");
        assert!(err.to_string().starts_with("c.yaml:2:"), "{err}");
        assert!(err.to_string().contains("exemptons"), "{err}");
    }

    #[test]
    fn exemptions_need_reason_owner_and_expiry() {
        let err = Config::parse(
            "c.yaml",
            "exemptions:\n  - rule: KV001\n    resource: '*'\n    owner: me\n    expires: 2027-01-01\n",
        )
        .expect_err("no reason");
        assert!(err.to_string().contains("reason"), "{err}");
        let err = Config::parse(
            "c.yaml",
            "exemptions:\n  - rule: KV001\n    resource: '*'\n    reason: r\n    owner: me\n    expires: soon\n",
        )
        .expect_err("bad date");
        assert!(err.to_string().contains("not a date"), "{err}");
    }

    #[test]
    fn globs_match_arm_ids_case_insensitively_by_segment() {
        let g = glob("/subscriptions/*/resourceGroups/rg-sandbox/**").expect("valid");
        assert!(g.is_match("/subscriptions/S1/resourcegroups/RG-SANDBOX/providers/Microsoft.KeyVault/vaults/kv"));
        assert!(!g.is_match("/subscriptions/s1/resourceGroups/rg-prod/providers/Microsoft.KeyVault/vaults/kv"));
        let one = glob("/subscriptions/*/resourceGroups/*/providers/Microsoft.KeyVault/vaults/kv-*").expect("valid");
        assert!(one.is_match("/subscriptions/a/resourceGroups/b/providers/Microsoft.KeyVault/vaults/kv-x"));
        assert!(!one.is_match("/subscriptions/a/resourceGroups/b/providers/Microsoft.KeyVault/vaults/kv-x/secrets/s"));
    }
}
