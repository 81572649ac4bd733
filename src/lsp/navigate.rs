//! Go to definition, find references, rename and the outline: lookups in
//! the index of names (`index.rs`), across a program and its schema file
//! (and, for a schema entry, the programs that use that schema).

use super::index::{Index, Namespace, Occurrence};
use super::position::{Encoding, Lines};
use super::schema::{self, SchemaFile};
use super::session::{Analysis, Session};
use super::uri;
use crate::span::Span;
use crate::syntax::ast::{Program, Schema};
use lsp_types::{DocumentSymbol, Location, SymbolKind, TextEdit, Uri};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The name under the cursor of a document, from its analysis.
pub fn occurrence_at(analysis: &Analysis, offset: usize) -> Option<Occurrence> {
    let index = index_of(analysis)?;
    index.at(offset).cloned()
}

fn index_of(analysis: &Analysis) -> Option<Index> {
    let schema = analysis.schema_file().map(|f| &f.schema);
    if let Some(program) = &analysis.parsed.program {
        return Some(Index::of_program(program, schema));
    }
    analysis.parsed.schema.as_ref().map(Index::of_schema)
}

fn location(uri: &Uri, text: &str, lines: &Lines, span: Span, encoding: Encoding) -> Location {
    Location::new(uri.clone(), lines.range(text, span, encoding))
}

/// Where the name under the cursor is declared.
pub fn definition(session: &mut Session, doc: &Uri, offset: usize) -> Option<Location> {
    let encoding = session.encoding;
    let analysis = session.analysis(doc)?;
    let occurrence = occurrence_at(&analysis, offset)?;
    let document = session.document(doc)?;
    if occurrence.namespace == Namespace::Step || occurrence.declaration {
        let index = index_of(&analysis)?;
        let declared = index
            .all(&occurrence.namespace, &occurrence.name)
            .find(|o| o.declaration)?;
        return Some(location(
            doc,
            &document.text,
            &document.lines,
            declared.span,
            encoding,
        ));
    }
    let file = analysis.schema_file()?;
    let declared = Index::of_schema(&file.schema)
        .all(&occurrence.namespace, &occurrence.name)
        .next()?
        .span;
    Some(location(
        &uri::from_path(&file.path)?,
        &file.text,
        &file.lines,
        declared,
        encoding,
    ))
}

/// Every place that names what the cursor is on.
pub fn references(
    session: &mut Session,
    doc: &Uri,
    offset: usize,
    include_declaration: bool,
) -> Option<Vec<Location>> {
    let encoding = session.encoding;
    let analysis = session.analysis(doc)?;
    let occurrence = occurrence_at(&analysis, offset)?;
    let keep = |o: &&Occurrence| include_declaration || !o.declaration;
    let mut found = Vec::new();
    if !occurrence.namespace.in_schema() {
        let document = session.document(doc)?;
        let index = index_of(&analysis)?;
        for o in index
            .all(&occurrence.namespace, &occurrence.name)
            .filter(keep)
        {
            found.push(location(
                doc,
                &document.text,
                &document.lines,
                o.span,
                encoding,
            ));
        }
        return Some(found);
    }
    // A schema entry: its declaration, and every program that uses the schema.
    let schema_path = match (&analysis.parsed.schema, session.document(doc)) {
        (Some(_), Some(document)) => document.path.clone()?,
        _ => analysis.schema_file()?.path.clone(),
    };
    let schema_uri = uri::from_path(&schema_path)?;
    let schema_file = match session.document(&schema_uri) {
        Some(open) => schema::load(&schema_path, open.text.clone()),
        None => schema::load(&schema_path, schema::read(&schema_path).ok()?),
    };
    let schema::Found::Usable(schema_file) = schema_file else {
        return Some(found);
    };
    if include_declaration {
        for o in Index::of_schema(&schema_file.schema).all(&occurrence.namespace, &occurrence.name)
        {
            found.push(location(
                &schema_uri,
                &schema_file.text,
                &schema_file.lines,
                o.span,
                encoding,
            ));
        }
    }
    for (uri, text, program) in programs_using(session, &schema_file) {
        let lines = Lines::new(&text);
        let index = Index::of_program(&program, Some(&schema_file.schema));
        for o in index.all(&occurrence.namespace, &occurrence.name) {
            found.push(location(&uri, &text, &lines, o.span, encoding));
        }
    }
    Some(found)
}

