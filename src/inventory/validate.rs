//! Reading an inventory document: parse errors and rule violations name the file, line and column.

use super::record::offset_of;
use super::{Inventory, VaultRecord, SCHEMA_VERSION};
use crate::span::{self, Position};
use rayon::prelude::*;
use serde_json::value::RawValue;
use serde_json::Value;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    #[error("{file}:{}:{}: {message}", .at.line, .at.column)]
    Invalid { file: String, at: Position, message: String },
}

impl InventoryError {
    fn at(file: &str, text: &str, pointer: &str, message: String) -> Self {
        let at = span::locate(text, &[pointer.to_string()]).remove(pointer).unwrap_or(Position::START);
        InventoryError::Invalid { file: file.to_string(), at, message }
    }
}

/// Turns serde_json's message into one that reads well after `file:line:col:`.
fn describe_json_error(err: &serde_json::Error) -> String {
    let text = err.to_string();
    // serde_json appends " at line L column C"; the position is already in front.
    let text = strip_position(&text).to_string();
    match err.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            format!("invalid JSON: {text}")
        }
        _ => format!("not a valid kvscan inventory: {text}"),
    }
}

/// The envelope with vault records left as raw JSON, so the records can be checked in parallel.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Envelope<'a> {
    #[serde(rename = "$schema", default)]
    schema: Option<String>,
    schema_version: u32,
    #[serde(default)]
    generated_by: Option<super::GeneratedBy>,
    #[serde(default)]
    tenants: Vec<Value>,
    #[serde(default)]
    subscriptions: Vec<Value>,
    #[serde(borrow)]
    vaults: Vec<&'a RawValue>,
    #[serde(default)]
    pricings: Vec<Value>,
    #[serde(default)]
    role_definitions: Vec<Value>,
    #[serde(default)]
    principals: Vec<super::Principal>,
    #[serde(default)]
    errors: Vec<super::ScanError>,
}

/// Parses and checks an inventory document.
pub fn parse(file: &str, text: &str) -> Result<Inventory, InventoryError> {
    parse_with_offsets(file, &Arc::new(text.to_string())).map(|(inventory, _)| inventory)
}

/// Like [`parse`], also returning the byte offset in `text` where each vault record starts.
/// The records keep a handle on `text` instead of copies of their parts of it.
pub fn parse_with_offsets(file: &str, shared: &Arc<String>) -> Result<(Inventory, Vec<usize>), InventoryError> {
    let text = shared.as_str();
    let envelope: Envelope = serde_json::from_str(text).map_err(|err| {
        if let Some(message) = schema_version_problem(text) {
            return InventoryError::at(file, text, "/schemaVersion", message);
        }
        InventoryError::Invalid {
            file: file.to_string(),
            at: Position::at_offset(text, offset_of(text, err.line(), err.column())),
            message: describe_json_error(&err),
        }
    })?;
    // The envelope parsed, so the version is a number: no second pass over the text is needed
    // to check it (the probe above only runs to explain a failed parse).
    if envelope.schema_version != SCHEMA_VERSION {
        let message = unsupported_version(&envelope.schema_version.to_string());
        return Err(InventoryError::at(file, text, "/schemaVersion", message));
    }
    // Records are independent: check them on every core (large inventories are mostly records).
    let offsets: Vec<usize> =
        envelope.vaults.iter().map(|raw| raw.get().as_ptr() as usize - text.as_ptr() as usize).collect();
    let vaults = envelope
        .vaults
        .into_par_iter()
        .zip(offsets.par_iter())
        .enumerate()
        .map(|(index, (raw, &start))| {
            let span = start..start + raw.get().len();
            VaultRecord::from_shared(Arc::clone(shared), span).map_err(|problem| {
                let record = format!("/vaults/{index}");
                match problem.offset {
                    Some(local) => InventoryError::Invalid {
                        file: file.to_string(),
                        at: Position::at_offset(text, start + local),
                        message: format!("not a valid vault record: {}", strip_position(&problem.message)),
                    },
                    None => InventoryError::at(file, text, &format!("{record}{}", problem.pointer), problem.message),
                }
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let inventory = Inventory {
        schema: envelope.schema,
        schema_version: envelope.schema_version,
        generated_by: envelope.generated_by,
        tenants: envelope.tenants,
        subscriptions: envelope.subscriptions,
        vaults,
        pricings: envelope.pricings,
        role_definitions: envelope.role_definitions,
        principals: envelope.principals,
        errors: envelope.errors,
    };
    Ok((inventory, offsets))
}

fn strip_position(message: &str) -> &str {
    message.rfind(" at line ").map_or(message, |i| &message[..i])
}

fn schema_version_problem(text: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Probe {
        #[serde(rename = "schemaVersion")]
        schema_version: Option<Value>,
    }
    let probe: Probe = serde_json::from_str(text).ok()?;
    match probe.schema_version {
        Some(Value::Number(n)) if n.as_u64() == Some(u64::from(SCHEMA_VERSION)) => None,
        Some(other) => Some(unsupported_version(&other.to_string())),
        None => None,
    }
}

fn unsupported_version(found: &str) -> String {
    format!("unsupported schemaVersion {found}: this kvscan reads inventory schema version {SCHEMA_VERSION}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        parse("inv.json", text).expect_err("must be rejected").to_string()
    }

    #[test]
    fn accepts_minimal_inventory() {
        let inv = parse("inv.json", r#"{"schemaVersion":1,"vaults":[{"resource":{"id":"/x/vaults/a","name":"a"}}]}"#)
            .expect("valid");
        assert_eq!(inv.vaults[0].name(), "a");
    }

    #[test]
    fn rejects_secret_values_with_position() {
        let text = "{\"schemaVersion\":1,\"vaults\":[{\"resource\":{\"id\":\"/v\",\"name\":\"v\"},\n\"secrets\":[{\"name\":\"s\",\n\"value\":\"hunter2\"}]}]}";
        let message = err(text);
        assert!(message.starts_with("inv.json:3:9: secret carries a \"value\""), "{message}");
    }

    #[test]
    fn reports_syntax_errors_with_line_and_column() {
        let message = err("{\n\"schemaVersion\": 1,\n\"vaults\": [\n}");
        assert!(message.starts_with("inv.json:4:1: invalid JSON"), "{message}");
    }

    #[test]
    fn rejects_other_schema_versions() {
        let message = err(r#"{"schemaVersion": 99, "vaults": [], "future": true}"#);
        assert!(message.contains("unsupported schemaVersion 99"), "{message}");
    }

    #[test]
    fn rejects_vault_without_id() {
        let message = err(r#"{"schemaVersion":1,"vaults":[{"resource":{"name":"a"}}]}"#);
        assert!(message.contains("missing its \"id\""), "{message}");
    }

    #[test]
    fn rejects_unknown_envelope_fields() {
        let message = err(r#"{"schemaVersion":1,"vaults":[],"vault":[]}"#);
        assert!(message.contains("unknown field `vault`"), "{message}");
    }
}
