//! Conditions: whether a plan's condition holds for a customer (and, after
//! `where`, for an event), and how values compare.

use super::Run;
use crate::plan::{CompareOp, Cond, Operand};
use crate::run::record::{DatumRef, EventRecord, Record, value_ref};
use std::cmp::Ordering;

impl<R: Record, S> Run<'_, '_, R, S> {
    pub(super) fn holds<E: EventRecord>(&self, cond: &Cond, event: Option<&E>) -> bool {
        match cond {
            Cond::All { all } => all.iter().all(|c| self.holds(c, event)),
            Cond::Any { any } => any.iter().any(|c| self.holds(c, event)),
            Cond::Not { not } => !self.holds(not, event),
            Cond::Consent { channel } => self.customer.consents_to(channel),
            Cond::HasTag { tag } => self.customer.has_tag(tag),
            Cond::Truthy { operand } => {
                matches!(self.operand(operand, event), Some(DatumRef::Bool(true)))
            }
            Cond::Compare { left, op, right } => {
                match (self.operand(left, event), self.operand(right, event)) {
                    (Some(l), Some(r)) => compare(l, *op, r),
                    _ => false,
                }
            }
            Cond::In {
                left,
                negated,
                list,
            } => {
                let Some(value) = self.operand(left, event) else {
                    return *negated;
                };
                let found = list.iter().any(|v| equal(value, value_ref(v)));
                found != *negated
            }
            Cond::HasTrigger { property } => self.trigger_datum(property).is_some(),
        }
    }

    /// A property of the event that started the journey (or, while the
    /// customer is entering, of the event that starts it).
    fn trigger_datum(&self, property: &str) -> Option<DatumRef<'_>> {
        match &self.pending {
            Some(data) => data
                .binary_search_by(|(name, _)| (**name).cmp(property))
                .ok()
                .map(|at| data[at].1.as_ref()),
            None => self.journey.trigger_data(property),
        }
    }

    fn operand<'a, E: EventRecord>(
        &'a self,
        operand: &'a Operand,
        event: Option<&'a E>,
    ) -> Option<DatumRef<'a>> {
        match operand {
            Operand::Value { value } => Some(value_ref(value)),
            Operand::Moment { minutes } => Some(DatumRef::Time(
                self.now.saturating_add(minutes.saturating_mul(60)),
            )),
            Operand::Name { name } => self.named(name, event),
            Operand::Bare { word } => self.named(word, event).or(Some(DatumRef::Text(word))),
            Operand::Trigger { property } => self.trigger_datum(property),
        }
    }

    /// An event's property (after `where`), else the customer's attribute.
    fn named<'a, E: EventRecord>(
        &'a self,
        name: &str,
        event: Option<&'a E>,
    ) -> Option<DatumRef<'a>> {
        if let Some(found) = event.and_then(|e| e.property(name)) {
            return Some(found);
        }
        match name {
            "score" => Some(DatumRef::Number(self.customer.score() as f64)),
            "phase" => self.customer.phase().map(DatumRef::Text),
            _ => self.customer.attribute(name),
        }
    }
}

/// The event type of conditions that read no event (guards, branches).
pub(super) enum NoEvent {}

impl EventRecord for NoEvent {
    fn name(&self) -> &str {
        match *self {}
    }

    fn property(&self, _name: &str) -> Option<DatumRef<'_>> {
        match *self {}
    }
}

fn equal(a: DatumRef, b: DatumRef) -> bool {
    match (a, b) {
        (DatumRef::List(items), DatumRef::Text(t)) => items.iter().any(|item| item == t),
        _ => partial_cmp_datum(a, b) == Some(Ordering::Equal),
    }
}

fn compare(a: DatumRef, op: CompareOp, b: DatumRef) -> bool {
    match op {
        CompareOp::Eq => equal(a, b),
        CompareOp::Ne => !equal(a, b),
        _ => match partial_cmp_datum(a, b) {
            Some(order) => match op {
                CompareOp::Lt => order == Ordering::Less,
                CompareOp::Le => order != Ordering::Greater,
                CompareOp::Gt => order == Ordering::Greater,
                _ => order != Ordering::Less,
            },
            None => false,
        },
    }
}

/// Orders like with like: numbers, texts, times, yes/no. Unlike kinds do
/// not compare (the checker refuses such conditions, N210).
fn partial_cmp_datum(a: DatumRef, b: DatumRef) -> Option<Ordering> {
    match (a, b) {
        (DatumRef::Number(a), DatumRef::Number(b)) => a.partial_cmp(&b),
        (DatumRef::Text(a), DatumRef::Text(b)) => Some(a.cmp(b)),
        (DatumRef::Time(a), DatumRef::Time(b)) => Some(a.cmp(&b)),
        (DatumRef::Bool(a), DatumRef::Bool(b)) => Some(a.cmp(&b)),
        (DatumRef::List(a), DatumRef::List(b)) => Some(a.cmp(b)),
        _ => None,
    }
}
