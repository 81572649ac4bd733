//! Render stage, for people: the lines of a file that one human report
//! shows, made safe to draw. miette is handed this excerpt, never the file:
//!
//! - a line longer than [`LONGEST_LINE`] columns is cut to a window of
//!   [`WINDOW`] columns around the labels on it, with `…` where it was
//!   cut (miette pads to a label's column with a formatting width, which
//!   panics past column 65,535, and a megabyte line helps nobody);
//! - control characters and bidirectional controls are written as escapes
//!   (`\u{1b}`), so a file cannot clear or reorder the terminal
//!   (`crate::printable`);
//! - only the lines around the labels are copied, each group of nearby
//!   labels with one line of context before and after, which is what miette
//!   draws; the line numbers and the header's column are those of the file.
//!
//! Labels are given as byte spans into the file and come back as spans into
//! the excerpt.

use super::lines::LineIndex;
use crate::printable::{escape_len, is_unsafe, push_escape};
use crate::span::Span;
use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

/// Lines up to this many columns, as shown, are shown whole.
pub const LONGEST_LINE: usize = 240;

/// How many columns of a longer line are shown.
pub const WINDOW: usize = 120;

/// Of the window, how many columns come before the label it is cut
/// around, so the text leading up to it is seen too.
const LEAD: usize = WINDOW / 3;

/// The mark where a line was cut.
const CUT: &str = "…";

/// One line of the file as the excerpt shows it.
#[derive(Debug)]
struct Shown {
    /// Where it starts in the excerpt's text.
    start: usize,
    /// Where its `\n` is in the excerpt's text.
    end: usize,
    /// Its 0-based number in the file.
    number: usize,
    /// Which group of nearby lines it belongs to; context never crosses
    /// from one group into the next.
    group: usize,
    /// The bytes of the file shown, within the line's content.
    from: usize,
    to: usize,
    /// The end of the line's content in the file (before its line break).
    content_end: usize,
    cut_before: bool,
}

/// The lines shown for one diagnostic.
#[derive(Debug)]
pub struct Excerpt {
    text: String,
    lines: Vec<Shown>,
    /// (excerpt offset, file offset) of each label's start, so the header
    /// names the label's column in the file even where the line was cut.
    starts: Vec<(usize, usize)>,
    /// The file's 0-based column of each of those starts, in characters.
    columns: Vec<usize>,
}

impl Excerpt {
    /// The excerpt showing `spans` (in bounds and on char boundaries, as
    /// [`LineIndex::clamp_span`] makes them), and each span in it.
    pub fn new(index: &LineIndex<'_>, spans: &[Span]) -> (Excerpt, Vec<Span>) {
        let text = index.text();
        // The empty "line" after a final line break is not shown.
        let lines = index.line_count() - usize::from(text.ends_with('\n'));
        let last_line = lines.saturating_sub(1);
        // Each span's lines, one line of context either side.
        let mut ranges: Vec<(usize, usize)> = spans
            .iter()
            .map(|span| {
                let first = index.line_number(span.start);
                let last = index.line_number(span.end.saturating_sub(1).max(span.start));
                (first.saturating_sub(1), (last + 1).min(last_line))
            })
            .collect();
        ranges.sort_unstable();
        // miette draws two labels in one snippet when at most one line
        // separates their context; so does the excerpt (see `read_span`).
        let mut groups: Vec<(usize, usize)> = Vec::new();
        for (first, last) in ranges {
            match groups.last_mut() {
                Some(group) if first <= group.1 + 2 => group.1 = group.1.max(last),
                _ => groups.push((first, last)),
            }
        }

        let mut excerpt = Excerpt {
            text: String::new(),
            lines: Vec::new(),
            starts: Vec::new(),
            columns: Vec::new(),
        };
        for (group, &(first, last)) in groups.iter().enumerate() {
            for number in first..=last {
                let (line_start, content_end) = index.line_bounds(number);
                let focus = focus(spans, line_start, content_end);
                let (from, to) = window(text, line_start, content_end, focus);
                let start = excerpt.text.len();
                let cut_before = from > line_start;
                if cut_before {
                    excerpt.text.push_str(CUT);
                }
                push_shown(&mut excerpt.text, text.get(from..to).unwrap_or(""));
                if to < content_end {
                    excerpt.text.push_str(CUT);
                }
                let end = excerpt.text.len();
                excerpt.text.push('\n');
                excerpt.lines.push(Shown {
                    start,
                    end,
                    number,
                    group,
                    from,
                    to,
                    content_end,
                    cut_before,
                });
            }
        }
        let mapped = spans
            .iter()
            .map(|span| {
                let start = excerpt.map(index, span.start);
                let end = excerpt.map(index, span.end).max(start);
                excerpt.starts.push((start, span.start));
                let (line_start, _) = index.line_bounds(index.line_number(span.start));
                excerpt.columns.push(
                    text.get(line_start..span.start)
                        .map_or(0, |b| b.chars().count()),
                );
                Span::new(start, end)
            })
            .collect();
        (excerpt, mapped)
    }

