//! Whether one condition matches every customer (or event) another would:
//! the question behind every "this can never fire" warning (N309, N313,
//! N314). Answered only where the text alone decides it, so that a warning
//! is always true:
//!
//! - no condition at all (an event arm without `where`, a rule without
//!   `where`) and `true` match everyone;
//! - the same condition, up to layout and parentheses, matches the same;
//! - `x in [a, b]` matches whoever `x == a` would;
//! - `A` matches whoever `A and B` would.
//!
//! Conditions are compared by a key built from the tree, so that the
//! comparison is a lookup in a hash map, not a comparison with every earlier
//! condition: a generated `branch` may have thousands of arms.

use crate::span::Span;
use crate::syntax::ast::{CompareOp, Cond, CondKind, Operand, ValueKind};
use std::collections::HashMap;

/// The conditions met so far, each with the span of the first that had it.
#[derive(Default)]
pub struct Covering {
    /// The first that matches everyone.
    everyone: Option<Span>,
    /// The first with each condition, by key.
    by_key: HashMap<String, Span>,
    /// For `x in [a, b]`: the first such condition for each name and value.
    by_member: HashMap<(String, String), Span>,
}

impl Covering {
    /// The first condition met so far that matches everyone `later` would
    /// (`None` for a later one without condition, which matches everyone).
    pub fn find(&self, later: Option<&Cond>) -> Option<Span> {
        let Some(later) = later else {
            return self.everyone;
        };
        let mut found: Vec<Span> = self.everyone.into_iter().collect();
        found.extend(self.by_key.get(&key(later)).copied());
        if let Some(member) = member_of(later) {
            found.extend(self.by_member.get(&member).copied());
        }
        if let CondKind::All(parts) = &later.kind {
            for part in parts {
                found.extend(self.by_key.get(&key(part)).copied());
                if let Some(member) = member_of(part) {
                    found.extend(self.by_member.get(&member).copied());
                }
            }
        }
        found.into_iter().min_by_key(|span| span.start)
    }

    /// Adds a condition (`None`: one that matches everyone) met at `span`.
    pub fn add(&mut self, condition: Option<&Cond>, span: Span) {
        let Some(condition) = condition else {
            self.everyone.get_or_insert(span);
            return;
        };
        self.by_key.entry(key(condition)).or_insert(span);
        match &condition.kind {
            CondKind::Truthy(Operand::Value(value)) if value.value == ValueKind::Bool(true) => {
                self.everyone.get_or_insert(span);
            }
            CondKind::In {
                left: Operand::Attribute(name),
                negated: false,
                list,
            } => {
                for word in list.iter().map(|v| value_key(&v.value)) {
                    self.by_member
                        .entry((name.value.clone(), word))
                        .or_insert(span);
                }
            }
            _ => {}
        }
    }

    /// [`Covering::find`], then [`Covering::add`]: for arms tried in order.
    pub fn meet(&mut self, later: Option<&Cond>, span: Span) -> Option<Span> {
        let first = self.find(later);
        self.add(later, span);
        first
    }
}

/// `x == a` as the name and value an `x in [… a …]` would hold.
fn member_of(cond: &Cond) -> Option<(String, String)> {
    match &cond.kind {
        CondKind::Compare {
            left: Operand::Attribute(name),
            op,
            right,
        } if op.value == CompareOp::Eq => {
            Some((name.value.clone(), operand_key(right)?.to_string()))
        }
        _ => None,
    }
}

/// A condition as a text that is the same for the same condition, whatever
/// its layout and extra parentheses.
pub fn key(cond: &Cond) -> String {
    let mut out = String::new();
    write_key(cond, &mut out);
    out
}

