//! The main test of `nurture serve`: for every program in `programs/`,
//! serve (manual clock, embedded store) fed the bundled customers and
//! events by the test protocol (`serve_support::protocol`: batches that
//! interleave customers, with duplicates, the clock moved to each batch's
//! first event before it is posted and at the end to a final time) delivers
//! exactly the actions of `nurture replay --until` that final time: the
//! same keys, the same content.

mod serve_support;

use serve_support::{Server, Step, compare, expected, protocol, root, send, succeeded};
use std::path::Path;

fn run_protocol(server: &Server, seed: u64) {
    for step in protocol(seed) {
        let url = |path: &str| server.url(path);
        let (status, answer) = send(&url, &step).unwrap_or_else(|e| panic!("{step:?}: {e}"));
        assert!(succeeded(&step, status), "{step:?}: {status} {answer}");
        if let Step::Events(_) = step {
            let answer = serve_support::json(&answer);
            assert_eq!(answer["rejected"], serde_json::json!([]), "{answer}");
        }
    }
}

#[test]
fn serve_delivers_exactly_what_replay_prints_for_every_program() {
    let expected = expected();
    let programs = root().join("programs");
    let programs = programs.to_str().unwrap_or_default();
    for seed in [1, 7] {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let server = Server::start(
            dir.path(),
            &[programs, "--clock", "manual", "--store", "sqlite:state.db"],
        );
        run_protocol(&server, seed);
        server.wait_delivered(60);
        let delivered = server.stdout.lock().map(|l| l.clone()).unwrap_or_default();
        if let Err(problems) = compare(&expected, &delivered) {
            panic!("seed {seed}: {problems}\n{}", server.log());
        }
        // Delivered once each in a run without crashes.
        assert_eq!(delivered.len(), expected.len(), "seed {seed}");
    }
}

/// One program served alone delivers what it replays alone.
#[test]
fn a_program_served_alone_delivers_what_it_replays_alone() {
    for program in [
        "wake_up_dormant",
        "welcome_new_customer",
        "after_sales_consumables",
    ] {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = root().join(format!("programs/{program}.nurture"));
        let server = Server::start(
            dir.path(),
            &[
                path.to_str().unwrap_or_default(),
                "--schema",
                root()
                    .join("programs/schema.nurture")
                    .to_str()
                    .unwrap_or_default(),
                "--clock",
                "manual",
                "--store",
                "sqlite:state.db",
            ],
        );
        run_protocol(&server, 3);
        server.wait_delivered(60);
        let delivered = server.stdout.lock().map(|l| l.clone()).unwrap_or_default();
        let replayed = serve_support::replay(&path);
        let mine: std::collections::BTreeMap<String, serde_json::Value> = replayed
            .iter()
            .map(|line| {
                let action = serve_support::json(line);
                (action["key"].as_str().unwrap_or("").to_string(), action)
            })
            .collect();
        if let Err(problems) = compare(&mine, &delivered) {
            panic!("{program}: {problems}");
        }
    }
}

/// A thousand customers at once (the sample population): at the first look
/// hundreds enter and wait, so the clock's move makes batches of due
/// timers big enough to be worked on every core; serve still delivers
/// exactly what replay prints.
#[test]
fn many_timers_due_at_once_deliver_what_replay_prints() {
    let start = "2026-03-02T09:00:00Z";
    let until = "2026-05-31T00:00:00Z";
    let dir = tempfile::tempdir().expect("a temporary folder");
    let events = dir.path().join("events.jsonl");
    let event =
        serde_json::json!({"id": "only", "at": start, "customer": "c0000001", "event": "login"});
    std::fs::write(&events, format!("{event}\n")).expect("the events");
    serve_matches_replay(dir.path(), &events, &event.to_string(), start, until);
}

