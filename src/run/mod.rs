//! Stage 4: running a plan, one customer at a time.
//!
//! The interpreter (`interpret/`) is a pure function: given a plan, a
//! customer's record, their journey state, the time and what happened (an
//! event, or the clock reaching a due timer), it returns the new state and
//! the actions to carry out. It never blocks, never sleeps and has no clock
//! of its own. `journey.rs` is the state it keeps per customer and program.
//! `input/` reads customers and events from files for `nurture replay`;
//! `track.rs` orders one customer's ticks and events on a timeline, and
//! `portfolio.rs` does it for one customer in several programs sharing
//! their record (the schema's caps across them), for replay and `nurture
//! serve` alike; `migrate.rs` moves a running journey
//! onto a newer version of its program.

pub mod compact;
pub mod input;
pub mod interpret;
pub mod journey;
pub mod migrate;
pub mod portfolio;
pub mod record;
pub mod replay;
pub mod track;

pub use interpret::{
    Action, ActionKind, ActionRef, EntryCheck, Gate, Input, Journey, KindRef, Sink, Status,
    Step as Transition, advance, advance_on_change, advance_on_change_with, advance_with, is_goal,
    may_act, next_entry_check, starts_on_change, step,
};
pub use record::{DatumRef, EventRecord, Record};

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A moment, in whole seconds since 1970-01-01T00:00:00Z.
pub type Seconds = i64;

/// What the sending system knows of a customer: the record the plan's
/// conditions read and its actions write.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Customer {
    pub id: String,
    /// An IANA time zone like `Europe/Berlin`, for quiet hours; UTC if none.
    #[serde(default)]
    pub time_zone: Option<String>,
    /// Channels the customer has agreed to.
    #[serde(default)]
    pub consents: BTreeSet<String>,
    #[serde(default)]
    pub tags: BTreeSet<String>,
    #[serde(default)]
    pub segments: BTreeSet<String>,
    #[serde(default)]
    pub score: i64,
    #[serde(default)]
    pub phase: Option<String>,
    /// Everything else, by (possibly dotted) name.
    #[serde(default)]
    pub attributes: BTreeMap<String, Datum>,
    /// When the customer last did each kind of event, for inactivity
    /// triggers (`no purchase for 180d`).
    #[serde(default)]
    pub last_event_at: BTreeMap<String, Seconds>,
}

/// One value in a customer record or an event. (Files say `"gold"`, `42`,
/// `true`, `["a", "b"]` or an RFC 3339 time; `input/` reads them into
/// these, and the tagged form here keeps a time a time when state is
/// stored.)
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Datum {
    Bool(bool),
    Number(f64),
    Text(String),
    List(Vec<String>),
    /// A moment; written in files as RFC 3339 text, kept as seconds.
    Time(Seconds),
}

/// Something a customer did, or that happened to them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// The sender's id for the event, if it gave one: an id the customer
    /// already had an event with is a duplicate and is dropped (`nurture
    /// replay` counts them; `nurture serve` requires an id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub at: Seconds,
    pub customer: String,
    /// The event's name, like `purchase`; `segment_entered` and
    /// `segment_left` carry the segment in the property `segment`.
    pub name: String,
    #[serde(default)]
    pub properties: BTreeMap<String, Datum>,
}
