//! A model written for another schema, made to fit this one: the bundled
//! behaviour model used with a team's own schema. Whatever the schema does
//! not declare is taken out before reading (channels, segments, events,
//! properties, and the responses that follow a response taken out), and
//! listed, so the simulator says once what it left out instead of refusing
//! the model with a diagnostic per name in a file the user did not write.

use super::{RawModel, RawTable, SEGMENT_EVENTS, datum};
use crate::syntax::ast::{Schema, ValueType};
use indexmap::IndexMap;
use std::collections::BTreeSet;
use toml::Spanned;

/// Takes out of `raw` what `schema` does not declare; returns what was
/// taken out, in words, grouped (`channel `letter``, `event `fair_visit``).
pub(super) fn prune(raw: &mut RawModel, schema: &Schema) -> Vec<String> {
    let mut gone = Gone::default();
    let channel_known = |name: &str| schema.channels.iter().any(|c| c.name.as_str() == name);
    raw.channel.retain(|name, _| {
        let keep = channel_known(name.get_ref());
        if !keep {
            gone.channels.insert(name.get_ref().clone());
        }
        keep
    });
    raw.segment.retain(|name, tables| {
        let keep = schema.segments.iter().any(|s| s.as_str() == name.get_ref());
        if !keep {
            gone.segments.insert(name.get_ref().clone());
        }
        tables.retain(|channel, _| {
            let keep = channel_known(channel.get_ref());
            if !keep {
                gone.channels.insert(channel.get_ref().clone());
            }
            keep
        });
        keep
    });
    for table in raw.channel.values_mut() {
        events(table, schema, &mut gone);
    }
    for table in raw.template.values_mut() {
        events(table, schema, &mut gone);
    }
    for tables in raw.segment.values_mut() {
        for table in tables.values_mut() {
            events(table, schema, &mut gone);
        }
    }
    raw.background.retain_mut(|background| {
        let body = background.get_mut();
        let name = body.event.get_ref().clone();
        if !event_known(schema, &name) {
            gone.events.insert(name);
            return false;
        }
        if let Some(segment) = unknown_segment(schema, &name, &body.properties) {
            gone.segments.insert(segment);
            return false;
        }
        properties(&name, &mut body.properties, schema, &mut gone);
        true
    });
    following(raw, &mut gone);
    gone.words()
}

#[derive(Default)]
struct Gone {
    channels: BTreeSet<String>,
    segments: BTreeSet<String>,
    events: BTreeSet<String>,
    properties: BTreeSet<String>,
    following: BTreeSet<String>,
}

impl Gone {
    fn words(self) -> Vec<String> {
        let mut out = Vec::new();
        let mut group = |one: &str, many: &str, names: BTreeSet<String>| {
            if names.is_empty() {
                return;
            }
            let listed: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
            let word = if names.len() == 1 { one } else { many };
            out.push(format!("{word} {}", listed.join(", ")));
        };
        group("channel", "channels", self.channels);
        group("segment", "segments", self.segments);
        group("event", "events", self.events);
        group("property", "properties", self.properties);
        group(
            "the response that follows one left out:",
            "the responses that follow ones left out:",
            self.following,
        );
        out
    }
}

fn event_known(schema: &Schema, name: &str) -> bool {
    SEGMENT_EVENTS.contains(&name) || schema.events.iter().any(|e| e.name.as_str() == name)
}

/// The segment a segment event names, when the schema does not declare it.
fn unknown_segment(
    schema: &Schema,
    event: &str,
    properties: &IndexMap<Spanned<String>, Spanned<toml::Value>>,
) -> Option<String> {
    if !SEGMENT_EVENTS.contains(&event) {
        return None;
    }
    let segment = properties
        .iter()
        .find(|(k, _)| k.get_ref() == "segment")
        .and_then(|(_, v)| v.get_ref().as_str())?;
    (!schema.segments.iter().any(|s| s.as_str() == segment)).then(|| segment.to_string())
}

fn events(table: &mut RawTable, schema: &Schema, gone: &mut Gone) {
    table.retain(|event, response| {
        let name = event.get_ref().clone();
        if !event_known(schema, &name) {
            gone.events.insert(name);
            return false;
        }
        if let Some(segment) = unknown_segment(schema, &name, &response.get_ref().properties) {
            gone.segments.insert(segment);
            return false;
        }
        properties(&name, &mut response.get_mut().properties, schema, gone);
        true
    });
}

/// Keeps the properties the schema declares for `event`, of its type.
fn properties(
    event: &str,
    properties: &mut IndexMap<Spanned<String>, Spanned<toml::Value>>,
    schema: &Schema,
    gone: &mut Gone,
) {
    let declared: Vec<(String, ValueType)> = if SEGMENT_EVENTS.contains(&event) {
        vec![("segment".to_string(), ValueType::Text)]
    } else {
        schema
            .events
            .iter()
            .find(|e| e.name.as_str() == event)
            .map(|e| {
                e.properties
                    .iter()
                    .map(|p| (p.name.as_str().to_string(), p.value_type.value.clone()))
                    .collect()
            })
            .unwrap_or_default()
    };
    properties.retain(|name, value| {
        let fits = declared
            .iter()
            .find(|(n, _)| n == name.get_ref())
            .is_some_and(|(_, value_type)| datum(value.get_ref(), Some(value_type)).is_ok());
        if !fits {
            gone.properties
                .insert(format!("{event}.{}", name.get_ref()));
        }
        fits
    });
}

/// Takes out responses whose `given` names a response no longer there,
/// until none is left.
fn following(raw: &mut RawModel, gone: &mut Gone) {
    loop {
        let channel_events: BTreeSet<String> = raw
            .channel
            .values()
            .chain(raw.segment.values().flat_map(|tables| tables.values()))
            .flat_map(|t| t.keys().map(|k| k.get_ref().clone()))
            .collect();
        let mut changed = false;
        let mut sweep = |table: &mut RawTable, beneath: &BTreeSet<String>, place: String| {
            let own: BTreeSet<String> = table.keys().map(|k| k.get_ref().clone()).collect();
            table.retain(|event, response| {
                let Some(given) = &response.get_ref().given else {
                    return true;
                };
                let keep = own.contains(given.get_ref()) || beneath.contains(given.get_ref());
                if !keep {
                    gone.following
                        .insert(format!("`{}` of {place}", event.get_ref()));
                    changed = true;
                }
                keep
            });
        };
        for (name, table) in raw.channel.iter_mut() {
            sweep(
                table,
                &BTreeSet::new(),
                format!("channel {}", name.get_ref()),
            );
        }
        for (name, table) in raw.template.iter_mut() {
            sweep(
                table,
                &channel_events,
                format!("template {}", name.get_ref()),
            );
        }
        for (segment, tables) in raw.segment.iter_mut() {
            for (channel, table) in tables.iter_mut() {
                let beneath: BTreeSet<String> = raw
                    .channel
                    .get(channel.get_ref().as_str())
                    .map(|t| t.keys().map(|k| k.get_ref().clone()).collect())
                    .unwrap_or_default();
                sweep(
                    table,
                    &beneath,
                    format!("segment {} on {}", segment.get_ref(), channel.get_ref()),
                );
            }
        }
        if !changed {
            return;
        }
    }
}
