//! A chart as a self-contained SVG (`nurture graph --format svg`), drawn
//! without Graphviz or a browser: boxes are sized from their text, placed by
//! `layout.rs`, and written out with every number rounded to one decimal.
//!
//! Text is monospace, so a line's width follows from its length alone and
//! the same chart gives the same bytes everywhere; the real font only has to
//! be about as wide as the metric below, which monospace fonts are.

use super::chart::{Chart, Shape};
use super::layout::{self, Arrow, Direction, Graph, Layout, Point, Rect, Segment};
use std::fmt::Write;

const FONT: &str = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', 'Liberation Mono', monospace";
/// Box text: size, advance of one character (0.6 em, as monospace fonts
/// have), and line height.
const TEXT_SIZE: f64 = 12.0;
const TEXT_ADVANCE: f64 = 7.2;
const TEXT_LINE: f64 = 16.0;
/// Arrow labels, a little smaller.
const LABEL_SIZE: f64 = 11.0;
const LABEL_ADVANCE: f64 = 6.6;
const LABEL_LINE: f64 = 14.0;
/// Longer lines are wrapped at a space, so one long message cannot make the
/// chart too wide for a laptop screen.
const BOX_COLUMNS: usize = 44;
const LABEL_COLUMNS: usize = 28;
const PAD_X: f64 = 12.0;
const PAD_Y: f64 = 8.0;
/// Room between a step's name and what it does.
const HEADER_GAP: f64 = 6.0;
const MIN_BOX_WIDTH: f64 = 72.0;
/// How far the slanted sides of the entry and the points of the goal reach.
const SLANT: f64 = 10.0;
const POINT: f64 = 14.0;
/// The folded corner of the rules note.
const FOLD: f64 = 10.0;

const INK: &str = "#1e293b";
const EDGE: &str = "#64748b";
const BACK_EDGE: &str = "#7c3aed";
const RULE: &str = "#cbd5e1";

/// The chart as an SVG document.
pub fn svg(chart: &Chart) -> String {
    let texts: Vec<BoxText> = chart
        .nodes
        .iter()
        .map(|(_, label, shape)| BoxText::new(label, *shape))
        .collect();
    let labels: Vec<Vec<String>> = chart
        .edges
        .iter()
        .map(|(_, _, label)| wrap(label, LABEL_COLUMNS))
        .collect();
    let drawn = arrange(chart, &texts, &labels);

    let (width, height) = (drawn.width, drawn.height);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"{FONT}\" font-size=\"{}\" fill=\"{INK}\">",
        num(TEXT_SIZE),
        w = num(width),
        h = num(height),
    );
    let _ = writeln!(
        out,
        "<rect width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>",
        num(width),
        num(height)
    );

    let busiest = chart.counts.values().copied().max().unwrap_or(0);
    out.push_str("<g fill=\"none\">\n");
    for (e, route) in drawn.routes.iter().enumerate() {
        let thickness = match chart.counts.get(&e) {
            // The square root keeps a trickle visible beside a flood.
            Some(&count) if busiest > 0 => 1.3 + 4.7 * (count as f64 / busiest as f64).sqrt(),
            _ => 1.3,
        };
        draw_arrow(&mut out, route, thickness);
    }
    out.push_str("</g>\n");

    for ((rect, text), (_, _, shape)) in drawn.boxes.iter().zip(&texts).zip(&chart.nodes) {
        draw_box(&mut out, rect, text, *shape);
    }

    for (route, lines) in drawn.routes.iter().zip(&labels) {
        if let Some(rect) = route.label {
            draw_label(&mut out, &rect, lines, route.direction);
        }
    }
    out.push_str("</svg>\n");
    out
}

/// Where the chart's boxes and arrows go, without drawing them: the SVG
/// uses it, and tests check that no two boxes overlap.
pub fn layout(chart: &Chart) -> Layout {
    let texts: Vec<BoxText> = chart
        .nodes
        .iter()
        .map(|(_, label, shape)| BoxText::new(label, *shape))
        .collect();
    let labels: Vec<Vec<String>> = chart
        .edges
        .iter()
        .map(|(_, _, label)| wrap(label, LABEL_COLUMNS))
        .collect();
    arrange(chart, &texts, &labels)
}

fn arrange(chart: &Chart, texts: &[BoxText], labels: &[Vec<String>]) -> Layout {
    let index: std::collections::BTreeMap<&str, usize> = chart
        .nodes
        .iter()
        .enumerate()
        .map(|(i, (id, _, _))| (id.as_str(), i))
        .collect();
    let graph = Graph {
        sizes: texts.iter().map(BoxText::size).collect(),
        arrows: chart
            .edges
            .iter()
            .zip(labels)
            .map(|((from, to, _), lines)| Arrow {
                // An edge to an unknown node would be a bug in chart.rs;
                // pointing it past the boxes makes the layout skip it.
                from: index.get(from.as_str()).copied().unwrap_or(usize::MAX),
                to: index.get(to.as_str()).copied().unwrap_or(usize::MAX),
                label: label_size(lines),
            })
            .collect(),
    };
    layout::layout(&graph)
}

