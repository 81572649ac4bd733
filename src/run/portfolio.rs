//! Stage 4: one customer in several programs — their one record, shared by
//! their journeys in a set of plans, moved along one timeline. `replay`
//! and `nurture serve` both move customers with it (the rules of
//! `track.rs`, for every program at once), so they cannot disagree on who
//! sees what first.
//!
//! The rules:
//!
//! - the programs take every input in a fixed order, the **line-up**
//!   ([`order`]): by `priority`, lower first, programs without one after
//!   those with one, then by program name;
//! - an input is the first look, a tick, an event, or a change of the
//!   record by the sending system; each program in the line-up runs it in
//!   turn, on the one record, so a change one program makes (tags, phase,
//!   score, `set`) is what the next one sees;
//! - ticks due at the same moment fire in line-up order; an event first
//!   lets every tick due up to its time fire, in time order (as on a
//!   [`Track`](super::track::Track));
//! - a change of the record (by a program's `phase`/`tag` statements, or
//!   replaced by the sending system) that a hand-off trigger of a program
//!   out of its journey waits for (`trigger phase becomes develop`, `trigger
//!   tag added vip`: [`interpret::starts_on_change`]) starts that program
//!   in the same moment, after the input has been offered to every
//!   program, in the order the changes were made. **The loop bound:** one
//!   input starts each program that way at most
//!   [`MAX_HAND_OFFS_AT_ONCE`] times (as on a single track), so a
//!   hand-off loop between programs (A's change starts B, whose change
//!   starts A) stops after that many rounds, and time moves on;
//! - `group NAME`: at most one program of a group runs per customer at a
//!   time: a program of a group whose customer is in another program of
//!   the group takes no input that could start it (the first in the
//!   line-up to start wins: `priority` decides among programs a customer
//!   qualifies for at one moment);
//! - the schema's caps (`cap 5 messages per 7d` in `schema { … }`) count
//!   the sends of every program together: a send that would break one is
//!   skipped with the reason `cap`, as a program's own caps skip
//!   ([`Capped`], docs/runtime.md).

use super::interpret::{self, Action, ActionRef, Input, Journey, KindRef, Sink, Status};
pub use super::track::MAX_HAND_OFFS_AT_ONCE;
use super::track::{self, note_event};
use super::{Customer, Event, Seconds};
use crate::plan::{Cap, Plan};

/// The programs a customer is moved through, in line-up order, with the
/// schema's caps and the seed.
#[derive(Clone, Copy, Debug)]
pub struct Lineup<'a> {
    pub plans: &'a [&'a Plan],
    pub caps: &'a [Cap],
    pub seed: u64,
    /// Some plan has a hand-off trigger: only then is the record kept as
    /// it was before each transition.
    hand_offs: bool,
    /// Some plan is in a group.
    groups: bool,
}

impl<'a> Lineup<'a> {
    /// `plans` in line-up order ([`order`]).
    pub fn new(plans: &'a [&'a Plan], caps: &'a [Cap], seed: u64) -> Lineup<'a> {
        Lineup {
            plans,
            caps,
            seed,
            hand_offs: plans.iter().any(|p| interpret::has_change_trigger(p)),
            groups: plans.iter().any(|p| p.group.is_some()),
        }
    }
}

/// The line-up of `plans`: the indices in the order the programs take an
/// input (by `priority`, lower first, then by program name; equal names
/// keep their order).
pub fn order(plans: &[&Plan]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..plans.len()).collect();
    order.sort_by(|&a, &b| {
        (priority(plans[a]), &plans[a].program).cmp(&(priority(plans[b]), &plans[b].program))
    });
    order
}

/// A program's place in the line-up: its `priority`, and after every
/// program with one, the programs without.
fn priority(plan: &Plan) -> u64 {
    plan.priority.map_or(u64::from(u32::MAX) + 1, u64::from)
}

