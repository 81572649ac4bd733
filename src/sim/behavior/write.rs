//! A behaviour model as TOML text, written for people to read and edit:
//! what `nurture fit` and `nurture sample behavior` write. Every table and
//! number may carry a comment (the observations behind it); durations are
//! written as in programs (`10m`, `5h`, `2d`), and every model written here
//! reads back with [`super::read`].

use crate::run::Datum;
use std::fmt::Write;

/// A model to write.
#[derive(Clone, Debug, Default)]
pub struct Doc {
    /// Comment lines at the top.
    pub header: Vec<String>,
    pub channels: Vec<TableDoc>,
    /// `[segment.NAME.CHANNEL]`, in the order the simulator applies them.
    pub segments: Vec<TableDoc>,
    pub templates: Vec<TableDoc>,
    pub background: Vec<BackgroundDoc>,
}

#[derive(Clone, Debug, Default)]
pub struct TableDoc {
    /// The table's key: `email`, `high_churn_risk.email`, `comeback`.
    pub key: Vec<String>,
    pub comment: Vec<String>,
    pub responses: Vec<ResponseDoc>,
}

#[derive(Clone, Debug)]
pub struct ResponseDoc {
    pub event: String,
    pub chance: f64,
    /// Seconds.
    pub after: f64,
    pub p90: f64,
    pub given: Option<String>,
    pub properties: Vec<(String, Datum)>,
    pub comment: Option<String>,
    /// How many answers stand behind it (0 when not observed).
    pub seen: u64,
}

#[derive(Clone, Debug)]
pub struct BackgroundDoc {
    pub event: String,
    pub pace: PaceDoc,
    pub properties: Vec<(String, Datum)>,
    pub comment: Option<String>,
}

#[derive(Clone, Copy, Debug)]
pub enum PaceDoc {
    /// `rate` times per `per` seconds.
    Recurring { rate: f64, per: f64 },
    /// Once with `chance` within `within` seconds.
    Once { chance: f64, within: f64 },
}

impl Doc {
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        for line in &self.header {
            comment(&mut out, line);
        }
        let sections: [(&str, &Vec<TableDoc>, &str); 3] = [
            ("channel", &self.channels, "-- channels"),
            (
                "segment",
                &self.segments,
                "-- segments: the first in the file that a customer is in applies",
            ),
            ("template", &self.templates, "-- templates"),
        ];
        for (kind, tables, title) in sections {
            if tables.iter().all(|t| t.responses.is_empty()) {
                continue;
            }
            let _ = writeln!(
                out,
                "\n# {title} {}\n",
                "-".repeat(60usize.saturating_sub(title.len()))
            );
            for table in tables.iter().filter(|t| !t.responses.is_empty()) {
                let key: Vec<String> = table.key.iter().map(|k| key_text(k)).collect();
                for line in &table.comment {
                    comment(&mut out, line);
                }
                let _ = writeln!(out, "[{kind}.{}]", key.join("."));
                for response in &table.responses {
                    let mut line = format!(
                        "{} = {{ chance = {}, after = \"{}\", p90 = \"{}\"",
                        key_text(&response.event),
                        number(response.chance),
                        duration(response.after),
                        duration(response.p90.max(response.after)),
                    );
                    if let Some(given) = &response.given {
                        let _ = write!(line, ", given = {}", string(given));
                    }
                    if !response.properties.is_empty() {
                        let _ = write!(line, ", properties = {}", inline(&response.properties));
                    }
                    line.push_str(" }");
                    if let Some(note) = &response.comment {
                        let _ = write!(line, "  # {note}");
                    }
                    let _ = writeln!(out, "{line}");
                }
                out.push('\n');
            }
        }
        if !self.background.is_empty() {
            let _ = writeln!(out, "\n# -- what customers do anyway {}\n", "-".repeat(40));
            for background in &self.background {
                if let Some(note) = &background.comment {
                    comment(&mut out, note);
                }
                let _ = writeln!(out, "[[background]]\nevent = {}", string(&background.event));
                match background.pace {
                    PaceDoc::Recurring { rate, per } => {
                        let _ =
                            writeln!(out, "rate = {}\nper = \"{}\"", number(rate), duration(per));
                    }
                    PaceDoc::Once { chance, within } => {
                        let _ = writeln!(
                            out,
                            "chance = {}\nwithin = \"{}\"",
                            number(chance),
                            duration(within)
                        );
                    }
                }
                if !background.properties.is_empty() {
                    let _ = writeln!(out, "properties = {}", inline(&background.properties));
                }
                out.push('\n');
            }
        }
        while out.ends_with("\n\n") {
            out.pop();
        }
        out
    }
}

