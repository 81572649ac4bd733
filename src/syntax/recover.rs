//! The recovering parser, used only when the whole file does not parse.
//!
//! It walks the file one construct at a time (the program's head, each header
//! clause, each step's head, each statement), parsing each with its own
//! grammar rule. When one fails, the error is reported and the walk resumes
//! at the next line that starts a construct, so a file with three mistakes
//! reports three diagnostics instead of the first one. A schema file is
//! walked the same way, one entry at a time.

use super::ast::{Program, Schema, Step};
use super::expected::{self, CLAUSE_WORDS, SCHEMA_WORDS, STATEMENT_WORDS};
use super::grammar::{NurtureParser, Rule};
use super::lower::Lowerer;
use super::near_miss::{consent_joined, if_after, missing_brace, without_brace};
use super::tree::{Node, Tree};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::span::{Span, Spanned};
use pest::Parser;

pub(super) struct Recovered {
    pub program: Option<Program>,
    pub schema: Option<Schema>,
    pub diagnostics: Vec<Diagnostic>,
}

pub(super) fn parse(text: &str, first_error: &pest::error::Error<Rule>) -> Recovered {
    let first_at = match first_error.location {
        pest::error::InputLocation::Pos(at) => at,
        pest::error::InputLocation::Span((at, _)) => at,
    };
    let mut walk = Walk {
        text,
        lower: Lowerer::new(),
        errors: Vec::new(),
        first: Some((first_at, expected::syntax_error(first_error, text, 0, ""))),
        last_start: 0,
        in_schema: false,
    };
    let mut schema = None;
    let program = if super::holds_schema(text) {
        walk.in_schema = true;
        schema = Some(walk.schema_file());
        None
    } else {
        walk.file()
    };
    let mut diagnostics = walk.errors;
    if diagnostics.is_empty() {
        // The walk is more forgiving than the grammar in some corner; the
        // grammar's own error is then the one to report.
        diagnostics.push(expected::syntax_error(first_error, text, 0, ""));
    }
    // One mistake, one diagnostic: the walk's syntax error inside what a
    // construct's own diagnostic underlines (`months` in `wait 6 months`,
    // the outcome in `-> exit dormant`) is the same mistake.
    let wider: Vec<Span> = walk
        .lower
        .diagnostics
        .iter()
        .map(Diagnostic::primary_span)
        .filter(|s| !s.is_empty())
        .collect();
    diagnostics.retain(|d| {
        let at = d.primary_span();
        d.code != Code::SyntaxError
            || !wider
                .iter()
                .any(|w| w.start <= at.start && at.end <= w.end && w.len() > at.len())
    });
    diagnostics.extend(walk.lower.diagnostics);
    Recovered {
        program,
        schema,
        diagnostics,
    }
}

struct Walk<'t> {
    text: &'t str,
    lower: Lowerer,
    errors: Vec<Diagnostic>,
    /// The whole-file parse's error, with its offset, until it is used.
    first: Option<(usize, Diagnostic)>,
    /// Where the construct parsed last began.
    last_start: usize,
    /// Whether the file is a schema, whose entries start other words.
    in_schema: bool,
}

impl<'t> Walk<'t> {
    /// Reports a word that starts no construct, and returns where to go on.
    ///
    /// Often the real mistake is just before it: in `trigger event x where`
    /// and a line break, the trigger parses without its `where`, which is
    /// left over. The whole-file parse saw that a condition was missing, so
    /// when its error falls between the last construct and the next, it is
    /// the one reported.
    fn stray(&mut self, pos: usize, word: &str, what: &str, known: &[&str]) -> usize {
        let next = self.resync(pos);
        // When the whole-file parse failed at this very word and the word
        // is a near miss (`sned`, `atribute`), "did you mean" says more.
        let near_miss =
            !word.is_empty() && crate::suggest::closest(word, known.iter().copied()).is_some();
        let first_fits = self.first.as_ref().is_some_and(|(at, _)| {
            (self.last_start..=next).contains(at) && !(near_miss && *at == pos)
        });
        match self.first.take() {
            Some((_, diagnostic)) if first_fits => self.errors.push(diagnostic),
            first => {
                self.first = first;
                self.errors
                    .push(not_a_start(self.text, pos, word, what, known));
            }
        }
        self.last_start = next;
        next
    }

