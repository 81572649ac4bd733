//! Arbitrary bytes as a plan: `plan::load` answers Ok or Err, never panics;
//! a plan it refuses only for its digest (a changed plan keeps the old one)
//! is given its own and loaded again.
//! A plan it accepts is still untrusted (made by hand, by another tool, or
//! edited: huge minutes, odd names, loops without a wait), so it is run for
//! a few customers: entering on every trigger it has, waiting out its
//! timers, answering what it waits for, and at the ends of time. The run
//! must not panic either; the checker's promises do not hold here.

#![no_main]

use libfuzzer_sys::fuzz_target;
use nurture::plan::{self, Op, Plan, Trigger};
use nurture::run::{self, Customer, Datum, Event, Input, Journey, Seconds, Status};
use std::collections::BTreeMap;

const START: Seconds = 1_772_355_600; // 2026-03-01T09:00:00Z

fuzz_target!(|bytes: &[u8]| {
    let Ok(json) = std::str::from_utf8(bytes) else {
        return;
    };
    let plan = match plan::load(json) {
        Ok(plan) => plan,
        // A plan the fuzzer changed keeps the digest of the one it came
        // from, which the loader refuses as an edited plan: given its own
        // digest, it meets every other check, and then runs.
        Err(_) => {
            let Ok(mut unsealed) = serde_json::from_str::<Plan>(json) else {
                return;
            };
            unsealed.digest = unsealed.meaning_digest();
            let Ok(plan) = plan::load(&unsealed.to_json()) else {
                return;
            };
            plan
        }
    };
    for customer in customers(&plan) {
        run_one(&plan, customer);
    }
});

/// Customers every trigger of the plan can start: one with no consent in a
/// time zone that does not exist, one with every consent the plan names in
/// Berlin, and one whose dates and last events lie at the ends of time.
fn customers(plan: &Plan) -> Vec<Customer> {
    let mut channels: Vec<String> = plan.entry.consent.clone();
    for node in &plan.nodes {
        if let Op::Send { channel, .. } = &node.op {
            channels.push(channel.clone());
        }
    }
    let mut out = Vec::new();
    for (i, (zone, moment)) in [
        (Some("Not/A_Zone"), START),
        (Some("Europe/Berlin"), START - 3600),
        (None, Seconds::MIN),
    ]
    .into_iter()
    .enumerate()
    {
        let mut customer = Customer {
            id: format!("c{i}"),
            time_zone: zone.map(str::to_string),
            ..Customer::default()
        };
        if i == 1 {
            customer.consents = channels.iter().cloned().collect();
        }
        for trigger in &plan.entry.triggers {
            match trigger {
                Trigger::Date { attribute, .. } => {
                    customer
                        .attributes
                        .insert(attribute.clone(), Datum::Time(moment));
                }
                Trigger::Inactivity { event, .. } => {
                    customer.last_event_at.insert(event.clone(), moment);
                }
                _ => {}
            }
        }
        out.push(customer);
    }
    out
}

/// Enters the customer on each trigger, then for a few rounds answers what
/// the journey waits for, or lets its time come.
fn run_one(plan: &Plan, mut customer: Customer) {
    let mut journey = Journey::default();
    let mut actions = Vec::new();
    let mut now = START;
    let mut events = Vec::new();
    for trigger in &plan.entry.triggers {
        match trigger {
            Trigger::Event { event, .. } => events.push(event_named(event, &customer.id, None)),
            Trigger::Segment { segment, entered } => {
                let name = if *entered {
                    "segment_entered"
                } else {
                    "segment_left"
                };
                events.push(event_named(name, &customer.id, Some(segment)));
            }
            _ => {}
        }
    }
    // The clock triggers first, at the start and where the plan says.
    let mut advance = |customer: &mut Customer,
                       journey: &mut Journey,
                       now: Seconds,
                       input: Input<'_>| {
        run::advance(plan, 7, customer, journey, now, input, &mut actions);
        actions.clear();
    };
    advance(&mut customer, &mut journey, now, Input::Tick);
    if let Some(at) = run::next_entry_check(plan, &customer, now) {
        advance(&mut customer, &mut journey, at, Input::Tick);
    }
    for event in &events {
        now = now.saturating_add(60);
        let event = Event {
            at: now,
            ..event.clone()
        };
        advance(&mut customer, &mut journey, now, Input::Event(&event));
    }
    for round in 0..16 {
        if journey.status != Status::In {
            match run::next_entry_check(plan, &customer, now) {
                Some(at) => now = at,
                None => break,
            }
            advance(&mut customer, &mut journey, now, Input::Tick);
            continue;
        }
        // Every other round, answer the first thing a wait for an event
        // listens for; otherwise let the due time come.
        let waits_for = match plan.nodes.get(journey.node()).map(|n| &n.op) {
            Some(Op::WaitFor { arms, .. }) if round % 2 == 0 => arms.first().map(|a| &a.event),
            _ => None,
        };
        match waits_for {
            Some(name) => {
                now = now.saturating_add(1);
                let mut event = event_named(name, &customer.id, None);
                event.at = now;
                advance(&mut customer, &mut journey, now, Input::Event(&event));
            }
            None => {
                now = journey.due().unwrap_or(now.saturating_add(86_400));
                advance(&mut customer, &mut journey, now, Input::Tick);
            }
        }
    }
    // The ends of time.
    for at in [Seconds::MAX, Seconds::MIN, 0] {
        advance(&mut customer, &mut journey, at, Input::Tick);
        for event in &events {
            advance(&mut customer, &mut journey, at, Input::Event(event));
        }
    }
}

fn event_named(name: &str, customer: &str, segment: Option<&String>) -> Event {
    let mut properties = BTreeMap::new();
    if let Some(segment) = segment {
        properties.insert("segment".to_string(), Datum::Text(segment.clone()));
    }
    Event {
        at: START,
        customer: customer.to_string(),
        name: name.to_string(),
        properties,
    }
}
