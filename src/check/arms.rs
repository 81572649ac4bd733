//! The arms of `wait up to … for`, `branch` and `split`: every awaited event
//! handled and no other (N306, N307), a `timeout` (N304) and an `else`
//! (N305) always there, shares that add up (N308), and no `when` or wait
//! arm hidden behind an earlier one (N309).

use super::fixes;
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::span::Span;
use crate::syntax::ast::{
    BranchArm, CompareOp, Cond, CondKind, Operand, Program, SplitArm, Statement, StatementKind,
    ValueKind, WaitFor, WaitOn,
};
use std::collections::HashMap;

pub fn check(program: &Program, source: &str) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for step in &program.steps {
        for statement in &step.statements {
            match &statement.kind {
                StatementKind::WaitFor(wait) => {
                    wait_arms(statement, wait, source, &mut found);
                    shadowed_wait_arms(wait, source, &mut found);
                }
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

/// A wait arm takes the first arm for the event whose `where` holds, so an
/// arm after one without `where` for the same event (or with a condition
/// that covers it) never fires.
fn shadowed_wait_arms(wait: &WaitFor, source: &str, found: &mut Vec<Diagnostic>) {
    let mut earlier: HashMap<&str, Covering> = HashMap::new();
    for arm in &wait.arms {
        let WaitOn::Event { event, condition } = &arm.on else {
            continue;
        };
        let seen = earlier.entry(event.as_str()).or_default();
        let first = match condition {
            Some(condition) => seen.meet(condition, source),
            None => seen.meet_everyone(arm.span),
        };
        if let Some(first) = first {
            found.push(
                Diagnostic::new(Code::ShadowedCondition, format!("this `{}` arm can never fire", event.as_str()))
                    .label(arm.span, "every event this matches has already gone to an earlier arm")
                    .label(first, format!("this arm takes every such `{}` first", event.as_str()))
                    .help("a wait takes the first arm that matches the event: put the narrower `where` first, or remove this arm"),
            );
        }
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
    // A `when` is shadowed by an earlier one that matches every customer it
    // would: the same condition, `x in [..]` holding `x == v`, or `true`.
    let mut earlier = Covering::default();
    for condition in arms.iter().filter_map(|a| a.condition.as_ref()) {
        if let Some(first) = earlier.meet(condition, source) {
            found.push(
                Diagnostic::new(Code::ShadowedCondition, "this `when` can never match")
                    .label(condition.span, "every customer this matches has already gone on")
                    .label(first, "an earlier arm matches them first")
                    .help("`branch` takes the first `when` that matches: put the narrower condition first, or remove this arm"),
            );
        }
    }
}

/// The conditions of the arms read so far, indexed so that finding the first
/// one that covers a later condition is a lookup, not a comparison with every
/// earlier arm: a generated `branch` may have thousands of arms.
#[derive(Default)]
struct Covering {
    /// The first arm that matches everyone (`true`, or an event arm without
    /// `where`).
    everyone: Option<Span>,
    /// The first arm with each condition, as written up to spacing.
    by_text: HashMap<String, Span>,
    /// For `x in [a, b]`: the first such arm for each attribute and value.
    by_member: HashMap<(String, String), Span>,
}

impl Covering {
    /// The first earlier arm that matches every customer `later` would, in
    /// the cases that can be decided from the text alone; then `later` is
    /// one of the earlier arms for those that follow.
    fn meet(&mut self, later: &Cond, source: &str) -> Option<Span> {
        let text = condition_text(later, source);
        let same_text = self.by_text.get(&text).copied();
        let member = match &later.kind {
            CondKind::Compare {
                left: Operand::Attribute(attribute),
                op,
                right,
            } if op.value == CompareOp::Eq => operand_word(right).and_then(|word| {
                self.by_member
                    .get(&(attribute.value.clone(), word))
                    .copied()
            }),
            _ => None,
        };
        let first = [self.everyone, same_text, member]
            .into_iter()
            .flatten()
            .min_by_key(|span| span.start);

        self.by_text.entry(text).or_insert(later.span);
        match &later.kind {
            CondKind::Truthy(Operand::Value(value)) if value.value == ValueKind::Bool(true) => {
                self.everyone.get_or_insert(later.span);
            }
            CondKind::In {
                left: Operand::Attribute(attribute),
                negated: false,
                list,
            } => {
                for word in list.iter().filter_map(|v| value_word(&v.value)) {
                    self.by_member
                        .entry((attribute.value.clone(), word))
                        .or_insert(later.span);
                }
            }
            _ => {}
        }
        first
    }

    /// [`Covering::meet`] for an arm that matches everyone, like an event
    /// arm without `where`.
    fn meet_everyone(&mut self, span: Span) -> Option<Span> {
        let first = self.everyone;
        self.everyone.get_or_insert(span);
        first
    }
}

/// A condition as written, with its spacing made uniform.
fn condition_text(condition: &Cond, source: &str) -> String {
    source
        .get(condition.span.start..condition.span.end)
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
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
