//! The JSON nurture writes for other programs, against its schemas, in
//! strict standard validators:
//!
//! - every schema `nurture schema NAME` prints is the committed file under
//!   docs/, is a valid 2020-12 schema with an absolute `$id`, and compiles
//!   in the `jsonschema` crate and in Ajv's strict mode (tests/ajv/; that
//!   part is skipped with a note where node or `npm ci --prefix tests/ajv`
//!   has not been run, which `.ci/run` does);
//! - what `compile`, `check --output-format json` and `replay` write for the
//!   bundled programs, fixtures and scenarios is valid against them, and a
//!   plan the loader refuses is refused by the schema too;
//! - `check --output-format sarif` is valid against the official SARIF
//!   2.1.0 schema (tests/sarif/), with what GitHub asks of an upload.

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;

mod support;
use support::root;

fn nurture(dir: &Path, args: &[&str]) -> (i32, String, String) {
    support::outcome(args, dir)
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// The schema `nurture schema NAME` prints, after checking it is the
/// committed docs/NAME.schema.json (rewritten with UPDATE_DOCS=1).
fn schema(name: &str) -> Value {
    let (code, printed, stderr) = nurture(root(), &["schema", name]);
    assert_eq!(code, 0, "{stderr}");
    let path = root().join(format!("docs/{name}.schema.json"));
    if std::env::var_os("UPDATE_DOCS").is_some() && name == "plan" {
        std::fs::write(&path, &printed).expect("write the schema");
    }
    let committed = std::fs::read_to_string(&path).expect("the committed schema");
    assert!(
        committed == printed,
        "docs/{name}.schema.json differs from `nurture schema {name}` (UPDATE_DOCS=1 cargo test --test schemas rewrites the plan's)"
    );
    parse(&printed)
}

fn validator(schema: &Value) -> jsonschema::Validator {
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(schema)
        .unwrap_or_else(|e| panic!("the schema does not compile: {e}"))
}

#[track_caller]
fn assert_valid(validator: &jsonschema::Validator, document: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(document)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}");
}

const NAMES: [&str; 3] = ["plan", "check", "replay"];

#[test]
fn every_schema_is_a_standard_schema_with_an_absolute_id() {
    let (_, help, _) = nurture(root(), &["schema", "--help"]);
    for name in NAMES {
        assert!(help.contains(&format!("- {name}:")), "{help}");
        let schema = schema(name);
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
        assert_eq!(
            schema["$id"],
            format!("https://nurture.dev/schemas/{name}-1.schema.json")
        );
        if let Err(error) = jsonschema::draft202012::meta::validate(&schema) {
            panic!("{name}: not a valid 2020-12 schema: {error}");
        }
        // No format but the standard ones (schemars' `uint32` and `double`
        // are refused by strict validators).
        let text = schema.to_string();
        for format in ["uint", "int64", "int32", "double", "float"] {
            assert!(
                !text.contains(&format!("\"format\":\"{format}")),
                "{name}: format {format}"
            );
        }
        validator(&schema);
    }
}

fn bundled() -> Vec<PathBuf> {
    let mut programs: Vec<PathBuf> = std::fs::read_dir(root().join("programs"))
        .expect("programs/")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "nurture")
                && p.file_name().is_some_and(|n| n != "schema.nurture")
        })
        .collect();
    programs.sort();
    programs
}

fn plans() -> Vec<(String, Value)> {
    bundled()
        .iter()
        .map(|program| {
            let shown = program.to_string_lossy().into_owned();
            let (code, plan, stderr) = nurture(root(), &["compile", &shown]);
            assert_eq!(code, 0, "{stderr}");
            (shown, parse(&plan))
        })
        .collect()
}

