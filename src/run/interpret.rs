//! The interpreter: one transition of one customer's journey through a plan.
//!
//! [`step`] takes the plan, the customer's record, their journey state, the
//! time and what happened — an event, or [`Input::Tick`] when the clock has
//! reached [`Journey::due`] — and returns the new record, the new state and
//! the actions to carry out. Time is an input: the interpreter has no clock,
//! never sleeps and never blocks. docs/runtime.md says what every construct
//! does in time.

pub use super::journey::{Journey, Status};
use super::record::{DatumRef, EventRecord, Record, value_ref};
use super::{Customer, Datum, Event, Seconds};
use crate::plan::{CompareOp, Cond, Op, Operand, Plan, Reentry, Trigger, Value};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// Nodes one transition may run before it gives up: a checked plan waits
/// before this (a loop without a wait is refused by N303, a longer run of
/// statements by N315).
const MAX_NODES_PER_STEP: usize = crate::syntax::limits::MAX_AT_ONCE;

/// How late a date trigger may still fire (a runtime that was down for a
/// day still enters customers; one started a year later does not).
const DATE_TRIGGER_GRACE: Seconds = 24 * 3600;

/// What happened: an event, or the clock reaching the journey's due time
/// (or, for a customer not in the program, the runtime asking whether a
/// date or inactivity trigger has come due).
#[derive(Debug)]
pub enum Input<'a, E = Event> {
    Event(&'a E),
    Tick,
}

// Not derived: a derive would ask `E: Copy`, and events are not.
impl<E> Clone for Input<'_, E> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<E> Copy for Input<'_, E> {}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Action {
    pub at: Seconds,
    pub customer: String,
    /// Unique per program source, customer, entry and action: a sender drops
    /// an action whose key it has already carried out, so a retried
    /// transition never sends twice.
    pub key: String,
    /// The plan node that caused it (`None` for entering and rules).
    pub node: Option<usize>,
    #[serde(flatten)]
    pub kind: ActionKind,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ActionKind {
    Enter {
        holdout: bool,
    },
    Send {
        channel: String,
        template: String,
    },
    /// A send that did not happen, and why (`no_consent`, `guard`, `cap`).
    Skip {
        channel: String,
        template: String,
        reason: String,
    },
    /// A send held back until quiet hours end.
    Defer {
        channel: String,
        template: String,
        until: Seconds,
    },
    Notify {
        recipient: String,
        message: String,
    },
    Score {
        points: i64,
    },
    Tag {
        tag: String,
    },
    Untag {
        tag: String,
    },
    Set {
        attribute: String,
        value: Datum,
    },
    Phase {
        phase: String,
    },
    Exit {
        outcome: String,
    },
}

/// An action as the interpreter hands it to a [`Sink`]: borrowed from the
/// plan and the record, so that a sink that only counts (the simulator)
/// never copies a text.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ActionRef<'a> {
    pub at: Seconds,
    pub customer: &'a str,
    /// Which entry of the customer's, and which action in it: with the
    /// plan's digest, these make the idempotency key.
    pub entry: u32,
    pub number: u32,
    pub node: Option<usize>,
    pub kind: KindRef<'a>,
}

/// [`ActionKind`], borrowed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum KindRef<'a> {
    Enter {
        holdout: bool,
    },
    Send {
        channel: &'a str,
        template: &'a str,
    },
    Skip {
        channel: &'a str,
        template: &'a str,
        reason: &'static str,
    },
    Defer {
        channel: &'a str,
        template: &'a str,
        until: Seconds,
    },
    Notify {
        recipient: &'a str,
        message: &'a str,
    },
    Score {
        points: i64,
    },
    Tag {
        tag: &'a str,
    },
    Untag {
        tag: &'a str,
    },
    Set {
        attribute: &'a str,
        value: &'a Value,
    },
    Phase {
        phase: &'a str,
    },
    Exit {
        outcome: &'a str,
    },
}

