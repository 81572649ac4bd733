//! Stage 4: one customer's way through one plan along a timeline — which
//! ticks happen and in what order with the customer's events. `replay` and
//! `nurture serve` both move customers with it, so they cannot disagree on
//! when a wait ends or a clock trigger fires.
//!
//! The rules:
//!
//! - a customer is looked at once when their timeline starts (a tick): one
//!   already inactive long enough, or whose date came up within the last
//!   day, enters then;
//! - after every input the customer's next tick is [`next_tick`] after that
//!   moment, and nothing else: a tick fires when the clock reaches it;
//! - an event first lets every tick due up to its time fire (at equal
//!   times, the tick goes first: a wait that ends at 09:00 has ended when an
//!   event at 09:00 arrives), then runs at its time;
//! - an event older than what the track already ran is *late*: it runs at
//!   once, at the track's latest moment, since time does not go back for a
//!   journey. (Replay sorts its events, so none is late there.)

use super::interpret::{self, Action, Input, Journey, Status};
use super::{Customer, Event, Seconds};
use crate::plan::Plan;

/// A customer's record as one program sees it, their journey in it, and
/// the latest moment run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Track {
    pub customer: Customer,
    pub journey: Journey,
    /// The latest moment an input ran at.
    pub until: Seconds,
}

impl Track {
    pub fn new(customer: Customer) -> Track {
        Track {
            customer,
            journey: Journey::default(),
            until: Seconds::MIN,
        }
    }

    /// The first look at the customer, at `at`.
    pub fn start(&mut self, plan: &Plan, seed: u64, at: Seconds, actions: &mut Vec<Action>) {
        self.run(plan, seed, at, Input::Tick, actions);
    }

    /// When the next tick is due, if any.
    pub fn next_tick(&self, plan: &Plan) -> Option<Seconds> {
        next_tick(plan, &self.customer, &self.journey, self.until)
    }

    /// Fires the next tick if it is due at or before `up_to`; whether it
    /// did.
    pub fn tick(
        &mut self,
        plan: &Plan,
        seed: u64,
        up_to: Seconds,
        actions: &mut Vec<Action>,
    ) -> bool {
        match self.next_tick(plan) {
            Some(at) if at <= up_to => {
                self.run(plan, seed, at, Input::Tick, actions);
                true
            }
            _ => false,
        }
    }

    /// Fires every tick due at or before `up_to`, in time order; how many.
    pub fn catch_up(
        &mut self,
        plan: &Plan,
        seed: u64,
        up_to: Seconds,
        actions: &mut Vec<Action>,
    ) -> usize {
        let mut fired = 0;
        // Each tick moves `until` past the one before (`next_tick` is
        // strictly later), so this ends; the bound is a guard all the same.
        while fired < MAX_TICKS_AT_ONCE && self.tick(plan, seed, up_to, actions) {
            fired += 1;
        }
        fired
    }

    /// Runs `event` after the ticks due up to its time. Whether it was
    /// late (older than what the track already ran).
    pub fn event(
        &mut self,
        plan: &Plan,
        seed: u64,
        event: &Event,
        actions: &mut Vec<Action>,
    ) -> bool {
        self.catch_up(plan, seed, event.at, actions);
        let late = event.at < self.until;
        let now = event.at.max(self.until);
        self.run(plan, seed, now, Input::Event(event), actions);
        note_event(&mut self.customer, event, late);
        // A record change told as an event (`phase_changed`, `tag_added`,
        // `tag_removed`, like `segment_entered`): the record changes, and
        // the hand-offs waiting for it start.
        if interpret::has_change_trigger(plan) {
            let before = self.customer.clone();
            if apply_change(&mut self.customer, event) {
                self.hand_off(plan, seed, now, before, actions);
            }
        }
        late
    }

    /// Moves a journey that is not running onto `plan`, a newer version of
    /// its program; a running journey stays on the version it began with
    /// until it ends. Whether it moved.
    pub fn adopt(&mut self, old: &Plan, plan: &Plan) -> bool {
        if self.journey.status == Status::In || old.digest == plan.digest {
            return false;
        }
        self.journey.rebase(old, plan);
        true
    }

