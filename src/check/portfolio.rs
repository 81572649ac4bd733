//! Stage check: the portfolio, every program of a folder checked together
//! against the caps of their schema (`cap 5 messages per 7d` in
//! `schema { … }`, N316). One customer can be in every program at once, so
//! the most messages they can get within a cap's time is, at most, the sum
//! over the programs of what each can send within that time:
//!
//! - along its paths, one journey: the most sends within the time from any
//!   send (`cap::most_within`, loops and exclusive guards as for N311);
//! - times the journeys that fit in the time: one with `reentry never`,
//!   `1 + time / D` with `reentry after D`, and no bound without a
//!   `reentry` clause (a customer may enter again as soon as they leave);
//! - at most what the program's own caps let through in the time (the
//!   runtime keeps those, across journeys): `N × ⌈time / per⌉` for each cap
//!   on the same messages or on all of them.
//!
//! Triggers and audiences are not compared yet: every program counts, which
//! can only say more than the truth, never less.

use super::cap::most_within;
use super::flow::{Flow, show_minutes};
use super::guards::Guards;
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::span::Spanned;
use crate::syntax::ast::{Cap, ClauseKind, Program, Reentry, Schema, StatementKind};
use serde::Serialize;

/// Sends counted along one journey's path before the search stops: far
/// past any schema cap a person writes.
const CEILING: usize = 1_000;

/// One program of the folder, checked without errors.
pub struct Member<'a> {
    pub program: &'a Program,
}

/// What one program can send within a cap's time.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Share {
    pub program: String,
    /// `None`: no bound.
    pub most: Option<u64>,
    /// How: the path's first sends, the journeys, or its own cap.
    pub why: String,
    /// The most one journey sends within the time along its paths (`None`:
    /// a loop without end, or too large to search): the least cap of its
    /// own the program can take without breaking it (N311).
    #[serde(skip)]
    pub one_journey: Option<u64>,
}

/// One of the schema's caps and what the programs together can send
/// within its time (`nurture check --summary`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Bound {
    /// As written: `cap 5 messages per 7d`.
    pub cap: String,
    pub allows: u64,
    /// `None`: no bound.
    pub most: Option<u64>,
    /// Every program that can send within the time, largest share first.
    pub programs: Vec<Share>,
}

/// Every cap of the schema with what the programs together can send.
pub fn bounds(schema: &Schema, members: &[Member]) -> Vec<Bound> {
    schema
        .caps
        .iter()
        .filter(|cap| cap.value.per.value.minutes > 0)
        .map(|cap| {
            let mut programs = shares(schema, members, &cap.value);
            let most = total(&programs);
            largest_first(&mut programs);
            Bound {
                cap: format!(
                    "cap {} per {}",
                    cap_words(&cap.value),
                    show_minutes(cap.value.per.value.minutes)
                ),
                allows: u64::from(cap.value.count.value),
                most,
                programs,
            }
        })
        .collect()
}

fn largest_first(shares: &mut [Share]) {
    shares.sort_by(|a, b| {
        b.most
            .unwrap_or(u64::MAX)
            .cmp(&a.most.unwrap_or(u64::MAX))
            .then(a.program.cmp(&b.program))
    });
}

/// The schema's caps that the programs together can break, each at its
/// span in the schema file.
pub fn check(schema: &Schema, members: &[Member]) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for cap in &schema.caps {
        if cap.value.per.value.minutes == 0 {
            continue;
        }
        let shares = shares(schema, members, &cap.value);
        let total = total(&shares);
        let limit = u64::from(cap.value.count.value);
        if total.is_some_and(|t| t <= limit) {
            continue;
        }
        found.push(report(cap, &shares, total));
    }
    found
}

/// The most messages one customer can get from all `members` together
/// within the time of the schema's cap number `cap` (from 0); `None`
/// without a bound, or without that cap.
pub fn most(schema: &Schema, members: &[Member], cap: usize) -> Option<u64> {
    let cap = schema.caps.get(cap)?;
    total(&shares(schema, members, &cap.value))
}

