//! Stage diff: the migration map. Every place a journey can rest in the
//! old version (`layout::Rest`) goes to a place in the new one, found by
//! step (its name, or the step that says it `was` it) and position among
//! the step's statements (`align.rs`), or to leaving with an outcome; a
//! place with nowhere to go, and moves that would send a message again or
//! end a wait sooner than customers have already waited, are hazards, each
//! with what to do about it.
//!
//! The map is worked out from the two plans alone, so that `nurture serve
//! --migrate` can use it for versions it only has as plans; `nurture diff`
//! shows it with the source text of both.

use super::align::{Alignment, Position, Steps, pair_steps};
use super::layout::{Layout, Rest, RestKind};
use crate::check::flow::show_minutes;
use crate::codes::Code;
use crate::plan::{Op, Plan};
use crate::run::migrate::Landing;
use std::collections::{BTreeMap, BTreeSet};

/// Set operations the search for messages sent again may take (templates
/// added to a node's set): far more than real programs need, and a bound on
/// huge hostile ones, whose places are then all told as not checked.
const RESEND_BUDGET: u64 = 20_000_000;

/// Where the customers resting at one place of the old version go.
#[derive(Clone, Debug, PartialEq)]
pub struct PlaceMove {
    pub from: Rest,
    pub kind: RestKind,
    /// `None`: nowhere (a hazard says why).
    pub to: Option<Landing>,
    /// What changes for the customers moved, in words.
    pub note: Option<String>,
    pub hazards: Vec<Hazard>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Hazard {
    pub code: Code,
    pub message: String,
    pub help: String,
}

pub struct MigrationMap {
    /// Every place of the old version, in its order (`Layout::rests`).
    pub places: Vec<PlaceMove>,
    /// Each send of the old version and the send of the new one it became
    /// (the same statement, or else the same whole send, or a send on the
    /// same channels, or on the same first channel):
    /// the recent sends a moved journey keeps for caps.
    pub sends: BTreeMap<usize, usize>,
}

impl MigrationMap {
    pub fn new(old: &Plan, new: &Plan) -> MigrationMap {
        let old = Layout::new(old);
        let new = Layout::new(new);
        Mapper::new(&old, &new).map()
    }

    /// Where the customers resting at `rest` go.
    pub fn place(&self, rest: Rest) -> Option<&PlaceMove> {
        self.places.iter().find(|p| p.from == rest)
    }

    pub fn hazards(&self) -> impl Iterator<Item = &Hazard> {
        self.places.iter().flat_map(|p| &p.hazards)
    }
}

struct Mapper<'a, 'p> {
    old: &'a Layout<'p>,
    new: &'a Layout<'p>,
    steps: Steps,
    alignments: BTreeMap<(usize, usize), Alignment>,
    /// Templates a customer may have had on reaching each old node, those
    /// the old version may still send from it, and those the new version
    /// may send from each node; `None` past the budget.
    resend: Option<Resend>,
}

struct Resend {
    before_old: Vec<BTreeSet<u32>>,
    ahead_old: Vec<BTreeSet<u32>>,
    ahead_new: Vec<BTreeSet<u32>>,
    names: Vec<String>,
}

impl<'a, 'p> Mapper<'a, 'p> {
    fn new(old: &'a Layout<'p>, new: &'a Layout<'p>) -> Self {
        let steps = pair_steps(old, new);
        let mut alignments = BTreeMap::new();
        for (o, n) in steps.old_to_new.iter().enumerate() {
            if let Some(n) = *n {
                alignments.insert((o, n), Alignment::new(old, o, new, n));
            }
        }
        Mapper {
            old,
            new,
            steps,
            alignments,
            resend: Resend::new(old, new),
        }
    }

    fn map(&self) -> MigrationMap {
        let places = self
            .old
            .rests()
            .into_iter()
            .filter_map(|rest| self.place(rest))
            .collect();
        MigrationMap {
            places,
            sends: self.sends(),
        }
    }

    /// Where a statement of the old version is in the new one.
    fn position(&self, node: usize) -> Option<(usize, Position)> {
        let (step, at) = self.old.place(node)?;
        let new_step = self.steps.old_to_new.get(step).copied().flatten()?;
        let alignment = self.alignments.get(&(step, new_step))?;
        Some((new_step, alignment.position(at)))
    }

    fn place(&self, rest: Rest) -> Option<PlaceMove> {
        let kind = self.old.kind(rest)?;
        let mut moved = PlaceMove {
            from: rest,
            kind,
            to: None,
            note: None,
            hazards: Vec::new(),
        };
        match rest {
            Rest::Holdout => self.holdout(&mut moved),
            Rest::Node(node) => self.node(node, &mut moved),
        }
        Some(moved)
    }

