//! Truncated and garbled variants of every test Bicep file: the reader either reads them or
//! says where they break, and never panics.

use kvscan::source::bicep::{parse, translate};
use std::path::{Path, PathBuf};

fn bicep_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("test data").flatten() {
        let path = entry.path();
        if path.is_dir() {
            bicep_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "bicep" || e == "bicepparam") {
            out.push(path);
        }
    }
}

/// Reads `text` as the file at `path` would be; a panic fails the test.
fn read(path: &Path, text: &str) {
    if let Ok(file) = parse::parse("variant.bicep", text) {
        let _ = translate::translate(path, "variant.bicep", &file, None);
    }
    let _ = parse::parse_parameters("variant.bicepparam", text);
}

#[test]
fn truncated_and_garbled_bicep_never_panics() {
    let mut files = Vec::new();
    bicep_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/bicep"), &mut files);
    assert!(files.len() >= 6, "{files:?}");
    let garbage = ["{", "}", "[", "]", "'", "${", "(", ")", ":", "::", "?", "@", "=", "\n", "for", "if", "\u{e9}"];
    let mut variants = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).expect("read");
        let cuts: Vec<usize> = (0..=text.len()).step_by(7).filter(|&i| text.is_char_boundary(i)).collect();
        for &cut in &cuts {
            read(path, &text[..cut]);
            let junk = garbage[cut % garbage.len()];
            read(path, &format!("{}{junk}{}", &text[..cut], &text[cut..]));
            // Drop a chunk from the middle.
            let end = (cut + 13..=text.len()).find(|&i| text.is_char_boundary(i)).unwrap_or(text.len());
            read(path, &format!("{}{}", &text[..cut], &text[end..]));
            variants += 3;
        }
    }
    assert!(variants > 1000, "{variants} variants read");
}

#[test]
fn deeply_nested_input_is_read_without_overflowing_the_stack() {
    let depth = 5000;
    let text = format!("var x = {}1{}\n", "(".repeat(depth), ")".repeat(depth));
    read(Path::new("deep.bicep"), &text);
    let text = format!("var y = {}\n", "[".repeat(depth));
    read(Path::new("deep.bicep"), &text);
}
