//! `nurture serve --migrate` keeps the schema's caps and groups: a journey
//! moved at a redeploy is one of the customer's programs like any other, so
//! a message it sends at the deploy (a held send the new version no longer
//! has goes on at once to the next) counts against `cap 1 messages per 3d`
//! with the other programs' sends, before the deploy and after; and while
//! it runs, a program of its group starts nobody. Exact outcomes for
//! customers at every place the old version can hold them at the deploy
//! (its waits and the held `tip`: the sends after a wait or `tip` always
//! fall in the day, never held), on SQLite and PostgreSQL.

mod serve_support;

use serde_json::{Value as Json, json};
use serve_support::{Server, TOKEN, call, get};

const SCHEMA: &str = "schema {
  channel email
  event signup
  event ping
  cap 1 messages per 3d
}
";

/// Quiet at night: a customer whose wait ends at 21:30 is held at `tip`.
const OLD: &str = r#"program moving {
  kind     welcome
  owner    "crm-team@example.com"
  trigger  event signup
  consent  email
  quiet    21:00..08:00
  group    onboarding

  step hello {
    wait 1d
    send email "tip"
    send email "nudge"
    wait 2d
    send email "last"
    exit nudged
  }
}
"#;

/// No quiet hours and no `tip`: a customer held at `tip` goes on at once
/// to `nudge`, at the deploy.
const NEW: &str = r#"program moving {
  kind     welcome
  owner    "crm-team@example.com"
  trigger  event signup
  consent  email
  group    onboarding

  step hello {
    wait 1d
    send email "nudge"
    wait 2d
    send email "last"
    exit nudged
  }
}
"#;

/// Not in the group: answers every ping.
const PINGED: &str = r#"program pinged {
  kind     after_sales
  owner    "crm-team@example.com"
  trigger  event ping
  consent  email

  step answer {
    send email "pong"
    exit answered
  }
}
"#;

/// In `moving`'s group: starts nobody `moving` has.
const SIBLING: &str = r#"program sibling {
  kind     welcome
  owner    "crm-team@example.com"
  trigger  event ping
  consent  email
  group    onboarding

  step hello {
    send email "sibling"
    exit greeted
  }
}
"#;

const START: &str = "2026-03-18T00:00:00Z";
const DEPLOY: &str = "2026-03-20T22:00:00Z";
const END: &str = "2026-03-30T00:00:00Z";

/// Each customer: when they signed up, and when they pinged (before and
/// after the deploy).
const CUSTOMERS: [(&str, &str, &[&str]); 5] = [
    // Held at `tip` (its wait ended at 21:30, quiet hours).
    ("held", "2026-03-19T21:30:00Z", &[]),
    (
        "held_pinged",
        "2026-03-19T21:30:00Z",
        &["2026-03-20T21:45:00Z"],
    ),
    // Waiting at `wait 1d`.
    ("waiting", "2026-03-20T12:00:00Z", &[]),
    (
        "waiting_pinged",
        "2026-03-20T12:00:00Z",
        &["2026-03-20T21:45:00Z", "2026-03-21T01:00:00Z"],
    ),
    // Waiting at `wait 2d`, after `tip` (and `nudge`, skipped: the cap).
    ("waiting_long", "2026-03-18T10:00:00Z", &[]),
];

/// What each customer is done to from the deploy on: (program, action,
/// template or outcome, at). A skip says why.
fn expected(id: &str) -> Vec<(&'static str, &'static str, &'static str, &'static str)> {
    match id {
        // `nudge` at the deploy, on the new version; `last` two days later
        // is within 3d of it.
        "held" => vec![
            ("moving", "send", "nudge", DEPLOY),
            ("moving", "skip", "last (cap)", "2026-03-22T22:00:00Z"),
            ("moving", "exit", "nudged", "2026-03-22T22:00:00Z"),
        ],
        // The pong a quarter of an hour before the deploy holds the cap:
        // `nudge`, going on at once at the deploy, is skipped as it would
        // be had the journey never moved, and so is `last` (the pong is
        // within 3d of it too).
        "held_pinged" => vec![
            ("moving", "skip", "nudge (cap)", DEPLOY),
            ("moving", "skip", "last (cap)", "2026-03-22T22:00:00Z"),
            ("moving", "exit", "nudged", "2026-03-22T22:00:00Z"),
        ],
        "waiting" => vec![
            ("moving", "send", "nudge", "2026-03-21T12:00:00Z"),
            ("moving", "skip", "last (cap)", "2026-03-23T12:00:00Z"),
            ("moving", "exit", "nudged", "2026-03-23T12:00:00Z"),
        ],
        // A ping after the deploy: `pinged` answers within the cap (so its
        // pong is skipped), and `sibling` starts nobody `moving` has: no
        // action of its at all.
        "waiting_pinged" => vec![
            ("pinged", "enter", "", "2026-03-21T01:00:00Z"),
            ("pinged", "skip", "pong (cap)", "2026-03-21T01:00:00Z"),
            ("pinged", "exit", "answered", "2026-03-21T01:00:00Z"),
            ("moving", "skip", "nudge (cap)", "2026-03-21T12:00:00Z"),
            ("moving", "skip", "last (cap)", "2026-03-23T12:00:00Z"),
            ("moving", "exit", "nudged", "2026-03-23T12:00:00Z"),
        ],
        // `tip` went out on 19 March: `last` two days later is within 3d.
        "waiting_long" => vec![
            ("moving", "skip", "last (cap)", "2026-03-21T10:00:00Z"),
            ("moving", "exit", "nudged", "2026-03-21T10:00:00Z"),
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
        log.contains("--migrate: 5 running journeys moved"),
        "every customer is in `moving` at a place with somewhere to go: {log}"
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
#[ignore = "serve now refuses these programs (N316: `moving` alone sends 2 within 3d, over the schema's `cap 1 messages per 3d`); to be rewritten on programs check accepts"]
fn a_migrated_journey_keeps_the_schemas_caps_and_groups_on_sqlite() {
    case("sqlite:state.db");
}

/// The same on PostgreSQL, in a throwaway cluster (skipped, saying why,
/// without the binaries).
#[test]
#[ignore = "serve now refuses these programs (N316: `moving` alone sends 2 within 3d, over the schema's `cap 1 messages per 3d`); to be rewritten on programs check accepts"]
fn a_migrated_journey_keeps_the_schemas_caps_and_groups_on_postgres() {
    let Some(cluster) = serve_support::postgres::Cluster::start() else {
        return;
    };
    case(&cluster.database("migrate_caps"));
}
