//! A Terraform plan (`terraform show -json`) through the plan reader the scanner uses: JSON
//! parse, planned values of every module, `after_unknown`, configuration references, vault
//! records and their plan locations. No input may panic. Seeds: the repository's plan fixtures.
#![no_main]

use kvscan::source::terraform::plan;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = plan::load("plan.json", text);
});
