//! A chart as a self-contained SVG (`nurture graph --format svg`), drawn
//! without Graphviz or a browser: boxes are sized from their text
//! (`boxes.rs`), placed by `layout/`, joined by arrows (`arrows.rs`), and
//! written with every number rounded to one decimal (`text.rs`).
//!
//! Text is monospace, so a line's width follows from its length alone and
//! the same chart gives the same bytes everywhere; the real font only has to
//! be about as wide as the metric, which monospace fonts are.

mod arrows;
mod boxes;
mod text;

use super::chart::Chart;
use super::layout::{self, Arrow, Graph, Layout, TooLarge};
use arrows::{LABEL_COLUMNS, draw_arrow, draw_label, label_size};
use boxes::{BoxText, TEXT_SIZE, draw_box};
use std::fmt::Write;
use text::{num, wrap};

const FONT: &str = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', 'Liberation Mono', monospace";
const INK: &str = "#1e293b";
/// How thick an arrow is with no count, and how much thicker the busiest.
const THIN: f64 = 1.3;
const THICKER: f64 = 4.7;

/// The chart as an SVG document, unless it is too large to lay out.
pub fn svg(chart: &Chart) -> Result<String, TooLarge> {
    let prepared = Prepared::new(chart)?;
    let drawn = &prepared.layout;
    let (width, height) = (num(drawn.width), num(drawn.height));
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"{FONT}\" font-size=\"{}\" fill=\"{INK}\">",
        num(TEXT_SIZE),
    );
    let _ = writeln!(
        out,
        "<title>Flow chart of {}: every step, and every way from one to the next</title>",
        text::escape(&chart.name)
    );
    let _ = writeln!(
        out,
        "<rect width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>"
    );

    // Arrows first, so boxes and labels are drawn over their ends.
    let busiest = chart.counts.values().copied().max().unwrap_or(0);
    out.push_str("<g fill=\"none\">\n");
    for (e, route) in drawn.routes.iter().enumerate() {
        let thickness = match chart.counts.get(&e) {
            // The square root keeps a trickle visible beside a flood.
            Some(&count) if busiest > 0 => THIN + THICKER * (count as f64 / busiest as f64).sqrt(),
            _ => THIN,
        };
        // A title per arrow: what a pointer over it shows.
        let place = |id: &str| {
            chart
                .nodes
                .iter()
                .find(|(n, _, _)| n == id)
                .map(|(_, label, _)| label.lines().next().unwrap_or("").to_string())
                .unwrap_or_default()
        };
        let title = chart.edges.get(e).map(|(from, to, label)| {
            let mut title = format!("{} → {}", place(from), place(to));
            if !label.is_empty() {
                title.push_str(": ");
                title.push_str(label);
            }
            title
        });
        let _ = writeln!(
            out,
            "<g><title>{}</title>",
            text::escape(title.as_deref().unwrap_or(""))
        );
        draw_arrow(&mut out, route, thickness);
        out.push_str("</g>\n");
    }
    out.push_str("</g>\n");
    for ((rect, text), (_, _, shape)) in drawn.boxes.iter().zip(&prepared.texts).zip(&chart.nodes) {
        draw_box(&mut out, rect, text, *shape);
    }
    for (route, lines) in drawn.routes.iter().zip(&prepared.labels) {
        if let Some(rect) = route.label {
            draw_label(&mut out, &rect, lines, route.direction);
        }
    }
    out.push_str("</svg>\n");
    Ok(out)
}

/// Where the chart's boxes and arrows go, without drawing them: the SVG
/// uses it, and tests check that nothing is drawn over anything else.
pub fn layout(chart: &Chart) -> Result<Layout, TooLarge> {
    Ok(Prepared::new(chart)?.layout)
}

/// The text of every box and label, wrapped, and the layout made for it.
struct Prepared {
    texts: Vec<BoxText>,
    labels: Vec<Vec<String>>,
    layout: Layout,
}

impl Prepared {
    fn new(chart: &Chart) -> Result<Prepared, TooLarge> {
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
                .zip(&labels)
                .map(|((from, to, _), lines)| Arrow {
                    // An edge to an unknown node would be a bug in chart.rs;
                    // pointing it past the boxes makes the layout skip it.
                    from: index.get(from.as_str()).copied().unwrap_or(usize::MAX),
                    to: index.get(to.as_str()).copied().unwrap_or(usize::MAX),
                    label: label_size(lines),
                })
                .collect(),
        };
        let layout = layout::layout(&graph)?;
        Ok(Prepared {
            texts,
            labels,
            layout,
        })
    }
}
