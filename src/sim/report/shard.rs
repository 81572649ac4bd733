//! A shard's counts in its report, and `nurture merge`: the reports of the
//! shards of one run (`simulate --shard I/N`, one machine each) added into
//! the report of the whole run, byte for byte what one machine would have
//! printed.
//!
//! A shard's report is a report of its own customers, with the block
//! `shard`: its place among the shards, what must be the same in every
//! shard of a run (the nurture that simulated it, the seed, the days, the
//! programs and their digests, the behaviour model's digest, the customers
//! file's size and digest: the data, wherever each shard read it from), and
//! the raw counts of each program and run. Counts
//! are whole numbers and adding them does not depend on order, so the sum
//! of the shards' counts is the whole run's; the report is then made from
//! them by the function `nurture simulate` uses (`whole.rs`).

use super::{About, FORMAT_VERSION, ProgramReport, Report, Run, Shape, whole};
use crate::sim::tally::Tally;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The block `shard` of a shard's report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ShardReport {
    /// This shard, from 0: `I` of `--shard I/N`.
    pub index: u32,
    /// `N`: how many shards the run has.
    pub count: u32,
    /// The version of nurture that simulated it.
    pub nurture: String,
    /// `sha256:` and the hex SHA-256 of the behaviour model's text.
    pub behavior_digest: String,
    /// The size of the customers file in bytes: every shard reads the
    /// whole file and keeps its own customers.
    pub customers_bytes: u64,
    /// `sha256:` and the hex SHA-256 of the customers file's bytes: what
    /// identifies the data, wherever each shard read it from (empty in a
    /// report of an older nurture, whose shards are compared by the file's
    /// path and size).
    #[serde(default)]
    pub customers_digest: String,
    /// The run's notes on its inputs, before those on its counts.
    pub notes: Vec<String>,
    pub programs: Vec<ShardProgram>,
    /// Only when the programs ran together: the portfolio and its counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub portfolio: Option<ShardPortfolio>,
}

/// The portfolio of a shard run together: what its report needs, and its
/// counts per run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ShardPortfolio {
    pub about: super::PortfolioAbout,
    /// Per run (`--runs`), in seed order.
    pub weeks: Vec<crate::sim::together::WeekTally>,
}

/// One program of a shard: what its report needs, and its counts per run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ShardProgram {
    pub shape: Shape,
    pub about: About,
    /// Per run (`--runs`), in seed order.
    pub tallies: Vec<Tally>,
}

/// What `nurture merge` reads of a report.
#[derive(Clone, Debug, Deserialize)]
pub struct ShardFile {
    pub format_version: u32,
    pub seed: u64,
    pub start: String,
    pub end: String,
    pub days: u64,
    pub customers_file: String,
    pub behavior_file: String,
    pub skipped_rows: usize,
    pub runs: u64,
    pub shard: Option<ShardReport>,
}

