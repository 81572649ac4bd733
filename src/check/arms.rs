//! The arms of `wait up to … for`, `branch` and `split`: every awaited event
//! handled and no other (N306, N307), a `timeout` (N304) and an `else`
//! (N305) always there, shares that add up (N308), and no `when` hidden
//! behind an earlier one (N309).

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::syntax::ast::{
    BranchArm, CondKind, Operand, Program, SplitArm, Statement, StatementKind, ValueKind, WaitFor,
    WaitOn,
};

pub fn check(program: &Program, source: &str) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for step in &program.steps {
        for statement in &step.statements {
            match &statement.kind {
                StatementKind::WaitFor(wait) => wait_arms(statement, wait, &mut found),
                StatementKind::Branch(arms) => branch_arms(statement, arms, source, &mut found),
                StatementKind::Split(arms) => split_shares(statement, arms, &mut found),
                _ => {}
            }
        }
    }
    found
}

fn wait_arms(statement: &Statement, wait: &WaitFor, found: &mut Vec<Diagnostic>) {
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
            found.push(
                Diagnostic::new(
                    Code::UnhandledEvent,
                    format!("nothing says where customers go on `{}`", event.as_str()),
                )
                .label(event.span, "waited for, but no arm handles it")
                .help(format!(
                    "add an arm like `{} -> STEP`, or stop waiting for it",
                    event.as_str()
                )),
            );
        }
    }
    if !wait.arms.iter().any(|a| matches!(a.on, WaitOn::Timeout(_))) {
        found.push(
            Diagnostic::new(Code::MissingTimeout, "this wait has no `timeout` arm")
                .label(wait.up_to.span, "customers who do nothing within this time go nowhere")
                .help("add `timeout -> STEP` or `timeout -> exit OUTCOME` for customers who do not respond"),
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
        found.push(
            Diagnostic::new(Code::MissingElse, "this `branch` has no `else` arm")
                .label(at, "customers who match no `when` go nowhere")
                .help("add `else -> STEP` (or `else -> exit OUTCOME`) as the last arm"),
        );
    }
    // A `when` is shadowed by an earlier one that matches every customer it
    // would: the same condition, `x in [..]` holding `x == v`, or `true`.
    let conditions: Vec<_> = arms.iter().filter_map(|a| a.condition.as_ref()).collect();
    for (i, later) in conditions.iter().enumerate() {
        if let Some(earlier) = conditions[..i]
            .iter()
            .find(|earlier| covers(earlier, later, source))
        {
            found.push(
                Diagnostic::new(Code::ShadowedCondition, "this `when` can never match")
                    .label(later.span, "every customer this matches has already gone on")
                    .label(earlier.span, "an earlier arm matches them first")
                    .help("`branch` takes the first `when` that matches: put the narrower condition first, or remove this arm"),
            );
        }
    }
}

/// Whether every customer matching `later` also matches `earlier`, in the
/// cases that can be decided from the text alone.
fn covers(
    earlier: &crate::syntax::ast::Cond,
    later: &crate::syntax::ast::Cond,
    source: &str,
) -> bool {
    let text = |c: &crate::syntax::ast::Cond| {
        source
            .get(c.span.start..c.span.end)
            .unwrap_or("")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    if text(earlier) == text(later) {
        return true;
    }
    if let CondKind::Truthy(Operand::Value(value)) = &earlier.kind {
        return value.value == ValueKind::Bool(true);
    }
    // `x in [a, b]` before `x == a`.
    if let (
        CondKind::In {
            left,
            negated: false,
            list,
        },
        CondKind::Compare {
            left: later_left,
            op,
            right,
        },
    ) = (&earlier.kind, &later.kind)
    {
        if op.value == crate::syntax::ast::CompareOp::Eq && same_operand(left, later_left) {
            let wanted = operand_word(right);
            return wanted.is_some() && list.iter().any(|v| value_word(&v.value) == wanted);
        }
    }
    false
}

fn same_operand(a: &Operand, b: &Operand) -> bool {
    match (a, b) {
        (Operand::Attribute(a), Operand::Attribute(b)) => a.value == b.value,
        _ => false,
    }
}

/// A bare word or text as written on the right of `==` (the grammar reads
/// `gold` there as an attribute; an enumeration value is meant).
fn operand_word(operand: &Operand) -> Option<String> {
    match operand {
        Operand::Attribute(name) => Some(name.value.clone()),
        Operand::Value(value) => value_word(&value.value),
        Operand::RelativeTime { .. } => None,
    }
}

fn value_word(value: &ValueKind) -> Option<String> {
    match value {
        ValueKind::Word(word) => Some(word.clone()),
        ValueKind::Text(text) => Some(format!("\"{text}\"")),
        ValueKind::Number(n) => Some(n.to_string()),
        _ => None,
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
