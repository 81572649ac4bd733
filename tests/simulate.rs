//! `nurture simulate` through the binary: exact outcomes on a small program
//! whose customers answer for certain, determinism across seeds and
//! threads, the bundled samples, and every kind of bad input.

use serde_json::Value;
use std::path::Path;

mod support;
use support::{outcome as nurture, root};

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

const SCHEMA: &str = "schema {
  attribute tier: gold | silver
  event purchase { amount: number }
  event click
  event open
  event unsubscribe
  channel email
  channel call needs no consent
  segment vip
}
";

/// Customers gone quiet enter at the start; the email is clicked an hour
/// later by everyone who may get it, and a click leads to a call.
const PROGRAM: &str = r#"program nudge {
  title    "Nudge"
  kind     wake_up
  owner    "crm@example.com"

  trigger  no purchase for 30d
  audience tier == silver
  goal     purchase within 10d

  exit when unsubscribe as unsubscribed

  start ask

  step ask {
    send email "come-back" if consent email
    wait up to 3d for click {
      click   -> call
      timeout -> exit ignored
    }
  }

  step call {
    send call "personal-call"
    wait 2d
    exit called
  }
}
"#;

/// Every answer for certain, and timed exactly (`p90` equal to `after`).
const CERTAIN: &str = r#"
[channel.email]
click = { chance = 1.0, after = "1h", p90 = "1h" }

[channel.call]
purchase = { chance = 1.0, after = "1d", p90 = "1d", properties = { amount = 50 } }
"#;

/// Four customers: two who may get email, one who may not, one gold (not
/// in the audience).
const CUSTOMERS: &str = "id,time_zone,consents,tier,last_event_at.purchase
a1,Europe/Berlin,email,silver,2025-06-01T10:00:00Z
a2,UTC,email,silver,2025-06-01T10:00:00Z
b1,UTC,,silver,2025-06-01T10:00:00Z
g1,UTC,email,gold,2025-06-01T10:00:00Z
";

fn workspace(model: &str, customers: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("schema.nurture"), SCHEMA).expect("write");
    std::fs::write(dir.path().join("nudge.nurture"), PROGRAM).expect("write");
    std::fs::write(dir.path().join("model.toml"), model).expect("write");
    std::fs::write(dir.path().join("customers.csv"), customers).expect("write");
    dir
}

const RUN: &[&str] = &[
    "simulate",
    "nudge.nurture",
    "--customers",
    "customers.csv",
    "--behavior",
    "model.toml",
    "--days",
    "30",
    "--start",
    "2026-01-05",
];

fn run_json(dir: &Path, extra: &[&str]) -> Value {
    let mut args = RUN.to_vec();
    args.extend_from_slice(&["--output-format", "json"]);
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = nurture(&args, dir);
    assert_eq!(code, 0, "{stderr}");
    json(&stdout)
}

