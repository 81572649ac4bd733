//! Stage 4: the compact customer record the simulator runs millions of.
//!
//! [`Customer`](super::Customer) keeps everything a file says, in sets and
//! maps of owned texts: right for `nurture replay`, which keeps its
//! customers, and for tracing, which shows them. A simulation only needs
//! what its programs read, for as long as one customer is simulated. A
//! [`Layout`] lists those names once per run — the channels whose consent
//! is asked, the tags set or asked, the segments the behaviour model's
//! tables name, the attributes conditions and date triggers read, the
//! events inactivity triggers wait on — and a [`Compact`] record keeps one
//! bit per consent, tag and segment and one slot per attribute and event,
//! texts borrowed from the file's bytes. Building one allocates nothing
//! once a thread has built its first.
//!
//! Both records go through the same interpreter (`Record`), and a name no
//! plan reads is one no plan can tell apart: the simulation is the same
//! with either (tests/pinned_report.rs).

use super::record::{DatumRef, Record};
use super::{Customer, Datum, Seconds};
use crate::plan::{Cond, Op, Plan, Trigger};
use crate::syntax::ast::Phase;
use jiff::tz::TimeZone;

/// The names a run's plans read and write, each with its place in a
/// [`Compact`] record.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layout {
    pub channels: Vec<String>,
    pub tags: Vec<String>,
    pub segments: Vec<String>,
    pub attributes: Vec<String>,
    /// Events whose last time a plan reads (`no purchase for 180d`).
    pub events: Vec<String>,
}

impl Layout {
    /// The names `plans` read and write, and the `segments` the behaviour
    /// model answers by.
    pub fn new<'p>(plans: impl IntoIterator<Item = &'p Plan>, segments: &[&str]) -> Layout {
        let mut layout = Layout::default();
        for plan in plans {
            layout.add_plan(plan);
        }
        for segment in segments {
            add(&mut layout.segments, segment);
        }
        layout
    }

    /// The bit of each name in a record: consents, then tags, then
    /// segments.
    fn bits(&self) -> usize {
        self.channels.len() + self.tags.len() + self.segments.len()
    }

    fn consent_bit(&self, channel: &str) -> Option<usize> {
        self.channel(channel)
    }

    fn tag_bit(&self, tag: &str) -> Option<usize> {
        self.tag(tag).map(|i| self.channels.len() + i)
    }

    fn segment_bit(&self, segment: &str) -> Option<usize> {
        self.segment(segment)
            .map(|i| self.channels.len() + self.tags.len() + i)
    }

    fn add_plan(&mut self, plan: &Plan) {
        let mut attributes = std::collections::BTreeSet::new();
        attributes_read(plan, &mut attributes);
        for name in &attributes {
            add(&mut self.attributes, name);
        }
        for channel in &plan.entry.consent {
            add(&mut self.channels, channel);
        }
        for trigger in &plan.entry.triggers {
            match trigger {
                Trigger::Inactivity { event, .. } => add(&mut self.events, event),
                Trigger::Event {
                    condition: Some(c), ..
                } => self.add_cond(c),
                _ => {}
            }
        }
        let conditions = plan
            .entry
            .audience
            .iter()
            .chain(plan.goal.iter().filter_map(|g| g.condition.as_ref()))
            .chain(plan.exit_rules.iter().filter_map(|r| r.condition.as_ref()))
            .chain(plan.interrupts.iter().filter_map(|i| i.condition.as_ref()));
        for c in conditions {
            self.add_cond(c);
        }
        for node in &plan.nodes {
            match &node.op {
                Op::Send {
                    channel,
                    guard,
                    fallback,
                    ..
                } => {
                    add(&mut self.channels, channel);
                    for choice in fallback {
                        add(&mut self.channels, &choice.channel);
                    }
                    if let Some(c) = guard {
                        self.add_cond(c);
                    }
                }
                Op::Branch { arms, .. } => arms.iter().for_each(|a| self.add_cond(&a.condition)),
                Op::WaitFor { arms, .. } => arms
                    .iter()
                    .filter_map(|a| a.condition.as_ref())
                    .for_each(|c| self.add_cond(c)),
                Op::Tag { tag, .. } | Op::Untag { tag, .. } => add(&mut self.tags, tag),
                Op::Set { attribute, .. } | Op::SetFrom { attribute, .. } => {
                    add(&mut self.attributes, attribute)
                }
                _ => {}
            }
        }
    }

    fn add_cond(&mut self, cond: &Cond) {
        match cond {
            Cond::All { all } => all.iter().for_each(|c| self.add_cond(c)),
            Cond::Any { any } => any.iter().for_each(|c| self.add_cond(c)),
            Cond::Not { not } => self.add_cond(not),
            Cond::Consent { channel } => add(&mut self.channels, channel),
            Cond::HasTag { tag } => add(&mut self.tags, tag),
            Cond::Compare { .. }
            | Cond::In { .. }
            | Cond::Truthy { .. }
            | Cond::HasTrigger { .. } => {}
        }
    }

    pub fn channel(&self, name: &str) -> Option<usize> {
        position(&self.channels, name)
    }

    pub fn tag(&self, name: &str) -> Option<usize> {
        position(&self.tags, name)
    }

    pub fn segment(&self, name: &str) -> Option<usize> {
        position(&self.segments, name)
    }

    pub fn attribute(&self, name: &str) -> Option<usize> {
        position(&self.attributes, name)
    }

    pub fn event(&self, name: &str) -> Option<usize> {
        position(&self.events, name)
    }
}

