//! Where the cursor stands, read from the text alone: the blocks around it
//! and the construct it is in, up to the cursor. Completion and hover need
//! this in text that does not parse (a line half typed), where the syntax
//! tree has nothing to say; the grammar is asked about the construct once
//! its beginning is known (`syntax::next`).

use crate::syntax::next::Place;

/// One token of the text: a word (a name, keyword or number with its
/// unit), a text in quotes, or punctuation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token<'t> {
    pub text: &'t str,
    pub start: usize,
    /// Whether the token is the first on its line.
    pub first_on_line: bool,
}

impl Token<'_> {
    pub fn end(&self) -> usize {
        self.start + self.text.len()
    }

    pub fn is_word(&self) -> bool {
        self.text
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80)
    }
}

/// The tokens of `text`, comments left out. A text in quotes that is not
/// closed runs to the end of its line.
pub fn tokens(text: &str) -> Vec<Token<'_>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut line_start = true;
    while i < bytes.len() {
        let b = bytes[i];
        let start = i;
        match b {
            b'\n' => {
                line_start = true;
                i += 1;
                continue;
            }
            _ if b.is_ascii_whitespace() => {
                i += 1;
                continue;
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i = (i + 1).min(bytes.len());
                if bytes.get(i - 1) == Some(&b'\n') {
                    i -= 1;
                }
            }
            _ if b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80 => {
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric()
                        || matches!(bytes[i], b'_' | b'.' | b'%' | b':')
                        || bytes[i] >= 0x80)
                {
                    // `21:00..08:00`: a clock ends before `..`.
                    if bytes[i] == b'.' && bytes.get(i + 1) == Some(&b'.') {
                        break;
                    }
                    i += 1;
                }
            }
            b'+' | b'-' if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                i += 1;
                while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
                    i += 1;
                }
            }
            _ => {
                let two = text.get(i..i + 2).unwrap_or("");
                i += if ["->", "==", "!=", "<=", ">=", ".."].contains(&two) {
                    2
                } else {
                    1
                };
            }
        }
        while !text.is_char_boundary(i.min(text.len())) {
            i += 1;
        }
        let end = i.min(text.len());
        out.push(Token {
            text: &text[start..end],
            start,
            first_on_line: line_start,
        });
        line_start = false;
    }
    out
}

/// The cursor's surroundings.
#[derive(Debug)]
pub struct Context<'t> {
    /// The block the construct stands in.
    pub place: Place,
    /// The tokens of the construct from its first up to the cursor (the
    /// word being typed left out).
    pub before: Vec<Token<'t>>,
    /// Where the construct starts.
    pub start: usize,
    /// The tokens of the block's head (`wait up to 5d for click or open`),
    /// for the arms of a wait.
    pub head: Vec<Token<'t>>,
    /// The word being typed, from its start to the cursor.
    pub typed: (usize, &'t str),
}

impl Context<'_> {
    /// The construct's first word (`send`, `trigger`, an event in an arm …).
    pub fn first(&self) -> Option<&str> {
        self.before.first().map(|t| t.text)
    }

    pub fn last(&self) -> Option<&str> {
        self.before.last().map(|t| t.text)
    }
}

/// Words after which a construct goes on to the next line.
const OPEN_ENDED: &[&str] = &[
    "and", "or", "not", "where", "if", "(", "[", ",", "==", "!=", "<", "<=", ">", ">=", "in", "->",
    "|", ":",
];
/// Words a continued line starts with.
const CONTINUING: &[&str] = &[
    "and", "or", ")", "]", ",", "where", "if", "as", "within", "|",
];

