//! Hand-off triggers end to end on one track: `trigger phase becomes …`
//! and `trigger tag added|removed …` start a journey when the record
//! changes — replaced from outside (`Track::change`, serve's PUT) or by
//! the program's own statements — through the same gates as every trigger.

use nurture::plan::{self, Plan};
use nurture::run::track::{MAX_HAND_OFFS_AT_ONCE, Track};
use nurture::run::{Action, ActionKind, Customer, Event, Status};
use std::collections::BTreeMap;

fn at(text: &str) -> i64 {
    text.parse::<jiff::Timestamp>()
        .expect("a timestamp")
        .as_second()
}

fn compile(body: &str) -> Plan {
    let text = format!("program p {{\n kind retain\n owner \"x\"\n{body}\n}}\n");
    let errors: Vec<_> = nurture::check::check_text(&text)
        .iter()
        .filter(|d| d.severity() == nurture::diagnostic::Severity::Error)
        .map(|d| d.message.clone())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    plan::compile(
        &nurture::syntax::parse(&text).program.expect("a program"),
        None,
    )
}

fn anna(phase: Option<&str>, tags: &[&str]) -> Customer {
    Customer {
        id: "c1".into(),
        consents: ["email".to_string()].into(),
        phase: phase.map(str::to_string),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        ..Customer::default()
    }
}

fn kinds(actions: &[Action]) -> Vec<String> {
    actions
        .iter()
        .map(|a| match &a.kind {
            ActionKind::Send { template, .. } => format!("send {template} at {}", a.at),
            ActionKind::Exit { outcome } => format!("exit {outcome} at {}", a.at),
            ActionKind::Enter { .. } => format!("enter at {}", a.at),
            other => format!("{other:?} at {}", a.at),
        })
        .collect()
}

const DEVELOP: &str = r#"
 trigger phase becomes develop
 consent email
 step hello {
   send email "develop-hello"
   wait 3d
   send email "develop-again"
   exit done
 }"#;

#[test]
fn the_phase_becoming_the_triggers_phase_starts_the_journey() {
    let plan = compile(DEVELOP);
    assert_eq!(plan.format_version, 3);
    let mut track = Track::new(anna(Some("welcome"), &[]));
    let mut actions = Vec::new();
    track.start(&plan, 0, at("2026-03-01T00:00:00Z"), &mut actions);
    assert!(
        actions.is_empty(),
        "a phase that is already there starts nothing"
    );
    let moved = at("2026-03-02T10:00:00Z");
    track.change(&plan, 0, moved, anna(Some("develop"), &[]), &mut actions);
    track.catch_up(&plan, 0, at("2026-03-10T00:00:00Z"), &mut actions);
    let later = moved + 3 * 86_400;
    assert_eq!(
        kinds(&actions),
        [
            format!("enter at {moved}"),
            format!("send develop-hello at {moved}"),
            format!("send develop-again at {later}"),
            format!("exit done at {later}"),
        ]
    );
    // The same record again is no change: nothing starts.
    let before = actions.len();
    track.change(
        &plan,
        0,
        at("2026-03-11T00:00:00Z"),
        anna(Some("develop"), &[]),
        &mut actions,
    );
    assert_eq!(actions.len(), before);
}

#[test]
fn a_customer_already_in_the_phase_is_not_started_by_the_first_look() {
    let plan = compile(DEVELOP);
    let mut track = Track::new(anna(Some("develop"), &[]));
    let mut actions = Vec::new();
    track.start(&plan, 0, at("2026-03-01T00:00:00Z"), &mut actions);
    assert!(actions.is_empty());
    assert_eq!(track.journey.status, Status::Out);
}