    fn holdout(&self, moved: &mut PlaceMove) {
        let before = self.old.goal_minutes().unwrap_or(0);
        let Some(after) = self.new.goal_minutes() else {
            moved.to = Some(Landing::Leave {
                outcome: "holdout".into(),
            });
            moved.note = Some(
                "the new version has no goal: customers in the holdout leave at once as `holdout`"
                    .into(),
            );
            return;
        };
        moved.to = Some(Landing::Holdout);
        if after < before {
            let short = show_minutes(after);
            moved.hazards.push(Hazard {
                code: Code::WaitShortened,
                message: format!(
                    "the goal's window is {short} in the new version and {} in the old: customers in the holdout who entered more than {short} ago leave at once, all at the same moment",
                    show_minutes(before)
                ),
                help: format!(
                    "keep `within {}` while customers who entered under it are in the holdout, or deploy without `--migrate`; `nurture serve --migrate` moves only those who entered less than {short} ago",
                    show_minutes(before)
                ),
            });
        } else if after > before {
            moved.note = Some(format!(
                "customers in the holdout wait {} longer for the goal",
                show_minutes(after - before)
            ));
        }
    }

    fn node(&self, node: usize, moved: &mut PlaceMove) {
        let here = self.old.where_is(node);
        let Some((step, _)) = self.old.place(node) else {
            moved.hazards.push(Hazard {
                code: Code::UnmappedPlace,
                message: format!(
                    "customers waiting at {here} cannot be placed: the old plan does not say which step its statements belong to"
                ),
                help: "it was compiled by a nurture from before steps were laid out in the plan; deploy without `--migrate` (customers in flight finish on the old version)".into(),
            });
            return;
        };
        let step_name = &self.old.plan.steps[step].name;
        let Some((new_step, position)) = self.position(node) else {
            moved.hazards.push(Hazard {
                code: Code::UnmappedPlace,
                message: format!(
                    "customers waiting at {here} have no place in the new version: there is no step `{step_name}`, and no step says `(was {step_name})`"
                ),
                help: format!(
                    "if the step was renamed, say so: `step NEW_NAME (was {step_name}) {{ … }}`; or keep `{step_name}` until its customers have left, or deploy without `--migrate` (they finish on the old version)"
                ),
            });
            return;
        };
        let landing = match position {
            Position::Same(at) => Some(Landing::Rest {
                node: self.new.nodes(new_step).start + at,
            }),
            Position::Before(at) => {
                self.go_on(new_step, at)
                    .map(|target| match self.new.op(target) {
                        Some(Op::Exit { outcome }) => Landing::Leave {
                            outcome: outcome.clone(),
                        },
                        _ => Landing::GoOn { node: target },
                    })
            }
        };
        let Some(landing) = landing else {
            let new_name = &self.new.plan.steps[new_step].name;
            moved.hazards.push(Hazard {
                code: Code::UnmappedPlace,
                message: format!(
                    "customers waiting at {here} have no place in the new version: the statement is gone from step `{new_name}`, and nothing in it comes after what they have passed"
                ),
                help: format!(
                    "keep the statement in `{new_name}`, or deploy without `--migrate` (customers in flight finish on the old version)"
                ),
            });
            return;
        };
        self.wait_hazards(node, &landing, moved);
        self.resend_hazards(node, &landing, moved);
        if let Landing::Rest { node: to } | Landing::GoOn { node: to } = landing
            && !self.new.is_reachable(to)
        {
            // What `check` proves of the new version (most messages,
            // longest stay) is about the customers it leads somewhere;
            // these are outside it.
            let unreached = format!(
                "the new version no longer leads to {}: what `nurture check` proves of it does not cover these customers",
                self.new.where_is(to)
            );
            moved.note = Some(match moved.note.take() {
                Some(note) => format!("{note}; {unreached}"),
                None => unreached,
            });
        }
        moved.to = Some(landing);
    }

    /// Where customers go on in `step` of the new version before the
    /// statement at `at` (past its statements: where the step leads).
    fn go_on(&self, step: usize, at: usize) -> Option<usize> {
        let nodes = self.new.nodes(step);
        if nodes.is_empty() {
            return self.new.plan.steps.get(step).map(|s| s.node);
        }
        if nodes.start + at < nodes.end {
            return Some(nodes.start + at);
        }
        // Past the last statement: where it leads when it leads one way.
        match self.new.successors(nodes.end - 1).as_slice() {
            [next] if !matches!(self.new.op(nodes.end - 1), Some(Op::Split { .. })) => Some(*next),
            _ => None,
        }
    }

