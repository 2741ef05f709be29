//! What the index needs to know about one article, extracted from its text.
//!
//! Built on the same tolerant parse as the checks (`front_matter::parse`), so a broken entry
//! costs only itself: the other fields still reach the index.

use std::ops::Range;
use std::sync::Arc;

use jiff::Timestamp;

use crate::analysis::front_matter;
use crate::analysis::layout::{self, Layout};
use crate::analysis::parse_datetime;
use crate::analysis::yaml::{self, Node, Value};

/// Text of a summary: shared, so cloning a summary (the server patches a copy on every edit of
/// a long front matter) copies no strings, and the index keeps one allocation per distinct
/// provider, domain, topic or field value however many articles name it.
pub type Text = Arc<str>;

/// A value and the byte range of its YAML node in the article's text (quotes included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

/// The longest text summarised: spans are stored in 32 bits (an index of 100,000 articles holds
/// millions of them), and a larger text gets an empty summary rather than wrong spans.
pub const MAX_SUMMARIZED: usize = u32::MAX as usize;

/// A byte range of a summarised text, in 8 bytes rather than a `Range<usize>`'s 16.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Span {
    start: u32,
    end: u32,
}

impl Span {
    /// The span of `range` (offsets past [`MAX_SUMMARIZED`], which no summary has, saturate).
    pub fn new(range: Range<usize>) -> Span {
        let narrow = |at: usize| u32::try_from(at).unwrap_or(u32::MAX);
        Span { start: narrow(range.start), end: narrow(range.end) }
    }

    pub fn start(self) -> usize {
        self.start as usize
    }

    pub fn end(self) -> usize {
        self.end as usize
    }

    pub fn range(self) -> Range<usize> {
        self.start()..self.end()
    }

    /// The span moved by `f` applied to each end.
    pub fn map(self, f: impl Fn(usize) -> usize) -> Span {
        Span::new(f(self.start())..f(self.end()))
    }
}

impl From<Range<usize>> for Span {
    fn from(range: Range<usize>) -> Span {
        Span::new(range)
    }
}

/// The facts of one article that other files may care about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArticleSummary {
    pub title: Option<Spanned<Text>>,
    pub excerpt: Option<Text>,
    pub web_url: Option<Spanned<Text>>,
    pub original_url: Option<Spanned<Text>>,
    /// `publishedDateTime` when it is a valid RFC 3339 date-time.
    pub published: Option<Timestamp>,
    pub provider_name: Option<Spanned<Text>>,
    pub provider_domain: Option<Spanned<Text>>,
    pub topics: Vec<Spanned<Text>>,
    /// `type` (`article`, `video`, ...).
    pub kind: Option<Spanned<Text>>,
    pub category: Option<Spanned<Text>>,
    pub related: Vec<RelatedSummary>,
    /// For plain-text articles: the dated lines (date text and the line's byte range).
    pub dated_lines: Vec<Spanned<Text>>,
}

/// One `related` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RelatedSummary {
    /// From the entry's `- ` dash to the end of its last value.
    pub span: Span,
    pub web_url: Option<Spanned<Text>>,
    /// `None` when the entry names no provider.
    pub provider: Option<Arc<RelatedProvider>>,
    /// What only views of the document itself read (its hover cards), boxed: the index keeps
    /// none of it for files read from disk, whose entries then cost a pointer for it, not
    /// 56 bytes (a workspace of long articles holds millions of entries).
    pub about: Option<Box<RelatedAbout>>,
}

/// The `provider` of a `related` entry, as written: one allocation that the index shares among
/// all the entries naming the same provider and domain (hundreds of thousands of entries name a
/// few thousand providers), so an entry holds a pointer to it rather than two strings.
///
/// It carries the hash of both strings, computed once: indexing looks each entry's provider up
/// four times (the loading thread's names, then the index's counts, shared copies and ids), and
/// hashing the two strings each time was a twentieth of adding a file.
#[derive(Debug, Clone)]
pub struct RelatedProvider {
    name: Option<Text>,
    domain: Option<Text>,
    hash: u64,
}

