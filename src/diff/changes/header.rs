//! Stage diff, changes: the header's clauses, paired by a slot (a `trigger`
//! by what it listens to, an `exit when` by its event, a `cap` by its
//! channel, any other clause by its keyword), and words for what changed.

use super::{Change, ChangeKind, Side, meaning, sentence};
use crate::check::flow::show_minutes;
use crate::syntax::ast::{Clause, ClauseKind, Program, Reentry, TriggerKind};

// -- the header ---------------------------------------------------------------

/// Which clause of the other version a clause is compared with.
fn slot(kind: &ClauseKind) -> String {
    match kind {
        ClauseKind::Trigger(trigger) => match &trigger.kind {
            TriggerKind::Event { event, .. } => format!("trigger event {}", event.as_str()),
            TriggerKind::Inactivity { event, .. } => format!("trigger no {}", event.as_str()),
            TriggerKind::Segment { segment, entered } => format!(
                "trigger segment {} {}",
                segment.as_str(),
                if *entered { "entered" } else { "left" }
            ),
            TriggerKind::Date { attribute, .. } => format!("trigger date {}", attribute.as_str()),
            TriggerKind::Phase(phase) => format!("trigger phase becomes {}", phase.name.as_str()),
            TriggerKind::Tag { tag, added } => format!(
                "trigger tag {} {}",
                if *added { "added" } else { "removed" },
                tag.as_str()
            ),
        },
        ClauseKind::ExitWhen(rule) => format!("exit when {}", rule.event.as_str()),
        ClauseKind::Cap(cap) => match &cap.channel {
            Some(channel) => format!("cap {}", channel.as_str()),
            None => "cap messages".into(),
        },
        other => other.keyword().to_string(),
    }
}

pub(super) fn header(old: &Side, new: &Side) -> Vec<Change> {
    // `start` is compared as the step customers enter at (`start`), which
    // an implicit first step decides as much as the clause.
    fn clauses(program: &Program) -> Vec<(String, &Clause)> {
        program
            .clauses
            .iter()
            .filter(|c| !matches!(c.kind, ClauseKind::Start(_)))
            .map(|c| (slot(&c.kind), c))
            .collect()
    }
    let (before, after) = (clauses(old.program), clauses(new.program));
    let mut slots: Vec<&str> = Vec::new();
    for (slot, _) in after.iter().chain(&before) {
        if !slots.contains(&slot.as_str()) {
            slots.push(slot);
        }
    }
    let mut found = Vec::new();
    let mut kept_rules: Vec<(usize, usize)> = Vec::new();
    for slot in slots {
        let was: Vec<&Clause> = before
            .iter()
            .filter(|(s, _)| s == slot)
            .map(|(_, c)| *c)
            .collect();
        let is: Vec<&Clause> = after
            .iter()
            .filter(|(s, _)| s == slot)
            .map(|(_, c)| *c)
            .collect();
        for k in 0..was.len().max(is.len()) {
            let change = |change, detail| Change {
                step: None,
                change,
                what: was
                    .get(k)
                    .or(is.get(k))
                    .map_or("", |c| c.kind.keyword())
                    .to_string(),
                before: was.get(k).map(|c| old.shown(c.span)),
                after: is.get(k).map(|c| new.shown(c.span)),
                detail,
            };
            match (was.get(k), is.get(k)) {
                (Some(a), Some(b)) => {
                    if matches!(a.kind, ClauseKind::ExitWhen(_)) {
                        let at = |side: &[(String, &Clause)], clause: &Clause| {
                            side.iter()
                                .filter(|(_, c)| matches!(c.kind, ClauseKind::ExitWhen(_)))
                                .position(|(_, c)| std::ptr::eq(*c, clause))
                                .unwrap_or(0)
                        };
                        kept_rules.push((at(&before, a), at(&after, b)));
                    }
                    if meaning(&a.kind) != meaning(&b.kind) {
                        found.push(change(ChangeKind::Changed, clause_detail(&a.kind, &b.kind)));
                    }
                }
                (Some(_), None) => found.push(change(ChangeKind::Removed, None)),
                (None, Some(_)) => found.push(change(ChangeKind::Added, None)),
                (None, None) => {}
            }
        }
    }
    // The first `exit when` that matches decides, so their order matters.
    kept_rules.sort();
    if kept_rules.windows(2).any(|w| w[0].1 > w[1].1) {
        found.push(Change {
            step: None,
            change: ChangeKind::Reordered,
            what: "exit when".into(),
            before: None,
            after: None,
            detail: Some(
                "the `exit when` rules are in another order: the first that matches an event decides the outcome".into(),
            ),
        });
    }
    found
}