impl KindRef<'_> {
    pub fn to_owned(self) -> ActionKind {
        match self {
            KindRef::Enter { holdout } => ActionKind::Enter { holdout },
            KindRef::Send { channel, template } => ActionKind::Send {
                channel: channel.to_string(),
                template: template.to_string(),
            },
            KindRef::Skip {
                channel,
                template,
                reason,
            } => ActionKind::Skip {
                channel: channel.to_string(),
                template: template.to_string(),
                reason: reason.to_string(),
            },
            KindRef::Defer {
                channel,
                template,
                until,
            } => ActionKind::Defer {
                channel: channel.to_string(),
                template: template.to_string(),
                until,
            },
            KindRef::Notify { recipient, message } => ActionKind::Notify {
                recipient: recipient.to_string(),
                message: message.to_string(),
            },
            KindRef::Score { points } => ActionKind::Score { points },
            KindRef::Tag { tag } => ActionKind::Tag {
                tag: tag.to_string(),
            },
            KindRef::Untag { tag } => ActionKind::Untag {
                tag: tag.to_string(),
            },
            KindRef::Set { attribute, value } => ActionKind::Set {
                attribute: attribute.to_string(),
                value: value_ref(value).to_owned(),
            },
            KindRef::Phase { phase } => ActionKind::Phase {
                phase: phase.to_string(),
            },
            KindRef::Exit { outcome } => ActionKind::Exit {
                outcome: outcome.to_string(),
            },
        }
    }
}

/// Where the interpreter puts what it does.
pub trait Sink {
    /// Whether [`Sink::entry`] is told of entry checks: working out every
    /// trigger that matched costs a little, and only the simulator's
    /// entry funnel wants it.
    const ENTRY_CHECKS: bool = false;

    fn act(&mut self, action: ActionRef<'_>);

    /// Called when a trigger matched for a customer who may enter, with
    /// how far they got (when [`Sink::ENTRY_CHECKS`]).
    fn entry(&mut self, _check: EntryCheck) {}

    /// Called at every node a customer reaches, before it runs: the
    /// simulator counts the ways taken through the program with it.
    fn visit(&mut self, _node: usize) {}
}

/// A trigger matched for a customer who may enter: which triggers (bit
/// `i` for the plan's trigger `i`, the first 64), and the gate that stopped
/// them, or [`Gate::Entered`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EntryCheck {
    pub triggers: u64,
    pub gate: Gate,
}

/// The gates after a trigger, in the order they are passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gate {
    /// Not in the audience.
    Audience,
    /// In the audience, without a consent the entry asks for.
    Consent,
    /// Entered (treated or in the holdout).
    Entered,
}

/// The sink of [`advance`]: owned actions with their idempotency keys.
struct Recorder<'a> {
    digest: &'a str,
    actions: &'a mut Vec<Action>,
}

impl Sink for Recorder<'_> {
    fn act(&mut self, action: ActionRef<'_>) {
        self.actions.push(Action {
            at: action.at,
            customer: action.customer.to_string(),
            key: format!(
                "{}/{}/{}/{}",
                self.digest, action.customer, action.entry, action.number
            ),
            node: action.node,
            kind: action.kind.to_owned(),
        });
    }
}

/// The result of one transition.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub customer: Customer,
    pub journey: Journey,
    pub actions: Vec<Action>,
}

pub fn step(
    plan: &Plan,
    seed: u64,
    customer: &Customer,
    journey: &Journey,
    now: Seconds,
    input: Input,
) -> Step {
    let mut customer = customer.clone();
    let mut journey = journey.clone();
    let mut actions = Vec::new();
    advance(
        plan,
        seed,
        &mut customer,
        &mut journey,
        now,
        input,
        &mut actions,
    );
    Step {
        customer,
        journey,
        actions,
    }
}

/// [`step`] in place: changes the record and the journey where they are and
/// appends the actions, for a runtime that keeps many customers and would
/// rather not copy each one per transition.
pub fn advance(
    plan: &Plan,
    seed: u64,
    customer: &mut Customer,
    journey: &mut Journey,
    now: Seconds,
    input: Input,
    actions: &mut Vec<Action>,
) {
    // The first 12 characters; a plan built in code may hold any text.
    let digest = plan.digest.trim_start_matches("sha256:");
    let cut = digest
        .char_indices()
        .nth(12)
        .map_or(digest.len(), |(at, _)| at);
    let mut recorder = Recorder {
        digest: &digest[..cut],
        actions,
    };
    advance_with(plan, seed, customer, journey, now, input, &mut recorder);
}

