//! Stage check: programs of one folder that can take the same customer at
//! the same moment, and the `group` and `priority` headers that say which
//! one gets them (the runtimes that run several programs keep them).
//!
//! Two programs *overlap* when the checker can tell they may start for the
//! same customer at once: they are of the same kind, they share a trigger
//! (the same event with `where` conditions that are not provably disjoint;
//! the same segment entered or left; the same phase; the same tag added or
//! removed; inactivity on the same event; the same date and offset), and
//! their audiences are not provably disjoint — disjoint means one is `not`
//! the other, or both are `NAME == VALUE` on the same name with different
//! values, or a part of an `and` is so with the other side or a part of its
//! `and`. Anything else may hold at once, so the warning errs on the side of
//! being given.
//!
//! - N317: overlapping programs, not in one group, without a priority each;
//! - N318: programs that compete for a customer (overlapping, or in one
//!   group) with the same priority, which only their names then decide;
//! - N319: a group of one program named almost like another group.

use super::covering::key;
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::span::Span;
use crate::syntax::ast::{ClauseKind, CompareOp, Cond, CondKind, Operand, Program, TriggerKind};

/// A program's portfolio headers and what it starts on, as compared.
struct Seen<'p> {
    program: &'p Program,
    kind: Option<&'p str>,
    group: Option<(&'p str, Span)>,
    priority: Option<(u32, Span)>,
    /// Each trigger as compared, with its clause's span and, for an event,
    /// its `where`.
    triggers: Vec<(String, Span, Option<&'p Cond>)>,
    audience: Option<&'p Cond>,
}

fn seen(program: &Program) -> Seen<'_> {
    let mut seen = Seen {
        program,
        kind: None,
        group: None,
        priority: None,
        triggers: Vec::new(),
        audience: None,
    };
    for clause in &program.clauses {
        match &clause.kind {
            ClauseKind::Kind(kind) => seen.kind = Some(kind.name.as_str()),
            ClauseKind::Group(name) => seen.group = Some((name.as_str(), clause.span)),
            ClauseKind::Priority(n) => seen.priority = Some((n.value, clause.span)),
            ClauseKind::Audience(cond) => seen.audience = Some(cond),
            ClauseKind::Trigger(trigger) => {
                let condition = match &trigger.kind {
                    TriggerKind::Event { condition, .. } => condition.as_ref(),
                    _ => None,
                };
                let compared = match &trigger.kind {
                    TriggerKind::Event { event, .. } => format!("event {}", event.as_str()),
                    TriggerKind::Inactivity { event, .. } => format!("no {}", event.as_str()),
                    TriggerKind::Segment { segment, entered } => {
                        format!("segment {} {}", segment.as_str(), entered)
                    }
                    TriggerKind::Date {
                        offset,
                        before,
                        attribute,
                    } => format!(
                        "date {} {} {}",
                        attribute.as_str(),
                        before,
                        offset.value.minutes
                    ),
                    TriggerKind::Phase(phase) => format!("phase {}", phase.name.as_str()),
                    TriggerKind::Tag { tag, added } => format!("tag {} {}", tag.as_str(), added),
                };
                seen.triggers.push((compared, clause.span, condition));
            }
            _ => {}
        }
    }
    seen
}

/// Whether two conditions (audiences, or the `where` of two triggers on one
/// event) can be shown never to hold at once: one is `not` the other, both
/// are `NAME == VALUE` on one name with different values, or a part of an
/// `and` on one side is so with the other side or a part of its `and`.
fn disjoint(a: Option<&Cond>, b: Option<&Cond>) -> bool {
    let (Some(a), Some(b)) = (a, b) else {
        return false;
    };
    let (left, right) = (parts(a), parts(b));
    left.iter().any(|x| right.iter().any(|y| excludes(x, y)))
}

/// A condition's parts when it is an `and`, else the condition alone.
fn parts(c: &Cond) -> Vec<&Cond> {
    match &c.kind {
        CondKind::All(parts) => parts.iter().collect(),
        _ => vec![c],
    }
}

/// [`disjoint`] for two conditions taken whole.
fn excludes(a: &Cond, b: &Cond) -> bool {
    let negates =
        |x: &Cond, y: &Cond| matches!(&x.kind, CondKind::Not(inner) if key(inner) == key(y));
    if negates(a, b) || negates(b, a) {
        return true;
    }
    let equals = |c: &Cond| match &c.kind {
        CondKind::Compare {
            left: Operand::Attribute(name),
            op,
            right,
        } if op.value == CompareOp::Eq => {
            Some((name.value.clone(), super::covering::operand_key(right)?))
        }
        _ => None,
    };
    matches!((equals(a), equals(b)), (Some((x, v)), Some((y, w))) if x == y && v != w)
}

