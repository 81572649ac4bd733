//! The portfolio's part of a report (`nurture simulate programs/`, the
//! programs run together): messages per customer per week across every
//! program, next to the most `nurture check` proves one customer can get in
//! any 7 days (`check/portfolio.rs`) under the schema's caps.
//!
//! The figures, over the customers simulated (docs/simulation.md):
//! - `mean`: the messages every program sent them together, divided by the
//!   customers and by the weeks of the run (`days / 7`);
//! - `busiest_mean`, `p95`, `max`: of each customer's busiest 7 days (the
//!   most messages in any 7 days in a row, as a cap counts them), the mean,
//!   the nearest-rank 95th percentile and the largest.

use super::{percentile, round};
use crate::sim::together::WeekTally;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What the portfolio's report says besides the counts: the same in every
/// shard of a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PortfolioAbout {
    /// The programs in the order they take an input in one moment
    /// (`priority`, lower first, then by name).
    pub lineup: Vec<String>,
    /// The schema's caps, kept across every program, as written.
    pub caps: Vec<String>,
    /// The most messages one customer can get in any 7 days from all the
    /// programs together, as proved; null when unbounded.
    pub bound: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct PortfolioReport {
    pub lineup: Vec<String>,
    pub caps: Vec<String>,
    pub customers: u64,
    /// Sent by every program together.
    pub messages: u64,
    pub per_week: WeekReport,
}

/// Messages per customer per week.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct WeekReport {
    /// Messages per customer per week of the run.
    pub mean: f64,
    /// Of each customer's busiest 7 days: the mean, the 95th percentile
    /// and the largest.
    pub busiest_mean: f64,
    pub p95: u64,
    pub max: u64,
    /// The most one customer can get in any 7 days, as proved (`nurture
    /// check`, the schema's caps); null when unbounded.
    pub bound: Option<u64>,
}

/// The portfolio's report from its counts (the first run's).
pub fn portfolio_report(about: &PortfolioAbout, week: &WeekTally, days: u64) -> PortfolioReport {
    let weeks = days as f64 / 7.0;
    let per_customer = |total: f64| {
        if week.customers == 0 || weeks <= 0.0 {
            0.0
        } else {
            total / week.customers as f64
        }
    };
    let busiest_total: u64 = week
        .busiest
        .iter()
        .enumerate()
        .map(|(n, c)| n as u64 * c)
        .sum();
    let counts = week.busiest.iter().enumerate().map(|(n, c)| (n as u64, *c));
    PortfolioReport {
        lineup: about.lineup.clone(),
        caps: about.caps.clone(),
        customers: week.customers,
        messages: week.messages,
        per_week: WeekReport {
            mean: round(per_customer(week.messages as f64) / weeks.max(f64::MIN_POSITIVE)),
            busiest_mean: round(per_customer(busiest_total as f64)),
            p95: percentile(counts, 0.95).unwrap_or(0),
            max: week.busiest.iter().rposition(|&c| c > 0).unwrap_or(0) as u64,
            bound: about.bound,
        },
    }
}
