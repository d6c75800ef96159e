//! Command-line definitions (clap). Behaviour lives in `commands/`.

use crate::finding::FailOn;
use crate::output::Format;
use crate::report::ReportFormat;
use crate::source::azure::AuthMode;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// `0.1.0 (commit 1a2b3c4d5e6f)`
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (", env!("KVSCAN_COMMIT"), ")");

const EXIT_CODES: &str = "\
Exit codes:
  0  no finding at or above --fail-on
  1  findings at or above --fail-on
  2  usage error, or unreadable or invalid input or policy (nothing scanned)
  3  scan incomplete: parts of the estate were not scanned (outputs cover what was)";

#[derive(Debug, Parser)]
#[command(
    name = "kvscan",
    version = VERSION,
    about = "Policy-as-code compliance scanner for Azure Key Vault",
    long_about = "Policy-as-code compliance scanner for Azure Key Vault.\n\nEvaluates Rego policies against an inventory of vaults (their ARM configuration, role assignments and secret/key/certificate metadata — never secret values) and reports findings as text, JSON, SARIF or JUnit.",
    after_help = EXIT_CODES
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan inventories, or the live tenant with --live, and report findings
    #[command(after_help = EXIT_CODES)]
    Scan(Box<ScanArgs>),
    /// Read vaults, role assignments and secret/key/certificate metadata from Azure into an inventory
    #[command(after_help = COLLECT_HELP)]
    Collect(CollectArgs),
    /// List, test and explain policies
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Write reports: the quarterly access review
    #[command(subcommand)]
    Report(ReportCommand),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish)
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff)
    Man,
}

const COLLECT_HELP: &str = "\
Reads metadata only: never a secret value. Minimum roles: Reader on the subscriptions (or management
groups); Key Vault Reader on RBAC vaults, or an access policy with keys list/get/getrotationpolicy,
secrets list and certificates list/get on access-policy vaults; optionally Microsoft Graph
Directory.Read.All for principal names.