/// The most messages one customer can get from all `members` together
/// within any `minutes` in a row, as for a cap on all messages over that
/// time (the simulator's messages per customer per week, beside the bound
/// the schema's caps then set); `None` without a bound.
pub fn most_within_minutes(schema: &Schema, members: &[Member], minutes: u64) -> Option<u64> {
    let span = crate::span::Span::default();
    let cap = Cap {
        count: Spanned::new(u32::MAX, span),
        channel: None,
        per: Spanned::new(crate::syntax::ast::Duration { minutes }, span),
    };
    total(&shares(schema, members, &cap))
}

fn shares(schema: &Schema, members: &[Member], cap: &Cap) -> Vec<Share> {
    members
        .iter()
        .map(|m| share(m.program, schema, cap))
        .filter(|s| s.most != Some(0))
        .collect()
}

fn total(shares: &[Share]) -> Option<u64> {
    shares
        .iter()
        .try_fold(0u64, |sum, s| s.most.map(|m| sum.saturating_add(m)))
}

fn share(program: &Program, schema: &Schema, cap: &Cap) -> Share {
    let name = program.name.value.clone();
    let window = cap.per.value.minutes;
    let channel = cap.channel.as_ref().map(|c| c.value.as_str());
    let needs_consent = |c: &str| super::names::needs_consent(Some(schema), c);
    let guards = Guards::new(program, Some(schema), &needs_consent);
    let flow = Flow::new(program);
    // A journey's most messages bound those within any stretch of it.
    let facts = super::facts::facts_with(program, Some(schema));
    let at_most = match channel {
        None => facts.messages.total,
        Some(c) => facts
            .messages
            .per_channel
            .get(c)
            .copied()
            .unwrap_or(Some(0)),
    };
    let (one, sends) = most_within(&flow, &guards, channel, window, CEILING, at_most);
    let templates: Vec<String> = sends
        .iter()
        .filter_map(|p| match &flow.statement(*p)?.kind {
            StatementKind::Send { template, .. } => Some(format!("`{}`", template.value)),
            _ => None,
        })
        .collect();
    let one = one as u64;
    let reentry = program.clauses.iter().find_map(|c| match &c.kind {
        ClauseKind::Reentry(r) => Some(r),
        _ => None,
    });
    let journeys = match reentry {
        Some(Reentry::Never) => Some(1),
        Some(Reentry::After(after)) if after.value.minutes > 0 => {
            Some(1 + window / after.value.minutes)
        }
        _ => None,
    };
    let one_journey = (one <= CEILING as u64).then_some(one);
    let along = if one > CEILING as u64 {
        None
    } else {
        journeys.map(|j| j.saturating_mul(one))
    };
    // The program's own caps on the same messages, or on all of them.
    let own = program
        .clauses
        .iter()
        .filter_map(|c| match &c.kind {
            ClauseKind::Cap(own) if own.per.value.minutes > 0 => Some(own),
            _ => None,
        })
        .filter(|own| {
            own.channel
                .as_ref()
                .is_none_or(|c| channel.is_some_and(|wanted| wanted == c.value))
        })
        .map(|own| {
            let per = own.per.value.minutes;
            let stretches = window.div_ceil(per);
            (u64::from(own.count.value).saturating_mul(stretches), own)
        })
        .min_by_key(|(most, _)| *most);
    // The path's first sends: the help line is short.
    let path = match templates.len() {
        0 => String::new(),
        1 | 2 => format!(" ({})", templates.join(", ")),
        n => format!(" ({}, … {} in all)", templates[..2].join(", "), n),
    };
    let within = show_minutes(window);
    match (along, own) {
        (Some(a), Some((o, cap))) if o < a => Share {
            program: name,
            one_journey,
            most: Some(o),
            why: format!(
                "its own `cap {} per {}`",
                cap_words(cap),
                show_minutes(cap.per.value.minutes)
            ),
        },
        (Some(a), _) => Share {
            program: name,
            one_journey,
            most: Some(a),
            why: match journeys {
                Some(j) if j > 1 => format!("{j} journeys within {within}, {one} each{path}"),
                _ => format!("one journey{path}"),
            },
        },
        (None, Some((o, cap))) => Share {
            program: name,
            one_journey,
            most: Some(o),
            why: format!(
                "its own `cap {} per {}`",
                cap_words(cap),
                show_minutes(cap.per.value.minutes)
            ),
        },
        (None, None) => Share {
            program: name,
            one_journey,
            most: None,
            why: if one == usize::MAX as u64 {
                "too large to search within the check's budget, and no cap of its own".into()
            } else if one > CEILING as u64 {
                "a loop sends without end".into()
            } else {
                "customers may enter it again as soon as they leave (no `reentry`) and it has no cap".into()
            },
        },
    }
}

