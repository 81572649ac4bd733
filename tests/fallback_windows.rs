//! Channel fallback (`send push "a" or email "b"`) and send windows
//! (`window mon..fri 08:00..18:00`) in the interpreter, on exact times: the
//! channel chosen as the message goes out, skips with their reasons, holds
//! across changes of clocks, and the bound `nurture check` proves.

use nurture::plan::{self, Plan};
use nurture::run::replay::replay;
use nurture::run::{ActionKind, Customer, Event, Input, Journey, Status, step};
use std::collections::BTreeMap;

fn at(text: &str) -> i64 {
    text.parse::<jiff::Timestamp>()
        .expect("a timestamp")
        .as_second()
}

fn show(seconds: i64) -> String {
    jiff::Timestamp::from_second(seconds)
        .expect("in range")
        .to_string()
}

fn program(body: &str) -> String {
    format!("program p {{\n kind welcome\n owner \"x\"\n{body}\n}}\n")
}

fn compile(body: &str) -> Plan {
    let text = program(body);
    let errors: Vec<_> = nurture::check::check_text(&text)
        .iter()
        .filter(|d| d.severity() == nurture::diagnostic::Severity::Error)
        .map(|d| format!("{} {}", d.code.id(), d.message))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let program = nurture::syntax::parse(&text).program.expect("program");
    plan::compile(&program, None)
}

fn customer(id: &str, consents: &[&str], zone: &str) -> Customer {
    Customer {
        id: id.to_string(),
        consents: consents.iter().map(|c| c.to_string()).collect(),
        time_zone: Some(zone.to_string()),
        ..Customer::default()
    }
}

fn event(when: &str, id: &str, name: &str) -> Event {
    Event {
        id: None,
        at: at(when),
        customer: id.to_string(),
        name: name.to_string(),
        properties: BTreeMap::new(),
    }
}

fn line(at: i64, customer: &str, kind: &ActionKind) -> String {
    let what = match kind {
        ActionKind::Enter { .. } => "enter".to_string(),
        ActionKind::Send { channel, template } => format!("send {channel} {template}"),
        ActionKind::Skip {
            channel,
            template,
            reason,
        } => format!("skip {channel} {template}: {reason}"),
        ActionKind::Defer {
            channel,
            template,
            until,
        } => format!("defer {channel} {template} until {}", show(*until)),
        ActionKind::Exit { outcome } => format!("exit {outcome}"),
        other => format!("{other:?}"),
    };
    format!("{} {customer} {what}", show(at))
}

fn trace(plan: &Plan, customers: Vec<Customer>, events: &[Event], until: &str) -> String {
    let result = replay(plan, 7, customers, events, Some(at(until)));
    result
        .actions
        .iter()
        .map(|a| line(a.at, &a.customer, &a.kind))
        .collect::<Vec<_>>()
        .join("\n")
}

const FALLBACK: &str = r#"
 trigger event signup
 step hello {
   send push "app-offer" or email "mail-offer" if consent push or consent email
   exit done
 }"#;

#[test]
fn a_fallback_goes_out_on_the_first_channel_agreed_to() {
    let plan = compile(FALLBACK);
    let events = [
        event("2026-01-15T10:00:00Z", "app", "signup"),
        event("2026-01-15T10:00:00Z", "mail", "signup"),
        event("2026-01-15T10:00:00Z", "none", "signup"),
    ];
    let customers = vec![
        customer("app", &["email", "push"], "UTC"),
        customer("mail", &["email"], "UTC"),
        customer("none", &[], "UTC"),
    ];
    assert_eq!(
        trace(&plan, customers, &events, "2026-02-01T00:00:00Z"),
        "2026-01-15T10:00:00Z app enter\n\
         2026-01-15T10:00:00Z app send push app-offer\n\
         2026-01-15T10:00:00Z app exit done\n\
         2026-01-15T10:00:00Z mail enter\n\
         2026-01-15T10:00:00Z mail send email mail-offer\n\
         2026-01-15T10:00:00Z mail exit done\n\
         2026-01-15T10:00:00Z none enter\n\
         2026-01-15T10:00:00Z none skip push app-offer: no_consent\n\
         2026-01-15T10:00:00Z none exit done"
    );
}

