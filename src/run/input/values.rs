//! Stage 4, input: attribute and property values, read as their declared
//! type or guessed.

use super::fields::{list, texts};
use super::parse_time;
use super::words::{described, expected, hint, shown};
use crate::run::Datum;
use crate::syntax::ast::ValueType;
use serde_json::Value as Json;

/// A value written as text: a CSV cell, or a JSON string when the schema
/// gives a type. `Ok(None)` when it is empty.
pub(super) fn read_text(
    text: &str,
    value_type: Option<&ValueType>,
) -> Result<Option<Datum>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let Some(value_type) = value_type else {
        return Ok(Some(guess(text)));
    };
    let datum = match value_type {
        ValueType::Text => Some(Datum::Text(text.to_string())),
        ValueType::Number => number(text).map(Datum::Number),
        ValueType::Bool => boolean(text, true).map(Datum::Bool),
        ValueType::Date => parse_time(text).map(Datum::Time),
        ValueType::Duration => minutes(text).map(|minutes| Datum::Number(minutes as f64)),
        ValueType::ListOfText => Some(Datum::List(list(text))),
        ValueType::Enum(words) => words
            .iter()
            .any(|word| word.value == text)
            .then(|| Datum::Text(text.to_string())),
    };
    datum.map(Some).ok_or_else(|| {
        format!(
            "must be {}; found `{}`{}",
            expected(value_type),
            shown(text),
            hint(value_type, text)
        )
    })
}

/// [`read_text`] without keeping the value: texts, the most common kind,
/// are not copied.
pub(super) fn check_text(text: &str, value_type: Option<&ValueType>) -> Result<(), String> {
    match value_type {
        None | Some(ValueType::Text | ValueType::ListOfText) => Ok(()),
        Some(_) => read_text(text, value_type).map(|_| ()),
    }
}

/// A value from JSON. A string is read as text (above) when the schema
/// gives a type; otherwise the JSON type must fit the declared one.
pub(super) fn read_json(
    value: &Json,
    value_type: Option<&ValueType>,
) -> Result<Option<Datum>, String> {
    match (value, value_type) {
        (Json::Null, _) => Ok(None),
        (Json::String(text), Some(value_type)) => read_text(text, Some(value_type)),
        (Json::String(text), None) => {
            let text = text.trim();
            Ok((!text.is_empty()).then(|| {
                parse_time(text).map_or_else(|| Datum::Text(text.to_string()), Datum::Time)
            }))
        }
        (Json::Bool(value), None | Some(ValueType::Bool)) => Ok(Some(Datum::Bool(*value))),
        (Json::Number(number), None | Some(ValueType::Number)) => match number.as_f64() {
            Some(number) if number.is_finite() => Ok(Some(Datum::Number(number))),
            _ => Err(format!("must be a number; found {}", described(value))),
        },
        (Json::Array(items), None | Some(ValueType::ListOfText)) => match texts(items) {
            Some(items) => Ok(Some(Datum::List(items))),
            None => Err(format!(
                "must be a list of texts, like `[\"a\", \"b\"]`; found {}",
                described(value)
            )),
        },
        (_, Some(value_type)) => Err(format!(
            "must be {}; found {}",
            expected(value_type),
            described(value)
        )),
        (_, None) => Err(format!(
            "must be text, a number, true or false, or a list of texts; found {}",
            described(value)
        )),
    }
}

/// What a value is taken for without a schema.
pub(super) fn guess(text: &str) -> Datum {
    if let Some(value) = boolean(text, false) {
        Datum::Bool(value)
    } else if let Some(number) = number(text) {
        Datum::Number(number)
    } else if let Some(at) = parse_time(text) {
        Datum::Time(at)
    } else {
        Datum::Text(text.to_string())
    }
}

/// `true`/`false` in any case, and `yes`/`no` too when a bool is expected.
pub(super) fn boolean(text: &str, yes_no: bool) -> Option<bool> {
    let lower = text.to_ascii_lowercase();
    match lower.as_str() {
        "true" => Some(true),
        "false" => Some(false),
        "yes" if yes_no => Some(true),
        "no" if yes_no => Some(false),
        _ => None,
    }
}

/// A finite decimal number. Rust's parser also reads `inf`, `NaN` and
/// `infinity`; those are words here, not numbers.
pub(super) fn number(text: &str) -> Option<f64> {
    let first = text.chars().next()?;
    if !(first.is_ascii_digit() || matches!(first, '-' | '+' | '.')) {
        return None;
    }
    if text
        .chars()
        .any(|c| c.is_alphabetic() && !matches!(c, 'e' | 'E'))
    {
        return None;
    }
    text.parse::<f64>().ok().filter(|number| number.is_finite())
}

/// A duration as a program writes it (`30m`, `12h`, `3d`, `2w`), in minutes.
pub(super) fn minutes(text: &str) -> Option<u64> {
    let unit_at = text.find(|c: char| !c.is_ascii_digit())?;
    let (digits, unit) = text.split_at(unit_at);
    let factor = match unit {
        "m" => 1,
        "h" => 60,
        "d" => 24 * 60,
        "w" => 7 * 24 * 60,
        _ => return None,
    };
    digits.parse::<u64>().ok()?.checked_mul(factor)
}

/// `YYYY-MM-DD`, alone or followed by a time.
pub(super) fn starts_with_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| bytes[range].iter().all(u8::is_ascii_digit);
    bytes.len() >= 10
        && digits(0..4)
        && bytes[4] == b'-'
        && digits(5..7)
        && bytes[7] == b'-'
        && digits(8..10)
        && (bytes.len() == 10 || matches!(bytes[10], b'T' | b't' | b' '))
}
