//! ARM's relaxed JSON (comments, single quotes, raw line breaks): rewriting to strict JSON must
//! never panic, never add line breaks, keep every line break outside strings (only raw ones inside
//! strings become `\n`), and leave strict JSON as it is.
#![no_main]

use kvscan::source::arm::relaxed_json;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let strict = relaxed_json::to_strict(text);
    let (before, after) = (text.matches('\n').count(), strict.matches('\n').count());
    assert!(after <= before, "the rewrite added line breaks");
    // Without string literals there is nothing to escape: every line break survives.
    if !text.contains('"') && !text.contains('\'') {
        assert_eq!(after, before, "line breaks outside strings must survive the rewrite");
    }
    if serde_json::from_str::<serde_json::Value>(text).is_ok() {
        assert_eq!(strict, text, "strict JSON comes out unchanged");
    }
    let _ = serde_json::from_str::<serde_json::Value>(&strict);
    let _ = kvscan::source::arm::template::parse("fuzz.json", text);
});
