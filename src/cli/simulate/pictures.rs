//! `nurture simulate --html`: each program's flow chart for the page, with
//! the report's counts on its arrows.

use crate::render::chart::{self, FlowCount};
use crate::render::html::{self, Picture};
use crate::render::svg;
use crate::sim::report::Report;

use super::Loaded;

/// Each program's title and its flow chart, with the report's counts on
/// every arrow and an arrow for every move.
pub(super) fn pictures(loaded: &[Loaded], report: &Report) -> Vec<Picture> {
    loaded
        .iter()
        .zip(&report.programs)
        .map(|(l, p)| {
            let mut drawn = chart::chart(&l.program, &l.source);
            let flow: Vec<FlowCount> = p
                .flow
                .iter()
                .map(|f| FlowCount {
                    from: f.from.clone(),
                    to: f.to.clone(),
                    count: f.count,
                })
                .collect();
            // The labels before the counts are written into them.
            let labels: Vec<String> = drawn.edges.iter().map(|(_, _, l)| l.clone()).collect();
            chart::annotate_every_way(&mut drawn, &flow);
            let place = |id: &str| match id {
                "entry" => "the start".to_string(),
                "goal" => "the goal".to_string(),
                "rules" => "exit when (at any step)".to_string(),
                _ => drawn
                    .nodes
                    .iter()
                    .find(|(n, _, _)| n == id)
                    .map(|(_, label, _)| label.lines().next().unwrap_or("").to_string())
                    .unwrap_or_default(),
            };
            let ways = drawn
                .edges
                .iter()
                .enumerate()
                .filter(|(e, _)| drawn.counts.contains_key(e))
                .map(|(e, (from, to, label))| html::Way {
                    from: place(from),
                    to: place(to),
                    on: labels.get(e).cloned().unwrap_or_else(|| {
                        label
                            .rsplit_once(" · ")
                            .map_or(String::new(), |(on, _)| on.to_string())
                    }),
                    count: drawn.counts.get(&e).copied().unwrap_or(0),
                })
                .collect();
            Picture {
                title: l.plan.title.clone(),
                // The report is still worth having without its picture.
                svg: svg::svg(&drawn).unwrap_or_else(|too_large| {
                    format!("<p>{}.</p>\n", html::escape(&too_large.to_string()))
                }),
                ways,
            }
        })
        .collect()
}
