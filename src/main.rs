use clap::Parser;
use kvscan::cli::Cli;
use kvscan::Exit;
use std::process::ExitCode;

// Scans allocate many small JSON and Rego values from two threads; mimalloc is markedly faster
// than the system allocator at that (measured in benches/scan_throughput.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match kvscan::commands::run(cli) {
        Ok(exit) => ExitCode::from(exit as u8),
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(Exit::Error as u8)
        }
    }
}
