//! Editor features as pure functions of an article's text, the workspace index and the
//! configuration: completion, hover, navigation, symbols, folding. Results speak byte offsets
//! and plain data; the server converts them to LSP types.
//!
//! Completion works from lines and indentation (`context`, `lines`, `mapping`) because the text
//! is usually half-typed; hover and navigation read the error-tolerant YAML tree (`locate`) and
//! the article's summary, and ask the workspace `Index` about other files.

mod completion;
pub mod context;
mod format;
mod hover;
pub(crate) mod lines;
mod locate;
mod mapping;
mod navigation;
mod outline;
mod rename;
mod repair;

use std::ops::Range;
use std::path::{Path, PathBuf};

use jiff::Timestamp;

use crate::analysis::Edit;
use crate::config::Config;
use crate::workspace::Index;

pub use context::{CursorContext, Slot, context_at};
pub use rename::{RenameEdits, RenameKind, RenameTarget, prepare_rename, rename_edits};
pub use repair::{Repair, repair};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompletionKind {
    Field,
    Value,
    Topic,
    Provider,
    Date,
}

/// What to insert for a completion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Insert {
    Plain(String),
    /// LSP snippet syntax (`$1`, `${1:default}`); `plain` is the fallback for clients without
    /// snippet support.
    Snippet {
        snippet: String,
        plain: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// The bare value (`AI`, `Radio Free Europe/Radio Liberty`, `publishedDateTime`).
    pub label: String,
    /// Short extra text, e.g. `12 articles` or `rferl.org`.
    pub detail: Option<String>,
    /// Markdown documentation.
    pub documentation: Option<String>,
    pub kind: CompletionKind,
    pub insert: Insert,
    /// The byte range the insertion replaces (the partly typed word; empty at the cursor).
    pub replace: Range<usize>,
    /// Extra edits applied with this completion (e.g. filling `provider.domain`).
    pub additional_edits: Vec<Edit>,
    /// Sort key: items sort by this, ascending.
    pub sort_text: String,
}

/// A hover card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hover {
    pub markdown: String,
    /// The byte range the card is about.
    pub range: Range<usize>,
}

/// A place in another (or the same) file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub path: PathBuf,
    /// Byte range in that file's text, if known (else its start).
    pub range: Option<Range<usize>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolKind {
    Field,
    Object,
    Array,
    Related,
    Date,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    pub detail: Option<String>,
    pub kind: SymbolKind,
    pub range: Range<usize>,
    pub selection_range: Range<usize>,
    pub children: Vec<Symbol>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FoldKind {
    FrontMatter,
    Region,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fold {
    /// Byte range; folds span whole lines from its start line to its end line.
    pub range: Range<usize>,
    pub kind: FoldKind,
}

/// Completions at byte `offset` of `text`.
pub fn completions(text: &str, offset: usize, index: &Index, config: &Config, now: Timestamp) -> Vec<Completion> {
    completion::completions(text, offset, index, config, now)
}

/// The hover card at `offset`; `this` is the article's own path (to find back-links).
pub fn hover(text: &str, offset: usize, this: &Path, index: &Index, now: Timestamp) -> Option<Hover> {
    hover::hover(text, offset, this, index, now)
}

/// Go to definition: from a related entry (anywhere on it) to the workspace article with its URL.
pub fn definition(text: &str, offset: usize, index: &Index) -> Vec<Target> {
    navigation::definition(text, offset, index)
}

/// References: for a topic or provider under the cursor, every article using it (with the
/// range of the topic/provider node in that article).
pub fn references(text: &str, offset: usize, index: &Index) -> Vec<Target> {
    navigation::references(text, offset, index)
}

/// The outline: fields and related items; for plain-text articles, the dated lines.
pub fn document_symbols(text: &str) -> Vec<Symbol> {
    outline::document_symbols(text)
}

/// Folding ranges: the front matter, each related item, other multi-line entries.
pub fn folding_ranges(text: &str) -> Vec<Fold> {
    outline::folding_ranges(text)
}

/// Workspace symbols: article titles matching `query`.
pub fn workspace_symbols(index: &Index, query: &str) -> Vec<(Target, String)> {
    navigation::workspace_symbols(index, query)
}
