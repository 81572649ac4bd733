//! Reading customers and events for `nurture replay`: exact outcomes for
//! every column kind, every kind of bad row, and the sample files.

use nurture::run::input::{Format, RowError, parse_time, read_customers, read_events, show_time};
use nurture::run::{Customer, Datum, Event};
use nurture::syntax::ast::Schema;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const SCHEMA: &str = r#"
schema {
  attribute tier: gold | silver | bronze
  attribute lifetime_value: number
  attribute is_key_account: bool
  attribute contract_end: date
  attribute reminder_every: duration
  attribute interests: list of text
  attribute role: text
  attribute last_order.product: text
  event purchase { amount: number, product: text }
  event click { link: text }
  event open
  segment power_users, high_churn_risk
  channel email
  tag vip
}
"#;

fn schema() -> Schema {
    let parsed = nurture::syntax::parse(SCHEMA);
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    parsed.schema.unwrap()
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn at(text: &str) -> i64 {
    parse_time(text).unwrap()
}

fn errors(errors: &[RowError]) -> Vec<String> {
    errors.iter().map(ToString::to_string).collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|item| item.to_string()).collect()
}

fn txt(value: &str) -> Datum {
    Datum::Text(value.to_string())
}

fn csv(text: &str, schema: Option<&Schema>) -> (Vec<Customer>, Vec<String>) {
    let (customers, problems) = read_customers("customers.csv", text, Format::Csv, schema);
    (customers, errors(&problems))
}

fn jsonl(text: &str, schema: Option<&Schema>) -> (Vec<Customer>, Vec<String>) {
    let (customers, problems) = read_customers("customers.jsonl", text, Format::JsonLines, schema);
    (customers, errors(&problems))
}

fn events(text: &str, schema: Option<&Schema>) -> (Vec<Event>, Vec<String>) {
    let (events, problems) = read_events("events.jsonl", text, schema);
    (events, errors(&problems))
}

fn ids(customers: &[Customer]) -> Vec<&str> {
    customers.iter().map(|c| c.id.as_str()).collect()
}

// ---------------------------------------------------------------------------
// Formats and times

#[test]
fn formats_come_from_the_extension() {
    assert_eq!(
        Format::from_path(Path::new("a/customers.csv")),
        Some(Format::Csv)
    );
    assert_eq!(Format::from_path(Path::new("C.CSV")), Some(Format::Csv));
    assert_eq!(
        Format::from_path(Path::new("c.jsonl")),
        Some(Format::JsonLines)
    );
    assert_eq!(
        Format::from_path(Path::new("c.ndjson")),
        Some(Format::JsonLines)
    );
    assert_eq!(Format::from_path(Path::new("c.json")), None);
    assert_eq!(Format::from_path(Path::new("customers")), None);
}

#[test]
fn times_round_trip_and_offsets_are_applied() {
    assert_eq!(parse_time("1970-01-01T00:00:00Z"), Some(0));
    assert_eq!(parse_time("2026-03-01T09:00:00Z"), Some(1_772_355_600));
    assert_eq!(show_time(1_772_355_600), "2026-03-01T09:00:00Z");
    // The same moment, written in Berlin's winter time and in New York's.
    assert_eq!(parse_time("2026-03-01T10:00:00+01:00"), Some(1_772_355_600));
    assert_eq!(parse_time("2026-03-01T04:00:00-05:00"), Some(1_772_355_600));
    // A plain date is midnight UTC.
    assert_eq!(parse_time("2026-03-01"), Some(1_772_323_200));
    assert_eq!(show_time(1_772_323_200), "2026-03-01T00:00:00Z");
    // Fractions of a second are dropped; lower case and spaces are read.
    assert_eq!(parse_time("2026-03-01T09:00:00.750Z"), Some(1_772_355_600));
    assert_eq!(parse_time("2026-03-01t09:00:00z"), Some(1_772_355_600));
    assert_eq!(parse_time(" 2026-03-01 09:00:00Z "), Some(1_772_355_600));
    for at in [0, -1, 1_772_355_600, 4_102_444_799] {
        assert_eq!(parse_time(&show_time(at)), Some(at), "{at}");
    }
    // Before 1970 too.
    assert_eq!(show_time(-1), "1969-12-31T23:59:59Z");
}

#[test]
fn what_is_not_a_time() {
    for text in [
        "",
        "2026-03-01T09:00:00", // no offset: whose nine o'clock?
        "20260301",
        "2026-3-1",
        "2026-02-30",
        "01.03.2026",
        "2026-03-01T25:00:00Z",
        "yesterday",
        "2026-03-01Z",
    ] {
        assert_eq!(parse_time(text), None, "{text:?}");
    }
    assert_eq!(
        show_time(i64::MAX),
        "9223372036854775807 seconds after 1970-01-01T00:00:00Z"
    );
}

// ---------------------------------------------------------------------------
// Customers from CSV