    /// The record replaced from outside at `at` (`nurture serve`'s PUT
    /// /v1/customers/{id}): the ticks due before it fire on the old record,
    /// then a change a hand-off trigger waits for (`phase becomes`, `tag
    /// added`/`removed`) starts the journey, at `at` or the track's latest
    /// moment if later. Nothing else runs: a journey under way reads the
    /// new record as it goes on.
    pub fn change(
        &mut self,
        plan: &Plan,
        seed: u64,
        at: Seconds,
        record: Customer,
        actions: &mut Vec<Action>,
    ) {
        self.catch_up(plan, seed, at, actions);
        let before = std::mem::replace(&mut self.customer, record);
        let now = at.max(self.until);
        self.hand_off(plan, seed, now, before, actions);
        self.until = self.until.max(now);
    }

    /// After the record changed from `before`: enters the journey when a
    /// hand-off trigger waits for the change and the journey is not under
    /// way. A journey that enters, runs and leaves at once may change the
    /// record again (a program that sets the phase its own trigger waits
    /// for, N330): each round looks at the change of the round before, at
    /// most [`MAX_HAND_OFFS_AT_ONCE`] rounds in one moment.
    pub fn hand_off(
        &mut self,
        plan: &Plan,
        seed: u64,
        at: Seconds,
        mut before: Customer,
        actions: &mut Vec<Action>,
    ) {
        for _ in 0..MAX_HAND_OFFS_AT_ONCE {
            if self.journey.status == Status::In
                || !interpret::starts_on_change(plan, &before, &self.customer)
            {
                return;
            }
            let now = self.customer.clone();
            interpret::advance_on_change(
                plan,
                seed,
                &mut self.customer,
                &before,
                &mut self.journey,
                at,
                actions,
            );
            before = now;
        }
    }

    fn run(
        &mut self,
        plan: &Plan,
        seed: u64,
        at: Seconds,
        input: Input<'_>,
        actions: &mut Vec<Action>,
    ) {
        // Only a plan with a hand-off trigger needs the record as it was.
        let before = interpret::has_change_trigger(plan).then(|| self.customer.clone());
        interpret::advance(
            plan,
            seed,
            &mut self.customer,
            &mut self.journey,
            at,
            input,
            actions,
        );
        if let Some(before) = before {
            self.hand_off(plan, seed, at, before, actions);
        }
        self.until = self.until.max(at);
    }
}

/// Ticks one call to [`Track::catch_up`] fires at most: a year of hourly
/// ticks, far more than any checked program asks for.
const MAX_TICKS_AT_ONCE: usize = 10_000;

/// The events that tell of a change of the record made elsewhere, the
/// way `segment_entered` and `segment_left` tell of a segment: the phase
/// (`phase_changed` with a text `phase`) and tags (`tag_added`,
/// `tag_removed` with a text `tag`).
pub const CHANGE_EVENTS: [&str; 3] = ["phase_changed", "tag_added", "tag_removed"];

/// Applies a record change told as an event; whether it was one.
pub(crate) fn apply_change(customer: &mut Customer, event: &Event) -> bool {
    let text = |name: &str| match event.properties.get(name) {
        Some(super::Datum::Text(text)) => Some(text.clone()),
        _ => None,
    };
    match event.name.as_str() {
        "phase_changed" => text("phase").map(|phase| customer.phase = Some(phase)),
        "tag_added" => text("tag").map(|tag| {
            customer.tags.insert(tag);
        }),
        "tag_removed" => text("tag").map(|tag| {
            customer.tags.remove(&tag);
        }),
        _ => None,
    }
    .is_some()
}

/// Rounds of hand-offs one moment may take on one track: a journey that
/// enters on a change, leaves at once and changes the record again goes
/// round at most this often before time moves on.
pub const MAX_HAND_OFFS_AT_ONCE: usize = 8;

/// What an event leaves on the record: when the customer last did it, for
/// inactivity triggers. A late event moves the time only forward.
pub fn note_event(customer: &mut Customer, event: &Event, late: bool) {
    let at = match customer.last_event_at.get(&event.name) {
        Some(&last) if late => last.max(event.at),
        _ => event.at,
    };
    customer.last_event_at.insert(event.name.clone(), at);
}

/// When the customer next needs a tick after `after`: their journey's due
/// time while in, or the next date or inactivity trigger while out.
pub fn next_tick(
    plan: &Plan,
    customer: &Customer,
    journey: &Journey,
    after: Seconds,
) -> Option<Seconds> {
    match journey.status {
        Status::In => journey.due().filter(|&due| due > after),
        Status::Out | Status::Left => interpret::next_entry_check(plan, customer, after),
    }
}
