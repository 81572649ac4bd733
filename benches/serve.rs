//! `nurture serve` under load: a bench binary that starts the real server
//! (the release build) on loopback and drives it over HTTP, as a sending
//! system would. Figures are printed; docs/serve.md quotes them.
//!
//! Run: `cargo bench --bench serve -- SCENARIO…` with any of
//!
//! - `ingest`: sustained ingest-and-process on the embedded store (events
//!   per second, each acknowledged after its commit);
//! - `latency`: single events at 1,000 a second, the time from sending one
//!   to its 202 (its actions are in the outbox then): p50, p99, max;
//! - `timers`: 100,000 customers waiting, the clock moved past their wait:
//!   how long until every timer has fired;
//! - `million`: 1,000,000 customers each with a journey in flight: time to
//!   load, size on disk, the server's memory;
//! - `postgres`: two processes on one PostgreSQL, events per second.
//!
//! Without a scenario: `ingest latency timers postgres`.

#[path = "../tests/serve_support/postgres.rs"]
mod pg;

use serde_json::json;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const TOKEN: &str = "bench-token-0123456789abcdef";
/// The manual clock's start: 2026-03-01T00:00:00Z.
const START: i64 = 1_772_323_200;

fn main() {
    let mut scenarios: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    if scenarios.is_empty() {
        scenarios = ["ingest", "latency", "timers", "postgres"]
            .map(String::from)
            .to_vec();
    }
    for scenario in &scenarios {
        match scenario.as_str() {
            "ingest" => ingest(),
            "latency" => latency(),
            "timers" => timers(),
            "million" => million(),
            "postgres" => postgres(),
            other => eprintln!("no scenario `{other}`"),
        }
    }
}

struct Server {
    child: Child,
    address: String,
    _dir: Option<tempfile::TempDir>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn start(dir: &Path, store: &str) -> Server {
    std::fs::write(dir.join("token"), TOKEN).expect("token");
    let mut child = Command::new(env!("CARGO_BIN_EXE_nurture"))
        .arg("serve")
        .arg(root().join("programs"))
        .args([
            "--clock",
            "manual",
            "--deliver",
            "none",
            "--listen",
            "127.0.0.1:0",
        ])
        .args([
            "--token-file",
            "token",
            "--store",
            store,
            "--max-body-mib",
            "64",
        ])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start nurture serve");
    let stderr = child.stderr.take().expect("stderr");
    let (found, address) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(at) = line.find("listening on http://") {
                let rest = &line[at + 20..];
                let _ = found.send(rest.split_whitespace().next().unwrap_or("").to_string());
            }
            if line.contains("error") {
                eprintln!("{line}");
            }
        }
    });
    let address = address
        .recv_timeout(Duration::from_secs(120))
        .expect("the server said where it listens");
    let server = Server {
        child,
        address,
        _dir: None,
    };
    post(
        &server,
        "/v1/clock",
        &json!({"now": show(START)}).to_string(),
    );
    server
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(600)))
        .http_status_as_error(false)
        .build()
        .new_agent()
}

fn post(server: &Server, path: &str, body: &str) -> String {
    post_with(&agent(), &server.address, path, body)
}

fn post_with(agent: &ureq::Agent, address: &str, path: &str, body: &str) -> String {
    let mut response = agent
        .post(&format!("http://{address}{path}"))
        .header("Authorization", format!("Bearer {TOKEN}"))
        .send(body)
        .expect("a request");
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap_or_default();
    assert!(status < 300, "{path}: {status} {text}");
    text
}

fn metric(server: &Server, name: &str) -> f64 {
    let mut response = agent()
        .get(&format!("http://{}/metrics", server.address))
        .header("Authorization", format!("Bearer {TOKEN}"))
        .call()
        .expect("metrics");
    let page = response.body_mut().read_to_string().unwrap_or_default();
    page.lines()
        .find(|line| line.starts_with(name) && line[name.len()..].starts_with(' '))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0.0)
}

