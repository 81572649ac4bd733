//! Stage serve, store: the shared backend, PostgreSQL. Every table and
//! every statement is in this file.
//!
//! Several `nurture serve` processes share one database and so the work.
//! Each customer is worked on by one transaction at a time:
//!
//! - a batch of customers or events takes a transaction-scoped advisory
//!   lock per customer (a hash of the id, taken in the order of the hashes,
//!   so two batches never wait for each other in a circle; it covers
//!   customers that do not exist yet), then the customers' rows `FOR
//!   UPDATE`;
//! - due timers are found on `customers.next_timer` with `FOR UPDATE SKIP
//!   LOCKED`: a customer another transaction holds is left to it, and a due
//!   batch never waits;
//! - the outbox is claimed the same way, row by row, for as long as the
//!   delivery takes.
//!
//! A process that dies holds nothing: PostgreSQL ends its transactions and
//! their locks with its connection, everything it had not committed is
//! undone, and the others find its customers' timers and actions due.
//!
//! Every table but `plans`, `programs` and `meta` has the customer id first
//! in its primary key, so each can be distributed by `customer` (Citus:
//! `create_distributed_table('customers', 'customer')`, and the same for
//! `journeys`, `events` and `outbox`, colocated; the other three are
//! reference tables). docs/serve.md says more.

use super::{
    Ask, Attempt, Batch, Counts, CustomerRow, CustomerView, DeliveryState, JourneyRow, LAYOUT,
    Loaded, MigrationRow, OutboxRow, Result, Store, StoreError, StoredPlan,
};
use crate::run::{Customer, Journey, Seconds};
use postgres::{Client, NoTls, Row, Transaction};
use std::collections::BTreeMap;

const TABLES: &str = "
CREATE TABLE IF NOT EXISTS meta (
    name  text PRIMARY KEY,
    value text NOT NULL
);

-- Every plan version ever deployed: running journeys stay on theirs.
CREATE TABLE IF NOT EXISTS plans (
    program     text NOT NULL,
    version     text NOT NULL,          -- the plan's digest
    plan        text NOT NULL,          -- the plan as JSON
    deployed_at bigint NOT NULL,
    PRIMARY KEY (program, version)
);

-- The version new entries use.
CREATE TABLE IF NOT EXISTS programs (
    program     text PRIMARY KEY,
    version     text NOT NULL,
    deployed_at bigint NOT NULL
);

CREATE TABLE IF NOT EXISTS customers (
    customer   text PRIMARY KEY,
    record     text NOT NULL,           -- run::Customer as JSON
    ran_until  bigint,                  -- the latest moment run for them
    next_timer bigint                   -- the earliest timer of their journeys
);
CREATE INDEX IF NOT EXISTS customers_due ON customers (next_timer, customer)
    WHERE next_timer IS NOT NULL;

CREATE TABLE IF NOT EXISTS journeys (
    customer  text NOT NULL,
    program   text NOT NULL,
    version   text NOT NULL,
    start     boolean NOT NULL,         -- the first look is still to come
    status    text NOT NULL,            -- out, in, left (for counts)
    node      bigint NOT NULL,          -- where it waits (for counts)
    journey   text NOT NULL,            -- run::Journey as JSON
    view      text,                     -- the record as the program sees it, when different
    ran_until bigint NOT NULL,
    timer     bigint,
    PRIMARY KEY (customer, program)
);
CREATE INDEX IF NOT EXISTS journeys_waiting ON journeys (customer)
    WHERE start AND timer IS NULL;

CREATE TABLE IF NOT EXISTS events (
    customer    text NOT NULL,
    id          text NOT NULL,
    at          bigint NOT NULL,
    name        text NOT NULL,
    body        text NOT NULL,
    received_at bigint NOT NULL,
    late        boolean NOT NULL,
    PRIMARY KEY (customer, id)
);

