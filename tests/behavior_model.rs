//! The behaviour model as `nurture simulate` reads it: bounds on what a
//! model may ask of the simulator (N405, the work per customer), `given`
//! loops across layers (N404), segment tables in file order, and the
//! bundled model meeting another schema.

use serde_json::Value;
use std::path::Path;

mod support;
use support::outcome as nurture;

const SCHEMA: &str = "schema {
  attribute tier: gold | silver
  event purchase { amount: number }
  event click
  event open
  event login
  channel email
  segment vip, churny
}
";

/// Everyone enters at the start and gets one email; the journey waits a
/// week for a click.
const PROGRAM: &str = r#"program ping {
  kind     wake_up
  owner    "crm@example.com"
  trigger  no purchase for 30d
  consent  email
  start    ask
  step ask {
    send email "hello"
    wait up to 7d for click {
      click   -> exit clicked
      timeout -> exit ignored
    }
  }
}
"#;

const CUSTOMERS: &str = "id,time_zone,consents,segments,last_event_at.purchase
a1,UTC,email,vip;churny,2025-06-01T10:00:00Z
a2,UTC,email,churny;vip,2025-06-01T10:00:00Z
a3,UTC,email,,2025-06-01T10:00:00Z
";

fn workspace(model: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("schema.nurture"), SCHEMA).expect("write");
    std::fs::write(dir.path().join("ping.nurture"), PROGRAM).expect("write");
    std::fs::write(dir.path().join("model.toml"), model).expect("write");
    std::fs::write(dir.path().join("customers.csv"), CUSTOMERS).expect("write");
    dir
}

fn simulate(dir: &Path, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec![
        "simulate",
        "ping.nurture",
        "--customers",
        "customers.csv",
        "--start",
        "2026-01-05",
        "--output-format",
        "json",
    ];
    args.extend_from_slice(extra);
    if !extra.contains(&"--days") {
        args.extend_from_slice(&["--days", "30"]);
    }
    nurture(&args, dir)
}

fn outcome(report: &Value, name: &str) -> u64 {
    report["programs"][0]["outcomes"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|o| o["outcome"] == name)
        .and_then(|o| o["journeys"].as_u64())
        .unwrap_or(0)
}