fn show(at: i64) -> String {
    jiff::Timestamp::from_second(at)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// Customer `n`: silver, email and SMS, a machine buyer whose last purchase
/// was a year before the start.
fn customer(n: usize) -> String {
    let zone = ["Europe/Berlin", "America/New_York", "Asia/Tokyo"][n % 3];
    let tier = ["silver", "bronze", "gold"][n % 3];
    json!({
        "id": format!("b{n:07}"),
        "time_zone": zone,
        "consents": ["email", "sms"],
        "segments": [],
        "score": n % 50,
        "attributes": {
            "tier": tier,
            "role": "user",
            "is_key_account": n % 10 == 0,
            "lifetime_value": 500 + n % 5000,
            "last_purchase_at": "2025-03-01",
            "contract_end": "2026-12-31",
            "product_line": "coffee_machines",
        },
        "last_event_at": {"purchase": "2025-03-01T00:00:00Z"},
    })
    .to_string()
}

fn load_customers(server: &Server, count: usize, batch: usize) {
    let mut n = 0;
    while n < count {
        let lines: Vec<String> = (n..(n + batch).min(count)).map(customer).collect();
        n += lines.len();
        post(server, "/v1/customers", &lines.join("\n"));
    }
}

/// Event `i` of a stream over `customers`, `step` seconds apart: a mix that
/// starts and moves journeys in most bundled programs.
fn event(i: usize, customers: usize, step: i64) -> String {
    let who = format!("b{:07}", (i.wrapping_mul(7919)) % customers);
    let at = show(START + i as i64 * step);
    let (name, properties) = match i % 8 {
        0 => ("signup", json!({})),
        1 => (
            "purchase",
            json!({"amount": 2500, "product": "barista", "category": "machines"}),
        ),
        2 => {
            let category = ["machines", "bikes"][i % 2];
            ("order_delivered", json!({ "category": category }))
        }
        3 => ("click", json!({"link": "offer"})),
        4 => ("open", json!({})),
        5 => ("login", json!({})),
        6 => (
            "survey_answered",
            json!({"nps": 9, "answer": "great", "reason": "service"}),
        ),
        _ => (
            "fair_visit",
            json!({"fair": "eima", "badge_scanned": true, "interest": "parts"}),
        ),
    };
    json!({"id": format!("v{i}"), "at": at, "customer": who, "event": name, "properties": properties})
        .to_string()
}

/// Posts `count` events in batches of `batch` from `clients` threads, the
/// batches handed out in order; seconds taken.
fn pour(addresses: &[String], count: usize, customers: usize, batch: usize, clients: usize) -> f64 {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    std::thread::scope(|scope| {
        for client in 0..clients {
            let next = Arc::clone(&next);
            let address = addresses[client % addresses.len()].clone();
            scope.spawn(move || {
                let agent = agent();
                loop {
                    let from = next.fetch_add(batch, Ordering::SeqCst);
                    if from >= count {
                        break;
                    }
                    let lines: Vec<String> = (from..(from + batch).min(count))
                        .map(|i| event(i, customers, 5))
                        .collect();
                    post_with(&agent, &address, "/v1/events", &lines.join("\n"));
                }
            });
        }
    });
    started.elapsed().as_secs_f64()
}

fn ingest() {
    let dir = tempfile::tempdir().expect("a folder");
    let server = start(dir.path(), "sqlite:state.db");
    let customers = 20_000;
    let started = Instant::now();
    load_customers(&server, customers, 1000);
    let loading = started.elapsed().as_secs_f64();
    let events = 200_000;
    let seconds = pour(
        std::slice::from_ref(&server.address),
        events,
        customers,
        500,
        4,
    );
    let actions: f64 = [
        "enter", "send", "skip", "defer", "notify", "score", "tag", "untag", "set", "phase", "exit",
    ]
    .iter()
    .map(|k| metric(&server, &format!("nurture_actions_total{{kind=\"{k}\"}}")))
    .sum();
    let retries = metric(&server, "nurture_store_retries_total");
    let busy = metric(&server, "nurture_event_batch_seconds_sum");
    let commits = metric(&server, "nurture_event_batch_seconds_count");
    println!(
        "ingest (SQLite, every bundled program): {customers} customers in {loading:.1} s; {events} events in batches of 500 from 4 clients in {seconds:.1} s = {:.0} events/s, {actions:.0} actions written, {retries:.0} store retries; the engine spent {busy:.1} s in {commits:.0} units of work ({:.0} ms each, {:.0}% of the time)",
        events as f64 / seconds,
        busy * 1000.0 / commits.max(1.0),
        busy * 100.0 / seconds
    );
}

fn latency() {
    let dir = tempfile::tempdir().expect("a folder");
    let server = start(dir.path(), "sqlite:state.db");
    let customers = 10_000;
    load_customers(&server, customers, 1000);
    let rate = 1000.0;
    let seconds = 20.0;
    let clients = 8;
    let total = (rate * seconds) as usize;
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut latencies: Vec<f64> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..clients)
            .map(|_| {
                let next = Arc::clone(&next);
                let address = server.address.clone();
                scope.spawn(move || {
                    let agent = agent();
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::SeqCst);
                        if i >= total {
                            break mine;
                        }
                        // Each event goes at its moment of the schedule.
                        let due = started + Duration::from_secs_f64(i as f64 / rate);
                        if let Some(wait) = due.checked_duration_since(Instant::now()) {
                            std::thread::sleep(wait);
                        }
                        let sent = Instant::now();
                        post_with(&agent, &address, "/v1/events", &event(i, customers, 1));
                        mine.push(sent.elapsed().as_secs_f64() * 1000.0);
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    let took = started.elapsed().as_secs_f64();
    latencies.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q) as usize];
    println!(
        "latency (SQLite): {} single events at {:.0}/s (asked {rate}/s), event sent to 202 (its actions committed to the outbox): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        latencies.len(),
        latencies.len() as f64 / took,
        at(0.5),
        at(0.99),
        at(1.0)
    );
}

/// `count` customers sign up at the start: the welcome program sends and
/// waits two days; then the clock moves to one second after the wait's
/// end, so `count` timers are due at once.
fn timers_for(count: usize) -> (Server, f64, f64) {
    let dir = tempfile::tempdir().expect("a folder");
    let mut server = start(dir.path(), "sqlite:state.db");
    let started = Instant::now();
    load_customers(&server, count, 5000);
    let mut n = 0;
    while n < count {
        let lines: Vec<String> = (n..(n + 5000).min(count))
            .map(|i| {
                json!({"id": "s", "at": show(START), "customer": format!("b{i:07}"), "event": "signup"})
                    .to_string()
            })
            .collect();
        n += lines.len();
        post(&server, "/v1/events", &lines.join("\n"));
    }
    let loading = started.elapsed().as_secs_f64();
    let moved = Instant::now();
    post(
        &server,
        "/v1/clock",
        &json!({"now": show(START + 3 * 86_400)}).to_string(),
    );
    let firing = moved.elapsed().as_secs_f64();
    server._dir = Some(dir);
    (server, loading, firing)
}

fn timers() {
    let (server, loading, firing) = timers_for(100_000);
    println!(
        "timers (SQLite): 100000 customers signed up and waiting in {loading:.1} s; the clock moved past their wait: {:.0} ticks fired in {firing:.1} s",
        metric(&server, "nurture_timers_fired_total")
    );
}

fn million() {
    let dir = tempfile::tempdir().expect("a folder");
    let server = start(dir.path(), "sqlite:state.db");
    let count = 1_000_000;
    let started = Instant::now();
    load_customers(&server, count, 5000);
    let customers_took = started.elapsed().as_secs_f64();
    let mut n = 0;
    while n < count {
        let lines: Vec<String> = (n..(n + 5000).min(count))
            .map(|i| {
                json!({"id": "s", "at": show(START), "customer": format!("b{i:07}"), "event": "signup"})
                    .to_string()
            })
            .collect();
        n += lines.len();
        post(&server, "/v1/events", &lines.join("\n"));
    }
    let took = started.elapsed().as_secs_f64();
    let in_flight = metric(
        &server,
        "nurture_journeys_in_flight{program=\"welcome_new_customer\",step=\"welcome\"}",
    );
    let size = |name: &str| {
        std::fs::metadata(dir.path().join(name))
            .map(|m| m.len())
            .unwrap_or(0)
    };
    let (db, wal) = (size("state.db"), size("state.db-wal"));
    let disk = db + wal;
    let status =
        std::fs::read_to_string(format!("/proc/{}/status", server.child.id())).unwrap_or_default();
    let memory = |field: &str| {
        status
            .lines()
            .find(|l| l.starts_with(field))
            .map(|l| l.trim_start_matches(field).trim().to_string())
            .unwrap_or_default()
    };
    println!(
        "million (SQLite): {count} customers in {customers_took:.0} s, and a signup each in {:.0} s more; {in_flight:.0} welcome journeys in flight; on disk {:.0} MB (database {:.0} MB, log {:.0} MB; {:.0} bytes a customer); server memory {} resident, of which {} its own (the rest is the mapped database file)",
        took - customers_took,
        disk as f64 / 1e6,
        db as f64 / 1e6,
        wal as f64 / 1e6,
        disk as f64 / count as f64,
        memory("VmRSS:"),
        memory("RssAnon:"),
    );
}

fn postgres() {
    let Some(cluster) = pg::Cluster::start() else {
        return;
    };
    let url = cluster.database("bench");
    let dirs = [
        tempfile::tempdir().expect("a folder"),
        tempfile::tempdir().expect("a folder"),
    ];
    let servers: Vec<Server> = dirs.iter().map(|d| start(d.path(), &url)).collect();
    let customers = 20_000;
    let started = Instant::now();
    load_customers(&servers[0], customers, 1000);
    let loading = started.elapsed().as_secs_f64();
    let addresses: Vec<String> = servers.iter().map(|s| s.address.clone()).collect();
    let events = 200_000;
    let seconds = pour(&addresses, events, customers, 500, 4);
    let retries: f64 = servers
        .iter()
        .map(|s| metric(s, "nurture_store_retries_total"))
        .sum();
    println!(
        "postgres (two processes, one database): {customers} customers in {loading:.1} s; {events} events in batches of 500 from 4 clients over both in {seconds:.1} s = {:.0} events/s, {retries:.0} store retries",
        events as f64 / seconds
    );
}
