//! Conditions against the schema: the names in them (attributes N203, event
//! properties N205), the types on both sides of each test (N210) and the
//! choices of fixed-choice attributes (N211). Also the date a date trigger
//! counts from.
//!
//! After `EVENT where`, a name is the event's property when the event has
//! one of that name, and the customer's attribute otherwise. A bare word
//! beside a fixed-choice attribute (`tier == gold`) is one of its choices:
//! the grammar cannot tell `gold` from an attribute, the schema can.

use super::builtins::builtin;
use super::known::{Known, Ty, choice_list};
use super::unknown::unknown;
use super::uses::{self, Scope};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::span::{Name, Span, Spanned};
use crate::syntax::ast::{
    ClauseKind, CompareOp, CondKind, Operand, Program, TriggerKind, Value, ValueKind, ValueType,
};

pub(super) fn check(program: &Program, source: &str, known: &Known, found: &mut Vec<Diagnostic>) {
    for (scope, cond) in uses::conditions(program) {
        let names = Names {
            known,
            source,
            scope,
        };
        for test in uses::tests(cond) {
            match &test.kind {
                CondKind::Compare { left, op, right } => names.compare(left, op, right, found),
                CondKind::In { left, list, .. } => names.in_list(left, list, found),
                CondKind::Truthy(operand) => names.truthy(operand, found),
                _ => {}
            }
        }
    }
    date_triggers(program, source, known, found);
}

/// What one side of a test stands for.
#[derive(Clone, Copy)]
pub(super) enum Meaning<'s> {
    Typed(Ty<'s>),
    /// A name the schema does not declare.
    Unknown,
    /// Nothing to check: the name belongs to an event the schema lacks
    /// (reported as N204), or the tree holds a stand-in after an error.
    Unchecked,
}

impl<'s> Meaning<'s> {
    fn ty(self) -> Option<Ty<'s>> {
        match self {
            Meaning::Typed(ty) => Some(ty),
            _ => None,
        }
    }
}

/// Resolves names in one scope and reports what does not fit.
pub(super) struct Names<'a, 's> {
    pub known: &'a Known<'s>,
    pub source: &'a str,
    pub scope: Scope<'a>,
}