/// A customer's journey in one program of the line-up.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Seat {
    pub journey: Journey,
    /// The latest moment an input ran at for this program.
    pub until: Seconds,
    /// Takes no input until given its first look ([`Together::look`]):
    /// `nurture serve`'s program deployed after the customer arrived.
    pub asleep: bool,
}

impl Seat {
    pub fn new() -> Seat {
        Seat {
            journey: Journey::default(),
            until: Seconds::MIN,
            asleep: false,
        }
    }
}

/// One customer in every program of a line-up.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Together {
    pub customer: Customer,
    /// One per plan of the line-up, in its order.
    pub seats: Vec<Seat>,
    /// The sends of every program within the longest of the schema's
    /// caps: when and on which channel.
    pub sends: Vec<(Seconds, String)>,
}

/// Whether program `i` of `plans` (in line-up order) is kept from
/// starting: it is out of its journey, and another program of its group
/// has the customer (`status` of each program). The rule of `group NAME`
/// for every runtime: replay and serve ([`Together`]), and the simulator.
pub fn held_by_group(plans: &[&Plan], status: impl Fn(usize) -> Status, i: usize) -> bool {
    if status(i) == Status::In {
        return false;
    }
    let Some(group) = plans.get(i).and_then(|p| p.group.as_ref()) else {
        return false;
    };
    plans
        .iter()
        .enumerate()
        .any(|(k, plan)| k != i && status(k) == Status::In && plan.group.as_ref() == Some(group))
}

/// An action and the index (in the line-up) of the program that took it.
pub type Taken = (usize, Action);

/// Ticks one call to [`Together::catch_up`] fires at most, as on a track.
const MAX_TICKS_AT_ONCE: usize = 10_000;

impl Together {
    pub fn new(customer: Customer, programs: usize) -> Together {
        Together {
            customer,
            seats: vec![Seat::new(); programs],
            sends: Vec::new(),
        }
    }

    /// The first look at the customer, at `at`, by every program awake.
    pub fn start(&mut self, lineup: Lineup<'_>, at: Seconds, out: &mut Vec<Taken>) {
        let mut round = Round::<Customer>::new(self.seats.len());
        for i in 0..self.seats.len() {
            if !self.seats[i].asleep {
                self.run(lineup, i, at, Input::Tick, &mut round, out);
            }
        }
        self.settle(lineup, &mut round, out);
    }

    /// One program's look (a tick) at `at`; wakes it. A running journey is
    /// looked at only when its tick is due, so a look never ends a wait
    /// early.
    pub fn look(&mut self, lineup: Lineup<'_>, i: usize, at: Seconds, out: &mut Vec<Taken>) {
        let Some(seat) = self.seats.get_mut(i) else {
            return;
        };
        seat.asleep = false;
        if seat.journey.status == Status::In && seat.journey.due().is_none_or(|due| due > at) {
            seat.until = seat.until.max(at);
            return;
        }
        let mut round = Round::<Customer>::new(self.seats.len());
        self.run(lineup, i, at, Input::Tick, &mut round, out);
        self.settle(lineup, &mut round, out);
    }

    /// When program `i` next needs a tick.
    pub fn next_tick_of(&self, lineup: Lineup<'_>, i: usize) -> Option<Seconds> {
        let (seat, plan) = (self.seats.get(i)?, lineup.plans.get(i)?);
        if seat.asleep {
            return None;
        }
        track::next_tick(plan, &self.customer, &seat.journey, seat.until)
    }

    /// When the next tick of any program is due.
    pub fn next_tick(&self, lineup: Lineup<'_>) -> Option<Seconds> {
        (0..self.seats.len())
            .filter_map(|i| self.next_tick_of(lineup, i))
            .min()
    }

    /// The latest moment any program ran at.
    pub fn until(&self) -> Seconds {
        self.seats
            .iter()
            .map(|s| s.until)
            .max()
            .unwrap_or(Seconds::MIN)
    }

