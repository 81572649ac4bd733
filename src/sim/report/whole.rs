//! The report of a whole run from its counts: what `nurture simulate`
//! prints, and what `nurture merge` makes of the counts of shards, by the
//! same function, so the two cannot differ.

use super::{About, FORMAT_VERSION, ProgramReport, Report, Shape, program_report, runs_report};
use crate::sim::engine::MAX_EVENTS;
use crate::sim::tally::Tally;

/// What a report says of the run as a whole.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    pub seed: u64,
    pub start: String,
    pub end: String,
    pub days: u64,
    pub customers_file: String,
    pub behavior_file: String,
    pub skipped_rows: usize,
    pub runs: u64,
    /// Notes on the inputs (the bundled model with another schema).
    pub notes: Vec<String>,
}

/// The report of `run` for `programs`, from their counts `[run][program]`;
/// also each run's reports, `[run][program]`.
pub fn whole(
    run: &Run,
    programs: &[(Shape, About)],
    tallies: &[Vec<Tally>],
) -> (Report, Vec<Vec<ProgramReport>>) {
    let reports: Vec<Vec<ProgramReport>> = tallies
        .iter()
        .map(|counts| {
            programs
                .iter()
                .zip(counts)
                .map(|((shape, about), tally)| program_report(shape, tally, about))
                .collect()
        })
        .collect();
    let mut first: Vec<ProgramReport> = reports.first().cloned().unwrap_or_default();
    if run.runs > 1 {
        for (index, program) in first.iter_mut().enumerate() {
            let across: Vec<ProgramReport> = reports
                .iter()
                .filter_map(|r| r.get(index).cloned())
                .collect();
            program.runs = Some(runs_report(&across, run.seed));
        }
    }
    let mut notes = run.notes.clone();
    for program in &first {
        if program.capped_customers > 0 {
            notes.push(format!(
                "{} in `{}` did more than the {MAX_EVENTS} things the simulator follows for one customer; their simulation stopped there (is a background rate too high?)",
                if program.capped_customers == 1 {
                    "1 customer".to_string()
                } else {
                    format!("{} customers", program.capped_customers)
                },
                program.program
            ));
        }
    }
    let report = Report {
        format_version: FORMAT_VERSION,
        seed: run.seed,
        start: run.start.clone(),
        end: run.end.clone(),
        days: run.days,
        customers_file: run.customers_file.clone(),
        behavior_file: run.behavior_file.clone(),
        skipped_rows: run.skipped_rows,
        runs: run.runs,
        notes,
        programs: first,
        shard: None,
        portfolio: None,
    };
    (report, reports)
}