#[test]
fn a_channel_whose_cap_is_full_falls_through_and_caps_count_the_channel_used() {
    let plan = compile(
        r#"
 trigger event signup
 consent email
 cap 1 push per 7d
 step hello {
   send push "first-push" or email "first-mail"
   wait 1d
   send push "second-push" or email "second-mail"
   wait 1d
   send email "third-mail" or push "third-push"
   exit done
 }"#,
    );
    let events = [event("2026-01-15T10:00:00Z", "c1", "signup")];
    let customers = vec![customer("c1", &["email", "push"], "UTC")];
    assert_eq!(
        trace(&plan, customers, &events, "2026-02-01T00:00:00Z"),
        "2026-01-15T10:00:00Z c1 enter\n\
         2026-01-15T10:00:00Z c1 send push first-push\n\
         2026-01-16T10:00:00Z c1 send email second-mail\n\
         2026-01-17T10:00:00Z c1 send email third-mail\n\
         2026-01-17T10:00:00Z c1 exit done"
    );
}

#[test]
fn the_channel_is_chosen_when_the_message_goes_out_after_a_hold() {
    // Push withdrawn while the message waits for Monday: it goes out by
    // email, under the one idempotency key of the send.
    let plan = compile(
        r#"
 trigger event signup
 consent email
 window mon..fri 08:00..18:00
 step hello {
   send push "app-offer" or email "mail-offer"
   exit done
 }"#,
    );
    let mut record = customer("c1", &["email", "push"], "UTC");
    // Saturday 2026-01-17.
    let signup = event("2026-01-17T10:00:00Z", "c1", "signup");
    let first = step(
        &plan,
        7,
        &record,
        &Journey::default(),
        signup.at,
        Input::Event(&signup),
    );
    let lines: Vec<String> = first
        .actions
        .iter()
        .map(|a| line(a.at, &a.customer, &a.kind))
        .collect();
    assert_eq!(
        lines,
        [
            "2026-01-17T10:00:00Z c1 enter",
            "2026-01-17T10:00:00Z c1 defer push app-offer until 2026-01-19T08:00:00Z"
        ]
    );
    let due = first.journey.due().expect("held until Monday");
    assert_eq!(show(due), "2026-01-19T08:00:00Z");
    record.consents.remove("push");
    let second = step(&plan, 7, &record, &first.journey, due, Input::Tick);
    let lines: Vec<String> = second
        .actions
        .iter()
        .map(|a| line(a.at, &a.customer, &a.kind))
        .collect();
    assert_eq!(
        lines,
        [
            "2026-01-19T08:00:00Z c1 send email mail-offer",
            "2026-01-19T08:00:00Z c1 exit done"
        ]
    );
    assert_eq!(second.journey.status, Status::Left);
    let keys: std::collections::BTreeSet<&str> = first
        .actions
        .iter()
        .chain(&second.actions)
        .map(|a| a.key.as_str())
        .collect();
    assert_eq!(keys.len(), 4, "one key per action, one send");
}

#[test]
fn a_held_fallback_names_the_channel_it_would_go_out_on_now() {
    // Only email agreed: the hold names email, not the push the customer
    // never agreed to; the send goes out by email.
    let plan = compile(
        r#"
 trigger event signup
 consent email
 window mon..fri 08:00..18:00
 step hello {
   send push "app-offer" or email "mail-offer"
   exit done
 }"#,
    );
    let signup = event("2026-01-17T10:00:00Z", "c1", "signup");
    assert_eq!(
        trace(
            &plan,
            vec![customer("c1", &["email"], "UTC")],
            &[signup],
            "2026-01-20T00:00:00Z"
        ),
        "2026-01-17T10:00:00Z c1 enter\n\
         2026-01-17T10:00:00Z c1 defer email mail-offer until 2026-01-19T08:00:00Z\n\
         2026-01-19T08:00:00Z c1 send email mail-offer\n\
         2026-01-19T08:00:00Z c1 exit done"
    );
}

const BUSINESS_HOURS: &str = r#"
 trigger event signup
 consent email
 window mon..fri 08:00..18:00
 step hello {
   send email "hello"
   exit done
 }"#;

#[test]
fn a_window_holds_from_friday_evening_to_monday_morning_as_the_clocks_go_forward() {
    let plan = compile(BUSINESS_HOURS);
    // Friday 2026-03-27 18:30 in Berlin (UTC+1); the clocks go forward on
    // Sunday the 29th, so Monday 08:00 is 06:00 UTC: 61.5 hours later.
    let events = [event("2026-03-27T17:30:00Z", "c1", "signup")];
    let customers = vec![customer("c1", &["email"], "Europe/Berlin")];
    assert_eq!(
        trace(&plan, customers, &events, "2026-04-05T00:00:00Z"),
        "2026-03-27T17:30:00Z c1 enter\n\
         2026-03-27T17:30:00Z c1 defer email hello until 2026-03-30T06:00:00Z\n\
         2026-03-30T06:00:00Z c1 send email hello\n\
         2026-03-30T06:00:00Z c1 exit done"
    );
}

