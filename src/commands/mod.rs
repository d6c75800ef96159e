//! The binary's commands. Errors come back as `anyhow` with the file and line already in them.

mod collect;
mod policy;
mod report;
mod scan;

use crate::cli::{Cli, Command};
use crate::Exit;

pub fn run(cli: Cli) -> anyhow::Result<Exit> {
    match cli.command {
        Command::Scan(args) => scan::run(*args),
        Command::Collect(args) => collect::run(args),
        Command::Policy(command) => policy::run(command),
        Command::Report(command) => report::run(command),
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut command, "kvscan", &mut std::io::stdout());
            Ok(Exit::Pass)
        }
        Command::Man => {
            let command = <Cli as clap::CommandFactory>::command();
            clap_mangen::Man::new(command).render(&mut std::io::stdout())?;
            Ok(Exit::Pass)
        }
    }
}

/// Parses `--now`: RFC 3339 (`2026-11-15T00:00:00Z`), a date (`2026-11-15`) or Unix seconds.
pub fn parse_time(text: &str) -> anyhow::Result<i64> {
    if let Ok(seconds) = text.parse::<i64>() {
        return Ok(seconds);
    }
    if let Ok(time) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(time.timestamp());
    }
    if let Ok(date) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        if let Some(time) = date.and_hms_opt(0, 0, 0) {
            return Ok(time.and_utc().timestamp());
        }
    }
    anyhow::bail!("--now: '{text}' is not a time (expected RFC 3339 like 2026-11-15T00:00:00Z, a date like 2026-11-15, or Unix seconds)")
}

/// Writes a command's document to standard output. A reader that stops early (`kvscan scan | head`)
/// closes the pipe; that ends the output, it is not an error of the scan (and must not panic, as
/// `print!` does).
pub(crate) fn write_stdout(text: &str) -> anyhow::Result<()> {
    use anyhow::Context as _;
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write to standard output"),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_time;

    #[test]
    fn parses_times() {
        assert_eq!(parse_time("1794700800").expect("seconds"), 1_794_700_800);
        assert_eq!(parse_time("2026-11-15T00:00:00Z").expect("rfc3339"), 1_794_700_800);
        assert_eq!(parse_time("2026-11-15").expect("date"), 1_794_700_800);
        assert!(parse_time("next tuesday").is_err());
    }
}
