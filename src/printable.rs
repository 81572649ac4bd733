//! Text made safe to print. A file, a path, a customer id or a key in a
//! behaviour model can hold characters a terminal obeys instead of showing
//! (ESC starts a sequence that can clear or recolour the screen, BEL rings,
//! CR returns to the start of the line and hides what came before) and
//! characters that reorder what is shown around them (U+202E and the other
//! bidirectional controls). Everything nurture prints for people passes
//! through [`printable`], which writes each of them as an escape like
//! `\u{1b}`, the way `nurture` quotes a bad cell of a data file.

use std::borrow::Cow;

/// Whether `c` is shown as an escape: every control character but tab and
/// line feed, the bidirectional controls, and the line and paragraph
/// separators (which end a line on some screens and not others).
pub fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\t' && c != '\n') || is_invisible_control(c)
}

/// The format characters that change how the text around them is shown:
/// the bidirectional embeddings, overrides and isolates, the marks, and the
/// line and paragraph separators.
pub fn is_invisible_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
            | '\u{2028}'
            | '\u{2029}'
    )
}

/// `text` with every [`is_unsafe`] character written as an escape
/// (`\u{1b}`, `\r`, `\0` is `\u{0}`); borrowed when there is none.
pub fn printable(text: &str) -> Cow<'_, str> {
    escaped(text, is_unsafe)
}

/// [`printable`] for a text meant to stay on one line: a line feed is
/// written `\n` too (a path with a line break must not start a line of its
/// own, where a CI runner would read it as a command).
pub fn one_line(text: &str) -> Cow<'_, str> {
    escaped(text, |c| c == '\n' || is_unsafe(c))
}

fn escaped(text: &str, unsafe_char: impl Fn(char) -> bool) -> Cow<'_, str> {
    let Some(first) = text.find(&unsafe_char) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 8);
    out.push_str(&text[..first]);
    for c in text[first..].chars() {
        if unsafe_char(c) {
            push_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Appends the escape for one character: `\t`, `\r`, `\n`, or `\u{…}`.
pub fn push_escape(out: &mut String, c: char) {
    match c {
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        '\n' => out.push_str("\\n"),
        c => out.extend(c.escape_unicode()),
    }
}

/// How long the escape of `c` is, in bytes (and in chars: it is ASCII).
pub fn escape_len(c: char) -> usize {
    match c {
        '\t' | '\r' | '\n' => 2,
        // `\u{` + hex digits + `}`
        c => 4 + format!("{:x}", u32::from(c)).len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(printable("Grüße, 50%\tok\n"), Cow::Borrowed(_)));
    }

    #[test]
    fn controls_become_escapes() {
        assert_eq!(
            printable("a\u{1b}[2Jb\u{7}c\rd\0e\u{202e}f\u{7f}g\u{85}h"),
            "a\\u{1b}[2Jb\\u{7}c\\rd\\u{0}e\\u{202e}f\\u{7f}g\\u{85}h"
        );
        assert_eq!(printable("one\ntwo"), "one\ntwo");
        assert_eq!(one_line("one\ntwo\u{2028}"), "one\\ntwo\\u{2028}");
    }

    #[test]
    fn escape_len_is_the_escape_written() {
        for c in [
            '\t', '\r', '\n', '\0', '\u{1b}', '\u{7f}', '\u{202e}', '\u{2069}',
        ] {
            let mut out = String::new();
            push_escape(&mut out, c);
            assert_eq!(escape_len(c), out.len(), "{out}");
        }
    }
}