#[test]
fn csv_with_every_column_kind() {
    let schema = schema();
    let text = "\
id,time_zone,consents,tags,segments,score,phase,last_event_at.purchase,tier,lifetime_value,is_key_account,contract_end,reminder_every,interests,role,last_order.product
c1,europe/berlin, email ; sms ,vip;;machine_owner,power_users,12,develop,2026-01-10T09:30:00Z,gold,1200.5,yes,2026-06-30,2w,coffee; bikes ,buyer,e-bike-city
c2,,,,,,,,,,,,,,,
";
    let (customers, problems) = csv(text, Some(&schema));
    assert_eq!(problems, Vec::<String>::new());
    let expected = Customer {
        id: "c1".into(),
        // The database's spelling of the name is kept.
        time_zone: Some("Europe/Berlin".into()),
        consents: set(&["email", "sms"]),
        tags: set(&["machine_owner", "vip"]),
        segments: set(&["power_users"]),
        score: 12,
        phase: Some("develop".into()),
        attributes: BTreeMap::from([
            ("tier".to_string(), txt("gold")),
            ("lifetime_value".to_string(), Datum::Number(1200.5)),
            ("is_key_account".to_string(), Datum::Bool(true)),
            (
                "contract_end".to_string(),
                Datum::Time(at("2026-06-30T00:00:00Z")),
            ),
            ("reminder_every".to_string(), Datum::Number(20160.0)),
            (
                "interests".to_string(),
                Datum::List(vec!["coffee".into(), "bikes".into()]),
            ),
            ("role".to_string(), txt("buyer")),
            ("last_order.product".to_string(), txt("e-bike-city")),
        ]),
        last_event_at: BTreeMap::from([("purchase".to_string(), at("2026-01-10T09:30:00Z"))]),
    };
    assert_eq!(
        customers,
        vec![
            expected,
            Customer {
                id: "c2".into(),
                ..Customer::default()
            }
        ]
    );
}

#[test]
fn csv_values_are_guessed_without_a_schema() {
    let text = "\
id,a,b,c,d,e,f,g,h
c1,TRUE,false,42,-0.5,2026-03-01,2026-03-01T10:00:00+01:00,gold,a;b
c2,yes,00123,inf,NaN,1e3,2026-03-01T09:00:00,3d,
";
    let (customers, problems) = csv(text, None);
    assert_eq!(problems, Vec::<String>::new());
    let attributes: Vec<_> = customers.iter().map(|c| c.attributes.clone()).collect();
    assert_eq!(
        attributes,
        vec![
            BTreeMap::from([
                ("a".to_string(), Datum::Bool(true)),
                ("b".to_string(), Datum::Bool(false)),
                ("c".to_string(), Datum::Number(42.0)),
                ("d".to_string(), Datum::Number(-0.5)),
                ("e".to_string(), Datum::Time(at("2026-03-01T00:00:00Z"))),
                ("f".to_string(), Datum::Time(at("2026-03-01T09:00:00Z"))),
                ("g".to_string(), txt("gold")),
                // Lists need a schema: without one, this is text.
                ("h".to_string(), txt("a;b")),
            ]),
            BTreeMap::from([
                ("a".to_string(), txt("yes")),
                ("b".to_string(), Datum::Number(123.0)),
                ("c".to_string(), txt("inf")),
                ("d".to_string(), txt("NaN")),
                ("e".to_string(), Datum::Number(1000.0)),
                ("f".to_string(), txt("2026-03-01T09:00:00")),
                ("g".to_string(), txt("3d")),
            ]),
        ]
    );
}

#[test]
fn csv_columns_the_schema_does_not_declare_are_told_once_and_ignored() {
    let schema = schema();
    let text = "\
id,tier,name,teir,last_event_at.purchase,last_event_at.purchse,last_event_at.segment_entered
c1,gold,Anna,gold,2026-01-01,2026-01-01,2026-01-02
c2,silver,Ben,silver,,,
";
    let (customers, problems) = csv(text, Some(&schema));
    assert_eq!(
        problems,
        [
            "customers.csv:1: note: column `name` is not an attribute in the schema; its values are ignored",
            "customers.csv:1: note: column `teir` is not an attribute in the schema; its values are ignored; did you mean `tier`?",
            "customers.csv:1: note: column `last_event_at.purchse` names `purchse`, which is not an event in the schema; did you mean `purchase`?; its values are ignored",
        ]
    );
    // Notes, not findings: no row was skipped.
    let (_, rows) = read_customers("customers.csv", text, Format::Csv, Some(&schema));
    assert_eq!(nurture::run::input::findings(&rows), 0);
    assert_eq!(ids(&customers), ["c1", "c2"]);
    assert_eq!(
        customers[0].attributes,
        BTreeMap::from([("tier".to_string(), txt("gold"))])
    );
    assert_eq!(
        customers[0].last_event_at,
        BTreeMap::from([
            ("purchase".to_string(), at("2026-01-01")),
            ("segment_entered".to_string(), at("2026-01-02")),
        ])
    );
}

