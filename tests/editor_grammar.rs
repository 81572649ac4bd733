//! The editors' TextMate grammar (`editors/vscode/syntaxes/nurture.tmLanguage.json`)
//! is written by this test from the language's own keywords: the `kw_WORD`
//! rules of `grammar/nurture.pest` (`nurture::syntax::next::keywords`). A
//! keyword added to the grammar fails this test until the file is written
//! again:
//!
//! ```sh
//! UPDATE_GRAMMAR=1 cargo test --test editor_grammar
//! ```
//!
//! How each kind of token is coloured lives here, once; which words are
//! keywords lives in the grammar. `editors/vscode/test/` tokenises every
//! bundled program with the file, as VS Code does.

use serde_json::{Value, json};
use std::path::Path;

/// Keywords that join conditions, coloured as operators.
const OPERATOR_WORDS: &[&str] = &["and", "or", "not", "in", "has"];
/// Keywords that are values.
const CONSTANTS: &[&str] = &["true", "false"];
/// Keywords only before a dot, where they start an event's data
/// (`answer.reason`); elsewhere the word is a name (`where answer == …`).
const DATA_ONLY: &[&str] = &["answer"];

/// A name, as the grammar reads one (other letters too, so that a name
/// with one is coloured whole and the checker's message points at it).
const NAME: &str = r"[A-Za-z_][A-Za-z0-9_]*";

fn alternation(words: &[&str]) -> String {
    let mut words = words.to_vec();
    // Longest first, so that no word stops at a shorter one's end.
    words.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    format!(r"\b(?:{})\b", words.join("|"))
}

