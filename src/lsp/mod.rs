//! `nurture lsp`: a language server over standard input and output, on top
//! of the same core `nurture check` uses. It is a translator: a session
//! holds the open documents (`session.rs`), each request is mapped to a call
//! of the core — `check` for diagnostics, `format` for formatting, the
//! syntax tree for names — and positions are converted at the edge
//! (`position.rs`: LSP counts UTF-16 units, nurture bytes). No check lives
//! here.
//!
//! | file | owns |
//! |---|---|
//! | `server.rs` | the protocol: handshake, dispatch, debounced diagnostics |
//! | `session.rs` | open documents, their analyses, the schema of each |
//! | `schema.rs` | finding and reading `schema.nurture`, as `cli/schema.rs` does |
//! | `position.rs`, `uri.rs` | lines and columns, `file:` URIs |
//! | `diagnostics.rs` | diagnostics in LSP's shape, with the link to their explanation |
//! | `index.rs` | every name a document writes and what it names |
//! | `context.rs` | the blocks and construct around the cursor, from the text |
//! | `complete.rs` | completion, on `syntax::next` |
//! | `hover.rs`, `help.rs` | hover texts: docs/language.md, facts, schema entries |
//! | `navigate.rs` | definition, references, rename, outline |
//! | `edits.rs` | formatting edits and quick fixes |

mod complete;
mod context;
mod diagnostics;
mod edits;
mod help;
mod hover;
mod index;
mod navigate;
mod position;
mod schema;
mod server;
mod session;
mod uri;

pub use server::{DEBOUNCE, serve};

/// Serves on standard input and output; returns the exit code.
pub fn run() -> i32 {
    let (connection, io_threads) = lsp_server::Connection::stdio();
    let served = serve(&connection);
    // The writer thread ends when the last sender is gone.
    drop(connection);
    let joined = io_threads.join();
    match (served, joined) {
        (Ok(()), Ok(())) => crate::cli::exit::CLEAN,
        (Err(problem), _) => {
            eprintln!("nurture lsp: {problem}");
            crate::cli::exit::TROUBLE
        }
        (_, Err(problem)) => {
            eprintln!("nurture lsp: {problem}");
            crate::cli::exit::TROUBLE
        }
    }
}
