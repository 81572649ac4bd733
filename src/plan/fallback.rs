//! Channel fallback (`send push "app-offer" or email "mail-offer"`, format
//! 3): the channels a send tries in turn, and how a journey's recent sends
//! remember which one went out, for caps by channel.
//!
//! A journey keeps each recent send as (time, code): the code is the send's
//! node, with the choice that went out (0 the first channel, 1 the first
//! `or`, …) in its top bits. A send without fallback, and every send kept
//! before fallback existed, has choice 0, so its code is its node: journeys
//! stored by older versions read as they were.

use super::{Op, Plan};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `or CHANNEL "TEMPLATE"`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub channel: String,
    pub template: String,
}

/// Where the choice sits in a send's code.
const CHOICE_SHIFT: u32 = 28;
/// The most `or`s a send may have (the loader refuses more; the checker
/// refuses a channel written twice, and no schema needs fifteen).
pub const MAX_FALLBACK: usize = 15;
/// The most nodes a plan may have for its codes to hold the choice.
pub const MAX_NODES: usize = 1 << CHOICE_SHIFT;

/// The code a journey keeps for a send at `node` that went out on its
/// `choice`.
pub fn send_code(node: usize, choice: usize) -> u32 {
    let node = u32::try_from(node).unwrap_or(u32::MAX) & (MAX_NODES as u32 - 1);
    node | ((choice.min(MAX_FALLBACK) as u32) << CHOICE_SHIFT)
}

/// The node and the choice of a send's code.
pub fn split_code(code: u32) -> (usize, usize) {
    (
        (code & (MAX_NODES as u32 - 1)) as usize,
        (code >> CHOICE_SHIFT) as usize,
    )
}

impl Plan {
    /// The channel a kept send went out on.
    pub fn sent_channel(&self, code: u32) -> Option<&str> {
        let (node, choice) = split_code(code);
        match self.nodes.get(node).map(|n| &n.op) {
            Some(Op::Send {
                channel, fallback, ..
            }) => match choice {
                0 => Some(channel),
                n => fallback.get(n - 1).map(|c| c.channel.as_str()),
            },
            _ => None,
        }
    }

    /// The code of the send at `node` going out on `channel`, when it is
    /// one of its channels.
    pub fn send_code_at(&self, node: usize, channel: &str) -> Option<u32> {
        match self.nodes.get(node).map(|n| &n.op) {
            Some(Op::Send {
                channel: first,
                fallback,
                ..
            }) => std::iter::once(first.as_str())
                .chain(fallback.iter().map(|c| c.channel.as_str()))
                .position(|c| c == channel)
                .map(|choice| send_code(node, choice)),
            _ => None,
        }
    }

    /// The code of the first send of this plan that can go out on
    /// `channel`: where a kept send lands when a journey moves to this
    /// plan (it keeps counting for that channel's caps).
    pub fn send_code_for(&self, channel: &str) -> Option<u32> {
        self.nodes
            .iter()
            .enumerate()
            .find_map(|(node, n)| match &n.op {
                Op::Send {
                    channel: first,
                    fallback,
                    ..
                } => std::iter::once(first.as_str())
                    .chain(fallback.iter().map(|c| c.channel.as_str()))
                    .position(|c| c == channel)
                    .map(|choice| send_code(node, choice)),
                _ => None,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_first_choice_is_its_node() {
        assert_eq!(send_code(17, 0), 17);
        assert_eq!(split_code(17), (17, 0));
        assert_eq!(split_code(send_code(17, 2)), (17, 2));
    }
}
