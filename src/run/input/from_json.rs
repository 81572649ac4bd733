//! Stage 4, input: customers and events from JSON Lines.

use super::Report;
use super::fields::{
    declared, identifier, phase, score_field, set_field, text_field, time, time_zone,
};
use super::from_csv::last_event_problem;
use super::schema_types::{Named, SEGMENT_EVENTS, Types};
use super::values::read_json;
use super::words::{described, did_you_mean, shown};
use crate::run::Customer;
use crate::run::Datum;
use crate::run::Event;
use crate::syntax::ast::ValueType;
use serde_json::Map;
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// The lines that are not blank, numbered from 1.
pub(super) fn json_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split('\n')
        .enumerate()
        .map(|(index, line)| (index + 1, line.strip_suffix('\r').unwrap_or(line)))
        .filter(|(_, line)| !line.trim().is_empty())
}

pub(super) fn object(line: &str) -> Result<Map<String, Json>, String> {
    match serde_json::from_str::<Json>(line) {
        Ok(Json::Object(map)) => Ok(map),
        Ok(other) => Err(format!(
            "each line must be one JSON object, like `{{\"id\": \"c1\"}}`; this line is {}",
            described(&other)
        )),
        Err(error) => {
            // serde_json says "at line 1 column 7"; the line is ours to give.
            let message = error.to_string();
            let message = message
                .rfind(" at line ")
                .map_or(message.as_str(), |at| &message[..at]);
            Err(format!(
                "this line is not valid JSON: {message} (column {})",
                error.column()
            ))
        }
    }
}

pub(super) const NO_ID: &str = "the customer has no `id`";

pub(super) const CUSTOMER_FIELDS: [&str; 9] = [
    "id",
    "time_zone",
    "consents",
    "tags",
    "segments",
    "score",
    "phase",
    "attributes",
    "last_event_at",
];

pub(super) fn customer_from_json(
    map: &Map<String, Json>,
    types: Option<&Types<'_>>,
    line: usize,
    report: &mut Report<'_>,
) -> (Customer, Vec<String>) {
    let mut customer = Customer::default();
    let mut problems = Vec::new();
    let mut check = |result: Result<(), String>| {
        if let Err(problem) = result {
            problems.push(problem);
        }
    };
    // Fields in a fixed order, so problems come in the same order whatever
    // the order of the keys.
    let field = |name: &str| map.get(name).unwrap_or(&Json::Null);
    check(
        identifier("id", field("id"))
            .and_then(|id| {
                if id.is_empty() {
                    Err(NO_ID.to_string())
                } else {
                    Ok(id)
                }
            })
            .map(|id| customer.id = id),
    );
    check(
        text_field("time_zone", field("time_zone"))
            .and_then(|zone| zone.map_or(Ok(None), time_zone))
            .map(|zone| customer.time_zone = zone),
    );
    for (named, name) in [
        (Named::Consents, "consents"),
        (Named::Tags, "tags"),
        (Named::Segments, "segments"),
    ] {
        let read = set_field(name, field(name)).and_then(|set| match types {
            Some(types) if !set.is_empty() => {
                declared(named, &set, types.names_of(named)).map(|()| set)
            }
            _ => Ok(set),
        });
        check(read.map(|set| match named {
            Named::Consents => customer.consents = set,
            Named::Tags => customer.tags = set,
            Named::Segments => customer.segments = set,
        }));
    }
    check(score_field(field("score")).map(|score| customer.score = score));
    check(
        text_field("phase", field("phase"))
            .and_then(|text| text.map_or(Ok(None), phase))
            .map(|phase| customer.phase = phase),
    );
    match field("attributes") {
        Json::Null => {}
        Json::Object(attributes) => {
            for (name, value) in flattened(attributes, &mut problems) {
                let value_type = match types {
                    None => None,
                    Some(types) => match types.attributes.get(name.as_str()) {
                        Some(value_type) => Some(*value_type),
                        None => {
                            report.note_once(format!("attribute:{name}"), line, || {
                                format!(
                                    "`{}` is not an attribute in the schema; its values are ignored{}",
                                    shown(&name),
                                    did_you_mean(&name, types.attributes.keys().copied())
                                )
                            });
                            continue;
                        }
                    },
                };
                match read_json(value, value_type) {
                    Ok(Some(datum)) => {
                        customer.attributes.insert(name, datum);
                    }
                    Ok(None) => {}
                    Err(problem) => problems.push(format!("`{}` {problem}", shown(&name))),
                }
            }
        }
        other => problems.push(format!(
            "`attributes` must be an object, like `{{\"tier\": \"gold\"}}`; found {}",
            described(other)
        )),
    }
    match field("last_event_at") {
        Json::Null => {}
        Json::Object(times) => {
            for (event, value) in times {
                let name = format!("last_event_at.{event}");
                if let Some(problem) = last_event_problem(event, types) {
                    report.note_once(format!("last:{event}"), line, || {
                        format!("`{}` {problem}; its values are ignored", shown(&name))
                    });
                    continue;
                }
                let at = text_field(&name, value).and_then(|text| match text {
                    Some(text) => time(&name, text),
                    None => Ok(None),
                });
                match at {
                    Ok(Some(at)) => {
                        customer.last_event_at.insert(event.clone(), at);
                    }
                    Ok(None) => {}
                    Err(problem) => problems.push(problem),
                }
            }
        }
        other => problems.push(format!(
            "`last_event_at` must be an object, like `{{\"purchase\": \"2026-01-10T00:00:00Z\"}}`; found {}",
            described(other)
        )),
    }
    for key in map.keys() {
        if !CUSTOMER_FIELDS.contains(&key.as_str()) {
            report.once(format!("field:{key}"), line, || {
                format!(
                    "`{}` is not a customer field, so it is ignored; attributes go under `attributes`",
                    shown(key)
                )
            });
        }
    }
    (customer, problems)
}

