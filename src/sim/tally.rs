//! Counts kept while simulating, one set per program and thread. Every
//! count is a whole number and merging is adding, so the totals do not
//! depend on which thread simulated whom, nor in what order.

use super::setup::Setup;
use crate::run::Seconds;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where the current journey stands, for counting.
#[derive(Clone, Debug, Default)]
pub struct Journal {
    pub entered_at: Seconds,
    pub holdout: bool,
    pub messages: u32,
    /// The step the customer is in.
    pub step: Option<usize>,
    /// The last event ended the journey by the goal or an `exit when`.
    pub goal_or_rule: bool,
    /// The end of the goal window, while the goal has not been reached.
    pub goal_until: Option<Seconds>,
}

/// Serialised in a shard's report (`sim/report/shard.rs`), for `nurture
/// merge` to add up.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Tally {
    pub customers: u64,
    pub transitions: u64,
    pub actions: u64,
    /// Journeys begun, outside and inside the holdout.
    pub treated: u64,
    pub holdout: u64,
    pub steps: Vec<StepTally>,
    /// (from, to) → moves: `from` 0 is the entry and s + 1 step s; `to` s
    /// is step s and steps + o the exit with outcome o.
    #[serde(with = "triples")]
    #[schemars(with = "Vec<(usize, usize, u64)>")]
    pub flow: BTreeMap<(usize, usize), u64>,
    /// Per outcome index.
    pub outcomes_treated: Vec<u64>,
    pub outcomes_holdout: Vec<u64>,
    pub still_in_treated: u64,
    pub still_in_holdout: u64,
    /// messages[n]: treated journeys that got n messages.
    pub messages: Vec<u64>,
    /// Per channel index.
    pub sent: Vec<u64>,
    pub deferred: u64,
    pub skipped_cap: u64,
    pub skipped_consent: u64,
    pub skipped_guard: u64,
    /// Journeys whose customer reached the goal within its window, whether
    /// or not still in the program then.
    pub converted_treated: u64,
    pub converted_holdout: u64,
    /// Minutes from entering to the goal → treated journeys.
    pub minutes_to_goal: BTreeMap<u64, u64>,
    /// The entry funnel, in customers (not journeys).
    pub entry: EntryTally,
    /// Customers whose simulation reached the most events simulated for
    /// one customer (`engine::MAX_EVENTS`) and was cut short.
    pub capped: u64,
    /// Messages sent per day of the simulation and channel: `[day][channel]`.
    pub sent_per_day: Vec<Vec<u64>>,
    /// Programs run together: customers another program of the group held
    /// while an input its triggers wait for came (`sim/together/timeline.rs`).
    #[serde(default, skip_serializing_if = "HeldTally::is_empty")]
    pub held: HeldTally,
}

/// Customers a program's `group` kept out of it, in customers: in all, and
/// by the program of the group that had them (a customer held by two
/// counts in both).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HeldTally {
    pub customers: u64,
    pub by: BTreeMap<String, u64>,
}

impl HeldTally {
    pub fn is_empty(&self) -> bool {
        self.customers == 0
    }
}

/// How many customers got how far: a trigger matched while they could
/// enter, they were in the audience then, and they had the consent the
/// entry asks for (so entered).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryTally {
    pub triggered: u64,
    /// Per trigger of the plan (the first 64).
    pub per_trigger: Vec<u64>,
    pub in_audience: u64,
    pub entered: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StepTally {
    pub entered: u64,
    /// Per channel index.
    pub sent: Vec<u64>,
    /// Moved on from the step's wait by an event it waited for.
    pub answered: u64,
    /// Went on to another step or an exit of the step's own.
    pub moved_on: u64,
}

