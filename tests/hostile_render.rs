//! Every diagnostic of hostile input, through every output format, never
//! panics and never prints what a terminal would obey.
//!
//! The inputs are generated (proptest, fixed seed): pieces of real
//! programs joined with lines tens of thousands of characters long, control
//! characters (ESC, BEL, CR, NUL, DEL, C1), bidirectional controls, wide and
//! combining characters, tabs, CRLF and lone CR, broken UTF-8 and unclosed
//! texts. Each is checked against the bundled schema, and to its own
//! diagnostics one of every code is added at spans anywhere in it (past the
//! end, reversed, inside a character), so every code meets every format on
//! every kind of text. Then: human (with and without colour, at 0, 80 and
//! 1000 columns), JSON and SARIF (which must be JSON), GitHub annotations
//! (one command a line). One more case is a file of 4 MiB.

use nurture::codes::Code;
use nurture::diagnostic::Diagnostic;
use nurture::render::{self, FileReport, human::HumanOptions};
use nurture::span::Span;
use proptest::prelude::*;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// What no output for people may hold raw (colour codes aside).
const OBEYED: [char; 8] = [
    '\u{7}', '\r', '\0', '\u{7f}', '\u{85}', '\u{202e}', '\u{2066}', '\u{2028}',
];

fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("program p {\n  kind welcome\n  trigger event signup\n".to_string()),
        Just(
            "  step a {\n    send email \"welcome\"\n    wait 3x\n    exit done\n  }\n}\n"
                .to_string()
        ),
        Just("    notify owner \"a \\\"quoted\\\" \\\\ text\"\n".to_string()),
        Just("  title \"unclosed\n".to_string()),
        Just("# a comment\r\n".to_string()),
        Just("\u{1b}[2J\u{1b}[31m".to_string()),
        Just("\u{7}\0\r\u{7f}\u{85}".to_string()),
        Just("\u{202e}\u{2066}\u{2069}\u{200f}\u{2028}".to_string()),
        Just("ü€𝄞\u{301}表\t".to_string()),
        Just("\r".to_string()),
        (1usize..70_000).prop_map(|n| " ".repeat(n)),
        (1usize..20_000).prop_map(|n| "é".repeat(n)),
        (1usize..5_000).prop_map(|n| "\t".repeat(n)),
        (1usize..2_000).prop_map(|n| " wait 3x".repeat(n)),
        "[a-z{}()\"#\\\\ \n]{0,40}",
    ]
}

fn hostile_text() -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 1..12).prop_map(|pieces| pieces.concat())
}

/// One diagnostic of every code, at spans chosen from `seeds`.
fn one_of_every_code(text_len: usize, seeds: &[(usize, usize)]) -> Vec<Diagnostic> {
    Code::ALL
        .iter()
        .enumerate()
        .map(|(n, &code)| {
            let (a, b) = seeds[n % seeds.len()];
            let span = |x: usize| x % (text_len + 3);
            Diagnostic::new(code, format!("`{}` \u{1b}[2J here\r", code.name()))
                .label(Span::new(span(a), span(b)), "here\u{7}")
                .label(Span::new(span(b), span(a)), "and here")
                .help("do \u{202e}this\nthen that")
        })
        .collect()
}

fn render_everything(report: &FileReport) -> Result<(), String> {
    let rendered = catch_unwind(AssertUnwindSafe(|| {
        let mut human = Vec::new();
        for (color, width) in [(false, 80), (true, 0), (false, 1000)] {
            human.push((
                color,
                render::human::render(report, &HumanOptions { color, width }),
            ));
        }
        let reports = std::slice::from_ref(report);
        (
            human,
            render::json::render(reports, 1),
            render::sarif::render(reports),
            render::github::render(reports),
        )
    }))
    .map_err(|panic| {
        panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "a panic".into())
    })?;
    let (human, json, sarif, github) = rendered;
    for (color, text) in &human {
        for diagnostic in &report.diagnostics {
            if !text.contains(diagnostic.code.id()) {
                return Err(format!("{} is not shown", diagnostic.code.id()));
            }
        }
        if let Some(c) = OBEYED.iter().find(|c| text.contains(**c)) {
            return Err(format!("{c:?} printed raw"));
        }
        if !color && text.contains('\u{1b}') {
            return Err("ESC printed raw".into());
        }
        let widest = text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
        if widest > 1_200 {
            return Err(format!("a line of {widest} characters"));
        }
    }
    for (name, document) in [("JSON", &json), ("SARIF", &sarif)] {
        serde_json::from_str::<serde_json::Value>(document)
            .map_err(|e| format!("the {name} report is not JSON: {e}"))?;
    }
    if let Some(c) = OBEYED.iter().find(|c| github.contains(**c)) {
        return Err(format!("{c:?} in a GitHub annotation"));
    }
    for line in github.lines() {
        if !line.starts_with("::error file=") && !line.starts_with("::warning file=") {
            return Err(format!("not one command a line: {line:?}"));
        }
    }
    if github.lines().count() != report.diagnostics.len() {
        return Err("not one annotation per diagnostic".into());
    }
    Ok(())
}

fn schema() -> nurture::syntax::ast::Schema {
    let text = include_str!("../programs/schema.nurture");
    nurture::syntax::parse(text)
        .schema
        .expect("the bundled schema")
}

proptest! {
    // A fixed seed: the same inputs every run, so CI never flakes.
    #![proptest_config(ProptestConfig {
        cases: 96,
        rng_seed: proptest::test_runner::RngSeed::Fixed(20_261_201),
        failure_persistence: None,
        .. ProptestConfig::default()
    })]

    #[test]
    fn every_diagnostic_of_hostile_text_renders_in_every_format(
        text in hostile_text(),
        path in "[a-z\n\u{1b}:,%/ ]{1,20}\\.nurture",
        seeds in prop::collection::vec((0usize..200_000, 0usize..200_000), 1..8),
        broken in any::<bool>(),
    ) {
        // Broken UTF-8 is read as the renderers get it: lossily.
        let bytes = if broken {
            let mut bytes = text.clone().into_bytes();
            bytes.insert(bytes.len() / 2, 0xFF);
            bytes
        } else {
            text.into_bytes()
        };
        let (source, mut diagnostics) = nurture::check::check_bytes_with(&bytes, Some(&schema()));
        diagnostics.extend(one_of_every_code(source.len(), &seeds));
        let report = FileReport { path, source, diagnostics };
        prop_assert_eq!(render_everything(&report), Ok(()));
    }
}

/// A file at the size limit, one hostile line after another: 4 MiB of
/// lines tens of thousands of characters long with controls in them.
#[test]
fn a_four_mebibyte_file_renders_in_every_format() {
    let line = format!(
        "  title \"{}\u{1b}[2J{}\"\n",
        " ".repeat(70_000),
        "é".repeat(10_000)
    );
    let mut text = String::from("program big {\n");
    while text.len() + line.len() < 4 * 1024 * 1024 {
        text.push_str(&line);
    }
    text.push_str("}\n");
    let (source, mut diagnostics) =
        nurture::check::check_bytes_with(text.as_bytes(), Some(&schema()));
    assert!(diagnostics.iter().any(|d| d.code == Code::ControlCharacter));
    diagnostics.extend(one_of_every_code(
        source.len(),
        &[(70_010, 70_020), (3_000_000, 2_999_000)],
    ));
    let report = FileReport {
        path: "big.nurture".into(),
        source,
        diagnostics,
    };
    assert_eq!(render_everything(&report), Ok(()));
}
