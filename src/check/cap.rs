//! Frequency caps along every path (N311): `cap N messages per D` promises
//! that no customer gets more than N messages within any stretch of D. The
//! check walks forward from every reachable send, counting sends until D has
//! passed, loops included; a wait arm for an event takes no time, since a
//! customer may answer at once. Sends whose guards exclude each other
//! within a run count as one at most (`guards.rs`). With `ends after D`, a
//! send that cannot come before D (the soonest a customer gets there) is
//! never sent, and is not counted. A `wait until D after entry` takes no
//! time at the soonest (the moment may have passed), but past it a customer
//! is at least D after entering: when the first send of a search goes out
//! at the latest L after entering (its latest arrival, `timing.rs`, plus
//! the longest hold), everything past the wait is at least D - L after it.
//! With L unbounded (a loop before the send), nothing is assumed.

use super::flow::{Flow, Point, To, show_minutes};
use super::guards::{Guards, Known};
use super::sends::onward;
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::span::Span;
use crate::syntax::ast::{Cap, ClauseKind, StatementKind};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// States one search may visit; programs are small, this only bounds a
/// pathological one.
const BUDGET: usize = 200_000;

/// Searches from one send, each knowing something else of the customer:
/// past this, one search knowing nothing.
const MAX_STARTS: usize = 4;

/// Each send, with what is known of the customer when they reach it (by
/// its number in `ways`); when that search is too large, or a send is
/// reached knowing many different things, knowing nothing (which counts at
/// least as much). The pairs are those `Sends::new` reaches, in the same
/// order, walked here through `ways` so that the searches from them find
/// their first moves worked out.
fn starts(flow: &Flow, guards: &Guards, ways: &mut Ways) -> Vec<(Point, usize)> {
    match reached(flow, guards, ways) {
        Some(states) => {
            let mut by_point: BTreeMap<Point, Vec<usize>> = BTreeMap::new();
            for (point, known) in states {
                by_point.entry(point).or_default().push(known);
            }
            let nothing = ways.known_id(&Known::new());
            by_point
                .into_iter()
                .flat_map(|(point, knowns)| {
                    let knowns = if knowns.len() > MAX_STARTS {
                        vec![nothing]
                    } else {
                        knowns
                    };
                    knowns.into_iter().map(move |known| (point, known))
                })
                .collect()
        }
        None => {
            let nothing = ways.known_id(&Known::new());
            reachable(flow)
                .into_iter()
                .map(|point| (point, nothing))
                .collect()
        }
    }
}

/// Every (point, what is known) pair reached from the start, in the order
/// first reached, as `Sends::new` finds them; `None` past its bound.
fn reached(flow: &Flow, guards: &Guards, ways: &mut Ways) -> Option<Vec<(Point, usize)>> {
    let start = flow.start()?;
    let first = (start, ways.known_id(&guards.at_entry(flow.program)));
    let mut seen: HashSet<(Point, usize), foldhash::fast::RandomState> = HashSet::default();
    seen.insert(first);
    let mut states = vec![first];
    let mut work = vec![first];
    while let Some((point, known)) = work.pop() {
        let (from, to) = ways.from(point, known);
        for at in from..to {
            let way = ways.all[at];
            let key = (way.to, way.known);
            if !seen.contains(&key) {
                if seen.len() >= super::sends::MAX_STATES {
                    return None;
                }
                seen.insert(key);
                states.push(key);
                work.push(key);
            }
        }
    }
    Some(states)
}

