//! Array and object functions (several also take strings, as ARM's do).

use super::{known, Args, Call, Outcome};
use crate::source::arm::eval::EvalValue;
use serde_json::{Map, Value};

/// Largest `range()` ARM allows.
const MAX_RANGE: i64 = 10_000;

/// `coalesce(a, b, ...)`: the first argument that is not null. An unknown argument before any
/// known non-null one makes the result unknown: it might be null or not.
pub fn coalesce(call: &Call) -> Outcome {
    call.count(1, None)?;
    for index in 0..call.len() {
        match call.eval(index)? {
            EvalValue::Known(Value::Null) => continue,
            decided => return Ok(decided),
        }
    }
    known(Value::Null)
}

pub fn empty(args: &Args) -> Outcome {
    args.count(1, Some(1))?;
    match args.get(0) {
        Value::Null => known(true),
        Value::String(text) => known(text.is_empty()),
        Value::Array(items) => known(items.is_empty()),
        Value::Object(members) => known(members.is_empty()),
        _ => Err(args.error("argument 1 must be a string, an array, an object or null")),
    }
}

/// `contains(container, item)`: a string's substring (case-sensitive), an array's item, or an
/// object's key (case-insensitive), as ARM documents.
pub fn contains(args: &Args) -> Outcome {
    args.count(2, Some(2))?;
    let item = args.get(1);
    match args.get(0) {
        Value::String(text) => {
            let needle = super::scalar_text(item).ok_or_else(|| args.error("argument 2 must be a string"))?;
            known(text.contains(&needle))
        }
        Value::Array(items) => known(items.contains(item)),
        Value::Object(members) => {
            let key = args.string(1)?.to_lowercase();
            known(members.keys().any(|k| k.to_lowercase() == key))
        }
        _ => Err(args.error("argument 1 must be a string, an array or an object")),
    }
}

/// Characters (UTF-16 units) of a string, items of an array, members of an object; 0 for null.
pub fn length(args: &Args) -> Outcome {
    args.count(1, Some(1))?;
    match args.get(0) {
        Value::Null => known(0),
        Value::String(text) => known(text.encode_utf16().count()),
        Value::Array(items) => known(items.len()),
        Value::Object(members) => known(members.len()),
        _ => Err(args.error("argument 1 must be a string, an array or an object")),
    }
}

pub fn first(args: &Args) -> Outcome {
    edge(args, false)
}

pub fn last(args: &Args) -> Outcome {
    edge(args, true)
}

/// First or last item of an array (null when empty) or character of a string.
fn edge(args: &Args, last: bool) -> Outcome {
    args.count(1, Some(1))?;
    match args.get(0) {
        Value::Null => known(Value::Null),
        Value::Array(items) => known((if last { items.last() } else { items.first() }).cloned().unwrap_or(Value::Null)),
        Value::String(text) => {
            let c = if last { text.chars().next_back() } else { text.chars().next() };
            known(c.map(String::from).unwrap_or_default())
        }
        _ => Err(args.error("argument 1 must be an array or a string")),
    }
}

pub fn take(args: &Args) -> Outcome {
    slice(args, true)
}

pub fn skip(args: &Args) -> Outcome {
    slice(args, false)
}

/// `take`/`skip` on arrays and strings; counts below zero or past the end are clamped.
fn slice(args: &Args, take: bool) -> Outcome {
    args.count(2, Some(2))?;
    let count = usize::try_from(args.integer(1)?.max(0)).unwrap_or(usize::MAX);
    match args.get(0) {
        Value::Null => known(Value::Null),
        Value::Array(items) => {
            let split = count.min(items.len());
            known(if take { items[..split].to_vec() } else { items[split..].to_vec() })
        }
        Value::String(text) => {
            let units: Vec<u16> = text.encode_utf16().collect();
            let split = count.min(units.len());
            known(String::from_utf16_lossy(if take { &units[..split] } else { &units[split..] }))
        }
        _ => Err(args.error("argument 1 must be an array or a string")),
    }
}

/// `union`: arrays without duplicates (first occurrence order), or objects merged left to right
/// with nested objects merged recursively, as ARM documents.
pub fn union(args: &Args) -> Outcome {
    args.count(1, None)?;
    let values = args.values();
    if values.iter().all(Value::is_array) {
        let mut merged: Vec<Value> = Vec::new();
        for item in values.iter().filter_map(Value::as_array).flatten() {
            if !merged.contains(item) {
                merged.push(item.clone());
            }
        }
        return known(merged);
    }
    if values.iter().all(Value::is_object) {
        let mut merged = Map::new();
        for members in values.iter().filter_map(Value::as_object) {
            deep_merge(&mut merged, members, 0);
        }
        return known(merged);
    }
    Err(args.error("expects only arrays or only objects"))
}