fn add(names: &mut Vec<String>, name: &str) {
    if !names.iter().any(|n| n == name) {
        names.push(name.to_string());
    }
}

/// A plan names a handful of each kind: a look along the list beats
/// hashing the name. Names of another length, or starting with another
/// byte, are passed over without comparing the rest.
fn position(names: &[String], name: &str) -> Option<usize> {
    let bytes = name.as_bytes();
    let first = bytes.first().copied();
    names.iter().position(|n| {
        let n = n.as_bytes();
        n.len() == bytes.len() && n.first().copied() == first && n == bytes
    })
}

/// One attribute's value in a [`Compact`] record.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Val<'a> {
    #[default]
    Absent,
    Bool(bool),
    Number(f64),
    Time(Seconds),
    /// Borrowed from the file's bytes.
    Text(&'a str),
    List(Vec<String>),
    /// Written by a `set` while simulating.
    Owned(Datum),
}

impl Val<'_> {
    fn as_ref(&self) -> Option<DatumRef<'_>> {
        match self {
            Val::Absent => None,
            Val::Bool(b) => Some(DatumRef::Bool(*b)),
            Val::Number(n) => Some(DatumRef::Number(*n)),
            Val::Time(at) => Some(DatumRef::Time(*at)),
            Val::Text(t) => Some(DatumRef::Text(t)),
            Val::List(items) => Some(DatumRef::List(items)),
            Val::Owned(datum) => Some(datum.as_ref()),
        }
    }
}

/// The customer's phase: one of the four words, or (from a plan built in
/// code) any other text.
#[derive(Clone, Debug, Default, PartialEq)]
enum PhaseVal {
    #[default]
    None,
    Known(Phase),
    Other(Box<str>),
}

/// A customer as far as a run's plans can tell, laid out by a [`Layout`].
#[derive(Clone, Debug, PartialEq)]
pub struct Compact<'a> {
    pub layout: &'a Layout,
    pub id: &'a str,
    /// The time zone as the file names it, checked; `None` is UTC.
    pub time_zone: Option<&'a str>,
    /// One bit per consent, tag and segment of the layout.
    bits: Vec<u64>,
    pub score: i64,
    phase: PhaseVal,
    attributes: Vec<Val<'a>>,
    last_event_at: Vec<Option<Seconds>>,
}

