//! Stage serve, HTTP: what each route does. Requests are read with the
//! readers of `nurture replay` (`run::input`), so a record or event that
//! replay takes, serve takes, and a refused one gets the same words.

use super::App;
use super::clock::{self, Mode};
use super::engine::{ClockError, CustomerOutcome, EventOutcome};
use super::http::{error, json, text};
use super::programs::Programs;
use super::store::{CustomerView, DeliveryState, StoreError};
use crate::run::input::{LineReader, Lines, customer_json, parse_time, show_time};
use crate::run::{Customer, Event, Seconds, Status};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value as Json, json};
use std::collections::BTreeMap;
use std::sync::Arc;

/// How far ahead of the system clock an event may be dated (clocks drift);
/// later ones are refused. The manual clock takes any: the test protocol
/// posts a batch after moving the clock to its first event.
const AHEAD: Seconds = 15 * 60;
/// The longest customer or event id.
const MAX_ID: usize = 256;

pub async fn healthz(State(app): State<Arc<App>>) -> Response {
    json(
        StatusCode::OK,
        json!({
            "status": "ok",
            "clock": clock_json(&app),
        }),
    )
}

fn clock_json(app: &App) -> Json {
    let mode = match app.shared.clock.mode {
        Mode::System => "system",
        Mode::Manual => "manual",
    };
    json!({
        "mode": mode,
        "now": app.shared.clock.now().map(show_time),
    })
}

pub async fn get_clock(State(app): State<Arc<App>>) -> Response {
    json(StatusCode::OK, clock_json(&app))
}

pub async fn post_clock(State(app): State<Arc<App>>, headers: HeaderMap, body: Body) -> Response {
    if app.shared.clock.mode != Mode::Manual {
        return error(
            StatusCode::CONFLICT,
            "the clock is the system's; start with `--clock manual` to move it by hand",
        );
    }
    let text = match text(&app, body, &headers).await {
        Ok(text) => text,
        Err(response) => return response,
    };
    let to = match serde_json::from_str::<Json>(&text) {
        Ok(Json::Object(map)) => match map.get("now").and_then(Json::as_str).and_then(parse_time) {
            Some(to) => to,
            None => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "`now` must be a time like \"2026-03-01T09:00:00Z\"",
                );
            }
        },
        _ => {
            return error(
                StatusCode::BAD_REQUEST,
                "the body must be a JSON object like {\"now\": \"2026-03-01T09:00:00Z\"}",
            );
        }
    };
    match app.engine.clock(to).await {
        Ok(moved) => json(
            StatusCode::OK,
            json!({
                "now": show_time(moved.now),
                "fired": moved.fired,
                "still_due_elsewhere": moved.still_due,
            }),
        ),
        Err(ClockError::NotManual) => error(StatusCode::CONFLICT, "the clock is the system's"),
        Err(ClockError::Backwards(at)) => error(
            StatusCode::CONFLICT,
            &format!("time only moves forward: the clock is at {}", show_time(at)),
        ),
        Err(ClockError::Store(problem)) => unavailable(&problem),
    }
}

fn unavailable(problem: &str) -> Response {
    error(
        StatusCode::SERVICE_UNAVAILABLE,
        &format!("{problem}; nothing of this request was kept, send it again"),
    )
}

fn id_problem(id: &str, what: &str) -> Option<String> {
    if id.trim().is_empty() {
        Some(format!("the {what} id is empty"))
    } else if id.len() > MAX_ID {
        Some(format!("the {what} id is longer than {MAX_ID} bytes"))
    } else {
        None
    }
}

