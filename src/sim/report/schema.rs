//! The JSON Schema of `simulate --output-format json` (`nurture schema
//! simulate`, committed as docs/simulate.schema.json): drawn from the
//! report's types by schemars, made standard by `crate::json_schema`, and
//! strict — no object takes a field the report does not write, and every
//! field is required, since the report writes each one, `null` included —
//! but `shard`, which only the report of a shard (`--shard I/N`) has,
//! `portfolio`, which only a run of programs together has, and an entry's
//! `held_by_group` (and a shard's tally's `held`), which only a program a
//! group held customers out of has.

use super::Report;
use serde_json::Value;

/// Where the schema says it lives (`crate::formats` names them all alike).
pub const ID: &str = "https://nurture.dev/schemas/simulate-1.schema.json";

/// The schema as pretty JSON with a trailing newline.
pub fn json_schema() -> String {
    crate::json_schema::document(schemars::schema_for!(Report), ID, |value| {
        strict(value);
        // Only a shard's report has `shard`.
        if let Some(Value::Array(required)) = value.get_mut("required") {
            required.retain(|name| name != "shard");
        }
    })
}

fn strict(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Object(properties)) = map.get("properties") {
                // The report writes every field, `null` included.
                // But `portfolio`: only a run of programs together has it;
                // and `held_by_group`, a tally's `held`: only a program
                // its group held out.
                let every: Vec<Value> = properties
                    .keys()
                    .filter(|name| !["portfolio", "held_by_group", "held"].contains(&name.as_str()))
                    .cloned()
                    .map(Value::from)
                    .collect();
                map.insert("required".to_string(), Value::Array(every));
                if !map.contains_key("additionalProperties") {
                    map.insert("additionalProperties".to_string(), Value::Bool(false));
                }
            }
            for (_, inner) in map.iter_mut() {
                strict(inner);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strict),
        _ => {}
    }
}
