//! Bars drawn with CSS (a box of a width in percent inside a track), and
//! the lift's 95% interval on a number line in SVG. Widths and positions are
//! written with one decimal, so the same figures give the same bytes.

use super::super::simulation::points;
use super::minus;
use crate::sim::report::Lift;
use std::fmt::Write;

/// `value` of `widest`, as a bar; `kind` is its CSS class (its colour).
pub(super) fn bar(value: u64, widest: u64, kind: &str) -> String {
    let width = if widest == 0 {
        0.0
    } else {
        value as f64 / widest as f64 * 100.0
    };
    track(width, kind)
}

/// A share of all (0 to 1) as a bar.
pub(super) fn share_bar(share: f64, kind: &str) -> String {
    track(share * 100.0, kind)
}

/// A rate beside the `highest` of the rates it is compared with: the higher
/// fills the track, so a small difference between small rates shows.
pub(super) fn rate_bar(rate: f64, highest: f64, kind: &str) -> String {
    let width = if highest > 0.0 {
        rate / highest * 100.0
    } else {
        0.0
    };
    track(width, kind)
}

fn track(width: f64, kind: &str) -> String {
    format!(
        "<span class=\"track\"><span class=\"fill {kind}\" style=\"width:{:.1}%\"></span></span>",
        width.clamp(0.0, 100.0)
    )
}

const WIDTH: f64 = 560.0;
const MARGIN: f64 = 40.0;

/// The lift on a number line in points: 0, the interval as a thick line and
/// the estimate as a dot, green when the interval is above 0, red when below.
pub(super) fn interval(lift: &Lift) -> String {
    let low = lift.low.min(0.0);
    let high = lift.high.max(0.0);
    let span = if high - low > 1e-9 { high - low } else { 0.01 };
    let (low, high) = (low - span * 0.08, high + span * 0.08);
    let x = |value: f64| MARGIN + (value - low) / (high - low) * (WIDTH - 2.0 * MARGIN);
    let colour = if lift.low > 0.0 {
        "#15803d"
    } else if lift.high < 0.0 {
        "#b91c1c"
    } else {
        "#64748b"
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg class=\"interval\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"64\" viewBox=\"0 0 {WIDTH} 64\" role=\"img\" aria-label=\"lift {} points, 95% interval {} to {}\">\n<title>The lift, {} points, on a line through 0, with its 95% interval from {} to {}</title>",
        points(lift.difference),
        points(lift.low),
        points(lift.high),
        points(lift.difference),
        points(lift.low),
        points(lift.high)
    );
    let _ = writeln!(
        out,
        "<line x1=\"{MARGIN}\" y1=\"30\" x2=\"{:.1}\" y2=\"30\" stroke=\"#cbd5e1\" stroke-width=\"1\"/>",
        WIDTH - MARGIN
    );
    let zero = x(0.0);
    let _ = writeln!(
        out,
        "<line x1=\"{zero:.1}\" y1=\"14\" x2=\"{zero:.1}\" y2=\"46\" stroke=\"#1e293b\" stroke-width=\"1\" stroke-dasharray=\"3 2\"/>\n<text x=\"{zero:.1}\" y=\"60\" text-anchor=\"middle\">0</text>"
    );
    let (from, to) = (x(lift.low), x(lift.high));
    let _ = writeln!(
        out,
        "<line x1=\"{from:.1}\" y1=\"30\" x2=\"{to:.1}\" y2=\"30\" stroke=\"{colour}\" stroke-width=\"8\" stroke-linecap=\"round\" opacity=\"0.45\"/>"
    );
    let _ = writeln!(
        out,
        "<circle cx=\"{:.1}\" cy=\"30\" r=\"6\" fill=\"{colour}\"/>",
        x(lift.difference)
    );
    let _ = writeln!(
        out,
        "<text x=\"{from:.1}\" y=\"12\" text-anchor=\"end\">{}</text>\n<text x=\"{to:.1}\" y=\"12\" text-anchor=\"start\">{}</text>",
        minus(&points(lift.low)),
        minus(&points(lift.high))
    );
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_stay_in_their_track() {
        assert!(bar(5, 10, "a").contains("width:50.0%"));
        assert!(bar(5, 0, "a").contains("width:0.0%"));
        assert!(share_bar(1.5, "a").contains("width:100.0%"));
        assert!(rate_bar(0.02, 0.04, "a").contains("width:50.0%"));
        assert!(rate_bar(0.0, 0.0, "a").contains("width:0.0%"));
    }

    #[test]
    fn the_interval_shows_zero_and_both_ends() {
        let drawn = interval(&Lift {
            difference: 0.05,
            low: -0.01,
            high: 0.11,
            ratio: None,
        });
        assert!(drawn.contains(">0</text>"));
        assert!(drawn.contains(">\u{2212}1.0</text>"));
        assert!(drawn.contains(">+11.0</text>"));
    }
}
