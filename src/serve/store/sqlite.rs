//! Stage serve, store: the embedded backend, SQLite compiled in. Every
//! table and every statement is in this file.
//!
//! One process owns the file (SQLite's own lock); its threads each open a
//! connection. The journal is a write-ahead log with `synchronous = FULL`:
//! a commit is on disk when it returns, so an acknowledged batch survives
//! `kill -9` and a power cut. Writers take the lock at `BEGIN IMMEDIATE`,
//! so a unit of work never fails half-way for a lock; others wait up to
//! `busy_timeout`.

use super::{
    Ask, Attempt, Batch, Counts, CustomerRow, CustomerView, DeliveryState, JourneyRow, LAYOUT,
    Loaded, MigrationRow, OutboxRow, Result, Store, StoreError, StoredPlan,
};
use crate::run::{Customer, Journey, Seconds};
use rusqlite::{Connection, OptionalExtension, Row, params};
use std::path::Path;

/// The tables. Rows holding JSON are a few hundred bytes, too large for
/// `WITHOUT ROWID` tables (which split pages often for rows past a
/// twentieth of a page), so those are plain tables with their key as a
/// unique index.
const TABLES: &str = "
CREATE TABLE IF NOT EXISTS meta (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Every plan version ever deployed: running journeys stay on theirs.
CREATE TABLE IF NOT EXISTS plans (
    program     TEXT NOT NULL,
    version     TEXT NOT NULL,          -- the plan's digest
    plan        TEXT NOT NULL,          -- the plan as JSON
    deployed_at INTEGER NOT NULL,
    PRIMARY KEY (program, version)
) WITHOUT ROWID;

-- The version new entries use.
CREATE TABLE IF NOT EXISTS programs (
    program     TEXT PRIMARY KEY,
    version     TEXT NOT NULL,
    deployed_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS customers (
    customer   TEXT PRIMARY KEY,
    record     TEXT NOT NULL,           -- run::Customer as JSON
    ran_until  INTEGER,                 -- the latest moment run for them
    next_timer INTEGER                  -- the earliest timer of their journeys
);
CREATE INDEX IF NOT EXISTS customers_due ON customers (next_timer, customer)
    WHERE next_timer IS NOT NULL;

CREATE TABLE IF NOT EXISTS journeys (
    customer TEXT NOT NULL,
    program  TEXT NOT NULL,
    version  TEXT NOT NULL,
    start    INTEGER NOT NULL,          -- 1: the first look is still to come
    status   TEXT NOT NULL,             -- out, in, left (for counts)
    node     INTEGER NOT NULL,          -- where it waits (for counts)
    journey  TEXT NOT NULL,             -- run::Journey as JSON
    view     TEXT,                      -- the record as the program sees it, when different
    ran_until INTEGER NOT NULL,
    timer    INTEGER,
    PRIMARY KEY (customer, program)
);
CREATE INDEX IF NOT EXISTS journeys_waiting ON journeys (customer)
    WHERE start = 1 AND timer IS NULL;

CREATE TABLE IF NOT EXISTS events (
    customer    TEXT NOT NULL,
    id          TEXT NOT NULL,
    at          INTEGER NOT NULL,
    name        TEXT NOT NULL,
    body        TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    late        INTEGER NOT NULL,
    PRIMARY KEY (customer, id)
);

CREATE TABLE IF NOT EXISTS outbox (
    seq      INTEGER PRIMARY KEY,       -- the order of writing
    customer TEXT NOT NULL,
    key      TEXT NOT NULL,             -- the idempotency key
    program  TEXT NOT NULL,
    version  TEXT NOT NULL,
    at       INTEGER NOT NULL,
    kind     TEXT NOT NULL,
    body     TEXT NOT NULL,             -- the action as a JSON line
    state    TEXT NOT NULL,             -- pending, delivered, dead
    tries    INTEGER NOT NULL,
    next_try INTEGER NOT NULL,
    error    TEXT,
    UNIQUE (customer, key)
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (seq) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS outbox_dead ON outbox (seq) WHERE state = 'dead';

-- What serve --migrate did with each running journey, once per version
-- deployed.
CREATE TABLE IF NOT EXISTS migrations (
    customer     TEXT NOT NULL,
    program      TEXT NOT NULL,
    to_version   TEXT NOT NULL,
    from_version TEXT NOT NULL,
    at           INTEGER NOT NULL,
    moved        INTEGER NOT NULL,      -- 1: moved; 0: left on from_version
    body         TEXT NOT NULL,         -- the places and the reason, as JSON
    PRIMARY KEY (customer, program, to_version)
);
";

const CUSTOMER: &str =
    "SELECT customer, record, ran_until, next_timer FROM customers WHERE customer = ?1";
const DUE: &str = "SELECT customer, record, ran_until, next_timer FROM customers
    WHERE next_timer <= ?1 ORDER BY next_timer, customer LIMIT ?2";
const JOURNEYS: &str = "SELECT program, version, start, journey, view, ran_until, timer
    FROM journeys WHERE customer = ?1 ORDER BY program";
const KNOWN_EVENT: &str = "SELECT 1 FROM events WHERE customer = ?1 AND id = ?2";
const PUT_CUSTOMER: &str = "INSERT INTO customers (customer, record, ran_until, next_timer)
    VALUES (?1, ?2, ?3, ?4)
    ON CONFLICT (customer) DO UPDATE SET record = excluded.record, ran_until = excluded.ran_until,
        next_timer = excluded.next_timer";
const PUT_JOURNEY: &str = "INSERT INTO journeys
    (customer, program, version, start, status, node, journey, view, ran_until, timer)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
    ON CONFLICT (customer, program) DO UPDATE SET version = excluded.version,
        start = excluded.start, status = excluded.status, node = excluded.node,
        journey = excluded.journey, view = excluded.view, ran_until = excluded.ran_until,
        timer = excluded.timer";
const FORGET_JOURNEY: &str = "DELETE FROM journeys WHERE customer = ?1 AND program = ?2";
const PUT_EVENT: &str = "INSERT INTO events (customer, id, at, name, body, received_at, late)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING";
const PUT_ACTION: &str = "INSERT INTO outbox
    (customer, key, program, version, at, kind, body, state, tries, next_try, error)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', 0, ?8, NULL) ON CONFLICT DO NOTHING";
const PUT_MIGRATION: &str = "INSERT INTO migrations
    (customer, program, to_version, from_version, at, moved, body)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING";
const CUSTOMER_MIGRATIONS: &str = "SELECT customer, program, from_version, to_version, at, moved,
    body FROM migrations WHERE customer = ?1 ORDER BY at, program, rowid";
const RUNNING_ELSEWHERE: &str = "SELECT customer FROM journeys
    WHERE program = ?1 AND version != ?2 AND status = 'in' ORDER BY customer";
const CURRENT_VERSION: &str = "SELECT version FROM programs WHERE program = ?1";
const SAVE_PLAN: &str = "INSERT INTO plans (program, version, plan, deployed_at)
    VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING";
const SET_CURRENT: &str = "INSERT INTO programs (program, version, deployed_at) VALUES (?1, ?2, ?3)
    ON CONFLICT (program) DO UPDATE SET version = excluded.version,
        deployed_at = excluded.deployed_at";
/// A new current version gives every customer not running on the program
/// a first look from it (at ?4, or when the clock is set if ?4 is NULL).
const START_ALL: &str = "INSERT INTO journeys
    (customer, program, version, start, status, node, journey, view, ran_until, timer)
    SELECT customer, ?1, ?2, 1, 'out', 0, ?3, NULL, COALESCE(ran_until, ?4, 0), ?4 FROM customers WHERE true
    ON CONFLICT (customer, program) DO UPDATE SET start = 1, timer = ?4
        WHERE journeys.status != 'in'";
const START_DUE: &str = "UPDATE customers SET next_timer = ?1
    WHERE ?1 IS NOT NULL AND (next_timer IS NULL OR next_timer > ?1)";
const PLANS: &str =
    "SELECT program, version, plan, deployed_at FROM plans ORDER BY program, deployed_at, version";
const GET_META: &str = "SELECT value FROM meta WHERE name = ?1";
const SET_META: &str = "INSERT INTO meta (name, value) VALUES (?1, ?2)
    ON CONFLICT (name) DO UPDATE SET value = excluded.value";
const WAITING_STARTS: &str = "UPDATE journeys SET timer = ?1 WHERE start = 1 AND timer IS NULL";
const WAITING_CUSTOMERS: &str = "UPDATE customers SET next_timer = ?1
    WHERE customer IN (SELECT customer FROM journeys WHERE start = 1 AND timer = ?1)
        AND (next_timer IS NULL OR next_timer > ?1)";
const PENDING: &str = "SELECT seq, customer, key, program, version, at, kind, body, state, tries,
    next_try, error FROM outbox WHERE state = 'pending' AND next_try <= ?1 ORDER BY seq LIMIT ?2";
const ATTEMPTED: &str = "UPDATE outbox SET state = ?3, tries = ?4, next_try = ?5, error = ?6
    WHERE customer = ?1 AND key = ?2";
const CHECKPOINT: &str = "PRAGMA wal_checkpoint(PASSIVE)";
const CHECKPOINT_ALL: &str = "PRAGMA wal_checkpoint(TRUNCATE)";
/// 256 MiB of 4 KiB pages: a truncating checkpoint holds the writer up
/// (a 100 ms answer at worst in `benches/serve.rs -- latency`), so it is
/// kept rare.
const WAL_FRAMES_KEPT: i64 = 64 * 1024;
const NEXT_DELIVERY: &str = "SELECT min(next_try) FROM outbox WHERE state = 'pending'";
const NEXT_TIMER: &str = "SELECT min(next_timer) FROM customers WHERE next_timer IS NOT NULL";
const CUSTOMER_OUTBOX: &str = "SELECT seq, customer, key, program, version, at, kind, body, state,
    tries, next_try, error FROM outbox WHERE customer = ?1 ORDER BY seq";
const COUNT_JOURNEYS: &str = "SELECT program, version, status, node, count(*) FROM journeys
    GROUP BY program, version, status, node ORDER BY program, version, status, node";
const COUNT_PENDING: &str = "SELECT count(*) FROM outbox WHERE state = 'pending'";
const COUNT_DEAD: &str = "SELECT count(*) FROM outbox WHERE state = 'dead'";
const COUNT_DUE: &str = "SELECT count(*) FROM customers WHERE next_timer <= ?1";
const COUNT_CUSTOMERS: &str = "SELECT count(*) FROM customers";

pub struct Sqlite {
    connection: Connection,
}

fn failed(error: rusqlite::Error) -> StoreError {
    let retry = matches!(
        error.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    );
    StoreError {
        message: format!("the store (SQLite) failed: {error}"),
        retry,
    }
}

fn json<T: serde::Serialize>(value: &T) -> String {
    // Records and journeys are plain data with string keys; numbers read
    // from input are finite.
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

fn parse<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> rusqlite::Result<T> {
    serde_json::from_str(text).map_err(|error| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            format!("a stored {what} does not read back: {error}").into(),
        )
    })
}

impl Sqlite {
    pub fn open(path: &Path) -> Result<Sqlite> {
        let connection = Connection::open(path).map_err(|error| {
            StoreError::new(format!(
                "cannot open the store `{}`: {error}",
                path.display()
            ))
        })?;
        connection
            .busy_timeout(std::time::Duration::from_secs(10))
            .map_err(failed)?;
        connection
            .execute_batch(
                // A 64 MiB page cache and the file mapped: without them
                // most of the time went to copying pages from the OS
                // cache (perf: `_copy_to_iter`, `filemap_get_read_batch`).
                // No checkpoint at commit: it took a sixth of the engine's
                // time; `maintain` runs it on the delivery thread.
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = OFF;
                 PRAGMA cache_size = -65536; PRAGMA mmap_size = 1073741824; PRAGMA temp_store = MEMORY;
                 PRAGMA wal_autocheckpoint = 0;",
            )
            .map_err(failed)?;
        let mut store = Sqlite { connection };
        store.prepare()?;
        Ok(store)
    }

    fn prepare(&mut self) -> Result<()> {
        let tx = self
            .connection
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(failed)?;
        tx.execute_batch(TABLES).map_err(failed)?;
        let layout: Option<String> = tx
            .query_row(GET_META, params!["layout"], |row| row.get(0))
            .optional()
            .map_err(failed)?;
        match layout.and_then(|text| text.parse::<i64>().ok()) {
            None => {
                tx.execute(SET_META, params!["layout", LAYOUT.to_string()])
                    .map_err(failed)?;
            }
            Some(layout) if layout > LAYOUT => {
                return Err(StoreError::new(format!(
                    "the store was written by a newer nurture (table layout {layout}; this one knows {LAYOUT})"
                )));
            }
            Some(_) => {}
        }
        tx.commit().map_err(failed)
    }
}

/// A customer's row as read, its record's JSON not yet decoded: the
/// thread that owns the connection only reads, and the JSON is decoded on
/// every core ([`decode_all`]).
struct RawCustomer {
    id: String,
    record: String,
    until: Option<Seconds>,
    next_timer: Option<Seconds>,
}

/// A journey row as read, its JSON not yet decoded.
struct RawJourney {
    program: String,
    version: String,
    start: bool,
    journey: String,
    view: Option<String>,
    until: Seconds,
    timer: Option<Seconds>,
}

fn raw_customer(row: &Row<'_>) -> rusqlite::Result<RawCustomer> {
    Ok(RawCustomer {
        id: row.get(0)?,
        record: row.get(1)?,
        until: row.get(2)?,
        next_timer: row.get(3)?,
    })
}

fn raw_journey(row: &Row<'_>) -> rusqlite::Result<RawJourney> {
    Ok(RawJourney {
        program: row.get(0)?,
        version: row.get(1)?,
        start: row.get::<_, i64>(2)? != 0,
        journey: row.get(3)?,
        view: row.get(4)?,
        until: row.get(5)?,
        timer: row.get(6)?,
    })
}

fn decode_customer(raw: RawCustomer) -> rusqlite::Result<CustomerRow> {
    let stored = parse::<super::StoredRecord>(&raw.record, "customer")?;
    Ok(CustomerRow {
        id: raw.id,
        record: stored.record,
        until: raw.until,
        next_timer: raw.next_timer,
        sends: stored.recent_sends,
    })
}

fn decode_journey(raw: RawJourney) -> rusqlite::Result<JourneyRow> {
    Ok(JourneyRow {
        program: raw.program,
        version: raw.version,
        start: raw.start,
        journey: parse::<Journey>(&raw.journey, "journey")?,
        view: match raw.view {
            Some(text) => Some(parse::<Customer>(&text, "record")?),
            None => None,
        },
        until: raw.until,
        timer: raw.timer,
    })
}

fn customer_row(row: &Row<'_>) -> rusqlite::Result<CustomerRow> {
    decode_customer(raw_customer(row)?)
}

/// The customers read with their journeys, decoded on every core, in the
/// order read.
fn decode_all(raws: Vec<(RawCustomer, Vec<RawJourney>)>) -> Result<Vec<Loaded>> {
    let decode = |part: Vec<(RawCustomer, Vec<RawJourney>)>| {
        part.into_iter()
            .map(|(customer, journeys)| {
                Ok(Loaded {
                    row: decode_customer(customer)?,
                    journeys: journeys
                        .into_iter()
                        .map(decode_journey)
                        .collect::<rusqlite::Result<Vec<_>>>()?,
                })
            })
            .collect::<rusqlite::Result<Vec<Loaded>>>()
    };
    let mut loaded = Vec::new();
    for part in crate::serve::parallel::in_parallel(raws, decode) {
        loaded.extend(part.map_err(StoreError::new)?.map_err(failed)?);
    }
    Ok(loaded)
}

fn outbox_row(row: &Row<'_>) -> rusqlite::Result<OutboxRow> {
    let state: String = row.get(8)?;
    Ok(OutboxRow {
        seq: row.get(0)?,
        customer: row.get(1)?,
        key: row.get(2)?,
        program: row.get(3)?,
        version: row.get(4)?,
        at: row.get(5)?,
        kind: row.get(6)?,
        body: row.get(7)?,
        state: DeliveryState::parse(&state),
        tries: row.get(9)?,
        next_try: row.get(10)?,
        error: row.get(11)?,
    })
}

fn load(tx: &rusqlite::Transaction<'_>, row: CustomerRow) -> rusqlite::Result<Loaded> {
    let mut statement = tx.prepare_cached(JOURNEYS)?;
    let journeys = statement
        .query_map(params![row.id], |row| decode_journey(raw_journey(row)?))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Loaded { row, journeys })
}

/// A customer's journeys, as read.
fn load_raw(tx: &rusqlite::Transaction<'_>, id: &str) -> rusqlite::Result<Vec<RawJourney>> {
    let mut statement = tx.prepare_cached(JOURNEYS)?;
    statement
        .query_map(params![id], raw_journey)?
        .collect::<rusqlite::Result<Vec<_>>>()
}

fn status(journey: &Journey) -> &'static str {
    match journey.status {
        crate::run::Status::Out => "out",
        crate::run::Status::In => "in",
        crate::run::Status::Left => "left",
    }
}

