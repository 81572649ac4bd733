//! `nurture graph`: the chart of every bundled program, in both formats,
//! and labels that cannot break the chart.

use nurture::render::chart;
use std::path::Path;

fn charts(text: &str) -> (String, String) {
    let program = nurture::syntax::parse(text).program.expect("a program");
    let drawn = chart::chart(&program, text);
    (chart::mermaid(&drawn), chart::dot(&drawn))
}

#[test]
fn bundled_programs() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("programs");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("programs")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "nurture") && !p.ends_with("schema.nurture"))
        .collect();
    paths.sort();
    for path in paths {
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        let text = std::fs::read_to_string(&path).expect("readable");
        let (mermaid, dot) = charts(&text);
        insta::assert_snapshot!(format!("{name}.mermaid"), mermaid);
        insta::assert_snapshot!(format!("{name}.dot"), dot);
    }
}

#[test]
fn quotes_and_brackets_in_labels_are_escaped() {
    let text = r#"program p {
  kind welcome
  trigger event signup where source == "ad <\"spring\">"
  step a {
    notify owner "say \"hi\" & <b>bye</b>"
    exit done
  }
}"#;
    let (mermaid, dot) = charts(text);
    assert!(
        mermaid.contains(r#"source == #quot;ad #lt;\#quot;spring\#quot;#gt;#quot;"#),
        "{mermaid}"
    );
    assert!(mermaid.contains("#amp;"), "{mermaid}");
    assert!(!mermaid.contains("<b>"), "{mermaid}");
    assert!(
        dot.contains(r#"notify owner \"say \\\"hi\\\" & <b>bye</b>\""#),
        "{dot}"
    );
}

#[test]
fn the_cli_draws_and_refuses_what_does_not_parse() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_nurture"))
        .args([
            "graph",
            "programs/welcome_new_customer.nurture",
            "--format",
            "dot",
        ])
        .current_dir(root)
        .output()
        .expect("run nurture");
    assert_eq!(output.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("digraph program {"));
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_nurture"))
        .args(["graph", "tests/fixtures/err/N001_syntax_error.nurture"])
        .current_dir(root)
        .output()
        .expect("run nurture");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("cannot be drawn until it reads as a program")
    );
}

#[test]
fn programs_readme_shows_every_chart() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("programs");
    let mut programs: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("programs")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "nurture") && !p.ends_with("schema.nurture"))
        .map(|p| {
            let file = p
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_string();
            (file, std::fs::read_to_string(&p).expect("readable"))
        })
        .collect();
    programs.sort();
    let expected = chart::programs_readme(&programs);
    let path = dir.join("README.md");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &expected).expect("write programs/README.md");
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "programs/README.md is out of date; run `UPDATE_DOCS=1 cargo test --test graph`"
    );
}
