//! Several programs on one customer at run time (`run/portfolio.rs`): one
//! record shared by the customer's journeys, the line-up's order (a change
//! one program makes is what the next one sees), and the schema's caps
//! across programs, through `nurture replay` of the folder's compiled
//! plans and through the library.

use nurture::plan::{Cap, Plan};
use nurture::run::replay::replay_together;
use nurture::run::{ActionKind, Customer, Event};
use std::process::Command;
use support::Run;

mod support;

const SCHEMA: &str = "schema {
  channel email
  channel sms
  event signup
  tag vip
  cap 2 messages per 7d
}
";

/// Tags the customer `vip` as they sign up, and says hello.
fn tagger(name: &str) -> String {
    support::welcome_doing(
        name,
        "    tag vip\n    send email \"tagger-hello\"\n    exit tagged\n",
    )
}

/// For `vip` customers only: two mails a day apart.
const VIP: &str = r#"program b_vip {
  kind     welcome
  owner    "crm-team@example.com"
  trigger  event signup
  audience has tag vip
  consent  email
  reentry  never

  step hello {
    send email "vip-hello"
    wait 1d
    send email "vip-again"
    exit welcomed
  }
}
"#;

/// `nurture replay ARGS` of the program files, as source.
fn replay(files: &[(&str, &str)], args: &[&str]) -> Run {
    replay_as(files, args, false)
}

/// `nurture replay` of the programs ARGS name, compiled to plans first.
fn replay_plans(files: &[(&str, &str)], args: &[&str]) -> Run {
    replay_as(files, args, true)
}

fn replay_as(files: &[(&str, &str)], args: &[&str], as_plans: bool) -> Run {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    std::fs::write(
        dir.path().join("customers.jsonl"),
        "{\"id\":\"c1\",\"consents\":[\"email\"]}\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("events.jsonl"),
        "{\"id\":\"e1\",\"at\":\"2026-03-02T10:00:00Z\",\"customer\":\"c1\",\"event\":\"signup\"}\n",
    )
    .expect("write");
    // Compiled plans: the runtime's caps across programs are what is
    // tested, on programs `nurture check` refuses together (N316), which
    // replay would refuse as source.
    let programs: Vec<&str> = if args == ["."] {
        files
            .iter()
            .map(|(name, _)| *name)
            .filter(|name| *name != "schema.nurture")
            .collect()
    } else {
        args.to_vec()
    };
    let mut plans = Vec::new();
    for program in programs {
        if !as_plans {
            plans.push(program.to_string());
            continue;
        }
        let plan = format!("{program}.json");
        let compiled = Command::new(env!("CARGO_BIN_EXE_nurture"))
            .args([
                "compile",
                program,
                "--schema",
                "schema.nurture",
                "--output",
                &plan,
            ])
            .current_dir(dir.path())
            .output()
            .expect("run nurture compile");
        assert!(compiled.status.success(), "{compiled:?}");
        plans.push(plan);
    }
    let output = Command::new(env!("CARGO_BIN_EXE_nurture"))
        .arg("replay")
        .args(if as_plans {
            plans.clone()
        } else {
            args.iter().map(|a| a.to_string()).collect()
        })
        .args(if as_plans {
            vec!["--schema", "schema.nurture"]
        } else {
            vec![]
        })
        .args([
            "--customers",
            "customers.jsonl",
            "--events",
            "events.jsonl",
            "--until",
            "2026-03-10T00:00:00Z",
        ])
        .current_dir(dir.path())
        .output()
        .expect("run nurture");
    Run::of(&output)
}

/// Each line's action, template or tag, and reason, in order.
fn lines(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
            let what = ["template", "tag", "outcome", "reason"]
                .iter()
                .filter_map(|k| v[k].as_str())
                .collect::<Vec<_>>()
                .join(" ");
            format!(
                "{} {} {what}",
                v["at"].as_str().unwrap_or(""),
                v["action"].as_str().unwrap_or("")
            )
            .trim_end()
            .to_string()
        })
        .collect()
}