impl Store for Sqlite {
    fn deploy(&mut self, plan: &StoredPlan, at: Option<Seconds>) -> Result<bool> {
        let tx = self
            .connection
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(failed)?;
        let current: Option<String> = tx
            .query_row(CURRENT_VERSION, params![plan.program], |row| row.get(0))
            .optional()
            .map_err(failed)?;
        tx.execute(
            SAVE_PLAN,
            params![plan.program, plan.version, plan.plan, plan.deployed_at],
        )
        .map_err(failed)?;
        let new = current.as_deref() != Some(plan.version.as_str());
        if new {
            tx.execute(
                SET_CURRENT,
                params![plan.program, plan.version, plan.deployed_at],
            )
            .map_err(failed)?;
            tx.execute(
                START_ALL,
                params![plan.program, plan.version, json(&Journey::default()), at],
            )
            .map_err(failed)?;
            tx.execute(START_DUE, params![at]).map_err(failed)?;
        }
        tx.commit().map_err(failed)?;
        Ok(new)
    }

    fn running_elsewhere(&mut self, program: &str, version: &str) -> Result<Vec<String>> {
        let mut statement = self
            .connection
            .prepare_cached(RUNNING_ELSEWHERE)
            .map_err(failed)?;
        let ids = statement
            .query_map(params![program, version], |row| row.get(0))
            .map_err(failed)?
            .collect::<rusqlite::Result<Vec<String>>>()
            .map_err(failed)?;
        Ok(ids)
    }

