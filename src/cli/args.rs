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
    /// Compare two versions of a program: the changes in meaning by clause
    /// and step, the proved facts before and after, and where customers
    /// already in the program go (exit 0 no change in meaning, 1 changes,
    /// 2 error).
    Diff(DiffArgs),
    /// Run customers and their events through a program (or a compiled
    /// plan) and print the actions, as JSON Lines, in time order.
    Replay(ReplayArgs),
    /// Simulate programs against sample customers who answer as a
    /// behaviour model says, and report what would happen.
    Simulate(SimulateArgs),
    /// Add the JSON reports of the shards of one run (`simulate --shard
    /// I/N`) into the report of the whole run.
    Merge(MergeArgs),
    /// Fit a behaviour model for the simulator to a history of sends and
    /// the customers' events (JSON Lines), and write it as TOML.
    Fit(FitArgs),
    /// Generate sample data: realistic customers for the simulator and for
    /// trying programs out, the same for the same seed on every machine.
    Sample(SampleArgs),
    /// Serve the Language Server Protocol on standard input and output, for
    /// editors: diagnostics as you type, hover, completion, go to
    /// definition, rename, formatting and quick fixes (docs/editors.md).
    Lsp(LspArgs),
    /// Run programs live: customers and events over HTTP, timers on the
    /// clock, actions delivered from a durable outbox (docs/serve.md).
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
pub struct LspArgs {
    /// Standard input and output, the only transport (accepted because many
    /// editors pass it).
    #[arg(long, hide = true)]
    pub stdio: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Programs, or folders searched for `*.nurture` files (a schema file
    /// among them is the schema, not a program).
    #[arg(default_value = ".", value_name = "PROGRAM_OR_FOLDER")]
    pub paths: Vec<PathBuf>,

    /// The customer schema; by default the `schema.nurture` beside the
    /// first program.
    #[arg(long, value_name = "PATH")]
    pub schema: Option<PathBuf>,

    /// Where state is kept: `sqlite:PATH` (embedded) or
    /// `postgres://USER@HOST:PORT/DATABASE` (shared by several processes).
    #[arg(
        long,
        value_name = "sqlite:PATH|postgres://…",
        default_value = "sqlite:nurture.db"
    )]
    pub store: String,

    /// The address to listen on (port 0: any free port, said on stderr).
    #[arg(long, default_value = "127.0.0.1:7070")]
    pub listen: String,

    /// A file whose first line is the bearer token; without it a random
    /// token is made at start and printed on stderr.
    #[arg(long, value_name = "PATH")]
    pub token_file: Option<PathBuf>,

    /// Where actions go: `stdout` (one JSON line each), `webhook:URL` (a
    /// POST each, with an Idempotency-Key header) or `none`.
    #[arg(long, value_name = "stdout|webhook:URL|none", default_value = "stdout")]
    pub deliver: String,

    /// `system`, or `manual`: time moves only by POST /v1/clock, for tests
    /// and dry runs.
    #[arg(long, value_enum, default_value_t = ClockArg::System)]
    pub clock: ClockArg,

    /// The seed for splits and the holdout, as for `nurture replay`.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,

    /// On a redeploy, move journeys running on an older version onto the
    /// new one along the migration map of `nurture diff` (journeys at a
    /// place with a hazard stay); by default every running journey
    /// finishes on the version it began with.
    #[arg(long)]
    pub migrate: bool,

    /// Webhook tries before an action is marked dead.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub webhook_tries: u32,

    /// Seconds one webhook call may take.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub webhook_timeout: u64,

    /// Seconds to wait after the first failed try; each further failure
    /// doubles it (at most an hour).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub retry_wait: u64,

    /// The largest request body, in MiB; a larger one is refused (413).
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub max_body_mib: u64,

    /// Seconds a client may take to send a request body; a slower one is
    /// answered 408.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub body_timeout: u64,

    /// Threads that write to the store (default: 1 for SQLite, 4 for
    /// PostgreSQL).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=64))]
    pub workers: Option<u64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ClockArg {
    System,
    Manual,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shards' reports (`simulate --shard I/N --output-format json`),
    /// every shard of the run once, in any order.
    #[arg(required = true, value_name = "REPORT.json")]
    pub reports: Vec<PathBuf>,

    /// How to print the whole run's report: the same as `simulate` prints.
    #[arg(long, value_enum, default_value_t = ReportFormat::Json)]
    pub output_format: ReportFormat,
}

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// The programs to simulate: files, or folders that hold them. Several
    /// run together on the same customers (one record each, the schema's
    /// caps, groups and hand-offs), reported per program and for the whole
    /// portfolio; with `--compare`, side by side instead.
    #[arg(required = true)]
    pub programs: Vec<PathBuf>,

    /// Run each program on its own copy of every customer and report them
    /// side by side (an A/B test of two versions of a program), rather
    /// than together.
    #[arg(long)]
    pub compare: bool,

    /// Customers: a `.csv`, `.jsonl` or `.parquet` file; the bundled
    /// sample (programs/sample/population.csv) when not given.
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

    /// Show one customer's journey, step by step with times, the events'
    /// properties and the score, phase and tags after each step, instead of
    /// the report.
    #[arg(long, value_name = "CUSTOMER_ID", conflicts_with = "trace_where")]
    pub trace: Option<String>,

    /// Trace the first customers (in file order) whose journey matches, like
    /// `outcome == handed_off`, `step == offer`, `converted`, `not holdout`,
    /// `messages >= 2`, joined by `and` or `or`.
    #[arg(long, value_name = "CONDITION")]
    pub trace_where: Option<String>,

    /// How many customers `--trace-where` traces at most.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=1000), requires = "trace_where")]
    pub limit: u64,

    /// Repeat the simulation with N seeds (the seed, the seed + 1, …) and
    /// report each figure as the median with a 90% range across runs, and
    /// the lift with an interval that includes the spread between runs.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub runs: u64,

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
    #[arg(long, value_name = "FILE", conflicts_with_all = ["trace", "trace_where"])]
    pub html: Option<PathBuf>,

    /// Simulate only the customers whose id hashes to shard I of N
    /// (numbered from 0: `0/4` … `3/4`), for one machine of many; `nurture
    /// merge` adds the shards' JSON reports into the whole run's.
    #[arg(long, value_name = "I/N", value_parser = shard, conflicts_with_all = ["trace", "trace_where"])]
    pub shard: Option<crate::sim::stream::Shard>,
}

