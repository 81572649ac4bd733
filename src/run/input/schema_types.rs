//! Stage 4, input: the schema looked up by name, for the declared type of
//! each attribute and event property.

use crate::syntax::ast::Schema;
use crate::syntax::ast::ValueType;
use std::collections::BTreeMap;
use std::collections::BTreeSet;

/// The customer fields that hold names the schema declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Named {
    Consents,
    Tags,
    Segments,
}

/// Built-in events that carry the segment in the property `segment`.
pub(super) const SEGMENT_EVENTS: [&str; 2] = ["segment_entered", "segment_left"];

/// The schema by name. The first declaration of a name wins; the schema's
/// own check reports the repeat.
pub struct Types<'s> {
    pub(super) attributes: BTreeMap<&'s str, &'s ValueType>,
    pub(super) events: BTreeMap<&'s str, BTreeMap<&'s str, &'s ValueType>>,
    pub(super) segments: BTreeSet<&'s str>,
    pub(super) channels: BTreeSet<&'s str>,
    pub(super) tags: BTreeSet<&'s str>,
}

impl<'s> Types<'s> {
    pub fn new(schema: &'s Schema) -> Self {
        let mut attributes = BTreeMap::new();
        for decl in &schema.attributes {
            attributes
                .entry(decl.name.as_str())
                .or_insert(&decl.value_type.value);
        }
        let mut events = BTreeMap::new();
        for decl in &schema.events {
            events.entry(decl.name.as_str()).or_insert_with(|| {
                let mut properties = BTreeMap::new();
                for property in &decl.properties {
                    properties
                        .entry(property.name.as_str())
                        .or_insert(&property.value_type.value);
                }
                properties
            });
        }
        Types {
            attributes,
            events,
            segments: schema.segments.iter().map(|name| name.as_str()).collect(),
            channels: schema.channels.iter().map(|c| c.name.as_str()).collect(),
            tags: schema.tags.iter().map(|name| name.as_str()).collect(),
        }
    }

    /// The declared names a `consents`, `tags` or `segments` field is
    /// checked against.
    pub(super) fn names_of(&self, field: Named) -> &BTreeSet<&'s str> {
        match field {
            Named::Consents => &self.channels,
            Named::Tags => &self.tags,
            Named::Segments => &self.segments,
        }
    }

    pub(super) fn knows_event(&self, event: &str) -> bool {
        self.events.contains_key(event) || SEGMENT_EVENTS.contains(&event)
    }
}