#[test]
fn csv_bad_values_are_reported_with_their_line_and_the_row_skipped() {
    let schema = schema();
    let text = "\
id,time_zone,score,phase,tier,lifetime_value,is_key_account,contract_end,reminder_every,last_event_at.purchase
ok1,Asia/Tokyo,1,welcome,gold,1,true,2026-01-01,30m,
bad_zone,Europe/Berln,,,,,,,,
bad_score,,1.5,,,,,,,
bad_phase,,,winback,,,,,,
bad_enum,,,,platinum,,,,,
bad_number,,,,,\"1,200\",,,,
bad_bool,,,,,,maybe,,,
bad_date,,,,,,,01.03.2026,,
no_offset,,,,,,,2026-03-01T09:00:00,,
no_unit,,,,,,,,90,
bad_unit,,,,,,,,3 days,
bad_last,,,,,,,,,last week
two_bad,Mars/Olympus,x,,,,,,,
ok2,America/New_York,,,bronze,,no,,,
";
    let (customers, problems) = csv(text, Some(&schema));
    assert_eq!(ids(&customers), ["ok1", "ok2"]);
    assert_eq!(
        problems,
        [
            "customers.csv:3: `time_zone` must be an IANA time zone like `Europe/Berlin`; found `Europe/Berln`; did you mean `Europe/Berlin`?",
            "customers.csv:4: `score` must be a whole number, like `10` or `-5`; found `1.5`",
            "customers.csv:5: `phase` must be one of `welcome`, `develop`, `retain` or `win_back`; found `winback`; did you mean `win_back`?",
            "customers.csv:6: `tier` must be one of `gold`, `silver` or `bronze`; found `platinum`",
            "customers.csv:7: `lifetime_value` must be a number, like `1200` or `0.5`; found `1,200`",
            "customers.csv:8: `is_key_account` must be `true` or `false` (or `yes` or `no`); found `maybe`",
            "customers.csv:9: `contract_end` must be a date like `2026-03-01` or a time like `2026-03-01T09:00:00Z`; found `01.03.2026`",
            "customers.csv:10: `contract_end` must be a date like `2026-03-01` or a time like `2026-03-01T09:00:00Z`; found `2026-03-01T09:00:00`; add `Z` for UTC or an offset like `+01:00`",
            "customers.csv:11: `reminder_every` must be a duration like `30m`, `12h`, `3d` or `2w`; found `90`; add a unit, like `90d` for 90 days",
            "customers.csv:12: `reminder_every` must be a duration like `30m`, `12h`, `3d` or `2w`; found `3 days`",
            "customers.csv:13: `last_event_at.purchase` must be a date like `2026-03-01` or a time like `2026-03-01T09:00:00Z`; found `last week`",
            "customers.csv:14: `time_zone` must be an IANA time zone like `Europe/Berlin`; found `Mars/Olympus`",
            "customers.csv:14: `score` must be a whole number, like `10` or `-5`; found `x`",
        ]
    );
    assert_eq!(
        customers[0].attributes["reminder_every"],
        Datum::Number(30.0)
    );
    assert_eq!(
        customers[1].attributes["is_key_account"],
        Datum::Bool(false)
    );
}

#[test]
fn csv_ids_must_be_there_and_unique() {
    let text = "\
id,tier
c1,gold
,silver
c2,bronze
c1,silver
c2,gold
";
    let (customers, problems) = csv(text, None);
    assert_eq!(ids(&customers), ["c1", "c2"]);
    assert_eq!(customers[0].attributes["tier"], txt("gold"));
    assert_eq!(
        problems,
        [
            "customers.csv:3: the customer has no `id`",
            "customers.csv:5: customer `c1` is already on line 2",
            "customers.csv:6: customer `c2` is already on line 4",
        ]
    );
}

#[test]
fn csv_rows_with_the_wrong_number_of_fields() {
    let text = "\
id,tier,role
c1,gold,user
c2,gold
c3,gold,user,extra
\u{0}\u{1}\u{7f}garbage\u{fffd}\u{fffd}
c4,silver,buyer
";
    let (customers, problems) = csv(text, None);
    assert_eq!(ids(&customers), ["c1", "c4"]);
    assert_eq!(
        problems,
        [
            "customers.csv:3: this row has 2 fields, but the first line names 3 columns",
            "customers.csv:4: this row has 4 fields, but the first line names 3 columns",
            "customers.csv:5: this row has 1 fields, but the first line names 3 columns",
        ]
    );
}

#[test]
fn csv_a_quote_without_its_end_does_not_swallow_the_file() {
    let text = "\
id,tier,role
c1,gold,user
c2,\"gold,user
c3,silver,buyer
c4,bronze,admin
";
    let (customers, problems) = csv(text, None);
    assert_eq!(ids(&customers), ["c1", "c3", "c4"]);
    assert_eq!(
        problems,
        ["customers.csv:3: this row has 2 fields, but the first line names 3 columns"]
    );
}

#[test]
fn csv_quoted_fields_may_hold_commas_and_line_breaks() {
    let text = "id,role,note\r\nc1,\"buyer, mostly\",\"two\nlines\"\r\n\r\nc2,user,x\r\n";
    let (customers, problems) = csv(text, None);
    assert_eq!(problems, Vec::<String>::new());
    assert_eq!(ids(&customers), ["c1", "c2"]);
    assert_eq!(customers[0].attributes["role"], txt("buyer, mostly"));
    assert_eq!(customers[0].attributes["note"], txt("two\nlines"));
}

#[test]
fn csv_line_numbers_count_blank_lines_and_a_byte_order_mark_is_skipped() {
    let text = "\u{feff}\n\nid,score\n\nc1,x\n,,\nc2,3\n";
    let (customers, problems) = csv(text, None);
    assert_eq!(ids(&customers), ["c2"]);
    assert_eq!(
        problems,
        ["customers.csv:5: `score` must be a whole number, like `10` or `-5`; found `x`"]
    );
}

#[test]
fn csv_line_numbers_with_windows_line_ends() {
    let text = "id,score\r\nc1,1\r\n\r\nc2,x\r\nc3,\"two\r\nlines\"\r\nc4,y\r\n";
    let (customers, problems) = csv(text, None);
    assert_eq!(ids(&customers), ["c1"]);
    assert_eq!(
        problems,
        [
            "customers.csv:4: `score` must be a whole number, like `10` or `-5`; found `x`",
            "customers.csv:5: `score` must be a whole number, like `10` or `-5`; found `two\\r\\nlines`",
            "customers.csv:7: `score` must be a whole number, like `10` or `-5`; found `y`",
        ]
    );
}