#[test]
fn a_window_holds_no_longer_than_check_proves_as_the_clocks_go_back() {
    let plan = compile(BUSINESS_HOURS);
    // Friday 2026-10-23 18:00 in Berlin (UTC+2) is 16:00 UTC; the clocks go
    // back on Sunday the 25th, so 08:00 on Monday is 07:00 UTC, 63 hours
    // on. The hold ends at the proved 62 hours: 06:00 UTC, 07:00 by the
    // new time, and the released send goes out then.
    let events = [event("2026-10-23T16:00:00Z", "c1", "signup")];
    let customers = vec![customer("c1", &["email"], "Europe/Berlin")];
    assert_eq!(
        trace(&plan, customers, &events, "2026-11-01T00:00:00Z"),
        "2026-10-23T16:00:00Z c1 enter\n\
         2026-10-23T16:00:00Z c1 defer email hello until 2026-10-26T06:00:00Z\n\
         2026-10-26T06:00:00Z c1 send email hello\n\
         2026-10-26T06:00:00Z c1 exit done"
    );
    let facts = nurture::check::facts_of_text(&program(BUSINESS_HOURS)).expect("facts");
    assert_eq!(facts.longest_stay.minutes, Some(62 * 60));
    assert_eq!(facts.longest_stay.text, "2d 14h");
}

#[test]
fn a_window_and_quiet_hours_both_hold() {
    // Inside the window from 08:00, but quiet until 09:00: 09:00 it is.
    let plan = compile(
        r#"
 trigger event signup
 consent email
 quiet 20:00..09:00
 window mon..fri 08:00..18:00
 step hello {
   send email "hello"
   exit done
 }"#,
    );
    // Tuesday 2026-01-13 19:00 UTC.
    let events = [event("2026-01-13T19:00:00Z", "c1", "signup")];
    let customers = vec![customer("c1", &["email"], "UTC")];
    assert_eq!(
        trace(&plan, customers, &events, "2026-02-01T00:00:00Z"),
        "2026-01-13T19:00:00Z c1 enter\n\
         2026-01-13T19:00:00Z c1 defer email hello until 2026-01-14T09:00:00Z\n\
         2026-01-14T09:00:00Z c1 send email hello\n\
         2026-01-14T09:00:00Z c1 exit done"
    );
}

#[test]
fn a_deadline_inside_a_window_hold_ends_the_journey_unsent() {
    let body = r#"
 trigger event signup
 consent email
 ends after 1d as timed_out
 window mon..fri 08:00..18:00
 step hello {
   send email "hello"
   exit done
 }"#;
    let plan = compile(body);
    // Friday 2026-01-16 20:00 UTC: held until Monday, but the journey ends
    // on Saturday at 20:00.
    let events = [event("2026-01-16T20:00:00Z", "c1", "signup")];
    let customers = vec![customer("c1", &["email"], "UTC")];
    assert_eq!(
        trace(&plan, customers, &events, "2026-02-01T00:00:00Z"),
        "2026-01-16T20:00:00Z c1 enter\n\
         2026-01-16T20:00:00Z c1 defer email hello until 2026-01-19T08:00:00Z\n\
         2026-01-17T20:00:00Z c1 exit timed_out"
    );
    let facts = nurture::check::facts_of_text(&program(body)).expect("facts");
    assert_eq!(facts.longest_stay.minutes, Some(24 * 60));
}

#[test]
fn plans_say_the_lowest_format_and_older_formats_refuse_fallback_and_windows() {
    let plain = compile(
        r#"
 trigger event signup
 consent email
 step hello {
   send email "hello"
   exit done
 }"#,
    );
    assert_eq!(plain.format_version, 1);
    let plan = compile(FALLBACK);
    assert_eq!(plan.format_version, 3);
    let mut json: serde_json::Value = serde_json::to_value(&plan).expect("json");
    json["format_version"] = 2.into();
    let error = plan::load(&json.to_string()).expect_err("format 2 has no fallback");
    assert_eq!(
        error.to_string(),
        "nodes[0].fallback: a channel fallback needs format 3, and this plan says format 2"
    );
    let windows = compile(BUSINESS_HOURS);
    assert_eq!(windows.format_version, 3);
    let text = serde_json::to_string(&windows).expect("json");
    assert_eq!(plan::load(&text).expect("loads"), windows);
}
