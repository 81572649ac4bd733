//! `nurture fmt`: the canonical layout keeps what a file means and every
//! comment in it, and formatting twice changes nothing.
//!
//! Every `ok/` fixture and every bundled file is formatted and compared:
//! the plan it compiles to (spans aside; the digest too), its comments, and the
//! result formatted again. Messy inputs are snapshots of their formatted
//! text. The command itself runs in a temporary folder.

use nurture::format::{FormatError, format_source};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[track_caller]
fn fmt(text: &str) -> String {
    match format_source(text) {
        Ok(formatted) => formatted,
        Err(error) => panic!("not formatted: {error:?}\n{text}"),
    }
}

fn nurture_files(folder: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(folder))
        .unwrap_or_else(|e| panic!("{folder}: {e}"))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "nurture"))
        .collect();
    files.sort();
    files
}

fn schema_at(relative: &str) -> nurture::syntax::ast::Schema {
    nurture::syntax::parse(&read(&root().join(relative)))
        .schema
        .unwrap_or_else(|| panic!("{relative} holds no schema"))
}

/// The plan as JSON, without what depends on the layout: the span of every
/// node. (The digest stays: it is of the plan's meaning, so formatting must
/// keep it, and with it the splits, the holdout and idempotency keys.)
fn plan_without_layout(text: &str, schema: &nurture::syntax::ast::Schema) -> Value {
    let program = nurture::syntax::parse(text)
        .program
        .unwrap_or_else(|| panic!("no program in\n{text}"));
    let plan = nurture::plan::compile(&program, Some(schema));
    let mut json: Value = serde_json::from_str(&plan.to_json()).expect("a plan is JSON");
    strip(&mut json);
    json
}

fn strip(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.remove("span");
            map.values_mut().for_each(strip);
        }
        Value::Array(items) => items.iter_mut().for_each(strip),
        _ => {}
    }
}

/// Formatting is stable, keeps every comment and, for a program without
/// errors, the plan; a schema stays clean.
#[track_caller]
fn assert_formats_faithfully(name: &str, text: &str, schema: &nurture::syntax::ast::Schema) {
    let formatted = fmt(text);
    assert_eq!(
        fmt(&formatted),
        formatted,
        "{name}: formatting twice differs"
    );
    assert_eq!(
        nurture::format::comments(&formatted),
        nurture::format::comments(text),
        "{name}: the comments differ"
    );
    let problems = nurture::check::check_text_with(&formatted, Some(schema));
    assert_eq!(
        problems,
        nurture::check::check_text_with(text, Some(schema)),
        "{name}: checking the formatted text finds something else"
    );
    if nurture::syntax::parse(text).program.is_some() {
        assert_eq!(
            plan_without_layout(&formatted, schema),
            plan_without_layout(text, schema),
            "{name}: the plan differs"
        );
    }
}

#[test]
fn every_ok_fixture_is_stable_and_means_the_same() {
    let schema = schema_at("tests/fixtures/schema.nurture");
    for path in nurture_files("tests/fixtures/ok") {
        assert_formats_faithfully(&path.display().to_string(), &read(&path), &schema);
    }
}

#[test]
fn every_bundled_file_is_stable_and_means_the_same() {
    let schema = schema_at("programs/schema.nurture");
    for path in nurture_files("programs") {
        assert_formats_faithfully(&path.display().to_string(), &read(&path), &schema);
    }
}

/// The bundled files are the model of the layout: they are formatted.
#[test]
fn the_bundled_files_are_formatted() {
    for path in nurture_files("programs") {
        let text = read(&path);
        assert_eq!(fmt(&text), text, "{} is not formatted", path.display());
    }
}