fn grammar() -> Value {
    let keywords: Vec<&str> = nurture::syntax::next::keywords()
        .filter(|k| !OPERATOR_WORDS.contains(k) && !CONSTANTS.contains(k) && !DATA_ONLY.contains(k))
        .collect();
    json!({
        "$schema": "https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json",
        "name": "nurture",
        "scopeName": "source.nurture",
        "fileTypes": ["nurture"],
        "comment": "Written by tests/editor_grammar.rs from the keywords of grammar/nurture.pest; do not edit by hand.",
        "patterns": [
            { "include": "#comment" },
            { "include": "#text" },
            { "include": "#declarations" },
            { "include": "#references" },
            { "include": "#quantities" },
            { "include": "#keywords" },
            { "include": "#operators" },
            { "include": "#punctuation" }
        ],
        "repository": {
            "comment": {
                "match": "#.*$",
                "name": "comment.line.number-sign.nurture"
            },
            "text": {
                "begin": "\"",
                "end": "\"|$",
                "name": "string.quoted.double.nurture",
                "patterns": [
                    { "match": r#"\\["\\]"#, "name": "constant.character.escape.nurture" }
                ]
            },
            "declarations": {
                "patterns": [
                    {
                        "comment": "program NAME",
                        "match": format!(r"\b(program)\s+({NAME})"),
                        "captures": {
                            "1": { "name": "keyword.control.nurture" },
                            "2": { "name": "entity.name.type.program.nurture" }
                        }
                    },
                    {
                        "comment": "step NAME",
                        "match": format!(r"\b(step)\s+({NAME})"),
                        "captures": {
                            "1": { "name": "keyword.control.nurture" },
                            "2": { "name": "entity.name.function.step.nurture" }
                        }
                    }
                ]
            },
            "references": {
                "patterns": [
                    {
                        "comment": "trigger.PROPERTY and answer.PROPERTY: an event's data",
                        "match": format!(r"\b(trigger|answer)(\.)({NAME}(?:\.{NAME})*)"),
                        "captures": {
                            "1": { "name": "keyword.control.nurture" },
                            "2": { "name": "punctuation.accessor.nurture" },
                            "3": { "name": "variable.other.property.nurture" }
                        }
                    },
                    {
                        "comment": "-> exit OUTCOME: the program's end",
                        "match": format!(r"(->)\s*\b(exit)\s+({NAME})"),
                        "captures": {
                            "1": { "name": "keyword.operator.arrow.nurture" },
                            "2": { "name": "keyword.control.nurture" },
                            "3": { "name": "entity.name.label.outcome.nurture" }
                        }
                    },
                    {
                        "comment": "-> STEP and start STEP",
                        "match": format!(r"(->|\bstart\b)\s*({NAME})"),
                        "captures": {
                            "1": { "name": "keyword.operator.arrow.nurture" },
                            "2": { "name": "entity.name.function.step.nurture" }
                        }
                    },
                    {
                        "comment": "exit OUTCOME in a step (exit when … is a header clause)",
                        "match": format!(r"\b(exit)\s+(?!when\b)({NAME})"),
                        "captures": {
                            "1": { "name": "keyword.control.nurture" },
                            "2": { "name": "entity.name.label.outcome.nurture" }
                        }
                    },
                    {
                        "comment": "as OUTCOME",
                        "match": format!(r"\b(as)\s+({NAME})"),
                        "captures": {
                            "1": { "name": "keyword.control.nurture" },
                            "2": { "name": "entity.name.label.outcome.nurture" }
                        }
                    }
                ]
            },
            "quantities": {
                "patterns": [
                    { "match": r"\b\d{2}:\d{2}\b", "name": "constant.numeric.time.nurture" },
                    { "match": r"\b\d+[mhdw]\b", "name": "constant.numeric.duration.nurture" },
                    { "match": r"\b\d+(?:\.\d+)?%", "name": "constant.numeric.percentage.nurture" },
                    { "match": r"(?<![\w.])[+-]\d+\b", "name": "constant.numeric.points.nurture" },
                    { "match": r"(?<![\w.])-?\d+(?:\.\d+)?\b", "name": "constant.numeric.nurture" }
                ]
            },
            "keywords": {
                "patterns": [
                    { "match": alternation(&keywords), "name": "keyword.control.nurture" },
                    { "match": alternation(OPERATOR_WORDS), "name": "keyword.operator.word.nurture" },
                    { "match": alternation(CONSTANTS), "name": "constant.language.boolean.nurture" }
                ]
            },
            "operators": {
                "patterns": [
                    { "match": "->", "name": "keyword.operator.arrow.nurture" },
                    { "match": "==|!=|<=|>=|<|>", "name": "keyword.operator.comparison.nurture" },
                    { "match": "=", "name": "keyword.operator.assignment.nurture" },
                    { "match": r"\.\.", "name": "keyword.operator.range.nurture" },
                    { "match": r"\|", "name": "keyword.operator.choice.nurture" }
                ]
            },
            "punctuation": {
                "patterns": [
                    { "match": "[{}]", "name": "punctuation.section.block.nurture" },
                    { "match": r"[\[\]()]", "name": "punctuation.section.brackets.nurture" },
                    { "match": "[,:]", "name": "punctuation.separator.nurture" }
                ]
            }
        }
    })
}

#[test]
fn the_textmate_grammar_has_every_keyword_of_the_language() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("editors/vscode/syntaxes/nurture.tmLanguage.json");
    let written = serde_json::to_string_pretty(&grammar()).expect("JSON") + "\n";
    if std::env::var_os("UPDATE_GRAMMAR").is_some() {
        std::fs::write(&path, &written).expect("write the grammar");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == written,
        "{} is not what the language's keywords give; run `UPDATE_GRAMMAR=1 cargo test --test editor_grammar`",
        path.display()
    );
}

#[test]
fn keywords_are_split_without_loss() {
    let all: Vec<&str> = nurture::syntax::next::keywords().collect();
    for word in OPERATOR_WORDS.iter().chain(CONSTANTS).chain(DATA_ONLY) {
        assert!(
            all.contains(word),
            "`{word}` is no keyword of the grammar any more"
        );
    }
    assert!(all.contains(&"timeout") && all.contains(&"schema"));
}
