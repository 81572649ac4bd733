//! One customer through one program, from the start of the simulation to
//! its end, with the behaviour model answering every message.
//!
//! The customer's own timeline holds three kinds of moments: the journey's
//! due timer (or, while out, the next date or inactivity trigger), the
//! events the model has the customer do (answers to messages and things done
//! anyway), and the start. The earliest goes next; at equal times the timer
//! goes first, as in `nurture replay`.

use super::behavior::{Behavior, Pace};
use super::draw::Draws;
use super::setup::Setup;
use super::tally::{Journal, Tally};
use super::zone::{Span, Zone};
use crate::run::compact::Compact;
use crate::run::record::{DatumRef, EventRecord, Record};
use crate::run::{
    ActionRef, Customer, Datum, EntryCheck, Gate, Input, Journey, KindRef, Seconds, Sink, Status,
    advance_with, is_goal, next_entry_check,
};
use jiff::tz::TimeZone;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// The draw streams: the background is the same for every program, so two
/// versions of a program meet the same customers doing the same things.
const BACKGROUND_STREAM: u64 = 0;

/// What the simulator asks of a record besides what the interpreter does:
/// the plain [`Customer`] (traces, sample histories) and the compact record
/// of a run ([`Compact`]) both answer.
pub trait Simulated: Record {
    fn in_segment(&self, segment: &str) -> bool;
    /// After the customer did `event` at `at` (answering a message on
    /// `answers`): its new last time, for inactivity triggers, and an
    /// unsubscribe withdraws the consent to that channel.
    fn remember(&mut self, event: &str, answers: Option<&str>, at: Seconds);
    /// Score, phase and tags, for a trace.
    fn state(&self) -> (i64, Option<String>, Vec<String>);
}

impl Simulated for Customer {
    fn in_segment(&self, segment: &str) -> bool {
        self.segments.contains(segment)
    }

    fn remember(&mut self, event: &str, answers: Option<&str>, at: Seconds) {
        match self.last_event_at.get_mut(event) {
            Some(time) => *time = at,
            None => {
                self.last_event_at.insert(event.to_string(), at);
            }
        }
        if event == "unsubscribe"
            && let Some(channel) = answers
        {
            self.consents.remove(channel);
        }
    }

    fn state(&self) -> (i64, Option<String>, Vec<String>) {
        (
            self.score,
            self.phase.clone(),
            self.tags.iter().cloned().collect(),
        )
    }
}

impl Simulated for Compact<'_> {
    fn in_segment(&self, segment: &str) -> bool {
        Compact::in_segment(self, segment)
    }

    fn remember(&mut self, event: &str, answers: Option<&str>, at: Seconds) {
        Compact::remember(self, event, answers, at)
    }

    fn state(&self) -> (i64, Option<String>, Vec<String>) {
        (
            self.score,
            Record::phase(self).map(str::to_string),
            self.tag_names().map(str::to_string).collect(),
        )
    }
}

/// The customer as the interpreter sees them in a simulation: their record
/// and their time zone, resolved once.
pub struct Subject<R = Customer> {
    pub customer: R,
    pub zone: Zone,
    /// The last span of one UTC offset used: a customer's sends mostly fall
    /// in the same span, and this spares even the zone's shared list.
    offset: std::cell::Cell<Span>,
}

impl<R> Subject<R> {
    pub fn new(customer: R, zone: Zone) -> Self {
        Subject {
            customer,
            zone,
            offset: std::cell::Cell::new(Span {
                from: 0,
                until: 0,
                offset: 0,
            }),
        }
    }
}

impl<R> Subject<R> {
    /// For a record of another customer: the offset last used is theirs.
    pub fn forget_offset(&mut self) {
        self.offset.set(Span {
            from: 0,
            until: 0,
            offset: 0,
        });
    }
}

