//! A Bicep file through the native reader: tree-sitter parse, translation to an ARM template
//! (modules, loops, parents), walk and vault records; and the same text as a `.bicepparam`.
//! No input may panic. Seeds: fuzz/corpus-seed/bicep/.
#![no_main]

use kvscan::source::bicep::load::{self, BicepParameters};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // Modules are read relative to the file: a path in a missing directory keeps the fuzzer
    // from reading the tree it runs in.
    let path = Path::new("/nonexistent-kvscan-fuzz/main.bicep");
    let _ = load::load(path, "main.bicep", text, &BicepParameters::default());
    let _ = load::parameter_file("main.bicepparam", text);
});
