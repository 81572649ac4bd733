//! The formatter's safety check, run on every file before anything is
//! written: the new text must parse cleanly to the same tree (spans aside,
//! and the header clauses in canonical order) and hold the same comments.
//! Should a bug in the layout ever break that, the file is left alone.

use super::FormatError;
use super::tokens::tokenize;
use super::tree::clause_rank;
use crate::span;
use crate::syntax::{self, Parsed};

pub(super) fn same(before: &Parsed, old: &str, new: &str) -> Result<(), FormatError> {
    let after = syntax::parse(new);
    if !after.complete || !after.diagnostics.is_empty() {
        return Err(FormatError::Unsafe("the formatted text would not parse"));
    }
    if !same_shape(before, &after) {
        return Err(FormatError::Unsafe(
            "the formatted text would mean something else",
        ));
    }
    if comments(old) != comments(new) {
        return Err(FormatError::Unsafe("a comment would be lost or changed"));
    }
    Ok(())
}

/// Whether two parsed files are the same but for their spans, with the
/// header clauses in canonical order. The tree has no equality that
/// ignores spans, so their debug texts are compared with every span
/// written as `Span` (`span::without_spans`): the first is written out
/// once, the second compared with it as it is written, never held, and
/// given up at the first difference (on a 1,000-step program each text is
/// megabytes).
fn same_shape(before: &Parsed, after: &Parsed) -> bool {
    use std::fmt::Write;
    let expected = span::without_spans(|| format!("{:?}", Shape(before)));
    let mut actual = Compare {
        expected: &expected,
        at: 0,
    };
    span::without_spans(|| write!(actual, "{:?}", Shape(after))).is_ok()
        && actual.at == expected.len()
}

/// A parsed file as [`same_shape`] compares it: clauses in canonical order.
struct Shape<'p>(&'p Parsed);

impl std::fmt::Debug for Shape<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The whole program, so that no field a construct adds escapes the
        // comparison. A formatted file's clauses are in order already, and
        // most others' too: those are not copied to be sorted.
        let program = self.0.program.as_ref();
        let sorted = program.filter(|p| !p.clauses.is_sorted_by_key(|c| clause_rank(&c.kind)));
        match sorted {
            Some(program) => {
                let mut program = program.clone();
                program.clauses.sort_by_key(|c| clause_rank(&c.kind));
                write!(f, "{:?} {:?}", Some(program), self.0.schema)
            }
            None => write!(f, "{program:?} {:?}", self.0.schema),
        }
    }
}

/// A writer that compares what it is given with the text expected, and
/// stops the writing at the first difference.
struct Compare<'e> {
    expected: &'e str,
    at: usize,
}

impl std::fmt::Write for Compare<'_> {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        match self.expected.as_bytes().get(self.at..self.at + text.len()) {
            Some(same) if same == text.as_bytes() => {
                self.at += text.len();
                Ok(())
            }
            _ => Err(std::fmt::Error),
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_hidden_only_inside_without_spans() {
        let span = crate::span::Span::new(1, 2);
        assert_eq!(format!("{span:?}"), "Span { start: 1, end: 2 }");
        assert_eq!(span::without_spans(|| format!("{span:?}")), "Span");
        assert_eq!(format!("{span:?}"), "Span { start: 1, end: 2 }");
    }

    #[test]
    fn the_same_program_laid_out_otherwise_is_the_same_shape() {
        let one = syntax::parse(
            "program p {\n  trigger event signup\n  start a\n  step a {\n    exit done\n  }\n}\n",
        );
        let two = syntax::parse(
            "program p {\n\n  trigger event signup\n    start a\n  step a { exit done }\n}\n",
        );
        let other = syntax::parse(
            "program p {\n  trigger event signup\n  start a\n  step a {\n    exit gone\n  }\n}\n",
        );
        assert!(same_shape(&one, &two));
        assert!(!same_shape(&one, &other));
        assert!(!same_shape(&other, &one));
    }
}
