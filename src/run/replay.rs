//! Replaying events through a plan for many customers, in time order:
//! `nurture replay`, the scenario tests, and the simulator's core loop.
//!
//! Events and due timers of all customers are merged into one timeline, so
//! the actions come out in the order they would happen. At equal times,
//! timers go before events (a wait that ends at 09:00 has ended when an
//! event at 09:00 arrives), and customers go in id order.

use super::interpret::{self, Action, Input, Journey, Status};
use super::{Customer, Event, Seconds};
use crate::plan::Plan;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

pub struct Replay {
    pub actions: Vec<Action>,
    /// Every customer's record and journey at the end, by id.
    pub customers: BTreeMap<String, (Customer, Journey)>,
    /// Events for customers that are not in the customer file.
    pub unknown_customers: Vec<Event>,
}

/// What the timeline holds at a moment: the start first, then timers, then
/// events.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Item {
    /// The replay's first moment: every customer gets a tick, so that one
    /// already inactive long enough, or whose date came up within the last
    /// day, enters then.
    Start,
    Tick,
    /// An index into the events.
    Event(usize),
}

/// Replays `events` (sorted by time) from the first event until `until`
/// (the last event when `None`).
pub fn replay(
    plan: &Plan,
    seed: u64,
    customers: Vec<Customer>,
    events: &[Event],
    until: Option<Seconds>,
) -> Replay {
    let start = events.first().map_or(0, |e| e.at);
    let end = until.unwrap_or_else(|| events.last().map_or(start, |e| e.at));
    let mut states: BTreeMap<String, (Customer, Journey)> = customers
        .into_iter()
        .map(|c| (c.id.clone(), (c, Journey::default())))
        .collect();
    let mut timeline: BinaryHeap<Reverse<(Seconds, Item, String)>> = BinaryHeap::new();
    let mut unknown = Vec::new();
    for (i, event) in events.iter().enumerate() {
        if states.contains_key(&event.customer) {
            timeline.push(Reverse((event.at, Item::Event(i), event.customer.clone())));
        } else {
            unknown.push(event.clone());
        }
    }
    for (id, (customer, journey)) in &states {
        timeline.push(Reverse((start, Item::Start, id.clone())));
        if let Some(at) = next_tick(plan, customer, journey, start) {
            timeline.push(Reverse((at, Item::Tick, id.clone())));
        }
    }

    let mut actions = Vec::new();
    while let Some(Reverse((at, item, id))) = timeline.pop() {
        if at > end {
            break;
        }
        let Some((customer, journey)) = states.get_mut(&id) else {
            continue;
        };
        // A timer pushed before the journey moved on may be stale.
        if item == Item::Tick && next_tick(plan, customer, journey, at - 1) != Some(at) {
            continue;
        }
        let input = match item {
            Item::Start | Item::Tick => Input::Tick,
            Item::Event(i) => Input::Event(&events[i]),
        };
        let before = next_tick(plan, customer, journey, at);
        interpret::advance(plan, seed, customer, journey, at, input, &mut actions);
        if let Item::Event(i) = item {
            let event = &events[i];
            customer.last_event_at.insert(event.name.clone(), event.at);
        }
        let after = next_tick(plan, customer, journey, at);
        if let Some(due) = after.filter(|_| after != before) {
            timeline.push(Reverse((due, Item::Tick, id.clone())));
        }
    }
    Replay {
        actions,
        customers: states,
        unknown_customers: unknown,
    }
}

/// When the customer next needs a tick after `after`: their journey's due
/// time while in, or the next date or inactivity trigger while out.
fn next_tick(
    plan: &Plan,
    customer: &Customer,
    journey: &Journey,
    after: Seconds,
) -> Option<Seconds> {
    match journey.status {
        Status::In => journey.due().filter(|&due| due > after),
        Status::Out | Status::Left => interpret::next_entry_check(plan, customer, after),
    }
}
