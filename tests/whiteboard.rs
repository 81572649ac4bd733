//! The interpreter on exact traces for what the whiteboard asks of a
//! program: entry data, answers kept, deadlines, interrupts, fallbacks,
//! send windows and hand-offs, each with its edges (data missing, a
//! deadline during quiet hours, an interrupt at the second a wait times
//! out, a fallback without consent, a window across a change of clocks, a
//! hand-off loop between two programs).

use nurture::plan::{self, Plan};
use nurture::run::replay::replay;
use nurture::run::{ActionKind, Customer, Datum, Event};
use std::collections::BTreeMap;

fn at(text: &str) -> i64 {
    text.parse::<jiff::Timestamp>()
        .expect("a timestamp")
        .as_second()
}

fn show(seconds: i64) -> String {
    jiff::Timestamp::from_second(seconds)
        .expect("in range")
        .to_string()
}

fn schema() -> nurture::syntax::ast::Schema {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema.nurture"),
    )
    .expect("the fixtures' schema");
    nurture::syntax::parse(&text).schema.expect("a schema")
}

/// The program compiled against the fixtures' schema; an error fails the
/// test.
fn compile(body: &str) -> Plan {
    let text = format!("program p {{\n kind welcome\n owner \"x\"\n{body}\n}}\n");
    let schema = schema();
    let diagnostics = nurture::check::check_text_with(&text, Some(&schema));
    let errors: Vec<_> = diagnostics
        .iter()
        .filter(|d| d.severity() == nurture::diagnostic::Severity::Error)
        .map(|d| format!("{} {}", d.code.id(), d.message))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let program = nurture::syntax::parse(&text).program.expect("program");
    plan::compile(&program, Some(&schema))
}

fn customer(id: &str, consents: &[&str]) -> Customer {
    Customer {
        id: id.to_string(),
        consents: consents.iter().map(|c| c.to_string()).collect(),
        ..Customer::default()
    }
}

fn event(when: &str, id: &str, name: &str) -> Event {
    with(when, id, name, &[])
}

/// An event with text properties.
fn with(when: &str, id: &str, name: &str, properties: &[(&str, &str)]) -> Event {
    Event {
        id: None,
        at: at(when),
        customer: id.to_string(),
        name: name.to_string(),
        properties: properties
            .iter()
            .map(|(k, v)| (k.to_string(), Datum::Text(v.to_string())))
            .collect::<BTreeMap<_, _>>(),
    }
}

fn line(a: &nurture::run::Action) -> String {
    let what = match &a.kind {
        ActionKind::Enter { holdout } => {
            format!("enter{}", if *holdout { " (holdout)" } else { "" })
        }
        ActionKind::Send { channel, template } => format!("send {channel} {template}"),
        ActionKind::Skip {
            channel,
            template,
            reason,
        } => format!("skip {channel} {template}: {reason}"),
        ActionKind::Defer {
            channel,
            template,
            until,
        } => format!("defer {channel} {template} until {}", show(*until)),
        ActionKind::Notify { recipient, message } => format!("notify {recipient}: {message}"),
        ActionKind::Score { points } => format!("score {points:+}"),
        ActionKind::Tag { tag } => format!("tag {tag}"),
        ActionKind::Untag { tag } => format!("untag {tag}"),
        ActionKind::Set { attribute, value } => format!("set {attribute} = {value:?}"),
        ActionKind::Phase { phase } => format!("phase {phase}"),
        ActionKind::Exit { outcome } => format!("exit {outcome}"),
    };
    format!("{} {} {what}", show(a.at), a.customer)
}

/// The actions, one line each: time, customer, what.
fn trace(plan: &Plan, customers: Vec<Customer>, events: &[Event], until: &str) -> String {
    let result = replay(plan, 7, customers, events, Some(at(until)));
    result
        .actions
        .iter()
        .map(line)
        .collect::<Vec<_>>()
        .join("\n")
}

