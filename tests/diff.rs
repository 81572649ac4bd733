//! `nurture diff OLD NEW` on pairs of versions of every bundled program, as
//! a user runs it: the real binary in a temporary folder holding the two
//! versions and the bundled schema.
//!
//! Each program gets four new versions, made from its syntax tree so that
//! they follow the program whatever it holds:
//!
//! - **rename**: a step that customers wait in is renamed, with `(was …)`;
//! - **removed**: another step customers wait in is removed, the arrows to
//!   it now leave the program;
//! - **shortened**: the first wait lasts half as long;
//! - **moved send**: a send moves past the statement after it (past a wait
//!   where there is one), or to the top of the step it leads to.
//!
//! The human report of each is a snapshot, and the contract is asserted on
//! its own: the exit code, the hazards the change must raise in the JSON,
//! every place of the old version in the map.

use nurture::diagnostic::Severity;
use nurture::syntax::ast::{Program, Statement, StatementKind, Target};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
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

/// Text replacements by byte range, applied from the end.
fn apply(text: &str, mut edits: Vec<(usize, usize, String)>) -> String {
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_string();
    for (start, end, with) in edits {
        out.replace_range(start..end, &with);
    }
    out
}

fn targets(statement: &Statement) -> Vec<&Target> {
    match &statement.kind {
        StatementKind::WaitFor(w) => w.arms.iter().map(|a| &a.target).collect(),
        StatementKind::Branch(arms) => arms.iter().map(|a| &a.target).collect(),
        StatementKind::Split(arms) => arms.iter().map(|a| &a.target).collect(),
        _ => Vec::new(),
    }
}

/// Where the program names step `name` in an arrow, a `-> name` statement
/// (whole) or `start name`: (start, end, is the whole goto statement).
fn references(program: &Program, name: &str) -> Vec<(usize, usize, bool)> {
    let mut found = Vec::new();
    for clause in &program.clauses {
        if let nurture::syntax::ast::ClauseKind::Start(start) = &clause.kind
            && start.value == name
        {
            found.push((start.span.start, start.span.end, false));
        }
    }
    for step in &program.steps {
        for statement in &step.statements {
            if let StatementKind::Goto(to) = &statement.kind
                && to.value == name
            {
                found.push((statement.span.start, statement.span.end, true));
            }
            for target in targets(statement) {
                if let Target::Step(to) = target
                    && to.value == name
                {
                    found.push((to.span.start, to.span.end, false));
                }
            }
        }
    }
    found
}

fn rests_in(statements: &[Statement]) -> bool {
    statements
        .iter()
        .any(|s| matches!(s.kind, StatementKind::Wait(_) | StatementKind::WaitFor(_)))
}

/// The steps customers wait in, the start step aside.
fn waiting_steps(program: &Program) -> Vec<usize> {
    let start = program.clauses.iter().find_map(|c| match &c.kind {
        nurture::syntax::ast::ClauseKind::Start(name) => Some(name.value.clone()),
        _ => None,
    });
    let start = start.or_else(|| program.steps.first().map(|s| s.name.value.clone()));
    (0..program.steps.len())
        .filter(|&i| {
            let step = &program.steps[i];
            Some(&step.name.value) != start.as_ref() && rests_in(&step.statements)
        })
        .collect()
}

fn parse(text: &str) -> Program {
    nurture::syntax::parse(text).program.expect("a program")
}

fn renamed(text: &str) -> Vec<String> {
    let program = parse(text);
    let mut found = Vec::new();
    for i in waiting_steps(&program) {
        let step = &program.steps[i];
        let name = &step.name.value;
        let new = format!("{name}_v2");
        let mut edits: Vec<_> = references(&program, name)
            .into_iter()
            .map(|(start, end, whole)| {
                let with = if whole {
                    format!("-> {new}")
                } else {
                    new.clone()
                };
                (start, end, with)
            })
            .collect();
        edits.push((
            step.name.span.start,
            step.name.span.end,
            format!("{new} (was {name})"),
        ));
        found.push(apply(text, edits));
    }
    found
}

