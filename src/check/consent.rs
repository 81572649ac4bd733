//! Consent on every path (N310): a send on a channel that needs opt-in must
//! be covered wherever customers reach it, by the `consent` header or an
//! `audience` that requires consent (customers without it never enter), by
//! `if consent CHANNEL` on the send, or by a `branch` arm whose condition
//! requires it.
//!
//! This is a must-analysis over the flow: what a customer is known to have
//! agreed to at a point is what holds on *every* path to it.

use super::flow::{Flow, Point, To, Via};
use crate::codes::Code;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::span::Span;
use crate::syntax::ast::{ClauseKind, Cond, CondKind, StatementKind};
use std::collections::{BTreeMap, BTreeSet};

type Known<'p> = BTreeSet<&'p str>;

pub fn check<'p>(flow: &Flow<'p>, needs_consent: &dyn Fn(&str) -> bool) -> Vec<Diagnostic> {
    let Some(start) = flow.start() else {
        return Vec::new();
    };
    let mut entry: Known<'p> = BTreeSet::new();
    for clause in &flow.program.clauses {
        match &clause.kind {
            ClauseKind::Consent(channels) => entry.extend(channels.iter().map(|c| c.as_str())),
            ClauseKind::Audience(cond) => entry.extend(required(cond)),
            _ => {}
        }
    }

    let mut known: BTreeMap<Point, Known<'p>> = BTreeMap::new();
    known.insert(start, entry);
    let mut work = vec![start];
    while let Some(point) = work.pop() {
        let here = known.get(&point).cloned().unwrap_or_default();
        for &movement in flow.moves(point) {
            let To::Point(to) = movement.to else {
                continue;
            };
            let mut out = here.clone();
            if let Via::When(cond) = movement.via {
                out.extend(required(cond));
            }
            let changed = match known.get_mut(&to) {
                None => {
                    known.insert(to, out);
                    true
                }
                Some(existing) => {
                    let meet: Known<'p> = existing.intersection(&out).copied().collect();
                    let changed = meet.len() != existing.len();
                    *existing = meet;
                    changed
                }
            };
            if changed {
                work.push(to);
            }
        }
    }

    let mut found = Vec::new();
    for (point, here) in &known {
        let Some(statement) = flow.statement(*point) else {
            continue;
        };
        let StatementKind::Send {
            channel,
            guard,
            template,
            fallback,
        } = &statement.kind
        else {
            continue;
        };
        let name = channel.as_str();
        let guarded = |name: &str| guard.as_ref().is_some_and(|g| required(g).contains(name));
        let covered = |name: &str| !needs_consent(name) || here.contains(name) || guarded(name);
        if !fallback.is_empty() {
            // A fallback goes out on the first channel the customer agreed
            // to: covered when one of them is known agreed (or needs none).
            let channels = statement.kind.send_channels();
            let names: BTreeSet<&str> = channels.iter().map(|c| c.as_str()).collect();
            let guard_covers = guard.as_ref().is_some_and(|g| one_of(g, &names));
            if !guard_covers && !channels.iter().any(|c| covered(c.as_str())) {
                found.push(fallback_without_consent(&channels, statement.span));
            }
            continue;
        }
        if !covered(name) {
            found.push(
                Diagnostic::new(
                    Code::SendWithoutConsent,
                    format!("`{name}` may be sent to customers who have not agreed to {name}"),
                )
                .label(channel.span, "not covered by consent on every path to here")
                .help(format!(
                    "add `if consent {name}` to this send, `consent {name}` to the header (only customers who agreed enter), or send it in a branch arm `when consent {name} -> …`"
                ))
                .fix(guard_fix(name, template.span, guard.as_ref())),
            );
        }
    }
    found
}

/// N310 for a send with fallback: none of its channels is known agreed.
fn fallback_without_consent(channels: &[&crate::span::Name], send: Span) -> Diagnostic {
    let names: Vec<String> = channels
        .iter()
        .map(|c| format!("`{}`", c.as_str()))
        .collect();
    let listed = match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => names.concat(),
    };
    let mut diagnostic = Diagnostic::new(
        Code::SendWithoutConsent,
        format!("this send may reach customers who have agreed to none of {listed}"),
    );
    let first = channels.first().map_or(send, |c| c.span);
    diagnostic = diagnostic.label(
        first,
        "no channel of this send is covered by consent on every path to here",
    );
    for channel in channels.iter().skip(1) {
        diagnostic = diagnostic.label(channel.span, "nor this one");
    }
    let first_name = channels.first().map_or("email", |c| c.as_str());
    diagnostic.help(format!(
        "a send with `or` goes out on the first channel the customer agreed to, so one of them must be known agreed: add `consent {first_name}` to the header, send it in a branch arm `when consent {first_name} -> …`, or add `or` a channel that needs no consent (like `letter`)"
    ))
}

/// `if consent CHANNEL` on a send: after the template, or in front of the
/// guard it already has (in parentheses when that is an `or`, which `and`
/// would otherwise split).
fn guard_fix(channel: &str, template: Span, guard: Option<&Cond>) -> Fix {
    let title = format!("add `if consent {channel}`");
    match guard {
        None => Fix::replace(
            title,
            Span::at(template.end),
            format!(" if consent {channel}"),
        ),
        Some(guard) => {
            let mut fix = Fix::replace(
                title,
                Span::at(guard.span.start),
                format!("consent {channel} and "),
            );
            if matches!(guard.kind, CondKind::Any(_)) {
                fix.edits[0].text.push('(');
                fix.edits.push(Edit {
                    span: Span::at(guard.span.end),
                    text: ")".to_string(),
                });
            }
            fix
        }
    }
}

/// Whether a condition can only be true with consent to one of
/// `channels` (`if consent push or consent email` on a fallback of both).
fn one_of(cond: &Cond, channels: &BTreeSet<&str>) -> bool {
    match &cond.kind {
        CondKind::Consent(channel) => channels.contains(channel.as_str()),
        CondKind::All(parts) => parts.iter().any(|p| one_of(p, channels)),
        CondKind::Any(parts) => !parts.is_empty() && parts.iter().all(|p| one_of(p, channels)),
        _ => false,
    }
}

/// The channels a condition can only be true with consent for.
pub fn required(cond: &Cond) -> BTreeSet<&str> {
    match &cond.kind {
        CondKind::Consent(channel) => BTreeSet::from([channel.as_str()]),
        CondKind::All(parts) => parts.iter().flat_map(required).collect(),
        CondKind::Any(parts) => {
            let mut sets = parts.iter().map(required);
            let first = sets.next().unwrap_or_default();
            sets.fold(first, |acc, set| acc.intersection(&set).copied().collect())
        }
        _ => BTreeSet::new(),
    }
}
