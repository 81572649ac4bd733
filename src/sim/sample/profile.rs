//! One sample customer, whole: who they are and what they bought
//! (`who.rs`, `history.rs`), and what follows from it here: tags, consents,
//! churn risk, segments, contract and reorder dates, lead score and phase.
//!
//! Everything is decided in a fixed order from the customer's own random
//! stream; adding a draw in the middle changes every later value, so the
//! bundled `programs/sample/population.csv` must be regenerated with it.

use super::calendar::{Day, SECONDS_PER_DAY};
use super::history::{History, history, local_moment};
use super::rng::Rng;
use super::who::{Tier, Who, who};
use super::world::FAIR_INTERESTS;

/// A few names out of a fixed list, kept as bits: the list's order is the
/// order they are written in.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub struct Set(u8);

impl Set {
    fn add(&mut self, item: u8, yes: bool) {
        if yes {
            self.0 |= 1 << item;
        }
    }

    pub fn has(self, item: u8) -> bool {
        self.0 & (1 << item) != 0
    }
}

pub const CONSENTS: [&str; 3] = ["email", "sms", "push"];
const EMAIL: u8 = 0;
const SMS: u8 = 1;
const PUSH: u8 = 2;

pub const TAGS: [&str; 8] = [
    "machine_owner",
    "auto_refill",
    "trained",
    "app_user",
    "advocate",
    "cancel_pending",
    "vip",
    "do_not_contact",
];
const MACHINE_OWNER: u8 = 0;
const AUTO_REFILL: u8 = 1;
const TRAINED: u8 = 2;
const APP_USER: u8 = 3;
const ADVOCATE: u8 = 4;
const CANCEL_PENDING: u8 = 5;
const VIP: u8 = 6;
const DO_NOT_CONTACT: u8 = 7;

pub const SEGMENTS: [&str; 4] = [
    "active_buyers",
    "power_users",
    "first_time_buyers",
    "high_churn_risk",
];
const ACTIVE_BUYERS: u8 = 0;
const POWER_USERS: u8 = 1;
const FIRST_TIME_BUYERS: u8 = 2;
const HIGH_CHURN_RISK: u8 = 3;

pub struct Profile {
    pub who: Who,
    pub history: History,
    pub consents: Set,
    pub tags: Set,
    pub segments: Set,
    pub score: i64,
    pub phase: Option<&'static str>,
    /// In hundredths, 1..=99: written `0.42`.
    pub churn_risk: i64,
    pub contract_end: Option<Day>,
    pub consumables_due: Option<Day>,
    pub fair_interest: Option<&'static str>,
    pub last_login: Option<i64>,
}

pub fn profile(seed: u64, number: u64, as_of: Day) -> Profile {
    let mut rng = Rng::for_customer(seed, number);
    let who = who(&mut rng);
    let history = history(&mut rng, &who, as_of);
    let days = history.days_since_purchase(as_of);
    let bought = history.orders > 0;
    let line = history.line.name;

    let mut tags = Set::default();
    tags.add(MACHINE_OWNER, history.owner);
    let refills = match line {
        "coffee" => 250,
        "coffee_machines" | "water_filters" if history.owner => 150,
        _ => 0,
    };
    tags.add(AUTO_REFILL, bought && rng.chance(refills));
    let trained = if who.business { 350 } else { 80 };
    tags.add(TRAINED, history.owner && rng.chance(trained));
    tags.add(APP_USER, rng.chance(if who.business { 180 } else { 350 }));

    // App users who still buy open the app often; the others drift away.
    let last_login = if tags.has(APP_USER) {
        let ago = match days {
            Some(days) if days > 180 => rng.between(30, 540),
            _ if rng.chance(600) => rng.between(1, 7),
            _ => rng.between(8, 120),
        };
        Some(local_moment(&mut rng, &who, as_of - ago, as_of))
    } else {
        None
    };
    let login_days = last_login.map(|at| as_of - at.div_euclid(SECONDS_PER_DAY));

    let mut churn = match days {
        None => rng.between(25, 60),
        Some(0..=90) => rng.between(3, 35),
        Some(91..=180) => rng.between(20, 55),
        Some(181..=730) => rng.between(40, 85),
        Some(_) => rng.between(65, 98),
    };
    churn -= 12 * i64::from(tags.has(AUTO_REFILL))
        + 8 * i64::from(who.key_account)
        + 5 * i64::from(who.tier == Tier::Gold)
        + 8 * i64::from(login_days.is_some_and(|days| days <= 14));

    let contract_end = contract_end(&mut rng, &who, &tags, days, as_of);
    let cancelling = contract_end.is_some_and(|end| end >= as_of)
        && rng.chance(if churn >= 60 { 150 } else { 15 });
    tags.add(CANCEL_PENDING, cancelling);
    if cancelling {
        // Asking to cancel is the strongest churn signal there is.
        churn = churn.max(rng.between(60, 95));
    }
    let churn = churn.clamp(1, 99);

    let advocates = if who.tier == Tier::Gold { 250 } else { 100 };
    let happy = bought && churn <= 30 && days.is_some_and(|days| days <= 365);
    tags.add(ADVOCATE, happy && rng.chance(advocates));
    let vips = match (who.tier, who.business, who.key_account) {
        (Tier::Gold, true, true) => 600,
        (Tier::Gold, true, false) => 300,
        (Tier::Gold, false, _) => 500,
        (Tier::Silver, _, _) => 20,
        (Tier::Bronze, _, _) => 0,
    };
    tags.add(VIP, rng.chance(vips));
    tags.add(DO_NOT_CONTACT, rng.chance(15));

    let consents = consents(&mut rng, &who, &tags, days);

    let fair_visits = match (who.business, line) {
        (true, "tractors") => 300,
        (true, "coffee_machines") => 100,
        (true, "water_filters") => 50,
        _ => 0,
    };
    let fair_interest = if rng.chance(fair_visits) {
        rng.pick(FAIR_INTERESTS).copied()
    } else {
        None
    };

    let consumables_due = history
        .last_purchase
        .filter(|_| history.owner)
        .map(|at| consumables_due(&mut rng, line, at.div_euclid(SECONDS_PER_DAY), as_of));

    // The nightly segmentation's rules, applied to the same record.
    let mut segments = Set::default();
    segments.add(ACTIVE_BUYERS, days.is_some_and(|days| days <= 90));
    let frequent = login_days.is_some_and(|days| days <= 7) && history.orders >= 3;
    segments.add(POWER_USERS, frequent);
    let first = history.orders == 1 && days.is_some_and(|days| days <= 60);
    segments.add(FIRST_TIME_BUYERS, first);
    segments.add(HIGH_CHURN_RISK, churn >= 70);

    let score = score(
        &mut rng,
        &who,
        &tags,
        days,
        login_days,
        fair_interest,
        churn,
    );
    let phase = if rng.chance(150) {
        // Customers from before phases were introduced have none yet.
        None
    } else if !bought || first {
        Some("welcome")
    } else if days.is_some_and(|days| days > 365) {
        Some("win_back")
    } else if cancelling || churn >= 60 {
        Some("retain")
    } else {
        Some("develop")
    };

    Profile {
        who,
        history,
        consents,
        tags,
        segments,
        score,
        phase,
        churn_risk: churn,
        contract_end,
        consumables_due,
        fair_interest,
        last_login,
    }
}

