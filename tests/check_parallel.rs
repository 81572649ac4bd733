//! `nurture check` on several threads says what it says on one, byte for
//! byte and in the order of the files: a folder of hundreds of programs
//! (the bundled ones, every fixture with and without mistakes, a file that
//! is not UTF-8, a folder with a schema of its own and one whose schema has
//! mistakes), in every output format, with `--summary`, on 1, 2 and 7
//! threads.

use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Exit code, stdout, stderr of `nurture check` run in `dir`.
fn check(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_nurture"))
        .arg("check")
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .output()
        .expect("run nurture");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn copy_programs(from: &Path, to: &Path, copies: usize) -> usize {
    std::fs::create_dir_all(to).expect("a folder");
    let mut copied = 0;
    let mut entries: Vec<_> = std::fs::read_dir(from)
        .expect("a folder to copy")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "nurture"))
        .collect();
    entries.sort();
    for copy in 0..copies {
        for path in &entries {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("x");
            let name = if name == "schema.nurture" {
                if copy > 0 {
                    continue;
                }
                name.to_string()
            } else {
                format!("{copy:02}_{name}")
            };
            std::fs::copy(path, to.join(name)).expect("copy a program");
            copied += 1;
        }
    }
    copied
}

#[test]
fn many_threads_say_what_one_says() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let base = dir.path();
    let mut files = copy_programs(&root().join("programs"), &base.join("bundled"), 4);
    files += copy_programs(&root().join("tests/fixtures/err"), &base.join("err"), 2);
    files += copy_programs(&root().join("tests/fixtures/ok"), &base.join("ok"), 2);
    // A folder whose schema has mistakes: said once, exit 2.
    let broken = base.join("broken");
    copy_programs(&root().join("programs"), &broken, 1);
    std::fs::write(
        broken.join("schema.nurture"),
        "schema {\n  attribute tier: \n",
    )
    .expect("write");
    std::fs::write(base.join("err/latin1.nurture"), b"program caf\xe9 {}\n").expect("write");
    assert!(files > 200, "{files} files");

    for args in [
        &[][..],
        &["--summary"][..],
        &["--output-format", "json", "--summary"][..],
        &["--output-format", "github"][..],
        &["--output-format", "sarif"][..],
    ] {
        let mut one: Vec<&str> = args.to_vec();
        one.extend(["--threads", "1", "."]);
        let (code, stdout, stderr) = check(base, &one);
        assert_eq!(code, Some(2), "a schema with mistakes: {stderr}");
        assert!(stderr.contains("has mistakes"), "{stderr}");
        assert!(!stdout.is_empty());
        for threads in ["2", "7"] {
            let mut many: Vec<&str> = args.to_vec();
            many.extend(["--threads", threads, "."]);
            let (code_many, stdout_many, stderr_many) = check(base, &many);
            assert_eq!(code_many, code, "{args:?} on {threads} threads");
            assert!(
                stdout_many == stdout,
                "{args:?}: stdout on {threads} threads differs from one"
            );
            assert_eq!(stderr_many, stderr, "{args:?} on {threads} threads");
        }
    }

    // Without the broken folder: the findings alone set the exit code, on
    // any number of threads; the default is one per core.
    std::fs::remove_dir_all(&broken).expect("remove");
    let (code, stdout, _) = check(base, &["--threads", "1"]);
    assert_eq!(code, Some(1));
    let (code_default, stdout_default, _) = check(base, &[]);
    assert_eq!(code_default, code);
    assert!(stdout_default == stdout);
    assert!(stdout.contains("N001 (syntax-error)"), "{stdout}");
}

#[test]
fn threads_must_be_at_least_one() {
    let (code, _, stderr) = check(root(), &["--threads", "0", "programs"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("--threads"), "{stderr}");
}