impl<'a> Compact<'a> {
    /// A record with nothing in it, for `layout`.
    pub fn new(layout: &'a Layout) -> Self {
        Compact {
            layout,
            id: "",
            time_zone: None,
            bits: vec![0; layout.bits().div_ceil(64)],
            score: 0,
            phase: PhaseVal::None,
            attributes: vec![Val::Absent; layout.attributes.len()],
            last_event_at: vec![None; layout.events.len()],
        }
    }

    /// Empty again, keeping the memory of the slots.
    pub fn clear(&mut self) {
        self.id = "";
        self.time_zone = None;
        self.bits.iter_mut().for_each(|w| *w = 0);
        self.score = 0;
        self.phase = PhaseVal::None;
        self.attributes.iter_mut().for_each(|v| *v = Val::Absent);
        self.last_event_at.iter_mut().for_each(|t| *t = None);
    }

    /// The record of `customer`: what the layout names, the rest left out.
    pub fn of(layout: &'a Layout, customer: &'a Customer) -> Self {
        let mut record = Compact::new(layout);
        record.id = &customer.id;
        record.time_zone = customer.time_zone.as_deref();
        customer.consents.iter().for_each(|c| record.add_consent(c));
        customer.tags.iter().for_each(|t| record.add_tag(t));
        customer.segments.iter().for_each(|s| record.add_segment(s));
        record.score = customer.score;
        if let Some(phase) = &customer.phase {
            record.set_phase(phase);
        }
        for (slot, name) in layout.attributes.iter().enumerate() {
            if let Some(datum) = customer.attributes.get(name) {
                record.attributes[slot] = match datum {
                    Datum::Bool(b) => Val::Bool(*b),
                    Datum::Number(n) => Val::Number(*n),
                    Datum::Time(at) => Val::Time(*at),
                    Datum::Text(t) => Val::Text(t),
                    Datum::List(items) => Val::List(items.clone()),
                };
            }
        }
        for (slot, name) in layout.events.iter().enumerate() {
            record.last_event_at[slot] = customer.last_event_at.get(name).copied();
        }
        record
    }

    fn bit(&self, bit: Option<usize>) -> bool {
        bit.is_some_and(|bit| self.bits[bit / 64] & (1 << (bit % 64)) != 0)
    }

    fn set_bit(&mut self, bit: Option<usize>, on: bool) {
        if let Some(bit) = bit {
            let word = &mut self.bits[bit / 64];
            if on {
                *word |= 1 << (bit % 64);
            } else {
                *word &= !(1 << (bit % 64));
            }
        }
    }

    pub fn add_consent(&mut self, channel: &str) {
        self.set_bit(self.layout.consent_bit(channel), true);
    }

    pub fn add_tag(&mut self, tag: &str) {
        self.set_bit(self.layout.tag_bit(tag), true);
    }

    pub fn add_segment(&mut self, segment: &str) {
        self.set_bit(self.layout.segment_bit(segment), true);
    }

    /// The attribute in the layout's slot `slot`.
    pub fn set_slot(&mut self, slot: usize, value: Val<'a>) {
        if let Some(place) = self.attributes.get_mut(slot) {
            *place = value;
        }
    }

    /// When the customer last did the layout's event `slot`.
    pub fn set_last_event(&mut self, slot: usize, at: Seconds) {
        if let Some(place) = self.last_event_at.get_mut(slot) {
            *place = Some(at);
        }
    }

    /// The phase, from a file: one of the four words (checked by the reader).
    pub fn set_known_phase(&mut self, phase: Phase) {
        self.phase = PhaseVal::Known(phase);
    }

    pub fn in_segment(&self, segment: &str) -> bool {
        self.bit(self.layout.segment_bit(segment))
    }

    /// After the customer did `event`: its new last time, and an
    /// unsubscribe from a message on `answers` withdraws that consent.
    pub fn remember(&mut self, event: &str, answers: Option<&str>, at: Seconds) {
        if let Some(slot) = self.layout.event(event) {
            self.last_event_at[slot] = Some(at);
        }
        if event == "unsubscribe"
            && let Some(channel) = answers
        {
            self.set_bit(self.layout.consent_bit(channel), false);
        }
    }

