//! The interpreter: one transition of one customer's journey through a plan.
//!
//! [`step`] takes the plan, the customer's record, their journey state, the
//! time and what happened — an event, or [`Input::Tick`] when the clock has
//! reached [`Journey::due`] — and returns the new record, the new state and
//! the actions to carry out. Time is an input: the interpreter has no clock,
//! never sleeps and never blocks. docs/runtime.md says what every construct
//! does in time.
//!
//! | file | owns |
//! |---|---|
//! | `mod.rs` | a transition: the rules and goal, the node a customer waits at, a run of nodes |
//! | `action.rs` | the actions, owned and borrowed, and the sink they go to |
//! | `enter.rs` | triggers, the audience and consent gates, the holdout |
//! | `conditions.rs` | whether a condition holds |
//! | `caps.rs` | the recent sends and the caps |
//! | `hold.rs` | quiet hours |
//! | `draw.rs` | the fixed draws of the holdout and `split` |

mod action;
mod caps;
mod conditions;
mod draw;
mod enter;
mod hold;

use super::journey::TriggerData;
pub use super::journey::{Journey, Status};
use super::record::{DatumRef, EventRecord, Record, value_ref};
use super::{Customer, Event, Seconds};
use crate::plan::{Op, Plan, Source};
pub use action::{Action, ActionKind, ActionRef, EntryCheck, Gate, KindRef, Recorder, Sink};
use conditions::NoEvent;
pub use enter::{has_change_trigger, may_act, next_entry_check, starts_on_change};

/// Nodes one transition may run before it gives up: a checked plan waits
/// before this (a loop without a wait is refused by N303 and by
/// `plan::load`, a longer run of statements by N315).
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
    let mut recorder = Recorder::new(plan, actions);
    advance_with(plan, seed, customer, journey, now, input, &mut recorder);
}

impl<'a> Recorder<'a> {
    /// Records `plan`'s actions, keyed with its digest, into `actions`.
    pub fn new(plan: &'a Plan, actions: &'a mut Vec<Action>) -> Self {
        // The first 12 characters; a plan built in code may hold any text.
        let digest = plan.digest.trim_start_matches("sha256:");
        let cut = digest
            .char_indices()
            .nth(12)
            .map_or(digest.len(), |(at, _)| at);
        Recorder {
            digest: &digest[..cut],
            actions,
        }
    }
}

/// How a running journey moved onto another version goes on
/// (`run/migrate.rs`): from a node, as if it had just been reached, or by
/// leaving with an outcome.
pub(in crate::run) enum Resume<'a> {
    At(usize),
    Leave(&'a str),
}

/// Goes on with a journey that is `In`, on `plan`, at `now`, as `resume`
/// says; the actions go to `sink` (a move among several programs goes
/// through the schema's caps: `run/portfolio.rs` `Capped`).
pub(in crate::run) fn resume_with<S: Sink>(
    plan: &Plan,
    seed: u64,
    customer: &mut Customer,
    journey: &mut Journey,
    now: Seconds,
    resume: Resume<'_>,
    sink: &mut S,
) {
    if journey.status != Status::In {
        return;
    }
    let mut run = Run {
        plan,
        seed,
        customer,
        journey,
        now,
        sink,
        pending: None,
    };
    match resume {
        Resume::At(node) => {
            run.journey.set_due(None);
            run.run_from(node);
        }
        Resume::Leave(outcome) => run.leave(None, outcome),
    }
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
        pending: None,
    };
    match run.journey.status {
        Status::In => run.while_in(input),
        Status::Out | Status::Left => run.maybe_enter(input),
    }
}

/// A hand-off: the customer's record changed from `before` to `customer`
/// (a program's `phase` or `tag` statements, or the record replaced from
/// outside), and a customer out of the program whose change a `phase
/// becomes` or `tag added`/`removed` trigger waits for enters, at `now`,
/// through the same gates as every trigger. A journey under way is not
/// disturbed: its conditions read the new record as they run.
pub fn advance_on_change(
    plan: &Plan,
    seed: u64,
    customer: &mut Customer,
    before: &Customer,
    journey: &mut Journey,
    now: Seconds,
    actions: &mut Vec<Action>,
) {
    let mut recorder = Recorder::new(plan, actions);
    advance_on_change_with(plan, seed, customer, before, journey, now, &mut recorder);
}

/// [`advance_on_change`] for any record and sink.
pub fn advance_on_change_with<R: Record, B: Record + ?Sized, S: Sink>(
    plan: &Plan,
    seed: u64,
    customer: &mut R,
    before: &B,
    journey: &mut Journey,
    now: Seconds,
    sink: &mut S,
) {
    if journey.status == Status::In {
        return;
    }
    let mut run = Run {
        plan,
        seed,
        customer,
        journey,
        now,
        sink,
        pending: None,
    };
    run.maybe_enter_on_change(before);
}