/// The whole programs and schemas in the docs are written as `fmt` writes
/// them (fragments, which do not parse alone, are left out), except the
/// example that shows a step on one line on purpose.
#[test]
fn the_examples_in_the_docs_are_formatted() {
    for doc in ["README.md", "docs/fmt.md", "docs/language.md"] {
        let text = read(&root().join(doc));
        for block in text.split("```nurture\n").skip(1) {
            let example = block.split("```").next().unwrap_or_default();
            let one_line_step = example
                .lines()
                .any(|line| line.trim_start().starts_with("step ") && line.ends_with('}'));
            if let (Ok(formatted), false) = (format_source(example), one_line_step) {
                assert_eq!(formatted, example, "an example in {doc} is not formatted");
            }
        }
    }
}

const EVERY_CONSTRUCT: &str = "tests/fixtures/ok/every_construct.nurture";

/// A comment between any two tokens is kept, and the result is stable.
#[test]
fn a_comment_anywhere_is_kept() {
    let text = read(&root().join(EVERY_CONSTRUCT));
    let gaps = token_ends(&text);
    for (n, &at) in gaps.iter().enumerate() {
        let commented = format!("{} # note {n}\n{}", &text[..at], &text[at..]);
        let formatted = fmt(&commented);
        assert!(
            formatted.contains(&format!("# note {n}\n")),
            "comment {n} lost:\n{formatted}"
        );
        assert_eq!(fmt(&formatted), formatted, "unstable with comment {n}");
    }
}

/// A line break where the layout has none is taken out again, except
/// before `and` and `or`, where it continues a condition.
#[test]
fn a_line_break_anywhere_else_changes_nothing() {
    let text = read(&root().join(EVERY_CONSTRUCT));
    let expected = fmt(&text);
    for at in token_ends(&text) {
        let (before, after) = text.split_at(at);
        let next = after.split_whitespace().next().unwrap_or("");
        let last = before.split_whitespace().last().unwrap_or("");
        if ["and", "or"].contains(&next) || ["and", "or"].contains(&last) {
            continue;
        }
        if !after.starts_with(' ') {
            continue;
        }
        let broken = format!("{before}\n{after}");
        assert_eq!(fmt(&broken), expected, "a break at byte {at} stays");
    }
}

/// Offsets just after each token that is followed by a blank on its line.
fn token_ends(text: &str) -> Vec<usize> {
    text.char_indices()
        .filter(|&(i, c)| c == ' ' && text[..i].ends_with(|p: char| !p.is_whitespace()))
        .filter(|&(i, _)| {
            let line = &text[text[..i].rfind('\n').map_or(0, |n| n + 1)..i];
            !line.contains('#') && line.matches('"').count() % 2 == 0
        })
        .map(|(i, _)| i)
        .collect()
}

/// Damaged programs never make the formatter panic, and whatever it
/// formats is stable.
#[test]
fn every_one_byte_deletion_is_refused_or_formatted_stably() {
    let text = COMMENTS_EVERYWHERE;
    for (at, c) in text.char_indices() {
        let damaged = format!("{}{}", &text[..at], &text[at + c.len_utf8()..]);
        match format_source(&damaged) {
            Ok(formatted) => assert_eq!(fmt(&formatted), formatted, "unstable:\n{damaged}"),
            Err(FormatError::Unreadable(found)) => assert!(!found.is_empty()),
            Err(FormatError::Unsafe(why)) => panic!("{why}:\n{damaged}"),
        }
    }
}

#[test]
fn a_file_that_does_not_parse_is_refused_with_its_diagnostics() {
    let Err(FormatError::Unreadable(found)) = format_source("program p {\n  kind welcome\n") else {
        panic!("an unclosed program was formatted");
    };
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].code.id(), "N001");
    assert!(matches!(
        format_source("# only a comment\n"),
        Err(FormatError::Unreadable(_))
    ));
}

#[test]
fn line_endings_and_byte_order_mark_are_kept() {
    let text = "\u{FEFF}program p {\r\n\tkind welcome\r\n\ttrigger event signup\r\n\tstep a { exit done }\r\n}";
    assert_eq!(
        fmt(text),
        "\u{FEFF}program p {\r\n  kind    welcome\r\n\r\n  trigger event signup\r\n\r\n  step a {\r\n    exit done\r\n  }\r\n}\r\n"
    );
}

