//! The formatter's view of the text: a flat list of tokens, comments
//! included, each knowing how many line breaks came before it.
//!
//! The formatter never rewrites a token: it only chooses the blanks between
//! them (and, in the header, the order of whole clauses). So a token here is
//! exactly a piece of the grammar that blanks may not split or join — a name
//! (dotted ones whole), a number with its unit, a clock time, a text in
//! quotes, a comment, or punctuation.

use crate::span::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Code,
    Comment,
}

#[derive(Clone, Debug)]
pub(super) struct Token<'a> {
    pub text: &'a str,
    pub span: Span,
    pub kind: Kind,
    /// Line breaks between the previous token and this one (the start of
    /// the file counts as one).
    pub breaks_before: usize,
}

impl Token<'_> {
    pub fn is_comment(&self) -> bool {
        self.kind == Kind::Comment
    }

    /// Whether a line break before this token in the source opens a new
    /// line of a condition that is kept (`and`/`or` start a continued line).
    pub fn is_connective(&self) -> bool {
        self.kind == Kind::Code && matches!(self.text, "and" | "or")
    }

    /// A comment standing on a line of its own rather than after code.
    pub fn is_own_line(&self) -> bool {
        self.breaks_before > 0
    }

    /// Whether an empty line came before this token.
    pub fn follows_blank_line(&self) -> bool {
        self.breaks_before > 1
    }
}

/// Splits `text` into tokens. A byte-order mark at the start is skipped.
pub(super) fn tokenize(text: &str) -> Vec<Token<'_>> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = if text.starts_with('\u{FEFF}') { 3 } else { 0 };
    // The start of the file counts as a line break: a comment there stands
    // on a line of its own.
    let mut breaks = 1;
    while i < bytes.len() {
        let byte = bytes[i];
        if byte == b'\n' {
            breaks += 1;
            i += 1;
            continue;
        }
        if byte.is_ascii_whitespace() || byte == 0x0B {
            i += 1;
            continue;
        }
        let (end, kind) = match byte {
            b'#' => (comment_end(bytes, i), Kind::Comment),
            b'"' => (text_end(bytes, i), Kind::Code),
            b'0'..=b'9' => (number_end(bytes, i), Kind::Code),
            b'+' | b'-' if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                (number_end(bytes, i + 1), Kind::Code)
            }
            _ if starts_name(text, i) => (name_end(text, i), Kind::Code),
            _ => (punctuation_end(text, i), Kind::Code),
        };
        tokens.push(Token {
            text: &text[i..end],
            span: Span::new(i, end),
            kind,
            breaks_before: breaks,
        });
        breaks = 0;
        i = end;
    }
    tokens
}

/// A comment runs to the end of its line; a carriage return and blanks
/// before the line feed are not part of it.
fn comment_end(bytes: &[u8], start: usize) -> usize {
    let mut end = bytes[start..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |n| start + n);
    while end > start + 1 && bytes[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    end
}

/// After the closing quote (escapes skipped), or at the line's end when the
/// text is never closed.
fn text_end(bytes: &[u8], open: usize) -> usize {
    let mut i = open + 1;
    while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
        if bytes[i] == b'\\' && i + 1 < bytes.len() && bytes[i + 1] != b'\n' {
            i += 1;
        }
        i += 1;
    }
    if i < bytes.len() && bytes[i] == b'"' {
        i + 1
    } else {
        i
    }
}

/// A number with its unit (`3d`, `12.5%`, `-3`) or a clock time (`21:00`),
/// as the grammar's `quantity`, `points` and `clock` read them.
fn number_end(bytes: &[u8], start: usize) -> usize {
    let digits = |mut i: usize| {
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    let followed_by_digit = |i: usize| bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
    let mut i = digits(start);
    if bytes.get(i) == Some(&b':') && followed_by_digit(i) {
        return digits(i + 1);
    }
    if bytes.get(i) == Some(&b'.') && followed_by_digit(i) {
        i = digits(i + 1);
    }
    while i < bytes.len() && (bytes[i].is_ascii_alphabetic() || bytes[i] == b'%') {
        i += 1;
    }
    i
}

fn starts_name(text: &str, at: usize) -> bool {
    text[at..]
        .chars()
        .next()
        .is_some_and(|c| c == '_' || c.is_alphabetic())
}

/// A name, with its dotted parts (`last_order.amount` is one attribute).
fn name_end(text: &str, start: usize) -> usize {
    let is_name_char = |c: char| c == '_' || c.is_alphanumeric();
    let mut end = start;
    let mut chars = text[start..].char_indices().peekable();
    while let Some((offset, c)) = chars.next() {
        if is_name_char(c) {
            end = start + offset + c.len_utf8();
        } else if c == '.'
            && chars
                .peek()
                .is_some_and(|&(_, next)| next == '_' || next.is_alphabetic())
        {
            end = start + offset + 1;
        } else {
            break;
        }
    }
    end
}

fn punctuation_end(text: &str, start: usize) -> usize {
    const PAIRS: [&str; 6] = ["->", "==", "!=", "<=", ">=", ".."];
    let rest = &text[start..];
    if PAIRS.iter().any(|pair| rest.starts_with(pair)) {
        return start + 2;
    }
    start + rest.chars().next().map_or(1, char::len_utf8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<&str> {
        tokenize(text).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn values_stay_whole() {
        assert_eq!(
            texts("quiet 21:00..08:00 holdout 12.5% wait 3d score -5 x.y >= -1.5"),
            [
                "quiet", "21:00", "..", "08:00", "holdout", "12.5%", "wait", "3d", "score", "-5",
                "x.y", ">=", "-1.5"
            ]
        );
    }

    #[test]
    fn texts_and_comments_are_single_tokens() {
        let tokens = tokenize("send email \"#1 \\\"x\\\"\" # note  \r\n}");
        let found: Vec<_> = tokens.iter().map(|t| (t.text, t.kind)).collect();
        assert_eq!(
            found,
            [
                ("send", Kind::Code),
                ("email", Kind::Code),
                ("\"#1 \\\"x\\\"\"", Kind::Code),
                ("# note", Kind::Comment),
                ("}", Kind::Code),
            ]
        );
        assert_eq!(tokens[4].breaks_before, 1);
    }

    #[test]
    fn a_byte_order_mark_is_no_token() {
        assert_eq!(texts("\u{FEFF}program p {}"), ["program", "p", "{", "}"]);
    }
}
