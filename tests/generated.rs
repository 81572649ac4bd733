//! Generated programs (proptest): random step graphs with sends, waits,
//! waits for events, branches, splits and loops, a journey's deadline and
//! an interrupt. Every one that passes
//! `nurture check` is compiled and run against random customers and events,
//! and the runtime must keep what the checker promised:
//!
//! - check, compile and run never panic;
//! - no customer gets more messages than the static bound, nor stays longer
//!   than the static longest stay, to the minute: quiet hours, goals and the
//!   holdout included, with no allowance;
//! - no send on a channel the customer has not agreed to;
//! - nothing is sent after the customer unsubscribed;
//! - no customer ends `stuck`, and at the end every customer has left, or
//!   waits for a time still to come.
//!
//! The bounds are also shown to be tight where they are new: some generated
//! program's customer stays exactly the longest stay with a send held back
//! by quiet hours, and some customer gets exactly the most messages of a
//! program whose guards exclude each other (where counting every send would
//! say more). A second property runs long runs of statements against the
//! interpreter's limit (N315).
//!
//! `nurture fmt` is held to its promises on the same programs: formatting
//! twice changes nothing and the plan stays the same (spans
//! aside, digest included).

use nurture::diagnostic::Severity;
use nurture::run::replay::replay;
use nurture::run::{ActionKind, Customer, Event, Status};
use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use std::cell::RefCell;
use std::collections::BTreeMap;

const START: i64 = 1_772_355_600; // 2026-03-01T09:00:00Z
const DAY: i64 = 24 * 3600;

/// One step: a few plain statements, then its way on.
#[derive(Clone, Debug)]
struct GenStep {
    body: Vec<Body>,
    way_on: WayOn,
}

#[derive(Clone, Debug)]
enum Body {
    Send {
        channel: usize,
        guarded: bool,
    },
    /// Two sends whose guards exclude each other: on a tag, or on consent.
    Either {
        on_consent: bool,
    },
    Wait(u8),
    /// `wait until Nd after entry`.
    WaitUntil(u8),
    Score,
    Tag,
    /// `send sms "…" or email "…"`: a channel fallback.
    Fallback,
}

/// The header's options.
#[derive(Clone, Debug)]
struct Options {
    cap: Option<u8>,
    quiet: bool,
    /// `goal click within Nd`.
    goal: Option<u8>,
    holdout: bool,
    /// `ends after Nd as ended_by_deadline`.
    ends: Option<u8>,
    /// `on open -> sN` (taken modulo the steps).
    interrupt: Option<usize>,
    /// `window mon..fri 09:00..17:00`.
    window: bool,
}

#[derive(Clone, Debug)]
enum WayOn {
    Exit(u8),
    Goto(usize),
    WaitFor {
        days: u8,
        click: usize,
        timeout: usize,
    },
    Branch {
        then: usize,
        otherwise: usize,
    },
    Split {
        a: usize,
        b: usize,
    },
}

const CHANNELS: [&str; 3] = ["email", "sms", "call"];

fn body() -> impl Strategy<Value = Body> {
    prop_oneof![
        (0..3usize, any::<bool>()).prop_map(|(channel, guarded)| Body::Send { channel, guarded }),
        any::<bool>().prop_map(|on_consent| Body::Either { on_consent }),
        (1..5u8).prop_map(Body::Wait),
        (1..40u8).prop_map(Body::WaitUntil),
        Just(Body::Score),
        Just(Body::Tag),
        Just(Body::Fallback),
    ]
}

/// Targets are indices into the steps, or past them for an exit.
fn way_on() -> impl Strategy<Value = WayOn> {
    prop_oneof![
        (0..3u8).prop_map(WayOn::Exit),
        (0..8usize).prop_map(WayOn::Goto),
        (1..6u8, 0..8usize, 0..8usize).prop_map(|(days, click, timeout)| WayOn::WaitFor {
            days,
            click,
            timeout
        }),
        (0..8usize, 0..8usize).prop_map(|(then, otherwise)| WayOn::Branch { then, otherwise }),
        (0..8usize, 0..8usize).prop_map(|(a, b)| WayOn::Split { a, b }),
    ]
}