#[test]
fn tags_added_and_removed_start_their_own_triggers_only() {
    let added = compile(
        "trigger tag added vip\n consent email\n step a { send email \"vip-welcome\" exit done }",
    );
    let removed = compile(
        "trigger tag removed vip\n consent email\n step a { send email \"vip-gone\" exit done }",
    );
    let when = at("2026-03-02T10:00:00Z");
    for (plan, from, to, expected) in [
        (&added, &[][..], &["vip"][..], Some("vip-welcome")),
        (&added, &["vip"], &[], None),
        (&removed, &["vip"], &[], Some("vip-gone")),
        (&removed, &[], &["vip"], None),
        (&added, &["vip"], &["vip", "other"], None),
    ] {
        let mut track = Track::new(anna(None, from));
        let mut actions = Vec::new();
        track.start(plan, 0, at("2026-03-01T00:00:00Z"), &mut actions);
        track.change(plan, 0, when, anna(None, to), &mut actions);
        let sent: Vec<String> = actions
            .iter()
            .filter_map(|a| match &a.kind {
                ActionKind::Send { template, .. } => Some(template.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(
            sent,
            expected.map(str::to_string).into_iter().collect::<Vec<_>>(),
            "{from:?} -> {to:?}"
        );
    }
}

#[test]
fn the_audience_and_consent_gates_hold_for_hand_offs() {
    let plan = compile(
        "trigger phase becomes develop\n audience score > 10\n consent email\n step a { send email \"x\" exit done }",
    );
    let mut low = anna(Some("welcome"), &[]);
    low.score = 5;
    let mut track = Track::new(low.clone());
    let mut actions = Vec::new();
    let when = at("2026-03-02T10:00:00Z");
    let mut changed = low.clone();
    changed.phase = Some("develop".into());
    track.change(&plan, 0, when, changed, &mut actions);
    assert!(actions.is_empty(), "{:?}", kinds(&actions));
    let mut no_consent = anna(Some("welcome"), &[]);
    no_consent.score = 50;
    no_consent.consents.clear();
    let mut track = Track::new(no_consent.clone());
    no_consent.phase = Some("develop".into());
    track.change(&plan, 0, when, no_consent, &mut actions);
    assert!(actions.is_empty(), "{:?}", kinds(&actions));
}

/// A program that changes the phase its own trigger waits for (N330)
/// may start itself again as it leaves. One trigger cannot go round: the
/// hand-off's run starts in the trigger's phase, so setting it again is
/// no change. Two can (each run flips the phase to the other's): at most
/// `MAX_HAND_OFFS_AT_ONCE` rounds in one moment, and with `reentry never`
/// none.
#[test]
fn a_program_that_triggers_itself_is_bounded_in_one_moment() {
    let signup = Event {
        id: None,
        at: at("2026-03-02T10:00:00Z"),
        customer: "c1".into(),
        name: "signup".into(),
        properties: BTreeMap::new(),
    };
    let entries = |body: &str| {
        let plan = compile(body);
        let mut track = Track::new(anna(Some("welcome"), &[]));
        let mut actions = Vec::new();
        track.event(&plan, 0, &signup, &mut actions);
        actions
            .iter()
            .filter(|a| matches!(a.kind, ActionKind::Enter { .. }))
            .count()
    };
    let one = "trigger event signup\n trigger phase becomes develop\n consent email\n step a { phase welcome\n phase develop\n send email \"x\"\n exit done }";
    // The signup, then the hand-off its change starts; that one's run
    // ends in `develop` as it began.
    assert_eq!(entries(one), 2);
    let flip = |reentry: &str| {
        format!(
            "trigger event signup\n trigger phase becomes develop\n trigger phase becomes welcome\n consent email\n {reentry}\n step a {{ branch {{\n when phase == develop -> to_welcome\n else -> to_develop\n }} }}\n step to_welcome {{ phase welcome\n exit done }}\n step to_develop {{ phase develop\n exit done }}"
        )
    };
    assert_eq!(entries(&flip("")), 1 + MAX_HAND_OFFS_AT_ONCE);
    assert_eq!(entries(&flip("reentry never")), 1);
}
