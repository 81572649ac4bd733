//! Programs simulated together (`sim/together.rs`): one record per
//! customer shared by every program, the behaviour model's events seen by
//! all, the schema's caps across programs, groups and hand-offs, as
//! `nurture replay` keeps them (`run/portfolio.rs`). Exact outcomes
//! through the library, and agreement with `replay_together` on the same
//! customers and the events the simulation drew.

use nurture::plan::{Cap, Plan};
use nurture::run::replay::replay_together;
use nurture::run::{ActionKind, Customer, Event};
use nurture::sim::behavior::{self, Behavior};
use nurture::sim::engine::{Scratch, Subject, Window};
use nurture::sim::setup::Setup;
use nurture::sim::tally::Tally;
use nurture::sim::together::{Lineup, Logged, Space, WeekTally, busiest, simulate_together};
use nurture::sim::zone::Zones;
use nurture::syntax::ast::Program;
use proptest::prelude::*;
use std::path::Path;

mod portfolio_support;
use portfolio_support::{program as generated, text};

const START: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z
const DAY: i64 = 86_400;

fn compiled(text: &str) -> (Plan, Program) {
    let errors: Vec<_> = nurture::check::check_text(text)
        .iter()
        .filter(|d| d.severity() == nurture::diagnostic::Severity::Error)
        .map(|d| d.message.clone())
        .collect();
    assert!(errors.is_empty(), "{errors:?}\n{text}");
    let program = nurture::syntax::parse(text).program.expect("a program");
    (nurture::plan::compile(&program, None), program)
}

fn program(name: &str, header: &str, body: &str) -> (Plan, Program) {
    compiled(&format!(
        "program {name} {{\n kind welcome\n owner \"x\"\n consent email\n{header}\n{body}\n}}\n"
    ))
}

/// Customers sign up at the start (and, with `again`, every few days); no
/// one answers a message.
fn model(again: bool) -> Behavior {
    let mut text =
        String::from("[[background]]\nevent = \"signup\"\nchance = 1.0\nwithin = \"1h\"\n");
    if again {
        text.push_str("\n[[background]]\nevent = \"signup\"\nrate = 1.0\nper = \"3d\"\n");
    }
    behavior::read_lenient(&text, None).expect("a model").0
}

fn customer(id: &str) -> Customer {
    Customer {
        id: id.into(),
        consents: ["email".to_string()].into(),
        phase: Some("new".into()),
        ..Customer::default()
    }
}

struct Outcome {
    tallies: Vec<Tally>,
    week: WeekTally,
    /// Per customer.
    logs: Vec<Vec<Logged>>,
}

fn together(
    programs: &[(Plan, Program)],
    caps: Vec<Cap>,
    model: &Behavior,
    customers: &[Customer],
    days: i64,
) -> Outcome {
    let setups: Vec<Setup> = programs
        .iter()
        .map(|(plan, program)| Setup::new(plan, program, model))
        .collect();
    let lineup = Lineup::new(&setups, caps);
    let window = Window {
        start: START,
        end: START + days * DAY,
    };
    let mut tallies: Vec<Tally> = setups.iter().map(Tally::new).collect();
    let mut week = WeekTally::default();
    let mut scratch = Scratch::new();
    let mut space = Space::default();
    let mut zones = Zones::default();
    let mut logs = Vec::new();
    for c in customers {
        let mut subject = Subject::new(c.clone(), zones.get(c.time_zone.as_deref()));
        let mut log = Vec::new();
        simulate_together(
            &lineup,
            model,
            7,
            window,
            &mut subject,
            &mut scratch,
            &mut space,
            &mut tallies,
            &mut week,
            Some(&mut log),
        );
        logs.push(log);
    }
    Outcome {
        tallies,
        week,
        logs,
    }
}

/// (program, template, at) of every send of a log.
fn sends(log: &[Logged]) -> Vec<(String, String, i64)> {
    log.iter()
        .filter_map(|l| match l {
            Logged::Send {
                at,
                program,
                template,
                ..
            } => Some((program.clone(), template.clone(), *at)),
            _ => None,
        })
        .collect()
}

