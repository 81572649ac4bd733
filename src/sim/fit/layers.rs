//! The tables of a fitted model, layer by layer, as the simulator stacks
//! them: a channel's table from all its sends; a template's or a segment's
//! only where it has at least `--min-sends` sends and an answer differs
//! from the channel's by more than chance (z > 2.5), its numbers shrunk
//! toward the channel's (as if 50 more sends had answered like the
//! channel, 20 more answers for the delay). With too few sends a layer
//! answers as the one above, and a note says so; a channel with too few
//! answers the way all channels together do. An answer's delay needs five
//! answers seen; with fewer it is the layer above's.
//!
//! Which answer waits for which (`given`): an event waits for a more
//! common one when, of its occurrences beyond what customers do anyway, at
//! least four in five follow that one in the same window; of several, the
//! least common (a purchase waits for the click, not the open).

use super::Options;
use super::background::{Rates, summary};
use super::estimate::{Estimate, Observed, estimate};
use super::history::History;
use super::watch::Watched;
use crate::sim::behavior::Z90;
use crate::sim::behavior::write::{Doc, ResponseDoc, TableDoc};
use crate::syntax::ast::Schema;
use std::collections::{BTreeMap, BTreeSet};

/// Answers seen before a delay is a layer's own.
const DELAY_SEEN: u64 = 5;
/// Sends and answers of the channel a layer's numbers are shrunk with.
const PRIOR_SENDS: f64 = 50.0;
const PRIOR_ANSWERS: f64 = 20.0;
/// How far a layer's chance must be from the channel's to be written.
const Z_DIFFERENT: f64 = 2.5;
/// Of an event's occurrences beyond the background, the share that must
/// follow another for it to wait for that one.
const GIVEN_SHARE: f64 = 0.8;

#[derive(Clone, Debug)]
struct Fit {
    event: String,
    given: Option<String>,
    estimate: Estimate,
    seen: u64,
    watched: u64,
    properties: Vec<(String, crate::run::Datum)>,
}

struct Context<'a> {
    history: &'a History,
    watched: &'a Watched,
    rates: &'a Rates,
    /// Seconds.
    window: f64,
}

