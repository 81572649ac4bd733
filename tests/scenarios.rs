//! Scenario tests: every program in `programs/` replayed over a handful of
//! scripted customers, with the exact action trace snapshot-tested.
//!
//! Each program has `tests/scenarios/<program>.customers.jsonl` and
//! `tests/scenarios/<program>.events.jsonl`, read with the same readers as
//! `nurture replay` against `programs/schema.nurture`. The trace has one line
//! per action (UTC time, customer, action; sends and deferrals also show the
//! customer's local time when they have a time zone) and ends with one line
//! per customer saying where they stand.
//!
//! Every snapshot was read by hand against the program and
//! `docs/runtime.md`; the comment above each test says what each customer is
//! there to show.

use nurture::plan::{self, Plan};
use nurture::run::input::{Format, read_customers, read_events, show_time};
use nurture::run::replay::replay;
use nurture::run::{ActionKind, Customer, Datum, Journey, Status};
use nurture::syntax::ast::Schema;
use std::path::Path;

/// The seed every scenario runs with: splits and holdouts depend on it.
const SEED: u64 = 42;

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn schema() -> Schema {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    nurture::syntax::parse(&read(&root.join("programs/schema.nurture")))
        .schema
        .expect("programs/schema.nurture holds a schema")
}

/// The program compiled against the schema; a program with errors fails
/// the test.
fn compile(program: &str, schema: &Schema) -> Plan {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = read(&root.join(format!("programs/{program}.nurture")));
    let errors: Vec<String> = nurture::check::check_text_with(&text, Some(schema))
        .iter()
        .filter(|d| d.severity() == nurture::diagnostic::Severity::Error)
        .map(|d| format!("{} {}", d.code.id(), d.message))
        .collect();
    assert!(errors.is_empty(), "{program}: {errors:?}");
    let parsed = nurture::syntax::parse(&text).program.expect("a program");
    plan::compile(&parsed, Some(schema))
}

fn at(text: &str) -> i64 {
    text.parse::<jiff::Timestamp>()
        .expect("a timestamp")
        .as_second()
}

/// `Mon 07:00 America/New_York`: the customer's wall clock, to check quiet
/// hours by eye.
fn local(seconds: i64, zone: &str) -> String {
    let tz = jiff::tz::TimeZone::get(zone).expect("a known time zone");
    let zoned = jiff::Timestamp::from_second(seconds)
        .expect("in range")
        .to_zoned(tz);
    format!("{} {zone}", zoned.strftime("%a %H:%M"))
}

fn datum(value: &Datum) -> String {
    match value {
        Datum::Bool(b) => b.to_string(),
        Datum::Number(n) => n.to_string(),
        Datum::Text(t) => format!("{t:?}"),
        Datum::List(items) => format!("{items:?}"),
        Datum::Time(t) => show_time(*t),
    }
}

/// Where a customer stands at the end, in one line.
fn standing(customer: &Customer, journey: &Journey) -> String {
    let mut line = format!("{}: ", customer.id);
    match journey.status {
        Status::Out => line.push_str("out, never entered"),
        Status::In => line.push_str(&format!(
            "STILL IN at node {}{}, due {}",
            journey.node(),
            if journey.holdout { " (holdout)" } else { "" },
            journey.due().map_or("never".to_string(), show_time)
        )),
        Status::Left => line.push_str(&format!(
            "left {} at {}{}, entries {}",
            journey.outcome().unwrap_or("?"),
            journey.left_at().map_or("?".to_string(), show_time),
            if journey.holdout { " (holdout)" } else { "" },
            journey.entries
        )),
    }
    line.push_str(&format!(" | score {}", customer.score));
    if !customer.tags.is_empty() {
        let tags: Vec<&str> = customer.tags.iter().map(String::as_str).collect();
        line.push_str(&format!(" | tags {}", tags.join(",")));
    }
    if let Some(phase) = &customer.phase {
        line.push_str(&format!(" | phase {phase}"));
    }
    line
}

