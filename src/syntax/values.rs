//! Reading the values a program writes: durations (`3d`), percentages
//! (`12.5%`), clock times (`21:00`), counts and numbers.
//!
//! The grammar reads all of them as one token, so that `1.5d`, `3days` or
//! `150%` arrive here whole and get a message about exactly what is wrong,
//! rather than a parse error at the character where the grammar gave up.
//! Each function returns a value to keep lowering with, and the problem if
//! there is one.

use super::ast::{ClockTime, Duration, Percent, ValueKind};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::span::Span;

/// The pieces of a quantity token: `-1.5d` is `-`, `1`, `5`, `d`.
struct Quantity<'a> {
    negative: bool,
    whole: &'a str,
    fraction: Option<&'a str>,
    suffix: &'a str,
}

fn split(text: &str) -> Quantity<'_> {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let whole_end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let (whole, rest) = rest.split_at(whole_end);
    let (fraction, suffix) = match rest.strip_prefix('.') {
        Some(after_dot) => {
            let end = after_dot
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(after_dot.len());
            let (fraction, suffix) = after_dot.split_at(end);
            (Some(fraction), suffix)
        }
        None => (None, rest),
    };
    Quantity {
        negative,
        whole,
        fraction,
        suffix,
    }
}

const MINUTES: &[(&str, u64, &str)] = &[
    ("m", 1, "minutes"),
    ("h", 60, "hours"),
    ("d", 24 * 60, "days"),
    ("w", 7 * 24 * 60, "weeks"),
];

/// Words people write for units, and the unit they mean.
const UNIT_WORDS: &[(&str, &str)] = &[
    ("min", "m"),
    ("mins", "m"),
    ("minute", "m"),
    ("minutes", "m"),
    ("hr", "h"),
    ("hrs", "h"),
    ("hour", "h"),
    ("hours", "h"),
    ("day", "d"),
    ("days", "d"),
    ("wk", "w"),
    ("week", "w"),
    ("weeks", "w"),
];

pub(super) const DURATION_HELP: &str =
    "write a whole number and a unit: `30m` (minutes), `12h` (hours), `3d` (days) or `2w` (weeks)";

/// `6 months`, `3 days`: a whole number with a unit word after a blank.
/// `after` is the text right after the number. Months and years are no
/// units (they differ in length), so they are given in days.
pub(super) fn spaced_unit(number: &str, after: &str, span: Span) -> Option<Diagnostic> {
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let blanks = after.len() - after.trim_start_matches([' ', '\t']).len();
    if blanks == 0 {
        return None;
    }
    let rest = &after[blanks..];
    let len = rest
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(rest.len());
    let word = rest[..len].to_ascii_lowercase();
    let n: u64 = number.parse().ok()?;
    let whole = Span::new(span.start, span.start + number.len() + blanks + len);
    let (label, help) = match word.as_str() {
        "month" | "months" | "mo" | "mos" => (
            "there is no month unit".to_string(),
            format!(
                "write `{}d`: months differ in length, so durations count days (`d`), weeks (`w`), hours (`h`) or minutes (`m`)",
                n.saturating_mul(30)
            ),
        ),
        "year" | "years" | "yr" | "yrs" => (
            "there is no year unit".to_string(),
            format!(
                "write `{}d`: durations count days (`d`), weeks (`w`), hours (`h`) or minutes (`m`)",
                n.saturating_mul(365)
            ),
        ),
        other => {
            let unit = MINUTES
                .iter()
                .find(|(unit, _, _)| *unit == other)
                .map(|(unit, _, _)| *unit)
                .or_else(|| {
                    UNIT_WORDS
                        .iter()
                        .find(|(w, _)| *w == other)
                        .map(|(_, unit)| *unit)
                })?;
            (
                "the number and its unit are written together".to_string(),
                format!("write `{n}{unit}`, without a space; {DURATION_HELP}"),
            )
        }
    };
    let written = format!("{number} {}", &rest[..len]);
    let fixed = help.split('`').nth(1).unwrap_or("").to_string();
    Some(
        Diagnostic::new(
            Code::MalformedDuration,
            format!("`{written}` is not a duration"),
        )
        .label(whole, label)
        .help(help)
        .fix(crate::diagnostic::Fix::replace(
            format!("write `{fixed}`"),
            whole,
            fixed,
        )),
    )
}

