//! The most messages one customer can get, counting sends whose guards
//! exclude each other within a run as at most one (`guards.rs` says when
//! they do).
//!
//! The search is over pairs (point, what is known in this run), a graph
//! (petgraph) in which going through a send's point is two moves: the send
//! goes out (and what its guard says is known from then on), or it does
//! not. The most messages is the longest path, loops folded; a loop that
//! sends makes the count unbounded, and `facts.rs` says so before asking.

use super::flow::{Flow, Point, To, Via};
use super::guards::{Guards, Known, Lit};
use crate::syntax::ast::StatementKind;
use petgraph::algo::kosaraju_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use std::collections::HashMap;

/// More pairs than this and the count falls back to every send on a path
/// (still an upper bound): a program whose guards combine that many ways
/// is generated, not written.
const MAX_STATES: usize = 50_000;

/// The pairs and moves: each move's weight is the send it makes, if any.
pub struct Sends {
    graph: DiGraph<Point, Option<Point>>,
    /// Every pair reached, in the order first reached.
    pub states: Vec<(Point, Known)>,
}

impl Sends {
    /// `None` when the search would be too large.
    pub fn new(flow: &Flow, guards: &Guards) -> Option<Sends> {
        let start_point = flow.start()?;
        let mut graph = DiGraph::new();
        let mut nodes: HashMap<(Point, Known), NodeIndex> = HashMap::new();
        let first = (start_point, guards.at_entry(flow.program));
        let start = graph.add_node(start_point);
        nodes.insert(first.clone(), start);
        let mut states = vec![first.clone()];
        let mut work = vec![first];
        while let Some((point, known)) = work.pop() {
            let here = nodes[&(point, known.clone())];
            for Onward {
                to,
                known: next,
                sends,
                ..
            } in onward(flow, guards, point, &known)
            {
                let key = (to, next);
                let target = match nodes.get(&key) {
                    Some(&node) => node,
                    None => {
                        if nodes.len() >= MAX_STATES {
                            return None;
                        }
                        let node = graph.add_node(to);
                        nodes.insert(key.clone(), node);
                        states.push(key.clone());
                        work.push(key);
                        node
                    }
                };
                graph.add_edge(here, target, sends.then_some(point));
            }
        }
        Some(Sends { graph, states })
    }

    /// The most sends `counts` accepts along any path; loops count once
    /// (the caller has made sure no loop sends what it counts).
    pub fn most(&self, counts: &dyn Fn(Point) -> bool) -> u64 {
        // Not petgraph's condensation: it keeps one of two moves between
        // the same pairs, and a send that goes out and one that does not
        // often lead to the same pair.
        let components = kosaraju_scc(&self.graph);
        let mut home = vec![0; self.graph.node_count()];
        for (i, component) in components.iter().enumerate() {
            for node in component {
                home[node.index()] = i;
            }
        }
        // Kosaraju gives the sets in reverse topological order: each after
        // every set it leads to.
        let mut best = vec![0u64; components.len()];
        for (i, component) in components.iter().enumerate() {
            let mut most = 0;
            for &node in component {
                for edge in self.graph.edges(node) {
                    let to = home[edge.target().index()];
                    if to != i {
                        let own = u64::from(edge.weight().is_some_and(counts));
                        most = most.max(best[to] + own);
                    }
                }
            }
            best[i] = most;
        }
        // Every pair was reached from the start: its set comes last.
        best.last().copied().unwrap_or(0)
    }
}

/// One way on from a point, with what is known there.
pub struct Onward {
    pub to: Point,
    pub known: Known,
    /// Whether the send at the point goes out on this way.
    pub sends: bool,
    /// Minutes the move takes at the soonest.
    pub after: u64,
}

/// The ways a customer goes on from `point` knowing `known`: through a
/// send, once with it going out and once without; through a `branch`, by
/// the arms a customer who is known so can take.
pub fn onward(flow: &Flow, guards: &Guards, point: Point, known: &Known) -> Vec<Onward> {
    let Some(statement) = flow.statement(point) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    // What the `when`s before the arm at hand said by not holding.
    let mut earlier: Vec<Lit> = Vec::new();
    for movement in flow.moves(point) {
        let after = movement.after;
        let way = |to, known, sends| Onward {
            to,
            known,
            sends,
            after,
        };
        let To::Point(to) = movement.to else {
            if let Via::When(cond) = movement.via {
                earlier.extend(guards.not(cond));
            }
            continue;
        };
        if flow.statement(to).is_none() {
            continue;
        }
        if !movement.same_run {
            out.push(way(to, Known::new(), false));
            continue;
        }
        match (&statement.kind, movement.via) {
            (StatementKind::Send { channel, guard, .. }, _) => {
                let here = guards.at_send(known);
                if let Some(sent) = guards.sent(&here, channel.as_str(), guard.as_ref()) {
                    out.push(way(to, sent, true));
                }
                out.push(way(to, here, false));
            }
            (StatementKind::Branch(_), Via::When(cond)) => {
                out.extend(
                    guards
                        .arm(known, Some(cond), &earlier)
                        .map(|k| way(to, k, false)),
                );
                earlier.extend(guards.not(cond));
            }
            (StatementKind::Branch(_), _) => {
                out.extend(guards.arm(known, None, &earlier).map(|k| way(to, k, false)));
            }
            _ => out.push(way(to, guards.after(known, statement), false)),
        }
    }
    out
}
