//! `nurture serve` over HTTP as a client sees it: the token, bad input of
//! every kind, record changes, the manual clock's rules, redeploys.

mod serve_support;

use serde_json::{Value as Json, json};
use serve_support::{Server, TOKEN, call, get, root};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// A folder with the schema and the given bundled programs.
fn folder(programs: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let into = dir.path().join("programs");
    std::fs::create_dir(&into).expect("mkdir");
    for name in programs.iter().chain(&["schema"]) {
        std::fs::copy(
            root().join(format!("programs/{name}.nurture")),
            into.join(format!("{name}.nurture")),
        )
        .expect("copy a program");
    }
    dir
}

fn manual(dir: &tempfile::TempDir, extra: &[&str]) -> Server {
    let mut args = vec![
        "programs",
        "--clock",
        "manual",
        "--store",
        "sqlite:state.db",
    ];
    args.extend_from_slice(extra);
    Server::start(dir.path(), &args)
}

fn post(server: &Server, path: &str, body: &str) -> (u16, Json) {
    let (status, text) = call("POST", &server.url(path), Some(TOKEN), Some(body)).expect("POST");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Json::String(text)),
    )
}

fn put(server: &Server, path: &str, body: &str) -> (u16, Json) {
    let (status, text) = call("PUT", &server.url(path), Some(TOKEN), Some(body)).expect("PUT");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Json::String(text)),
    )
}

fn read(server: &Server, path: &str) -> (u16, Json) {
    let (status, text) = get(&server.url(path), Some(TOKEN)).expect("GET");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Json::String(text)),
    )
}

fn clock(server: &Server, now: &str) -> (u16, Json) {
    post(server, "/v1/clock", &json!({ "now": now }).to_string())
}

const ANNA: &str = r#"{"consents": ["email"], "segments": [], "attributes": {"tier": "silver"}}"#;

fn signup(id: &str, at: &str) -> String {
    json!({"id": id, "at": at, "customer": "anna", "event": "signup"}).to_string()
}

