//! Laying out one chunk of tokens as lines.
//!
//! Inside a construct, tokens are joined with one blank (none inside
//! brackets, before a comma or colon, around `..`, or after the commas of a
//! `window`'s days). A line break is kept
//! only where a condition is continued: before `and` or `or` (a break just
//! after one moves before it). A comment always ends its line, and a
//! comment on a line of its own inside a construct keeps its own line.
//! Continued lines line up under the first word after the keyword, as the
//! header's `audience` does in the bundled programs.

use super::tokens::Token;
use std::ops::Range;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Line {
    Blank,
    /// Code (empty for a comment on its own line) and its trailing comment.
    Text {
        indent: usize,
        code: String,
        comment: Option<String>,
    },
}

impl Line {
    pub fn comment(indent: usize, text: &str) -> Line {
        Line::Text {
            indent,
            code: String::new(),
            comment: Some(text.to_string()),
        }
    }
}

/// The lines of one chunk, and where its arrow is when the arrow is on the
/// construct's first line (so that arms can line their arrows up).
#[derive(Debug, Default)]
pub(super) struct Built {
    pub lines: Vec<Line>,
    pub arrow: Option<Arrow>,
}

/// The `->` of an arm: on line `line`, after `before` bytes of code.
#[derive(Clone, Copy, Debug)]
pub(super) struct Arrow {
    pub line: usize,
    pub before: usize,
}

/// A keyword padded to a width, so the values after it line up.
#[derive(Clone, Copy, Debug)]
pub(super) struct Keyword {
    pub tokens: usize,
    pub width: usize,
}

/// Lays out `range` at `indent`, its first `keyword` tokens padded.
pub(super) fn build(
    tokens: &[Token],
    range: Range<usize>,
    indent: usize,
    keyword: Option<Keyword>,
) -> Built {
    let mut builder = Builder {
        built: Built::default(),
        indent,
        continuation: indent + 4,
        current: None,
        code_tokens: 0,
        code_lines: 0,
        previous: None,
        days: false,
    };
    for i in range.clone() {
        let token = &tokens[i];
        if token.is_comment() {
            builder.comment(token);
            continue;
        }
        let continues = token.is_connective()
            && ((token.breaks_before > 0 && builder.current.is_some())
                || tokens
                    .get(i + 1)
                    .filter(|_| i + 1 < range.end)
                    .is_some_and(|next| !next.is_comment() && next.breaks_before > 0));
        builder.code(token, continues, keyword);
    }
    builder.finish()
}

struct Builder<'a> {
    built: Built,
    indent: usize,
    /// Where continued lines start; known once the first word is.
    continuation: usize,
    /// The line being written: its indent and code.
    current: Option<(usize, String)>,
    code_tokens: usize,
    code_lines: usize,
    previous: Option<&'a str>,
    /// A `window` clause, whose list of days is written without blanks
    /// (`mon,wed..fri`), as one value, the way docs/language.md writes it.
    days: bool,
}

impl<'a> Builder<'a> {
    fn comment(&mut self, token: &Token) {
        let text = token.text.trim_end();
        if !token.is_own_line() {
            if let Some((indent, code)) = self.current.take() {
                self.built.lines.push(Line::Text {
                    indent,
                    code: code.trim_end().to_string(),
                    comment: Some(text.to_string()),
                });
                return;
            }
        }
        self.flush();
        let leading = self.code_tokens == 0;
        if leading && token.follows_blank_line() && !self.built.lines.is_empty() {
            self.built.lines.push(Line::Blank);
        }
        let indent = if leading {
            self.indent
        } else {
            self.continuation
        };
        self.built.lines.push(Line::comment(indent, text));
    }

    fn code(&mut self, token: &Token<'a>, continues: bool, keyword: Option<Keyword>) {
        if self.current.is_none() || continues {
            self.flush();
            let first = self.code_tokens == 0;
            if first && token.follows_blank_line() && !self.built.lines.is_empty() {
                self.built.lines.push(Line::Blank);
            }
            let indent = if first {
                self.indent
            } else {
                self.continuation
            };
            self.current = Some((indent, String::new()));
            self.code_lines += 1;
        } else if let (Some((_, code)), Some(previous)) = (&mut self.current, self.previous) {
            if needs_blank(previous, token.text) && !(self.days && previous == ",") {
                code.push(' ');
            }
        }
        let first_line = self.code_lines == 1;
        let line = self.built.lines.len();
        let Some((indent, code)) = &mut self.current else {
            return;
        };
        if token.text == "->" && first_line {
            let before = code.trim_end().len();
            self.built.arrow = Some(Arrow { line, before });
        }
        if self.code_tokens == 0 {
            self.days = token.text == "window";
        }
        code.push_str(token.text);
        self.code_tokens += 1;
        self.previous = Some(token.text);
        if first_line {
            match keyword {
                Some(keyword) if self.code_tokens == keyword.tokens => {
                    let pad = keyword.width.saturating_sub(code.chars().count());
                    code.push_str(&" ".repeat(pad));
                    self.continuation = *indent + code.chars().count() + 1;
                }
                None if self.code_tokens == 1 => {
                    self.continuation = *indent + code.chars().count() + 1;
                }
                _ => {}
            }
        }
    }

    fn flush(&mut self) {
        if let Some((indent, code)) = self.current.take() {
            let code = code.trim_end().to_string();
            self.built.lines.push(Line::Text {
                indent,
                code,
                comment: None,
            });
        }
    }

    fn finish(mut self) -> Built {
        self.flush();
        self.built
    }
}

/// Whether two tokens on one line are written with a blank between them.
fn needs_blank(previous: &str, next: &str) -> bool {
    !(matches!(previous, "(" | "[" | "..") || matches!(next, ")" | "]" | "," | ":" | ".."))
}
