//! Stage serve: one customer loaded for a unit of work — their record and
//! a [`Track`] per program — and how it is written back. Every decision is
//! `run::track`'s; this file only picks the plan each journey runs on and
//! says which rows changed.

use super::programs::Programs;
use super::store::{CustomerRow, JourneyRow, Loaded, OutboxRow, Writes};
use crate::plan::Plan;
use crate::run::track::{Track, note_event};
use crate::run::{Action, ActionKind, Customer, Event, Input, Journey, Seconds, Status};
use std::collections::BTreeSet;
use std::sync::Arc;

/// A customer's journey in one program, as worked on.
pub struct Tracked {
    pub program: String,
    pub plan: Arc<Plan>,
    pub track: Track,
    /// The first look still to come, at this time (`Some(None)`: when the
    /// manual clock is set).
    pub start: Option<Option<Seconds>>,
    /// The row as loaded, to tell whether it changed.
    pub loaded: Option<JourneyRow>,
    /// The track's record is the customer's own, not yet copied: a program
    /// the customer is out of sees the record as it is, and most inputs
    /// cannot change that (`run::may_act`). Copied when one can.
    pub lazy: bool,
}

impl Tracked {
    /// The record copied in, before an input that may change it.
    fn materialize(&mut self, record: &Customer) {
        if self.lazy {
            self.track.customer = record.clone();
            self.lazy = false;
        }
    }

    /// The next tick, reading the customer's own record while lazy.
    fn next_tick(&self, record: &Customer) -> Option<Seconds> {
        if self.lazy {
            crate::run::track::next_tick(&self.plan, record, &self.track.journey, self.track.until)
        } else {
            self.track.next_tick(&self.plan)
        }
    }

    /// Fires the ticks due up to `up_to`.
    fn catch_up(
        &mut self,
        record: &Customer,
        up_to: Seconds,
        seed: u64,
        actions: &mut Vec<Action>,
    ) -> usize {
        if self.lazy {
            match self.next_tick(record) {
                Some(at) if at <= up_to => self.materialize(record),
                _ => return 0,
            }
        }
        self.track.catch_up(&self.plan, seed, up_to, actions)
    }

    /// Runs an event (after the ticks due before it).
    fn event(&mut self, record: &Customer, event: &Event, seed: u64, actions: &mut Vec<Action>) {
        self.catch_up(record, event.at, seed, actions);
        if self.lazy && !crate::run::may_act(&self.plan, &self.track.journey, Input::Event(event)) {
            // Nothing to run; the record's `last_event_at` is the
            // customer's, noted by the caller.
            self.track.until = self.track.until.max(event.at);
            return;
        }
        self.materialize(record);
        self.track.event(&self.plan, seed, event, actions);
    }

    /// An unconditional look (a tick) at `at`.
    fn look(&mut self, record: &Customer, at: Seconds, seed: u64, actions: &mut Vec<Action>) {
        if self.lazy && !crate::run::may_act::<Event>(&self.plan, &self.track.journey, Input::Tick)
        {
            self.track.until = self.track.until.max(at);
            return;
        }
        self.materialize(record);
        self.track.start(&self.plan, seed, at, actions);
    }
}

