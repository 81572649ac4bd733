//! The layout tree: the parsed file cut into the pieces the printer lays
//! out, each a range of tokens with its comments.
//!
//! The syntax tree says where every construct is (its span); this module
//! turns spans into token ranges, splits blocks into head, children and
//! closing brace, and hands each child its comments (`attach`). The printer
//! then never needs the syntax tree again.

use super::attach;
use super::tokens::Token;
use crate::span::{Name, Span};
use crate::syntax::ast::{
    Clause, ClauseKind, EventDecl, Program, Schema, Statement, StatementKind, Step,
};
use std::ops::Range;

/// A chunk of tokens (a construct with its comments) and how to lay it out.
#[derive(Debug)]
pub(super) struct Item {
    pub tokens: Range<usize>,
    pub piece: Piece,
}

#[derive(Debug)]
pub(super) enum Piece {
    /// Printed as one line, continued where the user broke a condition.
    Line(LineRole),
    Block(Block),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum LineRole {
    Clause(ClauseRole),
    /// A statement, a schema entry or an event's property.
    Plain,
    /// An arm of `wait up to … for`, `branch` or `split`: its `->` lines up
    /// with the other arms'.
    Arm,
}

/// Where a header clause goes and how its keyword is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct ClauseRole {
    pub rank: u8,
    /// Tokens in the keyword: two for `exit when`.
    pub keyword_tokens: usize,
    pub keyword_width: usize,
}

