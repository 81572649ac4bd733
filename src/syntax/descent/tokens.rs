//! The tokens: names, numbers, texts and signs, each read in one go as
//! pest reads an atomic rule.

use super::{Descent, Part};
use crate::syntax::grammar::Rule;

impl<'s> Descent<'s> {
    /// The length of `name` from `at`, if one starts there.
    pub(super) fn name_len(&mut self, at: usize) -> Option<usize> {
        if self.word_at(at, b"step") || self.word_at(at, b"program") {
            return None;
        }
        match self.byte_at(at) {
            Some(b) if b.is_ascii_alphabetic() || b == b'_' => {}
            Some(b) if b >= 0x80 => {
                self.gave_up = true;
                return None;
            }
            _ => return None,
        }
        let mut end = at + 1;
        while self.ident_char_at(end) {
            end += 1;
        }
        Some(end - at)
    }

    pub(super) fn name(&mut self) -> bool {
        match self.name_len(self.pos) {
            Some(len) => self.leaf(Rule::name, len),
            None => false,
        }
    }

    /// A rule that is one `name` (`step_name = { name }`).
    pub(super) fn named(&mut self, rule: Rule) -> bool {
        self.rule(rule, Self::name)
    }

    /// `name ~ ("." ~ name)*` inside an atomic rule, from `at`.
    pub(super) fn dotted_len(&mut self, at: usize) -> Option<usize> {
        let mut end = at + self.name_len(at)?;
        while self.byte_at(end) == Some(b'.') {
            match self.name_len(end + 1) {
                Some(len) => end += 1 + len,
                None => break,
            }
        }
        Some(end - at)
    }

    pub(super) fn attribute(&mut self) -> bool {
        match self.dotted_len(self.pos) {
            Some(len) => self.leaf(Rule::attribute, len),
            None => false,
        }
    }

    pub(super) fn property_path(&mut self) -> bool {
        match self.dotted_len(self.pos) {
            Some(len) => self.leaf(Rule::property_path, len),
            None => false,
        }
    }

    /// `"-"? ~ ASCII_DIGIT+ ~ ("." ~ ASCII_DIGIT+)? ~ (ASCII_ALPHA | "%")*`
    pub(super) fn quantity(&mut self) -> bool {
        let mut end = self.pos + usize::from(self.byte_at(self.pos) == Some(b'-'));
        let whole = self.digits_at(end);
        if whole == 0 {
            return false;
        }
        end += whole;
        if self.byte_at(end) == Some(b'.') {
            let fraction = self.digits_at(end + 1);
            if fraction > 0 {
                end += 1 + fraction;
            }
        }
        while self
            .byte_at(end)
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'%')
        {
            end += 1;
        }
        let len = end - self.pos;
        self.leaf(Rule::quantity, len)
    }

    pub(super) fn duration(&mut self) -> bool {
        self.rule(Rule::duration, Self::quantity)
    }

    pub(super) fn percentage(&mut self) -> bool {
        self.rule(Rule::percentage, Self::quantity)
    }

    pub(super) fn count(&mut self) -> bool {
        self.rule(Rule::count, Self::quantity)
    }

    /// `("+" | "-") ~ ASCII_DIGIT+ ~ !(ASCII_ALPHA | ".")`
    pub(super) fn points(&mut self) -> bool {
        if !matches!(self.byte_at(self.pos), Some(b'+' | b'-')) {
            return false;
        }
        let digits = self.digits_at(self.pos + 1);
        let end = self.pos + 1 + digits;
        if digits == 0
            || self
                .byte_at(end)
                .is_some_and(|b| b.is_ascii_alphabetic() || b == b'.')
        {
            return false;
        }
        self.leaf(Rule::points, 1 + digits)
    }

    /// `ASCII_DIGIT+ ~ ":" ~ ASCII_DIGIT+`
    pub(super) fn clock(&mut self) -> bool {
        let hours = self.digits_at(self.pos);
        if hours == 0 || self.byte_at(self.pos + hours) != Some(b':') {
            return false;
        }
        let minutes = self.digits_at(self.pos + hours + 1);
        minutes > 0 && self.leaf(Rule::clock, hours + 1 + minutes)
    }

    /// `text = ${ "\"" ~ text_body ~ "\"" }`
    pub(super) fn text(&mut self) -> bool {
        self.rule(Rule::text, |p| {
            p.lit(b"\"") && p.text_body() && p.lit(b"\"")
        })
    }

    /// Runs of anything but `"`, `\` and a line break, joined by `\"` or
    /// `\\`. (Bytes of a letter outside ASCII are never one of the three.)
    pub(super) fn text_body(&mut self) -> bool {
        let run = |src: &[u8], at: usize| {
            src[at..]
                .iter()
                .position(|&b| matches!(b, b'"' | b'\\' | b'\n'))
                .map_or(src.len(), |n| at + n)
        };
        let mut end = run(self.src, self.pos);
        while self.byte_at(end) == Some(b'\\')
            && matches!(self.byte_at(end + 1), Some(b'"' | b'\\'))
        {
            end = run(self.src, end + 2);
        }
        let len = end - self.pos;
        self.leaf(Rule::text_body, len)
    }

    pub(super) fn template(&mut self) -> bool {
        self.rule(Rule::template, Self::text)
    }

    pub(super) fn message(&mut self) -> bool {
        self.rule(Rule::message, Self::text)
    }

    pub(super) fn compare_op(&mut self) -> bool {
        let rest = &self.src[self.pos..];
        let len = [b"==", b"!=", b"<=", b">="]
            .iter()
            .any(|op| rest.starts_with(*op))
            .then_some(2)
            .or_else(|| matches!(rest.first(), Some(b'<' | b'>')).then_some(1));
        match len {
            Some(len) => self.leaf(Rule::compare_op, len),
            None => false,
        }
    }

    pub(super) fn arrow(&mut self) -> bool {
        self.punct(Rule::arrow, b"->")
    }

    pub(super) fn lbrace(&mut self) -> bool {
        self.punct(Rule::lbrace, b"{")
    }

    pub(super) fn rbrace(&mut self) -> bool {
        self.punct(Rule::rbrace, b"}")
    }

    pub(super) fn dotdot(&mut self) -> bool {
        self.punct(Rule::dotdot, b"..")
    }

    /// `"," ~ part`, one of a list after its first.
    pub(super) fn comma_then(&mut self, part: Part<'s>) -> bool {
        self.attempt(|p| seq!(p, p.lit(b","), part(p)))
    }
}
