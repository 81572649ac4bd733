//! What commands write, and what they never lose (cli/write.rs):
//!
//! - a failed write to standard output (`> /dev/full`) is an error, exit 2,
//!   for every command;
//! - `fmt`, `compile -o`, `sample -o` and `simulate --html` replace a file
//!   whole or not at all: a write cut short (here by a file size limit,
//!   `ulimit -f`, as a full disk would) leaves the old file as it was;
//! - an output that is also an input is refused before anything is written.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn bundled(name: &str) -> PathBuf {
    root().join("programs").join(name)
}

fn nurture(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nurture"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run nurture")
}

/// Runs nurture with its standard output on `/dev/full`, where every write
/// fails with "no space left on device".
fn into_a_full_disk(dir: &Path, args: &[&str], stdin: &[u8]) -> Output {
    let full = File::options()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let mut child = Command::new(env!("CARGO_BIN_EXE_nurture"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(full)
        .stderr(Stdio::piped())
        .spawn()
        .expect("run nurture");
    if let Some(mut input) = child.stdin.take() {
        use std::io::Write;
        let _ = input.write_all(stdin);
    }
    child.wait_with_output().expect("wait for nurture")
}

#[test]
fn every_command_says_when_standard_output_cannot_be_written() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let program = bundled("welcome_new_customer.nurture");
    let program = program.to_string_lossy();
    let sample = root().join("programs/sample");
    let customers = sample.join("customers.csv");
    let events = sample.join("events.jsonl");
    let (customers, events) = (customers.to_string_lossy(), events.to_string_lossy());
    let messy = std::fs::read_to_string(&*program)
        .expect("read")
        .replace("\n  ", "\n");
    let commands: Vec<(Vec<&str>, &[u8])> = vec![
        (vec!["check", &program], b""),
        (vec!["check", "--output-format", "json", &program], b""),
        (vec!["check", "--output-format", "sarif", &program], b""),
        (vec!["compile", &program], b""),
        (
            vec![
                "replay",
                &program,
                "--customers",
                &customers,
                "--events",
                &events,
            ],
            b"",
        ),
        (vec!["graph", &program], b""),
        (vec!["graph", "--format", "svg", &program], b""),
        (vec!["simulate", &program], b""),
        (vec!["fmt", "-"], messy.as_bytes()),
        (vec!["schema", "plan"], b""),
        (vec!["explain"], b""),
        (vec!["explain", "N101"], b""),
        (vec!["sample", "customers", "--count", "10"], b""),
    ];
    for (args, stdin) in commands {
        let output = into_a_full_disk(dir.path(), &args, stdin);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "nurture {args:?}: {stderr}");
        assert!(
            stderr.contains("nurture: error: cannot write to standard output: "),
            "nurture {args:?}: {stderr}"
        );
    }
}

/// A closed pipe is what `nurture … | head` asks for: no error.
#[test]
fn a_closed_pipe_is_no_error() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nurture"))
        .args(["sample", "customers", "--count", "200000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run nurture");
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("wait");
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

/// Runs `nurture ARGS` in `dir` allowed to write files of at most 1 KiB
/// (`ulimit -f 2`, in blocks of 512 bytes, with SIGXFSZ ignored): the write
/// past it fails with "file too large", as it would on a full disk.
fn with_small_files(dir: &Path, args: &[&str]) -> Output {
    let mut script = String::from("trap '' XFSZ; ulimit -f 2 && exec \"$0\"");
    for n in 1..=args.len() {
        script.push_str(&format!(" \"${n}\""));
    }
    Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_nurture"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run sh")
}

