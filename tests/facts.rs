//! The static facts of `--summary`: exact on small programs, and snapshotted
//! for every bundled program.

use nurture::check::facts::Facts;
use nurture::check::facts_of_text;

fn facts(text: &str) -> Facts {
    facts_of_text(text).expect("a program without errors")
}

const HEADER: &str =
    "kind welcome\n owner \"crm@example.com\"\n trigger event signup\n consent email, sms\n";

fn program(header_extra: &str, steps: &str) -> String {
    format!("program p {{\n {HEADER}{header_extra}\n{steps}\n}}\n")
}

#[test]
fn counts_messages_along_the_longest_path_per_channel() {
    let text = program(
        "",
        r#"step a {
             send email "1"
             wait up to 3d for click {
               click -> b
               timeout -> c
             }
           }
           step b { send email "2"  send sms "3"  exit done }
           step c { send sms "4"  wait 2d  exit quiet }"#,
    );
    let facts = facts(&text);
    assert_eq!(facts.messages.total, Some(3));
    assert_eq!(facts.messages.per_channel.get("email"), Some(&Some(2)));
    assert_eq!(facts.messages.per_channel.get("sms"), Some(&Some(1)));
    assert_eq!(facts.messages.unbounded_because, None);
    // a: up to 3d, then c: 2d.
    assert_eq!(facts.longest_stay.minutes, Some(5 * 24 * 60));
    assert_eq!(facts.longest_stay.text, "5d");
    assert_eq!(
        facts.outcomes,
        vec!["done".to_string(), "quiet".to_string()]
    );
    assert_eq!(facts.goal, None);
}

#[test]
fn a_loop_that_sends_makes_messages_and_stay_unbounded() {
    let text = program("", r#"step a { send email "again"  wait 30d  -> a }"#);
    let facts = facts(&text);
    assert_eq!(facts.messages.total, None);
    assert_eq!(facts.messages.per_channel.get("email"), Some(&None));
    assert_eq!(
        facts.messages.unbounded_because.as_deref(),
        Some("step `a` can repeat, sending each time")
    );
    assert_eq!(facts.longest_stay.minutes, None);
    assert_eq!(facts.longest_stay.text, "unbounded");
}

#[test]
fn a_loop_that_only_waits_leaves_messages_bounded() {
    let text = program(
        "",
        r#"step a { send email "hello"  -> b }
           step b {
             wait up to 7d for click {
               click -> exit clicked
               timeout -> b
             }
           }"#,
    );
    let facts = facts(&text);
    assert_eq!(facts.messages.total, Some(1));
    assert_eq!(facts.longest_stay.minutes, None);
}

#[test]
fn outcomes_include_the_goal_and_exit_rules() {
    let text = program(
        "goal purchase within 30d\n exit when unsubscribe\n exit when complaint as complained",
        r#"step a { send email "x"  wait 1d  exit done }"#,
    );
    assert_eq!(
        facts(&text).outcomes,
        vec!["complained", "converted", "done", "unsubscribe"]
    );
}

/// The goal and the rules take an event only while a customer is in the
/// program: a program that never waits ends before any event comes.
#[test]
fn outcomes_no_customer_can_reach_are_not_listed() {
    let header = "goal purchase within 30d\n exit when unsubscribe";
    let at_once = program(header, r#"step a { send email "x"  exit done }"#);
    assert_eq!(facts(&at_once).outcomes, vec!["done"]);
    // Quiet hours hold the send back, and events come meanwhile.
    let quiet = program(
        &format!("{header}\n quiet 21:00..08:00"),
        r#"step a { send email "x"  exit done }"#,
    );
    assert_eq!(
        facts(&quiet).outcomes,
        vec!["converted", "done", "unsubscribe"]
    );
    // The control group waits out the goal's window.
    let holdout = program(
        &format!("{header}\n holdout 10%"),
        r#"step a { send email "x"  exit done }"#,
    );
    assert_eq!(
        facts(&holdout).outcomes,
        vec!["converted", "done", "holdout", "unsubscribe"]
    );
    // An arm the goal always takes first leads nowhere.
    let shadowed = program(
        header,
        r#"step a {
             send email "x"
             wait up to 7d for purchase {
               purchase -> exit bought
               timeout -> exit done
             }
           }"#,
    );
    assert_eq!(
        facts(&shadowed).outcomes,
        vec!["converted", "done", "unsubscribe"]
    );
    // A rule that takes every goal event first leaves no `converted`.
    let ruled = program(
        "goal purchase within 30d\n exit when purchase as bought",
        r#"step a { send email "x"  wait 1d  exit done }"#,
    );
    assert_eq!(facts(&ruled).outcomes, vec!["bought", "done"]);
}

#[test]
fn the_quickest_goal_is_the_least_waiting_to_a_wait_for_the_goal() {
    let text = program(
        "goal purchase within 60d",
        r#"step a {
             send email "1"
             wait 2d
             wait up to 5d for click {
               click -> offer
               timeout -> slow
             }
           }
           step slow { wait 10d  -> offer }
           step offer {
             send email "offer"
             wait up to 7d for purchase {
               purchase -> exit converted
               timeout -> exit lost
             }
           }"#,
    );
    let goal = facts(&text).goal.expect("a goal");
    assert_eq!(goal.event, "purchase");
    assert_eq!(goal.within, "60d");
    let quickest = goal.quickest.expect("a way to the goal");
    assert_eq!(quickest.minutes, 2 * 24 * 60);
    assert_eq!(quickest.steps, vec!["a", "offer"]);
    assert_eq!(quickest.by, "purchase");
}

