//! The JSON documents nurture writes that other programs read, each with
//! its JSON Schema: `nurture schema NAME` prints one, and the committed
//! copies under docs/ are kept equal to these by tests.
//!
//! To add one, add a line to [`FORMATS`]: its name (the word after
//! `nurture schema`), what it describes, and the function that gives the
//! schema (schemars through `crate::json_schema::document`, or a committed
//! file through `include_str!`). Its `$id` is
//! `https://nurture.dev/schemas/NAME-VERSION.schema.json`; the test in
//! tests/schemas.rs then compiles it in strict validators and checks what
//! the command writes against it.

/// One format: `nurture schema NAME` prints `schema()`.
pub struct Format {
    pub name: &'static str,
    /// One line for `nurture schema --help`.
    pub about: &'static str,
    pub schema: fn() -> String,
}

/// Every format with a schema, in the order `--help` lists them; one line
/// each.
#[rustfmt::skip]
pub const FORMATS: &[Format] = &[
    Format { name: "plan", about: "The executable plan `nurture compile` writes", schema: crate::plan::json_schema },
    Format { name: "check", about: "`nurture check --output-format json`", schema: || include_str!("../docs/check.schema.json").to_string() },
    Format { name: "simulate", about: "`nurture simulate --output-format json`", schema: crate::sim::report::json_schema },
    Format { name: "replay", about: "One line of what `nurture replay` writes (JSON Lines)", schema: || include_str!("../docs/replay.schema.json").to_string() },
];

/// The format called `name`.
pub fn find(name: &str) -> Option<&'static Format> {
    FORMATS.iter().find(|format| format.name == name)
}
