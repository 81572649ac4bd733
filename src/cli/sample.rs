//! `nurture sample customers`: sample customers as CSV, to stdout or
//! `--output`.

use super::args::{SampleArgs, SampleCommand, SampleCustomersArgs};
use super::{complain, exit, files};
use crate::sim::sample::{self, Options};
use std::io::{self, ErrorKind};

pub fn run(args: &SampleArgs) -> i32 {
    match &args.what {
        SampleCommand::Customers(args) => customers(args),
        SampleCommand::History(_) | SampleCommand::Behavior(_) => exit::TROUBLE,
    }
}

fn customers(args: &SampleCustomersArgs) -> i32 {
    let Some(as_of) = sample::parse_as_of(&args.as_of) else {
        complain(&format!(
            "`--as-of {}` is not a date like 2026-01-01 (YYYY-MM-DD, from 1900 to 9990)",
            args.as_of
        ));
        return exit::TROUBLE;
    };
    let options = Options {
        count: args.count,
        seed: args.seed,
        as_of,
    };
    let (result, target) = match &args.output {
        Some(path) => {
            let target = format!("`{}`", path.display());
            match std::fs::File::create(path) {
                Ok(mut file) => (sample::write_customers(&mut file, &options), target),
                Err(error) => (Err(error), target),
            }
        }
        None => (
            sample::write_customers(&mut io::stdout().lock(), &options),
            "standard output".to_string(),
        ),
    };
    match result {
        Ok(()) => exit::CLEAN,
        // `nurture sample customers | head` closes the pipe on purpose.
        Err(error) if error.kind() == ErrorKind::BrokenPipe && args.output.is_none() => exit::CLEAN,
        Err(error) => {
            complain(&format!("cannot write {target}: {}", files::plain(&error)));
            exit::TROUBLE
        }
    }
}
