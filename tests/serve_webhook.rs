//! Webhook delivery against a local HTTP server that fails, times out and
//! succeeds in turn: every try carries the action's key as
//! `Idempotency-Key`, the same body each time, and the action ends
//! delivered after its third try; one that never succeeds ends dead, which
//! `/metrics` and the customer's page show.

mod serve_support;

use serde_json::{Value as Json, json};
use serve_support::{Server, TOKEN, call, get, root};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the receiver saw: per key, each try's body.
type Seen = Arc<Mutex<BTreeMap<String, Vec<String>>>>;

/// How the receiver answers the n-th try (from 1) of a key.
#[derive(Clone, Copy)]
enum Script {
    /// 500, then no answer for 3 s, then 200.
    FailHangSucceed,
    /// 503, always.
    Refuse,
}

struct Receiver {
    address: String,
    seen: Seen,
    stop: Arc<AtomicBool>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

fn receiver(script: Script) -> Receiver {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let address = listener.local_addr().expect("address").to_string();
    let seen: Seen = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let (seen_by, stopped) = (Arc::clone(&seen), Arc::clone(&stop));
    std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(120);
        while !stopped.load(Ordering::SeqCst) && Instant::now() < deadline {
            match listener.accept() {
                Ok((stream, _)) => {
                    let seen = Arc::clone(&seen_by);
                    std::thread::spawn(move || answer(stream, &seen, script));
                }
                Err(_) => std::thread::sleep(Duration::from_millis(10)),
            }
        }
    });
    Receiver {
        address,
        seen,
        stop,
    }
}

fn answer(stream: TcpStream, seen: &Seen, script: Script) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(stream) => stream,
        Err(_) => return,
    });
    let mut length = 0;
    let mut key = String::new();
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            break;
        }
        if let Some((name, value)) = trimmed.split_once(':') {
            match name.to_ascii_lowercase().as_str() {
                "content-length" => length = value.trim().parse().unwrap_or(0),
                "idempotency-key" => key = value.trim().to_string(),
                _ => {}
            }
        }
    }
    let mut body = vec![0u8; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let tries = {
        let Ok(mut seen) = seen.lock() else { return };
        let bodies = seen.entry(key).or_default();
        bodies.push(String::from_utf8_lossy(&body).into_owned());
        bodies.len()
    };
    let status = match (script, tries) {
        (Script::FailHangSucceed, 1) => "500 Internal Server Error",
        (Script::FailHangSucceed, 2) => {
            std::thread::sleep(Duration::from_secs(3));
            "200 OK"
        }
        (Script::FailHangSucceed, _) => "200 OK",
        (Script::Refuse, _) => "503 Service Unavailable",
    };
    let mut stream = stream;
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
}

fn folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for name in ["welcome_new_customer", "schema"] {
        std::fs::copy(
            root().join(format!("programs/{name}.nurture")),
            dir.path().join(format!("{name}.nurture")),
        )
        .expect("copy");
    }
    dir
}

fn post(server: &Server, path: &str, body: &str) -> u16 {
    call("POST", &server.url(path), Some(TOKEN), Some(body))
        .expect("a request")
        .0
}

/// Anna signs up: the welcome program enters her and sends an email,
/// four actions.
fn anna_signs_up(server: &Server) {
    assert_eq!(
        post(server, "/v1/clock", r#"{"now": "2026-03-01T09:00:00Z"}"#),
        200
    );
    let anna = r#"{"consents": ["email"], "attributes": {"tier": "silver"}}"#;
    assert_eq!(
        call(
            "PUT",
            &server.url("/v1/customers/anna"),
            Some(TOKEN),
            Some(anna)
        )
        .expect("PUT")
        .0,
        201
    );
    let event =
        json!({"id": "e1", "at": "2026-03-01T09:00:00Z", "customer": "anna", "event": "signup"});
    assert_eq!(post(server, "/v1/events", &event.to_string()), 202);
}

fn page(server: &Server) -> Json {
    let (_, text) = get(&server.url("/v1/customers/anna"), Some(TOKEN)).expect("GET");
    serde_json::from_str(&text).unwrap_or(Json::Null)
}

fn actions(page: &Json) -> Vec<Json> {
    page["journeys"][0]["actions"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn a_webhook_that_fails_then_hangs_then_answers_gets_each_action_once_in_effect() {
    let receiver = receiver(Script::FailHangSucceed);
    let dir = folder();
    let target = format!("webhook:http://{}/hook", receiver.address);
    let server = Server::start(
        dir.path(),
        &[
            ".",
            "--clock",
            "manual",
            "--store",
            "sqlite:state.db",
            "--deliver",
            &target,
            "--webhook-timeout",
            "1",
            "--retry-wait",
            "1",
        ],
    );
    anna_signs_up(&server);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let page = page(&server);
        let done = actions(&page);
        if done.len() == 4 && done.iter().all(|a| a["delivery"] == "delivered") {
            for action in &done {
                assert_eq!(action["tries"], 3, "{action}");
            }
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not delivered in 60 s: {page}\n{}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let seen = receiver.seen.lock().map(|s| s.clone()).unwrap_or_default();
    assert_eq!(seen.len(), 4, "{seen:?}");
    for (key, bodies) in &seen {
        assert_eq!(bodies.len(), 3, "{key}: fail, time out, succeed");
        assert!(
            bodies.iter().all(|b| b == &bodies[0]),
            "the same body each try"
        );
        let action: Json = serde_json::from_str(&bodies[0]).expect("a JSON body");
        assert_eq!(
            action["key"].as_str(),
            Some(key.as_str()),
            "Idempotency-Key is the key"
        );
    }
    let (_, metrics) = get(&server.url("/metrics"), Some(TOKEN)).expect("metrics");
    assert!(
        metrics.contains("nurture_deliveries_total{result=\"delivered\"} 4\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains("nurture_deliveries_total{result=\"failed\"} 8\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains("nurture_outbox{state=\"pending\"} 0\n"),
        "{metrics}"
    );
    // Nothing on stdout: the actions went to the webhook.
    assert!(server.stdout.lock().map(|l| l.is_empty()).unwrap_or(false));
}

#[test]
fn an_action_the_webhook_never_takes_is_dead_after_its_tries() {
    let receiver = receiver(Script::Refuse);
    let dir = folder();
    let target = format!("webhook:http://{}/hook", receiver.address);
    let server = Server::start(
        dir.path(),
        &[
            ".",
            "--clock",
            "manual",
            "--store",
            "sqlite:state.db",
            "--deliver",
            &target,
            "--webhook-tries",
            "2",
            "--retry-wait",
            "1",
        ],
    );
    anna_signs_up(&server);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let page = page(&server);
        let done = actions(&page);
        if done.len() == 4 && done.iter().all(|a| a["dead"] == true) {
            assert!(done[0]["error"].to_string().contains("503"), "{page}");
            assert_eq!(done[0]["tries"], 2);
            break;
        }
        assert!(Instant::now() < deadline, "not dead in 60 s: {page}");
        std::thread::sleep(Duration::from_millis(200));
    }
    let (_, metrics) = get(&server.url("/metrics"), Some(TOKEN)).expect("metrics");
    assert!(
        metrics.contains("nurture_outbox{state=\"dead\"} 4\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains("nurture_deliveries_total{result=\"dead\"} 4\n"),
        "{metrics}"
    );
    let tries: usize = receiver
        .seen
        .lock()
        .map(|s| s.values().map(Vec::len).sum())
        .unwrap_or(0);
    assert_eq!(tries, 8, "two tries each, no more");
}
