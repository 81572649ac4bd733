//! One customer through every program of a portfolio at once (`nurture
//! simulate programs/`), with the behaviour model answering every message:
//! one record shared by all programs, and the rules of programs run
//! together that replay and serve keep (`run/portfolio.rs`): the line-up
//! order, the schema's caps (one shared [`Capped`] policy), groups
//! ([`held_by_group`]) and hand-offs ([`Round`], bounded by
//! [`MAX_HAND_OFFS_AT_ONCE`](crate::run::portfolio::MAX_HAND_OFFS_AT_ONCE)).
//!
//! The customer's timeline holds, as for one program (`engine.rs`), the
//! programs' due timers (or, while out, their next date or inactivity
//! trigger), the events the model has the customer do, and the start. The
//! earliest goes next. At equal times a timer goes before an event, and
//! timers due at the same moment fire in line-up order. An event is offered
//! to every program in line-up order, then remembered on the record (its
//! last time, an unsubscribe's consent). A change of the phase or tags by a
//! program starts the programs whose hand-off trigger waits for it, in the
//! same moment, after the input has been offered to every program, in the
//! order the changes were made.
//!
//! Each program keeps its own draws (the stream it has when simulated
//! alone), its journal and its counts; the background activity is drawn
//! once and seen by every program.

use super::behavior::Behavior;
use super::draw::Draws;
use super::engine::{
    EntrySeen, Observer, Scratch, SimEvent, Simulated, Subject, TraceLine, Window, background,
};
use super::setup::Setup;
use super::tally::{Journal, Tally};
use crate::plan::{Cap, Plan};
use crate::run::interpret::has_change_trigger;
use crate::run::interpret::{ActionRef, EntryCheck, KindRef};
use crate::run::portfolio::{Capped, Round, forget_old_sends, held_by_group, order};
use crate::run::{
    Input, Journey, Seconds, Sink, Status, advance_on_change_with, advance_with, is_goal,
    next_entry_check, starts_on_change,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;

/// Seconds in the week of the portfolio's figures (any 7 days in a row).
pub const WEEK: Seconds = 7 * 86_400;

/// The programs of a portfolio in the order they take an input, with the
/// schema's caps: what every customer is simulated through together.
pub struct Lineup<'s, 'm> {
    /// Every program, in the order of the report (file order).
    setups: &'s [Setup<'m>],
    /// Line-up position → index into `setups`.
    order: Vec<usize>,
    /// The plans in line-up order.
    plans: Vec<&'m Plan>,
    caps: Vec<Cap>,
    hand_offs: bool,
    groups: bool,
}

impl<'s, 'm> Lineup<'s, 'm> {
    pub fn new(setups: &'s [Setup<'m>], caps: Vec<Cap>) -> Self {
        let all: Vec<&'m Plan> = setups.iter().map(|s| s.plan).collect();
        let order = order(&all);
        let plans: Vec<&'m Plan> = order.iter().map(|&i| all[i]).collect();
        Lineup {
            setups,
            hand_offs: plans.iter().any(|p| has_change_trigger(p)),
            groups: plans.iter().any(|p| p.group.is_some()),
            order,
            plans,
            caps,
        }
    }

    /// The programs' names in line-up order.
    pub fn names(&self) -> Vec<&str> {
        self.plans.iter().map(|p| p.program.as_str()).collect()
    }
}

/// The counts of a portfolio run that no one program has: messages per
/// customer per week, across every program. Whole numbers, added up
/// across threads and shards.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WeekTally {
    pub customers: u64,
    /// Messages sent to them by every program together.
    pub messages: u64,
    /// busiest[n]: customers whose busiest 7 days held n messages.
    pub busiest: Vec<u64>,
}

impl WeekTally {
    pub fn merge(&mut self, other: &WeekTally) {
        self.customers += other.customers;
        self.messages += other.messages;
        if self.busiest.len() < other.busiest.len() {
            self.busiest.resize(other.busiest.len(), 0);
        }
        for (mine, theirs) in self.busiest.iter_mut().zip(&other.busiest) {
            *mine += theirs;
        }
    }

