//! `nurture sample customers`: the same bytes for the same seed, rows the
//! reader takes without a complaint, consistent records, distributions
//! within bounds, and the command's flags and failures.

use nurture::run::input::{Format, parse_time, read_customers};
use nurture::run::{Customer, Datum};
use nurture::sim::sample::{HEADER, Options, parse_as_of, write_customers};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn as_of() -> i64 {
    parse_as_of("2026-01-01").unwrap()
}

fn generate(count: u64, seed: u64) -> String {
    let mut out = Vec::new();
    let options = Options {
        count,
        seed,
        as_of: as_of(),
    };
    write_customers(&mut out, &options).unwrap();
    String::from_utf8(out).unwrap()
}

/// 10,000 customers of seed 7, read back with the bundled schema, once
/// for all the tests that look at them.
fn customers() -> &'static [Customer] {
    static CUSTOMERS: OnceLock<Vec<Customer>> = OnceLock::new();
    CUSTOMERS.get_or_init(|| {
        let text = generate(10_000, 7);
        let schema_text = std::fs::read_to_string(root().join("programs/schema.nurture")).unwrap();
        let schema = nurture::syntax::parse(&schema_text).schema.unwrap();
        let (customers, errors) = read_customers("sample.csv", &text, Format::Csv, Some(&schema));
        assert!(errors.is_empty(), "{:?}", &errors[..errors.len().min(5)]);
        assert_eq!(customers.len(), 10_000);
        customers
    })
}

fn nurture(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_nurture"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

// ---------------------------------------------------------------------------
// Determinism

#[test]
fn the_same_seed_gives_the_same_bytes() {
    assert_eq!(generate(2_000, 42), generate(2_000, 42));
}

#[test]
fn another_seed_gives_other_customers() {
    let (a, b) = (generate(100, 1), generate(100, 2));
    let differing = a.lines().zip(b.lines()).filter(|(x, y)| x != y).count();
    assert!(differing >= 99, "only {differing} of 100 rows differ");
}

#[test]
fn a_row_does_not_depend_on_how_many_are_made() {
    let few = generate(100, 5);
    let many = generate(5_000, 5);
    assert!(many.starts_with(&few));
}

#[test]
fn the_bundled_population_is_what_the_generator_makes() {
    let path = root().join("programs/sample/population.csv");
    let expected = generate(1_000, 1);
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &expected).unwrap();
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "programs/sample/population.csv is out of date; run `UPDATE_DOCS=1 cargo test --test sample`"
    );
}

#[test]
fn the_header_names_the_columns_the_reader_knows() {
    insta::assert_snapshot!(HEADER, @"id,time_zone,consents,tags,segments,score,phase,tier,role,is_key_account,country,language,plan,segment,product_line,lifetime_value,churn_risk,last_purchase_at,contract_end,consumables_due_at,last_order.amount,last_order.product,last_fair_visit.interest,last_event_at.purchase,last_event_at.login");
    let sample = std::fs::read_to_string(root().join("programs/sample/customers.csv")).unwrap();
    assert_eq!(sample.lines().next(), Some(HEADER));
}

// ---------------------------------------------------------------------------
// Each record is consistent in itself

fn text<'c>(customer: &'c Customer, name: &str) -> Option<&'c str> {
    match customer.attributes.get(name) {
        Some(Datum::Text(text)) => Some(text),
        _ => None,
    }
}

fn number(customer: &Customer, name: &str) -> Option<f64> {
    match customer.attributes.get(name) {
        Some(Datum::Number(n)) => Some(*n),
        _ => None,
    }
}

fn time(customer: &Customer, name: &str) -> Option<i64> {
    match customer.attributes.get(name) {
        Some(Datum::Time(at)) => Some(*at),
        _ => None,
    }
}

