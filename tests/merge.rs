//! `nurture merge`: the JSON reports of the shards of one run
//! (`simulate --shard I/N`) add up to the report `simulate` prints for the
//! whole file, byte for byte, for several N, any thread count on either
//! side, several runs, and a customers file with bad and repeated rows;
//! reports that are not every shard of one run are refused in words.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Exit code, stdout, stderr.
fn nurture(args: &[&str]) -> (Option<i32>, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_nurture"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("run nurture");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn bundled_programs() -> Vec<String> {
    let mut programs: Vec<String> = std::fs::read_dir(root().join("programs"))
        .expect("programs")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|x| x == "nurture")
                && p.file_name().is_some_and(|n| n != "schema.nurture")
        })
        .map(|p| p.strip_prefix(root()).unwrap_or(&p).display().to_string())
        .collect();
    programs.sort();
    assert!(programs.len() >= 12);
    programs
}

/// Writes each shard's JSON report of `args` into `dir`, simulated on
/// `threads` threads, and returns the files. Every shard must end with one
/// of `codes` (a shard with no bad rows of its own ends clean).
fn shards(dir: &Path, args: &[&str], count: u32, threads: &str, codes: &[i32]) -> Vec<PathBuf> {
    (0..count)
        .map(|index| {
            let shard = format!("{index}/{count}");
            let mut all: Vec<&str> = args.to_vec();
            all.extend(["--output-format", "json", "--threads", threads]);
            all.extend(["--shard", &shard]);
            let (status, out, err) = nurture(&all);
            assert!(
                status.is_some_and(|c| codes.contains(&c)),
                "shard {shard}: {status:?} {err}"
            );
            let path = dir.join(format!("shard-{index}-of-{count}.json"));
            std::fs::write(&path, out).expect("write a shard's report");
            path
        })
        .collect()
}

fn merge(files: &[PathBuf], extra: &[&str]) -> (Option<i32>, String, String) {
    let mut args = vec!["merge".to_string()];
    args.extend(files.iter().map(|f| f.display().to_string()));
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    nurture(&args)
}

#[test]
fn shards_merged_are_the_whole_run_for_any_count_and_thread_count() {
    let programs = bundled_programs();
    let mut args: Vec<&str> = vec!["simulate", "--compare"];
    args.extend(programs.iter().map(String::as_str));
    args.extend(["--runs", "2", "--seed", "7"]);
    shards_merge_into_the_whole(&args);
}

#[test]
fn shards_of_programs_run_together_merge_into_the_whole_run_and_its_portfolio() {
    let args = ["simulate", "programs/", "--runs", "2", "--seed", "7"];
    let (_, whole, _) = nurture(&[&args[..], &["--output-format", "json"]].concat());
    assert!(whole.contains("\"portfolio\""), "{whole}");
    shards_merge_into_the_whole(&args);
}

fn shards_merge_into_the_whole(args: &[&str]) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let args: Vec<&str> = args.to_vec();

    let mut whole_args = args.clone();
    whole_args.extend(["--output-format", "json", "--threads", "2"]);
    let (status, whole, err) = nurture(&whole_args);
    assert_eq!(status, Some(0), "{err}");
    assert!(whole.contains("\"programs\""));
    assert!(
        !whole.contains("\"shard\""),
        "a whole run has no shard block"
    );

    for (count, threads) in [(1, "1"), (2, "1"), (3, "2"), (5, "1")] {
        let mut files = shards(dir.path(), &args, count, threads, &[0]);
        // Any order.
        files.reverse();
        let (status, merged, err) = merge(&files, &[]);
        assert_eq!(status, Some(0), "{count} shards: {err}");
        assert!(
            merged == whole,
            "{count} shards on {threads} thread(s) do not merge into the whole run's report"
        );
        // Each shard holds only some customers, so for N > 1 a shard's own
        // figures are not the whole run's.
        if count > 1 {
            let one = std::fs::read_to_string(&files[0]).expect("a shard's report");
            assert!(one.contains("\"shard\""));
            assert!(!one.starts_with(whole.trim_end_matches('}')));
        }
    }

    // The human report of the merge is the human report of the run.
    let files = shards(dir.path(), &args, 2, "2", &[0]);
    let (_, merged, _) = merge(&files, &["--output-format", "human"]);
    let mut human_args = args.clone();
    human_args.extend(["--output-format", "human"]);
    let (_, human, _) = nurture(&human_args);
    assert_eq!(merged, human);
}

