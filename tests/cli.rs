//! The `nurture` command as a user runs it: the real binary, in a temporary
//! folder holding copied fixtures, so the paths in its output are short,
//! relative and the same on every machine.
//!
//! Each snapshot records the exit code, stdout and stderr together. The exit
//! code is also asserted on its own, and the machine formats (JSON, SARIF,
//! GitHub) are read back and checked field by field, so a snapshot accepted
//! in a hurry cannot hide a broken contract.

use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// Clean: every clause a checker looks for, nothing wrong.
const CLEAN: &str = r#"program welcome {
  title   "Welcome new customers"
  kind    welcome
  owner   "crm-team@example.com"
  trigger event signup
  consent email

  step hello {
    send email "welcome-1"
    exit welcomed
  }
}
"#;

/// Three errors in one file: a duplicate `title` (N101, line 3), an unknown
/// kind (N010, line 4) and a malformed duration (N006, line 10).
const ERRORS: &str = r#"program broken {
  title "Win back customers"
  title "Win back lost customers"
  kind  wakeup
  owner "crm-team@example.com"
  trigger no purchase for 180d
  consent email
  step hello {
    send email "we-miss-you"
    wait 1.5d
    exit done
  }
}
"#;

/// Only a warning: no `owner` (N109).
const WARNING: &str = r#"program ownerless {
  title   "Nobody's program"
  kind    welcome
  trigger event signup
  consent email
  step hello {
    send email "welcome-1"
    exit welcomed
  }
}
"#;

/// A customer schema that CLEAN is clean against.
const SCHEMA: &str = r#"schema {
  attribute tier: gold | silver | bronze
  event signup
  event purchase { amount: number }
  channel email
}
"#;

/// Two names SCHEMA does not have: an event (N204) and a choice (N211).
const NAMES: &str = r#"program welcome {
  title    "Welcome new customers"
  kind     welcome
  owner    "crm-team@example.com"
  trigger  event sign_up
  audience tier == platinum
  consent  email

  step hello {
    send email "welcome-1"
    exit welcomed
  }
}
"#;

/// What a run without a schema says on stderr, once.
const NO_SCHEMA: &str = "nurture: note: no schema found (schema.nurture beside the programs, or --schema PATH); names and values were not checked\n";

/// `text` with the `file:` URI of the folder a run was in (SARIF's
/// `%SRCROOT%`) written as `file:///SANDBOX/`, which is the same every run.
fn without_sandbox(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("\"file:///") {
        out.push_str(&rest[..at]);
        let end = rest[at + 1..].find('"').map_or(rest.len(), |e| at + 2 + e);
        out.push_str("\"file:///SANDBOX/\"");
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// A temporary folder to run `nurture` in.
struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        Sandbox {
            dir: tempfile::tempdir().expect("create a temporary folder"),
        }
    }

    /// A sandbox holding `files`, each given as (relative path, contents).
    fn with(files: &[(&str, &[u8])]) -> Sandbox {
        let sandbox = Sandbox::new();
        for (path, contents) in files {
            sandbox.write(path, contents);
        }
        sandbox
    }

    fn write(&self, path: &str, contents: &[u8]) {
        let path = self.dir.path().join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create the fixture's folder");
        }
        std::fs::write(&path, contents).expect("write the fixture");
    }

    fn mkdir(&self, path: &str) {
        std::fs::create_dir_all(self.dir.path().join(path)).expect("create a folder");
    }

    /// `nurture ARGS` in the sandbox, with an environment that cannot change
    /// the output: no colour variables, no terminal type, 80 columns.
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_nurture"));
        command
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR")
            .env_remove("CLICOLOR_FORCE")
            .env_remove("TERM")
            .env("COLUMNS", "80");
        command
    }

    fn run(&self, args: &[&str]) -> Run {
        Run::of(&mut self.command(args))
    }

    /// `nurture ARGS` with `folder` (inside the sandbox) as the current folder.
    fn run_in(&self, folder: &str, args: &[&str]) -> Run {
        Run::of(self.command(args).current_dir(self.dir.path().join(folder)))
    }
}

/// What one run of the binary did.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn of(command: &mut Command) -> Run {
        let output = command.output().expect("run the nurture binary");
        let code = output
            .status
            .code()
            .unwrap_or_else(|| panic!("nurture was killed by a signal: {:?}", output.status));
        Run {
            code,
            stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
        }
    }

    /// Exit code, stdout and stderr as one text, for a snapshot.
    fn transcript(&self) -> String {
        format!(
            "exit: {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|error| panic!("stdout is not JSON ({error}):\n{}", self.stdout))
    }

    #[track_caller]
    fn assert_code(&self, expected: i32) {
        assert_eq!(
            self.code,
            expected,
            "unexpected exit code\n{}",
            self.transcript()
        );
    }
}

