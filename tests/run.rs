//! The interpreter on exact traces: one test per construct and its edges.

use nurture::plan::{self, Plan};
use nurture::run::replay::replay;
use nurture::run::{ActionKind, Customer, Datum, Event};
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

fn compile(body: &str) -> Plan {
    let text = format!("program p {{\n kind welcome\n owner \"x\"\n{body}\n}}\n");
    let diagnostics = nurture::check::check_text(&text);
    let errors: Vec<_> = diagnostics
        .iter()
        .filter(|d| d.severity() == nurture::diagnostic::Severity::Error)
        .map(|d| format!("{} {}", d.code.id(), d.message))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let program = nurture::syntax::parse(&text).program.expect("program");
    plan::compile(&program, None)
}

/// A plan the checker would refuse, to test the runtime's own guards.
fn compile_unchecked(body: &str) -> Plan {
    let text = format!("program p {{\n kind welcome\n owner \"x\"\n{body}\n}}\n");
    let program = nurture::syntax::parse(&text).program.expect("program");
    plan::compile(&program, None)
}

fn customer(id: &str, consents: &[&str]) -> Customer {
    Customer {
        id: id.to_string(),
        consents: consents.iter().map(|c| c.to_string()).collect(),
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

/// The actions, one line each: time, customer, what.
fn trace(plan: &Plan, customers: Vec<Customer>, events: &[Event], until: &str) -> String {
    let result = replay(plan, 7, customers, events, Some(at(until)));
    result
        .actions
        .iter()
        .map(|a| {
            let what = match &a.kind {
                ActionKind::Enter { holdout } => {
                    format!("enter{}", if *holdout { " (holdout)" } else { "" })
                }
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
                ActionKind::Notify { recipient, message } => {
                    format!("notify {recipient}: {message}")
                }
                ActionKind::Score { points } => format!("score {points:+}"),
                ActionKind::Tag { tag } => format!("tag {tag}"),
                ActionKind::Untag { tag } => format!("untag {tag}"),
                ActionKind::Set { attribute, value } => format!("set {attribute} = {value:?}"),
                ActionKind::Phase { phase } => format!("phase {phase}"),
                ActionKind::Exit { outcome } => format!("exit {outcome}"),
            };
            format!("{} {} {what}", show(a.at), a.customer)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

const WAIT_FOR_CLICK: &str = r#"
 trigger event signup
 consent email
 exit when unsubscribe as unsubscribed
 step hello {
   send email "hello"
   wait up to 3d for click {
     click -> exit clicked
     timeout -> exit quiet
   }
 }"#;

#[test]
fn a_click_in_time_takes_its_arm() {
    let plan = compile(WAIT_FOR_CLICK);
    let events = [
        event("2026-03-01T09:00:00Z", "c1", "signup"),
        event("2026-03-02T10:00:00Z", "c1", "click"),
    ];
    assert_eq!(
        trace(
            &plan,
            vec![customer("c1", &["email"])],
            &events,
            "2026-04-01T00:00:00Z"
        ),
        "2026-03-01T09:00:00Z c1 enter\n\
         2026-03-01T09:00:00Z c1 send email hello\n\
         2026-03-02T10:00:00Z c1 exit clicked"
    );
}

#[test]
fn an_event_exactly_at_the_timeout_comes_too_late() {
    let plan = compile(WAIT_FOR_CLICK);
    let events = [
        event("2026-03-01T09:00:00Z", "c1", "signup"),
        event("2026-03-04T09:00:00Z", "c1", "click"),
    ];
    assert_eq!(
        trace(
            &plan,
            vec![customer("c1", &["email"])],
            &events,
            "2026-04-01T00:00:00Z"
        ),
        "2026-03-01T09:00:00Z c1 enter\n\
         2026-03-01T09:00:00Z c1 send email hello\n\
         2026-03-04T09:00:00Z c1 exit quiet"
    );
}

#[test]
fn unsubscribing_mid_wait_leaves_at_once() {
    let plan = compile(WAIT_FOR_CLICK);
    let events = [
        event("2026-03-01T09:00:00Z", "c1", "signup"),
        event("2026-03-02T09:00:00Z", "c1", "unsubscribe"),
    ];
    assert_eq!(
        trace(
            &plan,
            vec![customer("c1", &["email"])],
            &events,
            "2026-04-01T00:00:00Z"
        ),
        "2026-03-01T09:00:00Z c1 enter\n\
         2026-03-01T09:00:00Z c1 send email hello\n\
         2026-03-02T09:00:00Z c1 exit unsubscribed"
    );
}

#[test]
fn without_consent_for_the_header_channel_nobody_enters() {
    let plan = compile(WAIT_FOR_CLICK);
    let events = [event("2026-03-01T09:00:00Z", "c1", "signup")];
    assert_eq!(
        trace(
            &plan,
            vec![customer("c1", &[])],
            &events,
            "2026-04-01T00:00:00Z"
        ),
        ""
    );
}

const GOAL: &str = r#"
 trigger event signup
 consent email
 goal purchase within 7d
 step hello {
   send email "hello"
   wait 30d
   exit done
 }"#;

#[test]
fn the_goal_within_its_window_converts() {
    let plan = compile(GOAL);
    let events = [
        event("2026-03-01T09:00:00Z", "c1", "signup"),
        event("2026-03-08T09:00:00Z", "c1", "purchase"),
    ];
    assert_eq!(
        trace(
            &plan,
            vec![customer("c1", &["email"])],
            &events,
            "2026-05-01T00:00:00Z"
        ),
        "2026-03-01T09:00:00Z c1 enter\n\
         2026-03-01T09:00:00Z c1 send email hello\n\
         2026-03-08T09:00:00Z c1 exit converted"
    );
}

#[test]
fn the_goal_after_its_window_does_not_count() {
    let plan = compile(GOAL);
    let events = [
        event("2026-03-01T09:00:00Z", "c1", "signup"),
        event("2026-03-08T09:00:01Z", "c1", "purchase"),
    ];
    assert_eq!(
        trace(
            &plan,
            vec![customer("c1", &["email"])],
            &events,
            "2026-05-01T00:00:00Z"
        ),
        "2026-03-01T09:00:00Z c1 enter\n\
         2026-03-01T09:00:00Z c1 send email hello\n\
         2026-03-31T09:00:00Z c1 exit done"
    );
}

const REENTRY: &str = r#"
 trigger event signup
 consent email
 reentry after 10d
 step hello {
   send email "hello"
   exit done
 }"#;

#[test]
fn reentry_waits_out_the_cool_down() {
    let plan = compile(REENTRY);
    let events = [
        event("2026-03-01T09:00:00Z", "c1", "signup"),
        event("2026-03-05T09:00:00Z", "c1", "signup"),
        event("2026-03-11T09:00:00Z", "c1", "signup"),
    ];
    assert_eq!(
        trace(
            &plan,
            vec![customer("c1", &["email"])],
            &events,
            "2026-05-01T00:00:00Z"
        ),
        "2026-03-01T09:00:00Z c1 enter\n\
         2026-03-01T09:00:00Z c1 send email hello\n\
         2026-03-01T09:00:00Z c1 exit done\n\
         2026-03-11T09:00:00Z c1 enter\n\
         2026-03-11T09:00:00Z c1 send email hello\n\
         2026-03-11T09:00:00Z c1 exit done"
    );
}

const QUIET: &str = r#"
 trigger event signup
 consent email
 quiet 21:00..08:00
 step hello {
   send email "hello"
   exit done
 }"#;

#[test]
fn quiet_hours_across_midnight_hold_a_send_until_morning_local_time() {
    let plan = compile(QUIET);
    let mut berlin = customer("c1", &["email"]);
    berlin.time_zone = Some("Europe/Berlin".into());
    // 23:30 in Berlin (UTC+1 in winter).
    let events = [event("2026-01-15T22:30:00Z", "c1", "signup")];
    assert_eq!(
        trace(&plan, vec![berlin], &events, "2026-02-01T00:00:00Z"),
        "2026-01-15T22:30:00Z c1 enter\n\
         2026-01-15T22:30:00Z c1 defer email hello until 2026-01-16T07:00:00Z\n\
         2026-01-16T07:00:00Z c1 send email hello\n\
         2026-01-16T07:00:00Z c1 exit done"
    );
}

#[test]
fn quiet_hours_end_at_local_eight_across_a_change_of_clocks() {
    let plan = compile(QUIET);
    let mut berlin = customer("c1", &["email"]);
    berlin.time_zone = Some("Europe/Berlin".into());
    // Berlin moves to summer time at 02:00 on 2026-03-29: 23:00 the night
    // before is 22:00 UTC, and 08:00 the next morning is 06:00 UTC.
    let events = [event("2026-03-28T22:00:00Z", "c1", "signup")];
    assert_eq!(
        trace(&plan, vec![berlin], &events, "2026-04-01T00:00:00Z"),
        "2026-03-28T22:00:00Z c1 enter\n\
         2026-03-28T22:00:00Z c1 defer email hello until 2026-03-29T06:00:00Z\n\
         2026-03-29T06:00:00Z c1 send email hello\n\
         2026-03-29T06:00:00Z c1 exit done"
    );
}

/// The night the clocks go back, 08:00 by the new time comes 12 hours after
/// 21:00 by the old: the hold ends when quiet hours have lasted their 11
/// hours (07:00 by the new time), so that no hold outlasts what `nurture
/// check` counts in the longest stay. The released send goes out then, and
/// is not held again, though 07:00 is inside quiet hours by the clock.
#[test]
fn quiet_hours_hold_no_longer_than_they_last_the_night_the_clocks_go_back() {
    let plan = compile(
        r#"
 trigger event signup
 consent email
 quiet 21:00..08:00
 step hello {
   send email "hello"
   send email "and-this"
   exit done
 }"#,
    );
    let mut berlin = customer("c1", &["email"]);
    berlin.time_zone = Some("Europe/Berlin".into());
    // Berlin leaves summer time at 03:00 on 2026-10-25: 21:00 on the 24th
    // is 19:00 UTC; 11 hours later is 06:00 UTC, 07:00 in Berlin.
    let events = [event("2026-10-24T19:00:00Z", "c1", "signup")];
    assert_eq!(
        trace(&plan, vec![berlin], &events, "2026-11-01T00:00:00Z"),
        "2026-10-24T19:00:00Z c1 enter\n\
         2026-10-24T19:00:00Z c1 defer email hello until 2026-10-25T06:00:00Z\n\
         2026-10-25T06:00:00Z c1 send email hello\n\
         2026-10-25T06:00:00Z c1 send email and-this\n\
         2026-10-25T06:00:00Z c1 exit done"
    );
}

/// The checker refuses a program that can break its cap (N311); the runtime
/// still enforces caps, for plans edited by hand or older than the check.
#[test]
fn a_send_over_the_cap_is_skipped() {
    let plan = compile_unchecked(
        r#"
 trigger event signup
 consent email
 cap 2 messages per 7d
 step hello {
   send email "one"
   wait 1d
   send email "two"
   wait 1d
   send email "three"
   wait 7d
   send email "four"
   exit done
 }"#,
    );
    let events = [event("2026-03-01T09:00:00Z", "c1", "signup")];
    assert_eq!(
        trace(
            &plan,
            vec![customer("c1", &["email"])],
            &events,
            "2026-04-01T00:00:00Z"
        ),
        "2026-03-01T09:00:00Z c1 enter\n\
         2026-03-01T09:00:00Z c1 send email one\n\
         2026-03-02T09:00:00Z c1 send email two\n\
         2026-03-03T09:00:00Z c1 skip email three: cap\n\
         2026-03-10T09:00:00Z c1 send email four\n\
         2026-03-10T09:00:00Z c1 exit done"
    );
}

#[test]
fn guards_and_consent_are_checked_at_each_send() {
    let plan = compile(
        r#"
 trigger event signup
 consent email
 step hello {
   send sms "text" if consent sms
   send call "call-task"
   send email "mail" if tier == gold
   exit done
 }"#,
    );
    let events = [event("2026-03-01T09:00:00Z", "c1", "signup")];
    assert_eq!(
        trace(
            &plan,
            vec![customer("c1", &["email"])],
            &events,
            "2026-04-01T00:00:00Z"
        ),
        "2026-03-01T09:00:00Z c1 enter\n\
         2026-03-01T09:00:00Z c1 skip sms text: no_consent\n\
         2026-03-01T09:00:00Z c1 send call call-task\n\
         2026-03-01T09:00:00Z c1 skip email mail: guard\n\
         2026-03-01T09:00:00Z c1 exit done"
    );
}

#[test]
fn branches_take_the_first_arm_that_holds() {
    let plan = compile(
        r#"
 trigger event signup
 consent email
 step pick {
   send email "hello"
   branch {
     when tier == gold -> exit vip
     when lifetime_value > 1000 -> exit valuable
     else -> exit rest
   }
 }"#,
    );
    let mut gold = customer("gold", &["email"]);
    gold.attributes
        .insert("tier".into(), Datum::Text("gold".into()));
    let mut rich = customer("rich", &["email"]);
    rich.attributes
        .insert("lifetime_value".into(), Datum::Number(5000.0));
    let plain = customer("plain", &["email"]);
    let events = [
        event("2026-03-01T09:00:00Z", "gold", "signup"),
        event("2026-03-01T09:00:00Z", "plain", "signup"),
        event("2026-03-01T09:00:00Z", "rich", "signup"),
    ];
    let trace = trace(
        &plan,
        vec![gold, rich, plain],
        &events,
        "2026-04-01T00:00:00Z",
    );
    let exits: Vec<&str> = trace.lines().filter(|l| l.contains(" exit ")).collect();
    assert_eq!(
        exits,
        vec![
            "2026-03-01T09:00:00Z gold exit vip",
            "2026-03-01T09:00:00Z plain exit rest",
            "2026-03-01T09:00:00Z rich exit valuable",
        ]
    );
}

#[test]
fn splits_and_holdouts_are_the_same_every_run_and_near_their_shares() {
    let plan = compile(
        r#"
 trigger event signup
 consent email
 holdout 10%
 goal purchase within 7d
 step pick {
   split {
     30% -> a
     70% -> b
   }
 }
 step a { send email "a"  exit a }
 step b { send email "b"  exit b }"#,
    );
    let customers: Vec<Customer> = (0..1000)
        .map(|i| customer(&format!("c{i:04}"), &["email"]))
        .collect();
    let events: Vec<Event> = (0..1000)
        .map(|i| event("2026-03-01T09:00:00Z", &format!("c{i:04}"), "signup"))
        .collect();
    let first = trace(&plan, customers.clone(), &events, "2026-04-01T00:00:00Z");
    let second = trace(&plan, customers, &events, "2026-04-01T00:00:00Z");
    assert_eq!(first, second);
    let count = |needle: &str| first.lines().filter(|l| l.ends_with(needle)).count();
    let (holdout, a, b) = (count("enter (holdout)"), count("exit a"), count("exit b"));
    assert_eq!(holdout + a + b, 1000);
    assert!((60..140).contains(&holdout), "holdout {holdout}");
    assert!((230..320).contains(&a), "a {a}");
    assert_eq!(
        count("exit holdout"),
        holdout,
        "the control group leaves when the goal window ends"
    );
}

#[test]
fn inactivity_and_date_triggers_fire_on_the_clock() {
    let plan = compile(
        r#"
 trigger no purchase for 30d
 trigger 7d before contract_end
 consent email
 step hello {
   send email "hello"
   exit done
 }"#,
    );
    let mut dormant = customer("dormant", &["email"]);
    dormant
        .last_event_at
        .insert("purchase".into(), at("2026-02-01T12:00:00Z"));
    let mut renewing = customer("renewing", &["email"]);
    renewing.attributes.insert(
        "contract_end".into(),
        Datum::Time(at("2026-03-20T00:00:00Z")),
    );
    let events = [event("2026-03-01T00:00:00Z", "nobody", "noise")];
    assert_eq!(
        trace(
            &plan,
            vec![dormant, renewing],
            &events,
            "2026-04-01T00:00:00Z"
        ),
        "2026-03-03T12:00:00Z dormant enter\n\
         2026-03-03T12:00:00Z dormant send email hello\n\
         2026-03-03T12:00:00Z dormant exit done\n\
         2026-03-13T00:00:00Z renewing enter\n\
         2026-03-13T00:00:00Z renewing send email hello\n\
         2026-03-13T00:00:00Z renewing exit done"
    );
}

#[test]
fn idempotency_keys_are_unique_and_stable() {
    let plan = compile(WAIT_FOR_CLICK);
    let events = [
        event("2026-03-01T09:00:00Z", "c1", "signup"),
        event("2026-03-02T10:00:00Z", "c1", "click"),
    ];
    let result = replay(&plan, 7, vec![customer("c1", &["email"])], &events, None);
    let keys: Vec<&str> = result.actions.iter().map(|a| a.key.as_str()).collect();
    let digest = &plan.digest["sha256:".len().."sha256:".len() + 12];
    assert_eq!(
        keys,
        vec![
            format!("{digest}/c1/1/0"),
            format!("{digest}/c1/1/1"),
            format!("{digest}/c1/1/2")
        ]
    );
}

#[test]
fn an_event_never_fires_a_clock_trigger() {
    let plan = compile(
        r#"
 trigger no purchase for 30d
 consent email
 step hello { send email "hello"  exit done }"#,
    );
    let mut dormant = customer("c1", &["email"]);
    dormant
        .last_event_at
        .insert("purchase".into(), at("2026-01-01T00:00:00Z"));
    let journey = nurture::run::Journey::default();
    let purchase = event("2026-03-01T00:00:00Z", "c1", "purchase");
    let on_event = nurture::run::step(
        &plan,
        7,
        &dormant,
        &journey,
        purchase.at,
        nurture::run::Input::Event(&purchase),
    );
    assert!(on_event.actions.is_empty(), "{:?}", on_event.actions);
    let on_tick = nurture::run::step(
        &plan,
        7,
        &dormant,
        &journey,
        purchase.at,
        nurture::run::Input::Tick,
    );
    assert_eq!(on_tick.actions.len(), 3, "enter, send, exit");
}

#[test]
fn without_a_schema_a_bare_word_is_the_property_of_that_name_when_there_is_one() {
    let plan = compile(
        r#"
 trigger event signup
 consent email
 goal purchase where amount > previous_amount and tier == gold within 30d
 step hello { send email "hello"  wait 60d  exit done }"#,
    );
    let mut gold = customer("c1", &["email"]);
    gold.attributes
        .insert("tier".into(), Datum::Text("gold".into()));
    let mut purchase = event("2026-03-05T09:00:00Z", "c1", "purchase");
    purchase
        .properties
        .insert("amount".into(), Datum::Number(200.0));
    purchase
        .properties
        .insert("previous_amount".into(), Datum::Number(100.0));
    let events = [event("2026-03-01T09:00:00Z", "c1", "signup"), purchase];
    let trace = trace(&plan, vec![gold], &events, "2026-06-01T00:00:00Z");
    assert!(
        trace.ends_with("2026-03-05T09:00:00Z c1 exit converted"),
        "{trace}"
    );
}

// -- found by fuzzing (fuzz/regressions/) ----------------------------------------

/// A date at the start of time (or an offset that takes one there) once
/// overflowed working out how late the trigger was.
#[test]
fn a_date_at_the_start_of_time_does_not_overflow() {
    let plan = compile_unchecked(" trigger 14d before due_at\n step a { exit done }");
    let mut long_ago = customer("c1", &[]);
    long_ago
        .attributes
        .insert("due_at".into(), Datum::Time(i64::MIN));
    let mut shifted = plan.clone();
    if let Some(plan::Trigger::Date { offset_minutes, .. }) = shifted.entry.triggers.first_mut() {
        *offset_minutes = -i64::MAX;
    }
    let mut today = customer("c2", &[]);
    today
        .attributes
        .insert("due_at".into(), Datum::Time(at("2026-03-01T00:00:00Z")));
    for (plan, who) in [(&plan, &long_ago), (&shifted, &today)] {
        let step = nurture::run::step(
            plan,
            7,
            who,
            &nurture::run::Journey::default(),
            at("2026-03-01T09:00:00Z"),
            nurture::run::Input::Tick,
        );
        assert!(step.actions.is_empty(), "{:?}", step.actions);
    }
}

/// A plan built in code may hold any digest; the idempotency key takes its
/// first twelve characters, not twelve bytes (which once cut an `é`).
#[test]
fn a_digest_of_any_text_makes_keys_without_a_panic() {
    let mut plan = compile(" trigger event signup\n step a { exit done }");
    plan.digest = "sha256:aéééééééééééé".into();
    let step = nurture::run::step(
        &plan,
        7,
        &customer("c1", &[]),
        &nurture::run::Journey::default(),
        at("2026-03-01T09:00:00Z"),
        nurture::run::Input::Event(&event("2026-03-01T09:00:00Z", "c1", "signup")),
    );
    assert_eq!(step.actions[0].key, "aééééééééééé/c1/1/0");
}

/// A plan built in code with a loop that never waits (`plan::load` and the
/// checker refuse one): the customer goes round once and leaves as `stuck`,
/// instead of taking ten thousand actions first.
#[test]
fn an_instant_loop_stops_after_going_round_once() {
    let plan = compile_unchecked(
        " trigger event signup\n step a {\n   tag looped\n   -> b\n }\n step b {\n   score +1\n   -> a\n }",
    );
    let events = [event("2026-03-01T09:00:00Z", "c1", "signup")];
    assert_eq!(
        trace(
            &plan,
            vec![customer("c1", &[])],
            &events,
            "2026-03-02T00:00:00Z"
        ),
        "\
2026-03-01T09:00:00Z c1 enter
2026-03-01T09:00:00Z c1 tag looped
2026-03-01T09:00:00Z c1 score +1
2026-03-01T09:00:00Z c1 tag looped
2026-03-01T09:00:00Z c1 exit stuck"
    );
}
