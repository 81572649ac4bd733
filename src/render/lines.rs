//! Render stage: turning byte offsets into the line and column a person (or an
//! editor, or GitHub) counts in. Spans stay byte ranges everywhere else; this is
//! the one place that knows about lines, and the one place that makes any
//! offset safe to use, however wrong it is.

use crate::span::Span;
use serde::Serialize;

/// A place in a text as people count it: both 1-based, the column in Unicode
/// scalar values (so `ü` is one column, not two bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// Where each line of a text starts, so a position is a binary search away.
#[derive(Clone, Debug)]
pub struct LineIndex<'a> {
    text: &'a str,
    /// Byte offset of the start of each line; the first is always 0. Only `\n`
    /// ends a line, so the `\r` of a CRLF belongs to the line before it.
    line_starts: Vec<usize>,
    /// How many chars come before each line start, for SARIF's char offsets.
    line_char_starts: Vec<usize>,
    /// How many chars come before every [`CHECKPOINT`]th byte (moved back
    /// to a char boundary), so that a column on a line a megabyte long is
    /// counted from a nearby checkpoint rather than from the line's start.
    checkpoints: Vec<(usize, usize)>,
}

/// Bytes between two checkpoints: counting chars over at most this many
/// bytes is what a position costs, however long its line.
const CHECKPOINT: usize = 1024;

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut line_starts = vec![0];
        let mut line_char_starts = vec![0];
        let mut checkpoints = vec![(0, 0)];
        let mut next_checkpoint = CHECKPOINT;
        for (chars_before, (offset, c)) in text.char_indices().enumerate() {
            if offset >= next_checkpoint {
                checkpoints.push((offset, chars_before));
                next_checkpoint = offset + CHECKPOINT;
            }
            if c == '\n' {
                line_starts.push(offset + 1);
                line_char_starts.push(chars_before + 1);
            }
        }
        LineIndex {
            text,
            line_starts,
            line_char_starts,
            checkpoints,
        }
    }

    /// How many chars come before `offset`, a char boundary in the text.
    fn chars_before(&self, offset: usize) -> usize {
        // The first checkpoint is (0, 0), so one is always at or before.
        let at = self
            .checkpoints
            .partition_point(|&(start, _)| start <= offset)
            .saturating_sub(1);
        let (start, chars) = self.checkpoints.get(at).copied().unwrap_or((0, 0));
        chars
            + self
                .text
                .get(start..offset)
                .map_or(0, |between| between.chars().count())
    }

    pub fn text(&self) -> &'a str {
        self.text
    }

    /// `offset` moved back onto a char boundary inside the text. Spans can come
    /// from a lossily decoded file or from a bug elsewhere; neither may crash the
    /// renderer.
    pub fn clamp(&self, offset: usize) -> usize {
        floor_char_boundary(self.text, offset)
    }

    /// `span` made safe to slice with: both ends inside the text and on char
    /// boundaries, the end widened to cover a char it cuts into, and never
    /// before the start.
    pub fn clamp_span(&self, span: Span) -> Span {
        let start = floor_char_boundary(self.text, span.start);
        let end = ceil_char_boundary(self.text, span.end).max(start);
        Span::new(start, end)
    }

    pub fn position(&self, offset: usize) -> Position {
        let offset = self.clamp(offset);
        let (line, _) = self.line_of(offset);
        let line_chars = self.line_char_starts.get(line).copied().unwrap_or(0);
        let column = self.chars_before(offset).saturating_sub(line_chars);
        Position {
            line: line + 1,
            column: column + 1,
        }
    }

    /// How many chars come before `offset` (clamped like [`Self::position`]).
    pub fn char_offset(&self, offset: usize) -> usize {
        self.chars_before(self.clamp(offset))
    }

    /// How many lines the text has (a text ending in a line break has an
    /// empty last line after it).
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The 0-based line holding `offset` (clamped to the text).
    pub fn line_number(&self, offset: usize) -> usize {
        self.line_of(self.clamp(offset)).0
    }

    /// Where the 0-based `line` starts, and where its content ends: before
    /// its `\n`, or its `\r\n`. A line past the last is empty at the end.
    pub fn line_bounds(&self, line: usize) -> (usize, usize) {
        let Some(&start) = self.line_starts.get(line) else {
            return (self.text.len(), self.text.len());
        };
        let end = match self.line_starts.get(line + 1) {
            Some(&next) => {
                let before_break = next - 1;
                if before_break > start
                    && self.text.as_bytes().get(before_break - 1) == Some(&b'\r')
                {
                    before_break - 1
                } else {
                    before_break
                }
            }
            None => self.text.len(),
        };
        (start, end)
    }

    /// The 0-based line holding `offset`, and that line's start.
    fn line_of(&self, offset: usize) -> (usize, usize) {
        // The first start is 0, so at least one start is `<= offset`.
        let line = self
            .line_starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1);
        (line, self.line_starts.get(line).copied().unwrap_or(0))
    }
}

