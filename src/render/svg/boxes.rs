//! The boxes: their size from their text, and their shape: a slanted box
//! for the entry, a box with its name in bold for a step, a rounded one for
//! an exit, a hexagon for the goal and a note for the rules.

use super::text::{columns, escape, num, points, wrap};
use crate::render::chart::Shape;
use crate::render::layout::Rect;
use std::fmt::Write;

/// Box text: size, advance of one character (0.6 em, as monospace fonts
/// have), and line height.
pub(super) const TEXT_SIZE: f64 = 12.0;
pub(super) const TEXT_ADVANCE: f64 = 7.2;
pub(super) const TEXT_LINE: f64 = 16.0;
/// Longer lines are wrapped at a space, so one long message cannot make the
/// chart too wide for a laptop screen.
const BOX_COLUMNS: usize = 44;
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
const RULE: &str = "#cbd5e1";

/// A box's lines, wrapped, and which are headings.
pub(super) struct BoxText {
    shape: Shape,
    /// (text, continues the line before it)
    lines: Vec<(String, bool)>,
    /// A step's name and the rules' "at any step:" head their box.
    header: bool,
}

impl BoxText {
    pub(super) fn new(label: &str, shape: Shape) -> BoxText {
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

    pub(super) fn size(&self) -> (f64, f64) {
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

pub(super) fn draw_box(out: &mut String, r: &Rect, text: &BoxText, shape: Shape) {
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
