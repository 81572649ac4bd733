//! `nurture sample behavior --schema PATH`: a model to start from, for any
//! schema. What the bundled model says of the channels, segments and
//! events the schema shares with it is kept; every channel it lacks gets a
//! table of the usual answers the schema declares (an open, a click, a
//! reply, an unsubscribe); every event still not covered happens once in
//! a while on its own; every declared property gets a value (the bundled
//! one where it has one). The numbers are guesses, and say so: `nurture
//! fit` puts the team's own in their place.

use super::write::{BackgroundDoc, Doc, PaceDoc, ResponseDoc, TableDoc};
use super::{Behavior, Pace, SEGMENT_EVENTS, Z90};
use crate::run::Datum;
use crate::syntax::ast::{Schema, ValueType};
use std::collections::BTreeSet;

/// Answers a channel the bundled model does not know gets, when the
/// schema declares the event: (event, chance, after, p90, given), in
/// seconds.
const USUAL: [(&str, f64, f64, f64, Option<&str>); 4] = [
    ("open", 0.30, 3.0 * 3600.0, 2.0 * 86_400.0, None),
    ("click", 0.15, 600.0, 6.0 * 3600.0, Some("open")),
    ("reply", 0.03, 86_400.0, 4.0 * 86_400.0, None),
    ("unsubscribe", 0.005, 3600.0, 86_400.0, None),
];

pub fn starting_model(bundled: &Behavior, schema: &Schema, schema_name: &str) -> Doc {
    let mut doc = Doc {
        header: vec![
            format!("A behaviour model to start from, for the schema `{schema_name}`,"),
            "written by `nurture sample behavior`. Every channel and event the".to_string(),
            "schema declares is here. The numbers are guesses (the bundled model's".to_string(),
            "where it knows the name): fit them to your own history with".to_string(),
            "`nurture fit HISTORY.jsonl`. Property values are examples: put in the".to_string(),
            "values your programs' conditions look for. docs/simulation.md explains".to_string(),
            "every table and key.".to_string(),
        ],
        ..Doc::default()
    };
    let mut covered: BTreeSet<String> = BTreeSet::new();
    let examples = examples(bundled);
    let fill = |event: &str, given: &[(String, Datum)]| properties(schema, event, given, &examples);
    let table = |index: usize, key: Vec<String>, covered: &mut BTreeSet<String>| TableDoc {
        key,
        comment: Vec::new(),
        responses: in_order(&bundled.tables[index].responses)
            .into_iter()
            .map(|r| {
                covered.insert(r.event.clone());
                ResponseDoc {
                    event: r.event.clone(),
                    chance: r.chance,
                    after: r.delay.median,
                    p90: r.delay.median * libm::exp(r.delay.sigma * Z90),
                    given: r.given.clone(),
                    properties: fill(&r.event, &r.properties),
                    comment: None,
                    seen: 0,
                }
            })
            .collect(),
    };
    for declared in &schema.channels {
        let name = declared.name.as_str();
        match bundled.channel(name) {
            Some(index) => {
                let t = table(index, vec![name.to_string()], &mut covered);
                doc.channels.push(t);
            }
            None => {
                let mut responses: Vec<ResponseDoc> = Vec::new();
                for (event, chance, after, p90, given) in USUAL {
                    if !declared_event(schema, event) {
                        continue;
                    }
                    let given = given.filter(|g| responses.iter().any(|r| r.event == *g));
                    covered.insert(event.to_string());
                    responses.push(ResponseDoc {
                        event: event.to_string(),
                        chance,
                        after,
                        p90,
                        given: given.map(str::to_string),
                        properties: fill(event, &[]),
                        comment: None,
                        seen: 0,
                    });
                }
                if responses.is_empty()
                    && let Some(first) = schema.events.first()
                {
                    let event = first.name.as_str();
                    covered.insert(event.to_string());
                    responses.push(ResponseDoc {
                        event: event.to_string(),
                        chance: 0.05,
                        after: 86_400.0,
                        p90: 4.0 * 86_400.0,
                        given: None,
                        properties: fill(event, &[]),
                        comment: None,
                        seen: 0,
                    });
                }
                doc.channels.push(TableDoc {
                    key: vec![name.to_string()],
                    comment: vec![format!(
                        "`{name}` is not in the bundled model: the usual answers, guessed"
                    )],
                    responses,
                });
            }
        }
    }
    for (segment, channel, index) in &bundled.segments {
        let t = table(*index, vec![segment.clone(), channel.clone()], &mut covered);
        doc.segments.push(t);
    }
    for (template, index) in &bundled.templates {
        let t = table(*index, vec![template.clone()], &mut covered);
        doc.templates.push(t);
    }
    for background in &bundled.background {
        covered.insert(background.event.clone());
        doc.background.push(BackgroundDoc {
            event: background.event.clone(),
            pace: match background.pace {
                Pace::Recurring { rate, per } => PaceDoc::Recurring { rate, per },
                Pace::Once { chance, within } => PaceDoc::Once { chance, within },
            },
            properties: fill(&background.event, &background.properties),
            comment: None,
        });
    }
    for event in &schema.events {
        let name = event.name.as_str();
        if covered.contains(name) {
            continue;
        }
        doc.background.push(BackgroundDoc {
            event: name.to_string(),
            pace: PaceDoc::Once {
                chance: 0.02,
                within: 90.0 * 86_400.0,
            },
            properties: fill(name, &[]),
            comment: Some(format!(
                "`{name}` is not in the bundled model: two in a hundred customers, once, guessed"
            )),
        });
    }
    doc
}