    fn plans(&mut self) -> Result<Vec<StoredPlan>> {
        let mut statement = self.connection.prepare_cached(PLANS).map_err(failed)?;
        let plans = statement
            .query_map([], |row| {
                Ok(StoredPlan {
                    program: row.get(0)?,
                    version: row.get(1)?,
                    plan: row.get(2)?,
                    deployed_at: row.get(3)?,
                })
            })
            .map_err(failed)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(failed)?;
        Ok(plans)
    }

    fn meta(&mut self, name: &str) -> Result<Option<String>> {
        self.connection
            .query_row(GET_META, params![name], |row| row.get(0))
            .optional()
            .map_err(failed)
    }

    fn set_meta(&mut self, name: &str, value: &str) -> Result<()> {
        self.connection
            .execute(SET_META, params![name, value])
            .map(|_| ())
            .map_err(failed)
    }

    fn work(
        &mut self,
        ask: &Ask,
        work: &mut dyn FnMut(&mut Batch) -> std::result::Result<(), String>,
    ) -> Result<(usize, Seconds)> {
        let tx = self
            .connection
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(failed)?;
        let mut batch = Batch::default();
        match ask {
            Ask::Customers { ids, events } => {
                let mut statement = tx.prepare_cached(CUSTOMER).map_err(failed)?;
                let mut raws = Vec::new();
                for id in ids {
                    let row = statement
                        .query_row(params![id], raw_customer)
                        .optional()
                        .map_err(failed)?;
                    if let Some(row) = row {
                        let journeys = load_raw(&tx, &row.id).map_err(failed)?;
                        raws.push((row, journeys));
                    }
                }
                for loaded in decode_all(raws)? {
                    batch.customers.insert(loaded.row.id.clone(), loaded);
                }
                let mut known = tx.prepare_cached(KNOWN_EVENT).map_err(failed)?;
                for (customer, id) in events {
                    if known.exists(params![customer, id]).map_err(failed)? {
                        batch.known_events.insert((customer.clone(), id.clone()));
                    }
                }
                batch.horizon = Seconds::MAX;
            }
            Ask::Due { up_to, limit } => {
                let mut statement = tx.prepare_cached(DUE).map_err(failed)?;
                let rows = statement
                    .query_map(params![up_to, *limit as i64], raw_customer)
                    .map_err(failed)?
                    .collect::<rusqlite::Result<Vec<_>>>()
                    .map_err(failed)?;
                batch.horizon = *up_to;
                let mut raws = Vec::with_capacity(rows.len());
                for row in rows {
                    let journeys = load_raw(&tx, &row.id).map_err(failed)?;
                    raws.push((row, journeys));
                }
                for loaded in decode_all(raws)? {
                    batch.customers.insert(loaded.row.id.clone(), loaded);
                }
            }
        }
        let loaded = batch.customers.len();
        let horizon = batch.horizon;
        work(&mut batch).map_err(StoreError::new)?;
        write(&tx, &batch)?;
        tx.commit().map_err(failed)?;
        Ok((loaded, horizon))
    }

