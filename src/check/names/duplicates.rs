//! The schema's own structure: every name declared once (N201). Attributes,
//! events, channels, teams, segments and tags each have their own names, so
//! a tag may share a name with a segment.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::span::Name;
use crate::syntax::ast::{AttributeDecl, Schema, ValueType};
use std::collections::BTreeMap;

pub(super) fn check(schema: &Schema) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    let attributes: Vec<&Name> = schema.attributes.iter().map(|a| &a.name).collect();
    twice(
        &attributes,
        |n| format!("attribute `{n}` is declared twice"),
        "declare each attribute once, with one type",
        &mut found,
    );
    choices(&schema.attributes, &mut found);
    let events: Vec<&Name> = schema.events.iter().map(|e| &e.name).collect();
    twice(
        &events,
        |n| format!("event `{n}` is declared twice"),
        "declare each event once, with all its properties: `event NAME { … }`",
        &mut found,
    );
    for event in &schema.events {
        let properties: Vec<&Name> = event.properties.iter().map(|p| &p.name).collect();
        let event_name = event.name.as_str();
        twice(
            &properties,
            |n| format!("event `{event_name}` has the property `{n}` twice"),
            "give each property once, with one type",
            &mut found,
        );
        choices(&event.properties, &mut found);
    }
    let channels: Vec<&Name> = schema.channels.iter().map(|c| &c.name).collect();
    twice(
        &channels,
        |n| format!("channel `{n}` is declared twice"),
        "declare each channel once; add `needs no consent` to that one if it needs no opt-in",
        &mut found,
    );
    for (list, what) in [
        (&schema.teams, "team"),
        (&schema.segments, "segment"),
        (&schema.tags, "tag"),
    ] {
        let names: Vec<&Name> = list.iter().collect();
        twice(
            &names,
            |n| format!("{what} `{n}` is declared twice"),
            &format!("list each {what} once"),
            &mut found,
        );
    }
    found
}

/// Reports every name after the first of the same spelling.
fn twice(
    names: &[&Name],
    message: impl Fn(&str) -> String,
    help: &str,
    found: &mut Vec<Diagnostic>,
) {
    let mut seen: BTreeMap<&str, &Name> = BTreeMap::new();
    for name in names {
        if name.as_str().is_empty() {
            continue;
        }
        match seen.get(name.as_str()) {
            Some(first) => found.push(
                Diagnostic::new(Code::DuplicateSchemaEntry, message(name.as_str()))
                    .label(name.span, "declared again here")
                    .label(first.span, "first declared here")
                    .help(help),
            ),
            None => {
                seen.insert(name.as_str(), name);
            }
        }
    }
}

/// A fixed choice listed twice in one type: `gold | silver | gold`.
fn choices(declarations: &[AttributeDecl], found: &mut Vec<Diagnostic>) {
    for declaration in declarations {
        if let ValueType::Enum(choices) = &declaration.value_type.value {
            let names: Vec<&Name> = choices.iter().collect();
            let attribute = declaration.name.as_str();
            twice(
                &names,
                |n| format!("`{n}` is listed twice in `{attribute}`"),
                "list each choice once",
                found,
            );
        }
    }
}
