//! Arbitrary bytes, compiled as `nurture compile` does: a file the check
//! (against the bundled schema) finds no error in compiles, and its plan
//! survives the trip through JSON and `plan::load` unchanged.

#![no_main]

use libfuzzer_sys::fuzz_target;
use nurture::diagnostic::Severity;
use nurture::{check, plan, syntax};

fuzz_target!(|bytes: &[u8]| {
    let schema = nurture_fuzz::schema();
    let (text, diagnostics) = check::check_bytes_with(bytes, Some(schema));
    if diagnostics.iter().any(|d| d.severity() == Severity::Error) {
        return;
    }
    let Some(program) = syntax::parse(&text).program else {
        return;
    };
    let compiled = plan::compile(&program, Some(schema));
    let json = compiled.to_json();
    let loaded = match plan::load(&json) {
        Ok(loaded) => loaded,
        Err(error) => panic!("a compiled plan does not load: {error}\n{json}"),
    };
    assert_eq!(loaded, compiled, "the plan changed on its way through JSON");
    assert_eq!(loaded.to_json(), json, "the plan's JSON is not stable");
});