#[test]
fn welcome_setting_the_phase_develop_starts_develop_in_the_same_simulated_moment() {
    let welcome = program(
        "welcome",
        " trigger event signup\n reentry never",
        " step hello {\n send email \"welcome\"\n phase develop\n exit done\n }",
    );
    let develop = program(
        "develop",
        " trigger phase becomes develop\n reentry never",
        " step hello {\n send email \"develop\"\n exit done\n }",
    );
    let run = together(
        &[welcome, develop],
        Vec::new(),
        &model(false),
        &[customer("c1")],
        30,
    );
    let sent = sends(&run.logs[0]);
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert_eq!(
        (sent[0].0.as_str(), sent[1].0.as_str()),
        ("welcome", "develop")
    );
    // The same moment: the signup's.
    assert_eq!(sent[0].2, sent[1].2);
    assert_eq!(run.tallies[1].treated, 1);
    // Alone, develop is never started: nothing changes the phase.
    let alone = together(
        &[program(
            "develop",
            " trigger phase becomes develop\n reentry never",
            " step hello {\n send email \"develop\"\n exit done\n }",
        )],
        Vec::new(),
        &model(false),
        &[customer("c1")],
        30,
    );
    assert_eq!(alone.tallies[0].treated, 0);
}

#[test]
fn a_group_of_two_programs_never_holds_a_customer_in_both() {
    let first = program(
        "zz_first",
        " trigger event signup\n group lifecycle\n priority 1\n reentry never",
        " step hello {\n send email \"first\"\n wait 4d\n exit done\n }",
    );
    let second = program(
        "aa_second",
        " trigger event signup\n group lifecycle\n priority 2",
        " step hello {\n send email \"second\"\n wait 2d\n exit done\n }",
    );
    let customers: Vec<Customer> = (0..60).map(|i| customer(&format!("c{i}"))).collect();
    let run = together(&[first, second], Vec::new(), &model(true), &customers, 60);
    let mut both_entered = [0, 0];
    for log in &run.logs {
        let mut inside: Vec<&str> = Vec::new();
        for line in log {
            match line {
                Logged::Enter { program, .. } => {
                    assert!(inside.is_empty(), "{program} entered while in {inside:?}");
                    inside.push(program);
                    both_entered[usize::from(program == "aa_second")] += 1;
                }
                Logged::Exit { program, .. } => inside.retain(|p| p != program),
                _ => {}
            }
        }
    }
    // Both programs had customers: once the first (never to enter again)
    // has let a customer go, the second takes them.
    assert!(
        both_entered[0] > 0 && both_entered[1] > 0,
        "{both_entered:?}"
    );
    // The first signup goes to priority 1.
    for log in &run.logs {
        let first = log.iter().find_map(|l| match l {
            Logged::Enter { program, .. } => Some(program.as_str()),
            _ => None,
        });
        assert_eq!(first, Some("zz_first"));
    }
}

#[test]
fn a_program_its_group_holds_out_is_reported_as_held_by_the_program_that_has_the_customer() {
    // Every customer signs up once, at the start; the first in the line-up
    // takes them all and keeps them past the end of the run.
    let first = program(
        "zz_first",
        " trigger event signup\n group lifecycle\n priority 1\n reentry never",
        " step hello {\n send email \"first\"\n wait 90d\n exit done\n }",
    );
    let second = program(
        "aa_second",
        " trigger event signup\n group lifecycle\n priority 2",
        " step hello {\n send email \"second\"\n exit done\n }",
    );
    let customers: Vec<Customer> = (0..25).map(|i| customer(&format!("c{i}"))).collect();
    let run = together(&[first, second], Vec::new(), &model(false), &customers, 30);
    let (held, free) = (&run.tallies[1], &run.tallies[0]);
    assert_eq!(held.entry.triggered, 0);
    assert_eq!(held.held.customers, 25);
    assert_eq!(
        held.held.by.iter().collect::<Vec<_>>(),
        vec![(&"zz_first".to_string(), &25)]
    );
    assert_eq!(free.held.customers, 0, "the first is never held");
    // The report says so, and names the gate.
    let setups: Vec<(Plan, Program)> = vec![program(
        "aa_second",
        " trigger event signup\n group lifecycle\n priority 2",
        " step hello {\n send email \"second\"\n exit done\n }",
    )];
    let behavior = model(false);
    let setup = Setup::new(&setups[0].0, &setups[0].1, &behavior);
    let about = nurture::sim::report::About {
        file: "aa_second.nurture".into(),
        bound: Some(1),
        triggers: vec!["event signup".into()],
        audience: None,
        trigger_notes: vec![None],
        days: 30,
    };
    let report = nurture::sim::report::program_report(
        &nurture::sim::report::Shape::of(&setup),
        held,
        &about,
    );
    assert_eq!(report.entry.stopped_at.as_deref(), Some("group"));
    let json = serde_json::to_value(&report.entry).expect("JSON");
    assert_eq!(
        json["held_by_group"],
        serde_json::json!({"customers": 25, "by": [{"program": "zz_first", "customers": 25}]})
    );
}

