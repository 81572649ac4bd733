//! Lowering: the parse tree (`syntax/tree.rs`) to the spanned syntax tree.
//!
//! This is where the words of a program get their meaning: `3d` becomes three
//! days, `12.5%` a share, `wake_up` a program kind. Malformed values are
//! reported here, once, with a dummy value in the tree so that the rest of the
//! file is still lowered and checked.

//!
//! | file | lowers |
//! |---|---|
//! | `mod.rs` | names, texts, values, and the helpers that pick parts |
//! | `program.rs` | the program, its header clauses and steps |
//! | `statements.rs` | statements and their arms |
//! | `conditions.rs` | conditions, operands and values |
//! | `schema.rs` | the customer schema |

mod conditions;
mod program;
mod schema;
mod statements;

use super::ast::*;
use super::grammar::Rule;
use super::values;
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::span::{Name, Span, Spanned};
use crate::syntax::tree::Node;

pub(super) struct Lowerer {
    /// Where the parsed slice starts in the file, added to every span.
    pub base: usize,
    pub diagnostics: Vec<Diagnostic>,
}

impl Lowerer {
    pub fn new() -> Self {
        Lowerer {
            base: 0,
            diagnostics: Vec::new(),
        }
    }

    pub(super) fn span(&self, pair: &Node) -> Span {
        // pest skips the whitespace before an optional part even when the
        // part is absent (`send email "x"` then a line break then `}`), so
        // a rule's span may end in blanks; a label must not underline them.
        let start = pair.start() + self.base;
        Span::new(start, start + pair.as_str().trim_end().len())
    }

    pub(super) fn name(&mut self, pair: &Node) -> Name {
        let name = Spanned::new(pair.as_str().to_string(), self.span(pair));
        self.not_reserved(&name);
        if let Some((at, letter)) = name.as_str().char_indices().find(|(_, c)| !c.is_ascii()) {
            let start = name.span.start + at;
            self.diagnostics.push(
                Diagnostic::new(
                    Code::SyntaxError,
                    format!("`{}` is not a name nurture can use", name.as_str()),
                )
                .label(Span::new(start, start + letter.len_utf8()), format!("`{letter}` is not one of a-z, A-Z, 0-9 or _"))
                .help("names use plain letters, digits and _, like `welcomed`; texts in double quotes may use any letters"),
            );
        }
        name
    }

