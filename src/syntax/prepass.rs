//! One linear pass over the text before the parser runs.
//!
//! It finds brackets nested deeper than [`MAX_NESTING`] (so the parser's
//! recursion stays shallow whatever the input), and it blanks comments and a
//! byte-order mark with spaces. Blanking keeps every byte offset, so spans
//! are unchanged, while the parser skips a comment at the speed of
//! whitespace instead of character by character.

use super::limits::MAX_NESTING;
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::span::Span;

/// The text to parse: the same length as `text`, comments blanked.
pub(super) fn prepare(text: &str) -> Result<String, Diagnostic> {
    let mut bytes = text.as_bytes().to_vec();
    if bytes.starts_with("\u{FEFF}".as_bytes()) {
        bytes[..3].fill(b' ');
    }
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        // Most bytes mean nothing here: skip to the next that does.
        match bytes[i..].iter().position(|&b| SPECIAL[usize::from(b)]) {
            Some(n) => i += n,
            None => break,
        }
        match bytes[i] {
            b'#' => {
                let end = comment_end(&bytes, i);
                bytes[i..end].fill(b' ');
                i = end;
                continue;
            }
            b'"' => i = text_end(&bytes, i),
            b'{' | b'(' | b'[' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(too_deep(i, depth));
                }
            }
            b'}' | b')' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    // Only whole characters inside comments were replaced by ASCII spaces,
    // so the bytes are still UTF-8; should that ever fail, parse the text as
    // it is rather than give up.
    Ok(String::from_utf8(bytes).unwrap_or_else(|_| text.to_string()))
}

/// The bytes [`prepare`] looks at: a comment, a text, a bracket.
const SPECIAL: [bool; 256] = {
    let mut special = [false; 256];
    let mut i = 0;
    let bytes = b"#\"{([})]";
    while i < bytes.len() {
        special[bytes[i] as usize] = true;
        i += 1;
    }
    special
};

/// N015 for each control character in a comment: a comment is read by
/// people, in editors and terminals, where ESC or U+202E can hide or reorder
/// the program around it. (Texts are looked at as they are lowered.)
pub(super) fn controls_in_comments(text: &str) -> Vec<Diagnostic> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    // Most comments hold nothing of the kind: ASCII controls but tab and
    // line breaks, and the bidirectional controls, which all start with
    // 0xD8, 0xE2 or are C1 controls after 0xC2.
    let suspect =
        |b: u8| (b < 0x20 && b != b'\t' && b != b'\n') || matches!(b, 0x7F | 0xC2 | 0xD8 | 0xE2);
    let mut i = 0;
    while i < bytes.len() {
        // Only a comment matters here, and a text because it may hold a `#`;
        // the rest is skipped a block at a time.
        match memchr::memchr2(b'#', b'"', &bytes[i..]) {
            Some(n) => i += n,
            None => break,
        }
        match bytes[i] {
            b'#' => {
                let end = comment_end(bytes, i);
                let comment = text.get(i..end).unwrap_or("");
                // Most comments hold no byte a control character starts with.
                if !comment.bytes().any(suspect) {
                    i = end;
                    continue;
                }
                for (at, c) in comment.char_indices() {
                    if (c.is_control() && c != '\t') || crate::printable::is_invisible_control(c) {
                        found.push(control_in_comment(i + at, c));
                    }
                }
                i = end;
                continue;
            }
            b'"' => i = text_end(bytes, i),
            _ => {}
        }
        i += 1;
    }
    found
}

fn control_in_comment(at: usize, c: char) -> Diagnostic {
    let mut shown = String::new();
    crate::printable::push_escape(&mut shown, c);
    Diagnostic::new(
        Code::ControlCharacter,
        format!("a comment holds the control character `{shown}`"),
    )
    .label(
        Span::new(at, at + c.len_utf8()),
        format!("`{shown}` is not shown but obeyed"),
    )
    .help("delete it: a comment may hold any letter, digit, sign or tab, but no control character")
}

/// Where the comment that starts at `start` ends: at the line feed, or
/// before the carriage return of a CRLF, which stays so CRLF lines stay
/// CRLF.
fn comment_end(bytes: &[u8], start: usize) -> usize {
    let end = bytes[start..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |n| start + n);
    if end > start && bytes.get(end - 1) == Some(&b'\r') {
        end - 1
    } else {
        end
    }
}

/// Where the text opened by the `"` at `open` ends: at its closing `"`, or
/// at the line break or the end of the input when it is never closed.
pub(super) fn text_end(bytes: &[u8], open: usize) -> usize {
    let mut i = open + 1;
    while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
        if bytes[i] == b'\\' {
            i += 1;
        }
        i += 1;
    }
    i.min(bytes.len())
}

fn too_deep(at: usize, depth: usize) -> Diagnostic {
    Diagnostic::new(
        Code::NestingTooDeep,
        format!("brackets are nested more than {MAX_NESTING} deep"),
    )
    .label(
        Span::new(at, at + 1),
        format!("this bracket is nested {depth} deep"),
    )
    .help("split the condition into simpler parts, or check for brackets that are never closed")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_the_bom_become_spaces_of_the_same_length() {
        let text = "\u{FEFF}program p { # héllo {\r\n}\n";
        let prepared = prepare(text).unwrap_or_default();
        assert_eq!(prepared.len(), text.len());
        assert_eq!(
            prepared,
            format!("   program p {{ {}\r\n}}\n", " ".repeat("# héllo {".len()))
        );
    }

    #[test]
    fn a_hash_inside_a_text_is_not_a_comment() {
        let text = "send email \"#1 offer\" # comment";
        let prepared = prepare(text).unwrap_or_default();
        assert_eq!(
            prepared,
            format!("send email \"#1 offer\" {}", " ".repeat(9))
        );
    }

    #[test]
    fn nesting_inside_texts_and_comments_does_not_count() {
        let text = format!("# {}\n\"{}\"", "(".repeat(100), "[".repeat(100));
        assert!(prepare(&text).is_ok());
    }

    #[test]
    fn deep_nesting_is_found_at_the_first_bracket_too_deep() {
        let text = "(".repeat(100);
        let found = prepare(&text).err().map(|d| d.primary_span());
        assert_eq!(found, Some(Span::new(64, 65)));
    }
}