fn program() -> impl Strategy<Value = (Vec<GenStep>, Options)> {
    (
        prop::collection::vec(
            (prop::collection::vec(body(), 0..4), way_on())
                .prop_map(|(body, way_on)| GenStep { body, way_on }),
            1..6,
        ),
        (
            prop::option::of(2..6u8),
            any::<bool>(),
            prop::option::of(1..12u8),
            prop_oneof![4 => Just(false), 1 => Just(true)],
            prop::option::of(2..25u8),
            prop::option::of(0..8usize),
            prop_oneof![2 => Just(false), 1 => Just(true)],
        )
            .prop_map(
                |(cap, quiet, goal, holdout, ends, interrupt, window)| Options {
                    cap,
                    quiet,
                    goal,
                    holdout,
                    ends,
                    interrupt,
                    window,
                },
            ),
    )
}

/// The program as text. With `exclusive` false, the two guards of each
/// `Either` are the same, so that both sends may go out: the program a
/// count of every send would see.
fn text((steps, options): &(Vec<GenStep>, Options), exclusive: bool) -> String {
    let target = |i: usize| {
        if i < steps.len() {
            format!("s{i}")
        } else {
            format!("exit out{}", i % 3)
        }
    };
    let mut out = String::from(
        "program generated {\n  kind welcome\n  owner \"x\"\n  trigger event signup\n  consent email\n  exit when unsubscribe as unsubscribed\n",
    );
    if let Some(cap) = options.cap {
        out.push_str(&format!("  cap {cap} messages per 7d\n"));
    }
    if options.quiet {
        out.push_str("  quiet 21:00..08:00\n");
    }
    if options.window {
        out.push_str("  window mon..fri 09:00..17:00\n");
    }
    if let Some(days) = options.goal {
        out.push_str(&format!("  goal click within {days}d\n"));
    }
    if options.holdout {
        out.push_str("  holdout 30%\n");
    }
    if let Some(days) = options.ends {
        out.push_str(&format!("  ends after {days}d as ended_by_deadline\n"));
    }
    if let Some(step) = options.interrupt {
        out.push_str(&format!("  on open -> s{}\n", step % steps.len().max(1)));
    }
    let not = if exclusive { "not " } else { "" };
    for (i, step) in steps.iter().enumerate() {
        out.push_str(&format!("  step s{i} {{\n"));
        for body in &step.body {
            out.push_str(&match body {
                Body::Send { channel, guarded } => {
                    let channel = CHANNELS[*channel];
                    if *guarded || channel == "sms" {
                        format!("    send {channel} \"t{i}\" if consent {channel}\n")
                    } else {
                        format!("    send {channel} \"t{i}\"\n")
                    }
                }
                Body::Either { on_consent: true } => format!(
                    "    send sms \"t{i}\" if consent sms\n    send email \"u{i}\" if {not}consent sms\n"
                ),
                Body::Either { on_consent: false } => format!(
                    "    send email \"t{i}\" if has tag seen\n    send call \"u{i}\" if {not}has tag seen\n"
                ),
                Body::Wait(days) => format!("    wait {days}d\n"),
                Body::WaitUntil(days) => format!("    wait until {days}d after entry\n"),
                Body::Score => "    score +1\n".to_string(),
                Body::Tag => "    tag seen\n".to_string(),
                Body::Fallback => format!("    send sms \"t{i}\" or email \"f{i}\"\n"),
            });
        }
        out.push_str(&match &step.way_on {
            WayOn::Exit(o) => format!("    exit out{o}\n"),
            WayOn::Goto(t) => match target(*t) {
                t if t.starts_with("exit") => format!("    {t}\n"),
                t => format!("    -> {t}\n"),
            },
            WayOn::WaitFor { days, click, timeout } => format!(
                "    wait up to {days}d for click {{\n      click -> {}\n      timeout -> {}\n    }}\n",
                target(*click),
                target(*timeout)
            ),
            WayOn::Branch { then, otherwise } => format!(
                "    branch {{\n      when has tag seen -> {}\n      else -> {}\n    }}\n",
                target(*then),
                target(*otherwise)
            ),
            WayOn::Split { a, b } => format!(
                "    split {{\n      50% -> {}\n      50% -> {}\n    }}\n",
                target(*a),
                target(*b)
            ),
        });
        out.push_str("  }\n");
    }
    out.push_str("}\n");
    out
}

