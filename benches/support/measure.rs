//! Peak memory of a child process, measured apart from the benchmark's own.

use std::path::Path;
use std::process::Command;

/// Runs kvscan under GNU time and returns its output with kvscan's own peak RSS in KiB. The
/// benchmark process holds the fake tenant, and `getrusage(RUSAGE_CHILDREN)` would count that
/// memory too: a forked child shares it until it executes kvscan.
pub fn measured(command: &mut Command) -> Result<(std::process::Output, Option<u64>), Box<dyn std::error::Error>> {
    let report = tempfile::NamedTempFile::new()?;
    let time = Path::new("/usr/bin/time");
    if !time.exists() {
        return Ok((command.output()?, None));
    }
    let program = command.get_program().to_os_string();
    let args: Vec<std::ffi::OsString> = command.get_args().map(|a| a.to_os_string()).collect();
    let envs: Vec<(std::ffi::OsString, Option<std::ffi::OsString>)> =
        command.get_envs().map(|(k, v)| (k.to_os_string(), v.map(|v| v.to_os_string()))).collect();
    let mut timed = Command::new(time);
    timed.arg("-f").arg("%M").arg("-o").arg(report.path()).arg(program).args(args);
    for (key, value) in envs {
        match value {
            Some(value) => timed.env(key, value),
            None => timed.env_remove(key),
        };
    }
    let output = timed.output()?;
    let peak = std::fs::read_to_string(report.path())?.lines().last().and_then(|l| l.trim().parse().ok());
    Ok((output, peak))
}
