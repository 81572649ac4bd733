//! Messages that lead to the fix, where a fixture of one code cannot show
//! it: problems of different stages reported together, and a check that
//! runs without a schema.

use nurture::check::check_text_with;
use nurture::render::FileReport;
use nurture::render::human::{self, HumanOptions};

fn schema() -> nurture::syntax::ast::Schema {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema.nurture");
    let text = std::fs::read_to_string(path).expect("the fixture schema");
    nurture::syntax::parse(&text).schema.expect("a schema")
}

fn codes(text: &str, schema: Option<&nurture::syntax::ast::Schema>) -> Vec<&'static str> {
    check_text_with(text, schema)
        .iter()
        .map(|d| d.code.id())
        .collect()
}

fn rendered(text: &str, schema: Option<&nurture::syntax::ast::Schema>) -> String {
    let report = FileReport {
        path: "program.nurture".to_string(),
        source: text.to_string(),
        diagnostics: check_text_with(text, schema),
    };
    human::render(
        &report,
        &HumanOptions {
            color: false,
            width: 80,
        },
    )
}

/// A wait too long to plan for and without a `timeout`: both at once, not
/// the second only after the first is fixed.
#[test]
fn a_wait_too_long_and_without_timeout_is_told_both() {
    let text = "program p {\n  kind welcome\n  owner \"x\"\n  trigger event signup\n  consent email\n  step a {\n    send email \"x\"\n    wait up to 99999999999999d for click {\n      click -> exit clicked\n    }\n  }\n}\n";
    assert_eq!(codes(text, None), ["N213", "N304"]);
    insta::assert_snapshot!(rendered(text, None));
}

/// Name errors do not stop the checks on the graph (docs/architecture.md):
/// they do not change the program's shape, and a file reports every
/// problem at once.
#[test]
fn graph_checks_run_beside_name_errors() {
    let text = "program p {\n  kind welcome\n  owner \"x\"\n  trigger event signup\n  consent email\n  step a {\n    send email \"x\" if tierr == gold\n    wait up to 3d for click {\n      click -> exit clicked\n    }\n  }\n}\n";
    assert_eq!(codes(text, Some(&schema())), ["N203", "N304"]);
}

/// Without a schema, `message` for `messages` is still caught.
#[test]
fn cap_message_without_a_schema_says_messages() {
    let text = "program p {\n  kind welcome\n  owner \"x\"\n  trigger event signup\n  consent email\n  cap 3 message per 14d\n  step a {\n    send email \"x\"\n    exit done\n  }\n}\n";
    assert_eq!(codes(text, None), ["N216"]);
    let shown = rendered(text, None);
    assert!(shown.contains("did you mean `messages`?"), "{shown}");
    assert!(shown.contains("write `cap 3 messages per 14d`"), "{shown}");
}

/// The built-ins are typed without a schema too.
#[test]
fn score_is_a_number_without_a_schema() {
    let text = "program p {\n  kind welcome\n  owner \"x\"\n  trigger event signup\n  consent email\n  step a {\n    send email \"x\"\n    branch {\n      when score >= \"thirty\" -> exit hot\n      when score >= 30 and phase == retain -> exit warm\n      else -> exit cold\n    }\n  }\n}\n";
    assert_eq!(codes(text, None), ["N210"]);
    // With the schema, which does not declare them, the same.
    assert_eq!(codes(text, Some(&schema())), ["N210"]);
}
