//! Stage diff: the changes in meaning between two versions, by header
//! clause and by step and statement — never by line.
//!
//! Clauses and statements are compared by what they say: their syntax
//! tree with spans cut out (`span::debug_without_spans`), so layout and comments
//! never count, and `3d` is `72h`. Header clauses are paired by a slot (a
//! `trigger` by what it listens to, an `exit when` by its event, a `cap` by
//! its channel, any other clause by its keyword); steps by name or `(was
//! …)`; statements by the alignment of `align.rs`. Arrows to a renamed
//! step count as unchanged. A clause or statement of a kind this file does
//! not describe is still compared and shown, with its text; `detail` only
//! adds words for the kinds it knows.

use super::align::{Alignment, Steps};
use super::layout::Layout;
use crate::check::flow::show_minutes;
use crate::plan::Plan;
use crate::span::{Span, debug_without_spans};
use crate::syntax::ast::{
    Clause, ClauseKind, Program, Reentry, Statement, StatementKind, Step, Target, TriggerKind,
    WaitOn,
};
use serde::Serialize;
use std::collections::BTreeMap;

/// Characters of a clause or statement shown at most.
const SHOWN_CHARS: usize = 160;

/// One version as the comparison reads it.
pub struct Side<'a> {
    pub program: &'a Program,
    pub plan: &'a Plan,
    /// The source with comments blanked (offsets as in the file).
    pub text: String,
}

impl<'a> Side<'a> {
    pub fn new(source: &str, program: &'a Program, plan: &'a Plan) -> Self {
        Side {
            program,
            plan,
            text: crate::syntax::without_comments(source),
        }
    }

    /// The text at `span`, blanks run together, cut at [`SHOWN_CHARS`].
    pub fn shown(&self, span: Span) -> Shown {
        let written = self.text.get(span.start..span.end).unwrap_or("");
        let mut text = written.split_whitespace().collect::<Vec<_>>().join(" ");
        if let Some((cut, _)) = text.char_indices().nth(SHOWN_CHARS) {
            text.truncate(cut);
            text.push('…');
        }
        let line = self
            .text
            .get(..span.start)
            .map_or(1, |before| before.matches('\n').count() + 1);
        Shown { text, line }
    }
}

/// A clause or statement as written, and its line (from 1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Shown {
    pub text: String,
    pub line: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
    Renamed,
    Reordered,
    /// The same statement at another place in its step.
    Moved,
}

impl ChangeKind {
    /// The sign shown before a change: `+`, `-`, `~`.
    pub fn sign(self) -> &'static str {
        match self {
            ChangeKind::Added => "+",
            ChangeKind::Removed => "-",
            ChangeKind::Changed | ChangeKind::Reordered => "~",
            ChangeKind::Renamed | ChangeKind::Moved => ">",
        }
    }
}

/// One change in meaning.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Change {
    /// The step it is in (its new name; its old one when removed), or
    /// `None` for the program's header.
    pub step: Option<String>,
    pub change: ChangeKind,
    /// What changed: a clause's or statement's keyword (`goal`, `wait`),
    /// `step`, `way on` (a step's closing `-> STEP`), `start`.
    pub what: String,
    pub before: Option<Shown>,
    pub after: Option<Shown>,
    /// What the change means, in words, where this file knows the kind.
    pub detail: Option<String>,
}

pub fn changes(old: &Side, new: &Side, steps: &Steps) -> Vec<Change> {
    let mut found = header(old, new);
    found.extend(start(old, new, steps));
    found.extend(self::steps(old, new, steps));
    if old.plan.no_consent_needed != new.plan.no_consent_needed {
        let list = |plan: &Plan| match plan.no_consent_needed.as_slice() {
            [] => "none".to_string(),
            channels => crate::syntax::word_list(channels.iter().map(String::as_str)),
        };
        found.push(Change {
            step: None,
            change: ChangeKind::Changed,
            what: "channels needing no consent".into(),
            before: None,
            after: None,
            detail: Some(format!(
                "sends on {} need no consent, was {} (the customer schema says so)",
                list(new.plan),
                list(old.plan)
            )),
        });
    }
    found
}

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
        },
        ClauseKind::ExitWhen(rule) => format!("exit when {}", rule.event.as_str()),
        ClauseKind::Cap(cap) => match &cap.channel {
            Some(channel) => format!("cap {}", channel.as_str()),
            None => "cap messages".into(),
        },
        other => other.keyword().to_string(),
    }
}

fn meaning<T: std::fmt::Debug>(value: &T) -> String {
    debug_without_spans(value)
}

fn header(old: &Side, new: &Side) -> Vec<Change> {
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

fn sentence(words: Vec<String>) -> Option<String> {
    (!words.is_empty()).then(|| words.join("; "))
}

// -- where customers enter ----------------------------------------------------------

fn start(old: &Side, new: &Side, steps: &Steps) -> Option<Change> {
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

fn steps(old: &Side, new: &Side, steps: &Steps) -> Vec<Change> {
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

/// Words for what changed in a statement, for the kinds that have more to
/// say than their text.
fn statement_detail(before: &StatementKind, after: &StatementKind) -> Option<String> {
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
            let added = y.iter().filter(|k| !x.contains(k)).count();
            let gone = x.iter().filter(|k| !y.contains(k)).count();
            if added > 0 {
                words.push(format!(
                    "{added} arm{} added",
                    if added == 1 { "" } else { "s" }
                ));
            }
            if gone > 0 {
                words.push(format!(
                    "{gone} arm{} removed",
                    if gone == 1 { "" } else { "s" }
                ));
            }
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
            let added = y.iter().filter(|k| !x.contains(k)).count();
            let gone = x.iter().filter(|k| !y.contains(k)).count();
            let mut words = Vec::new();
            if added > 0 {
                words.push(format!(
                    "{added} arm{} added",
                    if added == 1 { "" } else { "s" }
                ));
            }
            if gone > 0 {
                words.push(format!(
                    "{gone} arm{} removed",
                    if gone == 1 { "" } else { "s" }
                ));
            }
            if added == 0 && gone == 0 && x != y {
                words.push("the arms are in another order: the first that holds decides".into());
            }
            sentence(words)
        }
        (
            StatementKind::Send {
                channel: c1,
                guard: g1,
                ..
            },
            StatementKind::Send {
                channel: c2,
                guard: g2,
                ..
            },
        ) => {
            let mut words = Vec::new();
            if c1.as_str() != c2.as_str() {
                words.push(format!("sent by {}, was {}", c2.as_str(), c1.as_str()));
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
