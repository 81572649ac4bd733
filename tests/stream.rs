//! The streamed reader of `nurture simulate` against the reader `nurture
//! replay` uses: for generated CSV and JSON Lines files full of mistakes
//! (bad values, blank rows, rows of the wrong width, quoted cells with
//! commas, line breaks and quotes, quotes that never close, repeated and
//! missing ids, `\r\n` and lone `\r`), cut into blocks of any size and read
//! on any number of threads, the problems told are the same, line for line,
//! and so are the counts of the simulation, which runs the customers read
//! whole through the plain record. Shards add up to the whole.

use nurture::run::compact::Layout;
use nurture::run::input::{self, Format};
use nurture::sim::behavior::{self, Behavior};
use nurture::sim::engine::Window;
use nurture::sim::run::{Options, simulate};
use nurture::sim::setup::Setup;
use nurture::sim::stream::{Data, Input, Shard, Streamed, simulate_file};
use nurture::sim::tally::Tally;
use nurture::syntax::ast::Schema;
use proptest::prelude::*;
use std::path::Path;

const START: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z

fn read(name: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(root.join(name)).unwrap_or_default()
}

struct World {
    schema: Option<Schema>,
    plans: Vec<(nurture::plan::Plan, nurture::syntax::ast::Program)>,
    model: Behavior,
}

fn world(with_schema: bool) -> World {
    let schema = with_schema
        .then(|| nurture::syntax::parse(&read("programs/schema.nurture")).schema)
        .flatten();
    let plans = [
        "programs/wake_up_dormant.nurture",
        "programs/upsell_premium.nurture",
    ]
    .iter()
    .map(|file| {
        let program = nurture::syntax::parse(&read(file))
            .program
            .expect("a program");
        (nurture::plan::compile(&program, schema.as_ref()), program)
    })
    .collect();
    let model = behavior::read_lenient(&read("programs/sample/behavior.toml"), schema.as_ref())
        .expect("the bundled model")
        .0;
    World {
        schema,
        plans,
        model,
    }
}

fn options(threads: usize) -> Options {
    Options {
        seeds: vec![3, 4],
        window: Window {
            start: START,
            end: START + 120 * 86_400,
        },
        threads,
    }
}

/// The reference: customers read whole by `read_customers`, simulated.
fn whole(world: &World, text: &str, format: Format) -> (Vec<Vec<Tally>>, Vec<input::RowError>) {
    let setups: Vec<Setup> = world
        .plans
        .iter()
        .map(|(plan, program)| Setup::new(plan, program, &world.model))
        .collect();
    let (customers, errors) = input::read_customers("c", text, format, world.schema.as_ref());
    let mut all = customers.into_iter();
    let (tallies, _) = simulate(
        &setups,
        &world.model,
        &options(1),
        "c",
        &mut |take| all.by_ref().for_each(&mut *take),
        &mut |_| {},
    );
    (tallies, errors)
}

fn streamed(
    world: &World,
    text: &str,
    format: Format,
    threads: usize,
    block: usize,
    shard: Shard,
) -> Streamed {
    let setups: Vec<Setup> = world
        .plans
        .iter()
        .map(|(plan, program)| Setup::new(plan, program, &world.model))
        .collect();
    let segments: Vec<&str> = world
        .model
        .segments
        .iter()
        .map(|(s, _, _)| s.as_str())
        .collect();
    let layout = Layout::new(setups.iter().map(|s| s.plan), &segments);
    let input = Input {
        data: Data::Bytes(text.as_bytes()),
        name: "c",
        format,
        schema: world.schema.as_ref(),
        block,
    };
    match simulate_file(
        &setups,
        &world.model,
        &options(threads),
        &layout,
        &input,
        shard,
        true,
        &mut |_| {},
    ) {
        Ok(streamed) => streamed,
        Err(failure) => panic!("{failure:?}"),
    }
}

fn check_same(world: &World, text: &str, format: Format) -> Result<(), TestCaseError> {
    let (tallies, errors) = whole(world, text, format);
    for (threads, block) in [(1, 1 << 20), (1, 1), (3, 17), (2, 64)] {
        let got = streamed(world, text, format, threads, block, Shard::WHOLE);
        prop_assert_eq!(&got.errors, &errors, "threads {} block {}", threads, block);
        prop_assert!(
            got.tallies == tallies,
            "threads {} block {}",
            threads,
            block
        );
    }
    // Three shards add up to the whole.
    let mut sum: Option<Vec<Vec<Tally>>> = None;
    let mut told = Vec::new();
    for index in 0..3 {
        let part = streamed(world, text, format, 2, 40, Shard { index, count: 3 });
        told.extend(part.errors);
        match &mut sum {
            None => sum = Some(part.tallies),
            Some(sum) => {
                for (run, theirs) in sum.iter_mut().zip(&part.tallies) {
                    for (total, tally) in run.iter_mut().zip(theirs) {
                        total.merge(tally);
                    }
                }
            }
        }
    }
    told.sort_by_key(|e| e.line);
    let mut want = errors.clone();
    want.sort_by_key(|e| e.line);
    let key = |e: &input::RowError| (e.line, e.problem.clone());
    let mut told_keys: Vec<_> = told.iter().map(key).collect();
    let mut want_keys: Vec<_> = want.iter().map(key).collect();
    told_keys.sort();
    want_keys.sort();
    prop_assert_eq!(told_keys, want_keys);
    prop_assert!(sum.as_ref() == Some(&tallies), "shards do not add up");
    Ok(())
}

