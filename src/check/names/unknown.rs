//! Names the schema does not declare: events (N204), channels (N206),
//! teams for `notify` (N207), segments (N208) and tags (N209). Attributes
//! and event properties are checked with the conditions they appear in
//! (`conditions.rs`), where a bare word may also be a fixed choice.

use super::known::Known;
use super::uses::{self, statements};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::span::Name;
use crate::syntax::ast::{ClauseKind, CondKind, Program, StatementKind, TriggerKind};
use std::collections::BTreeSet;

/// A name the schema does not know: "did you mean" when one is close,
/// otherwise how to declare it.
pub(super) fn unknown<'k>(
    code: Code,
    name: &Name,
    message: String,
    candidates: impl Iterator<Item = &'k str>,
    missing: &str,
    declare: String,
) -> Diagnostic {
    let diagnostic = Diagnostic::new(code, message);
    match crate::suggest::closest(name.as_str(), candidates) {
        Some(close) => diagnostic.did_you_mean(name.span, close).help(format!(
            "write `{close}`, or, if `{}` is new, {declare}",
            name.as_str()
        )),
        None => diagnostic
            .label(name.span, missing)
            .help(format!("check the spelling, or {declare}")),
    }
}

/// A stand-in after an error, or a reserved word (N001 already): nothing
/// to report, nothing to suggest declaring.
fn skip(name: &Name) -> bool {
    name.as_str().is_empty() || crate::syntax::is_reserved(name.as_str())
}

pub(super) fn events(program: &Program, known: &Known, found: &mut Vec<Diagnostic>) {
    for event in uses::events(program) {
        if skip(event) || known.events.contains_key(event.as_str()) {
            continue;
        }
        let mut diagnostic = unknown(
            Code::UnknownEvent,
            event,
            format!("`{}` is not an event in the schema", event.as_str()),
            known.events.keys().copied(),
            "not in the schema",
            format!("declare it in the schema: `event {}`", event.as_str()),
        );
        // An arm repeats the name its wait lists (and is not reported
        // again): the fix writes the close name in both.
        if let Some(fix) = diagnostic.fixes.first_mut() {
            let close = fix
                .edits
                .first()
                .map(|e| e.text.clone())
                .unwrap_or_default();
            for repeated in repeated_in_arms(program, event) {
                fix.edits.push(crate::diagnostic::Edit {
                    span: repeated.span,
                    text: close.clone(),
                });
            }
        }
        found.push(diagnostic);
    }
}

/// The arms of the wait that lists `event` which name it again.
fn repeated_in_arms<'p>(program: &'p Program, event: &Name) -> Vec<&'p Name> {
    let mut found = Vec::new();
    for statement in statements(program) {
        let StatementKind::WaitFor(wait) = &statement.kind else {
            continue;
        };
        if !wait.events.iter().any(|e| e.span == event.span) {
            continue;
        }
        for arm in &wait.arms {
            if let crate::syntax::ast::WaitOn::Event { event: named, .. } = &arm.on {
                if named.value == event.value {
                    found.push(named);
                }
            }
        }
    }
    found
}

pub(super) fn channels(program: &Program, known: &Known, found: &mut Vec<Diagnostic>) {
    let mut named: Vec<&Name> = Vec::new();
    let mut capped = Vec::new();
    for clause in &program.clauses {
        match &clause.kind {
            ClauseKind::Consent(channels) => named.extend(channels),
            ClauseKind::Cap(cap) => {
                named.extend(&cap.channel);
                capped.extend(cap.channel.as_ref().map(|c| c.span));
            }
            _ => {}
        }
    }
    for statement in statements(program) {
        named.extend(statement.kind.send_channels());
    }
    for (_, cond) in uses::conditions(program) {
        for test in uses::tests(cond) {
            if let CondKind::Consent(channel) = &test.kind {
                named.push(channel);
            }
        }
    }
    named.sort_by_key(|name| name.span);
    for channel in named {
        if skip(channel) || known.channels.contains(channel.as_str()) {
            continue;
        }
        // `cap 3 message per 14d`: most likely `messages`, all channels.
        let in_cap = capped.contains(&channel.span);
        found.push(unknown(
            Code::UnknownChannel,
            channel,
            format!("`{}` is not a channel in the schema", channel.as_str()),
            known
                .channels
                .iter()
                .copied()
                .chain(in_cap.then_some("messages")),
            "not in the schema",
            format!(
                "declare it in the schema: `channel {}` (add `needs no consent` if customers need not opt in)",
                channel.as_str()
            ),
        ));
    }
}

