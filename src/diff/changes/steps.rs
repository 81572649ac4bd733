//! Stage diff, changes: where customers enter, steps (by name or `(was
//! …)`) and their statements (by the alignment of `align.rs`), statements
//! moved within a step; arrows to a renamed step count as unchanged.

use super::words::statement_detail;
use super::{Change, ChangeKind, Shown, Side, meaning};
use crate::diff::align::{Alignment, Steps};
use crate::diff::layout::Layout;
use crate::span::Span;
use crate::syntax::ast::{Statement, StatementKind, Step, Target};
use std::collections::BTreeMap;

// -- where customers enter ----------------------------------------------------------

pub(super) fn start(old: &Side, new: &Side, steps: &Steps) -> Option<Change> {
    // The step written as the start (or the first): the plan's start node
    // may be a later step's, past steps with no statements of their own.
    let step_of = |side: &Side<'_>| {
        let written = side.program.clauses.iter().find_map(|c| match &c.kind {
            crate::syntax::ast::ClauseKind::Start(name) => Some(name.value.as_str()),
            _ => None,
        });
        let name = written.or_else(|| side.program.steps.first().map(|s| s.name.value.as_str()))?;
        Layout::new(side.plan).step_named(name)
    };
    let (a, b) = (step_of(old)?, step_of(new)?);
    if steps.new_to_old.get(b).copied().flatten() == Some(a) {
        return None;
    }
    let name = |side: &Side<'_>, step: usize| side.plan.steps[step].name.clone();
    Some(Change {
        step: None,
        change: ChangeKind::Changed,
        what: "start".into(),
        before: None,
        after: None,
        detail: Some(format!(
            "customers enter at step `{}`, was `{}`",
            name(new, b),
            name(old, a)
        )),
    })
}

// -- steps ------------------------------------------------------------------------

pub(super) fn steps(old: &Side, new: &Side, steps: &Steps) -> Vec<Change> {
    let (old_layout, new_layout) = (Layout::new(old.plan), Layout::new(new.plan));
    // Arrows to a renamed step are the same arrows.
    let renamed: BTreeMap<&str, &str> = steps
        .new_to_old
        .iter()
        .enumerate()
        .filter_map(|(n, o)| {
            let (a, b) = (
                &old.program.steps.get((*o)?)?.name,
                &new.program.steps.get(n)?.name,
            );
            (a.as_str() != b.as_str()).then_some((b.as_str(), a.as_str()))
        })
        .collect();
    let mut found = Vec::new();
    for (n, step) in new.program.steps.iter().enumerate() {
        let Some(o) = steps.new_to_old.get(n).copied().flatten() else {
            found.push(Change {
                step: Some(step.name.value.clone()),
                change: ChangeKind::Added,
                what: "step".into(),
                before: None,
                after: Some(head(new, step)),
                detail: None,
            });
            continue;
        };
        let Some(was) = old.program.steps.get(o) else {
            continue;
        };
        if was.name.as_str() != step.name.as_str() {
            found.push(Change {
                step: Some(step.name.value.clone()),
                change: ChangeKind::Renamed,
                what: "step".into(),
                before: Some(head(old, was)),
                after: Some(head(new, step)),
                detail: Some(format!(
                    "step `{}` is now called `{}`",
                    was.name.as_str(),
                    step.name.as_str()
                )),
            });
        }
        let alignment = Alignment::new(&old_layout, o, &new_layout, n);
        found.extend(statements(old, new, was, step, &alignment, &renamed));
    }
    for (o, step) in old.program.steps.iter().enumerate() {
        if steps.old_to_new.get(o).copied().flatten().is_none() {
            found.push(Change {
                step: Some(step.name.value.clone()),
                change: ChangeKind::Removed,
                what: "step".into(),
                before: Some(head(old, step)),
                after: None,
                detail: None,
            });
        }
    }
    found
}

/// A step's head line: `step offer (was deal) { … }`.
fn head(side: &Side, step: &Step) -> Shown {
    let end = step
        .statements
        .first()
        .map_or(step.span.end, |s| s.span.start);
    let mut shown = side.shown(Span::new(step.span.start, end));
    shown.text.push_str(" … }");
    shown
}

