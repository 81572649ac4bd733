//! Stage serve, engine: one unit of events, as the engine runs it on the
//! customers a store loaded. The events are sorted per customer, each
//! customer's run on `run::track` (`customer.rs`), the customers worked on
//! every core; what changed is collected as the store writes it.

use super::customer::Working;
use super::engine::{EventOutcome, Reply};
use super::parallel::in_parallel;
use super::programs::Programs;
use super::store::{Ask, Batch, EventRow, Loaded, Writes};
use crate::run::{Event, Seconds};
use std::collections::{HashMap, HashSet};

/// Requests of events joined into one unit of work, each with its answer.
pub type Jobs = Vec<(Vec<Event>, Reply<Vec<EventOutcome>>)>;

/// What a unit of `jobs` needs from the store: their customers, and
/// whether each event id is stored already.
pub fn ask(jobs: &Jobs) -> Ask {
    let mut ids: Vec<String> = Vec::new();
    let mut pairs: Vec<(String, String)> = Vec::new();
    for (events, _) in jobs {
        for event in events {
            ids.push(event.customer.clone());
            pairs.push((event.customer.clone(), event.id.clone().unwrap_or_default()));
        }
    }
    ids.sort();
    ids.dedup();
    Ask::Customers { ids, events: pairs }
}

/// Runs the events `sent` (by request) on the customers of `batch`, adds
/// what changed to `batch.write`, and answers for each event.
pub fn work(
    batch: &mut Batch,
    sent: &[&[Event]],
    programs: &Programs,
    seed: u64,
    received: Seconds,
) -> Result<Vec<Vec<EventOutcome>>, String> {
    let (customers, mut outcomes) = sort_events(batch, sent);
    // Each customer's events are their own, so the customers are worked
    // on every core (the interpreter, and the JSON of their rows); the
    // writes are joined in the customers' order, as one thread would have
    // made them.
    let parts = in_parallel(customers, |part| {
        let mut done = Worked::default();
        for (loaded, mine) in part {
            let mut customer = Working::from_loaded(loaded, programs)?;
            for (job, index) in mine {
                let event = &sent[job][index];
                let late = customer.event(event, seed);
                done.write.events.push(EventRow {
                    customer: event.customer.clone(),
                    id: event.id.clone().unwrap_or_default(),
                    at: event.at,
                    name: event.name.clone(),
                    body: serde_json::to_string(event).unwrap_or_default(),
                    received_at: received,
                    late,
                });
                done.accepted.push((job, index, late));
            }
            customer.write(&mut done.write, received);
        }
        Ok::<Worked, String>(done)
    });
    for part in parts {
        let part = part??;
        for (job, index, late) in part.accepted {
            if let Some(answer) = outcomes.get_mut(job).and_then(|a| a.get_mut(index)) {
                *answer = EventOutcome::Accepted { late };
            }
        }
        batch.write.append(part.write);
    }
    Ok(outcomes)
}

/// The customers of a unit of events, each with their events to run as
/// (request, index) in the order they run, and the answers so far: every
/// event not yet accepted is a duplicate or of an unknown customer.
/// Each customer's events run in the order of their `at`, request by
/// request; equal times keep the order they were sent in. The first of
/// the same (customer, id) counts, the rest are duplicates.
type Sorted = (Vec<(Loaded, Vec<(usize, usize)>)>, Vec<Vec<EventOutcome>>);

fn sort_events(batch: &mut Batch, sent: &[&[Event]]) -> Sorted {
    let loaded = std::mem::take(&mut batch.customers);
    let position: HashMap<&str, usize> = loaded
        .keys()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let mut runs: Vec<Vec<(usize, usize)>> = vec![Vec::new(); loaded.len()];
    let mut seen: HashSet<(String, String)> = std::mem::take(&mut batch.known_events);
    let mut answers = Vec::with_capacity(sent.len());
    for (job, events) in sent.iter().enumerate() {
        let mut order: Vec<usize> = (0..events.len()).collect();
        order.sort_by(|&a, &b| {
            (&events[a].customer, events[a].at).cmp(&(&events[b].customer, events[b].at))
        });
        let mut answer = vec![EventOutcome::Duplicate; events.len()];
        for index in order {
            let event = &events[index];
            let Some(&at) = position.get(event.customer.as_str()) else {
                answer[index] = EventOutcome::UnknownCustomer;
                continue;
            };
            let id = event.id.clone().unwrap_or_default();
            if seen.insert((event.customer.clone(), id)) {
                runs[at].push((job, index));
            }
        }
        answers.push(answer);
    }
    let customers = loaded.into_values().zip(runs).collect();
    (customers, answers)
}

/// What working a part of a unit of events did: the changes, and the
/// events accepted as (request, index, late).
#[derive(Default)]
struct Worked {
    write: Writes,
    accepted: Vec<(usize, usize, bool)>,
}
