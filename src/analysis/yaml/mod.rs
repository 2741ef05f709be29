//! A YAML tree with byte spans, built from saphyr-parser's events.
//!
//! We build our own tree instead of using a DOM crate so that every key and value keeps its
//! exact source span, duplicate keys stay visible (the checker reports them), and aliases are
//! never expanded (an alias is a leaf), which makes "billion laughs" inputs harmless.

use std::borrow::Cow;
use std::ops::{Deref, Range};
use std::sync::Arc;

use saphyr_parser::{Event, ScalarStyle};

use super::schema;

mod events;
pub(crate) mod simple;

pub(crate) use events::{Events, ParserEvents, Scanned, Tokens};

/// Collections nested deeper than this are a syntax error. Articles need a handful of levels;
/// the limit keeps every recursive walk of the tree (building, checking, outline, dropping)
/// far below the smallest stack of any thread that parses (2 MiB for the server's blocking pool and
/// rayon's workers), whatever the input.
pub const MAX_DEPTH: usize = 64;

/// The largest offset a tree holds: spans are kept in 32 bits ([`Node::span`]), and [`parse`]
/// refuses a YAML text that ends past it.
pub const MAX_OFFSET: usize = u32::MAX as usize;

/// A YAML node and where it is in the analysed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// Byte range in the analysed text (quotes included for quoted scalars), in 32 bits: a
    /// front matter of 2,000 related entries holds ~20,000 mapping entries of two nodes each,
    /// 64 bytes an entry instead of 80.
    start: u32,
    end: u32,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Scalar(Scalar),
    // Boxed slices, not `Vec`s: a tree is built once and never grows, and the spare word per
    // collection (with the 16-byte `Text`) would make every value 32 bytes instead of 24 (a
    // node is its value and a span of 8).
    Mapping(Box<[Entry]>),
    Sequence(Box<[Node]>),
    /// `*anchor`: deliberately not resolved.
    Alias,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scalar {
    /// The scalar's value after unquoting and folding. A known key or common value is not
    /// allocated: the 2,000 entries of a long `related` list repeat the same dozen names.
    pub text: Text,
    /// Plain scalars carry types (`true`, `24`, `null`); quoted and block ones are strings.
    pub plain: bool,
}

/// A scalar's text in two words: a known word shared by reference, or a string with no spare
/// capacity (a `Cow<'static, str>` takes three). The string is shared, not owned: the workspace
/// summary and the trees requests assemble from the front matter's units take the same string
/// instead of a copy (a front matter of 2,000 related entries holds its titles, excerpts and
/// URLs once, not twice, at the peak of a `didOpen`).
#[derive(Clone)]
pub enum Text {
    Known(&'static &'static str),
    Shared(Arc<str>),
}

impl Text {
    /// The text as a shared string: this one, or a new one for a known word.
    pub fn to_shared(&self) -> Arc<str> {
        match self {
            Text::Known(word) => Arc::from(**word),
            Text::Shared(text) => text.clone(),
        }
    }
}

const _: () = assert!(std::mem::size_of::<Text>() == 16 && std::mem::size_of::<Node>() == 32);

impl Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            Text::Known(word) => word,
            Text::Shared(text) => text,
        }
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        **self == **other
    }
}

impl Eq for Text {}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        &**self == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        &**self == *other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        **self == **other
    }
}

impl PartialEq<Text> for String {
    fn eq(&self, other: &Text) -> bool {
        **self == **other
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self)
    }
}

