//! Characters a terminal obeys instead of showing (ESC, BEL, CR, NUL) and
//! the bidirectional controls (U+202E) never reach the terminal raw: a
//! program's texts and comments refuse them (N015), and everything printed
//! for people shows them as escapes like `\u{1b}` — the file's lines, the
//! messages (a key of a behaviour model included), paths, customer ids.

use std::path::Path;
use std::process::{Command, Output};

/// The characters no output for people may hold raw.
const OBEYED: [char; 6] = ['\u{1b}', '\u{7}', '\r', '\0', '\u{202e}', '\u{2066}'];

fn nurture(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nurture"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run nurture")
}

#[track_caller]
fn assert_nothing_obeyed(output: &Output) -> String {
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    for c in OBEYED {
        assert!(!all.contains(c), "{c:?} printed raw:\n{all:?}");
    }
    all
}

fn bundled(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("programs")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

const HOSTILE: &str = "program hostile {\n  title \"clear\u{1b}[2J\u{7} the screen\"\n  kind welcome\n  owner \"crm@example.com\u{202e}moc.elpmaxe\"\n  trigger event signup\n  # a comment \u{2066}turned round\n  step hello {\n    send email \"a\rb\0\"\n    exit done\n    \u{1b}[31m\n  }\n}\n";

#[test]
fn texts_and_comments_refuse_them_and_every_format_escapes_them() {
    let dir = tempfile::tempdir().expect("temporary folder");
    std::fs::write(dir.path().join("hostile.nurture"), HOSTILE).expect("write");
    for format in ["human", "json", "github", "sarif"] {
        let output = nurture(
            dir.path(),
            &["check", "--output-format", format, "hostile.nurture"],
        );
        assert_eq!(output.status.code(), Some(1));
        let all = assert_nothing_obeyed(&output);
        if format != "sarif" {
            assert_eq!(all.matches("N015").count(), 6, "{format}: {all}");
        }
    }
    let output = nurture(dir.path(), &["check", "hostile.nurture"]);
    let all = assert_nothing_obeyed(&output);
    assert!(all.contains("clear\\u{1b}[2J\\u{7} the screen"), "{all}");
    assert!(all.contains("a comment \\u{2066}turned round"), "{all}");
    // Outside a text, as a syntax error.
    assert!(all.contains("\\u{1b}[31m"), "{all}");
    for command in [
        &["compile", "hostile.nurture"][..],
        &["fmt", "--check", "hostile.nurture"],
        &["graph", "hostile.nurture"],
    ] {
        assert_nothing_obeyed(&nurture(dir.path(), command));
    }
}

#[test]
fn a_path_cannot_start_a_line_or_drive_the_terminal() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let name = "a\n::error::injected\u{1b}[2J.nurture";
    std::fs::write(dir.path().join(name), "program x {\n}\n").expect("write");
    for args in [
        vec!["check", "--output-format", "github", "."],
        vec!["check", "--output-format", "github", name],
        vec![
            "check",
            "--output-format",
            "github",
            "missing\n::error::x.nurture",
        ],
        vec!["check", "."],
    ] {
        let output = nurture(dir.path(), &args);
        let all = assert_nothing_obeyed(&output);
        for line in all.lines() {
            assert!(
                !line.starts_with("::")
                    || line.starts_with("::error file=")
                    || line.starts_with("::warning file="),
                "a line a runner would read as a command of its own: {line:?}"
            );
        }
    }
}

#[test]
fn a_key_of_a_behaviour_model_is_escaped_in_its_message() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let toml = "[channel.email]\n\"op\\u001b[2Jen\\u202e\" = { chance = 0.4, after = \"5h\", p90 = \"2d\" }\n";
    std::fs::write(dir.path().join("b.toml"), toml).expect("write");
    let program = bundled("welcome_new_customer.nurture");
    let output = nurture(dir.path(), &["simulate", &program, "--behavior", "b.toml"]);
    assert_eq!(output.status.code(), Some(1));
    let all = assert_nothing_obeyed(&output);
    assert!(all.contains("no event `op\\u{1b}[2Jen\\u{202e}`"), "{all}");
}

#[test]
fn customer_ids_are_escaped_in_traces_and_row_errors() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let csv = "id,time_zone,score,country,lifetime_value,role,segment\nc\u{1b}1,Europe/Berlin,0,DE,100,buyer,smb\nc2,Europe/Berlin,x\u{7},DE,100,buyer,smb\n";
    std::fs::write(dir.path().join("c.csv"), csv).expect("write");
    let program = bundled("welcome_new_customer.nurture");
    let output = nurture(
        dir.path(),
        &[
            "simulate",
            &program,
            "--customers",
            "c.csv",
            "--trace",
            "c\u{1b}1",
        ],
    );
    let all = assert_nothing_obeyed(&output);
    assert!(
        all.contains("customer c\\u{1b}1 in welcome_new_customer"),
        "{all}"
    );
    let output = nurture(dir.path(), &["simulate", &program, "--customers", "c.csv"]);
    assert_nothing_obeyed(&output);
    std::fs::write(dir.path().join("e.jsonl"), "").expect("write");
    let output = nurture(
        dir.path(),
        &[
            "replay",
            &program,
            "--customers",
            "c.csv",
            "--events",
            "e.jsonl",
        ],
    );
    assert_nothing_obeyed(&output);
}
