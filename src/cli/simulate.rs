//! `nurture simulate PROGRAM…`: run programs against many customers who
//! answer as a behaviour model says, and report what would happen.
//!
//! Without `--customers` and `--behavior` the bundled samples are used (they
//! are compiled into the binary), so the command works anywhere. The report
//! goes to stdout; bad customer rows, the progress line and notes go to
//! stderr. `--html FILE` also writes it as a page, with each program's flow
//! chart annotated with the simulated counts.
//!
//! This file runs the command; what it leans on is split by what it owns:
//!
//! | file | owns |
//! |---|---|
//! | `simulate/programs.rs` | which programs run: files and folders, each loaded and checked, once each |
//! | `simulate/bounds.rs` | the checker's bounds held to the simulated counts (`merge` holds them too) |
//! | `simulate/shard.rs` | a shard's facts about its customers file: size and digest |
//! | `simulate/pictures.rs` | `--html`'s flow charts with the counts on their arrows |

use super::args::{ReportFormat, SimulateArgs};
use super::bundled::{self, SAMPLE_CUSTOMERS, SAMPLE_CUSTOMERS_NAME};
use super::{complain, exit, files, print, write};
use crate::render::html;
use crate::render::simulation;
use crate::run::compact::Layout;
use crate::run::input::{self, Format, RowError};
use crate::sim::engine::Window;
use crate::sim::report::shard::{ShardPortfolio, ShardProgram};
use crate::sim::report::{self, About, PortfolioAbout, Run, Shape, ShardReport};
use crate::sim::run::Options;
use crate::sim::setup::Setup;
use crate::sim::stream::{Data, Failure, Input, Shard, simulate_file, simulate_file_with};
use crate::sim::together::Lineup;
use crate::syntax::ast::Schema;
use std::io::{IsTerminal, Write};
use std::path::Path;

mod bounds;
mod pictures;
mod programs;
mod shard;