// -- entry data and answers ------------------------------------------------

const FAIR: &str = r#"
 trigger event fair_visit
 trigger segment key_accounts entered
 consent email
 step route {
   branch {
     when has trigger.interest and trigger.interest == "new_machine" -> ask
     else                                                             -> exit other
   }
 }
 step ask {
   set fair_interest = trigger.interest
   send email "what-did-you-think"
   wait up to 7d for survey_answered {
     survey_answered -> keep
     timeout         -> exit no_answer
   }
 }
 step keep {
   set churn_reason = answer.reason
   exit kept
 }"#;

/// The fair visit's `interest` routes the customer and is kept; the
/// survey's `reason` is kept when it comes.
#[test]
fn the_trigger_data_is_read_all_journey_and_the_answer_is_kept() {
    let plan = compile(FAIR);
    let events = [
        with(
            "2026-03-01T09:00:00Z",
            "c1",
            "fair_visit",
            &[("interest", "new_machine")],
        ),
        with(
            "2026-03-03T09:00:00Z",
            "c1",
            "survey_answered",
            &[("reason", "price")],
        ),
    ];
    assert_eq!(
        trace(
            &plan,
            vec![customer("c1", &["email"])],
            &events,
            "2026-04-01T00:00:00Z"
        ),
        "2026-03-01T09:00:00Z c1 enter\n\
         2026-03-01T09:00:00Z c1 set fair_interest = Text(\"new_machine\")\n\
         2026-03-01T09:00:00Z c1 send email what-did-you-think\n\
         2026-03-03T09:00:00Z c1 set churn_reason = Text(\"price\")\n\
         2026-03-03T09:00:00Z c1 exit kept"
    );
}

/// Data missing: a visit without `interest`, and a customer who enters by
/// the segment, have none; the condition does not hold for them. An answer
/// without `reason` keeps nothing: the attribute stays as it was.
#[test]
fn missing_data_holds_no_condition_and_keeps_nothing() {
    let plan = compile(FAIR);
    let mut segment = event("2026-03-01T10:00:00Z", "c2", "segment_entered");
    segment
        .properties
        .insert("segment".into(), Datum::Text("key_accounts".into()));
    let events = [
        event("2026-03-01T09:00:00Z", "c1", "fair_visit"),
        segment,
        with(
            "2026-03-01T11:00:00Z",
            "c3",
            "fair_visit",
            &[("interest", "new_machine")],
        ),
        event("2026-03-02T11:00:00Z", "c3", "survey_answered"),
    ];
    let mut c3 = customer("c3", &["email"]);
    c3.attributes
        .insert("churn_reason".into(), Datum::Text("before".into()));
    let result = replay(
        &plan,
        7,
        vec![customer("c1", &["email"]), customer("c2", &["email"]), c3],
        &events,
        Some(at("2026-04-01T00:00:00Z")),
    );
    let lines: Vec<String> = result.actions.iter().map(line).collect();
    assert_eq!(
        lines.join("\n"),
        "2026-03-01T09:00:00Z c1 enter\n\
         2026-03-01T09:00:00Z c1 exit other\n\
         2026-03-01T10:00:00Z c2 enter\n\
         2026-03-01T10:00:00Z c2 exit other\n\
         2026-03-01T11:00:00Z c3 enter\n\
         2026-03-01T11:00:00Z c3 set fair_interest = Text(\"new_machine\")\n\
         2026-03-01T11:00:00Z c3 send email what-did-you-think\n\
         2026-03-02T11:00:00Z c3 exit kept"
    );
    let (c3, journey) = &result.customers["c3"];
    assert_eq!(
        c3.attributes.get("churn_reason"),
        Some(&Datum::Text("before".into()))
    );
    // What the journey keeps of its trigger is the plan's `entry.keep`.
    assert_eq!(
        journey.trigger_data("interest"),
        Some(nurture::run::DatumRef::Text("new_machine"))
    );
    assert_eq!(journey.trigger_data("fair"), None);
}