pub fn check(flow: &Flow, guards: &Guards, source: &str) -> Vec<Diagnostic> {
    let mut ways = Ways::new(flow, guards);
    let reachable = starts(flow, guards, &mut ways);
    let deadline = super::timing::deadline_minutes(flow.program);
    let soonest = deadline
        .map(|_| super::timing::soonest(flow))
        .unwrap_or_default();
    let timing = flow.timing();
    let hold = super::timing::hold_minutes(flow.program);
    let mut found = Vec::new();
    for clause in &flow.program.clauses {
        let ClauseKind::Cap(cap) = &clause.kind else {
            continue;
        };
        if cap.per.value.minutes == 0 {
            continue;
        }
        let counts = |point: Point| {
            // A send with `or` is one message for `cap N messages`; a cap
            // on one of its channels it cannot break: when that cap is
            // full, it goes out on its next channel (or is skipped).
            flow.statement(point).is_some_and(|s| match &s.kind {
                StatementKind::Send {
                    channel, fallback, ..
                } => match &cap.channel {
                    None => true,
                    Some(c) => fallback.is_empty() && c.value == channel.value,
                },
                _ => false,
            })
        };
        for (point, known) in reachable.iter().filter(|(p, _)| counts(*p)) {
            let until = deadline.map(|d| Until {
                deadline: d,
                from: soonest.get(point).copied().unwrap_or(0),
            });
            // The latest the first send can go out, after entering: its
            // arrival, held by quiet hours or a send window at most `hold`.
            let latest = timing.arrival(*point).map(|at| at.saturating_add(hold));
            let from = Start {
                point: *point,
                known: *known,
                latest,
            };
            if let Some(sends) = too_many(&mut ways, cap, from, until, &counts) {
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

/// The most messages (on `channel`, or all) one journey can send within
/// any stretch of `minutes`, and the sends of a path that sends them; past
/// `ceiling`, `ceiling + 1` (the search stops there); `usize::MAX` when the
/// program is too large to search and nothing else bounds it. `at_most` is a bound
/// known already (the journey's most messages, from the facts): the search
/// looks no higher, and falls back on it when the program is too large to
/// search. For the caps across programs (`portfolio.rs`).
pub fn most_within(
    flow: &Flow,
    guards: &Guards,
    channel: Option<&str>,
    minutes: u64,
    ceiling: usize,
    at_most: Option<u64>,
) -> (usize, Vec<Point>) {
    let searches = std::cell::Cell::new(0usize);
    let counts = |point: Point| {
        flow.statement(point).is_some_and(|s| {
            s.kind
                .send_channels()
                .iter()
                .any(|sent| channel.is_none_or(|c| c == sent.value))
        })
    };
    let mut ways = Ways::new(flow, guards);
    let starts: Vec<(Point, usize)> = starts(flow, guards, &mut ways)
        .into_iter()
        .filter(|(p, _)| counts(*p))
        .collect();
    if starts.is_empty() || minutes == 0 {
        return (0, Vec::new());
    }
    let timing = flow.timing();
    let hold = super::timing::hold_minutes(flow.program);
    let ways = std::cell::RefCell::new(ways);
    // A path with more than `limit` sends within the stretch, if any.
    let longer = |limit: usize| {
        let cap = Cap {
            count: crate::span::Spanned::new(
                u32::try_from(limit).unwrap_or(u32::MAX),
                Span::default(),
            ),
            channel: None,
            per: crate::span::Spanned::new(
                crate::syntax::ast::Duration { minutes },
                Span::default(),
            ),
        };
        let mut found = Ok(None);
        for (point, known) in &starts {
            if searches.get() >= MAX_SEARCHES {
                return Err(());
            }
            searches.set(searches.get() + 1);
            let from = Start {
                point: *point,
                known: *known,
                latest: timing.arrival(*point).map(|at| at.saturating_add(hold)),
            };
            match search(&mut ways.borrow_mut(), &cap, from, None, &counts) {
                Ok(None) => {}
                other => {
                    found = other;
                    break;
                }
            }
        }
        found
    };
    // Any send that can go out is one within the stretch. Then a search by
    // halves between the most a path was found with and the least none
    // has more than (monotone): a few searches, not one per message.
    let mut best = (1, vec![starts[0].0]);
    let mut none_above = at_most.map_or(ceiling + 1, |m| m.min(ceiling as u64 + 1) as usize);
    while best.0 < none_above {
        let limit = best.0 + (none_above - best.0) / 2;
        match longer(limit) {
            Ok(Some(sends)) => best = (sends.len(), sends),
            Ok(None) => none_above = limit,
            // Too large to search: the bound known without a search, if
            // any (the path found so far is shown with it).
            Err(()) => match at_most {
                Some(most) => return (usize::try_from(most).unwrap_or(usize::MAX), best.1),
                None => return (usize::MAX, best.1),
            },
        }
    }
    best
}

/// Searches one [`most_within`] may make (each within [`BUDGET`] states):
/// past them it falls back on the bound it was given.
const MAX_SEARCHES: usize = 256;

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

/// The deadline, and the soonest a customer reaches the first send after
/// entering.
#[derive(Clone, Copy)]
struct Until {
    deadline: u64,
    from: u64,
}

/// The send a search starts from: where, what is known of the customer
/// there, and the latest minutes after entering it can go out (`None`:
/// unbounded).
struct Start {
    point: Point,
    /// By its number in the search's `Ways`.
    known: usize,
    latest: Option<u64>,
}

/// Looks for a path from `first` with more sends than the cap allows within
/// its window; returns the sends along it. Sends whose guards exclude each
/// other within a run go out one at most (`guards.rs`), and none goes out
/// at or after the deadline.
fn too_many(
    ways: &mut Ways,
    cap: &Cap,
    start: Start,
    until: Option<Until>,
    counts: &dyn Fn(Point) -> bool,
) -> Option<Vec<Point>> {
    // Past the budget nothing is reported: N311 says only what it found.
    search(ways, cap, start, until, counts).unwrap_or(None)
}

/// [`too_many`], telling a search that ran out of budget (`Err`) from one
/// that found no such path.
fn search(
    ways: &mut Ways,
    cap: &Cap,
    Start {
        point: first,
        known,
        latest,
    }: Start,
    until: Option<Until>,
    counts: &dyn Fn(Point) -> bool,
) -> Result<Option<Vec<Point>>, ()> {
    let limit = cap.count.value as usize;
    let window = cap.per.value.minutes;
    if until.is_some_and(|u| u.from >= u.deadline) {
        return Ok(None);
    }
    // Only asked whether a state was seen, never walked: a hash set. What
    // is known is a number (`Ways`), so that a state is a few numbers,
    // hashed and compared at once rather than fact by fact.
    let mut seen: HashSet<(Point, u64, u64, usize, usize), foldhash::fast::RandomState> =
        HashSet::default();
    // The sends of every path, each with the one before it on its path
    // (`NO_SEND` for the first): a path is its last send, and the sends
    // along it are read back only when it is the one reported.
    let mut links: Vec<(Point, usize)> = Vec::new();
    // (point, minutes since the first send, the soonest since entering,
    // sends so far on this path and the last of them, what is known in
    // this run); the first send goes out.
    let start = until.map_or(0, |u| u.from);
    let mut stack: Vec<(Point, u64, u64, usize, usize, usize)> =
        vec![(first, 0, start, 0, NO_SEND, known)];
    while let Some((point, elapsed, since_entry, sent, last, known)) = stack.pop() {
        if seen.len() > BUDGET {
            return Err(());
        }
        if !seen.insert((point, elapsed, since_entry, sent, known)) {
            continue;
        }
        let (from, to) = ways.from(point, known);
        for at in (from..to).rev() {
            let way = ways.all[at];
            let first_send = point == first && sent == 0;
            if first_send && !way.sends {
                continue;
            }
            let (mut sent, mut last) = (sent, last);
            if way.sends && counts(point) {
                links.push((point, last));
                last = links.len() - 1;
                sent += 1;
                if sent > limit {
                    return Ok(Some(path(&links, last)));
                }
            }
            // Past `wait until D after entry` a customer is at least D
            // after entering, and the first send went out no later than
            // `latest`: at least D - latest after it (nothing is assumed
            // when `latest` is unbounded).
            let floor = match latest {
                Some(latest) if way.at_least > 0 => way.at_least.saturating_sub(latest),
                _ => 0,
            };
            let later = elapsed.saturating_add(way.after).max(floor);
            let since = since_entry.saturating_add(way.after).max(way.at_least);
            let before_deadline = until.is_none_or(|u| since < u.deadline);
            if later < window && before_deadline {
                let since = if until.is_some() { since } else { 0 };
                stack.push((way.to, later, since, sent, last, way.known));
            }
        }
    }
    Ok(None)
}

/// No send before this one on its path.
const NO_SEND: usize = usize::MAX;

/// The sends of the path that ends with `links[last]`, first to last.
fn path(links: &[(Point, usize)], last: usize) -> Vec<Point> {
    let mut sends = Vec::new();
    let mut at = last;
    while let Some(&(point, before)) = links.get(at) {
        sends.push(point);
        at = before;
    }
    sends.reverse();
    sends
}

/// The ways on from each (point, what is known) pair, worked out once for
/// all the searches of one check: they start from every send and walk the
/// same pairs again and again. What is known is interned, each different
/// set once, by a number.
struct Ways<'f, 'p, 'g> {
    flow: &'f Flow<'p>,
    guards: &'f Guards<'g>,
    knowns: Vec<Known>,
    ids: HashMap<Known, usize, foldhash::fast::RandomState>,
    /// The ways from each pair asked about, as a range of `all`.
    from: HashMap<(Point, usize), (usize, usize), foldhash::fast::RandomState>,
    all: Vec<Way>,
}

/// [`Onward`](super::sends::Onward) with what is known by its number.
#[derive(Clone, Copy)]
struct Way {
    to: Point,
    known: usize,
    sends: bool,
    after: u64,
    at_least: u64,
}

impl<'f, 'p, 'g> Ways<'f, 'p, 'g> {
    fn new(flow: &'f Flow<'p>, guards: &'f Guards<'g>) -> Self {
        Ways {
            flow,
            guards,
            knowns: Vec::new(),
            ids: HashMap::default(),
            from: HashMap::default(),
            all: Vec::new(),
        }
    }

    fn known_id(&mut self, known: &Known) -> usize {
        if let Some(&id) = self.ids.get(known) {
            return id;
        }
        self.intern(known.clone())
    }

    fn intern(&mut self, known: Known) -> usize {
        if let Some(&id) = self.ids.get(&known) {
            return id;
        }
        let id = self.knowns.len();
        self.knowns.push(known.clone());
        self.ids.insert(known, id);
        id
    }

    /// The ways on from `point` knowing the set numbered `known`, in the
    /// order `onward` gives them: a range of `self.all`.
    fn from(&mut self, point: Point, known: usize) -> (usize, usize) {
        if let Some(&range) = self.from.get(&(point, known)) {
            return range;
        }
        // Every number was given out by `intern`, which pushed its set.
        let onward = onward(self.flow, self.guards, point, &self.knowns[known]);
        let start = self.all.len();
        for way in onward {
            let known = self.intern(way.known);
            self.all.push(Way {
                to: way.to,
                known,
                sends: way.sends,
                after: way.after,
                at_least: way.at_least,
            });
        }
        let range = (start, self.all.len());
        self.from.insert((point, known), range);
        range
    }
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