    /// One customer, sent messages at `sends` (any order).
    fn customer(&mut self, sends: &mut [Seconds]) {
        self.customers += 1;
        self.messages += sends.len() as u64;
        let most = busiest(sends);
        if self.busiest.len() <= most {
            self.busiest.resize(most + 1, 0);
        }
        self.busiest[most] += 1;
    }
}

/// The most of `sends` within any 7 days in a row (a half-open stretch of
/// [`WEEK`] seconds, as a cap counts them). Sorts `sends`.
pub fn busiest(sends: &mut [Seconds]) -> usize {
    sends.sort_unstable();
    let mut most = 0;
    let mut from = 0;
    for to in 0..sends.len() {
        while sends[to].saturating_sub(sends[from]) >= WEEK {
            from += 1;
        }
        most = most.max(to + 1 - from);
    }
    most
}

/// The most messages one customer can get in any 7 days from all
/// `programs` together: what `nurture check` proves they can send within 7
/// days (`check::portfolio::most_within_minutes`), and no more than each of
/// the schema's `caps` on all messages lets through in 7 days (`N ×
/// ⌈7d / per⌉`); `None` when neither bounds it.
pub fn proved_week_bound(
    schema: Option<&crate::syntax::ast::Schema>,
    programs: &[&crate::syntax::ast::Program],
    caps: &[Cap],
) -> Option<u64> {
    const WEEK_MINUTES: u64 = 7 * 24 * 60;
    let proved = schema.and_then(|schema| {
        let members: Vec<crate::check::portfolio::Member> = programs
            .iter()
            .map(|&program| crate::check::portfolio::Member { program })
            .collect();
        crate::check::portfolio::most_within_minutes(schema, &members, WEEK_MINUTES)
    });
    let capped = caps
        .iter()
        .filter(|cap| cap.channel.is_none() && cap.per_minutes > 0)
        .map(|cap| u64::from(cap.count).saturating_mul(WEEK_MINUTES.div_ceil(cap.per_minutes)))
        .min();
    match (proved, capped) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// What a portfolio run did for one customer, for a test to replay: the
/// events the model had them do and every send, in order.
#[derive(Clone, Debug, PartialEq)]
pub enum Logged {
    Event {
        at: Seconds,
        name: String,
        properties: Vec<(String, crate::run::Datum)>,
    },
    /// `program` by name.
    Send {
        at: Seconds,
        program: String,
        channel: String,
        template: String,
    },
    /// A journey begun (treated or in the holdout).
    Enter { at: Seconds, program: String },
    /// A journey ended, with its outcome.
    Exit {
        at: Seconds,
        program: String,
        outcome: String,
    },
    /// A send skipped, with the reason (`cap`, `consent`, …).
    Skip {
        at: Seconds,
        program: String,
        reason: String,
    },
}

/// One program's part of a customer's run.
struct Seat {
    journey: Journey,
    journal: Journal,
    draws: Draws,
    entry: EntrySeen,
    /// The latest moment an input ran at for this program.
    until: Seconds,
    /// The line-up positions (the first 64) of the programs of its group
    /// that held this customer while an input its triggers wait for came.
    held: u64,
}

/// Per-thread space of a portfolio run, reused from customer to customer.
#[derive(Default)]
pub struct Space {
    /// Every program's sends to this customer, for the week's figures.
    sent: Vec<Seconds>,
    /// The sends within the longest schema cap, for the caps.
    recent: Vec<(Seconds, String)>,
}

/// One line of a customer's trace through programs run together: the
/// program it is of (an index into the line-up's setups, in report order),
/// or `None` for an event, which every program sees.
#[derive(Clone, Debug, PartialEq)]
pub struct TogetherLine {
    pub program: Option<usize>,
    pub line: TraceLine,
}

/// Runs `subject` through every program of `lineup` for the whole window;
/// `tallies` per program in the order of `lineup`'s setups.
#[allow(clippy::too_many_arguments)]
pub fn simulate_together<'m, R: Simulated + Clone>(
    lineup: &'m Lineup<'m, 'm>,
    model: &'m Behavior,
    seed: u64,
    window: Window,
    subject: &mut Subject<R>,
    scratch: &mut Scratch<'m>,
    space: &mut Space,
    tallies: &mut [Tally],
    week: &mut WeekTally,
    log: Option<&mut Vec<Logged>>,
) {
    together(
        lineup, model, seed, window, subject, scratch, space, tallies, week, log, None,
    );
}