/// A box's lines, wrapped, and which are headings.
struct BoxText {
    shape: Shape,
    /// (text, continues the line before it)
    lines: Vec<(String, bool)>,
    /// A step's name and the rules' "at any step:" head their box.
    header: bool,
}

impl BoxText {
    fn new(label: &str, shape: Shape) -> BoxText {
        let mut lines = Vec::new();
        for line in label.split('\n') {
            for (i, part) in wrap(line, BOX_COLUMNS).into_iter().enumerate() {
                lines.push((part, i > 0));
            }
        }
        let header = shape == Shape::Step || (shape == Shape::Rules && lines.len() > 1);
        BoxText {
            shape,
            lines,
            header,
        }
    }

    fn text_width(&self) -> f64 {
        self.lines
            .iter()
            .map(|(line, continued)| {
                let indent = if *continued && self.left_aligned() {
                    2
                } else {
                    0
                };
                (columns(line) + indent) as f64 * TEXT_ADVANCE
            })
            .fold(0.0, f64::max)
    }

    /// A line under the heading, when something follows it.
    fn ruled(&self) -> bool {
        self.header && self.lines.len() > 1
    }

    fn left_aligned(&self) -> bool {
        matches!(self.shape, Shape::Step | Shape::Rules)
    }

    fn size(&self) -> (f64, f64) {
        let mut h = self.lines.len() as f64 * TEXT_LINE + 2.0 * PAD_Y;
        if self.ruled() {
            h += HEADER_GAP;
        }
        let extra = match self.shape {
            Shape::Step => 0.0,
            Shape::Entry => 2.0 * SLANT,
            Shape::Exit => h / 2.0,
            Shape::Goal => 2.0 * POINT,
            Shape::Rules => FOLD,
        };
        let w = (self.text_width() + 2.0 * PAD_X + extra).max(MIN_BOX_WIDTH);
        (w, h)
    }
}

fn label_size(lines: &[String]) -> (f64, f64) {
    if lines.is_empty() {
        return (0.0, 0.0);
    }
    let widest = lines.iter().map(|l| columns(l)).max().unwrap_or(0);
    (
        widest as f64 * LABEL_ADVANCE + 8.0,
        lines.len() as f64 * LABEL_LINE + 4.0,
    )
}

fn draw_box(out: &mut String, r: &Rect, text: &BoxText, shape: Shape) {
    let (x, y, w, h) = (r.x, r.y, r.w, r.h);
    let (fill, stroke) = match shape {
        Shape::Entry => ("#eef2ff", "#6366f1"),
        Shape::Step => ("#ffffff", "#475569"),
        Shape::Exit => ("#f1f5f9", "#64748b"),
        Shape::Goal => ("#ecfdf5", "#059669"),
        Shape::Rules => ("#fffbeb", "#d97706"),
    };
    let paint = format!("fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"1.2\"");
    let _ = match shape {
        Shape::Step => writeln!(
            out,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"3\" {paint}/>",
            num(x),
            num(y),
            num(w),
            num(h)
        ),
        Shape::Exit => writeln!(
            out,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"{}\" {paint}/>",
            num(x),
            num(y),
            num(w),
            num(h),
            num(h / 2.0)
        ),
        Shape::Entry => writeln!(
            out,
            "<polygon points=\"{}\" {paint}/>",
            points(&[
                (x + SLANT, y),
                (x + w, y),
                (x + w - SLANT, y + h),
                (x, y + h)
            ])
        ),
        Shape::Goal => writeln!(
            out,
            "<polygon points=\"{}\" {paint}/>",
            points(&[
                (x + POINT, y),
                (x + w - POINT, y),
                (x + w, y + h / 2.0),
                (x + w - POINT, y + h),
                (x + POINT, y + h),
                (x, y + h / 2.0),
            ])
        ),
        Shape::Rules => writeln!(
            out,
            "<polygon points=\"{}\" {paint}/>\n<polyline points=\"{}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"1.2\"/>",
            points(&[
                (x, y),
                (x + w - FOLD, y),
                (x + w, y + FOLD),
                (x + w, y + h),
                (x, y + h),
            ]),
            points(&[
                (x + w - FOLD, y),
                (x + w - FOLD, y + FOLD),
                (x + w, y + FOLD)
            ])
        ),
    };

    let mut top = y + PAD_Y;
    for (i, (line, continued)) in text.lines.iter().enumerate() {
        let baseline = top + TEXT_LINE / 2.0 + TEXT_SIZE * 0.35;
        let weight = if text.header && i == 0 {
            " font-weight=\"bold\""
        } else {
            ""
        };
        if text.left_aligned() {
            let indent = if *continued { 2.0 * TEXT_ADVANCE } else { 0.0 };
            let _ = writeln!(
                out,
                "<text x=\"{}\" y=\"{}\"{weight}>{}</text>",
                num(x + PAD_X + indent),
                num(baseline),
                escape(line)
            );
        } else {
            let _ = writeln!(
                out,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\"{weight}>{}</text>",
                num(x + w / 2.0),
                num(baseline),
                escape(line)
            );
        }
        top += TEXT_LINE;
        if text.ruled() && i == 0 {
            let rule_y = top + HEADER_GAP / 2.0;
            let right = if shape == Shape::Rules { FOLD } else { 0.0 };
            let _ = writeln!(
                out,
                "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{RULE}\"/>",
                num(x + 1.0),
                num(rule_y),
                num(x + w - 1.0 - right),
                num(rule_y)
            );
            top += HEADER_GAP;
        }
    }
}

