//! The command line: the only code besides the renderers that writes output.
//! `main` calls [`run`] and exits with the code it returns.

mod args;
mod bundled;
mod check;
mod compile;
mod explain;
mod files;
mod fit;
mod fmt;
mod graph;
mod merge;
mod replay;
mod sample;
mod schema;
mod serve;
mod simulate;
mod trace;

use args::{Cli, Command};
use clap::Parser;
use std::io::Write;

/// Exit codes, the same for every command.
pub mod exit {
    /// Nothing found.
    pub const CLEAN: i32 = 0;
    /// Findings in the programs: an error, or a warning under --deny-warnings.
    pub const FINDINGS: i32 = 1;
    /// A usage error (a bad flag, an unknown code to explain), a path that
    /// could not be read or holds no programs, or a fault in nurture.
    pub const TROUBLE: i32 = 2;
}

pub fn run() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // --help and --version are not errors; clap knows which is which.
            let _ = error.print();
            return if error.use_stderr() {
                exit::TROUBLE
            } else {
                exit::CLEAN
            };
        }
    };
    match cli.command {
        Command::Check(options) => check::run(&options),
        Command::Explain(options) => explain::run(&options),
        Command::Compile(options) => compile::run(&options),
        Command::Replay(options) => replay::run(&options),
        Command::Graph(options) => graph::run(&options),
        Command::Simulate(options) => simulate::run(&options),
        Command::Merge(options) => merge::run(&options),
        Command::Sample(options) => sample::run(&options),
        Command::Fmt(options) => fmt::run(&options),
        Command::Lsp(_) => crate::lsp::run(),
        Command::Fit(options) => fit::run(&options),
        Command::Serve(options) => serve::run(&options),
        Command::Schema(options) => match options.format {
            args::SchemaFormat::Plan => {
                print(&crate::plan::json_schema());
                exit::CLEAN
            }
            args::SchemaFormat::Simulate => {
                print(&crate::sim::report::json_schema());
                exit::CLEAN
            }
        },
    }
}

/// Writes to stdout, ignoring a closed pipe (`nurture check | head`).
fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// Reports a problem with nurture's own work (not a finding) on stderr.
fn complain(message: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "nurture: error: {message}");
}

/// Tells the user something worth knowing that is not a problem, on stderr.
fn note(message: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "nurture: note: {message}");
}
