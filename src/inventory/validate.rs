//! Reading an inventory document: parse errors and rule violations name the file, line and column.

use super::{Inventory, SCHEMA_VERSION};
use crate::span::{self, Position};
use serde_json::Value;

#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    #[error("{file}:{}:{}: {message}", .at.line, .at.column)]
    Invalid { file: String, at: Position, message: String },
}

impl InventoryError {
    fn at(file: &str, text: &str, pointer: &str, message: String) -> Self {
        let at = span::locate(text, &[pointer.to_string()])
            .remove(pointer)
            .unwrap_or(Position::START);
        InventoryError::Invalid { file: file.to_string(), at, message }
    }
}

/// Turns serde_json's message into one that reads well after `file:line:col:`.
fn describe_json_error(err: &serde_json::Error) -> String {
    let text = err.to_string();
    // serde_json appends " at line L column C"; the position is already in front.
    let text = match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    };
    match err.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            format!("invalid JSON: {text}")
        }
        _ => format!("not a valid kvscan inventory: {text}"),
    }
}

/// Parses and validates an inventory document.
pub fn parse(file: &str, text: &str) -> Result<Inventory, InventoryError> {
    let inventory: Inventory = serde_json::from_str(text).map_err(|err| {
        if let Some(message) = schema_version_problem(text) {
            return InventoryError::at(file, text, "/schemaVersion", message);
        }
        InventoryError::Invalid {
            file: file.to_string(),
            at: Position { line: err.line().max(1) as u32, column: err.column().max(1) as u32 },
            message: describe_json_error(&err),
        }
    })?;
    if let Some(message) = schema_version_problem(text) {
        return Err(InventoryError::at(file, text, "/schemaVersion", message));
    }
    validate(&inventory).map_err(|(pointer, message)| InventoryError::at(file, text, &pointer, message))?;
    Ok(inventory)
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
        Some(other) => Some(format!(
            "unsupported schemaVersion {other}: this kvscan reads inventory schema version {SCHEMA_VERSION}"
        )),
        None => None,
    }
}

/// Checks what the type system cannot: ids present, and no secret values anywhere.
/// Returns the JSON pointer of the offending value and what is wrong with it.
pub fn validate(inventory: &Inventory) -> Result<(), (String, String)> {
    for (i, vault) in inventory.vaults.iter().enumerate() {
        let base = format!("/vaults/{i}");
        let resource = vault
            .resource
            .as_object()
            .ok_or_else(|| (format!("{base}/resource"), "expected the vault resource to be an object".to_string()))?;
        for field in ["id", "name"] {
            if !resource.get(field).is_some_and(Value::is_string) {
                return Err((
                    format!("{base}/resource"),
                    format!("vault resource is missing its \"{field}\" (a string): every vault needs its ARM {field}"),
                ));
            }
        }
        for (j, secret) in vault.secrets.iter().enumerate() {
            let at = format!("{base}/secrets/{j}");
            let has_value = secret.get("value").is_some()
                || secret.pointer("/properties/value").is_some();
            if has_value {
                let pointer = if secret.get("value").is_some() {
                    format!("{at}/value")
                } else {
                    format!("{at}/properties/value")
                };
                return Err((
                    pointer,
                    "secret carries a \"value\": an inventory holds secret metadata only, never secret values \
                     (was this pasted from `az keyvault secret show`?); remove the value and scan again"
                        .to_string(),
                ));
            }
            if !secret.get("name").is_some_and(Value::is_string) {
                return Err((at, "secret is missing its \"name\" (a string)".to_string()));
            }
        }
        for (kind, items) in [("keys", &vault.keys), ("certificates", &vault.certificates)] {
            for (j, item) in items.iter().enumerate() {
                if !item.get("name").is_some_and(Value::is_string) {
                    return Err((
                        format!("{base}/{kind}/{j}"),
                        format!("{} is missing its \"name\" (a string)", kind.trim_end_matches('s')),
                    ));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        parse("inv.json", text).expect_err("must be rejected").to_string()
    }

    #[test]
    fn accepts_minimal_inventory() {
        let inv = parse(
            "inv.json",
            r#"{"schemaVersion":1,"vaults":[{"resource":{"id":"/x/vaults/a","name":"a"}}]}"#,
        )
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
