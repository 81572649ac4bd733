//! Stage check: hand-offs, the triggers that start a journey when the
//! customer's phase or tags change (`trigger phase becomes develop`,
//! `trigger tag added vip`, `trigger tag removed vip`).
//!
//! - N330, one program: a statement of its own makes the change its
//!   trigger waits for, so a customer who leaves after it can start the
//!   program again (unless `reentry never`).
//! - N331, a folder: programs that hand a customer over to each other in a
//!   circle, each at once. Such a circle is **refused**; a circle in which
//!   some program waits before it hands over (or has `reentry never`) is
//!   **bounded** — each lap takes at least that wait, or happens once — and
//!   allowed, since a lifecycle (`welcome → develop → retain → win_back →
//!   develop`) is one. "At once" is what the graph knows: a run of
//!   statements from the program's start, with no wait, reaches the
//!   statement that makes the change, and one reaches a way out.
//! - N332, a folder: a program hands a customer over to a program of its
//!   own `group` and can still have them after the change (a wait follows
//!   it before the journey ends). The group keeps a program from starting
//!   while the customer is in another of it, and the change is offered
//!   once, in its moment: the hand-off never starts, in every runtime.

use super::flow::{Flow, To};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::span::Span;
use crate::syntax::ast::{ClauseKind, Program, Reentry, StatementKind, TriggerKind};
use std::collections::{BTreeSet, VecDeque};

/// A change of the record a hand-off trigger waits for, and a statement
/// makes.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    Phase(String),
    /// The tag, and whether it is put on.
    Tag(String, bool),
}

impl Change {
    /// As the statement that makes it is written.
    fn statement(&self) -> String {
        match self {
            Change::Phase(phase) => format!("phase {phase}"),
            Change::Tag(tag, true) => format!("tag {tag}"),
            Change::Tag(tag, false) => format!("untag {tag}"),
        }
    }
}