#[test]
fn a_trace_together_follows_the_one_run_and_shows_a_send_skipped_for_a_schema_cap() {
    let programs = [
        program(
            "aa_first",
            " trigger event signup\n reentry never",
            " step hello {\n send email \"first\"\n exit done\n }",
        ),
        program(
            "bb_second",
            " trigger event signup\n reentry never",
            " step hello {\n send email \"second\"\n exit done\n }",
        ),
    ];
    let behavior = model(false);
    let setups: Vec<Setup> = programs
        .iter()
        .map(|(plan, program)| Setup::new(plan, program, &behavior))
        .collect();
    let caps = vec![Cap {
        count: 1,
        channel: None,
        per_minutes: 7 * 24 * 60,
    }];
    let lineup = Lineup::new(&setups, caps);
    let window = Window {
        start: START,
        end: START + 10 * DAY,
    };
    let c = customer("c1");
    let mut subject = Subject::new(c.clone(), Zones::default().get(None));
    let mut tallies: Vec<Tally> = setups.iter().map(Tally::new).collect();
    let lines = nurture::sim::together::trace_together(
        &lineup,
        &behavior,
        7,
        window,
        &mut subject,
        &mut tallies,
    );
    let shown: Vec<(Option<usize>, String)> = lines
        .iter()
        .filter_map(|l| match &l.line {
            nurture::sim::engine::TraceLine::Action { what, .. } => Some((l.program, what.clone())),
            nurture::sim::engine::TraceLine::Event { name, .. } => {
                Some((l.program, format!("event {name}")))
            }
            _ => None,
        })
        .collect();
    // One event for both, then the first sends and the second's send is
    // skipped for the schema's cap, on the one record.
    assert_eq!(shown.first(), Some(&(None, "event signup".to_string())));
    assert!(
        shown.contains(&(Some(0), "send email \"first\"".to_string())),
        "{shown:?}"
    );
    let skipped = shown
        .iter()
        .find(|(p, what)| *p == Some(1) && what.contains("skip"))
        .unwrap_or_else(|| panic!("no skip of the second: {shown:?}"));
    assert!(skipped.1.contains("cap"), "{skipped:?}");
    assert_eq!(tallies[1].skipped_cap, 1);
}

#[test]
fn a_schema_cap_is_never_exceeded_across_programs() {
    let chatty = |name: &str| {
        program(
            name,
            " trigger event signup",
            " step hello {\n send email \"one\"\n wait 1d\n send email \"two\"\n exit done\n }",
        )
    };
    let caps = vec![Cap {
        count: 2,
        channel: None,
        per_minutes: 7 * 24 * 60,
    }];
    let customers: Vec<Customer> = (0..50).map(|i| customer(&format!("c{i}"))).collect();
    let run = together(
        &[chatty("a"), chatty("b"), chatty("c")],
        caps,
        &model(true),
        &customers,
        45,
    );
    let mut skipped = 0;
    for log in &run.logs {
        let mut times: Vec<i64> = sends(log).iter().map(|s| s.2).collect();
        assert!(busiest(&mut times) <= 2, "{log:?}");
        skipped += log
            .iter()
            .filter(|l| matches!(l, Logged::Skip { reason, .. } if reason == "cap"))
            .count();
    }
    assert!(skipped > 0, "the cap never had to skip a send");
    let skipped_in_tallies: u64 = run.tallies.iter().map(|t| t.skipped_cap).sum();
    assert_eq!(skipped_in_tallies, skipped as u64);
    // The week's figures count every program's sends together.
    assert_eq!(run.week.customers, 50);
    assert_eq!(run.week.busiest.len(), 3, "{:?}", run.week.busiest);
}

