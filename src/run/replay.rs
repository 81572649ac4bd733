//! Replaying events through a plan for many customers, in time order:
//! `nurture replay`, the scenario tests, and the simulator's core loop.
//!
//! Events and due ticks of all customers are merged into one timeline, so
//! the actions come out in the order they would happen. At equal times,
//! every customer's first look goes first, then ticks, then events (in
//! their order in the file); ticks at one moment go in customer id order.
//! Each customer moves along their own [`Track`], the rules `nurture serve`
//! keeps too (`track.rs`).

use super::interpret::{Action, Journey};
use super::track::Track;
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
    let mut tracks: BTreeMap<String, Track> = customers
        .into_iter()
        .map(|c| (c.id.clone(), Track::new(c)))
        .collect();
    let mut timeline: BinaryHeap<Reverse<(Seconds, Item, String)>> = BinaryHeap::new();
    let mut unknown = Vec::new();
    for (i, event) in events.iter().enumerate() {
        if tracks.contains_key(&event.customer) {
            timeline.push(Reverse((event.at, Item::Event(i), event.customer.clone())));
        } else {
            unknown.push(event.clone());
        }
    }
    for id in tracks.keys() {
        timeline.push(Reverse((start, Item::Start, id.clone())));
    }

    let mut actions = Vec::new();
    while let Some(Reverse((at, item, id))) = timeline.pop() {
        if at > end {
            break;
        }
        let Some(track) = tracks.get_mut(&id) else {
            continue;
        };
        let before = track.next_tick(plan);
        match item {
            Item::Start => track.start(plan, seed, at, &mut actions),
            // A tick pushed before the journey moved on may be stale: only
            // the track's own next tick fires.
            Item::Tick if before != Some(at) => continue,
            Item::Tick => {
                track.tick(plan, seed, at, &mut actions);
            }
            Item::Event(i) => {
                track.event(plan, seed, &events[i], &mut actions);
            }
        }
        let after = track.next_tick(plan);
        if let Some(due) = after.filter(|_| after != before || item == Item::Start) {
            timeline.push(Reverse((due, Item::Tick, id.clone())));
        }
    }
    Replay {
        actions,
        customers: tracks
            .into_iter()
            .map(|(id, track)| (id, (track.customer, track.journey)))
            .collect(),
        unknown_customers: unknown,
    }
}