impl<R: Record> Record for Subject<R> {
    fn id(&self) -> &str {
        self.customer.id()
    }
    fn time_zone(&self) -> TimeZone {
        self.zone.time_zone().clone()
    }
    fn utc_offset(&self, at: Seconds) -> i32 {
        let last = self.offset.get();
        if last.holds(at) {
            return last.offset;
        }
        let span = self.zone.span(at);
        self.offset.set(span);
        span.offset
    }
    fn consents_to(&self, channel: &str) -> bool {
        self.customer.consents_to(channel)
    }
    fn has_tag(&self, tag: &str) -> bool {
        self.customer.has_tag(tag)
    }
    fn set_tag(&mut self, tag: &str, on: bool) {
        self.customer.set_tag(tag, on)
    }
    fn score(&self) -> i64 {
        self.customer.score()
    }
    fn set_score(&mut self, score: i64) {
        self.customer.set_score(score)
    }
    fn phase(&self) -> Option<&str> {
        self.customer.phase()
    }
    fn set_phase(&mut self, phase: &str) {
        self.customer.set_phase(phase)
    }
    fn attribute(&self, name: &str) -> Option<DatumRef<'_>> {
        self.customer.attribute(name)
    }
    fn set_attribute(&mut self, name: &str, value: DatumRef<'_>) {
        self.customer.set_attribute(name, value)
    }
    fn last_event_at(&self, event: &str) -> Option<Seconds> {
        self.customer.last_event_at(event)
    }
}

/// An event the model has a customer do.
#[derive(Clone, Copy)]
pub struct SimEvent<'m> {
    pub name: &'m str,
    pub properties: &'m [(String, Datum)],
    /// The channel of the message it answers: an `unsubscribe` withdraws
    /// the consent to it.
    pub answers: Option<&'m str>,
}

impl EventRecord for SimEvent<'_> {
    fn name(&self) -> &str {
        self.name
    }
    fn property(&self, name: &str) -> Option<DatumRef<'_>> {
        self.properties
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, d)| d.as_ref())
    }
}

/// What the simulation of one customer needs besides the customer: kept
/// per thread and reused, so a customer costs no allocation in the common
/// case.
pub struct Scratch<'m> {
    pub(super) events: Vec<SimEvent<'m>>,
    /// (time, order of scheduling, index into `events`).
    pub(super) pending: BinaryHeap<Reverse<(Seconds, u32, u32)>>,
    /// Which of the model's segment tables apply to this customer.
    pub(super) in_segment: Vec<bool>,
    /// When each response to the message being answered happened.
    pub(super) happened: Vec<Option<Seconds>>,
    pub(super) journey: Journey,
}

impl Scratch<'_> {
    pub fn new() -> Self {
        Scratch {
            events: Vec::new(),
            pending: BinaryHeap::new(),
            in_segment: Vec::new(),
            happened: Vec::new(),
            journey: Journey::default(),
        }
    }
}

impl Scratch<'_> {
    /// Ready for a new customer: no events yet, and which of the model's
    /// segment tables are theirs.
    pub(super) fn start<R: Simulated>(&mut self, model: &Behavior, customer: &R) {
        self.events.clear();
        self.pending.clear();
        self.in_segment.clear();
        self.in_segment.extend(
            model
                .segments
                .iter()
                .map(|(segment, _, _)| customer.in_segment(segment)),
        );
    }
}

impl Default for Scratch<'_> {
    fn default() -> Self {
        Self::new()
    }
}

/// One moment of a traced customer's journey.
#[derive(Clone, Debug, PartialEq)]
pub enum TraceLine {
    /// Something the customer did, with the properties it carried.
    Event {
        at: Seconds,
        name: String,
        /// The channel of the message it answers; `None` for what the
        /// customer did anyway.
        answers: Option<String>,
        properties: Vec<(String, Datum)>,
    },
    /// An action of the program; `send` is (channel, template) for a send.
    Action {
        at: Seconds,
        what: String,
        send: Option<(String, String)>,
        /// A send held for quiet hours or outside its send window: until when. Kept as a time, not in
        /// `what`, so a report shows it in the zone it shows the rest in.
        held_until: Option<Seconds>,
    },
    /// The customer reached a step.
    Step { at: Seconds, name: String },
    /// The record after a transition that did something.
    State {
        at: Seconds,
        score: i64,
        phase: Option<String>,
        tags: Vec<String>,
    },
}

impl TraceLine {
    pub fn at(&self) -> Seconds {
        match self {
            TraceLine::Event { at, .. }
            | TraceLine::Action { at, .. }
            | TraceLine::Step { at, .. }
            | TraceLine::State { at, .. } => *at,
        }
    }
}

/// The most events simulated for one customer in one program (answers and
/// background together): a model or program that has a customer do more
/// is cut short there, and the report counts the customers it happened to.
pub const MAX_EVENTS: usize = 10_000;

