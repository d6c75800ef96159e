//! What the template benchmarks share: their arguments, a median of three timed runs, and
//! Checkov 3.3.30 in a virtualenv under `target/` (installed on first use) to compare against.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

/// `[--with-checkov] [vault counts…]`: the sizes to generate (1,000 and 5,000 unless given), in
/// increasing order, and the Checkov binary when it is to be compared.
pub fn args() -> Result<(Vec<usize>, Option<PathBuf>), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut sizes: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    if sizes.is_empty() {
        sizes = vec![1000, 5000];
    }
    sizes.sort_unstable();
    let checkov = if args.iter().any(|a| a == "--with-checkov") { Some(checkov()?) } else { None };
    Ok((sizes, checkov))
}

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