/// A customer as worked on.
pub struct Working {
    pub row: CustomerRow,
    pub tracks: Vec<Tracked>,
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
    pub fn from_loaded(loaded: Loaded, programs: &Programs) -> Result<Working, String> {
        let Loaded { row, journeys } = loaded;
        let mut tracks = Vec::new();
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
                customer: journey.view.clone().unwrap_or_else(|| row.record.clone()),
                journey: journey.journey.clone(),
                until: journey.until,
            };
            let mut plan = plan.clone();
            if let Some(current) = current
                && track.adopt(&plan, current)
            {
                plan = current.clone();
            }
            tracks.push(Tracked {
                program: journey.program.clone(),
                plan,
                track,
                start: journey.start.then_some(journey.timer),
                loaded: Some(journey),
                lazy: false,
            });
        }
        // A deployed program without a row: out, nothing due, the record
        // as it is.
        for (program, plan) in programs.deployed() {
            if seen.contains(program) {
                continue;
            }
            tracks.push(Tracked {
                program: program.clone(),
                plan: plan.clone(),
                track: Track {
                    customer: Customer::default(),
                    journey: Journey::default(),
                    until: row.until.unwrap_or(Seconds::MIN),
                },
                start: None,
                loaded: None,
                lazy: true,
            });
        }
        Ok(Working {
            loaded_row: Some(row.clone()),
            row,
            tracks,
            idle,
            actions: Vec::new(),
        })
    }

    /// A customer new to the store. With the time, every deployed program
    /// looks at them now; without (the manual clock is not set yet), when
    /// the clock is set.
    pub fn new(record: Customer, now: Option<Seconds>, programs: &Programs, seed: u64) -> Working {
        let mut working = Working {
            row: CustomerRow {
                id: record.id.clone(),
                record: record.clone(),
                until: now,
                next_timer: None,
            },
            tracks: programs
                .deployed()
                .map(|(program, plan)| Tracked {
                    program: program.clone(),
                    plan: plan.clone(),
                    track: Track::new(record.clone()),
                    start: Some(now),
                    loaded: None,
                    lazy: false,
                })
                .collect(),
            idle: Vec::new(),
            loaded_row: None,
            actions: Vec::new(),
        };
        if let Some(now) = now {
            working.start_due(now, seed);
        }
        working
    }

    /// Gives each journey whose first look is due at or before `up_to` that
    /// look.
    fn start_due(&mut self, up_to: Seconds, seed: u64) {
        for tracked in &mut self.tracks {
            if let Some(Some(at)) = tracked.start
                && at <= up_to
            {
                let mut actions = Vec::new();
                tracked.track.start(&tracked.plan, seed, at, &mut actions);
                tracked.start = None;
                self.actions
                    .extend(labelled(&tracked.program, &tracked.plan, actions));
            }
        }
    }

    /// Fires every tick due at or before `up_to`, first looks included;
    /// how many ticks fired.
    pub fn catch_up(&mut self, up_to: Seconds, seed: u64) -> usize {
        self.start_due(up_to, seed);
        let mut fired = 0;
        for tracked in &mut self.tracks {
            if tracked.start.is_some() {
                continue;
            }
            let mut actions = Vec::new();
            fired += tracked.catch_up(&self.row.record, up_to, seed, &mut actions);
            let actions = labelled(&tracked.program, &tracked.plan, actions);
            self.actions.extend(actions);
        }
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
        for tracked in &mut self.tracks {
            if tracked.start.is_some() {
                continue;
            }
            let mut actions = Vec::new();
            tracked.event(&self.row.record, event, seed, &mut actions);
            let actions = labelled(&tracked.program, &tracked.plan, actions);
            self.actions.extend(actions);
        }
        note_event(&mut self.row.record, event, late);
        self.row.until = self.latest().max(self.row.until);
        late
    }

    /// The sending system's new record. `last_event_at` keeps the later
    /// of what is stored and what is given. Whether it changed anything.
    /// With the time, the change runs: a segment the record gained or lost
    /// is a `segment_entered` or `segment_left` event, and every program
    /// then looks at the customer again (a date may have come due).
    pub fn replace(&mut self, mut record: Customer, now: Option<Seconds>, seed: u64) -> bool {
        for (event, at) in &self.row.record.last_event_at {
            let kept = record.last_event_at.entry(event.clone()).or_insert(*at);
            *kept = (*kept).max(*at);
        }
        if record == self.row.record {
            return false;
        }
        let old = std::mem::replace(&mut self.row.record, record.clone());
        // Each program's record before the change, for the programs a
        // change can start (`trigger phase becomes …`, `trigger tag …`).
        let before: Vec<Option<Customer>> = self
            .tracks
            .iter()
            .map(|tracked| {
                crate::run::interpret::has_change_trigger(&tracked.plan).then(|| {
                    if tracked.lazy {
                        old.clone()
                    } else {
                        tracked.track.customer.clone()
                    }
                })
            })
            .collect();
        // The record is the sending system's word: each program sees it as
        // given (the actions told the system what the programs changed).
        for tracked in &mut self.tracks {
            if !tracked.lazy {
                tracked.track.customer = record.clone();
            }
        }
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
        for tracked in &mut self.tracks {
            if tracked.start.is_some() {
                continue;
            }
            let mut actions = Vec::new();
            tracked.look(&self.row.record, at, seed, &mut actions);
            let actions = labelled(&tracked.program, &tracked.plan, actions);
            self.actions.extend(actions);
        }
        // Hand-offs last, once the ticks and segment changes have run: the
        // change is the one from each program's record before to this one.
        for (tracked, before) in self.tracks.iter_mut().zip(before) {
            let Some(before) = before else { continue };
            if tracked.start.is_some() {
                continue;
            }
            tracked.materialize(&self.row.record);
            let mut actions = Vec::new();
            tracked
                .track
                .hand_off(&tracked.plan, seed, at, before, &mut actions);
            tracked.track.until = tracked.track.until.max(at);
            let actions = labelled(&tracked.program, &tracked.plan, actions);
            self.actions.extend(actions);
        }
        self.row.until = self.latest().max(self.row.until);
        true
    }

    fn latest(&self) -> Option<Seconds> {
        self.tracks
            .iter()
            .filter(|t| t.start.is_none())
            .map(|t| t.track.until)
            .filter(|&until| until != Seconds::MIN)
            .max()
            .max(self.row.until)
    }

    /// What changed, added to `write`; the actions go to the outbox, to be
    /// tried from `now` (wall-clock time).
    pub fn write(mut self, write: &mut Writes, now: Seconds) {
        let mut next_timer: Option<Seconds> = None;
        for tracked in &self.tracks {
            let timer = match tracked.start {
                Some(at) => at,
                None => tracked.next_tick(&self.row.record),
            };
            if let Some(timer) = timer {
                next_timer = Some(next_timer.map_or(timer, |t| t.min(timer)));
            }
            let view = (!tracked.lazy && tracked.track.customer != self.row.record)
                .then(|| tracked.track.customer.clone());
            let row = JourneyRow {
                program: tracked.program.clone(),
                version: tracked.plan.digest.clone(),
                start: tracked.start.is_some(),
                journey: tracked.track.journey.clone(),
                view,
                until: tracked.track.until,
                timer,
            };
            let worth_a_row = row.start
                || row.timer.is_some()
                || row.view.is_some()
                || row.journey != Journey::default();
            if worth_a_row {
                if tracked.loaded.as_ref() != Some(&row) {
                    write.journeys.push((self.row.id.clone(), row));
                }
            } else if tracked.loaded.is_some() {
                write
                    .forget
                    .push((self.row.id.clone(), tracked.program.clone()));
            }
        }
        self.row.next_timer = next_timer;
        if self.loaded_row.as_ref() != Some(&self.row) {
            write.customers.push(self.row.clone());
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

pub fn labelled(program: &str, plan: &Plan, actions: Vec<Action>) -> Vec<(String, String, Action)> {
    actions
        .into_iter()
        .map(|action| (program.to_string(), plan.digest.clone(), action))
        .collect()
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
