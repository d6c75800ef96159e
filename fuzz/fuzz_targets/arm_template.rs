//! A whole template through the ARM source: parse, walk (copy loops, conditions, nested and
//! linked deployments), build vault records. No input may panic.
#![no_main]

use kvscan::source::arm::load;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // Linked templates are resolved relative to the file: a path in an empty directory keeps the
    // fuzzer from reading the tree it runs in.
    let _ = load::load("/nonexistent-kvscan-fuzz/template.json", text, &serde_json::Map::new());
    let _ = load::parameters("/nonexistent-kvscan-fuzz/template.parameters.json", text);
});
