//! Hostile input never crashes `nurture check`: garbage, huge files, deep
//! nesting, unclosed constructs and truncated programs all end in a
//! diagnostic and exit 0 or 1, never in a panic (exit 101), a usage error
//! (exit 2) or a signal such as a stack overflow.
//!
//! The whole-file cases run the real binary, so a stack overflow or an abort
//! shows up as the process dying. The many small cases (every prefix, every
//! deletion) call the library in-process, which is fast enough to try
//! hundreds of inputs. Nothing here measures time: that is for `benches/`.

use nurture::check::check_text_with;
use nurture::diagnostic::{Diagnostic, Severity};
use nurture::render::{self, FileReport, human::HumanOptions};
use nurture::syntax::ast::Schema;
use serde_json::Value;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::process::Command;

/// A complete program's header, and a step and the closing brace to follow
/// whatever a test puts in between.
const HEAD: &str = r#"program hostile {
  title   "Hostile input"
  kind    welcome
  owner   "crm-team@example.com"
  trigger event signup
  consent email
"#;
const TAIL: &str = r#"  step hello {
    send email "welcome-1"
    exit welcomed
  }
}
"#;

/// The customer schema the whole-file cases are checked against: what HEAD
/// and TAIL name.
const SCHEMA: &str =
    "schema {\n  attribute tier: gold | silver\n  event signup\n  channel email\n}\n";

/// What `nurture check --output-format json` said about one file.
struct Checked {
    code: i32,
    document: Value,
}

impl Checked {
    fn codes(&self) -> Vec<&str> {
        self.document["diagnostics"]
            .as_array()
            .expect("`diagnostics` is a list")
            .iter()
            .map(|diagnostic| diagnostic["code"].as_str().expect("`code` is a string"))
            .collect()
    }

    #[track_caller]
    fn assert_reports(&self, code: &str) {
        assert!(
            self.codes().contains(&code),
            "expected {code}, found {:?} (exit {})",
            self.codes(),
            self.code
        );
    }
}

/// Writes `contents` to a file and checks it with the real binary. Fails the
/// test unless the process exited by itself with 0 or 1, said nothing on
/// stderr (so did not panic) and printed a JSON report.
#[track_caller]
fn check(contents: &[u8]) -> Checked {
    check_with(contents, SCHEMA)
}

/// [`check`] against another schema.
#[track_caller]
fn check_with(contents: &[u8], schema: &str) -> Checked {
    let dir = tempfile::tempdir().expect("create a temporary folder");
    std::fs::write(dir.path().join("hostile.nurture"), contents).expect("write the input");
    // A schema beside it, so that names are checked too (and no note is said).
    std::fs::write(dir.path().join("schema.nurture"), schema).expect("write the schema");
    let output = Command::new(env!("CARGO_BIN_EXE_nurture"))
        .args(["check", "hostile.nurture", "--output-format", "json"])
        .current_dir(dir.path())
        .env_remove("NO_COLOR")
        .env("COLUMNS", "80")
        .output()
        .expect("run the nurture binary");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let code = output
        .status
        .code()
        .unwrap_or_else(|| panic!("nurture died from a signal ({:?}): {stderr}", output.status));
    assert!(!stderr.contains("panicked"), "nurture panicked: {stderr}");
    assert!(
        code == 0 || code == 1,
        "exit {code}: only 0 (clean) or 1 (findings) are right for a readable file\n{stderr}"
    );
    assert_eq!(stderr, "", "a readable file is no tool error");
    let document: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "stdout is not JSON ({error}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    });
    assert_eq!(document["files_checked"], 1);
    let checked = Checked { code, document };
    // The exit code agrees with the report.
    let errors = checked.document["summary"]["errors"]
        .as_u64()
        .expect("error count");
    assert_eq!(code == 1, errors > 0, "exit {code} with {errors} errors");
    checked
}

/// A program with `middle` between its header and its step.
fn program_with(middle: &str) -> String {
    format!("{HEAD}{middle}{TAIL}")
}

// ---------------------------------------------------------------------------
// Whole files, through the binary.

#[test]
fn binary_garbage_is_not_utf8() {
    // 64 KiB from a fixed linear congruential generator (Knuth's MMIX
    // constants), taking the high byte, which is the most random one.
    let mut state: u64 = 0x5eed;
    let garbage: Vec<u8> = (0..64 * 1024)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 56) as u8
        })
        .collect();
    assert!(std::str::from_utf8(&garbage).is_err());
    let checked = check(&garbage);
    assert_eq!(checked.code, 1);
    assert_eq!(checked.codes(), ["N004"]);
}

