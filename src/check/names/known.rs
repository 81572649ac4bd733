//! The schema as lookup tables, and the types a check reasons with.
//!
//! When a name is declared twice (N201), the first declaration counts.

use crate::span::Name;
use crate::syntax::ast::{Schema, ValueType};
use std::collections::{BTreeMap, BTreeSet};

pub(super) struct Known<'s> {
    /// Without a schema: a name it does not declare is not checked (only
    /// the built-in `score` and `phase`, and values written out, are).
    pub open: bool,
    pub attributes: BTreeMap<&'s str, &'s ValueType>,
    /// Each event's properties.
    pub events: BTreeMap<&'s str, BTreeMap<&'s str, &'s ValueType>>,
    pub channels: BTreeSet<&'s str>,
    pub teams: BTreeSet<&'s str>,
    pub segments: BTreeSet<&'s str>,
    pub tags: BTreeSet<&'s str>,
}

impl<'s> Known<'s> {
    /// Nothing declared, nothing reported as unknown: for programs checked
    /// without a schema.
    pub fn open() -> Known<'static> {
        Known {
            open: true,
            attributes: BTreeMap::new(),
            events: BTreeMap::new(),
            channels: BTreeSet::new(),
            teams: BTreeSet::new(),
            segments: BTreeSet::new(),
            tags: BTreeSet::new(),
        }
    }

    pub fn new(schema: &'s Schema) -> Self {
        let mut attributes = BTreeMap::new();
        for attribute in &schema.attributes {
            attributes
                .entry(attribute.name.as_str())
                .or_insert(&attribute.value_type.value);
        }
        let mut events = BTreeMap::new();
        for event in &schema.events {
            events.entry(event.name.as_str()).or_insert_with(|| {
                let mut properties = BTreeMap::new();
                for property in &event.properties {
                    properties
                        .entry(property.name.as_str())
                        .or_insert(&property.value_type.value);
                }
                properties
            });
        }
        let names = |list: &'s [Name]| list.iter().map(|n| n.as_str()).collect();
        Known {
            open: false,
            attributes,
            events,
            channels: schema.channels.iter().map(|c| c.name.as_str()).collect(),
            teams: names(&schema.teams),
            segments: names(&schema.segments),
            tags: names(&schema.tags),
        }
    }
}

/// The type of one side of a comparison or of a value.
#[derive(Clone, Copy, Debug)]
pub(super) enum Ty<'s> {
    Text,
    Number,
    /// A number written with `%`; it compares with numbers.
    Percent,
    Bool,
    Date,
    Duration,
    List,
    Enum(&'s [Name]),
}

impl<'s> Ty<'s> {
    pub fn of(value_type: &'s ValueType) -> Self {
        match value_type {
            ValueType::Text => Ty::Text,
            ValueType::Number => Ty::Number,
            ValueType::Bool => Ty::Bool,
            ValueType::Date => Ty::Date,
            ValueType::Duration => Ty::Duration,
            ValueType::ListOfText => Ty::List,
            ValueType::Enum(choices) => Ty::Enum(choices),
        }
    }

    /// "a number", "yes or no", "one of `gold`, `silver` or `bronze`".
    pub fn describe(self) -> String {
        match self {
            Ty::Text => "a text".into(),
            Ty::Number => "a number".into(),
            Ty::Percent => "a percentage".into(),
            Ty::Bool => "yes or no".into(),
            Ty::Date => "a date".into(),
            Ty::Duration => "a duration".into(),
            Ty::List => "a list of texts".into(),
            Ty::Enum(choices) => format!("one of {}", choice_list(choices, "or")),
        }
    }

    /// Whether two types can be compared with `==` at all.
    pub fn compatible(self, other: Ty) -> bool {
        use Ty::*;
        matches!(
            (self, other),
            (Text, Text)
                | (Number | Percent, Number | Percent)
                | (Bool, Bool)
                | (Date, Date)
                | (Duration, Duration)
                | (Enum(_), Enum(_))
                | (List, Text | List)
                | (Text, List)
        )
    }

    /// Whether `<`, `<=`, `>` and `>=` mean something for the type.
    pub fn ordered(self) -> bool {
        matches!(self, Ty::Number | Ty::Percent | Ty::Date | Ty::Duration)
    }

    /// A value of the type, written as in a program.
    pub fn example(self) -> String {
        match self {
            Ty::Text | Ty::List => "\"…\"".into(),
            Ty::Number => "100".into(),
            Ty::Percent => "10%".into(),
            Ty::Bool => "true".into(),
            Ty::Date => "30d ago".into(),
            Ty::Duration => "3d".into(),
            Ty::Enum(choices) => choices
                .first()
                .map_or_else(String::new, |c| c.as_str().to_string()),
        }
    }
}

/// "`gold`, `silver` or `bronze`" (at most a dozen, then "…").
pub(super) fn choice_list(choices: &[Name], last: &str) -> String {
    let mut words: Vec<String> = choices
        .iter()
        .take(12)
        .map(|c| format!("`{}`", c.as_str()))
        .collect();
    if choices.len() > 12 {
        words.push("…".into());
    }
    match words.split_last() {
        Some((end, rest)) if !rest.is_empty() => format!("{} {last} {end}", rest.join(", ")),
        Some((end, _)) => end.clone(),
        None => String::new(),
    }
}
