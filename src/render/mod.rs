//! Rendering diagnostics: turning [`Diagnostic`]s into text for a person
//! (`human`), for programs (`json`), for GitHub Actions (`github`) and for
//! code scanning (`sarif`). Only the renderers and the CLI produce output.
//! `lines` is what they share: line and column for a byte offset.
//!
//! Rendering programs: `chart` draws one as a flow chart (Mermaid, DOT, and
//! SVG through `layout` and `svg`); `flow` writes a simulator's counts on it.
//!
//! Rendering a comparison of two versions (`nurture diff`): `diff`, for a
//! terminal and as a pull-request comment in Markdown.
//!
//! Rendering simulation reports: `simulation` for people and the terminal,
//! `html` as one self-contained page with each program's chart.

pub mod chart;
pub mod diff;
mod excerpt;
pub mod facts;
pub mod flow;
pub mod github;
pub mod html;
pub mod human;
pub mod json;
pub mod layout;
pub mod lines;
pub mod sarif;
pub mod simulation;
pub mod svg;
pub mod trace;

use crate::diagnostic::{Diagnostic, Severity};
use serde::Serialize;

/// One checked file: its path as the user gave it, its text (lossily decoded
/// when it was not UTF-8, so spans still point somewhere sensible) and what
/// was found in it, sorted by position.
#[derive(Clone, Debug)]
pub struct FileReport {
    pub path: String,
    pub source: String,
    pub diagnostics: Vec<Diagnostic>,
}

/// How many problems of each severity a set of files has.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub errors: usize,
    pub warnings: usize,
}

impl Totals {
    pub fn of(reports: &[FileReport]) -> Totals {
        let mut totals = Totals::default();
        for diagnostic in reports.iter().flat_map(|report| &report.diagnostics) {
            match diagnostic.severity() {
                Severity::Error => totals.errors += 1,
                Severity::Warning => totals.warnings += 1,
            }
        }
        totals
    }
}

/// Pretty JSON with a trailing newline, for the machine formats.
fn to_pretty_json(value: &impl Serialize) -> String {
    match serde_json::to_string_pretty(value) {
        Ok(mut json) => {
            json.push('\n');
            json
        }
        // Our documents are plain structs with string keys, which always
        // serialise; should that ever change, still hand back valid JSON.
        Err(error) => format!("{}\n", serde_json::json!({ "error": error.to_string() })),
    }
}
