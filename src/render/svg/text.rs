//! Text in the SVG: how wide it is, where lines wrap, how it is escaped,
//! and how numbers are written so every machine writes the same bytes.

/// Lines of at most `width` columns, broken at spaces; a word longer than
/// that keeps a line to itself. An empty text has no lines.
pub(super) fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && columns(&line) + 1 + columns(word) > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// How many monospace columns a text takes: wide (East Asian) characters
/// and emoji take two.
pub(super) fn columns(text: &str) -> usize {
    text.chars()
        .map(|c| {
            let c = c as u32;
            let wide = matches!(c,
                0x1100..=0x115F
                | 0x2E80..=0xA4CF
                | 0xAC00..=0xD7A3
                | 0xF900..=0xFAFF
                | 0xFE30..=0xFE4F
                | 0xFF00..=0xFF60
                | 0xFFE0..=0xFFE6
                | 0x1F300..=0x1FAFF
                | 0x20000..=0x3FFFD);
            if wide { 2 } else { 1 }
        })
        .sum()
}

/// Text for XML: markup characters escaped, and characters XML 1.0 cannot
/// hold at all (most control characters) replaced.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

pub(super) fn points(list: &[(f64, f64)]) -> String {
    list.iter()
        .map(|(x, y)| format!("{},{}", num(*x), num(*y)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A number rounded to one decimal, written the same on every platform
/// (`12`, `12.5`, `-3.1`), from integers so no float formatting is involved.
pub(super) fn num(value: f64) -> String {
    let tenths = (value * 10.0).round();
    // Positions are within a few thousand pixels; anything else is a bug,
    // and drawing it at 0 beats writing `NaN` into the document.
    let tenths = if tenths.is_finite() && tenths.abs() < 1e15 {
        tenths as i64
    } else {
        0
    };
    let sign = if tenths < 0 { "-" } else { "" };
    let (whole, tenth) = (tenths.abs() / 10, tenths.abs() % 10);
    if tenth == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{tenth}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_have_one_decimal_at_most() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.25), "12.3");
        assert_eq!(num(-3.12), "-3.1");
        assert_eq!(num(-0.04), "0");
        assert_eq!(num(f64::NAN), "0");
    }

    #[test]
    fn long_lines_wrap_at_spaces() {
        assert_eq!(wrap("", 10), Vec::<String>::new());
        assert_eq!(wrap("a bb ccc dddd", 6), ["a bb", "ccc", "dddd"]);
        assert_eq!(wrap("unbreakable_word x", 4), ["unbreakable_word", "x"]);
    }

    #[test]
    fn text_is_escaped_for_xml() {
        assert_eq!(
            escape("<b a=\"1\">&'\u{1}"),
            "&lt;b a=&quot;1&quot;&gt;&amp;&apos;\u{FFFD}"
        );
    }
}