Exit codes:
  0  inventory written, everything was read
  2  usage error, or authentication failed (nothing collected)
  3  inventory written, but parts could not be read (listed in its \"errors\")";

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Inputs to scan: directories (searched for ARM templates and inventories, honouring
    /// .gitignore), ARM templates, ARM parameter files' templates, and kvscan inventories
    #[arg(value_name = "PATH", required_unless_present = "live", conflicts_with = "live")]
    pub paths: Vec<PathBuf>,

    /// Collect from Azure and scan in one go (see `kvscan collect --help` for roles and flags)
    #[arg(long)]
    pub live: bool,

    #[command(flatten)]
    pub collection: LiveArgs,

    /// With --live: also write the collected inventory to this file
    #[arg(long, value_name = "FILE", requires = "live")]
    pub save_inventory: Option<PathBuf>,

    /// Format written to stdout (or to --output)
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Write the --format output to this file instead of stdout
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Also write SARIF 2.1.0 to this file
    #[arg(long, value_name = "FILE")]
    pub sarif: Option<PathBuf>,

    /// Also write JUnit XML to this file
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,

    /// Also write the JSON report to this file
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,

    /// Fail (exit 1) on findings at or above this severity: low, medium, high, critical or none
    /// [default: the configuration's fail-on, else high]
    #[arg(long, value_name = "SEVERITY", value_parser = parse_fail_on)]
    pub fail_on: Option<FailOn>,

    /// Configuration file [default: .kvscan.yaml in the working directory, else at the git root]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// A previous JSON report (--json): findings already in it are shown as existing and do not fail
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    #[command(flatten)]
    pub policies: PolicyArgs,

    /// Do not evaluate this rule (repeatable), e.g. --disable KV020
    #[arg(long, value_name = "RULE")]
    pub disable: Vec<String>,

    /// Evaluate time-dependent rules as of this moment (RFC 3339 or Unix seconds) instead of now
    #[arg(long, value_name = "TIME", env = "KVSCAN_NOW")]
    pub now: Option<String>,

    /// Values of template parameters (an ARM parameter file) for every template scanned; by
    /// default `NAME.parameters.json` beside `NAME.json` is used
    #[arg(long, value_name = "FILE")]
    pub parameters: Option<PathBuf>,

    /// Skip files and directories matching this glob when scanning directories (repeatable),
    /// e.g. --exclude 'examples/**'
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// Findings about values only known at deployment (a parameter without a value,
    /// reference()) fail the gate like any other instead of being notes
    #[arg(long)]
    pub unknown_as_failure: bool,

    /// Compile .bicep files with the Bicep CLI (`bicep`, else `az bicep`, from PATH) instead of
    /// reading them natively; findings then point into the ARM JSON that `bicep build x.bicep`
    /// writes as x.json beside it (kvscan does not write it), not at Bicep lines
    #[arg(long)]
    pub bicep_cli: bool,

    /// Colour the text output
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Access review: who can do what on which vault, risky grants, rotation evidence, and the
    /// changes since the previous review (--previous)
    #[command(after_help = REPORT_HELP)]
    Access(Box<AccessReportArgs>),
}

const REPORT_HELP: &str = "\
Examples:
  kvscan report access inventory.json --format html --output review.html
  kvscan report access inventory.json --previous last-quarter.json \\
      --format html --output review.html --format md --output review.md \\
      --format csv --output matrix.csv --format json --output this-quarter.json

The JSON report is the record --previous reads next quarter. Format: docs/access-review.md.

Exit codes:
  0  report written, the inventory covers everything it lists
  2  usage error, or unreadable or invalid input, policy or previous report (nothing written)
  3  report written, but parts of the estate could not be read: the review says so on its first page";

#[derive(Debug, Args)]
pub struct AccessReportArgs {
    /// Inventories to review (merged), e.g. fixtures/sample-tenant.json
    #[arg(value_name = "INVENTORY", required_unless_present = "live", conflicts_with = "live")]
    pub paths: Vec<PathBuf>,

    /// Collect from Azure and review in one go (see `kvscan collect --help` for roles and flags)
    #[arg(long)]
    pub live: bool,

    #[command(flatten)]
    pub collection: LiveArgs,

    /// With --live: also write the collected inventory to this file
    #[arg(long, value_name = "FILE", requires = "live")]
    pub save_inventory: Option<PathBuf>,

    /// Last review's JSON report: adds the changes since then
    #[arg(long, value_name = "FILE")]
    pub previous: Option<PathBuf>,

    /// Report format; repeat it with --output to write several files in one run
    #[arg(long, short = 'f', value_enum, required = true)]
    pub format: Vec<ReportFormat>,

    /// File for the --format in the same position (`-` for stdout)
    #[arg(long, short = 'o', value_name = "FILE", required = true)]
    pub output: Vec<PathBuf>,

    /// Configuration file (disabled rules, parameters, exemptions) [default: .kvscan.yaml in the
    /// working directory, else at the git root]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(flatten)]
    pub policies: PolicyArgs,

    /// Do not evaluate this rule (repeatable), e.g. --disable KV053
    #[arg(long, value_name = "RULE")]
    pub disable: Vec<String>,

    /// Count ages and days to expiry from this moment (RFC 3339, a date or Unix seconds) instead of now
    #[arg(long, value_name = "TIME", env = "KVSCAN_NOW")]
    pub now: Option<String>,
}

#[derive(Debug, Args)]
pub struct CollectArgs {
    #[command(flatten)]
    pub collection: LiveArgs,

    /// Where to write the inventory (`-` for stdout)
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: PathBuf,
}

/// Where and how a live collection reads Azure.
#[derive(Debug, Args, Clone)]
pub struct LiveArgs {
    /// Scan only this subscription (repeatable) [default: every subscription the identity can read]
    #[arg(long = "subscription", value_name = "ID")]
    pub subscriptions: Vec<String>,

    /// Scan the subscriptions below this management group (repeatable)
    #[arg(long = "management-group", value_name = "ID")]
    pub management_groups: Vec<String>,

    /// Cloud: AzureCloud, AzureUSGovernment or AzureChinaCloud
    #[arg(
        long,
        value_name = "NAME",
        default_value = "AzureCloud",
        env = "KVSCAN_CLOUD",
        conflicts_with = "cloud_config"
    )]
    pub cloud: String,

    /// A custom cloud profile (JSON: endpoints, audiences, api-versions), e.g. for Azure Stack Hub
    #[arg(long, value_name = "FILE")]
    pub cloud_config: Option<PathBuf>,

    /// Credential to use
    #[arg(long, value_enum, default_value_t = AuthMode::Auto)]
    pub auth: AuthMode,

    /// Requests in flight at once
    #[arg(long, value_name = "N", default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,

    /// Trust this extra root CA (PEM; repeatable). SSL_CERT_FILE is honoured as well
    #[arg(long = "ca-cert", value_name = "FILE")]
    pub ca_certs: Vec<PathBuf>,

    /// No progress bar or progress lines on stderr
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(Debug, Args, Clone, Default)]
pub struct PolicyArgs {
    /// Add the policies in this directory (repeatable); same conventions as the built-ins
    #[arg(long = "policy", value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// List the rules: built-in and from --policy directories
    List {
        #[command(flatten)]
        policies: PolicyArgs,
        #[arg(long, short = 'f', value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Explain a rule: rationale, exact properties read, parameters, remediation, benchmarks
    Explain {
        /// Rule id, e.g. KV001
        #[arg(value_name = "RULE")]
        rule: String,
        #[command(flatten)]
        policies: PolicyArgs,
    },
    /// Write one Markdown page per rule plus an index (README.md) into a directory
    Docs {
        /// Directory to write, e.g. docs/rules
        #[arg(long, short = 'o', value_name = "DIR")]
        output: PathBuf,
        #[command(flatten)]
        policies: PolicyArgs,
    },
    /// Run every test_* rule of the built-in policies and of the given directories (like `opa test`)
    Test {
        /// Policy directories whose rules and *_test.rego files are added
        #[arg(value_name = "DIR")]
        dirs: Vec<PathBuf>,
        /// Print every test, not only failures
        #[arg(long, short = 'v')]
        verbose: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
}

fn parse_fail_on(value: &str) -> Result<FailOn, String> {
    value.parse()
}
