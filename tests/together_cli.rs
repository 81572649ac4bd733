//! Programs run together from the command line (`nurture simulate DIR`,
//! `replay`, `serve`). What `nurture check` refuses across programs, no
//! runtime runs: a folder whose programs together can break the schema's
//! caps (N316) is refused by `simulate`, `replay` and `serve` with check's
//! diagnostics and exit 1, as a single program with errors is; warnings
//! across programs do not refuse. A program its group holds out is
//! reported as held, by the program that had the customers.

mod support;
use support::{CAPPED_SCHEMA as SCHEMA, NUDGE, WELCOME, folder, nurture};

fn refused() -> tempfile::TempDir {
    folder(&[
        ("programs/schema.nurture", SCHEMA),
        ("programs/welcome.nurture", WELCOME),
        ("programs/nudge.nurture", NUDGE),
        ("customers.csv", "id,email\nc1,a@example.com\n"),
        ("events.jsonl", ""),
    ])
}

/// `nurture replay programs` in `dir`, on its customers and events.
fn replay_programs(dir: &std::path::Path) -> support::Run {
    nurture(
        dir,
        &[
            "replay",
            "programs",
            "--customers",
            "customers.csv",
            "--events",
            "events.jsonl",
        ],
    )
}

/// The N316 lines `check` prints: its title line and the cap it names.
fn n316_lines(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| l.starts_with("N316") || l.contains("× the programs together"))
        .collect()
}

#[test]
fn check_refuses_the_folder_the_runtimes_are_then_asked_to_run() {
    let dir = refused();
    let check = nurture(dir.path(), &["check", "programs"]);
    assert_eq!(check.code, 1, "{}", check.stdout);
    assert_eq!(n316_lines(&check.stdout).len(), 4, "{}", check.stdout);
}