#[test]
fn no_token_or_a_wrong_one_is_401_and_changes_nothing() {
    let dir = folder(&["welcome_new_customer"]);
    let server = manual(&dir, &[]);
    let routes = [
        ("GET", "/v1/programs", None),
        ("GET", "/metrics", None),
        ("GET", "/v1/customers/anna", None),
        ("PUT", "/v1/customers/anna", Some(ANNA)),
        ("POST", "/v1/customers", Some(ANNA)),
        (
            "POST",
            "/v1/clock",
            Some(r#"{"now": "2026-03-01T09:00:00Z"}"#),
        ),
        (
            "POST",
            "/v1/events",
            Some(r#"{"id":"e1","at":"2026-03-01T09:00:00Z","customer":"anna","event":"signup"}"#),
        ),
    ];
    for token in [None, Some("wrong-token-wrong-token"), Some("")] {
        for (method, path, body) in routes {
            let (status, text) = call(method, &server.url(path), token, body).expect("a request");
            assert_eq!(status, 401, "{method} {path} with {token:?}: {text}");
            assert!(text.contains("\"error\""), "{text}");
        }
    }
    // Nothing changed: no customer, the clock unset, no actions.
    assert_eq!(read(&server, "/v1/customers/anna").0, 404);
    assert_eq!(read(&server, "/v1/clock").1["now"], Json::Null);
    let (_, metrics) = get(&server.url("/metrics"), Some(TOKEN)).expect("metrics");
    assert!(metrics.contains("nurture_customers 0\n"), "{metrics}");
    assert!(metrics.contains("nurture_events_total{result=\"accepted\"} 0\n"));
    // /healthz needs none.
    assert_eq!(get(&server.url("/healthz"), None).expect("healthz").0, 200);
}

#[test]
fn bad_input_gets_a_clear_answer_and_the_service_stays_up() {
    let dir = folder(&["welcome_new_customer"]);
    let server = manual(&dir, &["--body-timeout", "2"]);

    // Events before the manual clock is set.
    let (status, answer) = post(&server, "/v1/events", &signup("e0", "2026-03-01T09:00:00Z"));
    assert_eq!(status, 409, "{answer}");
    assert_eq!(clock(&server, "2026-03-01T09:00:00Z").0, 200);
    assert_eq!(put(&server, "/v1/customers/anna", ANNA).0, 201);

    // Malformed JSON, a line that is not an object, no id, an unknown
    // customer, an unknown event, next to a good line: the good line is
    // accepted and every other one is told why.
    let body = [
        "{not json".to_string(),
        "[1, 2]".to_string(),
        json!({"at": "2026-03-01T10:00:00Z", "customer": "anna", "event": "signup"}).to_string(),
        json!({"id": "e9", "at": "2026-03-01T10:00:00Z", "customer": "bob", "event": "signup"})
            .to_string(),
        json!({"id": "e8", "at": "2026-03-01T10:00:00Z", "customer": "anna", "event": "signupp"})
            .to_string(),
        json!({"id": "e7", "at": "yesterday", "customer": "anna", "event": "signup"}).to_string(),
        signup("e1", "2026-03-01T10:00:00Z"),
    ]
    .join("\n");
    let (status, answer) = post(&server, "/v1/events", &body);
    assert_eq!(status, 202, "{answer}");
    assert_eq!(answer["accepted"], 1, "{answer}");
    let rejected = answer["rejected"].as_array().expect("rejected lines");
    let lines: Vec<u64> = rejected
        .iter()
        .map(|r| r["line"].as_u64().unwrap_or(0))
        .collect();
    assert_eq!(lines, [1, 2, 3, 4, 5, 6], "{answer}");
    let reason = |line: usize| rejected[line]["reasons"].to_string();
    assert!(reason(0).contains("not valid JSON"), "{}", reason(0));
    assert!(reason(1).contains("one JSON object"), "{}", reason(1));
    assert!(reason(2).contains("no `id`"), "{}", reason(2));
    assert!(reason(3).contains("no customer `bob`"), "{}", reason(3));
    assert!(reason(4).contains("did you mean `signup`"), "{}", reason(4));
    assert!(reason(5).contains("`at`"), "{}", reason(5));

    // A body where nothing could be read is 400.
    let (status, answer) = post(&server, "/v1/events", "{not json");
    assert_eq!(status, 400, "{answer}");
    let (status, _) = post(&server, "/v1/events", "");
    assert_eq!(status, 400);

    // Far in the past: accepted, processed at once, counted late.
    let (status, answer) = post(
        &server,
        "/v1/events",
        &signup("old", "1999-01-01T00:00:00Z"),
    );
    assert_eq!(
        (status, answer["late"].clone()),
        (202, json!(1)),
        "{answer}"
    );
    let (_, metrics) = get(&server.url("/metrics"), Some(TOKEN)).expect("metrics");
    assert!(
        metrics.contains("nurture_events_late_total 1\n"),
        "{metrics}"
    );

    // A duplicate changes nothing.
    let (status, answer) = post(&server, "/v1/events", &signup("e1", "2026-03-01T10:00:00Z"));
    assert_eq!(
        (status, answer["duplicates"].clone()),
        (202, json!(1)),
        "{answer}"
    );

    // Customer records: a mismatched id, a bad field.
    let (status, answer) = put(&server, "/v1/customers/anna", r#"{"id": "bob"}"#);
    assert_eq!(status, 400, "{answer}");
    let (status, answer) = put(&server, "/v1/customers/anna", r#"{"score": "lots"}"#);
    assert_eq!(status, 400, "{answer}");
    assert!(answer["reasons"].to_string().contains("score"), "{answer}");
    let (status, _) = put(&server, "/v1/customers/anna", "[]");
    assert_eq!(status, 400);

    // The clock: not backwards, and the body must say when.
    let (status, answer) = clock(&server, "2026-02-01T00:00:00Z");
    assert_eq!(status, 409, "{answer}");
    assert!(answer["error"].to_string().contains("forward"), "{answer}");
    assert_eq!(post(&server, "/v1/clock", "{}").0, 400);

    // Routes and methods that do not exist.
    assert_eq!(read(&server, "/v2/anything").0, 404);
    assert_eq!(
        call("DELETE", &server.url("/v1/events"), Some(TOKEN), None)
            .expect("DELETE")
            .0,
        405
    );

    // A 100 MB body: refused (413) on its declared length before it is
    // read, and when it comes in chunks, as soon as it passes the limit.
    let started = Instant::now();
    let mut stream = TcpStream::connect(&server.address).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    write!(
        stream,
        "POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\nContent-Length: 104857600\r\n\r\n"
    )
    .expect("send the head");
    let _ = stream.write_all(&[b' '; 65536]);
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).expect("an answer");
    assert_eq!(&head, b"HTTP/1.1 413", "{}", String::from_utf8_lossy(&head));
    let chunked = call_chunked(&server, 100 << 20);
    assert_eq!(chunked, 413);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );

    // A client that sends half a body and stalls is cut off (408), and
    // others are served meanwhile.
    let mut slow = TcpStream::connect(&server.address).expect("connect");
    slow.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    write!(
        slow,
        "POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\nContent-Length: 1000\r\n\r\n{{\"id\""
    )
    .expect("send half");
    let mut stalled_head = TcpStream::connect(&server.address).expect("connect");
    write!(stalled_head, "GET /healthz HTTP/1.1\r\nHo").expect("half a head");
    assert_eq!(get(&server.url("/healthz"), None).expect("healthz").0, 200);
    let mut answer = [0u8; 12];
    slow.read_exact(&mut answer)
        .expect("an answer to the slow client");
    assert_eq!(&answer, b"HTTP/1.1 408");

    // Still up, and nothing lost: anna's one good signup entered her.
    let (status, page) = read(&server, "/v1/customers/anna");
    assert_eq!(status, 200);
    let welcome = page["journeys"]
        .as_array()
        .and_then(|j| j.iter().find(|j| j["program"] == "welcome_new_customer"))
        .cloned()
        .expect("the welcome journey");
    assert_eq!(welcome["entries"], 1, "{page}");
    assert_eq!(welcome["status"], "in", "{page}");
}

/// POSTs `size` bytes of spaces in chunks of unknown total length.
fn call_chunked(server: &Server, size: usize) -> u16 {
    struct Spaces(usize);
    impl Read for Spaces {
        fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
            let n = buffer.len().min(self.0);
            buffer[..n].fill(b' ');
            self.0 -= n;
            Ok(n)
        }
    }
    let agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(60)))
        .http_status_as_error(false)
        .build()
        .new_agent();
    match agent
        .post(&server.url("/v1/events"))
        .header("Authorization", format!("Bearer {TOKEN}"))
        .send(ureq::SendBody::from_reader(&mut Spaces(size)))
    {
        Ok(response) => response.status().as_u16(),
        // The server may close before the client has sent it all.
        Err(error) => {
            let text = error.to_string();
            assert!(
                text.contains("reset")
                    || text.contains("pipe")
                    || text.contains("closed")
                    || text.contains("413"),
                "{text}"
            );
            413
        }
    }
}