/// Replays the program's scenario files until `until` and returns the trace.
fn scenario(program: &str, until: &str) -> String {
    let schema = schema();
    let plan = compile(program, &schema);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let customers_file = format!("{program}.customers.jsonl");
    let events_file = format!("{program}.events.jsonl");
    let (customers, errors) = read_customers(
        &customers_file,
        &read(&dir.join(&customers_file)),
        Format::JsonLines,
        Some(&schema),
    );
    assert!(errors.is_empty(), "{errors:#?}");
    let (events, errors) = read_events(&events_file, &read(&dir.join(&events_file)), Some(&schema));
    assert!(errors.is_empty(), "{errors:#?}");
    let until = at(until);
    assert!(
        events.last().is_some_and(|e| e.at < until),
        "`until` must come after the last event"
    );
    let zones: std::collections::BTreeMap<String, Option<String>> = customers
        .iter()
        .map(|c| (c.id.clone(), c.time_zone.clone()))
        .collect();

    let result = replay(&plan, SEED, customers, &events, Some(until));
    assert!(
        result.unknown_customers.is_empty(),
        "events for customers not in the file: {:?}",
        result.unknown_customers
    );

    let mut lines = Vec::new();
    for action in &result.actions {
        let zone = zones.get(&action.customer).cloned().flatten();
        let local_at = |seconds: i64| {
            zone.as_deref()
                .map_or(String::new(), |zone| format!(" [{}]", local(seconds, zone)))
        };
        let what = match &action.kind {
            ActionKind::Enter { holdout } => {
                format!("enter{}", if *holdout { " (holdout)" } else { "" })
            }
            ActionKind::Send { channel, template } => {
                format!("send {channel} {template}{}", local_at(action.at))
            }
            ActionKind::Skip {
                channel,
                template,
                reason,
            } => format!("skip {channel} {template}: {reason}"),
            ActionKind::Defer {
                channel,
                template,
                until,
            } => format!(
                "defer {channel} {template}{} until {}{}",
                local_at(action.at),
                show_time(*until),
                local_at(*until)
            ),
            ActionKind::Notify { recipient, message } => format!("notify {recipient}: {message}"),
            ActionKind::Score { points } => format!("score {points:+}"),
            ActionKind::Tag { tag } => format!("tag {tag}"),
            ActionKind::Untag { tag } => format!("untag {tag}"),
            ActionKind::Set { attribute, value } => format!("set {attribute} = {}", datum(value)),
            ActionKind::Phase { phase } => format!("phase {phase}"),
            ActionKind::Exit { outcome } => format!("exit {outcome}"),
        };
        lines.push(format!(
            "{} {} {what}",
            show_time(action.at),
            action.customer
        ));
    }
    lines.push(format!("-- at {}:", show_time(until)));
    for (customer, journey) in result.customers.values() {
        lines.push(standing(customer, journey));
    }
    lines.join("\n") + "\n"
}

