//! Hover: what the word under the cursor means. A keyword shows its section
//! of the language reference (`help.rs`); a step shows what it does, where
//! customers come from, and what `check` proves about the program (most
//! messages, longest stay: `check::facts`, as `nurture check --summary`
//! prints them); a name from the schema shows its declaration and type; a
//! place with a diagnostic adds the code's summary, as `nurture explain`.

use super::context;
use super::help::{self, Role};
use super::index::{Index, Namespace, Occurrence};
use super::session::{Analysis, Document};
use crate::span::Span;
use crate::syntax::ast::{Program, Schema, Target, ValueType};

/// The hover text at `offset` in markdown, and the span it is about.
pub fn hover(document: &Document, analysis: &Analysis, offset: usize) -> Option<(String, Span)> {
    let text = &document.text;
    let schema = analysis.schema_file().map(|f| &f.schema);
    let (mut markdown, span) = if let Some(program) = &analysis.parsed.program {
        let index = Index::of_program(program, schema);
        match index.at(offset) {
            Some(occurrence) => (
                name(document, analysis, program, occurrence)?,
                occurrence.span,
            ),
            None => keyword(text, offset, false)?,
        }
    } else if let Some(schema) = &analysis.parsed.schema {
        let index = Index::of_schema(schema);
        match index.at(offset) {
            Some(occurrence) => (declared(schema, text, occurrence), occurrence.span),
            None => keyword(text, offset, true)?,
        }
    } else {
        keyword(text, offset, false)?
    };
    for diagnostic in &analysis.diagnostics {
        let at = diagnostic.primary_span();
        if at.start <= offset && offset <= at.end {
            markdown.push_str(&format!(
                "\n\n---\n**{} {}**: {} (`nurture explain {}`)",
                diagnostic.code.id(),
                diagnostic.code.name(),
                diagnostic.code.summary(),
                diagnostic.code.id()
            ));
        }
    }
    Some((markdown, span))
}

/// A keyword (or `->`) under the cursor: its section of the docs.
fn keyword(text: &str, offset: usize, in_schema: bool) -> Option<(String, Span)> {
    let token = context::tokens(text)
        .into_iter()
        .find(|t| t.start <= offset && offset <= t.end())?;
    // `trigger.interest`: the word before the dot is the keyword.
    let data = ["trigger.", "answer."].iter().find_map(|prefix| {
        let word = prefix.trim_end_matches('.');
        (token.text.starts_with(prefix) && offset <= token.start + word.len()).then_some(word)
    });
    if let Some(word) = data {
        let role = role_at(text, token.start);
        let heading = help::heading(word, role)?;
        let section = help::section(heading)?;
        return Some((section, Span::new(token.start, token.start + word.len())));
    }
    if token.text != "->" && !crate::syntax::next::is_keyword(token.text) {
        return None;
    }
    let role = if in_schema {
        Role::Schema
    } else {
        role_at(text, token.start)
    };
    // `wait 3d` and `wait up to 3d for …` are two statements.
    let after = context::tokens(&text[token.end()..])
        .first()
        .map(|t| t.text);
    // `send push "a" or email "b"`: the `or` of a fallback is the send's.
    let in_send = role == Role::Step && context::at(text, token.start).first() == Some("send");
    let word = match (token.text, after) {
        ("wait", Some("up")) => "up",
        ("or", _) if in_send => "send",
        (word, _) => word,
    };
    let heading = help::heading(word, role)?;
    let section = help::section(heading)?;
    Some((section, Span::new(token.start, token.end())))
}

/// Where the keyword starting at `at` stands.
fn role_at(text: &str, at: usize) -> Role {
    let context = context::at(text, at);
    let in_condition = context.before.iter().any(|t| {
        matches!(
            t.text,
            "where" | "if" | "audience" | "and" | "or" | "not" | "(" | "has"
        ) || (t.text == "when" && context.first() != Some("exit"))
    });
    if in_condition && context.first() != Some("wait") {
        return Role::Condition;
    }
    match context.place {
        crate::syntax::next::Place::Header => {
            let first = context
                .first()
                .or_else(|| context::tokens(&text[at..]).first().map(|t| t.text))
                .unwrap_or("");
            let word = crate::syntax::next::keywords().find(|k| *k == first);
            word.map_or(Role::Step, Role::Header)
        }
        crate::syntax::next::Place::Schema | crate::syntax::next::Place::EventProperties => {
            Role::Schema
        }
        _ => Role::Step,
    }
}

