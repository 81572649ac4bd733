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
        "id,consents,country,lifetime_value,role,segment\nc1,email,DE,100,buyer,smb\nc2,email,AT,50,admin,smb\n",
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

/// A column the program reads but the file lacks is an error before the
/// run, naming the program; a column the schema does not declare is a note
/// that changes nothing; a consent spelt `Email` is a bad row with "did you
/// mean".
#[test]
fn customers_are_read_against_what_the_program_reads_and_the_schema() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let program = root().join("programs/welcome_new_customer.nurture");
    let program = program.to_str().unwrap_or_default();
    let events =
        "{\"at\": \"2026-03-01T09:00:00Z\", \"customer\": \"c1\", \"event\": \"signup\"}\n";
    std::fs::write(dir.path().join("events.jsonl"), events).expect("write");
    let run = |customers: &str| {
        std::fs::write(dir.path().join("customers.csv"), customers).expect("write");
        nurture(
            &[
                "replay",
                program,
                "--customers",
                "customers.csv",
                "--events",
                "events.jsonl",
            ],
            dir.path(),
        )
    };

    // Without `lifetime_value` nobody could match: refused, nothing run.
    let (code, stdout, stderr) = run("id,consents,country,role,segment\nc1,email,DE,buyer,smb\n");
    assert_eq!(code, 1);
    assert_eq!(stdout, "");
    assert!(
        stderr.contains("customers.csv:1: there is no column `lifetime_value`, which `welcome_new_customer` reads"),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was replayed"), "{stderr}");

    // A column the schema does not declare: a note, and the run is clean.
    let (code, stdout, stderr) = run(
        "id,consents,country,lifetime_value,role,segment,favourite_colour\nc1,email,DE,100,buyer,smb,red\n",
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("customers.csv:1: note: column `favourite_colour` is not an attribute in the schema; its values are ignored"),
        "{stderr}"
    );
    assert!(stdout.contains("\"action\":\"enter\""), "{stdout}");

    // `Email` is no channel: the row is skipped, with "did you mean".
    let (code, _, stderr) =
        run("id,consents,country,lifetime_value,role,segment\nc1,Email,DE,100,buyer,smb\n");
    assert_eq!(code, 1);
    assert!(
        stderr.contains("customers.csv:2: `consents` names `Email`, which is not a channel in the schema; did you mean `email`?"),
        "{stderr}"
    );
}

#[test]
fn events_with_an_id_seen_before_are_dropped_and_counted() {
    let dir = tempfile::tempdir().expect("temporary folder");
    std::fs::write(
        dir.path().join("customers.csv"),
        "id,consents,country,lifetime_value,role,segment\nc1,email,DE,100,buyer,smb\nc2,email,DE,100,buyer,smb\n",
    )
    .expect("write");
    let signup = |id: &str, customer: &str, at: &str| {
        format!(
            "{{\"id\": \"{id}\", \"at\": \"{at}\", \"customer\": \"{customer}\", \"event\": \"signup\"}}\n"
        )
    };
    // e1 twice for c1 (the second a day later: the first wins), and e1
    // once for c2: ids are each customer's own.
    let with_ids = [
        signup("e1", "c1", "2026-03-01T09:00:00Z"),
        signup("e1", "c2", "2026-03-01T10:00:00Z"),
        signup("e1", "c1", "2026-03-02T09:00:00Z"),
    ]
    .concat();
    let without = [
        "{\"at\": \"2026-03-01T09:00:00Z\", \"customer\": \"c1\", \"event\": \"signup\"}\n",
        "{\"at\": \"2026-03-01T10:00:00Z\", \"customer\": \"c2\", \"event\": \"signup\"}\n",
    ]
    .concat();
    std::fs::write(dir.path().join("with.jsonl"), with_ids).expect("write");
    std::fs::write(dir.path().join("without.jsonl"), without).expect("write");
    let program = root().join("programs/welcome_new_customer.nurture");
    let program = program.to_str().unwrap_or_default();
    let args = |events: &str| {
        [
            "replay",
            program,
            "--customers",
            "customers.csv",
            "--events",
            events,
            "--until",
            "2026-03-20T00:00:00Z",
        ]
        .map(str::to_string)
    };
    let run = |events: &str| {
        let args = args(events);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        nurture(&args, dir.path())
    };
    let (code, with, stderr) = run("with.jsonl");
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains(
            "1 duplicate event in `with.jsonl` (an `id` the customer already had) was dropped"
        ),
        "{stderr}"
    );
    let (_, without, stderr_without) = run("without.jsonl");
    assert_eq!(with, without, "the duplicate changed nothing");
    assert!(!stderr_without.contains("duplicate"), "{stderr_without}");
}

/// `--until` stops the clock; the events after it are not replayed, and the
/// summary says how many, so a cut run is not taken for a whole one.
#[test]
fn until_says_how_many_later_events_it_left_out() {
    let dir = tempfile::tempdir().expect("temporary folder");
    std::fs::write(
        dir.path().join("c.csv"),
        "id,country,lifetime_value,role,segment\nc1,DE,100,buyer,smb\nc2,DE,100,buyer,smb\n",
    )
    .expect("write");
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
        stderr.contains("1 event for customers not in `c.csv` was ignored"),
        "{stderr}"
    );
    let (_, _, stderr) = nurture(&args("2026-03-02T12:00:00Z"), dir.path());
    assert!(stderr.contains("1 event after --until"), "{stderr}");
    let (_, _, stderr) = nurture(&args("2026-12-31T00:00:00Z"), dir.path());
    assert!(!stderr.contains("after --until"), "{stderr}");
}
