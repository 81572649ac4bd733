//! Whether a program does what its `kind` says (N312, warnings): a wake-up
//! starts when customers go quiet, an event follow-up on an event, a
//! welcome on a sign-up or a segment, and a referral program asks.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::syntax::ast::{ClauseKind, Program, ProgramKind, StatementKind, TriggerKind};

pub fn check(program: &Program) -> Vec<Diagnostic> {
    let Some((kind, kind_span)) = program.clauses.iter().find_map(|c| match &c.kind {
        ClauseKind::Kind(k) => k.kind.map(|kind| (kind, k.name.span)),
        _ => None,
    }) else {
        return Vec::new();
    };
    let triggers: Vec<&TriggerKind> = program
        .clauses
        .iter()
        .filter_map(|c| match &c.kind {
            ClauseKind::Trigger(t) => Some(&t.kind),
            _ => None,
        })
        .collect();
    if triggers.is_empty() {
        return Vec::new(); // N105 says so already.
    }
    let any = |f: fn(&TriggerKind) -> bool| triggers.iter().any(|t| f(t));
    let sends = program
        .steps
        .iter()
        .flat_map(|s| &s.statements)
        .any(|s| matches!(s.kind, StatementKind::Send { .. }));

    let problem = match kind {
        ProgramKind::WakeUp if !any(|t| matches!(t, TriggerKind::Inactivity { .. })) => Some((
            "a `wake_up` program has no inactivity trigger",
            "a wake-up is for customers who have gone quiet: add a trigger like `trigger no purchase for 180d`",
        )),
        ProgramKind::EventFollowUp if !any(|t| matches!(t, TriggerKind::Event { .. })) => Some((
            "an `event_follow_up` program has no event trigger",
            "follow up on what happened: add a trigger like `trigger event fair_visit`",
        )),
        ProgramKind::Welcome if any(|t| matches!(t, TriggerKind::Inactivity { .. })) => Some((
            "a `welcome` program starts when customers go quiet",
            "welcome customers when they arrive, with a trigger like `trigger event signup` or `trigger segment new_customers entered`",
        )),
        ProgramKind::Referral if !sends => Some((
            "a `referral` program never asks for a referral",
            "send the ask, like `send email \"please-recommend-us\"`",
        )),
        _ if !sends && !program.steps.is_empty() && !notifies(program) => Some((
            "this program neither sends anything nor notifies anyone",
            "add a `send` or a `notify`, or check that this is the program you meant",
        )),
        _ => None,
    };
    problem
        .map(|(message, help)| {
            vec![
                Diagnostic::new(Code::KindMismatch, message)
                    .label(
                        kind_span,
                        format!("the program says it is `{}`", kind.as_str()),
                    )
                    .help(help),
            ]
        })
        .unwrap_or_default()
}

fn notifies(program: &Program) -> bool {
    program
        .steps
        .iter()
        .flat_map(|s| &s.statements)
        .any(|s| matches!(s.kind, StatementKind::Notify { .. }))
}
