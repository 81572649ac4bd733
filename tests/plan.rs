//! The compiled plan: byte-identical output, a snapshot per bundled
//! program, loading as untrusted input, and the committed JSON Schema.

use nurture::plan::{self, Plan};
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn schema() -> Option<nurture::syntax::ast::Schema> {
    let text = std::fs::read_to_string(root().join("programs/schema.nurture")).ok()?;
    nurture::syntax::parse(&text).schema
}

fn compile(text: &str) -> Plan {
    let schema = schema();
    let parsed = nurture::syntax::parse(text);
    let program = parsed.program.expect("a program");
    plan::compile(&program, schema.as_ref())
}

fn bundled() -> Vec<(String, String)> {
    let mut programs: Vec<(String, String)> = std::fs::read_dir(root().join("programs"))
        .expect("programs folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "nurture") && !p.ends_with("schema.nurture"))
        .map(|p| {
            let name = p
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default()
                .to_string();
            (name, std::fs::read_to_string(&p).expect("readable"))
        })
        .collect();
    programs.sort();
    programs
}

#[test]
fn every_bundled_program_compiles_to_the_same_bytes_and_loads_back() {
    for (name, text) in bundled() {
        let first = compile(&text).to_json();
        let second = compile(&text).to_json();
        assert_eq!(first, second, "{name}: compiling twice differs");
        let loaded = plan::load(&first).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            loaded.to_json(),
            first,
            "{name}: a loaded plan writes back differently"
        );
    }
}

#[test]
fn bundled_plans() {
    for (name, text) in bundled() {
        insta::assert_snapshot!(format!("plan_{name}"), compile(&text).to_json());
    }
}

#[test]
fn arrows_are_resolved_and_exits_in_arms_become_nodes() {
    let text = r#"program p {
  kind welcome
  trigger event signup
  start a
  step b { exit done }
  step a {
    score +1
    -> b
  }
}"#;
    let plan = compile(text);
    // Nodes: b's exit (0), a's score (1); the arrow is no node of its own.
    assert_eq!(plan.nodes.len(), 2);
    assert_eq!(plan.start, 1);
    assert!(matches!(
        plan.nodes[1].op,
        plan::Op::Score { points: 1, next: 0 }
    ));
    assert_eq!(plan.steps[1].name, "a");
    assert_eq!(plan.steps[1].node, 1);
}

#[test]
fn the_digest_follows_the_meaning_not_the_layout() {
    let a = compile("program p { kind welcome trigger event signup step a { exit done } }");
    let relaid = compile(
        "# a comment\nprogram p {\n  kind    welcome\n  trigger event signup\n\n  step a {\n    exit done   # why\n  }\n}\n",
    );
    let changed = compile("program p { kind welcome trigger event signup step a { exit gone } }");
    assert!(a.digest.starts_with("sha256:"));
    assert_eq!(a.digest, relaid.digest);
    assert_ne!(a.digest, changed.digest);
}

fn load_error(json: &str) -> String {
    match plan::load(json) {
        Ok(_) => "loaded".to_string(),
        Err(e) => e.to_string(),
    }
}

fn good_plan() -> String {
    compile(&bundled()[0].1).to_json()
}

#[test]
fn a_plan_of_a_newer_version_is_refused_as_such() {
    let json = good_plan().replacen("\"format_version\": 1", "\"format_version\": 4", 1);
    let message = load_error(&json);
    assert!(
        message.starts_with(
            "format_version: this plan is format 4; this nurture reads formats 1 to 3"
        ),
        "{message}"
    );
}

/// A plan is written in the lowest format that holds it: a program that
/// uses nothing of format 2 keeps format 1, byte for byte (the bundled
/// plans' snapshots), and one that does is format 2; both load.
#[test]
fn a_plan_takes_the_lowest_format_that_holds_it() {
    let old = compile("program p { kind welcome trigger event signup step a { exit done } }");
    assert_eq!(old.format_version, 1);
    let new = compile(
        "program p { kind event_follow_up trigger event fair_visit step a { set last_fair_outcome = trigger.interest exit done } }",
    );
    assert_eq!(new.format_version, 2);
    assert_eq!(new.entry.keep, ["interest"]);
    for plan in [&old, &new] {
        let loaded = plan::load(&plan.to_json()).expect("loads");
        assert_eq!(&loaded, plan);
    }
}

/// A plan that says format 1 but uses what only format 2 has is refused,
/// naming the field: a runtime of format 1 could not run it.
#[test]
fn a_format_1_plan_with_format_2_parts_is_refused() {
    let new = compile(
        "program p { kind event_follow_up trigger event fair_visit step a { set last_fair_outcome = trigger.interest exit done } }",
    );
    let mut old = new.clone();
    old.format_version = 1;
    let json = old.to_json();
    let message = load_error(&json);
    assert_eq!(
        message,
        "entry.keep: trigger data needs format 2, and this plan says format 1"
    );
}