/// What is in `dir`, to see that no temporary file was left.
fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("list")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn fmt_never_leaves_half_a_program() {
    let dir = tempfile::tempdir().expect("temporary folder");
    // A program of more than 1 KiB, out of its canonical layout.
    let text = std::fs::read_to_string(bundled("upsell_key_account.nurture")).expect("read");
    let messy = text.replace("\n  ", "\n").replace("\n    ", "\n");
    assert!(messy.len() > 1024);
    let path = dir.path().join("upsell.nurture");
    std::fs::write(&path, &messy).expect("write");
    let output = with_small_files(dir.path(), &["fmt", "upsell.nurture"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot write `upsell.nurture`"));
    assert_eq!(std::fs::read_to_string(&path).expect("read"), messy);
    assert_eq!(files_in(dir.path()), ["upsell.nurture"]);

    // With room to write, it is formatted, and nothing else is left.
    let output = nurture(dir.path(), &["fmt", "upsell.nurture"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&path).expect("read"), text);
    assert_eq!(files_in(dir.path()), ["upsell.nurture"]);
}

#[test]
fn compile_output_is_replaced_whole() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let program = bundled("upsell_key_account.nurture");
    let old = "{\"an\": \"old plan\"}\n";
    std::fs::write(dir.path().join("plan.json"), old).expect("write");
    let args = ["compile", &program.to_string_lossy(), "-o", "plan.json"];
    let output = with_small_files(dir.path(), &args);
    assert_eq!(output.status.code(), Some(2));
    let kept = std::fs::read_to_string(dir.path().join("plan.json")).expect("read");
    assert_eq!(kept, old);
    assert_eq!(files_in(dir.path()), ["plan.json"]);

    let output = nurture(dir.path(), &args);
    assert_eq!(output.status.code(), Some(0));
    let plan = std::fs::read_to_string(dir.path().join("plan.json")).expect("read");
    assert!(plan.len() > 1024 && plan.ends_with("}\n"));
    assert_eq!(files_in(dir.path()), ["plan.json"]);
}

#[test]
fn sample_output_is_replaced_whole() {
    let dir = tempfile::tempdir().expect("temporary folder");
    std::fs::write(dir.path().join("c.csv"), "id\nkeep\n").expect("write");
    let args = ["sample", "customers", "--count", "1000", "-o", "c.csv"];
    let output = with_small_files(dir.path(), &args);
    assert_eq!(output.status.code(), Some(2));
    let kept = std::fs::read_to_string(dir.path().join("c.csv")).expect("read");
    assert_eq!(kept, "id\nkeep\n");
    assert_eq!(files_in(dir.path()), ["c.csv"]);
}

#[test]
fn simulate_html_keeps_the_last_page_until_the_new_one_is_whole() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let old = "<p>the last report</p>\n";
    std::fs::write(dir.path().join("report.html"), old).expect("write");
    let program = bundled("welcome_new_customer.nurture");
    let args = [
        "simulate",
        &program.to_string_lossy(),
        "--days",
        "30",
        "--html",
        "report.html",
    ];
    let output = with_small_files(dir.path(), &args);
    assert_eq!(output.status.code(), Some(2));
    let kept = std::fs::read_to_string(dir.path().join("report.html")).expect("read");
    assert_eq!(kept, old);
    assert_eq!(files_in(dir.path()), ["report.html"]);

    // A folder that does not exist is found before simulating.
    let output = nurture(
        dir.path(),
        &[
            "simulate",
            &program.to_string_lossy(),
            "--html",
            "no/such/folder/r.html",
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stdout).is_empty());
}

#[test]
fn an_input_is_never_overwritten_by_an_output() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let text = std::fs::read_to_string(bundled("welcome_new_customer.nurture")).expect("read");
    std::fs::write(dir.path().join("p.nurture"), &text).expect("write");
    let customers = "id,time_zone\nc1,Europe/Berlin\n";
    std::fs::write(dir.path().join("a.csv"), customers).expect("write");

    let output = nurture(dir.path(), &["compile", "p.nurture", "-o", "./p.nurture"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("`./p.nurture` is the program"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("p.nurture")).expect("read"),
        text
    );

    let output = nurture(
        dir.path(),
        &[
            "simulate",
            "p.nurture",
            "--customers",
            "a.csv",
            "--html",
            "a.csv",
        ],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("`a.csv` is the customers file"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.csv")).expect("read"),
        customers
    );

    let output = nurture(
        dir.path(),
        &["simulate", "p.nurture", "--html", "p.nurture"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("p.nurture")).expect("read"),
        text
    );
}
