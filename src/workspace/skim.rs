//! Summarising a front matter straight from the YAML parser's events, without building a tree.
//!
//! Indexing summarises every file of a workspace once, and building the whole tree of
//! `analysis::yaml` for it (a node, a vector and a trimmed copy of every scalar, then a byte
//! offset per character once the text is not ASCII) cost a fifth of the work. This walk keeps
//! only what a summary needs and passes over the rest, yet it accepts and rejects exactly the
//! texts `yaml::parse` does (the same events, the same depth limit), and reads a field where
//! `Node::get` would (the first entry with that key), so [`summarize`] takes its answer
//! when there is one and falls back to the tree, and its tolerant parse, when the YAML is broken.
//! The equality with the tree's summary is tested below, over every prefix of the examples.

use std::borrow::Cow;
use std::cell::RefCell;
use std::ops::Range;
use std::sync::Arc;

use saphyr_parser::ScalarStyle;

use super::summary::{self, ArticleSummary, RelatedAbout, RelatedProvider, RelatedSummary, Span, Spanned, Text};
use crate::analysis::front_matter;
use crate::analysis::layout;
use crate::analysis::yaml::simple::{self as simple_yaml, Token};
use crate::analysis::yaml::{MAX_DEPTH, ParserEvents, Tokens};

/// The YAML of `text[range]` is not one valid document: the caller takes the tolerant path.
#[derive(Debug)]
struct Invalid;

type Walked<T> = Result<T, Invalid>;

/// Summarises an article (never fails; a broken front matter yields what could be read).
pub fn summarize(text: &str) -> ArticleSummary {
    summarize_keeping(text, Keep::All)
}

/// [`summarize`]`(text).for_index()`, without building the strings that drops: what indexing a
/// file read from disk needs. A long article's related entries are most of its front matter,
/// and their titles, excerpts and dates were most of what the skim allocated. Its lists may
/// have spare capacity: [`Index::upsert_loaded`] copies them into a compact record, or trims
/// them when it keeps the summary itself.
///
/// [`Index::upsert_loaded`]: super::Index::upsert_loaded
pub fn summarize_for_index(text: &str) -> ArticleSummary {
    summarize_keeping(text, Keep::Index)
}

/// What a summary keeps of an article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// Everything `ArticleSummary` holds (an open document: hover reads its related entries).
    All,
    /// What [`ArticleSummary::for_index`] keeps.
    Index,
}

fn summarize_keeping(text: &str, keep: Keep) -> ArticleSummary {
    if text.len() > summary::MAX_SUMMARIZED {
        return ArticleSummary::default();
    }
    let layout = layout::split(text);
    let summary = match &layout.front_matter {
        None => summary::summarize_parsed(text, &layout, None),
        // Valid YAML is summarised from the parser's events, with no tree; anything else takes
        // the tolerant parse, so a broken entry still costs only itself.
        Some(fm) => from_events(text, fm.yaml.clone(), keep).unwrap_or_else(|_| {
            let parsed = front_matter::parse(text, fm);
            summary::summarize_parsed(text, &layout, Some(&parsed))
        }),
    };
    // The walk built nothing `for_index` drops (the tolerant parse may have).
    if keep == Keep::Index { summary.without_views() } else { summary }
}

/// Front matters up to this many bytes are scanned whole into a vector of tokens, which the
/// walk reads in order (cheaper than the stream's line at a time, which reverses each line's
/// tokens and pops them); a longer one, as an open document's may be, is streamed, so it never
/// holds a token per node at once.
const SCANNED_WHOLE: usize = 1 << 16;

thread_local! {
    /// The token vector of the thread's last whole scan, empty, kept for its room: a vector of
    /// a few kilobytes allocated and freed per file cost more than its tokens.
    static TOKENS: std::cell::Cell<Vec<simple_yaml::LocatedToken<'static>>> = const { std::cell::Cell::new(Vec::new()) };
}

/// The most tokens [`TOKENS`] keeps room for (a rare long front matter's vector is freed).
const KEPT_TOKENS: usize = 1 << 14;

/// An empty vector of tokens of any text, in `tokens`' allocation (tokens of two texts have one
/// layout, so collecting into the other lifetime reuses the room in place).
fn recycled<'b>(mut tokens: Vec<simple_yaml::LocatedToken<'_>>) -> Vec<simple_yaml::LocatedToken<'b>> {
    tokens.clear();
    tokens.into_iter().map(|_| unreachable!("emptied")).collect()
}

