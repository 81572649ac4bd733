//! What the conditions along a run say of a customer, so that sends whose
//! guards exclude each other count as at most one (the message bound in
//! `sends.rs`, caps in `cap.rs`): `send sms "x" if consent sms` and then
//! `send email "y" if not consent sms` is one message, never two.
//!
//! A *run* is what the interpreter does in one go, from one wait to the
//! next (`Move::same_run`). Within a run every condition reads the same
//! record at the same moment, changed only by the run's own `tag`,
//! `untag`, `set`, `score` and `phase`, which are followed here. Across a
//! wait nothing is assumed: a customer's consents, tags and attributes may
//! change while they wait, so what held before the wait may not hold after.
//! Quiet hours are such a wait too: they may hold a run at its first send,
//! so with `quiet` what was known before it (a `branch` arm, the audience)
//! is let go there ([`Guards::at_send`]); the sends of a run all go out at
//! the same moment, after it.
//!
//! What is known is a set of [`Lit`]s: `consent X`, `has tag T`, `A` (a
//! yes/no attribute), `A == v` and `A in [..]`, each held or not. A send
//! that goes out adds what its guard says (and its channel's consent, when
//! the channel needs one: the interpreter skips a send without it); a
//! `branch` arm adds its condition and that no earlier `when` held. A set
//! that contradicts itself is a way no customer can go. Only contradictions
//! the values alone decide are used, so the count stays an upper bound:
//!
//! - `X` and `not X` for consent, tags, yes/no attributes and `A == v`;
//! - two different values of one attribute, only when the attribute holds
//!   one value (not a `list of text`, where `==` asks whether the list has
//!   it) and both are values for certain: a text, a number, or a bare word
//!   the schema says is no attribute (without a schema `tier == gold` may
//!   compare with an attribute `gold`). `score` and `phase` always hold one
//!   value.

use super::covering::value_key;
use crate::syntax::ast::{
    ClauseKind, CompareOp, Cond, CondKind, Operand, Program, Schema, Statement, StatementKind,
    ValueKind, ValueType,
};
use std::collections::{BTreeMap, BTreeSet};

/// One thing a condition says of the customer.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Lit {
    Consent(String, bool),
    Tag(String, bool),
    /// `A` (true) or `not A` (false) for a name alone.
    Yes(String, bool),
    /// `A == v` (true) or `A != v` (false); `v` by [`Guards::value`].
    Is(String, String, bool),
    /// `A in [..]`, the values by [`Guards::value`], sorted.
    OneOf(String, Vec<String>),
    /// Not a fact: the run has reached a send. Quiet hours may hold the run
    /// at its first send, and what was known before (a `branch` arm, the
    /// audience) may have changed by the time it goes on; after the first
    /// send, nothing more waits.
    PastFirstSend,
}

impl Lit {
    /// The attribute, tag or channel it is about.
    fn about(&self) -> (&'static str, &str) {
        match self {
            Lit::Consent(c, _) => ("consent", c),
            Lit::Tag(t, _) => ("tag", t),
            Lit::Yes(a, _) | Lit::Is(a, _, _) | Lit::OneOf(a, _) => ("attribute", a),
            Lit::PastFirstSend => ("run", ""),
        }
    }
}

/// What is known along a run: sorted, without repeats.
pub type Known = Vec<Lit>;

/// The most facts kept along a run.
const MAX_KNOWN: usize = 64;

/// The program's guards, with what the schema says of attributes and bare
/// words, and the names any send's guard reads (nothing else is kept, so
/// that the sets stay few).
pub struct Guards<'p> {
    schema: Option<&'p Schema>,
    needs_consent: &'p dyn Fn(&str) -> bool,
    /// By kind (`consent`, `tag`, `attribute`), the names; looked up for
    /// every fact of every state, so without making a key each time.
    relevant: BTreeMap<&'static str, BTreeSet<String>>,
    /// Whether quiet hours may hold a run at its first send.
    quiet: bool,
}