impl Tally {
    pub fn new(setup: &Setup) -> Self {
        Tally {
            steps: vec![
                StepTally {
                    sent: vec![0; setup.channels.len()],
                    ..StepTally::default()
                };
                setup.steps.len()
            ],
            outcomes_treated: vec![0; setup.outcomes.len()],
            outcomes_holdout: vec![0; setup.outcomes.len()],
            sent: vec![0; setup.channels.len()],
            entry: EntryTally {
                per_trigger: vec![0; setup.plan.entry.triggers.len().min(64)],
                ..EntryTally::default()
            },
            ..Tally::default()
        }
    }

    /// One customer's way through the entry, over the whole simulation.
    pub fn entry_seen(&mut self, triggers: u64, audience: bool, entered: bool) {
        if triggers == 0 {
            return;
        }
        self.entry.triggered += 1;
        for (i, count) in self.entry.per_trigger.iter_mut().enumerate() {
            if triggers & (1 << i) != 0 {
                *count += 1;
            }
        }
        self.entry.in_audience += u64::from(audience);
        self.entry.entered += u64::from(entered);
    }

    /// One customer held out by the programs `by` of the group.
    pub fn held_by_group<'a>(&mut self, by: impl Iterator<Item = &'a str>) {
        self.held.customers += 1;
        for program in by {
            *self.held.by.entry(program.to_string()).or_default() += 1;
        }
    }

    /// A message sent on `day` (from the start of the simulation).
    pub fn sent_on(&mut self, day: usize, channel: usize, channels: usize) {
        if self.sent_per_day.len() <= day {
            self.sent_per_day.resize(day + 1, vec![0; channels]);
        }
        if let Some(count) = self.sent_per_day[day].get_mut(channel) {
            *count += 1;
        }
    }

    pub fn entered(&mut self, holdout: bool) {
        if holdout {
            self.holdout += 1;
        } else {
            self.treated += 1;
        }
    }

    pub fn sent(&mut self, step: Option<usize>, channel: Option<usize>) {
        let Some(channel) = channel else { return };
        if let Some(count) = self.sent.get_mut(channel) {
            *count += 1;
        }
        if let Some(count) = step
            .and_then(|s| self.steps.get_mut(s))
            .and_then(|s| s.sent.get_mut(channel))
        {
            *count += 1;
        }
    }

    pub fn skipped(&mut self, reason: &str) {
        match reason {
            "cap" => self.skipped_cap += 1,
            "no_consent" => self.skipped_consent += 1,
            _ => self.skipped_guard += 1,
        }
    }

    pub fn answered(&mut self, step: Option<usize>) {
        if let Some(step) = step.and_then(|s| self.steps.get_mut(s)) {
            step.answered += 1;
        }
    }

    /// The customer went from `from` (`None`: entering) to step `to`.
    pub fn moved(&mut self, from: Option<usize>, to: Option<usize>) {
        let Some(to) = to else { return };
        *self
            .flow
            .entry((from.map_or(0, |f| f + 1), to))
            .or_default() += 1;
        if let Some(step) = self.steps.get_mut(to) {
            step.entered += 1;
        }
        if let Some(step) = from.and_then(|f| self.steps.get_mut(f)) {
            step.moved_on += 1;
        }
    }

    pub fn left(&mut self, setup: &Setup, journal: &Journal, outcome: &str, by_node: bool) {
        let index = setup.outcome_index(outcome);
        if journal.holdout {
            if let Some(count) = index.and_then(|i| self.outcomes_holdout.get_mut(i)) {
                *count += 1;
            }
            return;
        }
        if let Some(count) = index.and_then(|i| self.outcomes_treated.get_mut(i)) {
            *count += 1;
        }
        self.count_messages(journal.messages);
        if let Some(index) = index {
            let from = journal.step.map_or(0, |s| s + 1);
            *self
                .flow
                .entry((from, setup.steps.len() + index))
                .or_default() += 1;
        }
        if by_node && let Some(step) = journal.step.and_then(|s| self.steps.get_mut(s)) {
            step.moved_on += 1;
        }
    }

    /// The customer did the goal event `at`, within the journey's window.
    pub fn reached_goal(&mut self, journal: &Journal, at: Seconds) {
        if journal.holdout {
            self.converted_holdout += 1;
        } else {
            self.converted_treated += 1;
            let minutes = (at - journal.entered_at).max(0) as u64 / 60;
            *self.minutes_to_goal.entry(minutes).or_default() += 1;
        }
    }

    /// A journey still going at the end of the simulation.
    pub fn still_in(&mut self, journal: &Journal, holdout: bool) {
        if holdout {
            self.still_in_holdout += 1;
        } else {
            self.still_in_treated += 1;
            self.count_messages(journal.messages);
        }
    }

    fn count_messages(&mut self, messages: u32) {
        let messages = messages as usize;
        if self.messages.len() <= messages {
            self.messages.resize(messages + 1, 0);
        }
        self.messages[messages] += 1;
    }

    /// Adds `other`'s counts to these.
    pub fn merge(&mut self, other: &Tally) {
        self.customers += other.customers;
        self.transitions += other.transitions;
        self.actions += other.actions;
        self.treated += other.treated;
        self.holdout += other.holdout;
        for (mine, theirs) in self.steps.iter_mut().zip(&other.steps) {
            mine.entered += theirs.entered;
            mine.answered += theirs.answered;
            mine.moved_on += theirs.moved_on;
            add(&mut mine.sent, &theirs.sent);
        }
        for (key, count) in &other.flow {
            *self.flow.entry(*key).or_default() += count;
        }
        add(&mut self.outcomes_treated, &other.outcomes_treated);
        add(&mut self.outcomes_holdout, &other.outcomes_holdout);
        self.still_in_treated += other.still_in_treated;
        self.still_in_holdout += other.still_in_holdout;
        add(&mut self.messages, &other.messages);
        add(&mut self.sent, &other.sent);
        self.deferred += other.deferred;
        self.skipped_cap += other.skipped_cap;
        self.skipped_consent += other.skipped_consent;
        self.skipped_guard += other.skipped_guard;
        self.converted_treated += other.converted_treated;
        self.converted_holdout += other.converted_holdout;
        for (minutes, count) in &other.minutes_to_goal {
            *self.minutes_to_goal.entry(*minutes).or_default() += count;
        }
        self.entry.triggered += other.entry.triggered;
        add(&mut self.entry.per_trigger, &other.entry.per_trigger);
        self.entry.in_audience += other.entry.in_audience;
        self.entry.entered += other.entry.entered;
        self.capped += other.capped;
        self.held.customers += other.held.customers;
        for (program, count) in &other.held.by {
            *self.held.by.entry(program.clone()).or_default() += count;
        }
        if self.sent_per_day.len() < other.sent_per_day.len() {
            let channels = other.sent_per_day.first().map_or(0, Vec::len);
            self.sent_per_day
                .resize(other.sent_per_day.len(), vec![0; channels]);
        }
        for (mine, theirs) in self.sent_per_day.iter_mut().zip(&other.sent_per_day) {
            add(mine, theirs);
        }
    }
}

fn add(mine: &mut Vec<u64>, theirs: &[u64]) {
    if mine.len() < theirs.len() {
        mine.resize(theirs.len(), 0);
    }
    for (m, t) in mine.iter_mut().zip(theirs) {
        *m += t;
    }
}

/// A map keyed by pairs, as a list of `[from, to, count]` (JSON keys are
/// texts).
mod triples {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::collections::BTreeMap;

    pub fn serialize<S: Serializer>(
        map: &BTreeMap<(usize, usize), u64>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let list: Vec<(usize, usize, u64)> = map.iter().map(|(&(a, b), &n)| (a, b, n)).collect();
        list.serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<BTreeMap<(usize, usize), u64>, D::Error> {
        let list = Vec::<(usize, usize, u64)>::deserialize(deserializer)?;
        Ok(list.into_iter().map(|(a, b, n)| ((a, b), n)).collect())
    }
}
