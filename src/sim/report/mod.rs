//! The simulation report: plain data, serialised as stable JSON
//! (`format_version` 1) and rendered for people by `render::simulation`.
//!
//! Every figure is computed from whole-number counts at the end, and
//! fractions are rounded to four places, so the same counts give the same
//! bytes on every machine.

use super::setup::Setup;
use super::tally::Tally;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

mod portfolio;
mod runs;
mod schema;
pub mod shard;
mod whole;

pub use portfolio::{PortfolioAbout, PortfolioReport, WeekReport, portfolio_report};
pub use runs::{RunsReport, Spread, runs_report};
pub use schema::json_schema;
pub use shard::ShardReport;
pub use whole::{Run, whole};

pub const FORMAT_VERSION: u32 = 1;

/// z for a two-sided 95% interval.
pub(crate) const Z95: f64 = 1.959_963_984_540_054;

#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct Report {
    pub format_version: u32,
    pub seed: u64,
    /// RFC 3339.
    pub start: String,
    pub end: String,
    pub days: u64,
    pub customers_file: String,
    pub behavior_file: String,
    /// Rows of the customers file skipped for a problem.
    pub skipped_rows: usize,
    /// How many times the simulation was run, with the seeds `seed`,
    /// `seed + 1`, …; every figure outside `runs` is the first run's.
    pub runs: u64,
    /// What the reader should know about the inputs: parts of the bundled
    /// behaviour model the schema does not declare, customers cut short.
    pub notes: Vec<String>,
    pub programs: Vec<ProgramReport>,
    /// Only in the report of one shard (`--shard I/N`): its counts, for
    /// `nurture merge` to add into the whole run's report.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shard: Option<ShardReport>,
    /// Only when the programs ran together (`nurture simulate programs/`):
    /// messages per customer per week across them all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub portfolio: Option<PortfolioReport>,
}

#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct ProgramReport {
    pub program: String,
    pub file: String,
    pub digest: String,
    pub customers: u64,
    /// How many customers got how far into the program: the gate that
    /// stopped them when nobody entered.
    pub entry: EntryReport,
    /// Journeys begun: a customer who enters twice counts twice.
    pub entered: Entered,
    pub steps: Vec<StepReport>,
    /// Moves between steps and to exits: `from` is `entry` or a step, `to`
    /// a step or `exit:OUTCOME`.
    pub flow: Vec<FlowReport>,
    /// How treated journeys ended; the holdout's are in `goal`.
    pub outcomes: Vec<OutcomeReport>,
    pub messages: MessagesReport,
    pub held_back: HeldBack,
    pub goal: Option<GoalReport>,
    /// Interpreter calls (one per timer or event per customer) and the
    /// actions they took.
    pub transitions: u64,
    pub actions: u64,
    /// Customers who did more than the simulator follows for one customer
    /// (10,000 events), whose simulation was cut short there.
    pub capped_customers: u64,
    /// With `--runs` above 1: each figure across the runs.
    pub runs: Option<RunsReport>,
}

/// The entry funnel, in customers: read → a trigger matched while they
/// could enter → in the audience then → with the consent the entry asks
/// for, and so entered (treated or in the holdout; see `entered` for the
/// journeys).
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct EntryReport {
    pub customers_read: u64,
    pub matched_a_trigger: u64,
    /// Each trigger as written, with the customers it matched (a customer
    /// matched by two triggers counts in both).
    pub triggers: Vec<TriggerReport>,
    /// null when the program has no `audience`: everyone is in it.
    pub audience: Option<String>,
    pub in_audience: u64,
    /// The channels the entry asks consent for (`consent email`).
    pub consent: Vec<String>,
    pub entered: u64,
    /// The first gate nobody passed: `group` (every customer an input its
    /// triggers wait for reached was then in another program of its group),
    /// `trigger`, `audience` or `consent`; null when someone entered.
    pub stopped_at: Option<String>,
    /// Programs run together: the customers its `group` kept out, because
    /// another program of the group had them when an input its triggers
    /// wait for came (an event a trigger names, a clock trigger come due, a
    /// hand-off's change); absent when the group kept no one out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub held_by_group: Option<HeldReport>,
}

/// The customers a program's group kept out, and which program had them.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct HeldReport {
    pub customers: u64,
    /// The programs of the group that had them, most first (a customer
    /// held by two counts in both).
    pub by: Vec<HeldBy>,
}

