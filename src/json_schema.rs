//! JSON Schema documents as strict standard validators take them (Ajv in
//! strict mode, the `jsonschema` crate, …). schemars describes Rust's
//! integer and float types with formats of its own (`uint32`, `double`),
//! which no standard validator knows and a strict one refuses; here they
//! become the bounds they stand for, and the document gets its absolute
//! `$id`. The registry of documents is `crate::formats`.

use serde_json::{Map, Value};

/// The JSON Schema dialect every document of nurture's is written in.
pub const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// The formats JSON Schema 2020-12 defines; any other is schemars' own.
const STANDARD_FORMATS: [&str; 19] = [
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

/// Turns schemars' non-standard formats into bounds (`uint16` is at most
/// 65,535; `uint32` at most 4,294,967,295; `int32` within its range) and
/// drops the rest (`uint64`, `int64`, `double`: JSON numbers have no such
/// kinds), everywhere in `value`.
pub fn standard_formats(value: &mut Value) {
    match value {
        Value::Object(object) => {
            if let Some(Value::String(format)) = object.get("format")
                && !STANDARD_FORMATS.contains(&format.as_str())
            {
                let bounds: Option<(i64, u64)> = match format.as_str() {
                    "uint8" => Some((0, u64::from(u8::MAX))),
                    "uint16" => Some((0, u64::from(u16::MAX))),
                    "uint32" => Some((0, u64::from(u32::MAX))),
                    "int8" => Some((i64::from(i8::MIN), i8::MAX as u64)),
                    "int16" => Some((i64::from(i16::MIN), i16::MAX as u64)),
                    "int32" => Some((i64::from(i32::MIN), i32::MAX as u64)),
                    _ => None,
                };
                object.remove("format");
                if let Some((minimum, maximum)) = bounds {
                    object.insert("minimum".into(), minimum.into());
                    object.insert("maximum".into(), maximum.into());
                }
            }
            object.values_mut().for_each(standard_formats);
        }
        Value::Array(items) => items.iter_mut().for_each(standard_formats),
        _ => {}
    }
}

/// The object at `path` (keys from the root), if there is one.
pub fn object_at<'v>(value: &'v mut Value, path: &[&str]) -> Option<&'v mut Map<String, Value>> {
    let mut at = value;
    for key in path {
        at = at.as_object_mut()?.get_mut(*key)?;
    }
    at.as_object_mut()
}

/// A schemars document made standard (see [`standard_formats`]), with its
/// `$id` and the 2020-12 dialect, as pretty JSON with a trailing newline.
/// `edit` adds what schemars cannot say (a pattern, `unevaluatedProperties`).
pub fn document(schema: schemars::Schema, id: &str, edit: impl FnOnce(&mut Value)) -> String {
    let mut value = schema.to_value();
    standard_formats(&mut value);
    if let Some(root) = value.as_object_mut() {
        root.insert("$schema".into(), DIALECT.into());
        root.insert("$id".into(), id.into());
    }
    edit(&mut value);
    // schemars writes `$id`, `$schema`, `title` and `type` first and `$defs`
    // last, which reads better than sorted keys.
    let ordered = schemars::Schema::try_from(value).unwrap_or_default();
    match serde_json::to_string_pretty(&ordered) {
        Ok(mut json) => {
            json.push('\n');
            json
        }
        Err(error) => format!("{{\"error\": {:?}}}\n", error.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn formats_become_bounds() {
        let mut value = json!({
            "a": {"type": "integer", "format": "uint32", "minimum": 0},
            "b": [{"type": "number", "format": "double"}, {"type": "string", "format": "date-time"}],
            "c": {"type": "integer", "format": "int64"}
        });
        standard_formats(&mut value);
        assert_eq!(
            value,
            json!({
                "a": {"type": "integer", "minimum": 0, "maximum": 4_294_967_295_u64},
                "b": [{"type": "number"}, {"type": "string", "format": "date-time"}],
                "c": {"type": "integer"}
            })
        );
    }
}
