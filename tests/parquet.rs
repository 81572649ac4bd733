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