/// [`advance`] for any record, event and sink: what the simulator runs.
pub fn advance_with<R: Record, E: EventRecord, S: Sink>(
    plan: &Plan,
    seed: u64,
    customer: &mut R,
    journey: &mut Journey,
    now: Seconds,
    input: Input<E>,
    sink: &mut S,
) {
    let mut run = Run {
        plan,
        seed,
        customer,
        journey,
        now,
        sink,
    };
    match run.journey.status {
        Status::In => run.while_in(input),
        Status::Out | Status::Left => run.maybe_enter(input),
    }
}

/// Whether `input` can change anything for a customer in `journey`. It is
/// false only for a customer out of the program (never entered, or left)
/// when no trigger listens to the input: an event that no event or segment
/// trigger names, or a tick when the plan has no clock trigger. Running
/// such an input changes nothing, so a runtime may skip it (`nurture serve`
/// does, for the programs a customer is not in, instead of copying the
/// record for each).
pub fn may_act<E: EventRecord>(plan: &Plan, journey: &Journey, input: Input<E>) -> bool {
    if journey.status == Status::In {
        return true;
    }
    plan.entry
        .triggers
        .iter()
        .any(|trigger| match (trigger, input) {
            (Trigger::Event { event, .. }, Input::Event(e)) => e.name() == event,
            (Trigger::Segment { .. }, Input::Event(e)) => {
                e.name() == "segment_entered" || e.name() == "segment_left"
            }
            (Trigger::Inactivity { .. } | Trigger::Date { .. }, Input::Tick) => true,
            _ => false,
        })
}

/// When a customer not in the program may next enter on the clock alone
/// (a date or inactivity trigger), for a runtime to schedule a tick.
pub fn next_entry_check<R: Record>(plan: &Plan, customer: &R, after: Seconds) -> Option<Seconds> {
    plan.entry
        .triggers
        .iter()
        .filter_map(|trigger| match trigger {
            Trigger::Inactivity { event, minutes } => customer
                .last_event_at(event)
                .map(|last| last.saturating_add(minutes_to_seconds(*minutes))),
            Trigger::Date {
                attribute,
                offset_minutes,
            } => match customer.attribute(attribute) {
                Some(DatumRef::Time(at)) => {
                    Some(at.saturating_add(offset_minutes.saturating_mul(60)))
                }
                _ => None,
            },
            _ => None,
        })
        .filter(|&at| at > after)
        .min()
}

/// Whether `event` is the plan's goal event and meets the goal's
/// condition (the window is the caller's to check). The simulator asks it
/// of every event in a journey's goal window, after the journey too, so
/// that treated customers and the holdout are measured alike.
pub fn is_goal<R: Record, E: EventRecord>(
    plan: &Plan,
    customer: &mut R,
    event: &E,
    now: Seconds,
) -> bool {
    let Some(goal) = &plan.goal else {
        return false;
    };
    if goal.event != event.name() {
        return false;
    }
    let Some(condition) = &goal.condition else {
        return true;
    };
    let mut journey = Journey::default();
    let run = Run {
        plan,
        seed: 0,
        customer,
        journey: &mut journey,
        now,
        sink: &mut Discard,
    };
    run.holds(condition, Some(event))
}

/// A sink for questions that take no action.
struct Discard;

impl Sink for Discard {
    fn act(&mut self, _action: ActionRef<'_>) {}
}

fn minutes_to_seconds(minutes: u64) -> Seconds {
    i64::try_from(minutes)
        .unwrap_or(i64::MAX / 60)
        .saturating_mul(60)
}

struct Run<'p, 's, R, S> {
    plan: &'p Plan,
    seed: u64,
    customer: &'s mut R,
    journey: &'s mut Journey,
    now: Seconds,
    sink: &'s mut S,
}

impl<'p, R: Record, S: Sink> Run<'p, '_, R, S> {
    fn act(&mut self, node: Option<usize>, kind: KindRef<'_>) {
        let number = self.journey.actions;
        self.journey.actions += 1;
        self.sink.act(ActionRef {
            at: self.now,
            customer: self.customer.id(),
            entry: self.journey.entries,
            number,
            node,
            kind,
        });
    }

    fn leave(&mut self, node: Option<usize>, outcome: &str) {
        self.act(node, KindRef::Exit { outcome });
        self.journey.leave(self.now, outcome);
    }

    // -- entering ----------------------------------------------------------

