//! Where the cursor is in the front matter, worked out from lines and indentation so it works
//! while the YAML is half-typed or momentarily invalid.
//!
//! The cursor's own line says what is being typed (a key, a value after `key: `, an item after
//! `- `); the lines above it, read by indentation, say which mapping it is in. A key that is
//! less indented than the cursor (or as indented as a `- ` under it) opens the block the cursor
//! is in; a `- ` less indented means the cursor is inside that list item.

use std::ops::Range;

use super::lines::{Shape, floor_boundary, line_start, prev_line_start};
use crate::analysis::layout;
use crate::analysis::schema::{self, Field, Kind};

/// What the cursor is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Slot {
    /// Typing a key in the mapping at `path`.
    Key,
    /// Typing the value of `key` in the mapping at `path`.
    Value { key: String },
    /// Typing an item of the sequence `key` (`- |`).
    Item { key: String },
    /// Not in the front matter.
    Body,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CursorContext {
    /// Keys from the top level to the mapping the cursor is in: `[]` top level,
    /// `["provider"]`, `["related"]` (inside any related item), `["related", "provider"]`,
    /// `["images"]`, `["related", "images"]`.
    pub path: Vec<String>,
    pub slot: Slot,
    /// The partly typed word under the cursor (what a completion replaces).
    pub word: Range<usize>,
}

/// The cursor context at byte `offset`.
pub fn context_at(text: &str, offset: usize) -> CursorContext {
    let offset = floor_boundary(text, offset);
    let start = line_start(text, offset);
    let Some(yaml_start) = front_matter_start(text, start, offset) else {
        return body(text, offset);
    };
    let prefix = &text[start..offset];
    let shape = Shape::read(prefix);
    let above = Above { text, first: yaml_start, from: start };
    match &shape.key {
        Some(key) => value_context(text, start..offset, &shape, key, &above),
        None => key_or_item_context(start, prefix, &shape, &above),
    }
}

/// The start of the YAML block when the line starting at `line` is inside it.
fn front_matter_start(text: &str, line: usize, offset: usize) -> Option<usize> {
    let layout = layout::split(text);
    let fm = layout.front_matter?;
    if line < fm.yaml.start {
        return None;
    }
    if let Some(closer) = &fm.closer {
        return (line < closer.start).then_some(fm.yaml.start);
    }
    // Unterminated: the YAML-looking lines, plus a key being typed right after them.
    let inside = line < fm.yaml.end || (line == fm.yaml.end && is_partial_key(&text[line..offset.max(line)]));
    inside.then_some(fm.yaml.start)
}

fn is_partial_key(prefix: &str) -> bool {
    prefix.chars().all(|c| c.is_alphanumeric() || c == '_')
}

fn body(text: &str, offset: usize) -> CursorContext {
    let before = &text[..offset];
    let word_len: usize = before.chars().rev().take_while(|c| c.is_alphanumeric()).map(char::len_utf8).sum();
    CursorContext { path: Vec::new(), slot: Slot::Body, word: offset - word_len..offset }
}

/// The cursor is after `key:` on its line.
fn value_context(
    text: &str,
    line: Range<usize>,
    shape: &Shape,
    key: &super::lines::Key,
    above: &Above,
) -> CursorContext {
    let frames = match shape.dashes.last() {
        Some(&dash) => with_item(above.frames(dash, true)),
        None => above.frames(shape.content_col, false),
    };
    let path = keys(&frames);
    let (start, offset) = (line.start, line.end);
    let value_at = start + key.value.start;
    let typed = text.get(value_at.min(offset)..offset).unwrap_or("");
    if let Some(flow) = typed.strip_prefix('[') {
        // `topics: [AI, Pu|`: an item of a flow sequence.
        let last = flow.rfind(',').map_or(0, |i| i + 1);
        let item = &flow[last..];
        let item_at = offset - item.len();
        return CursorContext {
            path,
            slot: Slot::Item { key: key.name.clone() },
            word: word_after_quote(text, item_at, offset),
        };
    }
    CursorContext {
        path,
        slot: Slot::Value { key: key.name.clone() },
        word: word_after_quote(text, value_at.min(offset), offset),
    }
}