/// `I/N`, with `I` below `N`.
fn shard(text: &str) -> Result<crate::sim::stream::Shard, String> {
    let (index, count) = text
        .split_once('/')
        .ok_or_else(|| "write the shard as I/N, like 0/4 for the first of four".to_string())?;
    let number = |part: &str, what: &str| {
        part.trim()
            .parse::<u32>()
            .map_err(|_| format!("`{part}` is not a {what} (write I/N, like 0/4)"))
    };
    let (index, count) = (
        number(index, "shard number")?,
        number(count, "number of shards")?,
    );
    if count == 0 {
        return Err("there must be at least one shard (write I/N, like 0/4)".into());
    }
    // More could not be merged (`nurture merge` adds at most that many).
    let most = crate::sim::report::shard::MOST_SHARDS;
    if count > most {
        return Err(format!(
            "a run has at most {most} shards (`nurture merge` adds at most that many)"
        ));
    }
    if index >= count {
        return Err(format!(
            "shards are numbered from 0, so the shards of {count} are 0/{count} to {}/{count}",
            count - 1
        ));
    }
    Ok(crate::sim::stream::Shard { index, count })
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
    /// A history of sends and the customers' events (JSON Lines), made by
    /// simulating programs, for `nurture fit`.
    History(SampleHistoryArgs),
    /// A behaviour model (TOML) covering every channel and event a schema
    /// declares, to start from.
    Behavior(SampleBehaviorArgs),
}

#[derive(Debug, Args)]
pub struct SampleHistoryArgs {
    /// The programs that sent the messages; the bundled programs (compiled
    /// into nurture) when none are given.
    pub programs: Vec<PathBuf>,

    /// Customers: a `.csv`, `.jsonl` or `.parquet` file; the bundled
    /// sample when not given.
    #[arg(long)]
    pub customers: Option<PathBuf>,

    /// How the customers answer (TOML); the bundled model when not given.
    #[arg(long)]
    pub behavior: Option<PathBuf>,

