//! Stage serve, engine: units of events in a pipeline, on the embedded
//! store with one engine thread. While a unit is written and committed on
//! the connection that writes, the next is read (on a second connection)
//! and worked out on another thread, from the customers as the unit being
//! committed leaves them: the store's I/O and the interpreter overlap.
//!
//! What stays as without the pipeline: each unit is one transaction
//! (events, customers, journeys, outbox), and a request is answered only
//! after its unit committed. A unit worked out on one still committing is
//! used only if that commit succeeds; otherwise it is dropped unanswered
//! and its requests are worked out again from what the store holds.

use super::clock;
use super::engine::{EventOutcome, Worker};
use super::metrics::Metrics;
use super::programs::Programs;
use super::store::{Loaded, Store, StoreError, Writes};
use super::units::{self, Jobs};
use crate::run::{Event, Seconds};
use std::collections::{HashMap, HashSet};

/// Tries of a commit the store says may succeed again.
const TRIES: usize = 6;

/// A unit of events worked out and waiting to be written.
pub struct Prepared {
    jobs: Jobs,
    outcomes: Vec<Vec<EventOutcome>>,
    write: Writes,
    kinds: Vec<String>,
    started: i64,
    /// The customers this unit changed, as they are once it commits.
    after: After,
}

/// What a unit leaves behind once committed: the customers it changed,
/// whole (as the store would read them back), and the events it stored.
#[derive(Default)]
pub struct After {
    customers: HashMap<String, Loaded>,
    events: HashSet<(String, String)>,
}

impl Worker {
    /// Runs `jobs` and every unit of events that queues up behind them,
    /// one committing while the next is worked out; returns when no events
    /// are waiting, or another kind of job is.
    pub(super) fn pipeline(&mut self, jobs: Jobs) {
        let mut current: Option<Prepared> = None;
        let mut next = Some(jobs);
        // Each turn answers or drops a unit, or takes one from the queue;
        // the queue is finite at any moment, the bound a guard.
        for _ in 0..u32::MAX {
            match (current.take(), next.take()) {
                (None, None) => return,
                (None, Some(jobs)) => match self.prepare(jobs, &After::default()) {
                    Ok(unit) => current = Some(unit),
                    // Whatever went wrong is for the unpipelined path:
                    // it answers, reloads plans and retries as it should.
                    Err(jobs) => self.events(jobs),
                },
                (Some(unit), following) => {
                    let (committed, prepared) = self.commit_while(unit, following);
                    match (committed, prepared) {
                        (true, Some(Ok(unit))) => current = Some(unit),
                        (true, Some(Err(jobs))) => self.events(jobs),
                        // Worked out on a unit that did not commit: again,
                        // from what the store holds.
                        (false, Some(Ok(unit))) => next = Some(unit.jobs),
                        (false, Some(Err(jobs))) => next = Some(jobs),
                        (_, None) => {}
                    }
                }
            }
            if current.is_some() && next.is_none() {
                let mut more = Vec::new();
                self.join_events(&mut more);
                if !more.is_empty() {
                    next = Some(more);
                }
            }
        }
    }

    /// Commits `unit` and answers it, while `following` is worked out on
    /// another thread from the customers as `unit` leaves them; whether
    /// `unit` committed, and the following unit.
    fn commit_while(
        &mut self,
        unit: Prepared,
        following: Option<Jobs>,
    ) -> (bool, Option<Result<Prepared, Jobs>>) {
        self.refresh_clock();
        let programs = self.programs();
        let seed = self.shared.seed;
        let now = self.shared.clock.now();
        let Some(reader) = self.reader.as_mut() else {
            let committed = commit(self.store.as_mut(), &unit.write, &self.shared.metrics);
            let done = self.answer_unit(unit, committed);
            return (done, following.map(Err));
        };
        let store = self.store.as_mut();
        let metrics = &self.shared.metrics;
        let after = &unit.after;
        let (committed, prepared) = std::thread::scope(|scope| {
            let prepared = following.map(|jobs| {
                scope.spawn(move || {
                    prepare(reader.as_mut(), programs.as_ref(), seed, now, jobs, after)
                })
            });
            let committed = commit(store, &unit.write, metrics);
            // A thread that failed is a bug in nurture: its requests are
            // lost with it, answered as the service stopping.
            let prepared = prepared.and_then(|handle| handle.join().ok());
            (committed, prepared)
        });
        let done = self.answer_unit(unit, committed);
        (done, prepared)
    }

    /// Answers a unit after its commit: accepted, or the store's error.
    fn answer_unit(&self, unit: Prepared, committed: Result<(), StoreError>) -> bool {
        match committed {
            Ok(()) => {
                self.answer(unit.jobs, unit.outcomes, &unit.kinds, unit.started);
                true
            }
            Err(error) => {
                for (_, reply) in unit.jobs {
                    let _ = reply.send(Err(error.message.clone()));
                }
                false
            }
        }
    }