/// How far a customer got through the entry, over the whole simulation.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct EntrySeen {
    pub(super) triggers: u64,
    pub(super) audience: bool,
    pub(super) entered: bool,
}

/// The simulated period, in seconds since 1970.
#[derive(Clone, Copy, Debug)]
pub struct Window {
    pub start: Seconds,
    pub end: Seconds,
}

/// Runs `subject` through `setup`'s program for the whole window.
#[allow(clippy::too_many_arguments)]
pub fn simulate_one<'m, R: Simulated>(
    setup: &'m Setup<'m>,
    model: &'m Behavior,
    seed: u64,
    window: Window,
    program_index: usize,
    subject: &mut Subject<R>,
    scratch: &mut Scratch<'m>,
    tally: &mut Tally,
    mut trace: Option<&mut Vec<TraceLine>>,
) {
    let plan = setup.plan;
    scratch.start(model, &subject.customer);
    scratch.journey.reset();
    let mut order = 0u32;
    let mut capped = background(model, seed, window, subject, scratch, &mut order);
    let mut entry = EntrySeen::default();

    let mut draws = Draws::new(seed, subject.id(), 1 + program_index as u64);
    let mut journal = Journal::default();
    tally.customers += 1;

    // The start: a customer already inactive long enough enters now.
    let mut now = window.start;
    let mut input_event: Option<u32> = None;
    loop {
        let mut sink = Observer {
            setup,
            model,
            tally,
            journal: &mut journal,
            events: &mut scratch.events,
            pending: &mut scratch.pending,
            in_segment: &scratch.in_segment,
            draws: &mut draws,
            order: &mut order,
            happened: &mut scratch.happened,
            capped: &mut capped,
            entry: &mut entry,
            offset: if trace.is_some() {
                subject.customer.utc_offset(now)
            } else {
                0
            },
            trace: trace.as_deref_mut(),
            start: window.start,
            now,
        };
        let traced = sink.trace.as_deref().map_or(0, Vec::len);
        let before = (scratch.journey.status, scratch.journey.node());
        match input_event {
            Some(index) => {
                let event = sink.events[index as usize];
                sink.journal.goal_or_rule = false;
                if sink.journal.goal_until.is_some_and(|until| now <= until)
                    && is_goal(plan, subject, &mut scratch.journey, &event, now)
                {
                    sink.tally.reached_goal(sink.journal, now);
                    sink.journal.goal_until = None;
                }
                if let Some(trace) = sink.trace.as_deref_mut() {
                    trace.push(TraceLine::Event {
                        at: now,
                        name: event.name.to_string(),
                        answers: event.answers.map(str::to_string),
                        properties: event.properties.to_vec(),
                    });
                }
                advance_with(
                    plan,
                    seed,
                    subject,
                    &mut scratch.journey,
                    now,
                    Input::Event(&event),
                    &mut sink,
                );
                sink.answered(before, &scratch.journey);
                subject.customer.remember(event.name, event.answers, now);
            }
            None => advance_with::<_, SimEvent, _>(
                plan,
                seed,
                subject,
                &mut scratch.journey,
                now,
                Input::Tick,
                &mut sink,
            ),
        }
        tally.transitions += 1;
        if let Some(trace) = trace.as_deref_mut() {
            // The record after a transition that did something.
            let acted = trace
                .iter()
                .skip(traced)
                .any(|line| !matches!(line, TraceLine::Event { .. }));
            if acted {
                let (score, phase, tags) = subject.customer.state();
                trace.push(TraceLine::State {
                    at: now,
                    score,
                    phase,
                    tags,
                });
            }
        }

        let tick = match scratch.journey.status {
            Status::In => scratch.journey.due().filter(|&due| due > now),
            Status::Out | Status::Left => next_entry_check(plan, subject, now),
        };
        let event = scratch.pending.peek().map(|Reverse((at, _, _))| *at);
        let next = match (tick, event) {
            (Some(t), Some(e)) if t <= e => (t, None),
            (_, Some(_)) => match scratch.pending.pop() {
                Some(Reverse((at, _, index))) => (at, Some(index)),
                None => break,
            },
            (Some(t), None) => (t, None),
            (None, None) => break,
        };
        if next.0 > window.end {
            break;
        }
        now = next.0;
        input_event = next.1;
    }
    if scratch.journey.status == Status::In {
        tally.still_in(&journal, scratch.journey.holdout);
    }
    tally.entry_seen(entry.triggers, entry.audience, entry.entered);
    if capped {
        tally.capped += 1;
    }
}

