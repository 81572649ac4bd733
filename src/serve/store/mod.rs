//! Stage serve, store: where `nurture serve` keeps customers, journeys,
//! events and the outbox, behind one trait with two backends — SQLite,
//! embedded (`sqlite/`), and PostgreSQL, shared by several processes
//! (`postgres/`). Each backend keeps all its SQL in one file
//! (`sqlite/sql.rs`, `postgres/sql.rs`).
//!
//! The store decides nothing about a customer. A unit of work names the
//! customers it needs ([`Ask`]); the store locks and loads them, hands them
//! to the caller (`serve/engine.rs`, which moves them with `run::track`),
//! and writes back what the caller changed, in one transaction. Every table
//! but `plans` and `meta` is keyed by customer id first, so the schema can
//! be distributed by that column.

use crate::run::{Customer, Journey, Seconds};
use std::collections::{BTreeMap, HashSet};
use std::fmt;

pub mod postgres;
pub mod sqlite;

/// The layout of the tables; a store written by a newer layout is refused.
pub const LAYOUT: i64 = 1;

/// A customer as stored: the record the sending system gave (with the
/// times of its last events), and when the customer's programs next need
/// the clock.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomerRow {
    pub id: String,
    pub record: Customer,
    /// The latest moment anything ran for the customer; `None` before the
    /// first.
    pub until: Option<Seconds>,
    /// The earliest `timer` of the customer's journeys: what the due-timer
    /// query looks at.
    pub next_timer: Option<Seconds>,
    /// The sends of every program within the longest of the schema's caps
    /// (when, which channel), stored beside the record in its column.
    pub sends: Vec<(Seconds, String)>,
}

/// The `record` column: the customer's record, and beside it their
/// recent sends across programs. A row written before the sends were kept
/// reads as none.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct StoredRecord {
    #[serde(flatten)]
    pub record: Customer,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recent_sends: Vec<(Seconds, String)>,
}

impl CustomerRow {
    /// The `record` column's text.
    pub fn record_json(&self) -> String {
        serde_json::to_string(&StoredRecordRef {
            record: &self.record,
            recent_sends: &self.sends,
        })
        .unwrap_or_default()
    }
}

/// The `journey` column's text.
pub fn journey_json(journey: &Journey) -> String {
    // A journey is plain data with string keys.
    serde_json::to_string(journey).unwrap_or_else(|_| "null".into())
}

#[derive(serde::Serialize)]
struct StoredRecordRef<'a> {
    #[serde(flatten)]
    record: &'a Customer,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    recent_sends: &'a [(Seconds, String)],
}

/// A customer's journey in one program. A customer with no row for a
/// deployed program is out of it with nothing due and sees the record as
/// it is: the row is written only once there is something to remember.
#[derive(Clone, Debug, PartialEq)]
pub struct JourneyRow {
    pub program: String,
    /// The plan digest the journey runs on.
    pub version: String,
    /// The customer has yet to get their first look from this version
    /// (a new customer before the manual clock is set, a program or version
    /// deployed after the customer arrived): at `timer`, or when the clock
    /// is first set if `timer` is `None`.
    pub start: bool,
    pub journey: Journey,
    /// The record as this program sees it, when its own actions (tags,
    /// score, `set`, phase) made it differ from the customer's record.
    pub view: Option<Customer>,
    pub until: Seconds,
    /// The next tick (or the pending start).
    pub timer: Option<Seconds>,
}

/// One accepted event, kept for its id (duplicates) and for the record.
#[derive(Clone, Debug, PartialEq)]
pub struct EventRow {
    pub customer: String,
    pub id: String,
    pub at: Seconds,
    pub name: String,
    /// The event as JSON (the form `nurture replay` reads).
    pub body: String,
    pub received_at: Seconds,
    pub late: bool,
}

