//! What was seen after each send: how long it was watched (to the window's
//! end, the next send to the customer, or the end of the history) and the
//! events of the customer in that time, which answer it.

use super::Options;
use super::history::History;
use crate::run::Seconds;
use std::collections::BTreeSet;

pub struct Watched {
    /// Per send (in `history.sends` order): when watching it stopped.
    pub until: Vec<Seconds>,
    /// Per send: the indices of the events in its window, in time order.
    pub events: Vec<Vec<usize>>,
    /// Events in no send's window.
    pub outside: Vec<usize>,
    /// Customer-seconds in no window, over every customer there was.
    pub outside_time: f64,
    /// Per send: the customer's segments.
    pub segments: Vec<BTreeSet<String>>,
    /// Customers counted.
    pub customers: usize,
}

pub fn watch(history: &History, options: &Options) -> Watched {
    let sends = &history.sends;
    let events = &history.events;
    let mut until = vec![0; sends.len()];
    let mut in_window = vec![Vec::new(); sends.len()];
    let mut outside = Vec::new();
    let mut window_time = 0.0;
    let known: std::collections::BTreeMap<&str, &BTreeSet<String>> = options
        .population
        .iter()
        .flatten()
        .map(|(id, segments)| (id.as_str(), segments))
        .collect();
    let empty = BTreeSet::new();
    let segments: Vec<BTreeSet<String>> = sends
        .iter()
        .map(|s| match &s.segments {
            Some(own) => own.clone(),
            None => known
                .get(history.customers[s.customer as usize].as_str())
                .copied()
                .unwrap_or(&empty)
                .clone(),
        })
        .collect();
    // Sends and events are sorted by customer, then time.
    let mut e = 0;
    let mut s = 0;
    while s < sends.len() || e < events.len() {
        let customer = match (sends.get(s), events.get(e)) {
            (Some(a), Some(b)) => a.customer.min(b.customer),
            (Some(a), None) => a.customer,
            (None, Some(b)) => b.customer,
            (None, None) => break,
        };
        let first_send = s;
        while s < sends.len() && sends[s].customer == customer {
            s += 1;
        }
        for i in first_send..s {
            let next = if i + 1 < s {
                sends[i + 1].at
            } else {
                Seconds::MAX
            };
            until[i] = sends[i]
                .at
                .saturating_add(options.window)
                .min(next)
                .min(history.last);
            window_time += (until[i] - sends[i].at).max(0) as f64;
        }
        let mut current = first_send;
        while e < events.len() && events[e].customer == customer {
            let at = events[e].at;
            // An event at the very second of a send is what set the send
            // off (a trigger), not an answer to it.
            while current + 1 < s && sends[current + 1].at < at {
                current += 1;
            }
            let inside = current < s && sends[current].at < at && at <= until[current];
            if inside {
                in_window[current].push(e);
            } else {
                outside.push(e);
            }
            e += 1;
        }
    }
    let customers = match &options.population {
        Some(population) => population.len().max(history.customers.len()),
        None => history.customers.len(),
    };
    let span = (history.last - history.first).max(0) as f64;
    Watched {
        until,
        events: in_window,
        outside,
        outside_time: (span * customers as f64 - window_time).max(1.0),
        segments,
        customers,
    }
}