/// The most program files looked at on disk for references to a schema.
const MAX_FILES: usize = 2_000;

/// The programs checked against `schema`: open ones, and those on disk in
/// its folder and below that find it as their schema.
fn programs_using(session: &Session, schema: &SchemaFile) -> Vec<(Uri, String, Program)> {
    let mut found = Vec::new();
    let mut open: Vec<PathBuf> = Vec::new();
    let uses = |path: &Path| {
        schema::candidates(path, &session.roots)
            .into_iter()
            .find(|c| c.is_file() || session.documents().any(|d| d.path.as_deref() == Some(c)))
            .is_some_and(|c| c == schema.path)
    };
    for document in session.documents() {
        let Some(path) = &document.path else {
            continue;
        };
        open.push(path.clone());
        if document.is_schema() || !uses(path) {
            continue;
        }
        if let Some(program) = crate::syntax::parse(&document.text).program {
            found.push((document.uri.clone(), document.text.clone(), program));
        }
    }
    let Some(folder) = schema.path.parent() else {
        return found;
    };
    let files = walkdir::WalkDir::new(folder)
        .max_depth(8)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "nurture"))
        .take(MAX_FILES);
    for entry in files {
        let path = entry.path();
        if open.iter().any(|o| o == path) || !uses(path) {
            continue;
        }
        let Ok(text) = schema::read(path) else {
            continue;
        };
        let (Some(program), Some(uri)) =
            (crate::syntax::parse(&text).program, uri::from_path(path))
        else {
            continue;
        };
        found.push((uri, text, program));
    }
    found
}

/// The span to rename at `offset`: a step's name, where it is declared or
/// led to. Other names live outside the program (in the schema and the
/// systems around it) and are not renamed here.
pub fn prepare_rename(analysis: &Analysis, offset: usize) -> Option<Occurrence> {
    occurrence_at(analysis, offset).filter(|o| o.namespace == Namespace::Step)
}

/// The edits that rename the step under the cursor to `new_name`, or why not.
pub fn rename(
    session: &mut Session,
    doc: &Uri,
    offset: usize,
    new_name: &str,
) -> Result<HashMap<Uri, Vec<TextEdit>>, String> {
    let encoding = session.encoding;
    let analysis = session
        .analysis(doc)
        .ok_or_else(|| "the document is not open".to_string())?;
    let occurrence = prepare_rename(&analysis, offset)
        .ok_or_else(|| "only a step's name can be renamed here".to_string())?;
    if !is_step_name(new_name) {
        return Err(format!(
            "`{new_name}` is not a step name: letters, digits and `_`, starting with a letter or `_`, and no reserved word"
        ));
    }
    let index = index_of(&analysis).unwrap_or_default();
    if new_name != occurrence.name && index.all(&Namespace::Step, new_name).any(|o| o.declaration) {
        return Err(format!("there is already a step `{new_name}`"));
    }
    let document = session
        .document(doc)
        .ok_or_else(|| "the document is not open".to_string())?;
    let edits = index
        .all(&Namespace::Step, &occurrence.name)
        .map(|o| TextEdit {
            range: document.lines.range(&document.text, o.span, encoding),
            new_text: new_name.to_string(),
        })
        .collect();
    Ok(HashMap::from([(doc.clone(), edits)]))
}

/// Whether the grammar and the lowering read `name` as a step name.
fn is_step_name(name: &str) -> bool {
    let program = format!("program p {{\n  step {name} {{ exit done }}\n}}\n");
    let parsed = crate::syntax::parse(&program);
    parsed.diagnostics.is_empty()
        && parsed
            .program
            .is_some_and(|p| p.steps.len() == 1 && p.steps[0].name.value == name)
}

