use clap::Parser;
use kvscan::cli::Cli;
use kvscan::Exit;
use std::process::ExitCode;

// Scans allocate many small JSON and Rego values from two threads; mimalloc is markedly faster
// than the system allocator at that (measured in benches/scan_throughput.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    commit_allocator_memory_on_demand();
    skip_library_backtraces();
    let cli = Cli::parse();
    match kvscan::commands::run(cli) {
        Ok(exit) => ExitCode::from(exit as u8),
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(Exit::Error as u8)
        }
    }
}

/// kvscan prints errors as messages, never with a backtrace, but with `RUST_BACKTRACE=1` set (as
/// many CI setups do) every `anyhow::Error` captures one: regorus makes a few hundred while it
/// parses the policies, which took about 50 M instructions (10-15 ms) per scan. Panics still
/// honour `RUST_BACKTRACE`; `RUST_LIB_BACKTRACE=1` brings error backtraces back.
fn skip_library_backtraces() {
    const OPTION: &str = "RUST_LIB_BACKTRACE";
    if std::env::var_os(OPTION).is_none() {
        // Still one thread: nothing else reads the environment concurrently.
        std::env::set_var(OPTION, "0");
    }
}

/// On Linux mimalloc commits its arenas eagerly, and what a live collection frees there (it parses
/// and drops many pages of JSON) stays resident: 800 vaults peaked at 93 MiB instead of 59 MiB,
/// with no gain in speed. The option is read when the process loads, before `main`, so setting it
/// from here has no effect: live commands re-execute themselves once with it set.
#[cfg(target_os = "linux")]
fn commit_allocator_memory_on_demand() {
    use std::os::unix::process::CommandExt;
    const OPTION: &str = "MIMALLOC_ARENA_EAGER_COMMIT";
    let live = std::env::args_os().skip(1).take_while(|a| a != "--").any(|a| a == "collect" || a == "--live");
    if !live || std::env::var_os(OPTION).is_some() {
        return;
    }
    let Ok(exe) = std::env::current_exe() else { return };
    // `exec` only returns when it failed; the collection then just runs with the default.
    let _ = std::process::Command::new(exe).args(std::env::args_os().skip(1)).env(OPTION, "0").exec();
}

#[cfg(not(target_os = "linux"))]
fn commit_allocator_memory_on_demand() {}