/// Schedules what the customer does anyway, for the whole window; true
/// when that reached [`MAX_EVENTS`] and was cut short.
pub(super) fn background<'m, R: Record>(
    model: &'m Behavior,
    seed: u64,
    window: Window,
    subject: &Subject<R>,
    scratch: &mut Scratch<'m>,
    order: &mut u32,
) -> bool {
    if model.background.is_empty() {
        return false;
    }
    let mut draws = Draws::new(seed, subject.id(), BACKGROUND_STREAM);
    for activity in &model.background {
        let event = SimEvent {
            name: &activity.event,
            properties: &activity.properties,
            answers: None,
        };
        match activity.pace {
            Pace::Recurring { rate, per } => {
                if rate <= 0.0 {
                    continue;
                }
                let mean = per / rate;
                let mut at = window.start;
                loop {
                    at = at.saturating_add(draws.exponential(mean).max(1));
                    if at > window.end {
                        break;
                    }
                    if scratch.events.len() >= MAX_EVENTS {
                        return true;
                    }
                    schedule(scratch, event, at, order);
                }
            }
            Pace::Once { chance, within } => {
                let happens = draws.chance(chance);
                let offset = (draws.uniform() * within) as i64;
                if happens {
                    if scratch.events.len() >= MAX_EVENTS {
                        return true;
                    }
                    schedule(scratch, event, window.start.saturating_add(offset), order);
                }
            }
        }
    }
    false
}

fn schedule<'m>(scratch: &mut Scratch<'m>, event: SimEvent<'m>, at: Seconds, order: &mut u32) {
    scratch.events.push(event);
    scratch
        .pending
        .push(Reverse((at, *order, scratch.events.len() as u32 - 1)));
    *order += 1;
}

/// The sink: counts what the interpreter does, and has the model answer
/// every message sent.
pub(super) struct Observer<'x, 'm> {
    pub(super) setup: &'m Setup<'m>,
    pub(super) model: &'m Behavior,
    pub(super) tally: &'x mut Tally,
    pub(super) journal: &'x mut Journal,
    pub(super) events: &'x mut Vec<SimEvent<'m>>,
    pub(super) pending: &'x mut BinaryHeap<Reverse<(Seconds, u32, u32)>>,
    pub(super) in_segment: &'x [bool],
    pub(super) draws: &'x mut Draws,
    pub(super) order: &'x mut u32,
    pub(super) happened: &'x mut Vec<Option<Seconds>>,
    pub(super) capped: &'x mut bool,
    pub(super) entry: &'x mut EntrySeen,
    pub(super) trace: Option<&'x mut Vec<TraceLine>>,
    /// The customer's offset from UTC now, when tracing: a held send says
    /// what held it (quiet hours or its send window) at the local time.
    pub(super) offset: i32,
    /// The start of the simulation, for messages per day.
    pub(super) start: Seconds,
    pub(super) now: Seconds,
}

impl Observer<'_, '_> {
    /// After an event: if it moved the customer on from a wait by one of
    /// the wait's arms, that step's customer answered.
    pub(super) fn answered(&mut self, before: (Status, usize), after: &Journey) {
        if before.0 != Status::In || after.holdout || self.journal.goal_or_rule {
            return;
        }
        let moved = after.status != Status::In || after.node() != before.1;
        if moved && self.setup.is_wait_for(before.1) {
            self.tally.answered(self.setup.step_of(before.1));
        }
    }

