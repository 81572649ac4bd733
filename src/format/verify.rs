//! The formatter's safety check, run on every file before anything is
//! written: the new text must parse cleanly to the same tree (spans aside,
//! and the header clauses in canonical order) and hold the same comments.
//! Should a bug in the layout ever break that, the file is left alone.

use super::FormatError;
use super::tokens::tokenize;
use super::tree::clause_rank;
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
/// ignores spans, so their debug texts are compared with every span cut
/// out: the first is written out once, the second compared with it as it
/// is written, never held (on a 1,000-step program each text is megabytes,
/// and making, copying and cutting them was most of formatting's time).
fn same_shape(before: &Parsed, after: &Parsed) -> bool {
    use std::fmt::Write;
    let mut expected = Spanless::new(Sink::Keep(String::new()));
    let _ = write!(expected, "{:?}", Shape(before));
    let Sink::Keep(expected) = expected.finish() else {
        return false;
    };
    let mut actual = Spanless::new(Sink::Compare {
        expected: &expected,
        at: 0,
        differs: false,
    });
    let _ = write!(actual, "{:?}", Shape(after));
    match actual.finish() {
        Sink::Compare {
            expected,
            at,
            differs,
        } => !differs && at == expected.len(),
        Sink::Keep(_) => false,
    }
}

/// A parsed file as [`same_shape`] compares it: clauses in canonical order.
struct Shape<'p>(&'p Parsed);

impl std::fmt::Debug for Shape<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The whole program, so that no field a construct adds escapes the
        // comparison.
        let program = self.0.program.clone().map(|mut program| {
            program.clauses.sort_by_key(|c| clause_rank(&c.kind));
            program
        });
        write!(f, "{program:?} {:?}", self.0.schema)
    }
}

/// Where [`Spanless`] puts what is left of the text.
enum Sink<'e> {
    Keep(String),
    Compare {
        expected: &'e str,
        at: usize,
        differs: bool,
    },
}

impl Sink<'_> {
    fn put(&mut self, text: &str) {
        match self {
            Sink::Keep(kept) => kept.push_str(text),
            Sink::Compare {
                expected,
                at,
                differs,
            } => {
                if *differs {
                    return;
                }
                match expected.get(*at..*at + text.len()) {
                    Some(same) if same == text => *at += text.len(),
                    _ => *differs = true,
                }
            }
        }
    }
}

/// A writer that passes on a debug text with every `Span { start: …, end:
/// … }` written as `Span`, however the text comes in pieces.
struct Spanless<'e> {
    sink: Sink<'e>,
    /// How much of [`SPAN`] the last characters were.
    matched: usize,
    /// The part of a possible span that came in earlier pieces.
    held: String,
    /// Inside a span, up to its `}`.
    skipping: bool,
}

const SPAN: &str = "Span { start: ";

impl<'e> Spanless<'e> {
    fn new(sink: Sink<'e>) -> Self {
        Spanless {
            sink,
            matched: 0,
            held: String::new(),
            skipping: false,
        }
    }

    fn finish(mut self) -> Sink<'e> {
        self.sink.put(&self.held);
        self.sink
    }
}

impl std::fmt::Write for Spanless<'_> {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        let pattern = SPAN.as_bytes();
        let bytes = text.as_bytes();
        // The start of what this piece has not passed on yet. The pattern
        // is ASCII, so every place it starts or ends is a char boundary.
        let mut from = 0;
        let mut i = 0;
        while i < bytes.len() {
            if self.skipping {
                // Inside a span: on to its `}` (memchr: a tree's debug text
                // is megabytes, and most of it is no span).
                let Some(at) = memchr::memchr(b'}', &bytes[i..]) else {
                    return Ok(());
                };
                self.skipping = false;
                self.sink.put("Span");
                i += at + 1;
                from = i;
                continue;
            }
            if self.matched == 0 {
                // On to the next place a span could start.
                let Some(at) = memchr::memchr(pattern[0], &bytes[i..]) else {
                    break;
                };
                i += at;
            }
            let b = bytes[i];
            if b != pattern[self.matched] && self.matched > 0 {
                // Not a span after all: what was held back goes on (this
                // piece's share of it with the rest, from `from`). Only the
                // pattern's first letter is an `S`, so a span can start
                // again only here.
                self.sink.put(&self.held);
                self.held.clear();
                self.matched = 0;
            }
            if b == pattern[self.matched] {
                if self.matched == 0 {
                    self.sink.put(&text[from..i]);
                    from = i;
                }
                self.matched += 1;
                if self.matched == pattern.len() {
                    self.matched = 0;
                    self.held.clear();
                    self.skipping = true;
                }
            }
            i += 1;
        }
        if self.skipping {
            return Ok(());
        }
        if self.matched > 0 {
            self.held.push_str(&text[from..]);
        } else {
            self.sink.put(&text[from..]);
        }
        Ok(())
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
    use std::fmt::Write;

    fn spanless(pieces: &[&str]) -> String {
        let mut out = Spanless::new(Sink::Keep(String::new()));
        for piece in pieces {
            let _ = out.write_str(piece);
        }
        match out.finish() {
            Sink::Keep(kept) => kept,
            Sink::Compare { .. } => String::new(),
        }
    }

    #[test]
    fn spans_are_cut_out_however_the_text_comes() {
        let debug = "Name { value: \"SSpan Span {\", span: Span { start: 1, end: 2 } } Spa";
        let want = "Name { value: \"SSpan Span {\", span: Span } Spa";
        assert_eq!(spanless(&[debug]), want);
        // In every split into two and into single characters.
        for cut in 0..=debug.len() {
            assert_eq!(spanless(&[&debug[..cut], &debug[cut..]]), want, "{cut}");
        }
        let chars: Vec<String> = debug.chars().map(String::from).collect();
        let pieces: Vec<&str> = chars.iter().map(String::as_str).collect();
        assert_eq!(spanless(&pieces), want);
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
