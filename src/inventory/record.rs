//! One vault record, stored as its JSON text.
//!
//! A large inventory is mostly vault records, and every consumer but the policy engine needs only
//! a few envelope fields. Keeping each record as text (checked once on the way in) costs its size
//! once, where a `serde_json::Value` tree costs about six times that; the engine parses the text
//! straight into Rego values, and other consumers call [`VaultRecord::parts`] when they need more.

use super::SourceRef;
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;
use std::ops::Range;
use std::sync::Arc;

/// The record as sources build it and consumers read it: the verbatim ARM vault plus context.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VaultParts {
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
    /// Values a template leaves to deployment time: absent from the record, listed here so a
    /// finding about them is reported as unknown, not as a violation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unknowns: Vec<UnknownValue>,
}

/// A value only known at deployment: where it would be in the record, and why it is unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnknownValue {
    /// JSON pointer into the vault record, e.g. `/resource/properties/enablePurgeProtection`.
    pub pointer: String,
    pub reason: String,
}

#[derive(Debug, Clone)]
pub struct VaultRecord {
    id: String,
    name: String,
    source: SourceRef,
    unknowns: Vec<UnknownValue>,
    /// The text the record was read from (a whole inventory file is shared by its records, so
    /// loading one does not copy every record) and where in it the record lies.
    text: Arc<String>,
    span: Range<usize>,
}

/// Why a record was rejected: a JSON pointer relative to the record, and what is wrong there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordProblem {
    pub pointer: String,
    pub message: String,
    /// Byte offset in the record text, for JSON errors that have no pointer.
    pub offset: Option<usize>,
}

/// What is checked without building the record's value tree.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Header<'a> {
    resource: ResourceHeader,
    #[serde(default)]
    #[serde(borrow)]
    secrets: Vec<ItemHeader<'a>>,
    #[serde(default)]
    #[serde(borrow)]
    keys: Vec<ItemHeader<'a>>,
    #[serde(default)]
    #[serde(borrow)]
    certificates: Vec<ItemHeader<'a>>,
    #[serde(default)]
    role_assignments: Vec<IgnoredAny>,
    #[serde(default)]
    diagnostic_settings: Vec<IgnoredAny>,
    #[serde(default)]
    private_endpoints: Vec<IgnoredAny>,
    #[serde(default)]
    source: SourceRef,
    #[serde(default)]
    unknowns: Vec<UnknownValue>,
}

#[derive(Deserialize)]
struct ResourceHeader {
    id: Option<Value>,
    name: Option<Value>,
}

#[derive(Deserialize)]
struct ItemHeader<'a> {
    /// Borrowed, not parsed: only whether it is a string matters, and records have thousands.
    #[serde(borrow)]
    name: Option<&'a RawValue>,
    value: Option<IgnoredAny>,
    properties: Option<ItemProperties>,
}

#[derive(Deserialize)]
struct ItemProperties {
    value: Option<IgnoredAny>,
}

const SECRET_VALUE: &str = "secret carries a \"value\": an inventory holds secret metadata only, never secret values \
(was this pasted from `az keyvault secret show`?); remove the value and scan again";

impl VaultRecord {
    /// Checks a record's JSON text and keeps it.
    pub fn from_json(json: Box<RawValue>) -> Result<VaultRecord, RecordProblem> {
        let text = String::from(Box::<str>::from(json));
        let span = 0..text.len();
        VaultRecord::from_shared(Arc::new(text), span)
    }

    /// Checks the record that is `text[span]` (one JSON value) and keeps a handle on `text`.
    pub fn from_shared(text: Arc<String>, span: Range<usize>) -> Result<VaultRecord, RecordProblem> {
        let json = text.get(span.clone()).ok_or_else(|| RecordProblem {
            pointer: String::new(),
            message: format!("record span {span:?} is not within the text"),
            offset: None,
        })?;
        let header: Header = serde_json::from_str(json).map_err(|err| RecordProblem {
            pointer: String::new(),
            message: err.to_string(),
            offset: Some(offset_of(json, err.line(), err.column())),
        })?;
        let problem = |pointer: String, message: String| RecordProblem { pointer, message, offset: None };
        let field = |value: Option<Value>, what: &str| match value {
            Some(Value::String(s)) => Ok(s),
            _ => Err(problem(
                "/resource".into(),
                format!("vault resource is missing its \"{what}\" (a string): every vault needs its ARM {what}"),
            )),
        };
        let id = field(header.resource.id, "id")?;
        let name = field(header.resource.name, "name")?;
        for (j, secret) in header.secrets.iter().enumerate() {
            if secret.value.is_some() {
                return Err(problem(format!("/secrets/{j}/value"), SECRET_VALUE.into()));
            }
            if secret.properties.as_ref().is_some_and(|p| p.value.is_some()) {
                return Err(problem(format!("/secrets/{j}/properties/value"), SECRET_VALUE.into()));
            }
        }
        for (kind, items) in
            [("secrets", &header.secrets), ("keys", &header.keys), ("certificates", &header.certificates)]
        {
            for (j, item) in items.iter().enumerate() {
                if !item.name.is_some_and(|name| name.get().starts_with('"')) {
                    return Err(problem(
                        format!("/{kind}/{j}"),
                        format!("{} is missing its \"name\" (a string)", kind.trim_end_matches('s')),
                    ));
                }
            }
        }
        let _ = (header.role_assignments, header.diagnostic_settings, header.private_endpoints);
        Ok(VaultRecord { id, name, source: header.source, unknowns: header.unknowns, text, span })
    }

