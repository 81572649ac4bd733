//! Stage 2: checking a program read by `syntax`.
//!
//! `structure` looks at the tree alone. Every check reports diagnostics and
//! never stops the others: a file reports all its problems at once.

pub mod structure;

use crate::diagnostic::{self, Diagnostic};
use crate::syntax;

/// Checks one file's bytes: its size, its encoding, then [`check_text`].
/// Returns the text the diagnostics point into (decoded lossily when the
/// file is not UTF-8; empty when it is too large to read).
pub fn check_bytes(bytes: &[u8]) -> (String, Vec<Diagnostic>) {
    if bytes.len() > syntax::limits::MAX_FILE_BYTES {
        return (String::new(), vec![syntax::limits::too_large_diagnostic()]);
    }
    match syntax::decode(bytes) {
        (source, Some(not_utf8)) => (source, vec![not_utf8]),
        (source, None) => {
            let found = check_text(&source);
            (source, found)
        }
    }
}

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
