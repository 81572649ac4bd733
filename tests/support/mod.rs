//! What several test files share: the built binary run in a folder, and a
//! temporary folder of files written for a test. Included with `mod support;`;
//! each test file uses what it needs.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

/// The outcome of one run of the binary.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// What a finished run of the binary gave: its exit code and its
    /// output as text.
    pub fn of(output: &std::process::Output) -> Run {
        Run {
            code: output.status.code().expect("an exit code"),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// `nurture ARGS…` in `dir`, colourless, at a fixed width.
pub fn nurture(dir: &Path, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_nurture"))
        .args(args)
        .current_dir(dir)
        .env("COLUMNS", "80")
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .output()
        .expect("run nurture");
    Run::of(&output)
}

/// A temporary folder holding `files` (name, text); names may hold `/`.
pub fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (name, text) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("a folder");
        }
        std::fs::write(path, text).expect("write a file");
    }
    dir
}

/// The repository's root, where `programs/` and `tests/fixtures/` are.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `nurture ARGS…` in `dir` without colour: exit code (-1 when killed by
/// a signal), stdout, stderr.
pub fn outcome(args: &[&str], dir: &Path) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_nurture"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run nurture");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A file of the repository, as text.
pub fn read(relative: &str) -> String {
    std::fs::read_to_string(root().join(relative))
        .unwrap_or_else(|e| panic!("read {relative}: {e}"))
}

/// A schema with caps across programs, for the checks and runtimes of
/// programs together.
pub const CAPPED_SCHEMA: &str = "schema {
  channel email
  channel sms
  event signup
  event click
  cap 3 messages per 7d
  cap 1 sms per 7d
}
";

/// Two mails a day apart, once (`reentry never`).
pub const WELCOME: &str = r#"program welcome {
  kind     welcome
  owner    "crm-team@example.com"
  trigger  event signup
  consent  email
  reentry  never

  step hello {
    send email "welcome-1"
    wait 1d
    send email "welcome-2"
    exit welcomed
  }
}
"#;

/// [`WELCOME`] named `name`, its one step `hello` doing `body` instead
/// (statements, one a line, indented as in a step).
pub fn welcome_doing(name: &str, body: &str) -> String {
    let (head, _) = WELCOME
        .split_once("  step hello {\n")
        .expect("WELCOME has a step hello");
    let head = head.replacen("program welcome", &format!("program {name}"), 1);
    format!("{head}  step hello {{\n{body}  }}\n}}\n")
}

/// A mail and a text, again a day after leaving: 8 journeys within 7d.
pub const NUDGE: &str = r#"program nudge {
  kind     welcome
  owner    "crm-team@example.com"
  trigger  event click
  consent  email
  reentry  after 1d

  step hello {
    send email "nudge"
    send sms "nudge-sms" if consent sms
    exit nudged
  }
}
"#;

/// `text` with every run of white space one space: a sentence of the human
/// report found whichever column its long line is wrapped at.
pub fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
