//! `nurture replay PROGRAM --customers FILE --events FILE`: run real or
//! sample events through a program, and print what it would do.
//!
//! The actions go to stdout as JSON Lines, in time order; the summary of
//! where every customer ended goes to stderr, so that stdout stays one JSON
//! document per line.

use super::args::ReplayArgs;
use super::{complain, exit, files, print};
use crate::plan::Plan;
use crate::run::Status;
use crate::run::input::{self, RowError};
use crate::run::replay::{Portfolio, replay_together};
use std::collections::BTreeMap;
use std::io::Write;

pub fn run(args: &ReplayArgs) -> i32 {
    let (plans, schema) = match plans(args) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let caps = schema
        .as_ref()
        .map(crate::run::portfolio::schema_caps)
        .unwrap_or_default();

    let (customers_text, format) = match files::customers_text(&args.customers, schema.as_ref()) {
        Ok(read) => read,
        Err(code) => return code,
    };
    let events_text = match files::read_data_text(&args.events) {
        Ok(text) => text,
        Err(code) => return code,
    };
    let customers_file = args.customers.display().to_string();
    let events_file = args.events.display().to_string();
    // An attribute the program reads that the file lacks would make every
    // condition on it fail: said before the run, not found as "0 entered".
    let mut read = BTreeMap::new();
    for plan in &plans {
        for attribute in crate::plan::attributes_read(plan, schema.as_ref()) {
            read.entry(attribute)
                .or_insert_with(|| plan.program.clone());
        }
    }
    let missing = input::missing_attributes(&customers_file, &customers_text, format, &read);
    if !missing.is_empty() {
        report_rows(&missing);
        let what = if plans.len() == 1 {
            "the program reads"
        } else {
            "the programs read"
        };
        complain(&format!(
            "nothing was replayed: the customers lack what {what}"
        ));
        return exit::FINDINGS;
    }
    let (customers, mut bad) =
        input::read_customers(&customers_file, &customers_text, format, schema.as_ref());
    let read = input::read_events_counted(&events_file, &events_text, schema.as_ref());
    let (events, duplicates) = (read.events, read.duplicates);
    bad.extend(read.errors);
    report_rows(&bad);
    if args.strict && input::findings(&bad) > 0 {
        complain(&format!(
            "{}; nothing was replayed (--strict)",
            counted(input::findings(&bad) as u64, "bad row", "bad rows")
        ));
        return exit::FINDINGS;
    }
    let until = match &args.until {
        Some(text) => match input::parse_time(text) {
            Some(at) => Some(at),
            None => {
                let why = input::time_problem(text)
                    .filter(|why| !why.starts_with("a date like"))
                    .map_or_else(String::new, |why| format!(": {why}"));
                complain(&format!(
                    "`--until {text}` is not a time like 2026-06-30T00:00:00Z{why}"
                ));
                return exit::TROUBLE;
            }
        },
        None => None,
    };

    let together: Vec<&Plan> = plans.iter().collect();
    let result = replay_together(&together, &caps, args.seed, customers, &events, until);
    let mut out = String::new();
    for (_, action) in &result.actions {
        out.push_str(&input::action_line(action));
        out.push('\n');
    }
    print(&out);
    let mut summary = String::new();
    for (i, plan) in plans.iter().enumerate() {
        summary.push_str(&self::summary(plan, i, &result));
    }
    if duplicates > 0 {
        summary.push_str(&format!(
            "{} in `{events_file}` (an `id` the customer already had) {} dropped\n",
            counted(duplicates as u64, "duplicate event", "duplicate events"),
            if duplicates == 1 { "was" } else { "were" }
        ));
    }
    if let (Some(until), Some(text)) = (until, &args.until) {
        // The clock stops at --until; what came later is not replayed, and
        // is counted so that nobody mistakes a cut run for a whole one.
        let later = events
            .iter()
            .filter(|e| e.at > until && result.customers.contains_key(&e.customer))
            .count();
        if later > 0 {
            let noun = if later == 1 { "event" } else { "events" };
            summary.push_str(&format!(
                "{later} {noun} after --until {} were not replayed\n",
                text.trim()
            ));
        }
    }
    if !result.unknown_customers.is_empty() {
        summary.push_str(&format!(
            "{} for customers not in `{customers_file}` {} ignored\n",
            counted(result.unknown_customers.len() as u64, "event", "events"),
            if result.unknown_customers.len() == 1 {
                "was"
            } else {
                "were"
            }
        ));
    }
    // A plan written by hand can name its program anything.
    let summary = crate::printable::printable(&summary);
    let _ = std::io::stderr().lock().write_all(summary.as_bytes());
    if input::findings(&bad) == 0 {
        exit::CLEAN
    } else {
        exit::FINDINGS
    }
}

