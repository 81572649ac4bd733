//! The protocol: the handshake, then one message at a time, each request
//! answered by one call into the session and the core. Diagnostics are
//! published when a document opens, and a short while after the last change
//! while typing ([`DEBOUNCE`]), so a burst of keystrokes is checked once.
//! Everything runs on one thread: a request is a function call of a few
//! milliseconds, and answers come in the order the requests came.

use super::complete;
use super::diagnostics;
use super::edits;
use super::hover;
use super::navigate;
use super::position::Encoding;
use super::schema::{Found, SCHEMA_FILE};
use super::session::Session;
use super::uri;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use lsp_types::{
    CodeActionParams, CodeActionProviderCapability, CompletionOptions, CompletionParams,
    CompletionResponse, DidChangeTextDocumentParams, DidChangeWatchedFilesParams,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DidSaveTextDocumentParams,
    DocumentFormattingParams, DocumentSymbolParams, DocumentSymbolResponse, GotoDefinitionParams,
    GotoDefinitionResponse, Hover, HoverContents, HoverParams, HoverProviderCapability,
    InitializeParams, MarkupContent, MarkupKind, OneOf, PositionEncodingKind,
    PrepareRenameResponse, PublishDiagnosticsParams, ReferenceParams, RenameOptions, RenameParams,
    ServerCapabilities, TextDocumentPositionParams, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Uri, WorkspaceEdit,
};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

/// How long after the last change a document is checked and its
/// diagnostics published.
pub const DEBOUNCE: Duration = Duration::from_millis(150);

/// Serves one client until it says `exit` or the connection closes.
pub fn serve(connection: &Connection) -> Result<(), String> {
    let (id, params) = connection
        .initialize_start()
        .map_err(|error| format!("no initialize request: {error}"))?;
    let params: InitializeParams = serde_json::from_value(params).unwrap_or_default();
    let encoding = encoding(&params);
    let mut server = Server {
        connection,
        session: Session::new(encoding, roots(&params)),
        pending: BTreeMap::new(),
        said: BTreeSet::new(),
    };
    let result = json!({
        "capabilities": capabilities(encoding),
        "serverInfo": { "name": "nurture", "version": env!("CARGO_PKG_VERSION") },
    });
    connection
        .initialize_finish(id, result)
        .map_err(|error| format!("the handshake failed: {error}"))?;
    if watches_files(&params) {
        server.watch_schemas();
    }
    server.run()
}

struct Server<'c> {
    connection: &'c Connection,
    session: Session,
    /// Documents whose diagnostics are due, and when.
    pending: BTreeMap<Uri, Instant>,
    /// Notes already shown to the user (a schema that cannot be used).
    said: BTreeSet<String>,
}