    fn maybe_enter<E: EventRecord>(&mut self, input: Input<E>) {
        if !self.may_enter_again() || !self.triggered(input) {
            return;
        }
        let audience = self.plan.entry.audience.as_ref();
        let in_audience = audience.is_none_or(|c| self.holds::<E>(c, None));
        let consents = in_audience
            && self
                .plan
                .entry
                .consent
                .iter()
                .all(|c| self.customer.consents_to(c));
        if S::ENTRY_CHECKS {
            let triggers = self
                .plan
                .entry
                .triggers
                .iter()
                .take(64)
                .enumerate()
                .filter(|(_, trigger)| self.trigger_matches(trigger, input))
                .fold(0u64, |mask, (i, _)| mask | 1 << i);
            let gate = if !in_audience {
                Gate::Audience
            } else if !consents {
                Gate::Consent
            } else {
                Gate::Entered
            };
            self.sink.entry(EntryCheck { triggers, gate });
        }
        if !consents {
            return;
        }
        let entries = self.journey.entries + 1;
        let holdout = self.plan.entry.holdout > 0
            && self.draw(b"holdout/", &[u64::from(entries)]) < u64::from(self.plan.entry.holdout);
        self.journey.enter(self.plan.start, self.now, holdout);
        self.act(None, KindRef::Enter { holdout });
        if holdout {
            // The control group waits out the goal window, so that the goal
            // rate can be compared; without a goal there is nothing to wait for.
            match &self.plan.goal {
                Some(goal) => self.journey.set_due(Some(
                    self.now
                        .saturating_add(minutes_to_seconds(goal.within_minutes)),
                )),
                None => self.leave(None, "holdout"),
            }
            return;
        }
        self.run_from(self.plan.start);
    }

    fn may_enter_again(&self) -> bool {
        match (self.journey.status, &self.plan.entry.reentry) {
            (Status::Out, _) => true,
            (Status::In, _) => false,
            (Status::Left, Reentry::Always) => true,
            (Status::Left, Reentry::Never) => false,
            (Status::Left, Reentry::After { minutes }) => self
                .journey
                .left_at()
                .is_none_or(|left| self.now >= left.saturating_add(minutes_to_seconds(*minutes))),
        }
    }

    fn triggered<E: EventRecord>(&self, input: Input<E>) -> bool {
        self.plan
            .entry
            .triggers
            .iter()
            .any(|trigger| self.trigger_matches(trigger, input))
    }

    fn trigger_matches<E: EventRecord>(&self, trigger: &Trigger, input: Input<E>) -> bool {
        match (trigger, input) {
            (Trigger::Event { event, condition }, Input::Event(e)) => {
                e.name() == event && condition.as_ref().is_none_or(|c| self.holds(c, Some(e)))
            }
            (Trigger::Segment { segment, entered }, Input::Event(e)) => {
                let name = if *entered {
                    "segment_entered"
                } else {
                    "segment_left"
                };
                e.name() == name
                    && matches!(e.property("segment"), Some(DatumRef::Text(s)) if s == segment)
            }
            // Clock triggers fire on the clock: an event (a purchase, say)
            // must never be what starts "no purchase for 180d".
            (Trigger::Inactivity { event, minutes }, Input::Tick) => self
                .customer
                .last_event_at(event)
                .is_some_and(|last| self.now >= last.saturating_add(minutes_to_seconds(*minutes))),
            (
                Trigger::Date {
                    attribute,
                    offset_minutes,
                },
                Input::Tick,
            ) => match self.customer.attribute(attribute) {
                Some(DatumRef::Time(at)) => {
                    let moment = at.saturating_add(offset_minutes.saturating_mul(60));
                    // Saturating: a date at the start of time (or an
                    // offset that takes it there) must not overflow.
                    self.now >= moment && self.now.saturating_sub(moment) < DATE_TRIGGER_GRACE
                }
                _ => false,
            },
            _ => false,
        }
    }

    // -- while in the program ------------------------------------------------