fn statements(
    old: &Side,
    new: &Side,
    was: &Step,
    step: &Step,
    alignment: &Alignment,
    renamed: &BTreeMap<&str, &str>,
) -> Vec<Change> {
    let name = Some(step.name.value.clone());
    let split = |s: &Step| -> usize {
        match s.statements.last().map(|l| &l.kind) {
            Some(StatementKind::Goto(_)) => s.statements.len() - 1,
            _ => s.statements.len(),
        }
    };
    let (a, b) = (
        &was.statements[..split(was)],
        &step.statements[..split(step)],
    );
    let mut found = Vec::new();
    // For each change found, the statement it removes or adds: `(true, i)`
    // for `a[i]` gone, `(false, j)` for `b[j]` new.
    let mut gone_or_new: Vec<Option<(bool, usize)>> = Vec::new();
    let change =
        |change, statement: &Statement, before: Option<Shown>, after: Option<Shown>| Change {
            step: name.clone(),
            change,
            what: statement.kind.keyword().into(),
            before,
            after,
            detail: None,
        };
    // The alignment keeps the order, so a walk along both finds each
    // statement gone, added or kept in turn.
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && alignment.same(i).is_none() {
            found.push(change(
                ChangeKind::Removed,
                &a[i],
                Some(old.shown(a[i].span)),
                None,
            ));
            gone_or_new.push(Some((true, i)));
            i += 1;
        } else if j < b.len() && alignment.new_to_old.get(j).copied().flatten().is_none() {
            found.push(change(
                ChangeKind::Added,
                &b[j],
                None,
                Some(new.shown(b[j].span)),
            ));
            gone_or_new.push(Some((false, j)));
            j += 1;
        } else if i < a.len() && j < b.len() {
            let after = renamed_targets(&b[j], renamed);
            if meaning(&a[i].kind) != meaning(&after.kind) {
                let mut changed = change(
                    ChangeKind::Changed,
                    &b[j],
                    Some(old.shown(a[i].span)),
                    Some(new.shown(b[j].span)),
                );
                changed.detail = statement_detail(&a[i].kind, &after.kind);
                found.push(changed);
                gone_or_new.push(None);
            }
            i += 1;
            j += 1;
        } else {
            break;
        }
    }
    join_moves(&mut found, &mut gone_or_new, a, b, renamed);
    // The closing `-> STEP`, compared on its own: it is no statement the
    // alignment sees.
    fn way_on(s: &Step) -> Option<&Statement> {
        s.statements
            .last()
            .filter(|last| matches!(last.kind, StatementKind::Goto(_)))
    }
    let target = |s: &Statement, names: &BTreeMap<&str, &str>| match &s.kind {
        StatementKind::Goto(to) => names
            .get(to.as_str())
            .copied()
            .unwrap_or(to.as_str())
            .to_string(),
        _ => String::new(),
    };
    let none = BTreeMap::new();
    match (way_on(was), way_on(step)) {
        (Some(x), Some(y)) if target(x, &none) != target(y, renamed) => found.push(Change {
            step: name.clone(),
            change: ChangeKind::Changed,
            what: "way on".into(),
            before: Some(old.shown(x.span)),
            after: Some(new.shown(y.span)),
            detail: None,
        }),
        (Some(x), None) => found.push(Change {
            step: name.clone(),
            change: ChangeKind::Removed,
            what: "way on".into(),
            before: Some(old.shown(x.span)),
            after: None,
            detail: None,
        }),
        (None, Some(y)) => found.push(Change {
            step: name,
            change: ChangeKind::Added,
            what: "way on".into(),
            before: None,
            after: Some(new.shown(y.span)),
            detail: None,
        }),
        _ => {}
    }
    found
}

/// A statement gone and the same statement added elsewhere in the step are
/// one statement moved (a send put after a wait, say): the pair becomes one
/// change, at the place of the first of the two.
fn join_moves(
    found: &mut Vec<Change>,
    gone_or_new: &mut [Option<(bool, usize)>],
    a: &[Statement],
    b: &[Statement],
    renamed: &BTreeMap<&str, &str>,
) {
    let mut drop = vec![false; found.len()];
    for x in 0..found.len() {
        let Some((true, i)) = gone_or_new[x] else {
            continue;
        };
        let was = meaning(&a[i].kind);
        let partner = (0..found.len()).find(|&y| {
            !drop[y]
                && matches!(gone_or_new[y], Some((false, j))
                    if meaning(&renamed_targets(&b[j], renamed).kind) == was)
        });
        if let Some(y) = partner {
            let after = found[y].after.take();
            let (first, second) = (x.min(y), x.max(y));
            found[first].change = ChangeKind::Moved;
            found[first].before = found[x].before.take();
            found[first].after = after;
            found[first].detail = Some("the same statement, at another place in the step".into());
            drop[second] = true;
            gone_or_new[x] = None;
            gone_or_new[y] = None;
        }
    }
    let mut index = 0;
    found.retain(|_| {
        index += 1;
        !drop[index - 1]
    });
}

/// The statement with arrows to renamed steps written with their old names.
fn renamed_targets(statement: &Statement, renamed: &BTreeMap<&str, &str>) -> Statement {
    let mut statement = statement.clone();
    let rename = |name: &mut crate::span::Name| {
        if let Some(old) = renamed.get(name.as_str()) {
            name.value = (*old).to_string();
        }
    };
    let target = |target: &mut Target| {
        if let Target::Step(name) = target {
            rename(name);
        }
    };
    match &mut statement.kind {
        StatementKind::Goto(name) => rename(name),
        StatementKind::WaitFor(wait) => wait.arms.iter_mut().for_each(|a| target(&mut a.target)),
        StatementKind::Branch(arms) => arms.iter_mut().for_each(|a| target(&mut a.target)),
        StatementKind::Split(arms) => arms.iter_mut().for_each(|a| target(&mut a.target)),
        _ => {}
    }
    statement
}