// ---------------------------------------------------------------------------
// Messy inputs and what they become.

/// Clauses out of order, keywords unpadded, indentation all over the place.
const HEADER_OUT_OF_ORDER: &str = r#"program   messy{
holdout 10%
    start hello
        cap 1 sms per 30d
  reentry after 365d
exit when complaint as complained
  goal purchase within 60d
   consent email,sms
 quiet 21:00 .. 08:00
audience tier in [ silver , bronze ]
  trigger segment active_buyers left
    owner "crm-team@example.com"
  trigger no purchase for 180d
exit when unsubscribe
  cap 3 messages per 14d
      kind wake_up
  title "Wake up"
step hello { send email "hi"  exit done }
}
"#;

/// Arms written every which way.
const ARMS: &str = r#"program arms {
  kind upsell
  trigger event signup
  step a {
    wait up to 5d for click or open {
  click where link == "offer" -> b
        click->b
      open   ->   exit opened
   timeout -> c
    }
  }
  step b {
    branch {
      when tier == gold -> c
      when lifetime_value >= 1000 and not has tag vip -> c
      else -> exit done
    }
  }
  step c { split { 50% -> a
    50.00% -> exit split } }
}
"#;

/// Comments in every place one can stand.
const COMMENTS_EVERYWHERE: &str = r#"#!/usr/bin/env nurture check
# The file's header comment.

program commented {   # after the brace
  # above the kind
  kind welcome # after the kind
  trigger event signup
  # above the audience, which moves up
  audience tier in [silver, bronze] # after the first line
     # on a line of its own inside the condition
     and consent email
  title "Comments" # the title moves first
  # the end of the header

  step hello { # after the step's brace
    send email "hi" # after a statement
    # above the wait
    wait up to 3d for click { # after the wait's brace
      # above an arm
      click -> exit clicked # after an arm
      timeout -> exit quiet
      # at the end of the arms
    } # after the wait's closing brace
    # at the end of the step
  }
  # at the end of the program
} # after the program
# at the end of the file
"#;

/// Long conditions: breaks before `and`/`or` stay, others go, and a break
/// after `and` moves before it.
const LONG_CONDITIONS: &str = r#"program long {
  kind retain
  trigger event purchase where amount > 500 and
    category == "tools"
  audience lifetime_value >= 500
  and (churn_risk >= 0.6
  or has tag cancel_pending) and tier
  in [gold,
  silver]
  step a {
    send email "x" if consent email
        and not has tag vip
    branch {
      when tier == gold
        or is_key_account -> exit vip
      else -> exit other
    }
  }
}
"#;

/// Clauses after steps join the header, with their comments.
const CLAUSES_AFTER_STEPS: &str = r#"program p {
  step a {
    exit done
  }
  # the kind, written after the step
  kind welcome
  step b { exit b }
  trigger event signup  # a late trigger
  # the end of the program
}
"#;

/// A schema written loosely: entries keep their order and blank lines.
const SCHEMA: &str = r#"schema {
attribute tier:gold|silver|bronze   # choices
    attribute last_order.amount : number


  event purchase {amount:number,category:text}
  event survey { nps: number
                 reason: text }   # one a line
  channel call   needs no consent
    team sales,service_team
  tag vip ,
      do_not_contact
}
"#;

/// The deadline goes with who enters and what counts; `wait until` is a
/// statement like any other.
const DEADLINE: &str = r#"program welcome_phase {
  cap 3 messages per 14d
  ends   after 30d    as welcome_done
  kind welcome
  goal purchase within 30d
  trigger event signup
  step last_word {
      wait   until 28d   after entry
    send email "last-chance"
    exit said_goodbye }
}
"#;