    fn while_in<E: EventRecord>(&mut self, input: Input<E>) {
        if let Input::Event(event) = input {
            let plan = self.plan;
            for rule in &plan.exit_rules {
                if rule.event == event.name()
                    && rule
                        .condition
                        .as_ref()
                        .is_none_or(|c| self.holds(c, Some(event)))
                {
                    self.leave(None, &rule.outcome);
                    return;
                }
            }
            if let Some(goal) = &plan.goal {
                let in_window = self.now
                    <= self
                        .journey
                        .entered_at
                        .saturating_add(minutes_to_seconds(goal.within_minutes));
                if in_window
                    && goal.event == event.name()
                    && goal
                        .condition
                        .as_ref()
                        .is_none_or(|c| self.holds(c, Some(event)))
                {
                    self.leave(None, "converted");
                    return;
                }
            }
        }
        if self.journey.holdout {
            if matches!(input, Input::Tick) && self.journey.due().is_some_and(|d| self.now >= d) {
                self.leave(None, "holdout");
            }
            return;
        }
        let node = self.journey.node();
        let Some(op) = self.plan.nodes.get(node).map(|n| &n.op) else {
            self.leave(None, "stuck");
            return;
        };
        let due = self.journey.due().is_some_and(|d| self.now >= d);
        match (op, input) {
            (Op::WaitFor { arms, .. }, Input::Event(event)) => {
                let arm = arms.iter().find(|arm| {
                    arm.event == event.name()
                        && arm
                            .condition
                            .as_ref()
                            .is_none_or(|c| self.holds(c, Some(event)))
                });
                if let Some(arm) = arm {
                    let to = arm.to;
                    self.journey.set_due(None);
                    self.run_from(to);
                }
            }
            (Op::WaitFor { timeout, .. }, Input::Tick) if due => {
                let to = *timeout;
                self.journey.set_due(None);
                self.run_from(to);
            }
            (Op::Wait { next, .. }, Input::Tick) if due => {
                let to = *next;
                self.journey.set_due(None);
                self.run_from(to);
            }
            // A send held back by quiet hours goes on, and what follows it
            // in the same run is not held again.
            (Op::Send { .. }, Input::Tick) if due => {
                self.journey.set_due(None);
                self.run_on(node, true);
            }
            _ => {}
        }
    }

    /// Runs nodes from `node` until the customer has to wait or leaves.
    fn run_from(&mut self, node: usize) {
        self.run_on(node, false);
    }

    /// [`Run::run_from`]; `released` when quiet hours held this run back
    /// and have ended: the run is held at most once (so no run is held for
    /// longer than quiet hours last, even the night the clocks go back).
    fn run_on(&mut self, node: usize, released: bool) {
        let plan = self.plan;
        let mut node = node;
        for _ in 0..MAX_NODES_PER_STEP {
            self.journey.set_node(node);
            let Some(op) = plan.nodes.get(node).map(|n| &n.op) else {
                self.leave(Some(node), "stuck");
                return;
            };
            self.sink.visit(node);
            node = match op {
                Op::Send {
                    channel,
                    template,
                    guard,
                    next,
                } => {
                    if let Some(until) = self.quiet_until().filter(|_| !released) {
                        if self.journey.due().is_none() {
                            self.act(
                                Some(node),
                                KindRef::Defer {
                                    channel,
                                    template,
                                    until,
                                },
                            );
                        }
                        self.journey.set_due(Some(until));
                        return;
                    }
                    let skip = |reason| KindRef::Skip {
                        channel,
                        template,
                        reason,
                    };
                    let needs_consent = !plan.no_consent_needed.contains(channel);
                    if needs_consent && !self.customer.consents_to(channel) {
                        self.act(Some(node), skip("no_consent"));
                    } else if guard
                        .as_ref()
                        .is_some_and(|g| !self.holds::<NoEvent>(g, None))
                    {
                        self.act(Some(node), skip("guard"));
                    } else if self.capped(channel) {
                        self.act(Some(node), skip("cap"));
                    } else {
                        self.journey.sends_mut().push(self.now, node);
                        self.forget_old_sends();
                        self.act(Some(node), KindRef::Send { channel, template });
                    }
                    *next
                }
                Op::Wait { minutes, .. } | Op::WaitFor { minutes, .. } => {
                    self.journey
                        .set_due(Some(self.now.saturating_add(minutes_to_seconds(*minutes))));
                    return;
                }
                Op::Branch { arms, otherwise } => arms
                    .iter()
                    .find(|arm| self.holds::<NoEvent>(&arm.condition, None))
                    .map_or(*otherwise, |arm| arm.to),
                Op::Split { arms } => {
                    let draw =
                        self.draw(b"split/", &[u64::from(self.journey.entries), node as u64]);
                    let mut total = 0u64;
                    arms.iter()
                        .find(|arm| {
                            total += u64::from(arm.share);
                            draw < total
                        })
                        .or(arms.last())
                        .map_or(node, |arm| arm.to)
                }
                Op::Score { points, next } => {
                    let score = self.customer.score().saturating_add(*points);
                    self.customer.set_score(score);
                    self.act(Some(node), KindRef::Score { points: *points });
                    *next
                }
                Op::Tag { tag, next } => {
                    self.customer.set_tag(tag, true);
                    self.act(Some(node), KindRef::Tag { tag });
                    *next
                }
                Op::Untag { tag, next } => {
                    self.customer.set_tag(tag, false);
                    self.act(Some(node), KindRef::Untag { tag });
                    *next
                }
                Op::Set {
                    attribute,
                    value,
                    next,
                } => {
                    self.customer.set_attribute(attribute, value);
                    self.act(Some(node), KindRef::Set { attribute, value });
                    *next
                }
                Op::Phase { phase, next } => {
                    self.customer.set_phase(phase);
                    self.act(Some(node), KindRef::Phase { phase });
                    *next
                }
                Op::Notify {
                    recipient,
                    message,
                    next,
                } => {
                    self.act(Some(node), KindRef::Notify { recipient, message });
                    *next
                }
                Op::Exit { outcome } => {
                    self.leave(Some(node), outcome);
                    return;
                }
            };
        }
        self.leave(Some(node), "stuck");
    }