/// Words for what changed in a clause, for the kinds that have more to say
/// than their text.
fn clause_detail(before: &ClauseKind, after: &ClauseKind) -> Option<String> {
    match (before, after) {
        (ClauseKind::Goal(a), ClauseKind::Goal(b)) => {
            let (x, y) = (a.within.value.minutes, b.within.value.minutes);
            let mut words = Vec::new();
            if a.event.as_str() != b.event.as_str() {
                words.push(format!("the goal is now `{}`", b.event.as_str()));
            }
            if meaning(&a.condition) != meaning(&b.condition) {
                words.push("the goal's condition changed".to_string());
            }
            if y < x {
                words.push(format!(
                    "the window is {} shorter: customers who entered more than {} ago no longer count as converted",
                    show_minutes(x - y),
                    show_minutes(y)
                ));
            } else if y > x {
                words.push(format!("the window is {} longer", show_minutes(y - x)));
            }
            sentence(words)
        }
        (ClauseKind::Cap(a), ClauseKind::Cap(b)) => Some(format!(
            "at most {} per {}, was {} per {}",
            b.count.value,
            show_minutes(b.per.value.minutes),
            a.count.value,
            show_minutes(a.per.value.minutes)
        )),
        (ClauseKind::Holdout(a), ClauseKind::Holdout(b)) => Some(format!(
            "the control group is {}, was {}",
            percent(b.value.0),
            percent(a.value.0)
        )),
        (ClauseKind::Consent(a), ClauseKind::Consent(b)) => {
            let names = |list: &[crate::span::Name]| -> Vec<String> {
                list.iter().map(|n| n.value.clone()).collect()
            };
            let (a, b) = (names(a), names(b));
            let mut words = Vec::new();
            let added: Vec<&str> = b
                .iter()
                .filter(|c| !a.contains(c))
                .map(String::as_str)
                .collect();
            let gone: Vec<&str> = a
                .iter()
                .filter(|c| !b.contains(c))
                .map(String::as_str)
                .collect();
            if !added.is_empty() {
                words.push(format!(
                    "customers must also have agreed to {} to enter",
                    crate::syntax::word_list(added.into_iter())
                ));
            }
            if !gone.is_empty() {
                words.push(format!(
                    "{} is no longer needed to enter",
                    crate::syntax::word_list(gone.into_iter())
                ));
            }
            sentence(words)
        }
        (ClauseKind::Reentry(a), ClauseKind::Reentry(b)) => {
            let words = |r: &Reentry| match r {
                Reentry::Never => "never".to_string(),
                Reentry::After(d) => format!("after {}", show_minutes(d.value.minutes)),
            };
            Some(format!(
                "customers may enter again {}, was {}",
                words(b),
                words(a)
            ))
        }
        (ClauseKind::ExitWhen(a), ClauseKind::ExitWhen(b)) => {
            let outcome = |r: &crate::syntax::ast::ExitRule| {
                r.outcome.as_ref().unwrap_or(&r.event).value.clone()
            };
            let mut words = Vec::new();
            if outcome(a) != outcome(b) {
                words.push(format!(
                    "customers leave as `{}`, was `{}`",
                    outcome(b),
                    outcome(a)
                ));
            }
            if meaning(&a.condition) != meaning(&b.condition) {
                words.push("the condition changed".to_string());
            }
            sentence(words)
        }
        _ => None,
    }
}

fn percent(hundredths: u32) -> String {
    if hundredths % 100 == 0 {
        format!("{}%", hundredths / 100)
    } else {
        format!("{}.{:02}%", hundredths / 100, hundredths % 100)
    }
}