CREATE TABLE IF NOT EXISTS outbox (
    customer text NOT NULL,
    key      text NOT NULL,             -- the idempotency key
    seq      bigint GENERATED ALWAYS AS IDENTITY,  -- the order of writing
    program  text NOT NULL,
    version  text NOT NULL,
    at       bigint NOT NULL,
    kind     text NOT NULL,
    body     text NOT NULL,             -- the action as a JSON line
    state    text NOT NULL,             -- pending, delivered, dead
    tries    bigint NOT NULL,
    next_try bigint NOT NULL,
    error    text,
    PRIMARY KEY (customer, key)
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (seq) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS outbox_dead ON outbox (seq) WHERE state = 'dead';

-- What serve --migrate did with each running journey, once per version
-- deployed.
CREATE TABLE IF NOT EXISTS migrations (
    customer     text NOT NULL,
    program      text NOT NULL,
    to_version   text NOT NULL,
    from_version text NOT NULL,
    at           bigint NOT NULL,
    moved        boolean NOT NULL,      -- false: left on from_version
    body         text NOT NULL,         -- the places and the reason, as JSON
    PRIMARY KEY (customer, program, to_version)
);
CREATE INDEX IF NOT EXISTS outbox_customer ON outbox (customer, seq);
";

/// Serialises creating the tables when several processes start at once.
const SETUP_LOCK: &str = "SELECT pg_advisory_xact_lock(7070)";
const LOCK_CUSTOMERS: &str = "SELECT pg_advisory_xact_lock(k) FROM unnest($1::bigint[]) AS k";
const CUSTOMERS: &str = "SELECT customer, record, ran_until, next_timer FROM customers
    WHERE customer = ANY($1) ORDER BY customer FOR UPDATE";
const DUE: &str = "SELECT customer, record, ran_until, next_timer FROM customers
    WHERE next_timer <= $1 ORDER BY next_timer, customer LIMIT $2 FOR UPDATE SKIP LOCKED";
const JOURNEYS: &str = "SELECT customer, program, version, start, journey, view, ran_until, timer
    FROM journeys WHERE customer = ANY($1) ORDER BY customer, program";
const KNOWN_EVENTS: &str = "SELECT e.customer, e.id FROM events e
    JOIN unnest($1::text[], $2::text[]) AS asked (customer, id)
      ON e.customer = asked.customer AND e.id = asked.id";
const PUT_CUSTOMERS: &str = "INSERT INTO customers (customer, record, ran_until, next_timer)
    SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[])
    ON CONFLICT (customer) DO UPDATE SET record = excluded.record,
        ran_until = excluded.ran_until, next_timer = excluded.next_timer";
const PUT_JOURNEYS: &str = "INSERT INTO journeys
    (customer, program, version, start, status, node, journey, view, ran_until, timer)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[], $5::text[],
        $6::bigint[], $7::text[], $8::text[], $9::bigint[], $10::bigint[])
    ON CONFLICT (customer, program) DO UPDATE SET version = excluded.version,
        start = excluded.start, status = excluded.status, node = excluded.node,
        journey = excluded.journey, view = excluded.view, ran_until = excluded.ran_until,
        timer = excluded.timer";
const PUT_MIGRATIONS: &str = "INSERT INTO migrations
    (customer, program, to_version, from_version, at, moved, body)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[],
        $6::boolean[], $7::text[])
    ON CONFLICT DO NOTHING";
const CUSTOMER_MIGRATIONS: &str = "SELECT customer, program, from_version, to_version, at, moved,
    body FROM migrations WHERE customer = $1 ORDER BY at, program, to_version";
const RUNNING_ELSEWHERE: &str = "SELECT customer FROM journeys
    WHERE program = $1 AND version != $2 AND status = 'in' ORDER BY customer";
const FORGET_JOURNEYS: &str = "DELETE FROM journeys j
    USING unnest($1::text[], $2::text[]) AS gone (customer, program)
    WHERE j.customer = gone.customer AND j.program = gone.program";
const PUT_EVENTS: &str = "INSERT INTO events (customer, id, at, name, body, received_at, late)
    SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[],
        $6::bigint[], $7::boolean[])
    ON CONFLICT DO NOTHING";
const PUT_ACTIONS: &str = "INSERT INTO outbox
    (customer, key, program, version, at, kind, body, state, tries, next_try)
    SELECT c, k, p, v, a, kd, b, 'pending', 0, n FROM unnest($1::text[], $2::text[],
        $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::bigint[])
        WITH ORDINALITY AS new (c, k, p, v, a, kd, b, n, i)
    ORDER BY i
    ON CONFLICT DO NOTHING";
const CURRENT_VERSION: &str = "SELECT version FROM programs WHERE program = $1 FOR UPDATE";
const SAVE_PLAN: &str = "INSERT INTO plans (program, version, plan, deployed_at)
    VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";
