//! The hand-written reader against pest, the definition: wherever it reads
//! a file, the tree must be pest's, entry for entry; and it must read every
//! bundled program, or check loses its speed without a test noticing.

use super::super::grammar::{NurtureParser, Rule};
use super::super::prepass;
use super::super::tree::{Entry, Tree};
use pest::Parser;
use std::path::{Path, PathBuf};

fn pest_entries(text: &str) -> Option<Vec<Entry>> {
    NurtureParser::parse(Rule::file, text)
        .ok()
        .map(|pairs| Tree::from_pairs(text, pairs).entries().to_vec())
}

/// Whether the reader gave pest's tree for the prepared text; `false` when
/// it left the file to pest. Fails the test when it gave any other tree, or
/// left to pest a file pest reads although nothing in it is pest's to judge.
fn agrees(text: &str, what: &str) -> bool {
    match prepass::prepare(text) {
        Ok(prepared) => agrees_as_it_is(&prepared, what),
        Err(_) => false,
    }
}

/// [`agrees`] on the text as it is, without the prepass: a comment or a
/// byte-order mark is left for the reader to meet.
fn agrees_as_it_is(text: &str, what: &str) -> bool {
    let pests = pest_entries(text);
    let Some(tree) = super::parse(text) else {
        // It gives up only on a letter outside ASCII or a comment.
        assert!(
            pests.is_none() || !text.is_ascii() || text.contains('#'),
            "{what}: pest reads it, the hand-written reader does not\n{text}"
        );
        return false;
    };
    let ours = tree.entries();
    assert!(
        pests.as_deref() == Some(ours),
        "{what}: the hand-written reader's tree differs from pest's (first difference {:?})\n{text}",
        first_difference(ours, pests.as_deref())
    );
    true
}

/// Where two trees part: the index and the two entries there.
fn first_difference(
    ours: &[Entry],
    pests: Option<&[Entry]>,
) -> Option<(usize, Option<Entry>, Option<Entry>)> {
    let pests = pests?;
    let at = (0..ours.len().max(pests.len())).find(|&at| ours.get(at) != pests.get(at))?;
    Some((at, ours.get(at).copied(), pests.get(at).copied()))
}

fn files(dir: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut found = Vec::new();
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "nurture") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

#[test]
fn every_bundled_program_is_read_to_pests_tree() {
    let programs = files("programs");
    assert!(programs.len() > 10, "the bundled programs were not found");
    for path in programs {
        let text = read(&path);
        assert!(
            agrees(&text, &path.display().to_string()),
            "{}: left to pest",
            path.display()
        );
    }
}

#[test]
fn every_fixture_is_read_to_pests_tree_or_left_to_pest() {
    let mut read_here = 0;
    let fixtures = files("tests/fixtures");
    assert!(fixtures.len() > 100, "the fixtures were not found");
    for path in &fixtures {
        let text = read(path);
        if agrees(&text, &path.display().to_string()) {
            read_here += 1;
        }
    }
    assert!(
        read_here > fixtures.len() / 2,
        "read {read_here} of {}",
        fixtures.len()
    );
}

