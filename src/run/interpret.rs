//! The interpreter: one transition of one customer's journey through a plan.
//!
//! [`step`] takes the plan, the customer's record, their journey state, the
//! time and what happened — an event, or [`Input::Tick`] when the clock has
//! reached [`Journey::due`] — and returns the new record, the new state and
//! the actions to carry out. Time is an input: the interpreter has no clock,
//! never sleeps and never blocks. docs/runtime.md says what every construct
//! does in time.

use super::{Customer, Datum, Event, Seconds};
use crate::plan::{CompareOp, Cond, Op, Operand, Plan, Reentry, Trigger, Value};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// Nodes one transition may run before it gives up: a checked plan waits
/// long before this (a loop without a wait is refused by N303).
const MAX_NODES_PER_STEP: usize = 10_000;

/// How late a date trigger may still fire (a runtime that was down for a
/// day still enters customers; one started a year later does not).
const DATE_TRIGGER_GRACE: Seconds = 24 * 3600;

/// Where a customer stands in one program: small and serialisable, so a
/// runtime can store it beside the customer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Journey {
    pub status: Status,
    /// The node the customer waits at, while `In`.
    pub node: usize,
    pub entered_at: Seconds,
    /// When the next [`Input::Tick`] is due: a wait's end, a timeout, a send
    /// held back by quiet hours, or the end of a holdout's goal window.
    pub due: Option<Seconds>,
    /// In the control group: entered, gets nothing.
    pub holdout: bool,
    /// How many times the customer has entered.
    pub entries: u32,
    pub left_at: Option<Seconds>,
    pub outcome: Option<String>,
    /// Actions taken in this entry, for idempotency keys.
    pub actions: u32,
    /// Recent sends (time, channel), as far back as the longest cap.
    pub sent: Vec<(Seconds, String)>,
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

