//! What the events a journey met carry, along the way a customer comes:
//!
//! - `set ATTRIBUTE = answer.PROPERTY` keeps a property of the event that
//!   moved the customer on, so on every way into the statement the run must
//!   have been started by an event arm (N320), whose event carries the
//!   property (N321) in a type the attribute holds (N212). A `wait`, a
//!   `timeout`, the start of the journey and a send that quiet hours may
//!   hold each start a run without an answer: the interpreter forgets the
//!   event when the customer waits.
//! - `trigger.PROPERTY` is empty for a customer who entered by a trigger
//!   that carries no data (a segment, a date, no activity): a program with
//!   such a trigger is warned (N322) wherever it reads the data without
//!   saying `has trigger.PROPERTY`, in the condition itself or in a
//!   `branch` arm on every way there.
//!
//! Both are forward analyses over the flow (`flow.rs`): what reaches a
//! point on *every* way in.

use super::flow::{Flow, Point, To, Via};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::span::{Name, Span};
use crate::syntax::ast::{
    ClauseKind, Cond, CondKind, DataRef, DataSource, Operand, Schema, StatementKind, TriggerKind,
};
use std::collections::{BTreeMap, BTreeSet};

/// Which events can have started the run a point is in: their names with
/// the arm that took each, or `Lost` with the move that began a run
/// without one.
#[derive(Clone, Debug, PartialEq)]
enum Answer<'p> {
    Lost(Span, &'static str),
    By(BTreeMap<&'p str, Span>),
}

impl<'p> Answer<'p> {
    fn meet(&mut self, other: &Answer<'p>) -> bool {
        match (&mut *self, other) {
            (Answer::Lost(..), _) => false,
            (_, Answer::Lost(span, why)) => {
                *self = Answer::Lost(*span, why);
                true
            }
            (Answer::By(mine), Answer::By(theirs)) => {
                let before = mine.len();
                for (event, span) in theirs {
                    mine.entry(event).or_insert(*span);
                }
                mine.len() != before
            }
        }
    }
}

/// What is known at a point: the answer, and the trigger properties that
/// `has trigger.PROPERTY` said are there on every way in.
#[derive(Clone, Debug, PartialEq)]
struct Known<'p> {
    answer: Answer<'p>,
    has: BTreeSet<&'p str>,
}

pub fn check(flow: &Flow, schema: Option<&Schema>, holds_sends: bool) -> Vec<Diagnostic> {
    let program = flow.program;
    let mut uses_data = false;
    program.visit_data(&mut |_| uses_data = true);
    if !uses_data {
        return Vec::new();
    }
    let known = analyse(flow, holds_sends);
    let mut found = Vec::new();
    answers(flow, &known, schema, &mut found);
    trigger_data(flow, &known, &mut found);
    found
}

fn analyse<'p>(flow: &Flow<'p>, holds_sends: bool) -> BTreeMap<Point, Known<'p>> {
    let program = flow.program;
    let mut known: BTreeMap<Point, Known<'p>> = BTreeMap::new();
    let Some(start) = flow.start() else {
        return known;
    };
    let mut at_entry = BTreeSet::new();
    for clause in &program.clauses {
        if let ClauseKind::Audience(cond) = &clause.kind {
            at_entry.extend(has_trigger(cond));
        }
    }
    let head = program.steps[start.step].name.span;
    known.insert(
        start,
        Known {
            answer: Answer::Lost(head, "the journey starts here, with no answer yet"),
            has: at_entry,
        },
    );
    let mut work = vec![start];
    while let Some(point) = work.pop() {
        let Some(here) = known.get(&point).cloned() else {
            continue;
        };
        let statement = flow.statement(point);
        let sends = matches!(statement.map(|s| &s.kind), Some(StatementKind::Send { .. }));
        // What the `when`s before an arm said by not holding.
        let mut earlier: BTreeSet<&'p str> = BTreeSet::new();
        for movement in flow.moves(point) {
            let mut has = here.has.clone();
            match movement.via {
                Via::When(cond) => {
                    has.extend(has_trigger(cond));
                    has.extend(earlier.iter().copied());
                    earlier.extend(not_has_trigger(cond));
                }
                Via::Else => has.extend(earlier.iter().copied()),
                _ => {}
            }
            let answer = match movement.via {
                Via::Event(event) | Via::Interrupt(event) => {
                    Answer::By(BTreeMap::from([(event.as_str(), movement.span)]))
                }
                Via::Timeout => Answer::Lost(movement.span, "the wait ends without an answer here"),
                _ if !movement.same_run => Answer::Lost(
                    movement.span,
                    "the customer waits here, and the answer is let go",
                ),
                _ if sends && holds_sends => Answer::Lost(
                    movement.span,
                    "quiet hours may hold this send, and the run goes on without the answer",
                ),
                _ => here.answer.clone(),
            };
            let To::Point(to) = movement.to else { continue };
            if flow.statement(to).is_none() {
                continue;
            }
            let out = Known { answer, has };
            let changed = match known.get_mut(&to) {
                None => {
                    known.insert(to, out);
                    true
                }
                Some(existing) => {
                    let mut changed = existing.answer.meet(&out.answer);
                    let meet: BTreeSet<&str> =
                        existing.has.intersection(&out.has).copied().collect();
                    changed |= meet.len() != existing.has.len();
                    existing.has = meet;
                    changed
                }
            };
            if changed {
                work.push(to);
            }
        }
    }
    known
}

