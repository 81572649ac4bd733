//! How much runs at once (N315): the interpreter runs statements one after
//! another until the customer has to wait or leaves, at most
//! [`MAX_AT_ONCE`] in one go, and a customer who would run more leaves as
//! `stuck`. This check counts, along every way through the program, the
//! statements that run without a wait between them (each `-> STEP` and
//! each arm's `exit` counted as one, though the interpreter runs an arrow
//! as no statement at all), so no program that passes can end `stuck`.

use super::flow::{Flow, Point, To};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::syntax::ast::StatementKind;
pub use crate::syntax::limits::MAX_AT_ONCE;

pub fn check(flow: &Flow) -> Vec<Diagnostic> {
    let counts = run_lengths(flow);
    let Some((&start, &count)) = counts
        .iter()
        .max_by_key(|(point, count)| (**count, std::cmp::Reverse(**point)))
    else {
        return Vec::new();
    };
    if count <= MAX_AT_ONCE {
        return Vec::new();
    }
    let program = flow.program;
    let step = &program.steps[start.step];
    let span = step
        .statements
        .get(start.at)
        .map_or(step.name.span, |s| s.span);
    vec![
        Diagnostic::new(
            Code::TooMuchAtOnce,
            format!(
                "customers can run {} statements at once, from step `{}`",
                thousands(count),
                step.name.as_str()
            ),
        )
        .label(span, "from here, no statement waits")
        .label(
            step.name.span,
            format!(
                "more than the {} the runtime runs before a customer waits",
                thousands(MAX_AT_ONCE)
            ),
        )
        .help("do less at once (one `score +100` rather than a hundred `score +1`), or let customers wait in between"),
    ]
}

/// `10,002`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// For every point: the most statements a customer runs from it before
/// waiting or leaving, itself included. Worked out from the end of each
/// run backwards, without recursion (a run may be thousands of statements
/// long); points on a loop without a wait (N303's business) count once.
pub fn run_lengths(flow: &Flow) -> std::collections::BTreeMap<Point, usize> {
    use std::collections::BTreeMap;
    let mut done: BTreeMap<Point, usize> = BTreeMap::new();
    let mut open: std::collections::BTreeSet<Point> = std::collections::BTreeSet::new();
    for (step, s) in flow.program.steps.iter().enumerate() {
        for at in 0..s.statements.len() {
            let root = Point { step, at };
            if done.contains_key(&root) {
                continue;
            }
            // (point, whether its successors have been pushed)
            let mut stack = vec![(root, false)];
            while let Some((point, expanded)) = stack.pop() {
                if done.contains_key(&point) {
                    continue;
                }
                let onward = same_run(flow, point);
                if expanded {
                    let most = onward
                        .iter()
                        .map(|next| match next {
                            Some(to) => done.get(to).copied().unwrap_or(0),
                            None => 1,
                        })
                        .max()
                        .unwrap_or(0);
                    open.remove(&point);
                    done.insert(point, 1 + most);
                    continue;
                }
                open.insert(point);
                stack.push((point, true));
                for to in onward.into_iter().flatten() {
                    if !done.contains_key(&to) && !open.contains(&to) {
                        stack.push((to, false));
                    }
                }
            }
        }
    }
    done
}

/// Where a run goes on from `point` without waiting: a point, or `None` for
/// the `exit` node of an arm. Empty when the run stops at `point`.
fn same_run(flow: &Flow, point: Point) -> Vec<Option<Point>> {
    let stops = matches!(
        flow.statement(point).map(|s| &s.kind),
        Some(StatementKind::Wait(_) | StatementKind::WaitFor(_) | StatementKind::Exit(_)) | None
    );
    if stops {
        return Vec::new();
    }
    flow.moves(point)
        .iter()
        .filter(|m| m.same_run)
        .filter_map(|m| match m.to {
            To::Point(to) if flow.statement(to).is_some() => Some(Some(to)),
            To::Exit(_) => Some(None),
            _ => None,
        })
        .collect()
}
