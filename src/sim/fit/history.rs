//! Reading a history for `nurture fit`: JSON Lines, one send or one event
//! a line, in any order.
//!
//! - a send: `{"at": "2026-01-05T08:00:00Z", "customer": "c1", "channel":
//!   "email", "template": "we-miss-you", "segments": ["high_churn_risk"]}`
//!   (`segments`, the customer's segments when it was sent, may be left
//!   out; `program` may name the program that sent it and is not read);
//! - an event, as `nurture replay` reads events: `{"at", "customer",
//!   "event", "properties"}`.
//!
//! A line is a send when it has a `channel` or a `template`. Every bad
//! line is reported by its number, as `replay` does, and left out.

use crate::run::input::{self, RowError};
use crate::run::{Datum, Seconds};
use crate::syntax::ast::Schema;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

pub struct Send {
    pub at: Seconds,
    pub customer: u32,
    pub channel: String,
    pub template: String,
    pub segments: Option<BTreeSet<String>>,
}

pub struct Happened {
    pub at: Seconds,
    pub customer: u32,
    pub name: String,
    pub properties: BTreeMap<String, Datum>,
}

#[derive(Default)]
pub struct History {
    /// Customer ids, sorted; sends and events name them by index.
    pub customers: Vec<String>,
    pub sends: Vec<Send>,
    pub events: Vec<Happened>,
    /// The first and last moment the history holds.
    pub first: Seconds,
    pub last: Seconds,
}

/// A send as read: at, customer, channel, template, segments.
type RawSend = (Seconds, String, String, String, Option<BTreeSet<String>>);

const SEND_FIELDS: [&str; 6] = [
    "at", "customer", "channel", "template", "segments", "program",
];

pub fn read(file: &str, text: &str, schema: Option<&Schema>) -> (History, Vec<RowError>) {
    let mut errors = Vec::new();
    let mut event_text = String::with_capacity(text.len());
    let mut sends: Vec<RawSend> = Vec::new();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (index, line) in text.split('\n').enumerate() {
        let number = index + 1;
        let parsed: Option<serde_json::Map<String, Value>> = serde_json::from_str(line.trim()).ok();
        let is_send = parsed
            .as_ref()
            .is_some_and(|map| map.contains_key("channel") || map.contains_key("template"));
        if !is_send {
            event_text.push_str(line);
            event_text.push('\n');
            continue;
        }
        event_text.push('\n');
        let Some(map) = parsed else { continue };
        let mut problems = Vec::new();
        let text_of = |key: &str, problems: &mut Vec<String>| -> String {
            match map.get(key) {
                Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
                Some(Value::Number(n)) if key == "customer" => n.to_string(),
                None | Some(Value::Null) => {
                    problems.push(format!("the send has no `{key}`"));
                    String::new()
                }
                Some(_) => {
                    problems.push(format!("`{key}` must be a text"));
                    String::new()
                }
            }
        };
        let at_text = text_of("at", &mut problems);
        let at = if at_text.is_empty() {
            0
        } else {
            match input::parse_time(&at_text) {
                Some(at) => at,
                None => {
                    problems.push(format!(
                        "`at` is `{at_text}`, not a time like 2026-03-01T09:00:00Z"
                    ));
                    0
                }
            }
        };
        let customer = text_of("customer", &mut problems);
        let channel = text_of("channel", &mut problems);
        let template = text_of("template", &mut problems);
        if let Some(schema) = schema
            && !channel.is_empty()
            && !schema.channels.iter().any(|c| c.name.as_str() == channel)
        {
            problems.push(format!("the schema declares no channel `{channel}`"));
        }
        let segments = match map.get("segments") {
            None | Some(Value::Null) => None,
            Some(Value::Array(items)) => {
                let mut set = BTreeSet::new();
                for item in items {
                    match item.as_str() {
                        Some(s) => {
                            let known = schema.is_none_or(|schema| {
                                schema.segments.iter().any(|d| d.as_str() == s)
                            });
                            if known {
                                set.insert(s.to_string());
                            } else {
                                problems.push(format!("the schema declares no segment `{s}`"));
                            }
                        }
                        None => problems.push("`segments` must be a list of texts".to_string()),
                    }
                }
                Some(set)
            }
            Some(_) => {
                problems.push("`segments` must be a list of texts".to_string());
                None
            }
        };
        for key in map.keys() {
            if !SEND_FIELDS.contains(&key.as_str()) {
                problems.push(format!(
                    "`{key}` is not a field of a send (`at`, `customer`, `channel`, `template`, `segments`)"
                ));
            }
        }
        if problems.is_empty() {
            sends.push((at, customer, channel, template, segments));
        } else {
            errors.extend(problems.into_iter().map(|problem| RowError {
                file: file.to_string(),
                line: number,
                problem,
                note: false,
            }));
        }
    }
    let (events, mut event_errors) = input::read_events(file, &event_text, schema);
    errors.append(&mut event_errors);
    errors.sort_by_key(|e| e.line);

    let ids: BTreeSet<&str> = sends
        .iter()
        .map(|s| s.1.as_str())
        .chain(events.iter().map(|e| e.customer.as_str()))
        .collect();
    let customers: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
    let index = |id: &str| {
        customers
            .binary_search_by(|c| c.as_str().cmp(id))
            .unwrap_or(0) as u32
    };
    let mut history = History {
        sends: sends
            .iter()
            .map(|(at, customer, channel, template, segments)| Send {
                at: *at,
                customer: index(customer),
                channel: channel.clone(),
                template: template.clone(),
                segments: segments.clone(),
            })
            .collect(),
        events: events
            .iter()
            .map(|e| Happened {
                at: e.at,
                customer: index(&e.customer),
                name: e.name.clone(),
                properties: e.properties.clone(),
            })
            .collect(),
        ..History::default()
    };
    history.customers = customers;
    let times = history
        .sends
        .iter()
        .map(|s| s.at)
        .chain(history.events.iter().map(|e| e.at));
    history.first = times.clone().min().unwrap_or(0);
    history.last = times.max().unwrap_or(0);
    history.sends.sort_by_key(|s| (s.customer, s.at));
    history.events.sort_by_key(|e| (e.customer, e.at));
    (history, errors)
}
