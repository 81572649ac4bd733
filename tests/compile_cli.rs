//! `nurture compile` and `nurture schema plan` through the binary.

use std::path::Path;
use std::process::Command;

fn nurture(args: &[&str], dir: &Path) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_nurture"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .expect("run nurture");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn compiles_a_bundled_program_to_a_plan_that_loads() {
    let (code, stdout, stderr) = nurture(
        &["compile", "programs/welcome_new_customer.nurture"],
        root(),
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stderr, "",
        "the schema beside the program is used, so no note"
    );
    let plan = nurture::plan::load(&stdout).expect("a valid plan");
    assert_eq!(plan.program, "welcome_new_customer");
    assert_eq!(plan.kind, "welcome");
}

#[test]
fn writes_the_plan_to_a_file_with_output() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let out = dir.path().join("plan.json");
    let program = root().join("programs/wake_up_dormant.nurture");
    let (code, stdout, _) = nurture(
        &[
            "compile",
            program.to_str().unwrap_or_default(),
            "-o",
            out.to_str().unwrap_or_default(),
        ],
        dir.path(),
    );
    assert_eq!(code, 0);
    assert_eq!(stdout, "");
    let written = std::fs::read_to_string(&out).expect("plan written");
    assert!(nurture::plan::load(&written).is_ok());
}

#[test]
fn refuses_a_program_with_errors() {
    let dir = tempfile::tempdir().expect("temporary folder");
    std::fs::write(
        dir.path().join("broken.nurture"),
        "program p {\n  kind welcome\n  owner \"x\"\n  trigger event signup\n  step a { -> nowhere }\n}\n",
    )
    .expect("write");
    let (code, stdout, stderr) = nurture(&["compile", "broken.nurture"], dir.path());
    assert_eq!(code, 1);
    assert_eq!(stdout, "");
    assert!(stderr.contains("N301 (unknown-step)"), "{stderr}");
    assert!(
        stderr
            .ends_with("nurture: error: `broken.nurture` has 1 error; fix them before compiling\n"),
        "{stderr}"
    );
}

#[test]
fn a_missing_file_is_a_usage_error() {
    let (code, _, stderr) = nurture(&["compile", "no/such.nurture"], root());
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("nurture: error: cannot read `no/such.nurture`"),
        "{stderr}"
    );
}

#[test]
fn schema_plan_prints_the_committed_schema() {
    let (code, stdout, _) = nurture(&["schema", "plan"], root());
    assert_eq!(code, 0);
    let committed =
        std::fs::read_to_string(root().join("docs/plan.schema.json")).expect("committed");
    assert_eq!(stdout, committed);
}