    /// Fires every tick due at or before `up_to`, in time order (at equal
    /// times in line-up order); how many.
    pub fn catch_up(&mut self, lineup: Lineup<'_>, up_to: Seconds, out: &mut Vec<Taken>) -> usize {
        let mut fired = 0;
        // Each tick moves its program's `until` past it (`next_tick` is
        // strictly later), so this ends; the bound is a guard all the same.
        while fired < MAX_TICKS_AT_ONCE {
            let due = (0..self.seats.len())
                .filter_map(|i| self.next_tick_of(lineup, i).map(|at| (at, i)))
                .min();
            let Some((at, i)) = due.filter(|&(at, _)| at <= up_to) else {
                break;
            };
            let mut round = Round::<Customer>::new(self.seats.len());
            self.run(lineup, i, at, Input::Tick, &mut round, out);
            self.settle(lineup, &mut round, out);
            fired += 1;
        }
        fired
    }

    /// Runs `event` through every program awake, after the ticks due up to
    /// its time. Whether it was late (older than what already ran).
    pub fn event(&mut self, lineup: Lineup<'_>, event: &Event, out: &mut Vec<Taken>) -> bool {
        self.catch_up(lineup, event.at, out);
        let late = event.at < self.until();
        let mut round = Round::<Customer>::new(self.seats.len());
        for i in 0..self.seats.len() {
            if self.seats[i].asleep {
                continue;
            }
            let now = event.at.max(self.seats[i].until);
            self.run(lineup, i, now, Input::Event(event), &mut round, out);
        }
        self.settle(lineup, &mut round, out);
        note_event(&mut self.customer, event, late);
        // A record change told as an event (`phase_changed`, `tag_added`,
        // `tag_removed`), as on a track: the record changes, and the
        // hand-offs waiting for it start.
        if lineup.hand_offs {
            let before = self.customer.clone();
            if super::track::apply_change(&mut self.customer, event) {
                let now = event.at.max(self.until());
                self.hand_off(lineup, &before, now, out);
            }
        }
        late
    }

    /// The record replaced from outside at `at` (`nurture serve`'s PUT):
    /// the ticks due before it fire on the old record, then every program
    /// a hand-off trigger of which waits for the change starts, in line-up
    /// order. Nothing else runs: a journey under way reads the new record
    /// as it goes on.
    pub fn change(
        &mut self,
        lineup: Lineup<'_>,
        at: Seconds,
        record: Customer,
        out: &mut Vec<Taken>,
    ) {
        self.catch_up(lineup, at, out);
        let before = std::mem::replace(&mut self.customer, record);
        self.hand_off(lineup, &before, at, out);
    }

    /// The record changed from `before` to what it is, from outside: the
    /// programs a hand-off trigger of which waits for the change start at
    /// `at`, in line-up order, and what their changes start after them.
    pub fn hand_off(
        &mut self,
        lineup: Lineup<'_>,
        before: &Customer,
        at: Seconds,
        out: &mut Vec<Taken>,
    ) {
        if !lineup.hand_offs || *before == self.customer {
            return;
        }
        let mut round = Round::<Customer>::new(self.seats.len());
        self.changed(lineup, &mut round, before, at);
        self.settle(lineup, &mut round, out);
    }

    fn held_by_group(&self, lineup: Lineup<'_>, i: usize) -> bool {
        lineup.groups && held_by_group(lineup.plans, |k| self.seats[k].journey.status, i)
    }

