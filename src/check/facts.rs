//! What can be proved about every customer's journey before anyone enters:
//! the most messages a customer can get (per channel and in all), the
//! longest a customer can stay, the outcomes a customer can leave with, and
//! the quickest way to the goal. Shown by `nurture check --summary`.
//!
//! Worked out on the flow (`flow.rs`): its points and moves form a graph
//! (petgraph); a loop a customer can go round makes a count unbounded, and
//! the loop is named as the reason.

use super::flow::{Flow, Point, To, Via, show_minutes};
use super::guards::Guards;
use super::sends::Sends;
use crate::syntax::ast::{ClauseKind, Program, Schema, StatementKind, WaitOn};
// kosaraju_scc, not tarjan_scc: petgraph's Tarjan recurses once per node and
// overflows the stack on a long chain of steps; Kosaraju's is iterative.
use petgraph::algo::kosaraju_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use serde::Serialize;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Facts {
    pub program: String,
    pub messages: Messages,
    pub longest_stay: Stay,
    /// Every outcome a customer can leave with, sorted.
    pub outcomes: Vec<String>,
    /// `None` when the program has no goal.
    pub goal: Option<GoalFacts>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GoalFacts {
    pub event: String,
    /// The goal's window as written, like `60d`.
    pub within: String,
    /// The quickest way to a step that waits for the goal event (or exits as
    /// `converted`); `None` when no step does, and the goal is only watched
    /// for at every step.
    pub quickest: Option<GoalPath>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Messages {
    /// `None`: unbounded.
    pub total: Option<u64>,
    /// Per channel; `None`: unbounded.
    pub per_channel: BTreeMap<String, Option<u64>>,
    pub unbounded_because: Option<String>,
    /// When a loop sends and the deadline bounds it: why the count holds,
    /// like "the loop through steps `a` and `b` waits at least 7d and the
    /// program ends after 30d".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bounded_because: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stay {
    /// `None`: unbounded.
    pub minutes: Option<u64>,
    pub text: String,
    pub unbounded_because: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GoalPath {
    pub minutes: u64,
    pub text: String,
    /// The steps along the way, from the first.
    pub steps: Vec<String>,
    /// The goal event waited for at the end, or `converted` for an exit.
    pub by: String,
}

/// The reachable points as a graph, with each move's time as the weight.
struct PointGraph {
    graph: DiGraph<Point, u64>,
    nodes: BTreeMap<Point, NodeIndex>,
}

fn point_graph(flow: &Flow) -> PointGraph {
    let mut graph = DiGraph::new();
    let mut nodes = BTreeMap::new();
    let Some(start) = flow.start() else {
        return PointGraph { graph, nodes };
    };
    let mut work = vec![start];
    nodes.insert(start, graph.add_node(start));
    while let Some(point) = work.pop() {
        for &movement in flow.moves(point) {
            let To::Point(to) = movement.to else {
                continue;
            };
            if flow.statement(to).is_none() {
                continue; // The end of a step with no way on (N107).
            }
            let target = *nodes.entry(to).or_insert_with(|| {
                work.push(to);
                graph.add_node(to)
            });
            graph.add_edge(nodes[&point], target, movement.latest);
        }
    }
    PointGraph { graph, nodes }
}

/// The facts without a schema: channels need consent as
/// [`super::default_needs_consent`] says, and bare words in guards may be
/// attributes.
pub fn facts(program: &Program) -> Facts {
    facts_with(program, None)
}

/// The facts, with what the schema says of channels and attributes.
pub fn facts_with(program: &Program, schema: Option<&Schema>) -> Facts {
    let flow = Flow::new(program);
    let points = point_graph(&flow);
    let needs_consent = |c: &str| super::names::needs_consent(schema, c);
    let guards = Guards::new(program, schema, &needs_consent);
    Facts {
        program: program.name.value.clone(),
        messages: messages(&flow, &points, &guards),
        longest_stay: longest_stay(&flow, &points),
        outcomes: outcomes(&flow, &points),
        goal: goal(&flow),
    }
}

/// The loops customers can go round: strongly connected sets of points with
/// a move inside them.
fn loops(points: &PointGraph) -> Vec<Vec<Point>> {
    kosaraju_scc(&points.graph)
        .into_iter()
        .filter(|c| c.len() > 1 || points.graph.contains_edge(c[0], c[0]))
        .map(|c| {
            let mut members: Vec<Point> = c.into_iter().map(|n| points.graph[n]).collect();
            members.sort();
            members
        })
        .collect()
}

fn loop_steps(flow: &Flow, members: &[Point]) -> String {
    let steps: BTreeSet<usize> = members.iter().map(|p| p.step).collect();
    let names: Vec<&str> = steps
        .iter()
        .map(|&s| flow.program.steps[s].name.as_str())
        .collect();
    if names.len() == 1 {
        format!("step `{}` can repeat", names[0])
    } else {
        format!(
            "the loop through steps {} can repeat",
            crate::syntax::word_list(names.iter().copied())
        )
    }
}

/// The channels a send at `point` may go out on (with `or`, any of them:
/// each channel's count takes it); none when no send is there.
fn send_channels<'p>(flow: &Flow<'p>, point: Point) -> Vec<&'p str> {
    flow.statement(point).map_or_else(Vec::new, |s| {
        s.kind
            .send_channels()
            .into_iter()
            .map(|c| c.as_str())
            .collect()
    })
}

/// The largest total of `value` (per point) along any path from the start.
/// Loops are first folded into single nodes (petgraph's condensation);
/// callers only ask when the loops add nothing.
fn longest(points: &PointGraph, start: NodeIndex, value: &dyn Fn(Point) -> u64) -> u64 {
    use petgraph::visit::EdgeRef;
    let start_point = points.graph[start];
    let dag = petgraph::algo::condensation(points.graph.clone(), true);
    let Ok(order) = petgraph::algo::toposort(&dag, None) else {
        return 0;
    };
    let mut best: BTreeMap<NodeIndex, u64> = BTreeMap::new();
    for &node in order.iter().rev() {
        let own: u64 = dag[node].iter().map(|p| value(*p)).sum();
        let onward = dag
            .edges(node)
            .filter_map(|e| best.get(&e.target()).copied())
            .max()
            .unwrap_or(0);
        best.insert(node, own + onward);
    }
    order
        .iter()
        .find(|n| dag[**n].contains(&start_point))
        .and_then(|n| best.get(n).copied())
        .unwrap_or(0)
}

fn messages(flow: &Flow, points: &PointGraph, guards: &Guards) -> Messages {
    let mut channels: BTreeSet<&str> = BTreeSet::new();
    for &point in points.nodes.keys() {
        channels.extend(send_channels(flow, point));
    }
    let loops = loops(points);
    let sending_loop = |channel: Option<&str>| {
        loops.iter().find(|members| {
            members.iter().any(|p| {
                send_channels(flow, *p)
                    .iter()
                    .any(|c| channel.is_none_or(|wanted| wanted == *c))
            })
        })
    };
    let start = flow.start().and_then(|s| points.nodes.get(&s).copied());
    // Sends whose guards exclude each other count once; past its size
    // limit, every send on a path counts.
    let sends = Sends::new(flow, guards);
    let deadline = super::timing::deadline_minutes(flow.program);
    let count = |channel: Option<&str>| -> Option<u64> {
        let counts = |p: Point| {
            send_channels(flow, p)
                .iter()
                .any(|c| channel.is_none_or(|w| w == *c))
        };
        // With a deadline, what a customer can get before it, loops and
        // all: the soonest each send can come.
        if let (Some(deadline), Some(sends)) = (deadline, &sends) {
            return sends.most_within(&counts, deadline);
        }
        if sending_loop(channel).is_some() {
            return None;
        }
        let Some(start) = start else { return Some(0) };
        if let Some(sends) = &sends {
            return Some(sends.most(&counts));
        }
        let value = |p: Point| u64::from(counts(p));
        Some(longest(points, start, &value))
    };
    let total = count(None);
    let bounded_because = match (sending_loop(None), deadline, total) {
        (Some(members), Some(deadline), Some(_)) => Some(format!(
            "{} waits at least {} and the program ends after {}",
            loop_steps(flow, members)
                .replace(" can repeat", "")
                .replacen("step `", "the loop through step `", 1),
            show_minutes(shortest_round(flow, members)),
            show_minutes(deadline)
        )),
        _ => None,
    };
    Messages {
        total,
        per_channel: channels
            .iter()
            .map(|c| (c.to_string(), count(Some(c))))
            .collect(),
        unbounded_because: match total {
            Some(_) => None,
            None => sending_loop(None)
                .map(|members| format!("{}, sending each time", loop_steps(flow, members))),
        },
        bounded_because,
    }
}

/// The least time a customer takes round a loop (its points), answering at
/// once: Dijkstra from each point back to itself, within the loop.
fn shortest_round(flow: &Flow, members: &[Point]) -> u64 {
    let inside: BTreeSet<Point> = members.iter().copied().collect();
    let mut best = u64::MAX;
    for &from in members {
        let mut soonest: BTreeMap<Point, u64> = BTreeMap::new();
        let mut queue = BinaryHeap::new();
        queue.push(Reverse((0u64, from)));
        while let Some(Reverse((at, point))) = queue.pop() {
            if at >= best {
                break;
            }
            for movement in flow.moves(point) {
                let To::Point(to) = movement.to else { continue };
                if !inside.contains(&to) {
                    continue;
                }
                let arrive = at.saturating_add(movement.after);
                if to == from {
                    best = best.min(arrive);
                    continue;
                }
                if soonest.get(&to).is_none_or(|&s| arrive < s) {
                    soonest.insert(to, arrive);
                    queue.push(Reverse((arrive, to)));
                }
            }
        }
    }
    if best == u64::MAX { 0 } else { best }
}

fn longest_stay(flow: &Flow, points: &PointGraph) -> Stay {
    match flow.timing().longest_stay {
        Some(minutes) => Stay {
            minutes: Some(minutes),
            text: show_minutes(minutes),
            unbounded_because: None,
        },
        None => Stay {
            minutes: None,
            text: "unbounded".into(),
            unbounded_because: loops(points)
                .into_iter()
                .next()
                .map(|members| loop_steps(flow, &members)),
        },
    }
}

/// The outcomes customers can leave with: the exits the flow reaches (arms
/// that never fire left out), the goal's `converted` and the rules'
/// outcomes when an event can find a customer in the program (something
/// waits, quiet hours hold a send, or the holdout waits out the goal), and
/// `holdout` for the control group.
fn outcomes(flow: &Flow, points: &PointGraph) -> Vec<String> {
    let mut found: BTreeSet<String> = BTreeSet::new();
    let quiet = super::timing::holds_sends(flow.program);
    let mut waits = super::timing::holdout_minutes(flow.program) > 0;
    for &point in points.nodes.keys() {
        for &movement in flow.moves(point) {
            if let To::Exit(outcome) = movement.to {
                found.insert(outcome.value.clone());
            }
        }
        waits |= match flow.statement(point).map(|s| &s.kind) {
            Some(
                StatementKind::Wait(_) | StatementKind::WaitFor(_) | StatementKind::WaitUntil(_),
            ) => true,
            Some(StatementKind::Send { .. }) => quiet,
            _ => false,
        };
    }
    let never = |span| flow.shadowed.iter().any(|s| s.arm == span);
    for clause in &flow.program.clauses {
        match &clause.kind {
            ClauseKind::Goal(_) if waits && !never(clause.span) => {
                found.insert("converted".into());
            }
            ClauseKind::ExitWhen(rule) if waits && !never(clause.span) => {
                let outcome = rule.outcome.as_ref().unwrap_or(&rule.event);
                found.insert(outcome.value.clone());
            }
            ClauseKind::Holdout(share) if share.value.0 > 0 => {
                found.insert("holdout".into());
            }
            // The deadline ends the journeys still going when it comes.
            ClauseKind::Ends(deadline) => {
                let steps_end = flow.timing().without_deadline;
                if steps_end.is_none_or(|stay| stay >= deadline.after.value.minutes) {
                    found.insert(deadline.outcome().to_string());
                }
            }
            _ => {}
        }
    }
    found.into_iter().collect()
}

fn goal(flow: &Flow) -> Option<GoalFacts> {
    let goal = flow.program.clauses.iter().find_map(|c| match &c.kind {
        ClauseKind::Goal(goal) => Some(goal),
        _ => None,
    })?;
    Some(GoalFacts {
        event: goal.event.value.clone(),
        within: show_minutes(goal.within.value.minutes),
        quickest: quickest_goal(flow),
    })
}

/// The least waiting from the start to a wait for the goal event or an exit
/// as `converted` (Dijkstra over the flow; ties go to fewer moves).
fn quickest_goal(flow: &Flow) -> Option<GoalPath> {
    let goal = flow.program.clauses.iter().find_map(|c| match &c.kind {
        ClauseKind::Goal(goal) => Some(goal.event.as_str()),
        _ => None,
    })?;
    let start = flow.start()?;
    let awaits_goal = |point: Point| match flow.statement(point).map(|s| &s.kind) {
        Some(StatementKind::WaitFor(wait)) => wait.arms.iter().any(|arm| match &arm.on {
            WaitOn::Event { event, .. } => event.as_str() == goal,
            WaitOn::Timeout(_) => false,
        }),
        _ => false,
    };
    let mut best: BTreeMap<Point, (u64, usize)> = BTreeMap::new();
    let mut came_from: BTreeMap<Point, Point> = BTreeMap::new();
    let mut queue = BinaryHeap::new();
    best.insert(start, (0, 0));
    queue.push(Reverse((0u64, 0usize, start)));
    while let Some(Reverse((minutes, hops, point))) = queue.pop() {
        if best.get(&point).is_some_and(|&b| b < (minutes, hops)) {
            continue;
        }
        let converts = flow.moves(point).iter().any(|m| {
            matches!(m.to, To::Exit(outcome) if outcome.as_str() == "converted")
                && !matches!(m.via, Via::Timeout)
        });
        if awaits_goal(point) || converts {
            let mut steps = vec![point.step];
            let mut at = point;
            while let Some(&previous) = came_from.get(&at) {
                if steps.last() != Some(&previous.step) {
                    steps.push(previous.step);
                }
                at = previous;
            }
            steps.reverse();
            return Some(GoalPath {
                minutes,
                text: show_minutes(minutes),
                steps: steps
                    .iter()
                    .map(|&s| flow.program.steps[s].name.value.clone())
                    .collect(),
                by: if awaits_goal(point) {
                    goal.to_string()
                } else {
                    "converted".into()
                },
            });
        }
        for &movement in flow.moves(point) {
            let To::Point(to) = movement.to else { continue };
            let next = (minutes.saturating_add(movement.after), hops + 1);
            if best.get(&to).is_none_or(|&b| next < b) {
                best.insert(to, next);
                came_from.insert(to, point);
                queue.push(Reverse((next.0, next.1, to)));
            }
        }
    }
    None
}