pub async fn put_customer(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if let Some(problem) = id_problem(&id, "customer") {
        return error(StatusCode::BAD_REQUEST, &problem);
    }
    let text = match text(&app, body, &headers).await {
        Ok(text) => text,
        Err(response) => return response,
    };
    let mut map = match serde_json::from_str::<Json>(&text) {
        Ok(Json::Object(map)) => map,
        Ok(_) => {
            return error(
                StatusCode::BAD_REQUEST,
                "the body must be one JSON object: the customer record",
            );
        }
        Err(problem) => {
            return error(
                StatusCode::BAD_REQUEST,
                &format!("the body is not valid JSON: {problem}"),
            );
        }
    };
    match map.get("id") {
        None | Some(Json::Null) => {
            map.insert("id".into(), Json::from(id.clone()));
        }
        Some(given) => {
            let same = match given {
                Json::String(text) => text.trim() == id,
                Json::Number(number) => number.to_string() == id,
                _ => false,
            };
            if !same {
                return error(
                    StatusCode::BAD_REQUEST,
                    &format!("the record's `id` is not `{id}`, the one in the path"),
                );
            }
        }
    }
    let reader = LineReader::new(app.schema.as_ref());
    let (customer, notes) = match reader.customer(&map) {
        Ok(read) => read,
        Err(problems) => {
            return json(
                StatusCode::BAD_REQUEST,
                json!({ "error": "the customer record has problems", "reasons": problems }),
            );
        }
    };
    match app.engine.customers(vec![customer]).await {
        Ok(outcomes) => {
            let outcome = outcomes
                .first()
                .copied()
                .unwrap_or(CustomerOutcome::Unchanged);
            let status = if outcome == CustomerOutcome::Created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            json(
                status,
                json!({ "customer": id, "result": customer_outcome(outcome), "notes": notes }),
            )
        }
        Err(problem) => unavailable(&problem),
    }
}

fn customer_outcome(outcome: CustomerOutcome) -> &'static str {
    match outcome {
        CustomerOutcome::Created => "created",
        CustomerOutcome::Updated => "updated",
        CustomerOutcome::Unchanged => "unchanged",
    }
}

pub async fn post_customers(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let text = match text(&app, body, &headers).await {
        Ok(text) => text,
        Err(response) => return response,
    };
    let reader = LineReader::new(app.schema.as_ref());
    let mut customers: Vec<Customer> = Vec::new();
    let mut rejected = Vec::new();
    let mut notes = Vec::new();
    for (line, record) in Lines::split(&text) {
        let read = record
            .map_err(|problem| vec![problem])
            .and_then(|map| reader.customer(&map));
        match read {
            Ok((customer, said)) => match id_problem(&customer.id, "customer") {
                Some(problem) => rejected.push(json!({ "line": line, "reasons": [problem] })),
                None => {
                    for note in said {
                        notes.push(json!({ "line": line, "note": note }));
                    }
                    customers.push(customer);
                }
            },
            Err(problems) => rejected.push(json!({ "line": line, "reasons": problems })),
        }
    }
    if customers.is_empty() {
        let why = if rejected.is_empty() {
            "the body holds no customers: send JSON Lines, one record a line"
        } else {
            "no customer in the body could be read"
        };
        return json(
            StatusCode::BAD_REQUEST,
            json!({ "error": why, "rejected": rejected }),
        );
    }
    match app.engine.customers(customers).await {
        Ok(outcomes) => {
            let count = |wanted: CustomerOutcome| outcomes.iter().filter(|o| **o == wanted).count();
            json(
                StatusCode::OK,
                json!({
                    "created": count(CustomerOutcome::Created),
                    "updated": count(CustomerOutcome::Updated),
                    "unchanged": count(CustomerOutcome::Unchanged),
                    "rejected": rejected,
                    "notes": notes,
                }),
            )
        }
        Err(problem) => unavailable(&problem),
    }
}