pub(super) const EVENT_FIELDS: [&str; 5] = ["id", "at", "customer", "event", "properties"];

pub(super) fn event_from_json(
    map: &Map<String, Json>,
    types: Option<&Types<'_>>,
    line: usize,
    report: &mut Report<'_>,
) -> (Event, Vec<String>) {
    let mut problems = Vec::new();
    let field = |name: &str| map.get(name).unwrap_or(&Json::Null);
    // Optional here; `nurture serve` asks for it.
    let id = match identifier("id", field("id")) {
        Ok(id) if id.is_empty() => None,
        Ok(id) => Some(id),
        Err(problem) => {
            problems.push(problem);
            None
        }
    };
    let at = match field("at") {
        Json::Null => {
            problems.push("the event has no `at`, the time it happened".to_string());
            0
        }
        value => match text_field("at", value).and_then(|text| time("at", text.unwrap_or(""))) {
            Ok(Some(at)) => at,
            Ok(None) => {
                problems.push("the event has no `at`, the time it happened".to_string());
                0
            }
            Err(problem) => {
                problems.push(problem);
                0
            }
        },
    };
    let customer = match identifier("customer", field("customer")) {
        Ok(id) if id.is_empty() => {
            problems.push("the event has no `customer`, the id of who did it".to_string());
            id
        }
        Ok(id) => id,
        Err(problem) => {
            problems.push(problem);
            String::new()
        }
    };
    let name = match text_field("event", field("event")) {
        Ok(Some(name)) if !name.trim().is_empty() => name.trim().to_string(),
        Ok(_) => {
            problems.push("the event has no `event`, its name like `purchase`".to_string());
            String::new()
        }
        Err(problem) => {
            problems.push(problem);
            String::new()
        }
    };
    let properties = properties(&name, field("properties"), types, &mut problems);
    for key in map.keys() {
        if !EVENT_FIELDS.contains(&key.as_str()) {
            report.once(format!("field:{key}"), line, || {
                format!(
                    "`{}` is not an event field, so it is ignored; properties go under `properties`",
                    shown(key)
                )
            });
        }
    }
    let event = Event {
        id,
        at,
        customer,
        name,
        properties,
    };
    (event, problems)
}

