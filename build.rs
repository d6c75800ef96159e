//! Embeds every file under `policies/` into the binary, so the built-in catalog needs no files at run time.
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(&path, out);
        } else if matches!(path.extension().and_then(|e| e.to_str()), Some("rego" | "json")) {
            out.push(path);
        }
    }
}

/// The commit the binary was built from, for `kvscan --version` (absent outside a git checkout,
/// e.g. a crates.io build).
fn git_commit() -> Option<String> {
    let output = std::process::Command::new("git").args(["rev-parse", "--short=12", "HEAD"]).output().ok()?;
    let commit = String::from_utf8(output.stdout).ok()?.trim().to_string();
    (output.status.success() && !commit.is_empty()).then_some(commit)
}

fn main() {
    let commit = git_commit().unwrap_or_else(|| "unknown commit".to_string());
    println!("cargo:rustc-env=KVSCAN_COMMIT={commit}");
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/refs/heads");
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let policies = root.join("policies");
    println!("cargo:rerun-if-changed=policies");
    let mut files = Vec::new();
    collect(&policies, &mut files);
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut generated = fs::File::create(out_dir.join("embedded_policies.rs")).expect("create generated file");
    writeln!(generated, "pub static EMBEDDED: &[(&str, &str)] = &[").expect("write");
    for file in files {
        println!("cargo:rerun-if-changed={}", file.display());
        let relative = file.strip_prefix(&policies).expect("under policies").to_string_lossy().replace('\\', "/");
        writeln!(generated, "    ({relative:?}, include_str!({:?})),", file.display().to_string()).expect("write");
    }
    writeln!(generated, "];").expect("write");
}
