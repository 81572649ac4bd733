//! The arms of `wait up to … for`, `branch` and `split`: every awaited event
//! handled and no other (N306, N307), a `timeout` (N304) and an `else`
//! (N305) always there, and shares that add up (N308). Arms that never fire
//! (N309, N313, N314) are `shadow.rs`'s.

use super::fixes;
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::syntax::ast::{BranchArm, Program, SplitArm, Statement, StatementKind, WaitFor, WaitOn};

pub fn check(program: &Program, source: &str) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for step in &program.steps {
        for statement in &step.statements {
            match &statement.kind {
                StatementKind::WaitFor(wait) => wait_arms(statement, wait, source, &mut found),
                StatementKind::Branch(arms) => branch_arms(statement, arms, source, &mut found),
                StatementKind::Split(arms) => split_shares(statement, arms, &mut found),
                _ => {}
            }
        }
    }
    found
}

fn wait_arms(statement: &Statement, wait: &WaitFor, source: &str, found: &mut Vec<Diagnostic>) {
    let last_arm = wait.arms.last().map(|a| a.span);
    let awaited: Vec<&str> = wait.events.iter().map(|e| e.as_str()).collect();
    let mut handled = Vec::new();
    for arm in &wait.arms {
        if let WaitOn::Event { event, .. } = &arm.on {
            handled.push(event.as_str());
            if !awaited.contains(&event.as_str()) {
                found.push(
                    Diagnostic::new(
                        Code::UnawaitedEvent,
                        format!("this wait does not wait for `{}`", event.as_str()),
                    )
                    .label(event.span, "this arm never fires")
                    .label(
                        wait.events
                            .first()
                            .map(|e| e.span)
                            .unwrap_or(statement.span),
                        format!(
                            "waits only for {}",
                            crate::syntax::word_list(awaited.iter().copied())
                        ),
                    )
                    .help(format!(
                        "add it to the events waited for: `for {} or {}`",
                        awaited.join(" or "),
                        event.as_str()
                    )),
                );
            }
        }
    }
    for event in &wait.events {
        if !handled.contains(&event.as_str()) {
            let arm = format!("{0} -> exit {0}", event.as_str());
            let fix = fixes::add_line(
                source,
                statement.span,
                last_arm,
                &arm,
                format!("add `{arm}`"),
            );
            found.push(
                Diagnostic::new(
                    Code::UnhandledEvent,
                    format!("nothing says where customers go on `{}`", event.as_str()),
                )
                .label(event.span, "waited for, but no arm handles it")
                .help(format!(
                    "add an arm like `{} -> STEP`, or stop waiting for it",
                    event.as_str()
                ))
                .fixes(fix),
            );
        }
    }
    if !wait.arms.iter().any(|a| matches!(a.on, WaitOn::Timeout(_))) {
        let arm = "timeout -> exit no_response";
        let fix = fixes::add_line(
            source,
            statement.span,
            last_arm,
            arm,
            format!("add `{arm}`"),
        );
        found.push(
            Diagnostic::new(Code::MissingTimeout, "this wait has no `timeout` arm")
                .label(wait.up_to.span, "customers who do nothing within this time go nowhere")
                .help("add `timeout -> STEP` or `timeout -> exit OUTCOME` for customers who do not respond")
                .fixes(fix),
        );
    }
}

fn branch_arms(
    statement: &Statement,
    arms: &[BranchArm],
    source: &str,
    found: &mut Vec<Diagnostic>,
) {
    if !arms.iter().any(|a| a.condition.is_none()) {
        let at = arms.last().map(|a| a.span).unwrap_or(statement.span);
        let arm = "else -> exit no_match";
        let fix = fixes::add_line(
            source,
            statement.span,
            arms.last().map(|a| a.span),
            arm,
            format!("add `{arm}`"),
        );
        found.push(
            Diagnostic::new(Code::MissingElse, "this `branch` has no `else` arm")
                .label(at, "customers who match no `when` go nowhere")
                .help("add `else -> STEP` (or `else -> exit OUTCOME`) as the last arm")
                .fixes(fix),
        );
    }
}

fn split_shares(statement: &Statement, arms: &[SplitArm], found: &mut Vec<Diagnostic>) {
    let total: u32 = arms.iter().map(|a| a.share.value.0).sum();
    if total != 10_000 {
        let shown = format!("{}.{:02}", total / 100, total % 100);
        let shown = shown.trim_end_matches('0').trim_end_matches('.');
        let missing = if total < 10_000 {
            "some customers would go nowhere"
        } else {
            "more customers than there are would be sent"
        };
        found.push(
            Diagnostic::new(
                Code::SplitNotWhole,
                format!("the shares of this `split` add up to {shown}%, not 100%"),
            )
            .label(statement.span, missing)
            .help("make the shares add up to exactly 100%"),
        );
    }
}