#[test]
fn a_dangling_index_names_its_field() {
    let mut plan = plan::load(&good_plan()).expect("loads");
    plan.start = 9999;
    let message = load_error(&plan.to_json());
    assert_eq!(
        message,
        format!(
            "start: 9999 is not a node (the plan has {})",
            plan.nodes.len()
        )
    );
}

#[test]
fn a_wrong_type_names_its_field() {
    let mut document: serde_json::Value = serde_json::from_str(&good_plan()).expect("JSON");
    document["start"] = serde_json::Value::from("first");
    let message = load_error(&document.to_string());
    assert!(
        message.starts_with("start: invalid type: string \"first\""),
        "{message}"
    );

    let mut document: serde_json::Value = serde_json::from_str(&good_plan()).expect("JSON");
    document["nodes"][0]["op"] = serde_json::Value::from("launch_rocket");
    let message = load_error(&document.to_string());
    assert!(message.starts_with("nodes[0]"), "{message}");
}

#[test]
fn truncated_and_garbage_plans_are_refused() {
    let json = good_plan();
    for cut in [0, 1, 10, json.len() / 2, json.len() - 2] {
        let message = load_error(&json[..cut]);
        assert_ne!(message, "loaded", "cut at {cut}");
    }
    assert!(load_error("\u{0}\u{1}binary").starts_with("not a JSON document"));
    assert_eq!(
        load_error("{}"),
        "format_version: missing, or not a whole number"
    );
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert_ne!(load_error(&deep), "loaded");
}

#[test]
fn split_shares_must_add_up() {
    let text = r#"program p {
  kind welcome
  trigger event signup
  step a { split { 50% -> b  50% -> c } }
  step b { exit b }
  step c { exit c }
}"#;
    let json = compile(text)
        .to_json()
        .replacen("\"share\": 5000", "\"share\": 4000", 1);
    let message = load_error(&json);
    assert!(message.contains("shares add up to 9000"), "{message}");
}

#[test]
fn values_the_checker_would_refuse_are_refused_on_loading() {
    let good = plan::load(&good_plan()).expect("loads");

    let mut capped = good.clone();
    capped.caps = vec![plan::Cap {
        count: 3,
        channel: None,
        per_minutes: 0,
    }];
    assert_eq!(
        load_error(&capped.to_json()),
        "caps[0].per_minutes: a cap's window cannot be 0"
    );

    let mut all_held_out = good.clone();
    all_held_out.entry.holdout = 10_001;
    assert_eq!(
        load_error(&all_held_out.to_json()),
        "entry.holdout: more than 10000 hundredths of a percent"
    );
    all_held_out.entry.holdout = 10_000;
    all_held_out.digest = all_held_out.meaning_digest();
    assert_eq!(load_error(&all_held_out.to_json()), "loaded");

    for (from, until) in [(1440, 480), (1260, 1440), (u16::MAX, 0)] {
        let mut quiet = good.clone();
        quiet.quiet = Some(plan::Quiet { from, until });
        assert_eq!(
            load_error(&quiet.to_json()),
            "quiet: minutes after midnight must be below 1440",
            "quiet {from}..{until}"
        );
    }
    let mut quiet = good.clone();
    quiet.quiet = Some(plan::Quiet {
        from: 1439,
        until: 0,
    });
    quiet.digest = quiet.meaning_digest();
    assert_eq!(load_error(&quiet.to_json()), "loaded");
}

#[test]
fn the_committed_json_schema_matches_the_code() {
    let path = root().join("docs/plan.schema.json");
    let expected = plan::json_schema();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &expected).expect("write docs/plan.schema.json");
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/plan.schema.json is out of date; run `UPDATE_DOCS=1 cargo test --test plan`"
    );
}

/// Found by fuzzing: a digest that is not `sha256:` and 64 hex digits is
/// not one nurture wrote.
#[test]
fn loading_refuses_a_digest_nurture_did_not_write() {
    let json =
        compile("program p { kind welcome trigger event signup step a { exit done } }").to_json();
    let mut value: serde_json::Value = serde_json::from_str(&json).expect("json");
    for digest in ["sha256:aéééééé", "md5:00", "sha256:xyz"] {
        value["digest"] = serde_json::Value::from(digest);
        let error = load_error(&value.to_string());
        assert!(error.contains("digest"), "{digest}: {error}");
    }
}