#[test]
fn a_background_rate_of_a_trillion_a_minute_is_refused() {
    let model = "[[background]]\nevent = \"login\"\nrate = 1e12\nper = \"1m\"\n\n[[background]]\nevent = \"login\"\nrate = 1000\nper = \"1d\"\n";
    let dir = workspace(model);
    let (code, stdout, stderr) = simulate(dir.path(), &["--behavior", "model.toml"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.is_empty());
    assert_eq!(stderr.matches("N405").count(), 2, "{stderr}");
    assert!(
        stderr.contains("background `login` happens 1.44e15 times a day per customer"),
        "{stderr}"
    );
    assert!(
        stderr.contains("background `login` happens 1000 times a day per customer"),
        "{stderr}"
    );
    insta::assert_snapshot!(stderr);
}

#[test]
fn a_busy_customer_is_followed_up_to_the_limit_and_the_report_says_so() {
    // 99 logins a day is allowed, but over a year it is more than the
    // simulator follows for one customer.
    let model = "[[background]]\nevent = \"login\"\nrate = 99\nper = \"1d\"\n";
    let dir = workspace(model);
    let (code, stdout, stderr) =
        simulate(dir.path(), &["--behavior", "model.toml", "--days", "365"]);
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(report["programs"][0]["capped_customers"], 3);
    assert!(
        stderr.contains("3 customers in `ping` did more than the 10000 things"),
        "{stderr}"
    );
    assert_eq!(report["notes"].as_array().map(Vec::len), Some(1));
}

#[test]
fn a_given_loop_across_a_channel_and_a_template_is_refused() {
    let model = "[channel.email]\nopen = { chance = 0.5, after = \"1h\" }\nclick = { chance = 0.5, after = \"1h\", given = \"open\" }\n\n[template.hello]\nopen = { chance = 0.5, after = \"1h\", given = \"click\" }\n";
    let dir = workspace(model);
    let (code, _, stderr) = simulate(dir.path(), &["--behavior", "model.toml"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(stderr.matches("N404").count(), 1, "{stderr}");
    insta::assert_snapshot!(stderr);
}

#[test]
fn a_given_loop_across_a_segment_and_a_template_is_refused() {
    let model = "[channel.email]\nopen = { chance = 0.5, after = \"1h\" }\npurchase = { chance = 0.5, after = \"1h\" }\n\n[segment.vip.email]\nclick = { chance = 0.5, after = \"1h\", given = \"purchase\" }\n\n[template.hello]\npurchase = { chance = 0.5, after = \"1h\", given = \"click\" }\n";
    let dir = workspace(model);
    let (code, _, stderr) = simulate(dir.path(), &["--behavior", "model.toml"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("N404"), "{stderr}");
    assert!(
        stderr.contains("in template `hello` over segment `vip` on email over channel"),
        "{stderr}"
    );
}

#[test]
fn the_same_given_in_layers_that_do_not_loop_is_fine() {
    let model = "[channel.email]\nopen = { chance = 1.0, after = \"1h\", p90 = \"1h\" }\nclick = { chance = 1.0, after = \"1h\", p90 = \"1h\", given = \"open\" }\n\n[template.hello]\nclick = { chance = 1.0, after = \"2h\", p90 = \"2h\", given = \"open\" }\n";
    let dir = workspace(model);
    let (code, stdout, stderr) = simulate(dir.path(), &["--behavior", "model.toml"]);
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(outcome(&report, "clicked"), 3);
}

/// docs/simulation.md: a customer in several segments answers as the first
/// segment table in the file that they are in, whatever the names' order.
#[test]
fn segment_tables_apply_in_file_order() {
    // `vip` sorts after `churny`, but comes first in the file: customers in
    // both click (vip's table), a customer in neither does not.
    let model = "[channel.email]\nclick = { chance = 0.0, after = \"1h\" }\n\n[segment.vip.email]\nclick = { chance = 1.0, after = \"1h\", p90 = \"1h\" }\n\n[segment.churny.email]\nclick = { chance = 0.0, after = \"1h\" }\n";
    let dir = workspace(model);
    let (code, stdout, stderr) = simulate(dir.path(), &["--behavior", "model.toml"]);
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(outcome(&report, "clicked"), 2);
    assert_eq!(outcome(&report, "ignored"), 1);

    // The other way round: churny first, nobody clicks.
    let swapped = "[channel.email]\nclick = { chance = 0.0, after = \"1h\" }\n\n[segment.churny.email]\nclick = { chance = 0.0, after = \"1h\" }\n\n[segment.vip.email]\nclick = { chance = 1.0, after = \"1h\", p90 = \"1h\" }\n";
    std::fs::write(dir.path().join("model.toml"), swapped).expect("write");
    let (code, stdout, stderr) = simulate(dir.path(), &["--behavior", "model.toml"]);
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(outcome(&report, "clicked"), 0);
    assert_eq!(outcome(&report, "ignored"), 3);
}

#[test]
fn twenty_responses_to_one_message_are_all_drawn() {
    // Nineteen answers that never come, then the click: the twentieth.
    let mut model = String::from("[channel.email]\n");
    for i in 0..19 {
        model.push_str(&format!("open{i} = {{ chance = 0.0, after = \"1h\" }}\n"));
    }
    model.push_str("click = { chance = 1.0, after = \"1h\", p90 = \"1h\" }\n");
    let dir = workspace(&model);
    // Without a schema, any event name reads.
    std::fs::remove_file(dir.path().join("schema.nurture")).expect("remove");
    let (code, stdout, stderr) = simulate(dir.path(), &["--behavior", "model.toml"]);
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(outcome(&report, "clicked"), 3);
}

/// The bundled model names channels, events and segments this schema
/// lacks: one note lists them, and the simulation runs.
#[test]
fn the_bundled_model_with_another_schema_leaves_out_what_it_lacks() {
    let dir = workspace("");
    let (code, stdout, stderr) = simulate(dir.path(), &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("N402"), "{stderr}");
    assert_eq!(stderr.matches("nurture: note:").count(), 1, "{stderr}");
    insta::assert_snapshot!(stderr);
    let report: Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(report["notes"].as_array().map(Vec::len), Some(1));
    assert_eq!(report["programs"][0]["entered"]["treated"], 3);
}

/// A model of the user's own is held to the schema as before.
#[test]
fn a_users_own_model_is_still_refused_for_unknown_names() {
    let dir = workspace("[channel.fax]\nclick = { chance = 0.1, after = \"1h\" }\n");
    let (code, _, stderr) = simulate(dir.path(), &["--behavior", "model.toml"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("N402"), "{stderr}");
}
