//! Where a program uses names: every condition with what its names refer
//! to, every event, and every statement. The rules walk these instead of the
//! tree, so each rule is a loop over the uses it cares about.

use crate::span::Name;
use crate::syntax::ast::{
    ClauseKind, Cond, CondKind, Program, Statement, StatementKind, TriggerKind, WaitOn,
};

/// What the names in a condition refer to.
#[derive(Clone, Copy, Debug)]
pub(super) enum Scope<'p> {
    /// The customer's attributes (`audience`, `when`, `send … if`).
    Customer,
    /// After `EVENT where`: the event's properties first, then the
    /// customer's attributes.
    Event(&'p Name),
}

/// Every condition in the program, with its scope, in source order.
pub(super) fn conditions(program: &Program) -> Vec<(Scope<'_>, &Cond)> {
    let mut found = Vec::new();
    for clause in &program.clauses {
        match &clause.kind {
            ClauseKind::Trigger(trigger) => {
                if let TriggerKind::Event {
                    event,
                    condition: Some(cond),
                } = &trigger.kind
                {
                    found.push((Scope::Event(event), cond));
                }
            }
            ClauseKind::Audience(cond) => found.push((Scope::Customer, cond)),
            ClauseKind::Goal(goal) => {
                if let Some(cond) = &goal.condition {
                    found.push((Scope::Event(&goal.event), cond));
                }
            }
            ClauseKind::ExitWhen(rule) => {
                if let Some(cond) = &rule.condition {
                    found.push((Scope::Event(&rule.event), cond));
                }
            }
            ClauseKind::Interrupt(on) => {
                if let Some(cond) = &on.condition {
                    found.push((Scope::Event(&on.event), cond));
                }
            }
            _ => {}
        }
    }
    for statement in statements(program) {
        match &statement.kind {
            StatementKind::Send {
                guard: Some(cond), ..
            } => found.push((Scope::Customer, cond)),
            StatementKind::WaitFor(wait) => {
                for arm in &wait.arms {
                    if let WaitOn::Event {
                        event,
                        condition: Some(cond),
                    } = &arm.on
                    {
                        found.push((Scope::Event(event), cond));
                    }
                }
            }
            StatementKind::Branch(arms) => {
                found.extend(
                    arms.iter().filter_map(|arm| {
                        arm.condition.as_ref().map(|cond| (Scope::Customer, cond))
                    }),
                );
            }
            _ => {}
        }
    }
    found
}

/// The tests in a condition (comparisons, `consent X`, `has tag X`, lone
/// names), with `and`, `or`, `not` and parentheses looked through.
pub(super) fn tests(cond: &Cond) -> Vec<&Cond> {
    let mut found = Vec::new();
    let mut todo = vec![cond];
    while let Some(cond) = todo.pop() {
        match &cond.kind {
            CondKind::Any(parts) | CondKind::All(parts) => todo.extend(parts.iter().rev()),
            CondKind::Not(inner) => todo.push(inner),
            _ => found.push(cond),
        }
    }
    found
}

/// Every statement of every step, in source order.
pub(super) fn statements(program: &Program) -> impl Iterator<Item = &Statement> {
    program.steps.iter().flat_map(|step| step.statements.iter())
}

/// Every event the program names, in source order. The events of one
/// `wait up to … for` come once each: an arm for an event the wait lists
/// repeats the name and is not listed again.
pub(super) fn events(program: &Program) -> Vec<&Name> {
    let mut found = Vec::new();
    for clause in &program.clauses {
        match &clause.kind {
            ClauseKind::Trigger(trigger) => match &trigger.kind {
                TriggerKind::Event { event, .. } | TriggerKind::Inactivity { event, .. } => {
                    found.push(event)
                }
                _ => {}
            },
            ClauseKind::Goal(goal) => found.push(&goal.event),
            ClauseKind::ExitWhen(rule) => found.push(&rule.event),
            ClauseKind::Interrupt(on) => found.push(&on.event),
            _ => {}
        }
    }
    for statement in statements(program) {
        if let StatementKind::WaitFor(wait) = &statement.kind {
            found.extend(&wait.events);
            for arm in &wait.arms {
                if let WaitOn::Event { event, .. } = &arm.on {
                    let repeated = wait.events.iter().any(|e| e.as_str() == event.as_str());
                    if !repeated {
                        found.push(event);
                    }
                }
            }
        }
    }
    found
}
