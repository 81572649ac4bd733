//! Times as data files and the command line write them: RFC 3339
//! (`2026-03-01T09:00:00Z`, `2026-03-01T10:00:00+01:00`) or a date
//! (`2026-03-01`, midnight UTC), read and written here with whole-number
//! arithmetic on the civil calendar, so that every moment RFC 3339 can
//! write is read: the years 0000 to 9999 to their last second
//! (`9999-12-31T23:59:59Z`, past what jiff's timestamps hold), a fraction
//! of any length (`.123456789012`; it is dropped: nurture counts seconds),
//! and offsets up to `±23:59` (RFC 3339's `time-hour`; `+25:00` is
//! refused). Other forms jiff reads (`2026-03-01T09:00Z`, without seconds)
//! are still read by jiff, offsets held to the same bound.

use super::Seconds;

/// The moment `text` names, or why it names none. `Err(None)`: it is not
/// written as RFC 3339 at all (so jiff may still read it).
fn rfc3339(text: &str) -> Result<Seconds, Option<String>> {
    let bytes = text.as_bytes();
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let digits = bytes.get(range)?;
        digits
            .iter()
            .all(u8::is_ascii_digit)
            .then(|| digits.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0')))
    };
    let year = number(0..4).ok_or(None)?;
    if bytes.get(4) != Some(&b'-') || bytes.get(7) != Some(&b'-') {
        return Err(None);
    }
    let month = number(5..7).ok_or(None)?;
    let day = number(8..10).ok_or(None)?;
    let date = civil_day(year, month, day)?;
    if bytes.len() == 10 {
        return Ok(date * 86_400);
    }
    if !matches!(bytes.get(10), Some(b'T' | b't' | b' '))
        || bytes.get(13) != Some(&b':')
        || bytes.get(16) != Some(&b':')
    {
        return Err(None);
    }
    let (Some(hour), Some(minute), Some(second)) = (number(11..13), number(14..16), number(17..19))
    else {
        return Err(None);
    };
    if hour > 23 || minute > 59 || second > 60 {
        return Err(Some(format!(
            "{hour:02}:{minute:02}:{second:02} is not a time of day (hours to 23, minutes to 59, seconds to 60)"
        )));
    }
    let mut at = 19;
    if bytes.get(at) == Some(&b'.') {
        let digits = bytes[at + 1..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if digits == 0 {
            return Err(Some(
                "a `.` must be followed by the fraction of a second".into(),
            ));
        }
        at += 1 + digits;
    }
    let offset = match &bytes[at.min(bytes.len())..] {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let digits = [*h1, *h2, *m1, *m2];
            if !digits.iter().all(u8::is_ascii_digit) {
                return Err(None);
            }
            let hours = i64::from(h1 - b'0') * 10 + i64::from(h2 - b'0');
            let minutes = i64::from(m1 - b'0') * 10 + i64::from(m2 - b'0');
            if hours > 23 || minutes > 59 {
                return Err(Some(format!(
                    "`{}` is no offset: offsets go from `-23:59` to `+23:59`",
                    String::from_utf8_lossy(&bytes[at..])
                )));
            }
            let offset = hours * 3600 + minutes * 60;
            if *sign == b'-' { -offset } else { offset }
        }
        [] => {
            return Err(Some("add `Z` for UTC or an offset like `+01:00`".into()));
        }
        _ => return Err(None),
    };
    Ok(date * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

/// Days from 1970-01-01 to the date, or why there is no such date.
fn civil_day(year: i64, month: i64, day: i64) -> Result<i64, Option<String>> {
    if !(1..=12).contains(&month) {
        return Err(Some(format!("{month:02} is not a month (01 to 12)")));
    }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days_in_month = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if !(1..=days_in_month).contains(&day) {
        return Err(Some(format!(
            "{year:04}-{month:02} has no day {day:02} (it has {days_in_month})"
        )));
    }
    Ok(days_from_civil(year, month, day))
}

/// Howard Hinnant's `days_from_civil`: days since 1970-01-01, for any
/// proleptic Gregorian date.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The inverse: (year, month, day) of a number of days since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The first and last second RFC 3339 can write (0000-01-01T00:00:00Z and
/// 9999-12-31T23:59:59Z).
const FIRST: Seconds = -62_167_219_200;
const LAST: Seconds = 253_402_300_799;

/// The moment `text` names (see the module), or why it names none.
pub fn parse(text: &str) -> Result<Seconds, String> {
    let text = text.trim();
    match rfc3339(text) {
        Ok(at) => Ok(at),
        Err(Some(problem)) => Err(problem),
        Err(None) => lenient(text).ok_or_else(|| {
            "a date like `2026-03-01` or a time like `2026-03-01T09:00:00Z` was expected".into()
        }),
    }
}

/// What jiff reads beyond RFC 3339 (a time without seconds, say), held to
/// offsets below a day; only for text that starts with `YYYY-MM-DD`, so a
/// number in a file is never taken for a date.
fn lenient(text: &str) -> Option<Seconds> {
    if text.len() <= 10 || !super::values::starts_with_date(text) {
        return None;
    }
    let pieces = jiff::fmt::temporal::Pieces::parse(text).ok()?;
    if let Some(jiff::fmt::temporal::PiecesOffset::Numeric(numeric)) = pieces.offset()
        && numeric.offset().seconds().abs() >= 86_400
    {
        return None;
    }
    text.parse::<jiff::Timestamp>()
        .ok()
        .map(jiff::Timestamp::as_second)
}

/// RFC 3339 in UTC to the second: `2026-03-01T09:00:00Z`. A moment before
/// the year 0000 or after 9999 has no such form and is written as a number
/// of seconds.
pub fn show(at: Seconds) -> String {
    let mut out = String::with_capacity(20);
    show_into(&mut out, at);
    out
}

/// [`show`], written at the end of `out` digit by digit: the Parquet
/// reader writes every timestamp of a file as its CSV text, and `format!`
/// was a tenth of its time.
pub(super) fn show_into(out: &mut String, at: Seconds) {
    if !(FIRST..=LAST).contains(&at) {
        use std::fmt::Write;
        let _ = write!(out, "{at} seconds after 1970-01-01T00:00:00Z");
        return;
    }
    let (days, second_of_day) = (at.div_euclid(86_400), at.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    // In range, every part is a few digits and not negative.
    push_digits(out, year, 4);
    let parts = [
        ('-', month),
        ('-', day),
        ('T', second_of_day / 3600),
        (':', second_of_day / 60 % 60),
        (':', second_of_day % 60),
    ];
    for (mark, value) in parts {
        out.push(mark);
        push_digits(out, value, 2);
    }
    out.push('Z');
}

/// `value` (not negative, below ten to the `width`) in `width` digits,
/// the first ones zeros.
fn push_digits(out: &mut String, value: i64, width: u32) {
    let mut digits = [b'0'; 4];
    let mut rest = value;
    for at in (0..width.min(4) as usize).rev() {
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    for &digit in &digits[..width.min(4) as usize] {
        out.push(char::from(digit));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_are_shown_as_format_writes_them() {
        let written = |at: Seconds| {
            if !(FIRST..=LAST).contains(&at) {
                return format!("{at} seconds after 1970-01-01T00:00:00Z");
            }
            let (days, second_of_day) = (at.div_euclid(86_400), at.rem_euclid(86_400));
            let (year, month, day) = civil_from_days(days);
            format!(
                "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
                second_of_day / 3600,
                second_of_day / 60 % 60,
                second_of_day % 60
            )
        };
        let mut at = FIRST - 1;
        while at < LAST + 2 {
            assert_eq!(show(at), written(at), "{at}");
            at += 7_777_777;
        }
        for at in [
            FIRST,
            LAST,
            LAST + 1,
            -1,
            0,
            1_772_355_600,
            i64::MIN,
            i64::MAX,
        ] {
            assert_eq!(show(at), written(at), "{at}");
        }
        assert_eq!(show(1_772_355_600), "2026-03-01T09:00:00Z");
    }

    #[test]
    fn every_moment_rfc_3339_writes_is_read() {
        assert_eq!(parse("1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(parse("2026-03-01"), Ok(1_772_323_200));
        assert_eq!(parse("2026-03-01T10:00:00+01:00"), Ok(1_772_355_600));
        assert_eq!(parse("2026-03-01 09:00:00z"), Ok(1_772_355_600));
        assert_eq!(parse("9999-12-31T23:59:59Z"), Ok(LAST));
        assert_eq!(parse("0000-01-01T00:00:00Z"), Ok(FIRST));
        assert_eq!(
            parse("2026-03-01T09:00:00.123456789012Z"),
            Ok(1_772_355_600)
        );
        assert_eq!(
            parse("2026-03-01T09:00:00.9-23:59"),
            Ok(1_772_355_600 + 86_340)
        );
        assert_eq!(parse("2024-02-29T00:00:00Z"), Ok(1_709_164_800));
        // A leap second is the next second.
        assert_eq!(parse("2016-12-31T23:59:60Z"), Ok(1_483_228_800));
        // jiff's wider forms still read.
        assert_eq!(parse("2026-03-01T09:00Z"), Ok(1_772_355_600));
    }

    #[test]
    fn what_is_no_moment_says_why() {
        let problem = |text: &str| parse(text).err().unwrap_or_default();
        assert!(problem("2026-03-01T09:00:00+25:00").contains("`+25:00` is no offset"));
        assert!(problem("2026-03-01T09:00:00+24:00").contains("is no offset"));
        assert!(problem("2026-03-01T09:00:00+23:60").contains("is no offset"));
        assert!(problem("2026-02-30").contains("2026-02 has no day 30 (it has 28)"));
        assert!(problem("2025-13-01T00:00:00Z").contains("13 is not a month"));
        assert!(problem("2026-03-01T24:00:00Z").contains("not a time of day"));
        assert!(problem("2026-03-01T09:00:00").contains("add `Z` for UTC"));
        assert!(problem("2026-03-01T09:00:00.Z").contains("fraction"));
        assert!(parse("20260301").is_err());
        assert!(parse("12").is_err());
        assert!(parse("2026-03-01T09:00+25:00").is_err());
    }

    #[test]
    fn moments_are_written_back_as_they_were_read() {
        for text in [
            "1970-01-01T00:00:00Z",
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "1969-12-31T23:59:59Z",
            "2024-02-29T12:34:56Z",
            "1600-03-01T00:00:00Z",
        ] {
            assert_eq!(parse(text).map(show), Ok(text.to_string()));
        }
        assert_eq!(
            show(LAST + 1),
            "253402300800 seconds after 1970-01-01T00:00:00Z"
        );
        assert_eq!(
            show(i64::MIN),
            format!("{} seconds after 1970-01-01T00:00:00Z", i64::MIN)
        );
        // Every day of four centuries, against jiff.
        for days in (-146_097..146_097).step_by(7) {
            let at = days * 86_400 + 3_661;
            if let Ok(jiff) = jiff::Timestamp::from_second(at) {
                assert_eq!(show(at), jiff.to_string());
            }
        }
    }
}
