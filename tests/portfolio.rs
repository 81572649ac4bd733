//! Caps across programs: `cap … per …` in the schema, proved by `nurture
//! check` over a folder (N316). The real binary on folders of overlapping
//! programs, and a generated property: the proved bound is never below what
//! one customer in every program actually gets within the cap's time (each
//! program run by the interpreter on the same customer and events, alone
//! and all together on one record), and for small portfolios some customer
//! reaches it; run together with the schema's caps kept at run time, no
//! customer gets more than the cap.

use nurture::run::replay::replay;
use nurture::run::{ActionKind, Customer, Event};
use proptest::prelude::*;
use proptest::test_runner::TestRunner;

mod portfolio_support;
mod support;
use support::{CAPPED_SCHEMA as SCHEMA, NUDGE, Run, WELCOME, folder, nurture};

fn check(files: &[(&str, &str)], args: &[&str]) -> Run {
    let dir = folder(files);
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    nurture(dir.path(), &all)
}

#[test]
fn overlapping_programs_can_break_the_schemas_cap() {
    let run = check(
        &[
            ("schema.nurture", SCHEMA),
            ("welcome.nurture", WELCOME),
            ("nudge.nurture", NUDGE),
        ],
        &["."],
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    insta::assert_snapshot!("overlapping", run.stdout);
    let json = check(
        &[
            ("schema.nurture", SCHEMA),
            ("welcome.nurture", WELCOME),
            ("nudge.nurture", NUDGE),
        ],
        &[".", "--output-format", "json"],
    );
    let report: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    let found: Vec<(String, String)> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or("").to_string(),
                d["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    // welcome sends 2 within 7d; nudge a mail and a text each journey, and
    // 8 journeys fit in 7d (1 + 7d / 1d, again a day after the last).
    assert_eq!(
        found,
        vec![
            (
                "N316".to_string(),
                "the programs together can send one customer 18 messages within 7d, more than `cap 3 messages per 7d` allows".to_string()
            ),
            (
                "N316".to_string(),
                "the programs together can send one customer 8 sms messages within 7d, more than `cap 1 sms per 7d` allows".to_string()
            ),
        ]
    );
}

#[test]
fn programs_whose_own_caps_add_up_keep_the_schemas_cap() {
    // welcome 2, nudge at most 2 (1 text): 4 and 1 within 7d.
    let nudge = NUDGE.replace(
        "  reentry  after 1d\n",
        "  reentry  after 1d\n  cap      2 messages per 7d\n  cap      1 sms per 7d\n",
    );
    let schema = SCHEMA.replace("cap 3 messages", "cap 4 messages");
    let run = check(
        &[
            ("schema.nurture", &schema),
            ("welcome.nurture", WELCOME),
            ("nudge.nurture", &nudge),
        ],
        &["."],
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
    // One program alone is checked against the caps too.
    let alone = check(
        &[("schema.nurture", SCHEMA), ("nudge.nurture", NUDGE)],
        &["nudge.nurture"],
    );
    assert_eq!(alone.code, 1, "{}", alone.stdout);
    assert!(alone.stdout.contains("N316"), "{}", alone.stdout);
}

/// The help lines of the N316 found over `files`.
fn helps(files: &[(&str, &str)]) -> Vec<String> {
    let json = check(files, &[".", "--output-format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["code"] == "N316")
        .map(|d| d["help"].as_str().unwrap_or("").to_string())
        .collect()
}

/// The caps a help line says to add: (`cap …`, program).
fn caps_to_add(help: &str) -> Vec<(String, String)> {
    help.split("`cap ")
        .skip(1)
        .filter_map(|rest| {
            let (cap, after) = rest.split_once('`')?;
            let program = after.strip_prefix(" to `")?.split('`').next()?;
            Some((format!("cap {cap}"), program.to_string()))
        })
        .collect()
}

/// `text` with the caps for its program added to its header.
fn with_caps(text: &str, name: &str, caps: &[(String, String)]) -> String {
    let mut text = text.to_string();
    for (cap, program) in caps {
        if program == name {
            text = text.replacen("  reentry", &format!("  {cap}\n  reentry"), 1);
        }
    }
    text
}

#[test]
fn following_the_help_of_n316_makes_the_folder_clean() {
    // One journey of each fits the caps (2 + 2 of 4, 1 of 1 sms): the help
    // names the caps of their own that keep re-entering `nudge` to it.
    let schema = SCHEMA.replace("cap 3 messages", "cap 4 messages");
    let files = [
        ("schema.nurture", schema.as_str()),
        ("welcome.nurture", WELCOME),
        ("nudge.nurture", NUDGE),
    ];
    let helps = helps(&files);
    assert_eq!(helps.len(), 2, "{helps:?}");
    let caps: Vec<(String, String)> = helps.iter().flat_map(|h| caps_to_add(h)).collect();
    assert_eq!(
        caps,
        vec![
            ("cap 2 messages per 7d".to_string(), "nudge".to_string()),
            ("cap 1 sms per 7d".to_string(), "nudge".to_string()),
        ],
        "{helps:?}"
    );
    let nudge = with_caps(NUDGE, "nudge", &caps);
    let welcome = with_caps(WELCOME, "welcome", &caps);
    let run = check(
        &[
            ("schema.nurture", &schema),
            ("welcome.nurture", &welcome),
            ("nudge.nurture", &nudge),
        ],
        &["."],
    );
    assert_eq!(run.code, 0, "following {helps:?}:\n{}", run.stdout);
    assert!(!run.stdout.contains("N311"), "{}", run.stdout);

    // One journey of each already sends 4, over `cap 3`: the help says to
    // raise it to 4 with the same cap for `nudge`, which holds too.
    let helps = self::helps(&[
        ("schema.nurture", SCHEMA),
        ("welcome.nurture", WELCOME),
        ("nudge.nurture", NUDGE),
    ]);
    let first = &helps[0];
    assert!(
        first.starts_with("one journey of each already sends 4 within 7d together")
            && first.contains("raise this cap to 4 and add `cap 2 messages per 7d` to `nudge`"),
        "{first}"
    );
}

#[test]
fn a_program_entering_again_at_once_without_a_cap_has_no_bound() {
    let again = NUDGE.replace("  reentry  after 1d\n", "");
    let run = check(
        &[("schema.nurture", SCHEMA), ("nudge.nurture", &again)],
        &["."],
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains("any number of messages"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("without bound"), "{}", run.stdout);
}

// -- the property ----------------------------------------------------------

const START: i64 = 1_772_355_600; // 2026-03-01T09:00:00Z
const DAY: i64 = 24 * 3600;

use portfolio_support::{EVENTS, program, text};

/// The largest number of sends within any 7 days.
fn most_in_a_week(mut times: Vec<i64>) -> u64 {
    times.sort_unstable();
    let mut most = 0;
    for (i, &t) in times.iter().enumerate() {
        let within = times[i..].iter().take_while(|&&u| u < t + 7 * DAY).count();
        most = most.max(within as u64);
    }
    most
}

#[test]
fn no_customer_gets_more_than_the_proved_bound_and_small_portfolios_reach_it() {
    let schema_text = "schema {\n  channel email\n  channel sms\n  event signup\n  event click\n  cap 1 messages per 7d\n}\n";
    let schema = nurture::syntax::parse(schema_text)
        .schema
        .expect("a schema");
    let mut runner = TestRunner::new(ProptestConfig {
        cases: 300,
        rng_seed: proptest::test_runner::RngSeed::Fixed(20_261_201),
        failure_persistence: None,
        max_global_rejects: 10_000,
        ..ProptestConfig::default()
    });
    let reached = std::cell::Cell::new(0usize);
    let reached_together = std::cell::Cell::new(0usize);
    let strategy = (
        prop::collection::vec(program(), 1..4),
        // Events of one customer: (seconds after the start, which event).
        prop::collection::vec((0..(20 * DAY), 0..2usize), 1..12),
    );
    let result = runner.run(&strategy, |(programs, events)| {
        let texts: Vec<String> = programs
            .iter()
            .enumerate()
            .map(|(i, g)| text(i, g))
            .collect();
        let mut parsed = Vec::new();
        for text in &texts {
            let diagnostics = nurture::check::check_text_with(text, Some(&schema));
            if diagnostics
                .iter()
                .any(|d| d.severity() == nurture::diagnostic::Severity::Error)
            {
                return Err(TestCaseError::reject("refused"));
            }
            parsed.push(nurture::syntax::parse(text).program.expect("a program"));
        }
        let members: Vec<nurture::check::portfolio::Member> = parsed
            .iter()
            .map(|program| nurture::check::portfolio::Member { program })
            .collect();
        let bound = nurture::check::portfolio::most(&schema, &members, 0);
        let customer = Customer {
            id: "c".into(),
            consents: ["email".to_string(), "sms".to_string()].into(),
            ..Customer::default()
        };
        let mut events: Vec<Event> = events
            .iter()
            .map(|(at, e)| Event {
                id: None,
                at: START + at,
                customer: "c".into(),
                name: EVENTS[*e].into(),
                properties: Default::default(),
            })
            .collect();
        events.sort_by_key(|e| e.at);
        let plans: Vec<nurture::plan::Plan> = parsed
            .iter()
            .map(|program| nurture::plan::compile(program, Some(&schema)))
            .collect();
        // All programs at once on the one customer, as replay, serve and
        // the simulator run them: without the schema's caps, and with them
        // (kept across programs: never more than the cap allows).
        let together: Vec<&nurture::plan::Plan> = plans.iter().collect();
        let caps = nurture::run::portfolio::schema_caps(&schema);
        let mut in_one = [0u64; 2];
        for (n, caps) in [&[][..], &caps[..]].into_iter().enumerate() {
            let run = nurture::run::replay::replay_together(
                &together,
                caps,
                0,
                vec![customer.clone()],
                &events,
                Some(START + 40 * DAY),
            );
            in_one[n] = most_in_a_week(
                run.actions
                    .iter()
                    .filter(|(_, a)| matches!(a.kind, ActionKind::Send { .. }))
                    .map(|(_, a)| a.at)
                    .collect(),
            );
        }
        prop_assert!(
            in_one[1] <= 1,
            "{} > the cap\n{}",
            in_one[1],
            texts.join("\n")
        );
        if let Some(bound) = bound {
            prop_assert!(
                in_one[0] <= bound,
                "{} > {bound} together\n{}",
                in_one[0],
                texts.join("\n")
            );
            prop_assert!(
                in_one[1] <= bound,
                "{} > {bound} capped\n{}",
                in_one[1],
                texts.join("\n")
            );
            if in_one[0] == bound && parsed.len() <= 2 {
                reached_together.set(reached_together.get() + 1);
            }
        }
        let mut sends = Vec::new();
        for plan in &plans {
            let run = replay(
                plan,
                0,
                vec![customer.clone()],
                &events,
                Some(START + 40 * DAY),
            );
            sends.extend(
                run.actions
                    .iter()
                    .filter(|a| matches!(a.kind, ActionKind::Send { .. }))
                    .map(|a| a.at),
            );
        }
        let got = most_in_a_week(sends);
        if let Some(bound) = bound {
            prop_assert!(got <= bound, "{got} > {bound}\n{}", texts.join("\n"));
            if got == bound && parsed.len() <= 2 {
                reached.set(reached.get() + 1);
            }
        }
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
    assert!(reached.get() > 0, "no small portfolio reached its bound");
    assert!(
        reached_together.get() > 0,
        "no small portfolio run together reached its bound"
    );
}

#[test]
fn a_schema_with_caps_keeps_its_layout_and_checks_clean_alone() {
    let formatted = nurture::format::format_source(SCHEMA).expect("formats");
    assert_eq!(formatted, SCHEMA);
    let joined = SCHEMA.replace("per 7d\n  cap 1", "per 7d cap 1");
    let formatted = nurture::format::format_source(&joined).expect("formats");
    assert_eq!(formatted, SCHEMA, "one entry a line");
    let run = check(&[("schema.nurture", SCHEMA)], &["schema.nurture"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let schema = nurture::syntax::parse(SCHEMA).schema.expect("a schema");
    assert_eq!(schema.caps.len(), 2);
    assert_eq!(schema.caps[1].value.count.value, 1);
    assert_eq!(
        schema.caps[1]
            .value
            .channel
            .as_ref()
            .map(|c| c.value.as_str()),
        Some("sms")
    );
}

#[test]
fn the_summary_shows_what_the_programs_send_together() {
    let files = [
        ("schema.nurture", SCHEMA),
        ("welcome.nurture", WELCOME),
        ("nudge.nurture", NUDGE),
    ];
    let run = check(&files, &[".", "--summary"]);
    assert_eq!(run.code, 1);
    let across = run
        .stdout
        .find("Across programs")
        .map(|at| &run.stdout[at..])
        .unwrap_or_default();
    insta::assert_snapshot!("summary", across);
    let json = check(&files, &[".", "--summary", "--output-format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    let portfolio = &report["portfolio"][0];
    assert_eq!(portfolio["programs_checked"], 2);
    assert_eq!(portfolio["caps"][0]["cap"], "cap 3 messages per 7d");
    assert_eq!(portfolio["caps"][0]["allows"], 3);
    assert_eq!(portfolio["caps"][0]["most"], 18);
    assert_eq!(portfolio["caps"][0]["programs"][0]["program"], "nudge");
    assert_eq!(portfolio["caps"][0]["programs"][0]["most"], 16);
    assert_eq!(portfolio["caps"][1]["most"], 8);
    // Without --summary the JSON has no portfolio.
    let plain = check(&files, &[".", "--output-format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&plain.stdout).expect("JSON");
    assert!(report.get("portfolio").is_none());
}

/// A thousand steps of one send each, one after another: the search is
/// bounded by the journey's most messages and stays quick.
#[test]
fn a_long_chain_of_sends_is_counted_whole() {
    let mut program = String::from(
        "program big {\n  kind welcome\n  owner \"x\"\n  trigger event signup\n  consent email\n  reentry never\n",
    );
    for i in 0..1000 {
        let next = if i < 999 {
            format!("-> s{}", i + 1)
        } else {
            "exit done".into()
        };
        program.push_str(&format!(
            "  step s{i} {{\n    send email \"t{i}\"\n    {next}\n  }}\n"
        ));
    }
    program.push_str("}\n");
    let json = check(
        &[("schema.nurture", SCHEMA), ("big.nurture", &program)],
        &[".", "--summary", "--output-format", "json"],
    );
    let report: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(report["portfolio"][0]["caps"][0]["most"], 1000);
}