/// The trigger properties `cond` holding says are there.
fn has_trigger(cond: &Cond) -> BTreeSet<&str> {
    implied(cond, true)
}

/// The trigger properties `cond` not holding says are there.
fn not_has_trigger(cond: &Cond) -> BTreeSet<&str> {
    implied(cond, false)
}

fn implied(cond: &Cond, positive: bool) -> BTreeSet<&str> {
    match &cond.kind {
        CondKind::HasData(data) if positive && data.source == DataSource::Trigger => {
            BTreeSet::from([data.property.as_str()])
        }
        CondKind::Not(inner) => implied(inner, !positive),
        CondKind::All(parts) if positive => parts.iter().flat_map(|p| implied(p, true)).collect(),
        CondKind::Any(parts) if !positive => parts.iter().flat_map(|p| implied(p, false)).collect(),
        CondKind::All(parts) | CondKind::Any(parts) => {
            let mut sets = parts.iter().map(|p| implied(p, positive));
            let first = sets.next().unwrap_or_default();
            sets.fold(first, |acc, set| acc.intersection(&set).copied().collect())
        }
        _ => BTreeSet::new(),
    }
}

fn answers(
    flow: &Flow,
    known: &BTreeMap<Point, Known>,
    schema: Option<&Schema>,
    found: &mut Vec<Diagnostic>,
) {
    for (point, here) in known {
        let Some(statement) = flow.statement(*point) else {
            continue;
        };
        let StatementKind::Keep { attribute, from } = &statement.kind else {
            continue;
        };
        if from.source != DataSource::Answer {
            continue;
        }
        let p = from.property.as_str();
        match &here.answer {
            Answer::Lost(span, why) => found.push(
                Diagnostic::new(
                    Code::NoAnswerHere,
                    format!("`answer.{p}` is read where no answer may have come"),
                )
                .label(from.span, "customers can get here without an event arm leading them")
                .label(*span, *why)
                .help(
                    "keep the answer first thing in the step an event arm leads to, before any wait: `EVENT -> STEP`, then `set ATTRIBUTE = answer.PROPERTY` in that step",
                ),
            ),
            Answer::By(events) => {
                if let Some(schema) = schema {
                    lacking(attribute, from, events, schema, found);
                }
            }
        }
    }
}

/// N321 for an answering event without the property, N212 for one whose
/// property the attribute cannot hold.
fn lacking(
    attribute: &Name,
    from: &DataRef,
    events: &BTreeMap<&str, Span>,
    schema: &Schema,
    found: &mut Vec<Diagnostic>,
) {
    let p = from.property.as_str();
    for (event, arm) in events {
        let Some(declared) = schema.events.iter().find(|e| e.name.as_str() == *event) else {
            continue; // N204 says the event is unknown.
        };
        let Some(property) = declared.properties.iter().find(|q| q.name.as_str() == p) else {
            let names = declared.properties.iter().map(|q| q.name.as_str());
            let mut diagnostic = Diagnostic::new(
                Code::AnswerLacksProperty,
                format!("`{event}` carries no `{p}`"),
            );
            diagnostic = match crate::suggest::closest(p, names) {
                Some(close) => diagnostic.did_you_mean(from.property.span, close),
                None => diagnostic.label(from.property.span, "not a property of the answer"),
            };
            found.push(
                diagnostic
                    .label(*arm, format!("`{event}` leads here"))
                    .help(format!(
                        "keep a property `{event}` carries, or add `{p}` to it in the schema: `event {event} {{ {p}: TYPE }}`"
                    )),
            );
            return;
        };
        let written = super::names::format_data(from);
        if let Some(problem) = super::names::keeps_type(
            schema,
            attribute,
            &written,
            from.span,
            &property.value_type.value,
        ) {
            found.push(problem.label(*arm, format!("`{event}` leads here")));
            return;
        }
    }
}

