//! How late a customer can be anywhere in a program: for every point, the
//! latest moment after entering at which a customer can be about to run it,
//! and the longest a customer can stay. `facts.rs` shows the longest stay;
//! `shadow.rs` asks whether a wait always ends inside the goal's window.
//!
//! Every delay the interpreter can add counts, not only the waits written:
//!
//! - a wait for an event may last its whole length (the answer may come
//!   just before the timeout);
//! - quiet hours hold a send back until they end, by at most their length,
//!   and send windows until the next moment inside one and outside quiet
//!   hours, by at most the week's longest such wait (`hold_minutes`,
//!   `docs/runtime.md`). What is held is the rest of the run: the
//!   statements that follow without waiting go on with it at the end of
//!   quiet hours, so each run of statements without a wait is held once at
//!   most. A run that sends is taken to be held, for the worst case;
//! - a customer in the holdout stays the goal's whole window;
//! - `wait until D after entry` waits until D after entering, whenever
//!   the customer gets there before.
//!
//! The search is over pairs (point, held already in this run), a graph
//! (petgraph) whose loops make a time unbounded: every loop a checked
//! program can go round waits somewhere (N303). `ends after D` bounds it
//! all: no customer is anywhere later than D after entering, loops or not.

use super::flow::{Flow, Point, To};
use crate::plan::window;
use crate::syntax::ast::{ClauseKind, Program, StatementKind};
use petgraph::algo::kosaraju_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use std::collections::BTreeMap;

/// Minutes quiet hours last (0 without them): the longest they hold a send.
pub fn quiet_minutes(program: &Program) -> u64 {
    program
        .clauses
        .iter()
        .find_map(|c| match &c.kind {
            ClauseKind::Quiet(quiet) => {
                let (from, until) = (
                    u64::from(quiet.from.value.0),
                    u64::from(quiet.until.value.0),
                );
                Some((until + 24 * 60 - from) % (24 * 60))
            }
            _ => None,
        })
        .unwrap_or(0)
}

/// The program's quiet hours as the plan has them.
pub fn plan_quiet(program: &Program) -> Option<crate::plan::Quiet> {
    program.clauses.iter().find_map(|c| match &c.kind {
        ClauseKind::Quiet(quiet) => Some(crate::plan::Quiet {
            from: quiet.from.value.0,
            until: quiet.until.value.0,
        }),
        _ => None,
    })
}

/// The longest a send can be held back: quiet hours' length, or with send
/// windows the longest wait of the week for a moment inside a window and
/// outside quiet hours (`plan::window::longest_wait`, what the interpreter
/// waits: Friday 18:00 to Monday 08:00 is 62 hours). 0 when nothing holds.
pub fn hold_minutes(program: &Program) -> u64 {
    let windows = super::window::plan_windows(program);
    if windows.is_empty() {
        return quiet_minutes(program);
    }
    // A week: what no window that opens at all can exceed (a program whose
    // windows never open is refused, N328).
    window::longest_wait(&windows, plan_quiet(program).as_ref())
        .map_or(u64::from(window::WEEK_MINUTES), u64::from)
}

/// Whether a send can be held back (and the run it is in with it), so
/// that a customer waits at it.
pub fn holds_sends(program: &Program) -> bool {
    hold_minutes(program) > 0
}

/// `ends after D`: the minutes after entering at which every journey ends.
pub fn deadline_minutes(program: &Program) -> Option<u64> {
    program.clauses.iter().find_map(|c| match &c.kind {
        ClauseKind::Ends(deadline) => Some(deadline.after.value.minutes),
        _ => None,
    })
}

/// The soonest a customer can be at each point after entering, answering
/// at once (Dijkstra over the moves' soonest times, `wait until` included);
/// points no customer reaches are left out.
pub fn soonest(flow: &Flow) -> BTreeMap<Point, u64> {
    use std::cmp::Reverse;
    let mut best: BTreeMap<Point, u64> = BTreeMap::new();
    let Some(start) = flow.start() else {
        return best;
    };
    let mut queue = std::collections::BinaryHeap::new();
    best.insert(start, 0);
    queue.push(Reverse((0u64, start)));
    while let Some(Reverse((at, point))) = queue.pop() {
        if best.get(&point).is_some_and(|&b| b < at) {
            continue;
        }
        for movement in flow.moves(point) {
            let To::Point(to) = movement.to else { continue };
            let arrive = at.saturating_add(movement.after).max(movement.at_least);
            if best.get(&to).is_none_or(|&b| arrive < b) {
                best.insert(to, arrive);
                queue.push(Reverse((arrive, to)));
            }
        }
    }
    best
}

/// The goal's window when customers in the holdout wait it out.
pub fn holdout_minutes(program: &Program) -> u64 {
    let holdout = program.clauses.iter().any(|c| match &c.kind {
        ClauseKind::Holdout(share) => share.value.0 > 0,
        _ => false,
    });
    let goal = program.clauses.iter().find_map(|c| match &c.kind {
        ClauseKind::Goal(goal) => Some(goal.within.value.minutes),
        _ => None,
    });
    match (holdout, goal) {
        (true, Some(within)) => within,
        _ => 0,
    }
}