pub(super) use bounds::{within_bounds, within_portfolio_bound};
use pictures::pictures;
pub(super) use programs::{Loaded, load};
use programs::{once_each, program_paths};

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
    let (paths, schema_given) = match program_paths(&args.programs) {
        Ok(found) => found,
        Err(code) => return code,
    };
    // `--schema` first; else a schema file named among the programs.
    let schema_path = args.schema.as_deref().or(schema_given.as_deref());
    for path in &paths {
        match load(path, schema_path) {
            Ok((program, found)) => {
                loaded.push(program);
                if schema.is_none() {
                    schema = found;
                }
            }
            Err(code) => return code,
        }
    }
    // What `nurture check` refuses across these programs, no run runs
    // (`--compare` runs versions of one program side by side, not together).
    if !args.compare
        && let Err(code) = super::check::across(&paths, schema_path)
    {
        complain("nothing was simulated: fix the programs above first");
        return code;
    }

    let model = match bundled::model(args.behavior.as_deref(), schema.as_ref()) {
        Ok(model) => model,
        Err(code) => return code,
    };
    let mut notes: Vec<String> = model.note.iter().cloned().collect();
    let caps = schema
        .as_ref()
        .map(crate::run::portfolio::schema_caps)
        .unwrap_or_default();
    // Several programs run together, and one alone does when the schema's
    // caps hold it; `--compare` and one program alone keep today's run.
    let together = !args.compare && (loaded.len() > 1 || !caps.is_empty());
    if together && let Err(code) = once_each(&loaded) {
        return code;
    }
    // Side by side, each program has its own copy of a customer, so no
    // change another program makes reaches a hand-off trigger: say so, or
    // a program that only such triggers start reads as a broken trigger.
    // Alone, no other program is there to make the change.
    if !together || loaded.len() == 1 {
        for program in &loaded {
            if crate::run::interpret::has_change_trigger(&program.plan) {
                let why = if args.compare {
                    "run side by side, each program has its own copy of a customer and no other program changes it, so those triggers start no journey here (run the programs together, without `--compare`)"
                } else {
                    "run alone, no other program changes a customer, so those triggers start no journey here (simulate it with the programs that make the change, e.g. their folder)"
                };
                notes.push(format!(
                    "`{}` is started by a change of the phase or tags (`phase becomes`, `tag added`, `tag removed`); {why}",
                    program.plan.program
                ));
            }
        }
    }

    let (customers_name, format) = match &args.customers {
        Some(path) => {
            let format = match Format::from_path(path) {
                Some(format) => format,
                // Read as the CSV it holds (run/input/parquet/).
                None if input::is_parquet(path) => Format::Csv,
                None => {
                    complain(&format!(
                        "`{}`: customers are read from .csv, .jsonl or .parquet files",
                        path.display()
                    ));
                    return exit::TROUBLE;
                }
            };
            // Read as it is simulated; a file that cannot be opened is
            // told before anything else.
            if let Err(problem) = files::openable(path) {
                complain(&problem);
                return exit::TROUBLE;
            }
            (path.display().to_string(), format)
        }
        None => (SAMPLE_CUSTOMERS_NAME.to_string(), Format::Csv),
    };
    let parquet = args.customers.as_deref().filter(|p| input::is_parquet(p));
    if let Some(path) = parquet {
        // The file's schema against what each column must hold: every
        // problem of the file told at once, before the run.
        let types = schema.as_ref().map(input::Types::new);
        if let Err(problems) = input::ParquetCsv::open(path, &customers_name, types.as_ref(), None)
        {
            report_rows(&problems);
            complain(&format!("`{customers_name}` cannot be read"));
            return exit::FINDINGS;
        }
    }
    let mut data = match &args.customers {
        Some(path) if parquet.is_some() => Data::Parquet {
            path,
            schema: schema.as_ref(),
            wanted: None,
        },
        Some(path) => Data::File(path),
        None => Data::Bytes(SAMPLE_CUSTOMERS.as_bytes()),
    };

    // An attribute the programs read that the file lacks would make every
    // condition on it fail: said before the run, not found as "0 entered".
    let mut read = std::collections::BTreeMap::new();
    for l in &loaded {
        for attribute in crate::plan::attributes_read(&l.plan, schema.as_ref()) {
            read.entry(attribute)
                .or_insert_with(|| l.plan.program.clone());
        }
    }
    let missing = match data.reader() {
        Ok(source) => input::missing_attributes_in(&customers_name, source, format, &read),
        Err(error) => Err(error),
    };
    let missing = match missing {
        Ok(missing) => missing,
        Err(error) => return failed(&customers_name, Failure::Io(error)),
    };
    if !missing.is_empty() {
        report_rows(&missing);
        complain("nothing was simulated: the customers lack what the programs read");
        return exit::FINDINGS;
    }

    let setups: Vec<Setup> = loaded
        .iter()
        .map(|l| Setup::new(&l.plan, &l.program, &model.behavior))
        .collect();

    let segments: Vec<&str> = model
        .behavior
        .segments
        .iter()
        .map(|(segment, _, _)| segment.as_str())
        .collect();
    let layout = Layout::new(setups.iter().map(|s| s.plan), &segments);
    // A Parquet file decodes only the columns the compact record keeps.
    let wanted: std::collections::BTreeSet<String> = layout
        .attributes
        .iter()
        .cloned()
        .chain(layout.events.iter().map(|e| format!("last_event_at.{e}")))
        .collect();
    if let Data::Parquet { wanted: w, .. } = &mut data {
        *w = Some(&wanted);
    }
    let customers = Input {
        data,
        name: &customers_name,
        format,
        schema: schema.as_ref(),
        block: input::BLOCK,
    };
    let threads = args.threads.map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| n.get()),
        |n| n as usize,
    );
    let options = Options {
        seeds: (0..args.runs)
            .map(|run| args.seed.wrapping_add(run))
            .collect(),
        window,
        threads,
    };
    let shard = args.shard.unwrap_or(Shard::WHOLE);

    if args.strict {
        let errors = match simulate_file(
            &setups,
            &model.behavior,
            &options,
            &layout,
            &customers,
            shard,
            false,
            &mut |_| {},
        ) {
            Ok(checked) => checked.errors,
            Err(failure) => return failed(&customers_name, failure),
        };
        if input::findings(&errors) > 0 {
            report_rows(&errors);
            complain(&format!(
                "{}; nothing was simulated (--strict)",
                crate::render::simulation::counted(
                    input::findings(&errors) as u64,
                    "bad row",
                    "bad rows"
                )
            ));
            return exit::FINDINGS;
        }
    }

    let lineup = together.then(|| Lineup::new(&setups, caps.clone()));
    if args.trace.is_some() || args.trace_where.is_some() {
        for note in &notes {
            super::note(note);
        }
        let customers_text = match &args.customers {
            Some(path) if input::is_parquet(path) => {
                let types = schema.as_ref().map(input::Types::new);
                match input::csv_text(path, &customers_name, types.as_ref()) {
                    Ok(text) => text,
                    Err(problems) => {
                        report_rows(&problems);
                        return exit::FINDINGS;
                    }
                }
            }
            Some(path) => match files::read_data_text(path) {
                Ok(text) => text,
                Err(code) => return code,
            },
            None => SAMPLE_CUSTOMERS.to_string(),
        };
        let inputs = super::trace::Inputs {
            setups: &setups,
            model: &model.behavior,
            seed: args.seed,
            window,
            customers_name: &customers_name,
            customers_text: &customers_text,
            format,
            schema: schema.as_ref(),
            output: args.output_format,
            lineup: lineup.as_ref(),
        };
        return match (&args.trace, &args.trace_where) {
            (Some(id), _) => super::trace::one(&inputs, id),
            (None, Some(condition)) => super::trace::matching(&inputs, condition, args.limit),
            (None, None) => exit::CLEAN,
        };
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

    let show_progress = std::io::stderr().is_terminal();
    let mut progress = |count: u64| {
        if show_progress {
            let _ = write!(std::io::stderr().lock(), "\rsimulated {count} customers…");
        }
    };
    let streamed = simulate_file_with(
        &setups,
        &model.behavior,
        &options,
        &layout,
        &customers,
        shard,
        true,
        lineup.as_ref(),
        &mut progress,
    );
    let (tallies, errors, weeks) = match streamed {
        Ok(streamed) => (streamed.tallies, streamed.errors, streamed.weeks),
        Err(failure) => return failed(&customers_name, failure),
    };
    if show_progress {
        let _ = write!(std::io::stderr().lock(), "\r\x1b[K");
    }
    report_rows(&errors);

    let programs: Vec<(Shape, About)> = loaded
        .iter()
        .zip(&setups)
        .map(|(l, setup)| {
            let (triggers, audience) = l.written();
            let about = About {
                file: l.file.clone(),
                bound: l.bound,
                triggers,
                audience,
                trigger_notes: l
                    .plan
                    .entry
                    .triggers
                    .iter()
                    .map(|t| crate::sim::setup::trigger_note(t, &model.behavior))
                    .collect(),
                days: args.days,
            };
            (Shape::of(setup), about)
        })
        .collect();
    let run = Run {
        seed: args.seed,
        start: input::show_time(window.start),
        end: input::show_time(window.end),
        days: args.days,
        customers_file: customers_name.clone(),
        behavior_file: model.name.clone(),
        skipped_rows: input::findings(&errors),
        runs: args.runs,
        notes: notes.clone(),
    };
    let (mut report, reports) = report::whole(&run, &programs, &tallies);
    let portfolio = lineup.as_ref().map(|lineup| PortfolioAbout {
        lineup: lineup.names().iter().map(|n| n.to_string()).collect(),
        caps: caps.iter().map(cap_words).collect(),
        bound: crate::sim::together::proved_week_bound(
            schema.as_ref(),
            &loaded.iter().map(|l| &l.program).collect::<Vec<_>>(),
            &caps,
        ),
    });
    if let Some(about) = &portfolio {
        let first = weeks.first().cloned().unwrap_or_default();
        report.portfolio = Some(report::portfolio_report(about, &first, args.days));
    }
    for note in &report.notes {
        super::note(note);
    }
    if let Some(shard) = args.shard {
        let (bytes, customers_digest) =
            match shard::customers_file(args.customers.as_deref(), &customers_name) {
                Ok(facts) => facts,
                Err(code) => return code,
            };
        report.shard = Some(ShardReport {
            index: shard.index,
            count: shard.count,
            nurture: env!("CARGO_PKG_VERSION").to_string(),
            behavior_digest: model.digest.clone(),
            customers_bytes: bytes,
            customers_digest,
            notes,
            programs: programs
                .into_iter()
                .enumerate()
                .map(|(index, (shape, about))| ShardProgram {
                    shape,
                    about,
                    tallies: tallies.iter().map(|run| run[index].clone()).collect(),
                })
                .collect(),
            portfolio: portfolio.map(|about| ShardPortfolio {
                about,
                weeks: weeks.clone(),
            }),
        });
    }
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

    if let Err(code) = within_bounds(&reports) {
        return code;
    }
    if let Err(code) = within_portfolio_bound(report.portfolio.as_ref()) {
        return code;
    }
    if input::findings(&errors) == 0 {
        exit::CLEAN
    } else {
        exit::FINDINGS
    }
}

