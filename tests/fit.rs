//! `nurture fit` and the samples it starts from: a model fitted to a
//! history simulated from a known model comes back as that model; a fit
//! says how many observations stand behind each number and refuses to
//! invent numbers it has no data for; `sample history` writes such
//! histories for the bundled programs; `sample behavior --schema` writes a
//! model for any schema.

use std::path::Path;
use std::process::Command;

mod support;
use support::{outcome as nurture, root};

const SCHEMA: &str = "schema {
  event purchase { amount: number }
  event open
  event click
  event login
  channel email
  channel sms
  channel letter needs no consent
  segment vip
}
";

/// Every customer gets an email, an sms and an offer by email, twenty days
/// apart, again and again: 35,000 sends for 5,000 customers in 120 days.
const DRIP: &str = r#"program drip {
  kind     wake_up
  owner    "crm@example.com"
  trigger  no purchase for 30d
  consent  email, sms
  start    news

  step news {
    send email "news"
    wait 20d
    -> ping
  }

  step ping {
    send sms "ping"
    wait 20d
    -> offer
  }

  step offer {
    send email "big-offer"
    wait 20d
    -> news
  }
}
"#;

/// The model the history is drawn from.
const KNOWN: &str = r#"
[channel.email]
open     = { chance = 0.40, after = "5h",  p90 = "2d" }
click    = { chance = 0.25, after = "10m", p90 = "6h", given = "open" }
purchase = { chance = 0.10, after = "1d",  p90 = "5d", given = "click", properties = { amount = 120 } }

[channel.sms]
click    = { chance = 0.15, after = "20m", p90 = "8h" }

[template.big-offer]
purchase = { chance = 0.30, after = "1d",  p90 = "5d", given = "click", properties = { amount = 120 } }

[[background]]
event = "login"
rate = 0.5
per = "30d"

[[background]]
event = "purchase"
rate = 0.02
per = "30d"
properties = { amount = 40 }
"#;

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut customers = String::from("id,time_zone,consents,segments,last_event_at.purchase\n");
    for i in 0..5000 {
        let segment = if i % 50 == 0 { "vip" } else { "" };
        customers.push_str(&format!(
            "k{i:05},UTC,email;sms,{segment},2025-01-01T00:00:00Z\n"
        ));
    }
    for (name, text) in [
        ("schema.nurture", SCHEMA),
        ("drip.nurture", DRIP),
        ("known.toml", KNOWN),
        ("customers.csv", customers.as_str()),
    ] {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    dir
}

fn history(dir: &Path) {
    let (code, _, stderr) = nurture(
        &[
            "sample",
            "history",
            "drip.nurture",
            "--customers",
            "customers.csv",
            "--behavior",
            "known.toml",
            "-o",
            "history.jsonl",
        ],
        dir,
    );
    assert_eq!(code, 0, "{stderr}");
}

fn fit(dir: &Path, extra: &[&str]) -> (String, String) {
    let mut args = vec!["fit", "history.jsonl", "--customers", "customers.csv"];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = nurture(&args, dir);
    assert_eq!(code, 0, "{stderr}");
    (stdout, stderr)
}

/// (chance, after in seconds, p90 in seconds, given) of a response.
fn response(model: &toml::Table, path: &[&str]) -> (f64, f64, f64, Option<String>) {
    let mut at: &toml::Value = &model[path[0]];
    for key in &path[1..] {
        at = at
            .get(key)
            .unwrap_or_else(|| panic!("no {path:?} in\n{model:#?}"));
    }
    let seconds = |key: &str| {
        let text = at[key].as_str().expect("a duration");
        nurture::syntax::duration_minutes(text).expect("reads") as f64 * 60.0
    };
    (
        at["chance"].as_float().expect("a chance"),
        seconds("after"),
        seconds("p90"),
        at.get("given").and_then(|g| g.as_str()).map(str::to_string),
    )
}

fn close(what: &str, found: f64, expected: f64, relative: f64) {
    assert!(
        (found / expected - 1.0).abs() <= relative,
        "{what}: fitted {found}, drawn from {expected} (tolerance {}%)",
        relative * 100.0
    );
}