    fn wait_hazards(&self, node: usize, landing: &Landing, moved: &mut PlaceMove) {
        let here = self.old.where_is(node);
        let Some(before) = self.old.wait_minutes(node) else {
            // A held send: its customers go on when it may go out, or
            // at once where the new version has no such send.
            moved.note = match landing {
                Landing::Rest { .. } => None,
                Landing::GoOn { .. } => {
                    Some("the held message is not at this place in the new version".into())
                }
                Landing::Leave { outcome } => {
                    Some(format!("customers leave at once as `{outcome}`"))
                }
                Landing::Holdout => None,
            };
            return;
        };
        let gone = |to: String| Hazard {
            code: Code::WaitShortened,
            message: format!(
                "{here} is gone in the new version: every customer waiting there {to} at once, all at the same moment"
            ),
            help: format!(
                "keep the wait for customers in flight (put the change in a step of its own), or deploy without `--migrate` (they finish on the old version, waiting {} as they were told)",
                show_minutes(before)
            ),
        };
        match landing {
            Landing::Rest { node: to } => {
                let after = self.new.wait_minutes(*to).unwrap_or(0);
                if after < before {
                    let short = show_minutes(after);
                    moved.hazards.push(Hazard {
                        code: Code::WaitShortened,
                        message: format!(
                            "{here} lasts {short} in the new version ({} less): customers who have waited more than {short} go on at once, all at the same moment",
                            show_minutes(before - after)
                        ),
                        help: format!(
                            "keep the wait at {} for customers in flight (put the shorter wait in a step of its own), or deploy without `--migrate`; `nurture serve --migrate` moves only the customers who have waited less than {short}",
                            show_minutes(before)
                        ),
                    });
                } else if after > before {
                    moved.note = Some(format!(
                        "customers wait {} longer",
                        show_minutes(after - before)
                    ));
                }
                let was_for = matches!(self.old.op(node), Some(Op::WaitFor { .. }));
                let is_for = matches!(self.new.op(*to), Some(Op::WaitFor { .. }));
                let kind = match (was_for, is_for) {
                    (false, true) => Some("now waiting for events too".to_string()),
                    (true, false) => Some("no longer waiting for events".to_string()),
                    _ => None,
                };
                if let Some(kind) = kind {
                    moved.note = Some(match moved.note.take() {
                        Some(note) => format!("{note}, {kind}"),
                        None => kind,
                    });
                }
            }
            Landing::GoOn { node: to } => moved
                .hazards
                .push(gone(format!("goes on to {}", self.new.where_is(*to)))),
            Landing::Leave { outcome } => {
                moved.hazards.push(gone(format!("leaves as `{outcome}`")))
            }
            Landing::Holdout => {}
        }
    }

    fn resend_hazards(&self, node: usize, landing: &Landing, moved: &mut PlaceMove) {
        let to = match landing {
            Landing::Rest { node } | Landing::GoOn { node } => *node,
            Landing::Holdout | Landing::Leave { .. } => return,
        };
        let here = self.old.where_is(node);
        let Some(resend) = &self.resend else {
            moved.hazards.push(Hazard {
                code: Code::SentAgain,
                message: format!(
                    "customers moved from {here} were not checked for messages sent again: the programs are too large to check"
                ),
                help: "deploy without `--migrate` (customers in flight finish on the old version)"
                    .into(),
            });
            return;
        };
        let again: Vec<&str> = resend.ahead_new[to]
            .iter()
            .filter(|t| resend.before_old[node].contains(t) && !resend.ahead_old[node].contains(t))
            .map(|t| resend.names[*t as usize].as_str())
            .collect();
        if again.is_empty() {
            return;
        }
        let list = crate::syntax::word_list(again.iter().copied());
        let noun = if again.len() == 1 { "it" } else { "them" };
        moved.hazards.push(Hazard {
            code: Code::SentAgain,
            message: format!(
                "customers moved from {here} may get {list} again: they may have had {noun} before waiting there, and the new version sends {noun} after {}",
                self.new.where_is(to)
            ),
            help: format!(
                "give the moved message a template of its own, guard it with a tag set at the first send, or deploy without `--migrate` (customers in flight finish on the old version, where {noun} is not sent again)"
            ),
        });
    }

