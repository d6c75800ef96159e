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
    keep_freed_memory_for_batch_commands();
    let cli = Cli::parse();
    match kvscan::commands::run(cli) {
        Ok(exit) => ExitCode::from(exit as u8),
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(Exit::Error as u8)
        }
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
    if !is_live_command() || std::env::var_os(OPTION).is_some() {
        return;
    }
    let Ok(exe) = std::env::current_exe() else { return };
    // `exec` only returns when it failed; the collection then just runs with the default.
    let _ = std::process::Command::new(exe).args(std::env::args_os().skip(1)).env(OPTION, "0").exec();
}

#[cfg(not(target_os = "linux"))]
fn commit_allocator_memory_on_demand() {}

/// `kvscan collect` and `kvscan scan --live`: long-running, network-bound, memory-frugal.
fn is_live_command() -> bool {
    std::env::args_os().skip(1).take_while(|a| a != "--").any(|a| a == "collect" || a == "--live")
}

/// `mi_option_purge_delay` in mimalloc.h (v3, what libmimalloc-sys 0.1.49 builds); the sys crate
/// has no constant for it. A test checks it still names the option with its default (1000 ms).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// A scan goes through phases (load, evaluate, render) that each free what the last one built;
/// mimalloc returns pages idle for a second to the OS, and the next phase faults them back in
/// zeroed (the kernel clearing pages was a third of a 10,000-vault scan's samples, partly for
/// pages mimalloc had given back). A scan is a short batch process whose memory goes back when it
/// exits, so it never purges (measured: faster in each of six paired runs, 0.67-1.24 s against
/// 0.71-1.37 s, for 50 MiB more peak RSS). Live commands keep purging: they run for minutes and
/// stream to disk.
fn keep_freed_memory_for_batch_commands() {
    // An explicit MIMALLOC_PURGE_DELAY is the user's (or a benchmark's) choice.
    if !is_live_command() && std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: mi_option_set only stores the value in mimalloc's option table; any value is
        // valid for this option (-1 = never purge), and it may be changed at any time.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn purge_delay_option_has_its_documented_default() {
        // SAFETY: reads mimalloc's option table.
        assert_eq!(unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) }, 1000);
    }
}