impl<'a, 's> Names<'a, 's> {
    pub fn resolve(&self, name: &Name) -> Meaning<'s> {
        // A reserved word is N001 already: never "declare `attribute else`".
        if name.as_str().is_empty() || crate::syntax::is_reserved(name.as_str()) {
            return Meaning::Unchecked;
        }
        let attribute = self.known.attributes.get(name.as_str());
        let missing = if self.known.open {
            Meaning::Unchecked
        } else {
            Meaning::Unknown
        };
        // The built-ins `score` and `phase` are read as such, whatever the
        // schema says of them (N214 refuses another type).
        let builtin = builtin(name.as_str()).map(Meaning::Typed);
        let typed =
            |found: Option<&&'s ValueType>| found.map_or(missing, |t| Meaning::Typed(Ty::of(t)));
        match self.scope {
            Scope::Customer => builtin.unwrap_or_else(|| typed(attribute)),
            Scope::Event(event) => match self.known.events.get(event.as_str()) {
                Some(properties) => match properties.get(name.as_str()) {
                    Some(property) => Meaning::Typed(Ty::of(property)),
                    None => builtin.unwrap_or_else(|| typed(attribute)),
                },
                None if attribute.is_some() && builtin.is_none() => typed(attribute),
                // Without the event's properties, a name may be one of
                // them: nothing to check.
                None => Meaning::Unchecked,
            },
        }
    }

    fn meaning(&self, operand: &Operand) -> Meaning<'s> {
        match operand {
            Operand::Attribute(name) => self.resolve(name),
            Operand::Value(value) => {
                value_ty(&value.value).map_or(Meaning::Unchecked, Meaning::Typed)
            }
            Operand::RelativeTime { .. } => Meaning::Typed(Ty::Date),
            // What the trigger carries is typed in `data.rs`.
            Operand::Data(data) => self.known.data_type(data),
        }
    }

    fn text(&self, span: Span) -> &'a str {
        self.source.get(span.start..span.end).unwrap_or("")
    }

    /// `tier == silver or bronze`: `bronze` on its own, one of the words of
    /// an attribute, read as a yes-or-no attribute. The condition says each
    /// comparison in full; this says how.
    fn value_on_its_own(&self, name: &Name) -> Option<Diagnostic> {
        let written = name.as_str();
        let attribute = self
            .known
            .attributes
            .iter()
            .find_map(|(attribute, ty)| match ty {
                crate::syntax::ast::ValueType::Enum(words)
                    if words.iter().any(|w| w.as_str() == written) =>
                {
                    Some(*attribute)
                }
                _ => None,
            })?;
        // The value compared just before, when it is `tier == silver or`.
        let before: Vec<&str> = self
            .source
            .get(..name.span.start)
            .unwrap_or("")
            .split_whitespace()
            .rev()
            .take(4)
            .collect();
        let other = match before.as_slice() {
            [joiner, value, "==", left, ..]
                if matches!(*joiner, "or" | "and") && *left == attribute =>
            {
                value
            }
            _ => "VALUE",
        };
        Some(
            Diagnostic::new(
                Code::UnknownAttribute,
                format!("`{written}` is a value of `{attribute}`, not a condition of its own"),
            )
            .label(name.span, format!("write `{attribute} == {written}` here"))
            .help(format!(
                "each side of `or` and `and` is a whole condition: write `{attribute} == {other} or {attribute} == {written}`, or list the values: `{attribute} in [{other}, {written}]`"
            ))
            .fix(crate::diagnostic::Fix::replace(
                format!("write `{attribute} == {written}`"),
                name.span,
                format!("{attribute} == {written}"),
            )),
        )
    }

    /// N203 or N205 for a name that is neither attribute nor property.
    /// `beside` is the type of what it is compared with, for the hints;
    /// `compared_with` is true on the right of a comparison, where a bare
    /// word may be a text without its quotes.
    pub fn unknown_name(&self, name: &Name, beside: Option<Ty>, compared_with: bool) -> Diagnostic {
        let written = name.as_str();
        let type_word = beside.map_or("TYPE", schema_word);
        let mut diagnostic = match self.scope {
            Scope::Event(event) => {
                let properties = self.known.events.get(event.as_str());
                let candidates = properties
                    .into_iter()
                    .flat_map(|p| p.keys().copied())
                    .chain(self.known.attributes.keys().copied());
                unknown(
                    Code::UnknownEventProperty,
                    name,
                    format!(
                        "`{written}` is neither a property of `{}` nor a customer attribute",
                        event.as_str()
                    ),
                    candidates,
                    "not in the schema",
                    format!(
                        "add it to the event in the schema: `event {} {{ {written}: {type_word} }}`",
                        event.as_str()
                    ),
                )
            }
            Scope::Customer => unknown(
                Code::UnknownAttribute,
                name,
                format!("`{written}` is not a customer attribute"),
                self.known.attributes.keys().copied(),
                "not in the schema",
                format!("declare it in the schema: `attribute {written}: {type_word}`"),
            ),
        };
        // `category == tools`: a word meant as a text.
        let plain_word = compared_with && !written.contains('.');
        if plain_word
            && matches!(beside, Some(Ty::Text | Ty::List))
            && diagnostic.labels[0].message == "not in the schema"
        {
            diagnostic.labels[0].message = "a bare word is read as a name".into();
            diagnostic.help =
                format!("to compare with the text {written}, write it in quotes: `\"{written}\"`");
        }
        diagnostic
    }

    fn compare(
        &self,
        left: &Operand,
        op: &Spanned<CompareOp>,
        right: &Operand,
        found: &mut Vec<Diagnostic>,
    ) {
        let (l, r) = (self.meaning(left), self.meaning(right));
        if let Meaning::Typed(Ty::Enum(choices)) = l {
            if self.choice(right, left, choices, op, found) {
                return;
            }
        }
        if let Meaning::Typed(Ty::Enum(choices)) = r {
            if self.choice(left, right, choices, op, found) {
                return;
            }
        }
        // With an unknown name on the left, a bare word on the right is
        // most likely a value of it (`tierr == gold`): one mistake, told once.
        let left_unknown = matches!((left, l), (Operand::Attribute(_), Meaning::Unknown));
        let bare_word = matches!(right, Operand::Attribute(name) if !name.as_str().contains('.'));
        for (side, this, other, compared_with) in [(left, l, r, false), (right, r, l, true)] {
            if compared_with && left_unknown && bare_word {
                continue;
            }
            if let (Operand::Attribute(name), Meaning::Unknown) = (side, this) {
                found.push(self.unknown_name(name, other.ty(), compared_with));
            }
        }
        let (Meaning::Typed(lt), Meaning::Typed(rt)) = (l, r) else {
            return;
        };
        if !lt.compatible(rt) {
            found.push(self.mismatch(
                Side::of(left, lt, self),
                Side::of(right, rt, self),
                op.value.as_str(),
            ));
        } else if is_ordering(op.value) && !(lt.ordered() && rt.ordered()) {
            let (subject, ty) = if lt.ordered() {
                (right, rt)
            } else {
                (left, lt)
            };
            found.push(self.unordered(op, Side::of(subject, ty, self)));
        }
    }

    /// `word_side` beside a fixed-choice attribute: one of its choices, or
    /// an N211. Returns false when the word is no choice but an attribute
    /// of its own (`tier == previous_tier`), to be compared as such.
    fn choice(
        &self,
        word_side: &Operand,
        enum_side: &Operand,
        choices: &[Name],
        op: &Spanned<CompareOp>,
        found: &mut Vec<Diagnostic>,
    ) -> bool {
        let (word, span) = match word_side {
            Operand::Attribute(name) if !name.as_str().contains('.') => (name.as_str(), name.span),
            Operand::Value(Spanned {
                value: ValueKind::Text(text),
                span,
            }) => (text.as_str(), *span),
            _ => return false,
        };
        let is_choice = choices.iter().any(|c| c.as_str() == word);
        if !is_choice {
            if let Operand::Attribute(name) = word_side {
                if matches!(self.resolve(name), Meaning::Typed(_)) {
                    return false;
                }
            }
            found.push(unknown_choice(
                word,
                span,
                self.text(enum_side.span()),
                choices,
            ));
            return true;
        }
        if is_ordering(op.value) {
            found.push(self.unordered(op, Side::of(enum_side, Ty::Enum(choices), self)));
        }
        true
    }

    fn in_list(&self, left: &Operand, list: &[Value], found: &mut Vec<Diagnostic>) {
        let ty = match self.meaning(left) {
            Meaning::Typed(ty) => ty,
            Meaning::Unknown => {
                if let Operand::Attribute(name) = left {
                    let beside = list.iter().find_map(|v| value_ty(&v.value));
                    found.push(self.unknown_name(name, beside, false));
                }
                return;
            }
            Meaning::Unchecked => return,
        };
        let subject = Side::of(left, ty, self);
        for value in list {
            match (&value.value, ty) {
                (ValueKind::Word(word) | ValueKind::Text(word), Ty::Enum(choices)) => {
                    if !choices.iter().any(|c| c.as_str() == word) {
                        found.push(unknown_choice(word, value.span, subject.text, choices));
                    }
                }
                (ValueKind::Word(word), Ty::Text | Ty::List) => {
                    found.push(
                        Diagnostic::new(
                            Code::TypeMismatch,
                            format!(
                                "`{}` holds texts, but `{word}` is a bare word",
                                subject.text
                            ),
                        )
                        .label(value.span, "a bare word is a fixed choice, not a text")
                        .label(left.span(), format!("this is {}", ty.describe()))
                        .help(format!("write texts in quotes: `\"{word}\"`")),
                    );
                }
                (kind, _) => {
                    let value_ty = value_ty(kind);
                    match value_ty {
                        Some(vt) if ty.compatible(vt) => {}
                        _ => {
                            let vt = value_ty.unwrap_or(Ty::Enum(&[]));
                            let side = Side {
                                span: value.span,
                                text: self.text(value.span),
                                ty: vt,
                                is_name: false,
                            };
                            found.push(self.mismatch(subject, side, "in"));
                        }
                    }
                }
            }
        }
    }

    fn truthy(&self, operand: &Operand, found: &mut Vec<Diagnostic>) {
        let Operand::Attribute(name) = operand else {
            return;
        };
        match self.resolve(name) {
            Meaning::Unknown => found.push(
                self.value_on_its_own(name)
                    .unwrap_or_else(|| self.unknown_name(name, Some(Ty::Bool), false)),
            ),
            Meaning::Typed(Ty::Bool) | Meaning::Unchecked => {}
            Meaning::Typed(ty) => found.push(
                Diagnostic::new(
                    Code::TypeMismatch,
                    format!("`{}` is {}, not yes or no", name.as_str(), ty.describe()),
                )
                .label(name.span, "a name alone holds when it is yes")
                .help(format!(
                    "compare it, like `{}`",
                    comparison_example(name.as_str(), ty)
                )),
            ),
        }
    }

    /// N210: the two sides cannot be compared.
    fn mismatch(&self, a: Side, b: Side, op: &str) -> Diagnostic {
        // Name the attribute first: "`x` is a number and …".
        let (subject, value) = if !a.is_name && b.is_name {
            (b, a)
        } else {
            (a, b)
        };
        let s = subject.text;
        let message = if value.is_name {
            format!(
                "`{s}` is {} and `{}` is {}: they cannot be compared",
                subject.ty.describe(),
                value.text,
                value.ty.describe()
            )
        } else {
            format!(
                "`{s}` is {} and cannot be compared with {}",
                subject.ty.describe(),
                value.ty.describe()
            )
        };
        let number_in_quotes = match value.text.trim_matches('"').parse::<f64>() {
            Ok(_) if value.text.starts_with('"') => Some(value.text.trim_matches('"')),
            _ => None,
        };
        let help = match (subject.ty, value.ty) {
            (Ty::Date, Ty::Duration) => format!(
                "a date is compared with a moment: write `{} ago` or `{} from now`",
                value.text, value.text
            ),
            (Ty::Date, _) => format!(
                "compare a date with a moment, like `{s} < 30d ago` or `{s} < 14d from now`"
            ),
            (Ty::Number | Ty::Percent, Ty::Text) if number_in_quotes.is_some() => format!(
                "write the number without quotes: `{}`",
                number_in_quotes.unwrap_or_default()
            ),
            (Ty::Bool, _) if subject.is_name => {
                format!("write `{s}` alone for yes, or `not {s}` for no")
            }
            (Ty::Duration, Ty::Number) if !value.is_name => {
                format!("add a unit: `{}d` for {} days", value.text, value.text)
            }
            (Ty::Text, Ty::Number) if !value.is_name => {
                format!("write the text in quotes: `\"{}\"`", value.text)
            }
            _ if subject.is_name => format!(
                "compare `{s}` with {}, like `{}`",
                subject.ty.describe(),
                comparison_example(s, subject.ty)
            ),
            _ => format!("compare values of the same kind; `{op}` cannot compare these two"),
        };
        Diagnostic::new(Code::TypeMismatch, message)
            .label(value.span, format!("this is {}", value.ty.describe()))
            .label(subject.span, format!("this is {}", subject.ty.describe()))
            .help(help)
    }

    /// N210: `<` and friends on a type without an order.
    fn unordered(&self, op: &Spanned<CompareOp>, subject: Side) -> Diagnostic {
        let s = subject.text;
        let (kinds, help) = match subject.ty {
            Ty::Bool => (
                "yes/no values",
                format!("write `{s}` alone for yes, or `not {s}` for no"),
            ),
            Ty::Enum(choices) => (
                "fixed choices",
                format!(
                    "fixed choices have no order; list the ones you mean, like `{s} in [{}]`",
                    choices
                        .iter()
                        .take(2)
                        .map(|c| c.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
            Ty::List => ("lists", "use `==`, `!=` or `in [ … ]`".to_string()),
            _ => ("texts", "use `==`, `!=` or `in [ … ]`".to_string()),
        };
        Diagnostic::new(
            Code::TypeMismatch,
            format!("`{}` does not apply to {kinds}", op.value.as_str()),
        )
        .label(op.span, "compares numbers, dates and durations only")
        .label(subject.span, format!("this is {}", subject.ty.describe()))
        .help(help)
    }
}

/// One side of a comparison, for messages.
#[derive(Clone, Copy)]
pub(super) struct Side<'a, 's> {
    pub span: Span,
    pub text: &'a str,
    pub ty: Ty<'s>,
    /// An attribute or property, rather than a value written out.
    pub is_name: bool,
}

impl<'a, 's> Side<'a, 's> {
    fn of(operand: &Operand, ty: Ty<'s>, names: &Names<'a, 's>) -> Self {
        Side {
            span: operand.span(),
            text: names.text(operand.span()),
            ty,
            is_name: matches!(operand, Operand::Attribute(_)),
        }
    }
}

fn is_ordering(op: CompareOp) -> bool {
    !matches!(op, CompareOp::Eq | CompareOp::Ne)
}

/// The type of a value written out; `None` for a bare word, whose type is
/// whatever it is compared with.
pub(super) fn value_ty(value: &ValueKind) -> Option<Ty<'static>> {
    Some(match value {
        ValueKind::Text(_) => Ty::Text,
        ValueKind::Number(_) => Ty::Number,
        ValueKind::Bool(_) => Ty::Bool,
        ValueKind::Duration(_) => Ty::Duration,
        ValueKind::Percent(_) => Ty::Percent,
        ValueKind::Word(_) => return None,
    })
}

/// How a type is written in the schema, for "declare it" hints.
fn schema_word(ty: Ty) -> &'static str {
    match ty {
        Ty::Text => "text",
        Ty::Number | Ty::Percent => "number",
        Ty::Bool => "bool",
        Ty::Date => "date",
        Ty::Duration => "duration",
        Ty::List => "list of text",
        Ty::Enum(_) => "TYPE",
    }
}

