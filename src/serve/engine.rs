//! Stage serve, engine: the threads that own the store's write
//! connections. Requests arrive as jobs on a queue; a worker takes one (and
//! every batch of events waiting behind it, so that busy moments commit
//! many requests at once), runs it as one unit of work in the store, and
//! answers only after the commit. What happens to each customer is
//! `customer.rs`, on `run::track`.

use super::clock::{self, Clock};
use super::customer::Working;
use super::metrics::Metrics;
use super::parallel::in_parallel;
use super::programs::Programs;
use super::store::{Ask, Batch, Loaded, Location, Store, StoreError, Writes};
use super::units::{self, Jobs};
use crate::run::{Customer, Event, Seconds};
use std::collections::{BTreeMap, VecDeque};
use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Arc, Mutex, RwLock};
use tokio::sync::oneshot;

/// Customers a due-timer batch loads at most.
const DUE_BATCH: usize = 2000;
/// Events one unit of work takes at most when joining requests.
const JOIN_EVENTS: usize = 5000;
/// Tries of a unit of work the store says may succeed again.
const TRIES: usize = 6;
/// A timer this far behind the clock when it fires counts as late.
const LATE_TIMER: Seconds = 5;

/// The answer to events sent before the manual clock was ever set.
pub const CLOCK_UNSET: &str =
    "the manual clock has not been set: POST /v1/clock {\"now\": …} first";

/// What became of one event of a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventOutcome {
    Accepted { late: bool },
    Duplicate,
    UnknownCustomer,
}