#[test]
fn ten_thousand_rows_read_back_without_an_error_and_agree_with_themselves() {
    let start = parse_time("2026-01-01").unwrap();
    let mut previous = String::new();
    for customer in customers() {
        let id = &customer.id;
        assert!(*id > previous, "ids sort: {id} after {previous}");
        previous = id.clone();
        let has = |tag: &str| customer.tags.contains(tag);
        let in_segment = |segment: &str| customer.segments.contains(segment);

        // The purchase time and the purchase date are one purchase.
        let purchase = customer.last_event_at.get("purchase").copied();
        let day = time(customer, "last_purchase_at");
        assert_eq!(purchase.map(|at| at - at.rem_euclid(86_400)), day, "{id}");
        assert!(
            purchase.is_none_or(|at| at < start),
            "{id} bought after as-of"
        );
        assert_eq!(
            purchase.is_some(),
            number(customer, "last_order.amount").is_some(),
            "{id}"
        );
        let login = customer.last_event_at.get("login").copied();
        assert!(
            login.is_none_or(|at| at < start),
            "{id} logged in after as-of"
        );
        assert_eq!(
            login.is_some(),
            has("app_user"),
            "{id}: logins are the app's"
        );

        let churn = number(customer, "churn_risk").unwrap();
        assert!((0.0..=1.0).contains(&churn), "{id}");
        assert_eq!(in_segment("high_churn_risk"), churn >= 0.7, "{id}");
        let days = purchase.map(|at| (start - at) / 86_400 + 1);
        if in_segment("active_buyers") {
            assert!(days.is_some_and(|days| days <= 91), "{id}");
        }
        assert_eq!(
            has("machine_owner"),
            time(customer, "consumables_due_at").is_some(),
            "{id}"
        );
        if has("do_not_contact") {
            assert!(customer.consents.is_empty(), "{id}");
        }
        if customer.consents.contains("push") {
            assert!(has("app_user"), "{id}");
        }
        if in_segment("power_users") {
            assert!(has("app_user"), "{id}");
        }
        let value = number(customer, "lifetime_value").unwrap();
        let amount = number(customer, "last_order.amount").unwrap_or(0.0);
        assert!(value >= amount, "{id}: spent less than the last order");
        assert!((0..=100).contains(&customer.score), "{id}");
        let business = matches!(
            text(customer, "role"),
            Some("user" | "buyer" | "decision_maker" | "admin")
        );
        let segment = text(customer, "segment").unwrap();
        let business_segment = matches!(segment, "smb" | "enterprise" | "reseller");
        assert_eq!(business, business_segment, "{id}: {segment}");
        if customer.attributes.get("is_key_account") == Some(&Datum::Bool(true)) {
            assert!(business, "{id}: a consumer key account");
        }
        match text(customer, "country").unwrap() {
            "US" => assert!(
                customer
                    .time_zone
                    .as_deref()
                    .is_none_or(|zone| zone.starts_with("America/"))
            ),
            _ => assert!(
                customer
                    .time_zone
                    .as_deref()
                    .is_none_or(|zone| zone.starts_with("Europe/"))
            ),
        }
    }
}

// ---------------------------------------------------------------------------
// Distributions, on 10,000 customers: wide enough for chance (a share of
// 10,000 varies by about ±1 point), narrow enough to catch a broken table.

fn share(customers: &[Customer], test: impl Fn(&Customer) -> bool) -> f64 {
    customers.iter().filter(|c| test(c)).count() as f64 / customers.len() as f64
}

fn assert_between(what: &str, value: f64, low: f64, high: f64) {
    assert!(
        (low..=high).contains(&value),
        "{what}: {value:.3} is not between {low} and {high}"
    );
}

#[test]
fn tiers_consents_and_recency_are_spread_as_documented() {
    let customers = customers();
    let tier = |name: &'static str| move |c: &Customer| text(c, "tier") == Some(name);
    assert_between("gold", share(customers, tier("gold")), 0.08, 0.12);
    assert_between("silver", share(customers, tier("silver")), 0.27, 0.33);
    assert_between("bronze", share(customers, tier("bronze")), 0.56, 0.64);

    let email = share(customers, |c| c.consents.contains("email"));
    assert_between("email consent", email, 0.80, 0.89);
    let sms = share(customers, |c| c.consents.contains("sms"));
    assert_between("sms consent", sms, 0.20, 0.32);

    let start = parse_time("2026-01-01").unwrap();
    let older_than = |days: i64| {
        move |c: &Customer| {
            c.last_event_at
                .get("purchase")
                .is_some_and(|at| *at < start - days * 86_400)
        }
    };
    assert_between("dormant", share(customers, older_than(180)), 0.33, 0.43);
    assert_between("lost", share(customers, older_than(730)), 0.09, 0.16);
    let businesses = share(customers, |c| {
        text(c, "segment").is_some_and(|s| s != "consumer" && s != "employee")
    });
    assert_between("businesses", businesses, 0.36, 0.44);
}

