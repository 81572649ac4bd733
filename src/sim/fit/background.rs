//! What customers do anyway: each event's rate outside every send's
//! window, per customer and 30 days, split by the event's kinds (its text
//! and yes/no properties, a segment event by its segment; numbers are the
//! median of the kind). At most five kinds per event are kept; rarer ones
//! are counted with the most common.

use super::Options;
use super::history::History;
use super::watch::Watched;
use crate::run::Datum;
use crate::sim::behavior::write::{BackgroundDoc, PaceDoc};
use crate::syntax::ast::Schema;
use std::collections::BTreeMap;

const MONTH: f64 = 30.0 * 86_400.0;
const KINDS: usize = 5;

/// One kind of an event: its key (the text properties), how often, and
/// the properties it is written with.
type Kind = (String, u64, Vec<(String, Datum)>);

pub struct Rates {
    /// Event → (events outside every window, per second per customer).
    pub per_second: BTreeMap<String, f64>,
    /// Event → kinds: (key, count, properties).
    kinds: BTreeMap<String, Vec<Kind>>,
    outside_time: f64,
}

impl Rates {
    pub fn lambda(&self, event: &str) -> f64 {
        self.per_second.get(event).copied().unwrap_or(0.0)
    }
}

pub fn rates(history: &History, watched: &Watched, _options: &Options) -> Rates {
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    let mut grouped: BTreeMap<String, BTreeMap<String, Vec<usize>>> = BTreeMap::new();
    for &e in &watched.outside {
        let event = &history.events[e];
        *counts.entry(event.name.clone()).or_default() += 1;
        let key: Vec<String> = event
            .properties
            .iter()
            .filter(|(_, v)| !matches!(v, Datum::Number(_) | Datum::Time(_)))
            .map(|(k, v)| format!("{k}={v:?}"))
            .collect();
        grouped
            .entry(event.name.clone())
            .or_default()
            .entry(key.join(","))
            .or_default()
            .push(e);
    }
    let per_second = counts
        .iter()
        .map(|(name, n)| (name.clone(), *n as f64 / watched.outside_time))
        .collect();
    let kinds = grouped
        .into_iter()
        .map(|(name, groups)| {
            let mut list: Vec<Kind> = groups
                .into_iter()
                .map(|(key, members)| {
                    let properties =
                        summary(members.iter().map(|&e| &history.events[e].properties));
                    (key, members.len() as u64, properties)
                })
                .collect();
            list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            (name, list)
        })
        .collect();
    Rates {
        per_second,
        kinds,
        outside_time: watched.outside_time,
    }
}

/// The most common value of each text or yes/no property, the median of
/// each number.
pub fn summary<'e>(all: impl Iterator<Item = &'e BTreeMap<String, Datum>>) -> Vec<(String, Datum)> {
    let mut values: BTreeMap<&str, Vec<&Datum>> = BTreeMap::new();
    for properties in all {
        for (k, v) in properties {
            values.entry(k.as_str()).or_default().push(v);
        }
    }
    values
        .into_iter()
        .filter_map(|(name, mut found)| {
            if found.iter().all(|v| matches!(v, Datum::Number(_))) {
                let mut numbers: Vec<f64> = found
                    .iter()
                    .filter_map(|v| match v {
                        Datum::Number(n) => Some(*n),
                        _ => None,
                    })
                    .collect();
                numbers.sort_by(f64::total_cmp);
                let median = *numbers.get(numbers.len() / 2)?;
                return Some((name.to_string(), Datum::Number(median)));
            }
            found.sort_by_key(|v| format!("{v:?}"));
            let mut best: Option<(&Datum, usize)> = None;
            let mut i = 0;
            while i < found.len() {
                let j = (i..found.len())
                    .find(|&j| found[j] != found[i])
                    .unwrap_or(found.len());
                if best.is_none_or(|(_, n)| j - i > n) {
                    best = Some((found[i], j - i));
                }
                i = j;
            }
            best.map(|(v, _)| (name.to_string(), v.clone()))
        })
        .collect()
}

/// Events no customer did more than once: event → how many customers did
/// it. With the customers there were and the history's span, for the
/// chance of a one-time event.
pub struct Once {
    pub doers: BTreeMap<String, u64>,
    pub customers: usize,
    pub span: f64,
}