impl Server<'_> {
    fn run(&mut self) -> Result<(), String> {
        loop {
            let next = self.pending.values().min().copied();
            let message = match next {
                Some(deadline) => match self.connection.receiver.recv_deadline(deadline) {
                    Ok(message) => Some(message),
                    Err(error) if error.is_timeout() => None,
                    Err(_) => return Ok(()),
                },
                None => match self.connection.receiver.recv() {
                    Ok(message) => Some(message),
                    Err(_) => return Ok(()),
                },
            };
            self.publish_due();
            match message {
                None => {}
                Some(Message::Request(request)) => {
                    let shutdown = self
                        .connection
                        .handle_shutdown(&request)
                        .map_err(|error| error.to_string())?;
                    if shutdown {
                        return Ok(());
                    }
                    let response = self.guarded(request);
                    self.send(response.into());
                }
                Some(Message::Notification(notification)) => {
                    if notification.method == lsp_types::notification::Exit::METHOD {
                        return Ok(());
                    }
                    self.notification(notification);
                }
                Some(Message::Response(_)) => {}
            }
        }
    }

    fn send(&self, message: Message) {
        // A closed connection ends the loop at the next receive.
        let _ = self.connection.sender.send(message);
    }

    fn notify<N: lsp_types::notification::Notification>(&self, params: N::Params) {
        self.send(Notification::new(N::METHOD.to_string(), params).into());
    }

    /// Answers a request. A fault in nurture answers this request with an
    /// error and leaves the server running for the next.
    fn guarded(&mut self, request: Request) -> Response {
        let id = request.id.clone();
        let method = request.method.clone();
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.request(request))) {
            Ok(response) => response,
            Err(_) => Response::new_err(
                id,
                ErrorCode::InternalError as i32,
                format!("nurture failed on `{method}`; please report it with the file"),
            ),
        }
    }

    fn request(&mut self, request: Request) -> Response {
        use lsp_types::request::*;
        let id = request.id.clone();
        let result = match request.method.as_str() {
            HoverRequest::METHOD => with(request, |p: HoverParams| {
                self.hover(p.text_document_position_params)
            }),
            Completion::METHOD => with(request, |p: CompletionParams| {
                self.completion(p.text_document_position)
            }),
            GotoDefinition::METHOD => with(request, |p: GotoDefinitionParams| {
                let (uri, offset) = self.offset(&p.text_document_position_params)?;
                navigate::definition(&mut self.session, &uri, offset)
                    .map(GotoDefinitionResponse::Scalar)
            }),
            References::METHOD => with(request, |p: ReferenceParams| {
                let (uri, offset) = self.offset(&p.text_document_position)?;
                navigate::references(
                    &mut self.session,
                    &uri,
                    offset,
                    p.context.include_declaration,
                )
            }),
            PrepareRenameRequest::METHOD => with(request, |p: TextDocumentPositionParams| {
                let (uri, offset) = self.offset(&p)?;
                let analysis = self.session.analysis(&uri)?;
                let found = navigate::prepare_rename(&analysis, offset)?;
                let document = self.session.document(&uri)?;
                Some(PrepareRenameResponse::Range(document.lines.range(
                    &document.text,
                    found.span,
                    self.session.encoding,
                )))
            }),
            Rename::METHOD => {
                let params: RenameParams = match parse(&request) {
                    Ok(params) => params,
                    Err(response) => return response,
                };
                let Some((uri, offset)) = self.offset(&params.text_document_position) else {
                    return Response::new_ok(id, Value::Null);
                };
                return match navigate::rename(&mut self.session, &uri, offset, &params.new_name) {
                    Ok(changes) => Response::new_ok(
                        id,
                        WorkspaceEdit {
                            changes: Some(changes),
                            ..WorkspaceEdit::default()
                        },
                    ),
                    Err(why) => Response::new_err(id, ErrorCode::InvalidParams as i32, why),
                };
            }
            DocumentSymbolRequest::METHOD => with(request, |p: DocumentSymbolParams| {
                let uri = p.text_document.uri;
                let analysis = self.session.analysis(&uri)?;
                let document = self.session.document(&uri)?;
                Some(DocumentSymbolResponse::Nested(navigate::symbols(
                    &analysis,
                    &document.text,
                    &document.lines,
                    self.session.encoding,
                )))
            }),
            Formatting::METHOD => with(request, |p: DocumentFormattingParams| {
                let analysis = self.session.analysis(&p.text_document.uri)?;
                let document = self.session.document(&p.text_document.uri)?;
                edits::formatting(
                    &analysis.parsed,
                    &document.text,
                    &document.lines,
                    self.session.encoding,
                )
            }),
            CodeActionRequest::METHOD => with(request, |p: CodeActionParams| {
                let uri = p.text_document.uri;
                let analysis = self.session.analysis(&uri)?;
                let document = self.session.document(&uri)?;
                let encoding = self.session.encoding;
                let span = document.lines.span(&document.text, p.range, encoding);
                let actions = edits::code_actions(
                    &analysis,
                    &uri,
                    &document.text,
                    &document.lines,
                    encoding,
                    span,
                );
                Some(
                    actions
                        .into_iter()
                        .map(lsp_types::CodeActionOrCommand::CodeAction)
                        .collect::<Vec<_>>(),
                )
            }),
            _ => {
                return Response::new_err(
                    id,
                    ErrorCode::MethodNotFound as i32,
                    format!("nurture does not answer `{}`", request.method),
                );
            }
        };
        match result {
            Ok(value) => Response::new_ok(id, value),
            Err(response) => response,
        }
    }

    /// The document and byte offset of a position.
    fn offset(&self, at: &TextDocumentPositionParams) -> Option<(Uri, usize)> {
        let document = self.session.document(&at.text_document.uri)?;
        let offset = document
            .lines
            .offset(&document.text, at.position, self.session.encoding);
        Some((at.text_document.uri.clone(), offset))
    }

    fn hover(&mut self, at: TextDocumentPositionParams) -> Option<Hover> {
        let (uri, offset) = self.offset(&at)?;
        let analysis = self.session.analysis(&uri)?;
        let document = self.session.document(&uri)?;
        let (markdown, span) = hover::hover(document, &analysis, offset)?;
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: markdown,
            }),
            range: Some(
                document
                    .lines
                    .range(&document.text, span, self.session.encoding),
            ),
        })
    }

    fn completion(&mut self, at: TextDocumentPositionParams) -> Option<CompletionResponse> {
        let (uri, offset) = self.offset(&at)?;
        let analysis = self.session.analysis(&uri)?;
        let document = self.session.document(&uri)?;
        let (offers, start) = complete::complete(document, &analysis, offset);
        let encoding = self.session.encoding;
        let range = document.lines.range(
            &document.text,
            crate::span::Span::new(start, offset.max(start)),
            encoding,
        );
        Some(CompletionResponse::Array(
            offers.iter().map(|o| complete::to_lsp(o, range)).collect(),
        ))
    }

    fn notification(&mut self, notification: Notification) {
        use lsp_types::notification::*;
        match notification.method.as_str() {
            DidOpenTextDocument::METHOD => {
                if let Ok(p) = extract::<DidOpenTextDocumentParams>(notification) {
                    let document = p.text_document;
                    let uri = document.uri.clone();
                    if self
                        .session
                        .open(document.uri, document.version, document.text)
                    {
                        self.recheck_all();
                    }
                    self.publish(&uri);
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Ok(p) = extract::<DidChangeTextDocumentParams>(notification) {
                    let uri = p.text_document.uri;
                    let schema =
                        self.session
                            .change(&uri, p.text_document.version, p.content_changes);
                    self.pending.insert(uri, Instant::now() + DEBOUNCE);
                    if schema {
                        self.recheck_all();
                    }
                }
            }
            DidCloseTextDocument::METHOD => {
                if let Ok(p) = extract::<DidCloseTextDocumentParams>(notification) {
                    let uri = p.text_document.uri;
                    self.pending.remove(&uri);
                    if self.session.close(&uri) {
                        self.recheck_all();
                    }
                    self.notify::<PublishDiagnostics>(PublishDiagnosticsParams {
                        uri,
                        diagnostics: Vec::new(),
                        version: None,
                    });
                }
            }
            DidSaveTextDocument::METHOD => {
                if let Ok(p) = extract::<DidSaveTextDocumentParams>(notification) {
                    let saved_schema = self
                        .session
                        .document(&p.text_document.uri)
                        .is_some_and(|d| d.is_schema());
                    if saved_schema {
                        self.session.schema_changed();
                        self.recheck_all();
                    }
                }
            }
            DidChangeWatchedFiles::METHOD => {
                if let Ok(p) = extract::<DidChangeWatchedFilesParams>(notification) {
                    let schema = p
                        .changes
                        .iter()
                        .any(|change| change.uri.as_str().ends_with(SCHEMA_FILE));
                    if schema {
                        self.session.schema_changed();
                        self.recheck_all();
                    }
                }
            }
            _ => {}
        }
    }

    /// Every open document is checked again soon (a schema changed).
    fn recheck_all(&mut self) {
        let due = Instant::now() + DEBOUNCE;
        let uris: Vec<Uri> = self.session.documents().map(|d| d.uri.clone()).collect();
        for uri in uris {
            self.pending.entry(uri).or_insert(due);
        }
    }

    fn publish_due(&mut self) {
        let now = Instant::now();
        let due: Vec<Uri> = self
            .pending
            .iter()
            .filter(|(_, at)| **at <= now)
            .map(|(uri, _)| uri.clone())
            .collect();
        for uri in due {
            self.pending.remove(&uri);
            self.publish(&uri);
        }
    }

    fn publish(&mut self, uri: &Uri) {
        let Some(analysis) = self.session.analysis(uri) else {
            return;
        };
        let Some(document) = self.session.document(uri) else {
            return;
        };
        let encoding = self.session.encoding;
        let diagnostics = analysis
            .diagnostics
            .iter()
            .map(|d| diagnostics::to_lsp(d, uri, &document.text, &document.lines, encoding))
            .collect();
        let version = Some(document.version);
        self.notify::<lsp_types::notification::PublishDiagnostics>(PublishDiagnosticsParams {
            uri: uri.clone(),
            diagnostics,
            version,
        });
        if let Found::Unusable { reason, .. } = &analysis.schema {
            if self.said.insert(reason.clone()) {
                self.notify::<lsp_types::notification::ShowMessage>(lsp_types::ShowMessageParams {
                    typ: lsp_types::MessageType::WARNING,
                    message: format!("nurture: {reason}"),
                });
            }
        }
    }

    /// Asks the client to say when a schema file changes on disk.
    fn watch_schemas(&self) {
        let options = json!({
            "watchers": [{ "globPattern": format!("**/{SCHEMA_FILE}") }]
        });
        let params = lsp_types::RegistrationParams {
            registrations: vec![lsp_types::Registration {
                id: "nurture-schemas".to_string(),
                method: lsp_types::notification::DidChangeWatchedFiles::METHOD.to_string(),
                register_options: Some(options),
            }],
        };
        let request = Request::new(
            RequestId::from("nurture-watch-schemas".to_string()),
            lsp_types::request::RegisterCapability::METHOD.to_string(),
            params,
        );
        self.send(request.into());
    }
}

