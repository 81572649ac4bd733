//! Shares customers out to threads and adds up their counts.
//!
//! The customers are read on the calling thread and handed out in batches;
//! each worker simulates whole customers with its own scratch space and
//! counts. Counts are added at the end, and adding does not care about
//! order, so the result is the same for every number of threads.

use super::behavior::Behavior;
use super::engine::{Scratch, Simulated, Subject, Window, simulate_one};
use super::setup::Setup;
use super::tally::Tally;
use super::together::{Lineup, Space, WeekTally, simulate_together};
use super::zone::Zones;
use crate::run::Customer;
use crate::run::input::{Row, RowError};
use std::sync::{Mutex, mpsc};

/// What the reading thread hands out: a customer, or a CSV row that a
/// simulating thread makes one of (building customers is most of the
/// reading work, and this way it is shared out too).
pub trait Work: Send {
    /// The customer, or `None` with the row's problems added to `errors`.
    fn customer(self, file: &str, errors: &mut Vec<RowError>) -> Option<Customer>;
}

impl Work for Customer {
    fn customer(self, _file: &str, _errors: &mut Vec<RowError>) -> Option<Customer> {
        Some(self)
    }
}

impl Work for Row<'_> {
    fn customer(self, file: &str, errors: &mut Vec<RowError>) -> Option<Customer> {
        match Row::customer(&self) {
            Ok(customer) => Some(customer),
            Err(problems) => {
                errors.extend(problems.into_iter().map(|problem| RowError {
                    file: file.to_string(),
                    line: self.line,
                    problem,
                    note: false,
                }));
                None
            }
        }
    }
}

/// Customers handed to a worker at a time: enough to make the hand-over
/// cheap, few enough that all workers stay busy to the end.
const BATCH: usize = 1024;

/// Reads customers (or rows), handing each to the function it is given.
pub type Reader<'r, W> = dyn FnMut(&mut dyn FnMut(W)) + 'r;

pub struct Options {
    /// One run per seed (`--runs`): every customer is simulated through
    /// every program once per seed.
    pub seeds: Vec<u64>,
    pub window: Window,
    /// Simulating threads; 1 simulates on the reading thread.
    pub threads: usize,
}

/// Simulates every customer `read` produces through every program, once
/// per seed. `read` calls its argument once per customer or row (of
/// `file`); `progress` hears how many have been read so far, now and then.
/// Returns the counts, `[run][program]`, and the problems of rows that were
/// not customers.
pub fn simulate<W: Work>(
    setups: &[Setup<'_>],
    model: &Behavior,
    options: &Options,
    file: &str,
    read: &mut Reader<'_, W>,
    progress: &mut dyn FnMut(u64),
) -> (Vec<Vec<Tally>>, Vec<RowError>) {
    let fresh = || -> Vec<Vec<Tally>> {
        options
            .seeds
            .iter()
            .map(|_| setups.iter().map(Tally::new).collect())
            .collect()
    };
    let mut totals = fresh();
    let mut errors = Vec::new();
    if options.threads <= 1 {
        let mut worker = Worker::new(setups, model, options);
        let mut count = 0u64;
        read(&mut |work| {
            if let Some(customer) = work.customer(file, &mut errors) {
                worker.take(customer);
            }
            count += 1;
            if count % 65_536 == 0 {
                progress(count);
            }
        });
        merge(&mut totals, &worker.tallies);
        return (totals, errors);
    }

    let (send, receive) = mpsc::sync_channel::<Vec<W>>(options.threads * 2);
    let receive = Mutex::new(receive);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..options.threads)
            .map(|_| {
                let receive = &receive;
                scope.spawn(move || {
                    let mut worker = Worker::new(setups, model, options);
                    let mut errors = Vec::new();
                    loop {
                        let batch = match receive.lock() {
                            Ok(receiver) => receiver.recv(),
                            Err(_) => break,
                        };
                        let Ok(batch) = batch else { break };
                        for work in batch {
                            if let Some(customer) = work.customer(file, &mut errors) {
                                worker.take(customer);
                            }
                        }
                    }
                    (worker.tallies, errors)
                })
            })
            .collect();
        let mut batch = Vec::with_capacity(BATCH);
        let mut count = 0u64;
        read(&mut |work| {
            batch.push(work);
            count += 1;
            if batch.len() == BATCH {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                // A worker only stops receiving when it panicked; the join
                // below reports that.
                let _ = send.send(full);
            }
            if count % 65_536 == 0 {
                progress(count);
            }
        });
        if !batch.is_empty() {
            let _ = send.send(batch);
        }
        drop(send);
        for worker in workers {
            if let Ok((tallies, found)) = worker.join() {
                merge(&mut totals, &tallies);
                errors.extend(found);
            }
        }
    });
    // Workers finish in any order; the problems are told in file order.
    errors.sort_by_key(|e| e.line);
    (totals, errors)
}