fn comment(out: &mut String, line: &str) {
    if line.is_empty() {
        out.push_str("#\n");
    } else {
        let _ = writeln!(out, "# {}", line.replace(['\n', '\r'], " "));
    }
}

/// A bare key when it can be one, else quoted.
fn key_text(key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare { key.to_string() } else { string(key) }
}

/// A TOML basic string.
fn string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A float that TOML reads as a float, to four significant places.
pub(crate) fn number(x: f64) -> String {
    if !x.is_finite() {
        return "0.0".to_string();
    }
    let digits = if x == 0.0 {
        1
    } else {
        (4 - x.abs().log10().floor() as i32 - 1).clamp(1, 8) as usize
    };
    let mut text = format!("{x:.digits$}");
    if text.contains('.') {
        while text.ends_with('0') && !text.ends_with(".0") {
            text.pop();
        }
    }
    text
}

/// Seconds as a duration a program would write: minutes under two hours,
/// hours under two days, days after.
pub fn duration(seconds: f64) -> String {
    let minutes = (seconds / 60.0).round().max(0.0);
    if minutes >= 1440.0 && minutes % 1440.0 == 0.0 {
        format!("{}d", (minutes / 1440.0) as u64)
    } else if minutes < 120.0 {
        format!(
            "{}m",
            minutes.max(if seconds > 0.0 { 1.0 } else { 0.0 }) as u64
        )
    } else if minutes < 2.0 * 1440.0 {
        format!("{}h", (minutes / 60.0).round() as u64)
    } else {
        format!("{}d", (minutes / 1440.0).round() as u64)
    }
}

fn inline(properties: &[(String, Datum)]) -> String {
    let parts: Vec<String> = properties
        .iter()
        .map(|(k, v)| format!("{} = {}", key_text(k), datum(v)))
        .collect();
    format!("{{ {} }}", parts.join(", "))
}

fn datum(value: &Datum) -> String {
    match value {
        Datum::Bool(b) => b.to_string(),
        Datum::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
        Datum::Number(n) => number(*n),
        Datum::Text(t) => string(t),
        Datum::List(items) => {
            let parts: Vec<String> = items.iter().map(|i| string(i)).collect();
            format!("[{}]", parts.join(", "))
        }
        Datum::Time(at) => string(&crate::run::input::show_time(*at)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_numbers_read_as_written() {
        assert_eq!(duration(600.0), "10m");
        assert_eq!(duration(5.0 * 3600.0), "5h");
        assert_eq!(duration(2.0 * 86_400.0), "2d");
        assert_eq!(duration(86_400.0), "1d");
        assert_eq!(duration(30.0 * 3600.0), "30h");
        assert_eq!(duration(20.0), "1m");
        assert_eq!(duration(0.0), "0m");
        assert_eq!(number(0.42), "0.42");
        assert_eq!(number(0.004213), "0.004213");
        assert_eq!(number(1.0), "1.0");
        assert_eq!(number(0.0), "0.0");
        assert_eq!(string("a\"b\\c\u{1b}"), "\"a\\\"b\\\\c\\u001B\"");
        assert_eq!(key_text("comeback-15-percent"), "comeback-15-percent");
        assert_eq!(key_text("a b"), "\"a b\"");
    }
}
