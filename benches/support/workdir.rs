//! Where a benchmark writes the inputs it generates.

use std::path::Path;

/// Where a benchmark writes its generated inputs: a temporary directory, or the directory named
/// by `KVSCAN_BENCH_KEEP`, which is kept afterwards so the same inputs can be profiled.
pub enum WorkDir {
    Temporary(tempfile::TempDir),
    Kept(std::path::PathBuf),
}

impl WorkDir {
    pub fn new() -> Result<WorkDir, Box<dyn std::error::Error>> {
        match std::env::var_os("KVSCAN_BENCH_KEEP") {
            Some(dir) => {
                std::fs::create_dir_all(&dir)?;
                Ok(WorkDir::Kept(dir.into()))
            }
            None => Ok(WorkDir::Temporary(tempfile::tempdir()?)),
        }
    }

    pub fn path(&self) -> &Path {
        match self {
            WorkDir::Temporary(dir) => dir.path(),
            WorkDir::Kept(dir) => dir,
        }
    }
}
