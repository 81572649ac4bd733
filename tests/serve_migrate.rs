//! `nurture serve --migrate` on SQLite and PostgreSQL: customers waiting at every kind of
//! place (a wait, a wait for events, a send held by quiet hours, the
//! holdout) when a new version is deployed, each moved along the migration
//! map or left on the old version as its hazard says, recorded per journey
//! in `GET /v1/customers/{id}`; and what a moved customer is sent afterwards
//! is what the interpreter gives for the same move (`run::migrate`, as
//! replay would run it), action for action. Without `--migrate` nobody
//! moves.

mod serve_support;

use nurture::diff::map::MigrationMap;
use nurture::run::track::Track;
use serde_json::{Value as Json, json};
use serve_support::{Server, TOKEN, call, get, root};
use std::collections::BTreeMap;

const OLD: &str = r#"program migrating {
  kind     welcome
  owner    "crm-team@example.com"
  trigger  event signup
  consent  email
  quiet    21:00..08:00
  goal     purchase within 40d
  holdout  20%

  step hello {
    send email "hello"
    wait 2d
    -> ask
  }

  step ask {
    send email "ask"
    wait up to 5d for click {
      click   -> thanks
      timeout -> nudge
    }
  }

  step nudge {
    send email "nudge"
    wait 10d
    exit not_clicked
  }

  step thanks {
    wait 1d
    send email "thanks"
    exit clicked
  }
}
"#;

/// `hello` waits longer and sends after its wait (N341 there), `ask` is
/// renamed, `nudge` waits 4d (N342), `thanks` is gone (N340).
const NEW: &str = r#"program migrating {
  kind     welcome
  owner    "crm-team@example.com"
  trigger  event signup
  consent  email
  quiet    21:00..08:00
  goal     purchase within 40d
  holdout  20%

  step hello {
    wait 3d
    send email "hello"
    -> question
  }

  step question (was ask) {
    send email "ask"
    wait up to 5d for click {
      click   -> exit clicked
      timeout -> nudge
    }
  }

  step nudge {
    send email "nudge"
    wait 4d
    exit not_clicked
  }
}
"#;

/// The deploy: 13:00 UTC, 22:00 in Tokyo (quiet hours there).
const DEPLOY: &str = "2026-03-20T13:00:00Z";
const DEPLOY_AT: i64 = 1_774_011_600;
const HOUR: i64 = 3600;
const DAY: i64 = 24 * HOUR;

/// Where each group of customers is at the deploy, and how: (name, time
/// zone, signed up this long before, clicked this long after signing up).
const GROUPS: [(&str, Option<&str>, i64, Option<i64>); 7] = [
    ("wait", None, DAY, None),
    ("held", Some("Asia/Tokyo"), HOUR / 2, None),
    ("asking", None, 3 * DAY, None),
    ("nudged_briefly", None, 9 * DAY, None),
    ("nudged_long", None, 13 * DAY, None),
    ("thanked", None, 3 * DAY, Some(2 * DAY + 12 * HOUR)),
    ("late", None, 30 * DAY, None),
];

/// Customers per group: with a 20% holdout, some of each are treated.
const EACH: usize = 4;

