//! `nurture lsp` as an editor meets it: the real binary, started in a
//! temporary folder holding a schema and programs, spoken to in JSON-RPC
//! over standard input and output (`lsp_client`). Each test goes through
//! one thing an editor does and checks what comes back exactly.

mod lsp_client;

use lsp_client::{Client, apply, position, uri};
use serde_json::{Value, json};
use std::path::Path;

const SCHEMA: &str = r#"schema {
  attribute tier: gold | silver | bronze
  attribute lifetime_value: number
  attribute contract_end: date
  event purchase { amount: number, category: text }
  event click { link: text }
  event signup
  channel email
  channel sms
  team sales
  tag vip
}
"#;

/// Mistakes: a misspelled step (N301, line 12), a channel the schema does
/// not have after a title with letters outside ASCII on the same line
/// (N206, line 10: `😀` is one character, two UTF-16 units and four bytes),
/// and a wait without `timeout` (N304, line 18); with the step misspelled,
/// `offer` is unreachable (N302).
const BROKEN: &str = r#"program welcome {
  title   "Willkommen"
  kind    welcome
  owner   "crm@example.com"
  trigger event signup
  consent email
  start   hello

  step hello {
    send email "Grüße 😀" if consent emial
    wait up to 3d for click {
      click   -> ofer
      timeout -> exit quiet
    }
  }

  step offer {
    wait up to 7d for purchase {
      purchase -> exit converted
    }
  }
}
"#;

const CLEAN: &str = r#"program welcome {
  title   "Welcome new customers"
  kind    welcome
  owner   "crm@example.com"
  trigger event signup
  consent email
  goal    purchase where amount > 50 within 30d
  start   hello

  step hello {
    send email "welcome-1"
    wait up to 3d for click {
      click   -> offer
      timeout -> reminder
    }
  }

  step reminder {
    send email "welcome-2"
    wait up to 3d for click {
      click   -> offer
      timeout -> exit quiet
    }
  }

  step offer {
    send email "first-order-10"
    wait up to 7d for purchase {
      purchase -> exit converted
      timeout  -> exit not_yet
    }
  }
}
"#;

/// A temporary folder with the schema and one program, and a client
/// started in it.
fn workspace(program: &str) -> (tempfile::TempDir, Client, String) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(dir.path().join("schema.nurture"), SCHEMA).expect("write the schema");
    std::fs::write(dir.path().join("welcome.nurture"), program).expect("write the program");
    let (mut client, _) = Client::start(dir.path());
    let doc = uri(&dir.path().join("welcome.nurture"));
    client.open(&doc, program);
    (dir, client, doc)
}

/// The diagnostics as a stable text: the folder's path made `<dir>`.
fn shown(value: &Value, dir: &Path) -> String {
    let text = serde_json::to_string_pretty(value).expect("JSON");
    let text = text.replace(&uri(dir), "file://<dir>");
    // The explanation's link depends on where nurture was built.
    let docs = uri(Path::new(env!("CARGO_MANIFEST_DIR")));
    text.replace(&docs, "file://<nurture>")
}