/// [`simulate_together`] for `--trace`: the one run together, every
/// program's moments in the order they happened, each naming its program;
/// sends skipped for a schema cap, customers held out by a group and
/// hand-offs as they happened.
#[allow(clippy::too_many_arguments)]
pub fn trace_together<'m, R: Simulated + Clone>(
    lineup: &'m Lineup<'m, 'm>,
    model: &'m Behavior,
    seed: u64,
    window: Window,
    subject: &mut Subject<R>,
    tallies: &mut [Tally],
) -> Vec<TogetherLine> {
    let mut scratch = Scratch::new();
    let mut space = Space::default();
    let mut week = WeekTally::default();
    let mut lines = Vec::new();
    together(
        lineup,
        model,
        seed,
        window,
        subject,
        &mut scratch,
        &mut space,
        tallies,
        &mut week,
        None,
        Some(&mut lines),
    );
    lines
}

#[allow(clippy::too_many_arguments)]
fn together<'m, R: Simulated + Clone>(
    lineup: &'m Lineup<'m, 'm>,
    model: &'m Behavior,
    seed: u64,
    window: Window,
    subject: &mut Subject<R>,
    scratch: &mut Scratch<'m>,
    space: &mut Space,
    tallies: &mut [Tally],
    week: &mut WeekTally,
    log: Option<&mut Vec<Logged>>,
    trace: Option<&mut Vec<TogetherLine>>,
) {
    scratch.start(model, &subject.customer);
    space.sent.clear();
    space.recent.clear();
    let mut order = 0u32;
    let capped = background(model, seed, window, subject, scratch, &mut order);
    let seats = lineup
        .order
        .iter()
        .map(|&index| Seat {
            journey: Journey::default(),
            journal: Journal::default(),
            draws: Draws::new(
                seed,
                crate::run::record::Record::id(subject),
                1 + index as u64,
            ),
            entry: EntrySeen::default(),
            until: window.start,
            held: 0,
        })
        .collect();
    for tally in tallies.iter_mut() {
        tally.customers += 1;
    }
    let mut run = Run {
        lineup,
        model,
        seed,
        start: window.start,
        subject,
        scratch,
        space,
        tallies,
        seats,
        order,
        capped,
        log,
        trace,
    };
    run.whole(window);
    let Run {
        seats,
        tallies,
        space,
        capped,
        ..
    } = run;
    for (position, seat) in seats.iter().enumerate() {
        let tally = &mut tallies[lineup.order[position]];
        if seat.journey.status == Status::In {
            tally.still_in(&seat.journal, seat.journey.holdout);
        }
        tally.entry_seen(seat.entry.triggers, seat.entry.audience, seat.entry.entered);
        if seat.held != 0 {
            let by = (0..lineup.plans.len().min(64))
                .filter(|k| seat.held & (1 << k) != 0)
                .map(|k| lineup.plans[k].program.as_str());
            tally.held_by_group(by);
        }
        if capped {
            tally.capped += 1;
        }
    }
    week.customer(&mut space.sent);
}

