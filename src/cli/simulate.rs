//! `nurture simulate PROGRAM…`: run programs against many customers who
//! answer as a behaviour model says, and report what would happen.
//!
//! Without `--customers` and `--behavior` the bundled samples are used (they
//! are compiled into the binary), so the command works anywhere. The report
//! goes to stdout; bad customer rows, the progress line and notes go to
//! stderr. `--html FILE` also writes it as a page, with each program's flow
//! chart annotated with the simulated counts.

use super::args::{ReportFormat, SimulateArgs};
use super::{complain, exit, files, print, write};
use crate::plan::Plan;
use crate::render::FileReport;
use crate::render::chart::{self, FlowCount};
use crate::render::html::{self, Picture};
use crate::render::human::{self, HumanOptions};
use crate::render::{simulation, svg};
use crate::run::input::{self, Format, RowError};
use crate::sim::behavior::{self, Behavior};
use crate::sim::engine::{Scratch, Subject, TraceLine, Window, simulate_one};
use crate::sim::report::{self, Report};
use crate::sim::run::{Options, simulate};
use crate::sim::setup::Setup;
use crate::sim::tally::Tally;
use crate::sim::zone::Zones;
use crate::syntax::ast::{Program, Schema};
use std::io::{IsTerminal, Write};
use std::path::Path;

/// The bundled samples, as `programs/sample/` holds them.
const SAMPLE_CUSTOMERS: &str = include_str!("../../programs/sample/population.csv");
const SAMPLE_CUSTOMERS_NAME: &str = "programs/sample/population.csv";
const SAMPLE_BEHAVIOR: &str = include_str!("../../programs/sample/behavior.toml");
const SAMPLE_BEHAVIOR_NAME: &str = "programs/sample/behavior.toml";

/// A program ready to simulate, with what the report needs to name it.
struct Loaded {
    file: String,
    plan: Plan,
    program: Program,
    /// The program's text, which its chart quotes.
    source: String,
    bound: Option<u64>,
}

