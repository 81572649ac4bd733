//! Stage serve, store, PostgreSQL: writing back what a unit of work
//! changed, in its transaction, one statement per table.

use super::super::{Batch, Result};
use super::rows::status;
use super::sql::*;
use super::{failed, json};
use postgres::Transaction;

pub(super) fn write(tx: &mut Transaction<'_>, batch: &Batch) -> Result<()> {
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