/// Checks one GitHub workflow command line and returns its properties (in
/// order) and its message.
#[track_caller]
fn github_command(line: &str, severity: &str) -> (Vec<(String, String)>, String) {
    let rest = line
        .strip_prefix(&format!("::{severity} "))
        .unwrap_or_else(|| panic!("not a `::{severity}` command: {line}"));
    let (properties, message) = rest
        .split_once("::")
        .unwrap_or_else(|| panic!("no `::` before the message: {line}"));
    let properties: Vec<(String, String)> = properties
        .split(',')
        .map(|property| {
            let (key, value) = property
                .split_once('=')
                .unwrap_or_else(|| panic!("property without `=`: {property} in {line}"));
            (key.to_string(), value.to_string())
        })
        .collect();
    let keys: Vec<&str> = properties.iter().map(|(key, _)| key.as_str()).collect();
    assert_eq!(
        keys,
        ["file", "line", "col", "endLine", "endColumn", "title"],
        "{line}"
    );
    for (key, value) in &properties[1..5] {
        let number: usize = value
            .parse()
            .unwrap_or_else(|_| panic!("{key}={value} is not a number in {line}"));
        assert!(number >= 1, "{key} is 1-based in {line}");
    }
    assert!(!message.contains('\n') && !message.contains('\r'), "{line}");
    (properties, message.to_string())
}

fn codes(document: &Value) -> Vec<&str> {
    document["diagnostics"]
        .as_array()
        .expect("`diagnostics` is a list")
        .iter()
        .map(|diagnostic| diagnostic["code"].as_str().expect("`code` is a string"))
        .collect()
}

// ---------------------------------------------------------------------------
// A clean program, in each format.

#[test]
fn clean_program_human() {
    let sandbox = Sandbox::with(&[("welcome.nurture", CLEAN.as_bytes())]);
    let run = sandbox.run(&["check", "welcome.nurture", "--color", "never"]);
    run.assert_code(0);
    assert_eq!(run.stdout, "1 file is clean.\n");
    insta::assert_snapshot!("clean_program_human", run.transcript());
}

#[test]
fn clean_program_json() {
    let sandbox = Sandbox::with(&[("welcome.nurture", CLEAN.as_bytes())]);
    let run = sandbox.run(&["check", "welcome.nurture", "--output-format", "json"]);
    run.assert_code(0);
    let document = run.json();
    assert_eq!(document["format_version"], 1);
    assert_eq!(document["tool"]["name"], "nurture");
    assert_eq!(document["files_checked"], 1);
    assert_eq!(document["summary"]["errors"], 0);
    assert_eq!(document["summary"]["warnings"], 0);
    assert_eq!(document["diagnostics"], Value::Array(Vec::new()));
    insta::assert_snapshot!("clean_program_json", run.transcript());
}

#[test]
fn clean_program_github() {
    let sandbox = Sandbox::with(&[("welcome.nurture", CLEAN.as_bytes())]);
    let run = sandbox.run(&["check", "welcome.nurture", "--output-format", "github"]);
    run.assert_code(0);
    assert_eq!(run.stdout, "", "no annotations for a clean program");
    insta::assert_snapshot!("clean_program_github", run.transcript());
}

#[test]
fn clean_program_sarif() {
    let sandbox = Sandbox::with(&[("welcome.nurture", CLEAN.as_bytes())]);
    let run = sandbox.run(&["check", "welcome.nurture", "--output-format", "sarif"]);
    run.assert_code(0);
    let log = run.json();
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(log["runs"].as_array().map(Vec::len), Some(1));
    let run_0 = &log["runs"][0];
    assert_eq!(run_0["tool"]["driver"]["name"], "nurture");
    assert_eq!(run_0["results"], Value::Array(Vec::new()));
    // Every code is a rule, so code scanning can explain any alert.
    let rules: Vec<&str> = run_0["tool"]["driver"]["rules"]
        .as_array()
        .expect("`rules` is a list")
        .iter()
        .filter_map(|rule| rule["id"].as_str())
        .collect();
    let all: Vec<&str> = nurture::codes::Code::ALL.iter().map(|c| c.id()).collect();
    assert_eq!(rules, all);
    insta::assert_snapshot!("clean_program_sarif", without_sandbox(&run.transcript()));
}

// ---------------------------------------------------------------------------
// A program with three errors, in each format.

#[test]
fn errors_human() {
    let sandbox = Sandbox::with(&[("broken.nurture", ERRORS.as_bytes())]);
    let run = sandbox.run(&["check", "broken.nurture", "--color", "never"]);
    run.assert_code(1);
    assert!(
        !run.stdout.contains('\u{1b}'),
        "no colour with --color never"
    );
    assert!(run.stdout.ends_with("Found 3 errors in 1 file.\n"));
    insta::assert_snapshot!("errors_human", run.transcript());
}

