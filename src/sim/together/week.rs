//! Stage 5, simulation, programs run together: the portfolio's messages
//! per customer per week, counted across every program ([`WeekTally`]),
//! and the bound `nurture check` proves on them ([`proved_week_bound`]).

use crate::plan::Cap;
use crate::run::Seconds;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Seconds in the week of the portfolio's figures (any 7 days in a row).
pub const WEEK: Seconds = 7 * 86_400;

/// The counts of a portfolio run that no one program has: messages per
/// customer per week, across every program. Whole numbers, added up
/// across threads and shards.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WeekTally {
    pub customers: u64,
    /// Messages sent to them by every program together.
    pub messages: u64,
    /// busiest[n]: customers whose busiest 7 days held n messages.
    pub busiest: Vec<u64>,
}

impl WeekTally {
    pub fn merge(&mut self, other: &WeekTally) {
        self.customers += other.customers;
        self.messages += other.messages;
        if self.busiest.len() < other.busiest.len() {
            self.busiest.resize(other.busiest.len(), 0);
        }
        for (mine, theirs) in self.busiest.iter_mut().zip(&other.busiest) {
            *mine += theirs;
        }
    }

    /// One customer, sent messages at `sends` (any order).
    pub(super) fn customer(&mut self, sends: &mut [Seconds]) {
        self.customers += 1;
        self.messages += sends.len() as u64;
        let most = busiest(sends);
        if self.busiest.len() <= most {
            self.busiest.resize(most + 1, 0);
        }
        self.busiest[most] += 1;
    }
}

/// The most of `sends` within any 7 days in a row (a half-open stretch of
/// [`WEEK`] seconds, as a cap counts them). Sorts `sends`.
pub fn busiest(sends: &mut [Seconds]) -> usize {
    sends.sort_unstable();
    let mut most = 0;
    let mut from = 0;
    for to in 0..sends.len() {
        while sends[to].saturating_sub(sends[from]) >= WEEK {
            from += 1;
        }
        most = most.max(to + 1 - from);
    }
    most
}

/// The most messages one customer can get in any 7 days from all
/// `programs` together: what `nurture check` proves they can send within 7
/// days (`check::portfolio::most_within_minutes`), and no more than each of
/// the schema's `caps` on all messages lets through in 7 days (`N ×
/// ⌈7d / per⌉`); `None` when neither bounds it.
pub fn proved_week_bound(
    schema: Option<&crate::syntax::ast::Schema>,
    programs: &[&crate::syntax::ast::Program],
    caps: &[Cap],
) -> Option<u64> {
    const WEEK_MINUTES: u64 = 7 * 24 * 60;
    let proved = schema.and_then(|schema| {
        let members: Vec<crate::check::portfolio::Member> = programs
            .iter()
            .map(|&program| crate::check::portfolio::Member { program })
            .collect();
        crate::check::portfolio::most_within_minutes(schema, &members, WEEK_MINUTES)
    });
    let capped = caps
        .iter()
        .filter(|cap| cap.channel.is_none() && cap.per_minutes > 0)
        .map(|cap| u64::from(cap.count).saturating_mul(WEEK_MINUTES.div_ceil(cap.per_minutes)))
        .min();
    match (proved, capped) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}
