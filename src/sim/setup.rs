//! What the simulator works out about a program once, before any customer:
//! which step each plan node belongs to, and for every send, which of the
//! behaviour model's responses answer it.

use super::behavior::Behavior;
use crate::plan::{Op, Plan};
use crate::syntax::ast::Program;

/// A program ready to simulate.
pub struct Setup<'p> {
    pub plan: &'p Plan,
    /// Step names, in source order.
    pub steps: Vec<String>,
    /// The step each plan node belongs to (an `exit` arm's node belongs to
    /// the step it is written in).
    node_step: Vec<Option<usize>>,
    /// Per node: the send's answers, for send nodes.
    /// Per node: a send's channels, the first and each `or`, in order (a
    /// fallback is answered as the channel it went out on); empty for a
    /// node that sends nothing.
    pub sends: Vec<Vec<SendSetup<'p>>>,
    /// The channels the program sends on, sorted.
    pub channels: Vec<String>,
    /// Every outcome a journey can end with, sorted.
    pub outcomes: Vec<String>,
}

/// How customers may answer one send.
pub struct SendSetup<'p> {
    pub channel: &'p str,
    /// The responses for customers in no segment with a table of its own,
    /// in an order where every `given` comes before what depends on it.
    pub responses: Vec<Planned>,
    /// (index into the model's segment tables, responses) for the segments
    /// with a table for this channel, in file order.
    pub by_segment: Vec<(usize, Vec<Planned>)>,
}

/// One response the model may draw for a send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Planned {
    pub table: usize,
    pub response: usize,
    /// The index in the same list of the response it needs first.
    pub given: Option<usize>,
}

impl<'p> Setup<'p> {
    pub fn new(plan: &'p Plan, program: &Program, model: &Behavior) -> Self {
        let steps: Vec<String> = program.steps.iter().map(|s| s.name.value.clone()).collect();
        let node_step =
            plan.nodes
                .iter()
                .map(|node| {
                    program.steps.iter().position(|s| {
                        s.span.start <= node.span.start && node.span.start < s.span.end
                    })
                })
                .collect();
        let mut channels: Vec<String> = Vec::new();
        let sends = plan
            .nodes
            .iter()
            .map(|node| match &node.op {
                Op::Send {
                    channel,
                    template,
                    fallback,
                    ..
                } => std::iter::once((channel, template))
                    .chain(fallback.iter().map(|c| (&c.channel, &c.template)))
                    .map(|(channel, template)| {
                        if !channels.contains(channel) {
                            channels.push(channel.clone());
                        }
                        SendSetup {
                            channel,
                            responses: responses(model, channel, template, None),
                            by_segment: model
                                .segments
                                .iter()
                                .enumerate()
                                .filter(|(_, (_, c, _))| c == channel)
                                .map(|(i, (_, _, table))| {
                                    (i, responses(model, channel, template, Some(*table)))
                                })
                                .collect(),
                        }
                    })
                    .collect(),
                _ => Vec::new(),
            })
            .collect();
        channels.sort();
        let mut outcomes: Vec<String> = plan
            .nodes
            .iter()
            .filter_map(|node| match &node.op {
                Op::Exit { outcome } => Some(outcome.clone()),
                _ => None,
            })
            .chain(plan.exit_rules.iter().map(|rule| rule.outcome.clone()))
            .chain(plan.ends.iter().map(|ends| ends.outcome.clone()))
            .chain(plan.goal.iter().map(|_| "converted".to_string()))
            .chain(["holdout".to_string(), "stuck".to_string()])
            .collect();
        outcomes.sort();
        outcomes.dedup();
        Setup {
            plan,
            steps,
            node_step,
            sends,
            channels,
            outcomes,
        }
    }

    pub fn step_of(&self, node: usize) -> Option<usize> {
        self.node_step.get(node).copied().flatten()
    }

    pub fn is_wait_for(&self, node: usize) -> bool {
        matches!(
            self.plan.nodes.get(node).map(|n| &n.op),
            Some(Op::WaitFor { .. })
        )
    }

    pub fn channel_index(&self, channel: &str) -> Option<usize> {
        self.channels.iter().position(|c| c == channel)
    }

    pub fn outcome_index(&self, outcome: &str) -> Option<usize> {
        self.outcomes.iter().position(|o| o == outcome)
    }
}

/// The responses to a send: the channel's table, then the segment's, then
/// the template's, each replacing what an earlier one says of the same
/// event; ordered so that every `given` comes first. A response whose
/// `given` is missing or goes round in a loop is left out (the model's
/// reader refuses both within a table).
fn responses(
    model: &Behavior,
    channel: &str,
    template: &str,
    segment: Option<usize>,
) -> Vec<Planned> {
    let mut merged: Vec<(usize, usize)> = Vec::new();
    let layers = [model.channel(channel), segment, model.template(template)];
    for table in layers.into_iter().flatten() {
        for (i, response) in model.tables[table].responses.iter().enumerate() {
            let same = merged
                .iter()
                .position(|&(t, r)| model.tables[t].responses[r].event == response.event);
            match same {
                Some(at) => merged[at] = (table, i),
                None => merged.push((table, i)),
            }
        }
    }
    let mut ordered: Vec<Planned> = Vec::new();
    let mut placed = vec![false; merged.len()];
    loop {
        let mut progress = false;
        for (i, &(table, response)) in merged.iter().enumerate() {
            if placed[i] {
                continue;
            }
            let given = &model.tables[table].responses[response].given;
            let given_at = match given {
                None => None,
                Some(event) => match ordered
                    .iter()
                    .position(|p| &model.tables[p.table].responses[p.response].event == event)
                {
                    Some(at) => Some(at),
                    None => continue,
                },
            };
            ordered.push(Planned {
                table,
                response,
                given: given_at,
            });
            placed[i] = true;
            progress = true;
        }
        if !progress {
            break;
        }
    }
    ordered
}

pub use crate::run::compact::attributes_read;

/// Why a trigger may never match, when the model shows it: no background
/// activity or response of `model` has a customer do the event it waits
/// for (an inactivity or date trigger needs nothing of the model).
pub fn trigger_note(trigger: &crate::plan::Trigger, model: &Behavior) -> Option<String> {
    use crate::plan::Trigger;
    let done = |event: &str, segment: Option<&str>| {
        let carries = |properties: &[(String, crate::run::Datum)]| {
            segment.is_none_or(|s| {
                properties
                    .iter()
                    .any(|(k, v)| k == "segment" && *v == crate::run::Datum::Text(s.to_string()))
            })
        };
        model
            .background
            .iter()
            .any(|b| b.event == event && carries(&b.properties))
            || model
                .tables
                .iter()
                .flat_map(|t| &t.responses)
                .any(|r| r.event == event && carries(&r.properties))
    };
    match trigger {
        Trigger::Event { event, .. } if !done(event, None) => Some(format!(
            "the behaviour model never has a customer do `{event}`"
        )),
        Trigger::Segment { segment, entered } => {
            let event = if *entered {
                "segment_entered"
            } else {
                "segment_left"
            };
            (!done(event, Some(segment))).then(|| {
                format!(
                    "the behaviour model never has a customer do `{event}` with `segment = \"{segment}\"`"
                )
            })
        }
        _ => None,
    }
}
