//! Completion: the grammar says what kind of token may come next
//! (`syntax::next`), the words before the cursor say which names, and the
//! program and its schema supply them. Keywords are offered exactly where
//! the grammar accepts them; names after `->` are steps, after `where` the
//! event's properties and the customer's attributes, after `send` channels,
//! and so on (`slot`).

use super::context::{self, Context};
use super::index::{Index, Namespace};
use super::session::{Analysis, Document};
use crate::syntax::ast::{Phase, ProgramKind, Schema, ValueType};
use crate::syntax::next::{self, Next, Place};
use lsp_types::{CompletionItem, CompletionItemKind};
use std::collections::BTreeSet;

/// One thing to offer: the word, its kind, and a detail line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Offer {
    pub label: String,
    pub kind: CompletionItemKind,
    pub detail: Option<String>,
    /// Names first, then keywords.
    pub rank: u8,
}

/// Which names may stand where the cursor is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    Step,
    Event,
    Channel,
    Team,
    Segment,
    Tag,
    Outcome,
    Kind,
    Phase,
    /// A day of a `window`: `mon` … `sun`.
    Day,
    /// `trigger.` typed: the properties the program's event triggers carry.
    TriggerData,
    /// `answer.` typed: the properties of the events the program waits for.
    Answer,
}

/// What to offer at `offset`, and where the word being typed starts.
pub fn complete(document: &Document, analysis: &Analysis, offset: usize) -> (Vec<Offer>, usize) {
    let text = &document.text;
    let context = context::at(text, offset);
    let typed_start = context.typed.0;
    if in_comment_or_text(text, typed_start) {
        return (Vec::new(), typed_start);
    }
    let construct = text.get(context.start..typed_start).unwrap_or("");
    let construct = if context.before.is_empty() {
        ""
    } else {
        construct
    };
    let next = next::next(context.place, construct).unwrap_or(Next {
        // After a mistake the grammar says nothing; the words before the
        // cursor may still say which names fit.
        name: true,
        ..Next::default()
    });
    let schema = analysis.schema_file().map(|f| &f.schema);
    let index = analysis
        .parsed
        .program
        .as_ref()
        .map(|p| Index::of_program(p, schema))
        .unwrap_or_default();

    let mut offers = Vec::new();
    let typing_data = matches!(slot(&context), Some(Slot::TriggerData | Slot::Answer));
    if let Some(choices) = choices(&context, schema).filter(|_| !typing_data) {
        for choice in choices {
            offers.push(offer(choice, CompletionItemKind::ENUM_MEMBER, None, 0));
        }
    }
    if next.name || typing_data {
        if let Some(slot) = slot(&context) {
            names(slot, &context, text, &index, schema, &mut offers);
        }
    }
    if typing_data {
        return (offers, typed_start);
    }
    if next.attribute {
        attributes(&context, schema, &index, &mut offers);
    }
    if next.quantity && wants_duration(&context) {
        for duration in durations(text) {
            offers.push(offer(
                duration,
                CompletionItemKind::VALUE,
                Some("in use".into()),
                0,
            ));
        }
    }
    for keyword in &next.keywords {
        let detail = crate::syntax::example(keyword).map(str::to_string);
        offers.push(offer(
            keyword.to_string(),
            CompletionItemKind::KEYWORD,
            detail,
            1,
        ));
    }
    if next.symbols.contains("->") && context.place == Place::Step && context.before.is_empty() {
        offers.push(offer(
            "->".into(),
            CompletionItemKind::OPERATOR,
            Some("-> offer".into()),
            1,
        ));
    }
    let mut seen = BTreeSet::new();
    offers.retain(|o| seen.insert(o.label.clone()));
    (offers, typed_start)
}

pub fn to_lsp(offer: &Offer, range: lsp_types::Range) -> CompletionItem {
    CompletionItem {
        label: offer.label.clone(),
        kind: Some(offer.kind),
        detail: offer.detail.clone(),
        sort_text: Some(format!("{}{}", offer.rank, offer.label)),
        text_edit: Some(lsp_types::CompletionTextEdit::Edit(lsp_types::TextEdit {
            range,
            new_text: offer.label.clone(),
        })),
        ..CompletionItem::default()
    }
}

fn offer(label: String, kind: CompletionItemKind, detail: Option<String>, rank: u8) -> Offer {
    Offer {
        label,
        kind,
        detail,
        rank,
    }
}