    fn schedule_starts(&mut self, at: Seconds) -> Result<usize> {
        let tx = self
            .connection
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(failed)?;
        let count = tx.execute(WAITING_STARTS, params![at]).map_err(failed)?;
        tx.execute(WAITING_CUSTOMERS, params![at]).map_err(failed)?;
        tx.commit().map_err(failed)?;
        Ok(count)
    }

    fn deliver(
        &mut self,
        now: Seconds,
        limit: usize,
        deliver: &mut dyn FnMut(&[OutboxRow]) -> Vec<Attempt>,
    ) -> Result<usize> {
        // One process owns the file and one thread delivers, so the rows
        // need no claim; the lock is not held while the sender is called.
        let rows = {
            let mut statement = self.connection.prepare_cached(PENDING).map_err(failed)?;
            statement
                .query_map(params![now, limit as i64], outbox_row)
                .map_err(failed)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(failed)?
        };
        if rows.is_empty() {
            return Ok(0);
        }
        let attempts = deliver(&rows);
        let tx = self
            .connection
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(failed)?;
        {
            let mut statement = tx.prepare_cached(ATTEMPTED).map_err(failed)?;
            for attempt in &attempts {
                statement
                    .execute(params![
                        attempt.customer,
                        attempt.key,
                        attempt.state.as_str(),
                        attempt.tries,
                        attempt.next_try,
                        attempt.error
                    ])
                    .map_err(failed)?;
            }
        }
        tx.commit().map_err(failed)?;
        Ok(attempts.len())
    }

