//! Frequency caps along every path (N311): `cap N messages per D` promises
//! that no customer gets more than N messages within any stretch of D. The
//! check walks forward from every reachable send, counting sends until D has
//! passed, loops included; a wait arm for an event takes no time, since a
//! customer may answer at once. Sends whose guards exclude each other
//! within a run count as one at most (`guards.rs`).

use super::flow::{Flow, Point, To, show_minutes};
use super::guards::{Guards, Known};
use super::sends::{Sends, onward};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::span::Span;
use crate::syntax::ast::{Cap, ClauseKind, StatementKind};
use std::collections::{BTreeMap, BTreeSet};

/// States one search may visit; programs are small, this only bounds a
/// pathological one.
const BUDGET: usize = 200_000;

/// Searches from one send, each knowing something else of the customer:
/// past this, one search knowing nothing.
const MAX_STARTS: usize = 4;

pub fn check(flow: &Flow, guards: &Guards, source: &str) -> Vec<Diagnostic> {
    // Each send, with what is known of the customer when they reach it;
    // when that search is too large, or a send is reached knowing many
    // different things, knowing nothing (which counts at least as much).
    let reachable: Vec<(Point, Known)> = match Sends::new(flow, guards) {
        Some(sends) => {
            let mut by_point: BTreeMap<Point, Vec<Known>> = BTreeMap::new();
            for (point, known) in sends.states {
                by_point.entry(point).or_default().push(known);
            }
            by_point
                .into_iter()
                .flat_map(|(point, knowns)| {
                    let knowns = if knowns.len() > MAX_STARTS {
                        vec![Known::new()]
                    } else {
                        knowns
                    };
                    knowns.into_iter().map(move |known| (point, known))
                })
                .collect()
        }
        None => reachable(flow)
            .into_iter()
            .map(|point| (point, Known::new()))
            .collect(),
    };
    let mut found = Vec::new();
    for clause in &flow.program.clauses {
        let ClauseKind::Cap(cap) = &clause.kind else {
            continue;
        };
        if cap.per.value.minutes == 0 {
            continue;
        }
        let counts = |point: Point| {
            flow.statement(point).is_some_and(|s| match &s.kind {
                StatementKind::Send { channel, .. } => cap
                    .channel
                    .as_ref()
                    .is_none_or(|c| c.value == channel.value),
                _ => false,
            })
        };
        for (point, known) in reachable.iter().filter(|(p, _)| counts(*p)) {
            if let Some(sends) = too_many(flow, guards, cap, (*point, known), &counts) {
                let written = source
                    .get(clause.span.start..clause.span.end)
                    .unwrap_or("cap");
                let per = source
                    .get(cap.per.span.start..cap.per.span.end)
                    .map_or_else(|| show_minutes(cap.per.value.minutes), str::to_string);
                found.push(report(flow, cap, clause.span, written, &per, &sends));
                break;
            }
        }
    }
    found
}

fn reachable(flow: &Flow) -> BTreeSet<Point> {
    let mut seen = BTreeSet::new();
    let mut work: Vec<Point> = flow.start().into_iter().collect();
    while let Some(point) = work.pop() {
        if flow.statement(point).is_none() || !seen.insert(point) {
            continue;
        }
        for &movement in flow.moves(point) {
            if let To::Point(to) = movement.to {
                work.push(to);
            }
        }
    }
    seen
}

/// Looks for a path from `first` with more sends than the cap allows within
/// its window; returns the sends along it. Sends whose guards exclude each
/// other within a run go out one at most (`guards.rs`).
fn too_many(
    flow: &Flow,
    guards: &Guards,
    cap: &Cap,
    (first, known): (Point, &Known),
    counts: &dyn Fn(Point) -> bool,
) -> Option<Vec<Point>> {
    let limit = cap.count.value as usize;
    let window = cap.per.value.minutes;
    let mut seen = BTreeSet::new();
    // (point, minutes since the first send, sends so far on this path,
    // what is known in this run); the first send goes out.
    let mut stack: Vec<(Point, u64, Vec<Point>, Known)> =
        vec![(first, 0, Vec::new(), known.clone())];
    while let Some((point, elapsed, sends, known)) = stack.pop() {
        if seen.len() > BUDGET {
            return None;
        }
        if !seen.insert((point, elapsed, sends.len(), known.clone())) {
            continue;
        }
        for way in onward(flow, guards, point, &known).into_iter().rev() {
            let first_send = point == first && sends.is_empty();
            if first_send && !way.sends {
                continue;
            }
            let mut sends = sends.clone();
            if way.sends && counts(point) {
                sends.push(point);
                if sends.len() > limit {
                    return Some(sends);
                }
            }
            let later = elapsed.saturating_add(way.after);
            if later < window {
                stack.push((way.to, later, sends, way.known));
            }
        }
    }
    None
}

fn report(
    flow: &Flow,
    cap: &Cap,
    clause: Span,
    written: &str,
    per: &str,
    sends: &[Point],
) -> Diagnostic {
    let noun = if sends.len() == 1 {
        "message"
    } else {
        "messages"
    };
    let what = cap
        .channel
        .as_ref()
        .map_or(noun.to_string(), |c| format!("{} {noun}", c.as_str()));
    let span_of = |p: &Point| flow.statement(*p).map(|s| s.span).unwrap_or(clause);
    let mut diagnostic = Diagnostic::new(
        Code::CapExceeded,
        format!(
            "customers can get {} {what} within {per}, more than `{}` allows",
            sends.len(),
            written.split_whitespace().collect::<Vec<_>>().join(" ")
        ),
    );
    if let Some(last) = sends.last() {
        diagnostic = diagnostic.label(
            span_of(last),
            format!("message {} within {per}", sends.len()),
        );
    }
    for (n, send) in sends.iter().enumerate().take(sends.len().saturating_sub(1)) {
        diagnostic = diagnostic.label(span_of(send), format!("message {}", n + 1));
    }
    diagnostic.label(clause, "the cap").help(
        "wait longer between these sends, send fewer, or raise the cap; a customer may answer at once, so a wait for an event can take no time at all",
    )
}
