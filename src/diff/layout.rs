//! Stage diff: a plan seen as steps and places. Which step and statement
//! each node is (from the plan's `steps`: each step's first node and how
//! many nodes its statements are), where each node leads, and every place a
//! journey can rest between two inputs — the places customers in flight
//! are found at when a new version is deployed.
//!
//! The interpreter leaves a running journey in one of four places
//! (`run/interpret.rs`): at a `wait` until it ends, at a `wait up to … for`
//! until an arm's event or the timeout, at a `send` held back by quiet hours
//! or outside its send window until it may go out, and in the holdout until the goal's window ends.

use crate::plan::{Op, Plan};
use crate::run::Journey;
use serde::Serialize;
use std::collections::BTreeSet;

/// A place a running journey can be at between inputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rest {
    /// At a `wait`, a `wait up to … for`, or a send held back by quiet
    /// hours or a send window: the node.
    Node(usize),
    /// In the control group, waiting out the goal's window.
    Holdout,
}

impl Rest {
    /// Where a running journey rests: `None` when it is not running or sits
    /// at a node no checked plan leaves it at.
    pub fn of(plan: &Plan, journey: &Journey) -> Option<Rest> {
        if journey.status != crate::run::Status::In {
            return None;
        }
        if journey.holdout {
            return Some(Rest::Holdout);
        }
        let node = journey.node();
        match plan.nodes.get(node).map(|n| &n.op) {
            Some(Op::Wait { .. } | Op::WaitFor { .. } | Op::WaitUntil { .. } | Op::Send { .. }) => {
                Some(Rest::Node(node))
            }
            _ => None,
        }
    }
}

/// What kind of place a [`Rest`] is, in words the reports use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RestKind {
    Wait,
    WaitFor,
    HeldSend,
    Holdout,
}

impl RestKind {
    pub fn describe(self) -> &'static str {
        match self {
            RestKind::Wait => "a wait",
            RestKind::WaitFor => "a wait for events",
            RestKind::HeldSend => "a message held back by quiet hours or outside its send window",
            RestKind::Holdout => "the holdout, waiting out the goal's window",
        }
    }
}

/// A plan with where each of its nodes sits.
pub struct Layout<'p> {
    pub plan: &'p Plan,
    /// For each node: its step (an index into `plan.steps`) and position
    /// among the step's statements; `None` for the nodes a compiled plan
    /// adds after the statements (`exit OUTCOME` in an arm, `stuck`).
    at: Vec<Option<(usize, usize)>>,
    reachable: Vec<bool>,
}

impl<'p> Layout<'p> {
    pub fn new(plan: &'p Plan) -> Self {
        let mut at = vec![None; plan.nodes.len()];
        for (step, entry) in plan.steps.iter().enumerate() {
            for position in 0..entry.length {
                if let Some(slot) = at.get_mut(entry.node + position) {
                    *slot = Some((step, position));
                }
            }
        }
        let mut layout = Layout {
            plan,
            at,
            reachable: Vec::new(),
        };
        layout.reachable = layout.reach(plan.start);
        layout
    }

    /// The step and position of a statement's node.
    pub fn place(&self, node: usize) -> Option<(usize, usize)> {
        self.at.get(node).copied().flatten()
    }

    /// The nodes of a step's statements.
    pub fn nodes(&self, step: usize) -> std::ops::Range<usize> {
        match self.plan.steps.get(step) {
            Some(entry) if entry.length > 0 => entry.node..entry.node + entry.length,
            _ => 0..0,
        }
    }

    /// The step a plan's step name (or one of its old names) is.
    pub fn step_named(&self, name: &str) -> Option<usize> {
        self.plan.steps.iter().position(|s| s.name == name)
    }

    pub fn op(&self, node: usize) -> Option<&'p Op> {
        self.plan.nodes.get(node).map(|n| &n.op)
    }

    pub fn is_reachable(&self, node: usize) -> bool {
        self.reachable.get(node).copied().unwrap_or(false)
    }

    /// Every place a running journey can rest, in node order, the holdout
    /// last: waits and waits for events customers reach, sends they reach
    /// when quiet hours can hold them, and the holdout when it waits out a
    /// goal's window.
    pub fn rests(&self) -> Vec<Rest> {
        let mut found: Vec<Rest> = (0..self.plan.nodes.len())
            .filter(|&node| self.is_reachable(node))
            .filter(|&node| match self.op(node) {
                Some(Op::Wait { .. } | Op::WaitFor { .. } | Op::WaitUntil { .. }) => true,
                Some(Op::Send { .. }) => self.plan.quiet.is_some() || !self.plan.windows.is_empty(),
                _ => false,
            })
            .map(Rest::Node)
            .collect();
        if self.plan.entry.holdout > 0 && self.plan.goal.is_some() {
            found.push(Rest::Holdout);
        }
        found
    }

    pub fn kind(&self, rest: Rest) -> Option<RestKind> {
        match rest {
            Rest::Holdout => Some(RestKind::Holdout),
            Rest::Node(node) => match self.op(node)? {
                // `wait until` is a wait; moved there, a journey waits for
                // the moment after its own entry (the interpreter works it
                // out as it reaches the node).
                Op::Wait { .. } | Op::WaitUntil { .. } => Some(RestKind::Wait),
                Op::WaitFor { .. } => Some(RestKind::WaitFor),
                Op::Send { .. } => Some(RestKind::HeldSend),
                _ => None,
            },
        }
    }

    /// The nodes a node leads to.
    pub fn successors(&self, node: usize) -> Vec<usize> {
        successors(self.op(node))
    }

    /// Every node reachable from `from`, `from` included.
    pub fn reach(&self, from: usize) -> Vec<bool> {
        let mut seen = vec![false; self.plan.nodes.len()];
        let mut work = vec![from];
        while let Some(node) = work.pop() {
            match seen.get_mut(node) {
                Some(slot) if !*slot => *slot = true,
                _ => continue,
            }
            work.extend(self.successors(node));
        }
        seen
    }

    /// The templates a node sends.
    pub fn templates(&self, node: usize) -> BTreeSet<&'p str> {
        match self.op(node) {
            Some(Op::Send {
                template, fallback, ..
            }) => std::iter::once(template.as_str())
                .chain(fallback.iter().map(|c| c.template.as_str()))
                .collect(),
            _ => BTreeSet::new(),
        }
    }

    /// How long a wait at `node` lasts, in minutes.
    pub fn wait_minutes(&self, node: usize) -> Option<u64> {
        match self.op(node)? {
            Op::Wait { minutes, .. } | Op::WaitFor { minutes, .. } => Some(*minutes),
            _ => None,
        }
    }

    /// The goal's window, in minutes.
    pub fn goal_minutes(&self) -> Option<u64> {
        self.plan.goal.as_ref().map(|g| g.within_minutes)
    }
}