#[derive(Debug)]
pub(super) struct Block {
    pub kind: BlockKind,
    /// Leading comments, the head up to `{`, and a comment after the brace.
    pub head: Range<usize>,
    pub items: Vec<Item>,
    /// Comments after the last child.
    pub end: Range<usize>,
    /// The closing brace and a comment after it.
    pub close: Range<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum BlockKind {
    Program,
    Step,
    Arms,
    Schema,
    Event,
}

/// The whole file: the program or schema, and the comments after it.
#[derive(Debug)]
pub(super) struct File {
    pub item: Item,
    pub end: Range<usize>,
}

pub(super) fn program(tokens: &[Token], program: &Program) -> File {
    let layout = Layout { tokens };
    let mut children: Vec<(Range<usize>, Child)> = program
        .clauses
        .iter()
        .map(|c| (layout.code(c.span), Child::Clause(c)))
        .chain(
            program
                .steps
                .iter()
                .map(|s| (layout.code(s.span), Child::Step(s))),
        )
        .collect();
    children.sort_by_key(|(code, _)| code.start);
    layout.file(program.span, BlockKind::Program, children)
}

pub(super) fn schema(tokens: &[Token], schema: &Schema) -> File {
    let layout = Layout { tokens };
    let mut children: Vec<(Range<usize>, Child)> = Vec::new();
    for attribute in &schema.attributes {
        children.push((layout.code(attribute.span), Child::Plain));
    }
    for event in &schema.events {
        children.push((layout.code(event.span), Child::Event(event)));
    }
    for channel in &schema.channels {
        children.push((layout.code(channel.span), Child::Plain));
    }
    for cap in &schema.caps {
        children.push((layout.code(cap.span), Child::Plain));
    }
    for list in [&schema.teams, &schema.segments, &schema.tags] {
        children.extend(
            layout
                .name_lists(list)
                .into_iter()
                .map(|code| (code, Child::Plain)),
        );
    }
    children.sort_by_key(|(code, _)| code.start);
    layout.file(schema.span, BlockKind::Schema, children)
}

/// A child of a block, before it has its chunk.
enum Child<'a> {
    Clause(&'a Clause),
    Step(&'a Step),
    Statement(&'a Statement),
    Event(&'a EventDecl),
    Arm,
    Plain,
}

struct Layout<'t, 'a> {
    tokens: &'t [Token<'a>],
}

impl Layout<'_, '_> {
    /// The tokens inside `span`, comments in it included.
    fn code(&self, span: Span) -> Range<usize> {
        let start = self.tokens.partition_point(|t| t.span.start < span.start);
        let end = self.tokens.partition_point(|t| t.span.end <= span.end);
        start..end.max(start)
    }

    fn file(&self, span: Span, kind: BlockKind, children: Vec<(Range<usize>, Child)>) -> File {
        let code = self.code(span);
        let all = 0..self.tokens.len();
        let (chunks, end) = attach::chunks(self.tokens, all, std::slice::from_ref(&code));
        let chunk = chunks.into_iter().next().unwrap_or(code.clone());
        File {
            item: self.block(kind, chunk, code, children),
            end,
        }
    }

    fn item(&self, child: Child, chunk: Range<usize>, code: Range<usize>) -> Item {
        match child {
            Child::Clause(clause) => Item {
                tokens: chunk,
                piece: Piece::Line(LineRole::Clause(clause_role(&clause.kind))),
            },
            Child::Step(step) => {
                let children = step
                    .statements
                    .iter()
                    .map(|s| (self.code(s.span), Child::Statement(s)))
                    .collect();
                self.block(BlockKind::Step, chunk, code, children)
            }
            Child::Statement(statement) => {
                let arms: Vec<Span> = match &statement.kind {
                    StatementKind::WaitFor(wait) => wait.arms.iter().map(|a| a.span).collect(),
                    StatementKind::Branch(arms) => arms.iter().map(|a| a.span).collect(),
                    StatementKind::Split(arms) => arms.iter().map(|a| a.span).collect(),
                    _ => return self.line(chunk, LineRole::Plain),
                };
                let children = arms
                    .into_iter()
                    .map(|a| (self.code(a), Child::Arm))
                    .collect();
                self.block(BlockKind::Arms, chunk, code, children)
            }
            Child::Event(event) if self.spans_lines(&code) => {
                let children = event
                    .properties
                    .iter()
                    .map(|p| (self.code(p.span), Child::Plain))
                    .collect();
                self.block(BlockKind::Event, chunk, code, children)
            }
            Child::Event(_) | Child::Plain => self.line(chunk, LineRole::Plain),
            Child::Arm => self.line(chunk, LineRole::Arm),
        }
    }

    fn line(&self, chunk: Range<usize>, role: LineRole) -> Item {
        Item {
            tokens: chunk,
            piece: Piece::Line(role),
        }
    }

    /// A construct in braces: its head up to `{`, its children, its `}`.
    /// Should the braces not be where the grammar puts them, the construct
    /// is laid out as one line, which loses nothing.
    fn block(
        &self,
        kind: BlockKind,
        chunk: Range<usize>,
        code: Range<usize>,
        children: Vec<(Range<usize>, Child)>,
    ) -> Item {
        let is = |i: usize, text: &str| {
            self.tokens
                .get(i)
                .is_some_and(|t| !t.is_comment() && t.text == text)
        };
        let open = code.clone().find(|&i| is(i, "{"));
        let close = code.end.checked_sub(1).filter(|&i| is(i, "}"));
        let (Some(open), Some(close)) = (open, close) else {
            return self.line(chunk, LineRole::Plain);
        };
        let head_end = attach::with_trailing_comment(self.tokens, open + 1, close);
        let interior = head_end..close;
        let codes: Vec<Range<usize>> = children.iter().map(|(code, _)| code.clone()).collect();
        let (chunks, end) = attach::chunks(self.tokens, interior, &codes);
        let items = children
            .into_iter()
            .zip(chunks)
            .map(|((code, child), chunk)| self.item(child, chunk, code))
            .collect();
        Item {
            tokens: chunk.clone(),
            piece: Piece::Block(Block {
                kind,
                head: chunk.start..head_end,
                items,
                end,
                close: close..chunk.end,
            }),
        }
    }

    /// Whether the user wrote the construct over several lines (an event's
    /// properties then stay one a line).
    fn spans_lines(&self, code: &Range<usize>) -> bool {
        code.clone()
            .skip(1)
            .any(|i| self.tokens[i].breaks_before > 0)
    }

    /// The entries of `team a, b`, `segment …` and `tag …`: the syntax tree
    /// keeps only their names, so each entry runs from the keyword before
    /// its first name to its last name.
    fn name_lists(&self, names: &[Name]) -> Vec<Range<usize>> {
        let mut entries: Vec<Range<usize>> = Vec::new();
        for name in names {
            let at = self.code(name.span);
            let before = self.tokens[..at.start]
                .iter()
                .rposition(|t| !t.is_comment());
            match (before, entries.last_mut()) {
                (Some(comma), Some(entry)) if self.tokens[comma].text == "," => entry.end = at.end,
                (Some(keyword), _) => entries.push(keyword..at.end),
                (None, _) => entries.push(at),
            }
        }
        entries
    }
}

fn clause_role(kind: &ClauseKind) -> ClauseRole {
    let keyword = kind.keyword();
    ClauseRole {
        rank: clause_rank(kind),
        keyword_tokens: keyword.split(' ').count(),
        keyword_width: keyword.len(),
    }
}

/// The header's order: what the program is and who owns it, who enters and
/// why, how they leave early, the rules of the journey, and where it starts.
pub(super) fn clause_rank(kind: &ClauseKind) -> u8 {
    match kind {
        ClauseKind::Title(_) => 0,
        ClauseKind::Kind(_) => 1,
        ClauseKind::Owner(_) => 2,
        ClauseKind::Trigger(_) => 3,
        ClauseKind::Audience(_) => 4,
        ClauseKind::Consent(_) => 5,
        ClauseKind::Goal(_) => 6,
        ClauseKind::Ends(_) => 7,
        ClauseKind::ExitWhen(_) => 8,
        ClauseKind::Interrupt(_) => 9,
        ClauseKind::Reentry(_) => 10,
        ClauseKind::Cap(_) => 11,
        ClauseKind::Quiet(_) => 12,
        ClauseKind::Window(_) => 13,
        ClauseKind::Holdout(_) => 14,
        ClauseKind::Group(_) => 15,
        ClauseKind::Priority(_) => 16,
        ClauseKind::Start(_) => START,
    }
}

/// The rank of `start`, after every other clause.
const START: u8 = 17;

/// The blank-line-separated group of the header a clause belongs to: what
/// the program is; who enters, what counts and how long it lasts; what
/// takes a customer out or elsewhere at any step; the rules of sending;
/// where it starts.
pub(super) fn header_group(rank: u8) -> u8 {
    match rank {
        0..=2 => 0,
        3..=7 => 1,
        8..=9 => 2,
        10..=14 => 3,
        // Which programs share a customer: `group`, `priority`.
        15..=16 => 4,
        _ => 5,
    }
}

/// Whether a clause's keyword is padded so the values line up. `start`
/// stands alone after the header, like a heading for the steps.
pub(super) fn is_aligned(role: &ClauseRole) -> bool {
    role.rank != START
}
