//! Replaying events through plans for many customers, in time order:
//! `nurture replay`, the scenario tests, and the simulator's core loop.
//!
//! Events and due ticks of all customers are merged into one timeline, so
//! the actions come out in the order they would happen. At equal times,
//! every customer's first look goes first, then ticks, then events (in
//! their order in the file); ticks at one moment go in customer id order.
//! Each customer moves through every plan at once on their one record
//! ([`Together`], `portfolio.rs`: the line-up's order, hand-offs, the
//! schema's caps), the rules `nurture serve` keeps too.

use super::interpret::{Action, Journey};
use super::portfolio::{Lineup, Together};
use super::{Customer, Event, Seconds};
use crate::plan::{Cap, Plan};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

pub struct Replay {
    pub actions: Vec<Action>,
    /// Every customer's record and journey at the end, by id.
    pub customers: BTreeMap<String, (Customer, Journey)>,
    /// Events for customers that are not in the customer file.
    pub unknown_customers: Vec<Event>,
}

/// A replay of several plans together.
pub struct Portfolio {
    /// Each action with the index of its plan (in the order given).
    pub actions: Vec<(usize, Action)>,
    /// Every customer's record and journeys (in the order of the plans
    /// given) at the end, by id.
    pub customers: BTreeMap<String, (Customer, Vec<Journey>)>,
    /// Events for customers that are not in the customer file.
    pub unknown_customers: Vec<Event>,
}

/// What the timeline holds at a moment: the start first, then ticks, then
/// events.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Item {
    /// The replay's first moment: every customer's track starts then, so
    /// that one already inactive long enough, or whose date came up within
    /// the last day, enters then.
    Start,
    Tick,
    /// An index into the events.
    Event(usize),
}

/// Replays `events` (sorted by time) through one plan from the first
/// event until `until` (the last event when `None`).
pub fn replay(
    plan: &Plan,
    seed: u64,
    customers: Vec<Customer>,
    events: &[Event],
    until: Option<Seconds>,
) -> Replay {
    let result = replay_together(&[plan], &[], seed, customers, events, until);
    Replay {
        actions: result.actions.into_iter().map(|(_, a)| a).collect(),
        customers: result
            .customers
            .into_iter()
            .map(|(id, (customer, journeys))| {
                let journey = journeys.into_iter().next().unwrap_or_default();
                (id, (customer, journey))
            })
            .collect(),
        unknown_customers: result.unknown_customers,
    }
}

/// Replays `events` (sorted by time) through every plan at once, each
/// customer on one record, keeping the schema's `caps` across the plans
/// (`portfolio.rs`), from the first event until `until` (the last event
/// when `None`).
pub fn replay_together(
    plans: &[&Plan],
    caps: &[Cap],
    seed: u64,
    customers: Vec<Customer>,
    events: &[Event],
    until: Option<Seconds>,
) -> Portfolio {
    let order = super::portfolio::order(plans);
    let lined: Vec<&Plan> = order.iter().map(|&i| plans[i]).collect();
    let lineup = Lineup::new(&lined, caps, seed);
    let start = events.first().map_or(0, |e| e.at);
    let end = until.unwrap_or_else(|| events.last().map_or(start, |e| e.at));
    let mut people: BTreeMap<String, Together> = customers
        .into_iter()
        .map(|c| (c.id.clone(), Together::new(c, plans.len())))
        .collect();
    let mut timeline: BinaryHeap<Reverse<(Seconds, Item, String)>> = BinaryHeap::new();
    let mut unknown = Vec::new();
    for (i, event) in events.iter().enumerate() {
        if people.contains_key(&event.customer) {
            timeline.push(Reverse((event.at, Item::Event(i), event.customer.clone())));
        } else {
            unknown.push(event.clone());
        }
    }
    for id in people.keys() {
        timeline.push(Reverse((start, Item::Start, id.clone())));
    }

    let mut actions = Vec::new();
    while let Some(Reverse((at, item, id))) = timeline.pop() {
        if at > end {
            break;
        }
        let Some(person) = people.get_mut(&id) else {
            continue;
        };
        let before = person.next_tick(lineup);
        match item {
            Item::Start => person.start(lineup, at, &mut actions),
            // A tick pushed before the journeys moved on may be stale:
            // only the customer's own next tick fires.
            Item::Tick if before != Some(at) => continue,
            Item::Tick => {
                person.catch_up(lineup, at, &mut actions);
            }
            Item::Event(i) => {
                person.event(lineup, &events[i], &mut actions);
            }
        }
        let after = person.next_tick(lineup);
        if let Some(due) = after.filter(|_| after != before || item == Item::Start) {
            timeline.push(Reverse((due, Item::Tick, id.clone())));
        }
    }
    Portfolio {
        actions: actions
            .into_iter()
            .map(|(i, action)| (order[i], action))
            .collect(),
        customers: people
            .into_iter()
            .map(|(id, person)| {
                let mut journeys = vec![Journey::default(); plans.len()];
                for (i, seat) in person.seats.into_iter().enumerate() {
                    journeys[order[i]] = seat.journey;
                }
                (id, (person.customer, journeys))
            })
            .collect(),
        unknown_customers: unknown,
    }
}
