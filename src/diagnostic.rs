//! The one diagnostic type every stage reports with. A diagnostic is data: the
//! renderers in `render/` turn it into text, JSON, GitHub annotations or SARIF.

use crate::codes::Code;
use crate::span::Span;
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A span with a short text saying what is wrong *there*.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// One problem found in one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    /// One sentence naming the thing in backticks: "step `offer` is defined twice".
    pub message: String,
    /// The first label is the primary one: the place the problem is reported at.
    pub labels: Vec<Label>,
    /// What to do about it.
    pub help: String,
    /// Edits that carry the help out, when it is certain what to write: the
    /// close name for a typo, a missing `timeout` arm. The editor offers
    /// them as quick fixes; the text is the same the labels and help show.
    pub fixes: Vec<Fix>,
}

/// One way to fix a diagnostic: a title saying what it does and the edits,
/// all into the file the diagnostic is in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// Says what the fix writes: "write `offer`", "add `timeout -> exit no_response`".
    pub title: String,
    pub edits: Vec<Edit>,
}

/// Replace the text at `span` (empty: insert at its start) by `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub text: String,
}

impl Fix {
    /// The fix that puts `text` where `span` is.
    pub fn replace(title: impl Into<String>, span: Span, text: impl Into<String>) -> Fix {
        Fix {
            title: title.into(),
            edits: vec![Edit {
                span,
                text: text.into(),
            }],
        }
    }
}

impl Diagnostic {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            message: bounded(one_line(message.into())),
            labels: Vec::new(),
            help: String::new(),
            fixes: Vec::new(),
        }
    }

    pub fn label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: bounded(one_line(message.into())),
        });
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = bounded(printable(help.into()));
        self
    }

    /// "did you mean `close`?" at `span`, and the fix that writes it.
    pub fn did_you_mean(self, span: Span, close: &str) -> Self {
        self.label(span, format!("did you mean `{close}`?"))
            .fix(Fix::replace(format!("write `{close}`"), span, close))
    }

    pub fn fix(mut self, fix: Fix) -> Self {
        self.fixes.push(fix);
        self
    }

    /// Adds each of `fixes` (a fix that could not be made is `None`).
    pub fn fixes(mut self, fixes: impl IntoIterator<Item = Fix>) -> Self {
        self.fixes.extend(fixes);
        self
    }

    pub fn severity(&self) -> Severity {
        self.code.severity()
    }

    /// The span the diagnostic is reported at (its first label's).
    pub fn primary_span(&self) -> Span {
        self.labels.first().map(|l| l.span).unwrap_or_default()
    }
}

/// Messages quote what a file says, and a file (or a key in a behaviour
/// model) can hold characters a terminal obeys: they are kept as escapes
/// (`crate::printable`), so every format shows them the same safe way.
/// Messages and labels are one line; a help may have several.
fn one_line(text: String) -> String {
    match crate::printable::one_line(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(escaped) => escaped,
    }
}

fn printable(text: String) -> String {
    match crate::printable::printable(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(escaped) => escaped,
    }
}

/// The longest message, label or help kept, in characters. Messages quote
/// what the file says; a file with a name a megabyte long must not turn each
/// of its diagnostics into a megabyte of output.
const MAX_TEXT: usize = 300;

fn bounded(text: String) -> String {
    match text.char_indices().nth(MAX_TEXT) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// Sorts diagnostics by position, so every run and every format lists them in
/// the same order however the stages found them.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (a.primary_span(), a.code.id(), &a.message).cmp(&(
            b.primary_span(),
            b.code.id(),
            &b.message,
        ))
    });
}
