//! Entering a program: which triggers fire for a customer who is out, the
//! audience and consent gates, the holdout draw, and when a clock trigger
//! next comes due.

use super::{
    DATE_TRIGGER_GRACE, EntryCheck, Gate, Input, Journey, KindRef, Run, Sink, Status,
    minutes_to_seconds,
};
use crate::plan::{Plan, Reentry, Trigger};
use crate::run::Seconds;
use crate::run::journey::TriggerData;
use crate::run::record::{DatumRef, EventRecord, Record};

/// Whether `input` can change anything for a customer in `journey`. It is
/// false only for a customer out of the program (never entered, or left)
/// when no trigger listens to the input: an event that no event or segment
/// trigger names, or a tick when the plan has no clock trigger. Running
/// such an input changes nothing, so a runtime may skip it (`nurture serve`
/// does, for the programs a customer is not in, instead of copying the
/// record for each).
pub fn may_act<E: EventRecord>(plan: &Plan, journey: &Journey, input: Input<E>) -> bool {
    if journey.status == Status::In {
        return true;
    }
    plan.entry
        .triggers
        .iter()
        .any(|trigger| match (trigger, input) {
            (Trigger::Event { event, .. }, Input::Event(e)) => e.name() == event,
            (Trigger::Segment { .. }, Input::Event(e)) => {
                e.name() == "segment_entered" || e.name() == "segment_left"
            }
            (Trigger::Inactivity { .. } | Trigger::Date { .. }, Input::Tick) => true,
            // A record change told as an event starts a hand-off.
            (Trigger::Phase { .. } | Trigger::Tag { .. }, Input::Event(e)) => {
                crate::run::track::CHANGE_EVENTS.contains(&e.name())
            }
            _ => false,
        })
}

/// Whether a change of a customer's record from `before` to `after` is
/// one a hand-off trigger of `plan` waits for: the phase becoming the
/// trigger's phase (it was another, or none), or the tag appearing
/// (`added`) or going. Only the change counts: a customer already in the
/// phase, or already tagged, is not started again by a record that says
/// so once more. The gates (reentry, audience, consent, holdout) are the
/// interpreter's, as for every trigger; [`crate::run::Track`] asks this
/// whenever a record changes, by a program's statements or from outside.
pub fn starts_on_change<B: Record + ?Sized, A: Record + ?Sized>(
    plan: &Plan,
    before: &B,
    after: &A,
) -> bool {
    plan.entry
        .triggers
        .iter()
        .any(|trigger| change_matches(trigger, before, after))
}

/// Whether the plan has a trigger that fires on a record change, so that
/// a runtime need not keep the record as it was when it has none.
pub fn has_change_trigger(plan: &Plan) -> bool {
    plan.entry
        .triggers
        .iter()
        .any(|trigger| matches!(trigger, Trigger::Phase { .. } | Trigger::Tag { .. }))
}

fn change_matches<B: Record + ?Sized, A: Record + ?Sized>(
    trigger: &Trigger,
    before: &B,
    after: &A,
) -> bool {
    match trigger {
        Trigger::Phase { phase } => {
            after.phase() == Some(phase.as_str()) && before.phase() != Some(phase.as_str())
        }
        Trigger::Tag { tag, added } => {
            after.has_tag(tag) == *added && before.has_tag(tag) != *added
        }
        _ => false,
    }
}

/// When a customer not in the program may next enter on the clock alone
/// (a date or inactivity trigger), for a runtime to schedule a tick.
pub fn next_entry_check<R: Record>(plan: &Plan, customer: &R, after: Seconds) -> Option<Seconds> {
    plan.entry
        .triggers
        .iter()
        .filter_map(|trigger| match trigger {
            Trigger::Inactivity { event, minutes } => customer
                .last_event_at(event)
                .map(|last| last.saturating_add(minutes_to_seconds(*minutes))),
            Trigger::Date {
                attribute,
                offset_minutes,
            } => match customer.attribute(attribute) {
                Some(DatumRef::Time(at)) => {
                    Some(at.saturating_add(offset_minutes.saturating_mul(60)))
                }
                _ => None,
            },
            _ => None,
        })
        .filter(|&at| at > after)
        .min()
}

impl<R: Record, S: Sink> Run<'_, '_, R, S> {
    pub(super) fn maybe_enter<E: EventRecord>(&mut self, input: Input<E>) {
        if !self.may_enter_again() || !self.triggered(input) {
            return;
        }
        let data = self.trigger_data(input);
        let triggers = if S::ENTRY_CHECKS {
            self.plan
                .entry
                .triggers
                .iter()
                .take(64)
                .enumerate()
                .filter(|(_, trigger)| self.trigger_matches(trigger, input))
                .fold(0u64, |mask, (i, _)| mask | 1 << i)
        } else {
            0
        };
        self.enter_through_gates::<E>(triggers, data);
    }

