//! Typing every bundled program into the server, one character at a time:
//! after each keystroke the editor's change goes in (an incremental edit
//! with UTF-16 positions), and completion and hover are asked at the
//! cursor, so every prefix of every program is parsed, checked and
//! answered. At each line's end the outline, formatting, quick fixes and
//! go to definition are asked too. No answer may be an error (a fault in
//! the server answers with one), and the finished program gets the same
//! diagnostics as `nurture check` gives it: none.
//!
//! The server runs in this process (`nurture::lsp::serve` on an in-memory
//! connection), so the replay takes seconds, not a process per keystroke.

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(20);

struct Replay {
    client: Connection,
    next_id: i32,
    answered: usize,
}

impl Replay {
    fn notify(&self, method: &str, params: Value) {
        self.client
            .sender
            .send(Notification::new(method.to_string(), params).into())
            .expect("the server is listening");
    }

    /// Sends a request and waits for its answer, which must not be an error.
    fn ask(&mut self, method: &str, params: Value, while_typing: &str) -> Value {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        self.client
            .sender
            .send(Request::new(id.clone(), method.to_string(), params).into())
            .expect("the server is listening");
        loop {
            match self.client.receiver.recv_timeout(TIMEOUT) {
                Ok(Message::Response(response)) if response.id == id => {
                    self.answered += 1;
                    match response.response_result {
                        Ok(result) => return result,
                        Err(error) => {
                            panic!("`{method}` failed after typing {while_typing:?}: {error:?}")
                        }
                    }
                }
                Ok(_) => {}
                Err(error) => {
                    panic!("no answer to `{method}` after typing {while_typing:?}: {error}")
                }
            }
        }
    }

    fn last_diagnostics(&mut self, uri: &str) -> Value {
        let mut last = Value::Null;
        // Diagnostics come a short while after the last change.
        let deadline = std::time::Instant::now() + TIMEOUT;
        while std::time::Instant::now() < deadline {
            match self
                .client
                .receiver
                .recv_timeout(Duration::from_millis(500))
            {
                Ok(Message::Notification(n))
                    if n.method == "textDocument/publishDiagnostics" && n.params["uri"] == uri =>
                {
                    last = n.params;
                }
                Ok(_) => {}
                Err(_) if !last.is_null() => return last,
                Err(_) => {}
            }
        }
        last
    }
}

fn bundled() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("programs");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("programs/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "nurture"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 10, "the bundled programs are there");
    paths
}

fn position(text: &str) -> Value {
    let line = text.matches('\n').count();
    let start = text.rfind('\n').map_or(0, |n| n + 1);
    let character: usize = text[start..].chars().map(char::len_utf16).sum();
    json!({ "line": line, "character": character })
}

#[test]
fn typing_every_bundled_program_never_fails_the_server() {
    // Two servers, each typing half of the programs: the machine has two
    // cores, and the servers share nothing.
    let paths = bundled();
    let halves: Vec<Vec<PathBuf>> = (0..2)
        .map(|half| paths.iter().skip(half).step_by(2).cloned().collect())
        .collect();
    let typists: Vec<_> = halves
        .into_iter()
        .map(|half| std::thread::spawn(move || type_programs(&half)))
        .collect();
    let keystrokes: usize = typists
        .into_iter()
        .map(|t| t.join().expect("a replay thread ends"))
        .sum();
    assert!(keystrokes > 30_000, "{keystrokes} keystrokes");
}

/// Types each program into a server of its own; returns the keystrokes.
fn type_programs(paths: &[PathBuf]) -> usize {
    let (server, client) = Connection::memory();
    let serving = std::thread::spawn(move || nurture::lsp::serve(&server));
    let mut replay = Replay {
        client,
        next_id: 0,
        answered: 0,
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("programs");
    replay.ask(
        "initialize",
        json!({ "processId": null, "rootUri": format!("file://{}", root.display()), "capabilities": {} }),
        "",
    );
    replay.notify("initialized", json!({}));

    let mut keystrokes = 0;
    for path in paths {
        let full = std::fs::read_to_string(path).expect("a bundled program");
        // A name of its own beside the real file, so the real schema is
        // found and the file on disk is not confused with the one typed.
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let uri = if path.ends_with("schema.nurture") {
            format!(
                "file://{}",
                root.join("typed_schema/schema.nurture").display()
            )
        } else {
            format!("file://{}", root.join(format!("typed_{name}")).display())
        };
        replay.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "nurture", "version": 0, "text": "" } }),
        );
        let mut typed = String::new();
        for (version, c) in full.chars().enumerate() {
            let at = position(&typed);
            typed.push(c);
            keystrokes += 1;
            replay.notify(
                "textDocument/didChange",
                json!({
                    "textDocument": { "uri": uri, "version": version + 1 },
                    "contentChanges": [{ "range": { "start": at, "end": at }, "text": c.to_string() }]
                }),
            );
            let cursor = json!({ "textDocument": { "uri": uri }, "position": position(&typed) });
            replay.ask("textDocument/completion", cursor.clone(), &typed);
            replay.ask(
                "textDocument/hover",
                json!({ "textDocument": { "uri": uri }, "position": at }),
                &typed,
            );
            if c == '\n' {
                let doc = json!({ "textDocument": { "uri": uri } });
                replay.ask("textDocument/documentSymbol", doc.clone(), &typed);
                replay.ask(
                    "textDocument/formatting",
                    json!({ "textDocument": { "uri": uri }, "options": { "tabSize": 2, "insertSpaces": true } }),
                    &typed,
                );
                replay.ask(
                    "textDocument/codeAction",
                    json!({
                        "textDocument": { "uri": uri },
                        "range": { "start": { "line": 0, "character": 0 }, "end": position(&typed) },
                        "context": { "diagnostics": [] }
                    }),
                    &typed,
                );
                replay.ask("textDocument/definition", cursor.clone(), &typed);
                replay.ask(
                    "textDocument/references",
                    json!({ "textDocument": { "uri": uri }, "position": at, "context": { "includeDeclaration": true } }),
                    &typed,
                );
            }
        }
        assert_eq!(&typed, &full);
        let last = replay.last_diagnostics(&uri);
        assert_eq!(
            last["diagnostics"],
            json!([]),
            "{} typed in full: {last}",
            path.display()
        );
        replay.notify(
            "textDocument/didClose",
            json!({ "textDocument": { "uri": uri } }),
        );
    }
    assert!(replay.answered > 2 * keystrokes);
    replay.ask("shutdown", Value::Null, "");
    replay.notify("exit", Value::Null);
    let served = serving.join().expect("the server thread ends");
    assert_eq!(served, Ok(()));
    keystrokes
}
