//! `kvscan report access`: load the inventory (or collect it), run the catalog on it as `scan`
//! does, build the access review and write every requested format.

use crate::cli::{AccessReportArgs, ReportCommand};
use crate::config::Config;
use crate::policy::Catalog;
use crate::report::{self, PreviousReview, ReportFormat, ReviewInput};
use crate::scan::{self, ScanOptions};
use crate::source;
use crate::triage;
use crate::Exit;
use anyhow::Context as _;
use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};

pub fn run(command: ReportCommand) -> anyhow::Result<Exit> {
    match command {
        ReportCommand::Access(args) => access(*args),
    }
}

/// `--format X --output F` pairs, in order; checked before any work is done.
fn outputs(args: &AccessReportArgs) -> anyhow::Result<Vec<(ReportFormat, PathBuf)>> {
    if args.format.len() != args.output.len() {
        anyhow::bail!(
            "--format and --output come in pairs, in order: {} --format and {} --output given \
             (e.g. --format html --output review.html --format json --output review.json)",
            args.format.len(),
            args.output.len()
        );
    }
    let mut seen = BTreeSet::new();
    for path in &args.output {
        if !seen.insert(path) {
            anyhow::bail!("--output {} is given twice: each format needs its own file", path.display());
        }
    }
    Ok(args.format.iter().copied().zip(args.output.iter().cloned()).collect())
}

fn access(args: AccessReportArgs) -> anyhow::Result<Exit> {
    let outputs = outputs(&args)?;
    let catalog = Catalog::load(&args.policies.dirs)?;
    let config = Config::discover(args.config.as_deref())?;
    config.check_against(&catalog)?;
    for id in &args.disable {
        if catalog.rule(id).is_none() {
            anyhow::bail!("--disable {id}: no such rule (see `kvscan policy list`)");
        }
    }
    let (now, pinned) = match &args.now {
        Some(text) => (super::parse_time(text)?, true),
        None => (chrono::Utc::now().timestamp(), false),
    };
    let previous = match &args.previous {
        Some(path) => {
            let file = source::display_path(path);
            let text = std::fs::read_to_string(path).with_context(|| format!("cannot read --previous {file}"))?;
            Some(PreviousReview::parse(&file, &text)?)
        }
        None => None,
    };
    let loaded = if args.live {
        super::collect::collect_loaded(&args.collection, args.save_inventory.as_deref())?
    } else {
        source::load_paths(&args.paths)?
    };
    let inputs: Vec<String> = if args.live {
        vec!["live collection".into()]
    } else {
        args.paths.iter().map(|p| source::display_path(p)).collect()
    };

    // The same evaluation as `kvscan scan`: configuration, disabled rules, exemptions.
    let mut disabled = config.disable.clone();
    disabled.extend(args.disable.iter().cloned());
    let options = ScanOptions { now, parameters: config.parameters.clone(), disabled, unknown_as_failure: false };
    let mut findings = scan::scan(&loaded, &catalog, &options)?;
    let today = chrono::DateTime::from_timestamp(now, 0).unwrap_or_default().date_naive();
    for warning in triage::apply_config(&mut findings, &config, today).map_err(anyhow::Error::msg)? {
        eprintln!("warning: {warning}");
    }
    let policy_config = scan::policy_config(&catalog, &options);
    let review = report::build(&ReviewInput {
        loaded: &loaded,
        scan: &findings,
        catalog: &catalog,
        config: &policy_config,
        now,
        now_pinned: pinned,
        inputs,
        previous: previous.as_ref(),
    })?;

    // Render everything first: a failure leaves no half-written set of files.
    let documents: Vec<(PathBuf, String)> = outputs
        .into_iter()
        .map(|(format, path)| Ok((path, report::render(format, &review)?)))
        .collect::<Result<_, report::ReportError>>()?;
    for (path, text) in &documents {
        write(path, text)?;
    }
    let written: Vec<String> = documents.iter().map(|(path, _)| source::display_path(path)).collect();
    let summary = &review.summary;
    eprintln!(
        "kvscan: access review of {} vault(s) in {} subscription(s): {} principal(s), {} grant(s), {} risky; wrote {}",
        summary.vaults,
        summary.subscriptions,
        summary.principals,
        summary.grants,
        summary.risky_grants,
        written.join(", ")
    );
    if review.complete {
        Ok(Exit::Pass)
    } else {
        eprintln!(
            "warning: the review is incomplete: {} part(s) of the estate could not be read (listed on its first page)",
            review.gaps.len()
        );
        Ok(Exit::Incomplete)
    }
}

fn write(path: &Path, text: &str) -> anyhow::Result<()> {
    if path == Path::new("-") {
        let mut stdout = std::io::stdout().lock();
        return stdout.write_all(text.as_bytes()).and_then(|_| stdout.flush()).context("cannot write to stdout");
    }
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}