#[test]
fn errors_json() {
    let sandbox = Sandbox::with(&[("broken.nurture", ERRORS.as_bytes())]);
    let run = sandbox.run(&["check", "broken.nurture", "--output-format", "json"]);
    run.assert_code(1);
    let document = run.json();
    assert_eq!(document["format_version"], 1);
    assert_eq!(document["files_checked"], 1);
    assert_eq!(document["summary"]["errors"], 3);
    assert_eq!(document["summary"]["warnings"], 0);
    assert_eq!(codes(&document), ["N101", "N010", "N006"]);

    let expected = [
        // (code, name, start line, start column, end line, end column)
        ("N101", "duplicate-clause", 3, 3, 3, 34),
        ("N010", "unknown-kind", 4, 9, 4, 15),
        ("N006", "malformed-duration", 10, 10, 10, 14),
    ];
    for (diagnostic, (code, name, line, column, end_line, end_column)) in document["diagnostics"]
        .as_array()
        .expect("`diagnostics` is a list")
        .iter()
        .zip(expected)
    {
        assert_eq!(diagnostic["file"], "broken.nurture");
        assert_eq!(diagnostic["code"], code);
        assert_eq!(diagnostic["name"], name);
        assert_eq!(diagnostic["severity"], "error");
        assert_eq!(diagnostic["start"]["line"], line, "{code}");
        assert_eq!(diagnostic["start"]["column"], column, "{code}");
        assert_eq!(diagnostic["end"]["line"], end_line, "{code}");
        assert_eq!(diagnostic["end"]["column"], end_column, "{code}");
        assert!(diagnostic["help"].is_string(), "{code} has a help line");
    }
    // The duplicate points back at the first `title` too.
    let labels = &document["diagnostics"][0]["labels"];
    assert_eq!(labels.as_array().map(Vec::len), Some(2));
    assert_eq!(labels[1]["start"]["line"], 2);
    // Offsets agree with the text: the N006 span is exactly `1.5d`.
    let n006 = &document["diagnostics"][2];
    let start = n006["start"]["offset"].as_u64().expect("offset") as usize;
    let end = n006["end"]["offset"].as_u64().expect("offset") as usize;
    assert_eq!(&ERRORS[start..end], "1.5d");
    insta::assert_snapshot!("errors_json", run.transcript());
}

#[test]
fn errors_github() {
    let sandbox = Sandbox::with(&[("broken.nurture", ERRORS.as_bytes())]);
    let run = sandbox.run(&["check", "broken.nurture", "--output-format", "github"]);
    run.assert_code(1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines.len(),
        3,
        "one annotation per diagnostic:\n{}",
        run.stdout
    );
    assert!(lines[0].starts_with(
        "::error file=broken.nurture,line=3,col=3,endLine=3,endColumn=34,\
         title=N101 duplicate-clause::"
    ));
    let titles: Vec<String> = lines
        .iter()
        .map(|line| {
            let (properties, message) = github_command(line, "error");
            assert_eq!(properties[0].1, "broken.nurture");
            // The help travels in the message, after an escaped line break.
            assert!(message.contains("%0Ahelp: "), "{line}");
            properties[5].1.clone()
        })
        .collect();
    assert_eq!(
        titles,
        [
            "N101 duplicate-clause",
            "N010 unknown-kind",
            "N006 malformed-duration"
        ]
    );
    insta::assert_snapshot!("errors_github", run.transcript());
}

/// GitHub matches an annotation by the path from the repository's root:
/// `./broken.nurture` and an absolute path inside the checkout are written
/// as `broken.nurture`.
#[test]
fn github_paths_are_relative_to_the_repository() {
    let sandbox = Sandbox::with(&[("broken.nurture", ERRORS.as_bytes())]);
    let files = |run: &Run| -> Vec<String> {
        run.stdout
            .lines()
            .map(|line| github_command(line, "error").0[0].1.clone())
            .collect()
    };
    let run = Run::of(
        sandbox
            .command(&["check", "./broken.nurture", "--output-format", "github"])
            .env_remove("GITHUB_WORKSPACE"),
    );
    run.assert_code(1);
    assert_eq!(files(&run), ["broken.nurture"; 3]);
    let inside = sandbox.dir.path().join("broken.nurture");
    let run = Run::of(
        sandbox
            .command(&[
                "check",
                &inside.to_string_lossy(),
                "--output-format",
                "github",
            ])
            .env("GITHUB_WORKSPACE", sandbox.dir.path()),
    );
    run.assert_code(1);
    assert_eq!(files(&run), ["broken.nurture"; 3]);
}