/// The whole run's report from its shards' reports, (file name, report);
/// also each run's reports, `[run][program]`. Refused, in words, when they
/// are not every shard of one run.
pub fn merge(files: &[(String, ShardFile)]) -> Result<(Report, Vec<Vec<ProgramReport>>), String> {
    let Some((first_name, first)) = files.first() else {
        return Err("name the reports of the shards to merge".into());
    };
    let mut shards = Vec::new();
    for (name, file) in files {
        if file.format_version != FORMAT_VERSION {
            return Err(format!(
                "`{name}` is a report of format_version {}; this nurture reads {FORMAT_VERSION}",
                file.format_version
            ));
        }
        match &file.shard {
            Some(shard) => shards.push((name.as_str(), file, shard)),
            None => {
                return Err(format!(
                    "`{name}` is not the report of a shard: make each with `nurture simulate … --shard I/N --output-format json`"
                ));
            }
        }
    }
    for &(name, _, shard) in &shards {
        if shard.count > MOST_SHARDS {
            return Err(format!(
                "`{name}` says the run has {} shards; nurture merges at most {MOST_SHARDS}",
                shard.count
            ));
        }
        if shard
            .programs
            .iter()
            .flat_map(|p| &p.tallies)
            .any(too_large)
        {
            return Err(format!(
                "`{name}` holds a count larger than any run makes (2^48): it is not the report `simulate` wrote"
            ));
        }
    }
    let (_, _, one) = shards[0];
    for &(name, file, shard) in &shards[1..] {
        let differ = |what: &str, mine: String, theirs: String| {
            Err(format!(
                "`{name}` and `{first_name}` are not shards of one run: {what} is {mine} in `{name}` and {theirs} in `{first_name}`"
            ))
        };
        if shard.nurture != one.nurture {
            return differ(
                "the version of nurture",
                shard.nurture.clone(),
                one.nurture.clone(),
            );
        }
        if shard.count != one.count {
            return differ(
                "the number of shards",
                shard.count.to_string(),
                one.count.to_string(),
            );
        }
        let same = [
            ("the seed", file.seed.to_string(), first.seed.to_string()),
            (
                "the number of runs",
                file.runs.to_string(),
                first.runs.to_string(),
            ),
            ("the start", file.start.clone(), first.start.clone()),
            ("the end", file.end.clone(), first.end.clone()),
            // The data, not where it was read from: shards of a CI
            // matrix read the same file from folders of their own.
            (
                "the size of the customers file",
                format!("{} bytes", shard.customers_bytes),
                format!("{} bytes", one.customers_bytes),
            ),
            if shard.customers_digest.is_empty() || one.customers_digest.is_empty() {
                (
                    "the customers file",
                    quoted(&file.customers_file),
                    quoted(&first.customers_file),
                )
            } else {
                (
                    "the customers file's digest (its bytes)",
                    shard.customers_digest.clone(),
                    one.customers_digest.clone(),
                )
            },
            (
                "the behaviour model's digest",
                shard.behavior_digest.clone(),
                one.behavior_digest.clone(),
            ),
            ("the programs", programs(shard), programs(one)),
            (
                "the portfolio",
                portfolio_words(shard),
                portfolio_words(one),
            ),
        ];
        for (what, mine, theirs) in same {
            if mine != theirs {
                return differ(what, mine, theirs);
            }
        }
    }
    let count = one.count;
    let mut seen: Vec<Option<&str>> = vec![None; count as usize];
    for &(name, _, shard) in &shards {
        match seen.get_mut(shard.index as usize) {
            Some(Some(earlier)) => {
                return Err(format!(
                    "shard {}/{count} is given twice, in `{earlier}` and `{name}`",
                    shard.index
                ));
            }
            Some(place) => *place = Some(name),
            None => {
                return Err(format!(
                    "`{name}` says it is shard {}/{count}, which cannot be",
                    shard.index
                ));
            }
        }
    }
    let missing: Vec<String> = seen
        .iter()
        .enumerate()
        .filter(|(_, name)| name.is_none())
        .map(|(index, _)| format!("{index}/{count}"))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "shard{} {} {} missing: the whole run's report needs every shard",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", "),
            if missing.len() == 1 { "is" } else { "are" }
        ));
    }

    let runs = one.programs.first().map_or(0, |p| p.tallies.len());
    let mut tallies: Vec<Vec<Tally>> = (0..runs)
        .map(|run| {
            one.programs
                .iter()
                .map(|p| p.tallies.get(run).cloned().unwrap_or_default())
                .collect()
        })
        .collect();
    for &(name, _, shard) in &shards[1..] {
        for (index, program) in shard.programs.iter().enumerate() {
            if program.tallies.len() != runs {
                return Err(format!(
                    "`{name}` has counts of {} runs, not {runs}",
                    program.tallies.len()
                ));
            }
            for (run, tally) in program.tallies.iter().enumerate() {
                tallies[run][index].merge(tally);
            }
        }
    }
    let run = Run {
        seed: first.seed,
        start: first.start.clone(),
        end: first.end.clone(),
        days: first.days,
        customers_file: first.customers_file.clone(),
        behavior_file: first.behavior_file.clone(),
        skipped_rows: shards.iter().map(|(_, file, _)| file.skipped_rows).sum(),
        runs: first.runs,
        notes: one.notes.clone(),
    };
    let programs: Vec<(Shape, About)> = one
        .programs
        .iter()
        .map(|p| (p.shape.clone(), p.about.clone()))
        .collect();
    let (mut report, reports) = whole(&run, &programs, &tallies);
    if let Some(portfolio) = &one.portfolio {
        let mut week = crate::sim::together::WeekTally::default();
        for &(name, _, shard) in &shards {
            let Some(theirs) = shard.portfolio.as_ref() else {
                continue;
            };
            if theirs.weeks.len() != runs {
                return Err(format!(
                    "`{name}` has portfolio counts of {} runs, not {runs}",
                    theirs.weeks.len()
                ));
            }
            if let Some(first_run) = theirs.weeks.first() {
                if first_run.customers > LARGEST_COUNT
                    || first_run.messages > LARGEST_COUNT
                    || first_run.busiest.iter().any(|&c| c > LARGEST_COUNT)
                {
                    return Err(format!(
                        "`{name}` holds a count larger than any run makes (2^48): it is not the report `simulate` wrote"
                    ));
                }
                week.merge(first_run);
            }
        }
        report.portfolio = Some(super::portfolio_report(&portfolio.about, &week, first.days));
    }
    Ok((report, reports))
}

/// A shard's portfolio, as a message names it: side by side, or the
/// programs' line-up run together.
fn portfolio_words(shard: &ShardReport) -> String {
    match &shard.portfolio {
        None => "side by side".to_string(),
        Some(portfolio) => format!("together ({})", portfolio.about.lineup.join(", ")),
    }
}

/// The most shards merged, and the largest count a shard's report may
/// hold: 2^16 counts of at most 2^48 add up to less than 2^64, so adding
/// never overflows, whatever a hand-edited report says.
pub const MOST_SHARDS: u32 = 1 << 16;
const LARGEST_COUNT: u64 = 1 << 48;

fn too_large(tally: &Tally) -> bool {
    fn any(value: &serde_json::Value) -> bool {
        match value {
            serde_json::Value::Number(n) => n.as_u64().is_none_or(|n| n > LARGEST_COUNT),
            serde_json::Value::Array(items) => items.iter().any(any),
            serde_json::Value::Object(map) => map.values().any(any),
            _ => false,
        }
    }
    // A tally is whole numbers in lists and maps; one that does not turn
    // into JSON is no report's.
    serde_json::to_value(tally).map_or(true, |value| any(&value))
}

fn quoted(text: &str) -> String {
    format!("`{text}`")
}

/// The programs of a shard, as a message names them.
fn programs(shard: &ShardReport) -> String {
    shard
        .programs
        .iter()
        .map(|p| {
            // By name and digest: the same program read from another
            // folder is the same program.
            format!("`{}` ({})", p.shape.program, p.shape.digest)
        })
        .collect::<Vec<_>>()
        .join(", ")
}