impl<'p> Guards<'p> {
    pub fn new(
        program: &'p Program,
        schema: Option<&'p Schema>,
        needs_consent: &'p dyn Fn(&str) -> bool,
    ) -> Self {
        let mut guards = Guards {
            schema,
            needs_consent,
            relevant: BTreeMap::new(),
            quiet: super::timing::holds_sends(program),
        };
        let mut relevant: BTreeMap<&'static str, BTreeSet<String>> = BTreeMap::new();
        for statement in program.steps.iter().flat_map(|s| &s.statements) {
            if let StatementKind::Send { guard, .. } = &statement.kind {
                for channel in statement.kind.send_channels() {
                    relevant
                        .entry("consent")
                        .or_default()
                        .insert(channel.value.clone());
                }
                if let Some(guard) = guard {
                    for positive in [true, false] {
                        for lit in guards.implied(guard, positive) {
                            let (kind, name) = lit.about();
                            relevant.entry(kind).or_default().insert(name.to_string());
                        }
                    }
                }
            }
        }
        guards.relevant = relevant;
        guards
    }

    /// Whether some send's guard or channel reads `name` of this `kind`.
    fn is_relevant(&self, kind: &str, name: &str) -> bool {
        self.relevant
            .get(kind)
            .is_some_and(|names| names.contains(name))
    }

    /// Whether any send has a guard or a channel worth knowing about.
    pub fn any(&self) -> bool {
        !self.relevant.is_empty()
    }

    /// What holds when a customer enters: the `consent` header and the
    /// `audience`.
    pub fn at_entry(&self, program: &Program) -> Known {
        let mut known = Vec::new();
        for clause in &program.clauses {
            match &clause.kind {
                ClauseKind::Consent(channels) => {
                    known.extend(channels.iter().map(|c| Lit::Consent(c.value.clone(), true)))
                }
                ClauseKind::Audience(cond) => known.extend(self.implied(cond, true)),
                _ => {}
            }
        }
        self.settle(known).unwrap_or_default()
    }

    /// What is known once `statement` has run (other than a send, which
    /// [`Guards::sent`] takes).
    pub fn after(&self, known: &Known, statement: &Statement) -> Known {
        let (drop, add): (Option<(&str, &str)>, Option<Lit>) = match &statement.kind {
            StatementKind::Tag(tag) => (
                Some(("tag", tag.as_str())),
                Some(Lit::Tag(tag.value.clone(), true)),
            ),
            StatementKind::Untag(tag) => (
                Some(("tag", tag.as_str())),
                Some(Lit::Tag(tag.value.clone(), false)),
            ),
            StatementKind::Set { attribute, .. } => (Some(("attribute", attribute.as_str())), None),
            StatementKind::Score(_) => (Some(("attribute", "score")), None),
            StatementKind::Phase(phase) => (
                Some(("attribute", "phase")),
                Some(Lit::Is(
                    "phase".into(),
                    value_key(&ValueKind::Text(phase.name.value.clone())),
                    true,
                )),
            ),
            _ => (None, None),
        };
        let Some(drop) = drop else {
            return known.clone();
        };
        let mut out: Known = known
            .iter()
            .filter(|lit| lit.about() != drop)
            .cloned()
            .collect();
        out.extend(add);
        self.settle(out).unwrap_or_default()
    }

    /// What is known as a send is reached: after quiet hours may have held
    /// the run there, only what the run learns from then on.
    pub fn at_send(&self, known: &Known) -> Known {
        if known.contains(&Lit::PastFirstSend) {
            return known.clone();
        }
        let mut out = if self.quiet {
            Known::new()
        } else {
            known.clone()
        };
        out.push(Lit::PastFirstSend);
        out.sort();
        out
    }

    /// What is known once a send on `channel` with `guard` has gone out,
    /// or `None` when that contradicts what is known: no customer gets it.
    /// `known` is what [`Guards::at_send`] gave.
    pub fn sent(
        &self,
        known: &Known,
        channel: Option<&str>,
        guard: Option<&Cond>,
    ) -> Option<Known> {
        let mut out = known.clone();
        if let Some(channel) = channel.filter(|c| (self.needs_consent)(c)) {
            out.push(Lit::Consent(channel.to_string(), true));
        }
        if let Some(guard) = guard {
            out.extend(self.implied(guard, true));
        }
        self.settle(out)
    }

