//! Stage 5, simulation: sample customers, many and realistic, for the
//! simulator and for trying programs out (`nurture sample customers`).
//!
//! Customer `n` of seed `s` is drawn from a random stream of its own,
//! seeded from `s` and `n` alone (`sample/rng.rs`), so the file is the same
//! on every machine, and the first 1,000 rows of a million are the 1,000
//! rows of a file of 1,000. No floating point is used anywhere: the
//! numbers are whole (churn risk in hundredths) and printed by hand.
//!
//! | file | decides |
//! |---|---|
//! | `sample/world.rs` | countries, time zones, languages, product lines and products |
//! | `sample/who.rs` | business or consumer, country, role, sales segment, key account, tier, plan |
//! | `sample/history.rs` | product line, orders, last purchase and order, lifetime value |
//! | `sample/profile.rs` | tags, consents, churn risk, segments, dates, score, phase |
//! | `sample/row.rs` | the CSV row |
//!
//! The columns and their distributions are described in
//! `docs/simulation.md`.

mod calendar;
mod history;
mod parquet;
mod profile;
mod rng;
mod row;
mod who;
mod world;

pub use parquet::{GROUP, csv_as_parquet, write_customers as write_customers_parquet};
use std::io::{self, Write};

/// The columns, in the order `nurture replay` and the simulator read them
/// (`run/input/`).
pub const HEADER: &str = "id,time_zone,consents,tags,segments,score,phase,tier,role,\
is_key_account,country,language,plan,segment,product_line,lifetime_value,churn_risk,\
last_purchase_at,contract_end,consumables_due_at,last_order.amount,last_order.product,\
last_fair_visit.interest,last_event_at.purchase,last_event_at.login";

/// The as-of date when none is given: the day the sample "is taken".
pub const DEFAULT_AS_OF: &str = "2026-01-01";

/// The earliest and latest as-of years: the sample reaches four years
/// back and two ahead, and every date must keep four digits.
const YEARS: std::ops::RangeInclusive<i16> = 1900..=9990;

pub struct Options {
    pub count: u64,
    pub seed: u64,
    /// Days since 1970-01-01 ([`parse_as_of`]). Every purchase and login
    /// lies before this day begins (UTC); contracts and reorders fall
    /// around it.
    pub as_of: i64,
}

/// A date written `YYYY-MM-DD` with a year from 1900 to 9990, as days
/// since 1970-01-01; `None` for anything else.
pub fn parse_as_of(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    // jiff also reads `20260101` and more; the flag promises one form.
    let shaped = bytes.len() == 10
        && bytes
            .iter()
            .enumerate()
            .all(|(at, byte)| matches!(at, 4 | 7) == (*byte == b'-'))
        && bytes
            .iter()
            .enumerate()
            .all(|(at, byte)| matches!(at, 4 | 7) || byte.is_ascii_digit());
    if !shaped {
        return None;
    }
    let date: jiff::civil::Date = text.parse().ok()?;
    if !YEARS.contains(&date.year()) {
        return None;
    }
    Some(calendar::day_from_civil(
        i64::from(date.year()),
        date.month() as u32,
        date.day() as u32,
    ))
}

/// Writes the header and `options.count` customers to `out`, in chunks of
/// about 64 KiB, so no `BufWriter` is needed around it.
pub fn write_customers(out: &mut impl Write, options: &Options) -> io::Result<()> {
    const CHUNK: usize = 64 * 1024;
    let width = digits(options.count).max(7);
    let mut buffer = Vec::with_capacity(CHUNK + 1024);
    buffer.extend_from_slice(HEADER.as_bytes());
    buffer.push(b'\n');
    for number in 1..=options.count {
        let customer = profile::profile(options.seed, number, options.as_of);
        row::push_row(&mut buffer, number, width, &customer);
        if buffer.len() >= CHUNK {
            out.write_all(&buffer)?;
            buffer.clear();
        }
    }
    out.write_all(&buffer)?;
    out.flush()
}

/// Digits in `n` written in decimal.
fn digits(n: u64) -> usize {
    n.checked_ilog10().map_or(1, |log| log as usize + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_of_takes_one_form() {
        assert_eq!(parse_as_of("1970-01-02"), Some(1));
        assert_eq!(parse_as_of("2026-01-01"), Some(20_454));
        for bad in [
            "2026-1-01",
            "20260101",
            "2026-02-30",
            "2026-01-01T00:00:00Z",
            " 2026-01-01",
            "1899-12-31",
            "9991-01-01",
            "+2026-01-01",
            "",
        ] {
            assert_eq!(parse_as_of(bad), None, "{bad}");
        }
    }

    #[test]
    fn ids_are_padded_to_the_widest() {
        assert_eq!(digits(0), 1);
        assert_eq!(digits(9), 1);
        assert_eq!(digits(10), 2);
        assert_eq!(digits(10_000_000), 8);
    }
}