/// Whether `offset` is inside a comment or a text in quotes on its line.
fn in_comment_or_text(text: &str, offset: usize) -> bool {
    let line_start = text[..offset].rfind('\n').map_or(0, |n| n + 1);
    let mut in_text = false;
    let mut escaped = false;
    for byte in text[line_start..offset].bytes() {
        match byte {
            b'\\' if in_text && !escaped => {
                escaped = true;
                continue;
            }
            b'"' if !escaped => in_text = !in_text,
            b'#' if !in_text => return true,
            _ => {}
        }
        escaped = false;
    }
    in_text
}

/// Which names the words before the cursor ask for.
fn slot(context: &Context) -> Option<Slot> {
    let first = context.first().unwrap_or("");
    let last = context.last().unwrap_or("");
    let in_wait_head = first == "wait" && context.place == Place::Step;
    let typed = context.typed.1;
    Some(match last {
        _ if typed.starts_with("trigger.") => Slot::TriggerData,
        _ if typed.starts_with("answer.") => Slot::Answer,
        "->" | "start" => Slot::Step,
        "exit" if context.place != Place::Header => Slot::Outcome,
        "as" => Slot::Outcome,
        "send" | "consent" => Slot::Channel,
        // `send push "app-offer" or …`: the next channel to try.
        "or" if first == "send" => Slot::Channel,
        // `window mon..fri`, `window mon,wed`: days until the hours start.
        "window" | ".." | ","
            if first == "window" && context.before.iter().all(|t| !t.text.contains(':')) =>
        {
            Slot::Day
        }
        "," if first == "consent" => Slot::Channel,
        "notify" => Slot::Team,
        "tag" | "untag" => Slot::Tag,
        "added" | "removed" if first == "trigger" => Slot::Tag,
        "becomes" if first == "trigger" => Slot::Phase,
        "segment" => Slot::Segment,
        "event" | "no" | "goal" => Slot::Event,
        "when" if first == "exit" => Slot::Event,
        "for" | "or" if in_wait_head => Slot::Event,
        "kind" => Slot::Kind,
        "phase" => Slot::Phase,
        _ if first == "cap" && context.before.len() == 2 => Slot::Channel,
        _ if context.place == Place::WaitArms && context.before.is_empty() => Slot::Event,
        _ => return None,
    })
}

fn names(
    slot: Slot,
    context: &Context,
    text: &str,
    index: &Index,
    schema: Option<&Schema>,
    offers: &mut Vec<Offer>,
) {
    let used = |namespace: Namespace| -> Vec<String> {
        let mut names: Vec<String> = index
            .occurrences
            .iter()
            .filter(|o| o.namespace == namespace)
            .map(|o| o.name.clone())
            .collect();
        names.sort();
        names.dedup();
        names
    };
    let mut add = |name: String, kind: CompletionItemKind, detail: &str| {
        offers.push(offer(name, kind, Some(detail.to_string()), 0));
    };
    match slot {
        Slot::Step => {
            for step in step_names(text) {
                add(step, CompletionItemKind::FUNCTION, "step");
            }
        }
        Slot::Event => {
            // In a wait's arms, the events it waits for come first.
            let awaited = awaited(context);
            for event in &awaited {
                add(event.clone(), CompletionItemKind::EVENT, "waited for");
            }
            match schema {
                Some(schema) => {
                    for event in &schema.events {
                        add(event.name.value.clone(), CompletionItemKind::EVENT, "event");
                    }
                }
                None => {
                    for event in used(Namespace::Event) {
                        add(event, CompletionItemKind::EVENT, "event in use");
                    }
                }
            }
        }
        Slot::Channel => match schema {
            Some(schema) => {
                for channel in &schema.channels {
                    let detail = if channel.needs_consent {
                        "channel"
                    } else {
                        "channel, needs no consent"
                    };
                    add(
                        channel.name.value.clone(),
                        CompletionItemKind::VALUE,
                        detail,
                    );
                }
            }
            None => {
                for channel in used(Namespace::Channel) {
                    add(channel, CompletionItemKind::VALUE, "channel in use");
                }
            }
        },
        Slot::Team => {
            add(
                "owner".into(),
                CompletionItemKind::VALUE,
                "the program's owner",
            );
            for team in schema.map(|s| s.teams.as_slice()).unwrap_or_default() {
                add(team.value.clone(), CompletionItemKind::VALUE, "team");
            }
        }
        Slot::Segment => {
            for segment in schema.map(|s| s.segments.as_slice()).unwrap_or_default() {
                add(segment.value.clone(), CompletionItemKind::VALUE, "segment");
            }
        }
        Slot::Tag => {
            for tag in schema.map(|s| s.tags.as_slice()).unwrap_or_default() {
                add(tag.value.clone(), CompletionItemKind::VALUE, "tag");
            }
            for tag in used(Namespace::Tag) {
                add(tag, CompletionItemKind::VALUE, "tag in use");
            }
        }
        Slot::Outcome => {
            for outcome in used(Namespace::Outcome) {
                add(outcome, CompletionItemKind::VALUE, "outcome in use");
            }
        }
        Slot::Day => {
            for day in crate::syntax::ast::DAY_NAMES {
                add(day.into(), CompletionItemKind::ENUM_MEMBER, "day");
            }
        }
        Slot::Kind => {
            for kind in ProgramKind::ALL {
                add(
                    kind.as_str().into(),
                    CompletionItemKind::ENUM_MEMBER,
                    "kind",
                );
            }
        }
        Slot::Phase => {
            for phase in Phase::ALL {
                add(
                    phase.as_str().into(),
                    CompletionItemKind::ENUM_MEMBER,
                    "phase",
                );
            }
        }
        Slot::TriggerData | Slot::Answer => {
            let Some(schema) = schema else { return };
            let (prefix, events) = if slot == Slot::TriggerData {
                ("trigger", trigger_events(text))
            } else {
                ("answer", awaited_anywhere(text))
            };
            for decl in schema
                .events
                .iter()
                .filter(|e| events.contains(&e.name.value))
            {
                for property in &decl.properties {
                    add(
                        format!("{prefix}.{}", property.name.value),
                        CompletionItemKind::PROPERTY,
                        &format!(
                            "{} of `{}`",
                            type_word(&property.value_type.value),
                            decl.name.value
                        ),
                    );
                }
            }
        }
    }
}