#[test]
fn every_bundled_plan_is_valid_and_what_the_loader_refuses_the_schema_refuses() {
    let schema = schema("plan");
    let plans = plans();
    let validate = validator(&schema);
    for (name, plan) in &plans {
        assert_valid(&validate, plan, name);
        assert_eq!(plan["$schema"], schema["$id"], "a plan names its schema");
    }
    let plan = &plans[0].1;
    let mut refused: Vec<(&str, Value)> = Vec::new();
    let mut unknown = plan.clone();
    unknown["nurture"] = json!(1);
    refused.push(("an unknown field", unknown));
    let mut in_node = plan.clone();
    in_node["nodes"][0]["gaurd"] = Value::Null;
    refused.push(("an unknown field in a node", in_node));
    let mut digest = plan.clone();
    digest["digest"] = json!("sha256:xyz");
    refused.push(("a digest that is no digest", digest));
    let mut version = plan.clone();
    version["format_version"] = json!(nurture::plan::FORMAT_VERSION + 1);
    refused.push(("another format version", version));
    let mut too_big = plan.clone();
    too_big["entry"]["holdout"] = json!(5_000_000_000_u64);
    refused.push(("a share past 32 bits", too_big));
    for (what, document) in &refused {
        assert!(!validate.is_valid(document), "{what} is valid");
        let loaded = nurture::plan::load(&document.to_string());
        assert!(loaded.is_err(), "{what} loads");
    }
}

#[test]
fn check_json_is_valid_for_programs_fixtures_and_trouble() {
    let validate = validator(&schema("check"));
    let runs: [&[&str]; 5] = [
        &["check", "--output-format", "json", "--summary", "programs"],
        &["check", "--output-format", "json", "tests/fixtures/err"],
        &[
            "check",
            "--output-format",
            "json",
            "--summary",
            "tests/fixtures/ok",
        ],
        &["check", "--output-format", "json", "no/such/file.nurture"],
        &[
            "check",
            "--output-format",
            "json",
            "--summary",
            "tests/fixtures/err/N006_malformed_duration.nurture",
        ],
    ];
    for args in runs {
        let (code, stdout, stderr) = nurture(root(), args);
        assert!(code <= 2, "{stderr}");
        let document = parse(&stdout);
        assert_valid(&validate, &document, &format!("{args:?}"));
        let mut extra = document.clone();
        extra["summary"]["notes"] = json!(0);
        assert!(
            !validate.is_valid(&extra),
            "a field the format does not have"
        );
    }
}

#[test]
fn every_line_replay_writes_is_valid() {
    let validate = validator(&schema("replay"));
    let mut lines = 0;
    for program in bundled() {
        let name = program.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        let scenarios = root().join("tests/scenarios");
        let customers = scenarios.join(format!("{name}.customers.jsonl"));
        let events = scenarios.join(format!("{name}.events.jsonl"));
        let args = [
            "replay",
            &program.to_string_lossy(),
            "--customers",
            &customers.to_string_lossy(),
            "--events",
            &events.to_string_lossy(),
        ]
        .map(str::to_string);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, stdout, stderr) = nurture(root(), &args);
        assert_eq!(code, 0, "{stderr}");
        for line in stdout.lines() {
            assert_valid(&validate, &parse(line), line);
            lines += 1;
        }
    }
    assert!(lines > 100, "only {lines} actions");
}

fn sarif_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("tests/sarif/sarif-schema-2.1.0.json"))
        .expect("the SARIF schema");
    jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&parse(&text))
        .unwrap_or_else(|e| panic!("the SARIF schema does not compile: {e}"))
}