pub async fn post_events(State(app): State<Arc<App>>, headers: HeaderMap, body: Body) -> Response {
    let text = match text(&app, body, &headers).await {
        Ok(text) => text,
        Err(response) => return response,
    };
    let reader = LineReader::new(app.schema.as_ref());
    let mut events: Vec<(usize, Event)> = Vec::new();
    let mut rejected = Vec::new();
    let mut notes = Vec::new();
    let system = app.shared.clock.mode == Mode::System;
    let wall = clock::wall();
    for (line, record) in Lines::split(&text) {
        let given_id = record
            .as_ref()
            .ok()
            .and_then(|map| map.get("id"))
            .cloned()
            .unwrap_or(Json::Null);
        let read = record
            .map_err(|problem| vec![problem])
            .and_then(|map| reader.event(&map));
        let (event, said) = match read {
            Ok(read) => read,
            Err(problems) => {
                rejected.push(json!({ "line": line, "id": given_id, "reasons": problems }));
                continue;
            }
        };
        let mut problems = Vec::new();
        match &event.id {
            None => problems.push(
                "the event has no `id`: serve needs one to tell a repeat from a new event"
                    .to_string(),
            ),
            Some(id) => problems.extend(id_problem(id, "event")),
        }
        problems.extend(id_problem(&event.customer, "customer"));
        if system && event.at > wall + AHEAD {
            problems.push(format!(
                "`at` ({}) is more than {} minutes ahead of the service's clock ({})",
                show_time(event.at),
                AHEAD / 60,
                show_time(wall)
            ));
        }
        if !problems.is_empty() {
            rejected.push(json!({ "line": line, "id": given_id, "reasons": problems }));
            continue;
        }
        for note in said {
            notes.push(json!({ "line": line, "note": note }));
        }
        events.push((line, event));
    }
    let lines: Vec<usize> = events.iter().map(|(line, _)| *line).collect();
    let ids: Vec<Json> = events
        .iter()
        .map(|(_, e)| Json::from(e.id.clone().unwrap_or_default()))
        .collect();
    let customers: Vec<String> = events.iter().map(|(_, e)| e.customer.clone()).collect();
    let events: Vec<Event> = events.into_iter().map(|(_, event)| event).collect();
    let outcomes = if events.is_empty() {
        Vec::new()
    } else {
        match app.engine.events(events).await {
            Ok(outcomes) => outcomes,
            Err(problem) if problem == super::engine::CLOCK_UNSET => {
                return error(StatusCode::CONFLICT, &problem);
            }
            Err(problem) => return unavailable(&problem),
        }
    };
    crate::serve::metrics::Metrics::add(&app.shared.metrics.events_rejected, rejected.len() as u64);
    let (mut accepted, mut duplicates, mut late) = (0, 0, 0);
    for (index, outcome) in outcomes.iter().enumerate() {
        match outcome {
            EventOutcome::Accepted { late: was_late } => {
                accepted += 1;
                if *was_late {
                    late += 1;
                }
            }
            EventOutcome::Duplicate => duplicates += 1,
            EventOutcome::UnknownCustomer => {
                let customer = &customers[index];
                rejected.push(json!({
                    "line": lines[index],
                    "id": ids[index],
                    "reasons": [format!(
                        "there is no customer `{customer}`: PUT /v1/customers/{customer} first"
                    )],
                }));
            }
        }
    }
    rejected.sort_by_key(|r| r["line"].as_u64().unwrap_or(0));
    let status = if accepted + duplicates == 0 {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::ACCEPTED
    };
    let mut answer = json!({
        "accepted": accepted,
        "duplicates": duplicates,
        "late": late,
        "rejected": rejected,
        "notes": notes,
    });
    if status == StatusCode::BAD_REQUEST {
        answer["error"] = Json::from(if text.trim().is_empty() {
            "the body holds no events: send JSON Lines, one event a line"
        } else {
            "no event in the body was accepted"
        });
    }
    json(status, answer)
}

/// Runs a read on the reader connection, off the async threads.
async fn read<T: Send + 'static>(
    app: &Arc<App>,
    work: impl FnOnce(&mut dyn super::store::Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, Response> {
    let app = Arc::clone(app);
    let answer = tokio::task::spawn_blocking(move || match app.reader.lock() {
        Ok(mut store) => work(store.as_mut()),
        Err(_) => Err(StoreError::new("the reader connection is unusable")),
    })
    .await;
    match answer {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(problem)) => Err(error(StatusCode::SERVICE_UNAVAILABLE, &problem.message)),
        Err(_) => Err(error(StatusCode::INTERNAL_SERVER_ERROR, "the read failed")),
    }
}

pub async fn get_customer(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    let wanted = id.clone();
    let view = match read(&app, move |store| store.customer(&wanted)).await {
        Ok(view) => view,
        Err(response) => return response,
    };
    match view {
        None => error(
            StatusCode::NOT_FOUND,
            &format!("there is no customer `{id}`"),
        ),
        Some(view) => json(StatusCode::OK, customer_page(&app, view)),
    }
}

