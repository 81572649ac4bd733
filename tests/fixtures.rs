//! Fixture files: every file in `fixtures/ok/` must raise nothing; every file
//! in `fixtures/err/` is named after the code it must raise (`N101_…`) and
//! its rendered diagnostics are snapshotted, colourless at width 80. All are
//! checked against the customer schema `fixtures/schema.nurture`, as the
//! bundled programs are against `programs/schema.nurture`.

use nurture::check::check_bytes_with;
use nurture::render::FileReport;
use nurture::render::human::{self, HumanOptions};
use nurture::syntax::ast::Schema;
use std::path::Path;

fn fixtures(folder: &str) -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(folder);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixture folder")
        .map(|entry| entry.expect("fixture entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "nurture"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no fixtures in {}", dir.display());
    files
}

/// The schema at `relative` (from the crate's root), which must be clean.
fn schema(relative: &str) -> Schema {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    let text = std::fs::read_to_string(&path).expect("schema readable");
    let found = nurture::check::check_text(&text);
    assert!(found.is_empty(), "{relative} has mistakes: {found:?}");
    nurture::syntax::parse(&text)
        .schema
        .unwrap_or_else(|| panic!("{relative} holds no schema"))
}

fn fixture_schema() -> Schema {
    schema("tests/fixtures/schema.nurture")
}

fn render(path: &Path, schema: &Schema) -> (Vec<String>, String) {
    let bytes = std::fs::read(path).expect("fixture readable");
    let (source, diagnostics) = check_bytes_with(&bytes, Some(schema));
    let codes = diagnostics
        .iter()
        .map(|d| d.code.id().to_string())
        .collect();
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("fixture");
    let report = FileReport {
        path: name.to_string(),
        source,
        diagnostics,
    };
    let text = human::render(
        &report,
        &HumanOptions {
            color: false,
            width: 80,
        },
    );
    (codes, text)
}

#[test]
fn ok_fixtures_raise_nothing() {
    let schema = fixture_schema();
    for path in fixtures("ok") {
        let (codes, text) = render(&path, &schema);
        assert!(
            codes.is_empty(),
            "{} raised {codes:?}:\n{text}",
            path.display()
        );
    }
}

#[test]
fn err_fixtures_raise_the_code_they_are_named_after() {
    let schema = fixture_schema();
    for path in fixtures("err") {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let expected = &name[..4];
        let (codes, text) = render(&path, &schema);
        assert!(
            !codes.is_empty() && codes.iter().all(|code| code == expected),
            "{name} should raise {expected} and nothing else, but raised {codes:?}:\n{text}"
        );
    }
}

#[test]
fn rendered() {
    let schema = fixture_schema();
    insta::glob!("fixtures/err/*.nurture", |path| {
        let (_, text) = render(path, &schema);
        insta::assert_snapshot!(text);
    });
}

#[test]
fn bundled_programs_raise_nothing() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("programs");
    let schema = schema("programs/schema.nurture");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).expect("programs folder") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|ext| ext == "nurture") {
            let (codes, text) = render(&path, &schema);
            assert!(
                codes.is_empty(),
                "{} raised {codes:?}:\n{text}",
                path.display()
            );
            checked += 1;
        }
    }
    assert!(
        checked >= 9,
        "expected a program per kind, found {checked} files"
    );
}
