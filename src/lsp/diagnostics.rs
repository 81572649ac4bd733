//! nurture's diagnostics as LSP diagnostics: the same code, message, help
//! and labels `nurture check` shows, with ranges in the client's columns.

use super::position::{Encoding, Lines};
use crate::codes::Code;
use crate::diagnostic::{Diagnostic, Severity};
use lsp_types::{
    CodeDescription, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString,
    Uri,
};
use std::str::FromStr;

pub fn to_lsp(
    diagnostic: &Diagnostic,
    uri: &Uri,
    text: &str,
    lines: &Lines,
    encoding: Encoding,
) -> lsp_types::Diagnostic {
    let range = lines.range(text, diagnostic.primary_span(), encoding);
    let mut message = diagnostic.message.clone();
    if let Some(label) = diagnostic.labels.first().filter(|l| !l.message.is_empty()) {
        message.push_str(": ");
        message.push_str(&label.message);
    }
    if !diagnostic.help.is_empty() {
        message.push_str("\nhelp: ");
        message.push_str(&diagnostic.help);
    }
    let related: Vec<DiagnosticRelatedInformation> = diagnostic
        .labels
        .iter()
        .skip(1)
        .map(|label| DiagnosticRelatedInformation {
            location: Location::new(uri.clone(), lines.range(text, label.span, encoding)),
            message: label.message.clone(),
        })
        .collect();
    lsp_types::Diagnostic {
        range,
        severity: Some(match diagnostic.severity() {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(diagnostic.code.id().to_string())),
        code_description: explanation_url(diagnostic.code).map(|href| CodeDescription { href }),
        source: Some("nurture".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

/// Where a code's explanation can be read: the section of
/// docs/diagnostics.md (the text `nurture explain` prints), on the web when
/// the package names its repository, else in the source tree nurture was
/// built from.
pub fn explanation_url(code: Code) -> Option<Uri> {
    let anchor = format!("{}-{}", code.id(), code.name()).to_lowercase();
    let repository = env!("CARGO_PKG_REPOSITORY").trim_end_matches('/');
    let page = if repository.is_empty() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/diagnostics.md");
        super::uri::from_path(&path)?.as_str().to_string()
    } else {
        format!("{repository}/blob/main/docs/diagnostics.md")
    };
    Uri::from_str(&format!("{page}#{anchor}")).ok()
}
