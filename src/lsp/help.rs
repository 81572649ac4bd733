//! What a keyword means, as docs/language.md says it: hover shows the
//! section of the language reference that explains the construct, the very
//! text of the docs (compiled in), so the two cannot drift apart.
//!
//! A new construct is one row in [`SECTIONS`] (and its section in the docs);
//! a test checks that every keyword of the grammar has a row and every row
//! a section.

/// The language reference.
const LANGUAGE: &str = include_str!("../../docs/language.md");

/// Where a keyword stands, when that changes what it means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// In a header clause; the clause's first word.
    Header(&'static str),
    /// In a statement or an arm of a step.
    Step,
    /// In a condition.
    Condition,
    /// In a customer schema.
    Schema,
}

/// Keyword, where (`None`: anywhere), heading of its section.
pub const SECTIONS: &[(&str, Option<Role>, &str)] = &[
    ("program", None, "One program per file"),
    ("title", None, "title"),
    ("kind", None, "kind"),
    ("owner", None, "owner"),
    (
        "trigger",
        Some(Role::Condition),
        "The trigger's data: trigger.PROPERTY",
    ),
    ("trigger", Some(Role::Step), "Keeping what an event carried"),
    ("trigger", None, "trigger"),
    ("answer", None, "Keeping what an event carried"),
    ("event", Some(Role::Schema), "Entries"),
    ("event", None, "On an event"),
    ("no", None, "After a time without an event"),
    (
        "for",
        Some(Role::Header("trigger")),
        "After a time without an event",
    ),
    ("for", None, "wait up to … for"),
    ("segment", Some(Role::Schema), "Entries"),
    ("segment", None, "On entering or leaving a segment"),
    ("entered", None, "On entering or leaving a segment"),
    ("left", None, "On entering or leaving a segment"),
    (
        "phase",
        Some(Role::Header("trigger")),
        "When the phase or a tag changes: hand-offs",
    ),
    (
        "tag",
        Some(Role::Header("trigger")),
        "When the phase or a tag changes: hand-offs",
    ),
    (
        "becomes",
        None,
        "When the phase or a tag changes: hand-offs",
    ),
    ("added", None, "When the phase or a tag changes: hand-offs"),
    (
        "removed",
        None,
        "When the phase or a tag changes: hand-offs",
    ),
    ("group", None, "group and priority"),
    ("priority", None, "group and priority"),
    ("before", None, "At a date"),
    ("after", Some(Role::Header("reentry")), "reentry"),
    ("after", Some(Role::Header("ends")), "ends after"),
    ("after", Some(Role::Step), "wait until … after entry"),
    ("after", None, "At a date"),
    ("audience", None, "audience"),
    ("consent", Some(Role::Header("consent")), "consent"),
    ("consent", Some(Role::Schema), "Entries"),
    ("consent", None, "consent and has tag"),
    ("goal", None, "goal"),
    ("ends", None, "ends after"),
    ("on", None, "on … -> STEP"),
    ("until", None, "wait until … after entry"),
    ("entry", None, "wait until … after entry"),
    ("as", Some(Role::Header("ends")), "ends after"),
    ("within", None, "goal"),
    ("exit", Some(Role::Header("exit")), "exit when"),
    ("exit", None, "exit"),
    ("when", Some(Role::Header("exit")), "exit when"),
    ("when", None, "branch"),
    ("as", None, "exit when"),
    ("reentry", None, "reentry"),
    ("was", None, "Renaming a step: `(was OLD)`"),
    ("never", None, "reentry"),
    ("cap", Some(Role::Schema), "Caps across programs"),
    ("cap", None, "cap"),
    ("messages", None, "cap"),
    ("per", None, "cap"),
    ("quiet", None, "quiet"),
    ("window", None, "window"),
    ("holdout", None, "holdout"),
    ("start", None, "start"),
    ("step", None, "Steps"),
    ("send", None, "send"),
    ("if", None, "send"),
    ("wait", None, "wait"),
    ("up", None, "wait up to … for"),
    ("to", None, "wait up to … for"),
    ("timeout", None, "wait up to … for"),
    ("branch", None, "branch"),
    ("else", None, "branch"),
    ("split", None, "split"),
    ("score", None, "score"),
    ("tag", Some(Role::Condition), "consent and has tag"),
    ("tag", Some(Role::Schema), "Entries"),
    ("tag", None, "tag and untag"),
    ("untag", None, "tag and untag"),
    ("has", None, "consent and has tag"),
    ("set", None, "set"),
    ("phase", None, "phase"),
    ("notify", None, "notify"),
    ("->", Some(Role::Step), "Go to another step"),
    ("->", None, "Targets"),
    ("and", None, "Combining: and, or, not, parentheses"),
    ("or", Some(Role::Step), "wait up to … for"),
    ("or", None, "Combining: and, or, not, parentheses"),
    ("not", None, "Combining: and, or, not, parentheses"),
    ("in", None, "Lists: in and not in"),
    ("ago", None, "Time: ago and from now"),
    ("from", None, "Time: ago and from now"),
    ("now", None, "Time: ago and from now"),
    ("where", None, "Conditions on events: where"),
    ("true", None, "true, false and words"),
    ("false", None, "true, false and words"),
    ("schema", None, "The customer schema"),
    ("attribute", None, "Entries"),
    ("channel", None, "Entries"),
    ("needs", None, "Entries"),
    ("team", None, "Entries"),
    ("list", None, "Types"),
    ("of", None, "Types"),
];