/// The summary of the front matter `text[range]`, or [`Invalid`] exactly when `yaml::parse` of
/// it fails. Simple YAML is read by `simple_yaml`'s scanner, the rest by saphyr-parser.
fn from_events(text: &str, range: Range<usize>, keep: Keep) -> Walked<ArticleSummary> {
    let src = text.get(range.clone()).unwrap_or("");
    // A text the scanner refuses, or a walk that fails on its tokens (a line outside the
    // scanner's subset, or too deep), is asked again of the parser, the reference; what the
    // walk read is dropped.
    let scanned = match src.len() <= SCANNED_WHOLE {
        true => simple_yaml::events_into(src, range.start, recycled(TOKENS.take())).ok().map(|mut tokens| {
            let walked = Walk::new(text, tokens.drain(..), keep).document();
            if tokens.capacity() <= KEPT_TOKENS {
                TOKENS.set(recycled(tokens));
            }
            walked
        }),
        false => simple_yaml::Stream::new(src, range.start).ok().map(|stream| Walk::new(text, stream, keep).document()),
    };
    match scanned {
        Some(Ok(summary)) => Ok(summary),
        _ => from_parser(text, range, keep),
    }
}

/// [`from_events`] with saphyr-parser's events alone.
fn from_parser(text: &str, range: Range<usize>, keep: Keep) -> Walked<ArticleSummary> {
    let src = text.get(range.clone()).unwrap_or("");
    Walk::new(text, ParserEvents::new(src, range.start), keep).document()
}

/// A node as the summary sees it: where it is, and a scalar's text and style.
struct Leaf<'a> {
    span: Range<usize>,
    scalar: Option<(Cow<'a, str>, bool)>,
}

impl Leaf<'_> {
    /// The text of a scalar that says something (what `summary::string` takes of a node).
    fn text(&self) -> Option<Text> {
        let (text, plain) = self.scalar.as_ref()?;
        summary::meaningful(text, *plain)
    }

    fn spanned(&self) -> Option<Spanned<Text>> {
        Some(Spanned { value: self.text()?, span: Span::new(self.span.clone()) })
    }

    /// [`Leaf::spanned`] of a name (a provider, domain, topic or field value), shared through
    /// the thread's [`NAMES`] when the summary is for the index.
    fn name(&self, keep: Keep) -> Option<Spanned<Text>> {
        if keep != Keep::Index {
            return self.spanned();
        }
        let (text, plain) = self.scalar.as_ref()?;
        let value = summary::is_meaningful(text, *plain).then(|| NAMES.with_borrow_mut(|names| names.text(text)))?;
        Some(Spanned { value, span: Span::new(self.span.clone()) })
    }
}

thread_local! {
    /// The names a loading thread has built. Indexing a workspace summarises thousands of
    /// files that name the same few thousand providers, domains and topics; the index keeps one
    /// copy of each, so a copy per file was allocated only to be freed again, on the index's
    /// thread, where glibc's arenas made the two threads wait for each other.
    static NAMES: RefCell<ThreadNames> = RefCell::default();
}

/// Past this many names a thread starts again (a workspace's names are far fewer; the bound
/// keeps a thread's cache small whatever the files hold).
const MAX_NAMES: usize = 1 << 16;

type HashSet<T> = std::collections::HashSet<T, foldhash::fast::RandomState>;

/// Names as [`NAMES`] keeps them (the index's own are `compact::Names`).
#[derive(Default)]
struct ThreadNames {
    texts: HashSet<Text>,
    providers: HashSet<Arc<RelatedProvider>>,
}

impl ThreadNames {
    fn text(&mut self, text: &str) -> Text {
        if let Some(known) = self.texts.get(text) {
            return known.clone();
        }
        self.make_room();
        let text = Text::from(text);
        self.texts.insert(text.clone());
        text
    }