/// A test that works on an attribute of the type: `tier == gold`.
pub(super) fn comparison_example(name: &str, ty: Ty) -> String {
    match ty {
        Ty::Number | Ty::Percent => format!("{name} > 0"),
        Ty::Bool => name.to_string(),
        Ty::Date => format!("{name} < 30d ago"),
        Ty::Duration => format!("{name} > 3d"),
        _ => format!("{name} == {}", ty.example()),
    }
}

/// N211: a value that is not one of the attribute's choices.
pub(super) fn unknown_choice(
    word: &str,
    span: Span,
    attribute: &str,
    choices: &[Name],
) -> Diagnostic {
    let diagnostic = Diagnostic::new(
        Code::UnknownChoice,
        format!("`{word}` is not a choice of `{attribute}`"),
    );
    let help = if super::builtins::are_phases(choices) {
        format!(
            "`{attribute}` is the built-in lifecycle phase, {}",
            Ty::Enum(choices).describe()
        )
    } else {
        format!(
            "`{attribute}` is {}; if `{word}` is new, add it to `{attribute}` in the schema",
            Ty::Enum(choices).describe()
        )
    };
    match crate::suggest::closest(word, choices.iter().map(|c| c.as_str())) {
        Some(close) => diagnostic.did_you_mean(span, close).help(help),
        None => diagnostic
            .label(span, format!("not one of {}", choice_list(choices, "or")))
            .help(help),
    }
}

