//! What the template benchmarks share: a median of three timed runs, and Checkov 3.3.30 in a
//! virtualenv under `target/` (installed on first use) to compare against.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

pub fn median_of_3(mut run: impl FnMut() -> Result<(), String>) -> Result<f64, String> {
    let mut times = Vec::new();
    for _ in 0..3 {
        let start = Instant::now();
        run()?;
        times.push(start.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    Ok(times[1])
}

/// The Checkov binary, installing it first if the virtualenv does not have it.
pub fn checkov() -> Result<PathBuf, String> {
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/checkov-venv");
    let binary = venv.join("bin/checkov");
    if !binary.exists() {
        eprintln!("installing Checkov 3.3.30 into {} …", venv.display());
        let ok = |status: std::io::Result<std::process::ExitStatus>| status.map(|s| s.success()).unwrap_or(false);
        if !ok(Command::new("python3").args(["-m", "venv"]).arg(&venv).status())
            || !ok(Command::new(venv.join("bin/pip")).args(["install", "--quiet", "checkov==3.3.30"]).status())
        {
            return Err("Checkov could not be installed".into());
        }
    }
    Ok(binary)
}