#[test]
fn sarif_is_valid_against_the_official_schema_and_has_what_github_asks() {
    let validate = sarif_validator();
    // The schema is strict itself: what is not SARIF is refused.
    assert!(!validate.is_valid(&json!({"version": "2.1.0"})));
    assert!(!validate.is_valid(&json!({"version": "2.1.0", "runs": [{"tool": {}}]})));
    let dir = tempfile::tempdir().expect("temporary folder");
    let broken = "program broken {\n  kind welcome\n  holdout 10%\n  holdout 10%\n  step a {\n    exit done\n  }\n}\n";
    std::fs::write(dir.path().join("broken.nurture"), broken).expect("write");
    std::fs::write(dir.path().join("again.nurture"), broken).expect("write");

    let (code, stdout, stderr) = nurture(
        dir.path(),
        &[
            "check",
            "--output-format",
            "sarif",
            "broken.nurture",
            "again.nurture",
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    let log = parse(&stdout);
    assert_valid(&validate, &log, "a run with findings");
    let run = &log["runs"][0];
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    assert_eq!(
        run["tool"]["driver"]["informationUri"],
        "https://nurture.dev"
    );
    let root_uri = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .expect("%SRCROOT% has a uri");
    assert!(
        root_uri.starts_with("file:///") && root_uri.ends_with('/'),
        "{root_uri}"
    );
    let results = run["results"].as_array().expect("results");
    let fingerprints: Vec<&str> = results
        .iter()
        .map(|r| {
            r["partialFingerprints"]["primaryLocationLineHash"]
                .as_str()
                .expect("every result has a fingerprint")
        })
        .collect();
    // The same mistake in two files: the same fingerprint, as each file is
    // matched on its own; two alike in one file are counted apart.
    let per_file = fingerprints.len() / 2;
    assert_eq!(fingerprints[..per_file], fingerprints[per_file..]);
    let mut unique = fingerprints[..per_file].to_vec();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), per_file, "{fingerprints:?}");
    for rule in run["tool"]["driver"]["rules"].as_array().expect("rules") {
        let text = rule["help"]["text"].as_str().expect("help text");
        let markdown = rule["help"]["markdown"].as_str().expect("help markdown");
        assert!(markdown.contains("## What it means"), "{markdown}");
        assert!(
            !text.contains("##") && !text.contains("```") && !text.contains('`'),
            "help.text is Markdown: {text}"
        );
        assert!(text.starts_with("What it means\n"), "{text}");
    }

    // A file that cannot be read: the run did not succeed, and says why.
    let (code, stdout, _) = nurture(
        dir.path(),
        &[
            "check",
            "--output-format",
            "sarif",
            "broken.nurture",
            "missing.nurture",
        ],
    );
    assert_eq!(code, 2);
    let log = parse(&stdout);
    assert_valid(&validate, &log, "a run that could not read a file");
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    assert_eq!(
        invocation["toolExecutionNotifications"][0]["message"]["text"],
        "cannot read `missing.nurture`: no such file or folder"
    );
    assert_eq!(
        invocation["toolExecutionNotifications"][0]["level"],
        "error"
    );

    let (_, stdout, _) = nurture(dir.path(), &["check", "--output-format", "sarif", "."]);
    assert_valid(&validate, &parse(&stdout), "a folder");
}

/// Ajv, strict: `node tests/ajv/validate.mjs SCHEMA [--lines] DOCUMENT…`.
fn ajv(schema: &Path, lines: bool, documents: &[PathBuf]) -> Option<(i32, String)> {
    let script = root().join("tests/ajv/validate.mjs");
    if !root().join("tests/ajv/node_modules/ajv").is_dir() {
        return None;
    }
    let mut command = Command::new("node");
    command.arg(script).arg(schema);
    if lines {
        command.arg("--lines");
    }
    command.args(documents);
    let output = command.output().ok()?;
    Some((
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    ))
}

#[test]
fn ajv_in_strict_mode_compiles_every_schema_and_takes_what_nurture_writes() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut plan_files = Vec::new();
    for (n, (_, plan)) in plans().iter().enumerate() {
        let path = dir.path().join(format!("{n}.plan.json"));
        std::fs::write(&path, plan.to_string()).expect("write");
        plan_files.push(path);
    }
    let (_, check, _) = nurture(
        root(),
        &[
            "check",
            "--output-format",
            "json",
            "--summary",
            "programs",
            "tests/fixtures/err",
        ],
    );
    let check_path = dir.path().join("check.json");
    std::fs::write(&check_path, check).expect("write");
    let program = root().join("programs/upsell_key_account.nurture");
    let scenarios = root().join("tests/scenarios");
    let (_, replay, _) = nurture(
        root(),
        &[
            "replay",
            &program.to_string_lossy(),
            "--customers",
            &scenarios
                .join("upsell_key_account.customers.jsonl")
                .to_string_lossy(),
            "--events",
            &scenarios
                .join("upsell_key_account.events.jsonl")
                .to_string_lossy(),
        ],
    );
    let replay_path = dir.path().join("replay.jsonl");
    std::fs::write(&replay_path, replay).expect("write");

    let docs = root().join("docs");
    let runs = [
        (docs.join("plan.schema.json"), false, plan_files),
        (docs.join("check.schema.json"), false, vec![check_path]),
        (docs.join("replay.schema.json"), true, vec![replay_path]),
    ];
    for (schema, lines, documents) in runs {
        let Some((code, stderr)) = ajv(&schema, lines, &documents) else {
            eprintln!(
                "note: Ajv skipped: run `npm ci --prefix tests/ajv` (node is needed) to compile the schemas in strict mode"
            );
            return;
        };
        assert_eq!(code, 0, "{}: {stderr}", schema.display());
    }
}