/// A schema cap as written: `cap 5 messages per 7d`.
fn cap_words(cap: &crate::plan::Cap) -> String {
    format!(
        "cap {} {} per {}",
        cap.count,
        cap.channel.as_deref().unwrap_or("messages"),
        crate::check::flow::show_minutes(cap.per_minutes)
    )
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

/// `YYYY-MM-DD` as midnight UTC.
pub(super) fn start_of(text: &str) -> Option<i64> {
    let date: jiff::civil::Date = text.trim().parse().ok()?;
    let at = date.to_zoned(jiff::tz::TimeZone::UTC).ok()?;
    Some(at.timestamp().as_second())
}

/// The end of a run whose customers could not be read to the end.
fn failed(name: &str, failure: Failure) -> i32 {
    match failure {
        Failure::Io(error) if input::bad_parquet(&error).is_some() => {
            if let Some(row) = input::bad_parquet(&error) {
                report_rows(std::slice::from_ref(row));
            }
            complain(&format!("`{name}` cannot be read to the end"));
            exit::FINDINGS
        }
        Failure::Io(error) => {
            complain(&format!("cannot read `{name}`: {}", files::plain(&error)));
            exit::TROUBLE
        }
        Failure::NotUtf8 => {
            complain(&format!("`{name}` is not UTF-8 text"));
            exit::FINDINGS
        }
        Failure::Stopped => {
            complain("internal: a simulating thread stopped; please report this");
            exit::TROUBLE
        }
    }
}

pub(super) fn report_rows(bad: &[RowError]) {
    for row in bad {
        super::tell(&row.to_string());
    }
}