impl Context<'_> {
    /// Where to look for `event` after each of the sends: from the send,
    /// within its window; or, with `given`, from the first `given` event
    /// in the send's window until the window's length has passed or the
    /// customer does `given` again, whichever is first. (A program that
    /// sends again at once on an open cuts the open's window, and the
    /// click that follows the open then falls in the next send's window:
    /// it still follows the open.) Yields (from, until, events to look at).
    fn references<'s>(
        &'s self,
        sends: &'s [usize],
        given: Option<&'s str>,
    ) -> impl Iterator<Item = (i64, i64, Vec<usize>)> + 's {
        let events = &self.history.events;
        sends.iter().filter_map(move |&s| {
            let send = &self.history.sends[s];
            let window = &self.watched.events[s];
            match given {
                None => Some((send.at, self.watched.until[s], window.clone())),
                Some(g) => {
                    let first = *window.iter().find(|&&e| events[e].name == g)?;
                    let from = events[first].at;
                    let mut until = from
                        .saturating_add(self.window as i64)
                        .min(self.history.last);
                    let mut after = Vec::new();
                    for (e, next) in events.iter().enumerate().skip(first + 1) {
                        if next.customer != send.customer || next.at > until {
                            break;
                        }
                        if next.name == g {
                            until = next.at;
                            break;
                        }
                        after.push(e);
                    }
                    Some((from, until, after))
                }
            }
        })
    }

    /// What was seen of `event` after the sends (or after their `given`).
    fn observe(&self, sends: &[usize], event: &str, given: Option<&str>) -> (Observed, Vec<usize>) {
        let mut data = Observed::default();
        let mut seen_events = Vec::new();
        for (from, until, look) in self.references(sends, given) {
            match look.iter().find(|&&e| self.history.events[e].name == event) {
                Some(&e) => {
                    data.seen
                        .push((self.history.events[e].at - from).max(1) as f64);
                    seen_events.push(e);
                }
                None => data.add_unseen((until - from).max(1) as f64),
            }
        }
        (data, seen_events)
    }

    /// How many references (sends, or their `after` event) saw `event`
    /// beyond what the background alone would give them.
    fn excess(&self, sends: &[usize], event: &str, after: Option<&str>) -> f64 {
        self.seen_and_expected(sends, event, after).0
    }

    /// (references that saw `event` beyond the background, how many the
    /// background alone would give).
    fn seen_and_expected(&self, sends: &[usize], event: &str, after: Option<&str>) -> (f64, f64) {
        let lambda = self.rates.lambda(event);
        let mut seen = 0.0;
        let mut expected = 0.0;
        for (from, until, look) in self.references(sends, after) {
            expected += 1.0 - libm::exp(-lambda * (until - from).max(0) as f64);
            if look.iter().any(|&e| self.history.events[e].name == event) {
                seen += 1.0;
            }
        }
        (seen - expected, expected)
    }

    fn fit_one(
        &self,
        sends: &[usize],
        event: &str,
        given: Option<&str>,
        delay: Option<(f64, f64)>,
    ) -> Option<Fit> {
        let (data, seen_events) = self.observe(sends, event, given);
        let seen = data.seen.len() as u64;
        let delay = if seen >= DELAY_SEEN { None } else { delay };
        if seen < DELAY_SEEN && delay.is_none() {
            return None;
        }
        let estimate = estimate(&data, self.rates.lambda(event), delay, self.window)?;
        Some(Fit {
            event: event.to_string(),
            given: given.map(str::to_string),
            estimate,
            seen,
            watched: data.count(),
            properties: summary(
                seen_events
                    .iter()
                    .map(|&e| &self.history.events[e].properties),
            ),
        })
    }

    /// A table of its own for `sends`: every event seen in their windows
    /// beyond the background, each waiting for another where the data say
    /// so, most common first.
    fn table(&self, sends: &[usize], start: &[Fit]) -> Vec<Fit> {
        let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
        for &s in sends {
            let names: BTreeSet<&str> = self.watched.events[s]
                .iter()
                .map(|&e| self.history.events[e].name.as_str())
                .collect();
            for name in names {
                *counts.entry(name).or_default() += 1;
            }
        }
        let mut order: Vec<(&str, u64)> = counts.into_iter().collect();
        order.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let mut fits: Vec<Fit> = start.to_vec();
        for (event, count) in order {
            if fits.iter().any(|f| f.event == event) {
                continue;
            }
            // Beyond the background by more than chance: three standard
            // deviations of a Poisson count, and at least five.
            let (excess, expected) = self.seen_and_expected(sends, event, None);
            if excess < (DELAY_SEEN as f64).max(3.0 * expected.sqrt()) {
                continue;
            }
            let given = fits
                .iter()
                .filter(|f| self.excess(sends, event, Some(&f.event)) >= GIVEN_SHARE * excess)
                .filter(|f| counts_of(self, sends, &f.event) >= count)
                .min_by_key(|f| counts_of(self, sends, &f.event))
                .map(|f| f.event.clone());
            if let Some(fit) = self.fit_one(sends, event, given.as_deref(), None)
                && fit.estimate.chance * fit.watched as f64 >= 3.0
            {
                fits.push(fit);
            }
        }
        fits
    }
}

impl Context<'_> {
    /// The events seen after `channel`'s sends (at least `DELAY_SEEN`
    /// times) that are no answer, since customers do them that often
    /// anyway: said, since leaving them out changes what a program can
    /// show (a `purchase` that no send raises has a lift near 0).
    fn not_above_background(&self, channel: &str, sends: &[usize], fits: &[Fit]) -> Option<String> {
        let mut names: BTreeSet<&str> = BTreeSet::new();
        for &s in sends {
            names.extend(
                self.watched.events[s]
                    .iter()
                    .map(|&e| self.history.events[e].name.as_str()),
            );
        }
        let mut dropped = Vec::new();
        for event in names {
            if fits.iter().any(|f| f.event == event) {
                continue;
            }
            let (excess, expected) = self.seen_and_expected(sends, event, None);
            let seen = excess + expected;
            if seen >= DELAY_SEEN as f64 && excess < (DELAY_SEEN as f64).max(3.0 * expected.sqrt())
            {
                dropped.push(format!(
                    "`{event}` (after {seen:.0} sends, {expected:.0} expected anyway)"
                ));
            }
        }
        if dropped.is_empty() {
            return None;
        }
        Some(format!(
            "channel `{channel}`: {} came no more often after its sends than customers do them anyway, so they are not written as answers to {channel}: in the simulation {channel} makes nobody do them (customers still do them at their `[[background]]` rate), and a program's lift in them from {channel} comes out near 0; if {channel} should drive them, this history does not show it",
            dropped.join(", ")
        ))
    }
}

