//! `--bicep-cli`: compile with the Bicep CLI (`bicep`, else `az bicep`) and scan the ARM template
//! it produces. Findings then point into that template, named like the `x.json` that
//! `bicep build x.bicep` writes beside the file (kvscan itself writes nothing).

use super::load::{records_of, BicepParameters};
use super::BicepError;
use crate::finding::FileLocation;
use crate::source::{arm, Loaded};
use crate::span::{self, Position};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A Bicep compiler found on PATH.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Compiler {
    Bicep(PathBuf),
    AzureCli(PathBuf),
}

/// The Bicep CLI on PATH, else the Azure CLI (whose `az bicep` installs Bicep on first use).
pub fn find_compiler() -> Option<Compiler> {
    find_on_path("bicep").map(Compiler::Bicep).or_else(|| find_on_path("az").map(Compiler::AzureCli))
}

fn find_on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).find_map(|dir| {
        [program.to_string(), format!("{program}.exe"), format!("{program}.cmd")]
            .into_iter()
            .map(|name| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}

/// `bicep build --stdout FILE`: the compiled ARM template's text.
pub fn compile(compiler: &Compiler, path: &Path, shown: &str) -> Result<String, BicepError> {
    let mut command = match compiler {
        Compiler::Bicep(program) => {
            let mut command = Command::new(program);
            command.arg("build").arg("--stdout").arg(path);
            command
        }
        Compiler::AzureCli(program) => {
            let mut command = Command::new(program);
            command.args(["bicep", "build", "--stdout", "--file"]).arg(path);
            command
        }
    };
    let output = command
        .output()
        .map_err(|e| BicepError::at(shown, Position::START, format!("the Bicep CLI cannot be run: {e}")))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("no message");
        return Err(BicepError::at(shown, Position::START, format!("the Bicep CLI failed: {first}")));
    }
    String::from_utf8(output.stdout)
        .map_err(|e| BicepError::at(shown, Position::START, format!("the Bicep CLI wrote invalid UTF-8: {e}")))
}

/// Scans the template the CLI compiled `path` to.
pub fn load(compiler: &Compiler, path: &Path, shown: &str, parameters: &BicepParameters) -> Result<Loaded, BicepError> {
    let compiled = compile(compiler, path, shown)?;
    let generated = Path::new(shown).with_extension("json").to_string_lossy().replace('\\', "/");
    let template = arm::template::parse(&generated, &compiled).map_err(|e| {
        BicepError::at(shown, Position::START, format!("the Bicep CLI's output is not a template: {e}"))
    })?;
    let mut pointers = Vec::new();
    every_pointer(&template, String::new(), &mut pointers);
    let positions: BTreeMap<String, FileLocation> = span::locate(&compiled, &pointers)
        .into_iter()
        .map(|(pointer, at)| (pointer, FileLocation { file: generated.clone(), line: at.line, column: at.column }))
        .collect();
    records_of(&generated, template, &positions, &parameters.values)
}

fn every_pointer(value: &Value, pointer: String, out: &mut Vec<String>) {
    match value {
        Value::Object(members) => {
            for (key, member) in members {
                every_pointer(member, format!("{pointer}/{}", span::escape_token(key)), out);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                every_pointer(item, format!("{pointer}/{index}"), out);
            }
        }
        _ => {}
    }
    out.push(pointer);
}