    /// What is known on a `branch` arm: its condition holds (`None` for
    /// `else`) and what [`Guards::not`] said of the earlier `when`s;
    /// `None` when no customer can take it.
    pub fn arm(&self, known: &Known, condition: Option<&Cond>, earlier: &[Lit]) -> Option<Known> {
        let mut out = known.clone();
        if let Some(condition) = condition {
            out.extend(self.implied(condition, true));
        }
        out.extend(earlier.iter().cloned());
        self.settle(out)
    }

    /// What `cond` not holding says that any guard reads: for the arms
    /// after a `when`, gathered once per arm (a `branch` may have
    /// thousands).
    pub fn not(&self, cond: &Cond) -> Vec<Lit> {
        let mut out = self.implied(cond, false);
        out.retain(|lit| {
            let (kind, name) = lit.about();
            self.is_relevant(kind, name)
        });
        out
    }

    /// Sorted, repeats and what no guard reads dropped; `None` when it
    /// contradicts itself. Past [`MAX_KNOWN`] facts, the rest is let go
    /// (knowing less only counts more), so that a `branch` of thousands of
    /// arms costs no more than a few.
    fn settle(&self, mut known: Known) -> Option<Known> {
        known.retain(|lit| {
            let (kind, name) = lit.about();
            *lit == Lit::PastFirstSend || self.is_relevant(kind, name)
        });
        known.sort();
        known.dedup();
        if !self.consistent(&known) {
            return None;
        }
        if known.len() > MAX_KNOWN {
            let past = known.contains(&Lit::PastFirstSend);
            known.retain(|lit| *lit != Lit::PastFirstSend);
            known.truncate(MAX_KNOWN - 1);
            if past {
                known.push(Lit::PastFirstSend);
                known.sort();
            }
        }
        Some(known)
    }

    /// What `cond` holding (`positive`) or not holding says for certain,
    /// as a conjunction; what it says only as an "either … or" is left out.
    pub fn implied(&self, cond: &Cond, positive: bool) -> Vec<Lit> {
        match &cond.kind {
            CondKind::All(parts) if positive => {
                parts.iter().flat_map(|p| self.implied(p, true)).collect()
            }
            CondKind::Any(parts) if !positive => {
                parts.iter().flat_map(|p| self.implied(p, false)).collect()
            }
            CondKind::Any(parts) => either(parts.iter().map(|p| self.implied(p, true)).collect()),
            CondKind::All(parts) => either(parts.iter().map(|p| self.implied(p, false)).collect()),
            CondKind::Not(inner) => self.implied(inner, !positive),
            CondKind::Consent(channel) => vec![Lit::Consent(channel.value.clone(), positive)],
            CondKind::HasTag(tag) => vec![Lit::Tag(tag.value.clone(), positive)],
            CondKind::Truthy(Operand::Attribute(name)) => {
                vec![Lit::Yes(name.value.clone(), positive)]
            }
            CondKind::Truthy(_) => Vec::new(),
            CondKind::Compare { left, op, right } => {
                let equal = match op.value {
                    CompareOp::Eq => positive,
                    CompareOp::Ne => !positive,
                    _ => return Vec::new(),
                };
                let (name, value) = match (left, right) {
                    (Operand::Attribute(name), other) if self.operand(other).is_some() => {
                        (name, other)
                    }
                    (other, Operand::Attribute(name)) if matches!(other, Operand::Value(_)) => {
                        (name, other)
                    }
                    _ => return Vec::new(),
                };
                match self.operand(value) {
                    Some(value) => vec![Lit::Is(name.value.clone(), value, equal)],
                    None => Vec::new(),
                }
            }
            CondKind::In {
                left: Operand::Attribute(name),
                negated,
                list,
            } => {
                let values: Vec<String> = list.iter().map(|v| self.value(&v.value)).collect();
                if positive != *negated {
                    let mut values = values;
                    values.sort();
                    values.dedup();
                    vec![Lit::OneOf(name.value.clone(), values)]
                } else {
                    // Holds for none of them (an absent value included).
                    values
                        .into_iter()
                        .map(|v| Lit::Is(name.value.clone(), v, false))
                        .collect()
                }
            }
            // What the trigger carried is not followed: knowing less only
            // counts more.
            CondKind::In { .. } | CondKind::HasData(_) => Vec::new(),
        }
    }