/// Send windows: the keyword padded like any clause, the days one value
/// (`mon,wed..fri`, no blank after a comma), as docs/language.md writes them.
const WINDOWS: &str = r#"program business_hours {
  window mon, wed..fri   08:00..18:00
  kind retain
  window sat 10:00..12:00 # Saturday mornings
  trigger event signup
  quiet 21:00..08:00
  step hello { send email "hello" exit done }
}
"#;

/// Interrupts stand with the `exit when` rules: what takes a customer out
/// or elsewhere at any step.
const INTERRUPTS: &str = r#"program keep_them {
  on   cancel_requested    ->   ask_why
  kind retain
  trigger segment key_accounts entered
  exit when unsubscribe
  on complaint where severity=="high" -> ask_why
  step ask_why { wait 7d exit asked }
}
"#;

#[test]
fn messy_inputs() {
    for (name, text) in [
        ("header_out_of_order", HEADER_OUT_OF_ORDER),
        ("arms", ARMS),
        ("comments_everywhere", COMMENTS_EVERYWHERE),
        ("long_conditions", LONG_CONDITIONS),
        ("clauses_after_steps", CLAUSES_AFTER_STEPS),
        ("schema", SCHEMA),
        ("deadline", DEADLINE),
        ("interrupts", INTERRUPTS),
        ("windows", WINDOWS),
    ] {
        let formatted = fmt(text);
        assert_eq!(
            fmt(&formatted),
            formatted,
            "{name}: formatting twice differs"
        );
        assert_eq!(
            nurture::format::comments(&formatted),
            nurture::format::comments(text),
            "{name}: the comments differ"
        );
        insta::assert_snapshot!(name, formatted);
    }
}

// ---------------------------------------------------------------------------
// The command.

