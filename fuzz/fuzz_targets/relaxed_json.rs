//! ARM's relaxed JSON (comments, single quotes, raw line breaks): rewriting to strict JSON must
//! never panic, keep every line break (so line numbers stay true), and leave strict JSON as it is.
#![no_main]

use kvscan::source::arm::relaxed_json;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let strict = relaxed_json::to_strict(text);
    assert_eq!(
        strict.matches('\n').count(),
        text.matches('\n').count(),
        "line breaks must survive the rewrite"
    );
    if serde_json::from_str::<serde_json::Value>(text).is_ok() {
        assert_eq!(strict, text, "strict JSON comes out unchanged");
    }
    let _ = serde_json::from_str::<serde_json::Value>(&strict);
    let _ = kvscan::source::arm::template::parse("fuzz.json", text);
});
