//! Stage 4: moving a running journey onto a newer version of its program,
//! at the place the caller chose (`nurture serve --migrate` chooses by the
//! migration map of `diff/map.rs`). What happens next stays the
//! interpreter's: a journey moved to a wait waits there, one moved to a
//! statement goes on from it at once, with the new version's digest in the
//! keys of what it does.

use super::Seconds;
use super::interpret::{self, Action, Input, Resume, Sink, Status};
use super::portfolio::{Capped, Lineup, Taken, Together, forget_old_sends};
use super::track::Track;
use crate::plan::{Op, Plan};
use serde::Serialize;
use std::collections::BTreeMap;

/// Where a running journey goes in the new version.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "to", rename_all = "snake_case")]
pub enum Landing {
    /// Waits on at `node`. A `wait` or `wait up to … for` counts from when
    /// the customer began waiting in the old version (so a shorter wait
    /// may be over at once); a send held back by quiet hours stays held
    /// until the moment it was held to.
    Rest { node: usize },
    /// Stays in the control group and waits out the new version's goal
    /// window, counted from entering.
    Holdout,
    /// Goes on at once from `node`, as if the customer had just reached it.
    GoOn { node: usize },
    /// Leaves at once with `outcome`.
    Leave { outcome: String },
}

impl Track {
    /// When the journey's next tick would be due once moved to `landing`
    /// (`None` when it would go on or leave at once, or is not running).
    pub fn landing_due(&self, old: &Plan, new: &Plan, landing: &Landing) -> Option<Seconds> {
        if self.journey.status != Status::In {
            return None;
        }
        match landing {
            Landing::Rest { node } => rest_due(old, new, &self.journey, *node),
            Landing::Holdout => new.goal.as_ref().map(|goal| {
                self.journey
                    .entered_at
                    .saturating_add(minutes(goal.within_minutes))
            }),
            Landing::GoOn { .. } | Landing::Leave { .. } => None,
        }
    }

    /// Moves a running journey from `old` onto `new` at `landing`, at `now`
    /// (or the latest moment the track ran, if later). The recent sends
    /// stay for caps, each pointed at its send in `new` by `sends` (old
    /// node to new node) and forgotten where it has none. Ticks that came
    /// due are the caller's to fire (`Track::catch_up`). Whether it moved:
    /// a journey that is not running is left alone.
    #[allow(clippy::too_many_arguments)]
    pub fn migrate(
        &mut self,
        old: &Plan,
        new: &Plan,
        landing: &Landing,
        sends: &BTreeMap<usize, usize>,
        seed: u64,
        now: Seconds,
        actions: &mut Vec<Action>,
    ) -> bool {
        let mut recorder = interpret::Recorder::new(new, actions);
        self.migrate_with(old, new, landing, sends, seed, now, &mut recorder)
    }

    /// [`Track::migrate`] with the actions told to `sink` (keyed with
    /// `new`'s digest by the caller's recorder): a customer in several
    /// programs moves through the schema's caps ([`Together::migrate`]).
    #[allow(clippy::too_many_arguments)]
    pub fn migrate_with<S: Sink>(
        &mut self,
        old: &Plan,
        new: &Plan,
        landing: &Landing,
        sends: &BTreeMap<usize, usize>,
        seed: u64,
        now: Seconds,
        sink: &mut S,
    ) -> bool {
        if self.journey.status != Status::In {
            return false;
        }
        let now = now.max(self.until);
        let due = self.landing_due(old, new, landing);
        let sent = self
            .journey
            .sent()
            .iter()
            .filter_map(|&(at, code)| {
                // The send's node moves as `sends` says, and keeps the
                // channel it went out on (a fallback's choice included).
                let (node, _) = crate::plan::fallback::split_code(code);
                let moved = *sends.get(&node)?;
                let channel = old.sent_channel(code)?;
                new.send_code_at(moved, channel)
                    .or_else(|| new.send_code_for(channel))
                    .map(|code| (at, code))
            })
            .collect();
        let node = match landing {
            Landing::Rest { node } | Landing::GoOn { node } => *node,
            Landing::Holdout | Landing::Leave { .. } => new.start,
        };
        self.journey.move_to(node, due, sent);
        let resume = match landing {
            Landing::Rest { node } if due.is_none() => Some(Resume::At(*node)),
            Landing::Holdout if due.is_none() => Some(Resume::Leave("holdout")),
            Landing::Rest { .. } | Landing::Holdout => None,
            Landing::GoOn { node } => Some(Resume::At(*node)),
            Landing::Leave { outcome } => Some(Resume::Leave(outcome)),
        };
        if let Some(resume) = resume {
            interpret::resume_with(
                new,
                seed,
                &mut self.customer,
                &mut self.journey,
                now,
                resume,
                sink,
            );
        } else if due.is_some_and(|due| due <= now) {
            // A wait the new version makes shorter than the customer has
            // waited is over: it ends now (time does not go back).
            interpret::advance_with(
                new,
                seed,
                &mut self.customer,
                &mut self.journey,
                now,
                Input::<crate::run::Event>::Tick,
                sink,
            );
        }
        self.until = now;
        true
    }
}