    /// Works out `jobs` on this thread, over `before`.
    fn prepare(&mut self, jobs: Jobs, before: &After) -> Result<Prepared, Jobs> {
        self.refresh_clock();
        let programs = self.programs();
        let now = self.shared.clock.now();
        let seed = self.shared.seed;
        match self.reader.as_mut() {
            Some(reader) => prepare(reader.as_mut(), programs.as_ref(), seed, now, jobs, before),
            None => Err(jobs),
        }
    }

    fn programs(&self) -> Option<Programs> {
        self.shared.programs.read().ok().map(|p| p.clone())
    }
}

/// Reads the customers of `jobs` on `reader`, lays `before` (a unit
/// committing meanwhile) over them, and works the events out. `Err` gives
/// the jobs back, unanswered, for the unpipelined path.
fn prepare(
    reader: &mut dyn Store,
    programs: Option<&Programs>,
    seed: u64,
    now: Option<Seconds>,
    jobs: Jobs,
    before: &After,
) -> Result<Prepared, Jobs> {
    let started = clock::wall_millis();
    let (Some(programs), Some(_)) = (programs, now) else {
        // The unpipelined path answers that the clock is not set, or that
        // the plans are unreadable.
        return Err(jobs);
    };
    let ask = units::ask(&jobs);
    let mut batch = match reader.read(&ask) {
        Ok(Some(batch)) => batch,
        _ => return Err(jobs),
    };
    if let super::store::Ask::Customers { ids, events } = &ask {
        for id in ids {
            if let Some(loaded) = before.customers.get(id) {
                batch.customers.insert(id.clone(), loaded.clone());
            }
        }
        for pair in events {
            if before.events.contains(pair) {
                batch.known_events.insert(pair.clone());
            }
        }
    }
    let loaded = batch.customers.clone();
    let received = clock::wall();
    let sent: Vec<&[Event]> = jobs.iter().map(|(events, _)| events.as_slice()).collect();
    let outcomes = match units::work(&mut batch, &sent, programs, seed, received) {
        Ok(outcomes) => outcomes,
        Err(_) => return Err(jobs),
    };
    let write = batch.write;
    let kinds = write.outbox.iter().map(|a| a.kind.clone()).collect();
    let after = after(loaded, &write);
    Ok(Prepared {
        jobs,
        outcomes,
        write,
        kinds,
        started,
        after,
    })
}

/// The customers `write` changes, as the store reads them back once it is
/// committed: the rows as loaded, with the rows written put over them (a
/// journey row replaced whole, by program) and the journeys forgotten
/// taken out.
fn after(mut loaded: std::collections::BTreeMap<String, Loaded>, write: &Writes) -> After {
    let mut changed: HashMap<String, Loaded> = HashMap::new();
    let mut take = |id: &str, changed: &mut HashMap<String, Loaded>| {
        if !changed.contains_key(id)
            && let Some(customer) = loaded.remove(id)
        {
            changed.insert(id.to_string(), customer);
        }
    };
    for row in &write.customers {
        take(&row.id, &mut changed);
        if let Some(customer) = changed.get_mut(&row.id) {
            customer.row = row.clone();
        }
    }
    for (id, row) in &write.journeys {
        take(id, &mut changed);
        if let Some(customer) = changed.get_mut(id) {
            match customer
                .journeys
                .binary_search_by(|j| j.program.as_str().cmp(&row.program))
            {
                Ok(at) => customer.journeys[at] = row.clone(),
                Err(at) => customer.journeys.insert(at, row.clone()),
            }
        }
    }
    for (id, program) in &write.forget {
        take(id, &mut changed);
        if let Some(customer) = changed.get_mut(id) {
            customer.journeys.retain(|j| &j.program != program);
        }
    }
    After {
        customers: changed,
        events: write
            .events
            .iter()
            .map(|e| (e.customer.clone(), e.id.clone()))
            .collect(),
    }
}

/// Writes a unit's changes in one transaction, trying again when the
/// store says it may succeed.
fn commit(store: &mut dyn Store, write: &Writes, metrics: &Metrics) -> Result<(), StoreError> {
    let mut last = StoreError::new("the store was not tried");
    for attempt in 0..TRIES {
        if attempt > 0 {
            Metrics::add(&metrics.store_retries, 1);
            std::thread::sleep(std::time::Duration::from_millis(20 << attempt.min(5)));
        }
        match store.commit(write) {
            Ok(()) => return Ok(()),
            Err(error) if error.retry => last = error,
            Err(error) => return Err(error),
        }
    }
    Err(last)
}