#[test]
fn certain_answers_give_exact_counts() {
    let dir = workspace(CERTAIN, CUSTOMERS);
    let report = run_json(dir.path(), &[]);
    let program = &report["programs"][0];
    assert_eq!(program["customers"], 4);
    // g1 is gold: never enters. No holdout in this program.
    assert_eq!(program["entered"]["treated"], 3);
    assert_eq!(program["entered"]["holdout"], 0);
    let steps = &program["steps"];
    assert_eq!(steps[0]["step"], "ask");
    assert_eq!(steps[0]["entered"], 3);
    assert_eq!(steps[0]["sent"]["email"], 2); // b1 has no consent
    assert_eq!(steps[0]["answered"], 2);
    assert_eq!(steps[0]["moved_on"], 3);
    assert_eq!(steps[1]["entered"], 2);
    assert_eq!(steps[1]["sent"]["call"], 2);
    // The call is answered by a purchase a day later: the goal ends both
    // journeys before `exit called`.
    let outcomes: Vec<(String, u64)> = program["outcomes"]
        .as_array()
        .expect("outcomes")
        .iter()
        .map(|o| {
            (
                o["outcome"].as_str().unwrap_or_default().to_string(),
                o["journeys"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        vec![("converted".to_string(), 2), ("ignored".to_string(), 1)]
    );
    assert_eq!(program["held_back"]["skipped_without_consent"], 1);
    assert_eq!(program["messages"]["total"], 4);
    assert_eq!(program["messages"]["max"], 2);
    assert_eq!(program["messages"]["bound"], 2);
    let goal = &program["goal"];
    assert_eq!(goal["treated"]["converted"], 2);
    // Entered at the start, clicked 1h later, called, bought a day later.
    assert_eq!(goal["median_minutes_to_goal"], 25 * 60);
    let flow: Vec<String> = program["flow"]
        .as_array()
        .expect("flow")
        .iter()
        .map(|f| {
            format!(
                "{} -> {}: {}",
                f["from"].as_str().unwrap_or(""),
                f["to"].as_str().unwrap_or(""),
                f["count"]
            )
        })
        .collect();
    assert_eq!(
        flow,
        vec![
            "entry -> ask: 3",
            "ask -> call: 2",
            "ask -> exit:ignored: 1",
            "call -> exit:converted: 2",
        ]
    );
}

#[test]
fn a_trace_shows_one_customers_journey_with_times() {
    let dir = workspace(CERTAIN, CUSTOMERS);
    let mut args = RUN.to_vec();
    args.extend_from_slice(&["--trace", "a1"]);
    let (code, stdout, stderr) = nurture(&args, dir.path());
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!(stdout);
}

#[test]
fn no_answers_at_all_leave_everyone_ignored() {
    let model = "[channel.email]\nclick = { chance = 0.0, after = \"1h\" }\n";
    let dir = workspace(model, CUSTOMERS);
    let report = run_json(dir.path(), &[]);
    let program = &report["programs"][0];
    assert_eq!(program["outcomes"][0]["outcome"], "ignored");
    assert_eq!(program["outcomes"][0]["journeys"], 3);
    assert_eq!(program["goal"]["treated"]["converted"], 0);
}

#[test]
fn the_same_seed_gives_the_same_bytes_on_any_number_of_threads() {
    let base = [
        "simulate",
        "programs/wake_up_dormant.nurture",
        "--output-format",
        "json",
    ];
    let run = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        let (code, stdout, stderr) = nurture(&args, root());
        assert_eq!(code, 0, "{stderr}");
        stdout
    };
    let one = run(&["--threads", "1", "--seed", "7"]);
    assert_eq!(one, run(&["--threads", "2", "--seed", "7"]));
    assert_eq!(one, run(&["--threads", "5", "--seed", "7"]));
    assert_ne!(one, run(&["--threads", "1", "--seed", "8"]));
}

#[test]
fn the_bundled_samples_simulate_on_a_fresh_clone() {
    let (code, stdout, stderr) = nurture(&["simulate", "programs/wake_up_dormant.nurture"], root());
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!(stdout);
}

#[test]
fn a_folder_of_programs_runs_together_with_the_portfolio_first() {
    let (code, stdout, stderr) = nurture(&["simulate", "programs/"], root());
    assert_eq!(code, 0, "{stderr}");
    // The portfolio's lines, in order, after the run's (a long line is
    // wrapped, its parts after the first indented).
    let lines: Vec<&str> = stdout.lines().filter(|l| !l.starts_with("  ")).collect();
    assert!(
        lines[2].starts_with("together: 14 programs on one record per customer"),
        "{stdout}"
    );
    assert_eq!(lines[3], "schema caps: none");
    assert!(
        lines[4].starts_with("messages per customer per week: mean "),
        "{stdout}"
    );
    assert!(stdout.contains("\nper program\n"), "{stdout}");
    assert!(!stdout.contains("side by side"), "{stdout}");
    // The hand-off note of a side-by-side run is not given: develop is
    // started by welcome's change.
    assert!(!stderr.contains("phase becomes"), "{stderr}");
    let (_, json, _) = nurture(
        &["simulate", "programs/", "--output-format", "json"],
        root(),
    );
    let report: serde_json::Value = serde_json::from_str(&json).expect("json");
    let develop = report["programs"]
        .as_array()
        .expect("programs")
        .iter()
        .find(|p| p["program"] == "develop_new_customer")
        .expect("develop_new_customer");
    assert!(
        develop["entered"]["treated"].as_u64() > Some(0),
        "{develop}"
    );
    let week = &report["portfolio"]["per_week"];
    assert!(week["max"].as_u64() <= week["bound"].as_u64(), "{week}");
}

#[test]
fn side_by_side_a_hand_off_program_is_noted_as_never_started() {
    let (code, _, stderr) = nurture(
        &[
            "simulate",
            "--compare",
            "programs/welcome_new_customer.nurture",
            "programs/develop_new_customer.nurture",
        ],
        root(),
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("`develop_new_customer` is started by a change of the phase or tags"),
        "{stderr}"
    );
    assert!(stderr.contains("without `--compare`"), "{stderr}");
}

#[test]
fn the_same_program_twice_is_refused_together_and_compared_with_compare() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let copy = dir.path().join("copy.nurture");
    std::fs::copy(root().join("programs/wake_up_dormant.nurture"), &copy).expect("copy");
    let copy = copy.display().to_string();
    let (code, _, stderr) = nurture(
        &[
            "simulate",
            "programs/wake_up_dormant.nurture",
            &copy,
            "--schema",
            "programs/schema.nurture",
        ],
        root(),
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("both define program `wake_up_dormant`"),
        "{stderr}"
    );
    let (code, _, stderr) = nurture(
        &[
            "simulate",
            "--compare",
            "programs/wake_up_dormant.nurture",
            &copy,
            "--schema",
            "programs/schema.nurture",
        ],
        root(),
    );
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn two_versions_are_reported_side_by_side() {
    let (code, stdout, stderr) = nurture(
        &[
            "simulate",
            "--compare",
            "programs/upsell_premium.nurture",
            "programs/cross_sell_accessories.nurture",
        ],
        root(),
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("side by side"), "{stdout}");
    insta::assert_snapshot!(stdout);
}

/// The checker's bound on messages is a promise the simulation must keep,
/// for every bundled program, over the bundled population.
#[test]
fn no_journey_gets_more_messages_than_the_checker_proved() {
    let programs: Vec<String> = std::fs::read_dir(root().join("programs"))
        .expect("programs")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|x| x == "nurture")
                && p.file_name().is_some_and(|n| n != "schema.nurture")
        })
        .map(|p| p.display().to_string())
        .collect();
    assert_eq!(programs.len(), 14);
    let mut args = vec!["simulate", "--output-format", "json"];
    args.extend(programs.iter().map(String::as_str));
    let (code, stdout, stderr) = nurture(&args, root());
    assert_eq!(code, 0, "{stderr}");
    let report = json(&stdout);
    let mut entered = 0;
    for program in report["programs"].as_array().expect("programs") {
        let max = program["messages"]["max"].as_u64().unwrap_or(0);
        if let Some(bound) = program["messages"]["bound"].as_u64() {
            assert!(max <= bound, "{}: {max} > {bound}", program["program"]);
        }
        entered += program["entered"]["treated"].as_u64().unwrap_or(0);
    }
    // The bundled model and population exercise the programs at all.
    assert!(entered > 500, "only {entered} journeys");
}