    /// Builds a record from its parts (what sources do).
    pub fn new(parts: &VaultParts) -> Result<VaultRecord, RecordProblem> {
        let json = serde_json::value::to_raw_value(parts).map_err(|e| RecordProblem {
            pointer: String::new(),
            message: e.to_string(),
            offset: None,
        })?;
        VaultRecord::from_json(json)
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn source(&self) -> &SourceRef {
        &self.source
    }

    /// Values left to deployment time (templates only).
    pub fn unknowns(&self) -> &[UnknownValue] {
        &self.unknowns
    }

    /// Why the value at `pointer` (a finding's path in this record) is not known, if it is not:
    /// the pointer lies inside an unknown value, or names an object one of whose members is.
    pub fn unknown_reason(&self, pointer: &str) -> Option<&str> {
        let within = |outer: &str, inner: &str| {
            inner.starts_with(outer) && (inner.len() == outer.len() || inner.as_bytes()[outer.len()] == b'/')
        };
        // A finding about a whole object does not hinge on each member: a role assignment to an
        // unknown principal is still a privileged grant. Only a finding about a property (whose
        // value is partly unknown, e.g. networkAcls with an unknown defaultAction) does.
        let last = pointer.rsplit('/').next().unwrap_or_default();
        let element = !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit());
        let shallow = element || matches!(pointer, "" | "/resource" | "/resource/properties");
        self.unknowns
            .iter()
            .find(|u| within(&u.pointer, pointer) || (!shallow && within(pointer, &u.pointer)))
            .map(|u| u.reason.as_str())
    }

    /// The record's JSON text.
    pub fn json(&self) -> &str {
        // `from_shared` checked that the span lies within the text on a char boundary.
        self.text.get(self.span.clone()).unwrap_or_default()
    }

    /// The record as values. The text was checked when the record was made, so this only fails
    /// on memory exhaustion-like conditions; callers still handle the error.
    pub fn parts(&self) -> Result<VaultParts, serde_json::Error> {
        serde_json::from_str(self.json())
    }
}

impl Serialize for VaultRecord {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // serde_json writes text verbatim only through a `RawValue`, and a borrowed one can only
        // be had by parsing: one validating pass over a record that was already checked.
        let raw: &RawValue = serde_json::from_str(self.json()).map_err(serde::ser::Error::custom)?;
        raw.serialize(serializer)
    }
}

/// Byte offset of serde_json's 1-based (line, column) in `text`.
pub(crate) fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text.split_inclusive('\n').take(line.saturating_sub(1)).map(str::len).sum();
    (line_start + column.saturating_sub(1)).min(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(text: &str) -> Result<VaultRecord, RecordProblem> {
        VaultRecord::from_json(RawValue::from_string(text.to_string()).expect("valid JSON"))
    }

    #[test]
    fn keeps_header_fields() {
        let r = record(r#"{"resource":{"id":"/v","name":"v","properties":{}},"source":{"kind":"live"}}"#).expect("ok");
        assert_eq!((r.id(), r.name(), r.source().kind), ("/v", "v", super::super::SourceKind::Live));
    }

    #[test]
    fn rejects_secret_values_anywhere() {
        let p = record(
            r#"{"resource":{"id":"/v","name":"v"},"secrets":[{"name":"a"},{"name":"b","properties":{"value":"x"}}]}"#,
        )
        .expect_err("value");
        assert_eq!(p.pointer, "/secrets/1/properties/value");
    }

    #[test]
    fn round_trips_through_parts() {
        let parts = VaultParts {
            resource: serde_json::json!({"id": "/v", "name": "v"}),
            secrets: vec![serde_json::json!({"name": "s"})],
            ..VaultParts::default()
        };
        let r = VaultRecord::new(&parts).expect("valid");
        assert_eq!(r.parts().expect("parses"), parts);
    }
}
