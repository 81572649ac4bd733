//! A hand-written reader of well-formed files: the grammar in
//! `grammar/nurture.pest`, rule for rule, straight into the parse tree.
//!
//! pest stays the definition of the language and the parser of every file
//! this one gives up on: a file with a syntax error (its "expected …" sets
//! are what the diagnostics are made of), a comment the prepass left, a
//! letter outside ASCII where a name could be. What this one reads, it
//! reads to the very tree pest would give, spans and all; a test holds the
//! two to that over every bundled program and many thousand broken ones.
//! It is several times faster because it does only what the grammar needs:
//! no token queue of attempts, no line index, no call counting.
//!
//! Each method is the rule of the same name. pest's rules for whitespace
//! are kept exactly, since they decide where spans end: between two parts
//! of a sequence the blanks are skipped for good, even when the part after
//! them is optional and absent; before each further repetition they are
//! skipped only if the repetition matches.

/// `a ~ b ~ c` in a rule that is not atomic: the parts in order, with the
/// blanks between them skipped for good (`p.s()`) once the part before
/// matched, whether or not the part after matches anything.
macro_rules! seq {
    ($p:ident, $first:expr $(, $rest:expr)* $(,)?) => {
        $first $(&& $p.s() && $rest)*
    };
}

mod clauses;
mod conditions;
mod schema;
mod steps;
mod tokens;

use super::grammar::Rule;
use super::tree::{Entry, Tree};

/// The tree pest would give for `Rule::file`, or `None` where pest is to
/// parse instead: whenever the text is not a well-formed file, and in the
/// few cases this reader leaves to pest although the file may be sound.
/// `text` is the prepared text (comments blanked).
pub(super) fn parse(text: &str) -> Option<Tree<'_>> {
    let mut reader = Descent {
        src: text.as_bytes(),
        pos: 0,
        entries: Vec::with_capacity(text.len() / 3),
        gave_up: false,
    };
    let matched = reader.file();
    (matched && !reader.gave_up).then(|| Tree::new(text, reader.entries))
}

struct Descent<'s> {
    src: &'s [u8],
    pos: usize,
    entries: Vec<Entry>,
    /// Set where pest would look at something this reader does not judge
    /// (a letter outside ASCII, a comment): the result is then thrown away.
    gave_up: bool,
}

type Part<'s> = fn(&mut Descent<'s>) -> bool;

impl<'s> Descent<'s> {
    // -- how pest matches ---------------------------------------------------

    /// A rule that shows in the tree: its entry opens before `body` and
    /// closes after it; when `body` fails, nothing it matched is kept.
    fn rule(&mut self, rule: Rule, body: impl FnOnce(&mut Self) -> bool) -> bool {
        let start = self.pos;
        let at = self.entries.len();
        self.entries.push(Entry {
            rule,
            start: start as u32,
            end: 0,
            next: 0,
        });
        if body(self) {
            let next = self.entries.len() as u32;
            let entry = &mut self.entries[at];
            entry.end = self.pos as u32;
            entry.next = next;
            true
        } else {
            self.entries.truncate(at);
            self.pos = start;
            false
        }
    }

    /// A sequence that is not a rule of its own (`(kw_as ~ outcome)?`):
    /// all of it or nothing.
    fn attempt(&mut self, body: impl FnOnce(&mut Self) -> bool) -> bool {
        let (pos, len) = (self.pos, self.entries.len());
        if body(self) {
            true
        } else {
            self.pos = pos;
            self.entries.truncate(len);
            false
        }
    }

    /// `part?`: always matches.
    fn opt(&mut self, part: impl FnOnce(&mut Self) -> bool) -> bool {
        part(self);
        true
    }

    /// `part*` in a rule that is not atomic: the blanks before each further
    /// repetition are kept only when it matches. Always matches.
    fn many(&mut self, part: impl Fn(&mut Self) -> bool) -> bool {
        if !part(self) {
            return true;
        }
        while !self.gave_up {
            let (pos, len) = (self.pos, self.entries.len());
            self.skip();
            if !part(self) {
                self.pos = pos;
                self.entries.truncate(len);
                break;
            }
        }
        true
    }

