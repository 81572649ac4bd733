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
use crate::suggest;
use crate::syntax::ast::{Schema, ValueType};
use indexmap::IndexMap;
use serde::Deserialize;
use toml::Spanned;

mod layers;
mod prune;
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
    read_raw(&parse(text)?, schema)
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
    read_raw(&raw, schema).map(|model| (model, left_out))
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

fn read_raw(raw: &RawModel, schema: Option<&Schema>) -> Result<Behavior, Vec<Diagnostic>> {
    let mut reader = Reader {
        schema,
        problems: Vec::new(),
        model: Behavior::default(),
    };
    for (channel, table) in &raw.channel {
        reader.known_channel(channel);
        let index = reader.table(table, &[]);
        reader
            .model
            .channels
            .push((channel.get_ref().clone(), index));
    }
    // A template's responses may follow any channel's or segment's (the
    // template can be sent on any channel, to anyone).
    let channel_tables: Vec<&RawTable> = raw
        .channel
        .values()
        .chain(raw.segment.values().flat_map(|tables| tables.values()))
        .collect();
    for (template, table) in &raw.template {
        let index = reader.table(table, &channel_tables);
        reader
            .model
            .templates
            .push((template.get_ref().clone(), index));
    }
    // A customer in several segments answers as the first table in the
    // file that they are in; the TOML reader hands tables over in its own
    // order, so they are put back in the order of the file.
    let mut segment_tables: Vec<(&Spanned<String>, &Spanned<String>, &RawTable)> = Vec::new();
    for (segment, channels) in &raw.segment {
        reader.known_segment(segment);
        for (channel, table) in channels {
            segment_tables.push((segment, channel, table));
        }
    }
    segment_tables.sort_by_key(|(_, channel, _)| channel.span().start);
    for (segment, channel, table) in segment_tables {
        reader.known_channel(channel);
        let fallback: Vec<&RawTable> = raw
            .channel
            .get(channel.get_ref().as_str())
            .into_iter()
            .collect();
        let index = reader.table(table, &fallback);
        reader
            .model
            .segments
            .push((segment.get_ref().clone(), channel.get_ref().clone(), index));
    }
    layers::check(raw, &mut reader.problems);
    for background in &raw.background {
        if let Some(found) = reader.background(&background.get_ref().event, background) {
            reader.model.background.push(found);
        }
    }
    if reader.problems.is_empty() {
        Ok(reader.model)
    } else {
        let mut problems = reader.problems;
        problems.sort_by_key(|d| (d.primary_span().start, d.code));
        Err(problems)
    }
}

struct Reader<'s> {
    schema: Option<&'s Schema>,
    problems: Vec<Diagnostic>,
    model: Behavior,
}

fn span_of<T>(spanned: &Spanned<T>) -> Span {
    let range = spanned.span();
    Span::new(range.start, range.end)
}

/// Events every schema has: a segment change carries the segment.
const SEGMENT_EVENTS: [&str; 2] = ["segment_entered", "segment_left"];

