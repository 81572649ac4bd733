//! The report's charts over time, as inline SVG: messages sent per day and
//! channel (what the sending system will see), and the days from entering
//! to the goal. Each has a `<title>`, says in words what it shows, and
//! writes every number with one decimal, so the same report gives the
//! same bytes.

use super::super::simulation::thousands;
use super::escape;
use std::collections::BTreeMap;
use std::fmt::Write;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 200.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 28.0;

/// Colours for channels, in the order of their names.
const PALETTE: [&str; 6] = [
    "#2563eb", "#d97706", "#059669", "#db2777", "#7c3aed", "#475569",
];

fn n(x: f64) -> String {
    format!("{:.1}", (x * 10.0).round() / 10.0)
}

/// A rounded top for the y axis: 1, 2 or 5 times a power of ten.
fn nice(max: u64) -> u64 {
    let mut step = 1u64;
    loop {
        for k in [1, 2, 5] {
            if step.saturating_mul(k) >= max.max(1) {
                return step * k;
            }
        }
        step = step.saturating_mul(10);
    }
}

fn frame(out: &mut String, title: &str, top: u64, x_label: &str, days: usize) {
    let _ = writeln!(
        out,
        "<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-label=\"{}\">\n<title>{}</title>",
        escape(title),
        escape(title)
    );
    let bottom = HEIGHT - BOTTOM;
    for (value, y) in [(0, bottom), (top / 2, (bottom + TOP) / 2.0), (top, TOP)] {
        let _ = writeln!(
            out,
            "<line x1=\"{LEFT}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#e2e8f0\"/>\n<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            n(y),
            n(WIDTH - RIGHT),
            n(y),
            n(LEFT - 6.0),
            n(y + 4.0),
            thousands(value)
        );
    }
    let _ = writeln!(
        out,
        "<text x=\"{LEFT}\" y=\"{}\">0</text>\n<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
        n(HEIGHT - 8.0),
        n(WIDTH - RIGHT),
        n(HEIGHT - 8.0),
        escape(&format!("{x_label} {}", days.saturating_sub(1)))
    );
}

/// Messages per day and channel, one line each.
pub(super) fn messages_per_day(per_day: &BTreeMap<String, Vec<u64>>) -> String {
    let days = per_day.values().map(Vec::len).max().unwrap_or(0);
    let busiest = per_day.values().flatten().copied().max().unwrap_or(0);
    let mut out = String::new();
    if days == 0 || busiest == 0 {
        out.push_str("<p>No messages were sent.</p>\n");
        return out;
    }
    let top = nice(busiest);
    frame(
        &mut out,
        "Messages sent per day of the simulation, one line per channel",
        top,
        "day",
        days,
    );
    let x = |d: usize| LEFT + (WIDTH - LEFT - RIGHT) * d as f64 / (days.max(2) - 1) as f64;
    let y = |v: u64| HEIGHT - BOTTOM - (HEIGHT - BOTTOM - TOP) * v as f64 / top as f64;
    for (i, (channel, counts)) in per_day.iter().enumerate() {
        let colour = PALETTE[i % PALETTE.len()];
        let points: Vec<String> = counts
            .iter()
            .enumerate()
            .map(|(d, &v)| format!("{},{}", n(x(d)), n(y(v))))
            .collect();
        let total: u64 = counts.iter().sum();
        let _ = writeln!(
            out,
            "<g><title>{}</title><polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/></g>",
            escape(&format!("{channel}: {} messages in all", thousands(total))),
            points.join(" ")
        );
    }
    out.push_str("</svg>\n<ul class=\"legend\">\n");
    for (i, (channel, counts)) in per_day.iter().enumerate() {
        let (day, most) = counts
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)))
            .map_or((0, 0), |(d, v)| (d, *v));
        let _ = writeln!(
            out,
            "<li><span class=\"swatch\" style=\"background:{}\"></span><code>{}</code>: {} in all, at most {} on one day (day {day})</li>",
            PALETTE[i % PALETTE.len()],
            escape(channel),
            thousands(counts.iter().sum()),
            thousands(most)
        );
    }
    out.push_str("</ul>\n");
    out
}

/// Treated journeys that reached the goal on each day after entering.
pub(super) fn days_to_goal(per_day: &[u64]) -> String {
    let busiest = per_day.iter().copied().max().unwrap_or(0);
    let mut out = String::new();
    if busiest == 0 {
        out.push_str("<p>No treated journey reached the goal.</p>\n");
        return out;
    }
    let days = per_day.len();
    let top = nice(busiest);
    frame(
        &mut out,
        "Treated journeys that reached the goal, by days after entering",
        top,
        "days after entering:",
        days,
    );
    let slot = (WIDTH - LEFT - RIGHT) / days.max(1) as f64;
    for (d, &count) in per_day.iter().enumerate() {
        if count == 0 {
            continue;
        }
        let h = (HEIGHT - BOTTOM - TOP) * count as f64 / top as f64;
        let _ = writeln!(
            out,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#2563eb\"><title>{}</title></rect>",
            n(LEFT + slot * d as f64 + slot * 0.1),
            n(HEIGHT - BOTTOM - h),
            n((slot * 0.8).max(0.5)),
            n(h),
            escape(&format!("day {d} after entering: {count} reached the goal"))
        );
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_round_up_to_one_two_or_five() {
        assert_eq!(nice(0), 1);
        assert_eq!(nice(3), 5);
        assert_eq!(nice(17), 20);
        assert_eq!(nice(120), 200);
    }

    #[test]
    fn every_chart_has_a_title() {
        let per_day: BTreeMap<String, Vec<u64>> =
            [("email".to_string(), vec![3, 0, 5])].into_iter().collect();
        let chart = messages_per_day(&per_day);
        assert!(chart.contains("<title>Messages sent per day"), "{chart}");
        assert!(chart.contains("at most 5 on one day (day 2)"), "{chart}");
        assert!(days_to_goal(&[0, 2, 1]).contains("<title>Treated journeys"));
        assert!(days_to_goal(&[0, 0]).contains("No treated journey"));
    }
}