#[test]
fn errors_sarif() {
    let sandbox = Sandbox::with(&[("broken.nurture", ERRORS.as_bytes())]);
    let run = sandbox.run(&["check", "broken.nurture", "--output-format", "sarif"]);
    run.assert_code(1);
    let log = run.json();
    assert_eq!(log["version"], "2.1.0");
    let sarif_run = &log["runs"][0];
    assert_eq!(sarif_run["columnKind"], "unicodeCodePoints");
    let rules = &sarif_run["tool"]["driver"]["rules"];
    let results = sarif_run["results"]
        .as_array()
        .expect("`results` is a list");
    let found: Vec<(&str, u64, u64, &str)> = results
        .iter()
        .map(|result| {
            let rule_id = result["ruleId"].as_str().expect("ruleId");
            // ruleIndex points at the rule with that id.
            let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
            assert_eq!(rules[index]["id"], rule_id);
            let location = &result["locations"][0]["physicalLocation"];
            let region = &location["region"];
            (
                rule_id,
                region["startLine"].as_u64().expect("startLine"),
                region["startColumn"].as_u64().expect("startColumn"),
                location["artifactLocation"]["uri"].as_str().expect("uri"),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("N101", 3, 3, "broken.nurture"),
            ("N010", 4, 9, "broken.nurture"),
            ("N006", 10, 10, "broken.nurture"),
        ]
    );
    assert!(results.iter().all(|result| result["level"] == "error"));
    // The first `title` is a related location of the duplicate.
    assert_eq!(
        results[0]["relatedLocations"][0]["physicalLocation"]["region"]["startLine"],
        2
    );
    insta::assert_snapshot!("errors_sarif", without_sandbox(&run.transcript()));
}

// ---------------------------------------------------------------------------
// Warnings, with and without --deny-warnings.

#[test]
fn warning_alone_passes() {
    let sandbox = Sandbox::with(&[("ownerless.nurture", WARNING.as_bytes())]);
    let run = sandbox.run(&["check", "ownerless.nurture", "--color", "never"]);
    run.assert_code(0);
    assert!(run.stdout.contains("N109 (missing-owner)"));
    insta::assert_snapshot!("warning_alone_passes", run.transcript());
}

#[test]
fn warning_fails_with_deny_warnings() {
    let sandbox = Sandbox::with(&[("ownerless.nurture", WARNING.as_bytes())]);
    let run = sandbox.run(&[
        "check",
        "ownerless.nurture",
        "--color",
        "never",
        "--deny-warnings",
    ]);
    run.assert_code(1);
    assert!(run.stdout.contains("N109 (missing-owner)"));
    insta::assert_snapshot!("warning_fails_with_deny_warnings", run.transcript());
}

#[test]
fn warning_in_machine_formats() {
    let sandbox = Sandbox::with(&[("ownerless.nurture", WARNING.as_bytes())]);
    let run = sandbox.run(&["check", "ownerless.nurture", "--output-format", "json"]);
    run.assert_code(0);
    let document = run.json();
    assert_eq!(document["summary"]["errors"], 0);
    assert_eq!(document["summary"]["warnings"], 1);
    assert_eq!(document["diagnostics"][0]["severity"], "warning");

    let run = sandbox.run(&["check", "ownerless.nurture", "--output-format", "github"]);
    run.assert_code(0);
    let (properties, _) = github_command(run.stdout.trim_end(), "warning");
    assert_eq!(properties[5].1, "N109 missing-owner");

    let run = sandbox.run(&["check", "ownerless.nurture", "--output-format", "sarif"]);
    run.assert_code(0);
    assert_eq!(run.json()["runs"][0]["results"][0]["level"], "warning");
}

// ---------------------------------------------------------------------------
// Paths: missing, empty folders, folders, bad encodings.

#[test]
fn missing_path() {
    let sandbox = Sandbox::new();
    let run = sandbox.run(&["check", "missing.nurture", "--color", "never"]);
    run.assert_code(2);
    assert!(run.stderr.starts_with("nurture: error: "), "{}", run.stderr);
    insta::assert_snapshot!("missing_path", run.transcript());
}

#[test]
fn missing_path_next_to_a_good_one() {
    // The other paths are still checked, but the run is not clean.
    let sandbox = Sandbox::with(&[("welcome.nurture", CLEAN.as_bytes())]);
    let run = sandbox.run(&[
        "check",
        "missing.nurture",
        "welcome.nurture",
        "--color",
        "never",
    ]);
    run.assert_code(2);
    assert_eq!(run.stdout, "1 file is clean.\n");
    assert_eq!(
        run.stderr,
        format!(
            "nurture: error: cannot read `missing.nurture`: no such file or folder\n{NO_SCHEMA}"
        )
    );
}

#[test]
fn empty_folder() {
    let sandbox = Sandbox::new();
    sandbox.mkdir("empty");
    let run = sandbox.run(&["check", "empty", "--color", "never"]);
    run.assert_code(2);
    assert!(run.stderr.starts_with("nurture: error: "), "{}", run.stderr);
    insta::assert_snapshot!("empty_folder", run.transcript());
}

#[test]
fn folder_with_a_clean_and_a_bad_file() {
    let sandbox = Sandbox::new();
    // Written in reverse order, so the output's order is the sorting's.
    sandbox.write("programs/b_welcome.nurture", CLEAN.as_bytes());
    sandbox.write("programs/a_broken.nurture", ERRORS.as_bytes());
    // Not programs: another extension, and a hidden folder.
    sandbox.write("programs/notes.txt", b"not a program");
    sandbox.write("programs/.cache/stale.nurture", ERRORS.as_bytes());
    let run = sandbox.run(&["check", "programs", "--color", "never"]);
    run.assert_code(1);
    assert!(run.stdout.ends_with("Found 3 errors in 2 files.\n"));
    assert!(!run.stdout.contains("stale.nurture"));
    insta::assert_snapshot!("folder_with_a_clean_and_a_bad_file", run.transcript());

    let run = sandbox.run(&["check", "programs", "--output-format", "json"]);
    run.assert_code(1);
    let document = run.json();
    assert_eq!(document["files_checked"], 2);
    assert_eq!(document["summary"]["errors"], 3);
}

#[test]
fn folder_files_come_in_sorted_order() {
    let sandbox = Sandbox::new();
    for name in ["zeta", "alpha", "mu"] {
        sandbox.write(&format!("programs/{name}.nurture"), WARNING.as_bytes());
    }
    sandbox.write("programs/beta/inner.nurture", WARNING.as_bytes());
    let run = sandbox.run(&["check", "programs", "--output-format", "json"]);
    run.assert_code(0);
    let document = run.json();
    let files: Vec<&str> = document["diagnostics"]
        .as_array()
        .expect("`diagnostics` is a list")
        .iter()
        .filter_map(|diagnostic| diagnostic["file"].as_str())
        .collect();
    assert_eq!(
        files,
        [
            "programs/alpha.nurture",
            "programs/beta/inner.nurture",
            "programs/mu.nurture",
            "programs/zeta.nurture"
        ]
    );
}

#[test]
fn non_utf8_file() {
    // "Grüße" saved as Windows-1252: 0xFC and 0xDF are not UTF-8.
    let mut latin1 = b"program greeting {\n  title \"Gr".to_vec();
    latin1.extend_from_slice(&[0xFC, 0xDF]);
    latin1.extend_from_slice(b"e\"\n}\n");
    let sandbox = Sandbox::with(&[("latin1.nurture", &latin1)]);
    let run = sandbox.run(&["check", "latin1.nurture", "--color", "never"]);
    run.assert_code(1);
    insta::assert_snapshot!("non_utf8_file", run.transcript());

    let run = sandbox.run(&["check", "latin1.nurture", "--output-format", "json"]);
    run.assert_code(1);
    let document = run.json();
    assert_eq!(codes(&document), ["N004"]);
    // The first bad byte: line 2, after `  title "Gr`.
    assert_eq!(document["diagnostics"][0]["start"]["line"], 2);
    assert_eq!(document["diagnostics"][0]["start"]["column"], 12);
}

// ---------------------------------------------------------------------------
// `nurture explain`.

#[test]
fn explain_by_id() {
    let run = Sandbox::new().run(&["explain", "N101"]);
    run.assert_code(0);
    assert!(run.stdout.starts_with("# N101 duplicate-clause (error)\n"));
    insta::assert_snapshot!("explain_by_id", run.transcript());
}

#[test]
fn explain_by_name() {
    let sandbox = Sandbox::new();
    let run = sandbox.run(&["explain", "duplicate-clause"]);
    run.assert_code(0);
    assert_eq!(run.stdout, sandbox.run(&["explain", "N101"]).stdout);
    // Ids are found in any case.
    assert_eq!(run.stdout, sandbox.run(&["explain", "n101"]).stdout);
    insta::assert_snapshot!("explain_by_name", run.transcript());
}

#[test]
fn explain_lists_every_code() {
    let run = Sandbox::new().run(&["explain"]);
    run.assert_code(0);
    let listed: Vec<&str> = run
        .stdout
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    let all: Vec<&str> = nurture::codes::Code::ALL.iter().map(|c| c.id()).collect();
    assert_eq!(listed, all);
    insta::assert_snapshot!("explain_lists_every_code", run.transcript());
}

#[test]
fn explain_unknown_code() {
    let run = Sandbox::new().run(&["explain", "N999"]);
    run.assert_code(2);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.starts_with("nurture: error: "), "{}", run.stderr);
    insta::assert_snapshot!("explain_unknown_code", run.transcript());
}

