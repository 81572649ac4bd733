//! Interpreter speed: transitions per second on one core.
//!
//! Run: `cargo bench --bench run`

use divan::counter::ItemsCount;
use divan::{Bencher, black_box};
use nurture::run::{Customer, Event, Input, Journey};
use nurture::sim::engine::Subject;
use std::collections::BTreeMap;
use std::path::Path;

// As in the binary: see src/main.rs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

fn plan(name: &str) -> nurture::plan::Plan {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("programs");
    let text = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
    let schema_text = std::fs::read_to_string(dir.join("schema.nurture")).unwrap_or_default();
    let schema = nurture::syntax::parse(&schema_text).schema;
    match nurture::syntax::parse(&text).program {
        Some(program) => nurture::plan::compile(&program, schema.as_ref()),
        None => panic!("programs/{name} holds a program"),
    }
}

fn customer(i: usize) -> Customer {
    Customer {
        id: format!("c{i:06}"),
        consents: ["email", "sms"].iter().map(|c| c.to_string()).collect(),
        time_zone: Some("Europe/Berlin".into()),
        ..Customer::default()
    }
}

/// A thousand customers signing up, opening, clicking…: one transition per
/// event and a final tick, in place (`advance`), actions collected.
#[divan::bench]
fn welcome_transitions(bencher: Bencher) {
    let plan = plan("welcome_new_customer.nurture");
    let customers: Vec<Customer> = (0..1000).map(customer).collect();
    let names = ["signup", "open", "click", "login", "purchase"];
    let start = 1_772_355_600; // 2026-03-01T09:00:00Z
    let events: Vec<Vec<Event>> = customers
        .iter()
        .map(|c| {
            names
                .iter()
                .enumerate()
                .map(|(k, name)| Event {
                    id: None,
                    at: start + k as i64 * 3600,
                    customer: c.id.clone(),
                    name: name.to_string(),
                    properties: BTreeMap::new(),
                })
                .collect()
        })
        .collect();
    let transitions = customers.len() * (names.len() + 1);
    bencher
        .counter(ItemsCount::new(transitions))
        .with_inputs(|| (customers.clone(), Vec::with_capacity(64)))
        .bench_local_values(|(mut customers, mut actions)| {
            for (customer, events) in customers.iter_mut().zip(&events) {
                let mut journey = Journey::default();
                for event in events {
                    let input = Input::Event(event);
                    nurture::run::advance(
                        &plan,
                        7,
                        customer,
                        &mut journey,
                        event.at,
                        input,
                        &mut actions,
                    );
                }
                let due = journey.due().unwrap_or(start);
                nurture::run::advance(
                    &plan,
                    7,
                    customer,
                    &mut journey,
                    due,
                    Input::Tick,
                    &mut actions,
                );
                actions.clear();
            }
            black_box(customers)
        });
}

/// What the interpreter does per transition, without keeping actions: the
/// sink only counts and the record keeps its time zone, as the
/// simulator's do. The same customers and events as above.
#[divan::bench]
fn welcome_transitions_counted(bencher: Bencher) {
    struct Count(u64);
    impl nurture::run::Sink for Count {
        fn act(&mut self, _action: nurture::run::ActionRef<'_>) {
            self.0 += 1;
        }
    }
    let plan = plan("welcome_new_customer.nurture");
    let zone = nurture::sim::zone::Zone::new(
        jiff::tz::TimeZone::get("Europe/Berlin").unwrap_or(jiff::tz::TimeZone::UTC),
    );
    let customers: Vec<Customer> = (0..1000).map(customer).collect();
    let names = ["signup", "open", "click", "login", "purchase"];
    let start = 1_772_355_600; // 2026-03-01T09:00:00Z
    let events: Vec<Event> = names
        .iter()
        .enumerate()
        .map(|(k, name)| Event {
            id: None,
            at: start + k as i64 * 3600,
            customer: String::new(),
            name: name.to_string(),
            properties: BTreeMap::new(),
        })
        .collect();
    let transitions = customers.len() * (names.len() + 1);
    bencher
        .counter(ItemsCount::new(transitions))
        .with_inputs(|| {
            customers
                .iter()
                .map(|c| Subject::new(c.clone(), zone.clone()))
                .collect::<Vec<_>>()
        })
        .bench_local_values(|mut customers| {
            let mut sink = Count(0);
            let mut journey = Journey::default();
            for customer in customers.iter_mut() {
                journey.status = nurture::run::Status::Out;
                journey.entries = 0;
                for event in &events {
                    nurture::run::advance_with(
                        &plan,
                        7,
                        customer,
                        &mut journey,
                        event.at,
                        Input::Event(event),
                        &mut sink,
                    );
                }
                let due = journey.due().unwrap_or(start);
                nurture::run::advance_with::<_, Event, _>(
                    &plan,
                    7,
                    customer,
                    &mut journey,
                    due,
                    Input::Tick,
                    &mut sink,
                );
            }
            black_box((customers, sink.0))
        });
}
