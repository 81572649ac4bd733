//! Stage diff: which step of the new version each step of the old one
//! became, and which statement each statement became.
//!
//! A step is the step of the same name, or the step that says it was it
//! (`step welcome_call (was first_call)`). Within a pair of steps the
//! statements are lined up by their keys (`layout::key`: a send by its
//! template, a wait of either kind, …): the statements both versions have
//! in the same order, chosen to keep as many waits as can be, then sends,
//! since waits are where customers are found. When a send moves past a
//! wait, the wait is kept and the send counts as moved: the customers
//! waiting there are then told to get it again (N341), rather than to have
//! lost their wait. Steps too long for that search ([`MAX_ALIGNED`]) are
//! lined up by their common beginning and end only.

use super::layout::{Layout, key};

/// Pairs of statements (old times new) past which two steps are lined up
/// by their common beginning and end only (real steps have a handful of
/// statements; this is two steps of 2,000).
pub const MAX_ALIGNED: usize = 4_000_000;

/// Which step each step became, both ways.
pub struct Steps {
    /// For each old step, the new step it became.
    pub old_to_new: Vec<Option<usize>>,
    /// For each new step, the old step it was (the first, when several old
    /// steps lead to it).
    pub new_to_old: Vec<Option<usize>>,
}

pub fn pair_steps(old: &Layout, new: &Layout) -> Steps {
    let old_to_new: Vec<Option<usize>> = old
        .plan
        .steps
        .iter()
        .map(|step| {
            new.step_named(&step.name).or_else(|| {
                new.plan
                    .steps
                    .iter()
                    .position(|s| s.was.contains(&step.name))
            })
        })
        .collect();
    let mut new_to_old = vec![None; new.plan.steps.len()];
    for (o, n) in old_to_new.iter().enumerate() {
        if let Some(n) = *n
            && let Some(slot) = new_to_old.get_mut(n)
            && slot.is_none()
        {
            *slot = Some(o);
        }
    }
    Steps {
        old_to_new,
        new_to_old,
    }
}

/// Where a statement of the old step is in the new one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Position {
    /// The same statement, at this position.
    Same(usize),
    /// Gone: its place is before the statement at this position (the
    /// step's length when it is past the end).
    Before(usize),
}

/// The statements of one old step lined up with those of its new step.
pub struct Alignment {
    /// For each old position, the new position of the same statement.
    old_to_new: Vec<Option<usize>>,
    /// For each new position, the old position of the same statement.
    pub new_to_old: Vec<Option<usize>>,
}

impl Alignment {
    pub fn new(old: &Layout, old_step: usize, new: &Layout, new_step: usize) -> Alignment {
        let keys = |layout: &Layout, step: usize| -> Vec<String> {
            layout
                .nodes(step)
                .filter_map(|node| layout.op(node).map(key))
                .collect()
        };
        let (a, b) = (keys(old, old_step), keys(new, new_step));
        let mut old_to_new = vec![None; a.len()];
        let mut new_to_old = vec![None; b.len()];
        let mut pair = |i: usize, j: usize| {
            old_to_new[i] = Some(j);
            new_to_old[j] = Some(i);
        };
        if a.len().saturating_mul(b.len()) <= MAX_ALIGNED {
            for (i, j) in heaviest_common(&a, &b) {
                pair(i, j);
            }
        } else {
            let front = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
            let back = a[front..]
                .iter()
                .rev()
                .zip(b[front..].iter().rev())
                .take_while(|(x, y)| x == y)
                .count();
            for k in 0..front {
                pair(k, k);
            }
            for k in 0..back {
                pair(a.len() - 1 - k, b.len() - 1 - k);
            }
        }
        Alignment {
            old_to_new,
            new_to_old,
        }
    }

    /// The new position of the old statement at `position`, when it is
    /// still there.
    pub fn same(&self, position: usize) -> Option<usize> {
        self.old_to_new.get(position).copied().flatten()
    }

    /// Where the old statement at `position` is in the new step: the same
    /// statement, or, when it is gone, the place right after the statement
    /// before it that both versions have (the step's start when none), so
    /// that a customer moved there runs what the new version put after the
    /// last statement they had passed.
    pub fn position(&self, position: usize) -> Position {
        if let Some(Some(same)) = self.old_to_new.get(position) {
            return Position::Same(*same);
        }
        let before = self.old_to_new[..position.min(self.old_to_new.len())]
            .iter()
            .rev()
            .find_map(|p| *p);
        Position::Before(before.map_or(0, |p| p + 1))
    }
}

/// How much keeping a statement of this key is worth.
fn weight(key: &str) -> u32 {
    match key {
        "wait" => 4,
        _ if key.starts_with("send ") => 2,
        _ => 1,
    }
}

/// The pairs of equal keys, in order in both lists, of the greatest total
/// weight (a longest common subsequence with weights), by dynamic
/// programming over the two lists. Ties go to the earlier statements, so
/// the result is the same every run.
fn heaviest_common(a: &[String], b: &[String]) -> Vec<(usize, usize)> {
    let width = b.len() + 1;
    // best[i * width + j]: the heaviest for a[i..] and b[j..].
    let mut best = vec![0u32; (a.len() + 1) * width];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            let skip = best[(i + 1) * width + j].max(best[i * width + j + 1]);
            let take = if a[i] == b[j] {
                weight(&a[i]) + best[(i + 1) * width + j + 1]
            } else {
                0
            };
            best[i * width + j] = skip.max(take);
        }
    }
    let mut pairs = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let here = best[i * width + j];
        if a[i] == b[j] && here == weight(&a[i]) + best[(i + 1) * width + j + 1] {
            pairs.push((i, j));
            i += 1;
            j += 1;
        } else if here == best[(i + 1) * width + j] {
            i += 1;
        } else {
            j += 1;
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::heaviest_common;

    fn keys(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    /// A send moved after the wait: the wait is kept, the send moved.
    #[test]
    fn waits_are_kept_before_sends() {
        let a = keys(&["score", "send \"x\"", "wait"]);
        let b = keys(&["score", "wait", "send \"x\""]);
        assert_eq!(heaviest_common(&a, &b), vec![(0, 0), (2, 1)]);
    }

    #[test]
    fn unchanged_steps_line_up_whole() {
        let a = keys(&["send \"x\"", "wait", "tag t", "exit"]);
        assert_eq!(
            heaviest_common(&a, &a),
            vec![(0, 0), (1, 1), (2, 2), (3, 3)]
        );
        assert!(heaviest_common(&a, &[]).is_empty());
    }
}
