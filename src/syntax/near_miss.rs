//! Constructs that are almost right, read while recovering from a syntax
//! error (`recover.rs`): the one diagnostic that names the fix, instead of
//! the stray words the grammar alone would see. `step hello` without its
//! `{`, `consent email and sms`, and `if` after a statement other than
//! `send`.

use super::recover::skip_blanks;
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::span::{Span, Spanned};

/// `step NAME` with something other than `{` after it: the name, when the
/// head is that and only its brace is missing.
pub(super) fn without_brace(text: &str, start: usize) -> Option<crate::span::Name> {
    let after_keyword = text.get(start..)?.strip_prefix("step")?;
    let blanks = after_keyword.len() - after_keyword.trim_start_matches([' ', '\t']).len();
    if blanks == 0 {
        return None;
    }
    let name_start = start + "step".len() + blanks;
    let rest = &text[name_start..];
    let len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    let name = &rest[..len];
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) || super::is_reserved(name)
    {
        return None;
    }
    // Nothing else on the line: only the brace is missing.
    let line_end = skip_blanks(text.as_bytes(), name_start + len);
    if line_end < text.len() && text.as_bytes()[line_end] != b'\n' {
        return None;
    }
    Some(Spanned::new(
        name.to_string(),
        Span::new(name_start, name_start + len),
    ))
}

/// The step's head lacks its `{`.
pub(super) fn missing_brace(name: &crate::span::Name) -> Diagnostic {
    let n = name.as_str();
    Diagnostic::new(Code::SyntaxError, format!("`step {n}` has no `{{`"))
        .label(Span::at(name.span.end), "expected `{` here")
        .help(format!(
            "open the step's statements with a brace: `step {n} {{`, and close them with `}}`"
        ))
}

/// `if` after a statement that takes no condition.
pub(super) fn if_after(last: &super::ast::Statement, at: usize) -> Diagnostic {
    let keyword = last.kind.keyword();
    Diagnostic::new(
        Code::SyntaxError,
        format!("`if` only guards a `send`, not `{keyword}`"),
    )
    .label(Span::new(at, at + 2), format!("`{keyword}` cannot have a condition"))
    .help(format!(
        "to `{keyword}` only for some customers, lead them to a step of its own with a `branch`: `branch {{ when CONDITION -> that_step  else -> … }}`"
    ))
}

/// `consent email and sms` (or `or`): the diagnostic, when `last` is the
/// `consent` clause the word follows.
pub(super) fn consent_joined(
    text: &str,
    last: &super::ast::Clause,
    at: usize,
    word: &str,
) -> Option<Diagnostic> {
    let super::ast::ClauseKind::Consent(channels) = &last.kind else {
        return None;
    };
    // Only right after the clause, on its line.
    let between = text.get(last.span.end..at)?;
    if between.contains('\n') || !between.trim().is_empty() {
        return None;
    }
    let line_end = text[at..].find('\n').map_or(text.len(), |n| at + n);
    let rest: Vec<&str> = text[at..line_end]
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty() && *w != "and" && *w != "or")
        .collect();
    let mut all: Vec<&str> = channels.iter().map(|c| c.as_str()).collect();
    all.extend(
        rest.iter()
            .copied()
            .filter(|w| w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')),
    );
    let written = format!("consent {}", all.join(", "));
    Some(
        Diagnostic::new(
            Code::SyntaxError,
            format!("`consent` lists its channels with commas, not `{word}`"),
        )
        .label(Span::new(at, at + word.len()), format!("write `{written}`"))
        .help(format!(
            "write `{written}`: only customers who agreed to every one of them enter"
        )),
    )
}