/// The due time of a journey moved to rest at `node` of `new`: a wait
/// counts from when the customer began waiting at the old one, a held send
/// keeps its time. `None` when the places do not fit together (the journey
/// then goes on from `node` at once).
fn rest_due(
    old: &Plan,
    new: &Plan,
    journey: &super::journey::Journey,
    node: usize,
) -> Option<Seconds> {
    let due = journey.due()?;
    let waited_for = |plan: &Plan, node: usize| match plan.nodes.get(node).map(|n| &n.op) {
        Some(Op::Wait { minutes, .. } | Op::WaitFor { minutes, .. }) => Some(*minutes),
        _ => None,
    };
    let held = |plan: &Plan, node: usize| {
        matches!(plan.nodes.get(node).map(|n| &n.op), Some(Op::Send { .. }))
    };
    let from = journey.node();
    match (waited_for(old, from), waited_for(new, node)) {
        (Some(before), Some(after)) => {
            let since = due.saturating_sub(minutes(before));
            Some(since.saturating_add(minutes(after)))
        }
        (None, None) if held(old, from) && held(new, node) => Some(due),
        _ => None,
    }
}

fn minutes(minutes: u64) -> Seconds {
    i64::try_from(minutes)
        .unwrap_or(i64::MAX / 60)
        .saturating_mul(60)
}

impl Together {
    /// Program `i`'s running journey moved from `old` onto its plan in
    /// `lineup` at `landing`, at `now`, as [`Track::migrate`] moves it, but
    /// among the customer's other programs: its sends count against the
    /// schema's caps with theirs (a send over a cap is skipped, as for a
    /// journey that never moved), and a change of the record it makes
    /// starts the hand-offs waiting for it. Whether it moved.
    #[allow(clippy::too_many_arguments)]
    pub fn migrate(
        &mut self,
        lineup: Lineup<'_>,
        i: usize,
        old: &Plan,
        landing: &Landing,
        sends: &BTreeMap<usize, usize>,
        now: Seconds,
        out: &mut Vec<Taken>,
    ) -> bool {
        let (Some(new), Some(seat)) = (lineup.plans.get(i), self.seats.get_mut(i)) else {
            return false;
        };
        let before = self.customer.clone();
        let mut track = Track {
            customer: std::mem::take(&mut self.customer),
            journey: std::mem::take(&mut seat.journey),
            until: seat.until,
        };
        let mut actions = Vec::new();
        let moved = {
            let mut sink = Capped::new(
                interpret::Recorder::new(new, &mut actions),
                lineup.caps,
                &mut self.sends,
            );
            track.migrate_with(old, new, landing, sends, lineup.seed, now, &mut sink)
        };
        self.customer = track.customer;
        seat.journey = track.journey;
        seat.until = track.until;
        forget_old_sends(&mut self.sends, lineup.caps, seat.until);
        let at = seat.until;
        out.extend(actions.into_iter().map(|action| (i, action)));
        self.hand_off(lineup, &before, at, out);
        moved
    }
}