/// Small, deterministic edits of the bundled programs: most make a broken
/// file, many a sound one whose spans moved. Every one must come out as
/// pest's tree or be left to pest.
#[test]
fn edited_programs_are_read_to_pests_tree_or_left_to_pest() {
    const SNIPPETS: &[&str] = &[
        " ",
        "\n",
        "\t",
        "  \n  ",
        "{",
        "}",
        "(",
        ")",
        "[",
        "]",
        ",",
        ".",
        "..",
        "->",
        "-",
        "+",
        "=",
        "==",
        "<",
        ">=",
        "!=",
        "|",
        ":",
        "\"",
        "\\",
        "\\\"",
        "#",
        "é",
        "3",
        "3d",
        "12.5%",
        "09:00",
        "+5",
        "-2",
        "x",
        "_a",
        "step",
        "program",
        "exit",
        "or",
        "and",
        "not",
        "in",
        "has",
        "where",
        "when",
        "else",
        "timeout",
        "wait",
        "up",
        "to",
        "for",
        "until",
        "after",
        "entry",
        "send",
        "email",
        "\"hi\"",
        "tag",
        "untag",
        "set",
        "trigger",
        "answer",
        "trigger.a",
        "answer.b.c",
        "consent",
        "cap",
        "per",
        "messages",
        "window",
        "mon..fri",
        "was",
        "as",
        "schema",
        "attribute",
        "event",
        "channel",
        "needs",
        "no",
        "list",
        "of",
        "ago",
        "from",
        "now",
        "true",
        "false",
        "segment",
        "team",
        "group",
        "priority",
        "quiet",
        "holdout",
        "\u{b}",
        "\u{c}",
        "\r",
        "\r\n",
        "·",
        "ª",
        "\u{a0}",
        "日",
        "😀",
        "[a,]",
        "[,]",
        "[ , ]",
        "(was a)",
        "(was a, b)",
        "tag added",
        "tag removed",
        "phase becomes",
        "3.d",
        "+5x",
        "1:",
    ];
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move |bound: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % bound.max(1) as u64) as usize
    };
    let mut sources: Vec<String> = files("programs").iter().map(|p| read(p)).collect();
    sources.extend(files("tests/fixtures/ok").iter().map(|p| read(p)));
    let (mut read_here, mut tried) = (0, 0);
    for source in &sources {
        for _ in 0..200 {
            let mut text = source.clone();
            for _ in 0..1 + next(3) {
                let at = next(text.len() + 1);
                let at = (0..=at)
                    .rev()
                    .find(|&i| text.is_char_boundary(i))
                    .unwrap_or(0);
                let line_start = text[..at].rfind('\n').map_or(0, |n| n + 1);
                let line_end = text[at..].find('\n').map_or(text.len(), |n| at + n + 1);
                match next(5) {
                    0 => text.insert_str(at, SNIPPETS[next(SNIPPETS.len())]),
                    1 => {
                        let end = (at + 1 + next(6)).min(text.len());
                        if let Some(end) = (at..=end).rev().find(|&i| text.is_char_boundary(i)) {
                            text.replace_range(at..end, "");
                        }
                    }
                    2 => text.replace_range(line_start..line_end, ""),
                    3 => {
                        let line = text[line_start..line_end].to_string();
                        text.insert_str(line_start, &line);
                    }
                    _ => text.insert_str(at, if next(2) == 0 { " " } else { "\n" }),
                }
            }
            tried += 1;
            if agrees(&text, "an edited program") {
                read_here += 1;
            }
        }
    }
    // Enough of the edits stay sound for the spans to be tried.
    assert!(read_here * 10 > tried, "read {read_here} of {tried}");
}

/// Where the prepass would have blanked the way: a comment and a
/// byte-order mark reach the reader, which leaves the comment to pest; and
/// the shapes few bundled programs have.
#[test]
fn comments_marks_and_rare_shapes_are_read_to_pests_tree_or_left_to_pest() {
    let program = |body: &str| format!("program p {{\n  kind welcome\n{body}\n}}\n");
    let cases = [
        "\u{FEFF}program p {\n}\n".to_string(),
        "program p { # a comment\n}\n".to_string(),
        "# only a comment\n".to_string(),
        String::new(),
        "\u{b}\u{c}\r\n".to_string(),
        program("  trigger tag added vip\n  trigger tag removed vip"),
        program("  trigger phase becomes lead\n  trigger 3d before renewal.date"),
        program("  step a (was b, c) {\n    exit done\n  }"),
        program("  audience tier in [gold,] and tier not in [,] or x in [ , ]"),
        program("  audience not (a == 1 or (b != 2 and has tag vip)) and has trigger.x.y"),
        program("  audience 3d ago < last_order and 2w from now > renewal"),
        program("  window mon..fri, sat 08:00..18:00\n  window 9:00..17:00"),
        program("  step a {\n    score +5\n    score -2x\n  }"),
        program("  step a {\n    set x = answer.reason\n    set y = -3.5%\n    set z = true\n  }"),
        program(
            "  step a {\n    wait up to 3d for open or click {\n      open where x == \"\\\"\" -> b\n      timeout -> exit t\n    }\n  }",
        ),
        program("  step a {\n    send email \"x\" or sms \"y\" if consent sms\n  }"),
        program("  stepper a\n  programme b"),
        "schema {\n  attribute a.b: list of text\n  event e { x: number, y: a | b, }\n  channel c needs no consent\n  team t, u\n  cap 2 messages per 7d\n}\n".to_string(),
    ];
    let read_here = cases
        .iter()
        .filter(|case| agrees_as_it_is(case, "a rare shape"))
        .count();
    assert!(read_here >= 12, "read {read_here} of {}", cases.len());
    assert!(!agrees_as_it_is(
        "program p { # a comment\n}\n",
        "a comment"
    ));
    assert!(agrees_as_it_is(
        "\u{FEFF}program p {\n}\n",
        "a byte-order mark"
    ));
}