/// The trigger's data is the entry's: a new entry takes the new event's.
#[test]
fn each_entry_keeps_the_data_of_its_own_trigger() {
    let plan = compile(
        r#"
 trigger event fair_visit
 consent email
 step hello {
   set fair_interest = trigger.interest
   wait 1d
   exit done
 }"#,
    );
    let events = [
        with(
            "2026-03-01T09:00:00Z",
            "c1",
            "fair_visit",
            &[("interest", "a")],
        ),
        with(
            "2026-03-10T09:00:00Z",
            "c1",
            "fair_visit",
            &[("interest", "b")],
        ),
    ];
    assert_eq!(
        trace(
            &plan,
            vec![customer("c1", &["email"])],
            &events,
            "2026-04-01T00:00:00Z"
        ),
        "2026-03-01T09:00:00Z c1 enter\n\
         2026-03-01T09:00:00Z c1 set fair_interest = Text(\"a\")\n\
         2026-03-02T09:00:00Z c1 exit done\n\
         2026-03-10T09:00:00Z c1 enter\n\
         2026-03-10T09:00:00Z c1 set fair_interest = Text(\"b\")\n\
         2026-03-11T09:00:00Z c1 exit done"
    );
}

/// The audience and the goal read the trigger's data too: the audience as
/// the customer enters, the goal all journey.
#[test]
fn the_audience_and_the_goal_read_the_trigger_data() {
    let plan = compile(
        r#"
 trigger event fair_visit
 audience trigger.interest != "just_looking"
 consent email
 goal purchase where product == trigger.interest within 30d
 step hello {
   send email "thanks"
   wait 20d
   exit done
 }"#,
    );
    let mut bought = with(
        "2026-03-05T09:00:00Z",
        "c1",
        "purchase",
        &[("product", "new_machine")],
    );
    bought
        .properties
        .insert("amount".into(), Datum::Number(1.0));
    let events = [
        with(
            "2026-03-01T09:00:00Z",
            "c1",
            "fair_visit",
            &[("interest", "new_machine")],
        ),
        with(
            "2026-03-01T09:00:00Z",
            "c2",
            "fair_visit",
            &[("interest", "just_looking")],
        ),
        with(
            "2026-03-02T09:00:00Z",
            "c1",
            "purchase",
            &[("product", "spare_part")],
        ),
        bought,
    ];
    assert_eq!(
        trace(
            &plan,
            vec![customer("c1", &["email"]), customer("c2", &["email"])],
            &events,
            "2026-04-01T00:00:00Z"
        ),
        "2026-03-01T09:00:00Z c1 enter\n\
         2026-03-01T09:00:00Z c1 send email thanks\n\
         2026-03-05T09:00:00Z c1 exit converted"
    );
}

// -- the journey's deadline ------------------------------------------------

const PHASE: &str = r#"
 trigger event signup
 consent email
 ends after 30d as welcome_done
 step tips {
   send email "tip"
   wait 7d
   -> tips
 }"#;

/// A loop that sends every week ends with the phase: five tips in 30
/// days (days 0, 7, 14, 21 and 28), and the customer leaves as
/// `welcome_done` on day 30, mid-wait. The facts say the same.
#[test]
fn the_deadline_ends_a_sending_loop_and_bounds_it() {
    let plan = compile(PHASE);
    assert_eq!(
        trace(
            &plan,
            vec![customer("c1", &["email"])],
            &[event("2026-03-01T09:00:00Z", "c1", "signup")],
            "2026-06-01T00:00:00Z"
        ),
        "2026-03-01T09:00:00Z c1 enter\n\
         2026-03-01T09:00:00Z c1 send email tip\n\
         2026-03-08T09:00:00Z c1 send email tip\n\
         2026-03-15T09:00:00Z c1 send email tip\n\
         2026-03-22T09:00:00Z c1 send email tip\n\
         2026-03-29T09:00:00Z c1 send email tip\n\
         2026-03-31T09:00:00Z c1 exit welcome_done"
    );
    let text = format!("program p {{\n kind welcome\n owner \"x\"\n{PHASE}\n}}\n");
    let facts = nurture::check::facts_of_text_with(&text, Some(&schema())).expect("facts");
    assert_eq!(facts.messages.total, Some(5));
    assert_eq!(
        facts.messages.bounded_because.as_deref(),
        Some("the loop through step `tips` waits at least 7d and the program ends after 30d")
    );
    assert_eq!(facts.longest_stay.minutes, Some(30 * 24 * 60));
}

