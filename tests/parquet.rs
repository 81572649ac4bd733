//! Customers from Parquet: the same data as CSV gives the same report, for
//! any number of threads and a shard; bad files (not Parquet, cut short,
//! damaged, a column missing or of the wrong type, a null id) are told as
//! the file's problems, with the file, the column and the row, and end
//! with exit 1, never a panic.

use nurture::sim::sample::csv_as_parquet;
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn nurture(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nurture"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("nurture runs")
}

/// The bundled population as CSV and as Parquet, side by side.
fn population(dir: &Path) -> (PathBuf, PathBuf) {
    let text = std::fs::read_to_string(root().join("programs/sample/population.csv"))
        .expect("the bundled population");
    let csv = dir.join("customers.csv");
    let parquet = dir.join("customers.parquet");
    std::fs::write(&csv, &text).expect("written");
    let mut bytes = Vec::new();
    csv_as_parquet(&text, &mut bytes).expect("as Parquet");
    std::fs::write(&parquet, bytes).expect("written");
    (csv, parquet)
}

const PROGRAMS: [&str; 3] = [
    "programs/wake_up_dormant.nurture",
    "programs/retain_churn_risk.nurture",
    "programs/upsell_premium.nurture",
];

fn simulate(customers: &Path, extra: &[&str]) -> String {
    let customers = customers.display().to_string();
    let mut args = vec!["simulate"];
    args.extend(PROGRAMS);
    args.extend(["--customers", &customers, "--output-format", "json"]);
    args.extend(extra);
    let out = nurture(&args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

#[test]
fn parquet_gives_the_report_csv_gives() {
    let dir = tempfile::tempdir().expect("a folder");
    let (csv, parquet) = population(dir.path());
    let csv_bytes = std::fs::metadata(&csv).expect("csv").len();
    let parquet_bytes = std::fs::metadata(&parquet).expect("parquet").len();
    for extra in [
        &["--threads", "1"][..],
        &["--threads", "2"],
        &["--threads", "2", "--shard", "1/3"],
        &["--threads", "1", "--runs", "3", "--shard", "0/2"],
    ] {
        // The report names its file, and a shard's the file's size and
        // digest: nothing else may differ.
        let digest = |report: String| -> String {
            report
                .lines()
                .filter(|l| !l.contains("\"customers_digest\""))
                .map(|l| format!("{l}\n"))
                .collect()
        };
        let from_csv = digest(simulate(&csv, extra));
        let from_parquet = digest(simulate(&parquet, extra))
            .replace(&parquet.display().to_string(), &csv.display().to_string())
            .replace(
                &format!("\"customers_bytes\": {parquet_bytes}"),
                &format!("\"customers_bytes\": {csv_bytes}"),
            );
        if extra.len() == 2 {
            assert!(from_csv.contains("\"customers_read\": 1000"), "{from_csv}");
        }
        assert_eq!(from_csv, from_parquet, "{extra:?}");
    }
}

#[test]
fn sample_history_reads_parquet_as_csv() {
    let dir = tempfile::tempdir().expect("a folder");
    let (csv, parquet) = population(dir.path());
    let history = |customers: &Path| {
        let out = nurture(&[
            "sample",
            "history",
            "--customers",
            &customers.display().to_string(),
            "--days",
            "30",
        ]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let from_csv = history(&csv);
    assert!(!from_csv.is_empty());
    assert_eq!(from_csv, history(&parquet));
}

#[test]
fn sample_customers_as_parquet_are_the_csv_customers() {
    let dir = tempfile::tempdir().expect("a folder");
    let csv = dir.path().join("s.csv");
    let parquet = dir.path().join("s.parquet");
    for (path, format) in [(&csv, "csv"), (&parquet, "parquet")] {
        let out = nurture(&[
            "sample",
            "customers",
            "--count",
            "3000",
            "--seed",
            "7",
            "--format",
            format,
            "-o",
            &path.display().to_string(),
        ]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let bytes = std::fs::read(&parquet).expect("written");
    assert_eq!(&bytes[..4], b"PAR1");
    // Two row groups would need 65,537 rows; the file is whole and read
    // as the same customers.
    let from_csv = simulate(&csv, &["--threads", "2"]);
    let from_parquet = simulate(&parquet, &["--threads", "2"])
        .replace(&parquet.display().to_string(), &csv.display().to_string());
    assert_eq!(from_csv, from_parquet);
    // Written the same from one seed.
    let again = dir.path().join("again.parquet");
    nurture(&[
        "sample",
        "customers",
        "--count",
        "3000",
        "--seed",
        "7",
        "--format",
        "parquet",
        "-o",
        &again.display().to_string(),
    ]);
    assert_eq!(std::fs::read(&again).expect("written"), bytes);
}

/// A small Parquet file of text columns (`None` is a null) and, when
/// given, a double column `score`.
fn text_file(path: &Path, columns: &[(&str, Vec<Option<&str>>)], score: Option<&[f64]>) {
    let mut message = String::from("message customers {\n");
    for (name, _) in columns {
        message.push_str(&format!("  optional binary {name} (STRING);\n"));
    }
    if score.is_some() {
        message.push_str("  required double score;\n");
    }
    message.push('}');
    let schema = Arc::new(parse_message_type(&message).expect("a schema"));
    let file = std::fs::File::create(path).expect("created");
    let mut writer =
        SerializedFileWriter::new(file, schema, Arc::new(WriterProperties::builder().build()))
            .expect("a writer");
    let mut group = writer.next_row_group().expect("a row group");
    for (_, cells) in columns {
        let mut column = group.next_column().expect("ok").expect("a column");
        let values: Vec<ByteArray> = cells
            .iter()
            .flatten()
            .map(|c| ByteArray::from(*c))
            .collect();
        let defs: Vec<i16> = cells.iter().map(|c| i16::from(c.is_some())).collect();
        column
            .typed::<ByteArrayType>()
            .write_batch(&values, Some(&defs), None)
            .expect("written");
        column.close().expect("closed");
    }
    if let Some(score) = score {
        let mut column = group.next_column().expect("ok").expect("a column");
        column
            .typed::<DoubleType>()
            .write_batch(score, None, None)
            .expect("written");
        column.close().expect("closed");
    }
    group.close().expect("closed");
    writer.close().expect("closed");
}

fn simulate_raw(customers: &Path) -> Output {
    nurture(&[
        "simulate",
        "programs/wake_up_dormant.nurture",
        "--customers",
        &customers.display().to_string(),
        "--output-format",
        "json",
    ])
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_null_id_is_a_bad_row_numbered_from_one() {
    let dir = tempfile::tempdir().expect("a folder");
    let path = dir.path().join("ids.parquet");
    text_file(
        &path,
        &[
            ("id", vec![Some("c1"), None, Some("c3"), Some("c1")]),
            (
                "time_zone",
                vec![
                    Some("Europe/Berlin"),
                    Some("Europe/Paris"),
                    Some("Mars/Base"),
                    None,
                ],
            ),
            // What the program reads, left empty.
            ("tier", vec![None; 4]),
            ("lifetime_value", vec![None; 4]),
            ("last_purchase_at", vec![None; 4]),
        ],
        None,
    );
    let out = simulate_raw(&path);
    let told = stderr(&out);
    let name = path.display().to_string();
    assert!(
        told.contains(&format!("{name}:2: the customer has no `id`")),
        "{told}"
    );
    assert!(
        told.contains(&format!("{name}:3: `time_zone` must be an IANA time zone")),
        "{told}"
    );
    assert!(
        told.contains(&format!("{name}:4: customer `c1` is already on line 1")),
        "{told}"
    );
    assert!(!told.contains("panicked"), "{told}");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.contains("\"skipped_rows\": 3"), "{report}");
    // `nurture replay` reads the whole file with the csv crate: the same
    // rows, the same numbers.
    let replay = nurture(&[
        "replay",
        "programs/wake_up_dormant.nurture",
        "--customers",
        &name,
        "--events",
        "programs/sample/events.jsonl",
    ]);
    let told = stderr(&replay);
    assert!(
        told.contains(&format!("{name}:2: the customer has no `id`")),
        "{told}"
    );
    assert!(
        told.contains(&format!("{name}:3: `time_zone` must be an IANA time zone")),
        "{told}"
    );
}

#[test]
fn columns_of_the_wrong_type_and_a_missing_id_are_the_files_problems() {
    let dir = tempfile::tempdir().expect("a folder");
    let path = dir.path().join("types.parquet");
    text_file(&path, &[("name", vec![Some("Ada")])], Some(&[1.5]));
    let out = simulate_raw(&path);
    let told = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{told}");
    assert!(
        told.contains(
            "the column `score` holds floating-point numbers, but `score` must hold whole numbers"
        ),
        "{told}"
    );
    assert!(told.contains("the file has no column `id`"), "{told}");
    assert!(out.stdout.is_empty());
}

#[test]
fn a_file_that_is_not_parquet_is_told_not_panicked() {
    let dir = tempfile::tempdir().expect("a folder");
    let path = dir.path().join("text.parquet");
    std::fs::write(&path, "id,time_zone\nc1,Europe/Berlin\n").expect("written");
    let out = simulate_raw(&path);
    let told = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{told}");
    assert!(told.contains("this is not a Parquet file"), "{told}");
    let replay = nurture(&[
        "replay",
        "programs/wake_up_dormant.nurture",
        "--customers",
        &path.display().to_string(),
        "--events",
        "programs/sample/events.jsonl",
    ]);
    assert_eq!(replay.status.code(), Some(1), "{}", stderr(&replay));
    assert!(stderr(&replay).contains("this is not a Parquet file"));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Cut short or with bytes changed, a Parquet file is read to the end
    /// or told as bad (exit 1): never a panic, never a hang.
    #[test]
    fn damaged_files_are_told(cut in 0usize..100, flips in proptest::collection::vec((0usize..100, 1u8..=255), 0..6)) {
        let dir = tempfile::tempdir().expect("a folder");
        let (_, parquet) = population(dir.path());
        let mut bytes = std::fs::read(&parquet).expect("written");
        let len = bytes.len();
        for (at, with) in flips {
            let at = at * len / 100;
            bytes[at] ^= with;
        }
        let keep = if cut == 99 { len } else { cut * len / 100 };
        bytes.truncate(keep);
        std::fs::write(&parquet, &bytes).expect("written");
        let out = simulate_raw(&parquet);
        let told = stderr(&out);
        prop_assert!(matches!(out.status.code(), Some(0) | Some(1)), "{:?} {}", out.status, told);
        prop_assert!(!told.contains("panicked") || told.contains("cannot be read"), "{}", told);
    }
}

/// Whole-number ids, `;`-separated consents in a string, a double and a
/// date read as the CSV of the same values.
#[test]
fn typed_columns_read_as_their_csv() {
    use parquet::data_type::{Int32Type, Int64Type};
    let dir = tempfile::tempdir().expect("a folder");
    let csv = dir.path().join("t.csv");
    std::fs::write(
        &csv,
        "id,consents,tier,lifetime_value,last_purchase_at\n\
         1,email;sms,gold,25000.5,2024-03-01\n\
         2,,bronze,120,\n\
         3,email,silver,,2025-12-24\n",
    )
    .expect("written");
    let message = "message customers {
        required int64 id;
        optional binary consents (STRING);
        optional binary tier (STRING);
        optional double lifetime_value;
        optional int32 last_purchase_at (DATE);
    }";
    let schema = Arc::new(parse_message_type(message).expect("a schema"));
    let path = dir.path().join("t.parquet");
    let file = std::fs::File::create(&path).expect("created");
    let mut writer =
        SerializedFileWriter::new(file, schema, Arc::new(WriterProperties::builder().build()))
            .expect("a writer");
    let mut group = writer.next_row_group().expect("a row group");
    let mut c = group.next_column().expect("ok").expect("a column");
    c.typed::<Int64Type>()
        .write_batch(&[1, 2, 3], None, None)
        .expect("ids");
    c.close().expect("closed");
    let mut c = group.next_column().expect("ok").expect("a column");
    let consents = [ByteArray::from("email;sms"), ByteArray::from("email")];
    c.typed::<ByteArrayType>()
        .write_batch(&consents, Some(&[1, 0, 1]), None)
        .expect("consents");
    c.close().expect("closed");
    let mut c = group.next_column().expect("ok").expect("a column");
    let tiers = ["gold", "bronze", "silver"].map(ByteArray::from);
    c.typed::<ByteArrayType>()
        .write_batch(&tiers, Some(&[1, 1, 1]), None)
        .expect("tiers");
    c.close().expect("closed");
    let mut c = group.next_column().expect("ok").expect("a column");
    c.typed::<DoubleType>()
        .write_batch(&[25000.5, 120.0], Some(&[1, 1, 0]), None)
        .expect("values");
    c.close().expect("closed");
    let mut c = group.next_column().expect("ok").expect("a column");
    // 2024-03-01 and 2025-12-24, as days since 1970-01-01.
    c.typed::<Int32Type>()
        .write_batch(&[19_783, 20_446], Some(&[1, 0, 1]), None)
        .expect("dates");
    c.close().expect("closed");
    group.close().expect("closed");
    writer.close().expect("closed");

    let run = |customers: &Path, extra: &[&str]| {
        let name = customers.display().to_string();
        let mut args = vec![
            "simulate",
            "programs/wake_up_dormant.nurture",
            "--customers",
            &name,
            "--output-format",
            "json",
        ];
        args.extend(extra);
        let out = nurture(&args);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        String::from_utf8_lossy(&out.stdout).replace(&name, "customers")
    };
    for extra in [
        &["--trace", "1"][..],
        &["--threads", "2"],
        &["--threads", "1"],
    ] {
        let from_csv = run(&csv, extra);
        assert_eq!(from_csv, run(&path, extra), "{extra:?}");
    }
    let traced = run(&path, &["--trace", "1"]);
    assert!(traced.contains("\"customer\": \"1\""), "{traced}");
}

/// Standard output that is not a terminal takes Parquet as it takes CSV.
#[test]
fn sample_parquet_goes_to_a_pipe() {
    let out = nurture(&[
        "sample",
        "customers",
        "--count",
        "10",
        "--format",
        "parquet",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(&out.stdout[..4], b"PAR1");
    assert_eq!(&out.stdout[out.stdout.len() - 4..], b"PAR1");
}

/// The project's rule for exit codes, on a customers file: a file that
/// holds something wrong is a user error (1), a path that cannot be opened
/// as a file is a usage error (2), for every command that reads customers.
#[test]
fn a_bad_file_is_exit_1_and_a_path_that_cannot_be_opened_exit_2() {
    let dir = tempfile::tempdir().expect("a folder");
    let garbage = dir.path().join("garbage.parquet");
    std::fs::write(&garbage, "not parquet at all").expect("written");
    let (_, parquet) = population(dir.path());
    let whole = std::fs::read(&parquet).expect("read");
    let cut = dir.path().join("cut.parquet");
    std::fs::write(&cut, &whole[..whole.len() / 2]).expect("written");
    let folder = dir.path().join("folder.parquet");
    std::fs::create_dir(&folder).expect("a folder");
    let missing = dir.path().join("missing.parquet");
    let events = "programs/sample/events.jsonl";
    let commands = |customers: &Path| -> Vec<Vec<String>> {
        let customers = customers.display().to_string();
        let program = "programs/wake_up_dormant.nurture".to_string();
        [
            vec!["simulate", &program, "--customers", &customers],
            vec![
                "replay",
                &program,
                "--customers",
                &customers,
                "--events",
                events,
            ],
            vec!["fit", "--customers", &customers, events],
        ]
        .into_iter()
        .map(|args| args.into_iter().map(str::to_string).collect())
        .collect()
    };
    for (customers, expected, told) in [
        (&garbage, 1, "this is not a Parquet file"),
        (&cut, 1, "this is not a Parquet file"),
        (&folder, 2, "it is a folder, not a file"),
        (&missing, 2, "no such file or folder"),
    ] {
        for args in commands(customers) {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = nurture(&args);
            let said = stderr(&out);
            assert_eq!(out.status.code(), Some(expected), "{args:?}: {said}");
            assert!(said.contains(told), "{args:?}: {said}");
            assert!(!said.contains("panicked"), "{args:?}: {said}");
        }
    }
}

/// One column of a generated file: its Parquet type, and each row's
/// value (`None` a null).
struct Generated {
    name: &'static str,
    /// The field, as Parquet's message syntax writes it.
    field: &'static str,
    cells: Vec<Value>,
}

#[derive(Clone)]
enum Value {
    Null,
    Text(String),
    Int(i64),
    Double(f64),
    Bool(bool),
    /// A list of strings (`None` a null item).
    List(Vec<Option<String>>),
}

/// A cell as a CSV export writes it.
fn csv_cell(value: &Value, field: &str) -> String {
    let text = match value {
        Value::Null => String::new(),
        Value::Text(text) => text.clone(),
        Value::Int(n) if field.contains("DECIMAL(12, 2)") => {
            format!("{}.{:02}", n / 100, n % 100)
        }
        Value::Int(n) if field.contains("DATE") => {
            nurture::run::input::show_time(n * 86_400)[..10].to_string()
        }
        Value::Int(n) if field.contains("MILLIS") => fraction(*n, 1_000),
        Value::Int(n) if field.contains("MICROS") => fraction(*n, 1_000_000),
        Value::Int(n) if field.contains("NANOS") => fraction(*n, 1_000_000_000),
        Value::Int(n) => n.to_string(),
        Value::Double(x) => x.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::List(items) => items
            .iter()
            .flatten()
            .filter(|item| !item.trim().is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join(";"),
    };
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// A moment of `per` units a second, as RFC 3339 with its fraction.
fn fraction(n: i64, per: i64) -> String {
    let shown = nurture::run::input::show_time(n.div_euclid(per));
    let digits = per.ilog10() as usize;
    format!(
        "{}.{:0digits$}Z",
        &shown[..shown.len() - 1],
        n.rem_euclid(per)
    )
}

/// Writes `columns` as Parquet in row groups of `group` rows: typed as
/// they say, or (`as_text`) every column a string of its CSV cell.
fn write_generated(path: &Path, columns: &[Generated], group: usize, as_text: bool) {
    use parquet::data_type::{BoolType, Int32Type, Int64Type};
    let mut message = String::from("message customers {\n");
    for column in columns {
        if as_text {
            message.push_str(&format!("  optional binary {} (STRING);\n", column.name));
        } else {
            let end = if column.field.ends_with('}') { "" } else { ";" };
            message.push_str(&format!("  {}{end}\n", column.field));
        }
    }
    message.push('}');
    let schema = Arc::new(parse_message_type(&message).expect("a schema"));
    let file = std::fs::File::create(path).expect("created");
    // Row groups are cut below, `group` rows each.
    let properties = WriterProperties::builder().build();
    let mut writer =
        SerializedFileWriter::new(file, schema, Arc::new(properties)).expect("a writer");
    let rows = columns[0].cells.len();
    let mut first = 0;
    while first < rows {
        let last = rows.min(first + group);
        let mut writing = writer.next_row_group().expect("a row group");
        for column in columns {
            let cells = &column.cells[first..last];
            let mut out = writing.next_column().expect("ok").expect("a column");
            let defs: Vec<i16> = cells
                .iter()
                .map(|c| i16::from(!matches!(c, Value::Null)))
                .collect();
            if as_text {
                let values: Vec<ByteArray> = cells
                    .iter()
                    .filter(|c| !matches!(c, Value::Null))
                    .map(|c| {
                        let cell = csv_cell(c, column.field);
                        // The export's text, unquoted.
                        let cell = match cell.strip_prefix('"') {
                            Some(quoted) => quoted[..quoted.len() - 1].replace("\"\"", "\""),
                            None => cell,
                        };
                        ByteArray::from(cell.as_str())
                    })
                    .collect();
                out.typed::<ByteArrayType>()
                    .write_batch(&values, Some(&defs), None)
                    .expect("written");
                out.close().expect("closed");
                continue;
            }
            let present = || cells.iter().filter(|c| !matches!(c, Value::Null));
            let written = match cells.iter().find(|c| !matches!(c, Value::Null)) {
                Some(Value::List(_)) | None if column.field.contains("LIST") => {
                    let (mut values, mut defs, mut reps) = (Vec::new(), Vec::new(), Vec::new());
                    for cell in cells {
                        match cell {
                            Value::List(items) if items.is_empty() => {
                                defs.push(1);
                                reps.push(0);
                            }
                            Value::List(items) => {
                                for (at, item) in items.iter().enumerate() {
                                    reps.push(i16::from(at > 0));
                                    match item {
                                        Some(item) => {
                                            defs.push(3);
                                            values.push(ByteArray::from(item.as_str()));
                                        }
                                        None => defs.push(2),
                                    }
                                }
                            }
                            _ => {
                                defs.push(0);
                                reps.push(0);
                            }
                        }
                    }
                    out.typed::<ByteArrayType>()
                        .write_batch(&values, Some(&defs), Some(&reps))
                }
                Some(Value::Text(_)) | None if column.field.contains("binary") => {
                    plain::<ByteArrayType>(&mut out, present(), &defs, |c| match c {
                        Value::Text(t) => ByteArray::from(t.as_str()),
                        _ => ByteArray::from(""),
                    })
                }
                _ if column.field.contains("int32") => {
                    plain::<Int32Type>(&mut out, present(), &defs, |c| match c {
                        Value::Int(n) => *n as i32,
                        _ => 0,
                    })
                }
                _ if column.field.contains("int64") => {
                    plain::<Int64Type>(&mut out, present(), &defs, |c| match c {
                        Value::Int(n) => *n,
                        _ => 0,
                    })
                }
                _ if column.field.contains("double") => {
                    plain::<DoubleType>(&mut out, present(), &defs, |c| match c {
                        Value::Double(x) => *x,
                        _ => 0.0,
                    })
                }
                _ => plain::<BoolType>(&mut out, present(), &defs, |c| {
                    matches!(c, Value::Bool(true))
                }),
            };
            written.expect("written");
            out.close().expect("closed");
        }
        writing.close().expect("closed");
        first = last;
    }
    writer.close().expect("closed");
}

/// One batch of a column of single values: the cells present (`defs`
/// says which are), each made a Parquet value by `value`.
fn plain<'c, T: parquet::data_type::DataType>(
    out: &mut parquet::file::writer::SerializedColumnWriter<'_>,
    present: impl Iterator<Item = &'c Value>,
    defs: &[i16],
    value: impl Fn(&Value) -> T::T,
) -> parquet::errors::Result<usize> {
    let values: Vec<T::T> = present.map(value).collect();
    out.typed::<T>().write_batch(&values, Some(defs), None)
}

/// Customers of every kind of column the docs' table names, with nulls,
/// strings the writer dictionary-encodes, lists with null and blank
/// items, and rows the reader refuses (a null id, a repeat in a later
/// block, a bad time zone, a bad date) or skips (every cell empty).
fn generated(rows: usize) -> Vec<Generated> {
    let mut seed: u64 = 7;
    let mut next = move |n: u64| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % n
    };
    let text = |s: &str| Value::Text(s.to_string());
    let mut columns: Vec<Generated> = [
        ("id", "optional binary id (STRING)"),
        ("time_zone", "optional binary time_zone (STRING)"),
        (
            "consents",
            "optional group consents (LIST) { repeated group list { optional binary element (STRING); } }",
        ),
        ("tags", "optional binary tags (STRING)"),
        (
            "segments",
            "optional group segments (LIST) { repeated group list { optional binary element (STRING); } }",
        ),
        ("score", "optional int64 score"),
        ("phase", "optional binary phase (STRING)"),
        ("tier", "optional binary tier (STRING)"),
        ("role", "optional int32 role"),
        ("is_key_account", "optional boolean is_key_account"),
        ("country", "optional binary country (STRING)"),
        ("lifetime_value", "optional int64 lifetime_value (DECIMAL(12, 2))"),
        ("churn_risk", "optional double churn_risk"),
        ("last_order.amount", "optional int32 last_order.amount"),
        ("last_purchase_at", "optional int32 last_purchase_at (DATE)"),
        (
            "contract_end",
            "optional int64 contract_end (TIMESTAMP(MILLIS, true))",
        ),
        ("consumables_due_at", "optional binary consumables_due_at (STRING)"),
        (
            "last_event_at.purchase",
            "optional int64 last_event_at.purchase (TIMESTAMP(MICROS, true))",
        ),
        (
            "last_event_at.login",
            "optional int64 last_event_at.login (TIMESTAMP(NANOS, true))",
        ),
        ("unused_notes", "optional binary unused_notes (STRING)"),
        ("plan", "optional binary plan (STRING)"),
        ("segment", "optional binary segment (STRING)"),
        ("product_line", "optional binary product_line (STRING)"),
    ]
    .into_iter()
    .map(|(name, field)| Generated {
        name,
        field,
        cells: Vec::with_capacity(rows),
    })
    .collect();
    let day = 86_400i64;
    let now = 20_454 * day; // 2026-01-01
    for row in 0..rows {
        let mut cells = vec![Value::Null; columns.len()];
        let mut pick = |n: u64| next(n);
        cells[0] = text(&format!("c{row:05}"));
        cells[1] = match pick(5) {
            0 => Value::Null,
            1 => text("America/New_York"),
            2 => text("europe/berlin"),
            _ => text("Europe/Berlin"),
        };
        let channels = ["email", "sms", "push"];
        cells[2] = match pick(6) {
            0 => Value::Null,
            1 => Value::List(Vec::new()),
            2 => Value::List(vec![Some("email".into()), None, Some(" ".into())]),
            _ => Value::List(
                (0..1 + pick(3))
                    .map(|k| Some(channels[k as usize].to_string()))
                    .collect(),
            ),
        };
        cells[3] = match pick(4) {
            0 => Value::Null,
            1 => text("machine_owner;vip"),
            2 => text(" trained ; app_user;"),
            _ => text("machine_owner"),
        };
        cells[4] = match pick(3) {
            0 => Value::Null,
            1 => Value::List(vec![Some("high_churn_risk".into())]),
            _ => Value::List(vec![
                Some("active_buyers".into()),
                Some("power_users".into()),
            ]),
        };
        cells[5] = match pick(5) {
            0 => Value::Null,
            _ => Value::Int(pick(100) as i64 - 5),
        };
        cells[6] = match pick(6) {
            0 => text("welcome"),
            1 => text("develop"),
            2 => text("retain"),
            3 => text("win_back"),
            _ => Value::Null,
        };
        cells[7] = match pick(4) {
            0 => Value::Null,
            1 => text("gold"),
            2 => text("silver"),
            _ => text("bronze"),
        };
        cells[8] = match pick(3) {
            0 => Value::Null,
            _ => Value::Int(pick(3) as i64),
        };
        cells[9] = match pick(3) {
            0 => Value::Null,
            k => Value::Bool(k == 1),
        };
        cells[10] = match pick(4) {
            0 => Value::Null,
            1 => text("DE, \"north\""),
            2 => text("  AT  "),
            _ => text("DE"),
        };
        cells[11] = match pick(4) {
            0 => Value::Null,
            _ => Value::Int(pick(10_000_000) as i64),
        };
        cells[12] = match pick(4) {
            0 => Value::Null,
            _ => Value::Double(pick(1000) as f64 / 1000.0),
        };
        cells[13] = match pick(3) {
            0 => Value::Null,
            _ => Value::Int(pick(5000) as i64),
        };
        let when = |k: u64| now / day - k as i64;
        cells[14] = match pick(4) {
            0 => Value::Null,
            _ => Value::Int(when(pick(900))),
        };
        cells[15] = match pick(3) {
            0 => Value::Null,
            _ => Value::Int((now + pick(400) as i64 * day) * 1_000 + pick(1000) as i64),
        };
        cells[16] = match pick(3) {
            0 => Value::Null,
            1 => text("2026-02-08"),
            _ => text("2026-01-20T09:30:00+01:00"),
        };
        cells[17] = match pick(3) {
            0 => Value::Null,
            _ => Value::Int((now - pick(800) as i64 * day - pick(day as u64) as i64) * 1_000_000),
        };
        cells[18] = match pick(3) {
            0 => Value::Null,
            _ => Value::Int((now - pick(400) as i64 * day) * 1_000_000_000 + 5),
        };
        cells[19] = text(&"x".repeat(2_000 + row % 7));
        cells[20] = [Value::Null, text("basic"), text("premium")][pick(3) as usize].clone();
        cells[21] = [Value::Null, text("smb"), text("enterprise")][pick(3) as usize].clone();
        cells[22] = [text("coffee_machines"), text("tractors")][pick(2) as usize].clone();
        match row {
            4 => cells[0] = Value::Null,
            6 => cells[1] = text("Mars/Base"),
            8 => cells[16] = text("2026-13-45"),
            // A repeat of row 10's id, in a later block.
            4_500 => cells[0] = text("c00009"),
            19 | 5_000 => cells.iter_mut().for_each(|c| *c = Value::Null),
            _ => {}
        }
        for (column, cell) in columns.iter_mut().zip(cells) {
            column.cells.push(cell);
        }
    }
    columns
}

/// The same customers as CSV, as Parquet of typed columns and as Parquet
/// of strings, in row groups of 777 rows (so row groups end in the middle
/// of the blocks the simulator's threads take): the same report and the
/// same problems at the same rows, for one thread, two and a shard.
#[test]
fn every_type_of_column_reads_as_its_csv_across_row_groups() {
    let dir = tempfile::tempdir().expect("a folder");
    let columns = generated(9_000);
    let mut csv = columns.iter().map(|c| c.name).collect::<Vec<_>>().join(",");
    csv.push('\n');
    for row in 0..columns[0].cells.len() {
        let cells: Vec<String> = columns
            .iter()
            .map(|c| csv_cell(&c.cells[row], c.field))
            .collect();
        csv.push_str(&cells.join(","));
        csv.push('\n');
    }
    let csv_path = dir.path().join("g.csv");
    std::fs::write(&csv_path, &csv).expect("written");
    let typed = dir.path().join("typed.parquet");
    write_generated(&typed, &columns, 777, false);
    let strings = dir.path().join("strings.parquet");
    write_generated(&strings, &columns, 777, true);

    let run = |customers: &Path, extra: &[&str]| {
        let name = customers.display().to_string();
        let mut args = vec!["simulate"];
        args.extend(PROGRAMS);
        args.extend([
            "programs/after_sales_consumables.nurture",
            "--customers",
            &name,
            "--output-format",
            "json",
        ]);
        args.extend(extra);
        let out = nurture(&args);
        // The bad rows are findings.
        assert_eq!(out.status.code(), Some(1), "{extra:?}: {}", stderr(&out));
        // A shard's report names the size of the file it read.
        let report: Vec<&str> = std::str::from_utf8(&out.stdout)
            .expect("UTF-8")
            .lines()
            .filter(|line| {
                !line.contains("\"customers_bytes\"") && !line.contains("\"customers_digest\"")
            })
            .collect();
        (
            report.join("\n").replace(&name, "customers"),
            stderr(&out).replace(&name, "customers"),
        )
    };
    for extra in [
        &["--threads", "1"][..],
        &["--threads", "2"],
        &["--shard", "2/3", "--threads", "2"],
    ] {
        let (report, told) = run(&csv_path, extra);
        // The CSV's first customer is on line 2; the Parquet's is row 1.
        let (report, told) = (rows_from_lines(&report), rows_from_lines(&told));
        assert!(report.contains("\"customers_read\""), "{report}");
        for (what, path) in [("typed", &typed), ("strings", &strings)] {
            let (from_parquet, told_parquet) = run(path, extra);
            assert_eq!(report, from_parquet, "{what} {extra:?}");
            assert_eq!(told, told_parquet, "{what} {extra:?}");
        }
        if extra == ["--threads", "1"] {
            for expected in [
                "customers:5: the customer has no `id`",
                "customers:7: `time_zone` must be an IANA time zone",
                "customers:4501: customer `c00009` is already on line 10",
            ] {
                assert!(told.contains(expected), "{expected}: {told}");
            }
            assert!(told.contains("customers:9: `consumables_due_at`"), "{told}");
        }
    }
}

/// A CSV's line numbers (`customers:N:`, `"line": N`, `on line N`) as the
/// rows they are (the first customer on line 2 is row 1; the header's
/// problems stay at 1).
fn rows_from_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let found = ["customers:", "\"line\": ", "on line "]
            .iter()
            .filter_map(|mark| rest.find(mark).map(|at| (at + mark.len(), *mark)))
            .min();
        let Some((end, _)) = found else {
            out.push_str(rest);
            return out;
        };
        out.push_str(&rest[..end]);
        rest = &rest[end..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        match rest[..digits].parse::<u64>() {
            // The header's problems are the file's, at 1 both ways.
            Ok(line) => out.push_str(&line.saturating_sub(1).max(1).to_string()),
            Err(_) => out.push_str(&rest[..digits]),
        }
        rest = &rest[digits..];
    }
}

/// A damaged row group in the middle of a file is told at its first row,
/// with its column and number, in the docs' words; the run stops.
#[test]
fn a_damaged_row_group_is_told_with_its_column_and_first_row() {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let dir = tempfile::tempdir().expect("a folder");
    let path = dir.path().join("damaged.parquet");
    let ids: Vec<String> = (0..30)
        .map(|n| format!("customer-{n:04}-{}", "z".repeat(n)))
        .collect();
    // Three row groups of ten rows.
    let generated: Vec<Generated> = vec![
        Generated {
            name: "id",
            field: "optional binary id (STRING)",
            cells: ids.iter().map(|id| Value::Text(id.clone())).collect(),
        },
        Generated {
            name: "tier",
            field: "optional binary tier (STRING)",
            cells: vec![Value::Text("silver".into()); 30],
        },
        Generated {
            name: "lifetime_value",
            field: "optional double lifetime_value",
            cells: vec![Value::Double(900.5); 30],
        },
        Generated {
            name: "last_purchase_at",
            field: "optional int32 last_purchase_at (DATE)",
            cells: vec![Value::Int(19_000); 30],
        },
    ];
    write_generated(&path, &generated, 10, false);
    let reader = SerializedFileReader::new(std::fs::File::open(&path).expect("open"))
        .expect("a Parquet file");
    assert_eq!(reader.num_row_groups(), 3);
    let chunk = reader.metadata().row_group(1).column(0);
    let (start, length) = chunk.byte_range();
    let (start, length) = (start as usize, length as usize);
    let mut bytes = std::fs::read(&path).expect("read");
    // The page's values, past its header: each id's length runs wild.
    for byte in &mut bytes[start + length / 2..start + length - 2] {
        *byte = 0xff;
    }
    std::fs::write(&path, &bytes).expect("written");
    let out = simulate_raw(&path);
    let told = stderr(&out);
    let name = path.display().to_string();
    assert_eq!(out.status.code(), Some(1), "{told}");
    assert!(
        told.contains(&format!(
            "{name}:11: the column `id` of row group 1 cannot be read ("
        )),
        "{told}"
    );
    assert!(
        told.contains("): the file is damaged or was cut short; write it again"),
        "{told}"
    );
    assert!(!told.contains("panicked"), "{told}");
    assert!(
        out.stdout.is_empty(),
        "nothing is reported from half a file"
    );
}