/// The last step customers wait in first: the start is left alone.
fn removed(text: &str) -> Vec<String> {
    let program = parse(text);
    let mut found = Vec::new();
    for i in waiting_steps(&program).into_iter().rev() {
        let step = &program.steps[i];
        let mut edits: Vec<_> = references(&program, &step.name.value)
            .into_iter()
            // A `-> name` statement and an arm's target alike become an exit.
            .map(|(start, end, _)| (start, end, "exit step_removed".to_string()))
            .collect();
        edits.push((step.span.start, step.span.end, String::new()));
        found.push(apply(text, edits));
    }
    found
}

fn duration(minutes: u64) -> String {
    if minutes % 1440 == 0 {
        format!("{}d", minutes / 1440)
    } else if minutes % 60 == 0 {
        format!("{}h", minutes / 60)
    } else {
        format!("{minutes}m")
    }
}

/// Each wait in turn, first first, at half its length.
fn shortened(text: &str) -> Vec<String> {
    let program = parse(text);
    program
        .steps
        .iter()
        .flat_map(|s| &s.statements)
        .filter_map(|s| match &s.kind {
            StatementKind::Wait(d) => Some(d),
            StatementKind::WaitFor(w) => Some(&w.up_to),
            _ => None,
        })
        .map(|wait| {
            let half = (wait.value.minutes / 2).max(1);
            apply(text, vec![(wait.span.start, wait.span.end, duration(half))])
        })
        .collect()
}

/// Whether `text` checks without errors against the bundled schema.
fn checks(text: &str) -> bool {
    let schema = std::fs::read_to_string(root().join("programs/schema.nurture")).expect("schema");
    let schema = nurture::syntax::parse(&schema).schema;
    nurture::check::check_text_with(text, schema.as_ref())
        .iter()
        .all(|d| d.severity() != Severity::Error)
}

/// The ways a send can move, best first: past the wait after it, past any
/// plain statement after it, to the top of a step its step leads to.
fn send_moves(text: &str) -> Vec<String> {
    let program = parse(text);
    let is_send = |s: &Statement| matches!(s.kind, StatementKind::Send { .. });
    let line_of = |s: &Statement| text[s.span.start..s.span.end].to_string();
    let mut found = Vec::new();
    for past_a_wait in [true, false] {
        for step in &program.steps {
            for pair in step.statements.windows(2) {
                let next_fits = if past_a_wait {
                    matches!(pair[1].kind, StatementKind::Wait(_))
                } else {
                    !pair[1].kind.ends_step()
                };
                if is_send(&pair[0]) && next_fits {
                    found.push(apply(
                        text,
                        vec![
                            (pair[0].span.start, pair[0].span.end, line_of(&pair[1])),
                            (pair[1].span.start, pair[1].span.end, line_of(&pair[0])),
                        ],
                    ));
                }
            }
        }
    }
    for step in &program.steps {
        let Some(last) = step.statements.last() else {
            continue;
        };
        let mut leads_to: Vec<&str> = targets(last)
            .into_iter()
            .filter_map(|t| match t {
                Target::Step(name) => Some(name.value.as_str()),
                Target::Exit { .. } => None,
            })
            .collect();
        if let StatementKind::Goto(to) = &last.kind {
            leads_to.push(&to.value);
        }
        let firsts = leads_to.iter().filter_map(|to| {
            let target = program.steps.iter().find(|s| s.name.value == *to)?;
            target.statements.first()
        });
        for first in firsts {
            for send in step.statements.iter().filter(|s| is_send(s)) {
                found.push(apply(
                    text,
                    vec![
                        (send.span.start, send.span.end, "# moved".to_string()),
                        (
                            first.span.start,
                            first.span.start,
                            format!("{}\n    ", line_of(send)),
                        ),
                    ],
                ));
            }
        }
    }
    found
}

/// The first new version made by `make` that checks without errors.
fn first_that_checks(name: &str, variant: &str, found: Vec<String>) -> String {
    found
        .into_iter()
        .find(|new| checks(new))
        .unwrap_or_else(|| panic!("{name}: no {variant} version checks"))
}

type Variant = fn(&str) -> Vec<String>;