/// Reads the text up to `offset`: which blocks are open there and where the
/// construct being written starts.
pub fn at(text: &str, offset: usize) -> Context<'_> {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let all = tokens(&text[..offset]);
    // The word being typed is no part of what comes before it.
    let typed_start = text[..offset]
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .map_or(0, |at| {
            at + text[at..].chars().next().map_or(1, char::len_utf8)
        });
    let tokens: Vec<Token<'_>> = all.into_iter().filter(|t| t.end() <= typed_start).collect();

    // The blocks open at the cursor, each with the index of its first
    // token and the place inside it.
    let mut blocks: Vec<(Place, usize)> = Vec::new();
    let mut construct = 0;
    for (i, token) in tokens.iter().enumerate() {
        let place = blocks.last().map_or(Place::File, |b| b.0);
        match token.text {
            "{" => {
                let head = &tokens[construct..i];
                let first = head.first().map_or("", |t| t.text);
                let inner = match (place, first) {
                    (Place::File, "schema") => Place::Schema,
                    (Place::File, _) => Place::Header,
                    (Place::Header, _) => Place::Step,
                    (Place::Step, "branch") => Place::BranchArms,
                    (Place::Step, "split") => Place::SplitArms,
                    (Place::Step, _) => Place::WaitArms,
                    (Place::Schema, _) => Place::EventProperties,
                    (other, _) => other,
                };
                blocks.push((inner, construct));
                construct = i + 1;
            }
            "}" => {
                blocks.pop();
                construct = i + 1;
            }
            _ if token.first_on_line && i > construct => {
                let previous = tokens[i - 1].text;
                let continued = OPEN_ENDED.contains(&previous) || CONTINUING.contains(&token.text);
                if !continued {
                    construct = i;
                }
            }
            _ => {}
        }
    }
    // The cursor on a line of its own starts a construct, unless the line
    // before it asks for more.
    let typed = &text[typed_start..offset];
    if let Some(last) = tokens.last() {
        let new_line = text[last.end()..typed_start].contains('\n');
        if new_line && !OPEN_ENDED.contains(&last.text) && !CONTINUING.contains(&typed) {
            construct = tokens.len();
        }
    }
    let place = blocks.last().map_or(Place::File, |b| b.0);
    let head = match blocks.last() {
        Some((Place::WaitArms, head_start)) => {
            let open = tokens[*head_start..]
                .iter()
                .position(|t| t.text == "{")
                .map_or(tokens.len(), |n| head_start + n);
            tokens[*head_start..open].to_vec()
        }
        _ => Vec::new(),
    };
    let before = tokens[construct.min(tokens.len())..].to_vec();
    let start = before.first().map_or(typed_start, |t| t.start);
    Context {
        place,
        before,
        start,
        head,
        typed: (typed_start, typed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_block_and_the_construct() {
        let text = "program p {\n  trigger event purchase where\n    amount > 3 and ti";
        let context = at(text, text.len());
        assert_eq!(context.place, Place::Header);
        assert_eq!(context.first(), Some("trigger"));
        assert_eq!(context.last(), Some("and"));
        assert_eq!(context.typed.1, "ti");
    }

    #[test]
    fn the_arms_of_a_wait_know_its_head() {
        let text =
            "program p {\n step a {\n  wait up to 5d for click or open {\n   click -> b\n   ";
        let context = at(text, text.len());
        assert_eq!(context.place, Place::WaitArms);
        assert!(context.before.is_empty());
        let head: Vec<&str> = context.head.iter().map(|t| t.text).collect();
        assert_eq!(
            head,
            ["wait", "up", "to", "5d", "for", "click", "or", "open"]
        );
    }

    #[test]
    fn comments_and_texts_are_single_tokens() {
        let found: Vec<&str> = tokens("send email \"a # b\" # x\n-> c")
            .iter()
            .map(|t| t.text)
            .collect();
        assert_eq!(found, ["send", "email", "\"a # b\"", "->", "c"]);
        let found: Vec<&str> = tokens("quiet 21:00..08:00")
            .iter()
            .map(|t| t.text)
            .collect();
        assert_eq!(found, ["quiet", "21:00", "..", "08:00"]);
    }
}
