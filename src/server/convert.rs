//! LSP positions and ranges over a document's rope: a thin adapter from `Position` to the one
//! position module, `line_index` (which holds the line rules and the clamping for the CLI and
//! the server alike).

use ropey::Rope;
use tower_lsp_server::ls_types::{Position, Range};

use crate::line_index::{self, LineCol, PositionEncoding};

/// The LSP position of byte `offset` (rounded down to a char boundary, clamped to the end).
pub fn position(rope: &Rope, offset: usize, encoding: PositionEncoding) -> Position {
    let at = line_index::rope_line_col(rope, offset, encoding);
    Position::new(at.line, at.col)
}

pub fn range(rope: &Rope, bytes: &std::ops::Range<usize>, encoding: PositionEncoding) -> Range {
    Range::new(position(rope, bytes.start, encoding), position(rope, bytes.end, encoding))
}

/// LSP positions of byte offsets of one rope, each offset converted once. The items of one
/// completion list share their replaced range and their extra edit, and every rope query
/// recounts its leaf's text, so converting them item by item cost more than building the list.
pub struct Positions<'a> {
    rope: &'a Rope,
    encoding: PositionEncoding,
    seen: Vec<(usize, Position)>,
}

impl<'a> Positions<'a> {
    /// At most this many offsets are remembered: a list's edits share a handful.
    const KEPT: usize = 16;

    pub fn new(rope: &'a Rope, encoding: PositionEncoding) -> Positions<'a> {
        Positions { rope, encoding, seen: Vec::new() }
    }

    pub fn position(&mut self, offset: usize) -> Position {
        if let Some(&(_, known)) = self.seen.iter().find(|(at, _)| *at == offset) {
            return known;
        }
        let converted = position(self.rope, offset, self.encoding);
        if self.seen.len() < Self::KEPT {
            self.seen.push((offset, converted));
        }
        converted
    }

    pub fn range(&mut self, bytes: &std::ops::Range<usize>) -> Range {
        Range::new(self.position(bytes.start), self.position(bytes.end))
    }
}

/// The char index of an LSP position (clamped: see `line_index::rope_char_index`).
pub fn char_index(rope: &Rope, at: Position, encoding: PositionEncoding) -> usize {
    line_index::rope_char_index(rope, LineCol { line: at.line, col: at.character }, encoding)
}

/// Byte offset of an LSP position (see [`char_index`]).
pub fn offset(rope: &Rope, at: Position, encoding: PositionEncoding) -> usize {
    rope.char_to_byte(char_index(rope, at, encoding))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [PositionEncoding; 3] = [PositionEncoding::Utf8, PositionEncoding::Utf16, PositionEncoding::Utf32];

    #[test]
    fn offsets_round_trip_through_positions_in_every_encoding() {
        let text = "a😀b\r\n中文\rx\u{85}y\u{2028}z\n\n";
        let rope = Rope::from_str(text);
        assert_eq!(rope.len_lines(), 5, "NEL and U+2028 must not end lines");
        for enc in ALL {
            for (offset, _) in text.char_indices() {
                let pos = position(&rope, offset, enc);
                let back = offset_of(&rope, pos, enc);
                let at_break = matches!(text[offset..].chars().next(), Some('\r' | '\n'));
                if !at_break {
                    assert_eq!(back, offset, "{offset} {enc:?} {pos:?}");
                }
            }
        }
    }

    fn offset_of(rope: &Rope, pos: Position, enc: PositionEncoding) -> usize {
        offset(rope, pos, enc)
    }

    #[test]
    fn remembered_positions_equal_converted_ones() {
        let text = "a😀b\r\n中文\rx\u{85}y\u{2028}z\n\n";
        let rope = Rope::from_str(text);
        for enc in ALL {
            let mut positions = Positions::new(&rope, enc);
            // Twice over, and more offsets than are kept, so both the memo and the overflow
            // answer.
            for _ in 0..2 {
                for offset in 0..=text.len() {
                    assert_eq!(positions.position(offset), position(&rope, offset, enc), "{offset} {enc:?}");
                }
            }
        }
    }

    #[test]
    fn units_differ_by_encoding() {
        let rope = Rope::from_str("😀é中x");
        let x = "😀é中".len();
        assert_eq!(position(&rope, x, PositionEncoding::Utf8), Position::new(0, 9));
        assert_eq!(position(&rope, x, PositionEncoding::Utf16), Position::new(0, 4));
        assert_eq!(position(&rope, x, PositionEncoding::Utf32), Position::new(0, 3));
    }

    #[test]
    fn positions_past_the_end_or_inside_characters_clamp() {
        let rope = Rope::from_str("ab😀\r\ncd");
        assert_eq!(offset(&rope, Position::new(0, 99), PositionEncoding::Utf16), 6);
        assert_eq!(offset(&rope, Position::new(0, 3), PositionEncoding::Utf16), 2);
        assert_eq!(offset(&rope, Position::new(0, 4), PositionEncoding::Utf8), 2);
        assert_eq!(offset(&rope, Position::new(7, 0), PositionEncoding::Utf16), 10);
        assert_eq!(position(&rope, 99, PositionEncoding::Utf16), Position::new(1, 2));
    }
}
