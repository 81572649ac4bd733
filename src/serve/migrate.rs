//! Stage serve: `nurture serve --migrate`. On a redeploy, every journey
//! still running on an older version of a deployed program moves along the
//! migration map of `nurture diff` (`diff/map.rs`) onto the new version, at
//! the moment of the deploy, and what was done is recorded per journey
//! (the `migrations` table, shown by `GET /v1/customers/{id}`). Where the
//! map has a hazard for the journey, it stays on its version, as every
//! journey does without `--migrate`:
//!
//! - N340, nowhere to go: stays;
//! - N341, a message the customer may have had would be sent again: stays;
//! - N342, a wait made shorter: moves only when the customer has waited
//!   less than the new length, so that nobody goes on at once at the
//!   deploy.
//!
//! The move itself is `run::migrate`'s; this file only decides, feeds it
//! and writes the rows.

use super::customer::Working;
use super::programs::Programs;
use super::store::{Ask, MigrationRow, Store};
use crate::codes::Code;
use crate::diff::layout::{Layout, Rest};
use crate::diff::map::MigrationMap;
use crate::plan::Plan;
use crate::run::Seconds;
use crate::run::Status;
use crate::run::migrate::Landing;
use crate::run::track::Track;
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Customers loaded per transaction of the pass.
const BATCH: usize = 500;

/// What the pass did, for the start-up lines.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Migrated {
    pub moved: usize,
    pub stayed: usize,
}

/// Moves the running journeys of every deployed program that are on an
/// older version, at `now` (the deploy; `None` with the manual clock not
/// set yet: each journey's latest moment).
pub fn migrate_all(
    store: &mut dyn Store,
    programs: &Programs,
    now: Option<Seconds>,
    seed: u64,
) -> Result<Migrated, String> {
    let mut done = Migrated::default();
    let mut maps = Maps::default();
    let deployed: Vec<(String, String)> = programs
        .deployed()
        .map(|(program, plan)| (program.clone(), plan.digest.clone()))
        .collect();
    for (program, version) in deployed {
        let ids = store
            .running_elsewhere(&program, &version)
            .map_err(|e| e.message)?;
        for chunk in ids.chunks(BATCH) {
            let ask = Ask::Customers {
                ids: chunk.to_vec(),
                events: Vec::new(),
            };
            let mut work = |batch: &mut super::store::Batch| -> Result<(), String> {
                let loaded = std::mem::take(&mut batch.customers);
                for (_, loaded) in loaded {
                    let mut working = Working::from_loaded(loaded, programs)?;
                    let records = migrate_customer(&mut working, programs, &mut maps, now, seed);
                    for record in records {
                        if record.moved {
                            done.moved += 1;
                        } else {
                            done.stayed += 1;
                        }
                        batch.write.migrations.push(record);
                    }
                    working.write(&mut batch.write, super::clock::wall());
                }
                Ok(())
            };
            store.work(&ask, &mut work).map_err(|e| e.message)?;
        }
    }
    Ok(done)
}

/// The migration maps worked out so far, by (old digest, new digest).
#[derive(Default)]
struct Maps {
    maps: BTreeMap<(String, String), Arc<MigrationMap>>,
}

impl Maps {
    fn get(&mut self, old: &Plan, new: &Plan) -> Arc<MigrationMap> {
        let key = (old.digest.clone(), new.digest.clone());
        Arc::clone(
            self.maps
                .entry(key)
                .or_insert_with(|| Arc::new(MigrationMap::new(old, new))),
        )
    }
}

/// Moves one customer's journeys that run on a version that is not
/// current; what was done with each. The customer moves as a whole, as in
/// every other unit of work: what was due before the deploy fires first,
/// every program's in time order, and each move goes through the schema's
/// caps and starts the hand-offs its changes wait for
/// (`run::portfolio::Together::migrate`), so a moved journey keeps the
/// caps and groups exactly as one that never moved.
fn migrate_customer(
    working: &mut Working,
    programs: &Programs,
    maps: &mut Maps,
    now: Option<Seconds>,
    seed: u64,
) -> Vec<MigrationRow> {
    let mut records = Vec::new();
    let customer = working.row.id.clone();
    for i in 0..working.tracks.len() {
        let Some(current) = programs.current(&working.tracks[i].program).cloned() else {
            continue;
        };
        let running = |working: &Working| {
            let (tracked, seat) = (&working.tracks[i], &working.together.seats[i]);
            tracked.plan.digest != current.digest
                && tracked.start.is_none()
                && seat.journey.status == Status::In
        };
        if !running(working) {
            continue;
        }
        let at = {
            let until = working.together.seats[i].until;
            now.unwrap_or(until).max(until)
        };
        // What was due before the deploy happens on the old version first.
        working.catch_up(at, seed);
        if !running(working) {
            // Ended before the deploy: a finished journey moves as always.
            adopt(working, i, &current);
            continue;
        }
        if let Some(record) = migrate_one(working, i, &customer, maps, at, seed, current) {
            working.row.until = working.row.until.max(Some(record.at));
            records.push(record);
        }
    }
    records
}

