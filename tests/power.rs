//! The power table in docs/simulation.md, made by the simulator itself:
//! how often a program with a known lift is seen to raise the goal rate
//! (its whole 95% interval above 0), by the number of customers, over 20
//! runs each. Slow in a debug build, so it is not run with the others:
//!
//! ```sh
//! cargo test --release --test power -- --ignored          # print the table
//! UPDATE_DOCS=1 cargo test --release --test power -- --ignored   # and write it
//! ```

use std::fmt::Write;
use std::path::Path;
use std::process::Command;

const SCHEMA: &str = "schema {\n  event purchase\n  channel email\n}\n";

/// Everyone enters on the first day; one email; the goal is a purchase
/// within 30 days; one in ten is held out.
const PROGRAM: &str = r#"program offer {
  kind     wake_up
  owner    "crm@example.com"
  trigger  no purchase for 30d
  consent  email
  goal     purchase within 30d
  holdout  10%
  start    ask
  step ask {
    send email "offer"
    wait 30d
    exit done
  }
}
"#;

/// Customers buy 0.05 times a month anyway (a goal rate of 4.9% without
/// the program); the email adds a purchase with `chance`.
fn model(chance: f64) -> String {
    format!(
        "[channel.email]\npurchase = {{ chance = {chance}, after = \"2d\", p90 = \"7d\" }}\n\n[[background]]\nevent = \"purchase\"\nrate = 0.05\nper = \"30d\"\n"
    )
}

const SIZES: [u64; 5] = [1_000, 5_000, 20_000, 50_000, 200_000];
const CHANCES: [f64; 3] = [0.01, 0.02, 0.05];
const RUNS: &str = "20";

#[test]
#[ignore = "slow: run with --release -- --ignored"]
fn power_table() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("schema.nurture"), SCHEMA).expect("write");
    std::fs::write(dir.path().join("offer.nurture"), PROGRAM).expect("write");
    let mut table = String::from(
        "| customers | holdout | +1 point | +2 points | +5 points |\n|---:|---:|---:|---:|---:|\n",
    );
    for &size in &SIZES {
        let mut customers = String::from("id,time_zone,consents,last_event_at.purchase\n");
        for i in 0..size {
            let _ = writeln!(customers, "p{i:07},UTC,email,2025-06-01T00:00:00Z");
        }
        std::fs::write(dir.path().join("customers.csv"), customers).expect("write");
        let _ = write!(table, "| {} | {} |", thousands(size), thousands(size / 10));
        for &chance in &CHANCES {
            std::fs::write(dir.path().join("model.toml"), model(chance)).expect("write");
            let output = Command::new(env!("CARGO_BIN_EXE_nurture"))
                .args([
                    "simulate",
                    "offer.nurture",
                    "--customers",
                    "customers.csv",
                    "--behavior",
                    "model.toml",
                    "--days",
                    "31",
                    "--runs",
                    RUNS,
                    "--output-format",
                    "json",
                ])
                .current_dir(dir.path())
                .output()
                .expect("run nurture");
            assert!(
                output.status.success(),
                "{}",
                String::from_utf8_lossy(&output.stderr)
            );
            let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
            let lift = &report["programs"][0]["runs"]["lift"];
            let above = lift["runs_above_zero"].as_u64().unwrap_or(0);
            let low = lift["low"].as_f64().unwrap_or(0.0) * 100.0;
            let high = lift["high"].as_f64().unwrap_or(0.0) * 100.0;
            let mean = lift["difference"].as_f64().unwrap_or(0.0) * 100.0;
            let _ = write!(
                table,
                " {above} of {RUNS} ({mean:+.1} [{low:+.1}, {high:+.1}]) |"
            );
        }
        table.push('\n');
    }
    println!("{table}");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/simulation.md");
        let docs = std::fs::read_to_string(&path).expect("read docs");
        let (start, end) = ("<!-- power table -->\n", "<!-- end of power table -->");
        let from = docs.find(start).expect("the start marker") + start.len();
        let to = docs.find(end).expect("the end marker");
        let updated = format!("{}{table}{}", &docs[..from], &docs[to..]);
        std::fs::write(&path, updated).expect("write docs");
    }
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
