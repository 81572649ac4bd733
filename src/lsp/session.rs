//! The session: the documents the editor has open, each with its latest
//! text and the analysis of that text, and the schemas they are checked
//! against. Every analysis is one call of the core: `syntax::parse` for the
//! tree and `check::check_text_with` for the diagnostics, the same calls
//! `nurture check` makes. It is made when first asked for and kept until the
//! text, or a schema, changes.

use super::position::{Encoding, Lines};
use super::schema::{self, Found};
use super::uri;
use crate::diagnostic::{Diagnostic, Severity};
use crate::syntax::{self, Parsed};
use lsp_types::{TextDocumentContentChangeEvent, Uri};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

pub struct Document {
    pub uri: Uri,
    /// `None` for a buffer that is no file (`untitled:`).
    pub path: Option<PathBuf>,
    pub text: String,
    pub version: i32,
    pub lines: Lines,
    analysis: Option<Rc<Analysis>>,
}

impl Document {
    /// Whether the document is a customer schema rather than a program.
    pub fn is_schema(&self) -> bool {
        syntax::holds_schema(&self.text)
            || self
                .path
                .as_deref()
                .and_then(Path::file_name)
                .is_some_and(|name| name == schema::SCHEMA_FILE)
    }
}

/// What the core says about one version of a document.
pub struct Analysis {
    pub parsed: Parsed,
    /// Sorted by place, as `nurture check` reports them.
    pub diagnostics: Vec<Diagnostic>,
    /// The schema a program was checked against (`Nothing` for a schema).
    pub schema: Found,
    generation: u64,
}

impl Analysis {
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity() == Severity::Error)
    }

    pub fn schema_file(&self) -> Option<&schema::SchemaFile> {
        match &self.schema {
            Found::Usable(file) => Some(file),
            _ => None,
        }
    }
}

pub struct Session {
    pub encoding: Encoding,
    /// The workspace folders: a schema is looked for up to the one holding
    /// the program.
    pub roots: Vec<PathBuf>,
    documents: BTreeMap<Uri, Document>,
    /// Schemas read from disk or from open documents, by path, until one
    /// changes.
    schemas: BTreeMap<PathBuf, Found>,
    /// Goes up whenever a schema may have changed, so analyses made against
    /// the old one are made again.
    generation: u64,
}

impl Session {
    pub fn new(encoding: Encoding, roots: Vec<PathBuf>) -> Session {
        Session {
            encoding,
            roots,
            documents: BTreeMap::new(),
            schemas: BTreeMap::new(),
            generation: 0,
        }
    }

    pub fn document(&self, uri: &Uri) -> Option<&Document> {
        self.documents.get(uri)
    }

    pub fn documents(&self) -> impl Iterator<Item = &Document> {
        self.documents.values()
    }

    /// Returns whether the document is a schema (its programs must be
    /// checked again).
    pub fn open(&mut self, uri: Uri, version: i32, text: String) -> bool {
        let document = Document {
            path: uri::to_path(&uri),
            lines: Lines::new(&text),
            uri: uri.clone(),
            text,
            version,
            analysis: None,
        };
        let is_schema = document.is_schema();
        self.documents.insert(uri, document);
        if is_schema {
            self.schema_changed();
        }
        is_schema
    }

    /// Applies the editor's changes in order. Returns whether the document
    /// is (or was) a schema.
    pub fn change(
        &mut self,
        uri: &Uri,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
    ) -> bool {
        let encoding = self.encoding;
        let Some(document) = self.documents.get_mut(uri) else {
            return false;
        };
        let was_schema = document.is_schema();
        for change in changes {
            match change.range {
                Some(range) => {
                    let span = document.lines.span(&document.text, range, encoding);
                    document
                        .text
                        .replace_range(span.start..span.end, &change.text);
                }
                None => document.text = change.text,
            }
            document.lines = Lines::new(&document.text);
        }
        document.version = version;
        document.analysis = None;
        let schema = was_schema || document.is_schema();
        if schema {
            self.schema_changed();
        }
        schema
    }

    pub fn close(&mut self, uri: &Uri) -> bool {
        let schema = self.documents.remove(uri).is_some_and(|d| d.is_schema());
        if schema {
            self.schema_changed();
        }
        schema
    }

    /// A schema changed (in the editor or on disk): every program is
    /// checked against it again when next asked.
    pub fn schema_changed(&mut self) {
        self.generation += 1;
        self.schemas.clear();
    }

    /// The analysis of the document's current text.
    pub fn analysis(&mut self, uri: &Uri) -> Option<Rc<Analysis>> {
        let generation = self.generation;
        let document = self.documents.get(uri)?;
        if let Some(analysis) = &document.analysis {
            if analysis.generation == generation {
                return Some(Rc::clone(analysis));
            }
        }
        let is_schema = document.is_schema();
        let path = document.path.clone();
        let found = match (&path, is_schema) {
            (Some(path), false) => self.schema_for(path),
            _ => Found::Nothing,
        };
        let document = self.documents.get_mut(uri)?;
        let usable = match &found {
            Found::Usable(file) => Some(&file.schema),
            _ => None,
        };
        let parsed = syntax::parse(&document.text);
        let diagnostics = crate::check::check_parsed(&parsed, &document.text, usable);
        let analysis = Rc::new(Analysis {
            parsed,
            diagnostics,
            schema: found,
            generation,
        });
        document.analysis = Some(Rc::clone(&analysis));
        Some(analysis)
    }

    /// The schema for the program at `path`: the first `schema.nurture`
    /// beside or above it that exists, open in the editor or on disk.
    fn schema_for(&mut self, path: &Path) -> Found {
        for candidate in schema::candidates(path, &self.roots) {
            if let Some(found) = self.schemas.get(&candidate) {
                return found.clone();
            }
            let open = self
                .documents
                .values()
                .find(|d| d.path.as_deref() == Some(candidate.as_path()));
            let text = match open {
                Some(document) => Ok(document.text.clone()),
                None if candidate.is_file() => schema::read(&candidate),
                None => continue,
            };
            let found = match text {
                Ok(text) => schema::load(&candidate, text),
                Err(reason) => Found::Unusable { reason },
            };
            self.schemas.insert(candidate, found.clone());
            return found;
        }
        Found::Nothing
    }
}