/// Responses with each `given` before what waits for it, otherwise as
/// they are.
fn in_order(responses: &[super::Response]) -> Vec<&super::Response> {
    let mut out: Vec<&super::Response> = Vec::new();
    while out.len() < responses.len() {
        let before = out.len();
        for r in responses {
            let placed = out.iter().any(|o| std::ptr::eq(*o, r));
            let ready = r.given.as_ref().is_none_or(|g| {
                out.iter().any(|o| &o.event == g) || !responses.iter().any(|x| &x.event == g)
            });
            if !placed && ready {
                out.push(r);
            }
        }
        if out.len() == before {
            break;
        }
    }
    out
}

fn declared_event(schema: &Schema, event: &str) -> bool {
    schema.events.iter().any(|e| e.name.as_str() == event)
}

/// Every property value the bundled model gives, by property name.
fn examples(bundled: &Behavior) -> Vec<(String, Datum)> {
    let mut out: Vec<(String, Datum)> = Vec::new();
    let all = bundled
        .tables
        .iter()
        .flat_map(|t| t.responses.iter().flat_map(|r| r.properties.iter()))
        .chain(bundled.background.iter().flat_map(|b| b.properties.iter()));
    for (name, value) in all {
        if !out.iter().any(|(n, _)| n == name) {
            out.push((name.clone(), value.clone()));
        }
    }
    out
}

/// The properties `event` carries in the schema: the given value where
/// there is one, else an example of the declared type.
fn properties(
    schema: &Schema,
    event: &str,
    given: &[(String, Datum)],
    examples: &[(String, Datum)],
) -> Vec<(String, Datum)> {
    if SEGMENT_EVENTS.contains(&event) {
        return given.to_vec();
    }
    let Some(declared) = schema.events.iter().find(|e| e.name.as_str() == event) else {
        return given.to_vec();
    };
    declared
        .properties
        .iter()
        .map(|p| {
            let name = p.name.as_str();
            let fits = |d: &Datum| super::datum(&toml_of(d), Some(&p.value_type.value)).is_ok();
            let value = given
                .iter()
                .chain(examples)
                .find(|(n, d)| n == name && fits(d))
                .map(|(_, d)| d.clone())
                .unwrap_or_else(|| example(&p.value_type.value));
            (name.to_string(), value)
        })
        .collect()
}

fn toml_of(datum: &Datum) -> toml::Value {
    match datum {
        Datum::Bool(b) => toml::Value::Boolean(*b),
        Datum::Number(n) => toml::Value::Float(*n),
        Datum::Text(t) => toml::Value::String(t.clone()),
        Datum::List(items) => {
            toml::Value::Array(items.iter().cloned().map(toml::Value::String).collect())
        }
        Datum::Time(at) => toml::Value::String(crate::run::input::show_time(*at)),
    }
}

fn example(value_type: &ValueType) -> Datum {
    match value_type {
        ValueType::Text => Datum::Text("example".to_string()),
        ValueType::Number => Datum::Number(1.0),
        ValueType::Bool => Datum::Bool(true),
        ValueType::Date => Datum::Time(1_767_225_600),
        ValueType::Duration => Datum::Number(60.0),
        ValueType::ListOfText => Datum::List(Vec::new()),
        ValueType::Enum(choices) => Datum::Text(
            choices
                .first()
                .map_or_else(|| "example".to_string(), |c| c.as_str().to_string()),
        ),
    }
}
