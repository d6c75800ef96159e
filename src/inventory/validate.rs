//! Reading an inventory document: parse errors and rule violations name the file, line and column.

use super::record::offset_of;
use super::record::RecordProblem;
use super::{Inventory, VaultRecord, SCHEMA_VERSION};
use crate::span::{self, Position};
use rayon::prelude::*;
use serde_json::value::RawValue;
use serde_json::Value;
use std::cell::RefCell;
use std::ops::Range;
use std::sync::{mpsc, Arc};

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
struct Envelope {
    #[serde(rename = "$schema", default)]
    schema: Option<String>,
    schema_version: u32,
    #[serde(default)]
    generated_by: Option<super::GeneratedBy>,
    #[serde(default)]
    tenants: Vec<Value>,
    #[serde(default)]
    subscriptions: Vec<Value>,
    /// The records go to [`RECORD_SINK`] as they are found; this is how many there were.
    #[serde(deserialize_with = "send_records")]
    vaults: usize,
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
    // Records are independent: each is checked on a free core as soon as the envelope parse has
    // stepped over it (large inventories are mostly records, and the parse is one thread's work).
    let (sender, receiver) = mpsc::channel::<Range<usize>>();
    let (parsed, checked) = rayon::join(
        || {
            let sink = RecordSink { base: text.as_ptr() as usize, sender };
            RECORD_SINK.with(|slot| *slot.borrow_mut() = Some(sink));
            let parsed = serde_json::from_str::<Envelope>(text);
            // Dropping the sender ends the checking side.
            RECORD_SINK.with(|slot| slot.borrow_mut().take());
            parsed
        },
        || {
            let mut checked: Vec<(Range<usize>, Result<VaultRecord, RecordProblem>)> = receiver
                .into_iter()
                .par_bridge()
                .map(|span| (span.clone(), VaultRecord::from_shared(Arc::clone(shared), span)))
                .collect();
            checked.sort_by_key(|(span, _)| span.start);
            checked
        },
    );
    let envelope: Envelope = parsed.map_err(|err| {
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
    if checked.len() != envelope.vaults {
        return Err(InventoryError::Invalid {
            file: file.to_string(),
            at: Position::START,
            message: format!("internal: {} of {} vault records were checked", checked.len(), envelope.vaults),
        });
    }
    let mut offsets = Vec::with_capacity(checked.len());
    let mut vaults = Vec::with_capacity(checked.len());
    // In document order, so the first bad record is the one reported.
    for (index, (span, result)) in checked.into_iter().enumerate() {
        let start = span.start;
        let record = result.map_err(|problem| match problem.offset {
            Some(local) => InventoryError::Invalid {
                file: file.to_string(),
                at: Position::at_offset(text, start + local),
                message: format!("not a valid vault record: {}", strip_position(&problem.message)),
            },
            None => InventoryError::at(file, text, &format!("/vaults/{index}{}", problem.pointer), problem.message),
        })?;
        offsets.push(start);
        vaults.push(record);
    }
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

/// Where the envelope parse on this thread sends the span of each vault record it steps over.
struct RecordSink {
    /// Address of the text being parsed, to turn borrowed records into offsets.
    base: usize,
    sender: mpsc::Sender<Range<usize>>,
}

thread_local! {
    // serde's derive gives a field's deserializer no context, so the sink is set per thread
    // around the one parse that uses it.
    static RECORD_SINK: RefCell<Option<RecordSink>> = const { RefCell::new(None) };
}

/// Deserializes `vaults` (an array of records) by sending each record's span to the sink.
fn send_records<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<usize, D::Error> {
    struct Records;
    impl<'de> serde::de::Visitor<'de> for Records {
        type Value = usize;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an array of vault records")
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<usize, A::Error> {
            let mut count = 0;
            while let Some(raw) = seq.next_element::<&'de RawValue>()? {
                let sent = RECORD_SINK.with(|slot| match slot.borrow().as_ref() {
                    Some(sink) => {
                        let start = raw.get().as_ptr() as usize - sink.base;
                        sink.sender.send(start..start + raw.get().len()).is_ok()
                    }
                    None => false,
                });
                if !sent {
                    return Err(serde::de::Error::custom("internal: no one is checking the vault records"));
                }
                count += 1;
            }
            Ok(count)
        }
    }
    deserializer.deserialize_seq(Records)
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
    fn reports_the_first_bad_record_of_many() {
        // Records are checked in parallel; the error must still be the first in the document.
        let mut records: Vec<String> =
            (0..500).map(|i| format!(r#"{{"resource":{{"id":"/x/vaults/v{i}","name":"v{i}"}}}}"#)).collect();
        for bad in [480, 123, 301] {
            records[bad] = format!(r#"{{"resource":{{"name":"v{bad}"}}}}"#);
        }
        let text = format!("{{\"schemaVersion\":1,\"vaults\":[\n{}]}}", records.join(",\n"));
        let message = err(&text);
        assert!(message.starts_with("inv.json:125:"), "{message}");
        assert!(message.contains("missing its \"id\""), "{message}");
        let inventory =
            parse("inv.json", &text.replace(r#"{"resource":{"name":"v"#, r#"{"resource":{"id":"/y","name":"v"#))
                .expect("valid once mended");
        assert_eq!(inventory.vaults.len(), 500);
        assert_eq!(inventory.vaults[499].name(), "v499");
    }

    #[test]
    fn rejects_vaults_that_are_not_an_array() {
        let message = err(r#"{"schemaVersion":1,"vaults":{"a":1}}"#);
        assert!(message.contains("expected an array of vault records"), "{message}");
    }

    #[test]
    fn rejects_unknown_envelope_fields() {
        let message = err(r#"{"schemaVersion":1,"vaults":[],"vault":[]}"#);
        assert!(message.contains("unknown field `vault`"), "{message}");
    }
}