    /// The customer schema; by default the `schema.nurture` beside the
    /// first program (the bundled schema for the bundled programs).
    #[arg(long)]
    pub schema: Option<PathBuf>,

    /// The seed; the same seed gives the same history, byte for byte.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,

    /// How many days of history.
    #[arg(long, default_value_t = 120, value_parser = clap::value_parser!(u64).range(1..=3650))]
    pub days: u64,

    /// The first day (YYYY-MM-DD, midnight UTC).
    #[arg(long, default_value = "2025-09-03")]
    pub start: String,

    /// Where to write the history; standard output when not given.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SampleBehaviorArgs {
    /// The customer schema the model is for; without it, the
    /// `schema.nurture` in the current folder, or the bundled model as it
    /// is when there is none.
    #[arg(long, value_name = "PATH")]
    pub schema: Option<PathBuf>,

    /// Where to write the model; standard output when not given.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct FitArgs {
    /// The history: JSON Lines of sends (`at`, `customer`, `channel`,
    /// `template`, optionally `segments`) and events (`at`, `customer`,
    /// `event`, optionally `properties`), in any order.
    pub history: PathBuf,

    /// The customers (`.csv`, `.jsonl` or `.parquet`): how many there were, for the
    /// rates of what they do anyway, and their segments, for sends that do
    /// not name them. Without it, the customers the history names.
    #[arg(long)]
    pub customers: Option<PathBuf>,

    /// The customer schema; by default the `schema.nurture` beside the
    /// history, or in a folder above up to the current one.
    #[arg(long)]
    pub schema: Option<PathBuf>,

    /// How long after a send an event still counts as its answer.
    #[arg(long, default_value = "14d")]
    pub window: String,

    /// The fewest sends a channel, template or segment needs for numbers
    /// of its own; with fewer it answers as the layer above, and says so.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    pub min_sends: u64,

    /// Where to write the model; standard output when not given.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
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

    /// How to write the customers: `csv`, or `parquet` (Snappy-compressed,
    /// a row group per 65,536 customers; the columns typed as
    /// docs/simulation.md says).
    #[arg(long, value_enum, default_value_t = SampleFormat::Csv)]
    pub format: SampleFormat,

    /// Where to write the customers; standard output when not given
    /// (Parquet only when standard output is not a terminal).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

/// How `nurture sample customers` writes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SampleFormat {
    Csv,
    Parquet,
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
pub struct DiffArgs {
    /// The version running now.
    pub old: PathBuf,

    /// The version to compare it with (the one to deploy).
    pub new: PathBuf,

    /// How to print the comparison: `markdown` is sized for a pull-request
    /// comment.
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    pub output_format: DiffFormat,

    /// For a CI gate: exit 1 only when a hazard for customers in flight is
    /// found (a change without hazards exits 0).
    #[arg(long)]
    pub deny_hazards: bool,

    /// The customer schema for both versions; by default the
    /// `schema.nurture` beside each file, as `nurture check` finds it.
    #[arg(long, value_name = "PATH")]
    pub schema: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// Text for people.
    Human,
    /// Stable JSON (format_version 1).
    Json,
    /// A pull-request comment (GitHub Markdown, at most 60,000 characters).
    Markdown,
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

    /// The customer schema, as for every other command: with `--sim`, the
    /// one the program was simulated with (by default the `schema.nurture`
    /// beside the program); without it the chart needs none.
    #[arg(long, value_name = "PATH")]
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
    /// The programs (`.nurture`, or folders that hold them) or compiled
    /// plans (`.json`). Several run together, each customer's one record
    /// shared by their journeys, with the schema's caps across them.
    #[arg(required = true, num_args = 1..)]
    pub programs: Vec<PathBuf>,

    /// Customers: a `.csv`, `.jsonl` or `.parquet` file.
    #[arg(long)]
    pub customers: PathBuf,

    /// Events, as JSON Lines: {"id", "at", "customer", "event", "properties"};
    /// `id` is optional, and an event whose id the customer already had is
    /// a duplicate and is dropped.
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

    /// Checking threads; by default one per core. The output is the same
    /// for every value, in the order of the files.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=256))]
    pub threads: Option<u64>,
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