pub fn run(args: &SimulateArgs) -> i32 {
    if let Some(html) = &args.html
        && let Err(problem) = write::not_an_input(html, &inputs(args))
    {
        complain(&problem);
        return exit::TROUBLE;
    }
    let Some(start) = start_of(&args.start) else {
        complain(&format!(
            "`--start {}` is not a day like 2026-01-01",
            args.start
        ));
        return exit::TROUBLE;
    };
    let window = Window {
        start,
        end: start.saturating_add(args.days as i64 * 86_400),
    };

    let mut loaded = Vec::new();
    let mut schema: Option<Schema> = None;
    for path in &args.programs {
        match load(path, args.schema.as_deref()) {
            Ok((program, found)) => {
                loaded.push(program);
                if schema.is_none() {
                    schema = found;
                }
            }
            Err(code) => return code,
        }
    }

    let (behavior_name, behavior_text) = match &args.behavior {
        Some(path) => match files::read_data_text(path) {
            Ok(text) => (path.display().to_string(), text),
            Err(code) => return code,
        },
        None => (
            SAMPLE_BEHAVIOR_NAME.to_string(),
            SAMPLE_BEHAVIOR.to_string(),
        ),
    };
    let model = match behavior::read(&behavior_text, schema.as_ref()) {
        Ok(model) => model,
        Err(diagnostics) => {
            let report = FileReport {
                path: behavior_name,
                source: behavior_text,
                diagnostics,
            };
            let options = HumanOptions {
                color: std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
                width: 100,
            };
            let _ = std::io::stderr()
                .lock()
                .write_all(human::render(&report, &options).as_bytes());
            return exit::FINDINGS;
        }
    };

    let (customers_name, customers_text, format) = match &args.customers {
        Some(path) => {
            let Some(format) = Format::from_path(path) else {
                complain(&format!(
                    "`{}`: customers are read from .csv or .jsonl files",
                    path.display()
                ));
                return exit::TROUBLE;
            };
            match files::read_data_text(path) {
                Ok(text) => (path.display().to_string(), text, format),
                Err(code) => return code,
            }
        }
        None => (
            SAMPLE_CUSTOMERS_NAME.to_string(),
            SAMPLE_CUSTOMERS.to_string(),
            Format::Csv,
        ),
    };

    let setups: Vec<Setup> = loaded
        .iter()
        .map(|l| Setup::new(&l.plan, &l.program, &model))
        .collect();

    let mut keep = std::collections::BTreeSet::new();
    for l in &loaded {
        crate::sim::setup::attributes_read(&l.plan, &mut keep);
    }

    if args.strict {
        let errors = input::read_customers_each(
            &customers_name,
            &customers_text,
            format,
            schema.as_ref(),
            Some(&std::collections::BTreeSet::new()),
            &mut |_| {},
        );
        if !errors.is_empty() {
            report_rows(&errors);
            complain(&format!(
                "{} bad row(s); nothing was simulated (--strict)",
                errors.len()
            ));
            return exit::FINDINGS;
        }
    }

    if let Some(id) = &args.trace {
        return trace(
            &setups,
            &model,
            args,
            window,
            id,
            &customers_name,
            &customers_text,
            format,
            schema.as_ref(),
        );
    }

    // Tried before simulating, so a path that cannot be written is found
    // before the wait rather than after it; the page is written whole at
    // the end (cli/write.rs), so a run cut short leaves the last one.
    if let Some(path) = &args.html
        && let Err(problem) = write::can_write(path)
    {
        complain(&problem);
        return exit::TROUBLE;
    }

    let threads = args.threads.map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| n.get()),
        |n| n as usize,
    );
    let options = Options {
        seed: args.seed,
        window,
        threads,
    };
    let show_progress = std::io::stderr().is_terminal();
    let mut progress = |count: u64| {
        if show_progress {
            let _ = write!(std::io::stderr().lock(), "\rsimulated {count} customers…");
        }
    };
    let mut errors: Vec<RowError> = Vec::new();
    let (tallies, mut bad_rows) = match format {
        // The reading thread only splits the text into rows; the simulating
        // threads make customers of them.
        Format::Csv => simulate(
            &setups,
            &model,
            &options,
            &customers_name,
            &mut |take| {
                errors = input::read_csv_rows(
                    &customers_name,
                    &customers_text,
                    schema.as_ref(),
                    Some(&keep),
                    take,
                );
            },
            &mut progress,
        ),
        Format::JsonLines => simulate(
            &setups,
            &model,
            &options,
            &customers_name,
            &mut |take| {
                errors = input::read_customers_each(
                    &customers_name,
                    &customers_text,
                    format,
                    schema.as_ref(),
                    Some(&keep),
                    take,
                );
            },
            &mut progress,
        ),
    };
    errors.append(&mut bad_rows);
    errors.sort_by_key(|e| e.line);
    if show_progress {
        let _ = write!(std::io::stderr().lock(), "\r\x1b[K");
    }
    report_rows(&errors);

    let report = Report {
        format_version: report::FORMAT_VERSION,
        seed: args.seed,
        start: input::show_time(window.start),
        end: input::show_time(window.end),
        days: args.days,
        customers_file: customers_name,
        behavior_file: behavior_name,
        skipped_rows: errors.len(),
        programs: loaded
            .iter()
            .zip(&setups)
            .zip(&tallies)
            .map(|((l, setup), tally)| report::program_report(setup, tally, &l.file, l.bound))
            .collect(),
    };
    print(&match args.output_format {
        // File names, customer ids and the names in a plan are the user's.
        ReportFormat::Human => {
            crate::printable::printable(&simulation::human(&report)).into_owned()
        }
        ReportFormat::Json => report.to_json(),
    });
    if let Some(path) = &args.html {
        let pictures = pictures(&loaded, &report);
        if let Err(problem) = write::replace(path, html::html(&report, &pictures).as_bytes()) {
            complain(&problem);
            return exit::TROUBLE;
        }
    }

    // The checker's bound is a promise; a simulation that breaks it has
    // found a fault in nurture, not in the program.
    for program in &report.programs {
        if let Some(bound) = program.messages.bound
            && program.messages.max > bound
        {
            complain(&format!(
                "internal: `{}` sent a journey {} messages, more than the {bound} the checker proved; please report this",
                program.program, program.messages.max
            ));
            return exit::TROUBLE;
        }
    }
    if errors.is_empty() {
        exit::CLEAN
    } else {
        exit::FINDINGS
    }
}

