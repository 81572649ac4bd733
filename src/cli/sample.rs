//! `nurture sample customers`: sample customers as CSV, to stdout or
//! `--output`.

use super::args::{SampleArgs, SampleCommand, SampleCustomersArgs};
use super::{complain, exit, write};
use crate::sim::sample::{self, Options};
use std::io::{self, Write};

pub fn run(args: &SampleArgs) -> i32 {
    match &args.what {
        SampleCommand::Customers(args) => customers(args),
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
    match &args.output {
        Some(path) => {
            match write::replace_with(path, |mut file| {
                sample::write_customers(&mut file, &options)
            }) {
                Ok(()) => exit::CLEAN,
                Err(problem) => {
                    complain(&problem);
                    exit::TROUBLE
                }
            }
        }
        None => {
            let mut out = io::stdout().lock();
            match sample::write_customers(&mut out, &options).and_then(|()| out.flush()) {
                Ok(()) => exit::CLEAN,
                Err(error) => {
                    // A closed pipe (`nurture sample customers | head`)
                    // was asked for; `write::finish` says anything else.
                    write::stdout_failed(&error);
                    exit::CLEAN
                }
            }
        }
    }
}
