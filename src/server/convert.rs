//! Conversions between the core's byte offsets and LSP positions in the negotiated encoding,
//! over a rope. Every conversion clamps: a position past the end of a line or of the document
//! lands on the nearest valid place, never a panic.

use ropey::Rope;
use tower_lsp_server::ls_types::{Position, Range};

use crate::line_index::PositionEncoding;

/// The LSP position of byte `offset` (rounded down to a char boundary, clamped to the end).
pub fn position(rope: &Rope, offset: usize, encoding: PositionEncoding) -> Position {
    let offset = offset.min(rope.len_bytes());
    let char_idx = rope.byte_to_char(offset);
    let line = rope.char_to_line(char_idx);
    let line_char = rope.line_to_char(line);
    let col = match encoding {
        PositionEncoding::Utf32 => char_idx - line_char,
        PositionEncoding::Utf16 => rope.char_to_utf16_cu(char_idx) - rope.char_to_utf16_cu(line_char),
        PositionEncoding::Utf8 => rope.char_to_byte(char_idx) - rope.line_to_byte(line),
    };
    Position::new(line as u32, col as u32)
}

pub fn range(rope: &Rope, bytes: &std::ops::Range<usize>, encoding: PositionEncoding) -> Range {
    Range::new(position(rope, bytes.start, encoding), position(rope, bytes.end, encoding))
}

/// The char index of an LSP position. A line past the end maps to the end of the document; a
/// column past the end of its line (or inside a character) to the end of the line's content
/// (or that character's start).
pub fn char_index(rope: &Rope, at: Position, encoding: PositionEncoding) -> usize {
    let line = at.line as usize;
    if line >= rope.len_lines() {
        return rope.len_chars();
    }
    let line_start = rope.line_to_char(line);
    let content_end = line_start + line_content_chars(rope, line);
    let col = at.character as usize;
    match encoding {
        PositionEncoding::Utf32 => (line_start + col).min(content_end),
        PositionEncoding::Utf16 => {
            let start_cu = rope.char_to_utf16_cu(line_start);
            let end_cu = rope.char_to_utf16_cu(content_end);
            rope.utf16_cu_to_char((start_cu + col).min(end_cu))
        }
        PositionEncoding::Utf8 => {
            let start = rope.line_to_byte(line);
            let end = rope.char_to_byte(content_end);
            rope.byte_to_char((start + col).min(end))
        }
    }
}

/// Byte offset of an LSP position (see [`char_index`]).
pub fn offset(rope: &Rope, at: Position, encoding: PositionEncoding) -> usize {
    rope.char_to_byte(char_index(rope, at, encoding))
}

/// Length in chars of line `line` without its terminator.
pub fn line_content_chars(rope: &Rope, line: usize) -> usize {
    let slice = rope.line(line);
    let mut len = slice.len_chars();
    while len > 0 && matches!(slice.char(len - 1), '\n' | '\r') {
        len -= 1;
    }
    len
}

/// The text of line `line` without its terminator.
pub fn line_text(rope: &Rope, line: usize) -> std::borrow::Cow<'_, str> {
    let slice = rope.line(line);
    let content = slice.slice(..line_content_chars(rope, line));
    std::borrow::Cow::from(content)
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
