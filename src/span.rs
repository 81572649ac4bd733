//! Byte ranges into a program's text. Every syntax node carries one; line and
//! column are worked out only when a diagnostic is rendered (`render::lines`).

use serde::Serialize;
use std::cell::Cell;

/// A half-open byte range `start..end` into the source text.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

thread_local! {
    /// Set while [`without_spans`] runs on this thread.
    static SPANLESS: Cell<bool> = const { Cell::new(false) };
}

/// A syntax tree's debug text with every span written as `Span`: what two
/// trees are when layout and comments are left aside. The tree has no
/// equality that ignores spans, so `nurture fmt` checks its work and
/// `nurture diff` compares clauses and statements by this text.
pub fn debug_without_spans(value: &impl std::fmt::Debug) -> String {
    without_spans(|| format!("{value:?}"))
}

/// Runs `f` with every span's debug text written as `Span` on this thread
/// (cutting spans out of a debug text afterwards was most of formatting's
/// time, and could not tell a span from a text that looks like one).
pub fn without_spans<R>(f: impl FnOnce() -> R) -> R {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            SPANLESS.with(|flag| flag.set(self.0));
        }
    }
    let _restore = Restore(SPANLESS.with(|flag| flag.replace(true)));
    f()
}

impl std::fmt::Debug for Span {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if SPANLESS.with(Cell::get) {
            return f.write_str("Span");
        }
        f.debug_struct("Span")
            .field("start", &self.start)
            .field("end", &self.end)
            .finish()
    }
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// An empty span at `offset`, for "something is missing here".
    pub fn at(offset: usize) -> Self {
        Span::new(offset, offset)
    }

    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// This span moved `by` bytes to the right (for text parsed out of a slice).
    pub fn shifted(self, by: usize) -> Span {
        Span::new(self.start + by, self.end + by)
    }
}

/// A value with the span of the text it came from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

/// A name written in the program (a step, event, channel, tag …).
pub type Name = Spanned<String>;

impl Name {
    pub fn as_str(&self) -> &str {
        &self.value
    }
}

#[cfg(test)]
mod tests {
    use super::{Span, Spanned, debug_without_spans};

    #[test]
    fn spans_are_left_out_only_when_asked() {
        let name = Spanned::new("a".to_string(), Span::new(1, 2));
        assert_eq!(
            debug_without_spans(&name),
            "Spanned { value: \"a\", span: Span }"
        );
        // A text that looks like a span is kept as it is.
        let text = Spanned::new("Span { start: 3".to_string(), Span::new(1, 2));
        assert!(debug_without_spans(&text).contains("\"Span { start: 3\""));
        assert_eq!(
            format!("{:?}", Span::new(1, 2)),
            "Span { start: 1, end: 2 }"
        );
    }
}