    // -- caps, quiet hours, chance -----------------------------------------

    /// The channel of the send at `node`, for counting recent sends.
    fn channel_of(&self, node: usize) -> Option<&'p str> {
        match self.plan.nodes.get(node).map(|n| &n.op) {
            Some(Op::Send { channel, .. }) => Some(channel),
            _ => None,
        }
    }

    /// Whether one more send on `channel` would break a cap.
    fn capped(&self, channel: &str) -> bool {
        self.plan.caps.iter().any(|cap| {
            if cap.channel.as_ref().is_some_and(|c| c != channel) {
                return false;
            }
            let since = self.now.saturating_sub(minutes_to_seconds(cap.per_minutes));
            let count = self
                .journey
                .sent()
                .iter()
                .filter(|(at, node)| {
                    *at > since
                        && cap
                            .channel
                            .as_ref()
                            .is_none_or(|c| self.channel_of(*node as usize) == Some(c.as_str()))
                })
                .count();
            count >= cap.count as usize
        })
    }

    fn forget_old_sends(&mut self) {
        let longest = self
            .plan
            .caps
            .iter()
            .map(|c| c.per_minutes)
            .max()
            .unwrap_or(0);
        let since = self.now.saturating_sub(minutes_to_seconds(longest));
        self.journey.sends_mut().forget_until(since);
    }

    /// When quiet hours are on in the customer's time zone now: the moment
    /// they end, and never later than their length from now: `nurture
    /// check` counts a hold as at most that long (`check/timing.rs`).
    fn quiet_until(&self) -> Option<Seconds> {
        let quiet = self.plan.quiet.as_ref()?;
        // The local minute of the day from the zone's offset alone: most
        // sends fall outside quiet hours, and this is the cheap way to know.
        let offset = i64::from(self.customer.utc_offset(self.now));
        let minute = (self.now.saturating_add(offset).rem_euclid(86_400) / 60) as i32;
        let (from, until) = (i32::from(quiet.from), i32::from(quiet.until));
        let quiet_now = if from <= until {
            minute >= from && minute < until
        } else {
            minute >= from || minute < until
        };
        if !quiet_now {
            return None;
        }
        // The end is `until` today, or tomorrow when that has passed. In a
        // time zone's change of clocks, jiff picks the compatible instant
        // (a missing local time moves forward; a doubled one takes the first).
        let zone = self.customer.time_zone();
        let now = jiff::Timestamp::from_second(self.now)
            .ok()?
            .to_zoned(zone.clone());
        let date = now.date();
        let date = if minute >= until {
            date.tomorrow().ok()?
        } else {
            date
        };
        let end = date
            .at((until / 60) as i8, (until % 60) as i8, 0, 0)
            .to_zoned(zone)
            .ok()?;
        // By the offset of now: the end if the clocks do not change before
        // it, and at most the quiet hours' length away. The night the clocks
        // go back, the zone's `until` comes an hour later than that.
        let left = i64::from((until - minute).rem_euclid(24 * 60));
        let second = self.now.saturating_add(offset).rem_euclid(60);
        let by_offset = self.now.saturating_sub(second).saturating_add(left * 60);
        Some(end.timestamp().as_second().min(by_offset))
    }

    /// A number in 0..10000 fixed by the seed, the program, the customer
    /// and what it is for: `label` and the numbers joined by `/`, hashed as
    /// that text. The same every run, on every machine.
    fn draw(&self, label: &[u8], numbers: &[u64]) -> u64 {
        // FNV-1a, 64 bits, then mixed: tiny, stable, and spreads ids evenly.
        let mut hash = digest_state(self.seed, &self.plan.digest);
        let mut feed = |bytes: &[u8]| {
            for &byte in bytes {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        };
        feed(self.customer.id().as_bytes());
        feed(label);
        for (i, number) in numbers.iter().enumerate() {
            if i > 0 {
                feed(b"/");
            }
            let mut digits = [0u8; 20];
            let mut at = digits.len();
            let mut rest = *number;
            loop {
                at -= 1;
                digits[at] = b'0' + (rest % 10) as u8;
                rest /= 10;
                if rest == 0 {
                    break;
                }
            }
            feed(&digits[at..]);
        }
        // FNV's low bits depend only on the inputs' low bits (the multiply
        // carries upwards), and `% 10_000` reads mostly low bits: mix the
        // high bits down first (SplitMix64's finaliser), or shares drift.
        hash = (hash ^ (hash >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        hash = (hash ^ (hash >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        hash ^= hash >> 31;
        hash % 10_000
    }

    // -- conditions --------------------------------------------------------

    fn holds<E: EventRecord>(&self, cond: &Cond, event: Option<&E>) -> bool {
        match cond {
            Cond::All { all } => all.iter().all(|c| self.holds(c, event)),
            Cond::Any { any } => any.iter().any(|c| self.holds(c, event)),
            Cond::Not { not } => !self.holds(not, event),
            Cond::Consent { channel } => self.customer.consents_to(channel),
            Cond::HasTag { tag } => self.customer.has_tag(tag),
            Cond::Truthy { operand } => {
                matches!(self.operand(operand, event), Some(DatumRef::Bool(true)))
            }
            Cond::Compare { left, op, right } => {
                match (self.operand(left, event), self.operand(right, event)) {
                    (Some(l), Some(r)) => compare(l, *op, r),
                    _ => false,
                }
            }
            Cond::In {
                left,
                negated,
                list,
            } => {
                let Some(value) = self.operand(left, event) else {
                    return *negated;
                };
                let found = list.iter().any(|v| equal(value, value_ref(v)));
                found != *negated
            }
        }
    }

    fn operand<'a, E: EventRecord>(
        &'a self,
        operand: &'a Operand,
        event: Option<&'a E>,
    ) -> Option<DatumRef<'a>> {
        match operand {
            Operand::Value { value } => Some(value_ref(value)),
            Operand::Moment { minutes } => Some(DatumRef::Time(
                self.now.saturating_add(minutes.saturating_mul(60)),
            )),
            Operand::Name { name } => self.named(name, event),
            Operand::Bare { word } => self.named(word, event).or(Some(DatumRef::Text(word))),
        }
    }

    /// An event's property (after `where`), else the customer's attribute.
    fn named<'a, E: EventRecord>(
        &'a self,
        name: &str,
        event: Option<&'a E>,
    ) -> Option<DatumRef<'a>> {
        if let Some(found) = event.and_then(|e| e.property(name)) {
            return Some(found);
        }
        match name {
            "score" => Some(DatumRef::Number(self.customer.score() as f64)),
            "phase" => self.customer.phase().map(DatumRef::Text),
            _ => self.customer.attribute(name),
        }
    }
}