/// Subscriptions and business contracts run for a year or two, so their
/// ends fall all around the as-of date; a customer lost years ago let
/// theirs run out long ago.
fn contract_end(
    rng: &mut Rng,
    who: &Who,
    tags: &Set,
    days: Option<i64>,
    as_of: Day,
) -> Option<Day> {
    let contracts = if who.business {
        if who.segment == "enterprise" || who.key_account || who.premium {
            800
        } else {
            300
        }
    } else if tags.has(AUTO_REFILL) {
        900
    } else if who.premium {
        600
    } else {
        0
    };
    if !rng.chance(contracts) {
        return None;
    }
    Some(match days {
        Some(days) if days > 730 => as_of - rng.between(30, 700),
        _ => as_of + rng.between(-60, 450),
    })
}

/// Most customers agree to email; fewer to texts, and those mostly along
/// with email; push only in the app. Long-lost customers have often
/// unsubscribed, and `do_not_contact` means no consent at all.
fn consents(rng: &mut Rng, who: &Who, tags: &Set, days: Option<i64>) -> Set {
    let mut consents = Set::default();
    if tags.has(DO_NOT_CONTACT) {
        return consents;
    }
    let emails = match days {
        Some(181..=730) => 820,
        Some(731..) => 700,
        _ => 900,
    };
    consents.add(EMAIL, rng.chance(emails));
    let texts = match (consents.has(EMAIL), who.business) {
        (true, true) => 200,
        (true, false) => 350,
        (false, _) => 80,
    };
    consents.add(SMS, rng.chance(texts));
    consents.add(PUSH, tags.has(APP_USER) && rng.chance(720));
    consents
}

/// The data team's projection of when the next filters, descaler or oil
/// are due: one usage cycle after the last purchase, carried forward by
/// whole cycles so that the date lies at most 45 days before the as-of
/// date (a customer who buys elsewhere still uses up filters).
fn consumables_due(rng: &mut Rng, line: &str, bought: Day, as_of: Day) -> Day {
    let cycle = match line {
        "coffee_machines" => rng.between(60, 120),
        "water_filters" => rng.between(90, 180),
        _ => rng.between(180, 365),
    };
    let earliest = as_of - 45;
    let due = bought + cycle;
    if due >= earliest {
        due
    } else {
        let cycles = (earliest - due + cycle - 1) / cycle;
        due + cycles * cycle
    }
}

/// A lead score from 0 to 100: recent buyers, app users, fair visitors and
/// advocates score high, customers about to leave low.
fn score(
    rng: &mut Rng,
    who: &Who,
    tags: &Set,
    days: Option<i64>,
    login_days: Option<i64>,
    fair_interest: Option<&str>,
    churn: i64,
) -> i64 {
    let recency = match days {
        None => 10,
        Some(0..=90) => 30,
        Some(91..=180) => 20,
        Some(181..=730) => 8,
        Some(_) => 0,
    };
    let tier = match who.tier {
        Tier::Gold => 10,
        Tier::Silver => 5,
        Tier::Bronze => 0,
    };
    let points = recency
        + tier
        + 5 * i64::from(tags.has(APP_USER))
        + 10 * i64::from(login_days.is_some_and(|days| days <= 7))
        + 15 * i64::from(fair_interest.is_some())
        + 10 * i64::from(tags.has(ADVOCATE))
        + 5 * i64::from(who.key_account)
        + rng.between(0, 20)
        - churn / 10;
    points.clamp(0, 100)
}