#[test]
fn a_megabyte_of_open_parentheses() {
    let checked = check(&vec![b'('; 1024 * 1024]);
    assert_eq!(checked.code, 1);
    checked.assert_reports("N002");
}

#[test]
fn ten_thousand_nested_conditions() {
    let depth = 10_000;
    let audience = format!(
        "  audience {}tier == gold{}\n",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    let checked = check(program_with(&audience).as_bytes());
    assert_eq!(checked.code, 1);
    checked.assert_reports("N002");
}

#[test]
fn ten_thousand_conditions_joined_by_and() {
    // Long but flat: `and` chains are repetitions in the grammar, not
    // nesting, so this is a valid program.
    let conditions = vec!["tier == gold"; 10_000].join(" and ");
    let checked = check(program_with(&format!("  audience {conditions}\n")).as_bytes());
    assert_eq!(checked.code, 0);
    assert_eq!(checked.codes(), Vec::<&str>::new());
}

#[test]
fn ten_thousand_nots() {
    let nots = "not ".repeat(10_000);
    let checked = check(program_with(&format!("  audience {nots}x\n")).as_bytes());
    assert_eq!(checked.code, 1);
    checked.assert_reports("N001");
}

#[test]
fn only_comments() {
    let checked = check(b"# TODO: write the welcome program\n# (later)\n");
    assert_eq!(checked.code, 1);
    assert_eq!(checked.codes(), ["N005"]);
}

#[test]
fn empty_file() {
    let checked = check(b"");
    assert_eq!(checked.code, 1);
    assert_eq!(checked.codes(), ["N005"]);
}

#[test]
fn crlf_bom_and_tabs() {
    let program = format!("# Windows line endings, a BOM and tabs.\n{HEAD}{TAIL}")
        .replace("  ", "\t")
        .replace('\n', "\r\n");
    let mut bytes = "\u{FEFF}".as_bytes().to_vec();
    bytes.extend_from_slice(program.as_bytes());
    let checked = check(&bytes);
    assert_eq!(checked.code, 0);
    assert_eq!(checked.codes(), Vec::<&str>::new());
}

#[test]
fn five_mebibytes() {
    // A valid program padded with comments past the size limit.
    let mut text = program_with("");
    let filler = "# filler filler filler filler filler filler filler filler\n";
    while text.len() <= 5 * 1024 * 1024 {
        text.push_str(filler);
    }
    let checked = check(text.as_bytes());
    assert_eq!(checked.code, 1);
    assert_eq!(checked.codes(), ["N003"]);
}

#[test]
fn nul_bytes_and_control_characters() {
    let checked = check(program_with("  \0\0 \u{1}\u{7}\u{1b}[31m \u{7f}\n").as_bytes());
    assert_eq!(checked.code, 1);
    checked.assert_reports("N001");
}

#[test]
fn a_hundred_thousand_unclosed_steps() {
    let checked = check("step a {\n".repeat(100_000).as_bytes());
    assert_eq!(checked.code, 1);
    assert!(!checked.codes().is_empty());
}

#[test]
fn text_never_closed_before_the_end() {
    let checked = check(b"program p {\n  title \"abc");
    assert_eq!(checked.code, 1);
    checked.assert_reports("N001");
}

#[test]
fn many_unclosed_texts() {
    // Every line is its own mistake, and each is reported.
    let lines = 1_000;
    let checked = check(program_with(&"  title \"abc\n".repeat(lines)).as_bytes());
    assert_eq!(checked.code, 1);
    assert_eq!(checked.codes(), vec!["N001"; lines]);
}

#[test]
fn a_megabyte_identifier() {
    let name = "a".repeat(1024 * 1024);
    let checked = check(format!("program {name} {{\n}}\n").as_bytes());
    assert_eq!(checked.code, 1);
}

#[test]
fn a_megabyte_line_inside_a_program() {
    let name = "b".repeat(1024 * 1024);
    let schema = SCHEMA.replace("tier", &name);
    let checked = check_with(
        program_with(&format!("  audience {name} == gold\n")).as_bytes(),
        &schema,
    );
    // A long attribute name is still a name: the program is valid.
    assert_eq!(checked.code, 0);
    assert_eq!(checked.codes(), Vec::<&str>::new());
}

// ---------------------------------------------------------------------------
// Many small inputs, in-process.

/// Checks `text` in-process and renders the result in every format. Returns
/// what went wrong: a panic, or a diagnostic pointing outside the text.
fn problems_with(text: &str) -> Result<Vec<Diagnostic>, String> {
    problems_against(text, None)
}

/// [`problems_with`], checking names and values against `schema`.
fn problems_against(text: &str, schema: Option<&Schema>) -> Result<Vec<Diagnostic>, String> {
    let diagnostics = catch_unwind(AssertUnwindSafe(|| check_text_with(text, schema)))
        .map_err(|panic| format!("check_text panicked: {}", panic_message(&*panic)))?;
    for diagnostic in &diagnostics {
        for label in &diagnostic.labels {
            let span = label.span;
            let fits = span.start <= span.end
                && span.end <= text.len()
                && text.is_char_boundary(span.start)
                && text.is_char_boundary(span.end);
            if !fits {
                return Err(format!(
                    "{} points at {}..{}, outside the {}-byte text or inside a char",
                    diagnostic.code.id(),
                    span.start,
                    span.end,
                    text.len()
                ));
            }
        }
    }
    let report = FileReport {
        path: "hostile.nurture".to_string(),
        source: text.to_string(),
        diagnostics: diagnostics.clone(),
    };
    catch_unwind(AssertUnwindSafe(|| {
        let options = HumanOptions {
            color: false,
            width: 80,
        };
        let reports = std::slice::from_ref(&report);
        render::human::render(&report, &options);
        render::json::render(reports, 1);
        render::github::render(reports);
        render::sarif::render(reports);
    }))
    .map_err(|panic| format!("rendering panicked: {}", panic_message(&*panic)))?;
    Ok(diagnostics)
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_string())
}

