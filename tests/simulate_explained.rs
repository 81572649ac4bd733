//! What explains a simulation: the entry funnel (which gate stopped the
//! customers), `--trace-where` to find customers by what happened to them,
//! and `--runs` for how much the figures move from seed to seed.

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
  event signup
  event click
  channel email
}
";

const CUSTOMERS: &str = "id,time_zone,consents,tier,last_event_at.purchase
a1,UTC,email,silver,2025-06-01T10:00:00Z
a2,UTC,email,silver,2025-06-01T10:00:00Z
b1,UTC,,silver,2025-06-01T10:00:00Z
g1,UTC,email,gold,2025-06-01T10:00:00Z
n1,UTC,email,silver,
";

fn program(triggers: &str) -> String {
    format!(
        r#"program gates {{
  kind     wake_up
  owner    "crm@example.com"
{triggers}
  audience tier == silver
  consent  email
  start    ask
  step ask {{
    send email "hello"
    wait up to 3d for click {{
      click   -> exit clicked
      timeout -> exit ignored
    }}
  }}
}}
"#
    )
}

const MODEL: &str = "[channel.email]\nclick = { chance = 1.0, after = \"1h\", p90 = \"1h\" }\n";

fn workspace(program_text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in [
        ("schema.nurture", SCHEMA),
        ("gates.nurture", program_text),
        ("model.toml", MODEL),
        ("customers.csv", CUSTOMERS),
    ] {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    dir
}

const RUN: &[&str] = &[
    "simulate",
    "gates.nurture",
    "--customers",
    "customers.csv",
    "--behavior",
    "model.toml",
    "--days",
    "10",
    "--start",
    "2026-01-05",
];

fn run(dir: &Path, extra: &[&str]) -> (i32, String, String) {
    let mut args = RUN.to_vec();
    args.extend_from_slice(extra);
    nurture(&args, dir)
}

#[test]
fn the_entry_funnel_counts_customers_at_every_gate() {
    let dir = workspace(&program(
        "  trigger  no purchase for 30d\n  trigger  event signup",
    ));
    let (code, stdout, stderr) = run(dir.path(), &["--output-format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let entry = &json(&stdout)["programs"][0]["entry"];
    assert_eq!(entry["customers_read"], 5);
    // n1 never bought: no inactivity to measure; nobody signs up.
    assert_eq!(entry["matched_a_trigger"], 4);
    assert_eq!(entry["triggers"][0]["trigger"], "no purchase for 30d");
    assert_eq!(entry["triggers"][0]["customers"], 4);
    assert_eq!(entry["triggers"][1]["trigger"], "event signup");
    assert_eq!(entry["triggers"][1]["customers"], 0);
    assert_eq!(
        entry["triggers"][1]["note"],
        "the behaviour model never has a customer do `signup`"
    );
    assert_eq!(entry["audience"], "tier == silver");
    assert_eq!(entry["in_audience"], 3); // g1 is gold
    assert_eq!(entry["consent"][0], "email");
    assert_eq!(entry["entered"], 2); // b1 has no consent
    assert_eq!(entry["stopped_at"], Value::Null);

    let (_, human, _) = run(dir.path(), &[]);
    for line in [
        "  read                                             5",
        "  matched a trigger                                4",
        "    no purchase for 30d                            4",
        "    event signup                                   0",
        "  in the audience                                  3",
        "  with consent to email at entry: entered          2",
    ] {
        assert!(human.contains(line), "{line:?} in\n{human}");
    }
}

#[test]
fn zero_journeys_say_which_gate_stopped_everyone() {
    let dir = workspace(&program("  trigger  event signup"));
    let (code, stdout, _) = run(dir.path(), &["--output-format", "json"]);
    assert_eq!(code, 0);
    let entry = &json(&stdout)["programs"][0]["entry"];
    assert_eq!(entry["stopped_at"], "trigger");
    let (_, human, _) = run(dir.path(), &[]);
    assert!(
        support::flat(&human).contains("No customer matched a trigger: `event signup`: the behaviour model never has a customer do `signup`."),
        "{human}"
    );

    // Everyone matches, nobody is gold.
    let gold = program("  trigger  no purchase for 30d")
        .replace("tier == silver", "tier == gold and tier == silver");
    std::fs::write(dir.path().join("gates.nurture"), gold).expect("write");
    let (_, stdout, stderr) = run(dir.path(), &["--output-format", "json"]);
    assert_eq!(
        json(&stdout)["programs"][0]["entry"]["stopped_at"],
        "audience",
        "{stderr}"
    );
}

#[test]
fn trace_where_finds_customers_by_outcome() {
    let dir = workspace(&program("  trigger  no purchase for 30d"));
    let (code, stdout, stderr) = run(
        dir.path(),
        &["--trace-where", "outcome == clicked", "--limit", "5"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.matches("customer ").count(), 2, "{stdout}");
    assert!(stdout.contains("customer a1 in gates"), "{stdout}");
    assert!(stdout.contains("customer a2 in gates"), "{stdout}");
    assert!(stdout.contains("exit clicked"), "{stdout}");

    let (code, stdout, _) = run(
        dir.path(),
        &["--trace-where", "outcome == clicked", "--limit", "1"],
    );
    assert_eq!(code, 0);
    assert_eq!(stdout.matches("customer ").count(), 1, "{stdout}");

    // By step, negated: a customer who never reached `ask`.
    let (code, stdout, _) = run(
        dir.path(),
        &[
            "--trace-where",
            "not entered and step != ask",
            "--output-format",
            "json",
        ],
    );
    assert_eq!(code, 0);
    let traces = json(&stdout);
    let ids: Vec<&str> = traces["traces"]
        .as_array()
        .expect("traces")
        .iter()
        .filter_map(|t| t["customer"].as_str())
        .collect();
    assert_eq!(ids, ["b1", "g1", "n1"]);

    let (code, _, stderr) = run(dir.path(), &["--trace-where", "outcome == clickd"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("did you mean `clicked`?"), "{stderr}");
    let (code, _, stderr) = run(dir.path(), &["--trace-where", "colour == red"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("`colour` is not something to pick customers by"),
        "{stderr}"
    );
    // The condition's problems are diagnostics in the condition: a code,
    // the place, a help line and a did-you-mean.
    for (name, condition) in [
        ("glued_or", "outcome == clicked or ignored"),
        ("two_words", "outcome == clicked off"),
        ("single_equals", "outcome = clicked"),
        ("unknown_outcome", "outcome == clickd"),
        ("unknown_step", "step == asc or outcome == nothing_like_it"),
        ("every_problem", "colour == red and not step == ask and"),
    ] {
        let (code, stdout, stderr) = run(dir.path(), &["--trace-where", condition]);
        assert_eq!(code, 2, "{condition}");
        assert_eq!(stdout, "", "{condition}");
        insta::assert_snapshot!(format!("trace_where_{name}"), stderr);
    }
    let (code, stdout, stderr) = run(
        dir.path(),
        &[
            "--trace-where",
            "outcome == clicked or not entered and step != ask",
            "--output-format",
            "json",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let traces = json(&stdout);
    let ids: Vec<&str> = traces["traces"]
        .as_array()
        .expect("traces")
        .iter()
        .filter_map(|t| t["customer"].as_str())
        .collect();
    assert_eq!(ids, ["a1", "a2", "b1", "g1", "n1"]);
    let (code, _, stderr) = run(dir.path(), &["--trace-where", "messages > 5"]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("no customer of the 5 in `customers.csv` matches `messages > 5`"),
        "{stderr}"
    );
}

/// The spelling the docs give, on the bundled programs.
#[test]
fn trace_where_handed_off_on_the_bundled_program() {
    let (code, stdout, stderr) = nurture(
        &[
            "simulate",
            "programs/wake_up_dormant.nurture",
            "--trace-where",
            "outcome == handed_off",
            "--limit",
            "5",
        ],
        root(),
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.matches("customer c").count(), 5, "{stdout}");
    assert_eq!(stdout.matches("exit handed_off").count(), 5, "{stdout}");
    // The running record after each step, and an event's properties.
    assert!(stdout.contains("→ score "), "{stdout}");
    assert!(stdout.contains(" · phase win_back · tags "), "{stdout}");
}

#[test]
fn a_trace_shows_event_properties_and_the_record() {
    let (code, stdout, stderr) = nurture(
        &[
            "simulate",
            "programs/wake_up_dormant.nurture",
            "--trace-where",
            "converted",
            "--limit",
            "1",
            "--output-format",
            "json",
        ],
        root(),
    );
    assert_eq!(code, 0, "{stderr}");
    let trace = &json(&stdout)["traces"][0]["journey"];
    let purchase = trace
        .as_array()
        .expect("journey")
        .iter()
        .find(|l| l["event"] == "purchase")
        .expect("a purchase");
    assert!(purchase["properties"]["amount"].is_number(), "{purchase}");
    let state = trace
        .as_array()
        .expect("journey")
        .iter()
        .find(|l| l.get("score").is_some())
        .expect("a state line");
    assert_eq!(state["phase"], "win_back");
    assert!(
        state["tags"]
            .as_array()
            .is_some_and(|t| t.iter().any(|x| x == "dormant"))
    );
}

#[test]
fn runs_give_each_figure_a_range_the_same_for_any_number_of_threads() {
    let base = [
        "simulate",
        "programs/wake_up_dormant.nurture",
        "--output-format",
        "json",
        "--runs",
        "4",
        "--seed",
        "3",
    ];
    let with = |threads: &str| {
        let mut args = base.to_vec();
        args.extend_from_slice(&["--threads", threads]);
        let (code, stdout, stderr) = nurture(&args, root());
        assert_eq!(code, 0, "{stderr}");
        stdout
    };
    let one = with("1");
    assert_eq!(one, with("2"));
    assert_eq!(one, with("3"));
    let report = json(&one);
    assert_eq!(report["runs"], 4);
    let runs = &report["programs"][0]["runs"];
    assert_eq!(runs["count"], 4);
    assert_eq!(runs["first_seed"], 3);
    assert_eq!(runs["last_seed"], 6);
    let figure = |name: &str| {
        runs["figures"]
            .as_array()
            .expect("figures")
            .iter()
            .find(|f| f["figure"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no {name}"))
    };
    let treated = figure("journeys treated");
    assert!(treated["low"].as_f64() <= treated["median"].as_f64());
    assert!(treated["median"].as_f64() <= treated["high"].as_f64());
    // The first run is the report itself, seed 3: the same as one run.
    let (_, single, _) = nurture(
        &[
            "simulate",
            "programs/wake_up_dormant.nurture",
            "--output-format",
            "json",
            "--seed",
            "3",
        ],
        root(),
    );
    let single = json(&single);
    assert_eq!(
        single["programs"][0]["entered"],
        report["programs"][0]["entered"]
    );
    assert_eq!(single["programs"][0]["runs"], Value::Null);
    // The lift across runs is wider than any run's own interval alone
    // would be when the runs disagree, and holds the mean.
    let lift = &runs["lift"];
    assert!(lift["low"].as_f64() < lift["difference"].as_f64());
    assert!(lift["difference"].as_f64() < lift["high"].as_f64());
}

/// A send held outside its send window says so, not "for quiet hours", in
/// the human trace and in the JSON's words; with quiet hours too, each hold
/// names what held it at that moment.
#[test]
fn a_hold_outside_the_send_window_says_so() {
    let dir = workspace(&program("  trigger  no purchase for 30d").replace(
        "  consent  email\n",
        "  consent  email\n  window   mon..fri 09:00..17:00\n",
    ));
    std::fs::write(
        dir.path().join("customers.csv"),
        "id,time_zone,consents,tier,last_event_at.purchase\n\
         ny,America/New_York,email,silver,2025-06-01T10:00:00Z\n",
    )
    .expect("write");
    let (code, stdout, stderr) = run(dir.path(), &["--trace", "ny"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stdout.contains("quiet hours"), "{stdout}");
    let hold = stdout
        .lines()
        .find(|l| l.contains("outside its send window until"))
        .unwrap_or_else(|| panic!("no hold in\n{stdout}"));
    assert!(hold.trim_end().ends_with(" 09:00 Mon"), "{hold}");
    let (code, stdout, stderr) = run(dir.path(), &["--trace", "ny", "--output-format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let traces = json(&stdout);
    let action = traces["traces"][0]["journey"]
        .as_array()
        .expect("journey")
        .iter()
        .find(|line| line["held_until"].is_string())
        .and_then(|line| line["action"].as_str())
        .unwrap_or_else(|| panic!("no hold in {stdout}"))
        .to_string();
    assert!(action.contains("outside its send window"), "{action}");
    assert_eq!(
        traces["traces"][0]["journey"]
            .as_array()
            .expect("journey")
            .iter()
            .find_map(|line| line["held_until"].as_str()),
        Some("2026-01-05T14:00:00Z")
    );
}

/// A send held for quiet hours shows the time it is held until in the
/// customer's zone, as every other line of the trace (JSON keeps UTC).
#[test]
fn a_hold_for_quiet_hours_is_in_the_customers_time() {
    let dir = workspace(&program("  trigger  no purchase for 30d").replace(
        "  consent  email\n",
        "  consent  email\n  quiet    18:00..08:00\n",
    ));
    std::fs::write(
        dir.path().join("customers.csv"),
        "id,time_zone,consents,tier,last_event_at.purchase\n\
         ny,America/New_York,email,silver,2025-06-01T10:00:00Z\n",
    )
    .expect("write");
    let (code, stdout, stderr) = run(dir.path(), &["--trace", "ny"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("(local time: America/New_York)"),
        "{stdout}"
    );
    let hold = stdout
        .lines()
        .find(|l| l.contains("for quiet hours"))
        .unwrap_or_else(|| panic!("no hold in\n{stdout}"));
    // 08:00 in New York, where the quiet hours end; 13:00 in UTC.
    assert!(
        hold.trim_end().ends_with(" 08:00 Mon") && hold.contains("until 2026-01-05 08:00"),
        "{hold}"
    );
    let (code, stdout, stderr) = run(dir.path(), &["--trace", "ny", "--output-format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let traces = json(&stdout);
    let held = traces["traces"][0]["journey"]
        .as_array()
        .expect("journey")
        .iter()
        .find_map(|line| line["held_until"].as_str())
        .unwrap_or_else(|| panic!("no held_until in {stdout}"));
    assert_eq!(held, "2026-01-05T13:00:00Z");
}

/// With `--runs`, the headline figures are the median with the 90% range
/// (the first run can sit at the edge of it), as in the block across runs;
/// the first run's lift is said to be that. The HTML page says the same,
/// "below 0 in" included.
#[test]
fn runs_headline_figures_are_the_median_with_the_range() {
    let args = [
        "simulate",
        "programs/wake_up_dormant.nurture",
        "--runs",
        "5",
    ];
    let (code, human, stderr) = nurture(&args, root());
    assert_eq!(code, 0, "{stderr}");
    let mut json_args = args.to_vec();
    json_args.extend(["--output-format", "json"]);
    let (_, report, _) = nurture(&json_args, root());
    let report = json(&report);
    let runs = &report["programs"][0]["runs"];
    let figure = |name: &str| {
        let f = runs["figures"]
            .as_array()
            .expect("figures")
            .iter()
            .find(|f| f["figure"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no {name}"));
        let n = |k: &str| f[k].as_f64().unwrap_or(-1.0);
        format!("{} [{}, {}]", n("median"), n("low"), n("high"))
    };
    let treated = figure("journeys treated");
    let holdout = figure("journeys in the holdout");
    assert!(
        support::flat(&human).contains(&format!(
            "across 5 runs {} began, {treated} journeys treated, {holdout} in the holdout",
            figure("customers entered")
        )),
        "{human}"
    );
    let treated_row = human
        .lines()
        .find(|l| l.trim_start().starts_with("treated ") && l.contains('%'))
        .unwrap_or_else(|| panic!("no goal row in\n{human}"));
    assert!(treated_row.contains(&treated), "{treated_row}");
    let lift = &runs["lift"];
    let points = |x: &Value| format!("{:+.1}", x.as_f64().unwrap_or(0.0) * 100.0);
    assert!(
        support::flat(&human).contains(&format!(
            "lift: {} points across 5 runs (95% interval with the spread between runs {} to {}); the first run alone: ",
            points(&lift["difference"]),
            points(&lift["low"]),
            points(&lift["high"])
        )),
        "{human}"
    );

    let dir = tempfile::tempdir().expect("temp dir");
    let page = dir.path().join("report.html");
    let mut html_args = args.to_vec();
    let page_text = page.display().to_string();
    html_args.extend(["--html", &page_text]);
    let (code, _, stderr) = nurture(&html_args, root());
    assert_eq!(code, 0, "{stderr}");
    let html = std::fs::read_to_string(&page).expect("page");
    assert!(
        html.contains(&format!(
            "below 0 in {}.",
            lift["runs_below_zero"].as_u64().unwrap_or(99)
        )),
        "{html}"
    );
    assert!(html.contains("median of 5 runs, 90% range"), "{html}");
    assert!(
        html.contains("The table and the lift in this part are the first run's (seed 0)."),
        "{html}"
    );

    // Side by side, the same medians and ranges.
    let (code, both, stderr) = nurture(
        &[
            "simulate",
            "programs/wake_up_dormant.nurture",
            "programs/upsell_premium.nurture",
            "--runs",
            "5",
        ],
        root(),
    );
    assert_eq!(code, 0, "{stderr}");
    let row = both
        .lines()
        .find(|l| l.trim_start().starts_with("journeys treated"))
        .unwrap_or_else(|| panic!("no side by side in\n{both}"));
    assert!(row.contains(&treated), "{row}");
}