impl From<String> for Text {
    fn from(text: String) -> Text {
        Text::Shared(text.into())
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Text {
        Text::Shared(text.into())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub key: Node,
    pub value: Node,
}

/// The first syntax error of a YAML text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// Byte offset in the analysed text.
    pub offset: usize,
    pub message: String,
}

impl Scalar {
    /// A plain `~`, `null` or empty value.
    pub fn is_null(&self) -> bool {
        is_null(&self.text, self.plain)
    }
}

/// Whether a scalar of this text and style (`plain`) is null: a plain `~`, `null` or empty value.
pub fn is_null(text: &str, plain: bool) -> bool {
    plain && matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

/// `at` in 32 bits (offsets past [`MAX_OFFSET`], which no tree has, saturate).
fn narrow(at: usize) -> u32 {
    u32::try_from(at).unwrap_or(u32::MAX)
}

impl Node {
    /// A node spanning `span` of the analysed text.
    pub fn new(span: Range<usize>, value: Value) -> Node {
        Node { start: narrow(span.start), end: narrow(span.end), value }
    }

    /// Byte range in the analysed text (quotes included for quoted scalars).
    pub fn span(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    pub fn set_span(&mut self, span: Range<usize>) {
        (self.start, self.end) = (narrow(span.start), narrow(span.end));
    }

    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.value {
            Value::Scalar(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_mapping(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Mapping(entries) => Some(entries),
            _ => None,
        }
    }

    /// The value of the first entry whose key is `key`.
    pub fn get(&self, key: &str) -> Option<&Node> {
        let entries = self.as_mapping()?;
        entries.iter().find(|e| e.key_text() == Some(key)).map(|e| &e.value)
    }

    /// The node is an empty plain scalar (`key:` with nothing after it).
    pub fn is_null(&self) -> bool {
        self.as_scalar().is_some_and(Scalar::is_null)
    }
}

impl Entry {
    pub fn key_text(&self) -> Option<&str> {
        self.key.as_scalar().map(|s| &*s.text)
    }
}

/// Parses the YAML in `text[range]` as one document. Spans are offsets into `text`.
/// An empty document is an empty mapping.
///
/// The simple block YAML nearly every front matter is written in is read by [`simple`]'s line
/// scanner, which gives saphyr-parser's events at a fraction of its cost and without a table of
/// character positions; anything else, and any text the tree rejects (too deep), is read by
/// saphyr-parser, whose errors are the reference.
pub fn parse(text: &str, range: Range<usize>) -> Result<Node, SyntaxError> {
    if range.end > MAX_OFFSET {
        return Err(SyntaxError { offset: range.start, message: too_long() });
    }
    let src = text.get(range.clone()).unwrap_or("");
    if let Ok(events) = simple::events(src, range.start) {
        let mut builder = Builder { events: Scanned::new(events, range.start), depth: 0 };
        if let Ok(root) = builder.document(range.start) {
            return Ok(root);
        }
    }
    parse_with_parser(src, range.start)
}

/// [`parse`] with saphyr-parser alone (`src` starts at byte `base` of the analysed text).
fn parse_with_parser(src: &str, base: usize) -> Result<Node, SyntaxError> {
    Builder { events: ParserEvents::new(src, base), depth: 0 }.document(base)
}

/// Trees outlive their parse (unit caches, versions): a known key or common value (the
/// schema's names) is shared rather than allocated per node, and any other text drops the
/// spare capacity the parser's scalars come with (32 bytes or more), which would be kept for
/// the tree's lifetime.
fn tight(text: Cow<'_, str>) -> Text {
    match known_word(&text) {
        Some(known) => Text::Known(known),
        None => Text::Shared(Arc::from(&*text)),
    }
}

/// Values common enough in articles to share, besides the schema's keys.
static COMMON_VALUES: [&str; 4] = ["article", "video", "true", "false"];

/// `text` as a static string when it is a key of the schema or a common value.
fn known_word(text: &str) -> Option<&'static &'static str> {
    const LONGEST: usize = "publishedDateTime".len();
    if text.is_empty() || text.len() > LONGEST {
        return None;
    }
    let tables = [schema::ARTICLE, schema::RELATED, schema::PROVIDER, schema::IMAGE];
    let keys = tables.into_iter().flatten().map(|field| &field.name);
    keys.chain(&COMMON_VALUES).find(|word| **word == text)
}

fn too_long() -> String {
    format!("YAML ending past byte {MAX_OFFSET} is not read")
}

pub(super) fn too_deep() -> String {
    format!("collections nested more than {MAX_DEPTH} levels deep")
}

struct Builder<E> {
    events: E,
    /// Collections open around the node being built.
    depth: usize,
}

impl<'a, E: Events<'a>> Builder<E> {
    fn next(&mut self) -> Result<(Event<'a>, Range<usize>), SyntaxError> {
        self.events.next_event()
    }

    fn document(&mut self, start: usize) -> Result<Node, SyntaxError> {
        let mut root = None;
        loop {
            let (event, span) = self.next()?;
            match event {
                Event::StreamEnd => break,
                Event::StreamStart | Event::DocumentStart(_) | Event::DocumentEnd | Event::Nothing => {}
                event if root.is_none() => root = Some(self.node(event, span)?),
                _ => {
                    return Err(SyntaxError { offset: span.start, message: "a second YAML document".into() });
                }
            }
        }
        Ok(root.unwrap_or(Node::new(start..start, Value::Mapping(Box::default()))))
    }

    fn node(&mut self, event: Event<'a>, range: Range<usize>) -> Result<Node, SyntaxError> {
        match event {
            Event::Scalar(text, style, _, _) => {
                let plain = style == ScalarStyle::Plain;
                Ok(Node::new(range, Value::Scalar(Scalar { text: tight(text), plain })))
            }
            Event::Alias(_) => Ok(Node::new(range, Value::Alias)),
            Event::SequenceStart(..) | Event::MappingStart(..) if self.depth >= MAX_DEPTH => {
                Err(SyntaxError { offset: range.start, message: too_deep() })
            }
            Event::SequenceStart(..) => self.nested(|b| b.sequence(range)),
            Event::MappingStart(..) => self.nested(|b| b.mapping(range)),
            _ => Err(SyntaxError { offset: range.start, message: "unexpected YAML structure".into() }),
        }
    }

    fn nested(&mut self, build: impl FnOnce(&mut Self) -> Result<Node, SyntaxError>) -> Result<Node, SyntaxError> {
        self.depth += 1;
        let built = build(self);
        self.depth -= 1;
        built
    }

    fn sequence(&mut self, start: Range<usize>) -> Result<Node, SyntaxError> {
        let mut items: Vec<Node> = Vec::new();
        loop {
            let (event, span) = self.next()?;
            if event == Event::SequenceEnd {
                let end = self.collection_end(&start, items.last().map(|n| n.span().end), span);
                return Ok(Node::new(start.start..end, Value::Sequence(items.into_boxed_slice())));
            }
            items.push(self.node(event, span)?);
        }
    }

    fn mapping(&mut self, start: Range<usize>) -> Result<Node, SyntaxError> {
        let mut entries: Vec<Entry> = Vec::new();
        loop {
            let (event, span) = self.next()?;
            if event == Event::MappingEnd {
                let end = self.collection_end(&start, entries.last().map(|e| e.value.span().end), span);
                return Ok(Node::new(start.start..end, Value::Mapping(entries.into_boxed_slice())));
            }
            let key = self.node(event, span)?;
            let (event, span) = self.next()?;
            let value = self.node(event, span)?;
            entries.push(Entry { key, value });
        }
    }

    /// Flow collections end at their closing bracket; block ones at their last child.
    fn collection_end(&self, start: &Range<usize>, last_child: Option<usize>, end: Range<usize>) -> usize {
        let flow = start.end > start.start;
        match last_child {
            Some(child_end) if !flow => child_end.max(start.start),
            _ => end.end.max(start.start),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_all(text: &str) -> Node {
        parse(text, 0..text.len()).unwrap()
    }

    #[test]
    fn spans_are_byte_offsets_with_non_ascii_text() {
        let text = "title: \"Zürich ’s\"\nheat: -1\n";
        let root = parse_all(text);
        let title = root.get("title").unwrap();
        assert_eq!(&text[title.span()], "\"Zürich ’s\"");
        assert_eq!(title.as_scalar().unwrap().text, "Zürich ’s");
        let heat = root.get("heat").unwrap();
        assert_eq!(&text[heat.span()], "-1");
    }

    #[test]
    fn nested_collections_and_empty_values() {
        let text = "provider:\n  name: X\n  domain:\nrelated:\n  - title: a\n    webUrl: b\ntopics: [AI, ML]\n";
        let root = parse_all(text);
        let provider = root.get("provider").unwrap();
        assert!(provider.get("domain").unwrap().is_null());
        let related = root.get("related").unwrap();
        let Value::Sequence(items) = &related.value else { panic!() };
        assert_eq!(&text[items[0].span()], "title: a\n    webUrl: b");
        let topics = root.get("topics").unwrap();
        assert_eq!(&text[topics.span()], "[AI, ML]");
    }

    #[test]
    fn aliases_are_leaves() {
        let text = "a: &x [1, 2]\nb: [*x, *x, *x]\n";
        let root = parse_all(text);
        let Value::Sequence(items) = &root.get("b").unwrap().value else { panic!() };
        assert!(items.iter().all(|n| n.value == Value::Alias));
    }

    #[test]
    fn nesting_past_the_limit_is_an_error_at_the_first_level_too_deep() {
        for depth in [MAX_DEPTH, MAX_DEPTH + 1, 10_000] {
            let flow = format!("{}{}\n", "[".repeat(depth), "]".repeat(depth));
            let block = format!("{}x\n", "- ".repeat(depth));
            for text in [flow, block] {
                let parsed = parse(text.as_str(), 0..text.len());
                match depth {
                    MAX_DEPTH => assert!(parsed.is_ok(), "{depth}: {parsed:?}"),
                    _ => {
                        let err = parsed.unwrap_err();
                        assert!(err.message.contains("nested"), "{err:?}");
                        assert!(err.offset >= MAX_DEPTH, "{err:?}");
                    }
                }
            }
        }
    }

    /// The tree built from the line scanner's events, when it reads `src` (spans from 0).
    fn scanned_tree(src: &str) -> Option<Result<Node, SyntaxError>> {
        let events = simple::events(src, 0).ok()?;
        Some(Builder { events: Scanned::new(events, 0), depth: 0 }.document(0))
    }

    /// Whenever the scanner reads `src`, the tree it gives is saphyr-parser's; and `parse`
    /// answers as saphyr-parser does either way. Returns whether the scanner read it.
    fn assert_scanner_agrees(src: &str) -> bool {
        let reference = parse_with_parser(src, 0);
        assert_eq!(parse(src, 0..src.len()), reference, "{src:?}");
        match scanned_tree(src) {
            Some(Ok(tree)) => {
                assert_eq!(Ok(&tree), reference.as_ref(), "{src:?}");
                true
            }
            // Too deep: `parse` asked the parser (checked above).
            Some(Err(_)) | None => false,
        }
    }

    /// Control characters other than NUL, tab and CR are content to saphyr-parser, as to the
    /// scanner, wherever a scalar may hold them: first, inside or last in a plain scalar, inside
    /// quotes of both kinds, in a list item; and in a key the scanner leaves the text to the
    /// parser. Every C0 and C1 control and DEL, each in every place.
    #[test]
    fn control_characters_read_as_the_parser_reads_them() {
        let controls =
            (0x01u32..0x20).chain(0x7F..0xA0).filter_map(char::from_u32).filter(|c| !matches!(c, '\t' | '\n' | '\r'));
        let mut read = 0;
        for c in controls {
            let places = [
                format!("title: {c}x\n"),
                format!("title: a{c}b\n"),
                format!("title: ab{c}\n"),
                format!("title: ab {c}\n"),
                format!("title: \"a{c}b\"\n"),
                format!("title: '{c}'\n"),
                format!("topics:\n  - {c}\n  - b{c}\n"),
                format!("related:\n  - webUrl: \"x{c}\"\n    title: y{c} # c\n"),
                format!("ti{c}tle: x\n"),
            ];
            for src in &places {
                read += usize::from(assert_scanner_agrees(src));
            }
        }
        // Every place but the key is the scanner's.
        assert_eq!(read, 61 * 8, "{read}");
    }

    /// The YAML between the opening `---` line and the next `---` line (or the end).
    fn front_matter_of(text: &str) -> &str {
        let body = text.strip_prefix("---\n").unwrap_or(text);
        body.find("\n---").map_or(body, |end| &body[..=end])
    }

    #[test]
    fn every_prefix_of_every_example_reads_as_the_parser_reads_it() {
        let texts = crate::test_corpus::articles();
        assert!(texts.len() > 20, "examples not found");
        let (mut scanned, mut total) = (0, 0);
        for text in texts {
            let yaml = front_matter_of(text);
            for cut in crate::test_corpus::prefix_cuts(yaml) {
                scanned += usize::from(assert_scanner_agrees(&yaml[..cut]));
                total += 1;
            }
        }
        // Not vacuous: many prefixes are simple YAML (most others end inside a quoted scalar or
        // with a key whose value is still to come).
        assert!(scanned * 5 > total, "{scanned} of {total}");
    }

    #[test]
    fn odd_shapes_read_as_the_parser_reads_them() {
        let simple = [
            "topics:\n- AI\n-   Public Health\nrelated:\n  - title: a\n    topics:\n    - x\n",
            "related:\n-   title: a\n    provider:\n      domain: d.example\n- title: b # c\n",
            "title: 'it''s'\nexcerpt: \"say \\\"hi\\\" \\\\ \"\nplain: a#b c # comment\n",
            "a:\n  b:\n    c:\n    - x\n  d: 1\ne: 2\n",
            "title: Zürich ’s\n\n# note\nrelated:\n\n  - webUrl: https://é.example/a\n",
            "title: a:#b\nexcerpt: x # c: d\nwebUrl: https://x.example:80/a # port\nq: \"\\\\\"\n",
            // The front matter's list-item units: a document that is one list, at any column.
            "  - title: \"R0\"\n    provider:\n      name: P\n\n",
            "-   title: a # c\n    images:\n    - url: u\n",
            "    - Public Health\n",
        ];
        for src in simple {
            assert!(assert_scanner_agrees(src), "the scanner did not take {src:?}");
        }
        let block = (1..=MAX_DEPTH + 1).map(|d| format!("{}k:\n", "  ".repeat(d - 1))).collect::<String>()
            + &"  ".repeat(MAX_DEPTH + 1)
            + "x: 1\n";
        assert!(!assert_scanner_agrees(&block));
        assert!(parse(&block, 0..block.len()).is_err());
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        /// Random edits of the examples: wherever the scanner still reads the text, its tree is
        /// the parser's.
        #[test]
        fn edited_examples_read_as_the_parser_reads_them(
            pick in any::<prop::sample::Index>(),
            edits in prop::collection::vec(any::<crate::test_corpus::Edit>(), 1..4),
        ) {
            let texts = crate::test_corpus::articles();
            let text = crate::test_corpus::mutated(pick.get::<String>(texts), &edits);
            assert_scanner_agrees(front_matter_of(&text));
        }
    }

    #[test]
    fn spans_are_kept_in_32_bits_and_a_longer_text_is_refused() {
        let mut node = Node::new(3..MAX_OFFSET, Value::Alias);
        assert_eq!(node.span(), 3..MAX_OFFSET);
        node.set_span(MAX_OFFSET..usize::MAX);
        assert_eq!(node.span(), MAX_OFFSET..MAX_OFFSET);
        let text = "a: 1\n";
        let err = parse(text, 0..MAX_OFFSET + 1).unwrap_err();
        assert_eq!((err.offset, err.message), (0, too_long()));
        assert!(parse(text, 0..text.len()).is_ok());
    }

    #[test]
    fn errors_have_offsets() {
        let text = "title: a\nexcerpt: \"unclosed\nquality: 1\n";
        let err = parse(text, 0..text.len()).unwrap_err();
        assert!(err.offset >= 9, "{err:?}");
    }
}