struct Run<'r, 'm, R> {
    lineup: &'m Lineup<'m, 'm>,
    model: &'m Behavior,
    seed: u64,
    start: Seconds,
    subject: &'r mut Subject<R>,
    scratch: &'r mut Scratch<'m>,
    space: &'r mut Space,
    tallies: &'r mut [Tally],
    /// One per program, in line-up order.
    seats: Vec<Seat>,
    order: u32,
    capped: bool,
    log: Option<&'r mut Vec<Logged>>,
    trace: Option<&'r mut Vec<TogetherLine>>,
}

impl<'m, R: Simulated + Clone> Run<'_, 'm, R> {
    fn whole(&mut self, window: Window) {
        // The start: every program looks at the customer, in line-up order.
        let mut round = Round::new(self.seats.len());
        for position in 0..self.seats.len() {
            self.transition(position, window.start, Input::Tick, None, &mut round);
        }
        self.settle(&mut round);
        loop {
            let tick = (0..self.seats.len())
                .filter_map(|p| self.next_tick(p).map(|at| (at, p)))
                .min();
            let event = self.scratch.pending.peek().map(|Reverse((at, _, _))| *at);
            let mut round = Round::new(self.seats.len());
            match (tick, event) {
                (Some((at, position)), e) if e.is_none_or(|e| at <= e) => {
                    if at > window.end {
                        break;
                    }
                    self.transition(position, at, Input::Tick, None, &mut round);
                }
                (_, Some(_)) => {
                    let Some(Reverse((at, _, index))) = self.scratch.pending.pop() else {
                        break;
                    };
                    if at > window.end {
                        break;
                    }
                    self.event(index as usize, at, &mut round);
                }
                (None, None) => break,
                // Matched by the first arm whenever there is no event.
                (Some(_), None) => break,
            }
            self.settle(&mut round);
        }
    }

    /// When the program at `position` next needs a tick, after the last
    /// moment it ran at.
    fn next_tick(&self, position: usize) -> Option<Seconds> {
        let seat = &self.seats[position];
        match seat.journey.status {
            Status::In => seat.journey.due().filter(|&due| due > seat.until),
            Status::Out | Status::Left => {
                next_entry_check(self.lineup.plans[position], self.subject, seat.until)
            }
        }
    }

    /// The event `index` of the scratch space at `at`, offered to every
    /// program in line-up order, then remembered on the record.
    fn event(&mut self, index: usize, at: Seconds, round: &mut Round<R>) {
        let Some(&event) = self.scratch.events.get(index) else {
            return;
        };
        if let Some(log) = self.log.as_deref_mut() {
            log.push(Logged::Event {
                at,
                name: event.name.to_string(),
                properties: event.properties.to_vec(),
            });
        }
        if let Some(trace) = self.trace.as_deref_mut() {
            trace.push(TogetherLine {
                program: None,
                line: TraceLine::Event {
                    at,
                    name: event.name.to_string(),
                    answers: event.answers.map(str::to_string),
                    properties: event.properties.to_vec(),
                },
            });
        }
        for position in 0..self.seats.len() {
            let seat = &mut self.seats[position];
            let plan = self.lineup.plans[position];
            seat.journal.goal_or_rule = false;
            if seat.journal.goal_until.is_some_and(|until| at <= until)
                && is_goal(plan, self.subject, &mut seat.journey, &event, at)
            {
                let setup = self.lineup.order[position];
                self.tallies[setup].reached_goal(&seat.journal, at);
                seat.journal.goal_until = None;
            }
            self.transition(position, at, Input::Event(&event), None, round);
        }
        self.subject
            .customer
            .remember(event.name, event.answers, at);
    }

    /// Starts the programs the changes of this input started, in the
    /// order the changes were made.
    fn settle(&mut self, round: &mut Round<R>) {
        while let Some((position, at, before)) = round.pop() {
            let Some(seat) = self.seats.get(position) else {
                continue;
            };
            // A program already in (it entered on the same input) keeps
            // its own timing.
            if seat.journey.status == Status::In {
                continue;
            }
            let at = at.max(seat.until);
            self.transition(position, at, Input::Tick, Some(&before), round);
        }
    }

    /// One transition of the program at `position`; a hand-off when
    /// `before` is the record it changed from. The programs its changes
    /// start are noted in `round`.
    fn transition(
        &mut self,
        position: usize,
        at: Seconds,
        input: Input<'_, SimEvent<'m>>,
        hand_off: Option<&R>,
        round: &mut Round<R>,
    ) {
        let lineup = self.lineup;
        let seats = &self.seats;
        if lineup.groups && held_by_group(&lineup.plans, |k| seats[k].journey.status, position) {
            // Told in the report (the entry funnel's `held_by_group`), so
            // that a program its group kept out does not read as one whose
            // triggers nobody matched.
            let plan = lineup.plans[position];
            let seat = &self.seats[position];
            let listened = match hand_off {
                Some(from) => starts_on_change(plan, from, &*self.subject),
                None => waited_for(plan, &seat.journey, input, &*self.subject, seat.until, at),
            };
            let holder = listened
                .then(|| {
                    (0..lineup.plans.len()).find(|&k| {
                        k != position
                            && seats[k].journey.status == Status::In
                            && lineup.plans[k].group == plan.group
                    })
                })
                .flatten();
            if let (Some(trace), Some(k)) = (self.trace.as_deref_mut(), holder) {
                trace.push(TogetherLine {
                    program: Some(lineup.order[position]),
                    line: TraceLine::Action {
                        at,
                        what: format!(
                            "held out by group `{}`: the customer is in `{}`",
                            plan.group.as_deref().unwrap_or(""),
                            lineup.plans[k].program
                        ),
                        send: None,
                        held_until: None,
                    },
                });
            }
            let seat = &mut self.seats[position];
            if let Some(k) = holder.filter(|&k| k < 64) {
                seat.held |= 1 << k;
            }
            seat.until = seat.until.max(at);
            return;
        }
        let index = lineup.order[position];
        let setup = &lineup.setups[index];
        let plan = setup.plan;
        let before = lineup.hand_offs.then(|| self.subject.customer.clone());
        let seat = &mut self.seats[position];
        let scratch = &mut *self.scratch;
        let answered_before = (seat.journey.status, seat.journey.node());
        let mut lines: Vec<TraceLine> = Vec::new();
        let tracing = self.trace.is_some();
        let observer = Observer {
            setup,
            model: self.model,
            tally: &mut self.tallies[index],
            journal: &mut seat.journal,
            events: &mut scratch.events,
            pending: &mut scratch.pending,
            in_segment: &scratch.in_segment,
            draws: &mut seat.draws,
            order: &mut self.order,
            happened: &mut scratch.happened,
            capped: &mut self.capped,
            entry: &mut seat.entry,
            trace: tracing.then_some(&mut lines),
            offset: if tracing {
                self.subject.customer.utc_offset(at)
            } else {
                0
            },
            start: self.start,
            now: at,
        };
        {
            let mut sink = Capped::new(
                Sent {
                    inner: observer,
                    sent: &mut self.space.sent,
                    program: &plan.program,
                    log: self.log.as_deref_mut(),
                },
                &lineup.caps,
                &mut self.space.recent,
            );
            match (hand_off, input) {
                (Some(from), _) => advance_on_change_with(
                    plan,
                    self.seed,
                    self.subject,
                    from,
                    &mut seat.journey,
                    at,
                    &mut sink,
                ),
                (None, Input::Event(event)) => {
                    advance_with(
                        plan,
                        self.seed,
                        self.subject,
                        &mut seat.journey,
                        at,
                        Input::Event(event),
                        &mut sink,
                    );
                    sink.inner.inner.answered(answered_before, &seat.journey);
                }
                (None, Input::Tick) => advance_with::<_, SimEvent, _>(
                    plan,
                    self.seed,
                    self.subject,
                    &mut seat.journey,
                    at,
                    Input::Tick,
                    &mut sink,
                ),
            }
        }
        self.tallies[index].transitions += 1;
        seat.until = seat.until.max(at);
        if let Some(trace) = self.trace.as_deref_mut()
            && !lines.is_empty()
        {
            let line = |line| TogetherLine {
                program: Some(index),
                line,
            };
            if hand_off.is_some() {
                trace.push(line(TraceLine::Action {
                    at,
                    what: "handed over: the phase or tags changed as its trigger waits for"
                        .to_string(),
                    send: None,
                    held_until: None,
                }));
            }
            trace.extend(lines.into_iter().map(line));
            // The record after a transition that did something.
            let (score, phase, tags) = self.subject.customer.state();
            trace.push(line(TraceLine::State {
                at,
                score,
                phase,
                tags,
            }));
        }
        if !lineup.caps.is_empty() {
            forget_old_sends(&mut self.space.recent, &lineup.caps, at);
        }
        if let Some(before) = before {
            let seats = &self.seats;
            let waits = |j: usize| seats.get(j).is_some_and(|s| s.journey.status != Status::In);
            round.changed(&lineup.plans, waits, &before, &self.subject.customer, at);
        }
    }
}

