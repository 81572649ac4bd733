//! Stage serve, store, PostgreSQL: rows as read, and a batch's customers
//! loaded with their journeys.

use super::super::{CustomerRow, DeliveryState, JourneyRow, Loaded, OutboxRow, Result};
use super::sql::JOURNEYS;
use super::{failed, parse};
use crate::run::{Customer, Journey};
use postgres::{Row, Transaction};
use std::collections::BTreeMap;

pub(super) fn customer_row(row: &Row) -> Result<CustomerRow> {
    let stored = parse::<super::super::StoredRecord>(row.get(1), "customer")?;
    Ok(CustomerRow {
        id: row.get(0),
        record: stored.record,
        until: row.get(2),
        next_timer: row.get(3),
        sends: stored.recent_sends,
    })
}

pub(super) fn journey_row(row: &Row) -> Result<(String, JourneyRow)> {
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

pub(super) fn outbox_row(row: &Row) -> OutboxRow {
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

pub(super) fn status(journey: &Journey) -> &'static str {
    match journey.status {
        crate::run::Status::Out => "out",
        crate::run::Status::In => "in",
        crate::run::Status::Left => "left",
    }
}

/// Loads the journeys of the customers in `rows`.
pub(super) fn load(
    tx: &mut Transaction<'_>,
    rows: Vec<CustomerRow>,
) -> Result<BTreeMap<String, Loaded>> {
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
