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
pub(super) const MAX_STATES: usize = 50_000;

/// The pairs and moves: each move's weight is the send it makes, if any,
/// and the time it takes at the soonest.
pub struct Sends {
    graph: DiGraph<Point, Edge>,
    /// Every pair reached, in the order first reached.
    pub states: Vec<(Point, Known)>,
}

#[derive(Clone, Copy, Debug)]
struct Edge {
    /// The send that goes out on the move.
    send: Option<Point>,
    /// Minutes the move takes at the soonest.
    after: u64,
    /// Minutes after entering it ends no earlier than.
    at_least: u64,
}

/// More messages than this under a deadline is told as unbounded: a
/// program that sends that often has a loop that takes no time.
pub const MAX_WITHIN: u64 = 10_000;

/// Moves looked at in one count under a deadline; past it, the count is
/// given up (told as unbounded, which claims nothing), so that a generated
/// program of thousands of steps cannot hold a check up.
const MAX_WORK: u64 = 20_000_000;

impl Sends {
    /// `None` when the search would be too large.
    pub fn new(flow: &Flow, guards: &Guards) -> Option<Sends> {
        let start_point = flow.start()?;
        let mut graph = DiGraph::new();
        let mut nodes: HashMap<(Point, Known), NodeIndex, foldhash::fast::RandomState> =
            HashMap::default();
        let first = (start_point, guards.at_entry(flow.program));
        let start = graph.add_node(start_point);
        nodes.insert(first.clone(), start);
        let mut states = vec![first.clone()];
        // Each pair with its node, so that it is not looked up again.
        let mut work = vec![(first, start)];
        while let Some(((point, known), here)) = work.pop() {
            for Onward {
                to,
                known: next,
                sends,
                after,
                at_least,
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
                        work.push((key, node));
                        node
                    }
                };
                graph.add_edge(
                    here,
                    target,
                    Edge {
                        send: sends.then_some(point),
                        after,
                        at_least,
                    },
                );
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
                        let own = u64::from(edge.weight().send.is_some_and(counts));
                        most = most.max(best[to] + own);
                    }
                }
            }
            best[i] = most;
        }
        // Every pair was reached from the start: its set comes last.
        best.last().copied().unwrap_or(0)
    }

    /// The most sends `counts` accepts that a customer can get before
    /// `deadline` minutes after entering, loops included: for each number
    /// of sends, the soonest a customer can be at each pair having had
    /// them (Dijkstra, a layer per send); a send goes out only before the
    /// deadline, since at the deadline's minute the journey is over. `None`
    /// past [`MAX_WITHIN`]: a loop sends without taking time.
    pub fn most_within(&self, counts: &dyn Fn(Point) -> bool, deadline: u64) -> Option<u64> {
        use std::cmp::Reverse;
        use std::collections::BinaryHeap;
        let nodes = self.graph.node_count();
        if nodes == 0 {
            return Some(0);
        }
        if self.sends_without_time(counts) {
            return None;
        }
        let mut work = 0u64;
        // The soonest at each node with the sends so far; layer 0 from the
        // start (node 0, the first pair reached).
        let mut sources: Vec<(u64, NodeIndex)> = vec![(0, NodeIndex::new(0))];
        let mut sent = 0u64;
        loop {
            let mut soonest: Vec<Option<u64>> = vec![None; nodes];
            let mut queue = BinaryHeap::new();
            for &(at, node) in &sources {
                if soonest[node.index()].is_none_or(|s| at < s) {
                    soonest[node.index()] = Some(at);
                    queue.push(Reverse((at, node.index())));
                }
            }
            let mut next: Vec<(u64, NodeIndex)> = Vec::new();
            while let Some(Reverse((at, node))) = queue.pop() {
                if soonest[node].is_some_and(|s| s < at) {
                    continue;
                }
                for edge in self.graph.edges(NodeIndex::new(node)) {
                    work += 1;
                    if work > MAX_WORK {
                        return None;
                    }
                    let weight = edge.weight();
                    let arrive = at.saturating_add(weight.after).max(weight.at_least);
                    if weight.send.is_some_and(counts) {
                        // The send goes out at `at`, as the customer is at
                        // its point.
                        if at < deadline {
                            next.push((arrive, edge.target()));
                        }
                        continue;
                    }
                    if arrive < deadline
                        && soonest[edge.target().index()].is_none_or(|s| arrive < s)
                    {
                        soonest[edge.target().index()] = Some(arrive);
                        queue.push(Reverse((arrive, edge.target().index())));
                    }
                }
            }
            if next.is_empty() {
                return Some(sent);
            }
            sent += 1;
            if sent > MAX_WITHIN {
                return None;
            }
            sources = next;
        }
    }
}

impl Sends {
    /// Whether a loop that takes no time at all sends what `counts`
    /// accepts: a customer answering at once goes round it without end,
    /// deadline or not. (A move that waits until a moment after entering
    /// takes no time the second time round.)
    fn sends_without_time(&self, counts: &dyn Fn(Point) -> bool) -> bool {
        let instant =
            petgraph::visit::EdgeFiltered::from_fn(&self.graph, |edge| edge.weight().after == 0);
        let components = kosaraju_scc(&instant);
        let mut home = vec![usize::MAX; self.graph.node_count()];
        for (i, component) in components.iter().enumerate() {
            if component.len() > 1 {
                for node in component {
                    home[node.index()] = i;
                }
            }
        }
        self.graph.edge_references().any(|edge| {
            let (from, to) = (edge.source().index(), edge.target().index());
            edge.weight().after == 0
                && edge.weight().send.is_some_and(counts)
                && (from == to || (home[from] != usize::MAX && home[from] == home[to]))
        })
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
    /// Minutes after entering the move ends no earlier than.
    pub at_least: u64,
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
        let (after, at_least) = (movement.after, movement.at_least);
        let way = |to, known, sends| Onward {
            to,
            known,
            sends,
            after,
            at_least,
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
            // An interrupt comes while the customer waits, and anything may
            // have changed meanwhile; a send held by quiet hours has not
            // gone out.
            (_, Via::Interrupt(_)) => out.push(way(to, Known::new(), false)),
            (
                StatementKind::Send {
                    channel,
                    guard,
                    fallback,
                    ..
                },
                _,
            ) => {
                let here = guards.at_send(known);
                // With `or`, which channel went out is not known: only
                // that the guard held.
                let channel = fallback.is_empty().then_some(channel.as_str());
                if let Some(sent) = guards.sent(&here, channel, guard.as_ref()) {
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
