//! The command-line arguments, as clap reads them.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "nurture",
    version,
    about = "Check, compile and simulate nurture programs",
    long_about = "Check, compile and simulate nurture programs: automated conversations with existing customers, written as short text files."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check programs for mistakes and report every one found.
    Check(CheckArgs),
    /// Explain a diagnostic code (N101 or duplicate-clause); lists all without one.
    Explain(ExplainArgs),
    /// Compile a program without errors to its executable plan (JSON).
    Compile(CompileArgs),
    /// Print the JSON Schema of a file format nurture writes.
    Schema(SchemaArgs),
    /// Rewrite programs and schemas in the canonical layout (`--check`
    /// writes nothing and shows what would change).
    Fmt(FmtArgs),
    /// Draw a program as a flow chart (Mermaid for GitHub Markdown, DOT, or SVG).
    Graph(GraphArgs),
    /// Run customers and their events through a program (or a compiled
    /// plan) and print the actions, as JSON Lines, in time order.
    Replay(ReplayArgs),
    /// Simulate programs against sample customers who answer as a
    /// behaviour model says, and report what would happen.
    Simulate(SimulateArgs),
    /// Generate sample data: realistic customers for the simulator and for
    /// trying programs out, the same for the same seed on every machine.
    Sample(SampleArgs),
}

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// The programs to simulate; several are reported side by side (an A/B
    /// test of two versions).
    #[arg(required = true)]
    pub programs: Vec<PathBuf>,

    /// Customers: a `.csv` or `.jsonl` file; the bundled sample
    /// (programs/sample/population.csv) when not given.
    #[arg(long)]
    pub customers: Option<PathBuf>,

    /// How customers answer messages (TOML, see docs/simulation.md); the
    /// bundled programs/sample/behavior.toml when not given.
    #[arg(long)]
    pub behavior: Option<PathBuf>,

    /// The seed for every random draw; the same seed gives the same report.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,

    /// How many days to simulate.
    #[arg(long, default_value_t = 120, value_parser = clap::value_parser!(u64).range(1..=3650))]
    pub days: u64,

    /// The first day (YYYY-MM-DD, midnight UTC).
    #[arg(long, default_value = "2026-01-01")]
    pub start: String,

    /// How to print the report.
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub output_format: ReportFormat,

    /// Show one customer's journey, step by step with times, instead of the
    /// report.
    #[arg(long, value_name = "CUSTOMER_ID")]
    pub trace: Option<String>,

    /// Simulating threads; by default one per core. The report is the same
    /// for every value.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=256))]
    pub threads: Option<u64>,

    /// Refuse to run when any customer row is bad, instead of skipping it.
    #[arg(long)]
    pub strict: bool,

    /// The customer schema; by default the `schema.nurture` beside the
    /// first program.
    #[arg(long)]
    pub schema: Option<PathBuf>,

    /// Also write the report as one self-contained HTML page, with each
    /// program's flow chart and the simulated counts on its arrows.
    #[arg(long, value_name = "FILE", conflicts_with = "trace")]
    pub html: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Tables for people.
    Human,
    /// Stable JSON (format_version 1).
    Json,
}

#[derive(Debug, Args)]
pub struct SampleArgs {
    #[command(subcommand)]
    pub what: SampleCommand,
}

#[derive(Debug, Subcommand)]
pub enum SampleCommand {
    /// Customers as CSV, in the columns `nurture replay` reads.
    Customers(SampleCustomersArgs),
}

#[derive(Debug, Args)]
pub struct SampleCustomersArgs {
    /// How many customers.
    #[arg(long, default_value_t = 1000)]
    pub count: u64,

    /// The seed; the same seed gives the same customers, byte for byte.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,

    /// The day the sample is taken (YYYY-MM-DD): purchases and logins lie
    /// before it, contract ends and reorder dates around it.
    #[arg(long, value_name = "DATE", default_value = crate::sim::sample::DEFAULT_AS_OF)]
    pub as_of: String,

