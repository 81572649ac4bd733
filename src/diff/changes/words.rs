//! Stage diff, changes: the words for what changed inside a statement, for
//! the kinds that have more to say than their text (a wait longer or
//! shorter, arms added or removed, a send's channels).

use super::{meaning, sentence};
use crate::check::flow::show_minutes;
use crate::syntax::ast::{StatementKind, WaitOn};
use std::collections::BTreeMap;

/// Words for what changed in a statement, for the kinds that have more to
/// say than their text.
pub(super) fn statement_detail(before: &StatementKind, after: &StatementKind) -> Option<String> {
    let longer = |a: u64, b: u64, what: &str| -> Option<String> {
        match b.cmp(&a) {
            std::cmp::Ordering::Less => Some(format!("{what} {} less", show_minutes(a - b))),
            std::cmp::Ordering::Greater => Some(format!("{what} {} longer", show_minutes(b - a))),
            std::cmp::Ordering::Equal => None,
        }
    };
    match (before, after) {
        (StatementKind::Wait(a), StatementKind::Wait(b)) => {
            longer(a.value.minutes, b.value.minutes, "waits")
        }
        (StatementKind::Wait(a), StatementKind::WaitFor(b)) => sentence(
            std::iter::once("now waits for events".to_string())
                .chain(longer(a.value.minutes, b.up_to.value.minutes, "at most"))
                .collect(),
        ),
        (StatementKind::WaitFor(a), StatementKind::Wait(b)) => sentence(
            std::iter::once("no longer waits for events".to_string())
                .chain(longer(a.up_to.value.minutes, b.value.minutes, "waits"))
                .collect(),
        ),
        (StatementKind::WaitFor(a), StatementKind::WaitFor(b)) => {
            let mut words: Vec<String> = longer(
                a.up_to.value.minutes,
                b.up_to.value.minutes,
                "waits at most",
            )
            .into_iter()
            .collect();
            let arm = |arm: &crate::syntax::ast::WaitArm| match &arm.on {
                WaitOn::Event { event, condition } => {
                    format!("{}{}", event.as_str(), meaning(condition))
                }
                WaitOn::Timeout(_) => "timeout".into(),
            };
            let (x, y): (Vec<String>, Vec<String>) = (
                a.arms.iter().map(arm).collect(),
                b.arms.iter().map(arm).collect(),
            );
            arms_added_and_removed(&x, &y, &mut words);
            let targets = |w: &crate::syntax::ast::WaitFor| -> BTreeMap<String, String> {
                w.arms
                    .iter()
                    .map(|a| (arm(a), meaning(&a.target)))
                    .collect()
            };
            let (tx, ty) = (targets(a), targets(b));
            if tx.iter().any(|(k, v)| ty.get(k).is_some_and(|w| w != v)) {
                words.push("an arm leads elsewhere".into());
            }
            sentence(words)
        }
        (StatementKind::Branch(a), StatementKind::Branch(b)) => {
            let arm = |arm: &crate::syntax::ast::BranchArm| meaning(&arm.condition);
            let (x, y): (Vec<String>, Vec<String>) =
                (a.iter().map(arm).collect(), b.iter().map(arm).collect());
            let mut words = Vec::new();
            let (added, gone) = arms_added_and_removed(&x, &y, &mut words);
            if added == 0 && gone == 0 && x != y {
                words.push("the arms are in another order: the first that holds decides".into());
            }
            sentence(words)
        }
        (
            StatementKind::Send {
                channel: c1,
                guard: g1,
                fallback: f1,
                ..
            },
            StatementKind::Send {
                channel: c2,
                guard: g2,
                fallback: f2,
                ..
            },
        ) => {
            let mut words = Vec::new();
            if c1.as_str() != c2.as_str() {
                words.push(format!("sent by {}, was {}", c2.as_str(), c1.as_str()));
            }
            // The channels tried after the first: each added or removed is
            // a change in who gets the message and how.
            let tried = |f: &[crate::syntax::ast::Fallback]| -> Vec<String> {
                f.iter().map(|c| c.channel.value.clone()).collect()
            };
            let (was, is) = (tried(f1), tried(f2));
            for added in is.iter().filter(|c| !was.contains(c)) {
                words.push(format!("falls back to {added} now"));
            }
            for gone in was.iter().filter(|c| !is.contains(c)) {
                words.push(format!("no longer falls back to {gone}"));
            }
            if was != is && is.iter().all(|c| was.contains(c)) && was.iter().all(|c| is.contains(c))
            {
                words.push("its fallback channels are tried in another order".into());
            }
            match (g1, g2) {
                (None, Some(_)) => words.push("now sent only if its condition holds".into()),
                (Some(_), None) => words.push("now sent without a condition".into()),
                (Some(x), Some(y)) if meaning(x) != meaning(y) => {
                    words.push("its condition changed".into())
                }
                _ => {}
            }
            sentence(words)
        }
        (StatementKind::Score(a), StatementKind::Score(b)) => {
            Some(format!("{:+} points, was {:+}", b.value, a.value))
        }
        _ => None,
    }
}

/// "2 arms added", "1 arm removed": the arms (by what each means) of `new`
/// not in `old` and of `old` not in `new`, told in `words`; their counts.
fn arms_added_and_removed(
    old: &[String],
    new: &[String],
    words: &mut Vec<String>,
) -> (usize, usize) {
    let added = new.iter().filter(|k| !old.contains(k)).count();
    let gone = old.iter().filter(|k| !new.contains(k)).count();
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    if added > 0 {
        words.push(format!("{added} arm{} added", plural(added)));
    }
    if gone > 0 {
        words.push(format!("{gone} arm{} removed", plural(gone)));
    }
    (added, gone)
}
