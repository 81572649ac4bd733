//! Stage serve, store, SQLite: writing back what a unit of work changed,
//! in its transaction.

use super::super::{Result, Writes};
use super::rows::status;
use super::sql::*;
use super::{failed, json};
use rusqlite::params;

pub(super) fn write(tx: &rusqlite::Transaction<'_>, write: &Writes) -> Result<()> {
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