#[test]
fn key_accounts_are_mostly_gold_and_value_follows_tier() {
    let customers = customers();
    let key_accounts: Vec<Customer> = customers
        .iter()
        .filter(|c| c.attributes.get("is_key_account") == Some(&Datum::Bool(true)))
        .cloned()
        .collect();
    assert!(
        key_accounts.len() > 300,
        "{} key accounts",
        key_accounts.len()
    );
    let gold = share(&key_accounts, |c| text(c, "tier") == Some("gold"));
    assert_between("gold key accounts", gold, 0.65, 0.85);

    let mut values: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for customer in customers {
        let tier = text(customer, "tier").unwrap();
        values
            .entry(tier)
            .or_default()
            .push(number(customer, "lifetime_value").unwrap());
    }
    let median = |tier: &str| {
        let mut list = values[tier].clone();
        list.sort_by(f64::total_cmp);
        list[list.len() / 2]
    };
    assert!(median("gold") > 3.0 * median("silver"));
    assert!(median("silver") > 2.0 * median("bronze"));
}

#[test]
fn us_customers_live_in_several_time_zones() {
    let customers = customers();
    let mut zones: BTreeMap<&str, usize> = BTreeMap::new();
    for customer in customers {
        if text(customer, "country") == Some("US") {
            if let Some(zone) = customer.time_zone.as_deref() {
                *zones.entry(zone).or_default() += 1;
            }
        }
    }
    assert!(zones.len() >= 4, "{zones:?}");
    assert!(zones.values().all(|count| *count >= 20), "{zones:?}");
}

// ---------------------------------------------------------------------------
// The command

#[test]
fn the_command_writes_what_the_library_makes() {
    let (code, stdout, stderr) = nurture(&["sample", "customers", "--count", "5", "--seed", "1"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, generate(5, 1));
    assert!(stderr.is_empty());
}

#[test]
fn the_default_is_a_thousand_customers_of_seed_0() {
    let (code, stdout, _) = nurture(&["sample", "customers"]);
    assert_eq!(code, 0);
    assert_eq!(stdout, generate(1_000, 0));
}

#[test]
fn output_goes_to_the_file_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("customers.csv");
    let path_text = path.to_str().unwrap();
    let (code, stdout, stderr) = nurture(&[
        "sample",
        "customers",
        "--count",
        "20",
        "--seed",
        "1",
        "--output",
        path_text,
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.is_empty());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), generate(20, 1));
}

#[test]
fn count_0_writes_the_header_alone() {
    let (code, stdout, _) = nurture(&["sample", "customers", "--count", "0"]);
    assert_eq!(code, 0);
    assert_eq!(stdout, format!("{HEADER}\n"));
}

#[test]
fn another_as_of_moves_every_date() {
    let (code, stdout, _) = nurture(&[
        "sample",
        "customers",
        "--count",
        "200",
        "--as-of",
        "2030-06-15",
    ]);
    assert_eq!(code, 0);
    let latest = stdout
        .lines()
        .skip(1)
        .filter_map(|line| line.split(',').nth(23))
        .max()
        .unwrap();
    assert!(latest.starts_with("2030-06-14"), "{latest}");
}

#[test]
fn a_bad_as_of_is_a_usage_error() {
    for bad in [
        "2026-13-01",
        "01.01.2026",
        "2026-01-01T00:00:00Z",
        "1066-10-14",
    ] {
        let (code, stdout, stderr) = nurture(&["sample", "customers", "--as-of", bad]);
        assert_eq!(code, 2, "{bad}");
        assert!(stdout.is_empty());
        assert_eq!(
            stderr,
            format!(
                "nurture: error: `--as-of {bad}` is not a date like 2026-01-01 (YYYY-MM-DD, from 1900 to 9990)\n"
            )
        );
    }
}

#[test]
fn a_bad_count_or_a_missing_kind_is_a_usage_error() {
    assert_eq!(nurture(&["sample", "customers", "--count", "-1"]).0, 2);
    assert_eq!(nurture(&["sample", "customers", "--count", "many"]).0, 2);
    assert_eq!(nurture(&["sample"]).0, 2);
}

#[test]
fn a_file_that_cannot_be_written_is_reported() {
    let (code, _, stderr) = nurture(&[
        "sample",
        "customers",
        "--output",
        "no/such/folder/customers.csv",
    ]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "nurture: error: cannot write `no/such/folder/customers.csv`: no such file or folder\n"
    );
}

#[test]
fn the_population_replays_without_a_bad_row() {
    let (code, _, stderr) = nurture(&[
        "replay",
        "programs/wake_up_dormant.nurture",
        "--customers",
        "programs/sample/population.csv",
        "--events",
        "programs/sample/events.jsonl",
        "--strict",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.starts_with("program `wake_up_dormant`: 1000 customers, "),
        "{stderr}"
    );
}