fn time(at: i64) -> String {
    jiff::Timestamp::from_second(at)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

fn folder(program: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let into = dir.path().join("programs");
    std::fs::create_dir(&into).expect("mkdir");
    std::fs::copy(
        root().join("programs/schema.nurture"),
        into.join("schema.nurture"),
    )
    .expect("copy the schema");
    std::fs::write(into.join("migrating.nurture"), program).expect("write the program");
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

fn send(server: &Server, method: &str, path: &str, body: &str) -> u16 {
    let (status, text) =
        call(method, &server.url(path), Some(TOKEN), Some(body)).expect("a request");
    assert!(status < 300, "{method} {path}: {status} {text}");
    status
}

fn page(server: &Server, id: &str) -> Json {
    let (status, text) =
        get(&server.url(&format!("/v1/customers/{id}")), Some(TOKEN)).expect("GET");
    assert_eq!(status, 200, "{text}");
    serde_json::from_str(&text).expect("JSON")
}

fn ids() -> Vec<(String, usize)> {
    (0..GROUPS.len())
        .flat_map(|g| (0..EACH).map(move |i| (format!("{}_{i}", GROUPS[g].0), g)))
        .collect()
}

/// Every customer in, at their place, on the old version; then stopped.
fn customers_in_flight(dir: &tempfile::TempDir, store: &str) -> BTreeMap<String, Json> {
    let mut server = serve(dir, store, &[]);
    let first = DEPLOY_AT - 31 * DAY;
    send(
        &server,
        "POST",
        "/v1/clock",
        &json!({ "now": time(first) }).to_string(),
    );
    let mut events = Vec::new();
    for (id, g) in ids() {
        let (_, zone, before, click) = GROUPS[g];
        let record = json!({"consents": ["email"], "time_zone": zone});
        send(
            &server,
            "PUT",
            &format!("/v1/customers/{id}"),
            &record.to_string(),
        );
        let signed = DEPLOY_AT - before;
        events.push((
            signed,
            json!({"id": format!("{id}-s"), "at": time(signed), "customer": id, "event": "signup"}),
        ));
        if let Some(after) = click {
            events.push((signed + after, json!({"id": format!("{id}-c"), "at": time(signed + after), "customer": id, "event": "click"})));
        }
    }
    events.sort_by_key(|(at, _)| *at);
    for (at, event) in events {
        send(
            &server,
            "POST",
            "/v1/clock",
            &json!({ "now": time(at) }).to_string(),
        );
        send(&server, "POST", "/v1/events", &event.to_string());
    }
    send(
        &server,
        "POST",
        "/v1/clock",
        &json!({ "now": DEPLOY }).to_string(),
    );
    let before = ids()
        .into_iter()
        .map(|(id, _)| {
            let page = page(&server, &id);
            (id, page["journeys"][0].clone())
        })
        .collect();
    assert_eq!(server.stop(), Some(0));
    before
}

#[test]
fn migrate_moves_each_journey_along_the_map_or_leaves_it_as_its_hazard_says() {
    migrate_case("sqlite:state.db");
}

/// The same on PostgreSQL, in a throwaway cluster (skipped, saying why,
/// without the binaries).
#[test]
fn migrate_on_postgres() {
    let Some(cluster) = serve_support::postgres::Cluster::start() else {
        return;
    };
    migrate_case(&cluster.database("migrate"));
}

fn migrate_case(store: &str) {
    let dir = folder(OLD);
    let before = customers_in_flight(&dir, store);
    std::fs::write(dir.path().join("programs/migrating.nurture"), NEW).expect("write");
    let mut server = serve(&dir, store, &["--migrate"]);
    let log = server.log();
    assert!(log.contains("--migrate:"), "{log}");

    let mut held_out = 0;
    let mut treated = BTreeMap::new();
    for (id, g) in ids() {
        let was = &before[&id];
        let now = page(&server, &id);
        let journey = &now["journeys"][0];
        let group = GROUPS[g].0;
        if was["status"] != "in" {
            // Left before the deploy ("late" customers): nothing to move.
            assert_eq!(group, "late", "{id}: {was}");
            assert_eq!(journey["migrations"], json!([]), "{id}: {journey}");
            continue;
        }
        let migrations = journey["migrations"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(migrations.len(), 1, "{id}: {journey}");
        let record = &migrations[0];
        assert_eq!(record["at"], DEPLOY, "{id}: {record}");
        assert_eq!(record["from_version"], was["version"], "{id}: {record}");
        let moved = record["moved"] == true;
        let version_now = journey["version"].clone();
        assert_eq!(
            moved,
            version_now == record["to_version"],
            "{id}: a moved journey is on the new version, one left is not: {journey}"
        );
        if was["holdout"] == true {
            held_out += 1;
            assert!(moved, "{id}: {record}");
            assert_eq!(record["to"], "stays in the holdout", "{id}: {record}");
            continue;
        }
        *treated.entry(group).or_insert(0) += 1;
        let (expect_moved, from, code) = match group {
            "wait" => (false, "`wait 2d` in step `hello`", Some("N341")),
            "held" => (true, "`send email \"hello\"` in step `hello`", None),
            "asking" => (true, "`wait up to 5d for click` in step `ask`", None),
            "nudged_briefly" => (true, "`wait 10d` in step `nudge`", None),
            "nudged_long" => (false, "`wait 10d` in step `nudge`", Some("N342")),
            "thanked" => (false, "`wait 1d` in step `thanks`", Some("N340")),
            other => panic!("{id}: {other} should have left: {was}"),
        };
        assert_eq!(moved, expect_moved, "{id}: {record}");
        assert!(
            record["from"].as_str().unwrap_or("").starts_with(from),
            "{id}: {record}"
        );
        assert_eq!(record["code"].as_str(), code, "{id}: {record}");
        if !moved {
            assert!(
                !record["reason"].as_str().unwrap_or("").is_empty(),
                "{id}: {record}"
            );
        }
        if group == "asking" {
            assert_eq!(journey["step"], "question", "{id}: {journey}");
        }
    }
    assert!(held_out > 0, "no customer in the holdout");
    for (group, ..) in &GROUPS[..6] {
        assert!(
            treated.get(group).copied().unwrap_or(0) > 0,
            "no treated {group}"
        );
    }

    // A second start with --migrate moves nobody again.
    assert_eq!(server.stop(), Some(0));
    let again = serve(&dir, store, &["--migrate"]);
    let log = again.log();
    assert!(log.contains("--migrate: 0 running journeys moved"), "{log}");

    // Afterwards, a moved customer gets what the interpreter gives for the
    // same move: every action from the deploy on, key for key.
    let end = DEPLOY_AT + 30 * DAY;
    send(
        &again,
        "POST",
        "/v1/clock",
        &json!({ "now": time(end) }).to_string(),
    );
    let plan = |text: &str| {
        let schema = serve_support::schema();
        let program = nurture::syntax::parse(text).program.expect("a program");
        nurture::plan::compile(&program, Some(&schema))
    };
    let (old, new) = (plan(OLD), plan(NEW));
    let map = MigrationMap::new(&old, &new);
    let mut compared = 0;
    for (id, g) in ids() {
        let (_, zone, ago, click) = GROUPS[g];
        let served = page(&again, &id);
        let journey = &served["journeys"][0];
        let moved = journey["migrations"][0]["moved"] == true;
        if !moved {
            continue;
        }
        let mut track = Track::new(nurture::run::Customer {
            id: id.clone(),
            consents: ["email".to_string()].into(),
            time_zone: zone.map(str::to_string),
            ..Default::default()
        });
        let mut actions = Vec::new();
        let signed = DEPLOY_AT - ago;
        let event = |name: &str, at: i64| nurture::run::Event {
            id: None,
            at,
            customer: id.clone(),
            name: name.into(),
            properties: Default::default(),
        };
        track.start(&old, 0, DEPLOY_AT - 31 * DAY, &mut actions);
        track.event(&old, 0, &event("signup", signed), &mut actions);
        if let Some(after) = click {
            track.event(&old, 0, &event("click", signed + after), &mut actions);
        }
        track.catch_up(&old, 0, DEPLOY_AT, &mut actions);
        let rest = nurture::diff::layout::Rest::of(&old, &track.journey).expect("a place");
        let landing = map
            .place(rest)
            .and_then(|p| p.to.clone())
            .expect("a landing");
        actions.clear();
        assert!(track.migrate(&old, &new, &landing, &map.sends, 0, DEPLOY_AT, &mut actions));
        track.catch_up(&new, 0, end, &mut actions);
        let expected: Vec<String> = actions.iter().map(|a| a.key.clone()).collect();
        let got: Vec<String> = journey["actions"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .filter(|a| a["action"]["at"].as_str().is_some_and(|at| at >= DEPLOY))
            .filter_map(|a| a["key"].as_str().map(str::to_string))
            .collect();
        assert_eq!(got, expected, "{id}: {journey}");
        compared += 1;
    }
    assert!(compared > 0);
    drop(again);
}

#[test]
fn without_migrate_every_running_journey_stays_on_its_version() {
    let dir = folder(OLD);
    let store = "sqlite:state.db";
    let before = customers_in_flight(&dir, store);
    std::fs::write(dir.path().join("programs/migrating.nurture"), NEW).expect("write");
    let server = serve(&dir, store, &[]);
    for (id, _) in ids() {
        let was = &before[&id];
        let journey = &page(&server, &id)["journeys"][0];
        if was["status"] == "in" {
            assert_eq!(journey["version"], was["version"], "{id}: {journey}");
            assert_eq!(journey["step"], was["step"], "{id}: {journey}");
        }
        assert_eq!(journey["migrations"], json!([]), "{id}: {journey}");
    }
}
