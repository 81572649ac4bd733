//! What a plan reads of every customer it runs: the attributes its
//! conditions and date triggers name, for certain. A file of customers that
//! lacks one of them makes every condition on it fail (an absent value
//! matches nothing), which looks like "nobody entered" rather than like a
//! mistake: `nurture replay` and `nurture simulate` refuse such a file before
//! the run (`run::input::missing_attributes`).
//!
//! Only what is read for certain: the built-in `score` and `phase` are no
//! attributes; a bare word compiled without a schema may be a value; after
//! `EVENT where`, a name is a customer attribute only when the schema says
//! the event has no property of that name; and an attribute the plan
//! itself `set`s may be missing from the file.

use super::{Cond, Op, Operand, Plan, Trigger};
use crate::syntax::ast::Schema;
use std::collections::BTreeSet;

pub fn attributes_read(plan: &Plan, schema: Option<&Schema>) -> BTreeSet<String> {
    let mut read = BTreeSet::new();
    // `None`: names are the customer's; `Some(event)`: the event's first.
    let mut from = |cond: &Cond, event: Option<&str>| {
        let customer = |name: &str| match (event, schema) {
            (None, _) => true,
            (Some(event), Some(schema)) => schema
                .events
                .iter()
                .filter(|e| e.name.as_str() == event)
                .all(|e| !e.properties.iter().any(|p| p.name.as_str() == name)),
            (Some(_), None) => false,
        };
        names(cond, &mut |name| {
            if customer(name) {
                read.insert(name.to_string());
            }
        });
    };
    for trigger in &plan.entry.triggers {
        if let Trigger::Event {
            event,
            condition: Some(cond),
        } = trigger
        {
            from(cond, Some(event));
        }
    }
    if let Some(cond) = &plan.entry.audience {
        from(cond, None);
    }
    if let Some(goal) = &plan.goal
        && let Some(cond) = &goal.condition
    {
        from(cond, Some(&goal.event));
    }
    for rule in &plan.exit_rules {
        if let Some(cond) = &rule.condition {
            from(cond, Some(&rule.event));
        }
    }
    for interrupt in &plan.interrupts {
        if let Some(cond) = &interrupt.condition {
            from(cond, Some(&interrupt.event));
        }
    }
    let mut written = BTreeSet::new();
    for node in &plan.nodes {
        match &node.op {
            Op::Send { guard: Some(c), .. } => from(c, None),
            Op::Branch { arms, .. } => arms.iter().for_each(|a| from(&a.condition, None)),
            Op::WaitFor { arms, .. } => {
                for arm in arms {
                    if let Some(cond) = &arm.condition {
                        from(cond, Some(&arm.event));
                    }
                }
            }
            Op::Set { attribute, .. } => {
                written.insert(attribute.clone());
            }
            _ => {}
        }
    }
    for trigger in &plan.entry.triggers {
        if let Trigger::Date { attribute, .. } = trigger {
            read.insert(attribute.clone());
        }
    }
    read.retain(|name| !written.contains(name) && !matches!(name.as_str(), "score" | "phase"));
    read
}

/// Every name a condition reads (not bare words, which may be values).
fn names(cond: &Cond, found: &mut dyn FnMut(&str)) {
    let operand = |operand: &Operand, found: &mut dyn FnMut(&str)| {
        if let Operand::Name { name } = operand {
            found(name);
        }
    };
    match cond {
        Cond::All { all } => all.iter().for_each(|c| names(c, found)),
        Cond::Any { any } => any.iter().for_each(|c| names(c, found)),
        Cond::Not { not } => names(not, found),
        Cond::Compare { left, right, .. } => {
            operand(left, found);
            operand(right, found);
        }
        Cond::In { left, .. } => operand(left, found),
        Cond::Truthy { operand: o } => operand(o, found),
        Cond::Consent { .. } | Cond::HasTag { .. } | Cond::HasTrigger { .. } => {}
    }
}