/// The outline: the program with its header clauses and steps, or the
/// schema with its entries.
pub fn symbols(
    analysis: &Analysis,
    text: &str,
    lines: &Lines,
    encoding: Encoding,
) -> Vec<DocumentSymbol> {
    let outline = Outline {
        text,
        lines,
        encoding,
    };
    if let Some(program) = &analysis.parsed.program {
        let mut children = Vec::new();
        for clause in &program.clauses {
            children.push(outline.symbol(
                clause.kind.keyword(),
                outline.first_line(clause.span),
                SymbolKind::PROPERTY,
                clause.span,
                clause.span,
            ));
        }
        for step in &program.steps {
            children.push(outline.symbol(
                &step.name.value,
                Some("step".to_string()),
                SymbolKind::FUNCTION,
                step.span.to(step.name.span),
                step.name.span,
            ));
        }
        let mut symbol = outline.symbol(
            &program.name.value,
            Some("program".to_string()),
            SymbolKind::MODULE,
            program.span.to(program.name.span),
            program.name.span,
        );
        symbol.children = Some(sorted(children));
        return vec![symbol];
    }
    let Some(schema) = &analysis.parsed.schema else {
        return Vec::new();
    };
    let head = Span::new(
        schema.span.start,
        schema.span.start + "schema".len().min(schema.span.len()),
    );
    let mut symbol = outline.symbol("schema", None, SymbolKind::NAMESPACE, schema.span, head);
    symbol.children = Some(outline.schema(schema));
    vec![symbol]
}

fn sorted(mut symbols: Vec<DocumentSymbol>) -> Vec<DocumentSymbol> {
    symbols.sort_by_key(|s| (s.range.start.line, s.range.start.character));
    symbols
}

struct Outline<'t> {
    text: &'t str,
    lines: &'t Lines,
    encoding: Encoding,
}

impl Outline<'_> {
    #[allow(deprecated)] // `DocumentSymbol::deprecated` must be written, as `None`.
    fn symbol(
        &self,
        name: &str,
        detail: Option<String>,
        kind: SymbolKind,
        span: Span,
        selection: Span,
    ) -> DocumentSymbol {
        DocumentSymbol {
            name: name.to_string(),
            detail,
            kind,
            tags: None,
            deprecated: None,
            range: self.lines.range(self.text, span, self.encoding),
            selection_range: self.lines.range(self.text, selection, self.encoding),
            children: None,
        }
    }

    /// The first line of a construct as written, for the outline's detail.
    fn first_line(&self, span: Span) -> Option<String> {
        self.text
            .get(span.start..span.end)
            .and_then(|t| t.lines().next())
            .map(|t| t.trim().to_string())
    }

    fn schema(&self, schema: &Schema) -> Vec<DocumentSymbol> {
        let mut out = Vec::new();
        for attribute in &schema.attributes {
            out.push(self.symbol(
                &attribute.name.value,
                self.first_line(attribute.span),
                SymbolKind::FIELD,
                attribute.span,
                attribute.name.span,
            ));
        }
        for event in &schema.events {
            let properties = event
                .properties
                .iter()
                .map(|p| {
                    self.symbol(
                        &p.name.value,
                        self.first_line(p.span),
                        SymbolKind::PROPERTY,
                        p.span,
                        p.name.span,
                    )
                })
                .collect();
            let mut symbol = self.symbol(
                &event.name.value,
                Some("event".to_string()),
                SymbolKind::EVENT,
                event.span,
                event.name.span,
            );
            symbol.children = Some(properties);
            out.push(symbol);
        }
        for channel in &schema.channels {
            out.push(self.symbol(
                &channel.name.value,
                self.first_line(channel.span),
                SymbolKind::ENUM_MEMBER,
                channel.span,
                channel.name.span,
            ));
        }
        for (names, what) in [
            (&schema.teams, "team"),
            (&schema.segments, "segment"),
            (&schema.tags, "tag"),
        ] {
            for name in names {
                out.push(self.symbol(
                    &name.value,
                    Some(what.to_string()),
                    SymbolKind::CONSTANT,
                    name.span,
                    name.span,
                ));
            }
        }
        sorted(out)
    }
}
