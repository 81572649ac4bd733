//! What the journey's events carry: `trigger.PROPERTY` must be a property
//! of every event trigger's event, with one type (N220, N221), and
//! `answer.PROPERTY` is kept with `set` only (N222). Whether an answer
//! can be there at all, and what it carries, depends on the way a
//! customer came (`check/data.rs`).

use super::known::{Known, event_triggers, same_type};
use super::unknown::unknown;
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::syntax::ast::{ClauseKind, DataRef, DataSource, Program, StatementKind};

pub(super) fn check(program: &Program, known: &Known, found: &mut Vec<Diagnostic>) {
    let kept: Vec<&DataRef> = program
        .steps
        .iter()
        .flat_map(|s| &s.statements)
        .filter_map(|s| match &s.kind {
            StatementKind::Keep { from, .. } => Some(from),
            _ => None,
        })
        .collect();
    let mut reads = Vec::new();
    program.visit_data(&mut |data| reads.push(data));
    for data in reads {
        if data.property.as_str().is_empty() {
            continue; // A stand-in after a syntax error.
        }
        match data.source {
            DataSource::Answer if !kept.iter().any(|k| std::ptr::eq(*k, data)) => {
                found.push(answer_outside_set(data))
            }
            DataSource::Answer => {}
            DataSource::Trigger => trigger_data(program, known, data, found),
        }
    }
}

fn answer_outside_set(data: &DataRef) -> Diagnostic {
    let p = data.property.as_str();
    Diagnostic::new(
        Code::AnswerOutsideSet,
        format!("`answer.{p}` can only be kept with `set`"),
    )
    .label(data.span, "a condition cannot read the answer")
    .help(format!(
        "test the answer in the arm that receives it (`EVENT where {p} == … -> STEP`), or keep it first with `set ATTRIBUTE = answer.{p}` and test the attribute"
    ))
}

fn trigger_data(program: &Program, known: &Known, data: &DataRef, found: &mut Vec<Diagnostic>) {
    let p = data.property.as_str();
    let events = event_triggers(program);
    if events.is_empty() {
        let mut diagnostic = Diagnostic::new(
            Code::UnknownTriggerData,
            format!("no trigger of this program carries `trigger.{p}`"),
        )
        .label(data.span, "customers never enter with data to read here");
        let mut triggers = program.clauses.iter().filter_map(|c| match &c.kind {
            ClauseKind::Trigger(t) => Some(t.span),
            _ => None,
        });
        if let Some(first) = triggers.next() {
            diagnostic = diagnostic.label(first, "this trigger starts a journey without an event");
        }
        found.push(diagnostic.help(
            "only `trigger event EVENT` brings data: read a customer attribute instead, or add the event trigger whose data you mean",
        ));
        return;
    }
    if known.open {
        return; // Without a schema, what an event carries is not known.
    }
    let mut first_type = None;
    for event in events {
        let Some(properties) = known.events.get(event.as_str()) else {
            continue; // N204 says the event is unknown.
        };
        match properties.get(p) {
            Some(ty) => match first_type {
                None => first_type = Some((event, *ty)),
                Some((first, first_ty)) if !same_type(first_ty, ty) => {
                    found.push(
                        Diagnostic::new(
                            Code::TriggerDataTypesDiffer,
                            format!(
                                "`trigger.{p}` is a different type for `{}` and `{}`",
                                first.as_str(),
                                event.as_str()
                            ),
                        )
                        .label(data.span, "its type depends on how the customer entered")
                        .label(first.span, format!("`{}` carries one type", first.as_str()))
                        .label(event.span, format!("`{}` carries another", event.as_str()))
                        .help(format!(
                            "declare `{p}` with one type in both events in the schema, or test a property of each"
                        )),
                    );
                    return;
                }
                Some(_) => {}
            },
            None => {
                let e = event.as_str();
                let mut diagnostic = unknown(
                    Code::UnknownTriggerData,
                    &data.property,
                    format!("`{e}` carries no `{p}`, so `trigger.{p}` may be empty"),
                    properties.keys().copied(),
                    "not a property of the trigger's event",
                    format!("add it to the event in the schema: `event {e} {{ {p}: TYPE }}`"),
                );
                diagnostic = diagnostic.label(event.span, format!("customers enter by `{e}` here"));
                found.push(diagnostic);
                return;
            }
        }
    }
}
