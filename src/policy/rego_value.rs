//! JSON text straight to Rego values, with object keys shared across documents.
//!
//! Turning each vault record into Rego values was the largest single cost of a scan with few
//! rules (about 40% of the instructions with the core rules). regorus's own parser allocates every
//! string twice and every object key three times (the key, its interning probe, the copy that is
//! dropped); the keys of vault records are a few dozen names repeated in every record, so a
//! worker keeps them once for the whole scan and hands out reference-counted clones.

use regorus::Value;
use rustc_hash::FxHashMap;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use std::collections::BTreeMap;
use std::fmt;

/// Object keys seen so far; one per worker thread (regorus values are not `Sync`-shared here).
#[derive(Default)]
pub struct KeyCache {
    // Fx: the keys are short names hashed once per occurrence; SipHash was a tenth of the parse.
    keys: FxHashMap<Box<str>, Value>,
}

/// Keys past this many are not remembered: a document with unbounded distinct keys (tags, user
/// maps) must not grow the cache without limit.
const MAX_CACHED_KEYS: usize = 4096;

impl KeyCache {
    /// Parses one JSON document into a Rego value equal to `Value::from_json_str(text)`.
    pub fn parse(&mut self, text: &str) -> Result<Value, serde_json::Error> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let value = Node(self).deserialize(&mut deserializer)?;
        deserializer.end()?;
        Ok(value)
    }

    /// Parses a JSON object, keeping only the members for which `keep` holds; the others are
    /// stepped over unparsed. Not an object: parsed whole, as [`KeyCache::parse`].
    pub fn parse_members(&mut self, text: &str, keep: &dyn Fn(&str) -> bool) -> Result<Value, serde_json::Error> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let value = Members { keys: self, keep }.deserialize(&mut deserializer)?;
        deserializer.end()?;
        Ok(value)
    }

    /// The key `name` as a Rego string.
    pub fn key(&mut self, name: &str) -> Value {
        if let Some(key) = self.keys.get(name) {
            return key.clone();
        }
        let key = Value::from(name);
        if self.keys.len() < MAX_CACHED_KEYS {
            self.keys.insert(name.into(), key.clone());
        }
        key
    }
}

/// Any JSON value.
struct Node<'a>(&'a mut KeyCache);

impl<'de> DeserializeSeed<'de> for Node<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        // As regorus: a non-finite number has no JSON form and breaks set ordering.
        if !v.is_finite() {
            return Err(E::custom(format!("invalid non-finite number in input: {v}")));
        }
        Ok(Value::from(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element_seed(Node(self.0))? {
            items.push(item);
        }
        Ok(Value::from(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = BTreeMap::new();
        while let Some(key) = map.next_key_seed(Key(self.0))? {
            let value = map.next_value_seed(Node(self.0))?;
            object.insert(key, value);
        }
        Ok(if object.is_empty() { Value::new_object() } else { Value::from(object) })
    }
}

/// An object of which only some members are wanted.
struct Members<'a, 'k> {
    keys: &'a mut KeyCache,
    keep: &'k dyn Fn(&str) -> bool,
}

impl<'de> DeserializeSeed<'de> for Members<'_, '_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Members<'_, '_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = BTreeMap::new();
        while let Some(key) = map.next_key_seed(Key(self.keys))? {
            let wanted = match &key {
                Value::String(name) => (self.keep)(name),
                _ => true,
            };
            if wanted {
                let value = map.next_value_seed(Node(self.keys))?;
                object.insert(key, value);
            } else {
                map.next_value::<de::IgnoredAny>()?;
            }
        }
        Ok(if object.is_empty() { Value::new_object() } else { Value::from(object) })
    }

    // Anything else is kept whole.
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Node(self.keys).visit_unit()
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Node(self.keys).visit_bool(v)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Node(self.keys).visit_u64(v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Node(self.keys).visit_i64(v)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Node(self.keys).visit_f64(v)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Node(self.keys).visit_str(v)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Value, A::Error> {
        Node(self.keys).visit_seq(seq)
    }
}

/// An object key, taken from the cache.
struct Key<'a>(&'a mut KeyCache);

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(self.0.key(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same_as_regorus(text: &str) {
        let ours = KeyCache::default().parse(text).expect("parses");
        let theirs = Value::from_json_str(text).expect("regorus parses");
        assert_eq!(ours, theirs, "{text}");
        assert_eq!(ours.to_json_str().ok(), theirs.to_json_str().ok(), "{text}");
    }

    #[test]
    fn equals_regorus_on_every_kind_of_value() {
        for text in [
            r#"null"#,
            r#"{"a":1,"b":-2,"c":3.5,"d":1e300,"e":18446744073709551615,"f":-9223372036854775808}"#,
            r#"{"s":"plain","t":"esc\"aped\u00e9\n","u":"","v":true,"w":false,"x":null}"#,
            r#"{"nested":{"deeper":{"list":[1,"two",{"three":3},[],{}]}},"empty":{},"arr":[]}"#,
            r#"{"dup":1,"dup":2}"#,
            r#"[{"k":1},{"k":2},{"k":"x"}]"#,
            r#"{"":0,"é":1,"K":2,"k":3}"#,
        ] {
            same_as_regorus(text);
        }
    }

    #[test]
    fn equals_regorus_on_the_sample_records() {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/sample-tenant.json"))
            .expect("sample");
        let document: serde_json::Value = serde_json::from_str(&text).expect("json");
        let mut cache = KeyCache::default();
        let vaults = document["vaults"].as_array().expect("vaults");
        assert!(!vaults.is_empty());
        for vault in vaults {
            let record = vault.to_string();
            assert_eq!(cache.parse(&record).expect("parses"), Value::from_json_str(&record).expect("regorus"));
        }
    }

    #[test]
    fn rejects_what_regorus_rejects() {
        for text in ["{", "[1,]", "{\"a\":1} x", "{1:2}"] {
            assert!(KeyCache::default().parse(text).is_err(), "{text}");
            assert!(Value::from_json_str(text).is_err(), "{text}");
        }
    }

    #[test]
    fn stops_remembering_keys_past_the_limit() {
        let mut cache = KeyCache::default();
        let many: String = (0..MAX_CACHED_KEYS + 10).map(|i| format!("\"k{i}\":{i}")).collect::<Vec<_>>().join(",");
        let value = cache.parse(&format!("{{{many}}}")).expect("parses");
        assert_eq!(cache.keys.len(), MAX_CACHED_KEYS);
        assert_eq!(value.as_object().expect("object").len(), MAX_CACHED_KEYS + 10);
    }
}
