//! The command line: the only code besides the renderers that writes output.
//! `main` calls [`run`] and exits with the code it returns.

mod args;
mod bundled;
mod check;
mod compile;
mod diff;
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
mod write;

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
    let code = match cli.command {
        Command::Check(options) => check::run(&options),
        Command::Explain(options) => explain::run(&options),
        Command::Compile(options) => compile::run(&options),
        Command::Replay(options) => replay::run(&options),
        Command::Graph(options) => graph::run(&options),
        Command::Diff(options) => diff::run(&options),
        Command::Simulate(options) => simulate::run(&options),
        Command::Merge(options) => merge::run(&options),
        Command::Sample(options) => sample::run(&options),
        Command::Fmt(options) => fmt::run(&options),
        Command::Lsp(_) => crate::lsp::run(),
        Command::Fit(options) => fit::run(&options),
        Command::Serve(options) => serve::run(&options),
        Command::Schema(options) => match crate::formats::find(&options.format) {
            Some(format) => {
                print(&(format.schema)());
                exit::CLEAN
            }
            // clap takes only the names in the table.
            None => exit::TROUBLE,
        },
    };
    write::finish(code)
}

/// Writes to stdout; a closed pipe (`nurture check | head`) is fine, any
/// other failure makes the run end with exit 2 (`write::finish`).
fn print(text: &str) {
    write::stdout(text);
}

/// Writes one line for people on stderr (a bad row, a count), escaped like
/// [`complain`]'s.
fn tell(line: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{}", crate::printable::one_line(line));
}

/// A note on stderr: something the user should know that is no error (and
/// changes no exit code).
fn note(message: &str) {
    tell(&format!("nurture: note: {message}"));
}

/// Reports a problem with nurture's own work (not a finding) on stderr, on
/// one line: a path or a value quoted in it cannot add a line (which a CI
/// runner would read as a command) or drive the terminal.
fn complain(message: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(
        err,
        "nurture: error: {}",
        crate::printable::one_line(message)
    );
}
