//! Days and moments as plain integers, and their text in the file.
//!
//! The generator handles millions of dates; whole days since 1970-01-01 and
//! whole seconds are cheap to add to and to print, and print the same
//! everywhere. (Howard Hinnant's `days_from_civil` and `civil_from_days`,
//! exact for the proleptic Gregorian calendar.)

/// Days since 1970-01-01.
pub type Day = i64;

pub const SECONDS_PER_DAY: i64 = 86_400;

pub fn day_from_civil(year: i64, month: u32, day: u32) -> Day {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = i64::from((month + 9) % 12);
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

pub fn civil_from_day(day: Day) -> (i64, u32, u32) {
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day_of_month = (day_of_year - (153 * month_from_march + 2) / 5 + 1) as u32;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day_of_month)
}

/// `2026-01-01`. Years outside 0..=9999 cannot occur: `--as-of` is kept
/// far enough inside.
pub fn push_date(out: &mut Vec<u8>, day: Day) {
    let (year, month, day_of_month) = civil_from_day(day);
    push_digits(out, year.clamp(0, 9999) as u64, 4);
    out.push(b'-');
    push_digits(out, u64::from(month), 2);
    out.push(b'-');
    push_digits(out, u64::from(day_of_month), 2);
}

/// `2026-01-01T09:30:00Z`, RFC 3339 in UTC.
pub fn push_time(out: &mut Vec<u8>, at: i64) {
    let day = at.div_euclid(SECONDS_PER_DAY);
    let second_of_day = at.rem_euclid(SECONDS_PER_DAY) as u64;
    push_date(out, day);
    out.push(b'T');
    push_digits(out, second_of_day / 3600, 2);
    out.push(b':');
    push_digits(out, second_of_day / 60 % 60, 2);
    out.push(b':');
    push_digits(out, second_of_day % 60, 2);
    out.push(b'Z');
}

/// `n` in decimal, padded with zeros to at least `width` digits.
pub fn push_digits(out: &mut Vec<u8>, n: u64, width: usize) {
    let mut buffer = [b'0'; 20];
    let mut at = buffer.len();
    let mut rest = n;
    loop {
        at -= 1;
        buffer[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let start = at.min(buffer.len().saturating_sub(width));
    out.extend_from_slice(&buffer[start..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::Date;

    #[test]
    fn agrees_with_jiff_from_1890_to_2100() {
        let mut date = Date::constant(1890, 1, 1);
        let mut day = day_from_civil(1890, 1, 1);
        while date.year() < 2100 {
            let civil = (
                i64::from(date.year()),
                date.month() as u32,
                date.day() as u32,
            );
            assert_eq!(civil_from_day(day), civil);
            assert_eq!(day_from_civil(civil.0, civil.1, civil.2), day);
            let mut text = Vec::new();
            push_date(&mut text, day);
            assert_eq!(String::from_utf8_lossy(&text), date.to_string());
            // Test code walking 1890–2100: never user input.
            date = date.tomorrow().unwrap();
            day += 1;
        }
        assert_eq!(day_from_civil(1970, 1, 1), 0);
    }

    #[test]
    fn times_are_rfc_3339() {
        let mut text = Vec::new();
        push_time(&mut text, day_from_civil(2026, 1, 1) * SECONDS_PER_DAY - 1);
        assert_eq!(text, b"2025-12-31T23:59:59Z");
        text.clear();
        push_time(&mut text, -1);
        assert_eq!(text, b"1969-12-31T23:59:59Z");
    }

    #[test]
    fn digits_are_padded() {
        let mut text = Vec::new();
        push_digits(&mut text, 42, 7);
        push_digits(&mut text, 0, 1);
        push_digits(&mut text, 12345, 2);
        assert_eq!(text, b"0000042012345");
    }
}
