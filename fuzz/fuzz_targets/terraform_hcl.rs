//! A Terraform configuration through the HCL reader the scanner uses: parse, variables, locals,
//! `count`/`for_each`, references, module calls and vault records at `.tf` lines; and the same
//! text as a `.tfvars` file, whose values then feed the configuration. No input may panic.
//! Seeds: the `.tf` files of `shared/iac-examples/terraform/` and of the tests.
#![no_main]

use kvscan::source::terraform::hcl;
use libfuzzer_sys::fuzz_target;
use serde_json::Map;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // Local modules are read relative to the directory: a missing one keeps the fuzzer from
    // reading the tree it runs in, while module calls are still followed as far as they go.
    let dir = Path::new("/nonexistent-kvscan-fuzz");
    let sources = [("main.tf".to_string(), text.to_string())];
    let _ = hcl::load_sources(&sources, &Map::new(), Some(dir));
    if let Ok(tfvars) = hcl::parse_tfvars("terraform.tfvars", text) {
        if !tfvars.is_empty() {
            let _ = hcl::load_sources(&sources, &tfvars, Some(dir));
        }
    }
});
