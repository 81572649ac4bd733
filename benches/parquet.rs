//! Reading customers from Parquet against the same customers as CSV: a
//! million sample customers checked row by row through the simulator's
//! streamed reader (`simulate_file` without simulating, as `--strict`
//! reads them), the compact record keeping what `wake_up_dormant` reads,
//! on one thread (a Parquet block of rows is decoded, a column at a time,
//! on the thread that reads the file). `parquet_1m_every_column` decodes
//! the columns no program reads too: what reading only those the plans
//! need saves.
//!
//! Run (filtered: it writes about 220 MB of samples to a temporary folder
//! first):
//! `cargo bench --bench parquet`

use divan::counter::ItemsCount;
use divan::{Bencher, black_box};
use nurture::run::compact::Layout;
use nurture::run::input::{self, Format};
use nurture::sim::behavior;
use nurture::sim::engine::Window;
use nurture::sim::run::Options;
use nurture::sim::setup::Setup;
use nurture::sim::stream::{Data, Input, Shard, simulate_file};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

const CUSTOMERS: u64 = 1_000_000;
const START: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z

fn programs() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/programs"))
}

fn read(name: &str) -> String {
    std::fs::read_to_string(programs().join(name)).unwrap_or_default()
}

/// The million customers as `customers.csv` and `customers.parquet`,
/// written once.
fn files() -> &'static (tempfile::TempDir, PathBuf, PathBuf) {
    static FILES: OnceLock<(tempfile::TempDir, PathBuf, PathBuf)> = OnceLock::new();
    FILES.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a folder");
        let options = nurture::sim::sample::Options {
            count: CUSTOMERS,
            seed: 1,
            as_of: START / 86_400,
        };
        let csv = dir.path().join("customers.csv");
        let parquet = dir.path().join("customers.parquet");
        let mut out = std::io::BufWriter::new(std::fs::File::create(&csv).expect("csv"));
        nurture::sim::sample::write_customers(&mut out, &options).expect("written");
        let mut out = std::fs::File::create(&parquet).expect("parquet");
        nurture::sim::sample::write_customers_parquet(&mut out, &options).expect("written");
        (dir, csv, parquet)
    })
}

fn read_all(bencher: Bencher, parquet: bool, every_column: bool) {
    let schema = nurture::syntax::parse(&read("schema.nurture")).schema;
    let program = nurture::syntax::parse(&read("wake_up_dormant.nurture"))
        .program
        .expect("a program");
    let plan = nurture::plan::compile(&program, schema.as_ref());
    let model = behavior::read_lenient(&read("sample/behavior.toml"), schema.as_ref())
        .expect("the bundled model")
        .0;
    let setups = vec![Setup::new(&plan, &program, &model)];
    let segments: Vec<&str> = model.segments.iter().map(|(s, _, _)| s.as_str()).collect();
    let layout = Layout::new(setups.iter().map(|s| s.plan), &segments);
    let wanted: BTreeSet<String> = layout
        .attributes
        .iter()
        .cloned()
        .chain(layout.events.iter().map(|e| format!("last_event_at.{e}")))
        .collect();
    let (_, csv, parquet_path) = files();
    let data = if parquet {
        Data::Parquet {
            path: parquet_path,
            schema: schema.as_ref(),
            wanted: (!every_column).then_some(&wanted),
        }
    } else {
        Data::File(csv)
    };
    let input = Input {
        data,
        name: "customers",
        format: Format::Csv,
        schema: schema.as_ref(),
        block: input::BLOCK,
    };
    let options = Options {
        seeds: vec![1],
        window: Window {
            start: START,
            end: START + 120 * 86_400,
        },
        threads: 1,
    };
    bencher
        .counter(ItemsCount::new(CUSTOMERS as usize))
        .bench_local(|| {
            let read = simulate_file(
                &setups,
                &model,
                &options,
                &layout,
                &input,
                Shard::WHOLE,
                false,
                &mut |_| {},
            );
            black_box(read.map(|r| r.errors.len()).unwrap_or(usize::MAX))
        });
}

#[divan::bench(sample_count = 5)]
fn csv_1m(bencher: Bencher) {
    read_all(bencher, false, false);
}

#[divan::bench(sample_count = 5)]
fn parquet_1m(bencher: Bencher) {
    read_all(bencher, true, false);
}

#[divan::bench(sample_count = 5)]
fn parquet_1m_every_column(bencher: Bencher) {
    read_all(bencher, true, true);
}
