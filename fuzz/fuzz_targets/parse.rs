//! Arbitrary bytes, read as a file: decoding, parsing and every renderer
//! (diagnostics in every format; the flow chart when the program reads as
//! one, as `nurture graph` draws it) never panic, and every diagnostic
//! points into the text.

#![no_main]

use libfuzzer_sys::fuzz_target;
use nurture::render::chart;
use nurture::syntax;

fuzz_target!(|bytes: &[u8]| {
    let (text, not_utf8) = syntax::decode(bytes);
    if let Some(not_utf8) = not_utf8 {
        // Text that is not UTF-8 is reported, not parsed.
        nurture_fuzz::assert_spans_fit(&text, std::slice::from_ref(&not_utf8));
        nurture_fuzz::render_everywhere(&text, vec![not_utf8]);
        return;
    }
    let parsed = syntax::parse(&text);
    nurture_fuzz::assert_spans_fit(&text, &parsed.diagnostics);
    if let Some(program) = parsed
        .program
        .as_ref()
        .filter(|_| parsed.complete && parsed.diagnostics.is_empty())
    {
        let drawn = chart::chart(program, &text);
        chart::mermaid(&drawn);
        chart::dot(&drawn);
    }
    syntax::holds_schema(&text);
    nurture_fuzz::render_everywhere(&text, parsed.diagnostics);
});