/// The path with its head: the path stops short of the box so a thick line
/// does not show round the head's point.
fn draw_arrow(out: &mut String, route: &layout::Route, thickness: f64) {
    let Some(last) = route.segments.last() else {
        return;
    };
    let (from, tip) = match *last {
        Segment::Line(to) => {
            let before = route
                .segments
                .iter()
                .rev()
                .nth(1)
                .map(end_of)
                .unwrap_or(route.start);
            (before, to)
        }
        Segment::Curve(_, c2, to) => (c2, to),
    };
    let (dx, dy) = (tip.x - from.x, tip.y - from.y);
    let length = (dx * dx + dy * dy).sqrt();
    let (ux, uy) = if length > 0.0 {
        (dx / length, dy / length)
    } else {
        (0.0, 1.0)
    };
    let head = 7.0 + 1.5 * thickness;
    let half = 3.5 + 0.9 * thickness;
    let back = |p: Point, by: f64| Point {
        x: p.x - ux * by,
        y: p.y - uy * by,
    };
    let mut segments = route.segments.clone();
    if let Some(end) = segments.last_mut() {
        let shortened = back(tip, head * 0.8);
        *end = match *end {
            Segment::Line(_) => Segment::Line(shortened),
            Segment::Curve(c1, c2, _) => Segment::Curve(c1, back(c2, head * 0.8), shortened),
        };
    }

    let colour = if route.direction == Direction::Back {
        BACK_EDGE
    } else {
        EDGE
    };
    let mut d = format!("M{},{}", num(route.start.x), num(route.start.y));
    for segment in &segments {
        match segment {
            Segment::Line(p) => {
                let _ = write!(d, " L{},{}", num(p.x), num(p.y));
            }
            Segment::Curve(c1, c2, p) => {
                let _ = write!(
                    d,
                    " C{},{} {},{} {},{}",
                    num(c1.x),
                    num(c1.y),
                    num(c2.x),
                    num(c2.y),
                    num(p.x),
                    num(p.y)
                );
            }
        }
    }
    let dash = if route.direction == Direction::Back {
        " stroke-dasharray=\"6 4\""
    } else {
        ""
    };
    let base = back(tip, head);
    let _ = writeln!(
        out,
        "<path d=\"{d}\" stroke=\"{colour}\" stroke-width=\"{}\"{dash}/>\n<polygon points=\"{}\" fill=\"{colour}\"/>",
        num(thickness),
        points(&[
            (tip.x, tip.y),
            (base.x - uy * half, base.y + ux * half),
            (base.x + uy * half, base.y - ux * half),
        ])
    );
}

fn end_of(segment: &Segment) -> Point {
    match *segment {
        Segment::Line(p) | Segment::Curve(_, _, p) => p,
    }
}

/// An arrow's label on a white card, so the line behind it does not show.
fn draw_label(out: &mut String, r: &Rect, lines: &[String], direction: Direction) {
    let colour = if direction == Direction::Back {
        BACK_EDGE
    } else {
        "#334155"
    };
    let _ = writeln!(
        out,
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"3\" fill=\"#ffffff\" fill-opacity=\"0.92\"/>",
        num(r.x),
        num(r.y),
        num(r.w),
        num(r.h)
    );
    for (i, line) in lines.iter().enumerate() {
        let baseline = r.y + 2.0 + i as f64 * LABEL_LINE + LABEL_LINE / 2.0 + LABEL_SIZE * 0.35;
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"{}\" fill=\"{colour}\">{}</text>",
            num(r.x + r.w / 2.0),
            num(baseline),
            num(LABEL_SIZE),
            escape(line)
        );
    }
}

/// Lines of at most `width` columns, broken at spaces; a word longer than
/// that keeps a line to itself. An empty text has no lines.
fn wrap(text: &str, width: usize) -> Vec<String> {
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
fn columns(text: &str) -> usize {
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
fn escape(text: &str) -> String {
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

fn points(list: &[(f64, f64)]) -> String {
    list.iter()
        .map(|(x, y)| format!("{},{}", num(*x), num(*y)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A number rounded to one decimal, written the same on every platform
/// (`12`, `12.5`, `-3.1`), from integers so no float formatting is involved.
fn num(value: f64) -> String {
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
