//! Where a customer stands in one program: the state the interpreter keeps
//! per customer and program, and the only state a simulated customer holds
//! besides its record. It is kept to 64 bytes (a cache line) by storing
//! optional moments in 8 bytes, the node as `u32`, the outcome as a boxed
//! text and the recent sends behind one pointer; the JSON a runtime stores
//! is the same as for the plain fields (docs/runtime.md).

use super::Seconds;
use crate::plan::{Op, Plan};
use serde::{Deserialize, Serialize};

/// Where a customer stands in one program: small and serialisable, so a
/// runtime can store it beside the customer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Journey {
    pub status: Status,
    /// In the control group: entered, gets nothing.
    pub holdout: bool,
    /// The node the customer waits at, while `In`.
    node: u32,
    /// How many times the customer has entered.
    pub entries: u32,
    /// Actions taken in this entry, for idempotency keys.
    pub actions: u32,
    pub entered_at: Seconds,
    /// When the next tick is due: a wait's end, a timeout, a send held back
    /// by quiet hours, or the end of a holdout's goal window.
    due: Moment,
    left_at: Moment,
    outcome: Option<Box<str>>,
    /// Recent sends (time, the send's node), as far back as the longest cap.
    sent: Sends,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Never entered.
    #[default]
    Out,
    In,
    Left,
}

impl Journey {
    /// The node the customer waits at, while `In`.
    pub fn node(&self) -> usize {
        self.node as usize
    }

    /// When the next [`Input::Tick`](super::Input::Tick) is due, if any.
    pub fn due(&self) -> Option<Seconds> {
        self.due.get()
    }

    /// When the customer last left.
    pub fn left_at(&self) -> Option<Seconds> {
        self.left_at.get()
    }

    /// How the customer last left.
    pub fn outcome(&self) -> Option<&str> {
        self.outcome.as_deref()
    }

    /// The sends kept for caps: (time, the send's node), oldest first.
    pub fn sent(&self) -> &[(Seconds, u32)] {
        self.sent.as_slice()
    }

    /// Back to a journey never entered, keeping the memory of the list of
    /// sends, for a simulator that reuses one journey for every customer.
    pub fn reset(&mut self) {
        let mut sent = std::mem::take(&mut self.sent);
        sent.clear();
        *self = Journey {
            sent,
            ..Journey::default()
        };
    }

    pub(super) fn set_node(&mut self, node: usize) {
        // A node past `u32` is past any plan: it reads as a missing node,
        // and the customer leaves as `stuck`.
        self.node = u32::try_from(node).unwrap_or(u32::MAX);
    }

    pub(super) fn set_due(&mut self, due: Option<Seconds>) {
        self.due = Moment::new(due);
    }

    /// Enters anew: `entries` and the recent sends carry over (caps span
    /// entries), everything else starts again.
    pub(super) fn enter(&mut self, node: usize, now: Seconds, holdout: bool) {
        let entries = self.entries + 1;
        let sent = std::mem::take(&mut self.sent);
        *self = Journey {
            status: Status::In,
            holdout,
            entries,
            entered_at: now,
            sent,
            ..Journey::default()
        };
        self.set_node(node);
    }

    pub(super) fn leave(&mut self, now: Seconds, outcome: &str) {
        self.status = Status::Left;
        self.left_at = Moment::new(Some(now));
        self.outcome = Some(outcome.into());
        self.due = Moment::NONE;
    }

    pub(super) fn sends_mut(&mut self) -> &mut Sends {
        &mut self.sent
    }

    /// Moves the journey onto `plan`, another version of the program of
    /// `old`: the recent sends stay (caps span versions as they span
    /// entries), each pointed at the first send on the same channel in
    /// `plan`, and dropped where `plan` has none; the node is the new
    /// start. For a journey that is not running (a running one stays on its
    /// version until it ends).
    pub(super) fn rebase(&mut self, old: &Plan, plan: &Plan) {
        let channel_of = |plan: &'_ Plan, node: u32| match plan.nodes.get(node as usize) {
            Some(crate::plan::Node {
                op: Op::Send { channel, .. },
                ..
            }) => Some(channel.clone()),
            _ => None,
        };
        let first_send = |channel: &str| {
            plan.nodes
                .iter()
                .position(|node| matches!(&node.op, Op::Send { channel: c, .. } if c == channel))
        };
        let sent: Vec<(Seconds, u32)> = self
            .sent()
            .iter()
            .filter_map(|&(at, node)| {
                let channel = channel_of(old, node)?;
                let moved = first_send(&channel)?;
                Some((at, u32::try_from(moved).unwrap_or(u32::MAX)))
            })
            .collect();
        self.sent = Sends::from(sent);
        self.set_node(plan.start);
    }
}