/// Merges `patch` into `target`; keys match case-insensitively and keep the first spelling.
fn deep_merge(target: &mut Map<String, Value>, patch: &Map<String, Value>, depth: usize) {
    for (key, value) in patch {
        let existing = target.keys().find(|k| k.eq_ignore_ascii_case(key)).cloned();
        match (existing.and_then(|k| target.get_mut(&k)), value) {
            // Values are nested at most as deep as the expression that built them; the guard only
            // keeps a hand-built value from recursing without end.
            (Some(Value::Object(inner)), Value::Object(patch_inner)) if depth < 128 => {
                deep_merge(inner, patch_inner, depth + 1)
            }
            (Some(slot), _) => *slot = value.clone(),
            (None, _) => {
                target.insert(key.clone(), value.clone());
            }
        }
    }
}

/// `intersection`: items (or key/value pairs) present in every argument.
pub fn intersection(args: &Args) -> Outcome {
    args.count(1, None)?;
    let values = args.values();
    if let Some(arrays) = values.iter().map(Value::as_array).collect::<Option<Vec<_>>>() {
        let mut common: Vec<Value> = Vec::new();
        for item in arrays.first().into_iter().flat_map(|first| first.iter()) {
            if !common.contains(item) && arrays.iter().all(|array| array.contains(item)) {
                common.push(item.clone());
            }
        }
        return known(common);
    }
    if let Some(objects) = values.iter().map(Value::as_object).collect::<Option<Vec<_>>>() {
        let mut common = Map::new();
        for (key, value) in objects.first().into_iter().flat_map(|first| first.iter()) {
            if objects.iter().all(|object| object.get(key) == Some(value)) {
                common.insert(key.clone(), value.clone());
            }
        }
        return known(common);
    }
    Err(args.error("expects only arrays or only objects"))
}

/// `shallowMerge([objects])`: top-level members, later objects winning.
pub fn shallow_merge(args: &Args) -> Outcome {
    args.count(1, Some(1))?;
    let mut merged = Map::new();
    for item in args.array(0)? {
        let members = item.as_object().ok_or_else(|| args.error("every item must be an object"))?;
        for (key, value) in members {
            merged.insert(key.clone(), value.clone());
        }
    }
    known(merged)
}

pub fn create_array(args: &Args) -> Outcome {
    known(args.values().to_vec())
}

/// `createObject(key1, value1, key2, value2, ...)`.
pub fn create_object(args: &Args) -> Outcome {
    if args.len() % 2 != 0 {
        return Err(args.error(format!("expects key/value pairs, got {} argument(s)", args.len())));
    }
    let mut members = Map::new();
    for pair in args.values().chunks_exact(2) {
        let key = pair[0].as_str().ok_or_else(|| args.error(format!("the key '{}' is not a string", pair[0])))?;
        members.insert(key.to_string(), pair[1].clone());
    }
    known(members)
}

/// `array(value)`: an array stays as it is, anything else becomes a one-item array.
pub fn array(args: &Args) -> Outcome {
    args.count(1, Some(1))?;
    match args.get(0) {
        Value::Array(items) => known(items.clone()),
        other => known(vec![other.clone()]),
    }
}

/// `items(object)`: `[{key, value}]` sorted by key.
pub fn items(args: &Args) -> Outcome {
    args.count(1, Some(1))?;
    let mut entries: Vec<(&String, &Value)> = args.object(0)?.iter().collect();
    entries.sort_by_key(|(key, _)| key.to_lowercase());
    let items: Vec<Value> = entries
        .into_iter()
        .map(|(key, value)| {
            let mut item = Map::new();
            item.insert("key".into(), Value::String(key.clone()));
            item.insert("value".into(), value.clone());
            Value::Object(item)
        })
        .collect();
    known(items)
}

pub fn object_keys(args: &Args) -> Outcome {
    args.count(1, Some(1))?;
    known(args.object(0)?.keys().cloned().map(Value::String).collect::<Vec<_>>())
}

/// `range(start, count)`.
pub fn range(args: &Args) -> Outcome {
    args.count(2, Some(2))?;
    let (start, count) = (args.integer(0)?, args.integer(1)?);
    if !(0..=MAX_RANGE).contains(&count) {
        return Err(args.error(format!("the count {count} must be from 0 to {MAX_RANGE}")));
    }
    if start.checked_add(count).is_none_or(|end| end.saturating_sub(1) > i64::from(i32::MAX)) {
        return Err(args.error("the range goes beyond the 32-bit integers ARM allows"));
    }
    known((start..start + count).collect::<Vec<i64>>())
}

/// `tryGet(value, key1, key2, ...)`: follows keys (property names or array indexes), null as soon
/// as one is missing.
pub fn try_get(args: &Args) -> Outcome {
    args.count(2, None)?;
    let mut current = args.get(0);
    for key in &args.values()[1..] {
        let next = match (current, key) {
            (Value::Object(members), Value::String(name)) => {
                members.get(name).or_else(|| members.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v))
            }
            (Value::Array(items), Value::Number(index)) => {
                index.as_u64().and_then(|i| usize::try_from(i).ok()).and_then(|i| items.get(i))
            }
            (_, Value::String(_) | Value::Number(_)) => None,
            _ => return Err(args.error("keys must be strings or integers")),
        };
        match next {
            Some(value) => current = value,
            None => return known(Value::Null),
        }
    }
    known(current.clone())
}
