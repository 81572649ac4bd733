//! A diagnostic far along a long line, through every command that shows one
//! to people: miette pads each label to its column with a formatting width,
//! which panicked past column 65,535 ("Formatting argument out of range").
//! The human output now shows a window of the line around the label, with
//! `…` where it was cut, and the header keeps the real column.

use std::path::Path;
use std::process::{Command, Output};

/// One line of 65,600 bytes with `3x` (not a duration) near its end.
fn long_program() -> String {
    let pad = " ".repeat(65_500);
    format!(
        "program long {{ kind welcome owner \"a@b.c\" trigger event signup step a {{{pad} wait 3x -> b }} step b {{ exit done }} }}\n"
    )
}

fn nurture(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nurture"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .output()
        .expect("run nurture")
}

/// The command failed as a finding (exit 1), said why in human words, at
/// the real column, and printed no line wider than a window of the file.
#[track_caller]
fn assert_reported(output: &Output, column: usize) {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let all = format!("{stdout}{stderr}");
    assert_eq!(output.status.code(), Some(1), "{all}");
    assert!(!all.contains("panicked"), "{all}");
    assert!(all.contains(&format!(":1:{column}]")), "{all}");
    assert!(all.contains('…'), "the line is shown cut: {all}");
    let widest = all.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    assert!(widest < 300, "a line of {widest} characters was printed");
}

#[test]
fn every_command_shows_a_diagnostic_at_column_65_578() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let text = long_program();
    let column = text.find("3x").expect("the duration") + 1;
    assert!(column > 65_535);
    std::fs::write(dir.path().join("long.nurture"), &text).expect("write");
    std::fs::write(dir.path().join("c.csv"), "id\nc1\n").expect("write");
    std::fs::write(dir.path().join("e.jsonl"), "").expect("write");
    let commands: [&[&str]; 7] = [
        &["check", "long.nurture"],
        &["check", "--summary", "long.nurture"],
        &["compile", "long.nurture"],
        &["graph", "long.nurture"],
        &[
            "replay",
            "long.nurture",
            "--customers",
            "c.csv",
            "--events",
            "e.jsonl",
        ],
        &["simulate", "long.nurture"],
        &["fmt", "--check", "long.nurture"],
    ];
    for args in commands {
        let output = nurture(dir.path(), args);
        assert_reported(&output, column);
    }
}

/// A behaviour model whose line holds a 70,000-character text before the
/// mistake.
#[test]
fn a_behaviour_model_with_a_long_line() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let toml = format!(
        "[channel.email]\nopen = {{ properties = {{ note = \"{}\" }}, chance = 7.0, after = \"5h\", p90 = \"2d\" }}\n",
        "a".repeat(70_000)
    );
    let column = toml
        .lines()
        .nth(1)
        .and_then(|l| l.find("7.0"))
        .expect("the chance")
        + 1;
    std::fs::write(dir.path().join("long.toml"), &toml).expect("write");
    let program =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("programs/welcome_new_customer.nurture");
    let program = program.to_string_lossy();
    let output = nurture(
        dir.path(),
        &["simulate", &program, "--behavior", "long.toml"],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.contains(&format!("long.toml:2:{column}]")),
        "{stderr}"
    );
    assert!(
        stderr.contains("a chance of 7 is not between 0 and 1"),
        "{stderr}"
    );
}
