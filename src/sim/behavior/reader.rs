//! Reading a behaviour model: every table, response and background
//! activity of the TOML checked against the customer schema and its
//! ranges, each problem a diagnostic pointing into the file (N401–N404).

use super::{
    Background, Behavior, DEFAULT_SPREAD, Delay, MAX_PER_DAY, Pace, RawBackground, RawModel,
    RawTable, Response, SEGMENT_EVENTS, Table, Z90, datum, layers, rounded, span_of,
};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::run::Datum;
use crate::span::Span;
use crate::suggest;
use crate::syntax::ast::{Schema, ValueType};
use indexmap::IndexMap;
use toml::Spanned;

pub(super) fn read_raw(
    raw: &RawModel,
    schema: Option<&Schema>,
) -> Result<Behavior, Vec<Diagnostic>> {
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
