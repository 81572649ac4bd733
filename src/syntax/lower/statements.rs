//! Lowering statements and the arms of `wait up to … for`, `branch` and
//! `split`.

use super::{Lowerer, word_list};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::span::{Name, Span, Spanned};
use crate::syntax::ast::*;
use crate::syntax::grammar::Rule;
use crate::syntax::tree::Node;
use crate::syntax::values;

impl Lowerer {
    pub fn statement(&mut self, pair: Node) -> Statement {
        let span = self.span(&pair);
        let Some(inner) = pair.into_inner().next() else {
            return Statement {
                kind: StatementKind::Goto(Spanned::new(String::new(), span)),
                span,
            };
        };
        let rule = inner.as_rule();
        let parts: Vec<Node> = inner.into_inner().collect();
        let kind = match rule {
            Rule::send => StatementKind::Send {
                channel: self.first_name(&parts, Rule::channel, span),
                template: self.first_text(&parts, span),
                fallback: parts
                    .iter()
                    .filter(|p| p.as_rule() == Rule::fallback)
                    .map(|p| {
                        let span = self.span(p);
                        let inner: Vec<Node> = (*p).into_inner().collect();
                        Fallback {
                            channel: self.first_name(&inner, Rule::channel, span),
                            template: self.first_text(&inner, span),
                            span,
                        }
                    })
                    .collect(),
                guard: self.optional_cond(&parts),
            },
            Rule::wait => StatementKind::Wait(self.first_duration(&parts, span)),
            Rule::wait_until => StatementKind::WaitUntil(self.first_duration(&parts, span)),
            Rule::wait_for => {
                let up_to = self.first_duration(&parts, span);
                let events = parts
                    .iter()
                    .filter(|p| p.as_rule() == Rule::event_name)
                    .map(|p| self.name(p))
                    .collect();
                let arms = parts
                    .into_iter()
                    .filter(|p| p.as_rule() == Rule::wait_arm)
                    .map(|p| self.wait_arm(p))
                    .collect();
                StatementKind::WaitFor(WaitFor {
                    up_to,
                    events,
                    arms,
                })
            }
            Rule::branch => StatementKind::Branch(
                parts
                    .into_iter()
                    .filter(|p| p.as_rule() == Rule::branch_arm)
                    .map(|p| self.branch_arm(p))
                    .collect(),
            ),
            Rule::split => StatementKind::Split(
                parts
                    .into_iter()
                    .filter(|p| p.as_rule() == Rule::split_arm)
                    .map(|p| self.split_arm(p))
                    .collect(),
            ),
            Rule::score => {
                let points = parts
                    .iter()
                    .find(|p| p.as_rule() == Rule::points)
                    .map(|p| {
                        let points_span = self.span(p);
                        let (value, problem) = values::points(p.as_str(), points_span);
                        self.report(problem);
                        Spanned::new(value, points_span)
                    })
                    .unwrap_or_else(|| Spanned::new(0, span));
                StatementKind::Score(points)
            }
            Rule::tag => StatementKind::Tag(self.first_name(&parts, Rule::tag_name, span)),
            Rule::untag => StatementKind::Untag(self.first_name(&parts, Rule::tag_name, span)),
            Rule::set => {
                let attribute = self.first_name(&parts, Rule::attribute, span);
                let data = parts
                    .iter()
                    .find(|p| matches!(p.as_rule(), Rule::trigger_data | Rule::answer_data));
                if let Some(data) = data {
                    let from = self.data_ref(data);
                    return Statement {
                        kind: StatementKind::Keep { attribute, from },
                        span,
                    };
                }
                let value = parts
                    .iter()
                    .find(|p| p.as_rule() == Rule::value)
                    .map(|p| self.value(*p))
                    .unwrap_or_else(|| Spanned::new(ValueKind::Bool(false), span));
                StatementKind::Set { attribute, value }
            }
            Rule::phase => {
                let name = self.first_name(&parts, Rule::phase_name, span);
                let phase = Phase::from_word(name.as_str());
                if phase.is_none() {
                    self.diagnostics.push(unknown_phase(&name, "phase"));
                }
                StatementKind::Phase(PhaseName { name, phase })
            }
            Rule::notify => StatementKind::Notify {
                recipient: self.first_name(&parts, Rule::recipient, span),
                message: self.first_text(&parts, span),
            },
            Rule::exit => StatementKind::Exit(self.first_name(&parts, Rule::outcome, span)),
            _ => match self.exit_after_arrow(&parts, span) {
                Some(outcome) => StatementKind::Exit(outcome),
                None => StatementKind::Goto(self.first_name(&parts, Rule::step_name, span)),
            },
        };
        Statement { kind, span }
    }