fn counts_of(cx: &Context, sends: &[usize], event: &str) -> u64 {
    sends
        .iter()
        .filter(|&&s| {
            cx.watched.events[s]
                .iter()
                .any(|&e| cx.history.events[e].name == event)
        })
        .count() as u64
}

fn response(fit: &Fit, comment: String) -> ResponseDoc {
    ResponseDoc {
        event: fit.event.clone(),
        chance: fit.estimate.chance,
        after: libm::exp(fit.estimate.mu),
        p90: libm::exp(fit.estimate.mu + Z90 * fit.estimate.sigma),
        given: fit.given.clone(),
        properties: fit.properties.clone(),
        comment: Some(comment),
        seen: fit.seen,
    }
}

fn seen_words(fit: &Fit) -> String {
    match &fit.given {
        None => format!("{} of {} sends", fit.seen, fit.watched),
        Some(g) => format!("{} of {} after `{g}`", fit.seen, fit.watched),
    }
}

/// A layer over `base`: the answers that differ from the base's.
fn layer(cx: &Context, sends: &[usize], base: &[Fit]) -> Vec<(Fit, f64)> {
    let mut out = Vec::new();
    for b in base {
        let Some(own) = cx.fit_one(
            sends,
            &b.event,
            b.given.as_deref(),
            Some((b.estimate.mu, b.estimate.sigma)),
        ) else {
            continue;
        };
        let n = own.watched as f64;
        if n == 0.0 {
            continue;
        }
        let pc = b.estimate.chance;
        let se = (pc * (1.0 - pc) / n).sqrt().max(1e-9);
        if (own.estimate.chance - pc).abs() / se <= Z_DIFFERENT {
            continue;
        }
        let chance = (n * own.estimate.chance + PRIOR_SENDS * pc) / (n + PRIOR_SENDS);
        let w = own.seen as f64 / (own.seen as f64 + PRIOR_ANSWERS);
        let mut shrunk = own.clone();
        shrunk.estimate = Estimate {
            chance,
            mu: w * own.estimate.mu + (1.0 - w) * b.estimate.mu,
            sigma: w * own.estimate.sigma + (1.0 - w) * b.estimate.sigma,
        };
        out.push((shrunk, pc));
    }
    // Answers the base does not have at all.
    let extra = cx.table(sends, base);
    for fit in extra.into_iter().skip(base.len()) {
        out.push((fit, 0.0));
    }
    out
}