/// What happened: an event, or the clock reaching the journey's due time
/// (or, for a customer not in the program, the runtime asking whether a
/// date or inactivity trigger has come due).
#[derive(Clone, Copy, Debug)]
pub enum Input<'a> {
    Event(&'a Event),
    Tick,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Action {
    pub at: Seconds,
    pub customer: String,
    /// Unique per program source, customer, entry and action: a sender drops
    /// an action whose key it has already carried out, so a retried
    /// transition never sends twice.
    pub key: String,
    /// The plan node that caused it (`None` for entering and rules).
    pub node: Option<usize>,
    #[serde(flatten)]
    pub kind: ActionKind,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ActionKind {
    Enter {
        holdout: bool,
    },
    Send {
        channel: String,
        template: String,
    },
    /// A send that did not happen, and why (`no_consent`, `guard`, `cap`).
    Skip {
        channel: String,
        template: String,
        reason: String,
    },
    /// A send held back until quiet hours end.
    Defer {
        channel: String,
        template: String,
        until: Seconds,
    },
    Notify {
        recipient: String,
        message: String,
    },
    Score {
        points: i64,
    },
    Tag {
        tag: String,
    },
    Untag {
        tag: String,
    },
    Set {
        attribute: String,
        value: Datum,
    },
    Phase {
        phase: String,
    },
    Exit {
        outcome: String,
    },
}

/// The result of one transition.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub customer: Customer,
    pub journey: Journey,
    pub actions: Vec<Action>,
}

pub fn step(
    plan: &Plan,
    seed: u64,
    customer: &Customer,
    journey: &Journey,
    now: Seconds,
    input: Input,
) -> Step {
    let mut customer = customer.clone();
    let mut journey = journey.clone();
    let mut actions = Vec::new();
    advance(
        plan,
        seed,
        &mut customer,
        &mut journey,
        now,
        input,
        &mut actions,
    );
    Step {
        customer,
        journey,
        actions,
    }
}

/// [`step`] in place: changes the record and the journey where they are and
/// appends the actions, for a runtime (or the simulator) that keeps many
/// customers and would rather not copy each one per transition.
pub fn advance(
    plan: &Plan,
    seed: u64,
    customer: &mut Customer,
    journey: &mut Journey,
    now: Seconds,
    input: Input,
    actions: &mut Vec<Action>,
) {
    let mut run = Run {
        plan,
        seed,
        customer,
        journey,
        now,
        actions,
    };
    match run.journey.status {
        Status::In => run.while_in(input),
        Status::Out | Status::Left => run.maybe_enter(input),
    }
}

/// When a customer not in the program may next enter on the clock alone
/// (a date or inactivity trigger), for a runtime to schedule a tick.
pub fn next_entry_check(plan: &Plan, customer: &Customer, after: Seconds) -> Option<Seconds> {
    plan.entry
        .triggers
        .iter()
        .filter_map(|trigger| match trigger {
            Trigger::Inactivity { event, minutes } => customer
                .last_event_at
                .get(event)
                .map(|last| last.saturating_add(minutes_to_seconds(*minutes))),
            Trigger::Date {
                attribute,
                offset_minutes,
            } => match customer.attributes.get(attribute) {
                Some(Datum::Time(at)) => Some(at.saturating_add(offset_minutes.saturating_mul(60))),
                _ => None,
            },
            _ => None,
        })
        .filter(|&at| at > after)
        .min()
}

fn minutes_to_seconds(minutes: u64) -> Seconds {
    i64::try_from(minutes)
        .unwrap_or(i64::MAX / 60)
        .saturating_mul(60)
}

struct Run<'p, 's> {
    plan: &'p Plan,
    seed: u64,
    customer: &'s mut Customer,
    journey: &'s mut Journey,
    now: Seconds,
    actions: &'s mut Vec<Action>,
}

impl Run<'_, '_> {
    fn act(&mut self, node: Option<usize>, kind: ActionKind) {
        let digest = self.plan.digest.trim_start_matches("sha256:");
        let key = format!(
            "{}/{}/{}/{}",
            &digest[..digest.len().min(12)],
            self.customer.id,
            self.journey.entries,
            self.journey.actions
        );
        self.journey.actions += 1;
        self.actions.push(Action {
            at: self.now,
            customer: self.customer.id.clone(),
            key,
            node,
            kind,
        });
    }

    fn leave(&mut self, node: Option<usize>, outcome: &str) {
        self.act(
            node,
            ActionKind::Exit {
                outcome: outcome.to_string(),
            },
        );
        self.journey.status = Status::Left;
        self.journey.left_at = Some(self.now);
        self.journey.outcome = Some(outcome.to_string());
        self.journey.due = None;
    }

    // -- entering ----------------------------------------------------------

    fn maybe_enter(&mut self, input: Input) {
        if !self.may_enter_again() || !self.triggered(input) {
            return;
        }
        let audience = self.plan.entry.audience.as_ref();
        if audience.is_some_and(|c| !self.holds(c, None)) {
            return;
        }
        if !self
            .plan
            .entry
            .consent
            .iter()
            .all(|c| self.customer.consents.contains(c))
        {
            return;
        }
        let entries = self.journey.entries + 1;
        let holdout = self.plan.entry.holdout > 0
            && self.draw(&format!("holdout/{entries}")) < u64::from(self.plan.entry.holdout);
        *self.journey = Journey {
            status: Status::In,
            node: self.plan.start,
            entered_at: self.now,
            due: None,
            holdout,
            entries,
            left_at: None,
            outcome: None,
            actions: 0,
            sent: std::mem::take(&mut self.journey.sent),
        };
        self.act(None, ActionKind::Enter { holdout });
        if holdout {
            // The control group waits out the goal window, so that the goal
            // rate can be compared; without a goal there is nothing to wait for.
            match &self.plan.goal {
                Some(goal) => {
                    self.journey.due = Some(
                        self.now
                            .saturating_add(minutes_to_seconds(goal.within_minutes)),
                    )
                }
                None => self.leave(None, "holdout"),
            }
            return;
        }
        self.run_from(self.plan.start);
    }

    fn may_enter_again(&self) -> bool {
        match (self.journey.status, &self.plan.entry.reentry) {
            (Status::Out, _) => true,
            (Status::In, _) => false,
            (Status::Left, Reentry::Always) => true,
            (Status::Left, Reentry::Never) => false,
            (Status::Left, Reentry::After { minutes }) => self
                .journey
                .left_at
                .is_none_or(|left| self.now >= left.saturating_add(minutes_to_seconds(*minutes))),
        }
    }

    fn triggered(&self, input: Input) -> bool {
        self.plan.entry.triggers.iter().any(|trigger| match (trigger, input) {
            (Trigger::Event { event, condition }, Input::Event(e)) => {
                e.name == *event && condition.as_ref().is_none_or(|c| self.holds(c, Some(e)))
            }
            (Trigger::Segment { segment, entered }, Input::Event(e)) => {
                let name = if *entered { "segment_entered" } else { "segment_left" };
                e.name == name && matches!(e.properties.get("segment"), Some(Datum::Text(s)) if s == segment)
            }
            // Clock triggers fire on the clock: an event (a purchase, say)
            // must never be what starts "no purchase for 180d".
            (Trigger::Inactivity { event, minutes }, Input::Tick) => self
                .customer
                .last_event_at
                .get(event)
                .is_some_and(|last| self.now >= last.saturating_add(minutes_to_seconds(*minutes))),
            (Trigger::Date { attribute, offset_minutes }, Input::Tick) => {
                match self.customer.attributes.get(attribute) {
                    Some(Datum::Time(at)) => {
                        let moment = at.saturating_add(offset_minutes.saturating_mul(60));
                        self.now >= moment && self.now - moment < DATE_TRIGGER_GRACE
                    }
                    _ => false,
                }
            }
            _ => false,
        })
    }

    // -- while in the program ------------------------------------------------

    fn while_in(&mut self, input: Input) {
        if let Input::Event(event) = input {
            for rule in &self.plan.exit_rules {
                if rule.event == event.name
                    && rule
                        .condition
                        .as_ref()
                        .is_none_or(|c| self.holds(c, Some(event)))
                {
                    let outcome = rule.outcome.clone();
                    self.leave(None, &outcome);
                    return;
                }
            }
            if let Some(goal) = &self.plan.goal {
                let in_window = self.now
                    <= self
                        .journey
                        .entered_at
                        .saturating_add(minutes_to_seconds(goal.within_minutes));
                if in_window
                    && goal.event == event.name
                    && goal
                        .condition
                        .as_ref()
                        .is_none_or(|c| self.holds(c, Some(event)))
                {
                    self.leave(None, "converted");
                    return;
                }
            }
        }
        if self.journey.holdout {
            if matches!(input, Input::Tick) && self.journey.due.is_some_and(|d| self.now >= d) {
                self.leave(None, "holdout");
            }
            return;
        }
        let node = self.journey.node;
        let Some(op) = self.plan.nodes.get(node).map(|n| &n.op) else {
            self.leave(None, "stuck");
            return;
        };
        let due = self.journey.due.is_some_and(|d| self.now >= d);
        match (op, input) {
            (Op::WaitFor { arms, .. }, Input::Event(event)) => {
                let arm = arms.iter().find(|arm| {
                    arm.event == event.name
                        && arm
                            .condition
                            .as_ref()
                            .is_none_or(|c| self.holds(c, Some(event)))
                });
                if let Some(arm) = arm {
                    let to = arm.to;
                    self.journey.due = None;
                    self.run_from(to);
                }
            }
            (Op::WaitFor { timeout, .. }, Input::Tick) if due => {
                let to = *timeout;
                self.journey.due = None;
                self.run_from(to);
            }
            (Op::Wait { next, .. }, Input::Tick) if due => {
                let to = *next;
                self.journey.due = None;
                self.run_from(to);
            }
            // A send held back by quiet hours tries again.
            (Op::Send { .. }, Input::Tick) if due => {
                self.journey.due = None;
                self.run_from(node);
            }
            _ => {}
        }
    }

    /// Runs nodes from `node` until the customer has to wait or leaves.
    fn run_from(&mut self, node: usize) {
        let mut node = node;
        for _ in 0..MAX_NODES_PER_STEP {
            self.journey.node = node;
            let Some(op) = self.plan.nodes.get(node).map(|n| &n.op) else {
                self.leave(Some(node), "stuck");
                return;
            };
            node = match op {
                Op::Send {
                    channel,
                    template,
                    guard,
                    next,
                } => {
                    if let Some(until) = self.quiet_until() {
                        if self.journey.due.is_none() {
                            self.act(
                                Some(node),
                                ActionKind::Defer {
                                    channel: channel.clone(),
                                    template: template.clone(),
                                    until,
                                },
                            );
                        }
                        self.journey.due = Some(until);
                        return;
                    }
                    let skip = |reason: &str| ActionKind::Skip {
                        channel: channel.clone(),
                        template: template.clone(),
                        reason: reason.to_string(),
                    };
                    let needs_consent = !self.plan.no_consent_needed.contains(channel);
                    if needs_consent && !self.customer.consents.contains(channel) {
                        self.act(Some(node), skip("no_consent"));
                    } else if guard.as_ref().is_some_and(|g| !self.holds(g, None)) {
                        self.act(Some(node), skip("guard"));
                    } else if self.capped(channel) {
                        self.act(Some(node), skip("cap"));
                    } else {
                        self.journey.sent.push((self.now, channel.clone()));
                        self.forget_old_sends();
                        self.act(
                            Some(node),
                            ActionKind::Send {
                                channel: channel.clone(),
                                template: template.clone(),
                            },
                        );
                    }
                    *next
                }
                Op::Wait { minutes, .. } => {
                    self.journey.due = Some(self.now.saturating_add(minutes_to_seconds(*minutes)));
                    return;
                }
                Op::WaitFor { minutes, .. } => {
                    self.journey.due = Some(self.now.saturating_add(minutes_to_seconds(*minutes)));
                    return;
                }
                Op::Branch { arms, otherwise } => arms
                    .iter()
                    .find(|arm| self.holds(&arm.condition, None))
                    .map_or(*otherwise, |arm| arm.to),
                Op::Split { arms } => {
                    let draw = self.draw(&format!("split/{}/{node}", self.journey.entries));
                    let mut total = 0u64;
                    arms.iter()
                        .find(|arm| {
                            total += u64::from(arm.share);
                            draw < total
                        })
                        .or(arms.last())
                        .map_or(node, |arm| arm.to)
                }
                Op::Score { points, next } => {
                    self.customer.score = self.customer.score.saturating_add(*points);
                    self.act(Some(node), ActionKind::Score { points: *points });
                    *next
                }
                Op::Tag { tag, next } => {
                    self.customer.tags.insert(tag.clone());
                    self.act(Some(node), ActionKind::Tag { tag: tag.clone() });
                    *next
                }
                Op::Untag { tag, next } => {
                    self.customer.tags.remove(tag);
                    self.act(Some(node), ActionKind::Untag { tag: tag.clone() });
                    *next
                }
                Op::Set {
                    attribute,
                    value,
                    next,
                } => {
                    let datum = datum_of(value);
                    self.customer
                        .attributes
                        .insert(attribute.clone(), datum.clone());
                    self.act(
                        Some(node),
                        ActionKind::Set {
                            attribute: attribute.clone(),
                            value: datum,
                        },
                    );
                    *next
                }
                Op::Phase { phase, next } => {
                    self.customer.phase = Some(phase.clone());
                    self.act(
                        Some(node),
                        ActionKind::Phase {
                            phase: phase.clone(),
                        },
                    );
                    *next
                }
                Op::Notify {
                    recipient,
                    message,
                    next,
                } => {
                    self.act(
                        Some(node),
                        ActionKind::Notify {
                            recipient: recipient.clone(),
                            message: message.clone(),
                        },
                    );
                    *next
                }
                Op::Exit { outcome } => {
                    let outcome = outcome.clone();
                    self.leave(Some(node), &outcome);
                    return;
                }
            };
        }
        self.leave(Some(node), "stuck");
    }

    // -- caps, quiet hours, chance -----------------------------------------

    /// Whether one more send on `channel` would break a cap.
    fn capped(&self, channel: &str) -> bool {
        self.plan.caps.iter().any(|cap| {
            let since = self.now.saturating_sub(minutes_to_seconds(cap.per_minutes));
            let count = self
                .journey
                .sent
                .iter()
                .filter(|(at, sent)| *at > since && cap.channel.as_ref().is_none_or(|c| c == sent))
                .count();
            cap.channel.as_ref().is_none_or(|c| c == channel) && count >= cap.count as usize
        })
    }

    fn forget_old_sends(&mut self) {
        let longest = self
            .plan
            .caps
            .iter()
            .map(|c| c.per_minutes)
            .max()
            .unwrap_or(0);
        let since = self.now.saturating_sub(minutes_to_seconds(longest));
        self.journey.sent.retain(|(at, _)| *at > since);
    }

    /// When quiet hours are on in the customer's time zone now: the moment
    /// they end.
    fn quiet_until(&self) -> Option<Seconds> {
        let quiet = self.plan.quiet.as_ref()?;
        let zone = self
            .customer
            .time_zone
            .as_deref()
            .and_then(|name| jiff::tz::TimeZone::get(name).ok())
            .unwrap_or(jiff::tz::TimeZone::UTC);
        let now = jiff::Timestamp::from_second(self.now)
            .ok()?
            .to_zoned(zone.clone());
        let minute = i32::from(now.hour()) * 60 + i32::from(now.minute());
        let (from, until) = (i32::from(quiet.from), i32::from(quiet.until));
        let quiet_now = if from <= until {
            minute >= from && minute < until
        } else {
            minute >= from || minute < until
        };
        if !quiet_now {
            return None;
        }
        // The end is `until` today, or tomorrow when that has passed. In a
        // time zone's change of clocks, jiff picks the compatible instant
        // (a missing local time moves forward; a doubled one takes the first).
        let date = now.date();
        let date = if minute >= until {
            date.tomorrow().ok()?
        } else {
            date
        };
        let end = date
            .at((until / 60) as i8, (until % 60) as i8, 0, 0)
            .to_zoned(zone)
            .ok()?;
        Some(end.timestamp().as_second())
    }

    /// A number in 0..10000 fixed by the seed, the program, the customer
    /// and `what`: the same every run, on every machine.
    fn draw(&self, what: &str) -> u64 {
        // FNV-1a, 64 bits: tiny, stable, and good enough to spread ids.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325 ^ self.seed;
        for byte in self
            .plan
            .digest
            .bytes()
            .chain(self.customer.id.bytes())
            .chain(what.bytes())
        {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        hash % 10_000
    }

    // -- conditions --------------------------------------------------------

    fn holds(&self, cond: &Cond, event: Option<&Event>) -> bool {
        match cond {
            Cond::All { all } => all.iter().all(|c| self.holds(c, event)),
            Cond::Any { any } => any.iter().any(|c| self.holds(c, event)),
            Cond::Not { not } => !self.holds(not, event),
            Cond::Consent { channel } => self.customer.consents.contains(channel),
            Cond::HasTag { tag } => self.customer.tags.contains(tag),
            Cond::Truthy { operand } => {
                matches!(self.operand(operand, event), Some(Datum::Bool(true)))
            }
            Cond::Compare { left, op, right } => {
                match (self.operand(left, event), self.operand(right, event)) {
                    (Some(l), Some(r)) => compare(&l, *op, &r),
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
                let found = list.iter().any(|v| equal(&value, &datum_of(v)));
                found != *negated
            }
        }
    }

    fn operand(&self, operand: &Operand, event: Option<&Event>) -> Option<Datum> {
        match operand {
            Operand::Value { value } => Some(datum_of(value)),
            Operand::Moment { minutes } => Some(Datum::Time(
                self.now.saturating_add(minutes.saturating_mul(60)),
            )),
            Operand::Name { name } => self.named(name, event),
            Operand::Bare { word } => self
                .named(word, event)
                .or_else(|| Some(Datum::Text(word.clone()))),
        }
    }
}

impl Run<'_, '_> {
    /// An event's property (after `where`), else the customer's attribute.
    fn named(&self, name: &str, event: Option<&Event>) -> Option<Datum> {
        if let Some(found) = event.and_then(|e| e.properties.get(name)) {
            return Some(found.clone());
        }
        match name {
            "score" => Some(Datum::Number(self.customer.score as f64)),
            "phase" => self.customer.phase.clone().map(Datum::Text),
            _ => self.customer.attributes.get(name).cloned(),
        }
    }
}

fn datum_of(value: &Value) -> Datum {
    match value {
        Value::Text(text) | Value::Word(text) => Datum::Text(text.clone()),
        Value::Number(n) => Datum::Number(*n),
        Value::Bool(b) => Datum::Bool(*b),
        Value::Duration(minutes) => Datum::Number(*minutes as f64),
        Value::Percent(hundredths) => Datum::Number(f64::from(*hundredths) / 100.0),
    }
}

fn equal(a: &Datum, b: &Datum) -> bool {
    match (a, b) {
        (Datum::List(items), Datum::Text(t)) => items.contains(t),
        _ => a.partial_cmp_datum(b) == Some(Ordering::Equal),
    }
}

fn compare(a: &Datum, op: CompareOp, b: &Datum) -> bool {
    match op {
        CompareOp::Eq => equal(a, b),
        CompareOp::Ne => !equal(a, b),
        _ => match a.partial_cmp_datum(b) {
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

impl Datum {
    /// Orders like with like: numbers, texts, times, yes/no. Unlike kinds
    /// do not compare (the checker refuses such conditions, N210).
    fn partial_cmp_datum(&self, other: &Datum) -> Option<Ordering> {
        match (self, other) {
            (Datum::Number(a), Datum::Number(b)) => a.partial_cmp(b),
            (Datum::Text(a), Datum::Text(b)) => Some(a.cmp(b)),
            (Datum::Time(a), Datum::Time(b)) => Some(a.cmp(b)),
            (Datum::Bool(a), Datum::Bool(b)) => Some(a.cmp(b)),
            (Datum::List(a), Datum::List(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }
}
