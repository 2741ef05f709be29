//! Editor features as pure functions of an article's text, the workspace index and the
//! configuration: completion, hover, navigation, symbols, folding, rename, workspace repair,
//! code lenses, links, inlay hints, semantic tokens and selection ranges. Results speak byte
//! offsets and plain data; the server converts them to LSP types.
//!
//! Completion works from lines and indentation (`context`, `lines`, `mapping`) because the text
//! is usually half-typed; hover and navigation read the error-tolerant YAML tree (`locate`) and
//! the article's summary, and ask the workspace `Index` about other files.

mod completion;
pub mod context;
mod format;
mod hints;
mod hover;
mod lenses;
pub(crate) mod lines;
mod links;
mod locate;
mod mapping;
mod navigation;
mod outline;
mod rename;
mod repair;
mod selection;
mod tokens;
mod walk;

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use jiff::Timestamp;

use crate::analysis::layout::{self, Layout};
use crate::analysis::{Edit, front_matter};
use crate::config::Config;
use crate::workspace::Index;

pub use context::{CursorContext, Slot, context_at};
pub use rename::{RenameEdits, RenameKind, RenameTarget, highlights, prepare_rename, rename_edits};
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

/// Completions to send, and whether the client should ask again as the user types.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompletionList {
    pub items: Vec<Completion>,
    pub is_incomplete: bool,
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

/// What a workspace symbol names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamedKind {
    Title,
    Topic,
    Provider,
}

/// A workspace symbol: `Title`, `#Topic` or `@Provider`, and where it is used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedSymbol {
    pub name: String,
    pub kind: NamedKind,
    /// An article with it (the newest, for topics and providers).
    pub target: Target,
    /// `12 articles` for a topic, the domain for a provider.
    pub detail: Option<String>,
}