    /// Parses `rule` at `offset`; on success returns what `lower` makes of
    /// it (with spans from `offset`) and where it ends.
    fn parse_at<R>(
        &mut self,
        rule: Rule,
        offset: usize,
        lower: impl FnOnce(&mut Lowerer, Node<'_>) -> R,
    ) -> Result<(R, usize), ()> {
        self.last_start = offset;
        // Parse only up to where the next construct starts. pest works out
        // line positions over the input it is given, so handing it the rest
        // of the file each time would make a file of many mistakes cost
        // quadratic time.
        let limit = self.resync(offset).max(offset);
        let slice = &self.text[offset..limit];
        match NurtureParser::parse(rule, slice) {
            Ok(mut pairs) => match pairs.next() {
                Some(pair) => {
                    let end = offset + pair.as_span().end();
                    let tree = Tree::from_pair(pair);
                    // A tree copied from a pair holds that pair.
                    let root = tree.root().ok_or(())?;
                    self.lower.base = offset;
                    Ok((lower(&mut self.lower, root), end))
                }
                None => Err(()),
            },
            Err(error) => {
                let keyword = expected::word_at(self.text, offset);
                let diagnostic = expected::syntax_error(&error, self.text, offset, keyword);
                // The whole-file parse's error at the same place is this one.
                let at = diagnostic.primary_span().start;
                if self.first.as_ref().is_some_and(|(first, _)| *first == at) {
                    self.first = None;
                }
                self.errors.push(diagnostic);
                Err(())
            }
        }
    }

    fn file(&mut self) -> Option<Program> {
        let start = skip_trivia(self.text, 0);
        if start >= self.text.len() {
            self.errors.push(no_program(0));
            return None;
        }
        let head = self.parse_at(Rule::program_head, start, Lowerer::program_head);
        let (name, mut pos, head_ok) = match head {
            Ok((name, end)) => (name, end, true),
            Err(()) => {
                // Read on as if the head were there, so the body is checked.
                let body = self.text[start..]
                    .find('\n')
                    .map(|n| start + n)
                    .filter(|&eol| self.text[start..eol].contains('{'))
                    .map(|eol| eol + 1)
                    .unwrap_or(start);
                (Spanned::new(String::new(), Span::at(start)), body, false)
            }
        };
        let mut program = Program {
            name,
            clauses: Vec::new(),
            steps: Vec::new(),
            span: Span::new(start, self.text.len()),
        };
        loop {
            pos = skip_trivia(self.text, pos);
            if pos >= self.text.len() {
                if head_ok {
                    self.errors.push(ends_unclosed(
                        pos,
                        "program",
                        format!(
                            "close program `{}` with `}}` after its last step",
                            program.name.as_str()
                        ),
                    ));
                }
                return Some(program);
            }
            if self.text[pos..].starts_with('}') {
                program.span = Span::new(start, pos + 1);
                self.after_program(pos + 1);
                return Some(program);
            }
            let word = expected::word_at(self.text, pos);
            if word == "step" {
                let (step, end) = self.step(pos);
                if let Some(step) = step {
                    program.steps.push(step);
                }
                pos = end;
            } else if let (true, Some(last)) =
                (matches!(word, "and" | "or"), program.clauses.last())
            {
                // `consent email and sms`: channels are listed with commas.
                match consent_joined(self.text, last, pos, word) {
                    Some(diagnostic) => {
                        self.errors.push(diagnostic);
                        self.first = None;
                        pos = self.resync(pos);
                    }
                    None => pos = self.stray(pos, word, "a header clause or `step`", CLAUSE_WORDS),
                }
            } else if CLAUSE_WORDS.contains(&word) {
                match self.parse_at(Rule::clause, pos, Lowerer::clause) {
                    Ok((clause, end)) => {
                        program.clauses.push(clause);
                        pos = end;
                    }
                    Err(()) => pos = self.resync(pos),
                }
            } else {
                pos = self.stray(pos, word, "a header clause or `step`", CLAUSE_WORDS);
            }
        }
    }

    /// A step from its head to its closing brace. Returns where to go on.
    fn step(&mut self, start: usize) -> (Option<Step>, usize) {
        let ((name, was), mut pos) = match self.parse_at(Rule::step_head, start, Lowerer::step_head)
        {
            Ok(head) => head,
            // `step hello` and a line break: the statements follow, and
            // reading them as the step's keeps one mistake one diagnostic
            // (else every statement, and the step's `}`, would be a stray).
            Err(()) => match without_brace(self.text, start) {
                Some(name) => {
                    self.errors.pop();
                    self.errors.push(missing_brace(&name));
                    let end = name.span.end;
                    ((name, Vec::new()), end)
                }
                None => return (None, self.resync(start)),
            },
        };
        let mut step = Step {
            name,
            was,
            statements: Vec::new(),
            span: Span::new(start, start),
        };
        loop {
            pos = skip_trivia(self.text, pos);
            if pos >= self.text.len() {
                self.errors.push(unclosed_step(&step, pos));
                step.span = Span::new(start, pos);
                return (Some(step), pos);
            }
            if self.text[pos..].starts_with('}') {
                step.span = Span::new(start, pos + 1);
                return (Some(step), pos + 1);
            }
            let word = expected::word_at(self.text, pos);
            if word == "step" || (CLAUSE_WORDS.contains(&word) && !STATEMENT_WORDS.contains(&word))
            {
                self.errors.push(unclosed_step(&step, pos));
                step.span = Span::new(start, pos);
                return (Some(step), pos);
            }
            // `notify sales "…" if …`: only a send takes a condition.
            if word == "if" {
                if let Some(last) = step.statements.last() {
                    self.errors.push(if_after(last, pos));
                    self.first = None;
                    pos = self.resync(pos);
                    continue;
                }
            }
            if STATEMENT_WORDS.contains(&word) || word == "->" {
                match self.parse_at(Rule::statement, pos, Lowerer::statement) {
                    Ok((statement, end)) => {
                        step.statements.push(statement);
                        pos = end;
                    }
                    Err(()) => pos = self.resync(pos),
                }
            } else {
                pos = self.stray(pos, word, "a statement", STATEMENT_WORDS);
            }
        }
    }

    fn resync(&self, from: usize) -> usize {
        if self.in_schema {
            entry_end(self.text, from)
        } else {
            resync(self.text, from)
        }
    }

    /// A schema from `schema {` to its closing brace, one entry at a time.
    fn schema_file(&mut self) -> Schema {
        let start = skip_trivia(self.text, 0);
        let mut schema = Schema {
            span: Span::new(start, self.text.len()),
            ..Schema::default()
        };
        let (mut pos, head_ok) = match self.parse_at(Rule::schema_head, start, |_, _| ()) {
            Ok((_, end)) => (end, true),
            Err(()) => {
                // Read on as if the head were there, so the entries are checked.
                let body = self.text[start..]
                    .find('\n')
                    .map_or(self.text.len(), |n| start + n + 1);
                (body, false)
            }
        };
        loop {
            pos = skip_trivia(self.text, pos);
            if pos >= self.text.len() {
                if head_ok {
                    self.errors.push(ends_unclosed(
                        pos,
                        "schema",
                        "close the schema with `}` after its last entry".to_string(),
                    ));
                }
                return schema;
            }
            if self.text[pos..].starts_with('}') {
                schema.span = Span::new(start, pos + 1);
                self.after_program(pos + 1);
                return schema;
            }
            let word = expected::word_at(self.text, pos);
            if SCHEMA_WORDS.contains(&word) {
                let line = self.parse_at(Rule::schema_line, pos, |lower, line| {
                    if let Some(entry) = line.into_inner().next() {
                        lower.schema_entry(entry, &mut schema);
                    }
                });
                match line {
                    Ok(((), end)) => pos = end,
                    Err(()) => pos = self.resync(pos),
                }
            } else {
                pos = self.stray(pos, word, "a schema entry", SCHEMA_WORDS);
            }
        }
    }

    /// After the program's (or schema's) closing brace only comments may follow.
    fn after_program(&mut self, pos: usize) {
        let pos = skip_trivia(self.text, pos);
        if pos >= self.text.len() {
            return;
        }
        let word = expected::word_at(self.text, pos);
        if word == "program" || word == "schema" {
            let span = if word == "program" {
                self.lower.base = pos;
                let name = match NurtureParser::parse(Rule::program_head, line_of(self.text, pos)) {
                    Ok(mut pairs) => pairs
                        .next()
                        .map(Tree::from_pair)
                        .and_then(|tree| tree.root().map(|pair| self.lower.program_head(pair))),
                    Err(_) => None,
                };
                name.map(|n| n.span)
                    .unwrap_or(Span::new(pos, pos + word.len()))
            } else {
                Span::new(pos, pos + word.len())
            };
            let (message, label, help) = match (self.in_schema, word) {
                (false, "program") => (
                    "this file holds more than one program",
                    "a second program starts here",
                    "put each program in a file of its own, named after the program",
                ),
                (true, "schema") => (
                    "this file holds more than one schema",
                    "a second schema starts here",
                    "write every entry in one `schema { … }`",
                ),
                (false, _) => (
                    "this file holds a program and a schema",
                    "a schema starts here",
                    "keep the customer schema in a file of its own, `schema.nurture`",
                ),
                (true, _) => (
                    "this file holds a schema and a program",
                    "a program starts here",
                    "put each program in a file of its own; the schema stays alone in `schema.nurture`",
                ),
            };
            self.errors.push(
                Diagnostic::new(Code::SeveralPrograms, message)
                    .label(span, label)
                    .help(help),
            );
            return;
        }
        let what = if self.in_schema { "schema" } else { "program" };
        let found = expected::found(self.text, pos);
        let len = expected::token_len(self.text, pos);
        self.errors.push(
            Diagnostic::new(
                Code::SyntaxError,
                format!("expected the end of the file, found {found}"),
            )
            .label(
                Span::new(pos, pos + len),
                format!("this is after the {what}'s closing `}}`"),
            )
            .help(format!(
                "everything belongs inside the {what}'s braces; is there one `}}` too many above?"
            )),
        );
    }
}

/// The file ends inside a program or schema whose `}` never came.
fn ends_unclosed(at: usize, what: &str, help: String) -> Diagnostic {
    Diagnostic::new(
        Code::SyntaxError,
        format!("the file ends before the {what} is closed"),
    )
    .label(Span::at(at), "expected `}` here")
    .help(help)
}

fn no_program(at: usize) -> Diagnostic {
    Diagnostic::new(Code::NoProgram, "this file holds no program")
        .label(Span::at(at), "expected `program NAME {` here")
        .help("a nurture file holds one program: `program NAME { … }` with its header and steps")
}

fn unclosed_step(step: &Step, at: usize) -> Diagnostic {
    Diagnostic::new(
        Code::SyntaxError,
        format!("step `{}` is not closed", step.name.as_str()),
    )
    .label(Span::at(at), "expected `}` before this")
    .label(step.name.span, "the step starts here")
    .help("end each step with `}` after its last statement")
}

/// A line that starts with a word that starts nothing here.
fn not_a_start(text: &str, pos: usize, word: &str, what: &str, known: &[&str]) -> Diagnostic {
    let found = expected::found(text, pos);
    let len = expected::token_len(text, pos);
    let close = crate::suggest::closest(word, known.iter().copied()).filter(|_| !word.is_empty());
    let label = match close {
        Some(close) => format!("did you mean `{close}`?"),
        None => format!("expected {what} here"),
    };
    let help = if what == "a statement" {
        "a step holds statements: send, wait, branch, split, score, tag, untag, set, phase, notify, exit or `-> STEP`"
    } else if what == "a schema entry" {
        "a schema holds entries: attribute, event, channel, team, segment and tag, one a line"
    } else {
        "a program holds header clauses (title, kind, owner, trigger, audience, consent, goal, exit when, reentry, cap, quiet, window, holdout, start) and steps"
    };
    let diagnostic = Diagnostic::new(Code::SyntaxError, format!("expected {what}, found {found}"))
        .label(Span::new(pos, pos + len), label)
        .help(help);
    match close {
        Some(close) => diagnostic.fix(crate::diagnostic::Fix::replace(
            format!("write `{close}`"),
            Span::new(pos, pos + word.len()),
            close,
        )),
        None => diagnostic,
    }
}

/// Skips whitespace (a byte-order mark included) and comments.
pub(super) fn skip_trivia(text: &str, mut pos: usize) -> usize {
    let bytes = text.as_bytes();
    while pos < bytes.len() {
        match bytes[pos] {
            b' ' | b'\t' | b'\r' | b'\n' => pos += 1,
            b'#' => {
                while pos < bytes.len() && bytes[pos] != b'\n' {
                    pos += 1;
                }
            }
            0xEF if text[pos..].starts_with('\u{FEFF}') => pos += 3,
            _ => break,
        }
    }
    pos
}

/// Where to resume after a construct at `from` failed: the next line, at the
/// same brace depth, that starts a construct; or a `}` that closes the
/// enclosing block.
fn resync(text: &str, from: usize) -> usize {
    let bytes = text.as_bytes();
    let mut depth = 0i64;
    let mut i = from;
    let mut line_start = false;
    while i < bytes.len() {
        if line_start && depth == 0 {
            let start = skip_blanks(bytes, i);
            let word = expected::word_at(text, start);
            let starts_construct = word == "step"
                || word == "->"
                || CLAUSE_WORDS.contains(&word)
                || STATEMENT_WORDS.contains(&word)
                || text[start..].starts_with('}');
            if starts_construct {
                return start;
            }
        }
        line_start = false;
        match bytes[i] {
            b'\n' => line_start = true,
            // (Comments were blanked by the prepass: no `#` to skip here.)
            b'"' => {
                i = super::prepass::text_end(bytes, i);
                if i < bytes.len() && bytes[i] == b'\n' {
                    line_start = true;
                }
            }
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth < 0 {
                    return i;
                }
            }
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

/// Where the schema entry at `from` ends: at the end of its line, or of the
/// line closing its braces (`event purchase {` may span lines). A brace left
/// open ends at the next line that starts an entry; the schema's closing `}`
/// ends it too. Every line that is no entry is then reported on its own.
fn entry_end(text: &str, from: usize) -> usize {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    for i in from..bytes.len() {
        match bytes[i] {
            b'{' => depth += 1,
            b'}' if depth == 0 => return i,
            b'}' => depth -= 1,
            b'\n' if depth == 0 => return i,
            b'\n' => {
                let start = skip_blanks(bytes, i + 1);
                if SCHEMA_WORDS.contains(&expected::word_at(text, start)) {
                    return i;
                }
            }
            _ => {}
        }
    }
    bytes.len()
}

/// The text from `pos` to the end of its line.
fn line_of(text: &str, pos: usize) -> &str {
    let rest = &text[pos..];
    &rest[..rest.find('\n').unwrap_or(rest.len())]
}

pub(super) fn skip_blanks(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'\r') {
        i += 1;
    }
    i
}
