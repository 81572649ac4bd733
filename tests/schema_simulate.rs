//! `nurture schema simulate`: the JSON Schema of `simulate --output-format
//! json`, committed as docs/simulate.schema.json, checked by a strict
//! validator (unknown formats refused, formats validated) against real
//! reports of every shape: several programs, with and without a goal,
//! `--runs`, a note, a shard's report.

use serde_json::Value;

mod support;
use support::root;

fn nurture(args: &[&str]) -> (i32, String, String) {
    support::outcome(args, root())
}

fn schema() -> Value {
    let (code, stdout, stderr) = nurture(&["schema", "simulate"]);
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str(&stdout).expect("the schema is JSON")
}

fn validator() -> jsonschema::Validator {
    let schema = schema();
    jsonschema::meta::validate(&schema).expect("a valid JSON Schema");
    jsonschema::options()
        .should_validate_formats(true)
        .should_ignore_unknown_formats(false)
        .build(&schema)
        .expect("the schema compiles in a strict validator")
}

fn errors(validator: &jsonschema::Validator, report: &Value) -> Vec<String> {
    validator
        .iter_errors(report)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn the_committed_schema_matches_the_code() {
    let path = root().join("docs/simulate.schema.json");
    let (_, expected, _) = nurture(&["schema", "simulate"]);
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &expected).expect("write docs/simulate.schema.json");
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/simulate.schema.json is out of date; run `UPDATE_DOCS=1 cargo test --test schema_simulate`"
    );
}

#[test]
fn every_kind_of_report_is_valid() {
    let validator = validator();
    let mut checked = 0;
    for args in [
        &["programs/wake_up_dormant.nurture"][..],
        &[
            "programs/upsell_premium.nurture",
            "programs/cross_sell_accessories.nurture",
        ][..],
        // Side by side, and a folder run together.
        &[
            "--compare",
            "programs/upsell_premium.nurture",
            "programs/cross_sell_accessories.nurture",
        ][..],
        &["programs/"][..],
        &["programs/welcome_new_customer.nurture", "--runs", "3"][..],
        &["programs/referral_ask.nurture", "--days", "5"][..],
        // A shard's report, with its counts for `nurture merge`.
        &[
            "programs/wake_up_dormant.nurture",
            "programs/upsell_premium.nurture",
            "--runs",
            "2",
            "--shard",
            "1/3",
        ][..],
    ] {
        let mut full = vec!["simulate", "--output-format", "json"];
        full.extend_from_slice(args);
        let (code, stdout, stderr) = nurture(&full);
        assert_eq!(code, 0, "{stderr}");
        let report: Value = serde_json::from_str(&stdout).expect("json");
        let found = errors(&validator, &report);
        assert!(found.is_empty(), "{args:?}:\n{}", found.join("\n"));
        checked += 1;
    }
    assert_eq!(checked, 7);
}

/// The schema is strict: it would catch a report that changed shape.
#[test]
fn a_report_of_another_shape_is_not_valid() {
    let validator = validator();
    let (_, stdout, _) = nurture(&[
        "simulate",
        "--output-format",
        "json",
        "programs/wake_up_dormant.nurture",
    ]);
    let good: Value = serde_json::from_str(&stdout).expect("json");
    let mut extra = good.clone();
    extra["programs"][0]["colour"] = Value::from("red");
    assert!(!errors(&validator, &extra).is_empty(), "an unknown field");
    let mut wrong = good.clone();
    wrong["programs"][0]["entry"]["entered"] = Value::from(-1);
    assert!(!errors(&validator, &wrong).is_empty(), "a negative count");
    let mut missing = good;
    if let Some(map) = missing["programs"][0].as_object_mut() {
        map.remove("goal");
    }
    assert!(!errors(&validator, &missing).is_empty(), "a field left out");
}

#[test]
fn the_schema_names_itself_and_no_custom_formats() {
    let schema = schema();
    assert_eq!(
        schema["$id"],
        "https://nurture.dev/schemas/simulate-1.schema.json"
    );
    assert!(
        schema["$schema"]
            .as_str()
            .is_some_and(|s| s.contains("2020-12"))
    );
    let text = schema.to_string();
    for custom in ["uint64", "double", "uint", "int64"] {
        assert!(
            !text.contains(&format!("\"format\":\"{custom}\"")),
            "{custom}"
        );
    }
}