/// The event's properties, typed by the schema when there is one. Problems
/// go to `problems`; an event the schema does not know gets no properties
/// read, since the row is skipped anyway.
pub(super) fn properties(
    event: &str,
    value: &Json,
    types: Option<&Types<'_>>,
    problems: &mut Vec<String>,
) -> BTreeMap<String, Datum> {
    let mut properties = BTreeMap::new();
    let declared = match types {
        Some(types) if !event.is_empty() => {
            if SEGMENT_EVENTS.contains(&event) {
                Some(BTreeMap::from([("segment", &ValueType::Text)]))
            } else if event == "phase_changed" {
                Some(BTreeMap::from([("phase", &ValueType::Text)]))
            } else if event == "tag_added" || event == "tag_removed" {
                Some(BTreeMap::from([("tag", &ValueType::Text)]))
            } else if let Some(declared) = types.events.get(event) {
                Some(declared.clone())
            } else {
                problems.push(format!(
                    "`{}` is not an event in the schema{}",
                    shown(event),
                    did_you_mean(event, types.events.keys().copied())
                ));
                return properties;
            }
        }
        _ => None,
    };
    let given = match value {
        Json::Null => Vec::new(),
        Json::Object(map) => flattened(map, problems),
        other => {
            problems.push(format!(
                "`properties` must be an object, like `{{\"link\": \"offer\"}}`; found {}",
                described(other)
            ));
            Vec::new()
        }
    };
    for (name, value) in given {
        let value_type = match &declared {
            None => None,
            Some(declared) => match declared.get(name.as_str()) {
                Some(value_type) => Some(*value_type),
                None => {
                    problems.push(format!(
                        "`{}` has no property `{}` in the schema{}",
                        shown(event),
                        shown(&name),
                        did_you_mean(&name, declared.keys().copied())
                    ));
                    continue;
                }
            },
        };
        match read_json(value, value_type) {
            Ok(Some(datum)) => {
                properties.insert(name, datum);
            }
            Ok(None) => {}
            Err(problem) => problems.push(format!("`{}` {problem}", shown(&name))),
        }
    }
    if SEGMENT_EVENTS.contains(&event) {
        match properties.get("segment") {
            Some(Datum::Text(segment)) => {
                let unknown = types.filter(|types| !types.segments.contains(segment.as_str()));
                if let Some(types) = unknown {
                    problems.push(format!(
                        "`{}` is not a segment in the schema{}",
                        shown(segment),
                        did_you_mean(segment, types.segments.iter().copied())
                    ));
                }
            }
            Some(_) => problems.push("`segment` must be text, the segment's name".to_string()),
            None => problems.push(format!(
                "`{event}` needs the property `segment`, naming the segment"
            )),
        }
    }
    // A record change told as an event, for hand-off triggers
    // (`run::track::CHANGE_EVENTS`): the phase one of the four, the tag
    // one the schema declares.
    if event == "phase_changed" {
        match properties.get("phase") {
            Some(Datum::Text(word)) => {
                if let Err(problem) = phase(word) {
                    problems.push(problem);
                }
            }
            _ => problems.push("`phase_changed` needs the property `phase`, the new phase".into()),
        }
    }
    if event == "tag_added" || event == "tag_removed" {
        match properties.get("tag") {
            Some(Datum::Text(tag)) => {
                let unknown = types.filter(|types| !types.tags.contains(tag.as_str()));
                if let Some(types) = unknown {
                    problems.push(format!(
                        "`{}` is not a tag in the schema{}",
                        shown(tag),
                        did_you_mean(tag, types.tags.iter().copied())
                    ));
                }
            }
            _ => problems.push(format!(
                "`{event}` needs the property `tag`, naming the tag"
            )),
        }
    }
    properties
}

/// The values of a JSON object by dotted name, nested objects opened up.
/// serde_json's recursion limit bounds the depth.
pub(super) fn flattened<'j>(
    map: &'j Map<String, Json>,
    problems: &mut Vec<String>,
) -> Vec<(String, &'j Json)> {
    pub(super) fn walk<'j>(
        prefix: &str,
        map: &'j Map<String, Json>,
        out: &mut BTreeMap<String, &'j Json>,
        problems: &mut Vec<String>,
    ) {
        for (key, value) in map {
            let name = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            match value {
                Json::Object(inner) => walk(&name, inner, out, problems),
                _ if name.is_empty() => problems.push("a value has no name".to_string()),
                _ if out.contains_key(&name) => {
                    problems.push(format!("`{}` is given twice", shown(&name)));
                }
                _ => {
                    out.insert(name, value);
                }
            }
        }
    }
    let mut out = BTreeMap::new();
    walk("", map, &mut out, problems);
    out.into_iter().collect()
}