#[test]
fn bad_rows_are_counted_once_across_shards() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let population =
        std::fs::read_to_string(root().join("programs/sample/population.csv")).expect("sample");
    let mut lines: Vec<&str> = population.lines().collect();
    // A repeated id, a row without an id, a row of the wrong width and a
    // bad score, among good rows.
    let repeated = lines[5].to_string();
    let no_id = format!(",{}", lines[6].split_once(',').map_or("", |(_, rest)| rest));
    // The sixth column is the score.
    let mut fields: Vec<&str> = lines[7].split(',').collect();
    fields[0] = "c8888888";
    fields[5] = "lots";
    let bad_score = fields.join(",");
    lines.insert(300, &repeated);
    lines.insert(400, &no_id);
    lines.insert(500, "c9999999,too,few");
    lines.insert(600, &bad_score);
    let customers = dir.path().join("customers.csv");
    std::fs::write(&customers, lines.join("\n") + "\n").expect("write customers");
    let customers = customers.display().to_string();

    let args = [
        "simulate",
        "programs/wake_up_dormant.nurture",
        "programs/upsell_premium.nurture",
        "--customers",
        &customers,
    ];
    let mut whole_args = args.to_vec();
    whole_args.extend(["--output-format", "json"]);
    let (status, whole, err) = nurture(&whole_args);
    assert_eq!(status, Some(1), "bad rows are findings: {err}");
    assert!(whole.contains("\"skipped_rows\": 4"), "{whole}");
    assert!(
        err.contains(":601: `score` must be a whole number"),
        "{err}"
    );

    let files = shards(dir.path(), &args, 3, "2", &[0, 1]);
    let (status, merged, err) = merge(&files, &[]);
    assert_eq!(status, Some(1), "{err}");
    assert!(
        merged == whole,
        "bad rows do not merge into the whole run's"
    );
}

#[test]
fn reports_that_are_not_every_shard_of_one_run_are_refused() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let args = ["simulate", "programs/wake_up_dormant.nurture"];
    let files = shards(dir.path(), &args, 3, "1", &[0]);
    let refused = |files: &[PathBuf], says: &str| {
        let (status, out, err) = merge(files, &[]);
        assert_eq!(status, Some(1), "{err}");
        assert!(out.is_empty(), "nothing is printed when refused: {out}");
        assert!(err.contains(says), "`{says}` not in: {err}");
    };

    refused(&files[..2], "shard 2/3 is missing");
    refused(
        &[files[0].clone(), files[0].clone(), files[1].clone()],
        "is given twice",
    );

    // Another seed is another run.
    let other = dir.path().join("other");
    std::fs::create_dir(&other).expect("a folder");
    let seeded = shards(
        &other,
        &[
            "simulate",
            "programs/wake_up_dormant.nurture",
            "--seed",
            "3",
        ],
        3,
        "1",
        &[0],
    );
    refused(
        &[files[0].clone(), files[1].clone(), seeded[2].clone()],
        "the seed is 3",
    );

    // Other programs.
    let upsell = shards(
        &other,
        &["simulate", "programs/upsell_premium.nurture"],
        3,
        "1",
        &[0],
    );
    refused(
        &[files[0].clone(), files[1].clone(), upsell[2].clone()],
        "the programs",
    );

    // Another number of shards.
    let halves = shards(&other, &args, 2, "1", &[0]);
    refused(
        &[files[0].clone(), halves[1].clone()],
        "the number of shards",
    );

    // A whole run's report is no shard's.
    let (_, whole, _) = nurture(&[
        "simulate",
        "programs/wake_up_dormant.nurture",
        "--output-format",
        "json",
    ]);
    let whole_file = dir.path().join("whole.json");
    std::fs::write(&whole_file, whole).expect("write");
    refused(&[whole_file], "is not the report of a shard");

    // Nor is what is not JSON.
    let text = dir.path().join("report.txt");
    std::fs::write(&text, "Simulated 120 days").expect("write");
    refused(&[text], "is not a simulator report in JSON");

    // Counts no run makes (a hand-edited report) are refused, not added
    // past what a number holds.
    let text = std::fs::read_to_string(&files[2]).expect("a shard's report");
    let mut edited: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    edited["shard"]["programs"][0]["tallies"][0]["customers"] = serde_json::Value::from(u64::MAX);
    let huge = dir.path().join("huge.json");
    std::fs::write(&huge, edited.to_string()).expect("write");
    refused(
        &[files[0].clone(), files[1].clone(), huge],
        "holds a count larger than any run makes",
    );

    // A file that cannot be read is told, exit 2 as for every input.
    let (status, _, err) = merge(&[dir.path().join("missing.json")], &[]);
    assert_eq!(status, Some(2));
    assert!(err.contains("cannot read"), "{err}");
}

