//! Stage 4, input: words for messages (what a value should look like, and
//! did-you-mean).

use crate::suggest;
use crate::syntax::ast::ValueType;
use jiff::civil::DateTime;
use serde_json::Value as Json;

/// What a value of the type looks like, after "must be".
pub(super) fn expected(value_type: &ValueType) -> String {
    match value_type {
        ValueType::Text => "text".into(),
        ValueType::Number => "a number, like `1200` or `0.5`".into(),
        ValueType::Bool => "`true` or `false` (or `yes` or `no`)".into(),
        ValueType::Date => "a date like `2026-03-01` or a time like `2026-03-01T09:00:00Z`".into(),
        ValueType::Duration => "a duration like `30m`, `12h`, `3d` or `2w`".into(),
        ValueType::ListOfText => "a list of texts, separated by `;`".into(),
        ValueType::Enum(words) => {
            let words: Vec<&str> = words.iter().map(|word| word.as_str()).collect();
            format!("one of {}", choices(&words))
        }
    }
}

/// More help for a value that does not fit, when there is some to give.
pub(super) fn hint(value_type: &ValueType, text: &str) -> String {
    match value_type {
        // A date or time written in the right form but naming no moment
        // (`+25:00`, February 30) says which part is wrong.
        ValueType::Date => match super::time_problem(text) {
            Some(problem) if !problem.starts_with("a date like") => format!("; {problem}"),
            _ if text.parse::<DateTime>().is_ok() => {
                "; add `Z` for UTC or an offset like `+01:00`".into()
            }
            _ => String::new(),
        },
        ValueType::Duration if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) => {
            format!("; add a unit, like `{text}d` for {text} days")
        }
        ValueType::Enum(words) => did_you_mean(text, words.iter().map(|word| word.as_str())),
        _ => String::new(),
    }
}

pub(super) fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> String {
    suggest::closest(word, candidates)
        .map(|better| format!("; did you mean `{better}`?"))
        .unwrap_or_default()
}

/// `` `a`, `b` or `c` ``
pub(super) fn choices(words: &[&str]) -> String {
    let quoted: Vec<String> = words.iter().map(|word| format!("`{word}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => "nothing".into(),
    }
}

/// A JSON value, for "found …".
pub(super) fn described(value: &Json) -> String {
    match value {
        Json::Null => "nothing (`null`)".into(),
        Json::Bool(value) => format!("`{value}`"),
        Json::Number(number) => format!("the number `{number}`"),
        Json::String(text) => format!("the text `{}`", shown(text)),
        Json::Array(_) => "a list".into(),
        Json::Object(_) => "an object".into(),
    }
}

/// Text from a file, fit to quote in a message: control characters
/// escaped, and cut after 40 characters so a line of garbage stays short.
pub fn shown(text: &str) -> String {
    const LONGEST: usize = 40;
    let mut out = String::new();
    for c in text.chars().take(LONGEST) {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    if text.chars().nth(LONGEST).is_some() {
        out.push('…');
    }
    out
}

pub(super) fn without_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}
