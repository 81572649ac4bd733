//! How late a customer can be anywhere in a program: for every point, the
//! latest moment after entering at which a customer can be about to run it,
//! and the longest a customer can stay. `facts.rs` shows the longest stay;
//! `shadow.rs` asks whether a wait always ends inside the goal's window.
//!
//! Every delay the interpreter can add counts, not only the waits written:
//!
//! - a wait for an event may last its whole length (the answer may come
//!   just before the timeout);
//! - quiet hours hold a send back until they end, by at most their length
//!   (`docs/runtime.md`). What is held is the rest of the run: the
//!   statements that follow without waiting go on with it at the end of
//!   quiet hours, so each run of statements without a wait is held once at
//!   most. A run that sends is taken to be held, for the worst case;
//! - a customer in the holdout stays the goal's whole window.
//!
//! The search is over pairs (point, held already in this run), a graph
//! (petgraph) whose loops make a time unbounded: every loop a checked
//! program can go round waits somewhere (N303).

use super::flow::{Flow, Point, To};
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
}

impl Timing {
    /// The latest arrival at `point`: `None` when unbounded, and `Some(0)`
    /// for a point no customer reaches.
    pub fn arrival(&self, point: Point) -> Option<u64> {
        self.arrival.get(&point).copied().unwrap_or(Some(0))
    }
}

/// A point, and whether quiet hours have already held this run back.
type State = (Point, bool);

pub fn timing(flow: &Flow) -> Timing {
    let quiet = quiet_minutes(flow.program);
    let sends = |point: Point| {
        quiet > 0
            && matches!(
                flow.statement(point).map(|s| &s.kind),
                Some(StatementKind::Send { .. })
            )
    };
    let mut graph: DiGraph<State, u64> = DiGraph::new();
    let mut nodes: BTreeMap<State, NodeIndex> = BTreeMap::new();
    // The longest time spent on the way out from each state.
    let mut leave: BTreeMap<NodeIndex, u64> = BTreeMap::new();
    let Some(start) = flow.start() else {
        return Timing {
            arrival: BTreeMap::new(),
            longest_stay: Some(0),
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
            let weight = extra.saturating_add(movement.latest);
            let to = match movement.to {
                To::Point(to) if flow.statement(to).is_some() => to,
                To::Exit(_) => {
                    let out = leave.entry(here).or_default();
                    *out = (*out).max(weight);
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
    let mut stay = Some(holdout_minutes(flow.program));
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
                    Some(stay.max(at.saturating_add(leave.get(&node).copied().unwrap_or(0))))
                }
                _ => None,
            };
            for edge in graph.edges(node) {
                let target = edge.target().index();
                latest[target] = match (latest[target], at) {
                    (Some(before), Some(at)) => Some(before.max(at.saturating_add(*edge.weight()))),
                    _ => None,
                };
            }
        }
    }

    let mut arrival: BTreeMap<Point, Option<u64>> = BTreeMap::new();
    for (&(point, _), node) in &nodes {
        let at = latest[node.index()];
        let entry = arrival.entry(point).or_insert(Some(0));
        *entry = match (*entry, at) {
            (Some(a), Some(b)) => Some(a.max(b)),
            _ => None,
        };
    }
    Timing {
        arrival,
        longest_stay: stay,
    }
}
