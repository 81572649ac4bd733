//! Stage 4, input: the common forms of numbers and times read without the
//! general parsers. Each function reads a subset of what `values.rs` and
//! `parse_time` accept, and gives the same value for it; anything else is
//! `None`, and the caller asks the general reader, which also words the
//! message when the text is wrong. The tests hold both to that.

use crate::run::Seconds;

/// Powers of ten a double holds exactly.
const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// `-?D+(.D+)?` with at most 15 digits in all: the number Rust's parser
/// gives for it, since a whole number below 2^53 over an exact power of ten
/// is one correctly rounded division (Clinger's fast path).
pub(super) fn number(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    let (negative, digits) = match bytes.first()? {
        b'-' => (true, &bytes[1..]),
        _ => (false, bytes),
    };
    let mut mantissa: u64 = 0;
    let mut count = 0usize;
    let mut fraction: Option<usize> = None;
    for (at, &byte) in digits.iter().enumerate() {
        match byte {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + u64::from(byte - b'0');
                count += 1;
            }
            b'.' if fraction.is_none() && at > 0 && at + 1 < digits.len() => {
                fraction = Some(digits.len() - at - 1);
            }
            _ => return None,
        }
    }
    if count == 0 || count > 15 {
        return None;
    }
    let value = mantissa as f64 / POW10[fraction.unwrap_or(0)];
    Some(if negative { -value } else { value })
}

/// `YYYY-MM-DD` (midnight UTC) or `YYYY-MM-DDTHH:MM:SSZ`, years 1000 to
/// 8999: the moment `parse_time` gives.
pub(super) fn time(text: &str) -> Option<Seconds> {
    let b = text.as_bytes();
    if b.len() != 10 && b.len() != 20 {
        return None;
    }
    let year = digits(b, 0, 4)?;
    let month = digits(b, 5, 2)?;
    let day = digits(b, 8, 2)?;
    if b[4] != b'-' || b[7] != b'-' || !(1000..9000).contains(&year) {
        return None;
    }
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let mut seconds = days_from_civil(year, month, day) * 86_400;
    if b.len() == 20 {
        if b[10] != b'T' || b[13] != b':' || b[16] != b':' || b[19] != b'Z' {
            return None;
        }
        let (hour, minute, second) = (digits(b, 11, 2)?, digits(b, 14, 2)?, digits(b, 17, 2)?);
        if hour > 23 || minute > 59 || second > 59 {
            return None;
        }
        seconds += hour * 3600 + minute * 60 + second;
    }
    Some(seconds)
}

fn digits(bytes: &[u8], from: usize, count: usize) -> Option<i64> {
    let mut value = 0i64;
    for &byte in bytes.get(from..from + count)? {
        if !byte.is_ascii_digit() {
            return None;
        }
        value = value * 10 + i64::from(byte - b'0');
    }
    Some(value)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// `true`, `false` (and with `yes_no`, `yes`, `no`) in any case, without
/// making a lower-case copy.
pub(super) fn boolean(text: &str, yes_no: bool) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else if yes_no && text.eq_ignore_ascii_case("yes") {
        Some(true)
    } else if yes_no && text.eq_ignore_ascii_case("no") {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse_time;
    use super::super::values;
    use proptest::prelude::*;

    #[test]
    fn common_numbers_read_as_rust_reads_them() {
        for text in [
            "0",
            "-0",
            "7",
            "120",
            "2139",
            "0.24",
            "-0.5",
            "12.125",
            "999999999999999",
            "0.00000000000001",
            "123456.789012345",
            "00123",
        ] {
            let fast = super::number(text).unwrap_or_else(|| panic!("{text}"));
            let slow = values::number(text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(fast.to_bits(), slow.to_bits(), "{text}");
        }
        for text in [
            "",
            "-",
            ".5",
            "5.",
            "1e3",
            "+1",
            "1.2.3",
            "1,5",
            "1000000000000000",
            "inf",
        ] {
            assert_eq!(super::number(text), None, "{text}");
        }
    }

    #[test]
    fn common_times_read_as_jiff_reads_them() {
        for text in [
            "2026-03-01",
            "2024-02-29",
            "1970-01-01",
            "1969-12-31T23:59:59Z",
            "2025-07-17T07:05:00Z",
            "1000-01-01",
            "8999-12-31T23:59:59Z",
        ] {
            assert_eq!(super::time(text), parse_time(text), "{text}");
            assert!(super::time(text).is_some(), "{text}");
        }
        for text in [
            "2025-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-04-31",
            "2026-03-01T24:00:00Z",
            "2026-03-01t09:00:00z",
            "2026-03-01T09:00:00+01:00",
            "9999-12-31",
            "0999-01-01",
        ] {
            assert_eq!(super::time(text), None, "{text}");
        }
    }

    proptest! {
        /// Whatever the fast reader takes, the general one takes the same.
        #[test]
        fn fast_numbers_agree(text in "-?[0-9]{1,9}(\\.[0-9]{1,8})?") {
            if let Some(fast) = super::number(&text) {
                prop_assert_eq!(Some(fast.to_bits()), values::number(&text).map(f64::to_bits));
            }
        }

        #[test]
        fn fast_times_agree(
            year in 1000i64..9000, month in 0i64..14, day in 0i64..33,
            hour in 0i64..25, minute in 0i64..61, second in 0i64..61, with_time: bool,
        ) {
            let text = if with_time {
                format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z")
            } else {
                format!("{year:04}-{month:02}-{day:02}")
            };
            if let Some(fast) = super::time(&text) {
                prop_assert_eq!(Some(fast), parse_time(&text));
            }
            // Where the general reader takes a valid date, so does the fast one.
            if second < 60 && parse_time(&text).is_some() {
                prop_assert!(super::time(&text).is_some(), "{}", text);
            }
        }

        #[test]
        fn booleans_agree(text in "(?i)(true|false|yes|no|ja|t)", yes_no: bool) {
            prop_assert_eq!(super::boolean(&text, yes_no), values::boolean(&text, yes_no));
        }
    }
}
