//! Folder fixtures: the checks over the programs of one folder together
//! (N317–N319 in `check/overlap.rs`, N331 in `check/handoff.rs`). Every
//! folder in `fixtures/folders/ok/` must be clean; every folder in
//! `fixtures/folders/err/` is named after the code it must raise, and
//! `nurture check` on it is snapshotted (colourless, 80 columns). The
//! programs are checked against `fixtures/schema.nurture`, found above them.

use std::path::{Path, PathBuf};
use std::process::Command;

fn folders(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/folders")
        .join(kind);
    let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixture folders")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.is_dir())
        .collect();
    found.sort();
    assert!(!found.is_empty(), "no folders in {}", dir.display());
    found
}

/// `nurture check FOLDER` from the crate's root: exit code, output.
fn check(folder: &Path, format: &str) -> (i32, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let relative = folder.strip_prefix(root).unwrap_or(folder);
    let output = Command::new(env!("CARGO_BIN_EXE_nurture"))
        .args(["check", "--color", "never", "--output-format", format])
        .arg(relative)
        .current_dir(root)
        .env("COLUMNS", "80")
        .env_remove("CLICOLOR_FORCE")
        .output()
        .expect("run nurture");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

fn codes(folder: &Path) -> Vec<String> {
    let (_, json) = check(folder, "json");
    let report: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let mut codes: Vec<String> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter_map(|d| d["code"].as_str().map(str::to_string))
        .collect();
    codes.sort();
    codes.dedup();
    codes
}

#[test]
fn ok_folders_are_clean() {
    for folder in folders("ok") {
        let (code, out) = check(&folder, "human");
        assert_eq!(code, 0, "{}:\n{out}", folder.display());
        assert!(out.contains("clean"), "{}:\n{out}", folder.display());
    }
}

#[test]
fn err_folders_raise_their_code_and_only_it() {
    for folder in folders("err") {
        let name = folder
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let code = name.split('_').next().unwrap_or_default().to_string();
        assert_eq!(codes(&folder), std::slice::from_ref(&code), "{name}");
        let (exit, out) = check(&folder, "human");
        let error = nurture::codes::Code::lookup(&code)
            .is_some_and(|c| c.severity() == nurture::diagnostic::Severity::Error);
        assert_eq!(exit, if error { 1 } else { 0 }, "{name}:\n{out}");
        insta::assert_snapshot!(format!("folder_{name}"), out);
    }
}
