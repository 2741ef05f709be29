//! Byte offsets <-> (line, column) in UTF-8, UTF-16 or UTF-32 units, over a `&str` (the CLI,
//! `LineIndex`) or a rope (the server's documents, `rope_*`): one module, one set of line rules.
//!
//! Lines end at `\n`, `\r\n` or `\r` only (as in LSP); NEL, U+2028 and U+2029 are ordinary
//! characters (ropey is built with `cr_lines` only, so its lines agree). Columns past the end of
//! a line clamp to the end instead of failing.

use std::borrow::Cow;
use std::ops::Range;

use ropey::Rope;

/// The unit a column counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PositionEncoding {
    /// UTF-16 code units: the LSP default.
    #[default]
    Utf16,
    /// Unicode scalar values: what the CLI prints (a "character").
    Utf32,
    /// Bytes.
    Utf8,
}

/// A zero-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

/// Start offsets of every line of one text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        let mut i = 0;
        while let Some(pos) = memchr::memchr2(b'\n', b'\r', &bytes[i..]) {
            let at = i + pos;
            let next = if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') { at + 2 } else { at + 1 };
            line_starts.push(next);
            i = next;
        }
        LineIndex { line_starts, len: text.len() }
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte range of line `line` including its terminator; empty past the end.
    pub fn line_range(&self, line: usize) -> Range<usize> {
        let start = self.line_starts.get(line).copied().unwrap_or(self.len);
        let end = self.line_starts.get(line + 1).copied().unwrap_or(self.len);
        start..end
    }

    /// Byte range of line `line` without its terminator.
    pub fn line_content(&self, text: &str, line: usize) -> Range<usize> {
        let range = self.line_range(line);
        let content = text.get(range.clone()).unwrap_or("");
        let trimmed = content.trim_end_matches(['\n', '\r']);
        range.start..range.start + trimmed.len()
    }

    /// The line that contains byte `offset` (offsets past the end map to the last line).
    pub fn line_of(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// Line and column of byte `offset`, which must be a char boundary of `text`
    /// (it is rounded down to one otherwise).
    pub fn line_col(&self, text: &str, offset: usize, encoding: PositionEncoding) -> LineCol {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line_of(offset);
        let start = self.line_starts[line].min(offset);
        let col = column_width(&text[start..offset], encoding);
        LineCol { line: line as u32, col: col as u32 }
    }

    /// Byte offset of a line and column; clamps a line past the end to the end of the text
    /// and a column past the end of its line (or inside a character) to a char boundary.
    pub fn offset(&self, text: &str, at: LineCol, encoding: PositionEncoding) -> usize {
        let line = at.line as usize;
        if line >= self.line_starts.len() {
            return text.len();
        }
        let content = self.line_content(text, line);
        let line_text = &text[content.clone()];
        content.start + byte_offset_of_column(line_text, at.col as usize, encoding)
    }
}

/// Line and column of byte `offset` of a rope (rounded down to a char boundary, clamped to
/// the end).
pub fn rope_line_col(rope: &Rope, offset: usize, encoding: PositionEncoding) -> LineCol {
    let offset = offset.min(rope.len_bytes());
    let char_idx = rope.byte_to_char(offset);
    let line = rope.char_to_line(char_idx);
    let line_char = rope.line_to_char(line);
    let col = match encoding {
        PositionEncoding::Utf32 => char_idx - line_char,
        PositionEncoding::Utf16 => rope.char_to_utf16_cu(char_idx) - rope.char_to_utf16_cu(line_char),
        PositionEncoding::Utf8 => rope.char_to_byte(char_idx) - rope.line_to_byte(line),
    };
    LineCol { line: line as u32, col: col as u32 }
}

