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