    /// The right of `A == …` as a value key, `None` for a moment.
    fn operand(&self, operand: &Operand) -> Option<String> {
        match operand {
            Operand::Attribute(name) if !name.as_str().contains('.') => {
                Some(self.value(&ValueKind::Word(name.value.clone())))
            }
            Operand::Attribute(_) | Operand::RelativeTime { .. } | Operand::Data(_) => None,
            Operand::Value(value) => Some(self.value(&value.value)),
        }
    }

    /// A value as the interpreter compares it: a bare word the schema says
    /// is no attribute is the text it spells; durations and percentages
    /// are numbers.
    fn value(&self, value: &ValueKind) -> String {
        match value {
            ValueKind::Word(word) if self.word_is_text(word) => {
                value_key(&ValueKind::Text(word.clone()))
            }
            ValueKind::Duration(d) => value_key(&ValueKind::Number(d.minutes as f64)),
            ValueKind::Percent(p) => value_key(&ValueKind::Number(f64::from(p.0) / 100.0)),
            other => value_key(other),
        }
    }

    fn word_is_text(&self, word: &str) -> bool {
        self.schema
            .is_some_and(|schema| !schema.attributes.iter().any(|a| a.name.as_str() == word))
    }

    /// Whether the attribute holds one value, never a list.
    fn single_valued(&self, name: &str) -> bool {
        if matches!(name, "score" | "phase") {
            return true;
        }
        self.schema.is_some_and(|schema| {
            schema
                .attributes
                .iter()
                .find(|a| a.name.as_str() == name)
                .is_some_and(|a| a.value_type.value != ValueType::ListOfText)
        })
    }

    fn consistent(&self, known: &[Lit]) -> bool {
        for lit in known {
            let opposite = match lit {
                Lit::Consent(c, b) => Lit::Consent(c.clone(), !b),
                Lit::Tag(t, b) => Lit::Tag(t.clone(), !b),
                Lit::Yes(a, b) => Lit::Yes(a.clone(), !b),
                Lit::Is(a, v, b) => Lit::Is(a.clone(), v.clone(), !b),
                Lit::OneOf(..) | Lit::PastFirstSend => continue,
            };
            if known.binary_search(&opposite).is_ok() {
                return false;
            }
        }
        // Per attribute: the values it may have.
        let attributes: BTreeSet<&str> = known
            .iter()
            .filter_map(|lit| match lit {
                Lit::Is(a, _, true) | Lit::OneOf(a, _) => Some(a.as_str()),
                _ => None,
            })
            .collect();
        for attribute in attributes {
            let excluded: BTreeSet<&str> = known
                .iter()
                .filter_map(|lit| match lit {
                    Lit::Is(a, v, false) if a == attribute => Some(v.as_str()),
                    _ => None,
                })
                .collect();
            let allowed: Vec<BTreeSet<&str>> = known
                .iter()
                .filter_map(|lit| match lit {
                    Lit::Is(a, v, true) if a == attribute => Some(BTreeSet::from([v.as_str()])),
                    Lit::OneOf(a, vs) if a == attribute => {
                        Some(vs.iter().map(String::as_str).collect())
                    }
                    _ => None,
                })
                .collect();
            // Each on its own: one of its values must not be excluded.
            if allowed.iter().any(|set| set.is_subset(&excluded)) {
                return false;
            }
            // Together: one value must be allowed by all, when the
            // attribute holds one value and every value is one for certain.
            let certain = allowed.iter().flatten().all(|v| !v.starts_with("w:"));
            if self.single_valued(attribute) && certain {
                let mut common: Option<BTreeSet<&str>> = None;
                for set in &allowed {
                    common = Some(match common {
                        None => set.clone(),
                        Some(before) => before.intersection(set).copied().collect(),
                    });
                }
                if common.is_some_and(|c| c.is_subset(&excluded)) {
                    return false;
                }
            }
        }
        true
    }
}

