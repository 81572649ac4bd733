//! `simulate --trace`: customers' journeys, moment by moment, for people
//! (every time in the customer's own zone, named at the top, the time a
//! send is held until for quiet hours or a send window too) and as JSON (in UTC). Each event shows the
//! properties it carried, and after every transition that did something
//! the record's score, phase and tags as they are then.

use crate::run::input::show_time;
use crate::run::{Datum, Seconds};
use crate::sim::engine::TraceLine;
use jiff::tz::TimeZone;
use std::fmt::Write;

/// One traced customer in one program.
pub struct Traced<'t> {
    pub customer: &'t str,
    /// The customer's time zone as the file names it.
    pub zone_name: Option<&'t str>,
    pub zone: &'t TimeZone,
    pub program: &'t str,
    pub lines: &'t [TraceLine],
    /// Programs run together: the program of each line (`None` for an
    /// event every program sees), beside `lines`; `program` then names
    /// them all, in line-up order. `None` for one program's trace.
    pub by: Option<&'t [Option<&'t str>]>,
}

impl Traced<'_> {
    /// `[welcome] ` before a line of one program, when traced together.
    fn tag(&self, i: usize) -> String {
        match self.by.and_then(|by| by.get(i).copied().flatten()) {
            Some(program) => format!("[{program}] "),
            None => String::new(),
        }
    }
}

pub fn human(traces: &[Traced]) -> String {
    let mut out = String::new();
    for trace in traces {
        let within = if trace.by.is_some() {
            format!("the programs run together ({}), one record", trace.program)
        } else {
            trace.program.to_string()
        };
        let _ = writeln!(
            out,
            "customer {} in {within} (local time: {})",
            trace.customer,
            trace.zone_name.unwrap_or("UTC")
        );
        if !trace
            .lines
            .iter()
            .any(|l| matches!(l, TraceLine::Action { .. }))
        {
            let _ = writeln!(out, "  never entered");
        }
        let indent = " ".repeat(22);
        for (i, line) in trace.lines.iter().enumerate() {
            let tag = trace.tag(i);
            match line {
                TraceLine::State {
                    score, phase, tags, ..
                } => {
                    let _ = writeln!(out, "  {indent}  → {}", state(*score, phase, tags));
                }
                TraceLine::Action {
                    held_until: Some(until),
                    ..
                } => {
                    let _ = writeln!(
                        out,
                        "  {}  {tag}{} until {}",
                        local(line.at(), trace.zone),
                        what(line),
                        local(*until, trace.zone)
                    );
                }
                _ => {
                    let _ = writeln!(
                        out,
                        "  {}  {tag}{}",
                        local(line.at(), trace.zone),
                        what(line)
                    );
                }
            }
        }
        out.push('\n');
    }
    out
}

/// The record in words: `score 15 · phase win_back · tags dormant, vip`.
fn state(score: i64, phase: &Option<String>, tags: &[String]) -> String {
    format!(
        "score {score} · phase {} · tags {}",
        phase.as_deref().unwrap_or("none"),
        if tags.is_empty() {
            "none".to_string()
        } else {
            tags.join(", ")
        }
    )
}

fn what(line: &TraceLine) -> String {
    match line {
        TraceLine::Event {
            name,
            answers,
            properties,
            ..
        } => {
            let mut text = format!("event {name}");
            if !properties.is_empty() {
                let shown: Vec<String> = properties
                    .iter()
                    .map(|(key, value)| format!("{key}: {}", datum(value)))
                    .collect();
                let _ = write!(text, " {{{}}}", shown.join(", "));
            }
            match answers {
                Some(channel) => {
                    let _ = write!(text, " (answering {channel})");
                }
                None => text.push_str(" (on their own)"),
            }
            text
        }
        TraceLine::Action { what, .. } => what.clone(),
        TraceLine::Step { name, .. } => format!("step {name}"),
        TraceLine::State {
            score, phase, tags, ..
        } => state(*score, phase, tags),
    }
}

fn datum(value: &Datum) -> String {
    match value {
        Datum::Bool(b) => b.to_string(),
        Datum::Number(n) => n.to_string(),
        Datum::Text(t) => format!("{t:?}"),
        Datum::List(items) => format!("{items:?}"),
        Datum::Time(at) => show_time(*at),
    }
}

fn local(at: Seconds, zone: &TimeZone) -> String {
    match jiff::Timestamp::from_second(at) {
        Ok(time) => time
            .to_zoned(zone.clone())
            .strftime("%Y-%m-%d %H:%M %a")
            .to_string(),
        Err(_) => at.to_string(),
    }
}

fn datum_json(value: &Datum) -> serde_json::Value {
    match value {
        Datum::Bool(b) => serde_json::Value::from(*b),
        Datum::Number(n) => serde_json::Value::from(*n),
        Datum::Text(t) => serde_json::Value::from(t.as_str()),
        Datum::List(items) => serde_json::Value::from(items.clone()),
        Datum::Time(at) => serde_json::Value::from(show_time(*at)),
    }
}

pub fn json(traces: &[Traced]) -> String {
    let items: Vec<serde_json::Value> = traces
        .iter()
        .map(|trace| {
            let journey: Vec<serde_json::Value> = trace
                .lines
                .iter()
                .enumerate()
                .map(|(i, line)| {
                    let at = show_time(line.at());
                    let mut value = match line {
                        TraceLine::Event {
                            name,
                            answers,
                            properties,
                            ..
                        } => serde_json::json!({
                            "at": at,
                            "event": name,
                            "answers": answers,
                            "properties": properties
                                .iter()
                                .map(|(k, v)| (k.clone(), datum_json(v)))
                                .collect::<serde_json::Map<_, _>>(),
                        }),
                        TraceLine::Action {
                            what,
                            held_until: Some(until),
                            ..
                        } => serde_json::json!({
                            "at": at,
                            "action": format!("{what} until {}", show_time(*until)),
                            "held_until": show_time(*until),
                        }),
                        TraceLine::Action { what, .. } => {
                            serde_json::json!({ "at": at, "action": what })
                        }
                        TraceLine::Step { name, .. } => {
                            serde_json::json!({ "at": at, "step": name })
                        }
                        TraceLine::State {
                            score, phase, tags, ..
                        } => serde_json::json!({
                            "at": at,
                            "score": score,
                            "phase": phase,
                            "tags": tags,
                        }),
                    };
                    // Together: the program of each line but an event's.
                    if let (Some(program), Some(map)) = (
                        trace.by.and_then(|by| by.get(i).copied().flatten()),
                        value.as_object_mut(),
                    ) {
                        map.insert("program".to_string(), program.into());
                    }
                    value
                })
                .collect();
            match trace.by {
                Some(_) => serde_json::json!({
                    "customer": trace.customer,
                    "together": trace.program.split(", ").collect::<Vec<_>>(),
                    "journey": journey,
                }),
                None => serde_json::json!({
                    "customer": trace.customer,
                    "program": trace.program,
                    "journey": journey,
                }),
            }
        })
        .collect();
    let value = serde_json::json!({ "traces": items });
    match serde_json::to_string_pretty(&value) {
        Ok(mut text) => {
            text.push('\n');
            text
        }
        Err(error) => format!("{{\"error\": {:?}}}\n", error.to_string()),
    }
}
