//! The behaviour model: how simulated customers answer messages, and what
//! they do on their own. A TOML file a marketer edits (docs/simulation.md):
//!
//! ```toml
//! [channel.email]
//! open  = { chance = 0.40, after = "6h", p90 = "2d" }
//! click = { chance = 0.25, after = "10m", p90 = "3h", given = "open" }
//!
//! [template."comeback-15-percent"]
//! purchase = { chance = 0.12, after = "1d", p90 = "5d", given = "click" }
//!
//! [segment.high_churn_risk.email]
//! open = { chance = 0.15, after = "1d" }
//!
//! [[background]]
//! event = "purchase"
//! rate = 0.05
//! per = "30d"
//! properties = { category = "coffee" }
//! ```
//!
//! Reading checks every name against the customer schema and every number
//! against its range, and reports each problem as a diagnostic pointing into
//! the file (N401–N404), so a model that reads is one the simulator can run.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::run::Datum;
use crate::span::Span;
use crate::syntax::ast::{Schema, ValueType};
use indexmap::IndexMap;
use serde::Deserialize;
use toml::Spanned;

mod layers;
mod prune;
mod reader;
pub mod start;
pub mod write;

/// The inverse of the standard normal distribution at 0.9: a log-normal
/// delay's `p90` is its median times `exp(sigma * Z90)`.
pub const Z90: f64 = 1.281_551_565_544_600_4;

/// A `p90` left out is three times the median: a delay that is usually
/// about `after`, sometimes a good deal longer.
const DEFAULT_SPREAD: f64 = 3.0;

/// The most times a day a background activity may happen per customer
/// (N405): more is a slip of the keyboard, and would cost minutes and
/// gigabytes per thousand customers.
pub const MAX_PER_DAY: f64 = 100.0;

/// A number for a message: whole when large, else to three places.
fn rounded(x: f64) -> String {
    if x >= 1e15 {
        format!("{x:e}")
    } else if x >= 100.0 {
        format!("{}", x.round() as u64)
    } else {
        format!("{:.3}", x)
    }
}

/// A model, read and checked.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Behavior {
    pub tables: Vec<Table>,
    /// Channel name → table.
    pub channels: Vec<(String, usize)>,
    /// Template name → table.
    pub templates: Vec<(String, usize)>,
    /// (segment, channel) → table, in file order: a customer in several
    /// segments answers as the first that has a table for the channel.
    pub segments: Vec<(String, String, usize)>,
    pub background: Vec<Background>,
}

/// The responses to one kind of message.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    pub responses: Vec<Response>,
}

/// One way of answering a message: an event, how likely, how soon.
#[derive(Clone, Debug, PartialEq)]
pub struct Response {
    pub event: String,
    pub chance: f64,
    pub delay: Delay,
    /// Possible only after this response (an event of the same message),
    /// and timed from it.
    pub given: Option<String>,
    pub properties: Vec<(String, Datum)>,
}

/// A log-normal delay, in seconds: half of all answers come within
/// `median`, nine in ten within `median * exp(sigma * Z90)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Delay {
    pub median: f64,
    pub sigma: f64,
}

/// Something customers do whatever they are sent.
#[derive(Clone, Debug, PartialEq)]
pub struct Background {
    pub event: String,
    pub pace: Pace,
    pub properties: Vec<(String, Datum)>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Pace {
    /// On average `rate` times every `per` seconds, at random moments.
    Recurring { rate: f64, per: f64 },
    /// Once, with `chance`, at a random moment in the first `within` seconds.
    Once { chance: f64, within: f64 },
}

impl Behavior {
    pub fn channel(&self, name: &str) -> Option<usize> {
        lookup(&self.channels, name)
    }