// ---------------------------------------------------------------------------
// Usage.

#[test]
fn unknown_flag() {
    let sandbox = Sandbox::with(&[("welcome.nurture", CLEAN.as_bytes())]);
    let run = sandbox.run(&["check", "--frobnicate", "welcome.nurture"]);
    run.assert_code(2);
    assert_eq!(run.stdout, "", "nothing is checked");
    assert!(run.stderr.contains("--frobnicate"), "{}", run.stderr);
    insta::assert_snapshot!("unknown_flag", run.transcript());
}

#[test]
fn unknown_output_format() {
    let sandbox = Sandbox::with(&[("welcome.nurture", CLEAN.as_bytes())]);
    let run = sandbox.run(&["check", "welcome.nurture", "--output-format", "xml"]);
    run.assert_code(2);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("xml"), "{}", run.stderr);
}

#[test]
fn check_help() {
    let run = Sandbox::new().run(&["check", "--help"]);
    run.assert_code(0);
    assert_eq!(run.stderr, "");
    for flag in ["--output-format", "--color", "--deny-warnings"] {
        assert!(run.stdout.contains(flag), "help mentions {flag}");
    }
    insta::assert_snapshot!("check_help", run.transcript());
}

// ---------------------------------------------------------------------------
// Colour.

#[test]
fn color_always_colours() {
    let sandbox = Sandbox::with(&[("broken.nurture", ERRORS.as_bytes())]);
    let run = sandbox.run(&["check", "broken.nurture", "--color", "always"]);
    run.assert_code(1);
    assert!(run.stdout.contains("\u{1b}["), "{}", run.stdout);

    // `always` wins over NO_COLOR, as documented.
    let run = Run::of(
        sandbox
            .command(&["check", "broken.nurture", "--color", "always"])
            .env("NO_COLOR", "1"),
    );
    run.assert_code(1);
    assert!(run.stdout.contains("\u{1b}["), "{}", run.stdout);
}