/// Hundreds of customers' events in one request, interleaved, out of time
/// order and with duplicates: the customers of the unit are worked on
/// every core, and serve still delivers exactly what replay prints.
#[test]
fn a_big_unit_of_events_delivers_what_replay_prints() {
    // The test protocol: the clock at the first event (replay gives every
    // customer a first look then).
    let start = "2026-03-03T10:00:00Z";
    let until = "2026-04-30T00:00:00Z";
    let dir = tempfile::tempdir().expect("a temporary folder");
    let customers = serve_support::customers_from("programs/sample/population.csv");
    let ids: Vec<String> = customers
        .iter()
        .take(600)
        .map(|(id, _)| id.clone())
        .collect();
    assert!(ids.len() >= 300, "{} customers", ids.len());
    // Later events are sent first, so serve must sort each customer's.
    let mut lines = Vec::new();
    for (round, name) in [(2, "purchase"), (1, "login"), (0, "signup")] {
        for (n, id) in ids.iter().enumerate() {
            let at = format!("2026-03-0{}T1{}:00:00Z", 3 + round, n % 10);
            let properties = if name == "purchase" {
                serde_json::json!({"amount": 2500, "product": "barista", "category": "machines"})
            } else {
                serde_json::json!({})
            };
            lines.push(
                serde_json::json!({"id": format!("{name}-{n}"), "at": at, "customer": id, "event": name, "properties": properties})
                    .to_string(),
            );
        }
    }
    let mut sent = lines.clone();
    // Every tenth event twice: the second is a duplicate.
    sent.extend(lines.iter().step_by(10).cloned());
    let mut in_order: Vec<(String, String)> = lines
        .iter()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).expect("an event");
            (value["at"].as_str().unwrap_or("").to_string(), line.clone())
        })
        .collect();
    in_order.sort();
    let events = dir.path().join("events.jsonl");
    let text: Vec<String> = in_order.into_iter().map(|(_, line)| line).collect();
    std::fs::write(&events, text.join("\n") + "\n").expect("the events");
    serve_matches_replay(dir.path(), &events, &sent.join("\n"), start, until);
}

/// Serve (manual clock, embedded store, every program in `programs/`)
/// given the sample population, the clock at `start`, the events `sent`
/// in one request, and the clock at `until`, delivers exactly what replay
/// prints of the population and `events` (the same events, in time order)
/// until then: the same keys, the same content.
fn serve_matches_replay(dir: &Path, events: &Path, sent: &str, start: &str, until: &str) {
    let population = root().join("programs/sample/population.csv");
    let mut expected = std::collections::BTreeMap::new();
    for program in serve_support::programs() {
        for line in serve_support::replay_with(&program, &population, events, until) {
            let action = serde_json::from_str::<serde_json::Value>(&line).expect("an action");
            let key = action["key"].as_str().unwrap_or("").to_string();
            expected.insert(key, action);
        }
    }
    assert!(expected.len() > 1000, "{} actions", expected.len());
    let programs = root().join("programs");
    let server = Server::start(
        dir,
        &[
            programs.to_str().unwrap_or_default(),
            "--clock",
            "manual",
            "--store",
            "sqlite:state.db",
        ],
    );
    let records: Vec<String> = serve_support::customers_from("programs/sample/population.csv")
        .into_iter()
        .map(|(_, record)| record)
        .collect();
    for step in [
        Step::Clock(start.into()),
        Step::Customers(records.join("\n")),
        Step::Events(sent.to_string()),
        Step::Clock(until.into()),
    ] {
        let url = |path: &str| server.url(path);
        let (status, answer) = send(&url, &step).unwrap_or_else(|e| panic!("{e}"));
        assert!(succeeded(&step, status), "{status} {answer}");
    }
    server.wait_delivered(120);
    let delivered = server.stdout.lock().map(|l| l.clone()).unwrap_or_default();
    if let Err(problems) = compare(&expected, &delivered) {
        panic!("{problems}\n{}", server.log());
    }
}
