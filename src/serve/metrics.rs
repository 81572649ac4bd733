//! Stage serve: what `/metrics` shows, in the Prometheus text format
//! (version 0.0.4). The counters are this process's since it started; the
//! gauges are read from the store at each scrape, so every process on one
//! database shows the same journeys and outbox.
//!
//! Written by hand: a dozen counters and a few gauges do not need an
//! exporter crate and its registry.

use super::programs::Programs;
use super::store::Counts;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

/// The action kinds, in the order of their counters.
pub const KINDS: [&str; 11] = [
    "enter", "send", "skip", "defer", "notify", "score", "tag", "untag", "set", "phase", "exit",
];

#[derive(Debug, Default)]
pub struct Metrics {
    pub events_accepted: AtomicU64,
    pub events_duplicate: AtomicU64,
    pub events_late: AtomicU64,
    pub events_rejected: AtomicU64,
    pub events_unknown_customer: AtomicU64,
    pub customers_created: AtomicU64,
    pub customers_updated: AtomicU64,
    pub timers_fired: AtomicU64,
    pub timers_late: AtomicU64,
    pub actions: [AtomicU64; 11],
    pub delivered: AtomicU64,
    pub delivery_failures: AtomicU64,
    pub dead: AtomicU64,
    pub store_retries: AtomicU64,
    /// Milliseconds from an event accepted to its actions committed to the
    /// outbox, summed, and how many; for the mean.
    pub commit_millis: AtomicU64,
    pub commits: AtomicU64,
}

impl Metrics {
    pub fn add(counter: &AtomicU64, by: u64) {
        counter.fetch_add(by, Ordering::Relaxed);
    }

    pub fn action(&self, kind: &str) {
        if let Some(at) = KINDS.iter().position(|k| *k == kind) {
            Metrics::add(&self.actions[at], 1);
        }
    }

    /// The whole page: the counters, then the gauges from `counts`.
    pub fn render(&self, counts: &Counts, programs: &Programs) -> String {
        let mut out = String::new();
        let get = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        let mut counter = |name: &str, help: &str, samples: &[(&str, u64)]| {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} counter");
            for (labels, value) in samples {
                let _ = writeln!(out, "{name}{labels} {value}");
            }
        };
        counter(
            "nurture_events_total",
            "Events received, by what became of them.",
            &[
                ("{result=\"accepted\"}", get(&self.events_accepted)),
                ("{result=\"duplicate\"}", get(&self.events_duplicate)),
                ("{result=\"rejected\"}", get(&self.events_rejected)),
                (
                    "{result=\"unknown_customer\"}",
                    get(&self.events_unknown_customer),
                ),
            ],
        );
        counter(
            "nurture_events_late_total",
            "Accepted events older than what was already run for their customer.",
            &[("", get(&self.events_late))],
        );
        counter(
            "nurture_customers_total",
            "Customer records received, by what they did.",
            &[
                ("{result=\"created\"}", get(&self.customers_created)),
                ("{result=\"updated\"}", get(&self.customers_updated)),
            ],
        );
        counter(
            "nurture_timers_fired_total",
            "Ticks fired: waits that ended, timeouts, quiet hours over, clock triggers.",
            &[("", get(&self.timers_fired))],
        );
        counter(
            "nurture_timers_late_total",
            "Customers whose timer fired more than 5 seconds after it was due (system clock).",
            &[("", get(&self.timers_late))],
        );
        let labels: Vec<String> = KINDS.iter().map(|k| format!("{{kind=\"{k}\"}}")).collect();
        let samples: Vec<(&str, u64)> = labels
            .iter()
            .zip(&self.actions)
            .map(|(label, value)| (label.as_str(), get(value)))
            .collect();
        counter(
            "nurture_actions_total",
            "Actions written to the outbox, by kind.",
            &samples,
        );
        counter(
            "nurture_deliveries_total",
            "Delivery attempts, by result.",
            &[
                ("{result=\"delivered\"}", get(&self.delivered)),
                ("{result=\"failed\"}", get(&self.delivery_failures)),
                ("{result=\"dead\"}", get(&self.dead)),
            ],
        );
        counter(
            "nurture_store_retries_total",
            "Units of work tried again after the store said to (a deadlock, a busy database).",
            &[("", get(&self.store_retries))],
        );

        let _ = writeln!(
            out,
            "# HELP nurture_event_batch_seconds Time from taking a batch of event requests to their commit.\n# TYPE nurture_event_batch_seconds summary\nnurture_event_batch_seconds_sum {:.3}\nnurture_event_batch_seconds_count {}",
            get(&self.commit_millis) as f64 / 1000.0,
            get(&self.commits)
        );

        let mut gauge = |name: &str, help: &str, samples: &[(String, i64)]| {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} gauge");
            for (labels, value) in samples {
                let _ = writeln!(out, "{name}{labels} {value}");
            }
        };
        gauge(
            "nurture_customers",
            "Customers in the store.",
            &[(String::new(), counts.customers)],
        );
        gauge(
            "nurture_timers_due",
            "Customers with a timer due now, not yet fired.",
            &[(String::new(), counts.timers_due)],
        );
        let outbox: Vec<(String, i64)> = counts
            .outbox
            .iter()
            .map(|(state, n)| (format!("{{state=\"{state}\"}}"), *n))
            .collect();
        gauge(
            "nurture_outbox",
            "Actions in the outbox not delivered: waiting (pending) or given up on (dead).",
            &outbox,
        );
        // Journeys in flight, by program and step (all versions together).
        let mut in_flight: BTreeMap<(String, String), i64> = BTreeMap::new();
        for (program, version, status, node, count) in &counts.journeys {
            if status != "in" {
                continue;
            }
            let step = programs
                .version(version)
                .and_then(|plan| Programs::step_name(plan, *node as usize))
                .unwrap_or("?")
                .to_string();
            *in_flight.entry((program.clone(), step)).or_default() += count;
        }
        let journeys: Vec<(String, i64)> = in_flight
            .into_iter()
            .map(|((program, step), n)| {
                (
                    format!(
                        "{{program=\"{}\",step=\"{}\"}}",
                        label(&program),
                        label(&step)
                    ),
                    n,
                )
            })
            .collect();
        gauge(
            "nurture_journeys_in_flight",
            "Customers in a program, by program and the step they wait in.",
            &journeys,
        );
        out
    }
}

/// A label value with `\`, `"` and newlines escaped.
fn label(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
