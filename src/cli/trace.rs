//! `simulate --trace ID` and `--trace-where CONDITION [--limit N]`: the
//! journeys of one customer, or of the first customers in the file whose
//! journey matches, moment by moment, instead of the report.

use super::args::ReportFormat;
use super::simulate::report_rows;
use super::{complain, exit, print};
use crate::diagnostic::Diagnostic;
use crate::render::FileReport;
use crate::render::human::{self, HumanOptions};
use crate::render::trace::{self, Traced};
use crate::run::Customer;
use crate::run::input::{self, Format};
use crate::sim::behavior::Behavior;
use crate::sim::engine::{Scratch, Subject, TraceLine, Window, simulate_one};
use crate::sim::pick::{Pick, Summary};
use crate::sim::setup::Setup;
use crate::sim::tally::Tally;
use crate::sim::together::{Lineup, trace_together};
use crate::sim::zone::Zones;
use crate::syntax::ast::Schema;
use std::io::{IsTerminal, Write};

pub(super) struct Inputs<'i> {
    pub setups: &'i [Setup<'i>],
    pub model: &'i Behavior,
    pub seed: u64,
    pub window: Window,
    pub customers_name: &'i str,
    pub customers_text: &'i str,
    pub format: Format,
    pub schema: Option<&'i Schema>,
    pub output: ReportFormat,
    /// Programs run together: the trace follows the one run of them all.
    pub lineup: Option<&'i Lineup<'i, 'i>>,
}

/// One customer's journey through one program: its trace, and its counts.
fn simulate(
    inputs: &Inputs,
    index: usize,
    customer: &Customer,
    zones: &mut Zones,
) -> (Vec<TraceLine>, Tally) {
    let setup = &inputs.setups[index];
    let zone = zones.get(customer.time_zone.as_deref());
    let mut subject = Subject::new(customer.clone(), zone);
    let mut lines = Vec::new();
    let mut scratch = Scratch::new();
    let mut tally = Tally::new(setup);
    simulate_one(
        setup,
        inputs.model,
        inputs.seed,
        inputs.window,
        index,
        &mut subject,
        &mut scratch,
        &mut tally,
        Some(&mut lines),
    );
    (lines, tally)
}

/// One customer through every program run together: the trace, each
/// line's program, and each program's counts.
fn simulate_together(
    inputs: &Inputs,
    lineup: &Lineup,
    customer: &Customer,
    zones: &mut Zones,
) -> (Found, Vec<Tally>) {
    let zone = zones.get(customer.time_zone.as_deref());
    let mut subject = Subject::new(customer.clone(), zone);
    let mut tallies: Vec<Tally> = inputs.setups.iter().map(Tally::new).collect();
    let traced = trace_together(
        lineup,
        inputs.model,
        inputs.seed,
        inputs.window,
        &mut subject,
        &mut tallies,
    );
    let (by, lines) = traced.into_iter().map(|l| (l.program, l.line)).unzip();
    let found = Found {
        customer: customer.clone(),
        program: 0,
        lines,
        by: Some(by),
    };
    (found, tallies)
}

struct Found {
    customer: Customer,
    program: usize,
    lines: Vec<TraceLine>,
    /// Programs run together: each line's program (an index into the
    /// setups), `None` for an event.
    by: Option<Vec<Option<usize>>>,
}

fn show(inputs: &Inputs, found: &[Found]) {
    let mut zones = Zones::default();
    let zones: Vec<_> = found
        .iter()
        .map(|f| zones.get(f.customer.time_zone.as_deref()))
        .collect();
    let name = |i: usize| inputs.setups[i].plan.program.as_str();
    let by: Vec<Option<Vec<Option<&str>>>> = found
        .iter()
        .map(|f| {
            f.by.as_ref()
                .map(|by| by.iter().map(|p| p.map(name)).collect())
        })
        .collect();
    let all = inputs
        .lineup
        .map(|lineup| lineup.names().join(", "))
        .unwrap_or_default();
    let traced: Vec<Traced> = found
        .iter()
        .zip(&zones)
        .zip(&by)
        .map(|((f, zone), by)| Traced {
            customer: &f.customer.id,
            zone_name: f.customer.time_zone.as_deref(),
            zone: zone.time_zone(),
            program: if by.is_some() { &all } else { name(f.program) },
            lines: &f.lines,
            by: by.as_deref(),
        })
        .collect();
    print(&match inputs.output {
        // Customer ids, properties and the names in a plan are the user's.
        ReportFormat::Human => crate::printable::printable(&trace::human(&traced)).into_owned(),
        ReportFormat::Json => trace::json(&traced),
    });
}

