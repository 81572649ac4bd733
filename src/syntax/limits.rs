//! Limits that keep hostile input from costing more than a diagnostic:
//! a size limit, a nesting limit checked before the parser runs, and pest's
//! call limit as a last guard against runaway backtracking.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::span::Span;
use std::num::NonZeroUsize;
use std::sync::Once;

/// The largest file nurture reads. Real programs are a few kilobytes.
pub const MAX_FILE_BYTES: usize = 4 * 1024 * 1024;

/// The deepest nesting of `{`, `(` and `[` together. A real program nests
/// three or four deep; the limit keeps the parser's recursion shallow.
pub const MAX_NESTING: usize = 64;

/// Rule calls one parse may make. Linear grammars like ours make a few
/// hundred per line; this bounds a pathological input, not a real one.
const CALL_LIMIT: usize = 500_000_000;

pub(super) fn set_call_limit() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| pest::set_call_limit(NonZeroUsize::new(CALL_LIMIT)));
}

pub(super) fn too_large(text: &str) -> Option<Diagnostic> {
    (text.len() > MAX_FILE_BYTES).then(too_large_diagnostic)
}

/// The file is larger than [`MAX_FILE_BYTES`]: said once, at its start.
pub fn too_large_diagnostic() -> Diagnostic {
    Diagnostic::new(
        Code::FileTooLarge,
        format!(
            "this file is larger than the {} MiB nurture reads",
            MAX_FILE_BYTES / (1024 * 1024)
        ),
    )
    .label(Span::at(0), "the file starts here")
    .help("a program is a few kilobytes of text; check that this is the file you meant")
}

/// Finds the first bracket nested deeper than [`MAX_NESTING`], skipping
/// texts and comments, where brackets mean nothing.
pub(super) fn too_deep(text: &str) -> Option<Diagnostic> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'{' | b'(' | b'[' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(
                        Diagnostic::new(
                            Code::NestingTooDeep,
                            format!("brackets are nested more than {MAX_NESTING} deep"),
                        )
                        .label(Span::new(i, i + 1), format!("this is bracket number {depth} inside each other"))
                        .help("split the condition into simpler parts, or check for brackets that are never closed"),
                    );
                }
            }
            b'}' | b')' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_inside_texts_and_comments_does_not_count() {
        let text = format!("# {}\n\"{}\"", "(".repeat(100), "[".repeat(100));
        assert!(too_deep(&text).is_none());
    }

    #[test]
    fn deep_nesting_is_found_at_the_first_bracket_too_deep() {
        let text = "(".repeat(100);
        let found = too_deep(&text).map(|d| d.primary_span());
        assert_eq!(found, Some(Span::new(64, 65)));
    }
}
