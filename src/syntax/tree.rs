//! The parse tree the lowering reads: every rule that matched, with where it
//! starts and ends, in one flat list in the order the rules opened.
//!
//! Two parsers fill it. `descent` reads a well-formed file straight into it;
//! pest's pairs are copied into it when pest parses instead (a file
//! `descent` leaves to pest, and the pieces `recover` parses one at a time).
//! One tree type means one lowering, so a file lowers to the same syntax
//! tree and the same diagnostics whichever parser read it.

use super::grammar::Rule;
use pest::iterators::{Pair, Pairs};

/// One matched rule. Offsets are bytes into the tree's input, which
/// `limits::MAX_FILE_BYTES` keeps far below `u32::MAX`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Entry {
    pub rule: Rule,
    pub start: u32,
    pub end: u32,
    /// The index just past this rule's last descendant: where its next
    /// sibling, if any, starts.
    pub next: u32,
}

#[derive(Debug)]
pub(super) struct Tree<'t> {
    input: &'t str,
    entries: Vec<Entry>,
}

impl<'t> Tree<'t> {
    pub fn new(input: &'t str, entries: Vec<Entry>) -> Self {
        Tree { input, entries }
    }

    /// Copies what pest matched for one rule, with everything inside it.
    pub fn from_pair(pair: Pair<'t, Rule>) -> Self {
        let input = pair.get_input();
        let mut entries = Vec::new();
        copy(pair, &mut entries);
        Tree { input, entries }
    }

    /// Copies what pest matched, rule by rule.
    pub fn from_pairs(input: &'t str, pairs: Pairs<'t, Rule>) -> Self {
        let mut entries = Vec::new();
        for pair in pairs {
            copy(pair, &mut entries);
        }
        Tree { input, entries }
    }

    /// The rules at the top level: the first and its siblings.
    pub fn top(&self) -> Children<'_> {
        Children {
            tree: self,
            at: 0,
            end: self.entries.len() as u32,
        }
    }

    /// The first rule at the top level, when anything matched.
    pub fn root(&self) -> Option<Node<'_>> {
        self.top().next()
    }

    #[cfg(test)]
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }
}

fn copy(pair: Pair<'_, Rule>, entries: &mut Vec<Entry>) {
    let at = entries.len();
    let span = pair.as_span();
    entries.push(Entry {
        rule: pair.as_rule(),
        start: span.start() as u32,
        end: span.end() as u32,
        next: 0,
    });
    for inner in pair.into_inner() {
        copy(inner, entries);
    }
    let next = entries.len() as u32;
    entries[at].next = next;
}

/// One rule of a tree, read as the lowering reads a pest pair.
#[derive(Clone, Copy)]
pub(super) struct Node<'a> {
    tree: &'a Tree<'a>,
    at: u32,
}

impl<'a> Node<'a> {
    fn entry(&self) -> Entry {
        self.tree.entries[self.at as usize]
    }

    pub fn as_rule(&self) -> Rule {
        self.entry().rule
    }

    pub fn start(&self) -> usize {
        self.entry().start as usize
    }

    pub fn end(&self) -> usize {
        self.entry().end as usize
    }

    /// The text the rule matched.
    pub fn as_str(&self) -> &'a str {
        let entry = self.entry();
        &self.tree.input[entry.start as usize..entry.end as usize]
    }

    /// The whole text that was parsed, for looking past the rule's end.
    pub fn get_input(&self) -> &'a str {
        self.tree.input
    }

    /// The rules directly inside this one, in order.
    pub fn into_inner(self) -> Children<'a> {
        Children {
            tree: self.tree,
            at: self.at + 1,
            end: self.entry().next,
        }
    }
}

impl std::fmt::Debug for Node<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}({}..{})", self.as_rule(), self.start(), self.end())
    }
}

/// The rules directly inside one rule (or at a tree's top level).
#[derive(Clone)]
pub(super) struct Children<'a> {
    tree: &'a Tree<'a>,
    at: u32,
    end: u32,
}

impl<'a> Iterator for Children<'a> {
    type Item = Node<'a>;

    fn next(&mut self) -> Option<Node<'a>> {
        if self.at >= self.end {
            return None;
        }
        let node = Node {
            tree: self.tree,
            at: self.at,
        };
        self.at = self.tree.entries[self.at as usize].next;
        Some(node)
    }
}
