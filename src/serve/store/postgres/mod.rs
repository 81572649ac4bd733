//! Stage serve, store: the shared backend, PostgreSQL. Every table and
//! every statement is in `sql.rs`; rows as read are `rows.rs`, writing a
//! unit of work back `write.rs`.
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

mod rows;
mod sql;
mod write;

use super::{
    Ask, Attempt, Batch, Counts, CustomerView, LAYOUT, MigrationRow, OutboxRow, Result, Store,
    StoreError, StoredPlan,
};
use crate::run::{Journey, Seconds};
use postgres::{Client, NoTls};
use rows::*;
use sql::*;
use write::write;

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
