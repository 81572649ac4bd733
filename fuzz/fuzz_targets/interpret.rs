//! One customer's journey through one of the bundled programs' plans, with
//! events and ticks chosen by the fuzzer: names the program listens for and
//! others, properties of every type, times from the ends of `i64` to the
//! program's own due times, and a customer record with any consents, time
//! zone and attributes.
//!
//! After every transition, what holds for any run of a checked plan:
//!
//! - nothing panics;
//! - no send on a channel that needs consent the customer has not given
//!   (an `unsubscribe` takes back every consent, as a runtime records it);
//! - nothing is sent after the customer leaves through an `unsubscribe`
//!   rule, until they enter again;
//! - a customer still in the program has a due time or waits for an event:
//!   nobody is left stuck;
//! - every action is the customer's, at the time of the transition.

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use nurture::plan::{Op, Plan, Trigger};
use nurture::run::{self, ActionKind, Customer, Datum, Event, Input, Journey, Seconds, Status};
use std::collections::{BTreeMap, BTreeSet};

const START: Seconds = 1_772_355_600; // 2026-03-01T09:00:00Z

#[derive(Arbitrary, Debug)]
struct Scenario {
    program: u8,
    seed: u64,
    customer: CustomerSpec,
    inputs: Vec<InputSpec>,
}

#[derive(Arbitrary, Debug)]
struct CustomerSpec {
    /// One bit per channel in `CHANNELS`.
    consents: u8,
    /// One bit per tag in `TAGS`.
    tags: u16,
    /// One bit per segment in `SEGMENTS`.
    segments: u8,
    zone: u8,
    score: i64,
    phase: Option<u8>,
    /// (an attribute of the schema, its value)
    attributes: Vec<(u8, DatumSpec)>,
    /// (an event name, when the customer last did it)
    last_events: Vec<(u8, Time)>,
}

#[derive(Arbitrary, Debug)]
enum InputSpec {
    Event {
        name: u8,
        properties: Vec<(u8, DatumSpec)>,
        at: When,
    },
    Tick {
        at: When,
    },
}