fn write_key(cond: &Cond, out: &mut String) {
    match &cond.kind {
        CondKind::Any(parts) | CondKind::All(parts) => {
            out.push_str(if matches!(cond.kind, CondKind::Any(_)) {
                "any("
            } else {
                "all("
            });
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_key(part, out);
            }
            out.push(')');
        }
        CondKind::Not(inner) => {
            out.push_str("not(");
            write_key(inner, out);
            out.push(')');
        }
        CondKind::Consent(channel) => {
            out.push_str("consent:");
            out.push_str(channel.as_str());
        }
        CondKind::HasTag(tag) => {
            out.push_str("tag:");
            out.push_str(tag.as_str());
        }
        CondKind::Compare { left, op, right } => {
            out.push_str(&operand_text(left));
            out.push_str(op.value.as_str());
            out.push_str(&operand_text(right));
        }
        CondKind::In {
            left,
            negated,
            list,
        } => {
            out.push_str(&operand_text(left));
            out.push_str(if *negated { " not in [" } else { " in [" });
            for (i, value) in list.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&value_key(&value.value));
            }
            out.push(']');
        }
        CondKind::Truthy(operand) => {
            out.push_str("is:");
            out.push_str(&operand_text(operand));
        }
        CondKind::HasData(data) => {
            out.push_str("has:");
            out.push_str(data.source.as_str());
            out.push('.');
            out.push_str(data.property.as_str());
        }
    }
}

/// A name as `n:NAME`, a value by [`value_key`], a moment as `m:±MINUTES`.
fn operand_text(operand: &Operand) -> String {
    match operand {
        Operand::Attribute(name) => format!("n:{}", name.as_str()),
        Operand::Value(value) => value_key(&value.value),
        Operand::RelativeTime { offset, past, .. } => {
            format!(
                "m:{}{}",
                if *past { '-' } else { '+' },
                offset.value.minutes
            )
        }
        Operand::Data(data) => format!("n:{}.{}", data.source.as_str(), data.property.as_str()),
    }
}

/// The right of `x == …` as it would stand in a list: a bare word is read
/// as the word in both places.
pub fn operand_key(operand: &Operand) -> Option<String> {
    match operand {
        Operand::Attribute(name) => Some(format!("w:{}", name.as_str())),
        Operand::Value(value) => Some(value_key(&value.value)),
        Operand::RelativeTime { .. } | Operand::Data(_) => None,
    }
}

/// A value written out, by kind: `t:` a text, `w:` a bare word, `#` a
/// number, and so on; two values with one key are the same value.
pub fn value_key(value: &ValueKind) -> String {
    match value {
        ValueKind::Text(text) => format!("t:{text}"),
        ValueKind::Word(word) => format!("w:{word}"),
        ValueKind::Number(n) => format!("#{n}"),
        ValueKind::Bool(b) => format!("b:{b}"),
        ValueKind::Duration(d) => format!("d:{}", d.minutes),
        ValueKind::Percent(p) => format!("%{}", p.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The condition of the first `when` in a program around `text`.
    fn cond(text: &str) -> Cond {
        let source = format!(
            "program p {{ kind welcome trigger event signup step a {{ branch {{ when {text} -> exit x else -> exit y }} }} }}"
        );
        let parsed = crate::syntax::parse(&source);
        let program = parsed.program.unwrap_or_else(|| panic!("parses: {text}"));
        match &program.steps[0].statements[0].kind {
            crate::syntax::ast::StatementKind::Branch(arms) => arms[0]
                .condition
                .clone()
                .unwrap_or_else(|| panic!("a condition")),
            _ => panic!("a branch"),
        }
    }

    #[test]
    fn layout_and_parentheses_do_not_matter() {
        assert_eq!(key(&cond("a == 1 and b")), key(&cond("(a == 1)  and (b)")));
        assert_ne!(key(&cond("a == 1")), key(&cond("a == \"1\"")));
        assert_ne!(key(&cond("a == gold")), key(&cond("a == \"gold\"")));
    }

    #[test]
    fn what_covers_what() {
        let mut seen = Covering::default();
        seen.add(Some(&cond("tier in [gold, silver]")), Span::new(1, 2));
        seen.add(Some(&cond("consent sms")), Span::new(3, 4));
        assert_eq!(
            seen.find(Some(&cond("tier == gold"))),
            Some(Span::new(1, 2))
        );
        assert_eq!(
            seen.find(Some(&cond("consent sms and tier == bronze"))),
            Some(Span::new(3, 4))
        );
        assert_eq!(seen.find(Some(&cond("tier == bronze"))), None);
        assert_eq!(seen.find(None), None);
        seen.add(None, Span::new(5, 6));
        assert_eq!(
            seen.find(Some(&cond("tier == bronze"))),
            Some(Span::new(5, 6))
        );
    }
}
