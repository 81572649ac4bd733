//! Stage serve, store, SQLite: rows as read and as decoded. A unit of work
//! reads its customers' rows as text on the thread that owns the
//! connection, and decodes their JSON on every core (`decode_all`).

use super::super::{CustomerRow, DeliveryState, JourneyRow, Loaded, OutboxRow, Result, StoreError};
use super::sql::JOURNEYS;
use super::{failed, parse};
use crate::run::{Customer, Journey, Seconds};
use rusqlite::{Row, params};

/// A customer's row as read, its record's JSON not yet decoded: the
/// thread that owns the connection only reads, and the JSON is decoded on
/// every core ([`decode_all`]).
pub(super) struct RawCustomer {
    pub(super) id: String,
    record: String,
    until: Option<Seconds>,
    next_timer: Option<Seconds>,
}

/// A journey row as read, its JSON not yet decoded.
pub(super) struct RawJourney {
    program: String,
    version: String,
    start: bool,
    journey: String,
    view: Option<String>,
    until: Seconds,
    timer: Option<Seconds>,
}

pub(super) fn raw_customer(row: &Row<'_>) -> rusqlite::Result<RawCustomer> {
    Ok(RawCustomer {
        id: row.get(0)?,
        record: row.get(1)?,
        until: row.get(2)?,
        next_timer: row.get(3)?,
    })
}

pub(super) fn raw_journey(row: &Row<'_>) -> rusqlite::Result<RawJourney> {
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

pub(super) fn decode_customer(raw: RawCustomer) -> rusqlite::Result<CustomerRow> {
    let stored = parse::<super::super::StoredRecord>(&raw.record, "customer")?;
    Ok(CustomerRow {
        id: raw.id,
        record: stored.record,
        until: raw.until,
        next_timer: raw.next_timer,
        sends: stored.recent_sends,
    })
}

pub(super) fn decode_journey(raw: RawJourney) -> rusqlite::Result<JourneyRow> {
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

pub(super) fn customer_row(row: &Row<'_>) -> rusqlite::Result<CustomerRow> {
    decode_customer(raw_customer(row)?)
}

/// The customers read with their journeys, decoded on every core, in the
/// order read.
pub(super) fn decode_all(raws: Vec<(RawCustomer, Vec<RawJourney>)>) -> Result<Vec<Loaded>> {
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

pub(super) fn outbox_row(row: &Row<'_>) -> rusqlite::Result<OutboxRow> {
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

pub(super) fn load(tx: &rusqlite::Transaction<'_>, row: CustomerRow) -> rusqlite::Result<Loaded> {
    let mut statement = tx.prepare_cached(JOURNEYS)?;
    let journeys = statement
        .query_map(params![row.id], |row| decode_journey(raw_journey(row)?))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Loaded { row, journeys })
}

/// A customer's journeys, as read.
pub(super) fn load_raw(
    tx: &rusqlite::Transaction<'_>,
    id: &str,
) -> rusqlite::Result<Vec<RawJourney>> {
    let mut statement = tx.prepare_cached(JOURNEYS)?;
    statement
        .query_map(params![id], raw_journey)?
        .collect::<rusqlite::Result<Vec<_>>>()
}

pub(super) fn status(journey: &Journey) -> &'static str {
    match journey.status {
        crate::run::Status::Out => "out",
        crate::run::Status::In => "in",
        crate::run::Status::Left => "left",
    }
}