    /// The tags set, as the layout names them, in its order.
    pub fn tag_names(&self) -> impl Iterator<Item = &str> {
        self.layout
            .tags
            .iter()
            .filter(|tag| self.bit(self.layout.tag_bit(tag)))
            .map(String::as_str)
    }
}

impl Record for Compact<'_> {
    fn id(&self) -> &str {
        self.id
    }

    fn time_zone(&self) -> TimeZone {
        self.time_zone
            .and_then(|name| TimeZone::get(name).ok())
            .unwrap_or(TimeZone::UTC)
    }

    fn consents_to(&self, channel: &str) -> bool {
        self.bit(self.layout.consent_bit(channel))
    }

    fn has_tag(&self, tag: &str) -> bool {
        self.bit(self.layout.tag_bit(tag))
    }

    fn set_tag(&mut self, tag: &str, on: bool) {
        // Every tag a plan sets is in the layout (`Layout::add_plan`).
        self.set_bit(self.layout.tag_bit(tag), on);
    }

    fn score(&self) -> i64 {
        self.score
    }

    fn set_score(&mut self, score: i64) {
        self.score = score;
    }

    fn phase(&self) -> Option<&str> {
        match &self.phase {
            PhaseVal::None => None,
            PhaseVal::Known(phase) => Some(phase.as_str()),
            PhaseVal::Other(text) => Some(text),
        }
    }

    fn set_phase(&mut self, phase: &str) {
        self.phase = match Phase::from_word(phase) {
            Some(known) => PhaseVal::Known(known),
            None => PhaseVal::Other(phase.into()),
        };
    }

    fn attribute(&self, name: &str) -> Option<DatumRef<'_>> {
        self.layout
            .attribute(name)
            .and_then(|slot| self.attributes[slot].as_ref())
    }

    fn set_attribute(&mut self, name: &str, value: DatumRef<'_>) {
        // Every attribute a plan sets is in the layout (`Layout::add_plan`).
        if let Some(slot) = self.layout.attribute(name) {
            self.attributes[slot] = Val::Owned(value.to_owned());
        }
    }

    fn last_event_at(&self, event: &str) -> Option<Seconds> {
        self.layout
            .event(event)
            .and_then(|slot| self.last_event_at[slot])
    }
}

