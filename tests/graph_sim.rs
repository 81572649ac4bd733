//! `nurture graph --sim REPORT.json`: a simulator report's counts written on
//! the chart, and every way a report can be wrong refused with a message
//! that names the file (and the field), never a panic.
//!
//! Runs the real binary in a temporary folder, so paths in messages are
//! short and the same on every machine; snapshots hold exit code, stdout and
//! stderr together.

use std::process::Command;

const PROGRAM: &str = r#"program wake_up {
  kind    wake_up
  trigger no purchase for 180d
  consent email

  step hello {
    split {
      50% -> news
      50% -> news
    }
  }

  step news {
    send email "whats-new"
    wait up to 5d for click {
      click   -> hello
      timeout -> exit dormant
    }
  }
}
"#;

/// Counts for `wake_up` and for another program, with fields the chart does
/// not use, a move the chart has no arrow for (`exit:unsubscribed`), and the
/// two 50% arrows between the same steps, which share one count. `DIGEST`
/// stands for the digest of PROGRAM's plan (see `Sandbox::file`).
const GOOD: &str = r#"{
  "format_version": 1,
  "seed": 7,
  "programs": [
    {"program": "other", "digest": "sha256:0", "flow": [{"from": "entry", "to": "a", "count": 1}]},
    {"program": "wake_up", "digest": "DIGEST", "customers": 1000, "flow": [
      {"from": "entry", "to": "hello", "count": 900},
      {"from": "hello", "to": "news", "count": 1100},
      {"from": "news", "to": "hello", "count": 200},
      {"from": "news", "to": "exit:dormant", "count": 850},
      {"from": "news", "to": "exit:unsubscribed", "count": 50}
    ]}
  ]
}
"#;

struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        let dir = tempfile::tempdir().expect("a temporary folder");
        std::fs::write(dir.path().join("wake_up.nurture"), PROGRAM).expect("write the program");
        Sandbox { dir }
    }

    /// Writes a file, with `DIGEST` in it standing for the digest of the
    /// program's plan as it is now: a report is of one version of a program.
    fn file(&self, name: &str, text: &str) -> &Self {
        let output = Command::new(env!("CARGO_BIN_EXE_nurture"))
            .args(["compile", "wake_up.nurture"])
            .current_dir(self.dir.path())
            .output()
            .expect("run the nurture binary");
        let plan: serde_json::Value = serde_json::from_slice(&output.stdout).expect("a plan");
        let digest = plan["digest"].as_str().expect("a digest");
        let text = text.replace("DIGEST", digest);
        std::fs::write(self.dir.path().join(name), text).expect("write a file");
        self
    }

    /// `nurture graph wake_up.nurture --sim REPORT [more]`: the transcript
    /// and the exit code.
    fn graph(&self, report: &str, more: &[&str]) -> (String, i32) {
        let output = Command::new(env!("CARGO_BIN_EXE_nurture"))
            .args(["graph", "wake_up.nurture", "--sim", report])
            .args(more)
            .current_dir(self.dir.path())
            .env("NO_COLOR", "1")
            .output()
            .expect("run the nurture binary");
        let code = output.status.code().expect("nurture exits with a code");
        let transcript = format!(
            "exit: {code}\n--- stdout\n{}--- stderr\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        (transcript, code)
    }
}

#[test]
fn a_report_writes_its_counts_on_the_arrows() {
    let sandbox = Sandbox::new();
    sandbox.file("report.json", GOOD);
    let (transcript, code) = sandbox.graph("report.json", &[]);
    assert_eq!(code, 0, "{transcript}");
    assert!(transcript.contains("50% · 1100"), "{transcript}");
    insta::assert_snapshot!("sim_mermaid", transcript);
}

#[test]
fn counts_work_in_every_format_and_thicken_svg_arrows() {
    let sandbox = Sandbox::new();
    sandbox.file("report.json", GOOD);
    let (dot, code) = sandbox.graph("report.json", &["--format", "dot"]);
    assert_eq!(code, 0, "{dot}");
    assert!(dot.contains("[label=\"click · 200\"]"), "{dot}");
    let (svg, code) = sandbox.graph("report.json", &["--format", "svg"]);
    assert_eq!(code, 0, "{svg}");
    let start = svg.find("<svg").expect("an SVG");
    let end = svg.find("</svg>").expect("an SVG") + "</svg>".len();
    let document = roxmltree::Document::parse(&svg[start..end]).expect("well-formed XML");
    let widths: Vec<f64> = document
        .descendants()
        .filter(|n| n.has_tag_name("path"))
        .filter_map(|n| n.attribute("stroke-width")?.parse().ok())
        .collect();
    let (thinnest, thickest) = widths
        .iter()
        .fold((f64::MAX, 0.0f64), |(lo, hi), &w| (lo.min(w), hi.max(w)));
    assert!(
        thickest > thinnest * 3.0,
        "busy arrows are not thicker: {widths:?}"
    );
    let texts: Vec<&str> = document
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .collect();
    assert!(texts.contains(&"900"), "{texts:?}");
    assert!(texts.contains(&"timeout 5d · 850"), "{texts:?}");
}