/// `--trace ID`: that customer in every program.
pub(super) fn one(inputs: &Inputs, id: &str) -> i32 {
    let mut customer = None;
    let errors = input::read_customers_each(
        inputs.customers_name,
        inputs.customers_text,
        inputs.format,
        inputs.schema,
        None,
        &mut |c| {
            if customer.is_none() && c.id == id {
                customer = Some(c);
            }
        },
    );
    let Some(customer) = customer else {
        report_rows(&errors);
        complain(&format!(
            "`{}` has no customer `{id}`",
            inputs.customers_name
        ));
        return exit::FINDINGS;
    };
    let mut zones = Zones::default();
    if let Some(lineup) = inputs.lineup {
        let (found, _) = simulate_together(inputs, lineup, &customer, &mut zones);
        show(inputs, &[found]);
        return exit::CLEAN;
    }
    let found: Vec<Found> = (0..inputs.setups.len())
        .map(|program| Found {
            lines: simulate(inputs, program, &customer, &mut zones).0,
            customer: customer.clone(),
            program,
            by: None,
        })
        .collect();
    show(inputs, &found);
    exit::CLEAN
}

/// The condition's problems, shown as a file's are (the condition is the
/// source), on stderr; a usage error.
fn condition_problems(condition: &str, diagnostics: Vec<Diagnostic>) -> i32 {
    let report = FileReport {
        path: "--trace-where".to_string(),
        source: condition.to_string(),
        diagnostics,
    };
    let options = HumanOptions {
        color: std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        width: 100,
    };
    let _ = std::io::stderr()
        .lock()
        .write_all(human::render(&report, &options).as_bytes());
    exit::TROUBLE
}

/// `--trace-where CONDITION`: the first `limit` journeys, in file order,
/// whose customer matches.
pub(super) fn matching(inputs: &Inputs, condition: &str, limit: u64) -> i32 {
    let pick = match Pick::parse(condition) {
        Ok(pick) => pick,
        Err(problems) => return condition_problems(condition, problems),
    };
    let unknown = pick.unknown_names(inputs.setups);
    if !unknown.is_empty() {
        return condition_problems(condition, unknown);
    }
    let mut found: Vec<Found> = Vec::new();
    let mut read = 0u64;
    let mut zones = Zones::default();
    // Customers are read to the end (a bad row is still reported), but
    // simulated only until enough are found.
    let errors = input::read_customers_each(
        inputs.customers_name,
        inputs.customers_text,
        inputs.format,
        inputs.schema,
        None,
        &mut |customer| {
            if found.len() as u64 >= limit {
                return;
            }
            read += 1;
            if let Some(lineup) = inputs.lineup {
                // Together: the customer's one run, when the journey of
                // some program matches.
                let (traced, tallies) = simulate_together(inputs, lineup, &customer, &mut zones);
                let matched = inputs
                    .setups
                    .iter()
                    .zip(&tallies)
                    .any(|(setup, tally)| pick.matches(&Summary::new(setup, tally)));
                if matched {
                    found.push(traced);
                }
                return;
            }
            for program in 0..inputs.setups.len() {
                if found.len() as u64 >= limit {
                    break;
                }
                let (lines, tally) = simulate(inputs, program, &customer, &mut zones);
                if pick.matches(&Summary::new(&inputs.setups[program], &tally)) {
                    found.push(Found {
                        customer: customer.clone(),
                        program,
                        lines,
                        by: None,
                    });
                }
            }
        },
    );
    report_rows(&errors);
    if found.is_empty() {
        complain(&format!(
            "no customer of the {read} in `{}` matches `{condition}`",
            inputs.customers_name
        ));
        return exit::FINDINGS;
    }
    show(inputs, &found);
    exit::CLEAN
}