pub(super) fn recipients(program: &Program, known: &Known, found: &mut Vec<Diagnostic>) {
    for statement in statements(program) {
        let StatementKind::Notify { recipient, .. } = &statement.kind else {
            continue;
        };
        let name = recipient.as_str();
        // `owner` is the program's own `owner`, whether the schema lists it or not.
        if skip(recipient) || name == "owner" || known.teams.contains(name) {
            continue;
        }
        found.push(unknown(
            Code::UnknownRecipient,
            recipient,
            format!("`{name}` is not a team `notify` can reach"),
            known.teams.iter().copied().chain(["owner"]),
            "not in the schema",
            format!("declare the team in the schema: `team {name}`"),
        ));
    }
}

pub(super) fn segments(program: &Program, known: &Known, found: &mut Vec<Diagnostic>) {
    for clause in &program.clauses {
        let ClauseKind::Trigger(trigger) = &clause.kind else {
            continue;
        };
        let TriggerKind::Segment { segment, .. } = &trigger.kind else {
            continue;
        };
        let name = segment.as_str();
        if skip(segment) || known.segments.contains(name) {
            continue;
        }
        found.push(unknown(
            Code::UnknownSegment,
            segment,
            format!("`{name}` is not a segment in the schema"),
            known.segments.iter().copied(),
            "not in the schema",
            format!("declare it in the schema: `segment {name}`"),
        ));
    }
}

/// `has tag X`, `untag X` and `trigger tag added|removed X` need X to exist: declared in the schema (set
/// by other programs or systems) or added by `tag X` in this program.
pub(super) fn tags(program: &Program, known: &Known, found: &mut Vec<Diagnostic>) {
    let mut added: BTreeSet<&str> = BTreeSet::new();
    let mut named: Vec<&Name> = Vec::new();
    for statement in statements(program) {
        match &statement.kind {
            StatementKind::Tag(tag) => {
                added.insert(tag.as_str());
            }
            StatementKind::Untag(tag) => named.push(tag),
            _ => {}
        }
    }
    for (_, cond) in uses::conditions(program) {
        for test in uses::tests(cond) {
            if let CondKind::HasTag(tag) = &test.kind {
                named.push(tag);
            }
        }
    }
    // A hand-off on a tag (`trigger tag added vip`) waits for a tag some
    // program or system puts on or takes off.
    for clause in &program.clauses {
        if let ClauseKind::Trigger(trigger) = &clause.kind
            && let TriggerKind::Tag { tag, .. } = &trigger.kind
        {
            named.push(tag);
        }
    }
    named.sort_by_key(|name| name.span);
    for tag in named {
        let name = tag.as_str();
        if skip(tag) || known.tags.contains(name) || added.contains(name) {
            continue;
        }
        // What the check knows is the schema and this program: the system
        // that sends events may add tags too (those are declared in the
        // schema), so the title says no more than that.
        let diagnostic = Diagnostic::new(
            Code::UnknownTag,
            format!("`{name}` is not a tag the schema declares or this program adds"),
        );
        let declare = format!(
            "if the sending system or another program adds `{name}`, declare it in the schema: `tag {name}`"
        );
        let candidates = known.tags.iter().chain(&added).copied();
        found.push(match crate::suggest::closest(name, candidates) {
            Some(close) => diagnostic
                .did_you_mean(tag.span, close)
                .help(format!("write `{close}`; {declare}")),
            None => diagnostic
                .label(
                    tag.span,
                    "not in the schema, and no `tag` in this program adds it",
                )
                .help(format!("check the spelling; {declare}")),
        });
    }
}
