//! Lowering the program: its head, header clauses and steps.

use super::{Lowerer, word_list};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::span::{Name, Span, Spanned};
use crate::syntax::ast::*;
use crate::syntax::grammar::Rule;
use crate::syntax::tree::Node;
use crate::syntax::values;

impl Lowerer {
    pub fn program(&mut self, pair: Node) -> Program {
        let span = self.span(&pair);
        let mut name = Spanned::new(String::new(), Span::at(span.start));
        let mut clauses = Vec::new();
        let mut steps = Vec::new();
        for item in pair.into_inner() {
            match item.as_rule() {
                Rule::program_head => name = self.program_head(item),
                Rule::clause => clauses.push(self.clause(item)),
                Rule::step => steps.push(self.step(item)),
                _ => {}
            }
        }
        Program {
            name,
            clauses,
            steps,
            span,
        }
    }

    pub fn program_head(&mut self, pair: Node) -> Name {
        let span = self.span(&pair);
        pair.into_inner()
            .find(|p| p.as_rule() == Rule::program_name)
            .map(|p| self.name(&p))
            .unwrap_or_else(|| Spanned::new(String::new(), span))
    }

    pub fn clause(&mut self, pair: Node) -> Clause {
        let span = self.span(&pair);
        let Some(inner) = pair.into_inner().next() else {
            return Clause {
                kind: ClauseKind::Title(Spanned::new(String::new(), span)),
                span,
            };
        };
        let rule = inner.as_rule();
        let parts: Vec<Node> = inner.into_inner().collect();
        let kind = match rule {
            Rule::title => ClauseKind::Title(self.first_text(&parts, span)),
            Rule::owner => ClauseKind::Owner(self.first_text(&parts, span)),
            Rule::kind => {
                let name = self.first_name(&parts, Rule::kind_name, span);
                let kind = ProgramKind::from_word(name.as_str());
                if kind.is_none() {
                    self.diagnostics.push(unknown_kind(&name));
                }
                ClauseKind::Kind(KindClause { name, kind })
            }
            Rule::trigger => ClauseKind::Trigger(self.trigger(parts, span)),
            Rule::audience => ClauseKind::Audience(self.first_cond(parts, span)),
            Rule::consent => ClauseKind::Consent(
                parts
                    .iter()
                    .filter(|p| p.as_rule() == Rule::channel)
                    .map(|p| self.name(p))
                    .collect(),
            ),
            Rule::goal => {
                let event = self.first_name(&parts, Rule::event_name, span);
                let condition = self.optional_cond(&parts);
                let within = self.first_duration(&parts, span);
                ClauseKind::Goal(Goal {
                    event,
                    condition,
                    within,
                })
            }
            Rule::ends => {
                let after = self.first_duration(&parts, span);
                let outcome = parts
                    .iter()
                    .find(|p| p.as_rule() == Rule::outcome)
                    .map(|p| self.name(p));
                ClauseKind::Ends(Deadline { after, outcome })
            }
            Rule::exit_when => {
                let event = self.first_name(&parts, Rule::event_name, span);
                let condition = self.optional_cond(&parts);
                let outcome = parts
                    .iter()
                    .find(|p| p.as_rule() == Rule::outcome)
                    .map(|p| self.name(p));
                ClauseKind::ExitWhen(ExitRule {
                    event,
                    condition,
                    outcome,
                })
            }
            Rule::interrupt => {
                let event = self.first_name(&parts, Rule::event_name, span);
                let condition = self.optional_cond(&parts);
                let step = self.first_name(&parts, Rule::step_name, span);
                ClauseKind::Interrupt(Interrupt {
                    event,
                    condition,
                    step,
                })
            }
            Rule::reentry => {
                if parts.iter().any(|p| p.as_rule() == Rule::kw_never) {
                    ClauseKind::Reentry(Reentry::Never)
                } else {
                    ClauseKind::Reentry(Reentry::After(self.first_duration(&parts, span)))
                }
            }
            Rule::cap => ClauseKind::Cap(self.cap(&parts, span)),
            Rule::quiet => {
                let mut clocks = parts.iter().filter(|p| p.as_rule() == Rule::clock);
                let from = clocks
                    .next()
                    .map(|p| self.clock(p))
                    .unwrap_or_else(|| Spanned::new(ClockTime(0), span));
                let until = clocks
                    .next()
                    .map(|p| self.clock(p))
                    .unwrap_or_else(|| Spanned::new(ClockTime(0), span));
                ClauseKind::Quiet(Quiet { from, until })
            }
            Rule::window => ClauseKind::Window(self.window(&parts, span)),
            Rule::holdout => ClauseKind::Holdout(
                parts
                    .iter()
                    .find(|p| p.as_rule() == Rule::percentage)
                    .map(|p| self.percentage(p))
                    .unwrap_or_else(|| Spanned::new(Percent(0), span)),
            ),
            Rule::in_group => ClauseKind::Group(self.first_name(&parts, Rule::group_name, span)),
            Rule::priority => ClauseKind::Priority(
                parts
                    .iter()
                    .find(|p| p.as_rule() == Rule::count)
                    .map(|p| {
                        let count_span = self.span(p);
                        let (value, problem) = values::priority(p.as_str(), count_span);
                        self.report(problem);
                        Spanned::new(value, count_span)
                    })
                    .unwrap_or_else(|| Spanned::new(1, span)),
            ),
            _ => ClauseKind::Start(self.first_name(&parts, Rule::step_name, span)),
        };
        Clause { kind, span }
    }

