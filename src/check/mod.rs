//! Stage 2: checking a program read by `syntax`.
//!
//! `structure` looks at the tree alone. Every check reports diagnostics and
//! never stops the others: a file reports all its problems at once.

pub mod structure;

use crate::diagnostic::{self, Diagnostic};
use crate::syntax;

/// Parses and checks one file's text; the diagnostics come sorted by place.
pub fn check_text(text: &str) -> Vec<Diagnostic> {
    let parsed = syntax::parse(text);
    let mut found = parsed.diagnostics;
    if let Some(program) = &parsed.program {
        found.extend(structure::check(program, text, parsed.complete));
    }
    diagnostic::sort(&mut found);
    found
}