/// Customers with different consents and time zones, and their events.
fn scenario() -> impl Strategy<Value = Vec<(i64, usize, u8)>> {
    // (seconds after the start, customer, 0 = click, 1 = unsubscribe,
    // 2 = open, which an interrupt may take)
    prop::collection::vec(
        (
            0..(20 * DAY),
            0..4usize,
            prop_oneof![7 => Just(0u8), 1 => Just(1u8), 2 => Just(2u8)],
        ),
        0..12,
    )
}

/// Minutes after local midnight at `at` in `zone` (UTC when none).
fn local_minute(zone: Option<&str>, at: i64) -> i32 {
    let zone = zone
        .and_then(|z| jiff::tz::TimeZone::get(z).ok())
        .unwrap_or(jiff::tz::TimeZone::UTC);
    match jiff::Timestamp::from_second(at) {
        Ok(time) => {
            let local = time.to_zoned(zone);
            i32::from(local.hour()) * 60 + i32::from(local.minute())
        }
        Err(_) => -1,
    }
}

/// The day of the week (Monday 0) and the minutes after local midnight at
/// `at` in `zone` (UTC when none).
fn local_day_minute(zone: Option<&str>, at: i64) -> (i8, i32) {
    let zone = zone
        .and_then(|z| jiff::tz::TimeZone::get(z).ok())
        .unwrap_or(jiff::tz::TimeZone::UTC);
    match jiff::Timestamp::from_second(at) {
        Ok(time) => {
            let local = time.to_zoned(zone);
            (
                local.weekday().to_monday_zero_offset(),
                i32::from(local.hour()) * 60 + i32::from(local.minute()),
            )
        }
        Err(_) => (-1, -1),
    }
}

fn customers() -> Vec<Customer> {
    let consents: [&[&str]; 4] = [&["email"], &["email", "sms"], &[], &["email", "sms"]];
    let zones = [
        None,
        Some("Europe/Berlin"),
        Some("America/New_York"),
        Some("Asia/Tokyo"),
    ];
    (0..4)
        .map(|i| Customer {
            id: format!("c{i}"),
            consents: consents[i].iter().map(|c| c.to_string()).collect(),
            time_zone: zones[i].map(str::to_string),
            ..Customer::default()
        })
        .collect()
}

fn fmt(text: &str) -> Result<String, TestCaseError> {
    nurture::format::format_source(text)
        .map_err(|error| TestCaseError::fail(format!("not formatted: {error:?}\n{text}")))
}