/// FNV-1a's state for `draw` after the seed and the plan's digest: the
/// same for every customer of a run, and 71 bytes of hashing each time, so
/// each thread keeps the last one worked out (compared by content, so it is
/// never another plan's).
fn digest_state(seed: u64, digest: &str) -> u64 {
    const START: u64 = 0xcbf2_9ce4_8422_2325;
    thread_local! {
        static LAST: std::cell::RefCell<(u64, String, u64)> =
            const { std::cell::RefCell::new((0, String::new(), START)) };
    }
    LAST.with_borrow_mut(|(last_seed, last_digest, state)| {
        if *last_seed != seed || last_digest != digest {
            let mut hash = START ^ seed;
            for &byte in digest.as_bytes() {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
            *last_seed = seed;
            last_digest.clear();
            last_digest.push_str(digest);
            *state = hash;
        }
        *state
    })
}

/// The event type of conditions that read no event (guards, branches).
enum NoEvent {}

impl EventRecord for NoEvent {
    fn name(&self) -> &str {
        match *self {}
    }

    fn property(&self, _name: &str) -> Option<DatumRef<'_>> {
        match *self {}
    }
}

fn equal(a: DatumRef, b: DatumRef) -> bool {
    match (a, b) {
        (DatumRef::List(items), DatumRef::Text(t)) => items.iter().any(|item| item == t),
        _ => partial_cmp_datum(a, b) == Some(Ordering::Equal),
    }
}