#[derive(Arbitrary, Debug)]
enum When {
    /// Seconds after the last transition.
    Later(u32),
    /// Days after the last transition.
    DaysLater(u16),
    /// The journey's due time (or, out of the program, the next moment a
    /// clock trigger may fire), as a runtime schedules it.
    Due,
    At(Time),
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Time {
    /// Seconds around the start.
    Near(i32),
    Exactly(i64),
    Min,
    Max,
    Zero,
}

impl Time {
    fn seconds(self) -> Seconds {
        match self {
            Time::Near(offset) => START + Seconds::from(offset),
            Time::Exactly(at) => at,
            Time::Min => Seconds::MIN,
            Time::Max => Seconds::MAX,
            Time::Zero => 0,
        }
    }
}

#[derive(Arbitrary, Debug)]
enum DatumSpec {
    Bool(bool),
    Number(f64),
    SmallNumber(i16),
    Word(u8),
    List(Vec<u8>),
    Time(Time),
}

const CHANNELS: [&str; 6] = ["email", "sms", "push", "call", "letter", "fax"];
const ZONES: [Option<&str>; 6] = [
    None,
    Some("Europe/Berlin"),
    Some("America/New_York"),
    Some("Pacific/Kiritimati"),
    Some("Not/A_Zone"),
    Some(""),
];
const EVENTS: [&str; 8] = [
    "signup",
    "unsubscribe",
    "purchase",
    "click",
    "segment_entered",
    "segment_left",
    "",
    "never_declared",
];
const TAGS: [&str; 8] = [
    "vip",
    "do_not_contact",
    "machine_owner",
    "auto_refill",
    "trained",
    "app_user",
    "advocate",
    "cancel_pending",
];
const SEGMENTS: [&str; 4] = [
    "active_buyers",
    "power_users",
    "first_time_buyers",
    "high_churn_risk",
];
const PHASES: [&str; 5] = ["welcome", "develop", "retain", "win_back", "other"];
const WORDS: [&str; 16] = [
    "gold",
    "silver",
    "bronze",
    "machines",
    "bikes",
    "agritechnica",
    "eima",
    "DE",
    "premium",
    "basic",
    "active_buyers",
    "power_users",
    "high_churn_risk",
    "first_time_buyers",
    "",
    "ü",
];

fn pick<T: Copy>(items: &[T], i: u8) -> T {
    items[usize::from(i) % items.len()]
}

/// The names a plan's conditions and waits can read or listen for.
struct Names {
    events: Vec<String>,
    attributes: Vec<String>,
    properties: Vec<String>,
}

impl Names {
    fn of(plan: &Plan) -> Names {
        let schema = nurture_fuzz::schema();
        let mut events: BTreeSet<String> = EVENTS.iter().map(|e| e.to_string()).collect();
        for trigger in &plan.entry.triggers {
            match trigger {
                Trigger::Event { event, .. } | Trigger::Inactivity { event, .. } => {
                    events.insert(event.clone());
                }
                _ => {}
            }
        }
        events.extend(plan.goal.iter().map(|g| g.event.clone()));
        events.extend(plan.exit_rules.iter().map(|r| r.event.clone()));
        for node in &plan.nodes {
            if let Op::WaitFor { arms, .. } = &node.op {
                events.extend(arms.iter().map(|a| a.event.clone()));
            }
        }
        let mut properties: BTreeSet<String> = ["segment".to_string()].into();
        for event in &schema.events {
            properties.extend(event.properties.iter().map(|p| p.name.value.clone()));
        }
        let mut attributes: Vec<String> = schema
            .attributes
            .iter()
            .map(|a| a.name.value.clone())
            .collect();
        attributes.extend(["score".to_string(), "phase".to_string()]);
        Names {
            events: events.into_iter().collect(),
            attributes,
            properties: properties.into_iter().collect(),
        }
    }
}

fn datum(spec: &DatumSpec) -> Datum {
    match spec {
        DatumSpec::Bool(b) => Datum::Bool(*b),
        DatumSpec::Number(n) => Datum::Number(*n),
        DatumSpec::SmallNumber(n) => Datum::Number(f64::from(*n)),
        DatumSpec::Word(w) => Datum::Text(pick(&WORDS, *w).to_string()),
        DatumSpec::List(words) => {
            Datum::List(words.iter().map(|w| pick(&WORDS, *w).to_string()).collect())
        }
        DatumSpec::Time(t) => Datum::Time(t.seconds()),
    }
}

fn bits(names: &[&str], mask: u16) -> BTreeSet<String> {
    names
        .iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .map(|(_, n)| n.to_string())
        .collect()
}

fn customer(spec: &CustomerSpec, names: &Names) -> Customer {
    let mut customer = Customer {
        id: "fuzzed".to_string(),
        time_zone: pick(&ZONES, spec.zone).map(str::to_string),
        consents: bits(&CHANNELS, u16::from(spec.consents)),
        tags: bits(&TAGS, spec.tags),
        segments: bits(&SEGMENTS, u16::from(spec.segments)),
        score: spec.score,
        phase: spec.phase.map(|p| pick(&PHASES, p).to_string()),
        ..Customer::default()
    };
    for (attribute, value) in &spec.attributes {
        let name = &names.attributes[usize::from(*attribute) % names.attributes.len()];
        customer.attributes.insert(name.clone(), datum(value));
    }
    for (event, at) in &spec.last_events {
        let name = &names.events[usize::from(*event) % names.events.len()];
        customer.last_event_at.insert(name.clone(), at.seconds());
    }
    customer
}

/// The outcomes of the plan's unconditional `exit when unsubscribe` rules.
fn unsubscribe_outcomes(plan: &Plan) -> BTreeSet<&str> {
    plan.exit_rules
        .iter()
        .filter(|r| r.event == "unsubscribe" && r.condition.is_none())
        .map(|r| r.outcome.as_str())
        .collect()
}

fuzz_target!(|scenario: Scenario| {
    let plans = nurture_fuzz::bundled_plans();
    let plan = &plans[usize::from(scenario.program) % plans.len()];
    let names = Names::of(plan);
    let mut customer = customer(&scenario.customer, &names);
    let mut journey = Journey::default();
    let unsubscribe_rules = unsubscribe_outcomes(plan);
    let mut unsubscribed = false;
    let mut now = START;
    let mut actions = Vec::new();

    for input in scenario.inputs.iter().take(64) {
        let when = match input {
            InputSpec::Event { at, .. } | InputSpec::Tick { at } => at,
        };
        now = match when {
            When::Later(seconds) => now.saturating_add(Seconds::from(*seconds)),
            When::DaysLater(days) => now.saturating_add(Seconds::from(*days) * 86_400),
            When::Due => match journey.status {
                Status::In => journey.due().unwrap_or(now),
                Status::Out | Status::Left => {
                    run::next_entry_check(plan, &customer, now).unwrap_or(now)
                }
            },
            When::At(time) => time.seconds(),
        };
        let event = match input {
            InputSpec::Event {
                name, properties, ..
            } => {
                let name = names.events[usize::from(*name) % names.events.len()].clone();
                let properties: BTreeMap<String, Datum> = properties
                    .iter()
                    .map(|(p, value)| {
                        let key = &names.properties[usize::from(*p) % names.properties.len()];
                        (key.clone(), datum(value))
                    })
                    .collect();
                Some(Event {
                    id: None,
                    at: now,
                    customer: customer.id.clone(),
                    name,
                    properties,
                })
            }
            InputSpec::Tick { .. } => None,
        };
        let input = match &event {
            Some(event) => Input::Event(event),
            None => Input::Tick,
        };
        let was_in = journey.status == Status::In;
        actions.clear();
        run::advance(
            plan,
            scenario.seed,
            &mut customer,
            &mut journey,
            now,
            input,
            &mut actions,
        );

        for action in &actions {
            assert_eq!(action.customer, customer.id);
            assert_eq!(action.at, now);
            match &action.kind {
                ActionKind::Enter { .. } => unsubscribed = false,
                ActionKind::Send { channel, .. } => {
                    let free = plan.no_consent_needed.contains(channel);
                    assert!(
                        free || customer.consents.contains(channel),
                        "sent {channel} without consent: {action:?}"
                    );
                    assert!(
                        !unsubscribed,
                        "sent {channel} after leaving through an unsubscribe rule: {action:?}"
                    );
                }
                ActionKind::Exit { outcome } if unsubscribe_rules.contains(outcome.as_str()) => {
                    unsubscribed = true;
                }
                _ => {}
            }
        }
        if let Some(event) = &event {
            if event.name == "unsubscribe" {
                if was_in && !unsubscribe_rules.is_empty() {
                    assert_ne!(
                        journey.status,
                        Status::In,
                        "still in the program after unsubscribing"
                    );
                }
                // A runtime records the opt-out: no channel is agreed to any more.
                customer.consents.clear();
            }
            customer.last_event_at.insert(event.name.clone(), event.at);
        }
        if journey.status == Status::In {
            let waits_for_event = matches!(
                plan.nodes.get(journey.node()).map(|n| &n.op),
                Some(Op::WaitFor { .. })
            );
            assert!(
                journey.due().is_some() || waits_for_event,
                "stuck at node {} with nothing to wait for: {journey:?}",
                journey.node()
            );
        }
    }
});