/// One action waiting for delivery, or delivered, or given up on.
#[derive(Clone, Debug, PartialEq)]
pub struct OutboxRow {
    /// The order actions were written in; the store gives it.
    pub seq: i64,
    pub customer: String,
    pub key: String,
    pub program: String,
    pub version: String,
    pub at: Seconds,
    pub kind: String,
    /// The action as the JSON line `nurture replay` prints.
    pub body: String,
    pub state: DeliveryState,
    pub tries: i64,
    pub next_try: Seconds,
    pub error: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeliveryState {
    Pending,
    Delivered,
    /// Given up on after the last try.
    Dead,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Dead => "dead",
        }
    }

    pub fn parse(text: &str) -> DeliveryState {
        match text {
            "delivered" => DeliveryState::Delivered,
            "dead" => DeliveryState::Dead,
            _ => DeliveryState::Pending,
        }
    }
}

/// What became of one delivery attempt.
#[derive(Clone, Debug, PartialEq)]
pub struct Attempt {
    pub customer: String,
    pub key: String,
    pub state: DeliveryState,
    pub tries: i64,
    pub next_try: Seconds,
    pub error: Option<String>,
}

/// Which customers a unit of work needs.
#[derive(Clone, Debug)]
pub enum Ask {
    /// These customers (loaded if they exist; all are locked), and which of
    /// these (customer, event id) pairs are already stored.
    Customers {
        ids: Vec<String>,
        events: Vec<(String, String)>,
    },
    /// Up to `limit` customers with a timer at or before `up_to`, earliest
    /// first, skipping customers another process is working on.
    Due { up_to: Seconds, limit: usize },
}

/// A customer as loaded for a unit of work.
#[derive(Clone, Debug, PartialEq)]
pub struct Loaded {
    pub row: CustomerRow,
    pub journeys: Vec<JourneyRow>,
}

/// What a unit of work sees and what it writes back.
#[derive(Debug, Default)]
pub struct Batch {
    /// The customers asked for that exist, by id.
    pub customers: BTreeMap<String, Loaded>,
    /// Of the events asked about, those already stored.
    pub known_events: HashSet<(String, String)>,
    /// For [`Ask::Due`]: the moment the batch's customers are caught up
    /// to, `up_to`. Each customer loaded fires every tick due up to it at
    /// once (rather than up to the last customer's timer, which loaded a
    /// customer with two ticks due once per tick: 164,000 loads for
    /// 100,000 customers in `benches/serve.rs -- timers`); customers keep
    /// their own order, and the earliest due are taken first.
    pub horizon: Seconds,
    pub write: Writes,
}

/// The changes of a unit of work.
#[derive(Debug, Default)]
pub struct Writes {
    /// Customers inserted or replaced.
    pub customers: Vec<CustomerRow>,
    /// Journeys inserted or replaced, by customer.
    pub journeys: Vec<(String, JourneyRow)>,
    /// Journeys (customer, program) no longer worth a row.
    pub forget: Vec<(String, String)>,
    pub events: Vec<EventRow>,
    /// Actions for the outbox (`seq` is ignored: the store numbers them).
    pub outbox: Vec<OutboxRow>,
    /// What `serve --migrate` did with running journeys (kept once per
    /// journey and version moved to).
    pub migrations: Vec<MigrationRow>,
    /// The `record` column of `customers[i]`, made where the row was made
    /// ([`Writes::put_customer`]: on the threads that work a due batch, so
    /// the thread that owns the connection only writes); `None`, or
    /// missing, for a row pushed without it, made when written.
    pub record_texts: Vec<Option<String>>,
    /// The `journey` column of `journeys[i]`, the same way.
    pub journey_texts: Vec<Option<String>>,
}

impl Writes {
    /// Adds a customer row with its `record` column's text.
    pub fn put_customer(&mut self, row: CustomerRow) {
        self.pad();
        self.record_texts.push(Some(row.record_json()));
        self.customers.push(row);
    }

