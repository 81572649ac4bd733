//! Simulator speed, on one core: customers through `wake_up_dormant` for
//! 120 days with the bundled behaviour model, counted in interpreter
//! transitions (one per timer or event per customer). The customers are
//! read before the clock starts (copying them for each run is not timed;
//! dropping them is); reading is measured on its own.
//!
//! Run: `cargo bench --bench sim`

use divan::counter::ItemsCount;
use divan::{Bencher, black_box};
use nurture::run::Customer;
use nurture::run::input::{self, Format};
use nurture::sim::behavior;
use nurture::sim::engine::Window;
use nurture::sim::run::{Options, simulate};
use nurture::sim::setup::Setup;
use std::path::Path;

// As in the binary: see src/main.rs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

const CUSTOMERS: u64 = 20_000;
const START: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z

fn programs() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/programs"))
}

fn read(name: &str) -> String {
    std::fs::read_to_string(programs().join(name)).unwrap_or_default()
}

fn population() -> String {
    let mut out = Vec::new();
    let options = nurture::sim::sample::Options {
        count: CUSTOMERS,
        seed: 1,
        as_of: START / 86_400,
    };
    let _ = nurture::sim::sample::write_customers(&mut out, &options);
    String::from_utf8(out).unwrap_or_default()
}

#[divan::bench(sample_count = 10)]
fn wake_up_120_days(bencher: Bencher) {
    let schema = nurture::syntax::parse(&read("schema.nurture")).schema;
    let text = read("wake_up_dormant.nurture");
    let program = nurture::syntax::parse(&text).program.expect("a program");
    let plan = nurture::plan::compile(&program, schema.as_ref());
    let model = behavior::read(&read("sample/behavior.toml"), schema.as_ref()).expect("model");
    let setup = vec![Setup::new(&plan, &program, &model)];
    // Only the attributes the program reads, as `nurture simulate` keeps.
    let mut keep = std::collections::BTreeSet::new();
    nurture::sim::setup::attributes_read(&plan, &mut keep);
    let mut customers = Vec::new();
    input::read_customers_each(
        "population",
        &population(),
        Format::Csv,
        schema.as_ref(),
        Some(&keep),
        &mut |c| customers.push(c),
    );
    let options = Options {
        seeds: vec![0],
        window: Window {
            start: START,
            end: START + 120 * 86_400,
        },
        threads: 1,
    };
    // The transitions of one run, to count by.
    let run = |customers: Vec<Customer>| {
        let mut all = customers.into_iter();
        simulate(
            &setup,
            &model,
            &options,
            "population",
            &mut |take| all.by_ref().for_each(&mut *take),
            &mut |_| {},
        )
        .0
    };
    let transitions = run(customers.clone())[0][0].transitions;
    bencher
        .counter(ItemsCount::new(transitions as usize))
        .with_inputs(|| customers.clone())
        .bench_local_values(|customers| black_box(run(customers)));
}

#[divan::bench(sample_count = 10)]
fn read_population(bencher: Bencher) {
    let schema = nurture::syntax::parse(&read("schema.nurture")).schema;
    let text = population();
    bencher
        .counter(ItemsCount::new(CUSTOMERS as usize))
        .bench_local(|| {
            let mut count = 0u64;
            let errors = input::read_customers_each(
                "population",
                &text,
                Format::Csv,
                schema.as_ref(),
                None,
                &mut |c| {
                    black_box(c);
                    count += 1;
                },
            );
            black_box((count, errors))
        });
}