#[test]
fn csv_headers_that_cannot_be_read() {
    assert_eq!(
        csv("", None).1,
        [
            "customers.csv:1: the file is empty: its first line must name the columns, one of them `id`"
        ]
    );
    assert_eq!(
        csv("name,tier\nAnna,gold\n", None).1,
        [
            "customers.csv:1: there is no `id` column: the first line must name the columns, one of them `id`"
        ]
    );
    assert_eq!(
        csv("id,\"tier\nc1,gold\n", None).1,
        [
            "customers.csv:1: the first line has a `\"` without its closing quote, so the columns cannot be read"
        ]
    );
    let (customers, problems) = csv("id,tier,,tier\nc1,gold,x,silver\n", None);
    assert_eq!(
        problems,
        [
            "customers.csv:1: column 3 has no name; its values are ignored",
            "customers.csv:1: column `tier` appears twice; only the first is read",
        ]
    );
    assert_eq!(
        customers[0].attributes,
        BTreeMap::from([("tier".to_string(), txt("gold"))])
    );
}

#[test]
fn very_long_values_are_read_and_cut_short_in_messages() {
    let long = "x".repeat(200_000);
    let text = format!("id,role,lifetime_value\nc1,{long},{long}\nc2,{long},1\n");
    let (customers, problems) = csv(&text, Some(&schema()));
    assert_eq!(ids(&customers), ["c2"]);
    assert_eq!(customers[0].attributes["role"], txt(&long));
    assert_eq!(
        problems,
        [format!(
            "customers.csv:2: `lifetime_value` must be a number, like `1200` or `0.5`; found `{}…`",
            "x".repeat(40)
        )]
    );
}

// ---------------------------------------------------------------------------
// Customers from JSON Lines

#[test]
fn jsonl_customers_with_every_field() {
    let schema = schema();
    let text = r#"{"id": "c1", "time_zone": "Europe/Berlin", "consents": ["email"], "tags": [], "segments": "power_users; high_churn_risk", "score": -3, "phase": null, "attributes": {"tier": "gold", "contract_end": "2026-01-10T00:00:00Z", "lifetime_value": 1200, "is_key_account": "yes", "interests": ["a", " b ", ""], "reminder_every": "12h", "last_order": {"product": "e-mtb"}, "role": ""}, "last_event_at": {"purchase": "2026-01-10T00:00:00Z"}}

{"id": 42}
"#;
    let (customers, problems) = jsonl(text, Some(&schema));
    assert_eq!(problems, Vec::<String>::new());
    let expected = Customer {
        id: "c1".into(),
        time_zone: Some("Europe/Berlin".into()),
        consents: set(&["email"]),
        tags: set(&[]),
        segments: set(&["high_churn_risk", "power_users"]),
        score: -3,
        phase: None,
        attributes: BTreeMap::from([
            ("tier".to_string(), txt("gold")),
            ("contract_end".to_string(), Datum::Time(at("2026-01-10"))),
            ("lifetime_value".to_string(), Datum::Number(1200.0)),
            ("is_key_account".to_string(), Datum::Bool(true)),
            (
                "interests".to_string(),
                Datum::List(vec!["a".into(), "b".into()]),
            ),
            ("reminder_every".to_string(), Datum::Number(720.0)),
            ("last_order.product".to_string(), txt("e-mtb")),
        ]),
        last_event_at: BTreeMap::from([("purchase".to_string(), at("2026-01-10"))]),
    };
    assert_eq!(
        customers,
        vec![
            expected,
            Customer {
                id: "42".into(),
                ..Customer::default()
            }
        ]
    );
}

#[test]
fn jsonl_values_keep_their_json_type_without_a_schema() {
    let text = r#"{"id": "c1", "attributes": {"a": true, "b": 2.5, "c": "2026-03-01", "d": "42", "e": ["x", "y"], "f": {"g": "deep"}, "h": null}}"#;
    let (customers, problems) = jsonl(text, None);
    assert_eq!(problems, Vec::<String>::new());
    assert_eq!(
        customers[0].attributes,
        BTreeMap::from([
            ("a".to_string(), Datum::Bool(true)),
            ("b".to_string(), Datum::Number(2.5)),
            ("c".to_string(), Datum::Time(at("2026-03-01"))),
            ("d".to_string(), txt("42")),
            ("e".to_string(), Datum::List(vec!["x".into(), "y".into()])),
            ("f.g".to_string(), txt("deep")),
        ])
    );
}

