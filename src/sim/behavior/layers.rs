//! `given` across layers. The responses to a send are the channel's table,
//! then the segment's, then the template's, each replacing the responses
//! of the same event; so a loop can be made of two tables that are each
//! fine alone: the channel's `click given open` and a template's `open
//! given click`. Such a loop has no first response, and the simulator
//! could only leave both out; it is refused here (N404), at the `given`s
//! that make it, for every channel the template could be sent on.

use super::{RawModel, RawTable, span_of};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::span::Span;
use std::collections::BTreeSet;
use toml::Spanned;

/// One table of a stack, named for a message.
struct Layer<'r> {
    name: String,
    table: &'r RawTable,
}

/// Adds an N404 for every loop of `given` that runs through more than one
/// table of some stack (a loop within one table is the table's own to
/// report).
pub(super) fn check(raw: &RawModel, problems: &mut Vec<Diagnostic>) {
    let mut channels: Vec<&str> = raw.channel.keys().map(|c| c.get_ref().as_str()).collect();
    for tables in raw.segment.values() {
        for channel in tables.keys() {
            if !channels.contains(&channel.get_ref().as_str()) {
                channels.push(channel.get_ref());
            }
        }
    }
    let mut told: BTreeSet<Vec<(usize, usize)>> = BTreeSet::new();
    for channel in channels {
        let base = raw.channel.get(channel).map(|table| Layer {
            name: format!("channel `{channel}`"),
            table,
        });
        let mut middles: Vec<Option<Layer>> = vec![None];
        for (segment, tables) in &raw.segment {
            if let Some(table) = tables.get(channel) {
                middles.push(Some(Layer {
                    name: format!("segment `{}` on {channel}", segment.get_ref()),
                    table,
                }));
            }
        }
        let mut tops: Vec<Option<Layer>> = vec![None];
        for (template, table) in &raw.template {
            tops.push(Some(Layer {
                name: format!("template `{}`", template.get_ref()),
                table,
            }));
        }
        for middle in &middles {
            for top in &tops {
                let stack: Vec<&Layer> = [base.as_ref(), middle.as_ref(), top.as_ref()]
                    .into_iter()
                    .flatten()
                    .collect();
                if stack.len() < 2 {
                    continue;
                }
                if let Some(problem) = loop_in(&stack, &mut told) {
                    problems.push(problem);
                }
            }
        }
    }
}

/// A response of the merged stack: which layer it comes from and its key.
#[derive(Clone, Copy)]
struct Merged<'r> {
    layer: usize,
    event: &'r Spanned<String>,
    given: Option<&'r Spanned<String>>,
}

fn loop_in(stack: &[&Layer], told: &mut BTreeSet<Vec<(usize, usize)>>) -> Option<Diagnostic> {
    let mut merged: Vec<Merged> = Vec::new();
    for (layer, table) in stack.iter().enumerate() {
        for (event, response) in table.table {
            let entry = Merged {
                layer,
                event,
                given: response.get_ref().given.as_ref(),
            };
            match merged
                .iter_mut()
                .find(|m| m.event.get_ref() == event.get_ref())
            {
                Some(same) => *same = entry,
                None => merged.push(entry),
            }
        }
    }
    for start in 0..merged.len() {
        let mut path = vec![start];
        let mut at = start;
        while path.len() <= merged.len() {
            let Some(given) = merged[at].given else { break };
            let Some(next) = merged
                .iter()
                .position(|m| m.event.get_ref() == given.get_ref())
            else {
                break;
            };
            if next == start {
                let layers: BTreeSet<usize> = path.iter().map(|&i| merged[i].layer).collect();
                if layers.len() < 2 {
                    return None;
                }
                // The same loop is met from each of its responses and in
                // every stack that holds its tables: told once, by the
                // places of its `given`s.
                let mut key: Vec<(usize, usize)> = path
                    .iter()
                    .filter_map(|&i| merged[i].given.map(|g| (g.span().start, g.span().end)))
                    .collect();
                key.sort_unstable();
                if !told.insert(key) {
                    return None;
                }
                return Some(diagnostic(stack, &merged, &path));
            }
            if path.contains(&next) {
                break;
            }
            path.push(next);
            at = next;
        }
    }
    None
}

fn diagnostic(stack: &[&Layer], merged: &[Merged], path: &[usize]) -> Diagnostic {
    let words: Vec<String> = path
        .iter()
        .map(|&i| {
            let m = merged[i];
            format!(
                "`{}` ({}) waits for `{}`",
                m.event.get_ref(),
                stack[m.layer].name,
                m.given.map_or("", |g| g.get_ref().as_str())
            )
        })
        .collect();
    let mut diagnostic = Diagnostic::new(
        Code::BehaviorGivenLoop,
        format!(
            "`given` goes round in a loop in {}: {}",
            stack
                .iter()
                .rev()
                .map(|l| l.name.as_str())
                .collect::<Vec<_>>()
                .join(" over "),
            words.join(", ")
        ),
    );
    // The topmost layer's `given` first: that is the table that closes the
    // loop over the one beneath.
    let mut order: Vec<usize> = path.to_vec();
    order.sort_by_key(|&i| std::cmp::Reverse(merged[i].layer));
    for (n, &i) in order.iter().enumerate() {
        let m = merged[i];
        let span = m.given.map_or(Span::at(0), span_of);
        let label = if n == 0 {
            format!(
                "`{}` waits for `{}` here…",
                m.event.get_ref(),
                m.given.map_or("", |g| g.get_ref())
            )
        } else {
            format!(
                "…and `{}` waits for `{}` here",
                m.event.get_ref(),
                m.given.map_or("", |g| g.get_ref())
            )
        };
        diagnostic = diagnostic.label(span, label);
    }
    diagnostic.help(
        "a table replaces only the responses of the same events beneath it: give one response of the loop no `given`, or replace the other response too",
    )
}
