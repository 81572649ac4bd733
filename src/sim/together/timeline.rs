//! Stage 5, simulation, programs run together: one customer's timeline
//! through every program of a line-up. The earliest of the programs' due
//! timers and the model's events goes next; an event is offered to every
//! program in line-up order; the programs a change of the record hands
//! over to start after the input ([`Round`]); each transition passes a
//! group's hold and the schema's caps ([`Capped`]).

use super::log::{Logged, Sent};
use super::{Lineup, Space, TogetherLine, WeekTally};
use crate::plan::Plan;
use crate::run::portfolio::{Capped, Round, forget_old_sends, held_by_group};
use crate::run::{
    Input, Journey, Seconds, Status, advance_on_change_with, advance_with, is_goal,
    next_entry_check, starts_on_change,
};
use crate::sim::behavior::Behavior;
use crate::sim::draw::Draws;
use crate::sim::engine::{
    EntrySeen, Observer, Scratch, SimEvent, Simulated, Subject, TraceLine, Window, background,
};
use crate::sim::tally::{Journal, Tally};
use std::cmp::Reverse;

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
        if let Some(trace) = self.space.trace.as_mut() {
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
            if let (Some(trace), Some(k)) = (self.space.trace.as_mut(), holder) {
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
        let tracing = self.space.trace.is_some();
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
        if let Some(trace) = self.space.trace.as_mut()
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