pub(super) fn duration(text: &str, span: Span) -> (Duration, Option<Diagnostic>) {
    let q = split(text);
    let problem = |label: String, help: String| {
        Some(
            Diagnostic::new(
                Code::MalformedDuration,
                format!("`{text}` is not a duration"),
            )
            .label(span, label)
            .help(help),
        )
    };
    let unit = MINUTES.iter().find(|(unit, _, _)| *unit == q.suffix);
    let Some(&(unit, factor, _)) = unit else {
        if q.suffix.is_empty() {
            return (
                Duration::default(),
                problem(
                    "this number has no unit".into(),
                    format!("add a unit, like `{text}d` for {text} days; {DURATION_HELP}"),
                ),
            );
        }
        if q.suffix == "%" {
            return (
                Duration::default(),
                problem(
                    "this is a percentage".into(),
                    format!("a duration is needed here; {DURATION_HELP}"),
                ),
            );
        }
        let lower = q.suffix.to_ascii_lowercase();
        let days_per = match lower.as_str() {
            "month" | "months" | "mo" | "mos" => Some(("month", 30)),
            "year" | "years" | "y" | "yr" | "yrs" => Some(("year", 365)),
            _ => None,
        };
        let help = match UNIT_WORDS.iter().find(|(word, _)| *word == lower) {
            Some((_, unit)) if q.fraction.is_none() && !q.negative => {
                format!("write `{}{unit}`", q.whole)
            }
            _ => match (days_per, q.whole.parse::<u64>()) {
                (Some((what, days)), Ok(n)) if q.fraction.is_none() && !q.negative => format!(
                    "there is no {what} unit: write `{}d`; {DURATION_HELP}",
                    n.saturating_mul(days)
                ),
                _ => DURATION_HELP.to_string(),
            },
        };
        return (
            Duration::default(),
            problem(format!("`{}` is not a unit of time", q.suffix), help),
        );
    };
    if q.negative {
        return (
            Duration::default(),
            problem(
                "a duration cannot be negative".into(),
                format!(
                    "{DURATION_HELP}; to look back in time, write `{}{unit} ago`",
                    q.whole
                ),
            ),
        );
    }
    if let Some(fraction) = q.fraction {
        let help = smaller_unit(q.whole, fraction, unit)
            .map(|better| format!("durations are whole numbers: write `{better}` instead"))
            .unwrap_or_else(|| DURATION_HELP.to_string());
        return (
            Duration::default(),
            problem("durations are whole numbers".into(), help),
        );
    }
    match q
        .whole
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(factor))
    {
        Some(minutes) => (Duration { minutes }, None),
        None => (
            Duration::default(),
            problem(
                "this is too long to be a duration".into(),
                "write a shorter duration; even `520w` is ten years".into(),
            ),
        ),
    }
}

/// `1.5d` → `36h`, when the smaller unit makes it a whole number.
fn smaller_unit(whole: &str, fraction: &str, unit: &str) -> Option<String> {
    let (smaller, by) = match unit {
        "w" => ("d", 7),
        "d" => ("h", 24),
        "h" => ("m", 60),
        _ => return None,
    };
    if whole.len() > 12 || fraction.len() > 6 {
        return None;
    }
    let scale = 10u64.pow(fraction.len() as u32);
    let whole: u64 = whole.parse().ok()?;
    let fraction: u64 = fraction.parse().ok()?;
    let scaled = (whole * scale + fraction) * by;
    (scaled % scale == 0).then(|| format!("{}{smaller}", scaled / scale))
}