#[test]
fn jsonl_bad_customer_rows() {
    let schema = schema();
    let text = [
        r#"{"id": "ok1"}"#,
        r#"{"id": "c2", "attributes": {"tier": "gold""#,
        r#"["c3"]"#,
        "\u{0}\u{1}\u{2}binary\u{fffd}",
        r#"{"id": ["c5"]}"#,
        r#"{"id": "c6", "time_zone": 1}"#,
        r#"{"id": "c7", "consents": "email", "tags": [1, 2]}"#,
        r#"{"id": "c8", "score": 2.5}"#,
        r#"{"id": "c9", "attributes": {"tier": 3, "is_key_account": 1, "lifetime_value": "lots"}}"#,
        r#"{"id": "c10", "attributes": ["tier"]}"#,
        r#"{"id": "c11", "last_event_at": {"purchase": 17}}"#,
        r#"{"id": "c12", "attributes": {"last_order.product": "a", "last_order": {"product": "b"}}}"#,
        r#"{"time_zone": "UTC"}"#,
        r#"{"id": "ok1"}"#,
        r#"{"id": "ok2", "phase": "retain"}"#,
    ]
    .join("\n");
    let (customers, problems) = jsonl(&text, Some(&schema));
    assert_eq!(ids(&customers), ["ok1", "ok2"]);
    assert_eq!(
        problems,
        [
            "customers.jsonl:2: this line is not valid JSON: EOF while parsing an object (column 42)",
            "customers.jsonl:3: each line must be one JSON object, like `{\"id\": \"c1\"}`; this line is a list",
            "customers.jsonl:4: this line is not valid JSON: expected value (column 1)",
            "customers.jsonl:5: `id` must be text, like `\"c1\"`; found a list",
            "customers.jsonl:6: `time_zone` must be text; found the number `1`",
            "customers.jsonl:7: `tags` must be a list of texts, like `[\"email\", \"sms\"]`; found a list",
            "customers.jsonl:8: `score` must be a whole number, like `10` or `-5`; found the number `2.5`",
            "customers.jsonl:9: `is_key_account` must be `true` or `false` (or `yes` or `no`); found the number `1`",
            "customers.jsonl:9: `lifetime_value` must be a number, like `1200` or `0.5`; found `lots`",
            "customers.jsonl:9: `tier` must be one of `gold`, `silver` or `bronze`; found the number `3`",
            "customers.jsonl:10: `attributes` must be an object, like `{\"tier\": \"gold\"}`; found a list",
            "customers.jsonl:11: `last_event_at.purchase` must be text; found the number `17`",
            "customers.jsonl:12: `last_order.product` is given twice",
            "customers.jsonl:13: the customer has no `id`",
            "customers.jsonl:14: customer `ok1` is already on line 1",
        ]
    );
}

#[test]
fn jsonl_names_the_schema_does_not_declare_are_told_once() {
    let schema = schema();
    let text = r#"{"id": "c1", "name": "Anna", "tier": "gold", "attributes": {"teir": "gold", "tier": "gold"}, "last_event_at": {"clik": "2026-01-01"}}
{"id": "c2", "name": "Ben", "attributes": {"teir": "silver"}, "last_event_at": {"clik": "2026-01-01"}}
{"id": "c3", "attributes": {"city": "Graz"}}
"#;
    let (customers, problems) = jsonl(text, Some(&schema));
    assert_eq!(ids(&customers), ["c1", "c2", "c3"]);
    assert_eq!(
        customers[0].attributes,
        BTreeMap::from([("tier".to_string(), txt("gold"))])
    );
    assert_eq!(
        problems,
        [
            "customers.jsonl:1: note: `teir` is not an attribute in the schema; its values are ignored; did you mean `tier`?",
            "customers.jsonl:1: note: `last_event_at.clik` names `clik`, which is not an event in the schema; did you mean `click`?; its values are ignored",
            "customers.jsonl:1: `name` is not a customer field, so it is ignored; attributes go under `attributes`",
            "customers.jsonl:1: `tier` is not a customer field, so it is ignored; attributes go under `attributes`",
            "customers.jsonl:3: note: `city` is not an attribute in the schema; its values are ignored",
        ]
    );
}

// ---------------------------------------------------------------------------
// Events

#[test]
fn events_are_read_typed_and_sorted_by_time_stably() {
    let schema = schema();
    let text = r#"{"at": "2026-03-02T09:00:00Z", "customer": "c1", "event": "purchase", "properties": {"amount": "250", "product": "e-mtb"}}
{"at": "2026-03-01T10:00:00+01:00", "customer": "c2", "event": "open"}
{"at": "2026-03-01T09:00:00Z", "customer": "c2", "event": "click", "properties": {"link": "offer"}}
{"at": "2026-03-01", "customer": 7, "event": "segment_entered", "properties": {"segment": "power_users"}}
{"at": "2026-03-01T09:00:00Z", "customer": "c1", "event": "open", "properties": null}
"#;
    let (events, problems) = events(text, Some(&schema));
    assert_eq!(problems, Vec::<String>::new());
    let order: Vec<(String, &str, &str)> = events
        .iter()
        .map(|e| (show_time(e.at), e.customer.as_str(), e.name.as_str()))
        .collect();
    assert_eq!(
        order,
        [
            ("2026-03-01T00:00:00Z".to_string(), "7", "segment_entered"),
            // Three at the same second, in file order.
            ("2026-03-01T09:00:00Z".to_string(), "c2", "open"),
            ("2026-03-01T09:00:00Z".to_string(), "c2", "click"),
            ("2026-03-01T09:00:00Z".to_string(), "c1", "open"),
            ("2026-03-02T09:00:00Z".to_string(), "c1", "purchase"),
        ]
    );
    assert_eq!(
        events[4].properties,
        BTreeMap::from([
            ("amount".to_string(), Datum::Number(250.0)),
            ("product".to_string(), txt("e-mtb")),
        ])
    );
    assert_eq!(
        events[0].properties,
        BTreeMap::from([("segment".to_string(), txt("power_users"))])
    );
}

#[test]
fn event_properties_are_guessed_without_a_schema() {
    let text = r#"{"at": "2026-03-01T09:00:00Z", "customer": "c1", "event": "anything", "properties": {"n": 3, "b": false, "t": "2026-01-01", "s": "250", "l": ["a"], "o": {"p": 1}}}"#;
    let (events, problems) = events(text, None);
    assert_eq!(problems, Vec::<String>::new());
    assert_eq!(
        events[0].properties,
        BTreeMap::from([
            ("n".to_string(), Datum::Number(3.0)),
            ("b".to_string(), Datum::Bool(false)),
            ("t".to_string(), Datum::Time(at("2026-01-01"))),
            ("s".to_string(), txt("250")),
            ("l".to_string(), Datum::List(vec!["a".into()])),
            ("o.p".to_string(), Datum::Number(1.0)),
        ])
    );
}