    /// Adds a journey row with its `journey` column's text.
    pub fn put_journey(&mut self, customer: String, row: JourneyRow) {
        self.pad();
        self.journey_texts.push(Some(journey_json(&row.journey)));
        self.journeys.push((customer, row));
    }

    /// The `record` column of `customers[i]`.
    pub fn record_text(&self, i: usize) -> std::borrow::Cow<'_, str> {
        match self.record_texts.get(i) {
            Some(Some(text)) => std::borrow::Cow::Borrowed(text),
            _ => std::borrow::Cow::Owned(
                self.customers
                    .get(i)
                    .map(CustomerRow::record_json)
                    .unwrap_or_default(),
            ),
        }
    }

    /// The `journey` column of `journeys[i]`.
    pub fn journey_text(&self, i: usize) -> std::borrow::Cow<'_, str> {
        match self.journey_texts.get(i) {
            Some(Some(text)) => std::borrow::Cow::Borrowed(text),
            _ => std::borrow::Cow::Owned(
                self.journeys
                    .get(i)
                    .map(|(_, row)| journey_json(&row.journey))
                    .unwrap_or_default(),
            ),
        }
    }

    /// The texts lined up with their rows (rows pushed without one get
    /// `None`).
    fn pad(&mut self) {
        self.record_texts.resize(self.customers.len(), None);
        self.journey_texts.resize(self.journeys.len(), None);
    }

    /// `other`'s changes after these.
    pub fn append(&mut self, mut other: Writes) {
        self.pad();
        other.pad();
        self.record_texts.append(&mut other.record_texts);
        self.journey_texts.append(&mut other.journey_texts);
        self.customers.append(&mut other.customers);
        self.journeys.append(&mut other.journeys);
        self.forget.append(&mut other.forget);
        self.events.append(&mut other.events);
        self.outbox.append(&mut other.outbox);
        self.migrations.append(&mut other.migrations);
    }
}

/// What `nurture serve --migrate` did with one running journey on a
/// redeploy: moved it along the migration map, or left it on its version.
#[derive(Clone, Debug, PartialEq)]
pub struct MigrationRow {
    pub customer: String,
    pub program: String,
    pub from_version: String,
    /// The version deployed.
    pub to_version: String,
    pub at: Seconds,
    pub moved: bool,
    /// The details as JSON (`serve/migrate.rs`: the places, the reason).
    pub body: String,
}

/// A plan version as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredPlan {
    pub program: String,
    pub version: String,
    pub plan: String,
    pub deployed_at: Seconds,
}

/// Counts for `GET /v1/programs` and `/metrics`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Counts {
    /// Journeys by (program, version, status, node): only rows, so `out`
    /// counts only customers with something due.
    pub journeys: Vec<(String, String, String, i64, i64)>,
    /// Outbox rows by state.
    pub outbox: Vec<(String, i64)>,
    /// Customers with a timer at or before the moment asked about.
    pub timers_due: i64,
    pub customers: i64,
}

/// A customer as `GET /v1/customers/{id}` shows them.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomerView {
    pub loaded: Loaded,
    pub outbox: Vec<OutboxRow>,
    /// Oldest first.
    pub migrations: Vec<MigrationRow>,
}

/// A store failure: the message, and whether trying the same work again
/// may succeed (a deadlock, a lost connection, a busy database).
#[derive(Clone, Debug, PartialEq)]
pub struct StoreError {
    pub message: String,
    pub retry: bool,
}