/// The deadline, `wait until` and interrupts are format 2: a plan that
/// says format 1 with them is refused by name; compiled, they load as
/// written, and an interrupt's own way must be sorted.
#[test]
fn deadlines_and_interrupts_are_format_2() {
    let cases = [
        (
            "program p { kind welcome trigger event signup ends after 30d as done step a { wait 1d exit x } }",
            "ends: a journey's deadline needs format 2, and this plan says format 1",
        ),
        (
            "program p { kind welcome trigger event signup step a { wait until 3d after entry exit x } }",
            "nodes[0]: `wait_until` needs format 2, and this plan says format 1",
        ),
        (
            "program p { kind retain trigger event signup on cancel_requested -> b step a { wait 3d exit x } step b { wait 1d exit y } }",
            "interrupts: an interrupt needs format 2, and this plan says format 1",
        ),
    ];
    for (text, refused) in cases {
        let new = compile(text);
        assert_eq!(new.format_version, 2, "{text}");
        assert_eq!(plan::load(&new.to_json()).expect("loads"), new);
        let mut old = new.clone();
        old.format_version = 1;
        assert_eq!(load_error(&old.to_json()), refused);
    }
    let mut plan = compile(cases[2].0);
    assert_eq!(plan.interrupts[0].not_at, [2, 3]);
    plan.interrupts[0].not_at = vec![3, 2];
    assert_eq!(
        load_error(&plan.to_json()),
        "interrupts[0].not_at: the nodes must be sorted, each once, as `nurture compile` writes them"
    );
}

/// A plan edited after compiling, its digest kept, would run with the old
/// plan's idempotency keys and draws: it is refused, and the message gives
/// the digest what it says now has.
#[test]
fn an_edited_plan_with_its_old_digest_is_refused() {
    let good = plan::load(&good_plan()).expect("loads");
    let mut edited = good.clone();
    edited.title = Some("Changed by hand".into());
    let message = load_error(&edited.to_json());
    let digest = edited.meaning_digest();
    assert_ne!(digest, good.digest);
    assert_eq!(
        message,
        format!(
            "digest: the plan was changed after it was compiled: what it says now has the digest `{digest}`; compile the program again (a plan made by hand must carry that digest)"
        )
    );
    edited.digest = digest;
    assert_eq!(load_error(&edited.to_json()), "loaded");
    // Spans and the layout of the JSON are no part of the meaning.
    let mut moved = good.clone();
    moved.nodes[0].span = plan::SourceSpan { start: 1, end: 2 };
    assert_eq!(load_error(&moved.to_json()), "loaded");
    let compact = serde_json::to_string(&good).expect("JSON");
    assert_eq!(load_error(&compact), "loaded");
}

/// JSON readers keep the last of two equal keys, so two readers of the same
/// file could run different plans: a key written twice is refused.
#[test]
fn a_key_written_twice_is_refused() {
    let json = good_plan().replacen(
        "\"program\": ",
        "\"program\": \"someone else\",\n  \"program\": ",
        1,
    );
    let message = load_error(&json);
    assert!(
        message == "line 5, column 11: the key `program` is written twice in one object",
        "{message}"
    );
    let nested = good_plan().replacen("\"next\": ", "\"next\": 0, \"next\": ", 1);
    assert!(load_error(&nested).contains("the key `next` is written twice"));
}

/// A loop of nodes none of which waits: the checker refuses the program
/// (N303), and the loader the plan, naming the nodes that go round.
#[test]
fn a_loop_without_a_wait_is_refused_on_loading() {
    let text = r#"program p {
  kind welcome
  trigger event signup
  step a { tag x  -> b }
  step b { wait 1d  -> c }
  step c { score +1  -> d }
  step d { untag x  -> c }
}"#;
    let program = nurture::syntax::parse(text).program.expect("parses");
    let mut looping = plan::compile(&program, None);
    looping.digest = looping.meaning_digest();
    assert_eq!(
        load_error(&looping.to_json()),
        "nodes[2]: nodes 2 → 3 → 2 go round without a wait, so a customer would never stop; every loop must pass a `wait` or `wait_for`"
    );

    let mut no_time = plan::load(&good_plan()).expect("loads");
    let at = no_time
        .nodes
        .iter()
        .position(|n| matches!(n.op, plan::Op::Wait { .. } | plan::Op::WaitFor { .. }))
        .expect("a wait");
    match &mut no_time.nodes[at].op {
        plan::Op::Wait { minutes, .. } | plan::Op::WaitFor { minutes, .. } => *minutes = 0,
        _ => {}
    }
    no_time.digest = no_time.meaning_digest();
    assert_eq!(
        load_error(&no_time.to_json()),
        format!("nodes[{at}].minutes: a wait of 0 minutes waits no time at all")
    );
}