#[test]
fn bad_event_rows() {
    let schema = schema();
    let text = [
        r#"{"at": "2026-03-01T09:00:00Z", "customer": "c1", "event": "open"}"#,
        r#"{"customer": "c1", "event": "open"}"#,
        r#"{"at": "2026-03-01T09:00:00", "customer": "c1", "event": "open"}"#,
        r#"{"at": 1772355600, "customer": "c1", "event": "open"}"#,
        r#"{"at": "2026-03-01T09:00:00Z", "event": "open"}"#,
        r#"{"at": "2026-03-01T09:00:00Z", "customer": "c1"}"#,
        r#"{"at": "2026-03-01T09:00:00Z", "customer": "c1", "event": "clik"}"#,
        r#"{"at": "2026-03-01T09:00:00Z", "customer": "c1", "event": "click", "properties": {"lnk": "offer"}}"#,
        r#"{"at": "2026-03-01T09:00:00Z", "customer": "c1", "event": "purchase", "properties": {"amount": "a lot"}}"#,
        r#"{"at": "2026-03-01T09:00:00Z", "customer": "c1", "event": "click", "properties": "offer"}"#,
        r#"{"at": "2026-03-01T09:00:00Z", "customer": "c1", "event": "segment_left"}"#,
        r#"{"at": "2026-03-01T09:00:00Z", "customer": "c1", "event": "segment_left", "properties": {"segment": "power_user"}}"#,
        r#"{"at": "2026-03-01T09:00:00Z", "customer": "c1", "event": "open""#,
        "not json at all",
        r#"{}"#,
        r#"{"at": "2026-02-01T09:00:00Z", "customer": "c2", "event": "open", "source": "crm"}"#,
    ]
    .join("\n");
    let (events, problems) = events(&text, Some(&schema));
    let read: Vec<&str> = events.iter().map(|e| e.customer.as_str()).collect();
    assert_eq!(read, ["c2", "c1"]);
    assert_eq!(
        problems,
        [
            "events.jsonl:2: the event has no `at`, the time it happened",
            "events.jsonl:3: `at` must be a date like `2026-03-01` or a time like `2026-03-01T09:00:00Z`; found `2026-03-01T09:00:00`; add `Z` for UTC or an offset like `+01:00`",
            "events.jsonl:4: `at` must be text; found the number `1772355600`",
            "events.jsonl:5: the event has no `customer`, the id of who did it",
            "events.jsonl:6: the event has no `event`, its name like `purchase`",
            "events.jsonl:7: `clik` is not an event in the schema; did you mean `click`?",
            "events.jsonl:8: `click` has no property `lnk` in the schema; did you mean `link`?",
            "events.jsonl:9: `amount` must be a number, like `1200` or `0.5`; found `a lot`",
            "events.jsonl:10: `properties` must be an object, like `{\"link\": \"offer\"}`; found the text `offer`",
            "events.jsonl:11: `segment_left` needs the property `segment`, naming the segment",
            "events.jsonl:12: `power_user` is not a segment in the schema; did you mean `power_users`?",
            "events.jsonl:13: this line is not valid JSON: EOF while parsing an object (column 64)",
            "events.jsonl:14: this line is not valid JSON: expected ident (column 2)",
            "events.jsonl:15: the event has no `at`, the time it happened",
            "events.jsonl:15: the event has no `customer`, the id of who did it",
            "events.jsonl:15: the event has no `event`, its name like `purchase`",
            "events.jsonl:16: `source` is not an event field, so it is ignored; properties go under `properties`",
        ]
    );
}

#[test]
fn reading_is_deterministic() {
    let text = std::fs::read_to_string(root().join("programs/sample/events.jsonl")).unwrap();
    let first = read_events("events.jsonl", &text, None);
    for _ in 0..3 {
        assert_eq!(read_events("events.jsonl", &text, None), first);
    }
}

// ---------------------------------------------------------------------------
// The sample files

fn bundled_schema() -> Schema {
    let text = std::fs::read_to_string(root().join("programs/schema.nurture")).unwrap();
    nurture::syntax::parse(&text).schema.unwrap()
}

#[test]
fn the_sample_files_read_clean_against_the_schema() {
    let schema = bundled_schema();
    let dir = root().join("programs/sample");
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();

    let (customers, problems) = read_customers(
        "customers.csv",
        &read("customers.csv"),
        Format::Csv,
        Some(&schema),
    );
    assert_eq!(errors(&problems), Vec::<String>::new());
    assert_eq!(customers.len(), 30);
    let zones: BTreeSet<_> = customers
        .iter()
        .filter_map(|c| c.time_zone.as_deref())
        .collect();
    for zone in ["Europe/Berlin", "America/New_York", "Asia/Tokyo"] {
        assert!(zones.contains(zone), "{zone}");
    }

    let (more, problems) = read_customers(
        "customers.jsonl",
        &read("customers.jsonl"),
        Format::JsonLines,
        Some(&schema),
    );
    assert_eq!(errors(&problems), Vec::<String>::new());
    assert_eq!(more.len(), 4);
    assert_eq!(
        more[0].attributes["last_order.amount"],
        Datum::Number(2490.0)
    );

    let (events, problems) = read_events("events.jsonl", &read("events.jsonl"), Some(&schema));
    assert_eq!(errors(&problems), Vec::<String>::new());
    assert!(events.len() >= 150, "{}", events.len());
    assert!(events.windows(2).all(|pair| pair[0].at <= pair[1].at));
    // Every event is someone's in the customers file.
    let known: BTreeSet<&str> = customers.iter().map(|c| c.id.as_str()).collect();
    for event in &events {
        assert!(
            known.contains(event.customer.as_str()),
            "{}",
            event.customer
        );
    }
    // Every kind the brief asks for is there.
    let kinds: BTreeSet<&str> = events.iter().map(|e| e.name.as_str()).collect();
    for kind in [
        "signup",
        "purchase",
        "open",
        "click",
        "reply",
        "fair_visit",
        "survey_answered",
        "cancel_requested",
        "unsubscribe",
        "segment_entered",
        "segment_left",
    ] {
        assert!(kinds.contains(kind), "{kind}");
    }
}