impl RelatedProvider {
    pub fn new(name: Option<Text>, domain: Option<Text>) -> RelatedProvider {
        use std::hash::BuildHasher;
        let hash = foldhash::fast::FixedState::with_seed(0x9e37).hash_one((&name, &domain));
        RelatedProvider { name, domain, hash }
    }

    /// Shared, or `None` when it names nothing.
    pub fn shared(name: Option<Text>, domain: Option<Text>) -> Option<Arc<RelatedProvider>> {
        let provider = RelatedProvider::new(name, domain);
        provider.names_anything().then(|| Arc::new(provider))
    }

    pub fn name(&self) -> Option<&Text> {
        self.name.as_ref()
    }

    pub fn domain(&self) -> Option<&Text> {
        self.domain.as_ref()
    }

    /// Whether it has a name or a domain (an entry's provider is `None` otherwise).
    pub fn names_anything(&self) -> bool {
        self.name.is_some() || self.domain.is_some()
    }

    /// Lets `share` point the name and domain at equal strings held elsewhere (which keeps the
    /// hash right: equal strings hash alike).
    pub fn share_texts(&mut self, share: impl FnOnce(Option<&mut Text>, Option<&mut Text>)) {
        #[cfg(debug_assertions)]
        let before = (self.name.clone(), self.domain.clone());
        share(self.name.as_mut(), self.domain.as_mut());
        #[cfg(debug_assertions)]
        assert!(before == (self.name.clone(), self.domain.clone()), "shared texts must be equal");
    }
}

impl PartialEq for RelatedProvider {
    fn eq(&self, other: &RelatedProvider) -> bool {
        self.hash == other.hash && self.name == other.name && self.domain == other.domain
    }
}

impl Eq for RelatedProvider {}

impl std::hash::Hash for RelatedProvider {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

/// The title, excerpt and date of a `related` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RelatedAbout {
    pub title: Option<Text>,
    pub excerpt: Option<Text>,
    pub published: Option<Timestamp>,
}

impl RelatedAbout {
    /// Boxed, or `None` when it says nothing (so equal entries compare equal however built).
    pub fn boxed(self) -> Option<Box<RelatedAbout>> {
        (self != RelatedAbout::default()).then(|| Box::new(self))
    }
}

impl RelatedSummary {
    pub fn provider_name(&self) -> Option<&Text> {
        self.provider.as_ref()?.name.as_ref()
    }

    pub fn provider_domain(&self) -> Option<&Text> {
        self.provider.as_ref()?.domain.as_ref()
    }

    pub fn title(&self) -> Option<&str> {
        self.about.as_ref()?.title.as_deref()
    }

    pub fn excerpt(&self) -> Option<&str> {
        self.about.as_ref()?.excerpt.as_deref()
    }

    pub fn published(&self) -> Option<Timestamp> {
        self.about.as_ref()?.published
    }
}

impl ArticleSummary {
    /// The single-valued fields that carry a span (for moving spans after an edit).
    pub fn spanned_fields_mut(&mut self) -> [&mut Option<Spanned<Text>>; 7] {
        [
            &mut self.title,
            &mut self.web_url,
            &mut self.original_url,
            &mut self.provider_name,
            &mut self.provider_domain,
            &mut self.kind,
            &mut self.category,
        ]
    }

    /// What the index keeps of a file it reads from disk: no excerpts, and of related entries
    /// only what the lookups and references read (span, URL, provider): hover and navigation
    /// show those of the document they are asked about, never another file's (an open
    /// document's index copy is its own full summary). Lists have no spare capacity.
    /// Excerpts were a quarter of the memory of a 100,000-article index, related titles and
    /// dates most of the rest for long articles.
    pub fn for_index(self) -> ArticleSummary {
        self.without_views().shrunk()
    }