#[test]
fn a_hand_off_loop_between_two_programs_is_bounded_in_one_moment() {
    let ping = program(
        "ping",
        " trigger event signup\n trigger phase becomes welcome",
        " step go {\n phase develop\n exit done\n }",
    );
    let pong = program(
        "pong",
        " trigger phase becomes develop",
        " step go {\n phase welcome\n exit done\n }",
    );
    let run = together(
        &[ping, pong],
        Vec::new(),
        &model(false),
        &[customer("c1")],
        10,
    );
    let count = |name: &str| {
        run.logs[0]
            .iter()
            .filter(|l| matches!(l, Logged::Enter { program, .. } if program == name))
            .count()
    };
    let bound = nurture::run::portfolio::MAX_HAND_OFFS_AT_ONCE;
    assert_eq!((count("ping"), count("pong")), (1 + bound, bound));
    assert_eq!(run.tallies[0].treated as usize, 1 + bound);
}

fn read(name: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(name)).expect("read")
}

/// The bundled programs together over sample customers, and `replay` of
/// the same programs on each customer with the events the simulation had
/// them do: the same sends, at the same times, by the same programs.
#[test]
fn the_bundled_programs_together_send_what_replay_sends_on_the_same_events() {
    let schema = nurture::syntax::parse(&read("programs/schema.nurture"))
        .schema
        .expect("the schema");
    let mut programs = Vec::new();
    let mut names: Vec<_> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("programs"))
            .expect("programs/")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "nurture"))
            .filter(|p| p.file_name().is_some_and(|n| n != "schema.nurture"))
            .collect();
    names.sort();
    for path in &names {
        let text = std::fs::read_to_string(path).expect("read");
        let program = nurture::syntax::parse(&text).program.expect("a program");
        programs.push((nurture::plan::compile(&program, Some(&schema)), program));
    }
    let model = behavior::read_lenient(&read("programs/sample/behavior.toml"), Some(&schema))
        .expect("the bundled model")
        .0;
    let (customers, _) = nurture::run::input::read_customers(
        "population.csv",
        &read("programs/sample/population.csv"),
        nurture::run::input::Format::Csv,
        Some(&schema),
    );
    let customers: Vec<Customer> = customers.into_iter().take(300).collect();
    let days = 120;
    let run = together(&programs, Vec::new(), &model, &customers, days);
    let plans: Vec<&Plan> = programs.iter().map(|(plan, _)| plan).collect();
    let mut compared = 0;
    let mut sent = 0;
    for (c, log) in customers.iter().zip(&run.logs) {
        // The start, as the simulation's first look at every program.
        let mut events = vec![Event {
            id: None,
            at: START,
            customer: c.id.clone(),
            name: "simulation_started".into(),
            properties: Default::default(),
        }];
        events.extend(log.iter().filter_map(|l| match l {
            Logged::Event {
                at,
                name,
                properties,
            } => Some(Event {
                id: None,
                at: *at,
                customer: c.id.clone(),
                name: name.clone(),
                properties: properties.iter().cloned().collect(),
            }),
            _ => None,
        }));
        let replayed = replay_together(
            &plans,
            &[],
            7,
            vec![c.clone()],
            &events,
            Some(START + days * DAY),
        );
        let theirs: Vec<(String, String, i64)> = replayed
            .actions
            .iter()
            .filter_map(|(i, a)| match &a.kind {
                ActionKind::Send { template, .. } => {
                    Some((plans[*i].program.clone(), template.clone(), a.at))
                }
                _ => None,
            })
            .collect();
        let ours = sends(log);
        assert_eq!(ours, theirs, "customer {}", c.id);
        compared += 1;
        sent += ours.len();
    }
    assert_eq!(compared, customers.len());
    assert!(sent > 50, "only {sent} sends compared");
}