    /// [`RelatedProvider::shared`], one allocation per distinct pair.
    fn provider(&mut self, name: Option<Text>, domain: Option<Text>) -> Option<Arc<RelatedProvider>> {
        let probe = RelatedProvider::new(name, domain);
        if !probe.names_anything() {
            return None;
        }
        if let Some(known) = self.providers.get(&probe) {
            return Some(known.clone());
        }
        self.make_room();
        let shared = Arc::new(probe);
        self.providers.insert(shared.clone());
        Some(shared)
    }

    fn make_room(&mut self) {
        if self.texts.len() + self.providers.len() >= MAX_NAMES {
            *self = ThreadNames::default();
        }
    }
}

/// The fields a summary reads, of an article or of a `related` entry.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    Title,
    Excerpt,
    WebUrl,
    OriginalUrl,
    Published,
    Provider,
    Topics,
    Kind,
    Category,
    Related,
}

impl Field {
    /// Every field and its key (what [`Field::of`] must answer).
    #[cfg(test)]
    const ALL: [(&'static str, Field); 10] = [
        ("title", Field::Title),
        ("excerpt", Field::Excerpt),
        ("webUrl", Field::WebUrl),
        ("originalUrl", Field::OriginalUrl),
        ("publishedDateTime", Field::Published),
        ("provider", Field::Provider),
        ("topics", Field::Topics),
        ("type", Field::Kind),
        ("category", Field::Category),
        ("related", Field::Related),
    ];

    /// A match, which compares a key with the names of its length alone: every key of every
    /// front matter is looked up here.
    fn of(key: &str) -> Option<Field> {
        match key {
            "title" => Some(Field::Title),
            "excerpt" => Some(Field::Excerpt),
            "webUrl" => Some(Field::WebUrl),
            "originalUrl" => Some(Field::OriginalUrl),
            "publishedDateTime" => Some(Field::Published),
            "provider" => Some(Field::Provider),
            "topics" => Some(Field::Topics),
            "type" => Some(Field::Kind),
            "category" => Some(Field::Category),
            "related" => Some(Field::Related),
            _ => None,
        }
    }

    /// Whether a summary that keeps `keep` reads this field of an article (`in_related`: of a
    /// related entry). The others are still walked (for validity and spans), never built.
    fn kept(self, keep: Keep, in_related: bool) -> bool {
        match (keep, self) {
            (Keep::All, _) => true,
            (Keep::Index, Field::Excerpt) => false,
            (Keep::Index, Field::Title | Field::Published) => !in_related,
            (Keep::Index, _) => true,
        }
    }
}

/// The fields met so far in one mapping: only the first entry with a key counts, as in
/// `Node::get`, even when its value says nothing.
#[derive(Default)]
struct Seen(u16);

impl Seen {
    /// `field` the first time it is met in this mapping.
    fn first(&mut self, field: Field) -> Option<Field> {
        let bit = 1 << field as u16;
        let first = self.0 & bit == 0;
        self.0 |= bit;
        first.then_some(field)
    }
}

/// A provider mapping's name and domain.
type Provider = (Option<Spanned<Text>>, Option<Spanned<Text>>);

struct Walk<'a, E> {
    text: &'a str,
    events: E,
    keep: Keep,
    /// Collections open around the node being read.
    depth: usize,
}

/// What the body of a collection reads: its value, the end of its last child, and the span of
/// its end event.
type Body<T> = Walked<(T, Option<usize>, Range<usize>)>;