/// The char index of a line and column of a rope. A line past the end maps to the end of the
/// text; a column past the end of its line (or inside a character) to the end of the line's
/// content (or that character's start), as [`LineIndex::offset`] does.
pub fn rope_char_index(rope: &Rope, at: LineCol, encoding: PositionEncoding) -> usize {
    let line = at.line as usize;
    if line >= rope.len_lines() {
        return rope.len_chars();
    }
    let line_start = rope.line_to_char(line);
    let content_end = line_start + rope_line_content_chars(rope, line);
    let col = at.col as usize;
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

/// Byte offset of a line and column of a rope (see [`rope_char_index`]).
pub fn rope_offset(rope: &Rope, at: LineCol, encoding: PositionEncoding) -> usize {
    rope.char_to_byte(rope_char_index(rope, at, encoding))
}

/// Length in chars of line `line` of a rope without its terminator.
pub fn rope_line_content_chars(rope: &Rope, line: usize) -> usize {
    let slice = rope.line(line);
    let mut len = slice.len_chars();
    while len > 0 && matches!(slice.char(len - 1), '\n' | '\r') {
        len -= 1;
    }
    len
}

/// The text of line `line` of a rope without its terminator.
pub fn rope_line_text(rope: &Rope, line: usize) -> Cow<'_, str> {
    let slice = rope.line(line);
    Cow::from(slice.slice(..rope_line_content_chars(rope, line)))
}

/// Width of `s` in `encoding` units.
pub fn column_width(s: &str, encoding: PositionEncoding) -> usize {
    match encoding {
        PositionEncoding::Utf8 => s.len(),
        _ if s.is_ascii() => s.len(),
        PositionEncoding::Utf16 => s.chars().map(char::len_utf16).sum(),
        PositionEncoding::Utf32 => s.chars().count(),
    }
}

fn byte_offset_of_column(line: &str, col: usize, encoding: PositionEncoding) -> usize {
    if encoding == PositionEncoding::Utf8 || line.is_ascii() {
        return floor_char_boundary(line, col.min(line.len()));
    }
    let mut units = 0;
    for (offset, ch) in line.char_indices() {
        let width = match encoding {
            PositionEncoding::Utf16 => ch.len_utf16(),
            _ => 1,
        };
        // A column inside a surrogate pair rounds down to the character's start.
        if units + width > col {
            return offset;
        }
        units += width;
    }
    line.len()
}

fn floor_char_boundary(s: &str, mut offset: usize) -> usize {
    while offset > 0 && !s.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENCODINGS: [PositionEncoding; 3] = [PositionEncoding::Utf8, PositionEncoding::Utf16, PositionEncoding::Utf32];

    #[test]
    fn line_breaks_are_lf_crlf_and_cr_only() {
        let text = "a\nb\r\nc\rd\u{85}e\u{2028}f";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 4);
        assert_eq!(&text[index.line_content(text, 1)], "b");
        assert_eq!(&text[index.line_content(text, 3)], "d\u{85}e\u{2028}f");
    }

    #[test]
    fn columns_count_units_of_each_encoding() {
        let text = "x\r\n😀é中a";
        let index = LineIndex::new(text);
        let a = text.find('a').unwrap();
        let at = |enc| index.line_col(text, a, enc);
        assert_eq!(at(PositionEncoding::Utf8), LineCol { line: 1, col: 9 });
        assert_eq!(at(PositionEncoding::Utf16), LineCol { line: 1, col: 4 });
        assert_eq!(at(PositionEncoding::Utf32), LineCol { line: 1, col: 3 });
    }

    #[test]
    fn every_char_boundary_round_trips() {
        let text = "ab\r\n😀 Zürich 中文\rnaïve\n\nend 👩‍👩‍👧";
        let index = LineIndex::new(text);
        for enc in ENCODINGS {
            for (offset, _) in text.char_indices().chain([(text.len(), ' ')]) {
                let lc = index.line_col(text, offset, enc);
                let back = index.offset(text, lc, enc);
                // Offsets on a line terminator map to the end of the line's content.
                let content = index.line_content(text, lc.line as usize);
                assert_eq!(back, offset.min(content.end), "offset {offset} via {enc:?}");
            }
        }
    }

    #[test]
    fn positions_past_the_end_clamp() {
        let text = "ab😀\ncd";
        let index = LineIndex::new(text);
        let lc = |line, col| LineCol { line, col };
        assert_eq!(index.offset(text, lc(0, 99), PositionEncoding::Utf16), 6);
        assert_eq!(index.offset(text, lc(0, 3), PositionEncoding::Utf16), 2);
        assert_eq!(index.offset(text, lc(9, 0), PositionEncoding::Utf16), text.len());
        assert_eq!(index.offset(text, lc(0, 4), PositionEncoding::Utf8), 2);
    }
}