#[test]
fn every_prefix_of_a_program() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("programs/wake_up_dormant.nurture");
    let text = std::fs::read_to_string(path).expect("read the example program");
    assert_eq!(
        problems_with(&text).map(|d| d.len()),
        Ok(0),
        "the whole program is clean"
    );
    // Everything before the program's closing brace is an unfinished program.
    let closing = text.rfind('}').expect("the program ends with `}`");

    let mut failures = Vec::new();
    let mut tried = 0;
    for end in (0..text.len()).step_by(7) {
        if !text.is_char_boundary(end) {
            continue;
        }
        tried += 1;
        let prefix = &text[..end];
        match problems_with(prefix) {
            Err(problem) => failures.push(format!("prefix of {end} bytes: {problem}")),
            Ok(diagnostics) => {
                let errors = diagnostics
                    .iter()
                    .filter(|d| d.severity() == Severity::Error)
                    .count();
                if end <= closing && errors == 0 {
                    failures.push(format!("prefix of {end} bytes is reported clean"));
                }
            }
        }
    }
    assert!(tried > 100, "only {tried} prefixes tried");
    assert!(
        failures.is_empty(),
        "{} of {tried} prefixes failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_single_character_deleted() {
    // Small, but with a text, a comment, a condition, a block and a
    // non-ASCII character, so deletions hit every kind of token.
    let text = r#"program greeting {
  title "Grüße an alle"   # a greeting
  kind welcome
  owner "crm@example.com"
  trigger event signup where country in ["DE", "AT"]
  consent email
  holdout 10%
  step hello {
    send email "welcome-1"
    wait up to 3d for click {
      click   -> exit clicked
      timeout -> exit done
    }
  }
}
"#;
    assert_eq!(
        problems_with(text).map(|d| d.len()),
        Ok(0),
        "the undamaged program is clean"
    );
    let mut failures = Vec::new();
    for (at, c) in text.char_indices() {
        let mut damaged = text.to_string();
        damaged.replace_range(at..at + c.len_utf8(), "");
        if let Err(problem) = problems_with(&damaged) {
            failures.push(format!("without {c:?} at byte {at}: {problem}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} deletions failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_prefix_of_the_schema_and_against_it() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("programs");
    let text = std::fs::read_to_string(dir.join("schema.nurture")).expect("read the schema");
    let program = std::fs::read_to_string(dir.join("upsell_key_account.nurture"))
        .expect("read the example program");
    let schema = nurture::syntax::parse(&text).schema.expect("a schema");
    assert_eq!(
        problems_with(&text).map(|d| d.len()),
        Ok(0),
        "the schema is clean"
    );
    assert_eq!(
        problems_against(&program, Some(&schema)).map(|d| d.len()),
        Ok(0),
        "the program is clean against it"
    );
    // Every unfinished schema is reported; every unfinished program is
    // checked against the schema without a panic or a stray span.
    let closing = text.rfind('}').expect("the schema ends with `}`");
    let mut failures = Vec::new();
    for end in (0..text.len()).step_by(7) {
        if !text.is_char_boundary(end) {
            continue;
        }
        match problems_with(&text[..end]) {
            Err(problem) => failures.push(format!("schema prefix of {end} bytes: {problem}")),
            Ok(found) if end <= closing && found.is_empty() => {
                failures.push(format!("schema prefix of {end} bytes is reported clean"))
            }
            Ok(_) => {}
        }
    }
    for end in (0..program.len()).step_by(17) {
        if program.is_char_boundary(end) {
            if let Err(problem) = problems_against(&program[..end], Some(&schema)) {
                failures.push(format!("program prefix of {end} bytes: {problem}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A file with thousands of mistakes: the human format shows the first 100
/// and says how many more there are; the JSON lists every one.
#[test]
fn thousands_of_mistakes_are_counted_but_not_all_shown_to_people() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let text = format!("program p {{\n{}}}\n", "  title \"\n".repeat(5000));
    std::fs::write(dir.path().join("many.nurture"), text).expect("write");
    let run = |format: &str| {
        Command::new(env!("CARGO_BIN_EXE_nurture"))
            .args([
                "check",
                "--color",
                "never",
                "--output-format",
                format,
                "many.nurture",
            ])
            .current_dir(dir.path())
            .output()
            .expect("run nurture")
    };
    let human = run("human");
    assert_eq!(human.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&human.stdout);
    assert_eq!(stdout.matches("N001 (syntax-error)").count(), 100);
    assert!(
        stdout.contains("… and 4900 more in many.nurture (--output-format json lists them all)")
    );
    assert!(
        stdout.ends_with("Found 5000 errors in 1 file.\n"),
        "{}",
        &stdout[stdout.len().saturating_sub(200)..]
    );
    let json: Value = serde_json::from_slice(&run("json").stdout).expect("JSON");
    assert_eq!(json["diagnostics"].as_array().map(Vec::len), Some(5000));
}

/// A chain of `steps` steps, each sending and waiting a day.
fn chain_of_steps(steps: usize) -> String {
    let mut text = String::from(
        "program big {\n  kind welcome\n  owner \"x\"\n  trigger event signup\n  consent email\n",
    );
    for i in 0..steps {
        let next = if i + 1 < steps {
            format!("-> s{}", i + 1)
        } else {
            "exit done".to_string()
        };
        text.push_str(&format!(
            "  step s{i} {{\n    send email \"t{i}\"\n    wait 1d\n    {next}\n  }}\n"
        ));
    }
    text.push_str("}\n");
    text
}

/// A thousand steps in a chain, the most a program may have: the graph
/// checks and the facts once recursed once per step (petgraph's Tarjan) and
/// overflowed the stack on long chains; they must finish, and find the chain
/// sound.
#[test]
fn the_longest_program_allowed_is_checked_in_full() {
    let steps = nurture::syntax::limits::MAX_STEPS;
    let text = chain_of_steps(steps);
    let errors: Vec<_> = nurture::check::check_text(&text)
        .into_iter()
        .filter(|d| d.severity() == nurture::diagnostic::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{:?}", errors.first());
    let facts = nurture::check::facts_of_text(&text).expect("facts of a clean program");
    assert_eq!(facts.messages.total, u64::try_from(steps).ok());
}

/// One step more is N013, said once at the first step past the limit; the
/// graph checks do not run, and there are no facts.
#[test]
fn one_step_past_the_limit_is_too_many() {
    let text = chain_of_steps(nurture::syntax::limits::MAX_STEPS + 1);
    let found = nurture::check::check_text(&text);
    let codes: Vec<&str> = found.iter().map(|d| d.code.id()).collect();
    assert_eq!(codes, ["N013"]);
    assert!(nurture::check::facts_of_text(&text).is_none());
    let report = FileReport {
        path: "big.nurture".to_string(),
        source: text,
        diagnostics: found,
    };
    let options = HumanOptions {
        color: false,
        width: 100,
    };
    insta::assert_snapshot!(render::human::render(&report, &options));
}

/// Forty thousand steps (2.3 MB) through the binary: before the limit, a
/// step-name lookup compared every arrow with every step and this took ten
/// seconds; the stack overflowed before that.
#[test]
fn forty_thousand_steps_are_one_diagnostic() {
    let checked = check(chain_of_steps(40_000).as_bytes());
    assert_eq!(checked.code, 1);
    assert_eq!(checked.codes(), ["N013"]);
}

/// Twenty thousand distinct `when` arms: finding the arm that shadows
/// another once compared every pair of arms. Every `tier == gold` after the
/// first is shadowed, by the first.
#[test]
fn twenty_thousand_when_arms() {
    let arms: String = (0..20_000)
        .map(|i| {
            if i % 2 == 0 {
                format!("      when lifetime_value > {i} -> exit o{i}\n")
            } else {
                "      when tier == gold -> exit gold\n".to_string()
            }
        })
        .collect();
    let text = program_with(&format!(
        "  step pick {{\n    send email \"x\"\n    branch {{\n{arms}      else -> hello\n    }}\n  }}\n"
    ));
    let schema = "schema {\n  attribute tier: gold | silver\n  attribute lifetime_value: number\n  event signup\n  channel email\n}\n";
    let checked = check_with(text.as_bytes(), schema);
    let shadowed = checked.codes().iter().filter(|c| **c == "N309").count();
    assert_eq!(shadowed, 9_999);
    let diagnostics = checked.document["diagnostics"].as_array().expect("a list");
    let first_gold = text.find("tier == gold").expect("an arm for gold");
    for diagnostic in diagnostics.iter().filter(|d| d["code"] == "N309") {
        assert_eq!(
            diagnostic["labels"][1]["start"]["offset"], first_gold,
            "{diagnostic}"
        );
    }
}

/// A loop with five thousand arrows back: the human output draws the first
/// eight and says how many more there are (drawing them all took minutes);
/// the JSON keeps every one.
#[test]
fn a_loop_with_thousands_of_arrows_back() {
    // Each `when` its own: a repeated one never fires (N309) and is no
    // way round the loop.
    let arms: String = (0..5_000)
        .map(|i| format!("      when score == {i} -> pick\n"))
        .collect();
    let text = program_with(&format!(
        "  step pick {{\n    branch {{\n{arms}      else -> hello\n    }}\n  }}\n"
    ));
    let checked = check(text.as_bytes());
    let loops: Vec<&Value> = checked.document["diagnostics"]
        .as_array()
        .expect("a list")
        .iter()
        .filter(|d| d["code"] == "N303")
        .collect();
    assert_eq!(loops.len(), 1);
    assert_eq!(loops[0]["labels"].as_array().map(Vec::len), Some(5_001));

    let dir = tempfile::tempdir().expect("temporary folder");
    std::fs::write(dir.path().join("loop.nurture"), &text).expect("write");
    std::fs::write(dir.path().join("schema.nurture"), SCHEMA).expect("write the schema");
    let human = Command::new(env!("CARGO_BIN_EXE_nurture"))
        .args(["check", "--color", "never", "loop.nurture"])
        .current_dir(dir.path())
        .env("COLUMNS", "100")
        .output()
        .expect("run nurture");
    let stdout = String::from_utf8_lossy(&human.stdout);
    let drawn = stdout.matches("back round the loop, at once").count();
    assert_eq!(drawn, 7, "the step and seven arrows back:\n{stdout}");
    assert!(
        stdout.contains("(4993 more places not shown; --output-format json lists them all)"),
        "{stdout}"
    );
}

/// 112,000 malformed durations (`wait 3x`, 1.3 MB): the range check looked
/// through every diagnostic of parsing for each duration, and this took
/// 14 s in a release build (minutes in a debug one). Every one is reported.
#[test]
fn a_hundred_thousand_malformed_durations() {
    let waits = "    wait 3x\n".repeat(112_000);
    let text = program_with(&format!("  step slow {{\n{waits}    -> hello\n  }}\n"));
    let checked = check(text.as_bytes());
    assert_eq!(checked.code, 1);
    let codes = checked.codes();
    assert_eq!(codes.len(), 112_000);
    assert!(codes.iter().all(|c| *c == "N006"), "{:?}", &codes[..3]);
}

/// The same on one line a megabyte long: each diagnostic's column was
/// counted from the start of the line, 131,000 times over a megabyte.
#[test]
fn a_megabyte_line_of_malformed_durations() {
    let waits = " wait 3x".repeat(131_000);
    let text = program_with(&format!("  step slow {{\n{waits}\n    -> hello\n  }}\n"));
    let checked = check(text.as_bytes());
    assert_eq!(checked.code, 1);
    let diagnostics = checked.document["diagnostics"].as_array().expect("a list");
    assert_eq!(diagnostics.len(), 131_000);
    let last = &diagnostics[130_999]["labels"][0]["start"];
    assert_eq!(last["line"], 8);
    assert_eq!(last["column"], 130_999 * 8 + 7);
}
