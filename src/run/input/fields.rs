//! Stage 4, input: customer fields, from a CSV cell or a JSON string.

use super::parse_time;
use super::schema_types::Named;
use super::words::{choices, described, did_you_mean, expected, hint, shown};
use crate::run::Seconds;
use crate::suggest;
use crate::syntax::ast::Phase;
use crate::syntax::ast::ValueType;
use jiff::tz;
use jiff::tz::TimeZone;
use serde_json::Value as Json;
use std::collections::BTreeSet;
use std::collections::HashMap;

/// `text` without leading and trailing white space, as `str::trim`, but
/// without looking at a character when the ends are plain: most cells have
/// no space around them, and trimming every cell of a million rows showed.
pub(super) fn trimmed(text: &str) -> &str {
    match (text.as_bytes().first(), text.as_bytes().last()) {
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => text,
        _ => text.trim(),
    }
}

/// The name of a `last_event_at.EVENT` column, written only when a cell
/// in it is wrong.
pub(super) struct LastEventAt<'a>(pub(super) &'a str);

impl std::fmt::Display for LastEventAt<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "last_event_at.{}", self.0)
    }
}

pub(super) fn time_zone(text: &str) -> Result<Option<String>, String> {
    let text = trimmed(text);
    if text.is_empty() {
        return Ok(None);
    }
    // Looking a name up in the bundled database took a tenth of the time
    // spent making a customer: each thread remembers the names it has met
    // (a file names a few hundred zones at most).
    thread_local! {
        static KNOWN: std::cell::RefCell<HashMap<String, String>> = Default::default();
    }
    if let Some(name) = KNOWN.with_borrow(|known| known.get(text).cloned()) {
        return Ok(Some(name));
    }
    // The bundled database ignores case; keep its spelling of the name.
    let zone = tz::db().get(text).ok();
    let name = zone.as_ref().and_then(TimeZone::iana_name);
    if let Some(name) = name.filter(|name| *name != "Etc/Unknown") {
        KNOWN.with_borrow_mut(|known| known.insert(text.to_string(), name.to_string()));
        return Ok(Some(name.to_string()));
    }
    let names: Vec<String> = tz::db()
        .available()
        .map(|name| name.as_str().to_string())
        .collect();
    Err(format!(
        "`time_zone` must be an IANA time zone like `Europe/Berlin`; found `{}`{}",
        shown(text),
        did_you_mean(text, names.iter().map(String::as_str))
    ))
}

pub(super) fn score(text: &str) -> Result<i64, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(0);
    }
    text.parse().map_err(|_| {
        format!(
            "`score` must be a whole number, like `10` or `-5`; found `{}`",
            shown(text)
        )
    })
}

pub(super) fn phase(text: &str) -> Result<Option<String>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if Phase::from_word(text).is_some() {
        return Ok(Some(text.to_string()));
    }
    let words: Vec<&str> = Phase::ALL.iter().map(|phase| phase.as_str()).collect();
    Err(format!(
        "`phase` must be one of {}; found `{}`{}",
        choices(&words),
        shown(text),
        did_you_mean(text, words.iter().copied())
    ))
}

/// The names in a `consents`, `tags` or `segments` field against the
/// schema's channels, tags or segments: a name that is not declared but
/// differs from a declared one only in case (`Email` for `email`), or, for
/// channels and segments, is one letter or so off (`emial`), is a problem of
/// the row, with "did you mean". Any other name is kept as it is: no program
/// can name an undeclared channel or segment, so it changes nothing, and
/// programs add tags of their own (`tag comeback_lead`) that the schema need
/// not list (a tag one letter off a declared one may be one of those).
pub(super) fn declared(
    field: Named,
    values: &BTreeSet<String>,
    names: &BTreeSet<&str>,
) -> Result<(), String> {
    let (column, what) = match field {
        Named::Consents => ("consents", "a channel"),
        Named::Tags => ("tags", "a tag"),
        Named::Segments => ("segments", "a segment"),
    };
    let mut problems = Vec::new();
    for value in values {
        if names.contains(value.as_str()) {
            continue;
        }
        let same_but_case = names.iter().find(|name| name.eq_ignore_ascii_case(value));
        let close = same_but_case.copied().or_else(|| {
            (field != Named::Tags)
                .then(|| suggest::closest(value, names.iter().copied()))
                .flatten()
        });
        if let Some(meant) = close {
            problems.push(format!(
                "`{column}` names `{}`, which is not {what} in the schema; did you mean `{meant}`?",
                shown(value)
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

/// A moment in the field `name`, or `None` for an empty text.
pub(super) fn time(name: impl std::fmt::Display, text: &str) -> Result<Option<Seconds>, String> {
    let text = trimmed(text);
    if text.is_empty() {
        return Ok(None);
    }
    parse_time(text).map(Some).ok_or_else(|| {
        format!(
            "`{name}` must be {}; found `{}`{}",
            expected(&ValueType::Date),
            shown(text),
            hint(&ValueType::Date, text)
        )
    })
}

/// `;`-separated, trimmed, empty items dropped.
pub(super) fn list(text: &str) -> Vec<String> {
    text.split(';')
        .map(trimmed)
        .filter(|item| !item.is_empty())
        .map(str::to_string)
        .collect()
}

/// A JSON array of strings, trimmed and without empty items; `None` when
/// something in it is not a string.
pub(super) fn texts(items: &[Json]) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for item in items {
        let text = item.as_str()?.trim();
        if !text.is_empty() {
            out.push(text.to_string());
        }
    }
    Some(out)
}

pub(super) fn identifier(name: &str, value: &Json) -> Result<String, String> {
    match value {
        Json::Null => Ok(String::new()),
        Json::String(text) => Ok(text.trim().to_string()),
        // Many systems number their customers; `12` and `"12"` are one id.
        Json::Number(number) if number.is_i64() || number.is_u64() => Ok(number.to_string()),
        other => Err(format!(
            "`{name}` must be text, like `\"c1\"`; found {}",
            described(other)
        )),
    }
}

pub(super) fn text_field<'j>(name: &str, value: &'j Json) -> Result<Option<&'j str>, String> {
    match value {
        Json::Null => Ok(None),
        Json::String(text) => Ok(Some(text)),
        other => Err(format!("`{name}` must be text; found {}", described(other))),
    }
}

pub(super) fn set_field(name: &str, value: &Json) -> Result<BTreeSet<String>, String> {
    let items = match value {
        Json::Null => Some(Vec::new()),
        Json::String(text) => Some(list(text)),
        Json::Array(items) => texts(items),
        _ => None,
    };
    items
        .map(|items| items.into_iter().collect())
        .ok_or_else(|| {
            format!(
                "`{name}` must be a list of texts, like `[\"email\", \"sms\"]`; found {}",
                described(value)
            )
        })
}

pub(super) fn score_field(value: &Json) -> Result<i64, String> {
    match value {
        Json::Null => Ok(0),
        Json::String(text) => score(text),
        Json::Number(number) if number.is_i64() => Ok(number.as_i64().unwrap_or_default()),
        other => Err(format!(
            "`score` must be a whole number, like `10` or `-5`; found {}",
            described(other)
        )),
    }
}
