//! Stage serve: one customer loaded for a unit of work — their one record
//! and a journey per program, moved together (`run::portfolio`: the
//! line-up's order, changes seen by the next program, the schema's caps
//! across programs) — and how it is written back. Every decision is
//! `run`'s; this file only picks the plan each journey runs on and says
//! which rows changed.

use super::programs::Programs;
use super::store::{CustomerRow, JourneyRow, Loaded, OutboxRow, Writes};
use crate::plan::Plan;
use crate::run::portfolio::{self, Lineup, Seat, Taken, Together};
use crate::run::track::Track;
use crate::run::{Action, ActionKind, Customer, Event, Journey, Seconds, Status};
use std::collections::BTreeSet;
use std::sync::Arc;

/// A customer's journey in one program, as worked on: its place in the
/// line-up is its index in [`Working::tracks`] and in the seats.
pub struct Tracked {
    pub program: String,
    pub plan: Arc<Plan>,
    /// The first look still to come, at this time (`Some(None)`: when the
    /// manual clock is set).
    pub start: Option<Option<Seconds>>,
    /// The row as loaded, to tell whether it changed.
    pub loaded: Option<JourneyRow>,
}

/// A customer as worked on.
pub struct Working {
    /// The customer's row; its record and recent sends are `together`'s
    /// while worked on, put back by [`Working::write`].
    pub row: CustomerRow,
    /// The programs, in line-up order.
    pub tracks: Vec<Tracked>,
    /// The record and a seat per program of `tracks`, in the same order.
    pub together: Together,
    caps: Arc<Vec<crate::plan::Cap>>,
    /// Journeys of programs no longer deployed that have ended: kept as
    /// they are, never moved.
    pub idle: Vec<JourneyRow>,
    pub loaded_row: Option<CustomerRow>,
    /// The actions of this unit of work, with the program and version of
    /// each.
    pub actions: Vec<(String, String, Action)>,
}

impl Working {
    /// A customer as loaded. A journey on a version that is not current
    /// and has ended moves to the current version; one still running stays
    /// on its own. `Err` names a version this process has not loaded.
    ///
    /// Rows stored before the record was shared may hold a program's own
    /// view of the record: what it changed there is laid over the
    /// customer's record, in line-up order, once.
    pub fn from_loaded(loaded: Loaded, programs: &Programs) -> Result<Working, String> {
        let Loaded { row, journeys } = loaded;
        let mut members: Vec<(Tracked, Seat, Option<Customer>)> = Vec::new();
        let mut idle = Vec::new();
        let mut seen = BTreeSet::new();
        for journey in journeys {
            let Some(plan) = programs.version(&journey.version) else {
                return Err(format!(
                    "plan version `{}` of `{}` is not loaded",
                    journey.version, journey.program
                ));
            };
            let current = programs.current(&journey.program);
            let running = journey.journey.status == Status::In;
            if current.is_none() && !running {
                idle.push(journey);
                continue;
            }
            seen.insert(journey.program.clone());
            let mut track = Track {
                customer: Customer::default(),
                journey: journey.journey.clone(),
                until: journey.until,
            };
            let mut plan = plan.clone();
            if let Some(current) = current
                && track.adopt(&plan, current)
            {
                plan = current.clone();
            }
            let seat = Seat {
                journey: track.journey,
                until: track.until,
                asleep: journey.start,
            };
            let view = journey.view.clone();
            members.push((
                Tracked {
                    program: journey.program.clone(),
                    plan,
                    start: journey.start.then_some(journey.timer),
                    loaded: Some(journey),
                },
                seat,
                view,
            ));
        }
        // A deployed program without a row: out, nothing due.
        for (program, plan) in programs.deployed() {
            if seen.contains(program) {
                continue;
            }
            members.push((
                Tracked {
                    program: program.clone(),
                    plan: plan.clone(),
                    start: None,
                    loaded: None,
                },
                Seat {
                    journey: Journey::default(),
                    until: row.until.unwrap_or(Seconds::MIN),
                    asleep: false,
                },
                None,
            ));
        }
        let plans: Vec<&Plan> = members.iter().map(|(t, _, _)| &*t.plan).collect();
        let order = portfolio::order(&plans);
        let mut slots: Vec<Option<(Tracked, Seat, Option<Customer>)>> =
            members.into_iter().map(Some).collect();
        let mut record = row.record.clone();
        let mut tracks = Vec::new();
        let mut seats = Vec::new();
        for i in order {
            let Some((tracked, seat, view)) = slots.get_mut(i).and_then(Option::take) else {
                continue;
            };
            if let Some(view) = view {
                overlay(&mut record, &row.record, &view);
            }
            tracks.push(tracked);
            seats.push(seat);
        }
        // The working row's record and sends are the ones `together` holds
        // (put back by `write`); the row as loaded is kept to compare.
        let working_row = CustomerRow {
            id: row.id.clone(),
            record: Customer::default(),
            until: row.until,
            next_timer: row.next_timer,
            sends: Vec::new(),
        };
        Ok(Working {
            together: Together {
                customer: record,
                seats,
                sends: row.sends.clone(),
            },
            loaded_row: Some(row),
            row: working_row,
            tracks,
            caps: Arc::clone(&programs.caps),
            idle,
            actions: Vec::new(),
        })
    }

