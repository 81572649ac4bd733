//! `nurture sample customers|history|behavior`: sample customers as CSV,
//! a history of sends and events as JSON Lines (made by simulating
//! programs), and a behaviour model to start from for a schema; to stdout
//! or `--output`.

use super::args::{
    SampleArgs, SampleBehaviorArgs, SampleCommand, SampleCustomersArgs, SampleFormat,
    SampleHistoryArgs,
};
use super::{bundled, complain, exit, files, write};
use crate::plan::Plan;
use crate::run::input::{self, Format};
use crate::sim::engine::{Scratch, Subject, Window, simulate_one};
use crate::sim::sample::{self, Options};
use crate::sim::setup::Setup;
use crate::sim::tally::Tally;
use crate::sim::zone::Zones;
use crate::syntax::ast::{Program, Schema};
use std::io::{self, IsTerminal, Write};
use std::path::Path;

/// The most customers `sample customers` writes: 100 million is about
/// 19 GB of CSV, more than any simulation here needs; a typing slip of a
/// few zeros more should not fill the disk.
pub const MAX_CUSTOMERS: u64 = 100_000_000;

pub fn run(args: &SampleArgs) -> i32 {
    match &args.what {
        SampleCommand::Customers(args) => customers(args),
        SampleCommand::History(args) => history(args),
        SampleCommand::Behavior(args) => behavior(args),
    }
}

