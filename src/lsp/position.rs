//! Positions at the edge: LSP counts a line and a column in UTF-16 code
//! units (or UTF-8 bytes, when the client offers it); nurture counts bytes
//! from the start of the file. Every conversion goes through here, and every
//! position a client sends is clamped to the text, so a stale or wrong one
//! never points outside it or into the middle of a character.

use crate::span::Span;
use lsp_types::{Position, Range};

/// How the client counts columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf16,
    Utf8,
}

/// Where each line starts, for one version of a document's text.
#[derive(Clone, Debug)]
pub struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    pub fn new(text: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(at, _)| at + 1));
        Lines { starts }
    }

    /// The position of byte `offset` (clamped to the text and moved back to
    /// a character boundary).
    pub fn position(&self, text: &str, offset: usize, encoding: Encoding) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&start| start <= offset) - 1;
        let start = self.starts[line];
        let column = match encoding {
            Encoding::Utf8 => offset - start,
            Encoding::Utf16 => text[start..offset].encode_utf16().count(),
        };
        Position::new(line as u32, column as u32)
    }

    pub fn range(&self, text: &str, span: Span, encoding: Encoding) -> Range {
        Range::new(
            self.position(text, span.start, encoding),
            self.position(text, span.end.max(span.start), encoding),
        )
    }

    /// The byte offset of `position`. A line past the end is the end of the
    /// text; a column past the end of its line is the line's end (before
    /// its line break); a column inside a character is that character's start.
    pub fn offset(&self, text: &str, position: Position, encoding: Encoding) -> usize {
        let line = position.line as usize;
        let Some(&start) = self.starts.get(line) else {
            return text.len();
        };
        let end = self
            .starts
            .get(line + 1)
            .map_or(text.len(), |next| next - 1);
        let end = if end > start && text.as_bytes().get(end - 1) == Some(&b'\r') {
            end - 1
        } else {
            end
        };
        let line_text = &text[start..end.max(start)];
        let column = position.character as usize;
        match encoding {
            Encoding::Utf8 => {
                let mut at = column.min(line_text.len());
                while !line_text.is_char_boundary(at) {
                    at -= 1;
                }
                start + at
            }
            Encoding::Utf16 => {
                let mut units = 0;
                for (at, c) in line_text.char_indices() {
                    let next = units + c.len_utf16();
                    if next > column {
                        return start + at;
                    }
                    units = next;
                }
                start + line_text.len()
            }
        }
    }

    pub fn span(&self, text: &str, range: Range, encoding: Encoding) -> Span {
        let start = self.offset(text, range.start, encoding);
        let end = self.offset(text, range.end, encoding);
        Span::new(start.min(end), start.max(end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_columns_count_units_not_bytes() {
        // `ü` is 2 bytes and 1 unit; `😀` is 4 bytes and 2 units.
        let text = "a\n  title \"Grüße 😀\" x\n";
        let lines = Lines::new(text);
        let x = text.rfind('x').unwrap();
        assert_eq!(
            lines.position(text, x, Encoding::Utf16),
            Position::new(1, 19)
        );
        assert_eq!(
            lines.position(text, x, Encoding::Utf8),
            Position::new(1, 23)
        );
        assert_eq!(lines.offset(text, Position::new(1, 19), Encoding::Utf16), x);
        assert_eq!(lines.offset(text, Position::new(1, 23), Encoding::Utf8), x);
    }

    #[test]
    fn positions_outside_the_text_are_clamped() {
        let text = "ab\r\ncd";
        let lines = Lines::new(text);
        assert_eq!(lines.offset(text, Position::new(0, 99), Encoding::Utf16), 2);
        assert_eq!(
            lines.offset(text, Position::new(9, 0), Encoding::Utf16),
            text.len()
        );
        assert_eq!(
            lines.position(text, 999, Encoding::Utf16),
            Position::new(1, 2)
        );
        // Inside a surrogate pair: the character's start.
        let text = "😀x";
        let lines = Lines::new(text);
        assert_eq!(lines.offset(text, Position::new(0, 1), Encoding::Utf16), 0);
        assert_eq!(
            lines.position(text, 2, Encoding::Utf16),
            Position::new(0, 0)
        );
    }
}