    /// A customer new to the store. With the time, every deployed program
    /// looks at them now; without (the manual clock is not set yet), when
    /// the clock is set.
    pub fn new(record: Customer, now: Option<Seconds>, programs: &Programs, seed: u64) -> Working {
        // `deployed` is by name; the line-up puts priority first.
        let deployed: Vec<(&String, &Arc<Plan>)> = programs.deployed().collect();
        let plans: Vec<&Plan> = deployed.iter().map(|(_, plan)| &***plan).collect();
        let tracks: Vec<Tracked> = portfolio::order(&plans)
            .into_iter()
            .map(|i| Tracked {
                program: deployed[i].0.clone(),
                plan: Arc::clone(deployed[i].1),
                start: Some(now),
                loaded: None,
            })
            .collect();
        let mut together = Together::new(record.clone(), tracks.len());
        for seat in &mut together.seats {
            seat.asleep = true;
        }
        let mut working = Working {
            row: CustomerRow {
                id: record.id.clone(),
                record,
                until: now,
                next_timer: None,
                sends: Vec::new(),
            },
            tracks,
            together,
            caps: Arc::clone(&programs.caps),
            idle: Vec::new(),
            loaded_row: None,
            actions: Vec::new(),
        };
        if let Some(now) = now {
            working.start_due(now, seed);
        }
        working
    }

