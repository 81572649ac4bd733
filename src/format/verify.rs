//! The formatter's safety check, run on every file before anything is
//! written: the new text must parse cleanly to the same tree (spans aside,
//! and the header clauses in canonical order) and hold the same comments.
//! Should a bug in the layout ever break that, the file is left alone.

use super::FormatError;
use super::tokens::tokenize;
use super::tree::clause_rank;
use crate::span::without_spans;
use crate::syntax::{self, Parsed};

pub(super) fn same(before: &Parsed, old: &str, new: &str) -> Result<(), FormatError> {
    let after = syntax::parse(new);
    if !after.complete || !after.diagnostics.is_empty() {
        return Err(FormatError::Unsafe("the formatted text would not parse"));
    }
    if shape(before) != shape(&after) {
        return Err(FormatError::Unsafe(
            "the formatted text would mean something else",
        ));
    }
    if comments(old) != comments(new) {
        return Err(FormatError::Unsafe("a comment would be lost or changed"));
    }
    Ok(())
}

/// The parsed file without its spans, clauses in canonical order. The tree
/// has no equality that ignores spans, so its debug text is compared with
/// every span cut out.
fn shape(parsed: &Parsed) -> String {
    let program = parsed.program.clone().map(|mut program| {
        program.clauses.sort_by_key(|c| clause_rank(&c.kind));
        program
    });
    without_spans(&format!("{program:?} {:?}", parsed.schema))
}

/// Every comment's text, sorted: the same multiset before and after.
pub fn comments(text: &str) -> Vec<String> {
    let mut found: Vec<String> = tokenize(text)
        .into_iter()
        .filter(|t| t.is_comment())
        .map(|t| t.text.trim_end().to_string())
        .collect();
    found.sort();
    found
}
