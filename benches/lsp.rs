//! `nurture lsp` on a 1,000-step program (the most a program may have): the
//! time from a request sent to its answer received, through the real
//! dispatch on an in-memory connection. The target is 50 ms for
//! each. `edit_then_*` changes one character first, so the answer includes
//! parsing and checking the new text.
//!
//! Run: `cargo bench --bench lsp`

use divan::Bencher;
use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{Value, json};
use std::time::Duration;

fn main() {
    divan::main();
}

const STEPS: usize = 1_000;

/// One program with 1,000 steps, each sending, scoring, tagging and
/// waiting for an answer, with a schema for its names.
fn program() -> String {
    let mut text = String::from(
        "program big {\n  title \"Generated\"\n  kind upsell\n  owner \"crm@example.com\"\n  trigger event purchase where amount > 500\n  consent email\n  start s0\n\n",
    );
    for i in 0..STEPS {
        let next = if i + 1 < STEPS {
            format!("s{}", i + 1)
        } else {
            "exit done".into()
        };
        text.push_str(&format!(
            "  step s{i} {{\n    send email \"mail-{i}\" if tier in [gold, silver]\n    score +5\n    tag seen\n    wait up to 5d for click or open {{\n      click where link == \"offer\" -> {next}\n      open    -> {next}\n      timeout -> exit quiet_{i}\n    }}\n  }}\n\n"
        ));
    }
    text.push_str("}\n");
    text
}

const SCHEMA: &str = "schema {\n  attribute tier: gold | silver | bronze\n  event purchase { amount: number }\n  event click { link: text }\n  event open\n  channel email\n  tag seen\n}\n";

struct Server {
    client: Connection,
    thread: Option<std::thread::JoinHandle<Result<(), String>>>,
    next_id: i32,
    version: i32,
    uri: String,
    text: String,
    _dir: tempfile::TempDir,
}