    /// Runs `work` with the line-up of this customer's plans, and labels
    /// the actions it took.
    pub(super) fn with_lineup<T>(
        &mut self,
        seed: u64,
        work: impl FnOnce(&mut Together, Lineup<'_>, &mut Vec<Taken>) -> T,
    ) -> T {
        let plans: Vec<&Plan> = self.tracks.iter().map(|t| &*t.plan).collect();
        let lineup = Lineup::new(&plans, &self.caps, seed);
        let mut taken = Vec::new();
        let result = work(&mut self.together, lineup, &mut taken);
        for (i, action) in taken {
            if let Some(tracked) = self.tracks.get(i) {
                self.actions
                    .push((tracked.program.clone(), tracked.plan.digest.clone(), action));
            }
        }
        result
    }

    /// Gives each journey whose first look is due at or before `up_to` that
    /// look, in line-up order.
    fn start_due(&mut self, up_to: Seconds, seed: u64) {
        let due: Vec<(usize, Seconds)> = self
            .tracks
            .iter()
            .enumerate()
            .filter_map(|(i, t)| match t.start {
                Some(Some(at)) if at <= up_to => Some((i, at)),
                _ => None,
            })
            .collect();
        for (i, at) in due {
            self.tracks[i].start = None;
            self.with_lineup(seed, |together, lineup, out| {
                together.look(lineup, i, at, out)
            });
        }
    }

    /// Fires every tick due at or before `up_to`, first looks included;
    /// how many ticks fired.
    pub fn catch_up(&mut self, up_to: Seconds, seed: u64) -> usize {
        self.start_due(up_to, seed);
        let fired = self.with_lineup(seed, |together, lineup, out| {
            together.catch_up(lineup, up_to, out)
        });
        self.row.until = self.latest();
        fired
    }

    /// Runs one event through every program; whether it was late for the
    /// customer.
    pub fn event(&mut self, event: &Event, seed: u64) -> bool {
        // A first look still to come goes first, whenever it is due: the
        // customer's programs had not seen them yet.
        let pending: Option<Seconds> = self.tracks.iter().filter_map(|t| t.start.flatten()).max();
        if let Some(at) = pending {
            self.start_due(at, seed);
        }
        let late = self.row.until.is_some_and(|until| event.at < until);
        self.with_lineup(seed, |together, lineup, out| {
            together.event(lineup, event, out);
        });
        // The record notes the event as late when the customer had run past
        // it, whichever program had.
        if late {
            crate::run::track::note_event(&mut self.together.customer, event, true);
        }
        self.row.until = self.latest().max(self.row.until);
        late
    }

    /// The sending system's new record. `last_event_at` keeps the later
    /// of what is stored and what is given. Whether it changed anything.
    /// With the time, the change runs: a segment the record gained or lost
    /// is a `segment_entered` or `segment_left` event, and every program
    /// then looks at the customer again (a date may have come due).
    pub fn replace(&mut self, mut record: Customer, now: Option<Seconds>, seed: u64) -> bool {
        for (event, at) in &self.together.customer.last_event_at {
            let kept = record.last_event_at.entry(event.clone()).or_insert(*at);
            *kept = (*kept).max(*at);
        }
        if record == self.together.customer {
            return false;
        }
        // The record is the sending system's word: every program sees it as
        // given (the actions told the system what the programs changed).
        let old = std::mem::replace(&mut self.together.customer, record.clone());
        let Some(now) = now else {
            return true;
        };
        self.catch_up(now, seed);
        let left = old.segments.difference(&record.segments);
        let entered = record.segments.difference(&old.segments);
        let changes: Vec<Event> = left
            .map(|segment| ("segment_left", segment))
            .chain(entered.map(|segment| ("segment_entered", segment)))
            .map(|(name, segment)| Event {
                id: None,
                at: now.max(self.row.until.unwrap_or(now)),
                customer: record.id.clone(),
                name: name.to_string(),
                properties: [(
                    "segment".to_string(),
                    crate::run::Datum::Text(segment.clone()),
                )]
                .into(),
            })
            .collect();
        for change in &changes {
            self.event(change, seed);
        }
        let at = now.max(self.row.until.unwrap_or(now));
        for i in 0..self.tracks.len() {
            if self.tracks[i].start.is_some() {
                continue;
            }
            self.with_lineup(seed, |together, lineup, out| {
                together.look(lineup, i, at, out)
            });
        }
        // Hand-offs last, once the ticks and segment changes have run: the
        // change is the one from the record before to the one given.
        self.with_lineup(seed, |together, lineup, out| {
            together.hand_off(lineup, &old, at, out)
        });
        self.row.until = self.latest().max(self.row.until);
        true
    }

    fn latest(&self) -> Option<Seconds> {
        self.tracks
            .iter()
            .zip(&self.together.seats)
            .filter(|(t, _)| t.start.is_none())
            .map(|(_, seat)| seat.until)
            .filter(|&until| until != Seconds::MIN)
            .max()
            .max(self.row.until)
    }

    /// A journey's next tick.
    fn next_tick(&self, i: usize) -> Option<Seconds> {
        let (tracked, seat) = (self.tracks.get(i)?, self.together.seats.get(i)?);
        crate::run::track::next_tick(
            &tracked.plan,
            &self.together.customer,
            &seat.journey,
            seat.until,
        )
    }

    /// What changed, added to `write`; the actions go to the outbox, to be
    /// tried from `now` (wall-clock time).
    pub fn write(mut self, write: &mut Writes, now: Seconds) {
        let mut next_timer: Option<Seconds> = None;
        for (i, tracked) in self.tracks.iter().enumerate() {
            let seat = &self.together.seats[i];
            let timer = match tracked.start {
                Some(at) => at,
                None => self.next_tick(i),
            };
            if let Some(timer) = timer {
                next_timer = Some(next_timer.map_or(timer, |t| t.min(timer)));
            }
            let row = JourneyRow {
                program: tracked.program.clone(),
                version: tracked.plan.digest.clone(),
                start: tracked.start.is_some(),
                journey: seat.journey.clone(),
                // The record is the customer's, shared by every program.
                view: None,
                until: seat.until,
                timer,
            };
            let worth_a_row = row.start || row.timer.is_some() || row.journey != Journey::default();
            if worth_a_row {
                if tracked.loaded.as_ref() != Some(&row) {
                    write.put_journey(self.row.id.clone(), row);
                }
            } else if tracked.loaded.is_some() {
                write
                    .forget
                    .push((self.row.id.clone(), tracked.program.clone()));
            }
        }
        self.row.next_timer = next_timer;
        // Moved, not copied: the customer is done with.
        self.row.record = std::mem::take(&mut self.together.customer);
        self.row.sends = std::mem::take(&mut self.together.sends);
        if self.loaded_row.as_ref() != Some(&self.row) {
            write.put_customer(self.row);
        }
        for (program, version, action) in self.actions.drain(..) {
            write.outbox.push(OutboxRow {
                seq: 0,
                customer: action.customer.clone(),
                key: action.key.clone(),
                program,
                version,
                at: action.at,
                kind: kind_name(&action.kind).to_string(),
                body: crate::run::input::action_line(&action),
                state: super::store::DeliveryState::Pending,
                tries: 0,
                next_try: now,
                error: None,
            });
        }
    }
}

/// Lays what a program's own stored view of the record changed (against
/// `base`, the customer's record then) over `record`.
fn overlay(record: &mut Customer, base: &Customer, view: &Customer) {
    for tag in view.tags.difference(&base.tags) {
        record.tags.insert(tag.clone());
    }
    for tag in base.tags.difference(&view.tags) {
        record.tags.remove(tag);
    }
    if view.phase != base.phase {
        record.phase = view.phase.clone();
    }
    if view.score != base.score {
        record.score += view.score - base.score;
    }
    for (name, value) in &view.attributes {
        if base.attributes.get(name) != Some(value) {
            record.attributes.insert(name.clone(), value.clone());
        }
    }
}

/// The action's name as in its JSON (`send`, `enter`, …).
pub fn kind_name(kind: &ActionKind) -> &'static str {
    match kind {
        ActionKind::Enter { .. } => "enter",
        ActionKind::Send { .. } => "send",
        ActionKind::Skip { .. } => "skip",
        ActionKind::Defer { .. } => "defer",
        ActionKind::Notify { .. } => "notify",
        ActionKind::Score { .. } => "score",
        ActionKind::Tag { .. } => "tag",
        ActionKind::Untag { .. } => "untag",
        ActionKind::Set { .. } => "set",
        ActionKind::Phase { .. } => "phase",
        ActionKind::Exit { .. } => "exit",
    }
}