/// A sink that notes every send of every program (for the week's figures,
/// and the log a test replays) and passes everything on.
struct Sent<'x, 'p, S> {
    inner: S,
    sent: &'x mut Vec<Seconds>,
    program: &'p str,
    log: Option<&'x mut Vec<Logged>>,
}

impl<S: Sink> Sink for Sent<'_, '_, S> {
    const ENTRY_CHECKS: bool = S::ENTRY_CHECKS;

    fn act(&mut self, action: ActionRef<'_>) {
        match action.kind {
            KindRef::Send { channel, template } => {
                self.sent.push(action.at);
                if let Some(log) = self.log.as_deref_mut() {
                    log.push(Logged::Send {
                        at: action.at,
                        program: self.program.to_string(),
                        channel: channel.to_string(),
                        template: template.to_string(),
                    });
                }
            }
            _ => {
                if let Some(log) = self.log.as_deref_mut() {
                    let (at, program) = (action.at, self.program.to_string());
                    match action.kind {
                        KindRef::Skip { reason, .. } => log.push(Logged::Skip {
                            at,
                            program,
                            reason: reason.to_string(),
                        }),
                        KindRef::Enter { .. } => log.push(Logged::Enter { at, program }),
                        KindRef::Exit { outcome } => log.push(Logged::Exit {
                            at,
                            program,
                            outcome: outcome.to_string(),
                        }),
                        _ => {}
                    }
                }
            }
        }
        self.inner.act(action);
    }