impl<'a, E: Tokens<'a>> Walk<'a, E> {
    fn new(text: &'a str, events: E, keep: Keep) -> Self {
        Walk { text, events, keep, depth: 0 }
    }

    fn next(&mut self) -> Walked<(Token<'a>, Range<usize>)> {
        self.events.next_token().ok_or(Invalid)
    }

    fn document(&mut self) -> Walked<ArticleSummary> {
        let mut root = None;
        loop {
            let (event, span) = self.next()?;
            match event {
                Token::StreamEnd => break,
                Token::Other => {}
                Token::MappingStart if root.is_none() => root = Some(self.nested(span, Self::article)?.0),
                // Any other root has no fields: an empty summary, once the rest proves valid.
                event if root.is_none() => {
                    self.leaf(event, span)?;
                    root = Some(ArticleSummary::default());
                }
                _ => return Err(Invalid),
            }
        }
        Ok(root.unwrap_or_default())
    }

    /// Reads the collection whose start event had `span` with `body` (one level deeper), and
    /// where it is: a flow collection ends at its closing bracket, a block one at its last child.
    fn nested<T>(&mut self, span: Range<usize>, body: impl FnOnce(&mut Self) -> Body<T>) -> Walked<(T, Range<usize>)> {
        if self.depth >= MAX_DEPTH {
            return Err(Invalid);
        }
        let start = span;
        self.depth += 1;
        let read = body(self);
        self.depth -= 1;
        let (value, last_child, end) = read?;
        let flow = start.end > start.start;
        let end = match last_child {
            Some(child_end) if !flow => child_end.max(start.start),
            _ => end.end.max(start.start),
        };
        Ok((value, start.start..end))
    }

    /// Any node, keeping only a scalar's text; collections are read through and skipped.
    fn leaf(&mut self, event: Token<'a>, span: Range<usize>) -> Walked<Leaf<'a>> {
        match event {
            Token::Scalar(text, style) => Ok(Leaf { span, scalar: Some((text, style == ScalarStyle::Plain)) }),
            Token::Alias => Ok(Leaf { span, scalar: None }),
            Token::SequenceStart => {
                Ok(Leaf { span: self.nested(span, |w| w.items(|w, e, s| w.end_of(e, s)))?.1, scalar: None })
            }
            Token::MappingStart => {
                Ok(Leaf { span: self.nested(span, |w| w.entries(|w, _, e, s| w.end_of(e, s)))?.1, scalar: None })
            }
            _ => Err(Invalid),
        }
    }

    /// Reads a node that nothing needs, for where it ends.
    fn end_of(&mut self, event: Token<'a>, span: Range<usize>) -> Walked<usize> {
        match event {
            // A scalar or alias ends where its token does (most nodes passed over are scalars).
            Token::Scalar(..) | Token::Alias => Ok(span.end),
            other => Ok(self.leaf(other, span)?.span.end),
        }
    }

    /// Reads a sequence's items (its start already read): `item` reads each one and returns
    /// where it ends.
    fn items(&mut self, mut item: impl FnMut(&mut Self, Token<'a>, Range<usize>) -> Walked<usize>) -> Body<()> {
        let mut last = None;
        loop {
            let (event, span) = self.next()?;
            if matches!(event, Token::SequenceEnd) {
                return Ok(((), last, span));
            }
            last = Some(item(self, event, span)?);
        }
    }

    /// Reads a mapping's entries (its start already read): `entry` gets the key's text (none
    /// for a key that is not a scalar) and the value's first event, reads the value and returns
    /// where it ends.
    fn entries(
        &mut self,
        mut entry: impl FnMut(&mut Self, Option<&str>, Token<'a>, Range<usize>) -> Walked<usize>,
    ) -> Body<()> {
        let mut last = None;
        loop {
            let (event, span) = self.next()?;
            if matches!(event, Token::MappingEnd) {
                return Ok(((), last, span));
            }
            // A scalar key (nearly every key) is its text; any other is read through.
            let key = match event {
                Token::Scalar(text, _) => Some(text),
                other => self.leaf(other, span)?.scalar.map(|(text, _)| text),
            };
            let (event, span) = self.next()?;
            last = Some(entry(self, key.as_deref(), event, span)?);
        }
    }

    /// The top-level mapping of an article.
    fn article(&mut self) -> Body<ArticleSummary> {
        let mut summary = ArticleSummary::default();
        let mut seen = Seen::default();
        let ((), last, end) = self.entries(|walk, key, event, span| {
            let keep = walk.keep;
            let Some(field) = key.and_then(Field::of).and_then(|f| seen.first(f)).filter(|f| f.kept(keep, false))
            else {
                return walk.end_of(event, span);
            };
            match (field, &event) {
                (Field::Provider, Token::MappingStart) => {
                    let ((name, domain), at) = walk.nested(span, Self::provider)?;
                    (summary.provider_name, summary.provider_domain) = (name, domain);
                    Ok(at.end)
                }
                (Field::Topics, Token::SequenceStart) => {
                    let topics = &mut summary.topics;
                    let ((), at) = walk.nested(span, |w| {
                        w.items(|w, e, s| {
                            let leaf = w.leaf(e, s)?;
                            topics.extend(leaf.name(w.keep));
                            Ok(leaf.span.end)
                        })
                    })?;
                    Ok(at.end)
                }
                (Field::Related, Token::SequenceStart) => {
                    let related = &mut summary.related;
                    let ((), at) = walk.nested(span, |w| w.items(|w, e, s| w.related_item(e, s, related)))?;
                    Ok(at.end)
                }
                _ => {
                    let leaf = walk.leaf(event, span)?;
                    match field {
                        Field::Title => summary.title = leaf.spanned(),
                        Field::Excerpt => summary.excerpt = leaf.text(),
                        Field::WebUrl => summary.web_url = leaf.spanned(),
                        Field::OriginalUrl => summary.original_url = leaf.spanned(),
                        Field::Published => summary.published = timestamp(&leaf),
                        Field::Kind => summary.kind = leaf.name(keep),
                        Field::Category => summary.category = leaf.name(keep),
                        Field::Provider | Field::Topics | Field::Related => {}
                    }
                    Ok(leaf.span.end)
                }
            }
        })?;
        Ok((summary, last, end))
    }

    /// A `provider` mapping: its name and domain.
    fn provider(&mut self) -> Body<Provider> {
        let (mut name, mut domain) = (None, None);
        let mut seen = (false, false);
        let ((), last, end) = self.entries(|walk, key, event, span| {
            let leaf = walk.leaf(event, span)?;
            match key {
                Some("name") if !std::mem::replace(&mut seen.0, true) => name = leaf.name(walk.keep),
                Some("domain") if !std::mem::replace(&mut seen.1, true) => domain = leaf.name(walk.keep),
                _ => {}
            }
            Ok(leaf.span.end)
        })?;
        Ok(((name, domain), last, end))
    }

    /// One item of `related`: a mapping becomes an entry, anything else is skipped.
    fn related_item(
        &mut self,
        event: Token<'a>,
        span: Range<usize>,
        related: &mut Vec<RelatedSummary>,
    ) -> Walked<usize> {
        if !matches!(event, Token::MappingStart) {
            return self.end_of(event, span);
        }
        let (mut entry, at) = self.nested(span, Self::related_entry)?;
        entry.span = Span::new(summary::dash_start(self.text, at.start)..at.end);
        related.push(entry);
        Ok(at.end)
    }

    /// The fields of a `related` entry (its span is the caller's to set).
    fn related_entry(&mut self) -> Body<RelatedSummary> {
        let mut entry = RelatedSummary::default();
        let mut about = RelatedAbout::default();
        let mut seen = Seen::default();
        let ((), last, end) = self.entries(|walk, key, event, span| {
            let keep = walk.keep;
            let field = key.and_then(Field::of).and_then(|f| seen.first(f)).filter(|f| f.kept(keep, true));
            if field == Some(Field::Provider) && matches!(event, Token::MappingStart) {
                let ((name, domain), at) = walk.nested(span, Self::provider)?;
                let (name, domain) = (name.map(|n| n.value), domain.map(|d| d.value));
                entry.provider = match keep {
                    Keep::Index => NAMES.with_borrow_mut(|names| names.provider(name, domain)),
                    Keep::All => RelatedProvider::shared(name, domain),
                };
                return Ok(at.end);
            }
            let leaf = match field {
                Some(Field::Title | Field::Excerpt | Field::WebUrl | Field::Published) => walk.leaf(event, span)?,
                _ => return walk.end_of(event, span),
            };
            match field {
                Some(Field::Title) => about.title = leaf.text(),
                Some(Field::Excerpt) => about.excerpt = leaf.text(),
                Some(Field::WebUrl) => entry.web_url = leaf.spanned(),
                Some(Field::Published) => about.published = timestamp(&leaf),
                _ => {}
            }
            Ok(leaf.span.end)
        })?;
        entry.about = about.boxed();
        Ok((entry, last, end))
    }
}

fn timestamp(leaf: &Leaf) -> Option<jiff::Timestamp> {
    crate::analysis::parse_datetime(&leaf.text()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The match reads every name of the table as its field, and nothing else as a field.
    #[test]
    fn fields_are_found_by_their_names_alone() {
        for (name, field) in Field::ALL {
            assert!(Field::of(name) == Some(field), "{name}");
            for other in [&name[1..], &name[..name.len() - 1], &name.to_uppercase(), &format!("{name} ")] {
                assert!(Field::of(other).is_none(), "{other}");
            }
        }
        assert!(["", "name", "domain", "quality", "published"].iter().all(|key| Field::of(key).is_none()));
    }

    /// The thread's token vector keeps its room from one text to the next (collecting into
    /// the other lifetime reuses the allocation), and the next text's summary is unaffected.
    #[test]
    fn the_token_vector_is_reused() {
        let text = "---\ntitle: \"A\"\ntopics:\n  - Trade\n  - AI\n---\nBody.\n";
        let first = summarize_for_index(text);
        let kept = TOKENS.take();
        let (room, at) = (kept.capacity(), kept.as_ptr());
        assert!(room > 0);
        let again: Vec<simple_yaml::LocatedToken<'_>> = recycled(kept);
        assert_eq!((again.capacity(), again.as_ptr()), (room, at));
        TOKENS.set(recycled(again));
        assert_eq!(summarize_for_index(text), first);
        assert_eq!(summarize_for_index("---\ntitle: \"B\"\n---\n").title.map(|t| t.value), Some("B".into()));
    }

    fn assert_same(text: &str) {
        let reference = summary::summarize_from_tree(text);
        assert_eq!(summarize_for_index(text), reference.clone().for_index(), "{text:?}");
        assert_eq!(summarize(text), reference, "{text:?}");
        assert_scanner_agrees(text);
    }

    /// Whether `simple_yaml`'s scanner read the front matter of `text` (or it has none): then
    /// its summary must be the one saphyr-parser's events give, field by field.
    fn assert_scanner_agrees(text: &str) -> bool {
        let Some(fm) = layout::split(text).front_matter else { return false };
        let src = &text[fm.yaml.clone()];
        let Ok(events) = simple_yaml::Stream::new(src, fm.yaml.start) else { return false };
        let Ok(scanned) = Walk::new(text, events, Keep::All).document() else {
            return false;
        };
        // The whole scan (short front matters) reads as the stream (long ones).
        let tokens = simple_yaml::events(src, fm.yaml.start).map(|tokens| tokens.into_iter());
        let whole = tokens.ok().map(|tokens| Walk::new(text, tokens, Keep::All).document());
        assert!(matches!(&whole, Some(Ok(summary)) if *summary == scanned), "{text:?}");
        match from_parser(text, fm.yaml.clone(), Keep::All) {
            Ok(reference) => assert_eq!(scanned, reference, "{text:?}"),
            Err(Invalid) => panic!("the scanner read YAML the parser rejects: {text:?}"),
        }
        true
    }

    /// Articles as the benchmarks and `gen-corpus` write them (blank lines, comments, quotes of
    /// both kinds, non-ASCII, compact and indented sequences, related entries with providers).
    fn generated() -> Vec<String> {
        let mut texts = vec![
            "---\ncategory: news\ntitle: \"Kekapra to minister \\\"election\\\" zensaqui\"\nexcerpt: 'Hal on essa ''Zürich'' to kemor'\npublishedDateTime: 2017-05-12T03:41:00Z\noriginalUrl: \"https://www.torkaherald42.example.com/a/pra-says/33390784.html\"\ntype: article  # the kind\nquality: 79\npublished: false\n\nprovider:\n  name: Torka Herald 42\n  domain: torkaherald42.example.com\n\n# topics follow\ntopics:\n  - Quivin People\n  - With\nrelated:\n  - title: \"In pra xeke gorvinka\"\n    excerpt: \"After quitufa yor résumé\"\n    publishedDateTime: 2022-04-24T17:25:00Z\n    webUrl: \"https://yortimes1.example.com/fasalan/8290682.html\"\n    type: article\n    provider:\n      name: Yor Times 1\n      domain: yortimes1.example.com\n  - title: Yorwapra and dumfa\n    webUrl: https://x.example.com/a\n---\nBody text.\n".to_string(),
            "---\ntitle: Plain title\ntopics:\n- AI\n- Public Health\nprovider:\n    name: P\n    domain: p.example.com\nrelated:\n-   title: a\n    provider:\n      domain: d.example\n- title: b\n---\n".to_string(),
        ];
        for i in [0, 7, 123, 99_999] {
            texts.push(format!(
                "---\ntitle: \"Article {i}\"\npublishedDateTime: 2021-{:02}-{:02}T06:17:00Z\nwebUrl: \"https://site{i}.example.com/a/{i}\"\nprovider:\n  name: Provider {}\n  domain: site{i}.example.com\ntopics:\n  - AI\n  - Public Health\n---\n",
                i % 12 + 1,
                i % 28 + 1,
                i % 500,
            ));
        }
        texts
    }

    #[test]
    fn the_scanner_reads_generated_articles_as_the_parser_does() {
        for text in generated() {
            assert!(assert_scanner_agrees(&text), "the scanner did not take {text:?}");
            assert_same(&text);
        }
    }

    use crate::test_corpus::{self, Edit, mutated};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

        /// Random mutations of scanned articles: wherever the scanner still reads the text, its
        /// summary is the parser's; and the whole skim stays the tree's.
        #[test]
        fn mutations_summarise_as_the_parser_does(
            base in 0usize..64,
            edits in prop::collection::vec(any::<Edit>(), 1..4),
        ) {
            let texts = generated();
            let text = mutated(&texts[base % texts.len()], &edits);
            assert_same(&text);
        }
    }

    #[test]
    fn every_prefix_of_every_example_summarises_as_the_tree_does() {
        let texts = test_corpus::articles();
        assert!(texts.len() > 20, "examples not found");
        let (mut scanned, mut total) = (0, 0);
        for text in texts {
            let front = text.find("\n---").map_or(text.len(), |end| end + 5).min(text.len());
            let front = (0..=front).rev().find(|&at| text.is_char_boundary(at)).unwrap_or(0);
            for cut in test_corpus::prefix_cuts(&text[..front]) {
                let prefix = &text[..cut];
                // A prefix cut inside the front matter has no closing line: close it, so the
                // YAML is parsed (as valid, or not).
                assert_same(&format!("{prefix}\n---\n"));
                assert_same(prefix);
                scanned += usize::from(assert_scanner_agrees(&format!("{prefix}\n---\n")));
                total += 1;
            }
        }
        // Not vacuous: many closed prefixes are simple YAML (most of the others end inside a
        // quoted scalar or with a key whose value is still to come).
        assert!(scanned * 5 > total, "{scanned} of {total}");
    }

    #[test]
    fn odd_shapes_summarise_as_the_tree_does() {
        let texts = [
            "---\ntitle: \"A\"\ntitle: \"B\"\n---\n",
            "---\ntitle:\ntitle: \"B\"\n---\n",
            "---\ntitle: ~\nexcerpt: null\ntype: \"\"\ncategory: '  '\n---\n",
            "---\nprovider: Pro\nprovider:\n  name: X\n---\n",
            "---\nprovider: {name: X, domain: \"x.example\", name: Y}\n---\n",
            "---\ntopics: [AI, [x], {a: b}, \"\", ~, 'Ö']\n---\n",
            "---\ntopics: AI\n---\n",
            "---\nrelated:\n  - title: \"Zürich ’s\"\n    provider:\n      name: Ä\n  - plain\n  - [a]\n  -   title: x\n---\n",
            "---\nrelated: [{title: a, webUrl: \"https://a.example\"}, b, {provider: {domain: d}}]\n---\n",
            "---\n- a\n- b\n---\n",
            "---\njust text\n---\n",
            "---\n? [complex, key]\n: value\ntitle: t\n---\n",
            "---\ntitle: &a \"T\"\nexcerpt: *a\n---\n",
            "---\ntitle: !tag x\npublishedDateTime: 2021-09-26T06:17:00Z\n---\n",
            "---\npublishedDateTime: yesterday\n---\n",
            "---\ntitle: a\n---\nbody\n---\nmore\n",
            "---\n---\n",
            "---\ntitle: \"ü\"\nrelated:\n  - {title: \"é\", webUrl: \"https://é.example\"}\n---\n",
            "---\ntitle: |\n  block ü\n  text\nexcerpt: >\n  folded\n---\n",
        ];
        for text in texts {
            assert_same(text);
        }
        let deep = format!("---\ntitle: {}{}\n---\n", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert_same(&deep);
        let limit = format!("---\ntitle: x\nother: {}{}\n---\n", "[".repeat(MAX_DEPTH - 1), "]".repeat(MAX_DEPTH - 1));
        assert_same(&limit);
    }
}