pub fn tables(
    history: &History,
    watched: &Watched,
    rates: &Rates,
    schema: Option<&Schema>,
    options: &Options,
    doc: &mut Doc,
    notes: &mut Vec<String>,
) {
    let cx = Context {
        history,
        watched,
        rates,
        window: options.window as f64,
    };
    let mut few_templates: Vec<String> = Vec::new();
    let mut few_segments: Vec<String> = Vec::new();
    let mut by_channel: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut by_template: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, send) in history.sends.iter().enumerate() {
        by_channel.entry(&send.channel).or_default().push(i);
        by_template.entry(&send.template).or_default().push(i);
    }
    let all: Vec<usize> = (0..history.sends.len()).collect();
    let mut pooled: Option<Vec<Fit>> = None;
    let mut channel_fits: BTreeMap<String, Vec<Fit>> = BTreeMap::new();
    let mut channels: Vec<String> = by_channel.keys().map(|c| c.to_string()).collect();
    if let Some(schema) = schema {
        for declared in &schema.channels {
            let name = declared.name.as_str();
            if !by_channel.contains_key(name) {
                notes.push(format!(
                    "channel `{name}`: no sends in the history, so no table: nobody answers {name} in the simulation (write one by hand, or take one from `nurture sample behavior`)"
                ));
            }
        }
        channels.sort_by_key(|c| {
            schema
                .channels
                .iter()
                .position(|d| d.name.as_str() == c)
                .unwrap_or(usize::MAX)
        });
    }
    for channel in &channels {
        let sends = &by_channel[channel.as_str()];
        let n = sends.len() as u64;
        let (fits, comment) = if n >= options.min_sends {
            let fits = cx.table(sends, &[]);
            if let Some(note) = cx.not_above_background(channel, sends, &fits) {
                notes.push(note);
            }
            (fits, format!("{n} sends"))
        } else {
            notes.push(format!(
                "channel `{channel}`: {n} sends, fewer than {}: it answers as all channels together",
                options.min_sends
            ));
            let fits = pooled.get_or_insert_with(|| cx.table(&all, &[])).clone();
            (
                fits,
                format!(
                    "{n} sends only: the numbers of all {} sends together",
                    all.len()
                ),
            )
        };
        doc.channels.push(TableDoc {
            key: vec![channel.clone()],
            comment: vec![comment],
            responses: fits.iter().map(|f| response(f, seen_words(f))).collect(),
        });
        channel_fits.insert(channel.clone(), fits);
    }

    // Segments, in the schema's order (the first a customer is in applies).
    let mut segment_names: Vec<String> = watched
        .segments
        .iter()
        .flatten()
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if let Some(schema) = schema {
        segment_names.sort_by_key(|s| {
            schema
                .segments
                .iter()
                .position(|d| d.as_str() == s)
                .unwrap_or(usize::MAX)
        });
    }
    for segment in &segment_names {
        for channel in &channels {
            let sends: Vec<usize> = by_channel[channel.as_str()]
                .iter()
                .copied()
                .filter(|&s| watched.segments[s].contains(segment))
                .collect();
            let n = sends.len() as u64;
            if n < options.min_sends {
                if n > 0 {
                    few_segments.push(format!("`{segment}` on {channel} ({n})"));
                }
                continue;
            }
            let differ = layer(&cx, &sends, &channel_fits[channel]);
            if differ.is_empty() {
                continue;
            }
            doc.segments.push(TableDoc {
                key: vec![segment.clone(), channel.clone()],
                comment: vec![format!("{n} sends on {channel} to customers in `{segment}`; answers that differ from the channel's, shrunk toward it")],
                responses: differ
                    .iter()
                    .map(|(f, pc)| response(f, format!("{} (the channel: {:.1}%)", seen_words(f), pc * 100.0)))
                    .collect(),
            });
        }
    }

    let mut alike = Vec::new();
    for (template, sends) in &by_template {
        let n = sends.len() as u64;
        if n < options.min_sends {
            few_templates.push(format!("`{template}` ({n})"));
            continue;
        }
        // The channel it is mostly sent on.
        let mut on: BTreeMap<&str, usize> = BTreeMap::new();
        for &s in sends {
            *on.entry(history.sends[s].channel.as_str()).or_default() += 1;
        }
        let Some((channel, _)) = on.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))) else {
            continue;
        };
        let base = channel_fits.get(*channel).cloned().unwrap_or_default();
        let differ = layer(&cx, sends, &base);
        if differ.is_empty() {
            alike.push(format!("`{template}`"));
            continue;
        }
        doc.templates.push(TableDoc {
            key: vec![template.to_string()],
            comment: vec![format!("{n} sends, mostly on {channel}; answers that differ from the channel's, shrunk toward it")],
            responses: differ
                .iter()
                .map(|(f, pc)| response(f, format!("{} (the channel: {:.1}%)", seen_words(f), pc * 100.0)))
                .collect(),
        });
    }
    if !few_segments.is_empty() {
        notes.push(format!(
            "segments with fewer than {} sends on a channel answer as the channel: {}",
            options.min_sends,
            few_segments.join(", ")
        ));
    }
    if !few_templates.is_empty() {
        notes.push(format!(
            "templates with fewer than {} sends answer as their channel: {}",
            options.min_sends,
            few_templates.join(", ")
        ));
    }
    if !alike.is_empty() {
        notes.push(format!(
            "templates that answer as their channel (no answer differs by more than chance): {}",
            alike.join(", ")
        ));
    }
}