/// A temporary folder to run `nurture fmt` in.
struct Sandbox {
    dir: tempfile::TempDir,
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Sandbox {
    fn with(files: &[(&str, &str)]) -> Sandbox {
        let dir = tempfile::tempdir().expect("create a temporary folder");
        for (path, contents) in files {
            std::fs::write(dir.path().join(path), contents).expect("write a file");
        }
        Sandbox { dir }
    }

    fn read(&self, path: &str) -> String {
        read(&self.dir.path().join(path))
    }

    fn run(&self, args: &[&str], stdin: Option<&str>) -> Run {
        use std::io::Write;
        let mut command = Command::new(env!("CARGO_BIN_EXE_nurture"));
        command
            .arg("fmt")
            .args(args)
            .current_dir(self.dir.path())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = command.spawn().expect("run the nurture binary");
        if let Some(mut input) = child.stdin.take() {
            // A run that refuses its arguments exits without reading
            // standard input, and the write then fails: that is no error.
            let _ = input.write_all(stdin.unwrap_or("").as_bytes());
        }
        let output = child.wait_with_output().expect("wait for nurture");
        Run {
            code: output.status.code().expect("nurture exited"),
            stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
        }
    }
}

impl Run {
    fn transcript(&self) -> String {
        format!(
            "exit: {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

const UNFORMATTED: &str =
    "program p {\n  trigger event signup\n  kind welcome\n  step a { exit done }\n}\n";
const FORMATTED: &str = "program p {\n  kind    welcome\n\n  trigger event signup\n\n  step a {\n    exit done\n  }\n}\n";
const BROKEN: &str =
    "program p {\n  kind welcome\n  step a {\n    wait 1.5d\n    exit done\n  }\n}\n";

#[test]
fn check_prints_a_diff_fails_and_writes_nothing() {
    let sandbox = Sandbox::with(&[("p.nurture", UNFORMATTED), ("q.nurture", FORMATTED)]);
    let run = sandbox.run(&["--check", "."], None);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert_eq!(sandbox.read("p.nurture"), UNFORMATTED);
    insta::assert_snapshot!("cli_check", run.transcript());

    let clean = sandbox.run(&["--check", "q.nurture"], None);
    assert_eq!(clean.code, 0, "{}", clean.transcript());
    assert_eq!(clean.stdout, "");
}

#[test]
fn files_are_rewritten_only_when_they_change() {
    let sandbox = Sandbox::with(&[("p.nurture", UNFORMATTED), ("q.nurture", FORMATTED)]);
    let before = std::fs::metadata(sandbox.dir.path().join("q.nurture"))
        .and_then(|m| m.modified())
        .expect("modification time");
    let run = sandbox.run(&[], None);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_eq!(sandbox.read("p.nurture"), FORMATTED);
    assert_eq!(sandbox.read("q.nurture"), FORMATTED);
    let after = std::fs::metadata(sandbox.dir.path().join("q.nurture"))
        .and_then(|m| m.modified())
        .expect("modification time");
    assert_eq!(before, after, "an unchanged file was written");
    insta::assert_snapshot!("cli_rewrite", run.transcript());
}

#[test]
fn standard_input_is_formatted_to_standard_output() {
    let sandbox = Sandbox::with(&[]);
    let run = sandbox.run(&["-"], Some(UNFORMATTED));
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_eq!(run.stdout, FORMATTED);

    let check = sandbox.run(&["--check", "-"], Some(UNFORMATTED));
    assert_eq!(check.code, 1, "{}", check.transcript());
    assert!(check.stdout.starts_with("--- <stdin>\n+++ <stdin>\n"));

    let both = sandbox.run(&["-", "p.nurture"], Some(UNFORMATTED));
    assert_eq!(both.code, 2, "{}", both.transcript());
}

#[test]
fn a_file_that_does_not_parse_is_reported_and_left_alone() {
    let sandbox = Sandbox::with(&[("broken.nurture", BROKEN), ("p.nurture", UNFORMATTED)]);
    let run = sandbox.run(&["."], None);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert_eq!(sandbox.read("broken.nurture"), BROKEN);
    assert_eq!(sandbox.read("p.nurture"), FORMATTED);
    insta::assert_snapshot!("cli_broken", run.transcript());

    let piped = sandbox.run(&["-"], Some(BROKEN));
    assert_eq!(piped.code, 1, "{}", piped.transcript());
    assert_eq!(piped.stdout, "");
}

#[test]
fn a_missing_path_is_trouble() {
    let sandbox = Sandbox::with(&[]);
    let run = sandbox.run(&["nowhere.nurture"], None);
    assert_eq!(run.code, 2, "{}", run.transcript());
    insta::assert_snapshot!("cli_missing_path", run.transcript());
}

/// What CI runs: the bundled programs are formatted.
#[test]
fn fmt_check_on_the_bundled_programs_exits_0() {
    let output = Command::new(env!("CARGO_BIN_EXE_nurture"))
        .args(["fmt", "--check", "programs"])
        .current_dir(root())
        .output()
        .expect("run the nurture binary");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

/// Every `window` written in docs/language.md, in its code or its text, is
/// written as `fmt` writes it in a header where `window` is the longest
/// keyword: the reference and the formatter show one layout.
#[test]
fn the_windows_in_the_language_reference_are_formatted() {
    let text = read(&root().join("docs/language.md"));
    let mut windows: Vec<String> = Vec::new();
    for line in text.lines() {
        if line.starts_with("window ") && line.contains(|c: char| c.is_ascii_digit()) {
            windows.push(line.to_string());
        }
        for quoted in line.split('`').skip(1).step_by(2) {
            if quoted.starts_with("window ") && quoted.contains(|c: char| c.is_ascii_digit()) {
                windows.push(quoted.to_string());
            }
        }
    }
    assert!(windows.len() >= 5, "only {windows:?}");
    for window in windows {
        let program = format!("program p {{\n  {window}\n}}\n");
        let formatted = fmt(&program);
        assert_eq!(formatted, program, "`{window}` in docs/language.md");
    }
}