#[test]
fn deeply_nested_json_is_a_row_error_not_a_crash() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let attributes = format!(
        r#"{{"id": "c2", "attributes": {}"a": 1{}}}"#,
        r#"{"x": "#.repeat(200),
        "}".repeat(200)
    );
    let text = format!("{deep}\n{attributes}\n{{\"id\": \"c3\"}}\n");
    let (customers, problems) = jsonl(&text, None);
    assert_eq!(ids(&customers), ["c3"]);
    assert_eq!(
        problems,
        [
            "customers.jsonl:1: this line is not valid JSON: recursion limit exceeded (column 128)",
            "customers.jsonl:2: this line is not valid JSON: recursion limit exceeded (column 784)",
        ]
    );
}

/// Cells are trimmed of any white space, also the non-ASCII kinds (a
/// no-break space pasted from a spreadsheet), and a time zone is read the
/// same however often it repeats and however it is spelled.
#[test]
fn cells_are_trimmed_of_every_kind_of_space() {
    let text = "id,time_zone,role,consents\n\
                \u{a0}a1\u{a0},\teurope/berlin ,\u{2003}buyer\u{3000}, email ;\u{a0}sms\n\
                a2,Europe/Berlin,buyer,email\n\
                a3,europe/berlin,Käufer,\n";
    let (customers, problems) = csv(text, Some(&schema()));
    assert_eq!(problems, Vec::<String>::new());
    let ids: Vec<&str> = customers.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["a1", "a2", "a3"]);
    for customer in &customers {
        assert_eq!(customer.time_zone.as_deref(), Some("Europe/Berlin"));
    }
    assert_eq!(customers[0].attributes.get("role"), Some(&txt("buyer")));
    assert_eq!(customers[0].consents, set(&["email", "sms"]));
    assert_eq!(customers[2].attributes.get("role"), Some(&txt("Käufer")));
}

/// `consents`, `tags` and `segments` against the schema: a near miss of a
/// declared name is a problem of the row, with "did you mean"; a name
/// unlike any declared one is kept (nothing can name it, or a program
/// added the tag).
#[test]
fn consents_tags_and_segments_are_checked_against_the_schema() {
    let schema = schema();
    let text = "\
id,consents,tags,segments
c1,Email,vip,power_users
c2,email,VIP,
c3,emial,,Power_Users
c4,email;whatsapp,vip;comeback_lead;vip2,lapsed
";
    let (customers, problems) = csv(text, Some(&schema));
    assert_eq!(
        problems,
        [
            "customers.csv:2: `consents` names `Email`, which is not a channel in the schema; did you mean `email`?",
            "customers.csv:3: `tags` names `VIP`, which is not a tag in the schema; did you mean `vip`?",
            "customers.csv:4: `consents` names `emial`, which is not a channel in the schema; did you mean `email`?",
            "customers.csv:4: `segments` names `Power_Users`, which is not a segment in the schema; did you mean `power_users`?",
        ]
    );
    assert_eq!(ids(&customers), ["c4"]);
    assert_eq!(customers[0].consents, set(&["email", "whatsapp"]));
    assert_eq!(customers[0].tags, set(&["comeback_lead", "vip", "vip2"]));
    // The same from JSON Lines.
    let text = r#"{"id": "c1", "consents": ["Email"], "tags": ["vip"]}
{"id": "c2", "consents": "email", "segments": ["power_user"]}
{"id": "c3", "consents": ["email", "fax"], "tags": ["own_tag"]}
"#;
    let (customers, problems) = jsonl(text, Some(&schema));
    assert_eq!(
        problems,
        [
            "customers.jsonl:1: `consents` names `Email`, which is not a channel in the schema; did you mean `email`?",
            "customers.jsonl:2: `segments` names `power_user`, which is not a segment in the schema; did you mean `power_users`?",
        ]
    );
    assert_eq!(ids(&customers), ["c3"]);
    // Without a schema nothing is checked.
    let (customers, problems) = csv("id,consents\nc1,Email\n", None);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(customers[0].consents, set(&["Email"]));
}