#[test]
fn a_report_without_the_program_is_refused() {
    let sandbox = Sandbox::new();
    sandbox.file(
        "report.json",
        r#"{"format_version": 1, "programs": [{"program": "wake_upp", "digest": "DIGEST", "flow": []}, {"program": "b", "digest": "DIGEST", "flow": []}]}"#,
    );
    sandbox.file("empty.json", r#"{"format_version": 1, "programs": []}"#);
    let (typo, code) = sandbox.graph("report.json", &[]);
    assert_eq!(code, 1, "{typo}");
    let (empty, code) = sandbox.graph("empty.json", &[]);
    assert_eq!(code, 1, "{empty}");
    insta::assert_snapshot!("sim_unknown_program", format!("{typo}\n{empty}"));
}

#[test]
fn a_report_that_is_not_json_is_refused() {
    let sandbox = Sandbox::new();
    sandbox.file("report.json", "{\"format_version\": 1, \"programs\": [\n");
    let (transcript, code) = sandbox.graph("report.json", &[]);
    assert_eq!(code, 1, "{transcript}");
    insta::assert_snapshot!("sim_not_json", transcript);
}

#[test]
fn a_wrong_field_is_named_by_its_path() {
    let sandbox = Sandbox::new();
    sandbox.file(
        "report.json",
        r#"{"format_version": 1, "programs": [{"program": "wake_up", "digest": "DIGEST", "flow": [{"from": "entry", "to": "hello", "count": "many"}]}]}"#,
    );
    sandbox.file(
        "missing.json",
        r#"{"format_version": 1, "programs": [{"program": "wake_up", "digest": "DIGEST", "flow": [{"from": "entry", "count": 3}]}]}"#,
    );
    sandbox.file("newer.json", r#"{"format_version": 2, "programs": []}"#);
    let mut transcripts = Vec::new();
    for report in ["report.json", "missing.json", "newer.json"] {
        let (transcript, code) = sandbox.graph(report, &[]);
        assert_eq!(code, 1, "{transcript}");
        transcripts.push(transcript);
    }
    assert!(transcripts[0].contains("programs[0].flow[0].count"));
    insta::assert_snapshot!("sim_wrong_field", transcripts.join("\n"));
}

#[test]
fn a_missing_report_cannot_be_read() {
    let sandbox = Sandbox::new();
    let (transcript, code) = sandbox.graph("nowhere.json", &["--format", "svg"]);
    // Like any file nurture cannot read: exit 2, and nothing on stdout.
    assert_eq!(code, 2, "{transcript}");
    insta::assert_snapshot!("sim_missing_file", transcript);
}

/// A report made from another version of the program: its counts are of
/// other steps and arrows, and drawing them on this chart would mislead.
/// It is refused, naming both digests; so is a report without one.
#[test]
fn a_report_of_another_version_of_the_program_is_refused() {
    let sandbox = Sandbox::new();
    sandbox.file("report.json", GOOD);
    let (_, code) = sandbox.graph("report.json", &[]);
    assert_eq!(code, 0);
    // The program changes after it was simulated.
    sandbox.file(
        "wake_up.nurture",
        &PROGRAM.replace("wait up to 5d", "wait up to 6d"),
    );
    let (transcript, code) = sandbox.graph("report.json", &[]);
    assert_eq!(code, 1, "{transcript}");
    assert!(
        transcript.contains("nurture: error: `report.json` was made from another version of program `wake_up` (digest `sha256:"),
        "{transcript}"
    );
    assert!(transcript.contains("simulate it again"), "{transcript}");
    assert!(!transcript.contains("flowchart"), "{transcript}");

    sandbox.file(
        "undated.json",
        r#"{"format_version": 1, "programs": [{"program": "wake_up", "flow": []}]}"#,
    );
    let (transcript, code) = sandbox.graph("undated.json", &[]);
    assert_eq!(code, 1, "{transcript}");
    assert!(
        transcript.contains("missing field `digest`"),
        "{transcript}"
    );

    // A program with errors is of no report.
    sandbox.file(
        "wake_up.nurture",
        &PROGRAM.replace("-> hello", "-> nowhere"),
    );
    let (transcript, code) = sandbox.graph("report.json", &[]);
    assert_eq!(code, 1, "{transcript}");
    assert!(
        transcript.contains("has errors, so no simulator report is of it"),
        "{transcript}"
    );
}

/// The real thing: what `simulate --output-format json` writes draws on the
/// chart of the program it simulated.
#[test]
fn a_report_from_simulate_draws_on_its_program() {
    let sandbox = Sandbox::new();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let program = root.join("programs/wake_up_dormant.nurture");
    let output = Command::new(env!("CARGO_BIN_EXE_nurture"))
        .args([
            "simulate",
            &program.to_string_lossy(),
            "--days",
            "30",
            "--output-format",
            "json",
        ])
        .current_dir(sandbox.dir.path())
        .output()
        .expect("run the nurture binary");
    assert_eq!(output.status.code(), Some(0));
    std::fs::write(sandbox.dir.path().join("run.json"), &output.stdout).expect("write");
    let output = Command::new(env!("CARGO_BIN_EXE_nurture"))
        .args(["graph", &program.to_string_lossy(), "--sim", "run.json"])
        .current_dir(sandbox.dir.path())
        .output()
        .expect("run the nurture binary");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(String::from_utf8_lossy(&output.stdout).contains(" · "));
}