fn customers(args: &SampleCustomersArgs) -> i32 {
    if args.count > MAX_CUSTOMERS {
        complain(&format!(
            "`--count {}` is more than the {} customers (about 19 GB of CSV) nurture samples at once; write several files with different `--seed`s for more",
            args.count,
            crate::render::simulation::thousands(MAX_CUSTOMERS)
        ));
        return exit::TROUBLE;
    }
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
    let parquet = args.format == SampleFormat::Parquet;
    if parquet && args.output.is_none() && io::stdout().is_terminal() {
        complain(
            "Parquet is binary and would garble the terminal: give `-o FILE.parquet`, or pipe it on (`> FILE.parquet`)",
        );
        return exit::TROUBLE;
    }
    let write = |out: &mut dyn Write| {
        if parquet {
            sample::write_customers_parquet(out, &options)
        } else {
            sample::write_customers(&mut &mut *out, &options)
        }
    };
    match &args.output {
        Some(path) => match write::replace_with(path, write) {
            Ok(()) => exit::CLEAN,
            Err(problem) => {
                complain(&problem);
                exit::TROUBLE
            }
        },
        None => {
            let mut out = io::stdout().lock();
            match write(&mut out).and_then(|()| out.flush()) {
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

/// Writes `text` to `path`, replacing it whole (cli/write.rs), or to
/// standard output; the exit code.
pub(super) fn write_out(path: Option<&Path>, text: &str) -> i32 {
    match path {
        Some(path) => match write::replace(path, text.as_bytes()) {
            Ok(()) => exit::CLEAN,
            Err(problem) => {
                complain(&problem);
                exit::TROUBLE
            }
        },
        // A failed write is said by `write::finish` as the command ends.
        None => {
            write::stdout(text);
            exit::CLEAN
        }
    }
}

/// `sample behavior`: a model covering every channel and event of a schema.
fn behavior(args: &SampleBehaviorArgs) -> i32 {
    let path = match &args.schema {
        Some(path) => Some(path.clone()),
        None => Some(std::path::PathBuf::from(super::schema::SCHEMA_FILE)).filter(|p| p.is_file()),
    };
    let Some(path) = path else {
        return write_out(args.output.as_deref(), bundled::SAMPLE_BEHAVIOR);
    };
    let mut schemas = super::schema::Schemas::new(Some(&path));
    let schema = schemas.for_file(Path::new("model.toml"), b"").cloned();
    if schemas.finish() {
        return exit::TROUBLE;
    }
    let Some(schema) = schema else {
        return exit::TROUBLE;
    };
    let model = match bundled::model(None, Some(&schema)) {
        Ok(model) => model,
        Err(code) => return code,
    };
    let doc = crate::sim::behavior::start::starting_model(
        &model.behavior,
        &schema,
        &path.display().to_string(),
    );
    write_out(args.output.as_deref(), &doc.to_toml())
}

/// A program to make history with.
struct Maker {
    plan: Plan,
    program: Program,
}

/// `sample history`: sends and events, simulated.
fn history(args: &SampleHistoryArgs) -> i32 {
    let Some(start) = super::simulate::start_of(&args.start) else {
        complain(&format!(
            "`--start {}` is not a day like 2025-09-03",
            args.start
        ));
        return exit::TROUBLE;
    };
    let window = Window {
        start,
        end: start.saturating_add(args.days as i64 * 86_400),
    };
    let (makers, schema): (Vec<Maker>, Option<Schema>) = if args.programs.is_empty() {
        let schema = match &args.schema {
            Some(path) => {
                let mut schemas = super::schema::Schemas::new(Some(path));
                let found = schemas.for_file(Path::new("history"), b"").cloned();
                if schemas.finish() {
                    return exit::TROUBLE;
                }
                found
            }
            None => bundled::schema(),
        };
        let Some(schema) = schema else {
            return exit::TROUBLE;
        };
        match bundled::programs(&schema) {
            Ok(programs) => (
                programs
                    .into_iter()
                    .map(|p| Maker {
                        plan: p.plan,
                        program: p.program,
                    })
                    .collect(),
                Some(schema),
            ),
            Err(code) => return code,
        }
    } else {
        let mut makers = Vec::new();
        let mut schema = None;
        for path in &args.programs {
            match super::simulate::load(path, args.schema.as_deref()) {
                Ok((loaded, found)) => {
                    makers.push(Maker {
                        plan: loaded.plan,
                        program: loaded.program,
                    });
                    if schema.is_none() {
                        schema = found;
                    }
                }
                Err(code) => return code,
            }
        }
        (makers, schema)
    };
    let model = match bundled::model(args.behavior.as_deref(), schema.as_ref()) {
        Ok(model) => model,
        Err(code) => return code,
    };
    if let Some(note) = &model.note {
        super::note(note);
    }
    let (name, text, format) = match &args.customers {
        Some(path) => match files::customers_text(path, schema.as_ref()) {
            Ok((text, format)) => (path.display().to_string(), text, format),
            Err(code) => return code,
        },
        None => (
            bundled::SAMPLE_CUSTOMERS_NAME.to_string(),
            bundled::SAMPLE_CUSTOMERS.to_string(),
            Format::Csv,
        ),
    };
    let setups: Vec<Setup> = makers
        .iter()
        .map(|m| Setup::new(&m.plan, &m.program, &model.behavior))
        .collect();
    let mut out = String::new();
    let mut zones = Zones::default();
    let mut scratch = Scratch::new();
    let errors = input::read_customers_each(
        &name,
        &text,
        format,
        schema.as_ref(),
        None,
        &mut |customer| {
            let zone = zones.get(customer.time_zone.as_deref());
            let traces: Vec<_> = setups
                .iter()
                .enumerate()
                .map(|(index, setup)| {
                    let mut subject = Subject::new(customer.clone(), zone.clone());
                    let mut lines = Vec::new();
                    let mut tally = Tally::new(setup);
                    simulate_one(
                        setup,
                        &model.behavior,
                        args.seed,
                        window,
                        index,
                        &mut subject,
                        &mut scratch,
                        &mut tally,
                        Some(&mut lines),
                    );
                    lines
                })
                .collect();
            out.push_str(&crate::sim::history::lines(&customer, &traces));
        },
    );
    super::simulate::report_rows(&errors);
    let code = write_out(args.output.as_deref(), &out);
    if code == exit::CLEAN && !errors.is_empty() {
        return exit::FINDINGS;
    }
    code
}
