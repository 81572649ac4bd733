//! Lowering the customer schema: its entries and their types.

use super::Lowerer;
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::span::{Name, Span, Spanned};
use crate::syntax::ast::*;
use crate::syntax::grammar::Rule;
use crate::syntax::tree::Node;

impl Lowerer {
    // -- the customer schema -----------------------------------------------

    pub fn schema(&mut self, pair: Node) -> Schema {
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
    pub fn schema_entry(&mut self, pair: Node, schema: &mut Schema) {
        let Some(entry) = pair.into_inner().next() else {
            return;
        };
        let span = self.span(&entry);
        let rule = entry.as_rule();
        let parts: Vec<Node> = entry.into_inner().collect();
        match rule {
            Rule::attribute_decl => schema.attributes.push(self.attribute_decl(&parts, span)),
            Rule::event_decl => {
                let name = self.first_name(&parts, Rule::event_name, span);
                let properties = parts
                    .iter()
                    .filter(|p| p.as_rule() == Rule::property_decl)
                    .map(|p| {
                        let property_span = self.span(p);
                        let inner: Vec<Node> = (*p).into_inner().collect();
                        self.attribute_decl(&inner, property_span)
                    })
                    .collect();
                schema.events.push(EventDecl {
                    name,
                    properties,
                    span,
                });
            }
            Rule::schema_cap => {
                if let Some(cap) = parts.first() {
                    let inner: Vec<Node> = (*cap).into_inner().collect();
                    let cap = self.cap(&inner, span);
                    schema.caps.push(Spanned::new(cap, span));
                }
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
    fn attribute_decl(&mut self, parts: &[Node], span: Span) -> AttributeDecl {
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

    fn value_type(&mut self, pair: &Node) -> Spanned<ValueType> {
        let span = self.span(pair);
        let Some(inner) = (*pair).into_inner().next() else {
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