fn codes(diagnostics: &Value) -> Vec<String> {
    diagnostics["diagnostics"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|d| d["code"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn at(doc: &str, text: &str, needle: &str, within: usize) -> Value {
    let offset = text
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` in the text"))
        + within;
    json!({ "textDocument": { "uri": doc }, "position": position(text, offset) })
}

#[test]
fn initialize_says_what_the_server_does() {
    let dir = tempfile::tempdir().unwrap();
    let (client, result) = Client::start(dir.path());
    let capabilities = &result["capabilities"];
    assert_eq!(capabilities["positionEncoding"], "utf-16");
    assert_eq!(capabilities["textDocumentSync"]["change"], 2, "incremental");
    for provider in [
        "hoverProvider",
        "definitionProvider",
        "referencesProvider",
        "documentSymbolProvider",
        "documentFormattingProvider",
    ] {
        assert_eq!(capabilities[provider], true, "{provider}");
    }
    assert_eq!(capabilities["renameProvider"]["prepareProvider"], true);
    assert_eq!(
        capabilities["codeActionProvider"]["codeActionKinds"],
        json!(["quickfix"])
    );
    assert_eq!(result["serverInfo"]["name"], "nurture");
    assert!(client.shut_down().success());
}

#[test]
fn opening_a_program_with_mistakes_publishes_its_diagnostics() {
    let (dir, mut client, doc) = workspace(BROKEN);
    let diagnostics = client.diagnostics(&doc);
    assert_eq!(diagnostics["version"], 1);
    assert_eq!(codes(&diagnostics), ["N206", "N301", "N304"]);
    insta::assert_snapshot!("lsp_diagnostics", shown(&diagnostics, dir.path()));

    // `emial` on line 10 comes after `"Grüße 😀"`: in UTF-16 units the
    // column is 37 (in bytes it would be 41, in characters 36).
    let unknown = &diagnostics["diagnostics"][0];
    assert_eq!(
        unknown["range"],
        json!({
            "start": { "line": 9, "character": 37 },
            "end": { "line": 9, "character": 42 }
        })
    );
    assert_eq!(unknown["severity"], 1);
    assert_eq!(unknown["source"], "nurture");
    let href = unknown["codeDescription"]["href"].as_str().unwrap_or("");
    assert!(
        href.ends_with("docs/diagnostics.md#n206-unknown-channel"),
        "{href}"
    );
    // The missing timeout points at the wait's duration, with a related
    // location nowhere else; the unknown step says what it is close to.
    let unknown_step = &diagnostics["diagnostics"][1];
    assert!(
        unknown_step["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `offer`?")
    );
    assert!(client.shut_down().success());
}

#[test]
fn related_locations_point_at_the_other_labels() {
    let program = CLEAN.replace(
        "  step offer {",
        "  step hello {\n    exit twice\n  }\n\n  step offer {",
    );
    let (_dir, mut client, doc) = workspace(&program);
    let diagnostics = client.diagnostics(&doc);
    let duplicate = diagnostics["diagnostics"]
        .as_array()
        .and_then(|list| list.iter().find(|d| d["code"] == "N102"))
        .cloned()
        .expect("N102 for the second `hello`");
    let related = &duplicate["relatedInformation"];
    assert_eq!(related.as_array().map(Vec::len), Some(1), "{duplicate}");
    assert_eq!(related[0]["location"]["uri"], doc);
    assert_eq!(
        related[0]["location"]["range"]["start"]["line"], 9,
        "the first `hello`"
    );
}

#[test]
fn hover_explains_keywords_steps_and_schema_names() {
    let (_dir, mut client, doc) = workspace(CLEAN);
    client.diagnostics(&doc);

    let hover = client.request("textDocument/hover", at(&doc, CLEAN, "wait up to 3d", 1));
    let text = hover["contents"]["value"].as_str().unwrap_or("");
    assert!(text.starts_with("**wait up to … for**"), "{text}");
    assert!(
        text.contains("Waits for the customer to respond."),
        "the docs' own words: {text}"
    );

    let hover = client.request("textDocument/hover", at(&doc, CLEAN, "-> offer", 4));
    let text = hover["contents"]["value"].as_str().unwrap_or("");
    assert!(text.starts_with("**step `offer`**"), "{text}");
    assert!(text.contains("Reached from `hello`, `reminder`."), "{text}");
    assert!(
        text.contains("messages  at most 3 (email 3)"),
        "the proved facts: {text}"
    );
    assert!(text.contains("stay      at most 13d"), "{text}");

    let hover = client.request("textDocument/hover", at(&doc, CLEAN, "amount > 50", 1));
    let text = hover["contents"]["value"].as_str().unwrap_or("");
    assert!(
        text.starts_with("**property `amount` of event `purchase`**: a number"),
        "{text}"
    );
    assert!(
        text.contains("event purchase { amount: number, category: text }")
            || text.contains("amount: number"),
        "{text}"
    );
    assert_eq!(
        hover["range"]["start"],
        json!({ "line": 6, "character": 25 })
    );
    assert!(client.shut_down().success());
}

fn labels(completion: &Value) -> Vec<String> {
    let items = completion
        .as_array()
        .or_else(|| completion["items"].as_array())
        .cloned()
        .unwrap_or_default();
    items
        .iter()
        .map(|i| i["label"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn completion_offers_steps_after_an_arrow_and_properties_after_where() {
    let program = CLEAN.replace(
        "      click   -> offer\n      timeout -> reminder",
        "      click   -> \n      timeout -> reminder",
    );
    let (_dir, mut client, doc) = workspace(&program);
    client.diagnostics(&doc);
    let after_arrow = client.request(
        "textDocument/completion",
        at(&doc, &program, "click   -> ", 11),
    );
    let offered = labels(&after_arrow);
    assert_eq!(
        &offered[..3],
        ["hello", "offer", "reminder"],
        "steps first: {offered:?}"
    );
    assert!(offered.contains(&"exit".to_string()), "{offered:?}");
    assert!(
        !offered.contains(&"send".to_string()),
        "no statement after an arrow"
    );

    let text = program.replace(
        "goal    purchase where amount > 50 within 30d",
        "goal    purchase where ",
    );
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": doc, "version": 2 }, "contentChanges": [{ "text": text }] }),
    );
    let after_where = client.request("textDocument/completion", at(&doc, &text, "where ", 6));
    let offered = labels(&after_where);
    assert_eq!(
        &offered[..2],
        ["amount", "category"],
        "the event's properties first: {offered:?}"
    );
    for expected in ["tier", "lifetime_value", "not", "consent", "has"] {
        assert!(
            offered.contains(&expected.to_string()),
            "{expected} in {offered:?}"
        );
    }
    assert!(client.shut_down().success());
}

#[test]
fn definition_jumps_to_the_step_and_to_the_schema() {
    let (dir, mut client, doc) = workspace(CLEAN);
    client.diagnostics(&doc);
    let found = client.request("textDocument/definition", at(&doc, CLEAN, "-> offer", 5));
    let start = CLEAN.find("step offer").unwrap() + 5;
    assert_eq!(found["uri"], doc);
    assert_eq!(found["range"]["start"], position(CLEAN, start));
    assert_eq!(found["range"]["end"], position(CLEAN, start + 5));

    let found = client.request(
        "textDocument/definition",
        at(&doc, CLEAN, "event signup", 7),
    );
    assert_eq!(found["uri"], uri(&dir.path().join("schema.nurture")));
    assert_eq!(
        found["range"]["start"],
        json!({ "line": 6, "character": 8 })
    );

    let references = client.request(
        "textDocument/references",
        json!({ "textDocument": { "uri": doc }, "position": position(CLEAN, start), "context": { "includeDeclaration": true } }),
    );
    assert_eq!(
        references.as_array().map(Vec::len),
        Some(3),
        "the step and two arrows: {references}"
    );
    assert!(client.shut_down().success());
}

#[test]
fn renaming_a_step_renames_every_arrow_and_start() {
    let (_dir, mut client, doc) = workspace(CLEAN);
    client.diagnostics(&doc);
    let prepared = client.request(
        "textDocument/prepareRename",
        at(&doc, CLEAN, "step hello", 6),
    );
    assert_eq!(prepared["start"], json!({ "line": 9, "character": 7 }));
    let mut params = at(&doc, CLEAN, "step hello", 6);
    params["newName"] = json!("greeting");
    let edit = client.request("textDocument/rename", params);
    let edits = edit["changes"][&doc]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(edits.len(), 2, "the step and `start`: {edit}");
    let renamed = apply(CLEAN, &edits);
    assert!(renamed.contains("start   greeting") && renamed.contains("step greeting {"));
    assert!(!renamed.contains("hello"));

    let mut params = at(&doc, CLEAN, "step hello", 6);
    params["newName"] = json!("offer");
    let refused = client.call("textDocument/rename", params);
    assert_eq!(
        refused["error"]["message"],
        "there is already a step `offer`"
    );
    let mut params = at(&doc, CLEAN, "step hello", 6);
    params["newName"] = json!("two words");
    assert!(client.call("textDocument/rename", params)["error"].is_object());
    assert!(client.shut_down().success());
}

#[test]
fn formatting_gives_what_nurture_fmt_writes() {
    let untidy = CLEAN.replace("  kind    welcome", "kind welcome").replace(
        "      click   -> offer\n      timeout -> reminder",
        "      click -> offer\n         timeout ->   reminder",
    );
    let (_dir, mut client, doc) = workspace(&untidy);
    client.diagnostics(&doc);
    let edits = client.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": doc }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    let edits = edits.as_array().cloned().unwrap_or_default();
    assert!(edits.len() >= 2, "{edits:?}");
    assert_eq!(apply(&untidy, &edits), nurture_fmt(&untidy));
    assert!(client.shut_down().success());
}

/// What `nurture fmt -` writes for `text`.
fn nurture_fmt(text: &str) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_nurture"))
        .args(["fmt", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("nurture fmt starts");
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(text.as_bytes())
            .expect("write to nurture fmt");
    }
    let output = child.wait_with_output().expect("nurture fmt ends");
    assert!(output.status.success());
    String::from_utf8(output.stdout).expect("UTF-8")
}

#[test]
fn a_code_action_fixes_the_mistake_and_the_diagnostic_goes() {
    let (_dir, mut client, doc) = workspace(BROKEN);
    let first = client.diagnostics(&doc);
    let unknown_step = first["diagnostics"][1].clone();
    assert_eq!(unknown_step["code"], "N301");
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": doc },
            "range": unknown_step["range"],
            "context": { "diagnostics": [unknown_step] }
        }),
    );
    let action = &actions[0];
    assert_eq!(action["title"], "write `offer`");
    assert_eq!(action["kind"], "quickfix");
    assert_eq!(action["isPreferred"], true);
    let edits = action["edit"]["changes"][&doc]
        .as_array()
        .cloned()
        .unwrap_or_default();

    // Applied as an editor does: the edit's range, incrementally.
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": doc, "version": 2 },
            "contentChanges": [{ "range": edits[0]["range"], "text": edits[0]["newText"] }]
        }),
    );
    let after = client.diagnostics(&doc);
    assert_eq!(after["version"], 2);
    assert_eq!(codes(&after), ["N206", "N304"], "N301 is gone");

    // The missing timeout: its action adds the arm, and N304 goes too.
    let text = apply(BROKEN, &edits);
    let missing = after["diagnostics"][1].clone();
    let actions = client.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": doc }, "range": missing["range"], "context": { "diagnostics": [missing] } }),
    );
    assert_eq!(actions[0]["title"], "add `timeout -> exit no_response`");
    let edits = actions[0]["edit"]["changes"][&doc]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let fixed = apply(&text, &edits);
    assert!(
        fixed
            .contains("      purchase -> exit converted\n      timeout -> exit no_response\n    }"),
        "{fixed}"
    );
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": doc, "version": 3 }, "contentChanges": [{ "text": fixed }] }),
    );
    assert_eq!(codes(&client.diagnostics(&doc)), ["N206"]);
    assert!(client.shut_down().success());
}

#[test]
fn a_schema_change_checks_the_open_programs_again() {
    let (dir, mut client, doc) = workspace(CLEAN);
    assert_eq!(codes(&client.diagnostics(&doc)), Vec::<String>::new());
    let schema_uri = uri(&dir.path().join("schema.nurture"));
    client.open(&schema_uri, SCHEMA);
    client.diagnostics(&schema_uri);
    // Without `click` in the schema, the program names an unknown event.
    let without_click = SCHEMA.replace("  event click { link: text }\n", "");
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": schema_uri, "version": 2 }, "contentChanges": [{ "text": without_click }] }),
    );
    let again = client.diagnostics(&doc);
    assert!(
        codes(&again).iter().all(|c| c == "N204") && !codes(&again).is_empty(),
        "{again}"
    );
    assert!(client.shut_down().success());
}

#[test]
fn document_symbols_are_the_header_and_the_steps() {
    let (_dir, mut client, doc) = workspace(CLEAN);
    client.diagnostics(&doc);
    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": doc } }),
    );
    let program = &symbols[0];
    assert_eq!(program["name"], "welcome");
    let children: Vec<&str> = program["children"]
        .as_array()
        .map(|c| c.iter().map(|s| s["name"].as_str().unwrap_or("")).collect())
        .unwrap_or_default();
    assert_eq!(
        children,
        [
            "title", "kind", "owner", "trigger", "consent", "goal", "start", "hello", "reminder",
            "offer"
        ]
    );
    assert!(client.shut_down().success());
}

#[test]
fn input_closed_before_initialize_is_exit_2() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_nurture"))
        .args(["lsp", "--stdio"])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("nurture lsp runs");
    // No `initialize` before the input closed: said on stderr, exit 2.
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("nurture lsp:"));
}

#[test]
fn bad_requests_get_errors_and_the_server_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let (mut client, _) = Client::start(dir.path());
    let unknown = client.call("textDocument/noSuchThing", json!({}));
    assert_eq!(unknown["error"]["code"], -32601);
    let bad = client.call("textDocument/hover", json!({ "nonsense": true }));
    assert_eq!(bad["error"]["code"], -32602);
    // A document that was never opened: no answer, no crash.
    let nothing = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": "file:///nowhere.nurture" }, "position": { "line": 99, "character": 99 } }),
    );
    assert_eq!(nothing, Value::Null);
    assert!(client.shut_down().success());
}

#[test]
fn references_of_a_schema_entry_reach_every_program_that_uses_it() {
    let (dir, mut client, doc) = workspace(CLEAN);
    client.diagnostics(&doc);
    // A second program on disk only, in a folder below the schema.
    std::fs::create_dir(dir.path().join("more")).unwrap();
    let other = CLEAN.replace("program welcome", "program again");
    std::fs::write(dir.path().join("more/again.nurture"), &other).unwrap();
    let schema_uri = uri(&dir.path().join("schema.nurture"));
    client.open(&schema_uri, SCHEMA);
    client.diagnostics(&schema_uri);

    let mut params = at(&schema_uri, SCHEMA, "event click", 7);
    params["context"] = json!({ "includeDeclaration": true });
    let found = client.request("textDocument/references", params);
    let mut places: Vec<(String, u64)> = found
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|l| {
            let file = l["uri"]
                .as_str()
                .unwrap_or("")
                .rsplit('/')
                .next()
                .unwrap_or("")
                .to_string();
            (file, l["range"]["start"]["line"].as_u64().unwrap_or(0))
        })
        .collect();
    places.sort();
    // The declaration, and in each program the two waits' heads and arms.
    assert_eq!(
        places,
        [
            ("again.nurture".to_string(), 11),
            ("again.nurture".to_string(), 12),
            ("again.nurture".to_string(), 19),
            ("again.nurture".to_string(), 20),
            ("schema.nurture".to_string(), 5),
            ("welcome.nurture".to_string(), 11),
            ("welcome.nurture".to_string(), 12),
            ("welcome.nurture".to_string(), 19),
            ("welcome.nurture".to_string(), 20),
        ]
    );

    let hover = client.request(
        "textDocument/hover",
        at(&schema_uri, SCHEMA, "attribute tier", 11),
    );
    let text = hover["contents"]["value"].as_str().unwrap_or("");
    assert!(
        text.starts_with("**attribute `tier`**: one of `gold`, `silver`, `bronze`"),
        "{text}"
    );
    assert!(client.shut_down().success());
}

#[test]
fn a_schema_changed_on_disk_checks_the_open_programs_again() {
    let (dir, mut client, doc) = workspace(CLEAN);
    assert!(codes(&client.diagnostics(&doc)).is_empty());
    let schema = dir.path().join("schema.nurture");
    std::fs::write(&schema, SCHEMA.replace("  channel email\n", "")).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": uri(&schema), "type": 2 }] }),
    );
    let again = client.diagnostics(&doc);
    assert!(codes(&again).contains(&"N206".to_string()), "{again}");
    assert!(client.shut_down().success());
}

#[test]
fn hover_on_a_finding_adds_its_code() {
    let (_dir, mut client, doc) = workspace(BROKEN);
    client.diagnostics(&doc);
    let hover = client.request("textDocument/hover", at(&doc, BROKEN, "-> ofer", 4));
    let text = hover["contents"]["value"].as_str().unwrap_or("");
    assert!(text.contains("**N301 unknown-step**: An arrow or `start` names a step that does not exist (`nurture explain N301`)"), "{text}");
    assert!(client.shut_down().success());
}

/// `trigger.` offers what the program's event triggers carry, `answer.`
/// what the events it waits for carry; hover says what each is.
#[test]
fn trigger_and_answer_data_are_completed_and_explained() {
    let program = r#"program thanks {
  kind    after_sales
  owner   "crm@example.com"
  trigger event purchase
  consent email

  step hello {
    send email "thanks" if trigger.amount > 100
    wait up to 3d for click {
      click   -> keep
      timeout -> exit quiet
    }
  }

  step keep {
    set tier = gold
    exit kept
  }
}
"#;
    let (_dir, mut client, doc) = workspace(program);
    client.diagnostics(&doc);
    let hover = client.request("textDocument/hover", at(&doc, program, "trigger.amount", 9));
    let text = hover["contents"]["value"].as_str().unwrap_or("");
    assert!(text.starts_with("**`trigger.amount`**"), "{text}");
    assert!(text.contains("`purchase` carries it: a number"), "{text}");
    let hover = client.request("textDocument/hover", at(&doc, program, "trigger.amount", 2));
    let text = hover["contents"]["value"].as_str().unwrap_or("");
    assert!(
        text.starts_with("**The trigger's data: trigger.PROPERTY**"),
        "{text}"
    );

    let typed = program.replace("    set tier = gold", "    set tier = answer.");
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": doc, "version": 2 }, "contentChanges": [{ "text": typed }] }),
    );
    let offered =
        labels(&client.request("textDocument/completion", at(&doc, &typed, "answer.", 7)));
    assert_eq!(offered, ["answer.link"], "{offered:?}");
    let typed = program.replace("if trigger.amount > 100", "if trigger.");
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": doc, "version": 3 }, "contentChanges": [{ "text": typed }] }),
    );
    let offered =
        labels(&client.request("textDocument/completion", at(&doc, &typed, "trigger.\n", 8)));
    assert_eq!(
        offered,
        ["trigger.amount", "trigger.category"],
        "{offered:?}"
    );
    assert!(client.shut_down().success());
}