    /// [`ArticleSummary::for_index`] but for the spare capacity: a summary the index keeps as a
    /// compact record is copied into boxed slices anyway, so trimming its lists first was a
    /// reallocation per list for nothing.
    pub(super) fn without_views(mut self) -> ArticleSummary {
        self.excerpt = None;
        for related in &mut self.related {
            related.about = None;
        }
        self
    }

    /// The lists without spare capacity.
    pub(super) fn shrunk(mut self) -> ArticleSummary {
        self.related.shrink_to_fit();
        self.topics.shrink_to_fit();
        self
    }
}

/// The summary from the whole tree, as `summarize` computed it before it read events: the
/// reference its tests compare with. The front matter is parsed in one go (the unit cache that
/// `front_matter::parse` builds for editing is pure overhead here); valid YAML gives the same
/// tree either way.
#[cfg(test)]
pub(super) fn summarize_from_tree(text: &str) -> ArticleSummary {
    let layout = layout::split(text);
    let parsed = layout.front_matter.as_ref().map(|fm| match crate::analysis::yaml::parse(text, fm.yaml.clone()) {
        Ok(root) => front_matter::Parsed { root: Some(root), errors: Vec::new() },
        Err(_) => front_matter::parse(text, fm),
    });
    summarize_parsed(text, &layout, parsed.as_ref())
}

/// Like `workspace::summarize`, from a layout and parse the caller already has (the server's front
/// matter check produces both).
pub fn summarize_parsed(text: &str, layout: &layout::Layout, parsed: Option<&front_matter::Parsed>) -> ArticleSummary {
    if text.len() > MAX_SUMMARIZED {
        return ArticleSummary::default();
    }
    match parsed {
        Some(parsed) => summarize_front_matter(parsed, |at| dash_start(text, at)),
        None => ArticleSummary { dated_lines: dated_lines(text, layout), ..ArticleSummary::default() },
    }
}

/// The summary of a parsed front matter. Besides the tree it reads only where the `- ` of each
/// `related` item starts (`dash_start`, [`dash_before`] over the text's bytes), so a caller can
/// let go of its copy of the text first (the server's front matter check does: a copy of a
/// large front matter then never coexists with its summary).
pub fn summarize_front_matter(parsed: &front_matter::Parsed, dash_start: impl Fn(usize) -> usize) -> ArticleSummary {
    parsed.root.as_ref().map(|root| from_root(&dash_start, root)).unwrap_or_default()
}

fn from_root(dash_start: &dyn Fn(usize) -> usize, root: &Node) -> ArticleSummary {
    let provider = root.get("provider");
    ArticleSummary {
        title: spanned(root.get("title")),
        excerpt: string(root.get("excerpt")),
        web_url: spanned(root.get("webUrl")),
        original_url: spanned(root.get("originalUrl")),
        published: timestamp(root.get("publishedDateTime")),
        provider_name: spanned(provider.and_then(|p| p.get("name"))),
        provider_domain: spanned(provider.and_then(|p| p.get("domain"))),
        topics: items(root.get("topics")).iter().filter_map(|n| spanned(Some(n))).collect(),
        kind: spanned(root.get("type")),
        category: spanned(root.get("category")),
        related: items(root.get("related"))
            .iter()
            .filter(|n| n.as_mapping().is_some())
            .map(|n| related(dash_start, n))
            .collect(),
        dated_lines: Vec::new(),
    }
}

fn related(dash_start: &dyn Fn(usize) -> usize, node: &Node) -> RelatedSummary {
    let provider = node.get("provider");
    let about = RelatedAbout {
        title: string(node.get("title")),
        excerpt: string(node.get("excerpt")),
        published: timestamp(node.get("publishedDateTime")),
    };
    RelatedSummary {
        span: Span::new(dash_start(node.span().start)..node.span().end),
        web_url: spanned(node.get("webUrl")),
        provider: RelatedProvider::shared(
            string(provider.and_then(|p| p.get("name"))),
            string(provider.and_then(|p| p.get("domain"))),
        ),
        about: about.boxed(),
    }
}