/// Every file the run reads, and what it is to the run.
fn inputs(args: &SimulateArgs) -> Vec<(&'static str, &Path)> {
    let mut inputs: Vec<(&str, &Path)> = args
        .programs
        .iter()
        .map(|p| ("a program", p.as_path()))
        .collect();
    inputs.extend(args.customers.as_deref().map(|p| ("the customers file", p)));
    inputs.extend(args.behavior.as_deref().map(|p| ("the behaviour model", p)));
    inputs.extend(args.schema.as_deref().map(|p| ("the schema", p)));
    inputs
}

/// Checks and compiles one program; also parses it for its steps, and works
/// out the checker's bound on messages.
fn load(path: &Path, schema: Option<&Path>) -> Result<(Loaded, Option<Schema>), i32> {
    let (plan, found) = super::compile::checked_plan(path, schema)?;
    let source = files::read_data_text(path)?;
    let Some(program) = crate::syntax::parse(&source).program else {
        complain(&format!("`{}` holds no program", path.display()));
        return Err(exit::FINDINGS);
    };
    let bound = crate::check::facts_of_text(&source).and_then(|facts| facts.messages.total);
    Ok((
        Loaded {
            file: path.display().to_string(),
            plan,
            program,
            source,
            bound,
        },
        found,
    ))
}

/// Each program's title and its flow chart, with the report's counts on
/// the arrows.
fn pictures(loaded: &[Loaded], report: &Report) -> Vec<Picture> {
    loaded
        .iter()
        .zip(&report.programs)
        .map(|(l, p)| {
            let mut drawn = chart::chart(&l.program, &l.source);
            let flow: Vec<FlowCount> = p
                .flow
                .iter()
                .map(|f| FlowCount {
                    from: f.from.clone(),
                    to: f.to.clone(),
                    count: f.count,
                })
                .collect();
            chart::annotate(&mut drawn, &flow);
            Picture {
                title: l.plan.title.clone(),
                // The report is still worth having without its picture.
                svg: svg::svg(&drawn).unwrap_or_else(|too_large| {
                    format!("<p>{}.</p>\n", html::escape(&too_large.to_string()))
                }),
            }
        })
        .collect()
}

/// `YYYY-MM-DD` as midnight UTC.
fn start_of(text: &str) -> Option<i64> {
    let date: jiff::civil::Date = text.trim().parse().ok()?;
    let at = date.to_zoned(jiff::tz::TimeZone::UTC).ok()?;
    Some(at.timestamp().as_second())
}

fn report_rows(bad: &[RowError]) {
    for row in bad {
        super::tell(&row.to_string());
    }
}

/// `--trace ID`: that customer's journey through each program.
#[allow(clippy::too_many_arguments)]
fn trace(
    setups: &[Setup],
    model: &Behavior,
    args: &SimulateArgs,
    window: Window,
    id: &str,
    customers_name: &str,
    customers_text: &str,
    format: Format,
    schema: Option<&Schema>,
) -> i32 {
    let mut found = None;
    let errors = input::read_customers_each(
        customers_name,
        customers_text,
        format,
        schema,
        None,
        &mut |c| {
            if found.is_none() && c.id == id {
                found = Some(c);
            }
        },
    );
    let Some(customer) = found else {
        report_rows(&errors);
        complain(&format!("`{customers_name}` has no customer `{id}`"));
        return exit::FINDINGS;
    };
    let mut zones = Zones::default();
    let zone = zones.get(customer.time_zone.as_deref());
    let mut traces = Vec::new();
    for (index, setup) in setups.iter().enumerate() {
        let mut subject = Subject::new(customer.clone(), zone.clone());
        let mut lines: Vec<TraceLine> = Vec::new();
        let mut scratch = Scratch::new();
        let mut tally = Tally::new(setup);
        simulate_one(
            setup,
            model,
            args.seed,
            window,
            index,
            &mut subject,
            &mut scratch,
            &mut tally,
            Some(&mut lines),
        );
        traces.push((setup.plan.program.clone(), lines));
    }
    print(&match args.output_format {
        ReportFormat::Human => crate::printable::printable(&simulation::trace_human(
            id,
            customer.time_zone.as_deref(),
            zone.time_zone(),
            &traces,
        ))
        .into_owned(),
        ReportFormat::Json => simulation::trace_json(id, &traces),
    });
    exit::CLEAN
}
