//! `kvscan collect` and the collection half of `kvscan scan --live`.

use crate::cli::{CollectArgs, LiveArgs};
use crate::inventory::Inventory;
use crate::source::azure::{self, progress, CloudProfile, HttpOptions, LiveOptions, Selection};
use crate::source::{Anchor, Loaded};
use crate::Exit;
use anyhow::Context as _;
use std::path::Path;

pub fn run(args: CollectArgs) -> anyhow::Result<Exit> {
    let inventory = collect(&args.collection)?;
    write_inventory(&args.output, &inventory)?;
    Ok(if inventory.errors.is_empty() { Exit::Pass } else { Exit::Incomplete })
}

/// Collects from Azure; the result is an inventory like any other, its vaults located by id.
pub fn collect_loaded(args: &LiveArgs, save: Option<&Path>) -> anyhow::Result<Loaded> {
    let inventory = collect(args)?;
    if let Some(path) = save {
        write_inventory(path, &inventory)?;
    }
    let anchors = vec![Anchor::Resource; inventory.vaults.len()];
    Ok(Loaded::single(inventory, anchors, None))
}

pub fn collect(args: &LiveArgs) -> anyhow::Result<Inventory> {
    let options = live_options(args)?;
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the async runtime")?;
    let (collected, _http) = runtime.block_on(azure::collect_live(&options, &|name| std::env::var(name).ok()))?;
    Ok(collected.inventory)
}

pub fn live_options(args: &LiveArgs) -> anyhow::Result<LiveOptions> {
    let profile = match &args.cloud_config {
        Some(path) => {
            let file = crate::source::display_path(path);
            let text = std::fs::read_to_string(path).with_context(|| format!("cannot read cloud profile {file}"))?;
            CloudProfile::from_file(&file, &text)?
        }
        None => CloudProfile::builtin(&args.cloud)?,
    };
    Ok(LiveOptions {
        profile,
        auth: args.auth,
        selection: Selection {
            subscriptions: args.subscriptions.clone(),
            management_groups: args.management_groups.clone(),
        },
        http: HttpOptions { concurrency: usize::from(args.concurrency), ..HttpOptions::default() },
        ca_certs: args.ca_certs.clone(),
        progress: progress::Mode::detect(args.quiet),
    })
}

/// Streams the inventory out: a tenant's inventory is mostly secret metadata, and building it as
/// one string first would hold it in memory twice.
fn write_inventory(path: &Path, inventory: &Inventory) -> anyhow::Result<()> {
    use std::io::Write;
    let write = |out: &mut dyn Write| -> std::io::Result<()> {
        let mut out = std::io::BufWriter::new(out);
        serde_json::to_writer_pretty(&mut out, inventory)?;
        out.write_all(b"\n")?;
        out.flush()
    };
    if path == Path::new("-") {
        return write(&mut std::io::stdout().lock()).context("cannot write the inventory to stdout");
    }
    let mut file = std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    write(&mut file).with_context(|| format!("cannot write {}", path.display()))
}