fn cap_words(cap: &Cap) -> String {
    let what = cap
        .channel
        .as_ref()
        .map_or("messages".to_string(), |c| c.value.clone());
    format!("{} {what}", cap.count.value)
}

fn report(cap: &Spanned<Cap>, shares: &[Share], total: Option<u64>) -> Diagnostic {
    let written = format!(
        "cap {} per {}",
        cap_words(&cap.value),
        show_minutes(cap.value.per.value.minutes)
    );
    let within = show_minutes(cap.value.per.value.minutes);
    let what = cap
        .value
        .channel
        .as_ref()
        .map_or("messages".to_string(), |c| format!("{} messages", c.value));
    let message = match total {
        Some(total) => format!(
            "the programs together can send one customer {total} {what} within {within}, more than `{written}` allows"
        ),
        None => format!(
            "the programs together can send one customer any number of {what} within {within}, more than `{written}` allows"
        ),
    };
    let mut listed: Vec<Share> = shares.to_vec();
    largest_first(&mut listed);
    // The largest shares, the first with why; the help line is short.
    let shown: Vec<String> = listed
        .iter()
        .take(3)
        .enumerate()
        .map(|(i, s)| {
            let most = s
                .most
                .map_or("without bound".to_string(), |m| m.to_string());
            if i == 0 {
                format!("`{}` {most}: {}", s.program, s.why)
            } else {
                format!("`{}` {most}", s.program)
            }
        })
        .collect();
    let more = match listed.len().saturating_sub(3) {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    let shares = format!("most from {}{more}", shown.join(", "));
    Diagnostic::new(Code::PortfolioCapExceeded, message)
        .label(
            cap.span,
            match listed.len() {
                1 => "1 program".to_string(),
                n => format!("{n} programs together"),
            },
        )
        .help(format!("{}; {shares}", fix(cap, &listed, total)))
}

/// What to do that works: caps of their own no lower than what one journey
/// sends within the time (a lower one breaks on the program's own path,
/// N311), for the programs whose journeys add up (re-entry, or no bound);
/// when even one journey of each is too many, send fewer or a raised cap.
fn fix(cap: &Spanned<Cap>, shares: &[Share], total: Option<u64>) -> String {
    let limit = u64::from(cap.value.count.value);
    let within = show_minutes(cap.value.per.value.minutes);
    let what = cap
        .value
        .channel
        .as_ref()
        .map_or("messages".to_string(), |c| c.value.clone());
    // Each program's own cap, where its journeys add up beyond one.
    let capped: Vec<String> = shares
        .iter()
        .filter_map(|s| {
            let one = s.one_journey?;
            (s.most != Some(one))
                .then(|| format!("`cap {one} {what} per {within}` to `{}`", s.program))
        })
        .collect();
    let endless: Vec<String> = shares
        .iter()
        .filter(|s| s.one_journey.is_none())
        .map(|s| format!("`{}`", s.program))
        .collect();
    if !endless.is_empty() {
        return format!(
            "{} can send without end along one journey: wait longer in its loop (or end it), then give the programs caps of their own; or raise this cap",
            crate::syntax::word_list(endless.iter().map(|s| s.trim_matches('`')))
        );
    }
    let one_each: u64 = shares.iter().filter_map(|s| s.one_journey).sum();
    let caps = match capped.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("add {} and {last}", rest.join(", ")),
        _ => format!("add {}", capped.join("")),
    };
    if one_each <= limit && !capped.is_empty() {
        // Each at least what one of its journeys sends: no N311.
        format!(
            "{caps} (no less than one journey sends, so the program keeps it): together one journey of each sends at most {one_each} within {within}; or raise this cap to {}",
            total.map_or("more".to_string(), |t| t.to_string())
        )
    } else if capped.is_empty() {
        format!(
            "one journey of each already sends {one_each} within {within} together: send fewer, wait longer between sends, or raise this cap to {one_each}"
        )
    } else {
        format!(
            "one journey of each already sends {one_each} within {within} together: send fewer, wait longer between sends, or raise this cap to {one_each} and {caps}"
        )
    }
}