/// The `- ` that introduces a block sequence item starting at `at` (or `at` itself for flow
/// items, which have no dash).
pub(crate) fn dash_start(text: &str, at: usize) -> usize {
    if !text.is_char_boundary(at) {
        return at;
    }
    dash_before(at, |i| text.as_bytes().get(i).copied())
}

/// [`dash_start`] over a text read byte by byte (`byte(i)`: the byte at `i`, `None` past the
/// end), for texts that are not one `str` (the server's rope).
pub fn dash_before(at: usize, byte: impl Fn(usize) -> Option<u8>) -> usize {
    let byte_before = |end: usize| end.checked_sub(1).and_then(&byte);
    let mut start = at;
    while let Some(b' ' | b'\t') = byte_before(start) {
        start -= 1;
    }
    if byte_before(start) == Some(b'-') { start - 1 } else { at }
}

/// The items of a sequence node (nothing for other nodes).
fn items(node: Option<&Node>) -> &[Node] {
    match node.map(|n| &n.value) {
        Some(Value::Sequence(items)) => items,
        _ => &[],
    }
}

/// A non-empty scalar's text, shared with the tree.
fn string(node: Option<&Node>) -> Option<Text> {
    let scalar = node?.as_scalar()?;
    is_meaningful(&scalar.text, scalar.plain).then(|| scalar.text.to_shared())
}

/// A scalar's text (`plain` for its style), unless it is null or blank.
pub(super) fn meaningful(text: &str, plain: bool) -> Option<Text> {
    is_meaningful(text, plain).then(|| Text::from(text))
}

pub(super) fn is_meaningful(text: &str, plain: bool) -> bool {
    !yaml::is_null(text, plain) && !text.trim().is_empty()
}

fn spanned(node: Option<&Node>) -> Option<Spanned<Text>> {
    let value = string(node)?;
    Some(Spanned { value, span: Span::new(node?.span()) })
}

fn timestamp(node: Option<&Node>) -> Option<Timestamp> {
    parse_datetime(&string(node)?).ok()
}

/// Lines of a plain-text body that start with a date, recognised exactly as the checks do
/// (`analysis::dates::dated_line`, only on lines starting with a letter or digit).
fn dated_lines(text: &str, layout: &Layout) -> Vec<Spanned<Text>> {
    let mut acc = Vec::new();
    let mut start = layout.body.start;
    while start < text.len() {
        let line = layout::line_text(text, start);
        let first = line.trim_start().chars().next();
        if first.is_some_and(|c| c.is_ascii_alphanumeric()) {
            if let Some(dated) = crate::analysis::dates::dated_line(line) {
                acc.push(Spanned {
                    value: Text::from(line.get(dated.range).unwrap_or_default()),
                    span: Span::new(start..start + line.len()),
                });
            }
        }
        start = layout::next_line(text, start);
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_keep_offsets_up_to_the_longest_summarised_text_and_saturate_past_it() {
        let span = Span::new(7..MAX_SUMMARIZED);
        assert_eq!(span.range(), 7..MAX_SUMMARIZED);
        assert_eq!(Span::new(MAX_SUMMARIZED..usize::MAX).range(), MAX_SUMMARIZED..MAX_SUMMARIZED);
        assert_eq!(span.map(|at| at / 7).range(), 1..MAX_SUMMARIZED / 7);
    }

    #[test]
    fn summary_types_stay_small() {
        // An index of 100,000 articles holds one summary per file and one entry per related link.
        assert!(size_of::<Spanned<Text>>() <= 24);
        assert!(size_of::<RelatedSummary>() <= 72);
    }
}