    fn wait_arm(&mut self, pair: Node) -> WaitArm {
        let span = self.span(&pair);
        let arm = pair.into_inner().next();
        let (rule, parts): (Option<Rule>, Vec<Node>) = match arm {
            Some(arm) => (Some(arm.as_rule()), arm.into_inner().collect()),
            None => (None, Vec::new()),
        };
        let on = if rule == Some(Rule::timeout_arm) {
            let keyword = parts
                .iter()
                .find(|p| p.as_rule() == Rule::kw_timeout)
                .map(|p| self.span(p))
                .unwrap_or(span);
            WaitOn::Timeout(keyword)
        } else {
            WaitOn::Event {
                event: self.first_name(&parts, Rule::event_name, span),
                condition: self.optional_cond(&parts),
            }
        };
        let target = self.target(&parts, span);
        WaitArm { on, target, span }
    }

    fn branch_arm(&mut self, pair: Node) -> BranchArm {
        let span = self.span(&pair);
        let arm = pair.into_inner().next();
        let (rule, parts): (Option<Rule>, Vec<Node>) = match arm {
            Some(arm) => (Some(arm.as_rule()), arm.into_inner().collect()),
            None => (None, Vec::new()),
        };
        let (condition, else_span) = if rule == Some(Rule::else_arm) {
            let keyword = parts
                .iter()
                .find(|p| p.as_rule() == Rule::kw_else)
                .map(|p| self.span(p))
                .unwrap_or(span);
            (None, Some(keyword))
        } else {
            (Some(self.first_cond(parts.clone(), span)), None)
        };
        let target = self.target(&parts, span);
        BranchArm {
            condition,
            else_span,
            target,
            span,
        }
    }

    fn split_arm(&mut self, pair: Node) -> SplitArm {
        let span = self.span(&pair);
        let parts: Vec<Node> = pair.into_inner().collect();
        let share = parts
            .iter()
            .find(|p| p.as_rule() == Rule::percentage)
            .map(|p| self.percentage(p))
            .unwrap_or_else(|| Spanned::new(Percent(0), span));
        let target = self.target(&parts, span);
        SplitArm {
            share,
            target,
            span,
        }
    }

    fn target(&mut self, parts: &[Node], span: Span) -> Target {
        let Some(target) = parts.iter().find(|p| p.as_rule() == Rule::target) else {
            return Target::Step(Spanned::new(String::new(), span));
        };
        let target_span = self.span(target);
        let Some(inner) = (*target).into_inner().next() else {
            return Target::Step(Spanned::new(String::new(), target_span));
        };
        if inner.as_rule() == Rule::exit_target {
            let parts: Vec<Node> = inner.into_inner().collect();
            Target::Exit {
                outcome: self.first_name(&parts, Rule::outcome, target_span),
                span: target_span,
            }
        } else {
            Target::Step(self.name(&inner))
        }
    }
}

/// N011 at `name`; `written` is what comes before the phase in the fix
/// (`phase`, `trigger phase becomes`).
pub(super) fn unknown_phase(name: &Name, written: &str) -> Diagnostic {
    let known = Phase::ALL.iter().map(|p| p.as_str());
    let diagnostic = Diagnostic::new(
        Code::UnknownPhase,
        format!("`{}` is not a lifecycle phase", name.as_str()),
    );
    match crate::suggest::closest(name.as_str(), known) {
        Some(close) => diagnostic
            .did_you_mean(name.span, close)
            .help(format!("write `{written} {close}`")),
        None => diagnostic.label(name.span, "unknown phase").help(format!(
            "the phases are {}",
            word_list(Phase::ALL.iter().map(|p| p.as_str()))
        )),
    }
}
