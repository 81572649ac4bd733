//! Names and values (N2xx): a program against the customer schema, and the
//! schema file's own structure.
//!
//! With a schema, every attribute, event, event property, channel, team,
//! segment and tag a program names must be declared in it, and values must
//! fit the types it gives. Without one, the ranges of durations, caps and
//! the holdout are checked (`ranges`), and the conditions as far as the
//! built-in `score` and `phase` and the values written out tell their
//! types.
//!
//! | file | codes |
//! |---|---|
//! | `duplicates.rs` | N201, in a schema file |
//! | `builtins.rs` | N214 in a schema file, N215: the built-in `score` and `phase` |
//! | `caps.rs` | N216: a cap on a channel nothing is sent on |
//! | `unknown.rs` | N204, N206–N209: events, channels, teams, segments, tags |
//! | `conditions.rs` | N203, N205, N210, N211 in conditions and date triggers |
//! | `set.rs` | N203, N211, N212 in `set` |
//! | `data.rs` | N220–N222: `trigger.PROPERTY` and `answer.PROPERTY` |
//! | `ranges.rs` | N213 |
//!
//! N202 (a type that does not exist) is reported while reading the schema.

mod builtins;
mod caps;
mod conditions;
mod data;
mod duplicates;
mod known;
mod ranges;
mod set;
mod unknown;
mod uses;

use crate::diagnostic::Diagnostic;
use crate::syntax::ast::{Program, Schema};
use known::Known;

/// Checks a program's names and values. `already` holds what was reported
/// so far for the file, so that a value parsing could not read is not
/// reported again.
pub fn check(
    program: &Program,
    source: &str,
    schema: Option<&Schema>,
    already: &[Diagnostic],
) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    ranges::check(program, source, already, &mut found);
    builtins::set_builtins(program, source, &mut found);
    match schema {
        Some(schema) => {
            let mut known = Known::new(schema);
            known.read_triggers(program);
            data::check(program, &known, &mut found);
            unknown::events(program, &known, &mut found);
            unknown::channels(program, &known, &mut found);
            unknown::recipients(program, &known, &mut found);
            unknown::segments(program, &known, &mut found);
            unknown::tags(program, &known, &mut found);
            conditions::check(program, source, &known, &mut found);
            set::check(program, source, &known, &mut found);
            caps::check(program, source, &known, &mut found);
        }
        // Without a schema, the built-ins and the values written out are
        // still typed: `score >= "thirty"` can never hold.
        None => {
            let known = Known::open();
            data::check(program, &known, &mut found);
            conditions::check(program, source, &known, &mut found);
            caps::check(program, source, &known, &mut found);
        }
    }
    found
}

pub(crate) use set::format_data;

/// N212 when an event's property of type `value` cannot be kept in
/// `attribute` (for `set … = answer.PROPERTY`, typed along the flow).
pub(crate) fn keeps_type(
    schema: &Schema,
    attribute: &crate::span::Name,
    written: &str,
    span: crate::span::Span,
    value: &crate::syntax::ast::ValueType,
) -> Option<Diagnostic> {
    let known = Known::new(schema);
    let ty = known.attributes.get(attribute.as_str())?;
    set::keeps(
        attribute,
        known::Ty::of(ty),
        written,
        span,
        known::Ty::of(value),
    )
}

/// Checks a schema file: every name declared once, the built-ins with
/// their own types.
pub fn check_schema(schema: &Schema) -> Vec<Diagnostic> {
    let mut found = duplicates::check(schema);
    builtins::check_schema(schema, &mut found);
    found
}

/// Whether sending on `channel` needs the customer's opt-in: as the schema
/// says. A channel the schema does not declare is reported as unknown
/// (N206) and not again for its consent. Without a schema, every channel
/// but `call` and `letter` needs opt-in.
pub fn needs_consent(schema: Option<&Schema>, channel: &str) -> bool {
    match schema {
        Some(schema) => schema
            .channels
            .iter()
            .find(|c| c.name.as_str() == channel)
            .is_some_and(|declared| declared.needs_consent),
        None => super::default_needs_consent(channel),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::ast::ValueType;

    const SCHEMA: &str = "schema {
  attribute tier: gold | silver | bronze
  attribute interests: list of text
  attribute last_order.amount: number
  event purchase { amount: number, product: text }
  event open
  channel email
  channel call needs no consent
  team owner, sales
  segment power_users
  tag vip, do_not_contact
}";

    fn schema() -> Schema {
        let parsed = crate::syntax::parse(SCHEMA);
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        assert!(parsed.program.is_none());
        // Test code, on the constant above: never user input.
        parsed.schema.expect("a schema")
    }

    #[test]
    fn a_schema_is_read_with_every_entry() {
        let schema = schema();
        let names = |list: &[crate::span::Name]| {
            list.iter()
                .map(|n| n.as_str().to_string())
                .collect::<Vec<_>>()
        };
        let ValueType::Enum(choices) = &schema.attributes[0].value_type.value else {
            // Test code, on the constant schema above: never user input.
            panic!("tier is an enumeration");
        };
        assert_eq!(names(choices), ["gold", "silver", "bronze"]);
        assert_eq!(schema.attributes[1].value_type.value, ValueType::ListOfText);
        assert_eq!(schema.attributes[2].name.as_str(), "last_order.amount");
        assert_eq!(schema.events[0].properties.len(), 2);
        assert!(schema.events[1].properties.is_empty());
        assert_eq!(names(&schema.teams), ["owner", "sales"]);
        assert_eq!(names(&schema.tags), ["vip", "do_not_contact"]);
        // Spans point at the text.
        let tier = &schema.attributes[0].name;
        assert_eq!(&SCHEMA[tier.span.start..tier.span.end], "tier");
    }

    #[test]
    fn consent_follows_the_schema() {
        let schema = schema();
        assert!(needs_consent(Some(&schema), "email"));
        assert!(!needs_consent(Some(&schema), "call"));
        // Unknown to the schema: reported as N206, not again as N310.
        assert!(!needs_consent(Some(&schema), "sms"));
        // Without a schema: everything but calls and letters.
        assert!(needs_consent(None, "sms"));
        assert!(!needs_consent(None, "letter"));
    }

    #[test]
    fn a_schema_file_is_checked_as_a_schema() {
        let found = crate::check::check_text_with(SCHEMA, Some(&schema()));
        assert!(found.is_empty(), "{found:?}");
        assert!(crate::syntax::holds_schema("# customers\nschema {}"));
        assert!(!crate::syntax::holds_schema("program schema {}"));
    }
}