/// The fewest customers a one-time event needs to be told from a rare
/// recurring one (each did it once, and no one twice).
const ONCE_DOERS: u64 = 20;

pub fn once(history: &History, customers: usize) -> Once {
    let mut per: BTreeMap<&str, BTreeMap<u32, u64>> = BTreeMap::new();
    for event in &history.events {
        *per.entry(event.name.as_str())
            .or_default()
            .entry(event.customer)
            .or_default() += 1;
    }
    let doers = per
        .into_iter()
        .filter(|(name, by)| {
            by.values().all(|&n| n == 1) && !matches!(*name, "segment_entered" | "segment_left")
        })
        .map(|(name, by)| (name.to_string(), by.len() as u64))
        .collect();
    Once {
        doers,
        customers,
        span: (history.last - history.first).max(86_400) as f64,
    }
}

/// Events outside windows under this share of those inside, for an event
/// that answers sends, are late answers (the delay's tail past the
/// window), not something customers do anyway.
const LATE_ANSWERS: f64 = 0.05;

/// `answers`: events that answer some table, with how often they were seen
/// in windows.
pub fn docs(
    rates: &Rates,
    answers: &BTreeMap<String, u64>,
    once: &Once,
    schema: Option<&Schema>,
    notes: &mut Vec<String>,
) -> Vec<BackgroundDoc> {
    let mut out = Vec::new();
    let mut late = Vec::new();
    for (event, kinds) in &rates.kinds {
        let outside: u64 = kinds.iter().map(|k| k.1).sum();
        if let Some(&inside) = answers.get(event)
            && (outside as f64) < LATE_ANSWERS * inside as f64
        {
            late.push(format!(
                "`{event}` ({outside} outside, {inside} in windows)"
            ));
            continue;
        }
        let declared = schema.is_none_or(|s| {
            s.events.iter().any(|e| e.name.as_str() == event)
                || matches!(event.as_str(), "segment_entered" | "segment_left")
        });
        if !declared {
            continue;
        }
        // An event no customer did twice, done by enough of them to tell,
        // is a one-time event (`signup`): a chance within the history's
        // span, not a rate, or the simulation would have customers sign up
        // again and again.
        if let Some(&doers) = once.doers.get(event)
            && doers >= ONCE_DOERS
            && once.customers > 0
        {
            let chance = (doers as f64 / once.customers as f64).min(1.0);
            let outside: u64 = kinds.iter().map(|k| k.1).sum();
            let rate = outside as f64 / rates.outside_time * MONTH;
            notes.push(format!(
                "`{event}`: each of the {doers} customers who did it did it once, so it is written as a one-time event (`chance` within the history's {}) rather than a rate: with a rate, customers in the simulation would do it again and again, and a program it triggers would start for them more than once; if it does recur (an order, a visit) and you simulate longer than the history, write `rate = {}` and `per = \"30d\"` instead",
                crate::sim::behavior::write::duration(once.span),
                crate::sim::behavior::write::number(rate)
            ));
            out.push(BackgroundDoc {
                event: event.clone(),
                pace: PaceDoc::Once {
                    chance,
                    within: once.span,
                },
                properties: kinds.first().map(|k| k.2.clone()).unwrap_or_default(),
                comment: Some(format!(
                    "{doers} of {} customers did it, each once",
                    once.customers
                )),
            });
            continue;
        }
        let kept = kinds.len().min(KINDS);
        let folded: u64 = kinds.iter().skip(KINDS).map(|k| k.1).sum();
        if folded > 0 {
            notes.push(format!(
                "`{event}` comes in {} kinds outside windows; the {folded} of the rarest are counted with the most common",
                kinds.len()
            ));
        }
        for (i, (_, count, properties)) in kinds.iter().take(kept).enumerate() {
            let count = count + if i == 0 { folded } else { 0 };
            let rate = count as f64 / rates.outside_time * MONTH;
            out.push(BackgroundDoc {
                event: event.clone(),
                pace: PaceDoc::Recurring { rate, per: MONTH },
                properties: properties.clone(),
                comment: Some(format!(
                    "{count} times outside any send's window, in {:.0} customer-days",
                    rates.outside_time / 86_400.0
                )),
            });
        }
    }
    if !late.is_empty() {
        notes.push(format!(
            "not written as done anyway, since nearly all of them answer sends (the few outside windows are late answers): {}",
            late.join(", ")
        ));
    }
    out
}
