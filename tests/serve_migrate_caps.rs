//! `nurture serve --migrate` keeps the schema's caps and groups: a journey
//! moved at a redeploy is one of the customer's programs like any other, so
//! the messages it sent before the deploy and those it sends after count
//! against `cap 2 messages per 3d` with the other programs' sends; and while
//! it runs, a program of its group starts nobody. Every program and each
//! version passes `nurture check` (N316 proves each version within the cap
//! with the others); what only the move makes possible is a send sooner
//! than either version alone would make it: the new version waits 2d where
//! the old waited 4d, counted from when the customer began waiting, so the
//! new `nudge` falls within 3d of the old `hello`, and with a `pong` between
//! them the cap skips it. Exact outcomes for customers at the one place the
//! old version holds them (its wait), moved or (waited past the new 2d,
//! N342) left on the old version, on SQLite and PostgreSQL.

mod serve_support;

use serde_json::{Value as Json, json};
use serve_support::{Server, TOKEN, call, get};

const SCHEMA: &str = "schema {
  channel email
  event signup
  event ping
  tag greeted
  cap 2 messages per 3d
}
";

/// One send, then 4d to the next: never two within 3d.
const OLD: &str = r#"program moving {
  kind     welcome
  owner    "crm-team@example.com"
  trigger  event signup
  consent  email
  reentry  never
  group    onboarding

  step hello {
    send email "hello"
    wait 4d
    send email "last"
    exit nudged
  }
}
"#;

/// The wait 2d shorter and its one send another: a customer waiting at the
/// old `wait 4d` waits at this one (N342: only one who has waited less than
/// 2d moves), counted from when they began.
const NEW: &str = r#"program moving {
  kind     welcome
  owner    "crm-team@example.com"
  trigger  event signup
  consent  email
  reentry  never
  group    onboarding

  step hello {
    wait 2d
    send email "nudge"
    exit nudged
  }
}
"#;

/// Not in the group: answers a customer's first ping.
const PINGED: &str = r#"program pinged {
  kind     after_sales
  owner    "crm-team@example.com"
  trigger  event ping
  consent  email
  reentry  never

  step answer {
    send email "pong"
    exit answered
  }
}
"#;

/// In `moving`'s group: starts nobody `moving` has. It sends nothing, so
/// that the programs together stay within the cap (N316); `check` warns of
/// that (N312), which refuses nothing.
const SIBLING: &str = r#"program sibling {
  kind     welcome
  owner    "crm-team@example.com"
  trigger  event ping
  consent  email
  reentry  never
  group    onboarding

  step hello {
    tag greeted
    exit greeted
  }
}
"#;

const START: &str = "2026-03-18T00:00:00Z";
const DEPLOY: &str = "2026-03-20T22:00:00Z";
const END: &str = "2026-03-30T00:00:00Z";

/// Each customer: when they signed up (and were sent `hello`), and when
/// they pinged (before and after the deploy).
const CUSTOMERS: [(&str, &str, &[&str]); 4] = [
    // Waiting 10h at the deploy: moved.
    ("moved", "2026-03-20T12:00:00Z", &[]),
    (
        "pinged_before",
        "2026-03-20T12:00:00Z",
        &["2026-03-20T21:45:00Z"],
    ),
    (
        "pinged_after",
        "2026-03-20T12:00:00Z",
        &["2026-03-21T01:00:00Z"],
    ),
    // Waiting 2d 12h at the deploy, past the new 2d: left on the old
    // version.
    ("waited_long", "2026-03-18T10:00:00Z", &[]),
];

/// What each customer is done to from the deploy on: (program, action,
/// template or outcome, at). A skip says why.
fn expected(id: &str) -> Vec<(&'static str, &'static str, &'static str, &'static str)> {
    match id {
        // The new `wait 2d` from 20 March 12:00: `nudge` is the second
        // message within 3d, which the cap lets through.
        "moved" => vec![
            ("moving", "send", "nudge", "2026-03-22T12:00:00Z"),
            ("moving", "exit", "nudged", "2026-03-22T12:00:00Z"),
        ],
        // The pong a quarter of an hour before the deploy and `hello`
        // before it hold the cap: `nudge` is skipped, as it would be had
        // the journey never moved.
        "pinged_before" => vec![
            ("moving", "skip", "nudge (cap)", "2026-03-22T12:00:00Z"),
            ("moving", "exit", "nudged", "2026-03-22T12:00:00Z"),
        ],
        // A ping after the deploy: `pinged` answers, the second message
        // within 3d of `hello`, sent on the old version; `sibling` starts
        // nobody `moving` has (no action of its at all), and the moved
        // journey's `nudge` is the third: skipped.
        "pinged_after" => vec![
            ("pinged", "enter", "", "2026-03-21T01:00:00Z"),
            ("pinged", "send", "pong", "2026-03-21T01:00:00Z"),
            ("pinged", "exit", "answered", "2026-03-21T01:00:00Z"),
            ("moving", "skip", "nudge (cap)", "2026-03-22T12:00:00Z"),
            ("moving", "exit", "nudged", "2026-03-22T12:00:00Z"),
        ],
        // On the old version to its end: `last` 4d after `hello`.
        "waited_long" => vec![
            ("moving", "send", "last", "2026-03-22T10:00:00Z"),
            ("moving", "exit", "nudged", "2026-03-22T10:00:00Z"),
        ],
        _ => Vec::new(),
    }
}

