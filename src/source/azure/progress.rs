//! What a collection says while it runs: a progress bar on a terminal, plain lines otherwise,
//! nothing with `--quiet`. Always on stderr, so stdout stays the report.

use super::collect::Discovery;
use super::http::{Http, Stats};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use is_terminal::IsTerminal;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Bar,
    Lines,
    Quiet,
}

impl Mode {
    pub fn detect(quiet: bool) -> Mode {
        if quiet {
            Mode::Quiet
        } else if std::io::stderr().is_terminal() {
            Mode::Bar
        } else {
            Mode::Lines
        }
    }
}

pub struct Progress {
    mode: Mode,
    bar: Option<ProgressBar>,
    subscriptions: AtomicUsize,
    vaults: AtomicUsize,
    done: AtomicUsize,
    started: Instant,
}

impl Progress {
    pub fn new(mode: Mode) -> Progress {
        let bar = (mode == Mode::Bar).then(|| {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template("{spinner} {elapsed:>4} [{bar:30}] {pos}/{len} vaults  {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ");
            bar.set_style(style);
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Progress {
            mode,
            bar,
            subscriptions: AtomicUsize::new(0),
            vaults: AtomicUsize::new(0),
            done: AtomicUsize::new(0),
            started: Instant::now(),
        }
    }

    /// A line for the user: above the bar on a terminal, a plain `kvscan:` line otherwise.
    pub fn note(&self, text: &str) {
        match (&self.bar, self.mode) {
            (Some(bar), _) => bar.println(format!("kvscan: {text}")),
            (None, Mode::Lines) => eprintln!("kvscan: {text}"),
            _ => {}
        }
    }

    pub fn subscriptions(&self, count: usize) {
        self.subscriptions.store(count, Ordering::Relaxed);
        self.note(&format!("{count} subscription{} to scan", plural(count)));
    }

    pub fn vaults_found(&self, count: usize, discovery: Discovery) {
        self.vaults.store(count, Ordering::Relaxed);
        let how = match discovery {
            Discovery::ResourceGraph => "Resource Graph",
            Discovery::ArmPerSubscription => "ARM, per subscription",
        };
        if let Some(bar) = &self.bar {
            bar.set_length(count as u64);
        }
        self.note(&format!("{count} vault{} found ({how})", plural(count)));
    }

    pub fn vault_done(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(bar) = &self.bar {
            bar.set_position(done as u64);
        } else if self.mode == Mode::Lines {
            let total = self.vaults.load(Ordering::Relaxed);
            // Plain logs get a line per tenth, not per vault.
            let step = (total / 10).max(1);
            if done % step == 0 && done < total {
                eprintln!("kvscan: {done}/{total} vaults collected");
            }
        }
    }

    /// Keeps the bar's message current with the request counters until the returned guard drops.
    pub fn watch(&self, http: &Http) -> Option<tokio::task::JoinHandle<()>> {
        let bar = self.bar.clone()?;
        let http = http.clone();
        Some(tokio::spawn(async move {
            loop {
                bar.set_message(counters(http.stats()));
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }))
    }

    pub fn finish(&self, http: &Http, errors: usize) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        let vaults = self.done.load(Ordering::Relaxed);
        let gaps = if errors == 0 { String::new() } else { format!(", {errors} part{} not read", plural(errors)) };
        self.note(&format!(
            "collected {vaults} vault{} in {:.1} s ({}{gaps})",
            plural(vaults),
            self.started.elapsed().as_secs_f64(),
            counters(http.stats())
        ));
    }
}

fn counters(stats: &Stats) -> String {
    let requests = Stats::get(&stats.requests);
    let retries = Stats::get(&stats.retries);
    let throttled = Stats::get(&stats.throttled);
    format!("{requests} requests, {retries} retries, {throttled} throttled")
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
