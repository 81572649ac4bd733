//! Stage serve, store: the embedded backend, SQLite compiled in. Every
//! table and every statement is in `sql.rs`; rows as read and decoded are
//! `rows.rs`, writing a unit of work back `write.rs`.
//!
//! One process owns the file (SQLite's own lock); its threads each open a
//! connection. The journal is a write-ahead log with `synchronous = FULL`:
//! a commit is on disk when it returns, so an acknowledged batch survives
//! `kill -9` and a power cut. Writers take the lock at `BEGIN IMMEDIATE`,
//! so a unit of work never fails half-way for a lock; others wait up to
//! `busy_timeout`.

mod rows;
mod sql;
mod write;

use super::{
    Ask, Attempt, Batch, Counts, CustomerView, LAYOUT, MigrationRow, OutboxRow, Result, Store,
    StoreError, StoredPlan,
};
use crate::run::{Journey, Seconds};
use rows::*;
use rusqlite::{Connection, OptionalExtension, params};
use sql::*;
use std::path::Path;
use write::write;

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

/// The customers `ids` that exist with their journeys, and which of the
/// (customer, event id) pairs `events` are stored, into `batch`.
fn read_customers(
    tx: &rusqlite::Transaction<'_>,
    ids: &[String],
    events: &[(String, String)],
    batch: &mut Batch,
) -> Result<()> {
    let mut statement = tx.prepare_cached(CUSTOMER).map_err(failed)?;
    let mut raws = Vec::new();
    for id in ids {
        let row = statement
            .query_row(params![id], raw_customer)
            .optional()
            .map_err(failed)?;
        if let Some(row) = row {
            let journeys = load_raw(tx, &row.id).map_err(failed)?;
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
    Ok(())
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
                read_customers(&tx, ids, events, &mut batch)?;
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
        write(&tx, &batch.write)?;
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
