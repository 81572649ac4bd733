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
use crate::run::replay::replay;
use std::collections::BTreeMap;
use std::io::Write;

pub fn run(args: &ReplayArgs) -> i32 {
    let is_plan = args.program.extension().is_some_and(|e| e == "json");
    let (plan, schema) = if is_plan {
        let text = match files::read_data_text(&args.program) {
            Ok(text) => text,
            Err(code) => return code,
        };
        match crate::plan::load(&text) {
            Ok(plan) => (plan, schema_for_plan(args)),
            Err(error) => {
                complain(&format!(
                    "`{}` is not a plan nurture can run: {error}",
                    args.program.display()
                ));
                return exit::FINDINGS;
            }
        }
    } else {
        match super::compile::checked_plan(&args.program, args.schema.as_deref()) {
            Ok(compiled) => compiled,
            Err(code) => return code,
        }
    };

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
    let read = crate::plan::attributes_read(&plan, schema.as_ref())
        .into_iter()
        .map(|attribute| (attribute, plan.program.clone()))
        .collect();
    let missing = input::missing_attributes(&customers_file, &customers_text, format, &read);
    if !missing.is_empty() {
        report_rows(&missing);
        complain("nothing was replayed: the customers lack what the program reads");
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
            "{} bad row(s); nothing was replayed (--strict)",
            input::findings(&bad)
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

    let result = replay(&plan, args.seed, customers, &events, until);
    let mut out = String::new();
    for action in &result.actions {
        out.push_str(&input::action_line(action));
        out.push('\n');
    }
    print(&out);
    let mut summary = summary(&plan, &result);
    if duplicates > 0 {
        summary.push_str(&format!(
            "{duplicates} duplicate event(s) in `{events_file}` (an `id` the customer already had) were dropped\n"
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
            "{} event(s) for customers not in `{customers_file}` were ignored\n",
            result.unknown_customers.len()
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

/// For a compiled plan, the schema only types the input files.
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

fn summary(plan: &Plan, result: &crate::run::replay::Replay) -> String {
    let mut outcomes: BTreeMap<&str, usize> = BTreeMap::new();
    let (mut entered, mut inside) = (0, 0);
    for (_, journey) in result.customers.values() {
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
        "program `{}`: {} customers, {entered} entered, {inside} still in, {} actions\n",
        plan.program,
        result.customers.len(),
        result.actions.len()
    );
    for (outcome, count) in outcomes {
        text.push_str(&format!("  left as {outcome}: {count}\n"));
    }
    text
}