    /// Reserved words parse as names (see the grammar) and are refused here.
    fn not_reserved(&mut self, name: &Name) {
        let mut offset = name.span.start;
        for part in name.as_str().split('.') {
            if RESERVED.contains(&part) {
                let span = Span::new(offset, offset + part.len());
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::SyntaxError,
                        format!("`{part}` is a reserved word and cannot be used as a name"),
                    )
                    .label(span, "a name was expected here")
                    .help(format!(
                        "choose another name; {} have a meaning of their own",
                        word_list(RESERVED.iter().copied())
                    )),
                );
            }
            offset += part.len() + 1;
        }
    }

    pub(super) fn text(&mut self, pair: &Node) -> Spanned<String> {
        // `text` may be wrapped in a role (`template`, `message`).
        let pair = innermost(*pair, Rule::text);
        let quoted = pair.as_str();
        let body = quoted
            .strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .unwrap_or(quoted);
        let span = self.span(&pair);
        self.no_control_characters(body, span.start + 1);
        Spanned::new(unescape(body), span)
    }

    /// N015 for each control character in a text's `body`, which starts at
    /// byte `start` of the file.
    fn no_control_characters(&mut self, body: &str, start: usize) {
        for (at, c) in body.char_indices().filter(|&(_, c)| text_refuses(c)) {
            let at = start + at;
            let mut shown = String::new();
            crate::printable::push_escape(&mut shown, c);
            self.diagnostics.push(
                Diagnostic::new(
                    Code::ControlCharacter,
                    format!("a text holds the control character `{shown}`"),
                )
                .label(Span::new(at, at + c.len_utf8()), format!("`{shown}` is not shown but obeyed"))
                .help("delete it: a text may hold any letter, digit, sign or tab, but no control character"),
            );
        }
    }

    pub(super) fn report(&mut self, diagnostic: Option<Diagnostic>) {
        self.diagnostics.extend(diagnostic);
    }

    pub(super) fn duration(&mut self, pair: &Node) -> Spanned<Duration> {
        let span = self.span(pair);
        let written = pair.as_str().trim();
        // `6 months`: the unit as a word of its own after the number.
        let after = pair
            .get_input()
            .get(pair.start() + written.len()..)
            .unwrap_or("");
        if let Some(problem) = values::spaced_unit(written, after, span) {
            self.diagnostics.push(problem);
            return Spanned::new(Duration::default(), span);
        }
        let (value, problem) = values::duration(written, span);
        self.report(problem);
        Spanned::new(value, span)
    }

    pub(super) fn percentage(&mut self, pair: &Node) -> Spanned<Percent> {
        let span = self.span(pair);
        let (value, problem) = values::percentage(pair.as_str().trim(), span);
        self.report(problem);
        Spanned::new(value, span)
    }

    pub(super) fn clock(&mut self, pair: &Node) -> Spanned<ClockTime> {
        let span = self.span(pair);
        let (value, problem) = values::clock(pair.as_str(), span);
        self.report(problem);
        Spanned::new(value, span)
    }

    // -- helpers for picking parts ------------------------------------------

    /// `-> exit dormant` as a statement: `->` leads to a step, and an exit
    /// is written without it. Reported once, for the whole line, and read
    /// as the `exit` meant.
    pub(super) fn exit_after_arrow(&mut self, parts: &[Node], span: Span) -> Option<Name> {
        let target = parts.iter().find(|p| p.as_rule() == Rule::step_name)?;
        if target.as_str() != "exit" {
            return None;
        }
        let rest = target.get_input().get(target.end()..).unwrap_or("");
        let blanks = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        let word_len = rest[blanks..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len() - blanks);
        let outcome = &rest[blanks..blanks + word_len];
        let target_span = self.span(target);
        let end = target_span.end + blanks + word_len;
        let (written, fixed) = if outcome.is_empty() {
            ("-> exit".to_string(), "exit OUTCOME".to_string())
        } else {
            (format!("-> exit {outcome}"), format!("exit {outcome}"))
        };
        let mut problem = Diagnostic::new(
            Code::SyntaxError,
            format!("`{written}`: an exit is written without the arrow"),
        )
        .label(Span::new(span.start, end), format!("write `{fixed}`"))
        .help(format!(
            "write `{fixed}` on its own line; `->` leads to another step (`-> offer`), and `-> exit OUTCOME` belongs in the arms of a `wait` or `branch` (`timeout -> exit {}`)",
            if outcome.is_empty() { "OUTCOME" } else { outcome }
        ));
        if !outcome.is_empty() {
            problem = problem.fix(crate::diagnostic::Fix::replace(
                format!("write `{fixed}`"),
                Span::new(span.start, end),
                fixed,
            ));
        }
        self.diagnostics.push(problem);
        Some(Spanned::new(
            outcome.to_string(),
            Span::new(end - word_len, end),
        ))
    }

    pub(super) fn first_name(&mut self, parts: &[Node], rule: Rule, span: Span) -> Name {
        parts
            .iter()
            .find(|p| p.as_rule() == rule)
            .map(|p| self.name(p))
            .unwrap_or_else(|| Spanned::new(String::new(), span))
    }

    pub(super) fn first_text(&mut self, parts: &[Node], span: Span) -> Spanned<String> {
        parts
            .iter()
            .find(|p| matches!(p.as_rule(), Rule::text | Rule::template | Rule::message))
            .map(|p| self.text(p))
            .unwrap_or_else(|| Spanned::new(String::new(), span))
    }

    pub(super) fn first_duration(&mut self, parts: &[Node], span: Span) -> Spanned<Duration> {
        match parts.iter().find(|p| p.as_rule() == Rule::duration) {
            Some(p) => self.duration(p),
            None => Spanned::new(Duration::default(), span),
        }
    }
}

/// Words that would make a line mean two things if they were also names.
/// (`step` and `program` are also kept out of names by the grammar itself,
/// so that a condition cut short at a line's end cannot swallow the next step.)
pub(crate) const RESERVED: &[&str] = &[
    "and", "or", "not", "in", "has", "consent", "exit", "timeout", "else", "when", "where", "true",
    "false", "ago", "within", "step", "program",
];

/// Descends through single-child wrappers until `rule`.
pub(super) fn innermost(pair: Node, rule: Rule) -> Node {
    let mut pair = pair;
    while pair.as_rule() != rule {
        match pair.into_inner().next() {
            Some(inner) => pair = inner,
            None => break,
        }
    }
    pair
}

/// What a text may not hold (N015): a control character but tab, or a
/// control that reorders or breaks the text around it.
fn text_refuses(c: char) -> bool {
    (c.is_control() && c != '\t') || crate::printable::is_invisible_control(c)
}

fn unescape(body: &str) -> String {
    if !body.contains('\\') {
        return body.to_string();
    }
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// "`a`, `b` and `c`".
pub(crate) fn word_list<'a>(words: impl Iterator<Item = &'a str>) -> String {
    joined(words, "and")
}

/// "`a`, `b` or `c`".
pub(crate) fn word_choice<'a>(words: impl Iterator<Item = &'a str>) -> String {
    joined(words, "or")
}

fn joined<'a>(words: impl Iterator<Item = &'a str>, last_word: &str) -> String {
    let words: Vec<String> = words.map(|w| format!("`{w}`")).collect();
    match words.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} {last_word} {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}