/// Where an op leads: every `next`, arm and fallback.
pub fn successors(op: Option<&Op>) -> Vec<usize> {
    match op {
        Some(
            Op::Send { next, .. }
            | Op::Wait { next, .. }
            | Op::Score { next, .. }
            | Op::Tag { next, .. }
            | Op::Untag { next, .. }
            | Op::WaitUntil { next, .. }
            | Op::Set { next, .. }
            | Op::SetFrom { next, .. }
            | Op::Phase { next, .. }
            | Op::Notify { next, .. },
        ) => vec![*next],
        Some(Op::WaitFor { arms, timeout, .. }) => arms
            .iter()
            .map(|a| a.to)
            .chain(std::iter::once(*timeout))
            .collect(),
        Some(Op::Branch { arms, otherwise }) => arms
            .iter()
            .map(|a| a.to)
            .chain(std::iter::once(*otherwise))
            .collect(),
        Some(Op::Split { arms }) => arms.iter().map(|a| a.to).collect(),
        Some(Op::Exit { .. }) | None => Vec::new(),
    }
}

/// The key two statements must share to be the same statement in two
/// versions: a send by its template, a wait of either kind, a tag or a
/// `set` by what it writes, and every other statement by its kind. What is
/// within a shared key (a wait's length, a send's channel) may change.
pub fn key(op: &Op) -> String {
    match op {
        Op::Send { template, .. } => format!("send {template:?}"),
        Op::Wait { .. } | Op::WaitFor { .. } | Op::WaitUntil { .. } => "wait".into(),
        Op::Branch { .. } => "branch".into(),
        Op::Split { .. } => "split".into(),
        Op::Score { .. } => "score".into(),
        Op::Tag { tag, .. } => format!("tag {tag}"),
        Op::Untag { tag, .. } => format!("untag {tag}"),
        Op::Set { attribute, .. } | Op::SetFrom { attribute, .. } => format!("set {attribute}"),
        Op::Phase { .. } => "phase".into(),
        Op::Notify { .. } => "notify".into(),
        Op::Exit { .. } => "exit".into(),
    }
}

impl Layout<'_> {
    /// A statement as a reader would write it, from the plan alone: `wait
    /// 3d`, `wait up to 5d for click or open`, `send email "hello"`.
    pub fn describe(&self, node: usize) -> String {
        let show = crate::check::flow::show_minutes;
        match self.op(node) {
            Some(Op::Send {
                channel,
                template,
                fallback,
                ..
            }) => {
                let mut shown = format!("send {channel} {template:?}");
                for choice in fallback {
                    shown.push_str(&format!(" or {} {:?}", choice.channel, choice.template));
                }
                shown
            }
            Some(Op::Wait { minutes, .. }) => format!("wait {}", show(*minutes)),
            Some(Op::WaitFor { minutes, arms, .. }) => {
                let mut events: Vec<&str> = Vec::new();
                for arm in arms {
                    if !events.contains(&arm.event.as_str()) {
                        events.push(&arm.event);
                    }
                }
                if events.is_empty() {
                    format!("wait up to {}", show(*minutes))
                } else {
                    format!("wait up to {} for {}", show(*minutes), events.join(" or "))
                }
            }
            Some(Op::Branch { .. }) => "branch".into(),
            Some(Op::Split { .. }) => "split".into(),
            Some(Op::Score { points, .. }) => format!("score {points:+}"),
            Some(Op::Tag { tag, .. }) => format!("tag {tag}"),
            Some(Op::Untag { tag, .. }) => format!("untag {tag}"),
            Some(Op::WaitUntil { minutes, .. }) => {
                format!("wait until {} after entry", show(*minutes))
            }
            Some(Op::Set { attribute, .. } | Op::SetFrom { attribute, .. }) => {
                format!("set {attribute}")
            }
            Some(Op::Phase { phase, .. }) => format!("phase {phase}"),
            Some(Op::Notify { recipient, .. }) => format!("notify {recipient}"),
            Some(Op::Exit { outcome }) => format!("exit {outcome}"),
            None => format!("node {node}"),
        }
    }

    /// Where a node is, in words: "`wait 3d` in step `reminder` (statement
    /// 2)".
    pub fn where_is(&self, node: usize) -> String {
        match self.place(node) {
            Some((step, position)) => format!(
                "`{}` in step `{}` (statement {})",
                self.describe(node),
                self.plan.steps[step].name,
                position + 1
            ),
            None => format!("`{}`", self.describe(node)),
        }
    }

    /// A place, in words.
    pub fn where_rests(&self, rest: Rest) -> String {
        match rest {
            Rest::Holdout => "the holdout".into(),
            Rest::Node(node) => self.where_is(node),
        }
    }
}