macro_rules! scenario_test {
    ($(#[$doc:meta])* $program:ident, $until:literal) => {
        $(#[$doc])*
        #[test]
        fn $program() {
            let trace = scenario(stringify!($program), $until);
            insta::assert_snapshot!(stringify!($program), trace);
        }
    };
}

scenario_test!(
    /// Trigger: 14 days before `consumables_due_at` (on the clock).
    ///
    /// | customer | intent |
    /// |---|---|
    /// | bernd | never responds: both reminders time out, not a big account → `overdue` |
    /// | dora | clicks through to the shop → `in_cart` nudge a day later, then buys filters → first reorder, tagged `reorders_regularly` |
    /// | ernst | already on auto-refill: outside the audience, never enters |
    /// | fiona | buys something that is not consumables → second reminder; unsubscribes mid-wait |
    /// | klara | key account in New York: trigger at 23:00 local is held to 07:00; never reorders → account call and KAM notified |
    /// | rita | Berlin, already a regular: trigger at 01:00 local held to 07:00, reorders → auto-refill offer a week later → subscribes |
    after_sales_consumables,
    "2026-08-01T00:00:00Z"
);

scenario_test!(
    /// Trigger: a machine purchase of at least 2000; goal: service booked
    /// within 120 days.
    ///
    /// | customer | intent |
    /// |---|---|
    /// | anna | buys at 19:30 in Berlin (quiet from 19:00): thank-you held to 08:00; books the service after the second mail → `converted` |
    /// | bruno | never clicks, allows SMS → SMS reminder, `not_booked` a week later |
    /// | carl | key account, clicks the booking page → 3 days later a service call → `handed_to_service` |
    /// | dana | a 500 machine does not trigger; a 2200 one does; no SMS consent → printed voucher letter (needs no consent), `not_booked` |
    /// | emil | US customer: outside the DACH audience, never enters |
    /// | frida | a delivery complaint is ignored, a machine complaint escalates; re-entry refused inside 30 days, allowed after; books → `converted` on entry 2 |
    after_sales_service,
    "2026-09-01T00:00:00Z"
);

scenario_test!(
    /// Trigger: a machine delivered; goal: a training meeting within 60
    /// days; one offer per customer (`reentry never`).
    ///
    /// | customer | intent |
    /// |---|---|
    /// | uli | user with the app in Berlin, delivered at 21:00 (quiet from 20:00): mail and push held to 07:30; a demo meeting does not count, a training meeting converts |
    /// | vera | user without push consent (push skipped); clicks → nudge two days later → no reply → customer success |
    /// | walt | decision maker: ROI webinar, replies → customer success; a second delivery later does not re-enter |
    /// | xena | buyer: a consumables delivery does not trigger, a machine one does → budget note, `declined` after 14 days |
    /// | yusuf | already `trained`: outside the audience |
    /// | zoe | admin in Los Angeles → budget note; unsubscribes mid-wait |
    after_sales_training,
    "2026-08-01T00:00:00Z"
);

scenario_test!(
    /// Triggers: the phase becomes `develop`, the tag `vip` is added (record
    /// changes told as `phase_changed` and `tag_added` events); goal: a
    /// purchase within 30 days; `reentry never`.
    ///
    /// | customer | intent |
    /// |---|---|
    /// | d1 | welcome → develop: enters, clicks → interested, leaves `browsed` |
    /// | d2 | already in develop: the same phase again is no change; later retain → develop: enters then |
    /// | d3 | tagged `do_not_contact`: outside the audience |
    /// | d4 | tagged `vip`: enters, buys → converted |
    /// | d5 | no email consent: does not enter |
    develop_new_customer,
    "2026-05-01T00:00:00Z"
);

scenario_test!(
    /// Trigger: bikes delivered; goal: accessories bought within 30 days;
    /// a 50/50 split on the incentive.
    ///
    /// | customer | intent |
    /// |---|---|
    /// | ebbe | e-bike in Copenhagen delivered at 22:30: the offer four days later falls in quiet hours, held to 08:00; clicks → incentive; SMS allowed → final SMS, `not_converted` |
    /// | nina | 1800 bike → premium bundle; a parts purchase does not count, accessories convert |
    /// | ona2 | 600 bike → safety basics; never clicks → the 10% arm after 5 days; no SMS consent → `not_converted` |
    /// | osman57 | drawn into the holdout: gets nothing, leaves as `holdout` when the 30-day goal window ends |
    /// | paul | 300 bike: below the audience's 400 |
    /// | quilla26 | also drawn into the holdout; complains during the window: exit rules apply to the control group too → `complained` |
    cross_sell_accessories,
    "2026-08-01T00:00:00Z"
);

scenario_test!(
    /// Trigger: an NPS of 9 or 10; goal: a referral within 30 days; 20%
    /// holdout.
    ///
    /// | customer | intent |
    /// |---|---|
    /// | ada2 | key account: the KAM is asked instead of a mail; refers → `converted` |
    /// | ben | Los Angeles, answers at 22:00 local: thank-you held to 08:00; clicks the referral page → customer success, then the push reminder → `not_referred` |
    /// | cleo | no push consent, never clicks → `not_referred` after the 10-day wait |
    /// | dirk | an 8 does not trigger; a 10 a month later does; complains → `complained` |
    /// | edda9 | already an `advocate`: outside the audience |
    /// | ivo7 | drawn into the holdout: gets nothing, but refers within the window → `converted` (as a control) |
    referral_ask,
    "2026-09-01T00:00:00Z"
);

scenario_test!(
    /// Trigger: 28 days after `last_purchase_at` (on the clock); goal: a
    /// coffee order within 45 days; the loop runs at most twice.
    ///
    /// | customer | intent |
    /// |---|---|
    /// | mara | ignores everything: mail, push, two weeks, mail, push → `lapsed` (tag `reminded_once` set, then removed) |
    /// | noah | Berlin, due at 23:00 local: mail held to 08:00; opens → second round two weeks later; orders coffee → `converted` |
    /// | olga | clicks → three days, then the second round; unsubscribes → `unsubscribed` |
    /// | pete | on auto-refill: outside the audience |
    /// | rosa | buys tea, not coffee: outside the audience |
    repurchase_reminder,
    "2026-08-01T00:00:00Z"
);

scenario_test!(
    /// Triggers: a cancellation request, entering `high_churn_risk`, or 60
    /// days before `contract_end`; renewing exits as `saved` anywhere.
    ///
    /// | customer | intent |
    /// |---|---|
    /// | kai | key account entering the risk segment → KAM and a call; renews → `saved`; re-enters on the clock 60 days before the contract ends (after the 120-day cool-down) and churns after 21 days |
    /// | lena | cancels at 21:30 in Berlin (tagged `cancel_pending`, low model risk): survey mail held to 08:00; no answer → SMS; answers "price" → offer; clicks → call; books a meeting → `in_talks` |
    /// | mats | enters the risk segment; answers "service" → apology, service team, call; no meeting → `churned` |
    /// | nora | enters on the clock at midnight, 60 days before her contract ends: mail held to 08:00; never answers → ask again (no SMS consent) → last chance → `churned` |
    /// | joost23 | drawn into the holdout: the program has no goal, so the control customer leaves at once as `holdout`; a later renewal does nothing |
    /// | pia | New York, cancels 12 days before her contract ends → straight to the last-chance offer; unsubscribes |
    retain_churn_risk,
    "2026-12-31T00:00:00Z"
);

scenario_test!(
    /// Trigger: a scanned badge at agritechnica or eima; goal: a meeting
    /// within 30 days.
    ///
    /// | customer | intent |
    /// |---|---|
    /// | giulia | key account visiting at 18:45 in Rome (quiet from 18:30): KAM notified at once, call and mail held to 08:00; leaves `handed_to_kam` 7 days later |
    /// | hans | decision maker interested in a new machine → demo mail; clicks → `hot_lead` |
    /// | ines | buyer: thank-you, no reaction → highlights; clicks → brochure; no reply → `nurtured` |
    /// | jon | a user, not a key account: outside the audience |
    /// | kim | Seoul: an unscanned badge does not trigger; a scanned one at 19:00 local holds the thank-you to 08:00; books a meeting → `converted` |
    /// | lars | a small purchase does nothing; a 85000 purchase on the stand → `bought_at_fair` |
    trade_fair_follow_up,
    "2026-12-31T00:00:00Z"
);

scenario_test!(
    /// Trigger: 120 days before `contract_end` (on the clock); goal: a
    /// bigger contract within 150 days.
    ///
    /// | customer | intent |
    /// |---|---|
    /// | admin1 | admin → feature tour; renews at the same amount (not the goal either way); no click or login → `no_response` |
    /// | anon1 | no role → asked; answers "decision_maker" → review invite; renews bigger (130000 > 100000) → `converted` (`previous_amount` is a property of `contract_renewed`, compared as such) |
    /// | buyer1 | buyer → volume pricing; clicks → `quote_requested` |
    /// | dm1 | decision maker in Berlin, due at 02:00 local: invite held to 08:00; no answer → KAM call → `handed_to_kam` |
    /// | risky1 | churn risk 0.7: left to the retain program, never enters |
    /// | user1 | user in Chicago: due at 21:00 local, held to 08:00; logs in at 20:00 local → champion, whose mail is held to 08:00 before the exit |
    upsell_key_account,
    "2026-12-31T00:00:00Z"
);

scenario_test!(
    /// Trigger: entering `power_users`; goal: buying premium within 30
    /// days; a 40/40/20 split on the first offer; 15% holdout.
    ///
    /// | customer | intent |
    /// |---|---|
    /// | p5 | entering another segment does nothing; power users → offer; clicks → five days → smb worth 8000 → sales call |
    /// | p17 | New York, enters at 20:00 local: offer held to 08:00; no click → push (consented); no click → `not_now`, score −5 |
    /// | p23 | no push consent → second touch by mail; clicks; buys premium while considering → `converted` |
    /// | p4 | bronze tier: outside the audience |
    /// | p15 | asks to cancel → `cancelling` |
    upsell_premium,
    "2026-06-01T00:00:00Z"
);

scenario_test!(
    /// Triggers: no purchase for 180 days (on the clock), or leaving
    /// `active_buyers`; goal: any purchase within 60 days; 10% holdout.
    ///
    /// | customer | intent |
    /// |---|---|
    /// | w9 | Berlin: 180 days pass at 21:30 local, mail held to 08:00; no reaction → SMS nudge → `dormant` |
    /// | w11 | leaves `active_buyers`; clicks → comeback offer; buys → `converted` |
    /// | w2 | inactive on the clock; opens → reminder; clicks → offer; no purchase → `handed_off` to sales |
    /// | w6 | gold: outside the audience when the 180 days pass |
    /// | w13 | last purchase in 2023 (lost, not dormant): leaving the segment does not let them in |
    /// | w19 | 180 days passed before the replay starts: dormant at the start, so they enter on the replay's first tick (clock triggers fire on ticks, never on an event) |
    wake_up_dormant,
    "2026-08-01T00:00:00Z"
);

scenario_test!(
    /// Triggers: signup, or entering `first_time_buyers`; no goal: the
    /// first login hands over to the develop phase; `reentry never`.
    ///
    /// | customer | intent |
    /// |---|---|
    /// | aiko | Tokyo, signs up at 22:00 local: welcome held to 07:30; logs in → engaged → `welcomed` a week later |
    /// | bea | Berlin with SMS: never logs in → SMS help (DACH) → `inactive_start` |
    /// | cem | decision maker: clicks the guide but never logs in → personal onboarding call |
    /// | dave | a reseller: outside the audience |
    /// | emma | Denver: enters by segment, the signup minutes later is ignored; no SMS help outside DACH → mail help; logs in → `welcomed`; a later signup does not re-enter |
    /// | fritz | unsubscribes mid-wait |
    welcome_new_customer,
    "2026-06-01T00:00:00Z"
);

scenario_test!(
    /// Trigger: key accounts on the basic plan entering `power_users`;
    /// where they go depends on the lead score, the score on the record
    /// included.
    ///
    /// | customer | intent |
    /// |---|---|
    /// | hana | comes with 30; a click (+15) makes 45 → straight to sales, with a call |
    /// | ivo | comes with 0; an open (+5) is cold → reminder; its click (+15) makes 20, still short of 40 → `nurtured` |
    /// | jan | comes with 10; a click makes 25 → the case study; a reply → sales |
    /// | kim | never answers: 0 after a week → reminder → `cold` |
    /// | lea | 90 points but no key account: outside the audience, never enters |
    /// | mo | Tokyo, 45 points: enters at 21:00 local, the first mail held to 07:00; no answer in a week, but 45 → sales anyway |
    upsell_lead_score,
    "2026-04-15T00:00:00Z"
);