    /// A hand-off: the record changed from `before` to what it is now, and
    /// a `phase becomes` or `tag added`/`removed` trigger waits for that
    /// change. Enters as any trigger does, through the same gates.
    pub(super) fn maybe_enter_on_change<B: Record + ?Sized>(&mut self, before: &B) {
        if !self.may_enter_again() || !starts_on_change(self.plan, before, &*self.customer) {
            return;
        }
        let triggers = self
            .plan
            .entry
            .triggers
            .iter()
            .take(64)
            .enumerate()
            .filter(|(_, trigger)| change_matches(trigger, before, &*self.customer))
            .fold(0u64, |mask, (i, _)| mask | 1 << i);
        self.enter_through_gates::<crate::run::Event>(triggers, TriggerData::new());
    }

    /// The audience, consent and holdout gates, for a customer one of the
    /// `triggers` (a mask of the plan's first 64, for the entry funnel)
    /// has fired for; `data` is what the journey keeps of the event.
    fn enter_through_gates<E: EventRecord>(&mut self, triggers: u64, data: TriggerData) {
        self.pending = Some(data);
        let audience = self.plan.entry.audience.as_ref();
        let in_audience = audience.is_none_or(|c| self.holds::<E>(c, None));
        let consents = in_audience
            && self
                .plan
                .entry
                .consent
                .iter()
                .all(|c| self.customer.consents_to(c));
        if S::ENTRY_CHECKS {
            let gate = if !in_audience {
                Gate::Audience
            } else if !consents {
                Gate::Consent
            } else {
                Gate::Entered
            };
            self.sink.entry(EntryCheck { triggers, gate });
        }
        let data = self.pending.take().unwrap_or_default();
        if !consents {
            return;
        }
        let entries = self.journey.entries + 1;
        let holdout = self.plan.entry.holdout > 0
            && self.draw(b"holdout/", &[u64::from(entries)]) < u64::from(self.plan.entry.holdout);
        self.journey.enter(self.plan.start, self.now, holdout, data);
        self.act(None, KindRef::Enter { holdout });
        if holdout {
            // The control group waits out the goal window, so that the goal
            // rate can be compared; without a goal there is nothing to wait for.
            match &self.plan.goal {
                Some(goal) => self.wait_until(
                    self.now
                        .saturating_add(minutes_to_seconds(goal.within_minutes)),
                ),
                None => self.leave(None, "holdout"),
            }
            return;
        }
        self.run_from(self.plan.start);
    }

    /// What the journey keeps of the event that starts it (the plan's
    /// `entry.keep`): its properties, when the first trigger that fires is
    /// an event trigger; nothing for any other trigger.
    fn trigger_data<E: EventRecord>(&self, input: Input<E>) -> TriggerData {
        let Input::Event(event) = input else {
            return TriggerData::new();
        };
        let by_event = self
            .plan
            .entry
            .triggers
            .iter()
            .find(|trigger| self.trigger_matches(trigger, input))
            .is_some_and(|trigger| matches!(trigger, Trigger::Event { .. }));
        if !by_event {
            return TriggerData::new();
        }
        self.plan
            .entry
            .keep
            .iter()
            .filter_map(|name| {
                let value = event.property(name)?;
                Some((name.as_str().into(), value.to_owned()))
            })
            .collect()
    }

    fn may_enter_again(&self) -> bool {
        match (self.journey.status, &self.plan.entry.reentry) {
            (Status::Out, _) => true,
            (Status::In, _) => false,
            (Status::Left, Reentry::Always) => true,
            (Status::Left, Reentry::Never) => false,
            (Status::Left, Reentry::After { minutes }) => self
                .journey
                .left_at()
                .is_none_or(|left| self.now >= left.saturating_add(minutes_to_seconds(*minutes))),
        }
    }

    fn triggered<E: EventRecord>(&self, input: Input<E>) -> bool {
        self.plan
            .entry
            .triggers
            .iter()
            .any(|trigger| self.trigger_matches(trigger, input))
    }

    fn trigger_matches<E: EventRecord>(&self, trigger: &Trigger, input: Input<E>) -> bool {
        match (trigger, input) {
            (Trigger::Event { event, condition }, Input::Event(e)) => {
                e.name() == event && condition.as_ref().is_none_or(|c| self.holds(c, Some(e)))
            }
            (Trigger::Segment { segment, entered }, Input::Event(e)) => {
                let name = if *entered {
                    "segment_entered"
                } else {
                    "segment_left"
                };
                e.name() == name
                    && matches!(e.property("segment"), Some(DatumRef::Text(s)) if s == segment)
            }
            // Clock triggers fire on the clock: an event (a purchase, say)
            // must never be what starts "no purchase for 180d".
            (Trigger::Inactivity { event, minutes }, Input::Tick) => self
                .customer
                .last_event_at(event)
                .is_some_and(|last| self.now >= last.saturating_add(minutes_to_seconds(*minutes))),
            (
                Trigger::Date {
                    attribute,
                    offset_minutes,
                },
                Input::Tick,
            ) => match self.customer.attribute(attribute) {
                Some(DatumRef::Time(at)) => {
                    let moment = at.saturating_add(offset_minutes.saturating_mul(60));
                    // Saturating: a date at the start of time (or an
                    // offset that takes it there) must not overflow.
                    self.now >= moment && self.now.saturating_sub(moment) < DATE_TRIGGER_GRACE
                }
                _ => false,
            },
            _ => false,
        }
    }
}