/// A name in a program.
fn name(
    document: &Document,
    analysis: &Analysis,
    program: &Program,
    occurrence: &Occurrence,
) -> Option<String> {
    match &occurrence.namespace {
        Namespace::Step => Some(step(document, analysis, program, &occurrence.name)),
        Namespace::Outcome => Some(format!(
            "**outcome `{}`**\n\nCustomers who leave here leave with this outcome; reports count them by it.",
            occurrence.name
        )),
        Namespace::Kind => help::section("kind"),
        Namespace::Phase => help::section("phase"),
        Namespace::TriggerData => Some(trigger_data(analysis, program, &occurrence.name)),
        Namespace::Answer => Some(format!(
            "**`answer.{0}`**\n\nThe property `{0}` of the event whose arm led here, kept on the customer's record by `set`.",
            occurrence.name
        )),
        namespace => {
            let Some(file) = analysis.schema_file() else {
                return Some(format!(
                    "**{} `{}`**\n\nNo customer schema was found for this program (`schema.nurture` beside it or in a folder above), so its names are not checked.",
                    namespace.noun(),
                    occurrence.name
                ));
            };
            let declared = Index::of_schema(&file.schema);
            if let Some(declaration) = declared.all(namespace, &occurrence.name).next() {
                return Some(format!(
                    "{}\n\nDeclared in `{}`.",
                    declared_text(&file.schema, &file.text, declaration),
                    shown(&file.path)
                ));
            }
            let added = namespace == &Namespace::Tag
                && program.steps.iter().flat_map(|s| &s.statements).any(|s| {
                    matches!(&s.kind, crate::syntax::ast::StatementKind::Tag(t) if t.value == occurrence.name)
                });
            Some(if added {
                format!(
                    "**tag `{0}`**\n\nAdded by this program (`tag {0}`); not declared in the schema.",
                    occurrence.name
                )
            } else {
                format!(
                    "**{} `{}`**\n\nThe schema `{}` does not declare it.",
                    namespace.noun(),
                    occurrence.name,
                    shown(&file.path)
                )
            })
        }
    }
}

/// `trigger.PROPERTY`: which of the program's event triggers carry it,
/// and as what.
fn trigger_data(analysis: &Analysis, program: &Program, property: &str) -> String {
    let events: Vec<&str> = program
        .clauses
        .iter()
        .filter_map(|c| match &c.kind {
            crate::syntax::ast::ClauseKind::Trigger(t) => match &t.kind {
                crate::syntax::ast::TriggerKind::Event { event, .. } => Some(event.as_str()),
                _ => None,
            },
            _ => None,
        })
        .collect();
    let mut text = format!(
        "**`trigger.{property}`**\n\nThe property `{property}` of the event that started the journey, kept for the whole journey."
    );
    let schema = analysis.schema_file().map(|f| &f.schema);
    for event in events {
        let carried = schema.and_then(|schema| {
            schema
                .events
                .iter()
                .find(|e| e.name.as_str() == event)
                .map(|e| e.properties.iter().find(|p| p.name.as_str() == property))
        });
        text.push_str(&match carried {
            Some(Some(p)) => format!(
                "\n\n- `{event}` carries it: {}",
                describe(&p.value_type.value)
            ),
            Some(None) => format!("\n\n- `{event}` does not carry it"),
            None => format!("\n\n- by `{event}`"),
        });
    }
    text
}