    /// One transition of program `i`; the programs its changes start are
    /// noted in `round`. `before`: a hand-off, the record it changed from.
    #[allow(clippy::too_many_arguments)]
    fn transition(
        &mut self,
        lineup: Lineup<'_>,
        i: usize,
        at: Seconds,
        input: Input<'_>,
        hand_off: Option<&Customer>,
        round: &mut Round<Customer>,
        out: &mut Vec<Taken>,
    ) {
        let Some(plan) = lineup.plans.get(i) else {
            return;
        };
        if i >= self.seats.len() {
            return;
        }
        if self.held_by_group(lineup, i) {
            self.seats[i].until = self.seats[i].until.max(at);
            return;
        }
        let before = lineup.hand_offs.then(|| self.customer.clone());
        let seat = &mut self.seats[i];
        let mut actions = Vec::new();
        {
            let mut sink = Capped::new(
                interpret::Recorder::new(plan, &mut actions),
                lineup.caps,
                &mut self.sends,
            );
            match hand_off {
                None => interpret::advance_with(
                    plan,
                    lineup.seed,
                    &mut self.customer,
                    &mut seat.journey,
                    at,
                    input,
                    &mut sink,
                ),
                Some(from) => interpret::advance_on_change_with(
                    plan,
                    lineup.seed,
                    &mut self.customer,
                    from,
                    &mut seat.journey,
                    at,
                    &mut sink,
                ),
            }
        }
        seat.until = seat.until.max(at);
        forget_old_sends(&mut self.sends, lineup.caps, at);
        out.extend(actions.into_iter().map(|action| (i, action)));
        if let Some(before) = before
            && before != self.customer
        {
            self.changed(lineup, round, &before, at);
        }
    }

    fn run(
        &mut self,
        lineup: Lineup<'_>,
        i: usize,
        at: Seconds,
        input: Input<'_>,
        round: &mut Round<Customer>,
        out: &mut Vec<Taken>,
    ) {
        self.transition(lineup, i, at, input, None, round, out);
    }

    /// Starts the programs the changes of this input started, in the
    /// order the changes were made; each at most
    /// [`MAX_HAND_OFFS_AT_ONCE`] times (the loop bound).
    fn settle(&mut self, lineup: Lineup<'_>, round: &mut Round<Customer>, out: &mut Vec<Taken>) {
        while let Some((j, at, before)) = round.pop() {
            let Some(seat) = self.seats.get(j) else {
                continue;
            };
            // A program already in (it entered on the same input) keeps
            // its own timing.
            if seat.asleep || seat.journey.status == Status::In {
                continue;
            }
            let at = at.max(seat.until);
            self.transition(lineup, j, at, Input::Tick, Some(&before), round, out);
        }
    }

    /// The record changed from `before`: the programs waiting for the
    /// change are noted in `round`.
    fn changed(
        &self,
        lineup: Lineup<'_>,
        round: &mut Round<Customer>,
        before: &Customer,
        at: Seconds,
    ) {
        let seats = &self.seats;
        let waits = |j: usize| {
            seats
                .get(j)
                .is_some_and(|s| !s.asleep && s.journey.status != Status::In)
        };
        round.changed(lineup.plans, waits, before, &self.customer, at);
    }
}

/// The programs started by changes during one input, and the record
/// before each change (`B`: the runtime's record, a [`Customer`] here,
/// the simulator's compact record there). The hand-off rules for every
/// runtime: who starts, in which order, and the loop bound.
pub struct Round<B> {
    /// How often each program was started by a change.
    started: Vec<usize>,
    /// The programs to start, when, and the record before the change.
    queue: Vec<((usize, Seconds), Option<B>)>,
    /// The next of `queue` to start.
    next: usize,
}

impl<B: Clone> Round<B> {
    pub fn new(programs: usize) -> Round<B> {
        Round {
            started: vec![0; programs],
            queue: Vec::new(),
            next: 0,
        }
    }