fn customer_page(app: &App, view: CustomerView) -> Json {
    let programs = match app.shared.programs.read() {
        Ok(programs) => programs.clone(),
        Err(_) => Programs::default(),
    };
    let record = &view.loaded.row.record;
    let mut actions: BTreeMap<&str, Vec<Json>> = BTreeMap::new();
    for row in &view.outbox {
        let action: Json = serde_json::from_str(&row.body).unwrap_or(Json::Null);
        actions
            .entry(row.program.as_str())
            .or_default()
            .push(json!({
                "key": row.key,
                "at": show_time(row.at),
                "action": action,
                "delivery": row.state.as_str(),
                "tries": row.tries,
                "error": row.error,
                "dead": row.state == DeliveryState::Dead,
            }));
    }
    let mut journeys = Vec::new();
    let mut shown: Vec<String> = Vec::new();
    for journey in &view.loaded.journeys {
        shown.push(journey.program.clone());
        let plan = programs.version(&journey.version);
        let j = &journey.journey;
        let step = match (j.status, plan) {
            (Status::In, Some(plan)) => Programs::step_name(plan, j.node()).map(str::to_string),
            _ => None,
        };
        let status = match (journey.start, j.status) {
            (true, _) => "starting",
            (_, Status::Out) => "out",
            (_, Status::In) => "in",
            (_, Status::Left) => "left",
        };
        journeys.push(json!({
            "program": journey.program,
            "version": journey.version,
            "status": status,
            "step": step,
            "node": (j.status == Status::In).then(|| j.node()),
            "due": journey.timer.map(show_time),
            "holdout": j.holdout,
            "entries": j.entries,
            "entered_at": (j.entries > 0).then(|| show_time(j.entered_at)),
            "left_at": j.left_at().map(show_time),
            "outcome": j.outcome(),
            "record": journey.view.as_ref().map(|view| customer_json(view, app.schema.as_ref())),
            "actions": actions.remove(journey.program.as_str()).unwrap_or_default(),
        }));
    }
    for (program, plan) in programs.deployed() {
        if shown.contains(program) {
            continue;
        }
        journeys.push(json!({
            "program": program,
            "version": plan.digest,
            "status": "out",
            "step": null,
            "due": null,
            "entries": 0,
            "actions": actions.remove(program.as_str()).unwrap_or_default(),
        }));
    }
    json!({
        "customer": view.loaded.row.id,
        "record": customer_json(record, app.schema.as_ref()),
        "ran_until": view.loaded.row.until.map(show_time),
        "journeys": journeys,
    })
}

pub async fn get_programs(State(app): State<Arc<App>>) -> Response {
    let now = app.shared.clock.now().unwrap_or(Seconds::MIN);
    let (counts, stored) =
        match read(&app, move |store| Ok((store.counts(now)?, store.plans()?))).await {
            Ok(read) => read,
            Err(response) => return response,
        };
    let programs = match app.shared.programs.read() {
        Ok(programs) => programs.clone(),
        Err(_) => Programs::default(),
    };
    let mut out = Vec::new();
    let names: std::collections::BTreeSet<&str> = stored
        .iter()
        .map(|p| p.program.as_str())
        .chain(programs.deployed().map(|(name, _)| name.as_str()))
        .collect();
    for name in names {
        let current = programs.current(name);
        let mut versions = Vec::new();
        for plan in stored.iter().filter(|p| p.program == name) {
            let mut steps: BTreeMap<String, i64> = BTreeMap::new();
            let (mut in_flight, mut left, mut out_waiting) = (0, 0, 0);
            for (program, version, status, node, count) in &counts.journeys {
                if program != name || *version != plan.version {
                    continue;
                }
                match status.as_str() {
                    "in" => {
                        in_flight += count;
                        let step = programs
                            .version(version)
                            .and_then(|p| Programs::step_name(p, *node as usize))
                            .unwrap_or("?");
                        *steps.entry(step.to_string()).or_default() += count;
                    }
                    "left" => left += count,
                    _ => out_waiting += count,
                }
            }
            let is_current = current.is_some_and(|c| c.digest == plan.version);
            if !is_current && in_flight == 0 {
                continue;
            }
            versions.push(json!({
                "version": plan.version,
                "current": is_current,
                "deployed_at": show_time(plan.deployed_at),
                "journeys": {
                    "in": in_flight,
                    "by_step": steps,
                    "left": left,
                    "out_with_a_timer": out_waiting,
                },
            }));
        }
        if current.is_none() && versions.is_empty() {
            continue;
        }
        out.push(json!({
            "program": name,
            "deployed": current.is_some(),
            "version": current.map(|c| c.digest.clone()),
            "title": current.and_then(|c| c.title.clone()),
            "versions": versions,
        }));
    }
    json(StatusCode::OK, json!({ "programs": out }))
}

pub async fn get_metrics(State(app): State<Arc<App>>) -> Response {
    let now = app.shared.clock.now().unwrap_or(Seconds::MIN);
    let counts = match read(&app, move |store| store.counts(now)).await {
        Ok(counts) => counts,
        Err(response) => return response,
    };
    let programs = match app.shared.programs.read() {
        Ok(programs) => programs.clone(),
        Err(_) => Programs::default(),
    };
    let page = app.shared.metrics.render(&counts, &programs);
    let mut response = (StatusCode::OK, page).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("text/plain; version=0.0.4"),
    );
    response
}