    fn trigger(&mut self, parts: Vec<Node>, span: Span) -> Trigger {
        let Some(form) = parts.into_iter().find(|p| {
            matches!(
                p.as_rule(),
                Rule::trigger_event
                    | Rule::trigger_inactive
                    | Rule::trigger_segment
                    | Rule::trigger_date
                    | Rule::trigger_phase
                    | Rule::trigger_tag
            )
        }) else {
            return Trigger {
                kind: TriggerKind::Segment {
                    segment: Spanned::new(String::new(), span),
                    entered: true,
                },
                span,
            };
        };
        let rule = form.as_rule();
        let parts: Vec<Node> = form.into_inner().collect();
        let kind = match rule {
            Rule::trigger_event => TriggerKind::Event {
                event: self.first_name(&parts, Rule::event_name, span),
                condition: self.optional_cond(&parts),
            },
            Rule::trigger_inactive => TriggerKind::Inactivity {
                event: self.first_name(&parts, Rule::event_name, span),
                quiet_for: self.first_duration(&parts, span),
            },
            Rule::trigger_segment => TriggerKind::Segment {
                segment: self.first_name(&parts, Rule::segment_name, span),
                entered: parts.iter().any(|p| p.as_rule() == Rule::kw_entered),
            },
            Rule::trigger_phase => {
                let name = self.first_name(&parts, Rule::phase_name, span);
                let phase = Phase::from_word(name.as_str());
                if phase.is_none() {
                    self.diagnostics.push(super::statements::unknown_phase(
                        &name,
                        "trigger phase becomes",
                    ));
                }
                TriggerKind::Phase(PhaseName { name, phase })
            }
            Rule::trigger_tag => TriggerKind::Tag {
                tag: self.first_name(&parts, Rule::tag_name, span),
                added: parts.iter().any(|p| p.as_rule() == Rule::kw_added),
            },
            _ => TriggerKind::Date {
                offset: self.first_duration(&parts, span),
                before: parts.iter().any(|p| p.as_rule() == Rule::kw_before),
                attribute: self.first_name(&parts, Rule::attribute, span),
            },
        };
        Trigger { kind, span }
    }

    /// The step's name, and the names it had before (`(was …)`).
    pub fn step_head(&mut self, pair: Node) -> (Name, Vec<Name>) {
        let span = self.span(&pair);
        let parts: Vec<Node> = pair.into_inner().collect();
        let name = self.first_name(&parts, Rule::step_name, span);
        let was = parts
            .iter()
            .filter(|p| p.as_rule() == Rule::was)
            .flat_map(|p| (*p).into_inner())
            .filter(|p| p.as_rule() == Rule::old_step_name)
            .map(|p| self.name(&p))
            .collect();
        (name, was)
    }

    fn step(&mut self, pair: Node) -> Step {
        let span = self.span(&pair);
        let mut name = Spanned::new(String::new(), span);
        let mut was = Vec::new();
        let mut statements = Vec::new();
        for item in pair.into_inner() {
            match item.as_rule() {
                Rule::step_head => (name, was) = self.step_head(item),
                Rule::statement => statements.push(self.statement(item)),
                _ => {}
            }
        }
        Step {
            name,
            was,
            statements,
            span,
        }
    }

    /// `cap N messages|CHANNEL per DURATION`, in a program or the schema.
    pub(super) fn cap(&mut self, parts: &[Node], span: Span) -> Cap {
        let count = parts
            .iter()
            .find(|p| p.as_rule() == Rule::count)
            .map(|p| {
                let count_span = self.span(p);
                let (value, problem) = values::count(p.as_str(), count_span);
                self.report(problem);
                Spanned::new(value, count_span)
            })
            .unwrap_or_else(|| Spanned::new(0, span));
        let channel = parts
            .iter()
            .find(|p| p.as_rule() == Rule::channel)
            .map(|p| self.name(p));
        let per = self.first_duration(parts, span);
        Cap {
            count,
            channel,
            per,
        }
    }

    /// `window [DAYS] HH:MM..HH:MM`: the days as names (which are days is
    /// the checker's to say, `check/window.rs`), the hours as clock times.
    pub(super) fn window(&mut self, parts: &[Node], span: Span) -> SendWindow {
        let mut days = Vec::new();
        for set in parts.iter().filter(|p| p.as_rule() == Rule::day_set) {
            for range in (*set).into_inner() {
                let range_span = self.span(&range);
                let mut names = range
                    .into_inner()
                    .filter(|p| p.as_rule() == Rule::day_name)
                    .map(|p| self.name(&p));
                let first = names
                    .next()
                    .unwrap_or_else(|| Spanned::new(String::new(), range_span));
                let last = names.next();
                days.push(DayRange {
                    first,
                    last,
                    span: range_span,
                });
            }
        }
        let mut clocks = parts.iter().filter(|p| p.as_rule() == Rule::clock);
        let mut clock = |this: &mut Self| {
            clocks
                .next()
                .map(|p| this.clock(p))
                .unwrap_or_else(|| Spanned::new(ClockTime(0), span))
        };
        let from = clock(self);
        let until = clock(self);
        SendWindow { days, from, until }
    }
}

fn unknown_kind(name: &Name) -> Diagnostic {
    let known = ProgramKind::ALL.iter().map(|k| k.as_str());
    let diagnostic = Diagnostic::new(
        Code::UnknownKind,
        format!("`{}` is not a kind of program", name.as_str()),
    );
    match crate::suggest::closest(name.as_str(), known) {
        Some(close) => diagnostic
            .did_you_mean(name.span, close)
            .help(format!("write `kind {close}`")),
        None => diagnostic.label(name.span, "unknown kind").help(format!(
            "the kinds are {}",
            word_list(ProgramKind::ALL.iter().map(|k| k.as_str()))
        )),
    }
}
