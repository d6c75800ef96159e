//! `kvscan policy list|test`.

use crate::cli::{ListFormat, PolicyCommand};
use crate::policy::test_runner::{self, Outcome};
use crate::policy::Catalog;
use crate::Exit;

pub fn run(command: PolicyCommand) -> anyhow::Result<Exit> {
    match command {
        PolicyCommand::List { policies, format } => {
            let catalog = Catalog::load(&policies.dirs)?;
            match format {
                ListFormat::Json => println!("{}", serde_json::to_string_pretty(&catalog.rules)?),
                ListFormat::Table => print!("{}", table(&catalog)),
            }
            Ok(Exit::Pass)
        }
        PolicyCommand::Test { dirs, verbose } => {
            let catalog = Catalog::load(&dirs)?;
            let summary = test_runner::run(&catalog)?;
            for result in &summary.results {
                match &result.outcome {
                    Outcome::Pass if verbose => println!("PASS {}: {}", result.file, result.name),
                    Outcome::Pass => {}
                    Outcome::Fail => println!("FAIL {}: {}", result.file, result.name),
                    Outcome::Error(message) => println!("ERROR {}: {}\n{message}", result.file, result.name),
                }
            }
            println!("{} passed, {} failed", summary.passed(), summary.failed());
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