/// What became of one customer record of a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CustomerOutcome {
    Created,
    Updated,
    Unchanged,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ClockError {
    /// The clock is the system's.
    NotManual,
    /// Time moves forward only; the clock is at this time.
    Backwards(Seconds),
    Store(String),
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ClockMoved {
    pub now: Seconds,
    pub fired: u64,
    /// Some customer with a timer due at `now` is held by another process
    /// (PostgreSQL) after the wait; false when every timer has fired.
    pub still_due: bool,
}

pub type Reply<T> = oneshot::Sender<Result<T, String>>;

pub enum Job {
    Customers {
        records: Vec<Customer>,
        reply: Reply<Vec<CustomerOutcome>>,
    },
    Events {
        events: Vec<Event>,
        reply: Reply<Vec<EventOutcome>>,
    },
    Clock {
        to: Seconds,
        reply: oneshot::Sender<Result<ClockMoved, ClockError>>,
    },
    /// One batch of due timers up to the clock's now; answers how many
    /// customers it loaded.
    Due { reply: Reply<usize> },
}

/// What the workers share.
pub struct Shared {
    pub programs: RwLock<Programs>,
    pub clock: Clock,
    pub metrics: Metrics,
    pub seed: u64,
    /// Woken after a commit that wrote actions, so delivery starts at once.
    pub outbox: super::deliver::Signal,
}

/// The queue the HTTP side and the timer loop put jobs on.
#[derive(Clone)]
pub struct Engine {
    sender: Sender<Job>,
}

impl Engine {
    /// Starts `workers` threads, each with its own store connection.
    pub fn start(
        location: &Location,
        workers: usize,
        shared: Arc<Shared>,
    ) -> Result<(Engine, Vec<std::thread::JoinHandle<()>>), StoreError> {
        let (sender, receiver) = std::sync::mpsc::channel::<Job>();
        let receiver = Arc::new(Mutex::new(receiver));
        let mut handles = Vec::new();
        for index in 0..workers.max(1) {
            let store = super::store::open(location)?;
            let mut worker = Worker {
                store,
                shared: Arc::clone(&shared),
                receiver: Arc::clone(&receiver),
                waiting: VecDeque::new(),
            };
            let handle = std::thread::Builder::new()
                .name(format!("nurture-engine-{index}"))
                .spawn(move || worker.run())
                .map_err(|error| StoreError::new(format!("cannot start a worker: {error}")))?;
            handles.push(handle);
        }
        Ok((Engine { sender }, handles))
    }

    pub async fn customers(&self, records: Vec<Customer>) -> Result<Vec<CustomerOutcome>, String> {
        let (reply, answer) = oneshot::channel();
        self.send(Job::Customers { records, reply })?;
        answer.await.unwrap_or_else(|_| Err(stopped()))
    }

    pub async fn events(&self, events: Vec<Event>) -> Result<Vec<EventOutcome>, String> {
        let (reply, answer) = oneshot::channel();
        self.send(Job::Events { events, reply })?;
        answer.await.unwrap_or_else(|_| Err(stopped()))
    }

    pub async fn clock(&self, to: Seconds) -> Result<ClockMoved, ClockError> {
        let (reply, answer) = oneshot::channel();
        self.send(Job::Clock { to, reply })
            .map_err(ClockError::Store)?;
        answer
            .await
            .unwrap_or_else(|_| Err(ClockError::Store(stopped())))
    }

    /// One batch of due timers, waited for on the calling (non-async)
    /// thread: the timer loop's.
    pub fn due_blocking(&self) -> Result<usize, String> {
        let (reply, answer) = oneshot::channel();
        self.send(Job::Due { reply })?;
        answer.blocking_recv().unwrap_or_else(|_| Err(stopped()))
    }

    fn send(&self, job: Job) -> Result<(), String> {
        self.sender.send(job).map_err(|_| stopped())
    }
}

fn stopped() -> String {
    "the service is stopping".to_string()
}

struct Worker {
    store: Box<dyn Store>,
    shared: Arc<Shared>,
    receiver: Arc<Mutex<Receiver<Job>>>,
    /// Jobs taken off the queue while joining events, to run next.
    waiting: VecDeque<Job>,
}

impl Worker {
    fn run(&mut self) {
        loop {
            let job = match self.waiting.pop_front() {
                Some(job) => job,
                None => {
                    let Ok(receiver) = self.receiver.lock() else {
                        return;
                    };
                    match receiver.recv() {
                        Ok(job) => job,
                        Err(_) => return,
                    }
                }
            };
            match job {
                Job::Events { events, reply } => {
                    let mut jobs = vec![(events, reply)];
                    self.join_events(&mut jobs);
                    self.events(jobs);
                }
                Job::Customers { records, reply } => {
                    let answer = self.customers(records);
                    let _ = reply.send(answer);
                }
                Job::Clock { to, reply } => {
                    let answer = self.move_clock(to);
                    let _ = reply.send(answer);
                }
                Job::Due { reply } => {
                    self.refresh_clock();
                    let answer = match self.shared.clock.now() {
                        Some(now) => self.due(now).map(|(loaded, _)| loaded),
                        None => Ok(0),
                    };
                    let _ = reply.send(answer);
                }
            }
        }
    }

    /// Takes the event requests waiting on the queue, up to a bound, to
    /// commit with the first; other jobs wait their turn.
    fn join_events(&mut self, jobs: &mut Jobs) {
        let mut count: usize = jobs.iter().map(|(events, _)| events.len()).sum();
        let Ok(receiver) = self.receiver.lock() else {
            return;
        };
        while count < JOIN_EVENTS && self.waiting.is_empty() {
            match receiver.try_recv() {
                Ok(Job::Events { events, reply }) => {
                    count += events.len();
                    jobs.push((events, reply));
                }
                Ok(other) => self.waiting.push_back(other),
                Err(_) => break,
            }
        }
    }

    /// Runs `work` in the store, trying again when the store says it may
    /// succeed, and once more after loading plan versions another process
    /// deployed.
    fn unit(
        &mut self,
        ask: &Ask,
        work: &mut dyn FnMut(&mut Batch, &Programs) -> Result<(), String>,
    ) -> Result<(usize, Seconds), String> {
        let mut reloaded = false;
        let mut last = String::new();
        for attempt in 0..TRIES {
            if attempt > 0 {
                Metrics::add(&self.shared.metrics.store_retries, 1);
                std::thread::sleep(std::time::Duration::from_millis(20 << attempt.min(5)));
            }
            let programs = match self.shared.programs.read() {
                Ok(programs) => programs.clone(),
                Err(_) => return Err("the service's plans are unreadable".into()),
            };
            let mut missing = false;
            let result = self.store.work(ask, &mut |batch| {
                work(batch, &programs).inspect_err(|problem| {
                    missing = problem.contains("is not loaded");
                })
            });
            match result {
                Ok(done) => return Ok(done),
                Err(error) if missing && !reloaded => {
                    reloaded = true;
                    self.reload_plans()?;
                    last = error.message;
                }
                Err(error) if error.retry => last = error.message,
                Err(error) => return Err(error.message),
            }
        }
        Err(last)
    }

    fn reload_plans(&mut self) -> Result<(), String> {
        let stored = self.store.plans().map_err(|e| e.message)?;
        if let Ok(mut programs) = self.shared.programs.write() {
            for problem in programs.add_stored(&stored) {
                eprintln!("nurture serve: {problem}");
            }
        }
        Ok(())
    }

    /// The manual clock as the store has it (another process may have
    /// moved it).
    fn refresh_clock(&mut self) {
        if self.shared.clock.mode != clock::Mode::Manual {
            return;
        }
        if let Ok(Some(text)) = self.store.meta(clock::META_NAME)
            && let Ok(at) = text.parse::<Seconds>()
        {
            self.shared.clock.set_manual(at);
        }
    }

    fn customers(&mut self, records: Vec<Customer>) -> Result<Vec<CustomerOutcome>, String> {
        self.refresh_clock();
        let now = self.shared.clock.now();
        let mut ids: Vec<String> = records.iter().map(|r| r.id.clone()).collect();
        ids.sort();
        ids.dedup();
        let ask = Ask::Customers {
            ids,
            events: Vec::new(),
        };
        let seed = self.shared.seed;
        let received = clock::wall();
        let mut outcomes = Vec::new();
        let mut kinds: Vec<String> = Vec::new();
        self.unit(&ask, &mut |batch, programs| {
            outcomes.clear();
            kinds.clear();
            let mut working: BTreeMap<String, Working> = BTreeMap::new();
            for (id, loaded) in std::mem::take(&mut batch.customers) {
                working.insert(id, Working::from_loaded(loaded, programs)?);
            }
            for record in &records {
                let outcome = match working.get_mut(&record.id) {
                    Some(customer) => {
                        if customer.replace(record.clone(), now, seed) {
                            CustomerOutcome::Updated
                        } else {
                            CustomerOutcome::Unchanged
                        }
                    }
                    None => {
                        let customer = Working::new(record.clone(), now, programs, seed);
                        working.insert(record.id.clone(), customer);
                        CustomerOutcome::Created
                    }
                };
                outcomes.push(outcome);
            }
            for customer in working.into_values() {
                customer.write(&mut batch.write, received);
            }
            kinds.extend(batch.write.outbox.iter().map(|a| a.kind.clone()));
            Ok(())
        })?;
        let metrics = &self.shared.metrics;
        for outcome in &outcomes {
            match outcome {
                CustomerOutcome::Created => Metrics::add(&metrics.customers_created, 1),
                CustomerOutcome::Updated => Metrics::add(&metrics.customers_updated, 1),
                CustomerOutcome::Unchanged => {}
            }
        }
        self.actions_written(&kinds);
        Ok(outcomes)
    }

    fn events(&mut self, jobs: Jobs) {
        let started = clock::wall_millis();
        self.refresh_clock();
        if self.shared.clock.now().is_none() {
            for (_, reply) in jobs {
                let _ = reply.send(Err(CLOCK_UNSET.to_string()));
            }
            return;
        }
        let ask = units::ask(&jobs);
        let seed = self.shared.seed;
        let received = clock::wall();
        let mut outcomes: Vec<Vec<EventOutcome>> = Vec::new();
        let mut kinds: Vec<String> = Vec::new();
        let sent: Vec<&[Event]> = jobs.iter().map(|(events, _)| events.as_slice()).collect();
        let result = self.unit(&ask, &mut |batch, programs| {
            outcomes = units::work(batch, &sent, programs, seed, received)?;
            kinds = batch.write.outbox.iter().map(|a| a.kind.clone()).collect();
            Ok(())
        });
        match result {
            Ok(_) => self.answer(jobs, outcomes, &kinds, started),
            Err(problem) => {
                for (_, reply) in jobs {
                    let _ = reply.send(Err(problem.clone()));
                }
            }
        }
    }

    /// Counts a committed unit of events and answers its requests.
    fn answer(&self, jobs: Jobs, outcomes: Vec<Vec<EventOutcome>>, kinds: &[String], started: i64) {
        let metrics = &self.shared.metrics;
        for outcome in outcomes.iter().flatten() {
            match outcome {
                EventOutcome::Accepted { late } => {
                    Metrics::add(&metrics.events_accepted, 1);
                    if *late {
                        Metrics::add(&metrics.events_late, 1);
                    }
                }
                EventOutcome::Duplicate => Metrics::add(&metrics.events_duplicate, 1),
                EventOutcome::UnknownCustomer => Metrics::add(&metrics.events_unknown_customer, 1),
            }
        }
        let spent = (clock::wall_millis() - started).max(0) as u64;
        Metrics::add(&metrics.commit_millis, spent);
        Metrics::add(&metrics.commits, 1);
        self.actions_written(kinds);
        for ((_, reply), answer) in jobs.into_iter().zip(outcomes) {
            let _ = reply.send(Ok(answer));
        }
    }

    fn actions_written(&self, kinds: &[String]) {
        for kind in kinds {
            self.shared.metrics.action(kind);
        }
        if !kinds.is_empty() {
            self.shared.outbox.wake();
        }
    }

    /// One batch of customers with timers due at or before `up_to`: how
    /// many it loaded, and how far it got.
    fn due(&mut self, up_to: Seconds) -> Result<(usize, Seconds), String> {
        let seed = self.shared.seed;
        let received = clock::wall();
        let system = self.shared.clock.mode == clock::Mode::System;
        let ask = Ask::Due {
            up_to,
            limit: DUE_BATCH,
        };
        let mut fired = 0;
        let mut late = 0;
        let mut kinds: Vec<String> = Vec::new();
        let done = self.unit(&ask, &mut |batch, programs| {
            kinds.clear();
            let horizon = batch.horizon;
            let customers: Vec<Loaded> =
                std::mem::take(&mut batch.customers).into_values().collect();
            // Each customer's catching up is pure and their own, so a big
            // batch is worked on every core; the writes are joined in the
            // customers' order, as one thread would have made them.
            let parts = in_parallel(customers, |part| {
                let mut done = Due::default();
                for loaded in part {
                    if system
                        && loaded
                            .row
                            .next_timer
                            .is_some_and(|t| t < received - LATE_TIMER)
                    {
                        done.late += 1;
                    }
                    let mut customer = Working::from_loaded(loaded, programs)?;
                    done.fired += customer.catch_up(horizon, seed);
                    customer.write(&mut done.write, received);
                }
                Ok::<Due, String>(done)
            });
            fired = 0;
            late = 0;
            for part in parts {
                let part = part??;
                fired += part.fired;
                late += part.late;
                batch.write.append(part.write);
            }
            kinds.extend(batch.write.outbox.iter().map(|a| a.kind.clone()));
            Ok(())
        })?;
        Metrics::add(&self.shared.metrics.timers_fired, fired as u64);
        Metrics::add(&self.shared.metrics.timers_late, late);
        self.actions_written(&kinds);
        Ok(done)
    }

    /// Moves the manual clock to `to` and fires every timer due up to it,
    /// batch by batch, in time order.
    fn move_clock(&mut self, to: Seconds) -> Result<ClockMoved, ClockError> {
        if self.shared.clock.mode != clock::Mode::Manual {
            return Err(ClockError::NotManual);
        }
        self.refresh_clock();
        let current = self.shared.clock.now();
        if let Some(current) = current
            && to < current
        {
            return Err(ClockError::Backwards(current));
        }
        let store = |e: StoreError| ClockError::Store(e.message);
        // The new time is kept before any timer fires: a crash part-way
        // resumes at `to`, and the restart fires what is left.
        self.store
            .set_meta(clock::META_NAME, &to.to_string())
            .map_err(store)?;
        self.shared.clock.set_manual(to);
        if current.is_none() {
            self.store.schedule_starts(to).map_err(store)?;
        }
        let before = self
            .shared
            .metrics
            .timers_fired
            .load(std::sync::atomic::Ordering::Relaxed);
        let mut still_due = false;
        let mut idle_rounds = 0;
        // Each batch moves every customer it loads past its horizon, so the
        // loop ends; the bound is a guard.
        for _ in 0..10_000_000u64 {
            let (loaded, _) = self.due(to).map_err(ClockError::Store)?;
            if loaded > 0 {
                idle_rounds = 0;
                continue;
            }
            // Nothing loaded: done, unless another process holds customers
            // with timers due (PostgreSQL); wait for it a little.
            still_due = matches!(self.store.next_timer().map_err(store)?, Some(next) if next <= to);
            if !still_due || idle_rounds >= 300 {
                break;
            }
            idle_rounds += 1;
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let after = self
            .shared
            .metrics
            .timers_fired
            .load(std::sync::atomic::Ordering::Relaxed);
        Ok(ClockMoved {
            now: to,
            fired: after - before,
            still_due,
        })
    }
}

/// What catching up a part of a due batch did.
#[derive(Default)]
struct Due {
    fired: usize,
    late: u64,
    write: Writes,
}
