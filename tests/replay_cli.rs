//! `nurture replay` through the binary, on the bundled sample data.

use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn nurture(args: &[&str], dir: &Path) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_nurture"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run nurture");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

const SAMPLE: &[&str] = &[
    "--customers",
    "programs/sample/customers.csv",
    "--events",
    "programs/sample/events.jsonl",
    "--until",
    "2026-06-30T00:00:00Z",
];

#[test]
fn replays_the_sample_data_the_same_every_time() {
    let mut args = vec!["replay", "programs/wake_up_dormant.nurture"];
    args.extend_from_slice(SAMPLE);
    let (code, first, stderr) = nurture(&args, root());
    assert_eq!(code, 0, "{stderr}");
    let (_, second, _) = nurture(&args, root());
    assert_eq!(first, second);
    let mut last = String::new();
    for line in first.lines() {
        let action: serde_json::Value =
            serde_json::from_str(line).expect("one JSON document per line");
        let at = action["at"].as_str().expect("an RFC 3339 time").to_string();
        assert!(at >= last, "actions in time order");
        last = at;
        assert!(action["key"].as_str().is_some_and(|k| !k.is_empty()));
    }
    assert!(
        stderr.starts_with("program `wake_up_dormant`: 30 customers, "),
        "{stderr}"
    );
}

#[test]
fn a_compiled_plan_replays_like_its_program() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let plan = dir.path().join("plan.json");
    let (code, _, _) = nurture(
        &[
            "compile",
            "programs/welcome_new_customer.nurture",
            "-o",
            plan.to_str().unwrap_or_default(),
        ],
        root(),
    );
    assert_eq!(code, 0);
    let mut from_program = vec!["replay", "programs/welcome_new_customer.nurture"];
    from_program.extend_from_slice(SAMPLE);
    let mut from_plan = vec![
        "replay",
        plan.to_str().unwrap_or_default(),
        "--schema",
        "programs/schema.nurture",
    ];
    from_plan.extend_from_slice(SAMPLE);
    assert_eq!(
        nurture(&from_program, root()).1,
        nurture(&from_plan, root()).1
    );
}

#[test]
fn bad_rows_are_reported_and_skipped_or_refused_with_strict() {
    let dir = tempfile::tempdir().expect("temporary folder");
    std::fs::write(
        dir.path().join("customers.csv"),
        "id,consents\nc1,email\nc2,email\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("events.jsonl"),
        "{\"at\": \"2026-03-01T09:00:00Z\", \"customer\": \"c1\", \"event\": \"signup\"}\nnot json\n{\"at\": \"yesterday\", \"customer\": \"c2\", \"event\": \"signup\"}\n",
    )
    .expect("write");
    let program = root().join("programs/welcome_new_customer.nurture");
    let program = program.to_str().unwrap_or_default();
    let args = [
        "replay",
        program,
        "--customers",
        "customers.csv",
        "--events",
        "events.jsonl",
    ];
    let (code, _, stderr) = nurture(&args, dir.path());
    assert_eq!(code, 1);
    assert!(stderr.contains("events.jsonl:2: "), "{stderr}");
    assert!(stderr.contains("events.jsonl:3: "), "{stderr}");
    assert!(
        stderr.contains("program `welcome_new_customer`: 2 customers"),
        "{stderr}"
    );

    let mut strict = args.to_vec();
    strict.push("--strict");
    let (code, stdout, stderr) = nurture(&strict, dir.path());
    assert_eq!(code, 1);
    assert_eq!(stdout, "");
    assert!(
        stderr.contains("nothing was replayed (--strict)"),
        "{stderr}"
    );
}

#[test]
fn a_broken_plan_is_refused_with_its_field() {
    let dir = tempfile::tempdir().expect("temporary folder");
    std::fs::write(dir.path().join("plan.json"), "{\"format_version\": 9}").expect("write");
    std::fs::write(dir.path().join("c.csv"), "id\nc1\n").expect("write");
    std::fs::write(dir.path().join("e.jsonl"), "").expect("write");
    let (code, _, stderr) = nurture(
        &[
            "replay",
            "plan.json",
            "--customers",
            "c.csv",
            "--events",
            "e.jsonl",
        ],
        dir.path(),
    );
    assert_eq!(code, 1);
    assert!(
        stderr.contains("format_version: this plan is format 9"),
        "{stderr}"
    );
}

/// `--until` stops the clock; the events after it are not replayed, and the
/// summary says how many, so a cut run is not taken for a whole one.
#[test]
fn until_says_how_many_later_events_it_left_out() {
    let dir = tempfile::tempdir().expect("temporary folder");
    std::fs::write(dir.path().join("c.csv"), "id\nc1\nc2\n").expect("write");
    let events = [
        r#"{"at": "2026-03-01T09:00:00Z", "customer": "c1", "event": "signup"}"#,
        r#"{"at": "2026-03-02T09:00:00Z", "customer": "c1", "event": "purchase"}"#,
        r#"{"at": "2026-03-03T09:00:00Z", "customer": "c2", "event": "signup"}"#,
        r#"{"at": "2026-03-04T09:00:00Z", "customer": "stranger", "event": "signup"}"#,
    ];
    std::fs::write(dir.path().join("e.jsonl"), events.join("\n") + "\n").expect("write");
    let program = root().join("programs/welcome_new_customer.nurture");
    let program = program.to_string_lossy();
    let args = |until: &'static str| {
        vec![
            "replay",
            &*program,
            "--customers",
            "c.csv",
            "--events",
            "e.jsonl",
            "--until",
            until,
        ]
    };
    let (code, _, stderr) = nurture(&args("2026-03-01T12:00:00Z"), dir.path());
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("2 events after --until 2026-03-01T12:00:00Z were not replayed\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains("1 event(s) for customers not in `c.csv` were ignored"),
        "{stderr}"
    );
    let (_, _, stderr) = nurture(&args("2026-03-02T12:00:00Z"), dir.path());
    assert!(stderr.contains("1 event after --until"), "{stderr}");
    let (_, _, stderr) = nurture(&args("2026-12-31T00:00:00Z"), dir.path());
    assert!(!stderr.contains("after --until"), "{stderr}");
}
