//! Lowering conditions: `and`, `or`, `not`, tests, operands and values.

use super::Lowerer;
use crate::span::{Span, Spanned};
use crate::syntax::ast::*;
use crate::syntax::grammar::Rule;
use crate::syntax::tree::Node;
use crate::syntax::values;

impl Lowerer {
    // -- conditions --------------------------------------------------------

    pub(super) fn optional_cond(&mut self, parts: &[Node]) -> Option<Cond> {
        parts
            .iter()
            .find(|p| p.as_rule() == Rule::cond)
            .map(|p| self.cond(*p))
    }

    pub(super) fn first_cond(&mut self, parts: Vec<Node>, span: Span) -> Cond {
        parts
            .into_iter()
            .find(|p| p.as_rule() == Rule::cond)
            .map(|p| self.cond(p))
            .unwrap_or_else(|| Cond {
                kind: CondKind::Truthy(Operand::Value(Spanned::new(ValueKind::Bool(true), span))),
                span,
            })
    }

    /// `a or b`: one `conj` alone is returned as it is, not wrapped.
    fn cond(&mut self, pair: Node) -> Cond {
        let span = self.span(&pair);
        let mut parts: Vec<Cond> = pair
            .into_inner()
            .filter(|p| p.as_rule() == Rule::conj)
            .map(|p| self.conj(p))
            .collect();
        match parts.len() {
            1 => parts.remove(0),
            _ => Cond {
                kind: CondKind::Any(parts),
                span,
            },
        }
    }

    fn conj(&mut self, pair: Node) -> Cond {
        let span = self.span(&pair);
        let mut parts: Vec<Cond> = pair
            .into_inner()
            .filter(|p| p.as_rule() == Rule::negation)
            .map(|p| self.negation(p))
            .collect();
        match parts.len() {
            1 => parts.remove(0),
            _ => Cond {
                kind: CondKind::All(parts),
                span,
            },
        }
    }

    fn negation(&mut self, pair: Node) -> Cond {
        let span = self.span(&pair);
        let mut negated = false;
        let mut inner = None;
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::kw_not => negated = true,
                _ => inner = Some(self.atom(part)),
            }
        }
        let inner = inner.unwrap_or_else(|| Cond {
            kind: CondKind::Truthy(Operand::Value(Spanned::new(ValueKind::Bool(true), span))),
            span,
        });
        if negated {
            Cond {
                kind: CondKind::Not(Box::new(inner)),
                span,
            }
        } else {
            inner
        }
    }

    fn atom(&mut self, pair: Node) -> Cond {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let parts: Vec<Node> = pair.into_inner().collect();
        let kind = match rule {
            Rule::group => {
                // The group's span includes the parentheses, which is what a
                // label on "this part of the condition" should cover.
                let mut inner = self.first_cond(parts, span);
                inner.span = span;
                return inner;
            }
            Rule::consent_test => CondKind::Consent(self.first_name(&parts, Rule::channel, span)),
            Rule::tag_test => CondKind::HasTag(self.first_name(&parts, Rule::tag_name, span)),
            Rule::data_test => match parts
                .iter()
                .find(|p| matches!(p.as_rule(), Rule::trigger_data | Rule::answer_data))
            {
                Some(data) => CondKind::HasData(self.data_ref(data)),
                None => return self.comparison(parts, span),
            },
            _ => return self.comparison(parts, span),
        };
        Cond { kind, span }
    }

    fn comparison(&mut self, parts: Vec<Node>, span: Span) -> Cond {
        let mut operands = Vec::new();
        let mut op = None;
        let mut negated = false;
        let mut list = None;
        for part in parts {
            match part.as_rule() {
                Rule::operand => operands.push(self.operand(part)),
                Rule::compare_op => {
                    let op_span = self.span(&part);
                    op = Some(Spanned::new(compare_op(part.as_str()), op_span));
                }
                Rule::kw_not => negated = true,
                Rule::list => {
                    list = Some(
                        part.into_inner()
                            .filter(|p| p.as_rule() == Rule::value)
                            .map(|p| self.value(p))
                            .collect(),
                    )
                }
                _ => {}
            }
        }
        let mut operands = operands.into_iter();
        let left = operands
            .next()
            .unwrap_or_else(|| Operand::Value(Spanned::new(ValueKind::Bool(true), span)));
        let kind = match (op, operands.next(), list) {
            (Some(op), Some(right), _) => CondKind::Compare { left, op, right },
            (_, _, Some(list)) => CondKind::In {
                left,
                negated,
                list,
            },
            _ => CondKind::Truthy(left),
        };
        Cond { kind, span }
    }

    fn operand(&mut self, pair: Node) -> Operand {
        let span = self.span(&pair);
        let Some(inner) = pair.into_inner().next() else {
            return Operand::Value(Spanned::new(ValueKind::Bool(true), span));
        };
        match inner.as_rule() {
            Rule::relative_time => {
                let parts: Vec<Node> = inner.into_inner().collect();
                let offset = self.first_duration(&parts, span);
                let past = parts.iter().any(|p| p.as_rule() == Rule::kw_ago);
                Operand::RelativeTime { offset, past, span }
            }
            Rule::literal => Operand::Value(self.literal(inner)),
            Rule::trigger_data | Rule::answer_data => Operand::Data(self.data_ref(&inner)),
            _ => Operand::Attribute(self.name(&inner)),
        }
    }

    /// `trigger.PROPERTY` or `answer.PROPERTY`.
    pub(super) fn data_ref(&mut self, pair: &Node) -> DataRef {
        let span = self.span(pair);
        let source = if pair.as_rule() == Rule::answer_data {
            DataSource::Answer
        } else {
            DataSource::Trigger
        };
        let parts: Vec<Node> = (*pair).into_inner().collect();
        let property = self.first_name(&parts, Rule::property_path, span);
        DataRef {
            source,
            property,
            span,
        }
    }

    pub(super) fn value(&mut self, pair: Node) -> Value {
        let span = self.span(&pair);
        match pair.into_inner().next() {
            Some(inner) if inner.as_rule() == Rule::literal => self.literal(inner),
            Some(inner) => {
                let word = self.name(&inner);
                Spanned::new(ValueKind::Word(word.value), span)
            }
            None => Spanned::new(ValueKind::Bool(false), span),
        }
    }

    fn literal(&mut self, pair: Node) -> Value {
        let span = self.span(&pair);
        let Some(inner) = pair.into_inner().next() else {
            return Spanned::new(ValueKind::Bool(false), span);
        };
        let kind = match inner.as_rule() {
            Rule::text => ValueKind::Text(self.text(&inner).value),
            Rule::kw_true => ValueKind::Bool(true),
            Rule::kw_false => ValueKind::Bool(false),
            _ => {
                let (value, problem) = values::quantity(inner.as_str(), span);
                self.report(problem);
                value
            }
        };
        Spanned::new(kind, span)
    }
}

fn compare_op(text: &str) -> CompareOp {
    match text {
        "==" => CompareOp::Eq,
        "!=" => CompareOp::Ne,
        "<" => CompareOp::Lt,
        "<=" => CompareOp::Le,
        ">" => CompareOp::Gt,
        _ => CompareOp::Ge,
    }
}