    fn maintain(&mut self) -> Result<()> {
        // PASSIVE copies what it can without waiting for the writer or
        // blocking it. Under steady writes it never catches up with the
        // end of the log, and the log would grow for ever (10 GB for a
        // million customers): past 256 MiB, TRUNCATE waits for the writer
        // between two commits, copies the rest, and empties the log.
        let frames: i64 = self
            .connection
            .query_row(CHECKPOINT, [], |row| row.get(1))
            .map_err(failed)?;
        if frames > WAL_FRAMES_KEPT {
            self.connection
                .query_row(CHECKPOINT_ALL, [], |_| Ok(()))
                .map_err(failed)?;
        }
        Ok(())
    }

    fn next_delivery(&mut self) -> Result<Option<Seconds>> {
        self.connection
            .query_row(NEXT_DELIVERY, [], |row| row.get(0))
            .map_err(failed)
    }

    fn next_timer(&mut self) -> Result<Option<Seconds>> {
        self.connection
            .query_row(NEXT_TIMER, [], |row| row.get(0))
            .map_err(failed)
    }

    fn customer(&mut self, id: &str) -> Result<Option<CustomerView>> {
        let tx = self.connection.transaction().map_err(failed)?;
        let row = tx
            .query_row(CUSTOMER, params![id], customer_row)
            .optional()
            .map_err(failed)?;
        let Some(row) = row else {
            return Ok(None);
        };
        let loaded = load(&tx, row).map_err(failed)?;
        let outbox = {
            let mut statement = tx.prepare_cached(CUSTOMER_OUTBOX).map_err(failed)?;
            statement
                .query_map(params![id], outbox_row)
                .map_err(failed)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(failed)?
        };
        let migrations = {
            let mut statement = tx.prepare_cached(CUSTOMER_MIGRATIONS).map_err(failed)?;
            statement
                .query_map(params![id], |row| {
                    Ok(MigrationRow {
                        customer: row.get(0)?,
                        program: row.get(1)?,
                        from_version: row.get(2)?,
                        to_version: row.get(3)?,
                        at: row.get(4)?,
                        moved: row.get::<_, i64>(5)? != 0,
                        body: row.get(6)?,
                    })
                })
                .map_err(failed)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(failed)?
        };
        tx.commit().map_err(failed)?;
        Ok(Some(CustomerView {
            loaded,
            outbox,
            migrations,
        }))
    }

