//! `nurture serve` and hand-offs: a record put with a new phase or tag
//! starts the program whose trigger waits for that change, with exactly
//! the actions a `Track` given the same change gives (the rules replay
//! runs by).

mod serve_support;

use nurture::run::Customer;
use nurture::run::track::Track;
use serde_json::{Value as Json, json};
use serve_support::{Server, TOKEN, call, root};
use std::collections::BTreeSet;

fn at(text: &str) -> i64 {
    text.parse::<jiff::Timestamp>()
        .expect("a timestamp")
        .as_second()
}

fn record(phase: &str, tags: &[&str]) -> Json {
    json!({"consents": ["email"], "segments": [], "tags": tags, "phase": phase, "attributes": {}})
}

#[test]
fn a_record_put_with_a_new_phase_starts_the_hand_off_like_a_track_does() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let into = dir.path().join("programs");
    std::fs::create_dir(&into).expect("mkdir");
    for name in ["develop_new_customer", "schema"] {
        std::fs::copy(
            root().join(format!("programs/{name}.nurture")),
            into.join(format!("{name}.nurture")),
        )
        .expect("copy a program");
    }
    let server = Server::start(
        dir.path(),
        &[
            "programs",
            "--clock",
            "manual",
            "--store",
            "sqlite:state.db",
        ],
    );
    let send = |method: &str, path: &str, body: Json| {
        let (status, text) = call(
            method,
            &server.url(path),
            Some(TOKEN),
            Some(&body.to_string()),
        )
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        assert!(
            (200..300).contains(&status),
            "{method} {path}: {status} {text}"
        );
    };
    send("POST", "/v1/clock", json!({"now": "2026-03-02T10:00:00Z"}));
    send("PUT", "/v1/customers/anna", record("welcome", &[]));
    send("POST", "/v1/clock", json!({"now": "2026-03-03T10:00:00Z"}));
    // The same record again: no change, nothing starts.
    send("PUT", "/v1/customers/anna", record("welcome", &[]));
    send("PUT", "/v1/customers/anna", record("develop", &[]));
    send("POST", "/v1/clock", json!({"now": "2026-03-20T10:00:00Z"}));
    server.wait_delivered(60);
    let delivered: Vec<Json> = server
        .stdout
        .lock()
        .map(|l| l.clone())
        .unwrap_or_default()
        .iter()
        .map(|line| serde_json::from_str(line).expect("JSON"))
        .collect();

    // The same on a track: the plan of the same file, the same changes.
    let text = std::fs::read_to_string(root().join("programs/develop_new_customer.nurture"))
        .expect("the program");
    let program = nurture::syntax::parse(&text).program.expect("a program");
    let schema_text =
        std::fs::read_to_string(root().join("programs/schema.nurture")).expect("schema");
    let schema = nurture::syntax::parse(&schema_text)
        .schema
        .expect("a schema");
    let plan = nurture::plan::compile(&program, Some(&schema));
    let customer = |phase: &str| Customer {
        id: "anna".into(),
        consents: ["email".to_string()].into(),
        phase: Some(phase.into()),
        ..Customer::default()
    };
    let mut track = Track::new(customer("welcome"));
    let mut actions = Vec::new();
    track.start(&plan, 0, at("2026-03-02T10:00:00Z"), &mut actions);
    track.change(
        &plan,
        0,
        at("2026-03-03T10:00:00Z"),
        customer("develop"),
        &mut actions,
    );
    track.catch_up(&plan, 0, at("2026-03-20T10:00:00Z"), &mut actions);

    let keys = |actions: &mut dyn Iterator<Item = String>| actions.collect::<BTreeSet<String>>();
    let served = keys(
        &mut delivered
            .iter()
            .map(|a| a["key"].as_str().unwrap_or("").to_string()),
    );
    let tracked = keys(&mut actions.iter().map(|a| a.key.clone()));
    assert_eq!(served, tracked, "{delivered:#?}");
    let sends: Vec<&str> = delivered
        .iter()
        .filter(|a| a["action"] == "send")
        .filter_map(|a| a["template"].as_str())
        .collect();
    assert_eq!(
        sends,
        [
            "what-customers-like-you-buy-next",
            "three-ideas-for-your-next-order"
        ],
        "{delivered:#?}"
    );
    let entered = delivered
        .iter()
        .find(|a| a["action"] == "enter")
        .expect("entered");
    assert_eq!(entered["at"], "2026-03-03T10:00:00Z");
}