#[test]
fn no_color_turns_auto_off() {
    // stdout is a pipe here, so `auto` would be colourless anyway; this pins
    // that NO_COLOR never adds colour, not that it removes it on a terminal.
    let sandbox = Sandbox::with(&[("broken.nurture", ERRORS.as_bytes())]);
    let run = Run::of(
        sandbox
            .command(&["check", "broken.nurture", "--color", "auto"])
            .env("NO_COLOR", "1"),
    );
    run.assert_code(1);
    assert!(!run.stdout.contains('\u{1b}'), "{}", run.stdout);
    assert!(run.stdout.contains("N101 (duplicate-clause)"));
}

// ---------------------------------------------------------------------------
// The bundled example programs.

#[test]
fn bundled_programs_are_clean() {
    let programs = Path::new(env!("CARGO_MANIFEST_DIR")).join("programs");
    let count = std::fs::read_dir(&programs)
        .expect("read programs/")
        .filter_map(Result::ok)
        .filter(|entry| entry.path().extension().is_some_and(|ext| ext == "nurture"))
        .count();
    assert!(count > 1, "programs/ holds the example programs");

    let run = Run::of(
        Sandbox::new()
            .command(&["check", "--color", "never"])
            .arg(&programs),
    );
    run.assert_code(0);
    assert_eq!(run.stdout, format!("All {count} files are clean.\n"));
    assert_eq!(run.stderr, "");

    let run = Run::of(
        Sandbox::new()
            .command(&["check", "--output-format", "json"])
            .arg(&programs),
    );
    run.assert_code(0);
    assert_eq!(run.json()["files_checked"], count);
}

// ---------------------------------------------------------------------------
// The customer schema: found beside the programs or above them, or named
// with --schema; without one, a note.

