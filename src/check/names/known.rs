//! The schema as lookup tables, and the types a check reasons with.
//!
//! When a name is declared twice (N201), the first declaration counts.

use crate::span::Name;
use crate::syntax::ast::{
    ClauseKind, DataRef, DataSource, Program, Schema, Trigger, TriggerKind, ValueType,
};
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
    /// The type of each property that every event trigger of the program
    /// carries with one type: what `trigger.PROPERTY` is ([`Known::read_triggers`]).
    pub trigger: BTreeMap<&'s str, &'s ValueType>,
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
            trigger: BTreeMap::new(),
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
            trigger: BTreeMap::new(),
        }
    }

    /// Learns what `trigger.PROPERTY` is in `program`: the properties every
    /// event trigger's event carries, each with its one type. Events the
    /// schema lacks (N204) and a program without event triggers (N220)
    /// leave nothing typed.
    pub fn read_triggers(&mut self, program: &Program) {
        let mut common: Option<BTreeMap<&'s str, &'s ValueType>> = None;
        for event in event_triggers(program) {
            let Some(properties) = self.events.get(event.as_str()) else {
                return;
            };
            common = Some(match common {
                None => properties.clone(),
                Some(before) => before
                    .into_iter()
                    .filter(|(name, ty)| properties.get(name).is_some_and(|t| same_type(t, ty)))
                    .collect(),
            });
        }
        self.trigger = common.unwrap_or_default();
    }

    /// What `trigger.PROPERTY` or `answer.PROPERTY` is in a condition:
    /// typed when every event trigger carries it with one type; anything
    /// else is told by `data.rs`.
    pub fn data_type(&self, data: &DataRef) -> super::conditions::Meaning<'s> {
        use super::conditions::Meaning;
        match (data.source, self.trigger.get(data.property.as_str())) {
            (DataSource::Trigger, Some(ty)) => Meaning::Typed(Ty::of(ty)),
            _ => Meaning::Unchecked,
        }
    }
}

/// Whether two declared types hold the same values (spans aside; the
/// choices of an enumeration in any order).
pub(super) fn same_type(a: &ValueType, b: &ValueType) -> bool {
    match (a, b) {
        (ValueType::Enum(a), ValueType::Enum(b)) => {
            fn words(list: &[Name]) -> BTreeSet<&str> {
                list.iter().map(|n| n.as_str()).collect()
            }
            words(a) == words(b)
        }
        (ValueType::Enum(_), _) | (_, ValueType::Enum(_)) => false,
        _ => a == b,
    }
}

/// The events of the program's `trigger event` clauses, in order.
pub(super) fn event_triggers(program: &Program) -> Vec<&Name> {
    program
        .clauses
        .iter()
        .filter_map(|c| match &c.kind {
            ClauseKind::Trigger(Trigger {
                kind: TriggerKind::Event { event, .. },
                ..
            }) => Some(event),
            _ => None,
        })
        .collect()
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
