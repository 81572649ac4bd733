//! Stage 4, input, Parquet: a decoded value as the CSV cell that reads as
//! it, quoted as CSV quotes.

use super::super::show_time;
use super::kinds::Kind;
use parquet::record::Field;

/// A value as the CSV cell that reads as it.
pub(super) fn write_field(out: &mut String, field: &Field, kind: Kind) -> Result<(), String> {
    use std::fmt::Write;
    let _ = match field {
        Field::Null => Ok(()),
        Field::Bool(b) => write!(out, "{b}"),
        Field::Byte(n) => write!(out, "{n}"),
        Field::Short(n) => write!(out, "{n}"),
        Field::Int(n) => match kind {
            Kind::Date => write!(out, "{}", show_time(i64::from(*n) * 86_400)),
            Kind::Decimal(scale) => write!(out, "{}", decimal(i128::from(*n), scale)),
            _ => write!(out, "{n}"),
        },
        Field::Long(n) => match kind {
            Kind::Timestamp(per) => write!(out, "{}", show_time(n.div_euclid(per.max(1)))),
            Kind::Decimal(scale) => write!(out, "{}", decimal(i128::from(*n), scale)),
            _ => write!(out, "{n}"),
        },
        Field::UByte(n) => write!(out, "{n}"),
        Field::UShort(n) => write!(out, "{n}"),
        Field::UInt(n) => write!(out, "{n}"),
        Field::ULong(n) => write!(out, "{n}"),
        Field::Float16(n) => write!(out, "{}", f32::from(*n)),
        // Rust writes the shortest digits that read back as the same
        // number, which is what a CSV export writes.
        Field::Float(n) => write!(out, "{n}"),
        Field::Double(n) => write!(out, "{n}"),
        Field::Decimal(d) => {
            let bytes = d.data();
            if bytes.is_empty() || bytes.len() > 16 {
                return Err("is a decimal of more than 38 digits".to_string());
            }
            let mut value: i128 = if bytes[0] & 0x80 != 0 { -1 } else { 0 };
            for byte in bytes {
                value = (value << 8) | i128::from(*byte);
            }
            write!(out, "{}", decimal(value, d.scale()))
        }
        Field::Str(s) => {
            out.push_str(s);
            Ok(())
        }
        Field::Bytes(b) => match std::str::from_utf8(b.data()) {
            Ok(s) => {
                out.push_str(s);
                Ok(())
            }
            Err(_) => return Err("is not UTF-8 text".to_string()),
        },
        Field::Date(days) => write!(out, "{}", show_time(i64::from(*days) * 86_400)),
        Field::TimestampMillis(ms) => write!(out, "{}", show_time(ms.div_euclid(1_000))),
        Field::TimestampMicros(us) => write!(out, "{}", show_time(us.div_euclid(1_000_000))),
        Field::ListInternal(list) => {
            // The CSV's form of a list: items separated by `;`.
            let mut first = true;
            for item in list.elements() {
                let mut text = String::new();
                write_field(&mut text, item, Kind::Text)?;
                if text.trim().is_empty() {
                    continue;
                }
                if !first {
                    out.push(';');
                }
                first = false;
                out.push_str(&text);
            }
            Ok(())
        }
        Field::TimeMillis(_) | Field::TimeMicros(_) | Field::Group(_) | Field::MapInternal(_) => {
            return Err("holds a value nurture cannot read".to_string());
        }
    };
    Ok(())
}

/// `value` over ten to the `scale`, written out in full.
pub(super) fn decimal(value: i128, scale: i32) -> String {
    if scale <= 0 {
        let mut text = value.to_string();
        if value != 0 {
            text.extend(std::iter::repeat_n('0', scale.unsigned_abs() as usize));
        }
        return text;
    }
    let digits = value.unsigned_abs().to_string();
    let scale = scale as usize;
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (whole, fraction) = padded.split_at(padded.len() - scale);
    let sign = if value < 0 { "-" } else { "" };
    format!("{sign}{whole}.{fraction}")
}

/// A cell, quoted when it holds a comma, quote or line break.
pub(super) fn push_cell(out: &mut Vec<u8>, cell: &str) {
    if cell
        .bytes()
        .any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
    {
        out.push(b'"');
        for byte in cell.bytes() {
            if byte == b'"' {
                out.push(b'"');
            }
            out.push(byte);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(cell.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_written_out() {
        assert_eq!(decimal(12345, 2), "123.45");
        assert_eq!(decimal(-5, 3), "-0.005");
        assert_eq!(decimal(7, 0), "7");
        assert_eq!(decimal(7, -2), "700");
        assert_eq!(decimal(0, -2), "0");
    }

    #[test]
    fn cells_are_quoted_as_csv_quotes_them() {
        let mut out = Vec::new();
        push_cell(&mut out, "a,\"b\"");
        assert_eq!(out, b"\"a,\"\"b\"\"\"");
        out.clear();
        push_cell(&mut out, "plain");
        assert_eq!(out, b"plain");
    }
}
