//! Lowering: pest pairs to the spanned syntax tree.
//!
//! This is where the words of a program get their meaning: `3d` becomes three
//! days, `12.5%` a share, `wake_up` a program kind. Malformed values are
//! reported here, once, with a dummy value in the tree so that the rest of the
//! file is still lowered and checked.

use super::ast::*;
use super::grammar::Rule;
use super::values;
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::span::{Name, Span, Spanned};
use pest::iterators::Pair;

pub(super) struct Lowerer {
    /// Where the parsed slice starts in the file, added to every span.
    pub base: usize,
    pub diagnostics: Vec<Diagnostic>,
}

impl Lowerer {
    pub fn new() -> Self {
        Lowerer {
            base: 0,
            diagnostics: Vec::new(),
        }
    }

    fn span(&self, pair: &Pair<Rule>) -> Span {
        // pest skips the whitespace before an optional part even when the
        // part is absent (`send email "x"` then a line break then `}`), so
        // a rule's span may end in blanks; a label must not underline them.
        let start = pair.as_span().start() + self.base;
        Span::new(start, start + pair.as_str().trim_end().len())
    }

    fn name(&mut self, pair: &Pair<Rule>) -> Name {
        let name = Spanned::new(pair.as_str().to_string(), self.span(pair));
        self.not_reserved(&name);
        if let Some((at, letter)) = name.as_str().char_indices().find(|(_, c)| !c.is_ascii()) {
            let start = name.span.start + at;
            self.diagnostics.push(
                Diagnostic::new(
                    Code::SyntaxError,
                    format!("`{}` is not a name nurture can use", name.as_str()),
                )
                .label(Span::new(start, start + letter.len_utf8()), format!("`{letter}` is not one of a-z, A-Z, 0-9 or _"))
                .help("names use plain letters, digits and _, like `welcomed`; texts in double quotes may use any letters"),
            );
        }
        name
    }