#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct HeldBy {
    pub program: String,
    pub customers: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct TriggerReport {
    pub trigger: String,
    pub customers: u64,
    /// Why it may never match, when the simulator can tell: the behaviour
    /// model never has a customer do the event it waits for.
    pub note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct Entered {
    pub treated: u64,
    pub holdout: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct StepReport {
    pub step: String,
    pub entered: u64,
    /// Messages sent from the step, per channel.
    pub sent: BTreeMap<String, u64>,
    /// Moved on from the step's wait by an event it waited for.
    pub answered: u64,
    pub moved_on: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct FlowReport {
    pub from: String,
    pub to: String,
    pub count: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct OutcomeReport {
    /// An outcome, or `still in` for journeys going on at the end.
    pub outcome: String,
    pub journeys: u64,
    /// Of all treated journeys.
    pub share: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct MessagesReport {
    pub total: u64,
    pub per_channel: BTreeMap<String, u64>,
    /// Per treated journey.
    pub mean: f64,
    pub p95: u64,
    pub max: u64,
    /// The most the checker proved a journey can get (`nurture check
    /// --summary`); null when unbounded.
    pub bound: Option<u64>,
    /// Messages sent on each day of the simulation, per channel: what the
    /// sending system would see.
    pub per_day: BTreeMap<String, Vec<u64>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct HeldBack {
    /// Sends held for quiet hours or outside a send window, sent later
    /// (one count for both; the name is kept from before send windows).
    pub deferred_for_quiet_hours: u64,
    pub skipped_for_cap: u64,
    pub skipped_without_consent: u64,
    pub skipped_by_guard: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct GoalReport {
    pub event: String,
    pub within_minutes: u64,
    pub treated: Rate,
    pub holdout: Rate,
    /// Treated rate minus holdout rate, with a 95% interval (Newcombe's
    /// hybrid score method); null without holdout journeys.
    pub lift: Option<Lift>,
    /// Minutes from entering to the goal, over treated journeys that got
    /// there.
    pub median_minutes_to_goal: Option<u64>,
    pub p90_minutes_to_goal: Option<u64>,
    /// Treated journeys that reached the goal on day 0, 1, … after
    /// entering.
    pub converted_per_day: Vec<u64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct Rate {
    pub journeys: u64,
    pub converted: u64,
    pub rate: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct Lift {
    /// In shares: 0.05 is five percentage points.
    pub difference: f64,
    pub low: f64,
    pub high: f64,
    /// Treated rate over holdout rate; null when the holdout never
    /// converted.
    pub ratio: Option<f64>,
}

/// What a program's report needs besides its counts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct About {
    pub file: String,
    pub bound: Option<u64>,
    /// Each trigger as written in the program, in the plan's order.
    pub triggers: Vec<String>,
    /// The audience as written, if any.
    pub audience: Option<String>,
    /// Per trigger: why it may never match (see [`TriggerReport::note`]).
    pub trigger_notes: Vec<Option<String>>,
    /// Days simulated.
    pub days: u64,
}

/// What a program's report needs of the program: its names, and its goal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Shape {
    pub program: String,
    pub digest: String,
    /// Step names, in source order.
    pub steps: Vec<String>,
    /// Every outcome a journey can end with, sorted.
    pub outcomes: Vec<String>,
    /// The channels the program sends on, sorted.
    pub channels: Vec<String>,
    /// The channels the entry asks consent for.
    pub consent: Vec<String>,
    /// The goal's event and window.
    pub goal: Option<(String, u64)>,
}

impl Shape {
    pub fn of(setup: &Setup) -> Shape {
        let plan = setup.plan;
        Shape {
            program: plan.program.clone(),
            digest: plan.digest.clone(),
            steps: setup.steps.clone(),
            outcomes: setup.outcomes.clone(),
            channels: setup.channels.clone(),
            consent: plan.entry.consent.clone(),
            goal: plan
                .goal
                .as_ref()
                .map(|goal| (goal.event.clone(), goal.within_minutes)),
        }
    }
}

/// What the report says of one program, from its counts.
pub fn program_report(setup: &Shape, tally: &Tally, about: &About) -> ProgramReport {
    let file = about.file.as_str();
    let bound = about.bound;
    let steps = setup
        .steps
        .iter()
        .zip(&tally.steps)
        .map(|(name, counts)| StepReport {
            step: name.clone(),
            entered: counts.entered,
            sent: per_channel(setup, &counts.sent),
            answered: counts.answered,
            moved_on: counts.moved_on,
        })
        .collect();
    let name_of = |to: usize| match setup.steps.get(to) {
        Some(step) => step.clone(),
        None => format!(
            "exit:{}",
            setup
                .outcomes
                .get(to - setup.steps.len())
                .map_or("?", String::as_str)
        ),
    };
    let flow = tally
        .flow
        .iter()
        .map(|(&(from, to), &count)| FlowReport {
            from: match from {
                0 => "entry".to_string(),
                step => setup.steps.get(step - 1).cloned().unwrap_or_default(),
            },
            to: name_of(to),
            count,
        })
        .collect();
    let ended: u64 = tally.outcomes_treated.iter().sum::<u64>() + tally.still_in_treated;
    let mut outcomes: Vec<OutcomeReport> = setup
        .outcomes
        .iter()
        .zip(&tally.outcomes_treated)
        .filter(|(_, count)| **count > 0)
        .map(|(outcome, &journeys)| OutcomeReport {
            outcome: outcome.clone(),
            journeys,
            share: share(journeys, ended),
        })
        .collect();
    if tally.still_in_treated > 0 {
        outcomes.push(OutcomeReport {
            outcome: "still in".to_string(),
            journeys: tally.still_in_treated,
            share: share(tally.still_in_treated, ended),
        });
    }
    let journeys: u64 = tally.messages.iter().sum();
    let total: u64 = tally
        .messages
        .iter()
        .enumerate()
        .map(|(n, count)| n as u64 * count)
        .sum();
    let messages = MessagesReport {
        total,
        per_channel: per_channel(setup, &tally.sent),
        mean: round(if journeys == 0 {
            0.0
        } else {
            total as f64 / journeys as f64
        }),
        p95: percentile(
            tally
                .messages
                .iter()
                .enumerate()
                .map(|(n, c)| (n as u64, *c)),
            0.95,
        )
        .unwrap_or(0),
        max: tally
            .messages
            .iter()
            .rposition(|&count| count > 0)
            .unwrap_or(0) as u64,
        bound,
        per_day: setup
            .channels
            .iter()
            .enumerate()
            .map(|(c, channel)| {
                let days = (0..about.days as usize)
                    .map(|d| {
                        tally
                            .sent_per_day
                            .get(d)
                            .and_then(|day| day.get(c))
                            .copied()
                            .unwrap_or(0)
                    })
                    .collect();
                (channel.clone(), days)
            })
            .collect(),
    };
    let goal = setup.goal.as_ref().map(|(event, within_minutes)| {
        let treated = rate(tally.treated, tally.converted_treated);
        let holdout = rate(tally.holdout, tally.converted_holdout);
        let lift = (tally.holdout > 0 && tally.treated > 0).then(|| {
            lift(
                tally.converted_treated,
                tally.treated,
                tally.converted_holdout,
                tally.holdout,
            )
        });
        let times = || tally.minutes_to_goal.iter().map(|(m, c)| (*m, *c));
        GoalReport {
            event: event.clone(),
            within_minutes: *within_minutes,
            treated,
            holdout,
            lift,
            median_minutes_to_goal: percentile(times(), 0.5),
            p90_minutes_to_goal: percentile(times(), 0.9),
            converted_per_day: {
                let days = (within_minutes / 1440 + 1) as usize;
                let mut per_day = vec![0u64; days];
                for (minutes, count) in times() {
                    if let Some(day) = per_day.get_mut((minutes / 1440) as usize) {
                        *day += count;
                    }
                }
                per_day
            },
        }
    });
    let entry = &tally.entry;
    let held_by_group = (!tally.held.is_empty()).then(|| {
        let mut by: Vec<HeldBy> = tally
            .held
            .by
            .iter()
            .map(|(program, &customers)| HeldBy {
                program: program.clone(),
                customers,
            })
            .collect();
        by.sort_by_key(|b| std::cmp::Reverse(b.customers));
        HeldReport {
            customers: tally.held.customers,
            by,
        }
    });
    let stopped_at = if entry.entered > 0 {
        None
    } else if entry.triggered == 0 && held_by_group.is_some() {
        Some("group".to_string())
    } else if entry.triggered == 0 {
        Some("trigger".to_string())
    } else if entry.in_audience == 0 {
        Some("audience".to_string())
    } else {
        Some("consent".to_string())
    };
    let entry = EntryReport {
        customers_read: tally.customers,
        matched_a_trigger: entry.triggered,
        triggers: about
            .triggers
            .iter()
            .enumerate()
            .map(|(i, trigger)| TriggerReport {
                trigger: trigger.clone(),
                customers: entry.per_trigger.get(i).copied().unwrap_or(0),
                note: about.trigger_notes.get(i).cloned().flatten(),
            })
            .collect(),
        audience: about.audience.clone(),
        in_audience: entry.in_audience,
        consent: setup.consent.clone(),
        entered: entry.entered,
        stopped_at,
        held_by_group,
    };
    ProgramReport {
        program: setup.program.clone(),
        file: file.to_string(),
        digest: setup.digest.clone(),
        customers: tally.customers,
        entry,
        entered: Entered {
            treated: tally.treated,
            holdout: tally.holdout,
        },
        steps,
        flow,
        outcomes,
        messages,
        held_back: HeldBack {
            deferred_for_quiet_hours: tally.deferred,
            skipped_for_cap: tally.skipped_cap,
            skipped_without_consent: tally.skipped_consent,
            skipped_by_guard: tally.skipped_guard,
        },
        goal,
        transitions: tally.transitions,
        actions: tally.actions,
        capped_customers: tally.capped,
        runs: None,
    }
}

fn per_channel(setup: &Shape, counts: &[u64]) -> BTreeMap<String, u64> {
    setup
        .channels
        .iter()
        .zip(counts)
        .map(|(channel, count)| (channel.clone(), *count))
        .collect()
}

pub(crate) fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        round(part as f64 / whole as f64)
    }
}

fn rate(journeys: u64, converted: u64) -> Rate {
    Rate {
        journeys,
        converted,
        rate: share(converted, journeys),
    }
}

/// The nearest-rank percentile of (value, count) pairs sorted by value.
pub(crate) fn percentile(counts: impl Iterator<Item = (u64, u64)> + Clone, p: f64) -> Option<u64> {
    let total: u64 = counts.clone().map(|(_, c)| c).sum();
    if total == 0 {
        return None;
    }
    let rank = ((p * total as f64).ceil() as u64).max(1);
    let mut seen = 0;
    for (value, count) in counts {
        seen += count;
        if seen >= rank {
            return Some(value);
        }
    }
    None
}

/// Wilson's score interval for `successes` of `n`.
fn wilson(successes: u64, n: u64) -> (f64, f64) {
    let n = n as f64;
    let p = successes as f64 / n;
    let z2 = Z95 * Z95;
    let denominator = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denominator;
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denominator;
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// The difference of two rates with Newcombe's interval (method 10): good
/// for small groups and rates near 0, where the textbook interval is not.
pub(crate) fn lift(treated: u64, n_treated: u64, holdout: u64, n_holdout: u64) -> Lift {
    let p1 = treated as f64 / n_treated as f64;
    let p2 = holdout as f64 / n_holdout as f64;
    let (l1, u1) = wilson(treated, n_treated);
    let (l2, u2) = wilson(holdout, n_holdout);
    let difference = p1 - p2;
    let low = difference - ((p1 - l1).powi(2) + (u2 - p2).powi(2)).sqrt();
    let high = difference + ((u1 - p1).powi(2) + (p2 - l2).powi(2)).sqrt();
    Lift {
        difference: round(difference),
        low: round(low),
        high: round(high),
        ratio: (holdout > 0).then(|| round(p1 / p2)),
    }
}

impl Report {
    /// Pretty JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        match serde_json::to_string_pretty(self) {
            Ok(mut json) => {
                json.push('\n');
                json
            }
            Err(error) => format!("{{\"error\": {:?}}}\n", error.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newcombe_interval_matches_the_published_example() {
        // Newcombe (1998), table II, example (a): 56/70 against 48/80 gives
        // a difference of 0.2000 with the interval 0.0524 to 0.3339.
        let lift = lift(56, 70, 48, 80);
        assert_eq!(lift.difference, 0.2);
        assert_eq!(lift.low, 0.0524);
        assert_eq!(lift.high, 0.3339);
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let counts = [(0u64, 5u64), (1, 3), (4, 2)];
        assert_eq!(percentile(counts.iter().copied(), 0.5), Some(0));
        assert_eq!(percentile(counts.iter().copied(), 0.8), Some(1));
        assert_eq!(percentile(counts.iter().copied(), 0.95), Some(4));
        assert_eq!(percentile(std::iter::empty(), 0.5), None);
    }
}