pub struct Timing {
    /// For every point customers reach: the latest minutes after entering
    /// at which one is about to run it, or `None` when a loop before it
    /// makes that unbounded.
    arrival: BTreeMap<Point, Option<u64>>,
    /// The longest stay in minutes; `None`: unbounded.
    pub longest_stay: Option<u64>,
    /// The longest stay the steps alone allow (`ends after` and the
    /// holdout aside): the deadline ends journeys only when this reaches it.
    pub without_deadline: Option<u64>,
}

impl Timing {
    /// The latest arrival at `point`: `None` when unbounded, and `Some(0)`
    /// for a point no customer reaches.
    pub fn arrival(&self, point: Point) -> Option<u64> {
        self.arrival.get(&point).copied().unwrap_or(Some(0))
    }
}

/// A move in the search: minutes it adds at the latest, and the minutes
/// after entering it ends no earlier than.
#[derive(Clone, Copy, Debug)]
struct Delay {
    adds: u64,
    floor: u64,
}

impl Delay {
    fn after(self, at: u64) -> u64 {
        at.saturating_add(self.adds).max(self.floor)
    }
}

/// A point, and whether quiet hours have already held this run back.
type State = (Point, bool);

pub fn timing(flow: &Flow) -> Timing {
    let quiet = hold_minutes(flow.program);
    let sends = |point: Point| {
        quiet > 0
            && matches!(
                flow.statement(point).map(|s| &s.kind),
                Some(StatementKind::Send { .. })
            )
    };
    let mut graph: DiGraph<State, Delay> = DiGraph::new();
    let mut nodes: BTreeMap<State, NodeIndex> = BTreeMap::new();
    // The longest time spent on the way out from each state.
    let mut leave: BTreeMap<NodeIndex, Delay> = BTreeMap::new();
    let Some(start) = flow.start() else {
        return Timing {
            arrival: BTreeMap::new(),
            longest_stay: Some(0),
            without_deadline: Some(0),
        };
    };
    let first = (start, false);
    nodes.insert(first, graph.add_node(first));
    let mut work = vec![first];
    while let Some(state @ (point, held)) = work.pop() {
        let here = nodes[&state];
        let hold = !held && sends(point);
        let extra = if hold { quiet } else { 0 };
        for movement in flow.moves(point) {
            let weight = Delay {
                adds: extra.saturating_add(movement.latest),
                floor: movement.at_least,
            };
            let to = match movement.to {
                To::Point(to) if flow.statement(to).is_some() => to,
                To::Exit(_) => {
                    let out = leave.entry(here).or_insert(Delay { adds: 0, floor: 0 });
                    out.adds = out.adds.max(weight.adds);
                    out.floor = out.floor.max(weight.floor);
                    continue;
                }
                // An arrow to no step (N301), or the end of a step with no
                // way on (N107): nothing runs there.
                _ => continue,
            };
            let next = (to, movement.same_run && (held || hold));
            let target = *nodes.entry(next).or_insert_with(|| {
                work.push(next);
                graph.add_node(next)
            });
            graph.add_edge(here, target, weight);
        }
    }

    // Kosaraju gives the strongly connected sets in reverse topological
    // order: walked backwards, every set comes after all that lead to it.
    let components = kosaraju_scc(&graph);
    // Every state was reached from the first: each starts at 0 and takes
    // the latest of the moves into it.
    let mut latest: Vec<Option<u64>> = vec![Some(0); graph.node_count()];
    // The steps' longest stay; the holdout's is added at the end.
    let mut stay = Some(0);
    for component in components.iter().rev() {
        let looped = component.len() > 1 || graph.contains_edge(component[0], component[0]);
        if looped {
            for &node in component {
                latest[node.index()] = None;
            }
        }
        for &node in component {
            let at = latest[node.index()];
            stay = match (stay, at) {
                (Some(stay), Some(at)) => {
                    Some(stay.max(leave.get(&node).map_or(at, |d| d.after(at))))
                }
                _ => None,
            };
            for edge in graph.edges(node) {
                let target = edge.target().index();
                latest[target] = match (latest[target], at) {
                    (Some(before), Some(at)) => Some(before.max(edge.weight().after(at))),
                    _ => None,
                };
            }
        }
    }

    // The deadline: no customer is anywhere later than it.
    let deadline = deadline_minutes(flow.program);
    let bounded = |at: Option<u64>| match (at, deadline) {
        (Some(at), Some(d)) => Some(at.min(d)),
        (None, Some(d)) => Some(d),
        (at, None) => at,
    };
    let mut arrival: BTreeMap<Point, Option<u64>> = BTreeMap::new();
    for (&(point, _), node) in &nodes {
        let at = latest[node.index()];
        let entry = arrival.entry(point).or_insert(Some(0));
        *entry = match (*entry, at) {
            (Some(a), Some(b)) => Some(a.max(b)),
            _ => None,
        };
    }
    for at in arrival.values_mut() {
        *at = bounded(*at);
    }
    let holdout = holdout_minutes(flow.program);
    Timing {
        arrival,
        longest_stay: bounded(stay.map(|stay| stay.max(holdout))),
        without_deadline: stay,
    }
}
