//! pest's call limit as a diagnostic (N014). The limit is one setting for
//! the whole process, so this test has a binary of its own: it lowers the
//! limit far enough for a bundled program to reach it. A well-formed file
//! is read without pest (src/syntax/descent/), so the program is given a
//! letter outside ASCII in its name, which that reader leaves to pest.

use std::num::NonZeroUsize;

#[test]
fn a_parse_that_reaches_the_call_limit_is_too_complex_not_a_syntax_error() {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("programs/wake_up_dormant.nurture"),
    )
    .expect("read a bundled program");
    // The first parse sets nurture's own limit; the program reads cleanly.
    assert!(nurture::check::check_text(&text).is_empty());

    let text = text.replacen("program wake_up_dormant", "program wake_up_dörmant", 1);
    assert!(text.contains("dörmant"));
    pest::set_call_limit(NonZeroUsize::new(2_000));
    let found = nurture::check::check_text(&text);
    pest::set_call_limit(None);

    let codes: Vec<&str> = found.iter().map(|d| d.code.id()).collect();
    assert_eq!(codes, ["N014"]);
    let report = nurture::render::FileReport {
        path: "wake_up_dormant.nurture".to_string(),
        source: text,
        diagnostics: found,
    };
    let options = nurture::render::human::HumanOptions {
        color: false,
        width: 100,
    };
    insta::assert_snapshot!(nurture::render::human::render(&report, &options));
}
