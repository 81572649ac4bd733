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

/// Every example in the language reference reads: a whole program or
/// schema as it is, and a fragment where it stands in a program: header
/// clauses and steps in a program's braces, statements in a step's, and
/// conditions (one a line) after `audience`. Reading is the grammar and
/// the values (N0xx); what an example is there to show wrong (N107, say)
/// is for the checks.
#[test]
fn every_example_in_the_language_reference_reads() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/language.md");
    let text = std::fs::read_to_string(&path).expect("read docs/language.md");
    let reads = |candidate: &str| {
        let parsed = nurture::syntax::parse(candidate);
        parsed.complete && parsed.diagnostics.is_empty()
    };
    let mut examples = 0;
    for block in text.split("```nurture\n").skip(1) {
        let example = block.split("```").next().unwrap_or_default();
        examples += 1;
        let as_clauses = format!("program p {{\n{example}\n}}\n");
        let as_statements = format!("program p {{\nstep s {{\n{example}\n}}\n}}\n");
        let as_conditions = example
            .lines()
            .filter(|line| !line.trim().is_empty() && !line.trim_start().starts_with('#'))
            .all(|line| reads(&format!("program p {{\naudience {line}\n}}\n")));
        assert!(
            reads(example) || reads(&as_clauses) || reads(&as_statements) || as_conditions,
            "this example in docs/language.md does not read:\n{example}"
        );
    }
    assert!(examples > 40, "only {examples} examples found");
}

/// Every whole program in the language reference passes `nurture check`
/// against the bundled schema (`programs/schema.nurture`) without a
/// finding: the page says its examples are valid, and a newcomer copies
/// them into a folder beside that schema. A program shown on purpose as
/// wrong says so in a `# Wrong` comment and is left to the checks.
#[test]
fn every_whole_program_in_the_language_reference_passes_check() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("docs/language.md")).expect("read docs");
    let schema_text =
        std::fs::read_to_string(root.join("programs/schema.nurture")).expect("bundled schema");
    let schema = nurture::syntax::parse(&schema_text)
        .schema
        .expect("programs/schema.nurture holds a schema");
    let mut programs = 0;
    for block in text.split("```nurture\n").skip(1) {
        let example = block.split("```").next().unwrap_or_default();
        let first = example
            .lines()
            .find(|line| !line.trim().is_empty() && !line.trim_start().starts_with('#'));
        if !first.is_some_and(|line| line.starts_with("program ")) || example.contains("# Wrong") {
            continue;
        }
        programs += 1;
        let found = nurture::check::check_text_with(example, Some(&schema));
        let codes: Vec<String> = found
            .iter()
            .map(|d| format!("{} {}", d.code.id(), d.message))
            .collect();
        assert!(
            codes.is_empty(),
            "this program in docs/language.md does not pass `nurture check`: {codes:?}\n{example}"
        );
    }
    assert!(programs >= 4, "only {programs} whole programs found");
}