#[test]
fn a_changed_record_can_start_a_segment_trigger_and_an_unchanged_one_does_nothing() {
    let dir = folder(&["welcome_new_customer"]);
    let server = manual(&dir, &[]);
    assert_eq!(clock(&server, "2026-03-01T09:00:00Z").0, 200);
    assert_eq!(
        put(&server, "/v1/customers/anna", ANNA).1["result"],
        "created"
    );
    assert_eq!(
        put(&server, "/v1/customers/anna", ANNA).1["result"],
        "unchanged"
    );
    let (_, page) = read(&server, "/v1/customers/anna");
    assert_eq!(page["journeys"][0]["entries"], 0, "{page}");
    // `trigger segment first_time_buyers entered`.
    let changed = ANNA.replace(r#""segments": []"#, r#""segments": ["first_time_buyers"]"#);
    assert_eq!(
        put(&server, "/v1/customers/anna", &changed).1["result"],
        "updated"
    );
    let (_, page) = read(&server, "/v1/customers/anna");
    let journey = &page["journeys"][0];
    assert_eq!(journey["entries"], 1, "{page}");
    assert_eq!(journey["actions"][0]["action"]["action"], "enter", "{page}");
    assert_eq!(journey["actions"][0]["at"], "2026-03-01T09:00:00Z");
    assert_eq!(
        page["record"]["last_event_at"]["segment_entered"],
        "2026-03-01T09:00:00Z"
    );
}

#[test]
fn a_redeploy_keeps_running_journeys_on_their_version_and_enters_new_ones_on_the_new() {
    let dir = folder(&["welcome_new_customer"]);
    let file = dir.path().join("programs/welcome_new_customer.nurture");
    let mut server = manual(&dir, &[]);
    assert_eq!(clock(&server, "2026-03-01T09:00:00Z").0, 200);
    assert_eq!(put(&server, "/v1/customers/anna", ANNA).0, 201);
    assert_eq!(
        post(&server, "/v1/events", &signup("e1", "2026-03-01T09:00:00Z")).0,
        202
    );
    let (_, page) = read(&server, "/v1/customers/anna");
    let old = page["journeys"][0]["version"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert_eq!(page["journeys"][0]["status"], "in", "{page}");
    assert_eq!(server.stop(), Some(0), "a clean stop");

    // A changed program: the first email has another template.
    let text = std::fs::read_to_string(&file).expect("read");
    let changed = text.replacen("welcome-to-the-family", "welcome-v2", 1);
    assert_ne!(text, changed);
    std::fs::write(&file, changed).expect("write");
    let server2 = manual(&dir, &[]);
    let (_, programs) = read(&server2, "/v1/programs");
    let versions = programs["programs"][0]["versions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(versions.len(), 2, "{programs}");
    let new = programs["programs"][0]["version"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert_ne!(new, old);

    // Anna stays on the old version; Bob enters on the new one.
    let bob = ANNA.to_string();
    assert_eq!(put(&server2, "/v1/customers/bob", &bob).0, 201);
    let event =
        json!({"id": "b1", "at": "2026-03-01T10:00:00Z", "customer": "bob", "event": "signup"});
    assert_eq!(post(&server2, "/v1/events", &event.to_string()).0, 202);
    let (_, anna) = read(&server2, "/v1/customers/anna");
    assert_eq!(anna["journeys"][0]["version"], old.as_str(), "{anna}");
    let (_, bob) = read(&server2, "/v1/customers/bob");
    assert_eq!(bob["journeys"][0]["version"], new.as_str(), "{bob}");
    let sent = bob["journeys"][0]["actions"].to_string();
    assert!(sent.contains("welcome-v2"), "{sent}");
    let short = |digest: &str| digest.trim_start_matches("sha256:")[..12].to_string();
    assert!(
        sent.contains(&format!("\"{}/bob/1/0\"", short(&new))),
        "{sent}"
    );
    // Anna's wait ends on the old plan: her next key has the old digest.
    assert_eq!(clock(&server2, "2026-03-20T00:00:00Z").0, 200);
    let (_, anna) = read(&server2, "/v1/customers/anna");
    let keys = anna["journeys"][0]["actions"].to_string();
    assert!(
        keys.contains(&format!("{}/anna/1/4", short(&old))),
        "{anna}"
    );
    drop(server);
}

#[test]
fn bad_flags_and_bad_programs_are_refused_before_serving() {
    let dir = folder(&["welcome_new_customer"]);
    let run = |args: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_nurture"))
            .arg("serve")
            .args(args)
            .current_dir(dir.path())
            .output()
            .expect("run nurture serve");
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (code, stderr) = run(&["programs", "--store", "mysql://x"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("is not a store"), "{stderr}");
    let (code, stderr) = run(&["programs", "--deliver", "email"]);
    assert_eq!(code, Some(2), "{stderr}");
    let (code, stderr) = run(&["programs", "--token-file", "missing.txt"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("missing.txt"), "{stderr}");
    std::fs::write(
        dir.path().join("programs/broken.nurture"),
        "program broken {\n  kind welcome\n}\n",
    )
    .expect("write");
    let (code, stderr) = run(&["programs"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("nothing was served"), "{stderr}");
}

#[test]
fn the_system_clock_runs_events_now_and_refuses_those_far_ahead() {
    let dir = folder(&["welcome_new_customer"]);
    let server = Server::start(dir.path(), &["programs", "--store", "sqlite:state.db"]);
    assert_eq!(put(&server, "/v1/customers/anna", ANNA).0, 201);
    let now = nurture::run::input::show_time(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0),
    );
    let body = [signup("e1", &now), signup("e2", "2099-01-01T00:00:00Z")].join("\n");
    let (status, answer) = post(&server, "/v1/events", &body);
    assert_eq!(
        (status, answer["accepted"].clone()),
        (202, json!(1)),
        "{answer}"
    );
    assert!(
        answer["rejected"][0]["reasons"]
            .to_string()
            .contains("ahead"),
        "{answer}"
    );
    assert_eq!(clock(&server, "2026-01-01T00:00:00Z").0, 409);
    server.wait_delivered(30);
    let delivered = server.stdout.lock().map(|l| l.clone()).unwrap_or_default();
    assert!(
        delivered.iter().any(|l| l.contains("\"action\":\"enter\"")),
        "{delivered:?}"
    );
}
