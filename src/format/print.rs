//! Printing the layout tree as lines: two blanks of indentation a level,
//! blank lines where they belong, the header in its canonical order with
//! its values lined up, and the arrows of arms lined up.

use super::lines::{self, Keyword, Line};
use super::tokens::Token;
use super::tree::{self, Block, BlockKind, File, Item, LineRole, Piece};
use std::ops::Range;

const INDENT: usize = 2;

pub(super) fn file(tokens: &[Token], file: &File) -> Vec<Line> {
    let mut out = Vec::new();
    item(tokens, &file.item, 0, None, &mut out);
    end_comments(tokens, file.end.clone(), 0, true, &mut out);
    out
}

/// Prints one item; for an arm, returns where its arrow landed in `out`.
fn item(
    tokens: &[Token],
    item: &Item,
    indent: usize,
    keyword: Option<Keyword>,
    out: &mut Vec<Line>,
) -> Option<lines::Arrow> {
    match &item.piece {
        Piece::Line(_) => {
            let built = lines::build(tokens, item.tokens.clone(), indent, keyword);
            let arrow = built.arrow.map(|arrow| lines::Arrow {
                line: arrow.line + out.len(),
                ..arrow
            });
            out.extend(built.lines);
            arrow
        }
        Piece::Block(inner) => {
            block(tokens, inner, indent, out);
            None
        }
    }
}

fn block(tokens: &[Token], block: &Block, indent: usize, out: &mut Vec<Line>) {
    out.extend(lines::build(tokens, block.head.clone(), indent, None).lines);
    let inner = indent + INDENT;
    match block.kind {
        BlockKind::Program => program(tokens, &block.items, inner, out),
        BlockKind::Arms => arms(tokens, &block.items, inner, out),
        BlockKind::Step | BlockKind::Schema => {
            for (n, child) in block.items.iter().enumerate() {
                if n > 0 && starts_after_blank_line(tokens, &child.tokens) {
                    out.push(Line::Blank);
                }
                item(tokens, child, inner, None, out);
            }
        }
        BlockKind::Event => {
            for child in &block.items {
                item(tokens, child, inner, None, out);
            }
        }
    }
    let after_items = !block.items.is_empty();
    end_comments(tokens, block.end.clone(), inner, after_items, out);
    out.extend(lines::build(tokens, block.close.clone(), indent, None).lines);
}

/// The header first, its clauses in canonical order (repeated clauses keep
/// their order) in groups apart, then the steps one blank line apart.
fn program(tokens: &[Token], items: &[Item], indent: usize, out: &mut Vec<Line>) {
    let clause = |item: &Item| match item.piece {
        Piece::Line(LineRole::Clause(role)) => Some(role),
        _ => None,
    };
    let mut clauses: Vec<_> = items
        .iter()
        .filter_map(|i| clause(i).map(|role| (role, i)))
        .collect();
    clauses.sort_by_key(|(role, _)| role.rank);
    let width = clauses
        .iter()
        .filter(|(role, _)| tree::is_aligned(role) && role.keyword_tokens == 1)
        .map(|(role, _)| role.keyword_width)
        .max()
        .unwrap_or(0);
    let mut group = None;
    for (role, clause) in &clauses {
        let this = tree::header_group(role.rank);
        if group.is_some_and(|g| g != this) {
            out.push(Line::Blank);
        }
        group = Some(this);
        let keyword = tree::is_aligned(role).then_some(Keyword {
            tokens: role.keyword_tokens,
            width: width.max(role.keyword_width),
        });
        item(tokens, clause, indent, keyword, out);
    }
    let mut first = clauses.is_empty();
    for step in items.iter().filter(|i| clause(i).is_none()) {
        if !first {
            out.push(Line::Blank);
        }
        first = false;
        item(tokens, step, indent, None, out);
    }
}

/// Arms one a line, their arrows lined up. An arm whose head takes several
/// lines keeps one blank before its arrow.
fn arms(tokens: &[Token], items: &[Item], indent: usize, out: &mut Vec<Line>) {
    let arrows: Vec<lines::Arrow> = items
        .iter()
        .filter_map(|arm| item(tokens, arm, indent, None, out))
        .collect();
    let heads: Vec<(lines::Arrow, usize)> = arrows
        .into_iter()
        .filter_map(|arrow| match out.get(arrow.line) {
            Some(Line::Text { code, .. }) => code
                .get(..arrow.before)
                .map(|head| (arrow, head.chars().count())),
            _ => None,
        })
        .collect();
    let width = heads.iter().map(|(_, head)| *head).max().unwrap_or(0);
    for (arrow, head) in heads {
        if let Some(Line::Text { code, .. }) = out.get_mut(arrow.line) {
            code.insert_str(arrow.before, &" ".repeat(width - head));
        }
    }
}

/// Comments after a block's last child, apart from it by a blank line when
/// the user put one there.
fn end_comments(
    tokens: &[Token],
    range: Range<usize>,
    indent: usize,
    after_items: bool,
    out: &mut Vec<Line>,
) {
    if range.is_empty() {
        return;
    }
    if after_items && starts_after_blank_line(tokens, &range) {
        out.push(Line::Blank);
    }
    out.extend(lines::build(tokens, range, indent, None).lines);
}

fn starts_after_blank_line(tokens: &[Token], range: &Range<usize>) -> bool {
    tokens
        .get(range.start)
        .is_some_and(|t| range.start < range.end && t.follows_blank_line())
}