/// A journey of `working` that ended moves to `current`, keeping its
/// recent sends.
fn adopt(working: &mut Working, i: usize, current: &Arc<Plan>) {
    let (tracked, seat) = (&mut working.tracks[i], &mut working.together.seats[i]);
    let mut track = Track {
        customer: crate::run::Customer::default(),
        journey: std::mem::take(&mut seat.journey),
        until: seat.until,
    };
    if track.adopt(&tracked.plan, current) {
        tracked.plan = Arc::clone(current);
    }
    seat.journey = track.journey;
}

/// Moves journey `i` of `working` at `at`; the record of what was done.
fn migrate_one(
    working: &mut Working,
    i: usize,
    customer: &str,
    maps: &mut Maps,
    at: Seconds,
    seed: u64,
    current: Arc<Plan>,
) -> Option<MigrationRow> {
    let old = Arc::clone(&working.tracks[i].plan);
    let seat = working.together.seats.get(i)?;
    let track = Track {
        customer: crate::run::Customer::default(),
        journey: seat.journey.clone(),
        until: seat.until,
    };
    let map = maps.get(&old, &current);
    let decision = decide(&old, &current, &map, &track, at);
    let mut body = json!({
        "from": decision.from,
        "to": decision.to,
    });
    let moved = match decision.landing {
        Some(landing) => {
            // The line-up runs on the new version for this program.
            working.tracks[i].plan = Arc::clone(&current);
            let moved = working.with_lineup(seed, |together, lineup, out| {
                together.migrate(lineup, i, &old, &landing, &map.sends, at, out)
            });
            if !moved {
                working.tracks[i].plan = Arc::clone(&old);
            }
            moved
        }
        None => false,
    };
    if let Some(reason) = decision.reason {
        body["reason"] = json!(reason);
    }
    if let Some(code) = decision.code {
        body["code"] = json!(code);
    }
    Some(MigrationRow {
        customer: customer.to_string(),
        program: working.tracks[i].program.clone(),
        from_version: old.digest.clone(),
        to_version: current.digest.clone(),
        at,
        moved,
        body: body.to_string(),
    })
}

struct Decision {
    from: String,
    to: Option<String>,
    /// Where to move it; `None`: it stays.
    landing: Option<Landing>,
    reason: Option<String>,
    code: Option<&'static str>,
}

/// Where the journey goes, or why it stays.
fn decide(old: &Plan, new: &Plan, map: &MigrationMap, track: &Track, at: Seconds) -> Decision {
    let (old_layout, new_layout) = (Layout::new(old), Layout::new(new));
    let stays = |from: String, reason: String, code: Option<&'static str>| Decision {
        from,
        to: None,
        landing: None,
        reason: Some(reason),
        code,
    };
    let Some(rest) = Rest::of(old, &track.journey) else {
        return stays(
            format!("node {}", track.journey.node()),
            "the journey is at no place the old version rests at".into(),
            None,
        );
    };
    let from = old_layout.where_rests(rest);
    let Some(place) = map.place(rest) else {
        return stays(from, "the place is not in the migration map".into(), None);
    };
    let Some(landing) = place.to.clone() else {
        let reason = place
            .hazards
            .first()
            .map(|h| h.message.clone())
            .unwrap_or_else(|| "the place has nowhere to go".into());
        return stays(from, reason, Some(Code::UnmappedPlace.id()));
    };
    if let Some(again) = place.hazards.iter().find(|h| h.code == Code::SentAgain) {
        return stays(from, again.message.clone(), Some(Code::SentAgain.id()));
    }
    let shortened = place.hazards.iter().any(|h| h.code == Code::WaitShortened);
    if shortened {
        let due = track.landing_due(old, new, &landing);
        if due.is_none_or(|due| due <= at) {
            return stays(
                from,
                "the customer has already waited longer than the new version's wait".into(),
                Some(Code::WaitShortened.id()),
            );
        }
    }
    let to = match &landing {
        Landing::Rest { node } => format!("waits at {}", new_layout.where_is(*node)),
        Landing::GoOn { node } => format!("goes on at {}", new_layout.where_is(*node)),
        Landing::Holdout => "stays in the holdout".into(),
        Landing::Leave { outcome } => format!("leaves as `{outcome}`"),
    };
    Decision {
        from,
        to: Some(to),
        landing: Some(landing),
        reason: place.note.clone(),
        code: None,
    }
}
