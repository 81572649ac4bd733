//! `run::track`: one customer's ticks and events on a timeline, the rules
//! replay and `nurture serve` share.

use nurture::plan::{self, Plan};
use nurture::run::track::Track;
use nurture::run::{Action, ActionKind, Customer, Event, Status};
use std::collections::BTreeMap;

fn at(text: &str) -> i64 {
    text.parse::<jiff::Timestamp>()
        .expect("a timestamp")
        .as_second()
}

fn compile(body: &str) -> Plan {
    let text = format!("program p {{\n kind welcome\n owner \"x\"\n{body}\n}}\n");
    let errors: Vec<_> = nurture::check::check_text(&text)
        .iter()
        .filter(|d| d.severity() == nurture::diagnostic::Severity::Error)
        .map(|d| d.message.clone())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    plan::compile(
        &nurture::syntax::parse(&text).program.expect("a program"),
        None,
    )
}

/// A plan the checker would refuse (a cap a re-entry can break), for the
/// runtime's own handling.
fn compile_unchecked(body: &str) -> Plan {
    let text = format!("program p {{\n kind welcome\n owner \"x\"\n{body}\n}}\n");
    plan::compile(
        &nurture::syntax::parse(&text).program.expect("a program"),
        None,
    )
}

fn event(when: &str, name: &str) -> Event {
    Event {
        id: None,
        at: at(when),
        customer: "c1".into(),
        name: name.into(),
        properties: BTreeMap::new(),
    }
}

fn anna() -> Customer {
    Customer {
        id: "c1".into(),
        consents: ["email".to_string()].into(),
        ..Customer::default()
    }
}

const WAIT_THEN_SEND: &str = r#"
 trigger event signup
 consent email
 step hello {
   send email "hello"
   wait 3d
   send email "again"
   exit done
 }"#;

fn kinds(actions: &[Action]) -> Vec<String> {
    actions
        .iter()
        .map(|a| match &a.kind {
            ActionKind::Send { template, .. } => format!("send {template} at {}", a.at),
            ActionKind::Exit { outcome } => format!("exit {outcome} at {}", a.at),
            ActionKind::Enter { .. } => format!("enter at {}", a.at),
            other => format!("{other:?}"),
        })
        .collect()
}

#[test]
fn an_event_first_lets_the_ticks_due_before_it_fire() {
    let plan = compile(WAIT_THEN_SEND);
    let mut track = Track::new(anna());
    let mut actions = Vec::new();
    track.start(&plan, 0, at("2026-03-01T00:00:00Z"), &mut actions);
    assert!(actions.is_empty());
    track.event(
        &plan,
        0,
        &event("2026-03-01T09:00:00Z", "signup"),
        &mut actions,
    );
    assert_eq!(track.next_tick(&plan), Some(at("2026-03-04T09:00:00Z")));
    // An event after the wait's end: the wait ends first, at its time.
    let late = track.event(
        &plan,
        0,
        &event("2026-03-05T00:00:00Z", "open"),
        &mut actions,
    );
    assert!(!late);
    let start = at("2026-03-01T09:00:00Z");
    let end = at("2026-03-04T09:00:00Z");
    assert_eq!(
        kinds(&actions),
        [
            format!("enter at {start}"),
            format!("send hello at {start}"),
            format!("send again at {end}"),
            format!("exit done at {end}"),
        ]
    );
    assert_eq!(track.journey.status, Status::Left);
    assert_eq!(track.until, at("2026-03-05T00:00:00Z"));
}

#[test]
fn a_late_event_runs_at_the_latest_moment_and_keeps_the_later_time() {
    let plan = compile(WAIT_THEN_SEND);
    let mut track = Track::new(anna());
    let mut actions = Vec::new();
    track.start(&plan, 0, at("2026-03-10T00:00:00Z"), &mut actions);
    track.event(
        &plan,
        0,
        &event("2026-03-10T00:00:00Z", "open"),
        &mut actions,
    );
    let late = track.event(
        &plan,
        0,
        &event("2026-03-01T00:00:00Z", "signup"),
        &mut actions,
    );
    assert!(late);
    // It entered at the track's latest moment, not back in time.
    assert_eq!(actions[0].at, at("2026-03-10T00:00:00Z"));
    let late_open = track.event(
        &plan,
        0,
        &event("2026-03-02T00:00:00Z", "open"),
        &mut actions,
    );
    assert!(late_open);
    assert_eq!(
        track.customer.last_event_at.get("open"),
        Some(&at("2026-03-10T00:00:00Z")),
        "a late event moves last_event_at only forward"
    );
}

#[test]
fn catch_up_fires_each_due_tick_in_order_up_to_the_moment() {
    let plan = compile(WAIT_THEN_SEND);
    let mut track = Track::new(anna());
    let mut actions = Vec::new();
    track.start(&plan, 0, at("2026-03-01T00:00:00Z"), &mut actions);
    track.event(
        &plan,
        0,
        &event("2026-03-01T09:00:00Z", "signup"),
        &mut actions,
    );
    assert_eq!(
        track.catch_up(&plan, 0, at("2026-03-04T08:59:59Z"), &mut actions),
        0
    );
    assert_eq!(
        track.catch_up(&plan, 0, at("2026-03-04T09:00:00Z"), &mut actions),
        1
    );
    assert_eq!(track.next_tick(&plan), None);
}

#[test]
fn a_finished_journey_moves_to_a_new_version_keeping_its_recent_sends() {
    let old = compile_unchecked(&format!("{WAIT_THEN_SEND}\n cap 1 email per 30d"));
    let new = compile_unchecked(&format!(
        "{}\n cap 1 email per 30d",
        WAIT_THEN_SEND.replace("\"hello\"", "\"hello-v2\"")
    ));
    assert_ne!(old.digest, new.digest);
    let mut track = Track::new(anna());
    let mut actions = Vec::new();
    track.start(&old, 0, at("2026-03-01T00:00:00Z"), &mut actions);
    track.event(
        &old,
        0,
        &event("2026-03-01T09:00:00Z", "signup"),
        &mut actions,
    );
    // Running: it stays on its version.
    assert!(!track.adopt(&old, &new));
    track.catch_up(&old, 0, at("2026-03-05T00:00:00Z"), &mut actions);
    assert_eq!(track.journey.status, Status::Left);
    assert!(track.adopt(&old, &new));
    // Entering again on the new version within the cap's window: the email
    // sent under the old version still counts.
    actions.clear();
    track.event(
        &new,
        0,
        &event("2026-03-06T09:00:00Z", "signup"),
        &mut actions,
    );
    let skipped = actions
        .iter()
        .any(|a| matches!(&a.kind, ActionKind::Skip { reason, template, .. } if reason == "cap" && template == "hello-v2"));
    assert!(skipped, "{actions:?}");
    assert!(
        actions[0]
            .key
            .starts_with(&new.digest["sha256:".len().."sha256:".len() + 12])
    );
}