impl Server {
    fn start() -> Server {
        let dir = tempfile::tempdir().expect("a temporary folder");
        std::fs::write(dir.path().join("schema.nurture"), SCHEMA).expect("the schema");
        let (server, client) = Connection::memory();
        let thread = std::thread::spawn(move || nurture::lsp::serve(&server));
        let uri = format!("file://{}/big.nurture", dir.path().display());
        let mut server = Server {
            client,
            thread: Some(thread),
            next_id: 0,
            version: 1,
            uri,
            text: program(),
            _dir: dir,
        };
        let root = format!("file://{}", server._dir.path().display());
        server.ask(
            "initialize",
            json!({ "processId": null, "rootUri": root, "capabilities": {} }),
        );
        server.notify("initialized", json!({}));
        server.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": server.uri, "languageId": "nurture", "version": 1, "text": server.text } }),
        );
        server
    }

    fn notify(&self, method: &str, params: Value) {
        let _ = self
            .client
            .sender
            .send(Notification::new(method.into(), params).into());
    }

    fn ask(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        let _ = self
            .client
            .sender
            .send(Request::new(id.clone(), method.into(), params).into());
        loop {
            match self.client.receiver.recv_timeout(Duration::from_secs(60)) {
                Ok(Message::Response(response)) if response.id == id => {
                    return response.response_result.unwrap_or(Value::Null);
                }
                Ok(_) => {}
                Err(_) => return Value::Null,
            }
        }
    }

    /// Types one character and takes it back, so the text is new each
    /// time and the same every other time.
    fn edit(&mut self) {
        self.version += 1;
        let at = json!({ "line": 1, "character": 2 });
        let change = if self.version % 2 == 0 {
            json!({ "range": { "start": at, "end": at }, "text": " " })
        } else {
            json!({ "range": { "start": at, "end": { "line": 1, "character": 3 } }, "text": "" })
        };
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": self.uri, "version": self.version }, "contentChanges": [change] }),
        );
    }

    /// Where `needle` is, as a position with UTF-16 columns (the text is ASCII).
    fn at(&self, needle: &str, within: usize) -> Value {
        let offset = self.text.find(needle).unwrap_or(0) + within;
        let before = &self.text[..offset];
        let line = before.matches('\n').count();
        let column = offset - before.rfind('\n').map_or(0, |n| n + 1);
        json!({ "textDocument": { "uri": self.uri }, "position": { "line": line, "character": column } })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.ask("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A change, then a hover: the hover waits for the new text to be parsed
/// and checked (what publishing diagnostics costs).
#[divan::bench(sample_count = 20)]
fn edit_then_check(bencher: Bencher) {
    let mut server = Server::start();
    let at = server.at("step s500", 1);
    bencher.bench_local(|| {
        server.edit();
        server.ask("textDocument/hover", at.clone())
    });
}

#[divan::bench(sample_count = 20)]
fn edit_then_complete_after_arrow(bencher: Bencher) {
    let mut server = Server::start();
    let at = server.at("open    -> s501", 11);
    bencher.bench_local(|| {
        server.edit();
        server.ask("textDocument/completion", at.clone())
    });
}

/// Hover on a step of a checked program: what it does and the proved facts.
#[divan::bench(sample_count = 20)]
fn hover_step_with_facts(bencher: Bencher) {
    let mut server = Server::start();
    let at = server.at("-> s501", 4);
    server.ask("textDocument/hover", at.clone());
    bencher.bench_local(|| server.ask("textDocument/hover", at.clone()));
}

#[divan::bench(sample_count = 20)]
fn complete_after_where(bencher: Bencher) {
    let mut server = Server::start();
    let at = server.at("where link", 6);
    bencher.bench_local(|| server.ask("textDocument/completion", at.clone()));
}

#[divan::bench(sample_count = 20)]
fn definition(bencher: Bencher) {
    let mut server = Server::start();
    let at = server.at("-> s999", 4);
    bencher.bench_local(|| server.ask("textDocument/definition", at.clone()));
}

#[divan::bench(sample_count = 20)]
fn references(bencher: Bencher) {
    let mut server = Server::start();
    let mut at = server.at("step s500", 6);
    at["context"] = json!({ "includeDeclaration": true });
    bencher.bench_local(|| server.ask("textDocument/references", at.clone()));
}

#[divan::bench(sample_count = 20)]
fn rename(bencher: Bencher) {
    let mut server = Server::start();
    let mut at = server.at("step s500", 6);
    at["newName"] = json!("renamed");
    bencher.bench_local(|| server.ask("textDocument/rename", at.clone()));
}

#[divan::bench(sample_count = 20)]
fn document_symbols(bencher: Bencher) {
    let mut server = Server::start();
    let doc = json!({ "textDocument": { "uri": server.uri } });
    bencher.bench_local(|| server.ask("textDocument/documentSymbol", doc.clone()));
}

/// What `nurture fmt` itself takes on the same text, for comparison.
#[divan::bench(sample_count = 10)]
fn format_source_alone(bencher: Bencher) {
    let text = program();
    bencher.bench_local(|| nurture::format::format_source(&text).is_ok());
}

/// Formatting a file already in `nurture fmt`'s layout (format on save).
#[divan::bench(sample_count = 10)]
fn formatting_formatted(bencher: Bencher) {
    let mut server = Server::start();
    let formatted = nurture::format::format_source(&server.text).unwrap_or_default();
    server.version += 1;
    server.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": server.uri, "version": server.version }, "contentChanges": [{ "text": formatted }] }),
    );
    let doc = json!({ "textDocument": { "uri": server.uri }, "options": { "tabSize": 2, "insertSpaces": true } });
    bencher.bench_local(|| server.ask("textDocument/formatting", doc.clone()));
}

#[divan::bench(sample_count = 10)]
fn formatting(bencher: Bencher) {
    let mut server = Server::start();
    let doc = json!({ "textDocument": { "uri": server.uri }, "options": { "tabSize": 2, "insertSpaces": true } });
    bencher.bench_local(|| server.ask("textDocument/formatting", doc.clone()));
}

#[divan::bench(sample_count = 20)]
fn code_actions(bencher: Bencher) {
    let mut server = Server::start();
    let mut at = server.at("step s500", 0);
    at["range"] = json!({ "start": at["position"], "end": at["position"] });
    at["context"] = json!({ "diagnostics": [] });
    bencher.bench_local(|| server.ask("textDocument/codeAction", at.clone()));
}
