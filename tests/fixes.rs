//! The quick fixes the diagnostics carry (`Diagnostic::fixes`): applied to
//! the error fixtures, each fix must make its diagnostic go and leave a file
//! that still reads (no new syntax error). The editor offers exactly these
//! (`nurture lsp`'s code actions), so a fix that does not fix is a defect
//! a user meets.

use nurture::check::check_text_with;
use nurture::diagnostic::{Diagnostic, Fix};
use nurture::syntax::ast::Schema;
use std::path::Path;

fn schema() -> Schema {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema.nurture");
    let text = std::fs::read_to_string(path).expect("the fixtures' schema");
    nurture::syntax::parse(&text).schema.expect("a schema")
}

fn apply(text: &str, fix: &Fix) -> String {
    let mut edits = fix.edits.clone();
    edits.sort_by_key(|e| e.span);
    let mut out = text.to_string();
    for edit in edits.iter().rev() {
        out.replace_range(edit.span.start..edit.span.end, &edit.text);
    }
    out
}

/// Whether `after` still has the diagnostic `d` (the same code with the
/// same message, the message naming what is wrong).
fn still_there(after: &[Diagnostic], d: &Diagnostic) -> bool {
    after
        .iter()
        .any(|a| a.code == d.code && a.message == d.message)
}

#[test]
fn every_fix_removes_its_diagnostic() {
    let schema = schema();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/err");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "nurture"))
        .collect();
    paths.sort();
    let mut fixed = std::collections::BTreeSet::new();
    for path in paths {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue; // N004: not UTF-8
        };
        let before = check_text_with(&text, Some(&schema));
        for diagnostic in &before {
            for fix in &diagnostic.fixes {
                let after_text = apply(&text, fix);
                let after = check_text_with(&after_text, Some(&schema));
                assert!(
                    !still_there(&after, diagnostic),
                    "{}: `{}` did not fix {} {}\n{after_text}",
                    path.display(),
                    fix.title,
                    diagnostic.code.id(),
                    diagnostic.message
                );
                let new_syntax_errors = after.iter().filter(|d| d.code.id() == "N001").count()
                    > before.iter().filter(|d| d.code.id() == "N001").count();
                assert!(
                    !new_syntax_errors,
                    "{}: `{}` broke the file:\n{after_text}",
                    path.display(),
                    fix.title
                );
                fixed.insert(diagnostic.code.id());
            }
        }
    }
    // The fixes the editor promises exist, each tried on a fixture.
    for code in [
        "N001", "N010", "N107", "N202", "N204", "N206", "N211", "N301", "N304", "N305", "N307",
        "N310",
    ] {
        assert!(
            fixed.contains(code),
            "no fixture tried a fix for {code}; fixed: {fixed:?}"
        );
    }
}

#[test]
fn a_way_on_for_a_step_and_consent_for_a_send() {
    let program = "program p {\n  kind welcome\n  owner \"o\"\n  trigger event signup\n  step a {\n    send sms \"x\" if tier == gold or has tag vip\n    wait 3d\n  }\n  step b {\n    exit done\n  }\n}\n";
    let found = check_text_with(program, None);
    let no_way_on = found.iter().find(|d| d.code.id() == "N107").expect("N107");
    let titles: Vec<&str> = no_way_on.fixes.iter().map(|f| f.title.as_str()).collect();
    assert_eq!(
        titles,
        ["end the step with `-> b`", "end the step with `exit a`"]
    );
    assert!(apply(program, &no_way_on.fixes[0]).contains("    wait 3d\n    -> b\n  }"));

    let fixed = apply(program, &no_way_on.fixes[0]);
    let found = check_text_with(&fixed, None);
    let consent = found.iter().find(|d| d.code.id() == "N310").expect("N310");
    let guarded = apply(&fixed, &consent.fixes[0]);
    assert!(
        guarded.contains("send sms \"x\" if consent sms and (tier == gold or has tag vip)"),
        "{guarded}"
    );
    assert!(
        check_text_with(&guarded, None)
            .iter()
            .all(|d| d.code.id() != "N310")
    );
}
