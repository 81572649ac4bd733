//! Parse + structure checks, and every check, in bytes per second, on the
//! bundled programs and on one large generated program (the target: parse
//! and every check at 30 MB/s per core, `bundled_with_schema`).
//!
//! Run: `cargo bench --bench parse`

use divan::counter::BytesCount;
use divan::{Bencher, black_box};
use std::path::Path;

// The allocator `nurture check` runs with (src/main.rs): parsing and the
// checks allocate for every node, and glibc's allocator and mimalloc differ
// most there, so the figures here are the binary's only with the same one.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

fn bundled_programs() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("programs");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .map(|entries| entries.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    paths.sort();
    paths
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "nurture"))
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect()
}

/// One program with `steps` steps, each using most statement kinds.
fn generated(steps: usize) -> String {
    let mut text = String::from(
        "program big {\n  title \"Generated\"\n  kind upsell\n  owner \"crm@example.com\"\n  trigger event purchase where amount > 500 and category in [\"tools\", \"parts\"]\n  consent email, sms\n  cap 3 messages per 14d\n  start s0\n\n",
    );
    for i in 0..steps {
        let next = if i + 1 < steps {
            format!("s{}", i + 1)
        } else {
            "exit done".into()
        };
        text.push_str(&format!(
            "  step s{i} {{\n    # step {i}\n    send email \"mail-{i}\" if consent email and tier in [gold, silver]\n    score +5\n    tag seen_{i}\n    set last_step = \"s{i}\"\n    wait 2d\n    wait up to 5d for click or open {{\n      click where link == \"offer\" -> {next}\n      open -> {next}\n      timeout -> exit quiet_{i}\n    }}\n  }}\n\n"
        ));
    }
    text.push_str("}\n");
    text
}

#[divan::bench]
fn bundled(bencher: Bencher) {
    let programs = bundled_programs();
    let bytes: usize = programs.iter().map(String::len).sum();
    bencher.counter(BytesCount::new(bytes)).bench(|| {
        for text in &programs {
            black_box(nurture::check::check_text(black_box(text)));
        }
    });
}

/// What the language core promises 20 MB/s for: parsing (with recovery) and
/// the structure checks, without the graph and the schema.
#[divan::bench]
fn bundled_syntax_only(bencher: Bencher) {
    let programs = bundled_programs();
    let bytes: usize = programs.iter().map(String::len).sum();
    bencher.counter(BytesCount::new(bytes)).bench(|| {
        for text in &programs {
            let parsed = nurture::syntax::parse(black_box(text));
            if let Some(program) = &parsed.program {
                black_box(nurture::check::structure::check(
                    program,
                    text,
                    parsed.complete,
                ));
            }
            black_box(parsed);
        }
    });
}

/// Every check, the schema's included: the bundled programs against
/// programs/schema.nurture (parsed once, as `nurture check` does).
#[divan::bench]
fn bundled_with_schema(bencher: Bencher) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("programs");
    let schema_text = std::fs::read_to_string(dir.join("schema.nurture")).unwrap_or_default();
    let schema = nurture::syntax::parse(&schema_text).schema;
    let programs: Vec<String> = bundled_programs()
        .into_iter()
        .filter(|text| !text.trim_start().starts_with("schema") && !text.contains("\nschema {"))
        .collect();
    let bytes: usize = programs.iter().map(String::len).sum();
    bencher.counter(BytesCount::new(bytes)).bench(|| {
        for text in &programs {
            black_box(nurture::check::check_text_with(
                black_box(text),
                schema.as_ref(),
            ));
        }
    });
}

#[divan::bench(args = [10, 1000])]
fn large_program(bencher: Bencher, steps: usize) {
    let text = generated(steps);
    bencher
        .counter(BytesCount::new(text.len()))
        .bench(|| black_box(nurture::check::check_text(black_box(&text))));
}

/// A file with a mistake in every step: the recovering parser's speed.
#[divan::bench]
fn with_errors(bencher: Bencher) {
    let text = generated(200).replace("score +5", "scor +5");
    bencher
        .counter(BytesCount::new(text.len()))
        .bench(|| black_box(nurture::check::check_text(black_box(&text))));
}

/// 1 MB hostile inputs must be turned away in well under a second.
#[divan::bench(args = ["parens", "binary", "unclosed_steps"])]
fn hostile_1mb(bencher: Bencher, input: &str) {
    const MB: usize = 1 << 20;
    let bytes: Vec<u8> = match input {
        "parens" => vec![b'('; MB],
        "binary" => {
            // A fixed linear congruential sequence: the same bytes every run.
            let mut state: u32 = 0x2545_F491;
            (0..MB)
                .map(|_| {
                    state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    (state >> 24) as u8
                })
                .collect()
        }
        _ => format!("program p {{\n{}", "step a {\n  sned x\n".repeat(MB / 18)).into_bytes(),
    };
    bencher
        .counter(BytesCount::new(bytes.len()))
        .bench(|| black_box(nurture::check::check_bytes(black_box(&bytes))));
}