    /// The record changed from `before` to `after` (by a program, or from
    /// outside): every program of `plans` (line-up order) that `waits`
    /// (awake and out of its journey) with a hand-off trigger that waits
    /// for the change is to start, each at most
    /// [`MAX_HAND_OFFS_AT_ONCE`] times in the round.
    pub fn changed<A: super::record::Record + ?Sized>(
        &mut self,
        plans: &[&Plan],
        waits: impl Fn(usize) -> bool,
        before: &B,
        after: &A,
        at: Seconds,
    ) where
        B: super::record::Record,
    {
        for (j, plan) in plans.iter().enumerate() {
            // A program that is in goes on; one that changed the record and
            // left may be started by its own change, as on a track.
            if j >= self.started.len()
                || !waits(j)
                || self.started[j] >= MAX_HAND_OFFS_AT_ONCE
                || !interpret::starts_on_change(plan, before, after)
            {
                continue;
            }
            self.started[j] += 1;
            self.queue.push(((j, at), Some(before.clone())));
        }
    }

    /// The next program to start, in the order the changes were made:
    /// its index, when, and the record before the change.
    pub fn pop(&mut self) -> Option<(usize, Seconds, B)> {
        loop {
            let ((j, at), before) = self.queue.get_mut(self.next)?;
            let (j, at, before) = (*j, *at, before.take());
            self.next += 1;
            // Each is taken once, so always there.
            if let Some(before) = before {
                return Some((j, at, before));
            }
        }
    }
}

/// Drops the sends older than the longest of `caps`.
pub fn forget_old_sends(sends: &mut Vec<(Seconds, String)>, caps: &[Cap], now: Seconds) {
    let Some(longest) = caps.iter().map(|c| c.per_minutes).max() else {
        sends.clear();
        return;
    };
    let since = now.saturating_sub(interpret::minutes_to_seconds(longest));
    sends.retain(|(at, _)| *at > since);
}

/// Whether one more send on `channel` at `now` would break one of `caps`,
/// given the customer's recent `sends` across programs.
pub fn over_cap(caps: &[Cap], sends: &[(Seconds, String)], channel: &str, now: Seconds) -> bool {
    caps.iter().any(|cap| {
        if cap.channel.as_ref().is_some_and(|c| c != channel) {
            return false;
        }
        let since = now.saturating_sub(interpret::minutes_to_seconds(cap.per_minutes));
        let count = sends
            .iter()
            .filter(|(at, sent)| *at > since && cap.channel.as_ref().is_none_or(|c| c == sent))
            .count();
        count >= cap.count as usize
    })
}

/// A sink that keeps the schema's caps across programs: it tells the
/// interpreter when a send would break one, notes every send, and passes
/// everything on to `inner`.
pub struct Capped<'c, S> {
    pub inner: S,
    caps: &'c [Cap],
    sends: &'c mut Vec<(Seconds, String)>,
}

impl<'c, S: Sink> Capped<'c, S> {
    pub fn new(inner: S, caps: &'c [Cap], sends: &'c mut Vec<(Seconds, String)>) -> Self {
        Capped { inner, caps, sends }
    }
}

impl<S: Sink> Sink for Capped<'_, S> {
    const ENTRY_CHECKS: bool = S::ENTRY_CHECKS;

    fn act(&mut self, action: ActionRef<'_>) {
        if let KindRef::Send { channel, .. } = action.kind
            && !self.caps.is_empty()
        {
            self.sends.push((action.at, channel.to_string()));
        }
        self.inner.act(action);
    }

    fn entry(&mut self, check: interpret::EntryCheck) {
        self.inner.entry(check);
    }

    fn visit(&mut self, node: usize) {
        self.inner.visit(node);
    }

    fn capped(&self, channel: &str, now: Seconds) -> bool {
        self.inner.capped(channel, now) || over_cap(self.caps, self.sends, channel, now)
    }
}

/// The schema's caps as the runtime keeps them (a cap over no time holds
/// nothing, as `nurture check` reads it).
pub fn schema_caps(schema: &crate::syntax::ast::Schema) -> Vec<Cap> {
    schema
        .caps
        .iter()
        .filter(|cap| cap.value.per.value.minutes > 0)
        .map(|cap| Cap {
            count: cap.value.count.value,
            channel: cap.value.channel.as_ref().map(|c| c.value.clone()),
            per_minutes: cap.value.per.value.minutes,
        })
        .collect()
}