    fn counts(&mut self, now: Seconds) -> Result<Counts> {
        let tx = self.connection.transaction().map_err(failed)?;
        let journeys = {
            let mut statement = tx.prepare_cached(COUNT_JOURNEYS).map_err(failed)?;
            statement
                .query_map([], |row| {
                    Ok((
                        row.get(0)?,
                        row.get(1)?,
                        row.get(2)?,
                        row.get(3)?,
                        row.get(4)?,
                    ))
                })
                .map_err(failed)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(failed)?
        };
        let count = |sql: &str, at: Option<Seconds>| -> Result<i64> {
            match at {
                Some(at) => tx.query_row(sql, params![at], |row| row.get(0)),
                None => tx.query_row(sql, [], |row| row.get(0)),
            }
            .map_err(failed)
        };
        let counts = Counts {
            journeys,
            outbox: vec![
                ("pending".into(), count(COUNT_PENDING, None)?),
                ("dead".into(), count(COUNT_DEAD, None)?),
            ],
            timers_due: count(COUNT_DUE, Some(now))?,
            customers: count(COUNT_CUSTOMERS, None)?,
        };
        tx.commit().map_err(failed)?;
        Ok(counts)
    }
}

fn write(tx: &rusqlite::Transaction<'_>, batch: &Batch) -> Result<()> {
    let write = &batch.write;
    {
        let mut statement = tx.prepare_cached(PUT_CUSTOMER).map_err(failed)?;
        for (i, row) in write.customers.iter().enumerate() {
            statement
                .execute(params![
                    row.id,
                    write.record_text(i),
                    row.until,
                    row.next_timer
                ])
                .map_err(failed)?;
        }
    }
    {
        let mut statement = tx.prepare_cached(PUT_JOURNEY).map_err(failed)?;
        for (i, (customer, row)) in write.journeys.iter().enumerate() {
            statement
                .execute(params![
                    customer,
                    row.program,
                    row.version,
                    i64::from(row.start),
                    status(&row.journey),
                    row.journey.node() as i64,
                    write.journey_text(i),
                    row.view.as_ref().map(json),
                    row.until,
                    row.timer
                ])
                .map_err(failed)?;
        }
    }
    {
        let mut statement = tx.prepare_cached(PUT_MIGRATION).map_err(failed)?;
        for row in &write.migrations {
            statement
                .execute(params![
                    row.customer,
                    row.program,
                    row.to_version,
                    row.from_version,
                    row.at,
                    i64::from(row.moved),
                    row.body
                ])
                .map_err(failed)?;
        }
    }
    {
        let mut statement = tx.prepare_cached(FORGET_JOURNEY).map_err(failed)?;
        for (customer, program) in &write.forget {
            statement
                .execute(params![customer, program])
                .map_err(failed)?;
        }
    }
    {
        let mut statement = tx.prepare_cached(PUT_EVENT).map_err(failed)?;
        for event in &write.events {
            statement
                .execute(params![
                    event.customer,
                    event.id,
                    event.at,
                    event.name,
                    event.body,
                    event.received_at,
                    i64::from(event.late)
                ])
                .map_err(failed)?;
        }
    }
    {
        let mut statement = tx.prepare_cached(PUT_ACTION).map_err(failed)?;
        for action in &write.outbox {
            statement
                .execute(params![
                    action.customer,
                    action.key,
                    action.program,
                    action.version,
                    action.at,
                    action.kind,
                    action.body,
                    action.next_try
                ])
                .map_err(failed)?;
        }
    }
    Ok(())
}
