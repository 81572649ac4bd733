//! The JSON Schema of `simulate --output-format json` (`nurture schema
//! simulate`, committed as docs/simulate.schema.json): drawn from the
//! report's types by schemars, then made strict and standard — no object
//! takes a field the report does not write, and the integer and number
//! `format`s schemars adds (`uint64`, `double`), which are no standard
//! formats and which strict validators refuse, are left out (`minimum: 0`
//! says what `uint64` meant); every field is required, since the report
//! writes each one, `null` included — but `shard`, which only the report
//! of a shard (`--shard I/N`) has.

use super::Report;
use serde_json::Value;

/// Where the schema says it lives; a name, never fetched.
pub const ID: &str = "urn:nurture:schema:simulate:1";

pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Report);
    let mut value = serde_json::to_value(&schema).unwrap_or(Value::Null);
    strict(&mut value);
    if let Value::Object(map) = &mut value {
        map.insert("$id".to_string(), Value::from(ID));
        // Only a shard's report has `shard`.
        if let Some(Value::Array(required)) = map.get_mut("required") {
            required.retain(|name| name != "shard");
        }
    }
    match serde_json::to_string_pretty(&value) {
        Ok(mut json) => {
            json.push('\n');
            json
        }
        Err(error) => format!("{{\"error\": {:?}}}\n", error.to_string()),
    }
}

/// The formats JSON Schema 2020-12 defines; any other is dropped.
const STANDARD_FORMATS: &[&str] = &[
    "date-time",
    "date",
    "time",
    "duration",
    "email",
    "idn-email",
    "hostname",
    "idn-hostname",
    "ipv4",
    "ipv6",
    "uri",
    "uri-reference",
    "iri",
    "iri-reference",
    "uuid",
    "uri-template",
    "json-pointer",
    "relative-json-pointer",
    "regex",
];

fn strict(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let custom = map
                .get("format")
                .and_then(Value::as_str)
                .is_some_and(|f| !STANDARD_FORMATS.contains(&f));
            if custom {
                map.remove("format");
            }
            if let Some(Value::Object(properties)) = map.get("properties") {
                // The report writes every field, `null` included.
                let every: Vec<Value> = properties.keys().cloned().map(Value::from).collect();
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