#[test]
fn a_tag_one_program_sets_is_what_the_next_in_the_lineup_sees_and_the_schemas_cap_holds_across_both()
 {
    let tagger = tagger("a_tagger");
    let run = replay_plans(
        &[
            ("schema.nurture", SCHEMA),
            ("a_tagger.nurture", &tagger),
            ("b_vip.nurture", VIP),
        ],
        &["."],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        lines(&run.stdout),
        vec![
            "2026-03-02T10:00:00Z enter",
            "2026-03-02T10:00:00Z tag vip",
            "2026-03-02T10:00:00Z send tagger-hello",
            "2026-03-02T10:00:00Z exit tagged",
            // b_vip comes after a_tagger (by name): the customer is `vip` now.
            "2026-03-02T10:00:00Z enter",
            "2026-03-02T10:00:00Z send vip-hello",
            // The third message within 7d, of the two programs together.
            "2026-03-03T10:00:00Z skip vip-again cap",
            "2026-03-03T10:00:00Z exit welcomed",
        ]
    );
    assert!(
        run.stderr
            .contains("program `a_tagger`: 1 customer, 1 entered, 0 still in, 4 actions")
            && run
                .stderr
                .contains("program `b_vip`: 1 customer, 1 entered, 0 still in, 4 actions"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_program_earlier_in_the_lineup_does_not_see_a_later_ones_change_at_the_same_moment() {
    let tagger = tagger("z_tagger");
    let run = replay_plans(
        &[
            ("schema.nurture", SCHEMA),
            ("z_tagger.nurture", &tagger),
            ("b_vip.nurture", VIP),
        ],
        &["b_vip.nurture", "z_tagger.nurture"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        lines(&run.stdout),
        vec![
            "2026-03-02T10:00:00Z enter",
            "2026-03-02T10:00:00Z tag vip",
            "2026-03-02T10:00:00Z send tagger-hello",
            "2026-03-02T10:00:00Z exit tagged",
        ]
    );
    assert!(
        run.stderr
            .contains("program `b_vip`: 1 customer, 0 entered"),
        "{}",
        run.stderr
    );
}

#[test]
fn programs_replayed_alone_keep_their_own_record() {
    let tagger = tagger("a_tagger");
    let run = replay(
        &[
            ("schema.nurture", SCHEMA),
            ("a_tagger.nurture", &tagger),
            ("b_vip.nurture", VIP),
        ],
        &["b_vip.nurture"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "");
}

#[test]
fn the_same_program_twice_is_refused() {
    let tagger = tagger("a_tagger");
    let run = replay(
        &[
            ("schema.nurture", SCHEMA),
            ("a_tagger.nurture", &tagger),
            ("copy.nurture", &tagger),
        ],
        &["."],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("both define program `a_tagger`"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stdout, "");
}

fn plan(text: &str) -> Plan {
    let schema = nurture::syntax::parse(SCHEMA).schema.expect("the schema");
    let program = nurture::syntax::parse(text).program.expect("a program");
    nurture::plan::compile(&program, Some(&schema))
}

fn signup(at: i64) -> Event {
    Event {
        id: None,
        at,
        customer: "c1".into(),
        name: "signup".into(),
        properties: Default::default(),
    }
}

#[test]
fn a_channel_cap_counts_only_its_channel_and_the_order_given_does_not_matter() {
    let a = plan(&tagger("a_tagger"));
    let b = plan(VIP);
    let customer = Customer {
        id: "c1".into(),
        consents: ["email".to_string()].into(),
        ..Customer::default()
    };
    let sms_only = [Cap {
        count: 1,
        channel: Some("sms".into()),
        per_minutes: 7 * 24 * 60,
    }];
    let sends = |plans: &[&Plan], caps: &[Cap]| {
        let run = replay_together(
            plans,
            caps,
            0,
            vec![customer.clone()],
            &[signup(1_000_000)],
            Some(1_000_000 + 8 * 86_400),
        );
        run.actions
            .iter()
            .filter_map(|(i, a)| match &a.kind {
                ActionKind::Send { template, .. } => {
                    Some((plans[*i].program.clone(), template.clone()))
                }
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    let all = vec![
        ("a_tagger".to_string(), "tagger-hello".to_string()),
        ("b_vip".to_string(), "vip-hello".to_string()),
        ("b_vip".to_string(), "vip-again".to_string()),
    ];
    assert_eq!(sends(&[&a, &b], &sms_only), all);
    // The line-up is by name, not by the order given.
    assert_eq!(sends(&[&b, &a], &sms_only), all);
    let one = [Cap {
        count: 1,
        channel: None,
        per_minutes: 7 * 24 * 60,
    }];
    assert_eq!(sends(&[&b, &a], &one), all[..1].to_vec());
}

fn compile_plain(text: &str) -> Plan {
    let parsed = nurture::syntax::parse(text);
    let errors: Vec<_> = nurture::check::check_text(text)
        .iter()
        .filter(|d| d.severity() == nurture::diagnostic::Severity::Error)
        .map(|d| d.message.clone())
        .collect();
    assert!(errors.is_empty(), "{errors:?}\n{text}");
    nurture::plan::compile(&parsed.program.expect("a program"), None)
}

fn program(name: &str, header: &str, body: &str) -> Plan {
    compile_plain(&format!(
        "program {name} {{\n kind welcome\n owner \"x\"\n consent email\n{header}\n{body}\n}}\n"
    ))
}

fn anna() -> Customer {
    Customer {
        id: "c1".into(),
        consents: ["email".to_string()].into(),
        phase: Some("new".into()),
        ..Customer::default()
    }
}

/// (program, what) for each enter and send, in order.
fn story(plans: &[&Plan], events: &[Event]) -> Vec<(String, String)> {
    let run = replay_together(
        plans,
        &[],
        0,
        vec![anna()],
        events,
        Some(1_000_000 + 30 * 86_400),
    );
    run.actions
        .iter()
        .filter_map(|(i, a)| {
            let what = match &a.kind {
                ActionKind::Enter { .. } => "enter".to_string(),
                ActionKind::Send { template, .. } => format!("send {template}"),
                _ => return None,
            };
            Some((plans[*i].program.clone(), what))
        })
        .collect()
}

#[test]
fn welcome_setting_the_phase_develop_starts_develop_in_the_same_moment() {
    let welcome = program(
        "welcome",
        " trigger event signup",
        " step hello {\n send email \"welcome\"\n phase develop\n exit done\n }",
    );
    let develop = program(
        "develop",
        " trigger phase becomes develop",
        " step hello {\n send email \"develop\"\n exit done\n }",
    );
    // develop comes first in the line-up (by name) and still starts: the
    // change starts it after the input has been offered to every program.
    let run = replay_together(
        &[&welcome, &develop],
        &[],
        0,
        vec![anna()],
        &[signup(1_000_000)],
        None,
    );
    let seen: Vec<(String, String, i64)> = run
        .actions
        .iter()
        .filter_map(|(i, a)| match &a.kind {
            ActionKind::Send { template, .. } => Some((
                [&welcome, &develop][*i].program.clone(),
                template.clone(),
                a.at,
            )),
            _ => None,
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            ("welcome".to_string(), "welcome".to_string(), 1_000_000),
            ("develop".to_string(), "develop".to_string(), 1_000_000),
        ]
    );
    let (record, journeys) = &run.customers["c1"];
    assert_eq!(record.phase.as_deref(), Some("develop"));
    assert!(journeys.iter().all(|j| j.entries == 1), "{journeys:?}");
}

#[test]
fn a_hand_off_loop_between_two_programs_stops_at_the_bound_in_one_moment() {
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
    let entries = story(&[&ping, &pong], &[signup(1_000_000)]);
    let count = |name: &str| {
        entries
            .iter()
            .filter(|(p, w)| p == name && w == "enter")
            .count()
    };
    let bound = nurture::run::portfolio::MAX_HAND_OFFS_AT_ONCE;
    // The signup, then each program started by the other's change at most
    // `bound` times.
    assert_eq!((count("ping"), count("pong")), (1 + bound, bound));
    // `reentry never` ends the loop at once.
    let ping_once = program(
        "ping",
        " trigger event signup\n trigger phase becomes welcome\n reentry never",
        " step go {\n phase develop\n exit done\n }",
    );
    let entries = story(&[&ping_once, &pong], &[signup(1_000_000)]);
    let count = |name: &str| {
        entries
            .iter()
            .filter(|(p, w)| p == name && w == "enter")
            .count()
    };
    assert_eq!((count("ping"), count("pong")), (1, 1));
}

#[test]
fn one_program_of_a_group_at_a_time_and_priority_decides_who_gets_the_customer() {
    let first = program(
        "zz_first",
        " trigger event signup\n group lifecycle\n priority 1\n reentry never",
        " step hello {\n send email \"first\"\n wait 2d\n exit done\n }",
    );
    let second = program(
        "aa_second",
        " trigger event signup\n group lifecycle\n priority 2",
        " step hello {\n send email \"second\"\n wait 2d\n exit done\n }",
    );
    let apart = program(
        "apart",
        " trigger event signup",
        " step hello {\n send email \"apart\"\n exit done\n }",
    );
    // Both qualify at once: priority 1 wins, though its name comes later;
    // a program outside the group is not held. A day later the customer
    // is still in `zz_first`; after it ends (never to enter again),
    // `aa_second` may take them.
    let events = [
        signup(1_000_000),
        signup(1_000_000 + 86_400),
        signup(1_000_000 + 3 * 86_400),
    ];
    let sends: Vec<(String, String)> = story(&[&second, &apart, &first], &events)
        .into_iter()
        .filter(|(_, w)| w.starts_with("send"))
        .collect();
    let s = |p: &str, w: &str| (p.to_string(), format!("send {w}"));
    assert_eq!(
        sends,
        vec![
            s("zz_first", "first"),
            s("apart", "apart"),
            s("apart", "apart"),
            s("aa_second", "second"),
            s("apart", "apart"),
        ]
    );
}
