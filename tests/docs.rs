//! The docs that are generated from the code stay in step with it.

use std::path::Path;

#[test]
fn diagnostics_reference_matches_the_codes() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/diagnostics.md");
    let expected = nurture::codes::reference_markdown();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &expected).expect("write docs/diagnostics.md");
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/diagnostics.md is out of date; run `UPDATE_DOCS=1 cargo test --test docs`"
    );
}

#[test]
fn every_code_has_the_four_sections() {
    for code in nurture::codes::Code::ALL {
        for section in [
            "## What it means",
            "## Why it matters",
            "## Example",
            "## Fix",
        ] {
            assert!(
                code.explanation().contains(section),
                "{} lacks `{section}`",
                code.id()
            );
        }
    }
}