/// The changes the program's hand-off triggers wait for, each with the
/// trigger's span.
pub fn waits_for(program: &Program) -> Vec<(Change, Span)> {
    program
        .clauses
        .iter()
        .filter_map(|clause| match &clause.kind {
            ClauseKind::Trigger(trigger) => match &trigger.kind {
                TriggerKind::Phase(phase) => {
                    Some((Change::Phase(phase.name.value.clone()), clause.span))
                }
                TriggerKind::Tag { tag, added } => {
                    Some((Change::Tag(tag.value.clone(), *added), clause.span))
                }
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// Every change a statement of the program makes, with its span.
fn makes(program: &Program) -> Vec<(Change, Span)> {
    program
        .steps
        .iter()
        .flat_map(|step| &step.statements)
        .filter_map(|statement| {
            let change = match &statement.kind {
                StatementKind::Phase(phase) => Change::Phase(phase.name.value.clone()),
                StatementKind::Tag(tag) => Change::Tag(tag.value.clone(), true),
                StatementKind::Untag(tag) => Change::Tag(tag.value.clone(), false),
                _ => return None,
            };
            Some((change, statement.span))
        })
        .collect()
}

fn reentry_never(program: &Program) -> bool {
    program
        .clauses
        .iter()
        .any(|c| matches!(c.kind, ClauseKind::Reentry(Reentry::Never)))
}

/// N330: the program makes the change its own hand-off trigger waits for.
pub fn check(program: &Program) -> Vec<Diagnostic> {
    if reentry_never(program) {
        return Vec::new();
    }
    let triggers = waits_for(program);
    let mut found = Vec::new();
    for (change, at) in makes(program) {
        let Some((_, trigger)) = triggers.iter().find(|(waited, _)| *waited == change) else {
            continue;
        };
        found.push(
            Diagnostic::new(
                Code::StartsItself,
                format!(
                    "`{}` can start itself again: it makes the change its trigger waits for",
                    program.name.as_str()
                ),
            )
            .label(
                at,
                "a customer who leaves after this can enter again at once",
            )
            .label(*trigger, "this trigger starts the program on that change")
            .help(format!(
                "remove `{}`, or add `reentry never` (or `reentry after 30d`) to say how often a customer may come back",
                change.statement()
            )),
        );
    }
    found
}

/// What a program does as it is entered, before any wait: the changes its
/// statements make, and whether it can leave. Made from the steps, so that
/// the checks across a folder's programs need only their headers besides.
pub struct AtOnce {
    changes: Vec<(Change, Span)>,
    leaves: bool,
    /// The changes made anywhere in the program after which the customer
    /// can still be in it (a wait follows before the journey ends), for
    /// N332; with the program's group.
    kept: Vec<(Change, Span)>,
    group: Option<String>,
}

pub fn at_once(program: &Program) -> AtOnce {
    at_once_in(&Flow::new(program))
}

/// [`at_once`] on a program's flow built already.
pub fn at_once_in(flow: &Flow) -> AtOnce {
    let mut changes = Vec::new();
    let mut leaves = false;
    let group = group_of(flow.program);
    let kept = if group.is_some() {
        changes_kept(flow)
    } else {
        Vec::new()
    };
    let Some(start) = flow.start() else {
        return AtOnce {
            changes,
            leaves,
            kept,
            group,
        };
    };
    let mut seen = BTreeSet::from([start]);
    let mut queue = VecDeque::from([start]);
    // Each point is queued once: the walk ends.
    while let Some(point) = queue.pop_front() {
        if let Some(statement) = flow.statement(point) {
            changes.extend(change_of(statement).map(|c| (c, statement.span)));
        }
        for step in flow.moves(point).iter().filter(|m| m.same_run) {
            match step.to {
                To::Point(next) => {
                    if seen.insert(next) {
                        queue.push_back(next);
                    }
                }
                To::Exit(_) => leaves = true,
                To::Nowhere => {}
            }
        }
    }
    AtOnce {
        changes,
        leaves,
        kept,
        group,
    }
}

fn group_of(program: &Program) -> Option<String> {
    program.clauses.iter().find_map(|c| match &c.kind {
        ClauseKind::Group(name) => Some(name.value.clone()),
        _ => None,
    })
}

fn change_of(statement: &crate::syntax::ast::Statement) -> Option<Change> {
    match &statement.kind {
        StatementKind::Phase(phase) => Some(Change::Phase(phase.name.value.clone())),
        StatementKind::Tag(tag) => Some(Change::Tag(tag.value.clone(), true)),
        StatementKind::Untag(tag) => Some(Change::Tag(tag.value.clone(), false)),
        _ => None,
    }
}

/// Each change a statement reachable from the start makes, when the run
/// it is made in can stop at a wait rather than leave: the customer is
/// then still in the program after the change's moment.
fn changes_kept(flow: &Flow) -> Vec<(Change, Span)> {
    let Some(start) = flow.start() else {
        return Vec::new();
    };
    let mut reached = BTreeSet::from([start]);
    let mut queue = VecDeque::from([start]);
    let mut kept = Vec::new();
    // Each point is queued once: the walk ends.
    while let Some(point) = queue.pop_front() {
        if let Some(change) = flow
            .statement(point)
            .and_then(|s| change_of(s).map(|c| (c, s.span)))
            && run_can_stop(flow, point)
        {
            kept.push(change);
        }
        for step in flow.moves(point) {
            if let To::Point(next) = step.to
                && reached.insert(next)
            {
                queue.push_back(next);
            }
        }
    }
    kept
}

/// Whether the run of statements from `from` can reach a wait (a move
/// that ends the run) before it leaves.
fn run_can_stop(flow: &Flow, from: super::flow::Point) -> bool {
    let mut seen = BTreeSet::from([from]);
    let mut queue = VecDeque::from([from]);
    // Each point is queued once: the walk ends.
    while let Some(point) = queue.pop_front() {
        for step in flow.moves(point) {
            if !step.same_run {
                return true;
            }
            if let To::Point(next) = step.to
                && seen.insert(next)
            {
                queue.push_back(next);
            }
        }
    }
    false
}

/// N332 across the programs of a folder: a program hands a customer over
/// (a `phase`, `tag` or `untag` another's hand-off trigger waits for) to a
/// program of its own group while it can still have them, reported at the
/// statement that hands over (the program's index in `programs`).
pub fn in_group(programs: &[&Program], quick: &[&AtOnce]) -> Vec<(usize, Diagnostic)> {
    let mut found = Vec::new();
    for (a, quick_a) in quick.iter().enumerate() {
        let Some(group) = &quick_a.group else {
            continue;
        };
        for (change, at) in &quick_a.kept {
            for (b, program_b) in programs.iter().enumerate() {
                let same_group = quick.get(b).and_then(|q| q.group.as_ref()) == Some(group);
                if a == b
                    || !same_group
                    || program_b.name.value == programs[a].name.value
                    || !waits_for(program_b).iter().any(|(w, _)| w == change)
                {
                    continue;
                }
                let (from, to) = (programs[a].name.as_str(), program_b.name.as_str());
                found.push((
                    a,
                    Diagnostic::new(
                        Code::HandOffInGroup,
                        format!(
                            "`{from}` hands customers over to `{to}` of its own group `{group}`: the hand-off is lost"
                        ),
                    )
                    .label(
                        *at,
                        format!(
                            "still in `{from}` after this (a wait follows): the group keeps them out of `{to}`"
                        ),
                    )
                    .help(format!(
                        "end `{from}` before it hands over (make `{}` its last statement before `exit`), or put `{from}` and `{to}` in different groups",
                        change.statement()
                    )),
                ));
            }
        }
    }
    found
}

/// N331 across the programs of a folder: each circle of hand-offs made at
/// once, reported at every program of it (its index in `programs`).
pub fn loops(programs: &[&Program]) -> Vec<(usize, Diagnostic)> {
    let quick: Vec<AtOnce> = programs.iter().map(|p| at_once(p)).collect();
    let quick: Vec<&AtOnce> = quick.iter().collect();
    loops_with(programs, &quick)
}

/// [`loops`], with what each program does at once ([`at_once`]) made
/// already: the programs' steps are not read.
pub fn loops_with(programs: &[&Program], quick: &[&AtOnce]) -> Vec<(usize, Diagnostic)> {
    use petgraph::graph::DiGraph;
    let waits: Vec<Vec<(Change, Span)>> = programs.iter().map(|p| waits_for(p)).collect();
    let mut graph: DiGraph<usize, ()> = DiGraph::new();
    let nodes: Vec<_> = (0..programs.len()).map(|i| graph.add_node(i)).collect();
    // An arrow from `a` to `b`: entering `a` makes, at once, a change `b`
    // starts on, and `a` can leave at once too (a customer still in `a`
    // cannot enter it again). A program with `reentry never` goes round
    // once at most: no arrow into it.
    for (a, quick_a) in quick.iter().enumerate() {
        if !quick_a.leaves || quick_a.changes.is_empty() {
            continue;
        }
        for (b, waits_b) in waits.iter().enumerate() {
            // Versions of one program side by side are no hand-off.
            if a == b
                || programs[a].name.value == programs[b].name.value
                || reentry_never(programs[b])
            {
                continue;
            }
            if waits_b
                .iter()
                .any(|(w, _)| quick_a.changes.iter().any(|(c, _)| c == w))
            {
                graph.add_edge(nodes[a], nodes[b], ());
            }
        }
    }
    let mut found = Vec::new();
    for circle in petgraph::algo::tarjan_scc(&graph) {
        if circle.len() < 2 {
            continue;
        }
        let mut members: Vec<usize> = circle.iter().map(|n| graph[*n]).collect();
        members.sort_unstable();
        // `word_list` puts each name in backticks.
        let circle_words =
            crate::syntax::word_list(members.iter().map(|&i| programs[i].name.as_str()));
        for &i in &members {
            // The trigger of `i` that one of the circle fires, and the
            // statement that fires it.
            let Some((change, trigger, by)) = waits[i].iter().find_map(|(w, span)| {
                members.iter().filter(|&&j| j != i).find_map(|&j| {
                    quick[j]
                        .changes
                        .iter()
                        .find(|(c, _)| c == w)
                        .map(|(c, _)| (c.clone(), *span, j))
                })
            }) else {
                continue;
            };
            found.push((
                i,
                Diagnostic::new(
                    Code::HandOffLoop,
                    format!("{circle_words} hand customers over to each other in a circle, at once"),
                )
                .label(
                    trigger,
                    format!(
                        "`{}` starts this program at once with `{}`, and this program hands over at once too",
                        programs[by].name.as_str(),
                        change.statement()
                    ),
                )
                .help(
                    "wait before handing over (`wait 7d` before the `phase` or `tag` statement), end the circle, or add `reentry never` to one of the programs",
                ),
            ));
        }
    }
    found
}
