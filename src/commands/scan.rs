//! `kvscan scan`: load inputs, evaluate, write every requested output, pick the exit code.

use crate::cli::{ColorChoice, ScanArgs};
use crate::config::Config;
use crate::finding::{FailOn, Severity};
use crate::output::{self, Context, Format};
use crate::policy::Catalog;
use crate::scan::{self, ScanOptions, ScanReport};
use crate::source;
use crate::triage;
use crate::Exit;
use anyhow::Context as _;
use is_terminal::IsTerminal;
use std::path::Path;

pub fn run(args: ScanArgs) -> anyhow::Result<Exit> {
    let catalog = Catalog::load(&args.policies.dirs)?;
    let config = Config::discover(args.config.as_deref())?;
    config.check_against(&catalog)?;
    for id in &args.disable {
        if catalog.rule(id).is_none() {
            anyhow::bail!("--disable {id}: no such rule (see `kvscan policy list`)");
        }
    }
    let now = match &args.now {
        Some(text) => super::parse_time(text)?,
        None => chrono::Utc::now().timestamp(),
    };
    let baseline = match &args.baseline {
        Some(path) => {
            let file = source::display_path(path);
            let text = std::fs::read_to_string(path).with_context(|| format!("cannot read baseline {file}"))?;
            Some(triage::read_baseline(&file, &text).map_err(anyhow::Error::msg)?)
        }
        None => None,
    };
    let mut timings = Timings::from_env();
    let loaded = if args.live {
        super::collect::collect_loaded(&args.collection, args.save_inventory.as_deref())?
    } else {
        let discovery = source::Discovery {
            exclude: args.exclude.clone(),
            parameters: args.parameters.clone(),
            bicep_cli: args.bicep_cli,
        };
        source::load_inputs(&args.paths, &discovery)?
    };
    timings.lap("load");
    let mut disabled = config.disable.clone();
    disabled.extend(args.disable.iter().cloned());
    let options = ScanOptions {
        now,
        parameters: config.parameters.clone(),
        disabled,
        unknown_as_failure: args.unknown_as_failure,
    };
    let mut report = scan::scan(&loaded, &catalog, &options)?;
    let today = chrono::DateTime::from_timestamp(now, 0).unwrap_or_default().date_naive();
    for warning in triage::apply_config(&mut report, &config, today).map_err(anyhow::Error::msg)? {
        eprintln!("warning: {warning}");
    }
    if let Some(baseline) = &baseline {
        triage::apply_baseline(&mut report, baseline);
    }
    timings.lap("evaluate");
    drop(loaded);

    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            args.output.is_none() && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let fail_on = args.fail_on.or(config.fail_on).unwrap_or(FailOn::Severity(Severity::High));
    let context = Context { fail_on, color, ..Context::default() };
    let extra = [(Format::Sarif, &args.sarif), (Format::Junit, &args.junit), (Format::Json, &args.json)];
    for (format, path) in extra {
        if let Some(path) = path {
            write_file(path, &output::render(format, &report, &Context { color: false, ..context.clone() })?)?;
        }
    }
    let main = output::render(
        args.format,
        &report,
        &Context { color: color && args.format == Format::Text, ..context.clone() },
    )?;
    match &args.output {
        Some(path) => write_file(path, &main)?,
        None => super::write_stdout(&main)?,
    }
    timings.lap("output");
    Ok(exit_for(&report, &context))
}

/// Phase times on stderr when `KVSCAN_TIMINGS` is set: for performance work, never in outputs.
struct Timings(Option<std::time::Instant>);

impl Timings {
    fn from_env() -> Self {
        Timings(std::env::var_os("KVSCAN_TIMINGS").map(|_| std::time::Instant::now()))
    }

    fn lap(&mut self, phase: &str) {
        if let Some(start) = self.0 {
            eprintln!("kvscan timings: {phase}: {:.3} s", start.elapsed().as_secs_f64());
            self.0 = Some(std::time::Instant::now());
        }
    }
}

fn write_file(path: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

/// Failing findings win over an incomplete scan: a gate must not pass because a part was unreadable.
pub fn exit_for(report: &ScanReport, context: &Context) -> Exit {
    if report.failing(context.fail_on) > 0 {
        Exit::Findings
    } else if report.incomplete() {
        Exit::Incomplete
    } else {
        Exit::Pass
    }
}