const SET_CURRENT: &str = "INSERT INTO programs (program, version, deployed_at) VALUES ($1, $2, $3)
    ON CONFLICT (program) DO UPDATE SET version = excluded.version,
        deployed_at = excluded.deployed_at";
/// A new current version gives every customer not running on the program
/// a first look from it (at $4, or when the clock is set if $4 is NULL).
const START_ALL: &str = "INSERT INTO journeys
    (customer, program, version, start, status, node, journey, view, ran_until, timer)
    SELECT customer, $1, $2, true, 'out', 0, $3, NULL, COALESCE(ran_until, $4, 0), $4
    FROM customers
    ON CONFLICT (customer, program) DO UPDATE SET start = true, timer = $4
        WHERE journeys.status <> 'in'";
const START_DUE: &str = "UPDATE customers SET next_timer = $1
    WHERE next_timer IS NULL OR next_timer > $1";
const PLANS: &str = "SELECT program, version, plan, deployed_at FROM plans
    ORDER BY program, deployed_at, version";
const GET_META: &str = "SELECT value FROM meta WHERE name = $1";
const SET_META: &str = "INSERT INTO meta (name, value) VALUES ($1, $2)
    ON CONFLICT (name) DO UPDATE SET value = excluded.value";
const WAITING_STARTS: &str = "UPDATE journeys SET timer = $1 WHERE start AND timer IS NULL
    RETURNING customer";
const WAITING_CUSTOMERS: &str = "UPDATE customers SET next_timer = $1
    WHERE customer = ANY($2) AND (next_timer IS NULL OR next_timer > $1)";
const PENDING: &str = "SELECT seq, customer, key, program, version, at, kind, body, state, tries,
    next_try, error FROM outbox WHERE state = 'pending' AND next_try <= $1
    ORDER BY seq LIMIT $2 FOR UPDATE SKIP LOCKED";
const ATTEMPTED: &str = "UPDATE outbox o SET state = done.state, tries = done.tries,
        next_try = done.next_try, error = done.error
    FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[])
        AS done (customer, key, state, tries, next_try, error)
    WHERE o.customer = done.customer AND o.key = done.key";
const NEXT_DELIVERY: &str = "SELECT min(next_try) FROM outbox WHERE state = 'pending'";
const NEXT_TIMER: &str = "SELECT min(next_timer) FROM customers WHERE next_timer IS NOT NULL";
const CUSTOMER: &str = "SELECT customer, record, ran_until, next_timer FROM customers
    WHERE customer = $1";
const CUSTOMER_OUTBOX: &str = "SELECT seq, customer, key, program, version, at, kind, body, state,
    tries, next_try, error FROM outbox WHERE customer = $1 ORDER BY seq";
const COUNT_JOURNEYS: &str = "SELECT program, version, status, node, count(*) FROM journeys
    GROUP BY program, version, status, node ORDER BY program, version, status, node";
const COUNT_OUTBOX: &str = "SELECT
    (SELECT count(*) FROM outbox WHERE state = 'pending'),
    (SELECT count(*) FROM outbox WHERE state = 'dead')";
const COUNT_DUE: &str = "SELECT count(*) FROM customers WHERE next_timer <= $1";
const COUNT_CUSTOMERS: &str = "SELECT count(*) FROM customers";

pub struct Postgres {
    url: String,
    client: Client,
}

fn failed(error: postgres::Error) -> StoreError {
    use postgres::error::SqlState;
    let retry = error.is_closed()
        || error.code().is_some_and(|code| {
            *code == SqlState::T_R_DEADLOCK_DETECTED
                || *code == SqlState::T_R_SERIALIZATION_FAILURE
                || *code == SqlState::UNIQUE_VIOLATION
        })
        // No code and not closed: the connection broke mid-statement.
        || error.code().is_none();
    let message = match error.as_db_error() {
        Some(db) => format!("the store (PostgreSQL) failed: {}", db.message()),
        None => format!("the store (PostgreSQL) failed: {error}"),
    };
    StoreError { message, retry }
}

fn json<T: serde::Serialize>(value: &T) -> String {
    // Records and journeys are plain data with string keys; numbers read
    // from input are finite.
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

fn parse<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T> {
    serde_json::from_str(text)
        .map_err(|error| StoreError::new(format!("a stored {what} does not read back: {error}")))
}

/// The advisory lock of a customer: FNV-1a of the id, the same in every
/// process and every release.
fn lock_key(id: &str) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in id.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash as i64
}

