//! Stage 4, input: a customer written back in the JSON form the readers
//! take, so that what `GET /v1/customers/{id}` shows can be `PUT` again and
//! a CSV customer can be sent as JSON; an action as the JSON line `nurture
//! replay` prints and `nurture serve` delivers.

use super::schema_types::Types;
use super::show_time;
use crate::run::{Action, ActionKind, Customer, Datum};
use crate::syntax::ast::{Schema, ValueType};
use serde_json::{Map, Value as Json};

/// The customer as one JSON object: `id`, `time_zone`, `consents`, `tags`,
/// `segments`, `score`, `phase`, `attributes` (dotted names as keys) and
/// `last_event_at`, times as RFC 3339. With the schema, a duration is
/// written as minutes (`"4320m"`), since a bare number is refused for it.
pub fn customer_json(customer: &Customer, schema: Option<&Schema>) -> Json {
    let types = schema.map(Types::new);
    let mut object = Map::new();
    object.insert("id".into(), Json::from(customer.id.clone()));
    if let Some(zone) = &customer.time_zone {
        object.insert("time_zone".into(), Json::from(zone.clone()));
    }
    let list = |set: &std::collections::BTreeSet<String>| {
        Json::Array(set.iter().cloned().map(Json::from).collect())
    };
    object.insert("consents".into(), list(&customer.consents));
    object.insert("tags".into(), list(&customer.tags));
    object.insert("segments".into(), list(&customer.segments));
    object.insert("score".into(), Json::from(customer.score));
    if let Some(phase) = &customer.phase {
        object.insert("phase".into(), Json::from(phase.clone()));
    }
    let mut attributes = Map::new();
    for (name, datum) in &customer.attributes {
        let declared = types
            .as_ref()
            .and_then(|types| types.attributes.get(name.as_str()).copied());
        attributes.insert(name.clone(), datum_json(datum, declared));
    }
    object.insert("attributes".into(), Json::Object(attributes));
    let times = customer
        .last_event_at
        .iter()
        .map(|(event, at)| (event.clone(), Json::from(show_time(*at))))
        .collect();
    object.insert("last_event_at".into(), Json::Object(times));
    Json::Object(object)
}

fn datum_json(datum: &Datum, declared: Option<&ValueType>) -> Json {
    match datum {
        Datum::Bool(value) => Json::from(*value),
        Datum::Number(minutes) if matches!(declared, Some(ValueType::Duration)) => {
            Json::from(format!("{minutes}m"))
        }
        // Whole numbers without `.0`, so that a count reads as a count.
        Datum::Number(number) if number.fract() == 0.0 && number.abs() < 9e15 => {
            Json::from(*number as i64)
        }
        Datum::Number(number) => {
            serde_json::Number::from_f64(*number).map_or(Json::Null, Json::Number)
        }
        Datum::Text(text) => Json::from(text.clone()),
        Datum::List(items) => Json::Array(items.iter().cloned().map(Json::from).collect()),
        Datum::Time(at) => Json::from(show_time(*at)),
    }
}

/// One action as a JSON line, with the time as RFC 3339.
pub fn action_line(action: &Action) -> String {
    match serde_json::to_value(action) {
        Ok(mut value) => {
            if let Some(object) = value.as_object_mut() {
                object.insert("at".into(), serde_json::Value::from(show_time(action.at)));
                if let ActionKind::Defer { until, .. } = &action.kind {
                    object.insert("until".into(), serde_json::Value::from(show_time(*until)));
                }
            }
            value.to_string()
        }
        Err(error) => format!("{{\"error\": {:?}}}", error.to_string()),
    }
}
