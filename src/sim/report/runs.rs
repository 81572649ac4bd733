//! `--runs N`: the same simulation under N seeds, and each figure as the
//! median with a 90% range across the runs. One run is one draw of what
//! customers might do; the runs show how much a figure moves from draw to
//! draw.
//!
//! The lift gets an interval that holds both kinds of uncertainty: the
//! sampling of customers within a run (Newcombe's interval of each run)
//! and the spread between runs, added as Rubin's rules add the variance
//! within and between imputations: `T = Ū + (1 + 1/N) B`, the interval
//! `mean ± 1.96 √T`.

use super::{ProgramReport, Z95, percentile, round};
use schemars::JsonSchema;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct RunsReport {
    pub count: u64,
    pub first_seed: u64,
    pub last_seed: u64,
    /// Each figure: its median and 90% range (the 5th and 95th
    /// percentiles, nearest rank) across the runs.
    pub figures: Vec<Spread>,
    /// null without a goal, or when some run had no holdout journeys.
    pub lift: Option<RunsLift>,
}

#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct Spread {
    pub figure: String,
    pub median: f64,
    pub low: f64,
    pub high: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct RunsLift {
    /// The mean of the runs' lifts, in shares (0.05 is five points).
    pub difference: f64,
    /// The 95% interval with the spread between runs included.
    pub low: f64,
    pub high: f64,
    /// The standard deviation of the lift between runs.
    pub between_runs: f64,
    /// Runs whose own 95% interval lies wholly above 0 (the program
    /// measurably raises the goal rate in that run), and wholly below.
    pub runs_above_zero: u64,
    pub runs_below_zero: u64,
}

/// The figures of one program across its runs; `runs[0]` is the first
/// run's report, under `first_seed`.
pub fn runs_report(runs: &[ProgramReport], first_seed: u64) -> RunsReport {
    let count = runs.len() as u64;
    let mut figures: Vec<Spread> = Vec::new();
    let mut figure = |name: String, value: &dyn Fn(&ProgramReport) -> f64| {
        let mut values: Vec<f64> = runs.iter().map(value).collect();
        values.sort_by(f64::total_cmp);
        figures.push(spread(name, &values));
    };
    figure("customers entered".into(), &|p| p.entry.entered as f64);
    figure("journeys treated".into(), &|p| p.entered.treated as f64);
    figure("journeys in the holdout".into(), &|p| {
        p.entered.holdout as f64
    });
    figure("messages sent".into(), &|p| p.messages.total as f64);
    figure("messages per journey".into(), &|p| p.messages.mean);
    if let Some(first) = runs.first() {
        if first.goal.is_some() {
            let goal = |p: &ProgramReport| p.goal.clone();
            figure("converted, treated".into(), &|p| {
                goal(p).map_or(0.0, |g| g.treated.converted as f64)
            });
            figure("converted, holdout".into(), &|p| {
                goal(p).map_or(0.0, |g| g.holdout.converted as f64)
            });
            figure("goal rate, treated".into(), &|p| {
                goal(p).map_or(0.0, |g| g.treated.rate)
            });
            figure("goal rate, holdout".into(), &|p| {
                goal(p).map_or(0.0, |g| g.holdout.rate)
            });
        }
        for step in &first.steps {
            let name = step.step.clone();
            figure(format!("step {name}: entered"), &|p| {
                p.steps
                    .iter()
                    .find(|s| s.step == name)
                    .map_or(0.0, |s| s.entered as f64)
            });
        }
        let mut outcomes: Vec<String> = runs
            .iter()
            .flat_map(|p| p.outcomes.iter().map(|o| o.outcome.clone()))
            .collect();
        outcomes.sort();
        outcomes.dedup();
        for outcome in outcomes {
            figure(format!("outcome {outcome}"), &|p| {
                p.outcomes
                    .iter()
                    .find(|o| o.outcome == outcome)
                    .map_or(0.0, |o| o.journeys as f64)
            });
        }
    }
    let lifts: Option<Vec<_>> = runs
        .iter()
        .map(|p| p.goal.as_ref().and_then(|g| g.lift.clone()))
        .collect();
    let lift = lifts.filter(|l| !l.is_empty()).map(|lifts| {
        let n = lifts.len() as f64;
        let mean = lifts.iter().map(|l| l.difference).sum::<f64>() / n;
        let within = lifts
            .iter()
            .map(|l| ((l.high - l.low) / (2.0 * Z95)).powi(2))
            .sum::<f64>()
            / n;
        let between = if lifts.len() > 1 {
            lifts
                .iter()
                .map(|l| (l.difference - mean).powi(2))
                .sum::<f64>()
                / (n - 1.0)
        } else {
            0.0
        };
        let half = Z95 * (within + (1.0 + 1.0 / n) * between).sqrt();
        RunsLift {
            difference: round(mean),
            low: round(mean - half),
            high: round(mean + half),
            between_runs: round(between.sqrt()),
            runs_above_zero: lifts.iter().filter(|l| l.low > 0.0).count() as u64,
            runs_below_zero: lifts.iter().filter(|l| l.high < 0.0).count() as u64,
        }
    });
    RunsReport {
        count,
        first_seed,
        last_seed: first_seed.saturating_add(count.saturating_sub(1)),
        figures,
        lift,
    }
}

/// The median and the 5th and 95th percentiles of sorted values.
fn spread(figure: String, sorted: &[f64]) -> Spread {
    let at = |p: f64| {
        let counts = sorted.iter().enumerate().map(|(i, _)| (i as u64, 1u64));
        percentile(counts, p)
            .and_then(|i| sorted.get(i as usize))
            .copied()
            .unwrap_or(0.0)
    };
    Spread {
        figure,
        median: round(at(0.5)),
        low: round(at(0.05)),
        high: round(at(0.95)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spread_is_the_median_and_the_outer_twentieths() {
        let values: Vec<f64> = (1..=20).map(f64::from).collect();
        let s = spread("x".into(), &values);
        assert_eq!((s.median, s.low, s.high), (10.0, 1.0, 19.0));
        let one = spread("x".into(), &[3.5]);
        assert_eq!((one.median, one.low, one.high), (3.5, 3.5, 3.5));
    }
}