    /// The behaviour model's answers to the message `node` sent on
    /// `channel` (for a send with `or`, the channel it went out on).
    fn answer(&mut self, at: Seconds, node: usize, channel: &str) {
        let Some(send) = self
            .setup
            .sends
            .get(node)
            .and_then(|choices| choices.iter().find(|s| s.channel == channel))
        else {
            return;
        };
        let choice = send
            .by_segment
            .iter()
            .find(|(entry, _)| self.in_segment.get(*entry).copied().unwrap_or(false))
            .map_or(&send.responses, |(_, responses)| responses);
        // When each response of this message happened, if it did.
        let happened = &mut *self.happened;
        happened.clear();
        happened.resize(choice.len(), None);
        for (i, planned) in choice.iter().enumerate() {
            let from = match planned.given {
                Some(g) => match happened.get(g).copied().flatten() {
                    Some(t) => t,
                    None => continue,
                },
                None => at,
            };
            let response = &self.model.tables[planned.table].responses[planned.response];
            if !self.draws.chance(response.chance) {
                continue;
            }
            let when = from.saturating_add(self.draws.delay(response.delay));
            happened[i] = Some(when);
            if self.events.len() >= MAX_EVENTS {
                *self.capped = true;
                continue;
            }
            self.events.push(SimEvent {
                name: &response.event,
                properties: &response.properties,
                answers: Some(send.channel),
            });
            self.pending
                .push(Reverse((when, *self.order, self.events.len() as u32 - 1)));
            *self.order += 1;
        }
    }
}

impl Sink for Observer<'_, '_> {
    const ENTRY_CHECKS: bool = true;

    fn entry(&mut self, check: EntryCheck) {
        let seen = &mut *self.entry;
        seen.triggers |= check.triggers;
        match check.gate {
            Gate::Audience => {}
            Gate::Consent => seen.audience = true,
            Gate::Entered => {
                seen.audience = true;
                seen.entered = true;
            }
        }
    }

    fn act(&mut self, action: ActionRef<'_>) {
        if let Some(trace) = self.trace.as_deref_mut() {
            let send = match action.kind {
                KindRef::Send { channel, template } => {
                    Some((channel.to_string(), template.to_string()))
                }
                _ => None,
            };
            let (what, held_until) = match action.kind {
                KindRef::Defer {
                    channel,
                    template,
                    until,
                } => {
                    let plan = self.setup.plan;
                    let local = action.at.saturating_add(i64::from(self.offset));
                    let week = crate::plan::window::minute_of_week(local);
                    let why =
                        crate::plan::window::held_by(&plan.windows, plan.quiet.as_ref(), week)
                            // Never `None` for a send the interpreter held
                            // (the same rule at the same minute); if it were,
                            // the plan's own rule is named.
                            .unwrap_or(if plan.windows.is_empty() {
                                "for quiet hours"
                            } else {
                                "outside its send window"
                            });
                    (format!("hold {channel} {template:?} {why}"), Some(until))
                }
                _ => (action.kind.to_string(), None),
            };
            trace.push(TraceLine::Action {
                at: action.at,
                what,
                send,
                held_until,
            });
        }
        match action.kind {
            KindRef::Enter { holdout } => {
                let window = self.setup.plan.goal.as_ref().map(|goal| {
                    action
                        .at
                        .saturating_add((goal.within_minutes as i64).saturating_mul(60))
                });
                *self.journal = Journal {
                    entered_at: action.at,
                    holdout,
                    goal_until: window,
                    ..Journal::default()
                };
                self.tally.entered(holdout);
            }
            KindRef::Send { channel: name, .. } => {
                self.journal.messages += 1;
                let step = action.node.and_then(|n| self.setup.step_of(n));
                let channel = self.setup.channel_index(name);
                self.tally.sent(step, channel);
                if let Some(channel) = channel {
                    let day = (action.at - self.start).max(0) / 86_400;
                    self.tally
                        .sent_on(day as usize, channel, self.setup.channels.len());
                }
                if let Some(node) = action.node {
                    self.answer(action.at, node, name);
                }
            }
            KindRef::Skip { reason, .. } => self.tally.skipped(reason),
            KindRef::Defer { .. } => self.tally.deferred += 1,
            KindRef::Exit { outcome } => {
                if action.node.is_none() {
                    self.journal.goal_or_rule = true;
                }
                let by_node = action.node.is_some();
                self.tally.left(self.setup, self.journal, outcome, by_node);
            }
            _ => {}
        }
        self.tally.actions += 1;
    }

    fn visit(&mut self, node: usize) {
        let step = self.setup.step_of(node);
        if step.is_some() && step != self.journal.step {
            if let (Some(trace), Some(name)) = (
                self.trace.as_deref_mut(),
                step.and_then(|s| self.setup.steps.get(s)),
            ) {
                trace.push(TraceLine::Step {
                    at: self.now,
                    name: name.clone(),
                });
            }
            self.tally.moved(self.journal.step, step);
            self.journal.step = step;
        }
    }
}