    /// Where a byte of the file is in the excerpt: inside the window, at
    /// the same character; before it, at the `…`; after it, after the `…`.
    fn map(&self, index: &LineIndex<'_>, offset: usize) -> usize {
        let number = index.line_number(offset);
        let Ok(at) = self.lines.binary_search_by_key(&number, |l| l.number) else {
            // Every span's lines are in the excerpt; should one not be, the
            // label still lands on a line that is.
            return self.lines.last().map_or(0, |l| l.end);
        };
        let line = &self.lines[at];
        let lead = if line.cut_before { CUT.len() } else { 0 };
        if offset < line.from {
            line.start
        } else if offset <= line.to {
            let before = index.text().get(line.from..offset).unwrap_or("");
            line.start + lead + shown_len(before)
        } else if offset <= line.content_end {
            // Past the window: after the `…` that ends the line.
            line.end
        } else {
            // In the line break.
            line.end
        }
    }

    /// The lines `first..=last` of the excerpt (indices into `lines`).
    fn contents(&self, first: usize, last: usize) -> (usize, usize) {
        let start = self.lines[first].start;
        // Through the line's `\n`, as miette reads a line.
        let end = (self.lines[last].end + 1).min(self.text.len());
        (start, end)
    }
}

/// The byte a long line is cut around: the first span starting on the
/// line, else the first ending on it, else its start.
fn focus(spans: &[Span], line_start: usize, content_end: usize) -> usize {
    let on_line = |offset: usize| (line_start..=content_end).contains(&offset);
    spans
        .iter()
        .map(|s| s.start)
        .find(|&s| on_line(s))
        .or_else(|| spans.iter().map(|s| s.end).find(|&e| on_line(e)))
        .unwrap_or(line_start)
}

/// The bytes of a line that are shown: all of it when it is short, else
/// [`WINDOW`] columns around `focus`, [`LEAD`] of them before it. Columns
/// are counted as shown: a control character written `\u{0}` takes six.
fn window(text: &str, start: usize, end: usize, focus: usize) -> (usize, usize) {
    // `start`, `end` and `focus` are char boundaries of `text` (line
    // bounds and clamped spans); should one not be, the line is shown whole.
    let (Some(line), Some(before)) = (
        text.get(start..end),
        text.get(start..focus.clamp(start, end)),
    ) else {
        return (start, end);
    };
    if columns_within(line.chars(), LONGEST_LINE).is_none() {
        return (start, end);
    }
    let focus = start + before.len();
    let mut from = focus - columns_within(before.chars().rev(), LEAD).unwrap_or(before.len());
    let after = text.get(from..end).unwrap_or("");
    let to = from + columns_within(after.chars(), WINDOW).unwrap_or(after.len());
    if to == end {
        // Near the end: show the last WINDOW columns.
        from = end - columns_within(line.chars().rev(), WINDOW).unwrap_or(line.len());
    }
    (from, to)
}

/// How many bytes of `chars` fit in `columns` shown columns, or `None`
/// when all of them do. Looks at no more characters than that.
fn columns_within(chars: impl Iterator<Item = char>, columns: usize) -> Option<usize> {
    let (mut used, mut bytes) = (0, 0);
    for c in chars {
        used += if is_unsafe(c) { escape_len(c) } else { 1 };
        if used > columns {
            return Some(bytes);
        }
        bytes += c.len_utf8();
    }
    None
}

fn push_shown(out: &mut String, text: &str) {
    for c in text.chars() {
        if is_unsafe(c) {
            push_escape(out, c);
        } else {
            out.push(c);
        }
    }
}

