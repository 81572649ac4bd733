//! Arbitrary bytes, read as a file: decoding and parsing never panic, every
//! diagnostic points into the text, and a program that reads cleanly draws
//! as a flow chart in Mermaid, DOT and SVG, as `nurture graph` draws it.
//! (Rendering diagnostics is the `render` target's: it took three quarters
//! of this target's time, rendering each input five times over, and left
//! the parser 95 runs a second.)

#![no_main]

use libfuzzer_sys::fuzz_target;
use nurture::render::{chart, svg};
use nurture::syntax;

fuzz_target!(|bytes: &[u8]| {
    let (text, not_utf8) = syntax::decode(bytes);
    if let Some(not_utf8) = not_utf8 {
        // Text that is not UTF-8 is reported, not parsed.
        nurture_fuzz::assert_spans_fit(&text, std::slice::from_ref(&not_utf8));
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
        // Too large a chart is refused, not laid out: either is fine.
        let _ = svg::svg(&drawn);
    }
    syntax::holds_schema(&text);
});