fn connect(url: &str) -> Result<Client> {
    Client::connect(url, NoTls).map_err(|error| StoreError {
        message: format!("cannot connect to the store: {error}"),
        retry: true,
    })
}

impl Postgres {
    pub fn open(url: &str) -> Result<Postgres> {
        let mut store = Postgres {
            url: url.to_string(),
            client: connect(url)?,
        };
        store.prepare()?;
        Ok(store)
    }

    fn prepare(&mut self) -> Result<()> {
        let mut tx = self.client.transaction().map_err(failed)?;
        tx.execute(SETUP_LOCK, &[]).map_err(failed)?;
        tx.batch_execute(TABLES).map_err(failed)?;
        let layout = tx
            .query_opt(GET_META, &[&"layout"])
            .map_err(failed)?
            .and_then(|row| row.get::<_, String>(0).parse::<i64>().ok());
        match layout {
            None => {
                tx.execute(SET_META, &[&"layout", &LAYOUT.to_string()])
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

    /// The connection, made again if the last one broke (the database
    /// restarted, a network hiccup): the work is then tried again.
    fn client(&mut self) -> Result<&mut Client> {
        if self.client.is_closed() {
            self.client = connect(&self.url)?;
        }
        Ok(&mut self.client)
    }
}

fn customer_row(row: &Row) -> Result<CustomerRow> {
    let stored = parse::<super::StoredRecord>(row.get(1), "customer")?;
    Ok(CustomerRow {
        id: row.get(0),
        record: stored.record,
        until: row.get(2),
        next_timer: row.get(3),
        sends: stored.recent_sends,
    })
}

fn journey_row(row: &Row) -> Result<(String, JourneyRow)> {
    let view: Option<&str> = row.get(5);
    Ok((
        row.get(0),
        JourneyRow {
            program: row.get(1),
            version: row.get(2),
            start: row.get(3),
            journey: parse::<Journey>(row.get(4), "journey")?,
            view: view
                .map(|text| parse::<Customer>(text, "record"))
                .transpose()?,
            until: row.get(6),
            timer: row.get(7),
        },
    ))
}

fn outbox_row(row: &Row) -> OutboxRow {
    OutboxRow {
        seq: row.get(0),
        customer: row.get(1),
        key: row.get(2),
        program: row.get(3),
        version: row.get(4),
        at: row.get(5),
        kind: row.get(6),
        body: row.get(7),
        state: DeliveryState::parse(row.get(8)),
        tries: row.get(9),
        next_try: row.get(10),
        error: row.get(11),
    }
}

fn status(journey: &Journey) -> &'static str {
    match journey.status {
        crate::run::Status::Out => "out",
        crate::run::Status::In => "in",
        crate::run::Status::Left => "left",
    }
}

/// Loads the journeys of the customers in `rows`.
fn load(tx: &mut Transaction<'_>, rows: Vec<CustomerRow>) -> Result<BTreeMap<String, Loaded>> {
    let ids: Vec<&str> = rows.iter().map(|row| row.id.as_str()).collect();
    let mut journeys: BTreeMap<String, Vec<JourneyRow>> = BTreeMap::new();
    for row in tx.query(JOURNEYS, &[&ids]).map_err(failed)? {
        let (customer, journey) = journey_row(&row)?;
        journeys.entry(customer).or_default().push(journey);
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let journeys = journeys.remove(&row.id).unwrap_or_default();
            (row.id.clone(), Loaded { row, journeys })
        })
        .collect())
}