// -- bad input ----------------------------------------------------------------

fn failing(model: &str, customers: &str, extra: &[&str]) -> (i32, String) {
    let dir = workspace(model, customers);
    let mut args = RUN.to_vec();
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = nurture(&args, dir.path());
    assert!(stdout.is_empty() || code == 1, "{stdout}");
    (code, stderr)
}

#[test]
fn a_behaviour_model_that_is_not_toml_is_refused_with_its_place() {
    let (code, stderr) = failing("[channel.email\nclick = 1\n", CUSTOMERS, &[]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(stderr);
}

#[test]
fn a_behaviour_model_naming_an_unknown_event_is_refused() {
    let model = "[channel.email]\nclik = { chance = 0.1, after = \"1h\" }\n";
    let (code, stderr) = failing(model, CUSTOMERS, &[]);
    assert_eq!(code, 1);
    assert!(stderr.contains("N402"), "{stderr}");
    assert!(stderr.contains("did you mean `click`"), "{stderr}");
    insta::assert_snapshot!(stderr);
}

#[test]
fn a_chance_above_one_is_refused() {
    let model = "[channel.email]\nclick = { chance = 4, after = \"1h\" }\n";
    let (code, stderr) = failing(model, CUSTOMERS, &[]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(stderr);
}

#[test]
fn a_loop_of_given_is_refused() {
    let model = "[channel.email]\nopen = { chance = 0.4, after = \"6h\", given = \"click\" }\nclick = { chance = 0.3, after = \"10m\", given = \"open\" }\n";
    let (code, stderr) = failing(model, CUSTOMERS, &[]);
    assert_eq!(code, 1);
    assert!(stderr.contains("N404"), "{stderr}");
}

#[test]
fn unknown_channels_properties_and_bad_delays_are_refused() {
    let model = "[channel.fax]\nclick = { chance = 0.1, after = \"1h\" }\n\n[channel.email]\nclick = { chance = 0.1, after = \"soon\" }\nopen = { chance = 0.1, after = \"2d\", p90 = \"1d\" }\n\n[[background]]\nevent = \"purchase\"\nrate = 0.1\nper = \"30d\"\nproperties = { amount = \"lots\", colour = \"red\" }\n";
    let (code, stderr) = failing(model, CUSTOMERS, &[]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(stderr);
}

#[test]
fn bad_customer_rows_are_reported_by_line_and_skipped() {
    let customers = "id,time_zone,consents,tier,last_event_at.purchase
a1,UTC,email,silver,2025-06-01T10:00:00Z
a2,UTC,email,platinum,2025-06-01T10:00:00Z
a3,UTC,email,silver
a4,UTC,email,silver,yesterday
";
    let dir = workspace(CERTAIN, customers);
    let mut args = RUN.to_vec();
    args.extend_from_slice(&["--output-format", "json"]);
    let (code, stdout, stderr) = nurture(&args, dir.path());
    assert_eq!(code, 1, "{stderr}");
    insta::assert_snapshot!(stderr);
    let report = json(&stdout);
    assert_eq!(report["skipped_rows"], 3);
    assert_eq!(report["programs"][0]["customers"], 1);

    args.push("--strict");
    let (code, stdout, stderr) = nurture(&args, dir.path());
    assert_eq!(code, 1);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("nothing was simulated (--strict)"),
        "{stderr}"
    );
}

#[test]
fn an_unknown_column_is_a_note_and_a_missing_one_an_error() {
    let customers = "id,time_zone,consents,tier,colour\na1,UTC,email,silver,red\n";
    let dir = workspace(CERTAIN, customers);
    let (code, _, stderr) = nurture(RUN, dir.path());
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("customers.csv:1: note: column `colour` is not an attribute in the schema"),
        "{stderr}"
    );
    // The program reads `tier`: without the column nobody could enter.
    let dir = workspace(CERTAIN, "id,time_zone,consents\na1,UTC,email\n");
    let (code, stdout, stderr) = nurture(RUN, dir.path());
    assert_eq!(code, 1);
    assert_eq!(stdout, "");
    assert!(
        stderr.contains("customers.csv:1: there is no column `tier`"),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was simulated"), "{stderr}");
}

#[test]
fn tracing_a_customer_who_is_not_there_is_an_error() {
    let (code, stderr) = failing(CERTAIN, CUSTOMERS, &["--trace", "nobody"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("has no customer `nobody`"), "{stderr}");
}

#[test]
fn usage_errors_exit_2() {
    let dir = workspace(CERTAIN, CUSTOMERS);
    for extra in [
        &["--start", "yesterday"][..],
        &["--days", "0"][..],
        &["--threads", "0"][..],
        &["--customers", "missing.csv"][..],
        &["--customers", "customers.txt"][..],
        &["--behavior", "missing.toml"][..],
    ] {
        let mut args = RUN.to_vec();
        args.extend_from_slice(extra);
        let (code, _, stderr) = nurture(&args, dir.path());
        assert_eq!(code, 2, "{extra:?}: {stderr}");
    }
}

#[test]
fn a_program_with_errors_is_not_simulated() {
    let dir = workspace(CERTAIN, CUSTOMERS);
    std::fs::write(
        dir.path().join("nudge.nurture"),
        "program nudge { start nowhere }\n",
    )
    .expect("write");
    let (code, stdout, stderr) = nurture(RUN, dir.path());
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.is_empty());
}

/// A program whose chart is too large to lay out still gets its HTML
/// report: the page says why the picture is missing instead of failing.
#[test]
fn a_chart_too_large_to_draw_leaves_a_note_in_the_html_report() {
    let dir = workspace(CERTAIN, CUSTOMERS);
    let steps = 300;
    let mut text = String::from(
        "program dense {\n  kind wake_up\n  owner \"x\"\n  trigger no purchase for 30d\n",
    );
    for i in 0..steps {
        let arms: String = (1..=10)
            .map(|k| {
                let to = (i * 7 + k * 31) % steps;
                format!("      when tier == silver and tier != gold -> s{to}\n")
            })
            .collect();
        text.push_str(&format!(
            "  step s{i} {{\n    wait 1d\n    branch {{\n{arms}      else -> exit done\n    }}\n  }}\n"
        ));
    }
    text.push_str("}\n");
    std::fs::write(dir.path().join("dense.nurture"), text).expect("write");
    let mut args = RUN.to_vec();
    args[1] = "dense.nurture";
    args.extend_from_slice(&["--html", "report.html"]);
    let (code, _, stderr) = nurture(&args, dir.path());
    assert_eq!(code, 0, "{stderr}");
    let html = std::fs::read_to_string(dir.path().join("report.html")).expect("the page");
    assert!(
        html.contains("<p>the chart is too large to draw: "),
        "{}",
        &html[..html.len().min(2000)]
    );
    assert!(!html.contains("<svg"));
}

/// The journey's deadline in the simulator: a weekly loop that never ends
/// of its own ends after 20 days with the deadline's outcome, which the
/// report counts like any other, after three messages each (days 0, 7 and
/// 14), as `check` proves.
#[test]
fn the_deadline_ends_journeys_with_its_outcome() {
    let dir = workspace(CERTAIN, CUSTOMERS);
    std::fs::write(
        dir.path().join("nudge.nurture"),
        r#"program nudge {
  kind     wake_up
  owner    "crm@example.com"

  trigger  no purchase for 30d
  audience tier == silver
  consent  email
  ends     after 20d as phase_over

  step ask {
    send email "come-back"
    wait 7d
    -> ask
  }
}
"#,
    )
    .expect("write");
    let report = run_json(dir.path(), &[]);
    let program = &report["programs"][0];
    let outcomes: Vec<(String, u64)> = program["outcomes"]
        .as_array()
        .expect("outcomes")
        .iter()
        .map(|o| {
            (
                o["outcome"].as_str().unwrap_or_default().to_string(),
                o["journeys"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(outcomes, vec![("phase_over".to_string(), 2)]);
    assert_eq!(program["messages"]["max"], 3);
    assert_eq!(program["messages"]["bound"], 3);
}

/// An interrupt in the simulator: the click an hour after the mail moves
/// the customer from the plain wait to the interrupt's step, the report's
/// flow says so, and the HTML chart counts the move on an arrow from the
/// step and on the note's arrow.
#[test]
fn an_interrupt_moves_simulated_customers_and_the_chart_counts_it() {
    let dir = workspace(CERTAIN, CUSTOMERS);
    std::fs::write(
        dir.path().join("nudge.nurture"),
        r#"program nudge {
  kind     wake_up
  owner    "crm@example.com"

  trigger  no purchase for 30d
  audience tier == silver

  on click -> thanks

  step ask {
    send email "come-back" if consent email
    wait 3d
    exit ignored
  }

  step thanks {
    wait 1d
    exit clicked
  }
}
"#,
    )
    .expect("write");
    let report = run_json(dir.path(), &["--html", "report.html"]);
    let flow: Vec<String> = report["programs"][0]["flow"]
        .as_array()
        .expect("flow")
        .iter()
        .map(|f| {
            format!(
                "{} -> {}: {}",
                f["from"].as_str().unwrap_or(""),
                f["to"].as_str().unwrap_or(""),
                f["count"]
            )
        })
        .collect();
    assert_eq!(
        flow,
        vec![
            "entry -> ask: 3",
            "ask -> thanks: 2",
            "ask -> exit:ignored: 1",
            "thanks -> exit:clicked: 2",
        ]
    );
    let html = std::fs::read_to_string(dir.path().join("report.html")).expect("the page");
    assert!(
        html.matches("on click · 2").count() >= 2,
        "the chart does not count the interrupt's moves"
    );
}

/// A program only a change of the phase or tags starts meets no such
/// change in the simulator: the report says so, rather than leaving a
/// trigger that matched no one unexplained.
#[test]
fn a_hand_off_trigger_is_explained_in_the_report() {
    let (code, stdout, stderr) = nurture(
        &[
            "simulate",
            "programs/develop_new_customer.nurture",
            "--output-format",
            "json",
        ],
        root(),
    );
    assert_eq!(code, 0, "{stderr}");
    let report = json(&stdout);
    let notes: Vec<&str> = report["notes"]
        .as_array()
        .map(|n| n.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    assert!(
        notes
            .iter()
            .any(|n| n
                .contains("`develop_new_customer` is started by a change of the phase or tags")),
        "{notes:?}"
    );
    // A program without such a trigger gets no such note.
    let (_, stdout, _) = nurture(
        &[
            "simulate",
            "programs/wake_up_dormant.nurture",
            "--output-format",
            "json",
        ],
        root(),
    );
    assert!(!stdout.contains("change of the phase or tags"), "{stdout}");
}

#[test]
fn a_schema_file_named_among_the_programs_is_the_schema() {
    // A schema with a cap across programs, away from the programs: named
    // among the files it is the schema (its cap shows), not a program. The
    // two send at most 6 within 7d, so check lets the cap hold.
    let dir = tempfile::tempdir().expect("a temporary folder");
    let schema = std::fs::read_to_string(root().join("programs/schema.nurture")).expect("schema");
    let capped = schema.replacen("schema {", "schema {\n  cap 6 messages per 7d", 1);
    assert_ne!(capped, schema, "the bundled schema opens with `schema {{`");
    let schema_file = dir.path().join("capped.nurture");
    std::fs::write(&schema_file, capped).expect("write");
    let schema_file = schema_file.display().to_string();
    let args = |with_schema: bool| {
        let mut args = vec![
            "simulate",
            "programs/welcome_new_customer.nurture",
            "programs/develop_new_customer.nurture",
        ];
        if with_schema {
            args.push(&schema_file);
        }
        args
    };
    let (code, stdout, stderr) = nurture(&args(true), root());
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("schema caps: cap 6 messages per 7d"),
        "{stdout}"
    );
    assert!(stdout.contains("together: 2 programs"), "{stdout}");
    // Without it, the schema beside the programs (no caps) is used.
    let (code, stdout, stderr) = nurture(&args(false), root());
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("schema caps: none"), "{stdout}");
}

#[test]
fn alone_a_hand_off_program_is_noted_as_never_started() {
    let (code, _, stderr) = nurture(
        &["simulate", "programs/develop_new_customer.nurture"],
        root(),
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("run alone, no other program changes a customer"),
        "{stderr}"
    );
    assert!(!stderr.contains("--compare"), "{stderr}");
}

#[test]
fn more_shards_than_merge_adds_are_refused() {
    let (code, _, stderr) = nurture(
        &[
            "simulate",
            "programs/wake_up_dormant.nurture",
            "--shard",
            "0/65537",
        ],
        root(),
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("at most 65536 shards"), "{stderr}");
}