/// The heading of the section that explains `word` where it stands.
pub fn heading(word: &str, role: Role) -> Option<&'static str> {
    let rows = SECTIONS.iter().filter(|(w, _, _)| *w == word);
    let exact = rows
        .clone()
        .find(|(_, r, _)| *r == Some(role))
        .or_else(|| rows.clone().find(|(_, r, _)| r.is_none()));
    exact.map(|(_, _, heading)| *heading)
}

/// The section under `heading`, up to the next heading of the same or a
/// higher level, with links into the page turned into plain words.
pub fn section(heading: &str) -> Option<String> {
    let mut lines = LANGUAGE.lines();
    let mut level = 0;
    let mut inside_code = false;
    for line in lines.by_ref() {
        if line.starts_with("```") {
            inside_code = !inside_code;
        }
        if inside_code {
            continue;
        }
        let hashes = line.len() - line.trim_start_matches('#').len();
        if hashes > 0 && line[hashes..].trim() == heading {
            level = hashes;
            break;
        }
    }
    if level == 0 {
        return None;
    }
    let mut out = String::new();
    inside_code = false;
    for line in lines {
        if line.starts_with("```") {
            inside_code = !inside_code;
        }
        let hashes = line.len() - line.trim_start_matches('#').len();
        if !inside_code && hashes > 0 && hashes <= level && line[hashes..].starts_with(' ') {
            break;
        }
        out.push_str(&unlink(line));
        out.push('\n');
    }
    Some(format!("**{heading}**\n\n{}", out.trim()))
}

/// `[text](#anchor)` → `text`: the page's own links lead nowhere in a hover.
fn unlink(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(open) = rest.find("](#") {
        let Some(start) = rest[..open].rfind('[') else {
            break;
        };
        let Some(close) = rest[open..].find(')') else {
            break;
        };
        out.push_str(&rest[..start]);
        out.push_str(&rest[start + 1..open]);
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_keyword_has_a_section() {
        for word in crate::syntax::next::keywords() {
            let heading = heading(word, Role::Step);
            assert!(heading.is_some(), "keyword `{word}` has no row in SECTIONS");
        }
        for (word, _, heading) in SECTIONS {
            assert!(
                section(heading).is_some(),
                "`{word}`: no section `{heading}` in docs/language.md"
            );
        }
    }

    #[test]
    fn a_section_is_the_docs_text() {
        let text = section("wait").unwrap();
        assert!(
            text.starts_with("**wait**\n\n```\nwait DURATION\n```"),
            "{text}"
        );
        assert!(
            !text.contains("### wait up to"),
            "stops at the next heading"
        );
        assert_eq!(heading("exit", Role::Header("exit")), Some("exit when"));
        assert_eq!(heading("exit", Role::Step), Some("exit"));
        assert!(unlink("a [target](#targets) b").contains("a target b"));
    }
}