const VARIANTS: [(&str, Variant); 4] = [
    ("rename", renamed),
    ("removed", removed),
    ("shortened", shortened),
    ("moved_send", send_moves),
];

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn diff(dir: &Path, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_nurture"))
        .arg("diff")
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env("COLUMNS", "80")
        .output()
        .expect("run the nurture binary");
    Run {
        code: output.status.code().expect("an exit code"),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A folder holding the bundled schema, `old.nurture` and `new.nurture`.
fn versions(old: &str, new: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let schema = std::fs::read_to_string(root().join("programs/schema.nurture")).expect("schema");
    std::fs::write(dir.path().join("schema.nurture"), schema).expect("write");
    std::fs::write(dir.path().join("old.nurture"), old).expect("write");
    std::fs::write(dir.path().join("new.nurture"), new).expect("write");
    dir
}

fn json(dir: &Path) -> Value {
    let run = diff(
        dir,
        &["old.nurture", "new.nurture", "--output-format", "json"],
    );
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

fn codes(report: &Value) -> Vec<String> {
    report["hazards"]
        .as_array()
        .expect("hazards")
        .iter()
        .map(|h| h["code"].as_str().expect("a code").to_string())
        .collect()
}

#[test]
fn every_bundled_program_in_four_new_versions() {
    for (name, text) in bundled() {
        for (variant, make) in VARIANTS {
            let new = first_that_checks(&name, variant, make(&text));
            let dir = versions(&text, &new);
            let run = diff(dir.path(), &["old.nurture", "new.nurture"]);
            assert_eq!(
                run.code, 1,
                "{name} {variant}: {}{}",
                run.stdout, run.stderr
            );
            // The new version's warnings (a step nothing leads to any more)
            // are on stderr, as `nurture check` shows them.
            insta::assert_snapshot!(
                format!("{name}@{variant}"),
                format!(
                    "exit {}\n--- stdout\n{}--- stderr\n{}",
                    run.code, run.stdout, run.stderr
                )
            );

            let report = json(dir.path());
            assert_eq!(report["format_version"], 1);
            assert_eq!(report["same_meaning"], false, "{name} {variant}");
            let hazards = codes(&report);
            // Every place of the old version is in the map, with somewhere
            // to go or a hazard saying why not.
            for moved in report["migration"].as_array().expect("migration") {
                assert!(
                    !moved["to"].is_null()
                        || !moved["hazards"].as_array().expect("codes").is_empty(),
                    "{name} {variant}: {moved}"
                );
            }
            for hazard in report["hazards"].as_array().expect("hazards") {
                assert!(!hazard["help"].as_str().unwrap_or_default().is_empty());
            }
            match variant {
                "rename" => assert!(hazards.is_empty(), "{name}: {hazards:?}"),
                "removed" => assert!(hazards.contains(&"N340".to_string()), "{name}: {hazards:?}"),
                "shortened" => {
                    assert!(hazards.contains(&"N342".to_string()), "{name}: {hazards:?}")
                }
                _ => {}
            }
            let gate = diff(
                dir.path(),
                &["old.nurture", "new.nurture", "--deny-hazards"],
            );
            assert_eq!(
                gate.code,
                i32::from(!hazards.is_empty()),
                "{name} {variant}"
            );
        }
    }
}

/// A small program for the contract's edges.
const SMALL: &str = r#"program welcome {
  kind    welcome
  owner   "crm-team@example.com"
  trigger event signup
  consent email

  step hello {
    send email "welcome-1"
    wait 3d
    -> again
  }

  step again {
    send email "welcome-2"
    exit welcomed
  }
}
"#;

#[test]
fn layout_and_comments_are_no_change_in_meaning() {
    let new = SMALL
        .replace("  step again {", "  # The second mail.\n  step again {")
        .replace("kind    welcome", "kind welcome");
    let dir = versions(SMALL, &new);
    let run = diff(dir.path(), &["old.nurture", "new.nurture"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("no change in meaning"),
        "{}",
        run.stdout
    );
    let report = json(dir.path());
    assert_eq!(report["same_meaning"], true);
    assert_eq!(report["changes"], Value::Array(Vec::new()));
    let markdown = diff(
        dir.path(),
        &["old.nurture", "new.nurture", "--output-format", "markdown"],
    );
    assert_eq!(markdown.code, 0);
    insta::assert_snapshot!("no_change_markdown", markdown.stdout);
}

#[test]
fn a_change_without_hazards_passes_the_gate() {
    let new = SMALL.replace("wait 3d", "wait 5d");
    let dir = versions(SMALL, &new);
    let run = diff(dir.path(), &["old.nurture", "new.nurture"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let gate = diff(
        dir.path(),
        &["old.nurture", "new.nurture", "--deny-hazards"],
    );
    assert_eq!(gate.code, 0, "{}", gate.stdout);
    let report = json(dir.path());
    assert_eq!(codes(&report), Vec::<String>::new());
    assert_eq!(report["changes"][0]["change"], "changed");
    let markdown = diff(
        dir.path(),
        &["old.nurture", "new.nurture", "--output-format", "markdown"],
    );
    insta::assert_snapshot!("longer_wait_markdown", markdown.stdout);
}

#[test]
fn a_version_with_errors_or_no_file_is_exit_2() {
    let broken = SMALL.replace("wait 3d", "wait 3 days");
    let dir = versions(SMALL, &broken);
    let run = diff(dir.path(), &["old.nurture", "new.nurture"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("new.nurture"), "{}", run.stderr);
    let missing = diff(dir.path(), &["old.nurture", "nowhere.nurture"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("nowhere.nurture"),
        "{}",
        missing.stderr
    );
    let usage = diff(
        dir.path(),
        &["old.nurture", "old.nurture", "--output-format", "yaml"],
    );
    assert_eq!(usage.code, 2, "{}", usage.stderr);
}

/// A program of 1,000 steps (the most there may be) renamed at once: the Markdown stays within a
/// pull-request comment and says where the rest is.
#[test]
fn markdown_fits_a_pull_request_comment() {
    let steps = 1_000;
    let program = |prefix: &str, was: bool| {
        let mut out = String::from(
            "program big {\n  kind welcome\n  owner \"x\"\n  trigger event signup\n  consent email\n",
        );
        for i in 0..steps {
            let next = if i + 1 < steps {
                format!("-> {prefix}{}", i + 1)
            } else {
                "exit done".into()
            };
            let was = if was {
                format!(" (was s{i})")
            } else {
                String::new()
            };
            out.push_str(&format!(
                "  step {prefix}{i}{was} {{\n    wait {}d\n    {next}\n  }}\n",
                1 + i % 2
            ));
        }
        out + "}\n"
    };
    let old = program("s", false);
    let new = program("t", true).replacen("wait 1d", "wait 2d", 1);
    let dir = versions(&old, &new);
    let run = diff(
        dir.path(),
        &["old.nurture", "new.nurture", "--output-format", "markdown"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.len() <= 60_000, "{} bytes", run.stdout.len());
    assert!(
        run.stdout
            .contains("more (`nurture diff --output-format json` lists all)"),
        "{}",
        &run.stdout[run.stdout.len() - 500..]
    );
    let report = json(dir.path());
    assert_eq!(report["migration"].as_array().map(Vec::len), Some(steps));
}

#[test]
fn two_different_programs_are_compared_with_a_note() {
    let other = SMALL.replace("program welcome {", "program hello {");
    let dir = versions(SMALL, &other);
    let run = diff(dir.path(), &["old.nurture", "new.nurture"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stderr.starts_with(
            "nurture: note: `old.nurture` is program `welcome` and `new.nurture` is program `hello`"
        ),
        "{}",
        run.stderr
    );
}

/// The first step only goes on: the plan starts at the second step's node,
/// and the start is still the first step. The new version leaves at once,
/// so the wait customers are at is a place it no longer leads to.
#[test]
fn a_place_the_new_version_no_longer_leads_to_is_said() {
    let old = SMALL.replace(
        "  step hello {\n",
        "  step first {\n    -> hello\n  }\n\n  step hello {\n",
    );
    let new = old.replace(
        "    -> hello\n  }\n\n  step hello",
        "    exit early\n  }\n\n  step hello",
    );
    let dir = versions(&old, &new);
    let report = json(dir.path());
    let whats: Vec<&str> = report["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter_map(|c| c["what"].as_str())
        .collect();
    assert!(!whats.contains(&"start"), "{whats:?}");
    let note = report["migration"][0]["note"].as_str().unwrap_or("");
    assert!(
        note.starts_with("the new version no longer leads to `wait 3d` in step `hello`"),
        "{}",
        report["migration"]
    );
}

/// A send held outside its send window stays held "outside its send
/// window", not "until quiet hours end", in every format; with quiet hours
/// as well, both are named.
#[test]
fn a_send_held_by_a_window_is_said_to_be() {
    let windowed = SMALL.replace(
        "  consent email\n",
        "  consent email\n\n  window  mon..fri 09:00..17:00\n",
    );
    let dir = versions(&windowed, &windowed.replace("wait 3d", "wait 5d"));
    let human = diff(dir.path(), &["old.nurture", "new.nurture"]);
    assert_eq!(human.code, 1, "{}", human.stdout);
    assert!(!human.stdout.contains("quiet hours"), "{}", human.stdout);
    let markdown = diff(
        dir.path(),
        &["old.nurture", "new.nurture", "--output-format", "markdown"],
    );
    assert!(
        !markdown.stdout.contains("quiet hours"),
        "{}",
        markdown.stdout
    );
    let report = json(dir.path());
    let held: Vec<&Value> = report["migration"]
        .as_array()
        .expect("migration")
        .iter()
        .filter(|moved| moved["from"]["place"] == "held_send")
        .collect();
    assert_eq!(held.len(), 2, "{report:#}");
    for moved in held {
        assert_eq!(moved["to"]["place"]["held_by"], "send_window", "{moved:#}");
    }
    insta::assert_snapshot!("held_by_a_window", human.stdout);
    insta::assert_snapshot!("held_by_a_window_markdown", markdown.stdout);

    let both = windowed.replace("  window", "  quiet   21:00..08:00\n  window");
    let dir = versions(&both, &both.replace("wait 3d", "wait 5d"));
    let human = diff(dir.path(), &["old.nurture", "new.nurture"]);
    assert!(
        human
            .stdout
            .contains("for quiet hours or outside its send window"),
        "{}",
        human.stdout
    );
}

const FALLBACK: &str = r#"program welcome {
  kind    welcome
  owner   "crm-team@example.com"
  trigger event signup
  consent email, sms

  step hello {
    send email "welcome-1"
    wait 3d
    -> again
  }

  step again {
    send email "welcome-2" or sms "welcome-2-sms"
    exit welcomed
  }
}
"#;

fn plan_of(text: &str) -> nurture::plan::Plan {
    let program = nurture::syntax::parse(text).program.expect("a program");
    nurture::plan::compile(&program, None)
}

/// A channel-fallback send is one send with every channel and message: a
/// changed second channel is a change, and a send moved to another step is
/// found by the whole send, not by the first send on its first channel.
#[test]
fn a_fallback_send_is_matched_by_the_whole_send() {
    let changed = FALLBACK.replace("or sms \"welcome-2-sms\"", "or letter \"welcome-2-sms\"");
    let dir = versions(FALLBACK, &changed);
    let run = diff(dir.path(), &["old.nurture", "new.nurture"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    insta::assert_snapshot!("fallback_second_channel_changed", run.stdout);

    // The fallback send moves to `hello`, after its wait; `again` now
    // begins with another email.
    let moved = FALLBACK
        .replace(
            "    wait 3d\n",
            "    wait 3d\n    send email \"welcome-2\" or sms \"welcome-2-sms\"\n",
        )
        .replace(
            "    send email \"welcome-2\" or sms \"welcome-2-sms\"\n    exit",
            "    send email \"welcome-3\"\n    exit",
        );
    let dir = versions(FALLBACK, &moved);
    let run = diff(dir.path(), &["old.nurture", "new.nurture"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    insta::assert_snapshot!("fallback_send_moved", run.stdout);
    let (old, new) = (plan_of(FALLBACK), plan_of(&moved));
    let map = nurture::diff::map::MigrationMap::new(&old, &new);
    let describe = |plan: &nurture::plan::Plan, node: usize| {
        nurture::diff::layout::Layout::new(plan).describe(node)
    };
    let fallback = (0..old.nodes.len())
        .find(|&n| describe(&old, n).contains("welcome-2"))
        .expect("the fallback send");
    let to = map.sends.get(&fallback).copied().expect("mapped");
    assert_eq!(
        describe(&new, to),
        "send email \"welcome-2\" or sms \"welcome-2-sms\"",
        "{:?}",
        map.sends
    );
}