/// Whether `event` is the plan's goal event and meets the goal's
/// condition (the window is the caller's to check). The simulator asks it
/// of every event in a journey's goal window, after the journey too, so
/// that treated customers and the holdout are measured alike. `journey`
/// is only read (for `trigger.PROPERTY` in the goal's condition).
pub fn is_goal<R: Record, E: EventRecord>(
    plan: &Plan,
    customer: &mut R,
    journey: &mut Journey,
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
    let run = Run {
        plan,
        seed: 0,
        customer,
        journey,
        now,
        sink: &mut Discard,
        pending: None,
    };
    run.holds(condition, Some(event))
}

/// A sink for questions that take no action.
struct Discard;

impl Sink for Discard {
    fn act(&mut self, _action: ActionRef<'_>) {}
}

pub(crate) fn minutes_to_seconds(minutes: u64) -> Seconds {
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
    /// While deciding whether a customer enters: the data of the event
    /// that would start the journey, which `trigger.PROPERTY` reads before
    /// the journey keeps it.
    pending: Option<TriggerData>,
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

    /// When the journey must end (`ends after`), if it must.
    fn deadline(&self) -> Option<Seconds> {
        let ends = self.plan.ends.as_ref()?;
        Some(
            self.journey
                .entered_at
                .saturating_add(minutes_to_seconds(ends.minutes)),
        )
    }

    /// The customer waits until `at`, or until the deadline if that comes
    /// first: a runtime ticks at the deadline whatever the customer waits
    /// for.
    fn wait_until(&mut self, at: Seconds) {
        let at = self.deadline().map_or(at, |deadline| at.min(deadline));
        self.journey.set_due(Some(at));
    }

    // -- entering ----------------------------------------------------------

    // -- while in the program ------------------------------------------------

    fn while_in<E: EventRecord>(&mut self, input: Input<E>) {
        // The deadline before anything else: at the deadline's second, a
        // tick or an event finds the journey over.
        if self.deadline().is_some_and(|deadline| self.now >= deadline) {
            let plan = self.plan;
            let outcome = match &plan.ends {
                // The control group ends as itself, to be compared.
                _ if self.journey.holdout => "holdout",
                Some(ends) => ends.outcome.as_str(),
                None => "ended",
            };
            self.leave(None, outcome);
            return;
        }
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
        // The interrupts, after the rules and the goal and before the arms
        // of the wait: the first whose event and condition match moves the
        // customer on, whatever they wait for, with the event as the answer.
        if let Input::Event(event) = input {
            let plan = self.plan;
            let node = self.journey.node();
            let interrupt = plan.interrupts.iter().find(|interrupt| {
                interrupt.event == event.name()
                    && interrupt.not_at.binary_search(&node).is_err()
                    && interrupt
                        .condition
                        .as_ref()
                        .is_none_or(|c| self.holds(c, Some(event)))
            });
            if let Some(interrupt) = interrupt {
                let to = interrupt.to;
                self.journey.set_due(None);
                self.run_on(to, false, Some(event));
                return;
            }
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
                    self.run_on(to, false, Some(event));
                }
            }
            (Op::WaitFor { timeout, .. }, Input::Tick) if due => {
                let to = *timeout;
                self.journey.set_due(None);
                self.run_from(to);
            }
            (Op::Wait { next, .. } | Op::WaitUntil { next, .. }, Input::Tick) if due => {
                let to = *next;
                self.journey.set_due(None);
                self.run_from(to);
            }
            // A send held back by quiet hours goes on, and what follows it
            // in the same run is not held again.
            (Op::Send { .. }, Input::Tick) if due => {
                self.journey.set_due(None);
                self.run_on::<NoEvent>(node, true, None);
            }
            _ => {}
        }
    }

    /// A send as it goes out: the first of its channels the customer agreed
    /// to (or that needs no consent) whose caps have room, decided now,
    /// after any hold. A skip names the first channel when none is agreed
    /// to, else the first agreed one (its condition, or every agreed
    /// channel's cap, stopped it).
    fn send(
        &mut self,
        node: usize,
        first: (&'p str, &'p str),
        fallback: &'p [crate::plan::fallback::Choice],
        guard: Option<&'p crate::plan::Cond>,
    ) {
        let Some((agreed, (channel, template))) = self.first_agreed(first, fallback, 0) else {
            let (channel, template) = first;
            self.act(
                Some(node),
                KindRef::Skip {
                    channel,
                    template,
                    reason: "no_consent",
                },
            );
            return;
        };
        let skip = |reason| KindRef::Skip {
            channel,
            template,
            reason,
        };
        if guard.is_some_and(|g| !self.holds::<NoEvent>(g, None)) {
            self.act(Some(node), skip("guard"));
            return;
        }
        // A channel whose cap is full, the program's own or the schema's
        // across programs (the sink's), falls through to the next.
        let mut open = self.first_agreed(first, fallback, agreed);
        while let Some((choice, (channel, _))) = open {
            if !self.capped(channel) && !self.sink.capped(channel, self.now) {
                break;
            }
            open = self.first_agreed(first, fallback, choice + 1);
        }
        match open {
            Some((choice, (channel, template))) => {
                self.journey
                    .sends_mut()
                    .push_code(self.now, crate::plan::fallback::send_code(node, choice));
                self.forget_old_sends();
                self.act(Some(node), KindRef::Send { channel, template });
            }
            None => self.act(Some(node), skip("cap")),
        }
    }

    /// The first of a send's channels from choice `from` on (its own is
    /// choice 0, then its fallbacks in order) that the customer agreed to,
    /// or that needs no consent, with its choice: the one a send goes out
    /// on, or, held, the one it would go out on now. One rule for the send
    /// and the hold, so the two cannot name different channels. (A
    /// function of `self` rather than an iterator borrowing it, since the
    /// send acts between two looks.)
    fn first_agreed(
        &self,
        first: (&'p str, &'p str),
        fallback: &'p [crate::plan::fallback::Choice],
        from: usize,
    ) -> Option<(usize, (&'p str, &'p str))> {
        std::iter::once(first)
            .chain(
                fallback
                    .iter()
                    .map(|c| (c.channel.as_str(), c.template.as_str())),
            )
            .enumerate()
            .skip(from)
            .find(|(_, (channel, _))| self.may_send_on(channel))
    }

    /// Whether the customer has agreed to `channel`, or it needs no consent.
    fn may_send_on(&self, channel: &str) -> bool {
        self.plan.no_consent_needed.iter().any(|c| c == channel)
            || self.customer.consents_to(channel)
    }

    /// Runs nodes from `node` until the customer has to wait or leaves.
    fn run_from(&mut self, node: usize) {
        self.run_on::<NoEvent>(node, false, None);
    }

    /// [`Run::run_from`]; `released` when quiet hours held this run back
    /// and have ended: the run is held at most once (so no run is held for
    /// longer than quiet hours last, even the night the clocks go back).
    /// `answer` is the event that started the run, if one did: what
    /// `set … = answer.PROPERTY` reads.
    fn run_on<E: EventRecord>(&mut self, node: usize, released: bool, answer: Option<&E>) {
        let plan = self.plan;
        let mut node = node;
        // A run that visits no node twice visits each at most once; one
        // more means a loop that never waits (a plan built without
        // `plan::load`), and the customer leaves as `stuck` after going
        // round once rather than after ten thousand actions.
        for _ in 0..plan.nodes.len().min(MAX_NODES_PER_STEP) + 1 {
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
                    fallback,
                    guard,
                    next,
                } => {
                    if let Some(until) = self.hold_until().filter(|_| !released) {
                        if self.journey.due().is_none() {
                            // A fallback names the channel it would go out
                            // on now, the first agreed to; it chooses
                            // again as it goes out.
                            let first = (channel.as_str(), template.as_str());
                            let (channel, template) = self
                                .first_agreed(first, fallback, 0)
                                .map_or(first, |(_, choice)| choice);
                            self.act(
                                Some(node),
                                KindRef::Defer {
                                    channel,
                                    template,
                                    until,
                                },
                            );
                        }
                        self.wait_until(until);
                        return;
                    }
                    self.send(node, (channel, template), fallback, guard.as_ref());
                    *next
                }
                Op::Wait { minutes, .. } | Op::WaitFor { minutes, .. } => {
                    self.wait_until(self.now.saturating_add(minutes_to_seconds(*minutes)));
                    return;
                }
                Op::WaitUntil { minutes, next } => {
                    let at = self
                        .journey
                        .entered_at
                        .saturating_add(minutes_to_seconds(*minutes));
                    if at <= self.now {
                        *next
                    } else {
                        self.wait_until(at);
                        return;
                    }
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
                    let value = value_ref(value);
                    self.customer.set_attribute(attribute, value);
                    self.act(Some(node), KindRef::Set { attribute, value });
                    *next
                }
                Op::SetFrom {
                    attribute,
                    from,
                    property,
                    next,
                } => {
                    // Owned: the value is read from the journey or the
                    // event, and the record and the sink are written.
                    let value = match from {
                        Source::Trigger => self.journey.trigger_data(property),
                        Source::Answer => answer.and_then(|event| event.property(property)),
                    }
                    .map(DatumRef::to_owned);
                    if let Some(value) = &value {
                        let value = value.as_ref();
                        self.customer.set_attribute(attribute, value);
                        self.act(Some(node), KindRef::Set { attribute, value });
                    }
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
}