fn write(tx: &mut Transaction<'_>, batch: &Batch) -> Result<()> {
    let write = &batch.write;
    if !write.customers.is_empty() {
        let ids: Vec<&str> = write.customers.iter().map(|r| r.id.as_str()).collect();
        let records: Vec<String> = (0..write.customers.len())
            .map(|i| write.record_text(i).into_owned())
            .collect();
        let untils: Vec<Option<i64>> = write.customers.iter().map(|r| r.until).collect();
        let timers: Vec<Option<i64>> = write.customers.iter().map(|r| r.next_timer).collect();
        tx.execute(PUT_CUSTOMERS, &[&ids, &records, &untils, &timers])
            .map_err(failed)?;
    }
    if !write.journeys.is_empty() {
        let j = &write.journeys;
        let customers: Vec<&str> = j.iter().map(|(c, _)| c.as_str()).collect();
        let programs: Vec<&str> = j.iter().map(|(_, r)| r.program.as_str()).collect();
        let versions: Vec<&str> = j.iter().map(|(_, r)| r.version.as_str()).collect();
        let starts: Vec<bool> = j.iter().map(|(_, r)| r.start).collect();
        let statuses: Vec<&str> = j.iter().map(|(_, r)| status(&r.journey)).collect();
        let nodes: Vec<i64> = j.iter().map(|(_, r)| r.journey.node() as i64).collect();
        let journeys: Vec<String> = (0..j.len())
            .map(|i| write.journey_text(i).into_owned())
            .collect();
        let views: Vec<Option<String>> = j.iter().map(|(_, r)| r.view.as_ref().map(json)).collect();
        let untils: Vec<i64> = j.iter().map(|(_, r)| r.until).collect();
        let timers: Vec<Option<i64>> = j.iter().map(|(_, r)| r.timer).collect();
        tx.execute(
            PUT_JOURNEYS,
            &[
                &customers, &programs, &versions, &starts, &statuses, &nodes, &journeys, &views,
                &untils, &timers,
            ],
        )
        .map_err(failed)?;
    }
    if !write.migrations.is_empty() {
        let m = &write.migrations;
        let customers: Vec<&str> = m.iter().map(|r| r.customer.as_str()).collect();
        let programs: Vec<&str> = m.iter().map(|r| r.program.as_str()).collect();
        let to: Vec<&str> = m.iter().map(|r| r.to_version.as_str()).collect();
        let from: Vec<&str> = m.iter().map(|r| r.from_version.as_str()).collect();
        let ats: Vec<i64> = m.iter().map(|r| r.at).collect();
        let moved: Vec<bool> = m.iter().map(|r| r.moved).collect();
        let bodies: Vec<&str> = m.iter().map(|r| r.body.as_str()).collect();
        tx.execute(
            PUT_MIGRATIONS,
            &[&customers, &programs, &to, &from, &ats, &moved, &bodies],
        )
        .map_err(failed)?;
    }
    if !write.forget.is_empty() {
        let customers: Vec<&str> = write.forget.iter().map(|(c, _)| c.as_str()).collect();
        let programs: Vec<&str> = write.forget.iter().map(|(_, p)| p.as_str()).collect();
        tx.execute(FORGET_JOURNEYS, &[&customers, &programs])
            .map_err(failed)?;
    }
    if !write.events.is_empty() {
        let e = &write.events;
        let customers: Vec<&str> = e.iter().map(|r| r.customer.as_str()).collect();
        let ids: Vec<&str> = e.iter().map(|r| r.id.as_str()).collect();
        let ats: Vec<i64> = e.iter().map(|r| r.at).collect();
        let names: Vec<&str> = e.iter().map(|r| r.name.as_str()).collect();
        let bodies: Vec<&str> = e.iter().map(|r| r.body.as_str()).collect();
        let received: Vec<i64> = e.iter().map(|r| r.received_at).collect();
        let late: Vec<bool> = e.iter().map(|r| r.late).collect();
        tx.execute(
            PUT_EVENTS,
            &[&customers, &ids, &ats, &names, &bodies, &received, &late],
        )
        .map_err(failed)?;
    }
    if !write.outbox.is_empty() {
        let o = &write.outbox;
        let customers: Vec<&str> = o.iter().map(|r| r.customer.as_str()).collect();
        let keys: Vec<&str> = o.iter().map(|r| r.key.as_str()).collect();
        let programs: Vec<&str> = o.iter().map(|r| r.program.as_str()).collect();
        let versions: Vec<&str> = o.iter().map(|r| r.version.as_str()).collect();
        let ats: Vec<i64> = o.iter().map(|r| r.at).collect();
        let kinds: Vec<&str> = o.iter().map(|r| r.kind.as_str()).collect();
        let bodies: Vec<&str> = o.iter().map(|r| r.body.as_str()).collect();
        let next: Vec<i64> = o.iter().map(|r| r.next_try).collect();
        tx.execute(
            PUT_ACTIONS,
            &[
                &customers, &keys, &programs, &versions, &ats, &kinds, &bodies, &next,
            ],
        )
        .map_err(failed)?;
    }
    Ok(())
}