/// What holds when one of `ways` does: what every way says, and, when every
/// way gives a value to one attribute, that it has one of those values
/// (`tier == silver or tier == bronze`).
fn either(ways: Vec<Vec<Lit>>) -> Vec<Lit> {
    let Some((first, rest)) = ways.split_first() else {
        return Vec::new();
    };
    let mut out: Vec<Lit> = first
        .iter()
        .filter(|lit| rest.iter().all(|way| way.contains(lit)))
        .cloned()
        .collect();
    let values = |way: &[Lit], attribute: &str| -> Option<Vec<String>> {
        let mut found: Option<Vec<String>> = None;
        for lit in way {
            let these = match lit {
                Lit::Is(a, v, true) if a == attribute => vec![v.clone()],
                Lit::OneOf(a, vs) if a == attribute => vs.clone(),
                _ => continue,
            };
            // Two in one way: either is a bound for the way.
            found.get_or_insert(these);
        }
        found
    };
    let attributes: BTreeSet<&str> = first
        .iter()
        .filter_map(|lit| match lit {
            Lit::Is(a, _, true) | Lit::OneOf(a, _) => Some(a.as_str()),
            _ => None,
        })
        .collect();
    for attribute in attributes {
        let mut all: Vec<String> = Vec::new();
        let every = ways.iter().all(|way| match values(way, attribute) {
            Some(vs) => {
                all.extend(vs);
                true
            }
            None => false,
        });
        if every {
            all.sort();
            all.dedup();
            out.push(Lit::OneOf(attribute.to_string(), all));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard(program: &Program, step: usize, at: usize) -> Option<&Cond> {
        match &program.steps[step].statements[at].kind {
            StatementKind::Send { guard, .. } => guard.as_ref(),
            _ => None,
        }
    }

    fn two_sends(first: &str, second: &str, schema: Option<&Schema>) -> bool {
        let text = format!(
            "program p {{ kind welcome trigger event signup step a {{ send call \"1\" if {first} send call \"2\" if {second} exit x }} }}"
        );
        let program = crate::syntax::parse(&text)
            .program
            .unwrap_or_else(|| panic!("{text}"));
        let no = |_: &str| false;
        let guards = Guards::new(&program, schema, &no);
        let known = guards.at_send(&guards.at_entry(&program));
        let after_first = guards.sent(&known, Some("call"), guard(&program, 0, 0));
        let both = after_first
            .map(|k| guards.at_send(&k))
            .and_then(|k| guards.sent(&k, Some("call"), guard(&program, 0, 1)));
        both.is_some()
    }

    #[test]
    fn guards_that_exclude_each_other() {
        let schema = crate::syntax::parse(
            "schema { attribute tier: gold | silver | bronze\n attribute interests: list of text }",
        )
        .schema
        .unwrap_or_else(|| panic!("a schema"));
        for (a, b) in [
            ("consent sms", "not consent sms"),
            ("has tag vip", "not has tag vip"),
            ("is_key_account", "not is_key_account"),
            ("tier == gold", "tier != gold"),
            ("tier == gold and consent email", "not consent email"),
            ("not (consent sms or has tag vip)", "has tag vip"),
            (
                "consent sms and has tag vip or consent sms",
                "not consent sms",
            ),
            ("score == 10", "score == 20"),
            ("tier in [gold, silver]", "tier not in [silver, gold]"),
        ] {
            assert!(!two_sends(a, b, None), "`{a}` and `{b}` exclude each other");
        }
        // Different values: only when the attribute holds one, and the
        // words are values for certain.
        assert!(two_sends("tier == gold", "tier == silver", None));
        assert!(!two_sends("tier == gold", "tier == silver", Some(&schema)));
        assert!(!two_sends(
            "tier == \"gold\"",
            "tier == silver",
            Some(&schema)
        ));
        assert!(two_sends(
            "interests == \"a\"",
            "interests == \"b\"",
            Some(&schema)
        ));
        assert!(!two_sends(
            "tier in [gold]",
            "tier == silver",
            Some(&schema)
        ));
        assert!(!two_sends(
            "tier == silver or tier == bronze",
            "tier == gold",
            Some(&schema)
        ));
        assert!(!two_sends(
            "not (tier != silver and tier != bronze)",
            "tier in [gold]",
            Some(&schema)
        ));
        // Compatible guards.
        for (a, b) in [
            ("consent sms", "consent email"),
            ("consent sms or has tag vip", "not consent sms"),
            ("score > 10", "score < 5"),
        ] {
            assert!(
                two_sends(a, b, Some(&schema)),
                "`{a}` and `{b}` may both hold"
            );
        }
    }
}