const HEADER: &str = "id,time_zone,consents,tags,segments,score,phase,tier,lifetime_value,last_purchase_at,last_event_at.purchase,plan,unknown_column";

fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just(String::new()),
        1 => Just(" ".to_string()),
        2 => prop::sample::select(vec![
            "Europe/Berlin", "europe/berlin", "UTC", "Mars/Olympus", "America/New_York",
            "email", "email;sms", " sms ; email ;", ";;",
            "vip", "dormant", "active_buyers;high_churn_risk",
            "5", "-3", "1.5", "x",
            "win_back", "develop", "asleep",
            "silver", "bronze", "gold", "platinum",
            "250", "99", "1e3", "0.5", "inf", "1,200",
            "2024-06-01", "2025-07-17T07:05:00Z", "2025-07-17T07:05:00", "2025-02-30", "20250101",
            "premium", "basic", "true", "Yes",
        ]).prop_map(str::to_string),
        1 => Just("\"quoted, with comma\"".to_string()),
        1 => Just("\"two\nlines\"".to_string()),
        1 => Just("\"say \"\"hi\"\"\"".to_string()),
        1 => Just("\"never closed".to_string()),
        1 => Just("\u{a0}".to_string()),
    ]
}

fn id() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => (0u32..40).prop_map(|i| format!("c{i}")),
        1 => Just(String::new()),
        1 => Just(" c1 ".to_string()),
        1 => Just("\"c2\"".to_string()),
    ]
}

fn row() -> impl Strategy<Value = String> {
    let width = HEADER.split(',').count();
    prop_oneof![
        12 => (id(), prop::collection::vec(cell(), width - 1))
            .prop_map(|(id, cells)| format!("{id},{}", cells.join(","))),
        1 => Just(String::new()),
        1 => Just(",,,".to_string()),
        1 => (id(), prop::collection::vec(cell(), 0..4))
            .prop_map(|(id, cells)| format!("{id},{}", cells.join(","))),
    ]
}

fn ending() -> impl Strategy<Value = &'static str> {
    prop_oneof![6 => Just("\n"), 2 => Just("\r\n"), 1 => Just("\r"), 1 => Just("\n\n")]
}

fn csv_text() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        prop::collection::vec((row(), ending()), 0..40),
        any::<bool>(),
    )
        .prop_map(|(bom, rows, last_break)| {
            let mut text = String::new();
            if bom {
                text.push('\u{feff}');
            }
            text.push_str(HEADER);
            text.push('\n');
            let count = rows.len();
            for (i, (row, end)) in rows.into_iter().enumerate() {
                text.push_str(&row);
                if i + 1 < count || last_break {
                    text.push_str(end);
                }
            }
            text
        })
}

fn json_line() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => (id(), prop::sample::select(vec!["silver", "bronze", "gold", "tin"]),
              prop::sample::select(vec!["250", "\"250\"", "\"lots\"", "null"]),
              prop::sample::select(vec!["[\"email\"]", "\"email;sms\"", "3"]),
              prop::sample::select(vec!["", ", \"colour\": \"red\"", ", \"tags\": [\"vip\"]"]))
            .prop_map(|(id, tier, value, consents, extra)| format!(
                "{{\"id\": \"{}\", \"consents\": {consents}, \"attributes\": {{\"tier\": \"{tier}\", \"lifetime_value\": {value}, \"last_purchase_at\": \"2025-06-01\"}}, \"last_event_at\": {{\"purchase\": \"2025-06-01T00:00:00Z\"}}{extra}}}",
                id.replace('"', "")
            )),
        1 => Just(String::new()),
        1 => Just("[1, 2]".to_string()),
        1 => Just("{not json".to_string()),
        1 => Just("{\"id\": 12, \"attributes\": {\"tier\": \"silver\"}}".to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn streamed_csv_reads_as_the_whole_file_does(text in csv_text(), schema: bool) {
        check_same(&world(schema), &text, Format::Csv)?;
    }

    #[test]
    fn streamed_json_lines_read_as_the_whole_file_does(
        lines in prop::collection::vec(json_line(), 0..30),
        schema: bool,
    ) {
        check_same(&world(schema), &lines.join("\n"), Format::JsonLines)?;
    }
}

/// Many customers, so the filter of ids has something to do, with every
/// hundredth id repeated: each repeat is told, the rest simulated.
#[test]
fn repeats_are_told_in_a_large_file() {
    let mut text = String::from(HEADER);
    text.push('\n');
    for i in 0..20_000 {
        let id = if i % 100 == 99 { i - 50 } else { i };
        text.push_str(&format!(
            "c{id},Europe/Berlin,email,,,0,,silver,250,2024-06-01,2025-06-01T00:00:00Z,basic,\n"
        ));
    }
    let world = world(true);
    let (tallies, errors) = whole(&world, &text, Format::Csv);
    // Each repeat, and the column the schema does not declare.
    assert_eq!(errors.len(), 201);
    let got = streamed(&world, &text, Format::Csv, 2, 4096, Shard::WHOLE);
    assert_eq!(got.errors, errors);
    assert!(got.tallies == tallies);
}
