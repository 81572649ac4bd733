//! Which comments belong to which construct.
//!
//! Between a block's braces, every comment goes with a child or with the
//! block's end:
//!
//! - a comment after code on the same line belongs to that code's construct
//!   (its *trailing* comment);
//! - a comment on a line of its own belongs to the next construct (a
//!   *leading* comment), since that is what comments above code describe;
//! - comments after the last construct stay at the end of the block.
//!
//! A construct's share of tokens (its *chunk*) therefore runs from its first
//! leading comment to its trailing comment. Moving a chunk (the header's
//! clauses are put in order) moves its comments with it.

use super::tokens::Token;
use std::ops::Range;

/// Divides the tokens in `interior` among the children, whose own code is
/// at `codes` (in source order). Returns each child's chunk and what is left
/// at the end of the block.
pub(super) fn chunks(
    tokens: &[Token],
    interior: Range<usize>,
    codes: &[Range<usize>],
) -> (Vec<Range<usize>>, Range<usize>) {
    let mut chunks = Vec::with_capacity(codes.len());
    let mut cursor = interior.start;
    for code in codes {
        let start = cursor.min(code.start);
        // Commas between an event's properties go with the property before.
        let mut end = code.end.max(start);
        while end < interior.end && tokens[end].text == "," && !tokens[end].is_comment() {
            end += 1;
        }
        let end = with_trailing_comment(tokens, end, interior.end);
        chunks.push(start..end);
        cursor = end;
    }
    (chunks, cursor..interior.end.max(cursor))
}

/// `end`, moved past a comment that follows on the same line, if any (but
/// not beyond `limit`).
pub(super) fn with_trailing_comment(tokens: &[Token], end: usize, limit: usize) -> usize {
    match tokens.get(end) {
        Some(token) if end < limit && token.is_comment() && !token.is_own_line() => end + 1,
        _ => end,
    }
}

#[cfg(test)]
mod tests {
    use super::super::tokens::tokenize;
    use super::*;

    #[test]
    fn comments_above_lead_and_comments_after_trail() {
        let text = "a # one\n# two\nb\nc # three\n# four\n";
        let tokens = tokenize(text);
        // a=0 #one=1 #two=2 b=3 c=4 #three=5 #four=6
        let (chunks, end) = chunks(&tokens, 0..tokens.len(), &[0..1, 3..4, 4..5]);
        assert_eq!(chunks, [0..2, 2..4, 4..6]);
        assert_eq!(end, 6..7);
    }
}