pub(super) fn merge(totals: &mut [Vec<Tally>], tallies: &[Vec<Tally>]) {
    for (run, theirs) in totals.iter_mut().zip(tallies) {
        for (total, tally) in run.iter_mut().zip(theirs) {
            total.merge(tally);
        }
    }
}

/// One thread's simulating: scratch space, time zones and counts.
pub(super) struct Worker<'s, 'm> {
    setups: &'s [Setup<'m>],
    model: &'s Behavior,
    options: &'s Options,
    scratch: Scratch<'s>,
    pub(super) zones: Zones,
    /// `[run][program]`.
    pub(super) tallies: Vec<Vec<Tally>>,
    /// The programs run together (`None`: side by side, `--compare`).
    lineup: Option<&'s Lineup<'s, 'm>>,
    space: Space,
    /// Per run: the portfolio's weeks, when run together.
    pub(super) weeks: Vec<WeekTally>,
}

impl<'s, 'm> Worker<'s, 'm> {
    /// Simulates the customer `read` through every program, once per seed;
    /// `subject` is where each program's copy of the record is made (its
    /// zone already set to the customer's).
    pub(super) fn simulate<R: Simulated + Clone>(&mut self, read: &R, subject: &mut Subject<R>) {
        if let Some(lineup) = self.lineup {
            for (run, &seed) in self.options.seeds.iter().enumerate() {
                subject.customer.clone_from(read);
                subject.forget_offset();
                self.together(lineup, seed, run, subject);
            }
            return;
        }
        for (run, &seed) in self.options.seeds.iter().enumerate() {
            for (index, setup) in self.setups.iter().enumerate() {
                // Every program meets the customer as they were read.
                subject.customer.clone_from(read);
                subject.forget_offset();
                simulate_one(
                    setup,
                    self.model,
                    seed,
                    self.options.window,
                    index,
                    subject,
                    &mut self.scratch,
                    &mut self.tallies[run][index],
                    None,
                );
            }
        }
    }

    /// One customer through every program together, in run `run`.
    fn together<R: Simulated + Clone>(
        &mut self,
        lineup: &'s Lineup<'s, 'm>,
        seed: u64,
        run: usize,
        subject: &mut Subject<R>,
    ) {
        simulate_together(
            lineup,
            self.model,
            seed,
            self.options.window,
            subject,
            &mut self.scratch,
            &mut self.space,
            &mut self.tallies[run],
            &mut self.weeks[run],
            None,
        );
    }

    pub(super) fn new(setups: &'s [Setup<'m>], model: &'s Behavior, options: &'s Options) -> Self {
        Worker::with(setups, model, options, None)
    }

    /// A worker running the programs of `lineup` together, or side by
    /// side without one.
    pub(super) fn with(
        setups: &'s [Setup<'m>],
        model: &'s Behavior,
        options: &'s Options,
        lineup: Option<&'s Lineup<'s, 'm>>,
    ) -> Self {
        Worker {
            setups,
            model,
            options,
            scratch: Scratch::new(),
            zones: Zones::default(),
            lineup,
            space: Space::default(),
            weeks: options.seeds.iter().map(|_| WeekTally::default()).collect(),
            tallies: options
                .seeds
                .iter()
                .map(|_| setups.iter().map(Tally::new).collect())
                .collect(),
        }
    }

    fn take(&mut self, customer: Customer) {
        let zone = self.zones.get(customer.time_zone.as_deref());
        if let Some(lineup) = self.lineup {
            let mut subject = Subject::new(customer.clone(), zone);
            for (run, &seed) in self.options.seeds.iter().enumerate() {
                subject.customer.clone_from(&customer);
                subject.forget_offset();
                self.together(lineup, seed, run, &mut subject);
            }
            return;
        }
        let total = self.setups.len() * self.options.seeds.len();
        let mut customer = Some(customer);
        let mut done = 0;
        for (run, &seed) in self.options.seeds.iter().enumerate() {
            for (index, setup) in self.setups.iter().enumerate() {
                // Every program meets the customer as they were read; the
                // last takes the record itself rather than a copy.
                done += 1;
                let record = if done == total {
                    customer.take()
                } else {
                    customer.clone()
                };
                let Some(record) = record else { return };
                let mut subject = Subject::new(record, zone.clone());
                simulate_one(
                    setup,
                    self.model,
                    seed,
                    self.options.window,
                    index,
                    &mut subject,
                    &mut self.scratch,
                    &mut self.tallies[run][index],
                    None,
                );
            }
        }
    }
}