fn compare(a: DatumRef, op: CompareOp, b: DatumRef) -> bool {
    match op {
        CompareOp::Eq => equal(a, b),
        CompareOp::Ne => !equal(a, b),
        _ => match partial_cmp_datum(a, b) {
            Some(order) => match op {
                CompareOp::Lt => order == Ordering::Less,
                CompareOp::Le => order != Ordering::Greater,
                CompareOp::Gt => order == Ordering::Greater,
                _ => order != Ordering::Less,
            },
            None => false,
        },
    }
}

/// Orders like with like: numbers, texts, times, yes/no. Unlike kinds do
/// not compare (the checker refuses such conditions, N210).
fn partial_cmp_datum(a: DatumRef, b: DatumRef) -> Option<Ordering> {
    match (a, b) {
        (DatumRef::Number(a), DatumRef::Number(b)) => a.partial_cmp(&b),
        (DatumRef::Text(a), DatumRef::Text(b)) => Some(a.cmp(b)),
        (DatumRef::Time(a), DatumRef::Time(b)) => Some(a.cmp(&b)),
        (DatumRef::Bool(a), DatumRef::Bool(b)) => Some(a.cmp(&b)),
        (DatumRef::List(a), DatumRef::List(b)) => Some(a.cmp(b)),
        _ => None,
    }
}

/// One line of a trace: `send email "welcome"`, `exit converted`.
impl std::fmt::Display for KindRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KindRef::Enter { holdout: false } => write!(f, "enter"),
            KindRef::Enter { holdout: true } => write!(f, "enter the holdout (gets nothing)"),
            KindRef::Send { channel, template } => write!(f, "send {channel} {template:?}"),
            KindRef::Skip {
                channel,
                template,
                reason,
            } => {
                let why = match *reason {
                    "no_consent" => "no consent",
                    "cap" => "over a cap",
                    _ => "its condition does not hold",
                };
                write!(f, "skip {channel} {template:?}: {why}")
            }
            KindRef::Defer {
                channel,
                template,
                until,
            } => write!(
                f,
                "hold {channel} {template:?} for quiet hours until {}",
                super::input::show_time(*until)
            ),
            KindRef::Notify { recipient, message } => write!(f, "notify {recipient}: {message:?}"),
            KindRef::Score { points } => write!(f, "score {points:+}"),
            KindRef::Tag { tag } => write!(f, "tag {tag}"),
            KindRef::Untag { tag } => write!(f, "untag {tag}"),
            KindRef::Set { attribute, value } => match value_ref(value) {
                DatumRef::Text(text) => write!(f, "set {attribute} = {text:?}"),
                DatumRef::Number(n) => write!(f, "set {attribute} = {n}"),
                DatumRef::Bool(b) => write!(f, "set {attribute} = {b}"),
                other => write!(f, "set {attribute} = {other:?}"),
            },
            KindRef::Phase { phase } => write!(f, "phase {phase}"),
            KindRef::Exit { outcome } => write!(f, "exit {outcome}"),
        }
    }
}