fn shown_len(text: &str) -> usize {
    text.chars()
        .map(|c| {
            if is_unsafe(c) {
                escape_len(c)
            } else {
                c.len_utf8()
            }
        })
        .sum()
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        if self.lines.is_empty() {
            return Err(MietteError::OutOfBounds);
        }
        let start = span.offset().min(self.text.len());
        let end = (start + span.len()).min(self.text.len());
        let line_at = |offset: usize| {
            self.lines
                .partition_point(|l| l.start <= offset)
                .saturating_sub(1)
        };
        let first_line = line_at(start);
        let last_line = line_at(end.saturating_sub(1).max(start));
        let group = self.lines[first_line].group;

        if context_lines_before == 0 && context_lines_after == 0 {
            // The header's question: where the label starts, in the file.
            let column = self
                .starts
                .iter()
                .position(|&(at, _)| at == start)
                .map_or(0, |n| self.columns[n]);
            return Ok(Box::new(MietteSpanContents::new(
                self.text.as_bytes().get(start..end).unwrap_or_default(),
                SourceSpan::new(start.into(), end - start),
                self.lines[first_line].number,
                column,
                last_line - first_line + 1,
            )));
        }

        let mut first = first_line.saturating_sub(context_lines_before);
        while self.lines[first].group != group {
            first += 1;
        }
        let mut last = (last_line + context_lines_after).min(self.lines.len() - 1);
        while last > first && self.lines[last].group != group {
            last -= 1;
        }
        let (from, to) = self.contents(first, last);
        Ok(Box::new(MietteSpanContents::new(
            self.text.as_bytes().get(from..to).unwrap_or_default(),
            SourceSpan::new(from.into(), to - from),
            self.lines[first].number,
            0,
            // One more than the lines read: miette then draws two labels
            // in one snippet when one line separates their context, as it
            // does reading a whole text, and as the groups are made.
            last - first + 2,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn excerpt(text: &str, spans: &[Span]) -> (String, Vec<Span>) {
        let index = LineIndex::new(text);
        let (excerpt, mapped) = Excerpt::new(&index, spans);
        (excerpt.text, mapped)
    }

    #[test]
    fn short_lines_are_copied_with_their_neighbours() {
        let text = "a\nbb\ncc\ndd\nee\nff\ngg\nhh\nii\njj\n";
        let (shown, mapped) = excerpt(text, &[Span::new(6, 7), Span::new(20, 22)]);
        // Lines 2..=4 around `cc`, lines 7..=9 around `hh`.
        assert_eq!(shown, "bb\ncc\ndd\ngg\nhh\nii\n");
        assert_eq!(&shown[mapped[0].start..mapped[0].end], "c");
        assert_eq!(&shown[mapped[1].start..mapped[1].end], "hh");
    }

    #[test]
    fn a_long_line_is_cut_around_the_label() {
        let line = format!("{}TARGET{}", "x".repeat(70_000), "y".repeat(70_000));
        let at = line.find("TARGET").unwrap_or(0);
        let (shown, mapped) = excerpt(&line, &[Span::new(at, at + 6)]);
        assert!(shown.starts_with('…') && shown.ends_with("…\n"), "{shown}");
        assert_eq!(shown.chars().count(), WINDOW + 3);
        assert_eq!(&shown[mapped[0].start..mapped[0].end], "TARGET");
    }

    #[test]
    fn a_label_outside_the_window_points_at_the_cut() {
        let line = "z".repeat(10_000);
        let (shown, mapped) = excerpt(&line, &[Span::new(5_000, 5_001), Span::new(20, 30)]);
        // The window is around the first label on the line.
        assert!(shown.starts_with('…'), "{shown}");
        assert_eq!(mapped[1], Span::new(0, 0));
        assert_eq!(&shown[mapped[0].start..mapped[0].end], "z");
    }

    /// Found by fuzzing: a line of NULs, each shown as `\u{0}`, was cut to
    /// 120 characters and shown 720 columns wide.
    #[test]
    fn the_window_counts_columns_as_shown() {
        let line = "\0".repeat(10_000);
        let (shown, mapped) = excerpt(&line, &[Span::new(5_000, 5_001)]);
        let widest = shown.lines().map(|l| l.chars().count()).max().unwrap_or(0);
        assert!(widest <= WINDOW + 2, "{widest}");
        assert_eq!(&shown[mapped[0].start..mapped[0].end], "\\u{0}");
        // A line of 100 NULs is 600 columns: cut too.
        let (shown, _) = excerpt(&"\0".repeat(100), &[Span::new(0, 1)]);
        assert!(shown.ends_with("…\n"), "{shown}");
    }

    #[test]
    fn controls_are_escaped_and_labels_follow() {
        let text = "say \"\u{1b}[2J\u{202e}hi\"\r\n";
        let at = text.find('h').unwrap_or(0);
        let (shown, mapped) = excerpt(text, &[Span::new(at, at + 2)]);
        assert_eq!(shown, "say \"\\u{1b}[2J\\u{202e}hi\"\n");
        assert_eq!(&shown[mapped[0].start..mapped[0].end], "hi");
    }

    #[test]
    fn reading_a_span_gives_the_file_line_and_column() {
        let line = format!("{}x", "é".repeat(1_000));
        let text = format!("one\n{line}\nthree\n");
        let at = text.find('x').unwrap_or(0);
        let index = LineIndex::new(&text);
        let (excerpt, mapped) = Excerpt::new(&index, &[Span::new(at, at + 1)]);
        let span = SourceSpan::new(mapped[0].start.into(), 1);
        let header = excerpt.read_span(&span, 0, 0).map_err(|e| e.to_string());
        let header = header.as_ref().map(|c| (c.line(), c.column()));
        assert_eq!(header, Ok((1, 1_000)));
        let context = excerpt.read_span(&span, 1, 1).map_err(|e| e.to_string());
        let context = context.as_ref().map(|c| c.line());
        assert_eq!(context, Ok(0));
    }
}