fn trigger_data(flow: &Flow, known: &BTreeMap<Point, Known>, found: &mut Vec<Diagnostic>) {
    let program = flow.program;
    let Some(without) = program.clauses.iter().find_map(|c| match &c.kind {
        ClauseKind::Trigger(t) if !matches!(t.kind, TriggerKind::Event { .. }) => Some(t.span),
        _ => None,
    }) else {
        return;
    };
    let has_event_trigger = program.clauses.iter().any(|c| {
        matches!(&c.kind, ClauseKind::Trigger(t) if matches!(t.kind, TriggerKind::Event { .. }))
    });
    if !has_event_trigger {
        return; // N220 says no trigger carries data at all.
    }
    let mut warn = |data: &DataRef| {
        let p = data.property.as_str();
        found.push(
            Diagnostic::new(
                Code::TriggerDataMayBeMissing,
                format!("`trigger.{p}` is empty for customers who enter without an event"),
            )
            .label(data.span, "read here for every customer")
            .label(without, "customers who enter this way carry no data")
            .help(format!(
                "say what should happen to them: `has trigger.{p} and …` in the condition, or a `branch` arm `when has trigger.{p} -> …` before this"
            )),
        );
    };
    // Conditions of the header hold for every customer, wherever they are.
    for clause in &program.clauses {
        let cond = match &clause.kind {
            ClauseKind::Audience(cond) => Some(cond),
            ClauseKind::Goal(goal) => goal.condition.as_ref(),
            ClauseKind::ExitWhen(rule) => rule.condition.as_ref(),
            ClauseKind::Interrupt(on) => on.condition.as_ref(),
            _ => None,
        };
        if let Some(cond) = cond {
            unguarded(cond, &BTreeSet::new(), &mut warn);
        }
    }
    for (point, here) in known {
        let Some(statement) = flow.statement(*point) else {
            continue;
        };
        match &statement.kind {
            StatementKind::Send { guard: Some(c), .. } => unguarded(c, &here.has, &mut warn),
            StatementKind::Branch(arms) => {
                let mut earlier: BTreeSet<&str> = here.has.clone();
                for arm in arms {
                    if let Some(cond) = &arm.condition {
                        unguarded(cond, &earlier, &mut warn);
                        earlier.extend(not_has_trigger(cond));
                    }
                }
            }
            StatementKind::WaitFor(wait) => {
                for arm in &wait.arms {
                    if let crate::syntax::ast::WaitOn::Event {
                        condition: Some(c), ..
                    } = &arm.on
                    {
                        unguarded(c, &here.has, &mut warn);
                    }
                }
            }
            StatementKind::Keep { from, .. }
                if from.source == DataSource::Trigger
                    && !here.has.contains(from.property.as_str()) =>
            {
                warn(from)
            }
            _ => {}
        }
    }
}

/// Warns of each `trigger.PROPERTY` in `cond` that neither `has` nor the
/// condition itself says is there.
fn unguarded(cond: &Cond, has: &BTreeSet<&str>, warn: &mut dyn FnMut(&DataRef)) {
    let guarded = has_trigger(cond);
    let mut told = BTreeSet::new();
    for data in reads(cond) {
        let p = data.property.as_str();
        if data.source != DataSource::Trigger || has.contains(p) || guarded.contains(p) {
            continue;
        }
        if told.insert(p) {
            warn(data);
        }
    }
}

/// The data a condition compares or tests for truth (not what it asks
/// `has …` of).
fn reads(cond: &Cond) -> Vec<&DataRef> {
    let mut found = Vec::new();
    let mut todo = vec![cond];
    while let Some(cond) = todo.pop() {
        let operands: Vec<&Operand> = match &cond.kind {
            CondKind::Any(parts) | CondKind::All(parts) => {
                todo.extend(parts.iter().rev());
                Vec::new()
            }
            CondKind::Not(inner) => {
                todo.push(inner);
                Vec::new()
            }
            CondKind::Compare { left, right, .. } => vec![left, right],
            CondKind::In { left, .. } | CondKind::Truthy(left) => vec![left],
            CondKind::HasData(_) | CondKind::Consent(_) | CondKind::HasTag(_) => Vec::new(),
        };
        for operand in operands {
            if let Operand::Data(data) = operand {
                found.push(data);
            }
        }
    }
    found
}