/// A deadline during quiet hours: the send held until 08:00 never goes
/// out, since the journey is over at 04:00.
#[test]
fn a_deadline_during_quiet_hours_ends_the_held_send() {
    let plan = compile(
        r#"
 trigger event signup
 consent email
 quiet 21:00..08:00
 ends after 6h
 step hello {
   send email "welcome"
   exit sent
 }"#,
    );
    assert_eq!(
        trace(
            &plan,
            vec![customer("c1", &["email"])],
            &[event("2026-03-01T22:00:00Z", "c1", "signup")],
            "2026-03-05T00:00:00Z"
        ),
        "2026-03-01T22:00:00Z c1 enter\n\
         2026-03-01T22:00:00Z c1 defer email welcome until 2026-03-02T08:00:00Z\n\
         2026-03-02T04:00:00Z c1 exit ended"
    );
}

const LAST_WORD: &str = r#"
 trigger event signup
 consent email
 ends after 30d as welcome_done
 step hello {
   wait up to 14d for click {
     click   -> last_word
     timeout -> exit no_click
   }
 }
 step last_word {
   wait until 10d after entry
   send email "last-word"
   exit said
 }"#;

/// `wait until 10d after entry` waits for day 10 when the customer comes
/// early, and goes on at once when day 10 has passed; an event at the
/// deadline's second finds the journey over.
#[test]
fn wait_until_waits_for_the_moment_or_goes_on_at_once() {
    let plan = compile(LAST_WORD);
    let events = [
        event("2026-03-01T09:00:00Z", "early", "signup"),
        event("2026-03-03T09:00:00Z", "early", "click"),
        event("2026-03-01T09:00:00Z", "late", "signup"),
        event("2026-03-13T10:00:00Z", "late", "click"),
    ];
    assert_eq!(
        trace(
            &plan,
            vec![customer("early", &["email"]), customer("late", &["email"])],
            &events,
            "2026-06-01T00:00:00Z"
        ),
        "2026-03-01T09:00:00Z early enter\n\
         2026-03-01T09:00:00Z late enter\n\
         2026-03-11T09:00:00Z early send email last-word\n\
         2026-03-11T09:00:00Z early exit said\n\
         2026-03-13T10:00:00Z late send email last-word\n\
         2026-03-13T10:00:00Z late exit said"
    );
}

/// An event at the very second of the deadline: the journey is over
/// first, whatever the event would have done.
#[test]
fn an_event_at_the_deadline_finds_the_journey_over() {
    let plan = compile(
        r#"
 trigger event signup
 consent email
 ends after 2d as phase_over
 step hello {
   wait up to 5d for click {
     click   -> thanks
     timeout -> exit no_click
   }
 }
 step thanks {
   send email "thanks"
   exit clicked
 }"#,
    );
    assert_eq!(
        trace(
            &plan,
            vec![customer("c1", &["email"])],
            &[
                event("2026-03-01T09:00:00Z", "c1", "signup"),
                event("2026-03-03T09:00:00Z", "c1", "click"),
            ],
            "2026-06-01T00:00:00Z"
        ),
        "2026-03-01T09:00:00Z c1 enter\n\
         2026-03-03T09:00:00Z c1 exit phase_over"
    );
}

