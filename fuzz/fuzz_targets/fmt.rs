//! Arbitrary bytes through `nurture fmt`: a text that formats must format
//! to itself again (idempotent), keep its comments, and compile to the same
//! plan, digest included (the digest is of the plan's meaning) and spans
//! aside. A text that does not parse is refused, never a panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use nurture::diagnostic::Severity;

/// The plan's JSON without spans.
fn meaning(text: &str) -> Option<serde_json::Value> {
    let schema = nurture_fuzz::schema();
    let diagnostics = nurture::check::check_text_with(text, Some(schema));
    if diagnostics.iter().any(|d| d.severity() == Severity::Error) {
        return None;
    }
    let program = nurture::syntax::parse(text).program?;
    let plan = nurture::plan::compile(&program, Some(schema));
    let mut json: serde_json::Value = serde_json::from_str(&plan.to_json()).ok()?;
    fn strip(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                map.remove("span");
                map.values_mut().for_each(strip);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut json);
    Some(json)
}

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let Ok(formatted) = nurture::format::format_source(text) else {
        return;
    };
    match nurture::format::format_source(&formatted) {
        Ok(again) => assert_eq!(again, formatted, "formatting is not idempotent"),
        Err(_) => panic!("the formatted text does not format again"),
    }
    let comments = |t: &str| {
        let mut found: Vec<String> = t
            .lines()
            .filter_map(|line| line.find('#').map(|at| line[at..].trim_end().to_string()))
            .collect();
        found.sort();
        found
    };
    // Comments only: a `#` inside a quoted text moves with its text.
    if !text.contains('"') {
        assert_eq!(comments(text), comments(&formatted), "comments changed");
    }
    if let Some(before) = meaning(text) {
        assert_eq!(Some(before), meaning(&formatted), "the plan changed");
    }
});