impl Store for Postgres {
    fn deploy(&mut self, plan: &StoredPlan, at: Option<Seconds>) -> Result<bool> {
        let mut tx = self.client()?.transaction().map_err(failed)?;
        tx.execute(SETUP_LOCK, &[]).map_err(failed)?;
        let current: Option<String> = tx
            .query_opt(CURRENT_VERSION, &[&plan.program])
            .map_err(failed)?
            .map(|row| row.get(0));
        tx.execute(
            SAVE_PLAN,
            &[&plan.program, &plan.version, &plan.plan, &plan.deployed_at],
        )
        .map_err(failed)?;
        let new = current.as_deref() != Some(plan.version.as_str());
        if new {
            tx.execute(
                SET_CURRENT,
                &[&plan.program, &plan.version, &plan.deployed_at],
            )
            .map_err(failed)?;
            tx.execute(
                START_ALL,
                &[
                    &plan.program,
                    &plan.version,
                    &json(&Journey::default()),
                    &at,
                ],
            )
            .map_err(failed)?;
            if let Some(at) = at {
                tx.execute(START_DUE, &[&at]).map_err(failed)?;
            }
        }
        tx.commit().map_err(failed)?;
        Ok(new)
    }

    fn running_elsewhere(&mut self, program: &str, version: &str) -> Result<Vec<String>> {
        let rows = self
            .client()?
            .query(RUNNING_ELSEWHERE, &[&program, &version])
            .map_err(failed)?;
        Ok(rows.iter().map(|row| row.get(0)).collect())
    }

    fn plans(&mut self) -> Result<Vec<StoredPlan>> {
        let rows = self.client()?.query(PLANS, &[]).map_err(failed)?;
        Ok(rows
            .iter()
            .map(|row| StoredPlan {
                program: row.get(0),
                version: row.get(1),
                plan: row.get(2),
                deployed_at: row.get(3),
            })
            .collect())
    }

    fn meta(&mut self, name: &str) -> Result<Option<String>> {
        Ok(self
            .client()?
            .query_opt(GET_META, &[&name])
            .map_err(failed)?
            .map(|row| row.get(0)))
    }

    fn set_meta(&mut self, name: &str, value: &str) -> Result<()> {
        self.client()?
            .execute(SET_META, &[&name, &value])
            .map(|_| ())
            .map_err(failed)
    }

    fn work(
        &mut self,
        ask: &Ask,
        work: &mut dyn FnMut(&mut Batch) -> std::result::Result<(), String>,
    ) -> Result<(usize, Seconds)> {
        let mut tx = self.client()?.transaction().map_err(failed)?;
        let mut batch = Batch::default();
        match ask {
            Ask::Customers { ids, events } => {
                let mut keys: Vec<i64> = ids.iter().map(|id| lock_key(id)).collect();
                keys.sort_unstable();
                keys.dedup();
                tx.execute(LOCK_CUSTOMERS, &[&keys]).map_err(failed)?;
                let rows = tx
                    .query(CUSTOMERS, &[&ids])
                    .map_err(failed)?
                    .iter()
                    .map(customer_row)
                    .collect::<Result<Vec<_>>>()?;
                batch.customers = load(&mut tx, rows)?;
                if !events.is_empty() {
                    let customers: Vec<&str> = events.iter().map(|(c, _)| c.as_str()).collect();
                    let ids: Vec<&str> = events.iter().map(|(_, id)| id.as_str()).collect();
                    for row in tx
                        .query(KNOWN_EVENTS, &[&customers, &ids])
                        .map_err(failed)?
                    {
                        batch.known_events.insert((row.get(0), row.get(1)));
                    }
                }
                batch.horizon = Seconds::MAX;
            }
            Ask::Due { up_to, limit } => {
                let rows = tx
                    .query(DUE, &[up_to, &(*limit as i64)])
                    .map_err(failed)?
                    .iter()
                    .map(customer_row)
                    .collect::<Result<Vec<_>>>()?;
                batch.horizon = *up_to;
                batch.customers = load(&mut tx, rows)?;
            }
        }
        let loaded = batch.customers.len();
        let horizon = batch.horizon;
        work(&mut batch).map_err(StoreError::new)?;
        write(&mut tx, &batch)?;
        tx.commit().map_err(failed)?;
        Ok((loaded, horizon))
    }