    fn entry(&mut self, check: EntryCheck) {
        self.inner.entry(check);
    }

    fn visit(&mut self, node: usize) {
        self.inner.visit(node);
    }

    fn capped(&self, channel: &str, now: Seconds) -> bool {
        self.inner.capped(channel, now)
    }
}

/// Whether `input` at `at` is one a trigger of `plan` waits for, for a
/// customer who may enter again: an event one of its triggers names (its
/// `where` not weighed), or a tick at which a clock trigger has come due
/// since the program last ran (`since`). What a program its group holds
/// would have been offered.
fn waited_for<R: crate::run::record::Record, E: crate::run::record::EventRecord>(
    plan: &Plan,
    journey: &Journey,
    input: Input<'_, E>,
    customer: &R,
    since: Seconds,
    at: Seconds,
) -> bool {
    let again = match (journey.status, &plan.entry.reentry) {
        (Status::In, _) | (Status::Left, crate::plan::Reentry::Never) => false,
        (Status::Left, crate::plan::Reentry::After { minutes }) => journey
            .left_at()
            .is_none_or(|left| at >= left.saturating_add(minutes.saturating_mul(60) as Seconds)),
        _ => true,
    };
    again
        && match input {
            Input::Tick => next_entry_check(plan, customer, since.saturating_sub(1))
                .is_some_and(|due| due <= at),
            Input::Event(_) => crate::run::may_act(plan, journey, input),
        }
}