    /// Reserved words parse as names (see the grammar) and are refused here.
    fn not_reserved(&mut self, name: &Name) {
        let mut offset = name.span.start;
        for part in name.as_str().split('.') {
            if RESERVED.contains(&part) {
                let span = Span::new(offset, offset + part.len());
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::SyntaxError,
                        format!("`{part}` is a reserved word and cannot be used as a name"),
                    )
                    .label(span, "a name was expected here")
                    .help(format!(
                        "choose another name; {} have a meaning of their own",
                        word_list(RESERVED.iter().copied())
                    )),
                );
            }
            offset += part.len() + 1;
        }
    }

    fn text(&mut self, pair: &Pair<Rule>) -> Spanned<String> {
        // `text` may be wrapped in a role (`template`, `message`).
        let pair = innermost(pair.clone(), Rule::text);
        let quoted = pair.as_str();
        let body = quoted
            .strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .unwrap_or(quoted);
        let span = self.span(&pair);
        self.no_control_characters(body, span.start + 1);
        Spanned::new(unescape(body), span)
    }

    /// N015 for each control character in a text's `body`, which starts at
    /// byte `start` of the file.
    fn no_control_characters(&mut self, body: &str, start: usize) {
        for (at, c) in body.char_indices().filter(|&(_, c)| text_refuses(c)) {
            let at = start + at;
            let mut shown = String::new();
            crate::printable::push_escape(&mut shown, c);
            self.diagnostics.push(
                Diagnostic::new(
                    Code::ControlCharacter,
                    format!("a text holds the control character `{shown}`"),
                )
                .label(Span::new(at, at + c.len_utf8()), format!("`{shown}` is not shown but obeyed"))
                .help("delete it: a text may hold any letter, digit, sign or tab, but no control character"),
            );
        }
    }

    fn report(&mut self, diagnostic: Option<Diagnostic>) {
        self.diagnostics.extend(diagnostic);
    }

    fn duration(&mut self, pair: &Pair<Rule>) -> Spanned<Duration> {
        let span = self.span(pair);
        let written = pair.as_str().trim();
        // `6 months`: the unit as a word of its own after the number.
        let after = pair
            .get_input()
            .get(pair.as_span().start() + written.len()..)
            .unwrap_or("");
        if let Some(problem) = values::spaced_unit(written, after, span) {
            self.diagnostics.push(problem);
            return Spanned::new(Duration::default(), span);
        }
        let (value, problem) = values::duration(written, span);
        self.report(problem);
        Spanned::new(value, span)
    }

    fn percentage(&mut self, pair: &Pair<Rule>) -> Spanned<Percent> {
        let span = self.span(pair);
        let (value, problem) = values::percentage(pair.as_str().trim(), span);
        self.report(problem);
        Spanned::new(value, span)
    }

    fn clock(&mut self, pair: &Pair<Rule>) -> Spanned<ClockTime> {
        let span = self.span(pair);
        let (value, problem) = values::clock(pair.as_str(), span);
        self.report(problem);
        Spanned::new(value, span)
    }

    pub fn program(&mut self, pair: Pair<Rule>) -> Program {
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

    pub fn program_head(&mut self, pair: Pair<Rule>) -> Name {
        let span = self.span(&pair);
        pair.into_inner()
            .find(|p| p.as_rule() == Rule::program_name)
            .map(|p| self.name(&p))
            .unwrap_or_else(|| Spanned::new(String::new(), span))
    }

    pub fn clause(&mut self, pair: Pair<Rule>) -> Clause {
        let span = self.span(&pair);
        let Some(inner) = pair.into_inner().next() else {
            return Clause {
                kind: ClauseKind::Title(Spanned::new(String::new(), span)),
                span,
            };
        };
        let rule = inner.as_rule();
        let parts: Vec<Pair<Rule>> = inner.into_inner().collect();
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
            Rule::reentry => {
                if parts.iter().any(|p| p.as_rule() == Rule::kw_never) {
                    ClauseKind::Reentry(Reentry::Never)
                } else {
                    ClauseKind::Reentry(Reentry::After(self.first_duration(&parts, span)))
                }
            }
            Rule::cap => {
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
                let per = self.first_duration(&parts, span);
                ClauseKind::Cap(Cap {
                    count,
                    channel,
                    per,
                })
            }
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
            Rule::holdout => ClauseKind::Holdout(
                parts
                    .iter()
                    .find(|p| p.as_rule() == Rule::percentage)
                    .map(|p| self.percentage(p))
                    .unwrap_or_else(|| Spanned::new(Percent(0), span)),
            ),
            _ => ClauseKind::Start(self.first_name(&parts, Rule::step_name, span)),
        };
        Clause { kind, span }
    }

    fn trigger(&mut self, parts: Vec<Pair<Rule>>, span: Span) -> Trigger {
        let Some(form) = parts.into_iter().find(|p| {
            matches!(
                p.as_rule(),
                Rule::trigger_event
                    | Rule::trigger_inactive
                    | Rule::trigger_segment
                    | Rule::trigger_date
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
        let parts: Vec<Pair<Rule>> = form.into_inner().collect();
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
            _ => TriggerKind::Date {
                offset: self.first_duration(&parts, span),
                before: parts.iter().any(|p| p.as_rule() == Rule::kw_before),
                attribute: self.first_name(&parts, Rule::attribute, span),
            },
        };
        Trigger { kind, span }
    }

    pub fn step_head(&mut self, pair: Pair<Rule>) -> Name {
        let span = self.span(&pair);
        let parts: Vec<Pair<Rule>> = pair.into_inner().collect();
        self.first_name(&parts, Rule::step_name, span)
    }

    fn step(&mut self, pair: Pair<Rule>) -> Step {
        let span = self.span(&pair);
        let mut name = Spanned::new(String::new(), span);
        let mut statements = Vec::new();
        for item in pair.into_inner() {
            match item.as_rule() {
                Rule::step_head => name = self.step_head(item),
                Rule::statement => statements.push(self.statement(item)),
                _ => {}
            }
        }
        Step {
            name,
            statements,
            span,
        }
    }

    pub fn statement(&mut self, pair: Pair<Rule>) -> Statement {
        let span = self.span(&pair);
        let Some(inner) = pair.into_inner().next() else {
            return Statement {
                kind: StatementKind::Goto(Spanned::new(String::new(), span)),
                span,
            };
        };
        let rule = inner.as_rule();
        let parts: Vec<Pair<Rule>> = inner.into_inner().collect();
        let kind = match rule {
            Rule::send => StatementKind::Send {
                channel: self.first_name(&parts, Rule::channel, span),
                template: self.first_text(&parts, span),
                guard: self.optional_cond(&parts),
            },
            Rule::wait => StatementKind::Wait(self.first_duration(&parts, span)),
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
                let value = parts
                    .iter()
                    .find(|p| p.as_rule() == Rule::value)
                    .map(|p| self.value(p.clone()))
                    .unwrap_or_else(|| Spanned::new(ValueKind::Bool(false), span));
                StatementKind::Set { attribute, value }
            }
            Rule::phase => {
                let name = self.first_name(&parts, Rule::phase_name, span);
                let phase = Phase::from_word(name.as_str());
                if phase.is_none() {
                    self.diagnostics.push(unknown_phase(&name));
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

    fn wait_arm(&mut self, pair: Pair<Rule>) -> WaitArm {
        let span = self.span(&pair);
        let arm = pair.into_inner().next();
        let (rule, parts): (Option<Rule>, Vec<Pair<Rule>>) = match arm {
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

    fn branch_arm(&mut self, pair: Pair<Rule>) -> BranchArm {
        let span = self.span(&pair);
        let arm = pair.into_inner().next();
        let (rule, parts): (Option<Rule>, Vec<Pair<Rule>>) = match arm {
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

    fn split_arm(&mut self, pair: Pair<Rule>) -> SplitArm {
        let span = self.span(&pair);
        let parts: Vec<Pair<Rule>> = pair.into_inner().collect();
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

    fn target(&mut self, parts: &[Pair<Rule>], span: Span) -> Target {
        let Some(target) = parts.iter().find(|p| p.as_rule() == Rule::target) else {
            return Target::Step(Spanned::new(String::new(), span));
        };
        let target_span = self.span(target);
        let Some(inner) = target.clone().into_inner().next() else {
            return Target::Step(Spanned::new(String::new(), target_span));
        };
        if inner.as_rule() == Rule::exit_target {
            let parts: Vec<Pair<Rule>> = inner.into_inner().collect();
            Target::Exit {
                outcome: self.first_name(&parts, Rule::outcome, target_span),
                span: target_span,
            }
        } else {
            Target::Step(self.name(&inner))
        }
    }

    // -- conditions --------------------------------------------------------

    fn optional_cond(&mut self, parts: &[Pair<Rule>]) -> Option<Cond> {
        parts
            .iter()
            .find(|p| p.as_rule() == Rule::cond)
            .map(|p| self.cond(p.clone()))
    }

    fn first_cond(&mut self, parts: Vec<Pair<Rule>>, span: Span) -> Cond {
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
    fn cond(&mut self, pair: Pair<Rule>) -> Cond {
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

    fn conj(&mut self, pair: Pair<Rule>) -> Cond {
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

    fn negation(&mut self, pair: Pair<Rule>) -> Cond {
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

    fn atom(&mut self, pair: Pair<Rule>) -> Cond {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let parts: Vec<Pair<Rule>> = pair.into_inner().collect();
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
            _ => return self.comparison(parts, span),
        };
        Cond { kind, span }
    }

    fn comparison(&mut self, parts: Vec<Pair<Rule>>, span: Span) -> Cond {
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

    fn operand(&mut self, pair: Pair<Rule>) -> Operand {
        let span = self.span(&pair);
        let Some(inner) = pair.into_inner().next() else {
            return Operand::Value(Spanned::new(ValueKind::Bool(true), span));
        };
        match inner.as_rule() {
            Rule::relative_time => {
                let parts: Vec<Pair<Rule>> = inner.into_inner().collect();
                let offset = self.first_duration(&parts, span);
                let past = parts.iter().any(|p| p.as_rule() == Rule::kw_ago);
                Operand::RelativeTime { offset, past, span }
            }
            Rule::literal => Operand::Value(self.literal(inner)),
            _ => Operand::Attribute(self.name(&inner)),
        }
    }

    fn value(&mut self, pair: Pair<Rule>) -> Value {
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

    fn literal(&mut self, pair: Pair<Rule>) -> Value {
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

    // -- the customer schema -----------------------------------------------

    pub fn schema(&mut self, pair: Pair<Rule>) -> Schema {
        let mut schema = Schema {
            span: self.span(&pair),
            ..Schema::default()
        };
        for item in pair.into_inner() {
            if item.as_rule() == Rule::schema_entry {
                self.schema_entry(item, &mut schema);
            }
        }
        schema
    }

    /// Adds one entry (`attribute …`, `event …`, `team a, b`, …) to `schema`.
    pub fn schema_entry(&mut self, pair: Pair<Rule>, schema: &mut Schema) {
        let Some(entry) = pair.into_inner().next() else {
            return;
        };
        let span = self.span(&entry);
        let rule = entry.as_rule();
        let parts: Vec<Pair<Rule>> = entry.into_inner().collect();
        match rule {
            Rule::attribute_decl => schema.attributes.push(self.attribute_decl(&parts, span)),
            Rule::event_decl => {
                let name = self.first_name(&parts, Rule::event_name, span);
                let properties = parts
                    .iter()
                    .filter(|p| p.as_rule() == Rule::property_decl)
                    .map(|p| {
                        let property_span = self.span(p);
                        let inner: Vec<Pair<Rule>> = p.clone().into_inner().collect();
                        self.attribute_decl(&inner, property_span)
                    })
                    .collect();
                schema.events.push(EventDecl {
                    name,
                    properties,
                    span,
                });
            }
            Rule::channel_decl => schema.channels.push(ChannelDecl {
                name: self.first_name(&parts, Rule::channel, span),
                needs_consent: !parts.iter().any(|p| p.as_rule() == Rule::kw_needs),
                span,
            }),
            _ => {
                let (list, names) = match rule {
                    Rule::team_decl => (&mut schema.teams, Rule::recipient),
                    Rule::segment_decl => (&mut schema.segments, Rule::segment_name),
                    _ => (&mut schema.tags, Rule::tag_name),
                };
                for part in parts.iter().filter(|p| p.as_rule() == names) {
                    list.push(self.name(part));
                }
            }
        }
    }

    /// `NAME: TYPE`, after `attribute` or inside an event's braces.
    fn attribute_decl(&mut self, parts: &[Pair<Rule>], span: Span) -> AttributeDecl {
        let name = self.first_name(parts, Rule::attribute, span);
        let value_type = match parts.iter().find(|p| p.as_rule() == Rule::value_type) {
            Some(pair) => self.value_type(pair),
            None => Spanned::new(ValueType::Text, span),
        };
        AttributeDecl {
            name,
            value_type,
            span,
        }
    }

    fn value_type(&mut self, pair: &Pair<Rule>) -> Spanned<ValueType> {
        let span = self.span(pair);
        let Some(inner) = pair.clone().into_inner().next() else {
            return Spanned::new(ValueType::Text, span);
        };
        let list = inner.as_rule() == Rule::list_type;
        let words: Vec<Name> = inner
            .into_inner()
            .filter(|p| p.as_rule() == Rule::type_word)
            .map(|p| self.name(&p))
            .collect();
        let value_type = match words.as_slice() {
            [word] if list => {
                if word.as_str() != "text" {
                    self.diagnostics.push(unknown_type(word, true));
                }
                ValueType::ListOfText
            }
            [word] => match ValueType::WORDS.iter().find(|(w, _)| *w == word.as_str()) {
                Some((_, value_type)) => value_type.clone(),
                None => {
                    self.diagnostics.push(unknown_type(word, false));
                    ValueType::Text
                }
            },
            _ => ValueType::Enum(words),
        };
        Spanned::new(value_type, span)
    }

    // -- helpers for picking parts ------------------------------------------

    /// `-> exit dormant` as a statement: `->` leads to a step, and an exit
    /// is written without it. Reported once, for the whole line, and read
    /// as the `exit` meant.
    fn exit_after_arrow(&mut self, parts: &[Pair<Rule>], span: Span) -> Option<Name> {
        let target = parts.iter().find(|p| p.as_rule() == Rule::step_name)?;
        if target.as_str() != "exit" {
            return None;
        }
        let rest = target
            .get_input()
            .get(target.as_span().end()..)
            .unwrap_or("");
        let blanks = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        let word_len = rest[blanks..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len() - blanks);
        let outcome = &rest[blanks..blanks + word_len];
        let target_span = self.span(target);
        let end = target_span.end + blanks + word_len;
        let (written, fixed) = if outcome.is_empty() {
            ("-> exit".to_string(), "exit OUTCOME".to_string())
        } else {
            (format!("-> exit {outcome}"), format!("exit {outcome}"))
        };
        let mut problem = Diagnostic::new(
            Code::SyntaxError,
            format!("`{written}`: an exit is written without the arrow"),
        )
        .label(Span::new(span.start, end), format!("write `{fixed}`"))
        .help(format!(
            "write `{fixed}` on its own line; `->` leads to another step (`-> offer`), and `-> exit OUTCOME` belongs in the arms of a `wait` or `branch` (`timeout -> exit {}`)",
            if outcome.is_empty() { "OUTCOME" } else { outcome }
        ));
        if !outcome.is_empty() {
            problem = problem.fix(crate::diagnostic::Fix::replace(
                format!("write `{fixed}`"),
                Span::new(span.start, end),
                fixed,
            ));
        }
        self.diagnostics.push(problem);
        Some(Spanned::new(
            outcome.to_string(),
            Span::new(end - word_len, end),
        ))
    }

    fn first_name(&mut self, parts: &[Pair<Rule>], rule: Rule, span: Span) -> Name {
        parts
            .iter()
            .find(|p| p.as_rule() == rule)
            .map(|p| self.name(p))
            .unwrap_or_else(|| Spanned::new(String::new(), span))
    }

    fn first_text(&mut self, parts: &[Pair<Rule>], span: Span) -> Spanned<String> {
        parts
            .iter()
            .find(|p| matches!(p.as_rule(), Rule::text | Rule::template | Rule::message))
            .map(|p| self.text(p))
            .unwrap_or_else(|| Spanned::new(String::new(), span))
    }

    fn first_duration(&mut self, parts: &[Pair<Rule>], span: Span) -> Spanned<Duration> {
        match parts.iter().find(|p| p.as_rule() == Rule::duration) {
            Some(p) => self.duration(p),
            None => Spanned::new(Duration::default(), span),
        }
    }
}

/// Words that would make a line mean two things if they were also names.
/// (`step` and `program` are also kept out of names by the grammar itself,
/// so that a condition cut short at a line's end cannot swallow the next step.)
pub(crate) const RESERVED: &[&str] = &[
    "and", "or", "not", "in", "has", "consent", "exit", "timeout", "else", "when", "where", "true",
    "false", "ago", "within", "step", "program",
];

/// Descends through single-child wrappers until `rule`.
fn innermost(pair: Pair<Rule>, rule: Rule) -> Pair<Rule> {
    let mut pair = pair;
    while pair.as_rule() != rule {
        match pair.clone().into_inner().next() {
            Some(inner) => pair = inner,
            None => break,
        }
    }
    pair
}

/// What a text may not hold (N015): a control character but tab, or a
/// control that reorders or breaks the text around it.
fn text_refuses(c: char) -> bool {
    (c.is_control() && c != '\t') || crate::printable::is_invisible_control(c)
}

fn unescape(body: &str) -> String {
    if !body.contains('\\') {
        return body.to_string();
    }
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
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

/// Words other languages use for nurture's types.
const TYPE_SYNONYMS: &[(&str, &str)] = &[
    ("string", "text"),
    ("str", "text"),
    ("varchar", "text"),
    ("int", "number"),
    ("integer", "number"),
    ("float", "number"),
    ("decimal", "number"),
    ("money", "number"),
    ("boolean", "bool"),
    ("yes_no", "bool"),
    ("datetime", "date"),
    ("timestamp", "date"),
    ("time", "date"),
    ("interval", "duration"),
];

/// A one-word type that is no type (`strng`), or a list of something other
/// than text.
fn unknown_type(word: &Name, in_list: bool) -> Diagnostic {
    let written = word.as_str();
    if in_list {
        return Diagnostic::new(
            Code::UnknownType,
            format!("`list of {written}` is not a type"),
        )
        .label(word.span, "lists hold texts only")
        .help(
            "write `list of text`; for a yes/no per choice, declare a `bool` attribute for each",
        );
    }
    let lower = written.to_ascii_lowercase();
    let known = ValueType::WORDS.iter().map(|(w, _)| *w);
    let close = TYPE_SYNONYMS
        .iter()
        .find(|(synonym, _)| *synonym == lower)
        .map(|(_, ours)| *ours)
        .or_else(|| crate::suggest::closest(&lower, known))
        .or_else(|| {
            let synonym = crate::suggest::closest(&lower, TYPE_SYNONYMS.iter().map(|(w, _)| *w))?;
            TYPE_SYNONYMS
                .iter()
                .find(|(w, _)| *w == synonym)
                .map(|(_, ours)| *ours)
        });
    let diagnostic = Diagnostic::new(Code::UnknownType, format!("`{written}` is not a type"));
    let help = "the types are `text`, `number`, `bool`, `date`, `duration` and `list of text`; \
                a fixed choice lists two or more words: `gold | silver | bronze`";
    match close {
        Some(close) => diagnostic
            .did_you_mean(word.span, close)
            .help(format!("write `{close}`; {help}")),
        None => diagnostic.label(word.span, "unknown type").help(help),
    }
}

fn unknown_phase(name: &Name) -> Diagnostic {
    let known = Phase::ALL.iter().map(|p| p.as_str());
    let diagnostic = Diagnostic::new(
        Code::UnknownPhase,
        format!("`{}` is not a lifecycle phase", name.as_str()),
    );
    match crate::suggest::closest(name.as_str(), known) {
        Some(close) => diagnostic
            .did_you_mean(name.span, close)
            .help(format!("write `phase {close}`")),
        None => diagnostic.label(name.span, "unknown phase").help(format!(
            "the phases are {}",
            word_list(Phase::ALL.iter().map(|p| p.as_str()))
        )),
    }
}

/// "`a`, `b` and `c`".
pub(crate) fn word_list<'a>(words: impl Iterator<Item = &'a str>) -> String {
    joined(words, "and")
}

/// "`a`, `b` or `c`".
pub(crate) fn word_choice<'a>(words: impl Iterator<Item = &'a str>) -> String {
    joined(words, "or")
}

fn joined<'a>(words: impl Iterator<Item = &'a str>, last_word: &str) -> String {
    let words: Vec<String> = words.map(|w| format!("`{w}`")).collect();
    match words.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} {last_word} {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}