/// `trigger 30d before NAME`: NAME must be a date attribute.
fn date_triggers(program: &Program, source: &str, known: &Known, found: &mut Vec<Diagnostic>) {
    let names = Names {
        known,
        source,
        scope: Scope::Customer,
    };
    for clause in &program.clauses {
        let ClauseKind::Trigger(trigger) = &clause.kind else {
            continue;
        };
        let TriggerKind::Date { attribute, .. } = &trigger.kind else {
            continue;
        };
        match names.resolve(attribute) {
            Meaning::Unknown => found.push(names.unknown_name(attribute, Some(Ty::Date), false)),
            Meaning::Typed(Ty::Date) | Meaning::Unchecked => {}
            Meaning::Typed(ty) => {
                let dates: Vec<&str> = known
                    .attributes
                    .iter()
                    .filter(|(_, t)| matches!(t, ValueType::Date))
                    .map(|(name, _)| *name)
                    .collect();
                let help = if dates.is_empty() {
                    "name a date attribute; the schema declares none yet (`attribute contract_end: date`)".to_string()
                } else {
                    format!(
                        "name a date attribute: {}",
                        crate::syntax::word_choice(dates.iter().copied())
                    )
                };
                found.push(
                    Diagnostic::new(
                        Code::TypeMismatch,
                        format!("`{}` is {}, not a date", attribute.as_str(), ty.describe()),
                    )
                    .label(attribute.span, "a date trigger counts from a date")
                    .help(help),
                );
            }
        }
    }
}