/// Every attribute a plan may read: the names in its conditions (an event
/// condition's names too, since a name the event does not carry is read
/// from the customer) and the dates of its date triggers. The simulator
/// keeps only these of each customer.
pub fn attributes_read(plan: &Plan, into: &mut std::collections::BTreeSet<String>) {
    use crate::plan::{Cond, Operand, Trigger};
    fn operand(operand: &Operand, into: &mut std::collections::BTreeSet<String>) {
        match operand {
            Operand::Name { name } => {
                into.insert(name.clone());
            }
            Operand::Bare { word } => {
                into.insert(word.clone());
            }
            Operand::Value { .. } | Operand::Moment { .. } | Operand::Trigger { .. } => {}
        }
    }
    fn cond(c: &Cond, into: &mut std::collections::BTreeSet<String>) {
        match c {
            Cond::All { all } => all.iter().for_each(|c| cond(c, into)),
            Cond::Any { any } => any.iter().for_each(|c| cond(c, into)),
            Cond::Not { not } => cond(not, into),
            Cond::Compare { left, right, .. } => {
                operand(left, into);
                operand(right, into);
            }
            Cond::In { left, .. } => operand(left, into),
            Cond::Truthy { operand: o } => operand(o, into),
            Cond::Consent { .. } | Cond::HasTag { .. } | Cond::HasTrigger { .. } => {}
        }
    }
    let entry = &plan.entry;
    for trigger in &entry.triggers {
        match trigger {
            Trigger::Event {
                condition: Some(c), ..
            } => cond(c, into),
            Trigger::Date { attribute, .. } => {
                into.insert(attribute.clone());
            }
            _ => {}
        }
    }
    let conditions = entry
        .audience
        .iter()
        .chain(plan.goal.iter().filter_map(|g| g.condition.as_ref()))
        .chain(plan.exit_rules.iter().filter_map(|r| r.condition.as_ref()))
        .chain(plan.interrupts.iter().filter_map(|i| i.condition.as_ref()));
    for c in conditions {
        cond(c, into);
    }
    for node in &plan.nodes {
        match &node.op {
            Op::Send { guard: Some(c), .. } => cond(c, into),
            Op::Branch { arms, .. } => arms.iter().for_each(|a| cond(&a.condition, into)),
            Op::WaitFor { arms, .. } => arms
                .iter()
                .filter_map(|a| a.condition.as_ref())
                .for_each(|c| cond(c, into)),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Value;
    use crate::run::record::value_ref;

    fn customer() -> Customer {
        let mut c = Customer {
            id: "c1".into(),
            time_zone: Some("Europe/Berlin".into()),
            score: 7,
            phase: Some("retain".into()),
            ..Customer::default()
        };
        c.consents.extend(["email".to_string(), "fax".to_string()]);
        c.tags.insert("vip".into());
        c.segments.insert("active_buyers".into());
        c.attributes
            .insert("tier".into(), Datum::Text("gold".into()));
        c.attributes.insert("unread".into(), Datum::Number(1.0));
        c.last_event_at.insert("purchase".into(), 100);
        c
    }

    fn layout() -> Layout {
        Layout {
            channels: vec!["email".into(), "sms".into()],
            tags: vec!["vip".into(), "dormant".into()],
            segments: vec!["active_buyers".into()],
            attributes: vec!["tier".into(), "lifetime_value".into()],
            events: vec!["purchase".into()],
        }
    }

    /// Whatever the layout names reads the same from either record.
    #[test]
    fn a_compact_record_answers_as_the_customer_does_for_what_is_laid_out() {
        let layout = layout();
        let plain = customer();
        let compact = Compact::of(&layout, &plain);
        for channel in ["email", "sms"] {
            assert_eq!(compact.consents_to(channel), plain.consents_to(channel));
        }
        for tag in ["vip", "dormant"] {
            assert_eq!(compact.has_tag(tag), plain.has_tag(tag));
        }
        for name in ["tier", "lifetime_value"] {
            assert_eq!(compact.attribute(name), plain.attribute(name));
        }
        assert_eq!(compact.last_event_at("purchase"), Some(100));
        assert_eq!(compact.score(), 7);
        assert_eq!(compact.phase(), Some("retain"));
        assert!(compact.in_segment("active_buyers"));
        // What no plan reads is not kept.
        assert!(!compact.consents_to("fax"));
        assert_eq!(compact.attribute("unread"), None);
    }

    #[test]
    fn writes_and_unsubscribes_change_the_record() {
        let layout = layout();
        let plain = customer();
        let mut compact = Compact::of(&layout, &plain);
        compact.set_tag("dormant", true);
        compact.set_tag("vip", false);
        assert_eq!(compact.tag_names().collect::<Vec<_>>(), ["dormant"]);
        compact.set_attribute("tier", value_ref(&Value::Word("silver".into())));
        assert_eq!(compact.attribute("tier"), Some(DatumRef::Text("silver")));
        compact.set_phase("win_back");
        assert_eq!(compact.phase(), Some("win_back"));
        compact.remember("purchase", None, 500);
        compact.remember("unsubscribe", Some("email"), 600);
        assert_eq!(compact.last_event_at("purchase"), Some(500));
        assert!(!compact.consents_to("email"));
        compact.clear();
        assert_eq!(compact, Compact::new(&layout));
    }

    #[test]
    fn any_number_of_names_has_a_bit_each() {
        let many: Vec<String> = (0..150).map(|i| format!("s{i}")).collect();
        let names: Vec<&str> = many.iter().map(String::as_str).collect();
        let layout = Layout::new([], &names);
        let mut record = Compact::new(&layout);
        record.add_segment("s149");
        record.add_segment("s3");
        assert!(record.in_segment("s149") && record.in_segment("s3"));
        assert!(!record.in_segment("s64") && !record.in_segment("s0"));
    }
}