/// N317–N319 over the programs of one folder, each with the index of the
/// program it is reported at.
pub fn check(programs: &[&Program]) -> Vec<(usize, Diagnostic)> {
    let all: Vec<Seen> = programs.iter().map(|p| seen(p)).collect();
    let mut found = Vec::new();
    for (i, a) in all.iter().enumerate() {
        for (j, b) in all.iter().enumerate() {
            // Two files with one program's name are two versions of it
            // (kept side by side for `nurture diff`), not two programs.
            if i == j || a.program.name.value == b.program.name.value {
                continue;
            }
            let same_group = matches!((a.group, b.group), (Some((x, _)), Some((y, _))) if x == y);
            // The same trigger, and for an event `where` conditions that
            // can both hold (`interest == "demo"` and `interest ==
            // "price"` cannot).
            let shared = a.triggers.iter().find(|(t, _, when)| {
                b.triggers
                    .iter()
                    .any(|(u, _, other)| u == t && !disjoint(*when, *other))
            });
            let overlap = a.kind.is_some()
                && a.kind == b.kind
                && shared.is_some()
                && !disjoint(a.audience, b.audience);
            match (a.priority, b.priority) {
                (Some((p, at)), Some((q, _))) if p == q && (overlap || same_group) => {
                    found.push((i, same_priority(a, b, p, at)))
                }
                (Some(_), Some(_)) => {}
                _ if overlap && !same_group => {
                    let at = shared.map_or(a.program.name.span, |(_, span, _)| *span);
                    found.push((i, overlapping(a, b, at)));
                }
                _ => {}
            }
        }
    }
    found.extend(groups_of_one(&all));
    found
}

fn overlapping(a: &Seen, b: &Seen, at: Span) -> Diagnostic {
    let (this, other) = (a.program.name.as_str(), b.program.name.as_str());
    Diagnostic::new(
        Code::OverlappingPrograms,
        format!("`{this}` and `{other}` can take the same customer at once"),
    )
    .label(
        at,
        format!(
            "`{other}`, also `kind {}`, starts on this trigger too, for an audience that can overlap",
            a.kind.unwrap_or("")
        ),
    )
    .help(format!(
        "put both in one group (`group {}` in each), give them priorities (`priority 1` in the one that should win, `priority 2` in the other), or make their audiences, or their triggers' `where`, exclude each other",
        a.kind.unwrap_or("")
    ))
}

fn same_priority(a: &Seen, b: &Seen, priority: u32, at: Span) -> Diagnostic {
    let (this, other) = (a.program.name.as_str(), b.program.name.as_str());
    let first = this.min(other);
    Diagnostic::new(
        Code::SamePriority,
        format!("`{this}` and `{other}` have the same priority"),
    )
    .label(
        at,
        format!("`{other}` has `priority {priority}` too, and can take the same customer at once"),
    )
    .help(format!(
        "on a tie the name decides (`{first}` wins); give each program its own priority, like `priority {}` here",
        priority.saturating_add(1)
    ))
}

/// Of two groups of one named like each other, whether the program at `i`
/// in `group` is the one told to take `other`'s name (see `groups_of_one`).
fn told(group: &str, i: usize, other: &str, j: usize) -> bool {
    let (mine, theirs) = (group.chars().count(), other.chars().count());
    mine < theirs || (mine == theirs && i > j)
}

fn groups_of_one(all: &[Seen]) -> Vec<(usize, Diagnostic)> {
    let names: Vec<&str> = all.iter().filter_map(|s| s.group.map(|(g, _)| g)).collect();
    let alone = |group: &str| names.iter().filter(|&&g| g == group).count() == 1;
    // Each program alone in its group, with the group its name is close to.
    let close: Vec<Option<&str>> = all
        .iter()
        .map(|seen| {
            let (group, _) = seen.group?;
            if !alone(group) {
                return None;
            }
            crate::suggest::closest(group, names.iter().copied().filter(|&g| g != group))
        })
        .collect();
    let mut found = Vec::new();
    for (i, seen) in all.iter().enumerate() {
        let (Some((group, at)), Some(near)) = (seen.group, close[i]) else {
            continue;
        };
        // Two groups of one, each named like the other: either may be the
        // typo, and telling each to take the other's name sends the reader
        // in a circle. Only one program is told, to take the other's name:
        // the one with the shorter name, since a typo drops a letter more
        // often than it adds one (`lifecyle`), or on equal lengths the
        // later program of the folder.
        let partner = alone(near)
            .then(|| {
                all.iter()
                    .position(|s| s.group.is_some_and(|(g, _)| g == near))
            })
            .flatten()
            .filter(|&j| close[j] == Some(group));
        let diagnostic = Diagnostic::new(
            Code::GroupLikeAnother,
            format!("`group {group}` has no other program; did you mean `group {near}`?"),
        )
        .label(
            at,
            format!("no other program of the folder is in `{group}`"),
        );
        let diagnostic = match partner {
            Some(j) if !told(group, i, near, j) => continue,
            Some(j) => {
                let other = all[j].program.name.as_str();
                diagnostic.help(format!(
                    "write `group {near}` here, as `{other}` has, so the two programs share one group (`{other}` is alone in `{near}` too)"
                ))
            }
            None => diagnostic.help(format!(
                "write `group {near}`, as the other programs of that group do"
            )),
        };
        found.push((i, diagnostic));
    }
    found
}
