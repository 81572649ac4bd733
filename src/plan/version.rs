//! Which format a plan needs. A plan is written in the lowest format that
//! holds it: a program that uses nothing format 2 added compiles to format
//! 1, the same bytes as before, so its digest, its draws and its
//! idempotency keys stay as they were, and a runtime that reads only
//! format 1 still runs it. The loader refuses a format-1 plan that uses
//! something of format 2, naming it.

use super::{Cond, Op, Operand, Plan};

/// The lowest `format_version` that holds `plan`.
pub fn lowest_format(plan: &Plan) -> u32 {
    if first_of_format_3(plan).is_some() {
        return 3;
    }
    if first_of_format_2(plan).is_some() {
        2
    } else {
        1
    }
}

/// The first field that format 1 does not have, as a path and what it is
/// (`("entry.keep", "kept trigger data")`).
pub(super) fn first_of_format_2(plan: &Plan) -> Option<(String, &'static str)> {
    if !plan.entry.keep.is_empty() {
        return Some(("entry.keep".into(), "trigger data"));
    }
    if !plan.interrupts.is_empty() {
        return Some(("interrupts".into(), "an interrupt"));
    }
    if plan.ends.is_some() {
        return Some(("ends".into(), "a journey's deadline"));
    }
    let conditions = plan
        .entry
        .triggers
        .iter()
        .enumerate()
        .filter_map(|(i, t)| match t {
            super::Trigger::Event {
                condition: Some(c), ..
            } => Some((format!("entry.triggers[{i}].condition"), c)),
            _ => None,
        })
        .chain(
            plan.entry
                .audience
                .iter()
                .map(|c| ("entry.audience".to_string(), c)),
        )
        .chain(
            plan.goal
                .iter()
                .filter_map(|g| g.condition.as_ref())
                .map(|c| ("goal.condition".to_string(), c)),
        )
        .chain(plan.exit_rules.iter().enumerate().filter_map(|(i, r)| {
            r.condition
                .as_ref()
                .map(|c| (format!("exit_rules[{i}].condition"), c))
        }));
    for (field, cond) in conditions {
        if let Some(what) = cond_of_format_2(cond) {
            return Some((field, what));
        }
    }
    for (i, node) in plan.nodes.iter().enumerate() {
        let at = format!("nodes[{i}]");
        let found = match &node.op {
            Op::SetFrom { .. } => Some((at, "`set_from`")),
            Op::WaitUntil { .. } => Some((at, "`wait_until`")),
            Op::Send { guard: Some(c), .. } => {
                cond_of_format_2(c).map(|what| (format!("{at}.guard"), what))
            }
            Op::Branch { arms, .. } => arms.iter().enumerate().find_map(|(a, arm)| {
                cond_of_format_2(&arm.condition)
                    .map(|what| (format!("{at}.arms[{a}].condition"), what))
            }),
            Op::WaitFor { arms, .. } => arms.iter().enumerate().find_map(|(a, arm)| {
                arm.condition
                    .as_ref()
                    .and_then(cond_of_format_2)
                    .map(|what| (format!("{at}.arms[{a}].condition"), what))
            }),
            _ => None,
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

/// What in a condition format 1 does not have.
fn cond_of_format_2(cond: &Cond) -> Option<&'static str> {
    let operand = |o: &Operand| matches!(o, Operand::Trigger { .. }).then_some("`trigger.` data");
    match cond {
        Cond::All { all: parts } | Cond::Any { any: parts } => {
            parts.iter().find_map(cond_of_format_2)
        }
        Cond::Not { not } => cond_of_format_2(not),
        Cond::HasTrigger { .. } => Some("`has_trigger`"),
        Cond::Compare { left, right, .. } => operand(left).or_else(|| operand(right)),
        Cond::In { left, .. } | Cond::Truthy { operand: left } => operand(left),
        Cond::Consent { .. } | Cond::HasTag { .. } => None,
    }
}

/// The first field that format 2 does not have: a send window, a channel
/// fallback, a hand-off trigger (`phase becomes`, `tag added`/`removed`),
/// a `group` or a `priority`.
pub(super) fn first_of_format_3(plan: &Plan) -> Option<(String, &'static str)> {
    if !plan.windows.is_empty() {
        return Some(("windows".into(), "a send window"));
    }
    if let Some(found) = plan
        .nodes
        .iter()
        .enumerate()
        .find_map(|(i, node)| match &node.op {
            Op::Send { fallback, .. } if !fallback.is_empty() => {
                Some((format!("nodes[{i}].fallback"), "a channel fallback"))
            }
            _ => None,
        })
    {
        return Some(found);
    }
    if plan.group.is_some() {
        return Some(("group".into(), "a group"));
    }
    if plan.priority.is_some() {
        return Some(("priority".into(), "a priority"));
    }
    plan.entry
        .triggers
        .iter()
        .enumerate()
        .find_map(|(i, trigger)| match trigger {
            super::Trigger::Phase { .. } => {
                Some((format!("entry.triggers[{i}]"), "a `phase becomes` trigger"))
            }
            super::Trigger::Tag { .. } => Some((
                format!("entry.triggers[{i}]"),
                "a `tag added` or `tag removed` trigger",
            )),
            _ => None,
        })
}