    /// Where to write the CSV; standard output when not given.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Files or folders to format; folders are searched for `*.nurture`
    /// files. `-` reads standard input and writes standard output.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Write nothing: print a diff of what would change, and fail (exit 1)
    /// when any file would change.
    #[arg(long)]
    pub check: bool,
}

#[derive(Debug, Args)]
pub struct GraphArgs {
    /// The program to draw.
    pub file: PathBuf,

    /// The chart's format.
    #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
    pub format: GraphFormat,

    /// A simulator report (JSON) whose counts for this program are written
    /// on the arrows; in SVG, busier arrows are also drawn thicker. The
    /// report must be of this version of the program (its digest).
    #[arg(long, value_name = "REPORT.json")]
    pub sim: Option<PathBuf>,

    /// With `--sim`: the customer schema the program was simulated with; by
    /// default the `schema.nurture` beside the program.
    #[arg(long, value_name = "PATH", requires = "sim")]
    pub schema: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// Mermaid `flowchart`, which GitHub renders in Markdown.
    Mermaid,
    /// Graphviz DOT.
    Dot,
    /// A self-contained SVG picture, drawn by nurture itself.
    Svg,
}

#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// The program (`.nurture`) or a compiled plan (`.json`).
    pub program: PathBuf,

    /// Customers: a `.csv` or `.jsonl` file.
    #[arg(long)]
    pub customers: PathBuf,

    /// Events, as JSON Lines: {"at", "customer", "event", "properties"}.
    #[arg(long)]
    pub events: PathBuf,

    /// The seed for splits and the holdout; the same seed gives the same run.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,

    /// Run the clock until this time (RFC 3339); by default until the last event.
    #[arg(long)]
    pub until: Option<String>,

    /// Refuse to run when any row is bad, instead of skipping it.
    #[arg(long)]
    pub strict: bool,

    /// The customer schema; by default the `schema.nurture` beside the program.
    #[arg(long)]
    pub schema: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CompileArgs {
    /// The program to compile.
    pub file: PathBuf,

    /// Where to write the plan; standard output when not given.
    #[arg(short, long)]
    pub output: Option<PathBuf>,

    /// The customer schema; by default the `schema.nurture` beside the program.
    #[arg(long)]
    pub schema: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Which format.
    #[arg(value_parser = format_names())]
    pub format: String,
}

/// The names `nurture schema` takes, each with what it describes.
fn format_names() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(
        crate::formats::FORMATS
            .iter()
            .map(|f| clap::builder::PossibleValue::new(f.name).help(f.about)),
    )
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or folders to check; folders are searched for `*.nurture` files.
    /// `-` reads the program from standard input.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// With `-`: the path to report standard input under, and where its
    /// schema is looked for (an editor passes the file's own path).
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,

    /// How to print what was found.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub output_format: OutputFormat,

    /// When to colour the output; `auto` colours a terminal unless NO_COLOR is set.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Fail (exit 1) on warnings too, not only on errors.
    #[arg(long)]
    pub deny_warnings: bool,

    /// The customer schema to check names and values against. Without it,
    /// each program uses the `schema.nurture` in its folder or the nearest
    /// folder above, up to the current one.
    #[arg(long, value_name = "PATH")]
    pub schema: Option<PathBuf>,

    /// Also show what is proved about each program without errors: the most
    /// messages a customer can get, the longest stay, the outcomes, the
    /// quickest way to the goal (human and json output).
    #[arg(long)]
    pub summary: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Reports with the source and labels, for people.
    Human,
    /// nurture's own stable JSON (format_version 1).
    Json,
    /// GitHub Actions annotations (::error file=…).
    Github,
    /// SARIF 2.1.0, for GitHub code scanning and other tools.
    Sarif,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The code to explain, like N101 or duplicate-clause.
    pub code: Option<String>,
}