    fn sends(&self) -> BTreeMap<usize, usize> {
        let mut sends = BTreeMap::new();
        for node in 0..self.old.plan.nodes.len() {
            let Some(sent @ Op::Send { .. }) = self.old.op(node) else {
                continue;
            };
            let same = match self.position(node) {
                Some((step, Position::Same(at))) => Some(self.new.nodes(step).start + at),
                _ => None,
            };
            // A send found elsewhere is matched by the whole send: every
            // channel and message, a fallback's too (`send push "a" or
            // email "b"`), then by its channels in order, and only then by
            // its first channel, so a moved fallback send is not taken for
            // another send that begins on the same channel.
            let find = |like: &dyn Fn(&Op) -> bool| {
                (0..self.new.plan.nodes.len()).find(|&n| self.new.op(n).is_some_and(like))
            };
            let whole = || find(&|op| whole_send(op) == whole_send(sent));
            let channels = || find(&|op| send_channels(op) == send_channels(sent));
            let first = || find(&|op| send_channels(op).first() == send_channels(sent).first());
            if let Some(to) = same.or_else(whole).or_else(channels).or_else(first) {
                sends.insert(node, to);
            }
        }
        sends
    }
}

/// A send's channels and messages in order, its fallbacks' included;
/// `None` for any other statement.
fn whole_send(op: &Op) -> Option<Vec<(&str, &str)>> {
    match op {
        Op::Send {
            channel,
            template,
            fallback,
            ..
        } => Some(
            std::iter::once((channel.as_str(), template.as_str()))
                .chain(
                    fallback
                        .iter()
                        .map(|c| (c.channel.as_str(), c.template.as_str())),
                )
                .collect(),
        ),
        _ => None,
    }
}

/// A send's channels in order, its fallbacks' included; empty for any
/// other statement.
fn send_channels(op: &Op) -> Vec<&str> {
    whole_send(op)
        .unwrap_or_default()
        .into_iter()
        .map(|(channel, _)| channel)
        .collect()
}

impl Resend {
    fn new(old: &Layout, new: &Layout) -> Option<Resend> {
        // Only templates both versions send can be sent again.
        let sent = |layout: &Layout| -> BTreeSet<String> {
            (0..layout.plan.nodes.len())
                .flat_map(|n| layout.templates(n))
                .map(str::to_string)
                .collect()
        };
        let names: Vec<String> = sent(old).intersection(&sent(new)).cloned().collect();
        let id = |template: &str| names.binary_search_by(|n| n.as_str().cmp(template)).ok();
        let own = |layout: &Layout| -> Vec<BTreeSet<u32>> {
            (0..layout.plan.nodes.len())
                .map(|n| {
                    layout
                        .templates(n)
                        .into_iter()
                        .filter_map(|t| id(t).map(|i| i as u32))
                        .collect()
                })
                .collect()
        };
        let (own_old, own_new) = (own(old), own(new));
        let mut budget = RESEND_BUDGET;
        let ahead_old = ahead(old, &own_old, &mut budget)?;
        let ahead_new = ahead(new, &own_new, &mut budget)?;
        let before_old = before(old, &own_old, &mut budget)?;
        Some(Resend {
            before_old,
            ahead_old,
            ahead_new,
            names,
        })
    }
}

/// For each node, the templates sent from it on (itself included): a
/// fixpoint over the plan's arrows backwards.
fn ahead(layout: &Layout, own: &[BTreeSet<u32>], budget: &mut u64) -> Option<Vec<BTreeSet<u32>>> {
    let count = own.len();
    let mut predecessors: Vec<Vec<usize>> = vec![Vec::new(); count];
    for node in 0..count {
        for next in layout.successors(node) {
            if next < count {
                predecessors[next].push(node);
            }
        }
    }
    let mut sets = own.to_vec();
    let mut work: Vec<usize> = (0..count).filter(|&n| !own[n].is_empty()).collect();
    while let Some(node) = work.pop() {
        let from = sets[node].clone();
        for &previous in &predecessors[node] {
            let before = sets[previous].len();
            *budget = budget.checked_sub(from.len() as u64 + 1)?;
            sets[previous].extend(from.iter().copied());
            if sets[previous].len() > before {
                work.push(previous);
            }
        }
    }
    Some(sets)
}

/// For each node customers reach, the templates they may have had on the
/// way there (the node's own only when a loop leads back to it).
fn before(layout: &Layout, own: &[BTreeSet<u32>], budget: &mut u64) -> Option<Vec<BTreeSet<u32>>> {
    let count = own.len();
    let mut sets: Vec<BTreeSet<u32>> = vec![BTreeSet::new(); count];
    let mut seen = vec![false; count];
    let start = layout.plan.start;
    if start >= count {
        return Some(sets);
    }
    seen[start] = true;
    let mut work = vec![start];
    while let Some(node) = work.pop() {
        let mut from = sets[node].clone();
        from.extend(own[node].iter().copied());
        for next in layout.successors(node) {
            if next >= count {
                continue;
            }
            let size = sets[next].len();
            *budget = budget.checked_sub(from.len() as u64 + 1)?;
            sets[next].extend(from.iter().copied());
            if sets[next].len() > size || !seen[next] {
                seen[next] = true;
                work.push(next);
            }
        }
    }
    Some(sets)
}