pub(super) fn percentage(text: &str, span: Span) -> (Percent, Option<Diagnostic>) {
    let q = split(text);
    let problem = |label: &str, help: &str| {
        Some(
            Diagnostic::new(
                Code::MalformedPercentage,
                format!("`{text}` is not a percentage"),
            )
            .label(span, label)
            .help(help),
        )
    };
    if q.suffix != "%" {
        let help = if q.suffix.is_empty() {
            format!("add a percent sign: `{text}%`")
        } else {
            "write a number from 0 to 100 and a percent sign, like `10%` or `12.5%`".to_string()
        };
        return (Percent(0), problem("a percentage ends in `%`", &help));
    }
    if q.negative {
        return (
            Percent(0),
            problem(
                "a share cannot be negative",
                "write a number from 0 to 100 and a percent sign, like `10%`",
            ),
        );
    }
    let fraction = q.fraction.unwrap_or("");
    if fraction.len() > 2 {
        return (
            Percent(0),
            problem(
                "at most two decimals",
                "round to two decimals, like `12.55%`",
            ),
        );
    }
    let hundredths = q.whole.parse::<u64>().ok().and_then(|whole| {
        let fraction: u64 = format!("{fraction:0<2}").parse().ok()?;
        whole.checked_mul(100)?.checked_add(fraction)
    });
    match hundredths {
        Some(h) if h <= 10_000 => (Percent(h as u32), None),
        _ => (
            Percent(0),
            problem("more than 100%", "a share is at most `100%`"),
        ),
    }
}

pub(super) fn clock(text: &str, span: Span) -> (ClockTime, Option<Diagnostic>) {
    let parsed = text.split_once(':').and_then(|(h, m)| {
        let hours: u16 = (h.len() <= 2).then(|| h.parse().ok()).flatten()?;
        let minutes: u16 = (m.len() == 2).then(|| m.parse().ok()).flatten()?;
        (hours < 24 && minutes < 60).then_some(ClockTime(hours * 60 + minutes))
    });
    match parsed {
        Some(time) => (time, None),
        None => (
            ClockTime(0),
            Some(
                Diagnostic::new(
                    Code::MalformedClock,
                    format!("`{text}` is not a time of day"),
                )
                .label(span, "expected a time from 00:00 to 23:59")
                .help("write hours and minutes on the 24-hour clock, like `08:30` or `21:00`"),
            ),
        ),
    }
}

/// How many messages a `cap` allows.
/// `priority N`: a whole number from 1 (`priority 1` is the first
/// choice); anything else is N009, read as 1.
pub(super) fn priority(text: &str, span: Span) -> (u32, Option<Diagnostic>) {
    let q = split(text);
    if !q.negative && q.fraction.is_none() && q.suffix.is_empty() {
        if let Ok(n @ 1..) = q.whole.parse::<u32>() {
            return (n, None);
        }
    }
    (
        1,
        Some(
            Diagnostic::new(Code::MalformedNumber, format!("`{text}` is not a priority"))
                .label(span, "expected a whole number from 1")
                .help(
                    "write `priority 1` for the first choice, `priority 2` for the next, and so on",
                ),
        ),
    )
}

pub(super) fn count(text: &str, span: Span) -> (u32, Option<Diagnostic>) {
    let q = split(text);
    if !q.negative && q.fraction.is_none() && q.suffix.is_empty() {
        if let Ok(n) = q.whole.parse::<u32>() {
            return (n, None);
        }
    }
    (
        0,
        Some(
            Diagnostic::new(
                Code::MalformedNumber,
                format!("`{text}` is not a number of messages"),
            )
            .label(span, "expected a whole number")
            .help("write how many messages at most, like `cap 3 messages per 14d`"),
        ),
    )
}

/// `+15` or `-5` points of lead score.
pub(super) fn points(text: &str, span: Span) -> (i64, Option<Diagnostic>) {
    match text.parse::<i64>() {
        Ok(n) => (n, None),
        Err(_) => (
            0,
            Some(
                Diagnostic::new(
                    Code::MalformedNumber,
                    format!("`{text}` is too large a score"),
                )
                .label(span, "this number does not fit")
                .help("scores are whole numbers of points, like `score +10`"),
            ),
        ),
    }
}

