//! Arbitrary bytes, checked as `nurture check --summary` checks a file
//! beside the bundled schema: every check runs without a panic, every
//! diagnostic points into the text, and the facts of a clean program render.
//! (Rendering the diagnostics in every format is the `parse` target's job:
//! here it would take most of the time, and find nothing new.)

#![no_main]

use libfuzzer_sys::fuzz_target;
use nurture::check;
use nurture::diagnostic::Severity;
use nurture::render;

fuzz_target!(|bytes: &[u8]| {
    let (text, diagnostics) = check::check_bytes_with(bytes, Some(nurture_fuzz::schema()));
    nurture_fuzz::assert_spans_fit(&text, &diagnostics);
    if diagnostics.iter().any(|d| d.severity() == Severity::Error) {
        return;
    }
    let Some(facts) = check::facts_of_text(&text) else {
        return;
    };
    render::facts::render("fuzz.nurture", &facts);
    let report = render::FileReport {
        path: "fuzz.nurture".to_string(),
        source: text,
        diagnostics,
    };
    render::json::render_with_facts(
        std::slice::from_ref(&report),
        1,
        &[("fuzz.nurture".to_string(), facts)],
    );
});
