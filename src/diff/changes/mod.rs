//! Stage diff: the changes in meaning between two versions, by header
//! clause and by step and statement — never by line.
//!
//! Clauses and statements are compared by what they say: their syntax
//! tree with spans cut out (`span::debug_without_spans`), so layout and comments
//! never count, and `3d` is `72h`. Header clauses are paired by a slot (a
//! `trigger` by what it listens to, an `exit when` by its event, a `cap` by
//! its channel, any other clause by its keyword); steps by name or `(was
//! …)`; statements by the alignment of `align.rs`. Arrows to a renamed
//! step count as unchanged. A clause or statement of a kind this file does
//! not describe is still compared and shown, with its text; `detail` only
//! adds words for the kinds it knows.

//!
//! | file | owns |
//! |---|---|
//! | `mod.rs` | the two sides, a change as reported, the whole list |
//! | `header.rs` | header clauses: which pairs with which, and their words |
//! | `steps.rs` | where customers enter, steps and their statements, moves |
//! | `words.rs` | the words for what changed inside a statement |

mod header;
mod steps;
mod words;

use super::align::Steps;
use crate::plan::Plan;
use crate::span::{Span, debug_without_spans};
use crate::syntax::ast::Program;
use header::header;
use serde::Serialize;
use steps::start;

/// Characters of a clause or statement shown at most.
const SHOWN_CHARS: usize = 160;

/// One version as the comparison reads it.
pub struct Side<'a> {
    pub program: &'a Program,
    pub plan: &'a Plan,
    /// The source with comments blanked (offsets as in the file).
    pub text: String,
}

impl<'a> Side<'a> {
    pub fn new(source: &str, program: &'a Program, plan: &'a Plan) -> Self {
        Side {
            program,
            plan,
            text: crate::syntax::without_comments(source),
        }
    }

    /// The text at `span`, blanks run together, cut at [`SHOWN_CHARS`].
    pub fn shown(&self, span: Span) -> Shown {
        let written = self.text.get(span.start..span.end).unwrap_or("");
        let mut text = written.split_whitespace().collect::<Vec<_>>().join(" ");
        if let Some((cut, _)) = text.char_indices().nth(SHOWN_CHARS) {
            text.truncate(cut);
            text.push('…');
        }
        let line = self
            .text
            .get(..span.start)
            .map_or(1, |before| before.matches('\n').count() + 1);
        Shown { text, line }
    }
}

/// A clause or statement as written, and its line (from 1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Shown {
    pub text: String,
    pub line: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
    Renamed,
    Reordered,
    /// The same statement at another place in its step.
    Moved,
}

impl ChangeKind {
    /// The sign shown before a change: `+`, `-`, `~`.
    pub fn sign(self) -> &'static str {
        match self {
            ChangeKind::Added => "+",
            ChangeKind::Removed => "-",
            ChangeKind::Changed | ChangeKind::Reordered => "~",
            ChangeKind::Renamed | ChangeKind::Moved => ">",
        }
    }
}

/// One change in meaning.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Change {
    /// The step it is in (its new name; its old one when removed), or
    /// `None` for the program's header.
    pub step: Option<String>,
    pub change: ChangeKind,
    /// What changed: a clause's or statement's keyword (`goal`, `wait`),
    /// `step`, `way on` (a step's closing `-> STEP`), `start`.
    pub what: String,
    pub before: Option<Shown>,
    pub after: Option<Shown>,
    /// What the change means, in words, where this file knows the kind.
    pub detail: Option<String>,
}

pub fn changes(old: &Side, new: &Side, steps: &Steps) -> Vec<Change> {
    let mut found = header(old, new);
    found.extend(start(old, new, steps));
    found.extend(self::steps::steps(old, new, steps));
    if old.plan.no_consent_needed != new.plan.no_consent_needed {
        let list = |plan: &Plan| match plan.no_consent_needed.as_slice() {
            [] => "none".to_string(),
            channels => crate::syntax::word_list(channels.iter().map(String::as_str)),
        };
        found.push(Change {
            step: None,
            change: ChangeKind::Changed,
            what: "channels needing no consent".into(),
            before: None,
            after: None,
            detail: Some(format!(
                "sends on {} need no consent, was {} (the customer schema says so)",
                list(new.plan),
                list(old.plan)
            )),
        });
    }
    found
}

/// What a clause or statement says, without where it is written.
pub(super) fn meaning<T: std::fmt::Debug>(value: &T) -> String {
    debug_without_spans(value)
}

/// Words joined into one detail, or none.
pub(super) fn sentence(words: Vec<String>) -> Option<String> {
    (!words.is_empty()).then(|| words.join("; "))
}