impl StoreError {
    pub fn new(message: impl Into<String>) -> Self {
        StoreError {
            message: message.into(),
            retry: false,
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// Everything `nurture serve` asks of a store. Each connection is used by
/// one thread; open one per thread with [`open`].
pub trait Store: Send {
    /// Records a deployed plan version (kept if already there) and makes
    /// it the program's current version. When it was not current before,
    /// every customer not running on the program gets a first look from
    /// it at `at`, or when the manual clock is set if `at` is `None`
    /// (`JourneyRow::start`); whether it was new.
    fn deploy(&mut self, plan: &StoredPlan, at: Option<Seconds>) -> Result<bool>;

    /// Every plan version ever deployed.
    fn plans(&mut self) -> Result<Vec<StoredPlan>>;

    /// The customers running on `program` on a version other than
    /// `version`, in id order (`serve --migrate`).
    fn running_elsewhere(&mut self, program: &str, version: &str) -> Result<Vec<String>>;

    /// A value kept across restarts (the manual clock).
    fn meta(&mut self, name: &str) -> Result<Option<String>>;
    fn set_meta(&mut self, name: &str, value: &str) -> Result<()>;

    /// One unit of work in one transaction: loads (and locks) what `ask`
    /// names, calls `work`, writes `batch.write` and commits. `work`
    /// returning an error rolls everything back. Returns how many customers
    /// were loaded and the batch's horizon.
    fn work(
        &mut self,
        ask: &Ask,
        work: &mut dyn FnMut(&mut Batch) -> std::result::Result<(), String>,
    ) -> Result<(usize, Seconds)>;

    /// Journeys waiting for the manual clock to be set get their first look
    /// at `at`; how many.
    fn schedule_starts(&mut self, at: Seconds) -> Result<usize>;

    /// Up to `limit` pending actions due for a try at `now`, in outbox
    /// order, claimed for `deliver` (another process skips them until the
    /// outcome is written), then the outcomes it returns.
    fn deliver(
        &mut self,
        now: Seconds,
        limit: usize,
        deliver: &mut dyn FnMut(&[OutboxRow]) -> Vec<Attempt>,
    ) -> Result<usize>;

    /// Housekeeping, called now and then off the engine's threads (SQLite:
    /// a checkpoint of the write-ahead log).
    fn maintain(&mut self) -> Result<()> {
        Ok(())
    }

    /// The earliest `next_try` of a pending action, if any.
    fn next_delivery(&mut self) -> Result<Option<Seconds>>;

    /// The earliest timer of any customer, if any.
    fn next_timer(&mut self) -> Result<Option<Seconds>>;

    fn customer(&mut self, id: &str) -> Result<Option<CustomerView>>;

    fn counts(&mut self, now: Seconds) -> Result<Counts>;
}

/// Where a store is: `sqlite:PATH` or `postgres://…` (also
/// `postgresql://…`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    Sqlite(std::path::PathBuf),
    Postgres(String),
}

impl Location {
    pub fn parse(text: &str) -> std::result::Result<Location, String> {
        if let Some(path) = text.strip_prefix("sqlite:") {
            let path = path.strip_prefix("//").unwrap_or(path);
            if path.is_empty() {
                return Err("`sqlite:` needs a file, like `sqlite:nurture.db`".into());
            }
            return Ok(Location::Sqlite(path.into()));
        }
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return Ok(Location::Postgres(text.to_string()));
        }
        Err(format!(
            "`{text}` is not a store: write `sqlite:PATH` or `postgres://USER@HOST:PORT/DATABASE`"
        ))
    }

    /// The location without a password, for messages.
    pub fn shown(&self) -> String {
        match self {
            Location::Sqlite(path) => format!("sqlite:{}", path.display()),
            Location::Postgres(url) => match (url.find("://"), url.rfind('@')) {
                (Some(scheme), Some(at)) if at > scheme => {
                    let user = &url[scheme + 3..at];
                    let user = user.split(':').next().unwrap_or("");
                    format!("{}{user}@{}", &url[..scheme + 3], &url[at + 1..])
                }
                _ => url.clone(),
            },
        }
    }
}

/// Opens a connection to the store, creating its tables when missing.
pub fn open(location: &Location) -> Result<Box<dyn Store>> {
    match location {
        Location::Sqlite(path) => Ok(Box::new(sqlite::Sqlite::open(path)?)),
        Location::Postgres(url) => Ok(Box::new(postgres::Postgres::open(url)?)),
    }
}