fn shown(path: &std::path::Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// A declaration in a schema file, hovered there.
fn declared(schema: &Schema, text: &str, occurrence: &Occurrence) -> String {
    declared_text(schema, text, occurrence)
}

/// The declaration as written, and what it declares.
fn declared_text(schema: &Schema, text: &str, occurrence: &Occurrence) -> String {
    let source = |span: Span| {
        text.get(span.start..span.end)
            .unwrap_or("")
            .trim()
            .to_string()
    };
    let name = &occurrence.name;
    match &occurrence.namespace {
        Namespace::Attribute => {
            let Some(decl) = schema.attributes.iter().find(|a| a.name.value == *name) else {
                return format!("**attribute `{name}`**");
            };
            format!(
                "**attribute `{name}`**: {}\n\n```nurture\n{}\n```",
                describe(&decl.value_type.value),
                source(decl.span)
            )
        }
        Namespace::Property(event) => {
            let decl = schema
                .events
                .iter()
                .filter(|e| e.name.value == *event)
                .flat_map(|e| e.properties.iter())
                .find(|p| p.name.value == *name);
            match decl {
                Some(decl) => format!(
                    "**property `{name}` of event `{event}`**: {}\n\n```nurture\n{}\n```",
                    describe(&decl.value_type.value),
                    source(decl.span)
                ),
                None => format!("**property `{name}` of event `{event}`**"),
            }
        }
        Namespace::Event => {
            let Some(decl) = schema.events.iter().find(|e| e.name.value == *name) else {
                return format!("**event `{name}`**");
            };
            let carries = if decl.properties.is_empty() {
                "carries no properties".to_string()
            } else {
                let list: Vec<String> = decl
                    .properties
                    .iter()
                    .map(|p| format!("`{}` ({})", p.name.value, describe(&p.value_type.value)))
                    .collect();
                format!("carries {}", list.join(", "))
            };
            format!(
                "**event `{name}`**: {carries}\n\n```nurture\n{}\n```",
                source(decl.span)
            )
        }
        Namespace::Channel => {
            let Some(decl) = schema.channels.iter().find(|c| c.name.value == *name) else {
                return format!("**channel `{name}`**");
            };
            let consent = if decl.needs_consent {
                "customers must opt in (`consent`) before it is used"
            } else {
                "needs no opt-in"
            };
            format!(
                "**channel `{name}`**: {consent}\n\n```nurture\n{}\n```",
                source(decl.span)
            )
        }
        other => format!("**{} `{name}`**, declared in the schema", other.noun()),
    }
}

/// A type in words.
fn describe(value_type: &ValueType) -> String {
    match value_type {
        ValueType::Text => "text".into(),
        ValueType::Number => "a number".into(),
        ValueType::Bool => "yes or no (`bool`)".into(),
        ValueType::Date => "a date".into(),
        ValueType::Duration => "a duration".into(),
        ValueType::ListOfText => "a list of texts".into(),
        ValueType::Enum(choices) => {
            let words: Vec<String> = choices.iter().map(|c| format!("`{}`", c.value)).collect();
            format!("one of {}", words.join(", "))
        }
    }
}

/// A step: what it does, where customers come from, and the facts of the
/// program.
fn step(document: &Document, analysis: &Analysis, program: &Program, name: &str) -> String {
    let text = &document.text;
    let Some(step) = program.steps.iter().find(|s| s.name.value == name) else {
        return format!("**step `{name}`**\n\nNo step of this program has this name.");
    };
    let mut out = format!("**step `{name}`**");
    let mut does: Vec<String> = Vec::new();
    for statement in &step.statements {
        let written = text
            .get(statement.span.start..statement.span.end)
            .unwrap_or("")
            .lines()
            .next()
            .unwrap_or("")
            .trim()
            .trim_end_matches('{')
            .trim_end()
            .to_string();
        does.push(format!("`{written}`"));
    }
    if !does.is_empty() {
        out.push_str(&format!("\n\n{}", does.join(" · ")));
    }
    let mut from: Vec<&str> = Vec::new();
    for other in &program.steps {
        if leads_to(other, name) && !from.contains(&other.name.as_str()) {
            from.push(other.name.as_str());
        }
    }
    let starts_here =
        program.clauses.iter().any(
            |c| matches!(&c.kind, crate::syntax::ast::ClauseKind::Start(s) if s.value == name),
        ) || (!program
            .clauses
            .iter()
            .any(|c| matches!(c.kind, crate::syntax::ast::ClauseKind::Start(_)))
            && program.steps.first().is_some_and(|s| s.name.value == name));
    let mut entry = Vec::new();
    if starts_here {
        entry.push("customers start here".to_string());
    }
    if !from.is_empty() {
        let list: Vec<String> = from.iter().map(|s| format!("`{s}`")).collect();
        entry.push(format!("reached from {}", list.join(", ")));
    }
    if !entry.is_empty() {
        out.push_str(&format!("\n\n{}.", capitalised(&entry.join("; "))));
    }
    if analysis.has_errors() {
        out.push_str("\n\n---\nThe program has errors: what `check` proves about it shows once they are fixed.");
    } else {
        // No errors: the program read whole and its graph is sound, what
        // `check::facts_of_text` asks before working the facts out.
        let facts = crate::check::facts::facts(program);
        let file = document
            .path
            .as_deref()
            .map_or_else(|| "program".to_string(), shown);
        out.push_str(&format!(
            "\n\n---\nProved for every customer (`nurture check --summary`):\n```text\n{}```",
            crate::render::facts::render(&file, &facts)
        ));
    }
    out
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn leads_to(step: &crate::syntax::ast::Step, name: &str) -> bool {
    use crate::syntax::ast::StatementKind;
    let to = |target: &Target| matches!(target, Target::Step(s) if s.value == name);
    step.statements.iter().any(|s| match &s.kind {
        StatementKind::Goto(s) => s.value == name,
        StatementKind::WaitFor(wait) => wait.arms.iter().any(|a| to(&a.target)),
        StatementKind::Branch(arms) => arms.iter().any(|a| to(&a.target)),
        StatementKind::Split(arms) => arms.iter().any(|a| to(&a.target)),
        _ => false,
    })
}