fn parse<P: DeserializeOwned>(request: &Request) -> Result<P, Response> {
    serde_json::from_value(request.params.clone()).map_err(|error| {
        Response::new_err(
            request.id.clone(),
            ErrorCode::InvalidParams as i32,
            format!("invalid parameters for `{}`: {error}", request.method),
        )
    })
}

/// Reads a request's parameters and answers with `answer`'s result (JSON
/// `null` for `None`).
fn with<P: DeserializeOwned, R: serde::Serialize>(
    request: Request,
    answer: impl FnOnce(P) -> Option<R>,
) -> Result<Value, Response> {
    let params = parse(&request)?;
    Ok(answer(params)
        .and_then(|result| serde_json::to_value(result).ok())
        .unwrap_or(Value::Null))
}

fn extract<P: DeserializeOwned>(notification: Notification) -> Result<P, ()> {
    serde_json::from_value(notification.params).map_err(|_| ())
}

fn encoding(params: &InitializeParams) -> Encoding {
    let offered = params
        .capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref());
    match offered {
        Some(kinds) if kinds.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
        _ => Encoding::Utf16,
    }
}

#[allow(deprecated)] // `root_uri`, for clients without workspace folders.
fn roots(params: &InitializeParams) -> Vec<std::path::PathBuf> {
    match &params.workspace_folders {
        Some(folders) if !folders.is_empty() => folders
            .iter()
            .filter_map(|f| uri::to_path(&f.uri))
            .collect(),
        _ => params.root_uri.iter().filter_map(uri::to_path).collect(),
    }
}

fn watches_files(params: &InitializeParams) -> bool {
    params
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files.as_ref())
        .and_then(|d| d.dynamic_registration)
        .unwrap_or(false)
}

fn capabilities(encoding: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(match encoding {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                ..TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![">".into(), " ".into(), "[".into(), ".".into()]),
            ..CompletionOptions::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        document_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(
            lsp_types::CodeActionOptions {
                code_action_kinds: Some(vec![lsp_types::CodeActionKind::QUICKFIX]),
                ..Default::default()
            },
        )),
        ..ServerCapabilities::default()
    }
}
