//! `kvscan policy list|test`.

use crate::cli::{ListFormat, PolicyCommand};
use crate::policy::test_runner::{self, Outcome};
use crate::policy::{docs, Catalog};
use crate::Exit;
use anyhow::Context as _;

pub fn run(command: PolicyCommand) -> anyhow::Result<Exit> {
    match command {
        PolicyCommand::List { policies, format } => {
            let catalog = Catalog::load(&policies.dirs)?;
            match format {
                ListFormat::Json => super::write_stdout(&(serde_json::to_string_pretty(&catalog.rules)? + "\n"))?,
                ListFormat::Table => super::write_stdout(&table(&catalog))?,
            }
            Ok(Exit::Pass)
        }
        PolicyCommand::Explain { rule, policies } => {
            let catalog = Catalog::load(&policies.dirs)?;
            let meta =
                catalog.rule(&rule).ok_or_else(|| anyhow::anyhow!("no rule {rule} (see `kvscan policy list`)"))?;
            super::write_stdout(&docs::rule_page(meta))?;
            Ok(Exit::Pass)
        }
        PolicyCommand::Docs { output, policies } => {
            let catalog = Catalog::load(&policies.dirs)?;
            std::fs::create_dir_all(&output).with_context(|| format!("cannot create {}", output.display()))?;
            for rule in &catalog.rules {
                let path = output.join(format!("{}.md", rule.id));
                std::fs::write(&path, docs::rule_page(rule))
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
            let index = output.join("README.md");
            std::fs::write(&index, docs::index_page(&catalog.rules))
                .with_context(|| format!("cannot write {}", index.display()))?;
            eprintln!("wrote {} rule pages and README.md to {}", catalog.rules.len(), output.display());
            Ok(Exit::Pass)
        }
        PolicyCommand::Test { dirs, verbose } => {
            let catalog = Catalog::load(&dirs)?;
            let summary = test_runner::run(&catalog)?;
            let mut report = String::new();
            for result in &summary.results {
                match &result.outcome {
                    Outcome::Pass if verbose => report.push_str(&format!("PASS {}: {}\n", result.file, result.name)),
                    Outcome::Pass => {}
                    Outcome::Fail => report.push_str(&format!("FAIL {}: {}\n", result.file, result.name)),
                    Outcome::Error(message) => {
                        report.push_str(&format!("ERROR {}: {}\n{message}\n", result.file, result.name))
                    }
                }
            }
            report.push_str(&format!("{} passed, {} failed\n", summary.passed(), summary.failed()));
            super::write_stdout(&report)?;
            Ok(if summary.failed() == 0 { Exit::Pass } else { Exit::Findings })
        }
    }
}

fn table(catalog: &Catalog) -> String {
    let mut out = format!("{:<7} {:<9} {:<7} {}\n", "ID", "SEVERITY", "SCOPE", "TITLE");
    for rule in &catalog.rules {
        let scope =
            serde_json::to_value(rule.scope).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        out.push_str(&format!("{:<7} {:<9} {:<7} {}\n", rule.id, rule.severity, scope, rule.title));
    }
    out
}