/// A number, duration or percentage written as a value in a condition,
/// a list or a `set`: the suffix says which.
pub(super) fn quantity(text: &str, span: Span) -> (ValueKind, Option<Diagnostic>) {
    let q = split(text);
    if q.suffix == "%" {
        let (percent, problem) = percentage(text, span);
        return (ValueKind::Percent(percent), problem);
    }
    if MINUTES.iter().any(|(unit, _, _)| *unit == q.suffix)
        || UNIT_WORDS.iter().any(|(word, _)| *word == q.suffix)
    {
        let (duration, problem) = duration(text, span);
        return (ValueKind::Duration(duration), problem);
    }
    if q.suffix.is_empty() {
        if let Ok(number) = text.parse::<f64>() {
            if number.is_finite() {
                return (ValueKind::Number(number), None);
            }
        }
    }
    (
        ValueKind::Number(0.0),
        Some(
            Diagnostic::new(
                Code::MalformedNumber,
                format!("`{text}` is not a number"),
            )
            .label(span, "expected a number, a duration or a percentage")
            .help("write a number like `500` or `12.5`, a duration like `3d`, or a percentage like `10%`"),
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minutes(text: &str) -> Result<u64, String> {
        match duration(text, Span::at(0)) {
            (d, None) => Ok(d.minutes),
            (_, Some(problem)) => Err(problem.help),
        }
    }

    #[test]
    fn durations_in_every_unit() {
        assert_eq!(minutes("30m"), Ok(30));
        assert_eq!(minutes("12h"), Ok(720));
        assert_eq!(minutes("3d"), Ok(4320));
        assert_eq!(minutes("2w"), Ok(20160));
        assert_eq!(minutes("0d"), Ok(0));
    }

    #[test]
    fn malformed_durations_say_what_to_write() {
        assert_eq!(
            minutes("1.5d"),
            Err("durations are whole numbers: write `36h` instead".into())
        );
        assert_eq!(minutes("3days"), Err("write `3d`".into()));
        assert!(
            minutes("3")
                .unwrap_err()
                .starts_with("add a unit, like `3d`")
        );
        assert!(minutes("-3d").unwrap_err().contains("`3d ago`"));
        assert!(minutes("3x").is_err());
        assert!(minutes("99999999999999999999w").is_err());
        assert!(minutes("9999999999999999w").is_err());
    }

    #[test]
    fn percentages_are_hundredths() {
        assert_eq!(percentage("10%", Span::at(0)).0, Percent(1000));
        assert_eq!(percentage("12.5%", Span::at(0)).0, Percent(1250));
        assert_eq!(percentage("0.05%", Span::at(0)).0, Percent(5));
        assert_eq!(percentage("100%", Span::at(0)).0, Percent(10000));
        for bad in ["150%", "10", "12.555%", "-5%", "10x"] {
            assert!(percentage(bad, Span::at(0)).1.is_some(), "{bad}");
        }
    }

    #[test]
    fn clocks() {
        assert_eq!(clock("08:30", Span::at(0)).0, ClockTime(510));
        assert_eq!(clock("0:00", Span::at(0)).0, ClockTime(0));
        assert_eq!(clock("23:59", Span::at(0)).0, ClockTime(1439));
        for bad in ["24:00", "12:60", "12:5", "123:00"] {
            assert!(clock(bad, Span::at(0)).1.is_some(), "{bad}");
        }
    }

    #[test]
    fn quantities_take_their_meaning_from_the_suffix() {
        assert_eq!(quantity("500", Span::at(0)).0, ValueKind::Number(500.0));
        assert_eq!(quantity("-2.5", Span::at(0)).0, ValueKind::Number(-2.5));
        assert_eq!(
            quantity("1d", Span::at(0)).0,
            ValueKind::Duration(Duration { minutes: 1440 })
        );
        assert_eq!(
            quantity("5%", Span::at(0)).0,
            ValueKind::Percent(Percent(500))
        );
        assert_eq!(
            quantity("12abc", Span::at(0)).1.map(|d| d.code),
            Some(Code::MalformedNumber)
        );
    }

    #[test]
    fn counts_and_points() {
        assert_eq!(count("3", Span::at(0)).0, 3);
        assert!(count("3.5", Span::at(0)).1.is_some());
        assert!(count("99999999999", Span::at(0)).1.is_some());
        assert_eq!(points("+15", Span::at(0)).0, 15);
        assert_eq!(points("-5", Span::at(0)).0, -5);
        assert!(points("+99999999999999999999", Span::at(0)).1.is_some());
    }
}