#[test]
fn simulate_refuses_a_folder_check_refuses_with_the_same_diagnostics() {
    let dir = refused();
    let check = nurture(dir.path(), &["check", "programs"]);
    let run = nurture(dir.path(), &["simulate", "programs"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.stdout, "", "nothing is simulated");
    assert_eq!(n316_lines(&run.stderr), n316_lines(&check.stdout));
    assert!(
        run.stderr.contains("nothing was simulated"),
        "{}",
        run.stderr
    );
    // The files named one by one are the same programs together.
    let files = nurture(
        dir.path(),
        &[
            "simulate",
            "programs/welcome.nurture",
            "programs/nudge.nurture",
            "--schema",
            "programs/schema.nurture",
        ],
    );
    assert_eq!(files.code, 1, "{}", files.stderr);
    assert!(files.stderr.contains("N316"), "{}", files.stderr);
}

#[test]
fn simulate_compare_runs_versions_side_by_side_and_is_not_refused_for_caps() {
    let dir = refused();
    let run = nurture(
        dir.path(),
        &[
            "simulate",
            "programs/nudge.nurture",
            "programs/welcome.nurture",
            "--compare",
            "--schema",
            "programs/schema.nurture",
            "--customers",
            "customers.csv",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("N316"), "{}", run.stderr);
}

#[test]
fn replay_refuses_a_folder_check_refuses() {
    let dir = refused();
    let run = replay_programs(dir.path());
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.stdout, "", "no action is replayed");
    assert_eq!(n316_lines(&run.stderr).len(), 4, "{}", run.stderr);
}

#[test]
fn serve_refuses_a_folder_check_refuses_before_it_listens() {
    let dir = refused();
    let run = nurture(
        dir.path(),
        &["serve", "programs", "--listen", "127.0.0.1:0"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(n316_lines(&run.stderr).len(), 4, "{}", run.stderr);
    assert!(run.stderr.contains("nothing was served"), "{}", run.stderr);
}

#[test]
fn a_folder_whose_caps_hold_runs_and_warnings_across_programs_do_not_refuse() {
    // nudge's own caps bring the programs within the schema's: 2 + 2 and 1.
    let nudge = NUDGE.replace(
        "  reentry  after 1d\n",
        "  reentry  after 1d\n  cap      2 messages per 7d\n  cap      1 sms per 7d\n",
    );
    let schema = SCHEMA.replace("cap 3 messages", "cap 4 messages");
    // A second welcome on the same trigger, with no group: N317, a warning.
    let twin = WELCOME
        .replace("program welcome", "program welcome_twin")
        .replace(
            "reentry  never",
            "reentry  never\n  cap      1 messages per 7d",
        )
        .replace("    wait 1d\n    send email \"welcome-2\"\n", "");
    let schema = schema.replace("cap 4 messages", "cap 5 messages");
    let dir = folder(&[
        ("programs/schema.nurture", &schema),
        ("programs/welcome.nurture", WELCOME),
        ("programs/welcome_twin.nurture", &twin),
        ("programs/nudge.nurture", &nudge),
        ("customers.csv", "id,email\nc1,a@example.com\n"),
        ("events.jsonl", ""),
    ]);
    let check = nurture(dir.path(), &["check", "programs"]);
    assert_eq!(check.code, 0, "{}", check.stdout);
    assert!(check.stdout.contains("N317"), "{}", check.stdout);
    let run = nurture(
        dir.path(),
        &["simulate", "programs", "--customers", "customers.csv"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("N317"),
        "the warning is shown: {}",
        run.stderr
    );
    let replay = replay_programs(dir.path());
    assert_eq!(replay.code, 0, "{}", replay.stderr);
}

/// Two programs of one group on the same trigger: the first in the line-up
/// takes every customer a purchase reaches and keeps them 90 days.
fn grouped() -> tempfile::TempDir {
    let first = r#"program first {
  kind     upsell
  owner    "crm-team@example.com"
  trigger  event purchase
  group    offers
  priority 1
  consent  email
  reentry  never

  step hello {
    send email "first-1"
    wait 90d
    send email "first-2"
    exit done
  }
}
"#;
    let second = first
        .replace("program first", "program second")
        .replace("priority 1", "priority 2")
        .replace("first-", "second-");
    folder(&[
        ("programs/first.nurture", first),
        ("programs/second.nurture", &second),
    ])
}

#[test]
fn a_program_held_out_by_its_group_is_reported_as_held_in_every_format() {
    let dir = grouped();
    let human = nurture(dir.path(), &["simulate", "programs", "--days", "60"]);
    assert_eq!(human.code, 0, "{}", human.stderr);
    let second = &human.stdout[human.stdout.find("second (").expect("second's block")..];
    assert!(
        second.contains("held out by the group (in another program of it)"),
        "{second}"
    );
    assert!(second.contains("in `first`"), "{second}");
    let json = nurture(
        dir.path(),
        &[
            "simulate",
            "programs",
            "--days",
            "60",
            "--output-format",
            "json",
        ],
    );
    let report: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    let programs = report["programs"].as_array().expect("programs");
    let by_name = |name: &str| {
        programs
            .iter()
            .find(|p| p["program"] == name)
            .expect("the program")
    };
    let held = &by_name("second")["entry"]["held_by_group"];
    let customers = held["customers"].as_u64().expect("a count");
    assert!(customers > 0, "{held}");
    assert_eq!(held["by"][0]["program"], "first");
    assert_eq!(held["by"][0]["customers"].as_u64(), Some(customers));
    assert!(
        by_name("first")["entry"].get("held_by_group").is_none(),
        "the first in the line-up is never held"
    );
    let page = dir.path().join("report.html");
    let html = nurture(
        dir.path(),
        &[
            "simulate",
            "programs",
            "--days",
            "60",
            "--html",
            "report.html",
        ],
    );
    assert_eq!(html.code, 0, "{}", html.stderr);
    let page = std::fs::read_to_string(page).expect("the page");
    assert!(
        page.contains("held out by the <code>group</code>"),
        "the funnel says so"
    );
    assert!(page.contains("in <code>first</code>"));
}

/// What the runtime does with a hand-off within a group (N332): lost when
/// the program that hands over still has the customer, started in the
/// same moment when it hands over as it leaves.
fn replayed(fixture: &str) -> String {
    let dir = support::root().join("tests/fixtures/folders").join(fixture);
    let files = folder(&[
        (
            "customers.jsonl",
            "{\"id\": \"c1\", \"consents\": [\"email\"], \"phase\": \"welcome\"}\n",
        ),
        (
            "events.jsonl",
            "{\"customer\": \"c1\", \"event\": \"signup\", \"at\": \"2026-01-01T10:00:00Z\"}\n",
        ),
    ]);
    let dir = dir.to_str().expect("a UTF-8 path");
    let run = nurture(
        files.path(),
        &[
            "replay",
            dir,
            "--schema",
            support::root()
                .join("tests/fixtures/schema.nurture")
                .to_str()
                .expect("a UTF-8 path"),
            "--customers",
            "customers.jsonl",
            "--events",
            "events.jsonl",
            "--until",
            "2026-01-10T00:00:00Z",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout
}

fn entered(actions: &str) -> Vec<String> {
    actions
        .lines()
        .filter(|l| l.contains("\"action\":\"enter\""))
        .map(|l| l.split("\"key\":\"").nth(1).unwrap_or("").to_string())
        .collect()
}

#[test]
fn a_hand_off_within_a_group_is_lost_while_the_first_program_has_the_customer() {
    // welcome sets `phase develop`, then waits 3 days: develop never starts.
    let lost = replayed("err/N332_hand_off_in_group");
    assert_eq!(entered(&lost).len(), 1, "only welcome is entered:\n{lost}");
    assert!(!lost.contains("\"template\":\"develop\""), "{lost}");
    // Handing over as it leaves, develop starts in the same moment.
    let kept = replayed("ok/N332_hand_off_at_the_end");
    assert_eq!(entered(&kept).len(), 2, "{kept}");
    assert!(kept.contains("\"template\":\"develop\""), "{kept}");
}

#[test]
fn trace_follows_the_run_together_with_each_line_naming_its_program() {
    let dir = folder(&[
        ("customers.csv", "id,phase,consents\nc1,welcome,email\n"),
        (
            "behavior.toml",
            "[[background]]\nevent = \"signup\"\nchance = 1.0\nwithin = \"1h\"\n",
        ),
    ]);
    let trace = |fixture: &str, format: &str| {
        let programs = support::root().join("tests/fixtures/folders").join(fixture);
        let schema = support::root().join("tests/fixtures/schema.nurture");
        let run = nurture(
            dir.path(),
            &[
                "simulate",
                programs.to_str().expect("a UTF-8 path"),
                "--schema",
                schema.to_str().expect("a UTF-8 path"),
                "--customers",
                "customers.csv",
                "--behavior",
                "behavior.toml",
                "--days",
                "10",
                "--trace",
                "c1",
                "--output-format",
                format,
            ],
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.stdout
    };
    // The hand-off lost in the group: develop is held, never entered.
    let lost = trace("err/N332_hand_off_in_group", "human");
    assert!(
        lost.starts_with("customer c1 in the programs run together (develop, welcome), one record"),
        "{lost}"
    );
    assert!(lost.contains("[welcome] phase develop"), "{lost}");
    assert!(
        lost.contains("[develop] held out by group `lifecycle`: the customer is in `welcome`"),
        "{lost}"
    );
    assert!(!lost.contains("[develop] enter"), "{lost}");
    // Handed over as welcome leaves: develop starts, in the same moment.
    let kept = trace("ok/N332_hand_off_at_the_end", "human");
    let at = |text: &str| kept.find(text).unwrap_or_else(|| panic!("{text}:\n{kept}"));
    assert!(at("[welcome] exit done") < at("[develop] handed over"));
    assert!(at("[develop] handed over") < at("[develop] enter"));
    // JSON: one trace, the programs together, each line its program.
    let json: serde_json::Value =
        serde_json::from_str(&trace("ok/N332_hand_off_at_the_end", "json")).expect("JSON");
    let traces = json["traces"].as_array().expect("traces");
    assert_eq!(traces.len(), 1);
    assert_eq!(
        traces[0]["together"],
        serde_json::json!(["develop", "welcome"])
    );
    let journey = traces[0]["journey"].as_array().expect("journey");
    assert!(
        journey[0].get("program").is_none(),
        "an event is everyone's"
    );
    assert!(
        journey
            .iter()
            .any(|l| l["program"] == "develop" && l["action"] == "enter")
    );
}

#[test]
fn the_human_report_of_the_bundled_programs_together_fits_in_100_columns() {
    let run = nurture(support::root(), &["simulate", "programs/"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let long: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.chars().count() > 100)
        .collect();
    assert!(long.is_empty(), "lines over 100 columns: {long:#?}");
    // Every program is still in the per-program tables.
    let tables = &run.stdout[run.stdout.find("per program").expect("the tables")..];
    for program in [
        "after_sales_consumables",
        "welcome_new_customer",
        "wake_up_dormant",
    ] {
        assert!(tables.contains(program), "{program}");
    }
    // The words agree with the numbers.
    assert!(run.stdout.contains("together: 14 programs on one record"));
    assert!(!run.stdout.contains("(s)"), "{}", run.stdout);
}

/// `nurture simulate` of the bundled wake-up program for one day, with
/// `more` arguments.
fn wake_up_for_one_day(more: &[&str]) -> support::Run {
    let mut args = vec![
        "simulate",
        "programs/wake_up_dormant.nurture",
        "--days",
        "1",
    ];
    args.extend_from_slice(more);
    nurture(support::root(), &args)
}

#[test]
fn one_day_is_one_day() {
    let run = wake_up_for_one_day(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with("Simulated 1 day from"),
        "{}",
        run.stdout
    );
    let page = folder(&[]);
    let html = page.path().join("one.html");
    let run = wake_up_for_one_day(&["--html", html.to_str().expect("a UTF-8 path")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = std::fs::read_to_string(&html).expect("the page");
    assert!(page.contains("simulated for 1 day."), "the lead");
    assert!(page.contains("(1 day)"), "the period");
    assert!(!page.contains("1 days"));
}