impl Reader<'_> {
    fn unknown(&mut self, what: &str, name: &Spanned<String>, known: Vec<&str>) {
        let guess = suggest::closest(name.get_ref(), known.iter().copied());
        let help = match guess {
            Some(guess) => format!(
                "did you mean `{guess}`? Or declare `{}` in the schema",
                name.get_ref()
            ),
            None => format!(
                "declare {what} `{}` in the schema, or use one it declares",
                name.get_ref()
            ),
        };
        self.problems.push(
            Diagnostic::new(
                Code::BehaviorUnknownName,
                format!("the schema declares no {what} `{}`", name.get_ref()),
            )
            .label(span_of(name), format!("unknown {what}"))
            .help(help),
        );
    }

    fn known_channel(&mut self, channel: &Spanned<String>) {
        let Some(schema) = self.schema else { return };
        if !schema
            .channels
            .iter()
            .any(|c| c.name.as_str() == channel.get_ref())
        {
            let known = schema.channels.iter().map(|c| c.name.as_str()).collect();
            self.unknown("channel", channel, known);
        }
    }

    fn known_segment(&mut self, segment: &Spanned<String>) {
        let Some(schema) = self.schema else { return };
        if !schema
            .segments
            .iter()
            .any(|s| s.as_str() == segment.get_ref())
        {
            let known = schema.segments.iter().map(|s| s.as_str()).collect();
            self.unknown("segment", segment, known);
        }
    }

    /// Whether the event is declared (always, without a schema).
    fn known_event(&mut self, event: &Spanned<String>) -> bool {
        let Some(schema) = self.schema else {
            return true;
        };
        let name = event.get_ref().as_str();
        if SEGMENT_EVENTS.contains(&name) || schema.events.iter().any(|e| e.name.as_str() == name) {
            return true;
        }
        let known = schema.events.iter().map(|e| e.name.as_str()).collect();
        self.unknown("event", event, known);
        false
    }

    fn bad_value(&mut self, span: Span, message: String, help: &str) {
        self.problems.push(
            Diagnostic::new(Code::BehaviorBadValue, message)
                .label(span, "here")
                .help(help),
        );
    }

    fn chance(&mut self, chance: &Spanned<f64>) -> f64 {
        let value = *chance.get_ref();
        if !(0.0..=1.0).contains(&value) {
            self.bad_value(
                span_of(chance),
                format!("a chance of {value} is not between 0 and 1"),
                "write a chance as a share: 0.04 for 4%",
            );
        }
        value.clamp(0.0, 1.0)
    }

    /// A duration in seconds.
    fn duration(&mut self, text: &Spanned<String>) -> f64 {
        match crate::syntax::duration_minutes(text.get_ref()) {
            Ok(minutes) => minutes as f64 * 60.0,
            Err(help) => {
                self.problems.push(
                    Diagnostic::new(
                        Code::BehaviorBadValue,
                        format!("`{}` is not a duration", text.get_ref()),
                    )
                    .label(span_of(text), "expected a duration")
                    .help(help),
                );
                0.0
            }
        }
    }

    /// Reads one table; `given` may also name the responses of the tables
    /// in `beneath`, which this one is layered over.
    fn table(&mut self, raw: &RawTable, beneath: &[&RawTable]) -> usize {
        let mut table = Table::default();
        for (event, response) in raw {
            let known = self.known_event(event);
            let response = response.get_ref();
            let chance = self.chance(&response.chance);
            let median = self.duration(&response.after);
            let sigma = match &response.p90 {
                None => DEFAULT_SPREAD.ln() / Z90,
                Some(p90) => {
                    let p90_seconds = self.duration(p90);
                    if p90_seconds < median {
                        self.bad_value(
                            span_of(p90),
                            format!(
                                "`p90 = \"{}\"` is shorter than `after = \"{}\"`",
                                p90.get_ref(),
                                response.after.get_ref()
                            ),
                            "`after` is when half have answered, `p90` when nine in ten have: p90 is the longer",
                        );
                        0.0
                    } else if median == 0.0 {
                        0.0
                    } else {
                        libm::log(p90_seconds / median) / Z90
                    }
                }
            };
            if let Some(given) = &response.given {
                let in_table = |t: &RawTable| t.keys().any(|k| k.get_ref() == given.get_ref());
                if given.get_ref() == event.get_ref()
                    || !(in_table(raw) || beneath.iter().any(|t| in_table(t)))
                {
                    self.problems.push(
                        Diagnostic::new(
                            Code::BehaviorGivenLoop,
                            format!(
                                "`given = \"{}\"` names no other response of this table",
                                given.get_ref()
                            ),
                        )
                        .label(span_of(given), "no such response here")
                        .help("name another event of the same table, like `given = \"open\"` for a click"),
                    );
                }
            }
            let properties = if known {
                self.properties(event, &response.properties)
            } else {
                Vec::new()
            };
            table.responses.push(Response {
                event: event.get_ref().clone(),
                chance,
                delay: Delay { median, sigma },
                given: response.given.as_ref().map(|g| g.get_ref().clone()),
                properties,
            });
        }
        if let Some(looped) = given_loop(&table) {
            let span = raw.get(looped.as_str()).map_or(Span::at(0), span_of);
            self.problems.push(
                Diagnostic::new(
                    Code::BehaviorGivenLoop,
                    format!("`given` goes round in a loop through `{looped}`"),
                )
                .label(span, "part of the loop")
                .help("one response of the loop must happen without `given`"),
            );
        }
        self.model.tables.push(table);
        self.model.tables.len() - 1
    }

    fn background(
        &mut self,
        event: &Spanned<String>,
        raw: &Spanned<RawBackground>,
    ) -> Option<Background> {
        let known = self.known_event(event);
        let body = raw.get_ref();
        let pace = match (&body.rate, &body.per, &body.chance, &body.within) {
            (Some(rate), Some(per), None, None) => {
                let value = *rate.get_ref();
                if !(value >= 0.0 && value.is_finite()) {
                    self.bad_value(
                        span_of(rate),
                        format!("a rate of {value} is not a number of times"),
                        "write how many times on average per `per`, like `rate = 0.5, per = \"30d\"`",
                    );
                }
                let per_seconds = self.duration(per);
                if per_seconds <= 0.0 {
                    self.bad_value(
                        span_of(per),
                        "`per` must be longer than nothing".to_string(),
                        "write a period like `per = \"30d\"`",
                    );
                }
                let per_day = value / per_seconds.max(60.0) * 86_400.0;
                if value.is_finite() && per_day > MAX_PER_DAY {
                    self.problems.push(
                        Diagnostic::new(
                            Code::BehaviorTooBusy,
                            format!(
                                "background `{}` happens {} times a day per customer",
                                event.get_ref(),
                                rounded(per_day)
                            ),
                        )
                        .label(span_of(rate), format!("more than {MAX_PER_DAY} times a day"))
                        .help("a rate is how many times on average per `per`: `rate = 0.5, per = \"30d\"` is one login every two months"),
                    );
                }
                Pace::Recurring {
                    rate: value.max(0.0),
                    per: per_seconds.max(60.0),
                }
            }
            (None, None, Some(chance), Some(within)) => Pace::Once {
                chance: self.chance(chance),
                within: self.duration(within),
            },
            _ => {
                self.problems.push(
                    Diagnostic::new(
                        Code::BehaviorUnreadable,
                        format!(
                            "background `{}` needs either `rate` and `per`, or `chance` and `within`",
                            event.get_ref()
                        ),
                    )
                    .label(span_of(raw), "here")
                    .help("`rate = 0.05` and `per = \"30d\"` for something that recurs, `chance = 0.2` and `within = \"60d\"` for something that happens once"),
                );
                return None;
            }
        };
        let properties = if known {
            self.properties(event, &body.properties)
        } else {
            Vec::new()
        };
        Some(Background {
            event: event.get_ref().clone(),
            pace,
            properties,
        })
    }

    fn properties(
        &mut self,
        event: &Spanned<String>,
        raw: &IndexMap<Spanned<String>, Spanned<toml::Value>>,
    ) -> Vec<(String, Datum)> {
        let mut out = Vec::new();
        for (name, value) in raw {
            let declared = self.property_type(event.get_ref(), name.get_ref());
            let declared = match declared {
                Lookup::Declared(value_type) => Some(value_type),
                Lookup::NoSchema => None,
                Lookup::Unknown(known) => {
                    let guess = suggest::closest(name.get_ref(), known.iter().map(String::as_str));
                    let help = match guess {
                        Some(guess) => format!("did you mean `{guess}`?"),
                        None if known.is_empty() => {
                            format!("the schema declares no properties of `{}`", event.get_ref())
                        }
                        None => format!(
                            "`{}` carries {}",
                            event.get_ref(),
                            known
                                .iter()
                                .map(|k| format!("`{k}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    };
                    self.problems.push(
                        Diagnostic::new(
                            Code::BehaviorUnknownName,
                            format!(
                                "event `{}` has no property `{}` in the schema",
                                event.get_ref(),
                                name.get_ref()
                            ),
                        )
                        .label(span_of(name), "unknown property")
                        .help(help),
                    );
                    continue;
                }
            };
            match datum(value.get_ref(), declared.as_ref()) {
                Ok(datum) => out.push((name.get_ref().clone(), datum)),
                Err(expected) => self.bad_value(
                    span_of(value),
                    format!("property `{}` holds {expected}", name.get_ref()),
                    "give the property a value of the type the schema declares",
                ),
            }
        }
        out
    }

    fn property_type(&self, event: &str, property: &str) -> Lookup {
        let Some(schema) = self.schema else {
            return Lookup::NoSchema;
        };
        if SEGMENT_EVENTS.contains(&event) {
            return if property == "segment" {
                Lookup::Declared(ValueType::Text)
            } else {
                Lookup::Unknown(vec!["segment".to_string()])
            };
        }
        let Some(declared) = schema.events.iter().find(|e| e.name.as_str() == event) else {
            return Lookup::NoSchema;
        };
        match declared
            .properties
            .iter()
            .find(|p| p.name.as_str() == property)
        {
            Some(p) => Lookup::Declared(p.value_type.value.clone()),
            None => Lookup::Unknown(
                declared
                    .properties
                    .iter()
                    .map(|p| p.name.as_str().to_string())
                    .collect(),
            ),
        }
    }
}

enum Lookup {
    Declared(ValueType),
    NoSchema,
    Unknown(Vec<String>),
}

/// A TOML value as a datum of the declared type; the error says what was
/// expected.
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

/// The first response found on a loop of `given`, if any.
fn given_loop(table: &Table) -> Option<String> {
    for start in &table.responses {
        let mut at = start;
        for _ in 0..table.responses.len() {
            let Some(given) = &at.given else { break };
            let Some(next) = table.responses.iter().find(|r| &r.event == given) else {
                break;
            };
            if next.event == start.event {
                return Some(start.event.clone());
            }
            at = next;
        }
    }
    None
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