fn folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let into = dir.path().join("programs");
    std::fs::create_dir(&into).expect("mkdir");
    for (name, text) in [
        ("schema", SCHEMA),
        ("moving", OLD),
        ("pinged", PINGED),
        ("sibling", SIBLING),
    ] {
        std::fs::write(into.join(format!("{name}.nurture")), text).expect("write a program");
    }
    dir
}

fn serve(dir: &tempfile::TempDir, store: &str, extra: &[&str]) -> Server {
    let mut args = vec![
        "programs",
        "--clock",
        "manual",
        "--store",
        store,
        "--deliver",
        "none",
    ];
    args.extend_from_slice(extra);
    Server::start(dir.path(), &args)
}

fn send(server: &Server, method: &str, path: &str, body: Json) {
    let (status, text) = call(
        method,
        &server.url(path),
        Some(TOKEN),
        Some(&body.to_string()),
    )
    .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    assert!(status < 300, "{method} {path}: {status} {text}");
}

fn clock(server: &Server, at: &str) {
    send(server, "POST", "/v1/clock", json!({ "now": at }));
}

/// Every event, in time order: (at, customer, event id, event).
fn events(after_deploy: bool) -> Vec<(String, String, String, &'static str)> {
    let mut events = Vec::new();
    for (id, signed, pings) in CUSTOMERS {
        if !after_deploy {
            events.push((
                signed.to_string(),
                id.to_string(),
                format!("{id}-s"),
                "signup",
            ));
        }
        for (n, at) in pings.iter().enumerate() {
            if (*at >= DEPLOY) == after_deploy {
                events.push((at.to_string(), id.to_string(), format!("{id}-p{n}"), "ping"));
            }
        }
    }
    events.sort();
    events
}

fn post(server: &Server, events: &[(String, String, String, &'static str)]) {
    for (at, customer, id, name) in events {
        clock(server, at);
        send(
            server,
            "POST",
            "/v1/events",
            json!({"id": id, "at": at, "customer": customer, "event": name}),
        );
    }
}

/// A customer's actions from `DEPLOY` on, as (program, action, message or
/// reason, at), in the order they were written.
fn actions_since_deploy(server: &Server, id: &str) -> Vec<(String, String, String, String)> {
    let (status, text) =
        get(&server.url(&format!("/v1/customers/{id}")), Some(TOKEN)).expect("GET");
    assert_eq!(status, 200, "{text}");
    let page: Json = serde_json::from_str(&text).expect("JSON");
    let mut all: Vec<(String, String, String, String, String)> = Vec::new();
    for journey in page["journeys"].as_array().cloned().unwrap_or_default() {
        let program = journey["program"].as_str().unwrap_or("").to_string();
        for action in journey["actions"].as_array().cloned().unwrap_or_default() {
            let line = &action["action"];
            let at = line["at"].as_str().unwrap_or("").to_string();
            if at.as_str() < DEPLOY {
                continue;
            }
            let kind = line["action"].as_str().unwrap_or("").to_string();
            let template = line["template"].as_str().unwrap_or("");
            let what = match kind.as_str() {
                "send" => template.to_string(),
                "skip" => format!("{template} ({})", line["reason"].as_str().unwrap_or("")),
                "exit" => line["outcome"].as_str().unwrap_or("").to_string(),
                _ => String::new(),
            };
            let key = action["key"].as_str().unwrap_or("").to_string();
            all.push((at, key, program.clone(), kind, what));
        }
    }
    // Time order; at one moment, each program's actions in their order.
    all.sort_by(|a, b| a.0.cmp(&b.0));
    all.into_iter()
        .map(|(at, _, program, kind, what)| (program, kind, what, at))
        .collect()
}

fn case(store: &str) {
    let dir = folder();
    let mut server = serve(&dir, store, &[]);
    clock(&server, START);
    for (id, ..) in CUSTOMERS {
        send(
            &server,
            "PUT",
            &format!("/v1/customers/{id}"),
            json!({"consents": ["email"]}),
        );
    }
    post(&server, &events(false));
    clock(&server, DEPLOY);
    assert_eq!(server.stop(), Some(0));

    std::fs::write(dir.path().join("programs/moving.nurture"), NEW).expect("write");
    let server = serve(&dir, store, &["--migrate"]);
    let log = server.log();
    assert!(
        log.contains(
            "--migrate: 3 running journeys moved to the deployed versions, 1 left on their own"
        ),
        "every customer is waiting in `moving`; the one who waited past the new 2d stays: {log}"
    );
    post(&server, &events(true));
    clock(&server, END);
    let mut wrong = Vec::new();
    for (id, ..) in CUSTOMERS {
        let got = actions_since_deploy(&server, id);
        let want: Vec<(String, String, String, String)> = expected(id)
            .into_iter()
            .map(|(p, k, w, at)| (p.into(), k.into(), w.into(), at.into()))
            .collect();
        if got != want {
            wrong.push(format!("{id}:\n  got  {got:?}\n  want {want:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_migrated_journey_keeps_the_schemas_caps_and_groups_on_sqlite() {
    case("sqlite:state.db");
}

/// The same on PostgreSQL, in a throwaway cluster (skipped, saying why,
/// without the binaries).
#[test]
fn a_migrated_journey_keeps_the_schemas_caps_and_groups_on_postgres() {
    let Some(cluster) = serve_support::postgres::Cluster::start() else {
        return;
    };
    case(&cluster.database("migrate_caps"));
}