#[test]
fn shards_of_the_same_customers_read_from_other_paths_merge_and_other_data_is_refused() {
    // A CI matrix: each machine reads the same file from a folder of its
    // own. The data is the same, so the shards are one run's.
    let dir = tempfile::tempdir().expect("a temporary folder");
    let sample = root().join("programs/sample/population.csv");
    let copy = dir.path().join("population.csv");
    std::fs::copy(&sample, &copy).expect("copy the sample customers");
    let copy = copy.display().to_string();
    let paths = [
        "programs/sample/population.csv".to_string(),
        "./programs/sample/../sample/population.csv".to_string(),
        copy.clone(),
    ];
    let shard = |index: u32, customers: &str, out: &str| {
        let at = format!("{index}/3");
        let (status, json, err) = nurture(&[
            "simulate",
            "programs/wake_up_dormant.nurture",
            "--customers",
            customers,
            "--shard",
            &at,
            "--output-format",
            "json",
        ]);
        assert_eq!(status, Some(0), "{err}");
        let path = dir.path().join(out);
        std::fs::write(&path, json).expect("write a shard's report");
        path
    };
    let files: Vec<PathBuf> = paths
        .iter()
        .enumerate()
        .map(|(i, p)| shard(i as u32, p, &format!("shard-{i}.json")))
        .collect();
    let (status, merged, err) = merge(&files, &[]);
    assert_eq!(status, Some(0), "{err}");
    let (_, whole, _) = nurture(&[
        "simulate",
        "programs/wake_up_dormant.nurture",
        "--customers",
        &paths[0],
        "--output-format",
        "json",
    ]);
    assert_eq!(merged, whole, "the merge is the whole run");

    // Another file of the same size is other data: refused, in words.
    let text = std::fs::read_to_string(&sample).expect("the sample");
    let changed = text.replacen(",36,", ",37,", 1);
    assert_ne!(changed, text, "the sample has a score of 36");
    assert_eq!(changed.len(), text.len());
    let other = dir.path().join("other.csv");
    std::fs::write(&other, changed).expect("write");
    let odd = shard(2, &other.display().to_string(), "odd.json");
    let (status, out, err) = merge(&[files[0].clone(), files[1].clone(), odd], &[]);
    assert_eq!(status, Some(1), "{err}");
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains("the customers file's digest (its bytes) is sha256:"),
        "{err}"
    );
}

#[test]
fn shards_run_together_and_side_by_side_do_not_merge() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let programs = [
        "simulate",
        "programs/wake_up_dormant.nurture",
        "programs/upsell_premium.nurture",
    ];
    let together = shards(dir.path(), &programs, 2, "1", &[0]);
    let side = tempfile::tempdir().expect("a temporary folder");
    let compared = shards(
        side.path(),
        &[&programs[..], &["--compare"]].concat(),
        2,
        "1",
        &[0],
    );
    let (status, out, err) = merge(&[together[0].clone(), compared[1].clone()], &[]);
    assert_eq!(status, Some(1), "{err}");
    assert!(out.is_empty());
    assert!(err.contains("the portfolio is"), "{err}");
    assert!(err.contains("side by side"), "{err}");
}