/// An attribute a program reads that the customers file lacks is told
/// before the run, at line 1, with the program that reads it.
#[test]
fn attributes_a_program_reads_that_the_file_lacks() {
    use nurture::run::input::missing_attributes;
    let read: BTreeMap<String, String> = [
        ("lifetime_value", "wake_up"),
        ("last_order.amount", "wake_up"),
    ]
    .into_iter()
    .map(|(a, p)| (a.to_string(), p.to_string()))
    .collect();
    let csv = "\u{feff}\n\nid, lifetime_value ,tier\nc1,100,gold\n";
    assert_eq!(
        errors(&missing_attributes(
            "customers.csv",
            csv,
            Format::Csv,
            &read
        )),
        [
            "customers.csv:1: there is no column `last_order.amount`, which `wake_up` reads: every condition on it would fail and nobody would go where it leads; add it as a column, or check the name"
        ]
    );
    let with_both = "id,lifetime_value,last_order.amount\n";
    assert!(missing_attributes("c.csv", with_both, Format::Csv, &read).is_empty());
    // JSON Lines: some customer must have it; nested objects are dotted.
    let jsonl = r#"{"id": "c1", "attributes": {"lifetime_value": 3}}
{"id": "c2", "attributes": {"last_order": {"amount": 5}}}
"#;
    assert!(missing_attributes("c.jsonl", jsonl, Format::JsonLines, &read).is_empty());
    let jsonl =
        r#"{"id": "c1", "attributes": {"lifetime_value": null, "last_order": {"amount": 5}}}"#;
    assert_eq!(
        errors(&missing_attributes(
            "c.jsonl",
            jsonl,
            Format::JsonLines,
            &read
        )),
        [
            "c.jsonl:1: no customer has `lifetime_value`, which `wake_up` reads: every condition on it would fail and nobody would go where it leads; add it under `attributes`, or check the name"
        ]
    );
}

/// What a plan reads for certain: conditions' names on the customer, date
/// triggers, not the built-ins, not what it sets, not an event's property.
#[test]
fn what_a_plan_reads_of_the_customer() {
    let schema = nurture::syntax::parse(
        "schema { attribute tier: gold | silver\n attribute lifetime_value: number\n attribute contract_end: date\n attribute is_warm: bool\n attribute country: text\n event purchase { amount: number } }",
    )
    .schema
    .expect("a schema");
    let text = r#"program p {
  kind welcome
  trigger event purchase where amount > 10 and country == "DE"
  trigger 30d before contract_end
  audience tier == gold and score > 3 and phase == retain
  consent email
  step a {
    send email "x" if lifetime_value > 100
    set is_warm = true
    branch {
      when is_warm -> exit warm
      else -> exit cold
    }
  }
}
"#;
    let program = nurture::syntax::parse(text).program.expect("a program");
    let plan = nurture::plan::compile(&program, Some(&schema));
    let read = nurture::plan::attributes_read(&plan, Some(&schema));
    assert_eq!(
        read.into_iter().collect::<Vec<_>>(),
        ["contract_end", "country", "lifetime_value", "tier"]
    );
    // Without a schema, a name after `where` may be the event's: left out.
    let plan = nurture::plan::compile(&program, None);
    let read = nurture::plan::attributes_read(&plan, None);
    assert_eq!(
        read.into_iter().collect::<Vec<_>>(),
        ["contract_end", "lifetime_value", "tier"]
    );
}

/// A header may hold a quoted line break, as any CSV field may (RFC 4180);
/// only a quote left open refuses the file.
#[test]
fn csv_a_header_may_hold_a_quoted_line_break() {
    let (customers, problems) = csv(
        "id,\"first\nname\",tier\nc1,Anna,gold\nc2,Bo,silver\n",
        None,
    );
    assert_eq!(problems, Vec::<String>::new());
    assert_eq!(ids(&customers), ["c1", "c2"]);
    assert_eq!(
        customers[0].attributes.get("first\nname"),
        Some(&txt("Anna"))
    );
    assert_eq!(customers[1].attributes.get("tier"), Some(&txt("silver")));
    // A quote inside a quoted field is written twice, and still closes.
    let (customers, problems) = csv("id,\"say \"\"hi\"\"\nnow\"\nc1,x\n", None);
    assert_eq!(problems, Vec::<String>::new());
    assert_eq!(
        customers[0].attributes.get("say \"hi\"\nnow"),
        Some(&txt("x"))
    );
}

/// Every moment RFC 3339 can write is read, whatever its fraction; an
/// offset of a day or more is no offset, and the message says which part
/// of a time is wrong.
#[test]
fn times_at_the_edges_of_rfc_3339() {
    assert_eq!(parse_time("9999-12-31T23:59:59Z"), Some(253_402_300_799));
    assert_eq!(show_time(253_402_300_799), "9999-12-31T23:59:59Z");
    assert_eq!(
        parse_time("2026-03-01T09:00:00.123456789012Z"),
        Some(1_772_355_600)
    );
    assert_eq!(
        parse_time("2026-03-01T09:00:00+23:59"),
        Some(1_772_355_600 - 86_340)
    );
    assert_eq!(parse_time("2026-03-01T09:00:00+25:00"), None);
    assert_eq!(parse_time("2026-03-01T09:00:00-24:00"), None);

    let (found, problems) = events(
        concat!(
            r#"{"at": "9999-12-31T23:59:59Z", "customer": "c1", "event": "open"}"#,
            "\n",
            r#"{"at": "2026-03-01T09:00:00.123456789012Z", "customer": "c1", "event": "open"}"#,
            "\n",
            r#"{"at": "2026-03-01T09:00:00+25:00", "customer": "c1", "event": "open"}"#,
            "\n",
        ),
        Some(&schema()),
    );
    assert_eq!(
        found.iter().map(|e| e.at).collect::<Vec<_>>(),
        [1_772_355_600, 253_402_300_799]
    );
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with("events.jsonl:3: ")
            && problems[0]
                .ends_with("; `+25:00` is no offset: offsets go from `-23:59` to `+23:59`"),
        "{problems:?}"
    );
}
