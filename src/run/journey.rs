//! Where a customer stands in one program: the state the interpreter keeps
//! per customer and program, and the only state a simulated customer holds
//! besides its record. It is kept to 64 bytes (a cache line) by storing
//! optional moments in 8 bytes, the node as `u32`, the outcome as a boxed
//! text, and what only some journeys hold (the recent sends, the data of
//! the event that started the journey) behind one pointer; the JSON a
//! runtime stores is that of plain fields (docs/runtime.md).

use super::record::DatumRef;
use super::{Datum, Seconds};
use crate::plan::Plan;
use serde::{Deserialize, Serialize};

/// Where a customer stands in one program: small and serialisable, so a
/// runtime can store it beside the customer.
#[derive(Clone, Debug, Default, PartialEq)]
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
    /// The recent sends and the trigger's data.
    memo: Memo,
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

/// The properties of the event that started the journey that the plan
/// reads (`trigger.PROPERTY`), sorted by name.
pub type TriggerData = Vec<(Box<str>, Datum)>;

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
        self.memo.sent()
    }

    /// A property of the event that started the current (or last) entry,
    /// as the plan keeps it (`entry.keep`).
    pub fn trigger_data(&self, property: &str) -> Option<DatumRef<'_>> {
        let data = self.memo.trigger();
        data.binary_search_by(|(name, _)| (**name).cmp(property))
            .ok()
            .map(|at| data[at].1.as_ref())
    }

    /// Back to a journey never entered, keeping the memory of the list of
    /// sends, for a simulator that reuses one journey for every customer.
    pub fn reset(&mut self) {
        let mut memo = std::mem::take(&mut self.memo);
        memo.clear();
        *self = Journey {
            memo,
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
    /// entries), everything else starts again; `trigger` is the new entry's
    /// data (sorted by name).
    pub(super) fn enter(&mut self, node: usize, now: Seconds, holdout: bool, trigger: TriggerData) {
        let entries = self.entries + 1;
        let mut memo = std::mem::take(&mut self.memo);
        memo.set_trigger(trigger);
        *self = Journey {
            status: Status::In,
            holdout,
            entries,
            entered_at: now,
            memo,
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

    pub(super) fn sends_mut(&mut self) -> &mut Memo {
        &mut self.memo
    }

    /// Moves a running journey to `node` of another version of its
    /// program, due at `due`, with the recent sends given (already pointed
    /// at the new version's nodes): `run/migrate.rs`.
    pub(super) fn move_to(&mut self, node: usize, due: Option<Seconds>, sent: Vec<(Seconds, u32)>) {
        self.set_node(node);
        self.set_due(due);
        // The entry data stays: a moved journey is the same journey.
        self.memo.set_sent(sent);
    }

    /// Moves the journey onto `plan`, another version of the program of
    /// `old`: the recent sends stay (caps span versions as they span
    /// entries), each pointed at the first send on the same channel in
    /// `plan`, and dropped where `plan` has none; the node is the new
    /// start. For a journey that is not running (a running one stays on its
    /// version until it ends).
    pub(super) fn rebase(&mut self, old: &Plan, plan: &Plan) {
        let sent: Vec<(Seconds, u32)> = self
            .sent()
            .iter()
            .filter_map(|&(at, code)| {
                let channel = old.sent_channel(code)?;
                Some((at, plan.send_code_for(channel)?))
            })
            .collect();
        self.memo.set_sent(sent);
        self.set_node(plan.start);
    }
}

/// The journey's JSON, as plain fields. (Serialised from borrowed fields,
/// so that storing a journey copies nothing.)
#[derive(Serialize)]
struct JourneyRef<'a> {
    status: Status,
    holdout: bool,
    node: u32,
    entries: u32,
    actions: u32,
    entered_at: Seconds,
    due: Option<Seconds>,
    left_at: Option<Seconds>,
    outcome: Option<&'a str>,
    sent: &'a [(Seconds, u32)],
    #[serde(skip_serializing_if = "TriggerMap::is_empty")]
    trigger: TriggerMap<'a>,
}

/// The journey's JSON read back; fields a journey stored by an older
/// nurture lacks take their defaults.
#[derive(Deserialize)]
struct JourneyJson {
    status: Status,
    holdout: bool,
    node: u32,
    entries: u32,
    actions: u32,
    entered_at: Seconds,
    due: Option<Seconds>,
    left_at: Option<Seconds>,
    outcome: Option<String>,
    #[serde(default)]
    sent: Vec<(Seconds, u32)>,
    #[serde(default)]
    trigger: std::collections::BTreeMap<String, Datum>,
}

/// The trigger's data as a JSON object.
struct TriggerMap<'a>(&'a [(Box<str>, Datum)]);

impl TriggerMap<'_> {
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for TriggerMap<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(name, value)| (&**name, value)))
    }
}