#[test]
fn no_facts_for_a_program_with_errors() {
    let text = program("", r#"step a { send email "x"  -> nowhere }"#);
    assert!(facts_of_text(&text).is_none());
}

#[test]
fn bundled_programs() {
    insta::glob!("../programs", "*.nurture", |path| {
        let text = std::fs::read_to_string(path).expect("readable");
        if text.trim_start().starts_with("schema") || path.ends_with("schema.nurture") {
            return;
        }
        let facts = facts_of_text(&text).expect("bundled programs have no errors");
        insta::assert_json_snapshot!(facts);
    });
}

/// Guards that exclude each other within a run count once; what a `branch`
/// arm said counts too, unless quiet hours may hold the run at its first
/// send (the record may change meanwhile). Across a wait, each counts.
#[test]
fn sends_whose_guards_exclude_each_other_count_once() {
    let pair = r#"step a {
             send sms "a" if consent sms
             send email "b" if not consent sms
             send email "c" if has tag vip
             send email "d" if not has tag vip
             exit done
           }"#;
    assert_eq!(facts(&program("", pair)).messages.total, Some(2));
    let apart = r#"step a {
             send sms "a" if consent sms
             wait 1d
             send email "b" if not consent sms
             exit done
           }"#;
    assert_eq!(facts(&program("", apart)).messages.total, Some(2));
    let after_branch = r#"step a {
             branch {
               when has tag vip -> b
               else -> exit done
             }
           }
           step b {
             send email "b" if not has tag vip
             send email "c"
             exit done
           }"#;
    assert_eq!(facts(&program("", after_branch)).messages.total, Some(1));
    assert_eq!(
        facts(&program("quiet 21:00..08:00", after_branch))
            .messages
            .total,
        Some(2)
    );
}

/// Quiet hours hold each run that sends once, by their length; the holdout
/// stays the goal's window.
#[test]
fn the_longest_stay_counts_every_delay() {
    let text = program(
        "quiet 21:00..08:00",
        r#"step a { send email "a"  wait 1d  send email "b"  exit done }"#,
    );
    // 1d, and 11h for each of the two runs that send.
    assert_eq!(
        facts(&text).longest_stay.minutes,
        Some(24 * 60 + 2 * 11 * 60)
    );
    assert_eq!(facts(&text).longest_stay.text, "46h");
    let holdout = program(
        "goal purchase within 30d\n holdout 10%",
        r#"step a { send email "a"  wait 1d  exit done }"#,
    );
    assert_eq!(facts(&holdout).longest_stay.minutes, Some(30 * 24 * 60));
}