/// The events of the text's `trigger event EVENT` clauses.
fn trigger_events(text: &str) -> Vec<String> {
    let tokens = context::tokens(text);
    tokens
        .windows(3)
        .filter(|w| w[0].text == "trigger" && w[1].text == "event" && w[2].is_word())
        .map(|w| w[2].text.to_string())
        .collect()
}

/// Every event a `wait up to … for` of the text waits for.
fn awaited_anywhere(text: &str) -> Vec<String> {
    let tokens = context::tokens(text);
    let mut events = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let head = i >= 3 && tokens[i - 3].text == "up" && token.text == "for";
        if !head {
            continue;
        }
        for next in &tokens[i + 1..] {
            match next.text {
                "or" => {}
                "{" => break,
                _ if next.is_word() => events.push(next.text.to_string()),
                _ => break,
            }
        }
    }
    events
}

/// The steps of the text, read from `step NAME` (the tree may lack the
/// step being written).
fn step_names(text: &str) -> Vec<String> {
    let tokens = context::tokens(text);
    let mut names: Vec<String> = tokens
        .windows(3)
        .filter(|w| w[0].text == "step" && w[2].text == "{" && w[1].is_word())
        .map(|w| w[1].text.to_string())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The events the enclosing wait waits for (`wait up to 5d for a or b {`).
fn awaited(context: &Context) -> Vec<String> {
    let head = if context.place == Place::WaitArms {
        &context.head
    } else {
        return Vec::new();
    };
    let Some(from) = head.iter().position(|t| t.text == "for") else {
        return Vec::new();
    };
    head[from + 1..]
        .iter()
        .filter(|t| t.text != "or" && t.is_word())
        .map(|t| t.text.to_string())
        .collect()
}

/// Attributes, and after `EVENT where` that event's properties first.
fn attributes(context: &Context, schema: Option<&Schema>, index: &Index, offers: &mut Vec<Offer>) {
    let date_only =
        context.first() == Some("trigger") && matches!(context.last(), Some("before" | "after"));
    let Some(schema) = schema else {
        let mut used: Vec<&str> = index
            .occurrences
            .iter()
            .filter(|o| o.namespace == Namespace::Attribute)
            .map(|o| o.name.as_str())
            .collect();
        used.sort();
        used.dedup();
        for name in used {
            offers.push(offer(
                name.into(),
                CompletionItemKind::FIELD,
                Some("attribute in use".into()),
                0,
            ));
        }
        return;
    };
    if let Some(event) = event_before_where(context) {
        for decl in schema.events.iter().filter(|e| e.name.value == event) {
            for property in &decl.properties {
                offers.push(offer(
                    property.name.value.clone(),
                    CompletionItemKind::PROPERTY,
                    Some(format!(
                        "{} of `{event}`",
                        type_word(&property.value_type.value)
                    )),
                    0,
                ));
            }
        }
    }
    for attribute in &schema.attributes {
        if date_only && attribute.value_type.value != ValueType::Date {
            continue;
        }
        offers.push(offer(
            attribute.name.value.clone(),
            CompletionItemKind::FIELD,
            Some(type_word(&attribute.value_type.value)),
            0,
        ));
    }
}

/// The event a `where` before the cursor belongs to: the name before it.
fn event_before_where(context: &Context) -> Option<String> {
    let at = context.before.iter().rposition(|t| t.text == "where")?;
    let event = context.before.get(at.checked_sub(1)?)?;
    event.is_word().then(|| event.text.to_string())
}

fn type_word(value_type: &ValueType) -> String {
    match value_type {
        ValueType::Text => "text".into(),
        ValueType::Number => "number".into(),
        ValueType::Bool => "bool".into(),
        ValueType::Date => "date".into(),
        ValueType::Duration => "duration".into(),
        ValueType::ListOfText => "list of text".into(),
        ValueType::Enum(choices) => choices
            .iter()
            .map(|c| c.value.as_str())
            .collect::<Vec<_>>()
            .join(" | "),
    }
}

/// The fixed choices of the attribute compared or listed before the cursor:
/// `tier == `, `tier in [gold, `, `set tier = `.
fn choices(context: &Context, schema: Option<&Schema>) -> Option<Vec<String>> {
    let schema = schema?;
    let tokens = &context.before;
    let n = tokens.len();
    let last = tokens.last()?.text;
    let attribute = match last {
        "==" | "!=" | "=" => tokens.get(n.checked_sub(2)?)?.text,
        "[" | "," => {
            let open = tokens.iter().rposition(|t| t.text == "[")?;
            if tokens[open + 1..].iter().any(|t| t.text == "]") {
                return None;
            }
            let before = &tokens[..open];
            let in_at = before.iter().rposition(|t| t.text == "in")?;
            let at = if in_at > 0 && before[in_at - 1].text == "not" {
                in_at.checked_sub(2)?
            } else {
                in_at.checked_sub(1)?
            };
            before.get(at)?.text
        }
        _ => return None,
    };
    let event = event_before_where(context);
    let property = event.and_then(|event| {
        schema
            .events
            .iter()
            .filter(|e| e.name.value == event)
            .flat_map(|e| e.properties.iter())
            .find(|p| p.name.value == attribute)
    });
    let decl = property.or_else(|| schema.attributes.iter().find(|a| a.name.value == attribute))?;
    match &decl.value_type.value {
        ValueType::Enum(choices) => Some(choices.iter().map(|c| c.value.clone()).collect()),
        ValueType::Bool if last == "=" => Some(vec!["true".into(), "false".into()]),
        _ => None,
    }
}

/// Whether the number the grammar accepts here is a duration.
fn wants_duration(context: &Context) -> bool {
    let first = context.first().unwrap_or("");
    match context.last() {
        Some("wait" | "to" | "within" | "per") => true,
        Some("for") => first == "trigger",
        Some("after") => first == "reentry",
        Some("trigger") => true,
        _ => false,
    }
}

/// The durations written in the text (`3d`, `12h`), shortest first.
fn durations(text: &str) -> Vec<String> {
    let mut found: Vec<(u64, String)> = context::tokens(text)
        .into_iter()
        .filter_map(|t| {
            let minutes = crate::syntax::duration_minutes(t.text).ok()?;
            t.text
                .bytes()
                .next()?
                .is_ascii_digit()
                .then(|| (minutes, t.text.to_string()))
        })
        .collect();
    found.sort();
    found.dedup();
    found.into_iter().map(|(_, text)| text).collect()
}

#[cfg(test)]
mod tests {
    use super::super::position::Encoding;
    use super::super::session::Session;
    use lsp_types::Uri;
    use std::str::FromStr;

    const SCHEMA: &str = "schema {\n  attribute tier: gold | silver | bronze\n  attribute is_vip: bool\n  attribute contract_end: date\n  event purchase { amount: number }\n  event click\n  channel email\n  channel call needs no consent\n  team sales\n  segment buyers\n  tag vip\n}\n";

    /// What is offered at the `|` in `program`, checked against the schema.
    fn offered(program: &str) -> Vec<String> {
        let at = program.find('|').expect("a cursor");
        let text = program.replace('|', "");
        let mut session = Session::new(Encoding::Utf16, vec![]);
        let schema = Uri::from_str("file:///work/schema.nurture").unwrap();
        session.open(schema, 1, SCHEMA.to_string());
        let uri = Uri::from_str("file:///work/p.nurture").unwrap();
        session.open(uri.clone(), 1, text);
        let analysis = session.analysis(&uri).unwrap();
        let document = session.document(&uri).unwrap();
        let (offers, _) = super::complete(document, &analysis, at);
        offers.into_iter().map(|o| o.label).collect()
    }

    const HEAD: &str = "program p {\n  kind welcome\n  trigger event click\n";

    #[test]
    fn names_where_they_go() {
        let channels = offered(&format!("{HEAD}  step a {{\n    send |"));
        assert_eq!(channels, ["email", "call"]);
        let kinds = offered("program p {\n  kind |");
        assert!(kinds.contains(&"wake_up".to_string()) && kinds.contains(&"retain".to_string()));
        let teams = offered(&format!("{HEAD}  step a {{\n    notify |"));
        assert_eq!(teams, ["owner", "sales"]);
        let segments = offered("program p {\n  trigger segment |");
        assert_eq!(segments, ["buyers"]);
        let tags = offered("program p {\n  trigger tag added |");
        assert_eq!(tags, ["vip"]);
        let tags = offered("program p {\n  trigger tag removed |");
        assert_eq!(tags, ["vip"]);
        let phases = offered("program p {\n  trigger phase becomes |");
        assert_eq!(phases, ["welcome", "develop", "retain", "win_back"]);
        let events = offered(&format!("{HEAD}  step a {{\n    wait up to 3d for |"));
        assert_eq!(events, ["purchase", "click"]);
    }

    #[test]
    fn a_fallback_offers_channels_and_a_window_days() {
        let channels = offered(&format!("{HEAD}  step a {{\n    send email \"x\" or |"));
        assert_eq!(channels, ["email", "call"]);
        let after_send = offered(&format!("{HEAD}  step a {{\n    send email \"x\" |"));
        assert!(after_send.contains(&"or".to_string()), "{after_send:?}");
        let header = offered("program p {\n  kind welcome\n  |");
        assert!(header.contains(&"window".to_string()), "{header:?}");
        let days = offered("program p {\n  window |");
        assert_eq!(days, ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]);
        let after_range = offered("program p {\n  window mon..|");
        assert_eq!(
            after_range,
            ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        );
    }

    #[test]
    fn a_waits_arms_offer_its_events_and_timeout() {
        let arms = offered(&format!(
            "{HEAD}  step a {{\n    wait up to 3d for click or purchase {{\n      |"
        ));
        assert_eq!(&arms[..2], ["click", "purchase"]);
        assert!(arms.contains(&"timeout".to_string()), "{arms:?}");
        assert!(!arms.contains(&"send".to_string()), "{arms:?}");
    }

    #[test]
    fn choices_after_a_comparison_and_in_a_list() {
        let after_eq = offered("program p {\n  audience tier == |");
        assert_eq!(&after_eq[..3], ["gold", "silver", "bronze"]);
        let in_list = offered("program p {\n  audience tier in [gold, |");
        assert_eq!(&in_list[..3], ["gold", "silver", "bronze"]);
        let set_bool = offered(&format!("{HEAD}  step a {{\n    set is_vip = |"));
        assert_eq!(&set_bool[..2], ["true", "false"]);
    }

    #[test]
    fn a_date_trigger_offers_dates_only() {
        assert_eq!(
            offered("program p {\n  trigger 30d before |"),
            ["contract_end"]
        );
    }

    #[test]
    fn statements_in_a_step_and_clauses_in_the_header() {
        let statements = offered(&format!("{HEAD}  step a {{\n    |"));
        for word in ["send", "wait", "branch", "exit", "->"] {
            assert!(
                statements.contains(&word.to_string()),
                "{word} in {statements:?}"
            );
        }
        assert!(!statements.contains(&"trigger".to_string()));
        let clauses = offered(&format!("{HEAD}  |"));
        for word in ["title", "goal", "step", "holdout"] {
            assert!(clauses.contains(&word.to_string()), "{word} in {clauses:?}");
        }
    }

    #[test]
    fn nothing_in_a_comment_or_a_text() {
        assert_eq!(offered(&format!("{HEAD}  # send |")), Vec::<String>::new());
        assert_eq!(
            offered(&format!("{HEAD}  title \"we |")),
            Vec::<String>::new()
        );
    }

    #[test]
    fn durations_and_outcomes_in_use() {
        let program = format!(
            "{HEAD}  step a {{\n    wait 3d\n    wait 12h\n    exit done\n  }}\n  step b {{\n    wait |"
        );
        assert_eq!(&offered(&program)[..2], ["12h", "3d"]);
        let program = format!("{HEAD}  step a {{\n    exit done\n  }}\n  step b {{\n    exit |");
        assert_eq!(offered(&program), ["done"]);
    }
}