    pub fn template(&self, name: &str) -> Option<usize> {
        lookup(&self.templates, name)
    }
}

fn lookup(pairs: &[(String, usize)], name: &str) -> Option<usize> {
    pairs.iter().find(|(n, _)| n == name).map(|(_, t)| *t)
}

// ---------------------------------------------------------------------------
// The file as TOML

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModel {
    #[serde(default)]
    channel: IndexMap<Spanned<String>, RawTable>,
    #[serde(default)]
    template: IndexMap<Spanned<String>, RawTable>,
    #[serde(default)]
    segment: IndexMap<Spanned<String>, IndexMap<Spanned<String>, RawTable>>,
    #[serde(default)]
    background: Vec<Spanned<RawBackground>>,
}

type RawTable = IndexMap<Spanned<String>, Spanned<RawResponse>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawResponse {
    chance: Spanned<f64>,
    after: Spanned<String>,
    p90: Option<Spanned<String>>,
    given: Option<Spanned<String>>,
    #[serde(default)]
    properties: IndexMap<Spanned<String>, Spanned<toml::Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBackground {
    event: Spanned<String>,
    rate: Option<Spanned<f64>>,
    per: Option<Spanned<String>>,
    chance: Option<Spanned<f64>>,
    within: Option<Spanned<String>>,
    #[serde(default)]
    properties: IndexMap<Spanned<String>, Spanned<toml::Value>>,
}

/// Reads a model. `schema`, when there is one, declares the events,
/// channels, segments and properties the model may name.
pub fn read(text: &str, schema: Option<&Schema>) -> Result<Behavior, Vec<Diagnostic>> {
    reader::read_raw(&parse(text)?, schema)
}

/// [`read`] for a model written for another schema (the bundled one, used
/// with the user's): what the schema does not declare is left out rather
/// than refused, and said in the list returned (`channel `letter``, …).
pub fn read_lenient(
    text: &str,
    schema: Option<&Schema>,
) -> Result<(Behavior, Vec<String>), Vec<Diagnostic>> {
    let mut raw = parse(text)?;
    let left_out = match schema {
        Some(schema) => prune::prune(&mut raw, schema),
        None => Vec::new(),
    };
    reader::read_raw(&raw, schema).map(|model| (model, left_out))
}

fn parse(text: &str) -> Result<RawModel, Vec<Diagnostic>> {
    match toml::from_str(text) {
        Ok(raw) => Ok(raw),
        Err(error) => {
            let span = error
                .span()
                .map_or(Span::at(0), |r| Span::new(r.start, r.end));
            let message = error.message().trim().to_string();
            Err(vec![
                Diagnostic::new(
                    Code::BehaviorUnreadable,
                    format!("the behaviour model does not read: {message}"),
                )
                .label(span, "here")
                .help("see docs/simulation.md for the tables and keys a behaviour model has"),
            ])
        }
    }
}

fn span_of<T>(spanned: &Spanned<T>) -> Span {
    let range = spanned.span();
    Span::new(range.start, range.end)
}

/// Events every schema has: a segment change carries the segment.
const SEGMENT_EVENTS: [&str; 2] = ["segment_entered", "segment_left"];

fn datum(value: &toml::Value, declared: Option<&ValueType>) -> Result<Datum, String> {
    use toml::Value as T;
    let found = match value {
        T::String(text) => Datum::Text(text.clone()),
        T::Integer(n) => Datum::Number(*n as f64),
        T::Float(n) => Datum::Number(*n),
        T::Boolean(b) => Datum::Bool(*b),
        T::Array(items) => Datum::List(
            items
                .iter()
                .map(|item| item.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .ok_or("a list with something other than texts")?,
        ),
        _ => return Err("a value of a kind events do not carry".to_string()),
    };
    let Some(declared) = declared else {
        return Ok(found);
    };
    let fits = match (declared, &found) {
        (ValueType::Text, Datum::Text(_)) => true,
        (ValueType::Enum(choices), Datum::Text(t)) => choices.iter().any(|c| c.as_str() == t),
        (ValueType::Number | ValueType::Duration, Datum::Number(_)) => true,
        (ValueType::Bool, Datum::Bool(_)) => true,
        (ValueType::ListOfText, Datum::List(_)) => true,
        (ValueType::Date, Datum::Text(t)) => {
            return crate::run::input::parse_time(t)
                .map(Datum::Time)
                .ok_or_else(|| format!("`{t}`, which is not a time like 2026-03-01T09:00:00Z"));
        }
        _ => false,
    };
    if fits {
        Ok(found)
    } else {
        Err(format!("a value that is not {}", describe(declared)))
    }
}

fn describe(value_type: &ValueType) -> String {
    match value_type {
        ValueType::Text => "a text".to_string(),
        ValueType::Number => "a number".to_string(),
        ValueType::Bool => "true or false".to_string(),
        ValueType::Date => "a time".to_string(),
        ValueType::Duration => "a number of minutes".to_string(),
        ValueType::ListOfText => "a list of texts".to_string(),
        ValueType::Enum(choices) => {
            let words: Vec<String> = choices
                .iter()
                .map(|c| format!("`{}`", c.as_str()))
                .collect();
            format!("one of {}", words.join(", "))
        }
    }
}
