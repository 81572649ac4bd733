//! `nurture sample history`: what a team's sending system and shop would
//! have recorded, made by simulating programs — every send (`at`,
//! `customer`, `channel`, `template`, the customer's `segments` then) and
//! every event (`at`, `customer`, `event`, `properties`), as JSON Lines,
//! the input `nurture fit` reads.
//!
//! Each program is simulated on its own, as the simulator does; what a
//! customer does anyway is the same in every program (one random stream),
//! so it is written once, from the first program's run.

use super::engine::TraceLine;
use crate::run::input::show_time;
use crate::run::{Customer, Datum, Seconds};

/// The lines of one customer, in time order, each with its newline.
/// `traces` are the customer's traces, one per program.
pub fn lines(customer: &Customer, traces: &[Vec<TraceLine>]) -> String {
    let mut lines: Vec<(Seconds, usize, String)> = Vec::new();
    let segments: Vec<&str> = customer.segments.iter().map(String::as_str).collect();
    for (program, trace) in traces.iter().enumerate() {
        for line in trace {
            let json = match line {
                TraceLine::Action {
                    at,
                    send: Some((channel, template)),
                    ..
                } => serde_json::json!({
                    "at": show_time(*at),
                    "customer": customer.id,
                    "channel": channel,
                    "template": template,
                    "segments": segments,
                }),
                TraceLine::Event {
                    at,
                    name,
                    answers,
                    properties,
                } if answers.is_some() || program == 0 => {
                    let mut event = serde_json::json!({
                        "at": show_time(*at),
                        "customer": customer.id,
                        "event": name,
                    });
                    if !properties.is_empty()
                        && let Some(map) = event.as_object_mut()
                    {
                        let properties: serde_json::Map<String, serde_json::Value> = properties
                            .iter()
                            .map(|(k, v)| (k.clone(), datum(v)))
                            .collect();
                        map.insert("properties".to_string(), properties.into());
                    }
                    event
                }
                _ => continue,
            };
            let order = lines.len();
            lines.push((line.at(), order, json.to_string()));
        }
    }
    lines.sort_by_key(|(at, order, _)| (*at, *order));
    let mut out = String::new();
    for (_, _, line) in lines {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

fn datum(value: &Datum) -> serde_json::Value {
    match value {
        Datum::Bool(b) => (*b).into(),
        Datum::Number(n) => {
            serde_json::Number::from_f64(*n).map_or(serde_json::Value::Null, Into::into)
        }
        Datum::Text(t) => t.as_str().into(),
        Datum::List(items) => items.clone().into(),
        Datum::Time(at) => show_time(*at).into(),
    }
}
