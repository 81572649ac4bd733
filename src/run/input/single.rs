//! Stage 4, input: customers and events one at a time, for a runtime that
//! gets them over the network (`nurture serve`) rather than from a file.
//!
//! The same readers as for files, so a record `nurture replay` reads is a
//! record `nurture serve` takes, with the same words for every problem.

use super::Report;
use super::from_json::{customer_from_json, event_from_json, json_lines, object};
use super::schema_types::Types;
use crate::run::{Customer, Event};
use crate::syntax::ast::Schema;
use serde_json::{Map, Value as Json};

/// Reads customers and events against a schema (or guessing, without one).
pub struct LineReader<'s> {
    types: Option<Types<'s>>,
}

/// What one record gave: the value and the notes on what was ignored (a
/// key that is not a field), or the problems that refused it.
pub type Read<T> = Result<(T, Vec<String>), Vec<String>>;

/// The records of a request body: one JSON object, a JSON array of
/// objects, or JSON Lines. Each comes with its line (its place in the
/// array, from 1) and its object, or the reason it is not one.
pub struct Lines;

/// One record of a body: its line, and its object or why it is not one.
pub type Record = (usize, Result<Map<String, Json>, String>);

impl Lines {
    pub fn split(text: &str) -> Vec<Record> {
        let text = super::words::without_bom(text);
        // A whole body that is one JSON value: an object, or an array of them.
        if let Ok(value) = serde_json::from_str::<Json>(text) {
            match value {
                Json::Object(map) => return vec![(1, Ok(map))],
                Json::Array(items) => {
                    return items
                        .into_iter()
                        .enumerate()
                        .map(|(index, item)| {
                            let record = match item {
                                Json::Object(map) => Ok(map),
                                other => Err(format!(
                                    "each item must be one JSON object; this one is {}",
                                    super::words::described(&other)
                                )),
                            };
                            (index + 1, record)
                        })
                        .collect();
                }
                _ => {}
            }
        }
        json_lines(text)
            .map(|(line, row)| (line, object(row)))
            .collect()
    }
}

impl<'s> LineReader<'s> {
    pub fn new(schema: Option<&'s Schema>) -> Self {
        LineReader {
            types: schema.map(Types::new),
        }
    }

    pub fn customer(&self, map: &Map<String, Json>) -> Read<Customer> {
        let mut report = Report::new("");
        let (customer, problems) = customer_from_json(map, self.types.as_ref(), 1, &mut report);
        finish(customer, problems, report)
    }

    pub fn event(&self, map: &Map<String, Json>) -> Read<Event> {
        let mut report = Report::new("");
        let (event, problems) = event_from_json(map, self.types.as_ref(), 1, &mut report);
        finish(event, problems, report)
    }
}

fn finish<T>(value: T, problems: Vec<String>, report: Report<'_>) -> Read<T> {
    if problems.is_empty() {
        Ok((
            value,
            report.errors.into_iter().map(|e| e.problem).collect(),
        ))
    } else {
        Err(problems)
    }
}