/// The recovery test. Tolerances: chances within 0.03 (0.05 for the
/// template, which has a tenth of the answers), median delays within 25%,
/// p90s within 40% (a fitted duration is also rounded to whole minutes,
/// hours or days), rates of what customers do anyway within 20%.
#[test]
fn a_fit_recovers_the_model_the_history_was_drawn_from() {
    let dir = workspace();
    history(dir.path());
    let (toml_text, stderr) = fit(dir.path(), &[]);
    let model: toml::Table =
        toml::from_str(&toml_text).unwrap_or_else(|e| panic!("{e}\n{toml_text}"));

    let (chance, after, p90, given) = response(&model, &["channel", "email", "open"]);
    assert!((chance - 0.40).abs() <= 0.03, "open {chance}");
    close("open after", after, 5.0 * 3600.0, 0.25);
    close("open p90", p90, 2.0 * 86_400.0, 0.40);
    assert_eq!(given, None);

    let (chance, after, p90, given) = response(&model, &["channel", "email", "click"]);
    assert!((chance - 0.25).abs() <= 0.03, "click {chance}");
    close("click after", after, 600.0, 0.25);
    close("click p90", p90, 6.0 * 3600.0, 0.40);
    assert_eq!(given.as_deref(), Some("open"));

    let (chance, after, p90, given) = response(&model, &["channel", "sms", "click"]);
    assert!((chance - 0.15).abs() <= 0.03, "sms click {chance}");
    close("sms click after", after, 1200.0, 0.25);
    close("sms click p90", p90, 8.0 * 3600.0, 0.40);
    assert_eq!(given, None);

    // The offer's purchases differ from the channel's: a template table.
    let (chance, after, p90, given) = response(&model, &["template", "big-offer", "purchase"]);
    assert!((chance - 0.30).abs() <= 0.05, "offer purchase {chance}");
    close("offer purchase after", after, 86_400.0, 0.25);
    close("offer purchase p90", p90, 5.0 * 86_400.0, 0.40);
    assert_eq!(given.as_deref(), Some("click"));
    let (chance, _, _, _) = response(&model, &["template", "news", "purchase"]);
    assert!((chance - 0.10).abs() <= 0.05, "news purchase {chance}");
    let properties = &model["template"]["big-offer"]["purchase"]["properties"];
    assert_eq!(properties["amount"].as_integer(), Some(120));

    let background = model["background"].as_array().expect("background");
    let rate = |event: &str| {
        background
            .iter()
            .find(|b| b["event"].as_str() == Some(event))
            .map(|b| {
                assert_eq!(b["per"].as_str(), Some("30d"));
                b["rate"].as_float().expect("a rate")
            })
            .unwrap_or_else(|| panic!("no background {event}"))
    };
    close("login rate", rate("login"), 0.5, 0.20);
    close("purchase rate", rate("purchase"), 0.02, 0.20);
    // Opens and clicks are answers, not something done anyway.
    assert_eq!(background.len(), 2, "{toml_text}");
    assert!(stderr.contains("late answers"), "{stderr}");

    // The counts behind each number.
    assert!(
        toml_text.contains("# 25000 sends\n[channel.email]"),
        "{toml_text}"
    );
    assert!(toml_text.contains("of 25000 sends"), "{toml_text}");
    assert!(toml_text.contains(" after `open`"), "{toml_text}");

    // And it is a model the simulator reads.
    std::fs::write(dir.path().join("fitted.toml"), &toml_text).expect("write");
    let (code, _, stderr) = nurture(
        &[
            "simulate",
            "drip.nurture",
            "--customers",
            "customers.csv",
            "--behavior",
            "fitted.toml",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{stderr}");
}

/// A channel with no sends, a segment and a template with too few get no
/// numbers of their own, and the fit says what answers as what.
#[test]
fn a_fit_refuses_to_invent_numbers_and_says_so() {
    let dir = workspace();
    let mut lines = String::new();
    for i in 0..40 {
        lines.push_str(&format!(
            "{{\"at\": \"2026-01-0{}T0{}:00:00Z\", \"customer\": \"c{i}\", \"channel\": \"email\", \"template\": \"{}\", \"segments\": [\"vip\"]}}\n",
            1 + i % 5,
            i % 10,
            if i < 35 { "main" } else { "rare" }
        ));
        if i % 2 == 0 {
            lines.push_str(&format!(
                "{{\"at\": \"2026-01-0{}T1{}:30:00Z\", \"customer\": \"c{i}\", \"event\": \"open\"}}\n",
                1 + i % 5,
                i % 10
            ));
        }
    }
    lines.push_str("{\"at\": \"2026-01-02T00:00:00Z\", \"customer\": \"c1\", \"channel\": \"sms\", \"template\": \"hi\"}\n");
    std::fs::write(dir.path().join("history.jsonl"), lines).expect("write");
    let (toml_text, stderr) = fit(dir.path(), &["--schema", "schema.nurture"]);
    assert!(toml_text.contains("[channel.email]"), "{toml_text}");
    assert!(toml_text.contains("open = { chance = "), "{toml_text}");
    for said in [
        "channel `letter`: no sends in the history, so no table: nobody answers letter in the simulation",
        "channel `sms`: 1 sends, fewer than 30: it answers as all channels together",
        "templates with fewer than 30 sends answer as their channel: `hi` (1), `rare` (5)",
    ] {
        assert!(stderr.contains(said), "{said:?} in\n{stderr}");
        assert!(toml_text.contains(said), "{said:?} in\n{toml_text}");
    }
    assert!(!toml_text.contains("[channel.letter]"), "{toml_text}");
    assert!(!toml_text.contains("[template.rare]"), "{toml_text}");
    assert!(
        toml_text.contains("# 1 sends only: the numbers of all 41 sends together\n[channel.sms]"),
        "{toml_text}"
    );
}

#[test]
fn bad_history_lines_are_reported_by_number() {
    let dir = workspace();
    std::fs::write(
        dir.path().join("history.jsonl"),
        "{\"at\": \"2026-01-01T00:00:00Z\", \"customer\": \"c1\", \"channel\": \"fax\", \"template\": \"x\"}\n\
         {\"at\": \"soon\", \"customer\": \"c1\", \"channel\": \"email\", \"template\": \"x\"}\n\
         {\"at\": \"2026-01-01T00:00:00Z\", \"customer\": \"c1\", \"event\": \"clik\"}\n\
         {\"at\": \"2026-01-01T00:00:00Z\", \"customer\": \"c1\", \"channel\": \"email\", \"template\": \"x\", \"colour\": 1}\n\
         not json\n",
    )
    .expect("write");
    let (code, _, stderr) = nurture(&["fit", "history.jsonl"], dir.path());
    assert_eq!(code, 1, "{stderr}");
    for said in [
        "history.jsonl:1: the schema declares no channel `fax`",
        "history.jsonl:2: `at` is `soon`, not a time like 2026-03-01T09:00:00Z",
        "history.jsonl:3: ",
        "history.jsonl:4: `colour` is not a field of a send",
        "history.jsonl:5: ",
        "holds no sends",
    ] {
        assert!(stderr.contains(said), "{said:?} in\n{stderr}");
    }
    let (code, _, stderr) = nurture(&["fit", "history.jsonl", "--window", "soon"], dir.path());
    assert_eq!(code, 2, "{stderr}");
}

#[test]
fn sample_history_writes_sends_and_events_for_the_bundled_programs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (code, stdout, stderr) = nurture(&["sample", "history"], dir.path());
    assert_eq!(code, 0, "{stderr}");
    let (_, again, _) = nurture(&["sample", "history"], dir.path());
    assert_eq!(stdout, again, "the same seed gives the same bytes");
    let mut channels = std::collections::BTreeSet::new();
    let mut events = std::collections::BTreeSet::new();
    let mut sends = 0;
    for line in stdout.lines() {
        let value: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        assert!(
            value["at"].as_str().is_some_and(|t| t.ends_with('Z')),
            "{line}"
        );
        assert!(
            value["customer"]
                .as_str()
                .is_some_and(|c| c.starts_with('c')),
            "{line}"
        );
        if let Some(channel) = value["channel"].as_str() {
            channels.insert(channel.to_string());
            assert!(value["template"].as_str().is_some(), "{line}");
            sends += 1;
        } else {
            events.insert(value["event"].as_str().expect("an event").to_string());
        }
    }
    assert!(sends > 500, "{sends} sends");
    for channel in ["email", "sms", "push", "call", "letter"] {
        assert!(
            channels.contains(channel),
            "no {channel} sends: {channels:?}"
        );
    }
    for event in ["open", "click", "purchase", "login", "signup"] {
        assert!(events.contains(event), "no {event}: {events:?}");
    }
    // It is a history `fit` reads, against the bundled schema.
    std::fs::write(dir.path().join("history.jsonl"), &stdout).expect("write");
    let schema = root().join("programs/schema.nurture");
    let (code, toml_text, stderr) = nurture(
        &[
            "fit",
            "history.jsonl",
            "--schema",
            &schema.display().to_string(),
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(toml_text.contains("[channel.email]"), "{toml_text}");
}

#[test]
fn sample_behavior_covers_every_channel_and_event_of_a_schema() {
    let dir = workspace();
    let (code, model, stderr) = nurture(
        &["sample", "behavior", "--schema", "schema.nurture"],
        dir.path(),
    );
    assert_eq!(code, 0, "{stderr}");
    let table: toml::Table = toml::from_str(&model).unwrap_or_else(|e| panic!("{e}\n{model}"));
    for channel in ["email", "sms", "letter"] {
        assert!(
            table["channel"].get(channel).is_some(),
            "no {channel}:\n{model}"
        );
    }
    for event in ["purchase", "open", "click", "login"] {
        assert!(
            model.contains(&format!("\n{event} = {{"))
                || model.contains(&format!("event = \"{event}\"")),
            "no {event}:\n{model}"
        );
    }
    // It reads against the schema: no N402.
    std::fs::write(dir.path().join("start.toml"), &model).expect("write");
    let (code, _, stderr) = nurture(
        &[
            "simulate",
            "drip.nurture",
            "--customers",
            "customers.csv",
            "--behavior",
            "start.toml",
            "--days",
            "5",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!(model);

    // Without a schema in the folder, the bundled model as it is.
    let empty = tempfile::tempdir().expect("dir");
    let (code, bundled, _) = nurture(&["sample", "behavior"], empty.path());
    assert_eq!(code, 0);
    assert_eq!(
        bundled,
        std::fs::read_to_string(root().join("programs/sample/behavior.toml")).expect("read")
    );
}

#[test]
fn sample_customers_refuses_ten_billion() {
    let (code, stdout, stderr) =
        nurture(&["sample", "customers", "--count", "10000000000"], root());
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("`--count 10000000000` is more than the 100,000,000 customers"),
        "{stderr}"
    );
    // Ten million is still a count it writes (the head of it, here).
    let output = Command::new(env!("CARGO_BIN_EXE_nurture"))
        .args(["sample", "customers", "--count", "10000000"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run");
    let mut child = output;
    let mut head = [0u8; 4096];
    let read =
        std::io::Read::read(child.stdout.as_mut().expect("stdout"), &mut head).expect("read");
    assert!(read > 0);
    assert!(String::from_utf8_lossy(&head[..read]).contains("c00000001,"));
    let _ = child.kill();
    let _ = child.wait();
}

/// An event no customer did twice (a sign-up) is written as a one-time
/// event, not a rate, and the note says so; what is seen after a channel's
/// sends no more often than customers do it anyway is said too, not left
/// out silently.
#[test]
fn one_time_events_and_events_no_send_raises_are_said() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut lines = String::new();
    let mut seed: u64 = 7;
    for i in 0..100 {
        if i % 2 == 0 {
            lines.push_str(&format!(
                "{{\"at\": \"2026-01-{:02}T08:00:00Z\", \"customer\": \"c{i:03}\", \"event\": \"signup\"}}\n",
                1 + i % 20
            ));
        }
        lines.push_str(&format!(
            "{{\"at\": \"2026-02-01T09:00:00Z\", \"customer\": \"c{i:03}\", \"channel\": \"email\", \"template\": \"news\"}}\n"
        ));
        if i % 4 == 0 {
            lines.push_str(&format!(
                "{{\"at\": \"2026-02-01T12:00:00Z\", \"customer\": \"c{i:03}\", \"event\": \"open\"}}\n"
            ));
        }
        // Purchases at random, about one in 20 days, whether or not an
        // email came (a fixed linear congruential generator: the same every
        // run).
        let mut at = 0.0;
        loop {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let u = ((seed >> 11) as f64 + 1.0) / (1u64 << 53) as f64;
            at += -u.ln() * 20.0 * 86_400.0;
            if at >= 86.0 * 86_400.0 {
                break;
            }
            let time = jiff::Timestamp::from_second(1_767_225_600 + at as i64)
                .expect("a time")
                .strftime("%Y-%m-%dT%H:%M:%SZ");
            lines.push_str(&format!(
                "{{\"at\": \"{time}\", \"customer\": \"c{i:03}\", \"event\": \"purchase\"}}\n"
            ));
        }
    }
    let mut sorted: Vec<&str> = lines.lines().collect();
    sorted.sort_by_key(|l| l[7..27].to_string());
    std::fs::write(dir.path().join("history.jsonl"), sorted.join("\n") + "\n").expect("write");
    let (code, toml_text, stderr) = nurture(&["fit", "history.jsonl"], dir.path());
    assert_eq!(code, 0, "{stderr}");
    let model: toml::Table = toml::from_str(&toml_text).expect("the model is TOML");
    let background = model["background"].as_array().expect("background");
    let of = |event: &str| {
        background
            .iter()
            .find(|b| b["event"].as_str() == Some(event))
            .unwrap_or_else(|| panic!("no background {event} in\n{toml_text}"))
    };
    assert_eq!(of("signup")["chance"].as_float(), Some(0.5), "{toml_text}");
    assert_eq!(
        of("signup")["within"].as_str().map(|w| w.ends_with('d')),
        Some(true)
    );
    assert!(of("signup").get("rate").is_none(), "{toml_text}");
    assert!(of("purchase").get("rate").is_some(), "{toml_text}");
    assert!(
        stderr.contains("`signup`: each of the 50 customers who did it did it once, so it is written as a one-time event"),
        "{stderr}"
    );
    assert!(
        stderr.contains("channel `email`: `purchase` (after ")
            && stderr.contains("came no more often after its sends than customers do them anyway, so they are not written as answers to email"),
        "{stderr}"
    );
    assert!(
        toml_text.contains("came no more often after its sends"),
        "{toml_text}"
    );
}
