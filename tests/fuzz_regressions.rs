//! Bugs found by the fuzz targets (`fuzz/`, docs/testing.md) or while
//! writing what they assert, each pinned by the smallest input that showed
//! it, so that it stays fixed without a fuzzer. Interpreter crashes are
//! not here: their inputs wait in `fuzz/regressions/` for the interpreter's
//! rewrite.

use nurture::check::check_text_with;
use nurture::diagnostic::Severity;
use nurture::plan;

fn schema() -> nurture::syntax::ast::Schema {
    let text = include_str!("../programs/schema.nurture");
    nurture::syntax::parse(text).schema.expect("a schema")
}

/// `compile` target's round trip: a number with as many digits as a program
/// may write came back from the plan's JSON one bit off, so a loaded plan was not the
/// plan that was compiled (serde_json reads floats fast but not exactly
/// unless asked to).
#[test]
fn numbers_survive_the_plan_round_trip() {
    let schema = schema();
    for number in [
        // 1.603964615428183e143, 1.0715660391465826e-75 and
        // 1.81996730402717e-179, written out as a program writes numbers.
        format!("1603964615428183{}", "0".repeat(128)),
        format!("0.{}10715660391465826", "0".repeat(74)),
        format!("-0.{}181996730402717", "0".repeat(178)),
    ] {
        let text = format!(
            "program p {{\n  kind upsell\n  owner \"crm@example.com\"\n  trigger event signup\n  audience lifetime_value >= {number}\n  step s {{\n    exit done\n  }}\n}}\n"
        );
        let found = check_text_with(&text, Some(&schema));
        assert!(
            !found.iter().any(|d| d.severity() == Severity::Error),
            "{found:?}"
        );
        let program = nurture::syntax::parse(&text).program.expect("a program");
        let compiled = plan::compile(&program, Some(&schema));
        let loaded = plan::load(&compiled.to_json()).expect("the plan loads");
        assert_eq!(loaded, compiled, "{number}");
    }
}

/// `render` target: a line of NULs, each shown as `\u{0}`, was cut to a
/// window of 120 characters and so printed 720 columns wide; the window
/// counts columns as they are shown.
#[test]
fn a_line_of_escaped_characters_is_cut_to_its_shown_width() {
    use nurture::codes::Code;
    use nurture::diagnostic::Diagnostic;
    use nurture::render::{self, FileReport, human::HumanOptions};
    use nurture::span::Span;
    let report = FileReport {
        path: "\0".repeat(53),
        source: "\0".repeat(400),
        diagnostics: vec![Diagnostic::new(Code::NoProgram, "v").label(Span::new(200, 201), "here")],
    };
    let human = render::human::render(
        &report,
        &HumanOptions {
            color: false,
            width: 0,
        },
    );
    let widest = human.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    // The header holds the path (53 × `\u{0}`); the line of the file less.
    assert!(
        widest <= 53 * 6 + 40,
        "a line of {widest} columns:\n{human}"
    );
    let line = human.lines().find(|l| l.contains("1 │")).expect("the line");
    assert!(line.chars().count() <= 140, "{line}");
}