#[test]
fn schema_beside_the_program() {
    let sandbox = Sandbox::with(&[
        ("programs/schema.nurture", SCHEMA.as_bytes()),
        ("programs/welcome.nurture", NAMES.as_bytes()),
    ]);
    let run = sandbox.run(&["check", "programs/welcome.nurture", "--color", "never"]);
    run.assert_code(1);
    assert!(
        run.stdout.contains("N204 (unknown-event)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("N211 (unknown-choice)"),
        "{}",
        run.stdout
    );
    assert_eq!(run.stderr, "", "a schema was found: no note");
    insta::assert_snapshot!("schema_beside_the_program", run.transcript());
}

#[test]
fn schema_in_a_folder_above() {
    let sandbox = Sandbox::with(&[
        ("schema.nurture", SCHEMA.as_bytes()),
        ("programs/welcome/names.nurture", NAMES.as_bytes()),
    ]);
    let run = sandbox.run(&["check", "programs", "--output-format", "json"]);
    run.assert_code(1);
    assert_eq!(codes(&run.json()), ["N204", "N211"]);
    assert_eq!(run.stderr, "");
}

#[test]
fn schema_nearest_the_program_wins() {
    // The folder's own schema knows `sign_up` and `platinum`; the one above does not.
    let near = SCHEMA
        .replace("event signup", "event sign_up")
        .replace("gold |", "platinum | gold |");
    let sandbox = Sandbox::with(&[
        ("schema.nurture", SCHEMA.as_bytes()),
        ("programs/schema.nurture", near.as_bytes()),
        ("programs/welcome.nurture", NAMES.as_bytes()),
    ]);
    let run = sandbox.run(&["check", "programs/welcome.nurture", "--color", "never"]);
    run.assert_code(0);
    assert_eq!(run.stdout, "1 file is clean.\n");
    assert_eq!(run.stderr, "");
}

#[test]
fn schema_flag() {
    let sandbox = Sandbox::with(&[
        ("crm/customers.nurture", SCHEMA.as_bytes()),
        ("welcome.nurture", NAMES.as_bytes()),
    ]);
    let run = sandbox.run(&[
        "check",
        "welcome.nurture",
        "--schema",
        "crm/customers.nurture",
        "--output-format",
        "json",
    ]);
    run.assert_code(1);
    assert_eq!(codes(&run.json()), ["N204", "N211"]);
    assert_eq!(run.stderr, "");
}

#[test]
fn no_schema_is_a_note_said_once() {
    let sandbox = Sandbox::with(&[
        ("programs/a.nurture", CLEAN.as_bytes()),
        ("programs/b.nurture", NAMES.as_bytes()),
    ]);
    let run = sandbox.run(&["check", "programs", "--color", "never"]);
    // Not a finding: the names go unchecked and the run is clean.
    run.assert_code(0);
    assert_eq!(run.stdout, "All 2 files are clean.\n");
    assert_eq!(run.stderr, NO_SCHEMA);
    insta::assert_snapshot!("no_schema_is_a_note_said_once", run.transcript());
}

#[test]
fn schema_files_are_checked_as_schemas() {
    let sandbox = Sandbox::with(&[
        ("programs/schema.nurture", SCHEMA.as_bytes()),
        ("programs/welcome.nurture", CLEAN.as_bytes()),
    ]);
    let run = sandbox.run(&["check", "programs", "--color", "never"]);
    run.assert_code(0);
    assert_eq!(run.stdout, "All 2 files are clean.\n");
    assert_eq!(run.stderr, "");

    // A schema alone needs no schema: no note.
    let run = sandbox.run(&["check", "programs/schema.nurture", "--color", "never"]);
    run.assert_code(0);
    assert_eq!(run.stderr, "");
}

#[test]
fn schema_is_not_looked_for_above_the_current_folder() {
    let sandbox = Sandbox::with(&[
        ("schema.nurture", SCHEMA.as_bytes()),
        ("work/programs/welcome.nurture", NAMES.as_bytes()),
    ]);
    let run = sandbox.run_in("work", &["check", "programs", "--color", "never"]);
    run.assert_code(0);
    assert_eq!(run.stderr, NO_SCHEMA);
}

#[test]
fn missing_schema_flag() {
    let sandbox = Sandbox::with(&[("welcome.nurture", CLEAN.as_bytes())]);
    let run = sandbox.run(&[
        "check",
        "welcome.nurture",
        "--schema",
        "missing.nurture",
        "--color",
        "never",
    ]);
    run.assert_code(2);
    assert_eq!(run.stdout, "1 file is clean.\n");
    insta::assert_snapshot!("missing_schema_flag", run.transcript());
}

#[test]
fn schema_with_mistakes_is_not_used() {
    let broken = SCHEMA.replace("attribute tier: gold", "attribute tier gold");
    let sandbox = Sandbox::with(&[
        ("programs/schema.nurture", broken.as_bytes()),
        ("programs/a.nurture", NAMES.as_bytes()),
        ("programs/b.nurture", NAMES.as_bytes()),
    ]);
    let run = sandbox.run(&[
        "check",
        "programs/a.nurture",
        "programs/b.nurture",
        "--color",
        "never",
    ]);
    // Half a schema would report names that are only missing because of
    // the mistake: the run says so once and fails.
    run.assert_code(2);
    assert_eq!(run.stdout, "All 2 files are clean.\n");
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    insta::assert_snapshot!("schema_with_mistakes_is_not_used", run.transcript());

    // Checked as a file of its own, its mistakes are shown.
    let run = sandbox.run(&["check", "programs", "--output-format", "json"]);
    run.assert_code(2);
    assert_eq!(codes(&run.json()), ["N001"]);
}

#[test]
fn a_program_named_as_the_schema() {
    let sandbox = Sandbox::with(&[("welcome.nurture", CLEAN.as_bytes())]);
    let run = sandbox.run(&["check", "welcome.nurture", "--schema", "welcome.nurture"]);
    run.assert_code(2);
    assert_eq!(
        run.stderr,
        "nurture: error: `welcome.nurture` holds a program, not a schema; names and values were not checked against it\n"
    );
}

impl Sandbox {
    /// `nurture ARGS` with `input` on standard input.
    fn run_with_stdin(&self, args: &[&str], input: &str) -> Run {
        use std::io::Write as _;
        let mut child = self
            .command(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run nurture");
        if let Some(mut stdin) = child.stdin.take() {
            // A run refused before it reads (`check - other`, exit 2) may
            // have closed its standard input already: no failure of ours.
            if let Err(error) = stdin.write_all(input.as_bytes()) {
                assert_eq!(
                    error.kind(),
                    std::io::ErrorKind::BrokenPipe,
                    "write standard input: {error}"
                );
            }
        }
        Run::of_output(child.wait_with_output().expect("wait for nurture"))
    }
}

impl Run {
    fn of_output(output: std::process::Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// `nurture check -` reads the program from standard input, as `fmt -`
/// does; `--stdin-filename` names it in every message and says where its
/// schema is (an editor checking an unsaved buffer passes the file's path).
#[test]
fn check_reads_standard_input_under_the_name_it_is_given() {
    let sandbox = Sandbox::with(&[("team/schema.nurture", SCHEMA.as_bytes())]);
    let run = sandbox.run_with_stdin(
        &[
            "check",
            "-",
            "--stdin-filename",
            "team/welcome.nurture",
            "--output-format",
            "json",
        ],
        NAMES,
    );
    run.assert_code(1);
    let document = run.json();
    let codes: Vec<&str> = document["diagnostics"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|d| {
            assert_eq!(d["file"], "team/welcome.nurture");
            d["code"].as_str().unwrap_or("")
        })
        .collect();
    // The schema beside the named file was used: the names are checked.
    assert_eq!(codes, ["N204", "N211"], "{document}");
    assert_eq!(run.stderr, "");

    let run = sandbox.run_with_stdin(&["check", "-"], CLEAN);
    run.assert_code(0);
    assert!(run.stdout.contains("1 file is clean."), "{}", run.stdout);
    let run = sandbox.run_with_stdin(
        &[
            "check",
            "-",
            "--schema",
            "team/schema.nurture",
            "--output-format",
            "github",
        ],
        NAMES,
    );
    assert!(
        run.stdout.starts_with("::error file=<stdin>,line=5,"),
        "{}",
        run.stdout
    );

    let run = sandbox.run_with_stdin(&["check", "-", "team/schema.nurture"], CLEAN);
    run.assert_code(2);
    assert!(
        run.stderr
            .contains("cannot be checked together with other paths"),
        "{}",
        run.stderr
    );
    let run = sandbox.run(&["check", "--stdin-filename", "a.nurture", "team"]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("give `-` as the path"),
        "{}",
        run.stderr
    );
}

/// A folder walk follows a link to a `.nurture` file like the file, and
/// does not follow a link to a folder (a loop of links cannot make it
/// endless): a note says what was not searched, and a link that leads
/// nowhere is said too. `fmt` through a link rewrites the file it points at
/// and leaves the link a link.
#[cfg(unix)]
#[test]
fn folder_walks_follow_file_links_and_say_what_they_skip() {
    use std::os::unix::fs::symlink;
    let sandbox = Sandbox::with(&[
        ("shared/welcome.nurture", CLEAN.as_bytes()),
        ("team/schema.nurture", SCHEMA.as_bytes()),
        ("shared/schema.nurture", SCHEMA.as_bytes()),
    ]);
    let root = sandbox.dir.path();
    symlink(
        "../shared/welcome.nurture",
        root.join("team/welcome.nurture"),
    )
    .expect("link");
    symlink("../shared", root.join("team/everything")).expect("link");
    symlink("../team", root.join("shared/back")).expect("link");
    symlink("gone.nurture", root.join("team/gone.nurture")).expect("link");
    let run = sandbox.run(&["check", "--output-format", "json", "team"]);
    run.assert_code(0);
    assert_eq!(run.json()["files_checked"], 2, "the link and the schema");
    assert_eq!(
        run.stderr,
        "nurture: note: `team/everything` is a link to a folder, which is not searched; name it as a path to check what it holds\n\
         nurture: note: `team/gone.nurture` is a link that leads nowhere; skipped\n"
    );
    // The loop back (shared/back -> team -> everything -> shared) is cut.
    let run = sandbox.run(&["check", "--output-format", "json", "shared"]);
    run.assert_code(0);
    assert_eq!(run.json()["files_checked"], 2);
    assert!(
        run.stderr.contains("`shared/back` is a link to a folder"),
        "{}",
        run.stderr
    );

    let messy = CLEAN.replace("\n  ", "\n");
    sandbox.write("shared/welcome.nurture", messy.as_bytes());
    let expected = sandbox.run_with_stdin(&["fmt", "-"], &messy).stdout;
    assert_ne!(expected, messy);
    let run = sandbox.run(&["fmt", "team/welcome.nurture"]);
    run.assert_code(0);
    let link = std::fs::symlink_metadata(root.join("team/welcome.nurture")).expect("stat");
    assert!(link.file_type().is_symlink(), "the link stays a link");
    let formatted = std::fs::read_to_string(root.join("shared/welcome.nurture")).expect("read");
    assert_eq!(formatted, expected);
}
