//! The journey's deadline (`ends after D`), N323: a wait that lasts until
//! the deadline or past it never ends of its own accord, since at the
//! deadline's minute the journey is over (the deadline comes before the
//! wait's end, a timeout or an event at the same second). What follows the
//! wait, or its `timeout` arm, never runs. Customers are taken at the
//! soonest they can be at the wait (`timing::soonest`): a wait only some
//! ways reach late is not reported.

use super::flow::{Flow, Point, show_minutes};
use super::timing;
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::syntax::ast::{ClauseKind, StatementKind, WaitOn};

pub fn check(flow: &Flow) -> Vec<Diagnostic> {
    let program = flow.program;
    let Some((deadline, ends_span)) = program.clauses.iter().find_map(|c| match &c.kind {
        ClauseKind::Ends(ends) => Some((ends.after.value.minutes, c.span)),
        _ => None,
    }) else {
        return Vec::new();
    };
    let soonest = timing::soonest(flow);
    let mut found = Vec::new();
    for (i, step) in program.steps.iter().enumerate() {
        for (at, statement) in step.statements.iter().enumerate() {
            let Some(&here) = soonest.get(&Point { step: i, at }) else {
                continue;
            };
            if here >= deadline {
                continue;
            }
            let arrived = if here == 0 {
                "customers can be here as they enter".to_string()
            } else {
                format!(
                    "customers are here {} after entering at the soonest",
                    show_minutes(here)
                )
            };
            let (span, ends, title, help) = match &statement.kind {
                StatementKind::Wait(d) => (
                    statement.span,
                    here.saturating_add(d.value.minutes),
                    format!(
                        "`wait {}` outlasts the journey",
                        show_minutes(d.value.minutes)
                    ),
                    "shorten the wait or lengthen `ends after`: what follows the wait never runs",
                ),
                StatementKind::WaitUntil(d) => (
                    statement.span,
                    d.value.minutes,
                    format!(
                        "`wait until {} after entry` comes when the journey is over",
                        show_minutes(d.value.minutes)
                    ),
                    "wait until a moment before the deadline, or lengthen `ends after`: what follows the wait never runs",
                ),
                StatementKind::WaitFor(wait) => {
                    let Some(timeout) = wait.arms.iter().find_map(|arm| match arm.on {
                        WaitOn::Timeout(_) => Some(arm.span),
                        WaitOn::Event { .. } => None,
                    }) else {
                        continue;
                    };
                    (
                        timeout,
                        here.saturating_add(wait.up_to.value.minutes),
                        format!(
                            "the `timeout` of `wait up to {}` never comes",
                            show_minutes(wait.up_to.value.minutes)
                        ),
                        "shorten the wait or lengthen `ends after`: customers who do not answer leave at the deadline, not by this arm",
                    )
                }
                _ => continue,
            };
            if ends < deadline {
                continue;
            }
            found.push(
                Diagnostic::new(Code::AfterTheDeadline, title)
                    .label(
                        span,
                        format!(
                            "{arrived}; the wait ends {} after entering",
                            show_minutes(ends)
                        ),
                    )
                    .label(
                        ends_span,
                        format!(
                            "every journey is over {} after entering",
                            show_minutes(deadline)
                        ),
                    )
                    .help(help),
            );
        }
    }
    found
}
