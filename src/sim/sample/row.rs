//! One customer as a CSV row, in the column order of [`super::HEADER`].
//!
//! Written byte by byte rather than with `write!`: a million rows of 25
//! cells is where formatting machinery would cost more than the sampling.
//! No cell can hold a comma, quote or line break (the names come from
//! `world.rs` and the lists above), so nothing is quoted.

use super::calendar::{push_date, push_digits, push_time};
use super::profile::{CONSENTS, Profile, SEGMENTS, Set, TAGS};

/// `c0000042`: the number padded to `width` digits so ids sort as numbers.
pub fn push_row(out: &mut Vec<u8>, number: u64, width: usize, customer: &Profile) {
    let Profile { who, history, .. } = customer;
    out.push(b'c');
    push_digits(out, number, width);
    out.push(b',');
    if who.time_zone_known {
        out.extend_from_slice(who.zone.name.as_bytes());
    }
    out.push(b',');
    push_set(out, customer.consents, &CONSENTS);
    out.push(b',');
    push_set(out, customer.tags, &TAGS);
    out.push(b',');
    push_set(out, customer.segments, &SEGMENTS);
    out.push(b',');
    push_number(out, customer.score);
    out.push(b',');
    push_text(out, customer.phase.unwrap_or(""));
    for text in [
        who.tier.as_str(),
        who.role,
        if who.key_account { "true" } else { "false" },
        who.country.code,
        who.language,
        if who.premium { "premium" } else { "basic" },
        who.segment,
        history.line.name,
    ] {
        out.push(b',');
        push_text(out, text);
    }
    out.push(b',');
    push_number(out, history.lifetime_value);
    out.push(b',');
    push_hundredths(out, customer.churn_risk);
    out.push(b',');
    if let Some(at) = history.last_purchase {
        push_date(out, at.div_euclid(86_400));
    }
    out.push(b',');
    if let Some(day) = customer.contract_end {
        push_date(out, day);
    }
    out.push(b',');
    if let Some(day) = customer.consumables_due {
        push_date(out, day);
    }
    out.push(b',');
    if let Some((amount, _)) = history.last_order {
        push_number(out, amount);
    }
    out.push(b',');
    if let Some((_, product)) = history.last_order {
        push_text(out, product);
    }
    out.push(b',');
    push_text(out, customer.fair_interest.unwrap_or(""));
    out.push(b',');
    if let Some(at) = history.last_purchase {
        push_time(out, at);
    }
    out.push(b',');
    if let Some(at) = customer.last_login {
        push_time(out, at);
    }
    out.push(b'\n');
}

fn push_text(out: &mut Vec<u8>, text: &str) {
    out.extend_from_slice(text.as_bytes());
}

/// `email;sms`, in the list's order.
fn push_set(out: &mut Vec<u8>, set: Set, names: &[&str]) {
    let mut first = true;
    for (item, name) in names.iter().enumerate() {
        if set.has(item as u8) {
            if !first {
                out.push(b';');
            }
            first = false;
            push_text(out, name);
        }
    }
}

fn push_number(out: &mut Vec<u8>, n: i64) {
    if n < 0 {
        out.push(b'-');
    }
    push_digits(out, n.unsigned_abs(), 1);
}

/// `0.42`, `0.5`, `0` or `1` for a number of hundredths from 0 to 100:
/// the shortest form, as a person would write it.
fn push_hundredths(out: &mut Vec<u8>, hundredths: i64) {
    let hundredths = hundredths.clamp(0, 100) as u64;
    match hundredths {
        0 => out.push(b'0'),
        100 => out.push(b'1'),
        _ if hundredths % 10 == 0 => {
            out.extend_from_slice(b"0.");
            push_digits(out, hundredths / 10, 1);
        }
        _ => {
            out.extend_from_slice(b"0.");
            push_digits(out, hundredths, 2);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hundredths_are_written_short() {
        let mut out = Vec::new();
        for n in [0, 5, 30, 42, 100] {
            push_hundredths(&mut out, n);
            out.push(b' ');
        }
        assert_eq!(out, b"0 0.05 0.3 0.42 1 ");
    }
}
