//! `nurture check --summary`, through the binary: the facts in human and
//! JSON output, and nothing for a program with errors.

use serde_json::Value;
use std::process::Command;

const PROGRAM: &str = r#"program welcome {
  kind    welcome
  owner   "crm@example.com"
  trigger event signup
  consent email
  goal    purchase where amount >= 100 within 30d

  step hello {
    send email "welcome-1"
    wait up to 3d for click {
      click   -> offer
      timeout -> exit quiet
    }
  }
  step offer {
    send email "welcome-offer"
    wait up to 7d for purchase {
      purchase -> exit small_order
      timeout  -> exit not_yet
    }
  }
}
"#;

const BROKEN: &str = "program broken {\n  kind welcome\n  owner \"x\"\n  trigger event signup\n  step a { -> nowhere }\n}\n";

fn run(args: &[&str]) -> (i32, String) {
    let dir = tempfile::tempdir().expect("temporary folder");
    std::fs::write(dir.path().join("welcome.nurture"), PROGRAM).expect("write");
    std::fs::write(dir.path().join("broken.nurture"), BROKEN).expect("write");
    let output = Command::new(env!("CARGO_BIN_EXE_nurture"))
        .args(args)
        .current_dir(dir.path())
        .env_remove("NO_COLOR")
        .env("COLUMNS", "80")
        .output()
        .expect("run nurture");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[test]
fn human_summary_lists_the_facts_of_each_clean_program() {
    let (code, stdout) = run(&["check", "--summary", "--color", "never", "welcome.nurture"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!(stdout, @r"
    1 file is clean.

    welcome.nurture: program `welcome`
      messages  at most 2 (email 2)
      stay      at most 10d
      outcomes  converted, not_yet, quiet, small_order
      goal      `purchase` within 30d; quickest with no waiting: hello → offer waits for `purchase`
    ");
}

#[test]
fn json_summary_holds_the_same_facts() {
    let (code, stdout) = run(&[
        "check",
        "--summary",
        "--output-format",
        "json",
        "welcome.nurture",
    ]);
    assert_eq!(code, 0);
    let document: Value = serde_json::from_str(&stdout).expect("valid JSON");
    let program = &document["programs"][0];
    assert_eq!(program["file"], "welcome.nurture");
    assert_eq!(program["program"], "welcome");
    assert_eq!(program["messages"]["total"], 2);
    assert_eq!(program["messages"]["per_channel"]["email"], 2);
    // The click may come just before the 3d are up; then the offer's 7d.
    assert_eq!(program["longest_stay"]["minutes"], 10 * 24 * 60);
    assert_eq!(program["goal"]["quickest"]["steps"][1], "offer");
}

#[test]
fn no_summary_for_a_program_with_errors_and_none_without_the_flag() {
    let (code, stdout) = run(&["check", "--summary", "--output-format", "json", "."]);
    assert_eq!(code, 1);
    let document: Value = serde_json::from_str(&stdout).expect("valid JSON");
    let programs = document["programs"].as_array().expect("programs");
    assert_eq!(programs.len(), 1);
    assert_eq!(programs[0]["file"], "./welcome.nurture");

    let (_, stdout) = run(&["check", "--output-format", "json", "welcome.nurture"]);
    let document: Value = serde_json::from_str(&stdout).expect("valid JSON");
    assert!(document.get("programs").is_none());
}

/// The sample summary in docs/ci.md is what `nurture check programs
/// --summary` prints on the bundled programs: each block of the sample
/// (separated by blank lines) is a block of the real output.
#[test]
fn ci_docs_sample_summary_is_the_real_output() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let docs = std::fs::read_to_string(root.join("docs/ci.md")).expect("read docs/ci.md");
    let start = docs
        .find("```text\n")
        .expect("docs/ci.md has a text sample")
        + "```text\n".len();
    let sample = &docs[start..start + docs[start..].find("```").expect("closed")];
    let output = Command::new(env!("CARGO_BIN_EXE_nurture"))
        .args(["check", "programs", "--summary", "--color", "never"])
        .current_dir(root)
        .output()
        .expect("run nurture");
    assert_eq!(output.status.code(), Some(0));
    let real = String::from_utf8_lossy(&output.stdout).into_owned();
    let blocks: Vec<&str> = real.split("\n\n").map(str::trim_end).collect();
    for block in sample.split("\n\n").map(str::trim_end) {
        assert!(
            blocks.contains(&block),
            "docs/ci.md shows\n{block}\nbut `nurture check programs --summary` prints\n{real}"
        );
    }
}

/// The install lines the docs give for CI work in a user's repository of
/// programs, not only in a clone of nurture (`--path .`).
#[test]
fn ci_install_lines_work_outside_this_repository() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for doc in ["README.md", "docs/ci.md"] {
        let text = std::fs::read_to_string(root.join(doc)).expect("read");
        for line in text
            .lines()
            .filter(|l| l.trim_start().starts_with("- run: cargo install"))
        {
            assert!(
                line.contains("--git https://github.com/"),
                "{doc}: `{line}` only works inside the nurture repository"
            );
        }
        assert!(text.contains("cargo install --locked --git"), "{doc}");
    }
}