// -- the property ----------------------------------------------------------

/// Generated portfolios simulated together over customers who sign up and
/// click now and then: no customer's busiest 7 days ever hold more than the
/// proved bound (with and without a schema cap), and for portfolios of one
/// or two programs some customer reaches it.
#[test]
fn no_simulated_customer_exceeds_the_proved_portfolio_bound_and_small_portfolios_reach_it() {
    use nurture::sim::together::proved_week_bound;
    let schemas = [
        "schema {\n  channel email\n  channel sms\n  event signup\n  event click\n}\n",
        "schema {\n  channel email\n  channel sms\n  event signup\n  event click\n  cap 2 messages per 7d\n}\n",
    ]
    .map(|text| nurture::syntax::parse(text).schema.expect("a schema"));
    let model = behavior::read_lenient(
        "[[background]]\nevent = \"signup\"\nrate = 1.0\nper = \"2d\"\n\n[[background]]\nevent = \"click\"\nrate = 1.0\nper = \"1d\"\n",
        None,
    )
    .expect("a model")
    .0;
    let customers: Vec<Customer> = (0..25)
        .map(|i| Customer {
            id: format!("c{i}"),
            consents: ["email".to_string(), "sms".to_string()].into(),
            ..Customer::default()
        })
        .collect();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 120,
        rng_seed: proptest::test_runner::RngSeed::Fixed(20_261_201),
        failure_persistence: None,
        max_global_rejects: 10_000,
        ..ProptestConfig::default()
    });
    let reached = std::cell::Cell::new([0usize; 2]);
    let bounded = std::cell::Cell::new([0usize; 2]);
    let strategy = prop::collection::vec(generated(), 1..4);
    let result = runner.run(&strategy, |programs| {
        let texts: Vec<String> = programs
            .iter()
            .enumerate()
            .map(|(i, g)| text(i, g))
            .collect();
        for (n, schema) in schemas.iter().enumerate() {
            let mut parsed = Vec::new();
            for text in &texts {
                let diagnostics = nurture::check::check_text_with(text, Some(schema));
                if diagnostics
                    .iter()
                    .any(|d| d.severity() == nurture::diagnostic::Severity::Error)
                {
                    return Err(TestCaseError::reject("refused"));
                }
                parsed.push(nurture::syntax::parse(text).program.expect("a program"));
            }
            let caps = nurture::run::portfolio::schema_caps(schema);
            let bound = proved_week_bound(Some(schema), &parsed.iter().collect::<Vec<_>>(), &caps);
            let programs: Vec<(Plan, Program)> = parsed
                .into_iter()
                .map(|p| (nurture::plan::compile(&p, Some(schema)), p))
                .collect();
            let run = together(&programs, caps, &model, &customers, 30);
            let most = run.week.busiest.iter().rposition(|&c| c > 0).unwrap_or(0) as u64;
            // The log agrees with the week's count.
            let from_logs = run
                .logs
                .iter()
                .map(|log| {
                    let mut times: Vec<i64> = sends(log).iter().map(|s| s.2).collect();
                    busiest(&mut times) as u64
                })
                .max()
                .unwrap_or(0);
            prop_assert_eq!(most, from_logs);
            if let Some(bound) = bound {
                prop_assert!(
                    most <= bound,
                    "{most} > {bound} (schema {n})\n{}",
                    texts.join("\n")
                );
                if programs.len() <= 2 {
                    let mut b = bounded.get();
                    b[n] += 1;
                    bounded.set(b);
                    if most == bound {
                        let mut r = reached.get();
                        r[n] += 1;
                        reached.set(r);
                    }
                }
            }
        }
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
    let (reached, bounded) = (reached.get(), bounded.get());
    assert!(
        reached[0] > 0 && reached[1] > 0,
        "small portfolios reaching their bound: {reached:?} of {bounded:?}"
    );
}
