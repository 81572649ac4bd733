//! Byte ranges into a program's text. Every syntax node carries one; line and
//! column are worked out only when a diagnostic is rendered (`render::lines`).

use serde::Serialize;

/// A half-open byte range `start..end` into the source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
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

/// A syntax tree's debug text with every span cut out: what two trees are
/// when layout and comments are left aside. The tree has no equality that
/// ignores spans, so `nurture fmt` checks its work and `nurture diff`
/// compares clauses and statements by this text.
pub fn without_spans(debug: &str) -> String {
    const SPAN: &str = "Span { start: ";
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug;
    while let Some(at) = rest.find(SPAN) {
        out.push_str(&rest[..at]);
        out.push_str("Span");
        rest = &rest[at..];
        rest = rest.find('}').map_or("", |end| &rest[end + 1..]);
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn spans_are_cut_out() {
        let debug = "Name { value: \"a\", span: Span { start: 1, end: 2 } }";
        assert_eq!(
            super::without_spans(debug),
            "Name { value: \"a\", span: Span }"
        );
    }
}