/// A moment that may be unset, in 8 bytes where `Option<Seconds>` takes 16.
/// `i64::MIN` stands for "none"; a moment at exactly `i64::MIN` (292 billion
/// years ago) is kept one second later.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "Option<Seconds>", into = "Option<Seconds>")]
struct Moment(Seconds);

impl Moment {
    const NONE: Moment = Moment(Seconds::MIN);

    fn new(at: Option<Seconds>) -> Moment {
        match at {
            Some(at) => Moment(at.max(Seconds::MIN + 1)),
            None => Moment::NONE,
        }
    }

    fn get(self) -> Option<Seconds> {
        (self != Moment::NONE).then_some(self.0)
    }
}

impl Default for Moment {
    fn default() -> Self {
        Moment::NONE
    }
}

impl From<Option<Seconds>> for Moment {
    fn from(at: Option<Seconds>) -> Self {
        Moment::new(at)
    }
}

impl From<Moment> for Option<Seconds> {
    fn from(moment: Moment) -> Self {
        moment.get()
    }
}

/// The recent sends behind one pointer (8 bytes, where a `Vec` takes 24):
/// most journeys hold none or a few, and the list is only read at a send.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(from = "Vec<(Seconds, u32)>", into = "Vec<(Seconds, u32)>")]
// The box is the point: one pointer in the journey instead of a `Vec`'s
// three words, for a list that is usually empty.
#[allow(clippy::box_collection)]
pub(super) struct Sends(Option<Box<Vec<(Seconds, u32)>>>);

impl Sends {
    pub(super) fn as_slice(&self) -> &[(Seconds, u32)] {
        self.0.as_deref().map_or(&[], Vec::as_slice)
    }

    pub(super) fn push(&mut self, at: Seconds, node: usize) {
        let node = u32::try_from(node).unwrap_or(u32::MAX);
        self.0.get_or_insert_default().push((at, node));
    }

    /// Keeps the sends after `since`.
    pub(super) fn forget_until(&mut self, since: Seconds) {
        if let Some(sends) = &mut self.0 {
            sends.retain(|(at, _)| *at > since);
        }
    }

    fn clear(&mut self) {
        if let Some(sends) = &mut self.0 {
            sends.clear();
        }
    }
}

impl From<Vec<(Seconds, u32)>> for Sends {
    fn from(sends: Vec<(Seconds, u32)>) -> Self {
        Sends((!sends.is_empty()).then(|| Box::new(sends)))
    }
}

impl From<Sends> for Vec<(Seconds, u32)> {
    fn from(sends: Sends) -> Self {
        sends.0.map(|sends| *sends).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The target of issue #5: the state per customer fits a cache line.
    #[test]
    fn a_journey_fits_in_64_bytes() {
        assert!(std::mem::size_of::<Journey>() <= 64);
    }

    #[test]
    fn moments_keep_every_time_but_the_very_first() {
        for at in [0, -1, 1, Seconds::MAX, Seconds::MIN + 1] {
            assert_eq!(Moment::new(Some(at)).get(), Some(at));
        }
        assert_eq!(
            Moment::new(Some(Seconds::MIN)).get(),
            Some(Seconds::MIN + 1)
        );
        assert_eq!(Moment::new(None).get(), None);
    }

    /// The JSON is what it was with plain fields: `null` or a number for
    /// moments, a list of pairs for sends, the outcome as text.
    #[test]
    fn the_json_is_that_of_plain_fields() {
        let mut journey = Journey::default();
        journey.enter(3, 100, false);
        journey.set_due(Some(200));
        journey.sends_mut().push(150, 4);
        let json = serde_json::to_value(&journey).unwrap_or_default();
        assert_eq!(
            json,
            serde_json::json!({
                "status": "in", "holdout": false, "node": 3, "entries": 1,
                "actions": 0, "entered_at": 100, "due": 200, "left_at": null,
                "outcome": null, "sent": [[150, 4]]
            })
        );
        journey.leave(300, "done");
        let back: Journey =
            serde_json::from_value(serde_json::to_value(&journey).unwrap_or_default())
                .unwrap_or_default();
        assert_eq!(back, journey);
        assert_eq!(back.outcome(), Some("done"));
        assert_eq!(back.left_at(), Some(300));
        assert_eq!(back.due(), None);
    }
}
