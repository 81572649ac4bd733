//! What the `nurture serve` tests share: starting the real binary on a
//! free loopback port and talking HTTP to it, the bundled sample turned
//! into requests, the test protocol (batches, duplicates, the manual clock),
//! `nurture replay`'s actions to compare with, and a throwaway PostgreSQL.
//!
//! Every wait is bounded in time; every server is killed when dropped.

#![allow(dead_code)]

pub mod postgres;
pub mod store_suite;

use nurture::run::input::{self, Format};
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const TOKEN: &str = "test-token-0123456789abcdef";
/// The time every run ends at, as `nurture replay --until`.
pub const FINAL: &str = "2026-06-30T00:00:00Z";

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A running `nurture serve`.
pub struct Server {
    child: Child,
    pub address: String,
    /// Every line it printed on stdout (the delivered actions), across its
    /// life.
    pub stdout: Arc<Mutex<Vec<String>>>,
    pub stderr: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// Starts `nurture serve ARGS --listen 127.0.0.1:0 --token-file …` in
    /// `dir` and waits (at most 60 s) for it to say where it listens.
    pub fn start(dir: &Path, args: &[&str]) -> Server {
        Server::try_start(dir, args).unwrap_or_else(|log| panic!("serve did not start:\n{log}"))
    }

    pub fn try_start(dir: &Path, args: &[&str]) -> Result<Server, String> {
        let token = dir.join("token");
        std::fs::write(&token, format!("{TOKEN}\n")).map_err(|e| e.to_string())?;
        let mut command = Command::new(env!("CARGO_BIN_EXE_nurture"));
        command
            .arg("serve")
            .args(args)
            .args(["--listen", "127.0.0.1:0", "--token-file"])
            .arg(&token)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().map_err(|e| e.to_string())?;
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let (found, address) = std::sync::mpsc::channel::<String>();
        if let Some(out) = child.stdout.take() {
            let lines = Arc::clone(&stdout);
            std::thread::spawn(move || {
                for line in BufReader::new(out).lines().map_while(Result::ok) {
                    if let Ok(mut lines) = lines.lock() {
                        lines.push(line);
                    }
                }
            });
        }
        if let Some(err) = child.stderr.take() {
            let lines = Arc::clone(&stderr);
            std::thread::spawn(move || {
                for line in BufReader::new(err).lines().map_while(Result::ok) {
                    if let Some(at) = line.find("listening on http://") {
                        let rest = &line[at + "listening on http://".len()..];
                        let address = rest.split_whitespace().next().unwrap_or("").to_string();
                        let _ = found.send(address);
                    }
                    if let Ok(mut lines) = lines.lock() {
                        lines.push(line);
                    }
                }
            });
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(address) = address.recv_timeout(Duration::from_millis(50)) {
                return Ok(Server {
                    child,
                    address,
                    stdout,
                    stderr,
                });
            }
            if let Ok(Some(status)) = child.try_wait() {
                std::thread::sleep(Duration::from_millis(100));
                let log = stderr.lock().map(|l| l.join("\n")).unwrap_or_default();
                return Err(format!("exited with {status}:\n{log}"));
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let log = stderr.lock().map(|l| l.join("\n")).unwrap_or_default();
                return Err(format!("no address within 60 s:\n{log}"));
            }
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// SIGKILL, and wait for it to be gone.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, and wait (at most 30 s) for it to stop by itself.
    pub fn stop(&mut self) -> Option<i32> {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                // Let the reading threads take the last lines.
                std::thread::sleep(Duration::from_millis(200));
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.kill();
        None
    }

    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    pub fn log(&self) -> String {
        self.stderr.lock().map(|l| l.join("\n")).unwrap_or_default()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits (at most `seconds`) until the outbox has nothing pending.
    pub fn wait_delivered(&self, seconds: u64) {
        let deadline = Instant::now() + Duration::from_secs(seconds);
        loop {
            if let Ok((200, page)) = get(&self.url("/metrics"), Some(TOKEN))
                && page.contains("nurture_outbox{state=\"pending\"} 0\n")
            {
                // Delivered rows are written after the line is printed;
                // give the reading thread a moment for the last lines.
                std::thread::sleep(Duration::from_millis(200));
                return;
            }
            assert!(
                Instant::now() < deadline,
                "actions still pending after {seconds} s:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(120)))
        .http_status_as_error(false)
        .build()
        .new_agent()
}

/// A request: the status and body, or why it failed (a connection refused
/// or reset: the server died).
pub fn call(
    method: &str,
    url: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> Result<(u16, String), String> {
    let agent = agent();
    let mut request = ureq::http::Request::builder().method(method).uri(url);
    if let Some(token) = token {
        request = request.header("Authorization", format!("Bearer {token}"));
    }
    let request = request
        .body(body.unwrap_or("").to_string())
        .map_err(|e| e.to_string())?;
    match agent.run(request) {
        Ok(mut response) => {
            let status = response.status().as_u16();
            let text = response
                .body_mut()
                .with_config()
                .limit(512 << 20)
                .read_to_string()
                .map_err(|e| e.to_string())?;
            Ok((status, text))
        }
        Err(error) => Err(error.to_string()),
    }
}

pub fn get(url: &str, token: Option<&str>) -> Result<(u16, String), String> {
    call("GET", url, token, None)
}

pub fn json(text: &str) -> Json {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// The sample's customers (programs/sample/customers.csv) as JSON Lines
/// records, in the form `PUT /v1/customers/{id}` takes.
pub fn customers() -> Vec<(String, String)> {
    customers_from("programs/sample/customers.csv")
}

/// The customers of a CSV file of the repository as JSON Lines records.
pub fn customers_from(path: &str) -> Vec<(String, String)> {
    let text = read(&root().join(path));
    let schema = schema();
    let (customers, errors) =
        input::read_customers("customers.csv", &text, Format::Csv, Some(&schema));
    assert!(errors.is_empty(), "{errors:?}");
    customers
        .iter()
        .map(|c| {
            (
                c.id.clone(),
                input::customer_json(c, Some(&schema)).to_string(),
            )
        })
        .collect()
}

pub fn schema() -> nurture::syntax::ast::Schema {
    nurture::syntax::parse(&read(&root().join("programs/schema.nurture")))
        .schema
        .expect("programs/schema.nurture is a schema")
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// One event of the sample: its time and its JSON line with an `id`.
#[derive(Clone, Debug)]
pub struct Sent {
    pub at: i64,
    pub customer: String,
    pub line: String,
}

/// The sample's events (programs/sample/events.jsonl) in time order (a
/// stable sort, as replay's), each given the id `e` and its line number.
pub fn events() -> Vec<Sent> {
    let text = read(&root().join("programs/sample/events.jsonl"));
    let mut events: Vec<Sent> = text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(index, line)| {
            let mut value = json(line);
            value["id"] = Json::from(format!("e{}", index + 1));
            let at = input::parse_time(value["at"].as_str().unwrap_or("")).expect("a time");
            let customer = value["customer"].as_str().unwrap_or("").to_string();
            Sent {
                at,
                customer,
                line: value.to_string(),
            }
        })
        .collect();
    events.sort_by_key(|e| e.at);
    events
}

/// A small deterministic generator (xorshift64*), for batch sizes, the
/// order within a batch, duplicates and kill points.
pub struct Dice(pub u64);

impl Dice {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// One request of the test protocol.
#[derive(Clone, Debug)]
pub enum Step {
    Clock(String),
    Customers(String),
    Customer(String, String),
    Events(String),
}

/// The test protocol: the clock set to the first event; the customers
/// (some one by one with PUT, the rest as JSON Lines); then the events in
/// batches of 1 to 25 consecutive events in time order, each batch's lines
/// shuffled across customers (a customer's own events keep their order)
/// with a duplicate or two of events already sent, the clock moved to the
/// batch's first event before it is posted; at the end the clock moved to
/// [`FINAL`].
pub fn protocol(seed: u64) -> Vec<Step> {
    let mut dice = Dice(seed | 1);
    let events = events();
    let customers = customers();
    let mut steps = vec![Step::Clock(nurture::run::input::show_time(events[0].at))];
    let (one_by_one, rest) = customers.split_at(customers.len() / 3);
    for (id, record) in one_by_one {
        steps.push(Step::Customer(id.clone(), record.clone()));
    }
    let lines: Vec<&str> = rest.iter().map(|(_, record)| record.as_str()).collect();
    steps.push(Step::Customers(lines.join("\n")));
    let mut sent: Vec<String> = Vec::new();
    let mut at = 0;
    while at < events.len() {
        let size = 1 + dice.below(25) as usize;
        let batch = &events[at..(at + size).min(events.len())];
        at += batch.len();
        // Interleave: take the next event of a customer picked at random.
        let mut queues: BTreeMap<&str, std::collections::VecDeque<&Sent>> = BTreeMap::new();
        for event in batch {
            queues.entry(&event.customer).or_default().push_back(event);
        }
        let mut lines = Vec::new();
        while !queues.is_empty() {
            let pick = dice.below(queues.len() as u64) as usize;
            let key = *queues.keys().nth(pick).unwrap_or(&"");
            if let Some(queue) = queues.get_mut(key) {
                if let Some(event) = queue.pop_front() {
                    lines.push(event.line.clone());
                }
                if queue.is_empty() {
                    queues.remove(key);
                }
            }
        }
        // Duplicates: an event sent before, or one of this batch twice.
        for _ in 0..dice.below(3) {
            if !sent.is_empty() && dice.below(2) == 0 {
                lines.push(sent[dice.below(sent.len() as u64) as usize].clone());
            } else {
                let copy = lines[dice.below(lines.len() as u64) as usize].clone();
                lines.push(copy);
            }
        }
        sent.extend(batch.iter().map(|e| e.line.clone()));
        steps.push(Step::Clock(nurture::run::input::show_time(batch[0].at)));
        steps.push(Step::Events(lines.join("\n")));
    }
    steps.push(Step::Clock(FINAL.to_string()));
    steps
}

/// Sends one step; the status and answer, or why it failed.
pub fn send(server_url: &dyn Fn(&str) -> String, step: &Step) -> Result<(u16, String), String> {
    match step {
        Step::Clock(now) => call(
            "POST",
            &server_url("/v1/clock"),
            Some(TOKEN),
            Some(&serde_json::json!({ "now": now }).to_string()),
        ),
        Step::Customers(lines) => call(
            "POST",
            &server_url("/v1/customers"),
            Some(TOKEN),
            Some(lines),
        ),
        Step::Customer(id, record) => call(
            "PUT",
            &server_url(&format!("/v1/customers/{id}")),
            Some(TOKEN),
            Some(record),
        ),
        Step::Events(lines) => call("POST", &server_url("/v1/events"), Some(TOKEN), Some(lines)),
    }
}

/// Whether an answer is the success the step expects.
pub fn succeeded(step: &Step, status: u16) -> bool {
    match step {
        Step::Clock(_) | Step::Customers(_) => status == 200,
        Step::Customer(..) => status == 200 || status == 201,
        Step::Events(_) => status == 202,
    }
}

/// `nurture replay PROGRAM --until FINAL` on the sample: its action lines.
pub fn replay(program: &Path) -> Vec<String> {
    replay_with(
        program,
        &root().join("programs/sample/customers.csv"),
        &root().join("programs/sample/events.jsonl"),
        FINAL,
    )
}

/// `nurture replay PROGRAM --customers C --events E --until U`: its action
/// lines.
pub fn replay_with(program: &Path, customers: &Path, events: &Path, until: &str) -> Vec<String> {
    let output = Command::new(env!("CARGO_BIN_EXE_nurture"))
        .arg("replay")
        .arg(program)
        .arg("--customers")
        .arg(customers)
        .arg("--events")
        .arg(events)
        .args(["--until", until])
        .current_dir(root())
        .output()
        .expect("run nurture replay");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

/// Every bundled program.
pub fn programs() -> Vec<PathBuf> {
    let mut programs: Vec<PathBuf> = std::fs::read_dir(root().join("programs"))
        .expect("programs/")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            path.extension().is_some_and(|e| e == "nurture")
                && path.file_name().is_some_and(|n| n != "schema.nurture")
        })
        .collect();
    programs.sort();
    programs
}

/// Every program's replay, as one map from key to action.
pub fn expected() -> BTreeMap<String, Json> {
    let mut expected = BTreeMap::new();
    for program in programs() {
        for line in replay(&program) {
            let action = json(&line);
            let key = action["key"].as_str().unwrap_or("").to_string();
            assert!(
                expected.insert(key.clone(), action).is_none(),
                "key {key} twice"
            );
        }
    }
    assert!(expected.len() > 200, "the sample gives hundreds of actions");
    expected
}

/// Compares delivered lines with replay's actions by key: none missing,
/// none extra, none with other content (repeats of the same content are
/// allowed: delivery is at least once).
pub fn compare(expected: &BTreeMap<String, Json>, delivered: &[String]) -> Result<(), String> {
    let mut got: BTreeMap<String, Json> = BTreeMap::new();
    let mut problems = Vec::new();
    for line in delivered {
        let action = json(line);
        let key = action["key"].as_str().unwrap_or("").to_string();
        if let Some(before) = got.get(&key) {
            if *before != action {
                problems.push(format!(
                    "key {key} delivered with two contents:\n  {before}\n  {action}"
                ));
            }
        } else {
            got.insert(key, action);
        }
    }
    for (key, action) in expected {
        match got.get(key) {
            None => problems.push(format!("missing {key}: {action}")),
            Some(other) if other != action => problems.push(format!(
                "different {key}:\n  replay {action}\n  serve  {other}"
            )),
            Some(_) => {}
        }
    }
    for (key, action) in &got {
        if !expected.contains_key(key) {
            problems.push(format!("extra {key}: {action}"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        let shown: Vec<&String> = problems.iter().take(20).collect();
        Err(format!(
            "{} problem(s) of {} expected actions:\n{}",
            problems.len(),
            expected.len(),
            shown
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        ))
    }
}