impl Serialize for Journey {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        JourneyRef {
            status: self.status,
            holdout: self.holdout,
            node: self.node,
            entries: self.entries,
            actions: self.actions,
            entered_at: self.entered_at,
            due: self.due.get(),
            left_at: self.left_at.get(),
            outcome: self.outcome.as_deref(),
            sent: self.memo.sent(),
            trigger: TriggerMap(self.memo.trigger()),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Journey {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let json = JourneyJson::deserialize(deserializer)?;
        let mut memo = Memo::default();
        for (at, node) in json.sent {
            memo.push_sent(at, node);
        }
        memo.set_trigger(
            json.trigger
                .into_iter()
                .map(|(name, value)| (name.into_boxed_str(), value))
                .collect(),
        );
        Ok(Journey {
            status: json.status,
            holdout: json.holdout,
            node: json.node,
            entries: json.entries,
            actions: json.actions,
            entered_at: json.entered_at,
            due: Moment::new(json.due),
            left_at: Moment::new(json.left_at),
            outcome: json.outcome.map(String::into_boxed_str),
            memo,
        })
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

/// What only some journeys hold, behind one pointer (8 bytes, where two
/// `Vec`s take 48): most journeys hold no recent sends or a few, and most
/// plans keep no trigger data; both are read only now and then.
#[derive(Clone, Debug, Default, PartialEq)]
// The box is the point: one pointer in the journey for two lists that are
// usually empty.
pub(super) struct Memo(Option<Box<MemoData>>);

#[derive(Clone, Debug, Default, PartialEq)]
struct MemoData {
    sent: Vec<(Seconds, u32)>,
    trigger: TriggerData,
}

impl Memo {
    fn sent(&self) -> &[(Seconds, u32)] {
        self.0.as_deref().map_or(&[], |memo| memo.sent.as_slice())
    }

    fn trigger(&self) -> &[(Box<str>, Datum)] {
        self.0
            .as_deref()
            .map_or(&[], |memo| memo.trigger.as_slice())
    }

    /// A send that went out, as its code: the node, with the choice of a
    /// fallback (`plan::fallback::send_code`).
    pub(super) fn push_code(&mut self, at: Seconds, code: u32) {
        self.push_sent(at, code);
    }

    fn push_sent(&mut self, at: Seconds, node: u32) {
        self.0.get_or_insert_default().sent.push((at, node));
    }

    /// Keeps the sends after `since`.
    pub(super) fn forget_until(&mut self, since: Seconds) {
        if let Some(memo) = &mut self.0 {
            memo.sent.retain(|(at, _)| *at > since);
        }
    }

    fn set_sent(&mut self, sent: Vec<(Seconds, u32)>) {
        match &mut self.0 {
            Some(memo) => memo.sent = sent,
            None if sent.is_empty() => {}
            None => self.0.get_or_insert_default().sent = sent,
        }
    }

    fn set_trigger(&mut self, mut trigger: TriggerData) {
        trigger.sort_by(|a, b| a.0.cmp(&b.0));
        match &mut self.0 {
            Some(memo) => memo.trigger = trigger,
            None if trigger.is_empty() => {}
            None => self.0.get_or_insert_default().trigger = trigger,
        }
    }

    fn clear(&mut self) {
        if let Some(memo) = &mut self.0 {
            memo.sent.clear();
            memo.trigger.clear();
        }
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
        journey.enter(3, 100, false, Vec::new());
        journey.set_due(Some(200));
        journey.sends_mut().push_code(150, 4);
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

    /// The trigger's data is an object of its properties, left out when
    /// there is none, so a journey without it is stored as before.
    #[test]
    fn the_trigger_data_is_kept_and_stored_by_name() {
        let mut journey = Journey::default();
        journey.enter(
            0,
            100,
            false,
            vec![
                ("zone".into(), Datum::Text("north".into())),
                ("interest".into(), Datum::Text("new_machine".into())),
            ],
        );
        assert_eq!(
            journey.trigger_data("interest"),
            Some(DatumRef::Text("new_machine"))
        );
        assert_eq!(journey.trigger_data("fair"), None);
        let json = serde_json::to_value(&journey).unwrap_or_default();
        assert_eq!(
            json["trigger"],
            serde_json::json!({
                "interest": {"type": "text", "value": "new_machine"},
                "zone": {"type": "text", "value": "north"}
            })
        );
        let back: Journey = serde_json::from_value(json).unwrap_or_default();
        assert_eq!(back, journey);
        // A new entry takes its own data, none included.
        journey.leave(200, "done");
        journey.enter(0, 300, false, Vec::new());
        assert_eq!(journey.trigger_data("interest"), None);
        let json = serde_json::to_value(&journey).unwrap_or_default();
        assert!(json.get("trigger").is_none(), "{json}");
    }
}