    fn schedule_starts(&mut self, at: Seconds) -> Result<usize> {
        let mut tx = self.client()?.transaction().map_err(failed)?;
        let customers: Vec<String> = tx
            .query(WAITING_STARTS, &[&at])
            .map_err(failed)?
            .iter()
            .map(|row| row.get(0))
            .collect();
        tx.execute(WAITING_CUSTOMERS, &[&at, &customers])
            .map_err(failed)?;
        tx.commit().map_err(failed)?;
        Ok(customers.len())
    }

    fn deliver(
        &mut self,
        now: Seconds,
        limit: usize,
        deliver: &mut dyn FnMut(&[OutboxRow]) -> Vec<Attempt>,
    ) -> Result<usize> {
        let mut tx = self.client()?.transaction().map_err(failed)?;
        let rows: Vec<OutboxRow> = tx
            .query(PENDING, &[&now, &(limit as i64)])
            .map_err(failed)?
            .iter()
            .map(outbox_row)
            .collect();
        if rows.is_empty() {
            tx.commit().map_err(failed)?;
            return Ok(0);
        }
        let attempts = deliver(&rows);
        let customers: Vec<&str> = attempts.iter().map(|a| a.customer.as_str()).collect();
        let keys: Vec<&str> = attempts.iter().map(|a| a.key.as_str()).collect();
        let states: Vec<&str> = attempts.iter().map(|a| a.state.as_str()).collect();
        let tries: Vec<i64> = attempts.iter().map(|a| a.tries).collect();
        let next: Vec<i64> = attempts.iter().map(|a| a.next_try).collect();
        let errors: Vec<Option<&str>> = attempts.iter().map(|a| a.error.as_deref()).collect();
        tx.execute(
            ATTEMPTED,
            &[&customers, &keys, &states, &tries, &next, &errors],
        )
        .map_err(failed)?;
        tx.commit().map_err(failed)?;
        Ok(attempts.len())
    }

    fn next_delivery(&mut self) -> Result<Option<Seconds>> {
        Ok(self
            .client()?
            .query_one(NEXT_DELIVERY, &[])
            .map_err(failed)?
            .get(0))
    }

    fn next_timer(&mut self) -> Result<Option<Seconds>> {
        Ok(self
            .client()?
            .query_one(NEXT_TIMER, &[])
            .map_err(failed)?
            .get(0))
    }

    fn customer(&mut self, id: &str) -> Result<Option<CustomerView>> {
        let mut tx = self.client()?.transaction().map_err(failed)?;
        let Some(row) = tx.query_opt(CUSTOMER, &[&id]).map_err(failed)? else {
            return Ok(None);
        };
        let row = customer_row(&row)?;
        let loaded = load(&mut tx, vec![row])?.into_values().next();
        let outbox = tx
            .query(CUSTOMER_OUTBOX, &[&id])
            .map_err(failed)?
            .iter()
            .map(outbox_row)
            .collect();
        let migrations = tx
            .query(CUSTOMER_MIGRATIONS, &[&id])
            .map_err(failed)?
            .iter()
            .map(|row| MigrationRow {
                customer: row.get(0),
                program: row.get(1),
                from_version: row.get(2),
                to_version: row.get(3),
                at: row.get(4),
                moved: row.get(5),
                body: row.get(6),
            })
            .collect();
        tx.commit().map_err(failed)?;
        Ok(loaded.map(|loaded| CustomerView {
            loaded,
            outbox,
            migrations,
        }))
    }

    fn counts(&mut self, now: Seconds) -> Result<Counts> {
        let mut tx = self.client()?.transaction().map_err(failed)?;
        let journeys = tx
            .query(COUNT_JOURNEYS, &[])
            .map_err(failed)?
            .iter()
            .map(|row| (row.get(0), row.get(1), row.get(2), row.get(3), row.get(4)))
            .collect();
        let outbox = tx.query_one(COUNT_OUTBOX, &[]).map_err(failed)?;
        let due = tx.query_one(COUNT_DUE, &[&now]).map_err(failed)?;
        let customers = tx.query_one(COUNT_CUSTOMERS, &[]).map_err(failed)?;
        let counts = Counts {
            journeys,
            outbox: vec![
                ("pending".into(), outbox.get(0)),
                ("dead".into(), outbox.get(1)),
            ],
            timers_due: due.get(0),
            customers: customers.get(0),
        };
        tx.commit().map_err(failed)?;
        Ok(counts)
    }
}