    /// The blanks pest skips between two parts of a sequence (`WHITESPACE`).
    /// Always matches, so that it chains with `&&`.
    fn s(&mut self) -> bool {
        self.skip();
        true
    }

    fn skip(&mut self) {
        while let Some(&b) = self.src.get(self.pos) {
            match b {
                b' ' | b'\t'..=b'\r' => self.pos += 1,
                // A comment the prepass did not blank: pest's `COMMENT`.
                b'#' => {
                    self.gave_up = true;
                    return;
                }
                _ => return,
            }
        }
    }

    /// A rule with nothing inside it, `len` bytes long from here.
    fn leaf(&mut self, rule: Rule, len: usize) -> bool {
        let start = self.pos as u32;
        self.pos += len;
        let next = self.entries.len() as u32 + 1;
        self.entries.push(Entry {
            rule,
            start,
            end: self.pos as u32,
            next,
        });
        true
    }

    /// A string the grammar writes in quotes, which shows in no rule.
    fn lit(&mut self, text: &[u8]) -> bool {
        if self.src[self.pos..].starts_with(text) {
            self.pos += text.len();
            true
        } else {
            false
        }
    }

    /// A rule that is one string (`arrow = { "->" }`).
    fn punct(&mut self, rule: Rule, text: &[u8]) -> bool {
        self.src[self.pos..].starts_with(text) && self.leaf(rule, text.len())
    }

    /// `kw_… = @{ "word" ~ !ident_char }`.
    fn kw(&mut self, rule: Rule, word: &[u8]) -> bool {
        self.word_at(self.pos, word) && self.leaf(rule, word.len())
    }

    fn word_at(&mut self, at: usize, word: &[u8]) -> bool {
        // The first byte alone turns most tries away, without a call to
        // compare the rest.
        self.src.get(at) == word.first()
            && self.src[at..].starts_with(word)
            && !self.ident_char_at(at + word.len())
    }

    /// `ident_char`: a letter outside ASCII may be one (`XID_CONTINUE`),
    /// which is pest's to judge.
    fn ident_char_at(&mut self, at: usize) -> bool {
        match self.src.get(at) {
            Some(&b) if b.is_ascii_alphanumeric() || b == b'_' => true,
            Some(&b) if b >= 0x80 => {
                self.gave_up = true;
                false
            }
            _ => false,
        }
    }

    fn digits_at(&self, at: usize) -> usize {
        self.src[at.min(self.src.len())..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    }

    fn byte_at(&self, at: usize) -> Option<u8> {
        self.src.get(at).copied()
    }

    // -- the file -------------------------------------------------------------

    /// `file = { SOI ~ "\u{FEFF}"? ~ (schema | program)? ~ EOI }`
    fn file(&mut self) -> bool {
        self.rule(Rule::file, |p| {
            seq!(
                p,
                p.pos == 0, // SOI
                p.opt(|p| p.lit("\u{FEFF}".as_bytes())),
                p.opt(|p| p.schema() || p.program()),
                p.eoi()
            )
        })
    }

    fn eoi(&mut self) -> bool {
        self.pos == self.src.len() && self.leaf(Rule::EOI, 0)
    }

    fn program(&mut self) -> bool {
        self.rule(Rule::program, |p| {
            seq!(
                p,
                p.program_head(),
                p.many(|p| p.step() || p.clause()),
                p.rbrace()
            )
        })
    }

    fn program_head(&mut self) -> bool {
        self.rule(Rule::program_head, |p| {
            seq!(
                p,
                p.kw(Rule::kw_program, b"program"),
                p.named(Rule::program_name),
                p.lbrace()
            )
        })
    }
}

#[cfg(test)]
mod tests;