/// A code lens: a title and the offset whose references it opens when clicked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lens {
    pub range: Range<usize>,
    pub title: String,
    pub references_at: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkTarget {
    /// A workspace article with that URL.
    Article(PathBuf),
    Url(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The URL's text, without quotes.
    pub range: Range<usize>,
    pub target: LinkTarget,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HintKind {
    /// `4 years ago` after a date.
    RelativeDate,
    /// A date written with an offset, in the display time zone.
    ZonedTime,
    /// After a related entry's title: the provider of the workspace article it links to.
    RelatedProvider,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    /// Where the hint is shown (the end of the value it is about).
    pub offset: usize,
    pub label: String,
    pub kind: HintKind,
}

/// Which inlay hints to show.
#[derive(Debug, Clone, PartialEq)]
pub struct HintSettings {
    pub relative_dates: bool,
    /// The display time zone for dates written with an offset; `None` turns those hints off.
    pub time_zone: Option<jiff::tz::TimeZone>,
    pub related_provider: bool,
}

impl Default for HintSettings {
    fn default() -> HintSettings {
        HintSettings { relative_dates: true, time_zone: Some(jiff::tz::TimeZone::UTC), related_provider: true }
    }
}

/// Semantic token kinds; the server maps each to a standard LSP token type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Key,
    UnknownKey,
    Date,
    Url,
    Topic,
    Provider,
    /// The date at the start of a plain-text article's dated line.
    DatedLine,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub range: Range<usize>,
    pub kind: TokenKind,
}

/// Completions at byte `offset` of `text`, all of them, best first.
pub fn completions(text: &str, offset: usize, index: &Index, config: &Config, now: Timestamp) -> Vec<Completion> {
    completion::completions(text, offset, index, config, now, usize::MAX).items
}

/// Completions at byte `offset` of `text`, best first, at most `limit`: a longer list keeps
/// only the items whose label contains the typed word (any case) and is marked incomplete.
pub fn completion_list(
    text: &str,
    offset: usize,
    index: &Index,
    config: &Config,
    now: Timestamp,
    limit: usize,
) -> CompletionList {
    completion::completions(text, offset, index, config, now, limit)
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
/// range of the topic/provider node in that article); for the title, the related entries of
/// other articles citing this one; for the `related` key, this article's related entries.
/// `this` is the article's own path.
pub fn references(text: &str, offset: usize, this: &Path, index: &Index) -> Vec<Target> {
    navigation::references(text, offset, this, index)
}

/// The outline: fields and related items; for plain-text articles, the dated lines.
pub fn document_symbols(text: &str) -> Vec<Symbol> {
    outline::document_symbols(text)
}

/// Folding ranges: the front matter, each related item, other multi-line entries.
pub fn folding_ranges(text: &str) -> Vec<Fold> {
    outline::folding_ranges(text)
}

/// Workspace symbols: titles, topics (`#AI`) and providers (`@Reuters`) matching a fuzzy
/// `query`, best first; a query starting with `#` or `@` asks for topics or providers only.
pub fn workspace_symbols(index: &Index, query: &str) -> Vec<NamedSymbol> {
    navigation::workspace_symbols(index, query)
}

/// An article's text parsed once, so that the features that walk the whole front matter (code
/// lenses, links, inlay hints, semantic tokens) share one parse per version of a document.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub(crate) layout: Layout,
    pub(crate) front: Option<Arc<front_matter::Parsed>>,
}

impl Parsed {
    pub fn new(text: &str) -> Parsed {
        let layout = layout::split(text);
        let front = layout.front_matter.as_ref().map(|fm| Arc::new(front_matter::parse(text, fm)));
        Parsed { layout, front }
    }

    /// The parse an analysis already made of the text up to the end of its front matter
    /// (`layout` is that text's), for a whole text of `len` bytes.
    pub fn of_front_matter(layout: Layout, front: Option<Arc<front_matter::Parsed>>, len: usize) -> Parsed {
        Parsed { layout, front }.with_len(len)
    }

    /// The same parse after an edit below the front matter left the text `len` bytes long.
    pub fn with_len(&self, len: usize) -> Parsed {
        let mut layout = self.layout.clone();
        layout.body.end = len.max(layout.body.start);
        Parsed { layout, front: self.front.clone() }
    }

    pub(crate) fn root(&self) -> Option<&crate::analysis::yaml::Node> {
        self.front.as_ref()?.root.as_ref()
    }
}

/// Code lenses on the title and the topics; `this` is the article's own path.
pub fn code_lenses(text: &str, parsed: &Parsed, this: &Path, index: &Index) -> Vec<Lens> {
    lenses::code_lenses(text, parsed, this, index)
}

/// Links on every URL value: to the workspace article with that URL (not this one), else the URL.
pub fn document_links(text: &str, parsed: &Parsed, this: &Path, index: &Index) -> Vec<Link> {
    links::document_links(text, parsed, this, index)
}

/// Inlay hints of the kinds `settings` enables, sorted by offset.
pub fn inlay_hints(parsed: &Parsed, index: &Index, settings: &HintSettings, now: Timestamp) -> Vec<Hint> {
    hints::inlay_hints(parsed, index, settings, now, 0..usize::MAX)
}

/// [`inlay_hints`] at byte offsets in `within` only, visiting only the entries there.
pub fn inlay_hints_within(
    parsed: &Parsed,
    index: &Index,
    settings: &HintSettings,
    now: Timestamp,
    within: Range<usize>,
) -> Vec<Hint> {
    hints::inlay_hints(parsed, index, settings, now, within)
}

/// Semantic tokens, sorted, on single lines, never overlapping.
pub fn semantic_tokens(text: &str, parsed: &Parsed, config: &Config) -> Vec<Token> {
    tokens::semantic_tokens(text, parsed, config)
}

/// The semantic tokens of one unit of the front matter ([`front_matter::UnitRef`]): `text` is
/// the unit's own text, `node` its tree (spans relative to it), `list` the split list it is
/// an item of. Ranges are relative to the unit; the document's tokens are its units' in order.
pub fn unit_semantic_tokens(
    text: &str,
    node: &crate::analysis::yaml::Node,
    list: Option<&str>,
    config: &Config,
) -> Vec<Token> {
    tokens::unit_tokens(text, node, list, config)
}

/// Selection ranges at `offset`, innermost first: value, entry, list item, list, front matter,
/// document.
pub fn selection_ranges(text: &str, offset: usize) -> Vec<Range<usize>> {
    selection::selection_ranges(text, offset)
}
