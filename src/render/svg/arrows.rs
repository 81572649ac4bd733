//! The arrows: paths with a head, dashed and violet when they go back up to
//! an earlier step, thicker the more simulated customers took them, and
//! their labels on a white card.

use super::text::{columns, escape, num, points};
use crate::render::layout::{Direction, Point, Rect, Route, Segment};
use std::fmt::Write;

/// Arrow labels, a little smaller.
const LABEL_SIZE: f64 = 11.0;
const LABEL_ADVANCE: f64 = 6.6;
const LABEL_LINE: f64 = 14.0;
/// Longer labels are wrapped at a space.
pub(super) const LABEL_COLUMNS: usize = 28;
const EDGE: &str = "#64748b";
const BACK_EDGE: &str = "#7c3aed";

pub(super) fn label_size(lines: &[String]) -> (f64, f64) {
    if lines.is_empty() {
        return (0.0, 0.0);
    }
    let widest = lines.iter().map(|l| columns(l)).max().unwrap_or(0);
    (
        widest as f64 * LABEL_ADVANCE + 8.0,
        lines.len() as f64 * LABEL_LINE + 4.0,
    )
}

/// The path with its head: the path stops short of the box so a thick line
/// does not show round the head's point.
pub(super) fn draw_arrow(out: &mut String, route: &Route, thickness: f64) {
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
pub(super) fn draw_label(out: &mut String, r: &Rect, lines: &[String], direction: Direction) {
    let colour = if direction == Direction::Back {
        BACK_EDGE
    } else {
        "#334155"
    };
    let _ = writeln!(
        out,
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"3\" fill=\"#ffffff\" fill-opacity=\"0.92\" stroke=\"#cbd5e1\" stroke-width=\"0.8\"/>",
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