/// The nearest char boundary at or before `offset`, at most the text's length.
pub fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    // A UTF-8 char is at most 4 bytes, and 0 is a boundary: this ends quickly.
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The nearest char boundary at or after `offset`, at most the text's length.
pub fn ceil_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    // The text's length is a boundary, so this ends within 3 steps.
    while !text.is_char_boundary(offset) {
        offset += 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: usize, column: usize) -> Position {
        Position { line, column }
    }

    #[test]
    fn counts_lines_and_columns_from_one() {
        let index = LineIndex::new("ab\ncd\n");
        assert_eq!(index.position(0), pos(1, 1));
        assert_eq!(index.position(1), pos(1, 2));
        assert_eq!(index.position(2), pos(1, 3));
        assert_eq!(index.position(3), pos(2, 1));
        assert_eq!(index.position(5), pos(2, 3));
        assert_eq!(index.position(6), pos(3, 1));
    }

    #[test]
    fn columns_count_chars_not_bytes() {
        // `ü` is 2 bytes, `€` 3, `𝄞` 4.
        let text = "ü€𝄞x";
        let index = LineIndex::new(text);
        assert_eq!(index.position(2), pos(1, 2));
        assert_eq!(index.position(5), pos(1, 3));
        assert_eq!(index.position(9), pos(1, 4));
        assert_eq!(index.char_offset(9), 3);
    }

    #[test]
    fn offsets_inside_a_char_move_back_to_its_start() {
        let index = LineIndex::new("a€b");
        assert_eq!(index.position(2), pos(1, 2));
        assert_eq!(index.position(3), pos(1, 2));
        assert_eq!(index.clamp(3), 1);
        assert_eq!(index.clamp_span(Span::new(2, 3)), Span::new(1, 4));
    }

    #[test]
    fn offsets_past_the_end_clamp_to_the_end() {
        let index = LineIndex::new("ab\nc");
        assert_eq!(index.position(4), pos(2, 2));
        assert_eq!(index.position(usize::MAX), pos(2, 2));
        assert_eq!(index.char_offset(usize::MAX), 4);
        assert_eq!(
            index.clamp_span(Span::new(usize::MAX, usize::MAX)),
            Span::new(4, 4)
        );
    }

    #[test]
    fn reversed_spans_become_empty() {
        let index = LineIndex::new("abcdef");
        assert_eq!(index.clamp_span(Span::new(4, 2)), Span::new(4, 4));
    }

    #[test]
    fn carriage_return_belongs_to_the_line_before() {
        let index = LineIndex::new("ab\r\ncd");
        assert_eq!(index.position(2), pos(1, 3));
        assert_eq!(index.position(3), pos(1, 4));
        assert_eq!(index.position(4), pos(2, 1));
        assert_eq!(index.char_offset(5), 5);
    }

    #[test]
    fn empty_text_is_one_empty_line() {
        let index = LineIndex::new("");
        assert_eq!(index.position(0), pos(1, 1));
        assert_eq!(index.position(7), pos(1, 1));
        assert_eq!(index.char_offset(7), 0);
    }

    #[test]
    fn checkpoints_count_the_same_as_counting_from_the_start() {
        let line: String = "aü€𝄞".repeat(2_000);
        let text = format!("x\n{line}\n{line}");
        let index = LineIndex::new(&text);
        for offset in (0..text.len()).filter(|&o| text.is_char_boundary(o)) {
            let before = &text[..offset];
            let line_start = before.rfind('\n').map_or(0, |n| n + 1);
            assert_eq!(index.char_offset(offset), before.chars().count());
            assert_eq!(
                index.position(offset).column,
                text[line_start..offset].chars().count() + 1
            );
        }
    }

    #[test]
    fn line_bounds_leave_out_the_line_break() {
        let index = LineIndex::new("ab\r\ncd\n\r\nx\ry");
        assert_eq!(index.line_count(), 4);
        assert_eq!(index.line_bounds(0), (0, 2));
        assert_eq!(index.line_bounds(1), (4, 6));
        assert_eq!(index.line_bounds(2), (7, 7));
        assert_eq!(index.line_bounds(3), (9, 12));
        assert_eq!(index.line_bounds(9), (12, 12));
        assert_eq!(index.line_number(5), 1);
        assert_eq!(index.line_number(99), 3);
    }

    #[test]
    fn never_panics_on_any_offset() {
        let text = "a\r\nü\t€\n\n𝄞x\n";
        let index = LineIndex::new(text);
        for offset in 0..text.len() + 3 {
            let position = index.position(offset);
            assert!(position.line >= 1 && position.column >= 1);
            index.char_offset(offset);
            for end in 0..text.len() + 3 {
                let span = index.clamp_span(Span::new(offset, end));
                assert!(text.get(span.start..span.end).is_some());
            }
        }
    }
}