/// The plan as JSON without the spans (the digest, of the meaning, stays).
fn without_layout(plan: &nurture::plan::Plan) -> serde_json::Value {
    fn strip(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                map.remove("span");
                map.values_mut().for_each(strip);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut json = serde_json::from_str(&plan.to_json()).unwrap_or(serde_json::Value::Null);
    strip(&mut json);
    json
}

fn formatting_keeps_the_plan(text: &str, plan: &nurture::plan::Plan) -> Result<(), TestCaseError> {
    let formatted = fmt(text)?;
    prop_assert_eq!(&fmt(&formatted)?, &formatted, "formatting twice differs");
    let reparsed = nurture::syntax::parse(&formatted).program;
    let program =
        reparsed.ok_or_else(|| TestCaseError::fail(format!("no program in\n{formatted}")))?;
    let again = nurture::plan::compile(&program, None);
    prop_assert_eq!(
        without_layout(&again),
        without_layout(plan),
        "the plan differs\n{}",
        formatted
    );
    Ok(())
}

/// What the generated programs showed of the bounds' tightness.
#[derive(Default)]
struct Reached {
    /// A customer stayed exactly the longest stay, a send held back.
    held_stay: usize,
    /// A customer got exactly the most messages of a program where
    /// counting every send would have said more.
    exclusive_messages: usize,
    /// A customer left by the deadline, in a program whose steps alone
    /// have no bound on the stay or the messages (a loop that waits).
    deadline_bounded_a_loop: usize,
    /// A customer was moved on by an interrupt.
    interrupted: usize,
    /// A send went out inside a window of a program with one.
    in_window: usize,
    /// A send with `or` went out on its second channel.
    fell_back: usize,
}

fn config(cases: u32, seed: u64) -> ProptestConfig {
    ProptestConfig {
        cases,
        rng_seed: proptest::test_runner::RngSeed::Fixed(seed),
        failure_persistence: None,
        // Programs the checker refuses are skipped, not counted.
        max_global_rejects: 100_000,
        ..ProptestConfig::default()
    }
}

#[test]
fn the_runtime_keeps_what_the_checker_promised() {
    // A fixed seed: the same 1,000 programs every run, on every machine, so a
    // failure is reproducible and CI never flakes. (Change the seed locally
    // to explore further.)
    let mut runner = TestRunner::new(config(1000, 20_261_123));
    let reached = RefCell::new(Reached::default());
    let result = runner.run(&(program(), scenario()), |(generated, events)| {
        one_program(&generated, &events, &mut reached.borrow_mut())
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
    let reached = reached.into_inner();
    assert!(
        reached.held_stay > 0,
        "no generated customer stayed the longest stay with a send held back: the bound is not shown tight"
    );
    assert!(
        reached.exclusive_messages > 0,
        "no generated customer got the most messages of a program with exclusive guards"
    );
    assert!(
        reached.deadline_bounded_a_loop > 0,
        "no generated customer left by the deadline of a program that loops: the deadline's bounds are not exercised"
    );
    assert!(
        reached.interrupted > 0,
        "no generated customer was moved by an interrupt"
    );
    assert!(
        reached.in_window > 0,
        "no generated program with a send window sent anything"
    );
    assert!(
        reached.fell_back > 0,
        "no generated send with `or` went out on its second channel"
    );
}

fn one_program(
    generated: &(Vec<GenStep>, Options),
    events: &[(i64, usize, u8)],
    reached: &mut Reached,
) -> Result<(), TestCaseError> {
    let source = text(generated, true);
    let text = source.as_str();
    let diagnostics = nurture::check::check_text(text);
    // Programs the checker refuses are only required not to crash it.
    if diagnostics.iter().any(|d| d.severity() == Severity::Error) {
        return Err(TestCaseError::reject("refused by the checker"));
    }
    let parsed = nurture::syntax::parse(text);
    let program = parsed
        .program
        .ok_or_else(|| TestCaseError::fail("a checked program parses"))?;
    let facts = nurture::check::facts::facts(&program);
    // The same program with guards that do not exclude each other: what a
    // count of every send would say.
    let every_send = nurture::syntax::parse(&self::text(generated, false))
        .program
        .map(|p| nurture::check::facts::facts(&p).messages.total);
    let plan = nurture::plan::compile(&program, None);
    prop_assert!(nurture::plan::load(&plan.to_json()).is_ok());
    formatting_keeps_the_plan(text, &plan)?;

    let mut timeline: Vec<Event> = (0..4)
        .map(|i| Event {
            id: None,
            at: START + i64::from(i) * 3600,
            customer: format!("c{i}"),
            name: "signup".into(),
            properties: BTreeMap::new(),
        })
        .collect();
    for (after, who, kind) in events {
        let name = match kind {
            0 => "click",
            1 => "unsubscribe",
            _ => "open",
        };
        timeline.push(Event {
            id: None,
            at: START + 4 * 3600 + after,
            customer: format!("c{who}"),
            name: name.into(),
            properties: BTreeMap::new(),
        });
    }
    timeline.sort_by_key(|e| e.at);
    let until = START + 400 * DAY;
    let result = replay(&plan, 1, customers(), &timeline, Some(until));

    let consents: BTreeMap<String, Vec<String>> = customers()
        .into_iter()
        .map(|c| (c.id.clone(), c.consents.into_iter().collect()))
        .collect();
    let zones: BTreeMap<String, Option<String>> = customers()
        .into_iter()
        .map(|c| (c.id.clone(), c.time_zone.clone()))
        .collect();
    let quiet = generated.1.quiet;
    let window = generated.1.window;
    // Whether the steps alone leave the stay unbounded (a loop), so that
    // the deadline is what bounds it.
    let loops_without_deadline = generated.1.ends.is_some() && {
        let mut without = generated.clone();
        without.1.ends = None;
        nurture::syntax::parse(&self::text(&without, true))
            .program
            .is_some_and(|p| {
                nurture::check::facts::facts(&p)
                    .longest_stay
                    .minutes
                    .is_none()
            })
    };
    // A step's first node an interrupt leads to, entered other than by the
    // plan's own moves: seen as a visit of `open` moving the customer.
    if !plan.interrupts.is_empty() {
        let opens: Vec<(i64, &str)> = timeline
            .iter()
            .filter(|e| e.name == "open")
            .map(|e| (e.at, e.customer.as_str()))
            .collect();
        let moved = result.actions.iter().any(|a| {
            opens.contains(&(a.at, a.customer.as_str()))
                && !matches!(a.kind, ActionKind::Enter { .. })
        });
        if moved {
            reached.interrupted += 1;
        }
    }
    let mut sends: BTreeMap<&str, u64> = BTreeMap::new();
    let mut sent_at: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    let mut entered: BTreeMap<&str, i64> = BTreeMap::new();
    let mut held: BTreeMap<&str, bool> = BTreeMap::new();
    for action in &result.actions {
        let who = action.customer.as_str();
        match &action.kind {
            ActionKind::Enter { .. } => {
                entered.insert(who, action.at);
            }
            ActionKind::Defer { .. } => {
                held.insert(who, true);
            }
            ActionKind::Send { channel, .. } => {
                *sends.entry(who).or_default() += 1;
                let agreed = consents[who].contains(channel);
                prop_assert!(
                    agreed || channel == "call",
                    "{who} got {channel} without consent\n{text}"
                );
                let unsubscribed = timeline
                    .iter()
                    .any(|e| e.customer == who && e.name == "unsubscribe" && e.at <= action.at);
                prop_assert!(
                    !unsubscribed,
                    "{who} was sent {channel} after unsubscribing\n{text}"
                );
                if quiet {
                    let minute = local_minute(zones[who].as_deref(), action.at);
                    // quiet 21:00..08:00
                    prop_assert!(
                        (8 * 60..21 * 60).contains(&minute),
                        "{who} was sent {channel} at {minute} min after local midnight, in quiet hours\n{text}"
                    );
                }
                if window {
                    // window mon..fri 09:00..17:00, by the local clock; or
                    // by the clock an hour on, for a hold released at its
                    // proved length the weekend the clocks go back
                    // (docs/runtime.md).
                    let inside = |at: i64| {
                        let (day, minute) = local_day_minute(zones[who].as_deref(), at);
                        day < 5 && (9 * 60..17 * 60).contains(&minute)
                    };
                    prop_assert!(
                        inside(action.at) || inside(action.at + 3600),
                        "{who} was sent {channel} outside its window\n{text}"
                    );
                    reached.in_window += 1;
                }
                if let ActionKind::Send { template, .. } = &action.kind {
                    if template.starts_with('f') {
                        reached.fell_back += 1;
                    }
                }
                sent_at.entry(who).or_default().push(action.at);
            }
            ActionKind::Exit { outcome } => {
                prop_assert!(outcome != "stuck", "{who} ended stuck\n{text}");
                if outcome == "ended_by_deadline" && loops_without_deadline {
                    reached.deadline_bounded_a_loop += 1;
                }
                if let (Some(bound), Some(&at)) = (facts.longest_stay.minutes, entered.get(who)) {
                    // Exactly the bound: no allowance for quiet hours.
                    let stayed = action.at - at;
                    prop_assert!(
                        stayed <= bound as i64 * 60,
                        "{who} stayed {stayed} s, the bound is {bound} min\n{text}"
                    );
                    if stayed == bound as i64 * 60 && held.get(who) == Some(&true) {
                        reached.held_stay += 1;
                    }
                }
            }
            _ => {}
        }
    }
    // `cap N messages per 7d`: caps skip (docs/runtime.md), so no 7-day
    // window ever holds more than N sends. And the checker proved the cap
    // (N311 is an error): no send ever needs the skip (each customer enters
    // once, so no journey before counts).
    if generated.1.cap.is_some() {
        let skipped = result
            .actions
            .iter()
            .find(|a| matches!(&a.kind, ActionKind::Skip { reason, .. } if reason == "cap"));
        prop_assert!(
            skipped.is_none(),
            "{:?}: a send skipped for a cap the checker proved\n{text}",
            skipped
        );
    }
    if let Some(cap) = generated.1.cap {
        for (customer, times) in &sent_at {
            for &t in times {
                let within = times.iter().filter(|&&u| u > t - 7 * DAY && u <= t).count();
                prop_assert!(
                    within <= usize::from(cap),
                    "{customer} got {within} messages in the 7 days to {t}, the cap is {cap}\n{text}"
                );
            }
        }
    }
    if let Some(bound) = facts.messages.total {
        for (customer, count) in &sends {
            prop_assert!(
                *count <= bound,
                "{customer} got {count} messages, the bound is {bound}\n{text}"
            );
        }
        let counted_more = every_send.flatten().is_some_and(|every| every > bound);
        if counted_more && sends.values().any(|&count| count == bound) {
            reached.exclusive_messages += 1;
        }
    }
    for (id, (_, journey)) in &result.customers {
        let settled = match journey.status {
            Status::Left | Status::Out => true,
            Status::In => journey.due().is_some_and(|due| due > until),
        };
        prop_assert!(
            settled,
            "{id} is stuck at node {} with no time to go on\n{text}",
            journey.node()
        );
    }
    Ok(())
}

/// Runs of statements around the interpreter's limit: a chain of steps
/// linked by `->`, `score +1` in each, sometimes a `wait` somewhere.
fn long_run() -> impl Strategy<Value = (Vec<usize>, Option<(usize, usize)>)> {
    (
        prop::collection::vec(1..4_000usize, 1..6),
        prop::option::of((0..6usize, 0..4_000usize)),
    )
        .prop_filter("about the limit", |(steps, _)| {
            let total: usize = steps.iter().sum();
            (9_000..11_000).contains(&total)
        })
}

#[test]
fn no_program_that_checks_clean_ends_stuck() {
    let mut runner = TestRunner::new(config(12, 20_261_201));
    let result = runner.run(&long_run(), |(steps, wait)| {
        let wait = wait.filter(|(step, at)| *step < steps.len() && *at < steps[*step]);
        let mut text =
            String::from("program long {\n  kind welcome\n  owner \"x\"\n  trigger event signup\n");
        for (i, count) in steps.iter().enumerate() {
            text.push_str(&format!("  step s{i} {{\n"));
            for at in 0..*count {
                if wait == Some((i, at)) {
                    text.push_str("    wait 1d\n");
                } else {
                    text.push_str("    score +1\n");
                }
            }
            if i + 1 < steps.len() {
                text.push_str(&format!("    -> s{}\n  }}\n", i + 1));
            } else {
                text.push_str("    exit done\n  }\n");
            }
        }
        text.push_str("}\n");
        // The statements in the order they run ('w' a wait, '>' an arrow),
        // cut into runs after each wait. The interpreter runs each but an
        // arrow; the checker counts the arrows too.
        let mut order: Vec<char> = Vec::new();
        for (i, count) in steps.iter().enumerate() {
            for at in 0..*count {
                order.push(if wait == Some((i, at)) { 'w' } else { 's' });
            }
            order.push(if i + 1 < steps.len() { '>' } else { 'x' });
        }
        let runs: Vec<&[char]> = order.split_inclusive(|c| *c == 'w').collect();
        let counted = runs.iter().map(|run| run.len()).max().unwrap_or(0);
        let run_by_interpreter = runs
            .iter()
            .map(|run| run.iter().filter(|c| **c != '>').count())
            .max()
            .unwrap_or(0);
        let checked = nurture::check::check_text(&text);
        let refused = checked.iter().any(|d| d.code.id() == "N315");
        prop_assert_eq!(
            refused,
            counted > 10_000,
            "the longest run counts {}",
            counted
        );
        prop_assert!(
            !checked
                .iter()
                .any(|d| d.severity() == Severity::Error && d.code.id() != "N315"),
            "{:?}",
            checked
        );
        let program = nurture::syntax::parse(&text)
            .program
            .ok_or_else(|| TestCaseError::fail("parses"))?;
        let plan = nurture::plan::compile(&program, None);
        let customer = Customer {
            id: "c".into(),
            ..Customer::default()
        };
        let signup = Event {
            id: None,
            at: START,
            customer: "c".into(),
            name: "signup".into(),
            properties: BTreeMap::new(),
        };
        let result = replay(&plan, 1, vec![customer], &[signup], Some(START + 3 * DAY));
        let stuck = result
            .actions
            .iter()
            .any(|a| matches!(&a.kind, ActionKind::Exit { outcome } if outcome == "stuck"));
        // The interpreter gives up past its limit, and what checks clean
        // never comes near it.
        prop_assert_eq!(stuck, run_by_interpreter > 10_000);
        prop_assert!(!stuck || refused, "stuck, though the checker passed it");
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
}