// -- interrupts ---------------------------------------------------------------

const CANCEL: &str = r#"
 trigger event signup
 consent email
 exit when unsubscribe as unsubscribed
 on cancel_requested -> ask_why
 step offer {
   send email "offer"
   wait up to 3d for click {
     click   -> exit clicked
     timeout -> later
   }
 }
 step later {
   send email "reminder"
   wait 7d
   exit no_answer
 }
 step ask_why {
   send email "tell-us-why"
   wait up to 7d for survey_answered {
     survey_answered -> keep
     timeout         -> exit left_silently
   }
 }
 step keep {
   set churn_reason = answer.reason
   exit told_us
 }"#;

/// A cancel at any step leads to the survey: during a wait for an event
/// and during a plain wait; the answer is kept. A second cancel on the
/// survey's way does nothing (an interrupt does not apply on its own way).
/// An exit rule still comes first.
#[test]
fn an_interrupt_moves_the_customer_from_any_wait() {
    let plan = compile(CANCEL);
    let events = [
        event("2026-03-01T09:00:00Z", "early", "signup"),
        event("2026-03-02T09:00:00Z", "early", "cancel_requested"),
        // On the interrupt's own way: no second survey.
        event("2026-03-02T12:00:00Z", "early", "cancel_requested"),
        with(
            "2026-03-03T09:00:00Z",
            "early",
            "survey_answered",
            &[("reason", "price")],
        ),
        event("2026-03-01T09:00:00Z", "late", "signup"),
        event("2026-03-06T09:00:00Z", "late", "cancel_requested"),
        event("2026-03-01T09:00:00Z", "gone", "signup"),
        event("2026-03-02T09:00:00Z", "gone", "unsubscribe"),
        event("2026-03-02T10:00:00Z", "gone", "cancel_requested"),
    ];
    let customers = vec![
        customer("early", &["email"]),
        customer("late", &["email"]),
        customer("gone", &["email"]),
    ];
    assert_eq!(
        trace(&plan, customers, &events, "2026-06-01T00:00:00Z"),
        "2026-03-01T09:00:00Z early enter\n\
         2026-03-01T09:00:00Z early send email offer\n\
         2026-03-01T09:00:00Z late enter\n\
         2026-03-01T09:00:00Z late send email offer\n\
         2026-03-01T09:00:00Z gone enter\n\
         2026-03-01T09:00:00Z gone send email offer\n\
         2026-03-02T09:00:00Z early send email tell-us-why\n\
         2026-03-02T09:00:00Z gone exit unsubscribed\n\
         2026-03-03T09:00:00Z early set churn_reason = Text(\"price\")\n\
         2026-03-03T09:00:00Z early exit told_us\n\
         2026-03-04T09:00:00Z late send email reminder\n\
         2026-03-06T09:00:00Z late send email tell-us-why\n\
         2026-03-13T09:00:00Z late exit left_silently"
    );
}

/// An interrupt at the very second a wait times out: the timeout comes
/// first (an event at the moment a wait ends is too late for it), and the
/// interrupt then moves the customer from the step the timeout led to.
#[test]
fn an_interrupt_at_the_second_of_a_timeout_comes_after_it() {
    let plan = compile(CANCEL);
    let events = [
        event("2026-03-01T09:00:00Z", "c1", "signup"),
        event("2026-03-04T09:00:00Z", "c1", "cancel_requested"),
    ];
    assert_eq!(
        trace(
            &plan,
            vec![customer("c1", &["email"])],
            &events,
            "2026-06-01T00:00:00Z"
        ),
        "2026-03-01T09:00:00Z c1 enter\n\
         2026-03-01T09:00:00Z c1 send email offer\n\
         2026-03-04T09:00:00Z c1 send email reminder\n\
         2026-03-04T09:00:00Z c1 send email tell-us-why\n\
         2026-03-11T09:00:00Z c1 exit left_silently"
    );
}
