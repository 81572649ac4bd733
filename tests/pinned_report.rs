//! The simulator's output, pinned byte for byte: the JSON reports (and a
//! trace) of the bundled programs over the bundled population with fixed
//! seeds, and of `wake_up_dormant` over 20,000 sample customers. The files
//! in `tests/expected/` were written by the simulator before it was made
//! faster; a change that moves a single count or a digit fails here.
//!
//! To accept a deliberate change of the report, write the files again with
//! `UPDATE_EXPECTED=1 cargo test --test pinned_report` and say why in the
//! commit.

use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn nurture(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_nurture"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("run nurture");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

/// The twelve programs bundled when the reports were pinned (a program
/// bundled later would change the side-by-side report, not a figure of
/// these twelve).
fn bundled_programs() -> Vec<String> {
    [
        "after_sales_consumables",
        "after_sales_service",
        "after_sales_training",
        "cross_sell_accessories",
        "referral_ask",
        "repurchase_reminder",
        "retain_churn_risk",
        "trade_fair_follow_up",
        "upsell_key_account",
        "upsell_premium",
        "wake_up_dormant",
        "welcome_new_customer",
    ]
    .iter()
    .map(|name| format!("programs/{name}.nurture"))
    .collect()
}

fn same_as(expected: &str, actual: &str) {
    let path = root().join("tests/expected").join(expected);
    if std::env::var_os("UPDATE_EXPECTED").is_some() {
        std::fs::write(&path, actual).expect("write expected");
        return;
    }
    let want = std::fs::read_to_string(&path).expect("expected file");
    if want != actual {
        let first = want
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .map_or(want.lines().count().min(actual.lines().count()), |i| i);
        panic!(
            "{expected} differs from line {}:\nexpected: {:?}\nactual:   {:?}",
            first + 1,
            want.lines().nth(first),
            actual.lines().nth(first)
        );
    }
}

fn with_programs<'a>(programs: &'a [String], rest: &[&'a str]) -> Vec<&'a str> {
    // The reports were pinned side by side, each program on its own copy
    // of every customer: `--compare`.
    let mut args = vec!["simulate", "--compare"];
    args.extend(programs.iter().map(String::as_str));
    args.extend_from_slice(rest);
    args
}

#[test]
fn the_bundled_report_is_pinned() {
    let programs = bundled_programs();
    let args = with_programs(&programs, &["--output-format", "json"]);
    same_as("bundled_report.json", &nurture(&args));
}

#[test]
fn the_bundled_report_across_runs_is_pinned() {
    let programs = bundled_programs();
    let args = with_programs(
        &programs,
        &["--output-format", "json", "--runs", "3", "--seed", "11"],
    );
    same_as("bundled_report_runs.json", &nurture(&args));
}

#[test]
fn a_trace_is_pinned() {
    let args = [
        "simulate",
        "--compare",
        "programs/wake_up_dormant.nurture",
        "programs/upsell_premium.nurture",
        "--trace-where",
        "messages >= 2",
        "--limit",
        "5",
        "--output-format",
        "json",
    ];
    same_as("trace_where.json", &nurture(&args));
}

#[test]
fn twenty_thousand_sample_customers_are_pinned() {
    let dir = tempfile::tempdir().expect("temp dir");
    let customers = dir.path().join("customers.csv");
    let customers = customers.to_str().expect("UTF-8 path");
    nurture(&[
        "sample",
        "customers",
        "--count",
        "20000",
        "--seed",
        "3",
        "-o",
        customers,
    ]);
    let report = nurture(&[
        "simulate",
        "programs/wake_up_dormant.nurture",
        "--customers",
        customers,
        "--output-format",
        "json",
        "--seed",
        "5",
    ]);
    // The customers file is named in the report; the rest is pinned.
    let report = report.replace(customers, "customers.csv");
    same_as("wake_up_20000.json", &report);
}
