//! Fixture files: every file in `fixtures/ok/` must raise nothing; every file
//! in `fixtures/err/` is named after the code it must raise (`N101_…`) and
//! its rendered diagnostics are snapshotted, colourless at width 80.

use nurture::check::check_bytes;
use nurture::render::FileReport;
use nurture::render::human::{self, HumanOptions};
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

fn render(path: &Path) -> (Vec<String>, String) {
    let bytes = std::fs::read(path).expect("fixture readable");
    let (source, diagnostics) = check_bytes(&bytes);
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
    for path in fixtures("ok") {
        let (codes, text) = render(&path);
        assert!(
            codes.is_empty(),
            "{} raised {codes:?}:\n{text}",
            path.display()
        );
    }
}

#[test]
fn err_fixtures_raise_the_code_they_are_named_after() {
    for path in fixtures("err") {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let expected = &name[..4];
        let (codes, text) = render(&path);
        assert!(
            codes.iter().any(|code| code == expected),
            "{name} should raise {expected} but raised {codes:?}:\n{text}"
        );
    }
}

#[test]
fn rendered() {
    insta::glob!("fixtures/err/*.nurture", |path| {
        let (_, text) = render(path);
        insta::assert_snapshot!(text);
    });
}

#[test]
fn bundled_programs_raise_nothing() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("programs");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).expect("programs folder") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|ext| ext == "nurture") {
            let (codes, text) = render(&path);
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
