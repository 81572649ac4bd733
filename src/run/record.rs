//! What the interpreter reads and writes of a customer and an event.
//!
//! The interpreter is generic over these two traits so that `nurture
//! replay` can hand it the plain [`Customer`] and [`Event`] read from files,
//! while the simulator hands it a compact record built for speed. Both go
//! through the same interpreter, so they cannot disagree on what a program
//! does.

use super::{Customer, Datum, Event, Seconds};
use crate::plan::Value;
use jiff::tz::TimeZone;

/// One value, borrowed from a record, an event or the plan: reading a
/// condition never copies a text.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DatumRef<'a> {
    Bool(bool),
    Number(f64),
    Text(&'a str),
    List(&'a [String]),
    Time(Seconds),
}

impl Datum {
    pub fn as_ref(&self) -> DatumRef<'_> {
        match self {
            Datum::Bool(b) => DatumRef::Bool(*b),
            Datum::Number(n) => DatumRef::Number(*n),
            Datum::Text(t) => DatumRef::Text(t),
            Datum::List(items) => DatumRef::List(items),
            Datum::Time(at) => DatumRef::Time(*at),
        }
    }
}

impl DatumRef<'_> {
    pub fn to_owned(self) -> Datum {
        match self {
            DatumRef::Bool(b) => Datum::Bool(b),
            DatumRef::Number(n) => Datum::Number(n),
            DatumRef::Text(t) => Datum::Text(t.to_string()),
            DatumRef::List(items) => Datum::List(items.to_vec()),
            DatumRef::Time(at) => Datum::Time(at),
        }
    }
}

/// A plan's literal as the value it stands for.
pub fn value_ref(value: &Value) -> DatumRef<'_> {
    match value {
        Value::Text(text) | Value::Word(text) => DatumRef::Text(text),
        Value::Number(n) => DatumRef::Number(*n),
        Value::Bool(b) => DatumRef::Bool(*b),
        Value::Duration(minutes) => DatumRef::Number(*minutes as f64),
        Value::Percent(hundredths) => DatumRef::Number(f64::from(*hundredths) / 100.0),
    }
}

/// A customer's record, as far as a plan reads and writes it.
pub trait Record {
    fn id(&self) -> &str;
    /// For quiet hours; UTC when the record names none or an unknown one.
    fn time_zone(&self) -> TimeZone;
    /// The customer's offset from UTC at `at`, in seconds: what quiet hours
    /// ask at every send. A record that keeps its zone may answer from a
    /// cache.
    fn utc_offset(&self, at: Seconds) -> i32 {
        match jiff::Timestamp::from_second(at) {
            Ok(time) => self.time_zone().to_offset(time).seconds(),
            Err(_) => 0,
        }
    }
    fn consents_to(&self, channel: &str) -> bool;
    fn has_tag(&self, tag: &str) -> bool;
    fn set_tag(&mut self, tag: &str, on: bool);
    fn score(&self) -> i64;
    fn set_score(&mut self, score: i64);
    fn phase(&self) -> Option<&str>;
    fn set_phase(&mut self, phase: &str);
    /// An attribute by its (possibly dotted) name.
    fn attribute(&self, name: &str) -> Option<DatumRef<'_>>;
    fn set_attribute(&mut self, name: &str, value: DatumRef<'_>);
    /// When the customer last did `event`, for inactivity triggers.
    fn last_event_at(&self, event: &str) -> Option<Seconds>;
}

/// An event, as far as a plan reads it.
pub trait EventRecord {
    fn name(&self) -> &str;
    fn property(&self, name: &str) -> Option<DatumRef<'_>>;
}

impl Record for Customer {
    fn id(&self) -> &str {
        &self.id
    }

    fn time_zone(&self) -> TimeZone {
        self.time_zone
            .as_deref()
            .and_then(|name| TimeZone::get(name).ok())
            .unwrap_or(TimeZone::UTC)
    }

    fn consents_to(&self, channel: &str) -> bool {
        self.consents.contains(channel)
    }

    fn has_tag(&self, tag: &str) -> bool {
        self.tags.contains(tag)
    }

    fn set_tag(&mut self, tag: &str, on: bool) {
        if on {
            self.tags.insert(tag.to_string());
        } else {
            self.tags.remove(tag);
        }
    }

    fn score(&self) -> i64 {
        self.score
    }

    fn set_score(&mut self, score: i64) {
        self.score = score;
    }

    fn phase(&self) -> Option<&str> {
        self.phase.as_deref()
    }

    fn set_phase(&mut self, phase: &str) {
        self.phase = Some(phase.to_string());
    }

    fn attribute(&self, name: &str) -> Option<DatumRef<'_>> {
        self.attributes.get(name).map(Datum::as_ref)
    }

    fn set_attribute(&mut self, name: &str, value: DatumRef<'_>) {
        self.attributes.insert(name.to_string(), value.to_owned());
    }

    fn last_event_at(&self, event: &str) -> Option<Seconds> {
        self.last_event_at.get(event).copied()
    }
}

impl EventRecord for Event {
    fn name(&self) -> &str {
        &self.name
    }

    fn property(&self, name: &str) -> Option<DatumRef<'_>> {
        self.properties.get(name).map(Datum::as_ref)
    }
}