/// The cursor is on a key being typed, or on an item after `- `, or on a blank line.
fn key_or_item_context(start: usize, prefix: &str, shape: &Shape, above: &Above) -> CursorContext {
    let word = word_after_quote_in(prefix, start, shape.content_at);
    let (frames, dashed) = match shape.dashes.last() {
        Some(&dash) => (above.frames(dash, true), true),
        None => (above.frames(shape.content_col, false), false),
    };
    let path = keys(&frames);
    let Some(Frame::Key(owner)) = frames.first() else {
        // Directly in a mapping (top level or a list item's mapping).
        return CursorContext { path, slot: Slot::Key, word };
    };
    let owner_path = &path[..path.len() - 1];
    match field_at(owner_path, owner).map(|f| f.kind) {
        // `- |` under a list of mappings: the first key of a new item.
        Some(Kind::List(Kind::Object(_))) if dashed => CursorContext { path, slot: Slot::Key, word },
        Some(Kind::List(_)) => {
            CursorContext { path: owner_path.to_vec(), slot: Slot::Item { key: owner.clone() }, word }
        }
        _ if dashed => CursorContext { path: owner_path.to_vec(), slot: Slot::Item { key: owner.clone() }, word },
        _ => CursorContext { path, slot: Slot::Key, word },
    }
}

/// `from..to`, without an opening quote at `from`.
fn word_after_quote(text: &str, from: usize, to: usize) -> Range<usize> {
    let typed = text.get(from..to).unwrap_or("");
    let blanks = typed.len() - typed.trim_start_matches([' ', '\t']).len();
    let from = from + blanks;
    let quoted = text.get(from..to).is_some_and(|t| t.starts_with(['"', '\'']));
    if quoted { from + 1..to } else { from..to }
}

/// The word of a line prefix from byte `content_at` (within the prefix) to its end.
fn word_after_quote_in(prefix: &str, start: usize, content_at: usize) -> Range<usize> {
    let from = start + content_at.min(prefix.len());
    let to = start + prefix.len();
    let quoted = prefix.get(content_at..).is_some_and(|t| t.starts_with(['"', '\'']));
    if quoted { from + 1..to } else { from..to }
}

/// What encloses a line, innermost first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Frame {
    /// Inside the block value of this key.
    Key(String),
    /// Inside a `- ` list item.
    Item,
}

/// The front matter lines above the cursor's line.
pub(crate) struct Above<'a> {
    pub(crate) text: &'a str,
    /// Start of the YAML block.
    pub(crate) first: usize,
    /// Start of the cursor's line (excluded).
    pub(crate) from: usize,
}

impl Above<'_> {
    /// The frames enclosing something at column `col` (a `- ` marker when `dash`).
    pub(crate) fn frames(&self, mut col: usize, mut dash: bool) -> Vec<Frame> {
        let mut frames = Vec::new();
        let mut line = self.from;
        while col > 0 || dash {
            let Some(prev) = prev_line_start(self.text, line).filter(|p| *p >= self.first) else {
                break;
            };
            line = prev;
            let Some(shape) = Shape::of(layout::line_text(self.text, line)) else {
                continue;
            };
            if let (Some(key), Some(kc)) = (&shape.key, shape.key_col()) {
                if kc < col || (kc == col && dash) {
                    frames.push(Frame::Key(key.name.clone()));
                    (col, dash) = match shape.dashes.first() {
                        Some(&dc) => {
                            frames.push(Frame::Item);
                            (dc, true)
                        }
                        None => (kc, false),
                    };
                    continue;
                }
            }
            if let Some(&dc) = shape.dashes.first().filter(|dc| **dc < col) {
                frames.push(Frame::Item);
                (col, dash) = (dc, true);
            }
        }
        frames
    }
}

fn with_item(frames: Vec<Frame>) -> Vec<Frame> {
    std::iter::once(Frame::Item).chain(frames).collect()
}

/// The keys of the frames, outermost first.
pub(crate) fn keys(frames: &[Frame]) -> Vec<String> {
    frames
        .iter()
        .rev()
        .filter_map(|f| match f {
            Frame::Key(k) => Some(k.clone()),
            Frame::Item => None,
        })
        .collect()
}

/// The schema fields of the mapping at `path` (list items' mappings included).
pub(crate) fn fields_at(path: &[String]) -> Option<&'static [Field]> {
    let mut fields = schema::ARTICLE;
    for key in path {
        fields = match schema::lookup(fields, key)?.kind {
            Kind::Object(inner) => inner,
            Kind::List(Kind::Object(inner)) => *inner,
            _ => return None,
        };
    }
    Some(fields)
}

/// The schema field `key` of the mapping at `path`.
pub(crate) fn field_at(path: &[String], key: &str) -> Option<&'static Field> {
    schema::lookup(fields_at(path)?, key)
}
