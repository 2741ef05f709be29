//! Lines of a front matter read one at a time, without a YAML parser: indentation, `- ` item
//! markers and a `key:`. This is what the cursor context and the completion edits work from,
//! because while someone types, the YAML is often not valid.

use std::ops::Range;

/// The structure of one line (or of the part of a line before the cursor).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Shape {
    /// Column (in chars) of the first non-blank character.
    pub(crate) indent: usize,
    /// Columns of the `- ` item markers, left to right.
    pub(crate) dashes: Vec<usize>,
    /// Column and byte offset (within the line) of the content after indentation and dashes.
    pub(crate) content_col: usize,
    pub(crate) content_at: usize,
    /// The `key:` of the line, if any.
    pub(crate) key: Option<Key>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Key {
    pub(crate) name: String,
    /// Byte offset (within the line) just after the colon.
    pub(crate) colon_end: usize,
    /// Byte range (within the line) of the value after `: `, comments excluded.
    pub(crate) value: Range<usize>,
}

impl Shape {
    /// Reads a line; `None` for blank and comment-only lines (they carry no structure).
    pub(crate) fn of(line: &str) -> Option<Shape> {
        let shape = Shape::read(line);
        let rest = &line[shape.content_at..];
        let blank = rest.trim().is_empty() || rest.starts_with('#');
        (!(blank && shape.dashes.is_empty())).then_some(shape)
    }

    /// Reads a line (or a prefix of one), blank or not.
    pub(crate) fn read(line: &str) -> Shape {
        let mut col = 0;
        let mut at = 0;
        let mut dashes = Vec::new();
        for (i, c) in line.char_indices() {
            let marker = c == '-' && line[i + 1..].chars().next().is_none_or(is_blank);
            if marker {
                dashes.push(col);
            } else if !is_blank(c) {
                at = i;
                break;
            }
            col += 1;
            at = i + c.len_utf8();
        }
        let indent = first_non_blank_col(line).unwrap_or(col);
        let key = key_of(line, at);
        Shape { indent, dashes, content_col: col, content_at: at, key }
    }

    /// The column of the line's key, when it has one.
    pub(crate) fn key_col(&self) -> Option<usize> {
        self.key.as_ref().map(|_| self.content_col)
    }
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

fn first_non_blank_col(line: &str) -> Option<usize> {
    line.chars().position(|c| !is_blank(c))
}

/// `key:` at byte `at` of `line`: a colon followed by a blank or the end of the line.
fn key_of(line: &str, at: usize) -> Option<Key> {
    let content = line.get(at..)?;
    if content.starts_with(['#', '[', '{', '"', '\'']) && !quoted_key(content) {
        return None;
    }
    let colon = colon_of(content)?;
    let name = content[..colon].trim_end().trim_matches(['"', '\'']);
    if name.is_empty() {
        return None;
    }
    let colon_end = at + colon + 1;
    let after = &line[colon_end..];
    let value_start = colon_end + (after.len() - after.trim_start_matches(is_blank).len());
    let value_text = &line[value_start..];
    let value_len = value_text.find(" #").unwrap_or(value_text.len()).min(value_text.trim_end().len());
    Some(Key { name: name.to_string(), colon_end, value: value_start..value_start + value_len })
}

/// A key written in quotes (`"title": x`).
fn quoted_key(content: &str) -> bool {
    let Some(quote) = content.chars().next().filter(|c| *c == '"' || *c == '\'') else {
        return false;
    };
    content[1..].find(quote).is_some_and(|end| content[1 + end + 1..].starts_with(':'))
}

/// The first colon that ends a key (followed by a blank or the end).
fn colon_of(content: &str) -> Option<usize> {
    let bytes = content.as_bytes();
    (0..bytes.len()).find(|&i| bytes[i] == b':' && bytes.get(i + 1).is_none_or(|b| *b == b' ' || *b == b'\t'))
}

/// Start of the line containing byte `offset` (which must be a char boundary).
pub(crate) fn line_start(text: &str, offset: usize) -> usize {
    let before = text.get(..offset).unwrap_or("");
    before.rfind(['\n', '\r']).map_or(0, |i| i + 1)
}

/// Start of the line before the one starting at `start`.
pub(crate) fn prev_line_start(text: &str, start: usize) -> Option<usize> {
    if start == 0 {
        return None;
    }
    let mut end = start;
    let bytes = text.as_bytes();
    if end > 0 && bytes.get(end - 1) == Some(&b'\n') {
        end -= 1;
    }
    if end > 0 && bytes.get(end - 1) == Some(&b'\r') {
        end -= 1;
    }
    Some(line_start(text, end))
}

/// The line terminator of the line starting at `start` (`""` for the last line).
pub(crate) fn terminator(text: &str, start: usize) -> &str {
    let content = crate::analysis::layout::line_text(text, start);
    let end = start + content.len();
    let next = crate::analysis::layout::next_line(text, start);
    text.get(end..next).unwrap_or("")
}

/// Floors `offset` to a char boundary within `text`.
pub(crate) fn floor_boundary(text: &str, offset: usize) -> usize {
    let mut at = offset.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let s = Shape::read("  - title: \"x\" # note");
        assert_eq!((s.indent, s.dashes.clone(), s.content_col), (2, vec![2], 4));
        let key = s.key.unwrap();
        assert_eq!(key.name, "title");
        assert_eq!(&"  - title: \"x\" # note"[key.value], "\"x\"");
        assert_eq!(Shape::read("webUrl: https://x.org").key.unwrap().name, "webUrl");
        assert!(Shape::read("- https://x.org").key.is_none());
        assert!(Shape::of("   ").is_none());
        assert!(Shape::of("  # c").is_none());
        assert_eq!(Shape::of("-").unwrap().dashes, vec![0]);
        assert_eq!(Shape::read("\t- x").content_col, 3);
    }

    #[test]
    fn line_navigation() {
        let text = "a\r\nb\n\rc";
        assert_eq!(line_start(text, 4), 3);
        assert_eq!(prev_line_start(text, 3), Some(0));
        assert_eq!(prev_line_start(text, 6), Some(5));
        assert_eq!(terminator(text, 0), "\r\n");
        assert_eq!(floor_boundary("é", 1), 0);
    }
}
