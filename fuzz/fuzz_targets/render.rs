//! The renderers, on any diagnostic of any code over any text: the fuzzer
//! picks the text (long lines, control characters, broken UTF-8 read
//! lossily), the file's path, and up to eight diagnostics, each of any code
//! in the registry with any message, help and labels (spans anywhere, past
//! the end, reversed, inside a character). Every output format renders them:
//!
//! - human, at the fuzzer's width (0 to 65,535 columns), with and without
//!   colour: no panic, every diagnostic's code is shown, no line is wider
//!   than a window of the file allows, and no control character a terminal
//!   would obey comes out raw;
//! - JSON and SARIF are valid JSON; GitHub annotations are one line each,
//!   every one a command.
//!
//! Over the runs every code meets every format; `parse` and `check` leave
//! rendering to this target.

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use nurture::codes::Code;
use nurture::diagnostic::Diagnostic;
use nurture::render::{self, FileReport, human::HumanOptions};
use nurture::span::Span;

#[derive(Arbitrary, Debug)]
struct Case<'a> {
    text: &'a [u8],
    path: &'a str,
    width: u16,
    color: bool,
    diagnostics: Vec<DiagnosticSpec<'a>>,
}

#[derive(Arbitrary, Debug)]
struct DiagnosticSpec<'a> {
    code: u8,
    message: &'a str,
    help: &'a str,
    labels: Vec<(u32, u32, &'a str)>,
}

fuzz_target!(|case: Case<'_>| {
    let source = String::from_utf8_lossy(case.text).into_owned();
    let diagnostics: Vec<Diagnostic> = case
        .diagnostics
        .iter()
        .take(8)
        .map(|spec| {
            let code = Code::ALL[usize::from(spec.code) % Code::ALL.len()];
            let mut diagnostic = Diagnostic::new(code, spec.message).help(spec.help);
            for &(start, end, message) in spec.labels.iter().take(12) {
                diagnostic = diagnostic.label(Span::new(start as usize, end as usize), message);
            }
            diagnostic
        })
        .collect();
    let report = FileReport {
        path: case.path.to_string(),
        source,
        diagnostics,
    };

    // The fuzzer's width (0 to 65,535 columns) and colour; without colour
    // too when it chose colour, so that a raw ESC is found either way.
    let width = usize::from(case.width);
    let renders: &[(bool, usize)] = if case.color {
        &[(true, width), (false, width)]
    } else {
        &[(false, width)]
    };
    for &(color, width) in renders {
        let human = render::human::render(&report, &HumanOptions { color, width });
        for diagnostic in &report.diagnostics {
            assert!(human.contains(diagnostic.code.id()), "{} is not shown", diagnostic.code.id());
        }
        let escape = if color { "" } else { "\u{1b}" };
        for c in ['\u{7}', '\r', '\0', '\u{202e}', '\u{2066}'] {
            assert!(!human.contains(c), "{c:?} printed raw");
        }
        if !escape.is_empty() {
            assert!(!human.contains(escape), "ESC printed raw without colour");
        }
        // Lines of the file are cut to a window; a long message or help is
        // wrapped at the width (at least 40), and a long path is shown
        // whole, each character it holds that a terminal obeys as an escape
        // of up to ten.
        let widest = human.lines().map(|l| l.chars().count()).max().unwrap_or(0);
        let allowed = 600 + 10 * case.path.chars().count() + width.max(40) * 2;
        assert!(widest <= allowed, "a line of {widest} characters");
    }

    let reports = std::slice::from_ref(&report);
    let json = render::json::render(reports, 1);
    assert!(
        serde_json::from_str::<serde::de::IgnoredAny>(&json).is_ok(),
        "the JSON report is not JSON"
    );
    let sarif = render::sarif::render(reports);
    assert!(
        serde_json::from_str::<serde::de::IgnoredAny>(&sarif).is_ok(),
        "the SARIF report is not JSON"
    );
    let github = render::github::render(reports);
    for line in github.lines() {
        assert!(
            line.starts_with("::error file=") || line.starts_with("::warning file="),
            "not one command a line: {line:?}"
        );
    }
    assert_eq!(github.lines().count(), report.diagnostics.len());
});