/// The plans to replay, in the order given (a folder's programs in file
/// order), and the schema: the one the programs were checked against, or
/// `--schema` for compiled plans alone. Problems are told on stderr; the
/// exit code to end with.
fn plans(args: &ReplayArgs) -> Result<(Vec<Plan>, Option<crate::syntax::ast::Schema>), i32> {
    let mut plans = Vec::new();
    let mut sources = Vec::new();
    let mut worst = exit::CLEAN;
    for path in &args.programs {
        if path.extension().is_none_or(|e| e != "json") {
            sources.push(path.clone());
            continue;
        }
        let text = files::read_data_text(path)?;
        match crate::plan::load(&text) {
            Ok(plan) => plans.push(plan),
            Err(error) => {
                complain(&format!(
                    "`{}` is not a plan nurture can run: {error}",
                    path.display()
                ));
                worst = worst.max(exit::FINDINGS);
            }
        }
    }
    let mut schema = None;
    if !sources.is_empty() {
        match super::serve::programs(&sources, args.schema.as_deref()) {
            Ok((compiled, found)) => {
                plans.extend(compiled);
                schema = found;
            }
            Err(code) => worst = worst.max(code),
        }
    }
    if worst != exit::CLEAN {
        return Err(worst);
    }
    let mut names = std::collections::BTreeSet::new();
    for plan in &plans {
        if !names.insert(plan.program.as_str()) {
            complain(&format!(
                "program `{}` is given twice; each program runs once",
                crate::printable::printable(&plan.program)
            ));
            return Err(exit::FINDINGS);
        }
    }
    if plans.is_empty() {
        complain("no programs to replay: name program files, folders that hold them, or plans");
        return Err(exit::TROUBLE);
    }
    Ok((plans, schema.or_else(|| schema_for_plan(args))))
}

/// For compiled plans, the schema types the input files and gives the
/// caps across programs.
fn schema_for_plan(args: &ReplayArgs) -> Option<crate::syntax::ast::Schema> {
    let path = args.schema.as_ref()?;
    let text = std::fs::read_to_string(path).ok()?;
    crate::syntax::parse(&text).schema
}

fn report_rows(bad: &[RowError]) {
    for row in bad {
        super::tell(&row.to_string());
    }
}

fn summary(plan: &Plan, index: usize, result: &Portfolio) -> String {
    let mut outcomes: BTreeMap<&str, usize> = BTreeMap::new();
    let (mut entered, mut inside) = (0, 0);
    let journeys = result
        .customers
        .values()
        .filter_map(|(_, journeys)| journeys.get(index));
    let actions = result.actions.iter().filter(|(i, _)| *i == index).count();
    for journey in journeys {
        if journey.entries > 0 {
            entered += 1;
        }
        match journey.status {
            Status::In => inside += 1,
            Status::Left => {
                *outcomes
                    .entry(journey.outcome().unwrap_or("?"))
                    .or_default() += 1
            }
            Status::Out => {}
        }
    }
    let mut text = format!(
        "program `{}`: {}, {entered} entered, {inside} still in, {}\n",
        plan.program,
        counted(result.customers.len() as u64, "customer", "customers"),
        counted(actions as u64, "action", "actions")
    );
    for (outcome, count) in outcomes {
        text.push_str(&format!("  left as {outcome}: {count}\n"));
    }
    text
}

/// A count and the word for it, the number as written (`1 customer`,
/// `1000 customers`), as replay's summary has always given it.
fn counted(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
