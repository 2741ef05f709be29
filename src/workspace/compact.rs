//! The index's compact copy of a summary read from disk, and the views lookups answer with.
//!
//! A workspace of 100,000 articles holds one summary per file and hundreds of thousands of
//! related entries, so what the index keeps of a file it did not get from an open document is a
//! [`Record`]: names (topics, providers, domains, field values, related URLs and providers) as
//! 32-bit ids into the index's [`Names`], lists as boxed slices, and none of the fields such a
//! summary never fills (excerpts, related titles, dated lines). A summary is made a record only
//! when the record holds all of it ([`Names::record`] is `None` otherwise), so
//! [`Names::expand`] gives back a summary equal to the one added. Lookups answer with an
//! [`Article`], which reads either form alike.

use std::hash::Hash;
use std::num::NonZeroU32;
use std::sync::Arc;

use jiff::Timestamp;

use super::summary::{ArticleSummary, RelatedProvider, RelatedSummary, Span, Spanned, Text};

type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// A name's id in an [`Interner`] (its slot plus one, so an `Option` of it costs nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Id(NonZeroU32);

/// Distinct values by id, each counted by its uses and dropped with its last use.
#[derive(Debug, Clone)]
pub(super) struct Interner<T> {
    ids: HashMap<T, Id>,
    slots: Vec<Option<(T, u32)>>,
    free: Vec<Id>,
}

impl<T> Default for Interner<T> {
    fn default() -> Interner<T> {
        Interner { ids: HashMap::default(), slots: Vec::new(), free: Vec::new() }
    }
}

impl<T: Clone + Eq + Hash> Interner<T> {
    /// The id of `value`, counting one more use.
    fn intern(&mut self, value: &T) -> Id {
        if let Some(&id) = self.ids.get(value) {
            self.slot_mut(id).1 += 1;
            return id;
        }
        let id = self.free.pop().unwrap_or_else(|| Id(slot_id(self.slots.len())));
        let entry = Some((value.clone(), 1));
        match self.slots.get_mut(index_of(id)) {
            Some(slot) => *slot = entry,
            None => self.slots.push(entry),
        }
        self.ids.insert(value.clone(), id);
        id
    }

    /// Counts one use less of `id`, forgetting the value after its last.
    fn release(&mut self, id: Id) {
        let slot = self.slot_mut(id);
        slot.1 -= 1;
        if slot.1 == 0 {
            if let Some((value, _)) = self.slots.get_mut(index_of(id)).and_then(Option::take) {
                self.ids.remove(&value);
            }
            self.free.push(id);
        }
    }

    fn get(&self, id: Id) -> &T {
        match self.slots.get(index_of(id)) {
            Some(Some((value, _))) => value,
            // Ids come only from `intern` and live as long as a record holding them.
            _ => unreachable!("a released name id"),
        }
    }

    fn slot_mut(&mut self, id: Id) -> &mut (T, u32) {
        match self.slots.get_mut(index_of(id)) {
            Some(Some(slot)) => slot,
            _ => unreachable!("a released name id"),
        }
    }

    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.ids.len()
    }
}

fn slot_id(len: usize) -> NonZeroU32 {
    // Four billion distinct names would not fit in memory long before.
    u32::try_from(len + 1).ok().and_then(NonZeroU32::new).unwrap_or(NonZeroU32::MAX)
}

fn index_of(id: Id) -> usize {
    id.0.get() as usize - 1
}

/// The names that records refer to by id.
#[derive(Debug, Clone, Default)]
pub(super) struct Names {
    pub(super) texts: Interner<Text>,
    pub(super) providers: Interner<Arc<RelatedProvider>>,
}

/// What the index keeps of a summary read from disk: every field its lookups and views read.
#[derive(Debug, Clone)]
pub(super) struct Record {
    title: Option<Spanned<Text>>,
    web_url: Option<Spanned<Text>>,
    original_url: Option<Spanned<Text>>,
    published: Option<Timestamp>,
    provider_name: Option<Spanned<Id>>,
    provider_domain: Option<Spanned<Id>>,
    kind: Option<Spanned<Id>>,
    category: Option<Spanned<Id>>,
    topics: Box<[Spanned<Id>]>,
    related: Box<[Link]>,
}

/// A related entry of a [`Record`]: 24 bytes where a `RelatedSummary` takes 48.
#[derive(Debug, Clone)]
struct Link {
    span: Span,
    web_url: Option<Spanned<Id>>,
    provider: Option<Id>,
}

impl Names {
    /// The record of `summary`, or `None` when a record would lose some of it (an excerpt,
    /// a related entry's title, excerpt or date, dated lines: what only open documents have).
    pub(super) fn record(&mut self, summary: &ArticleSummary) -> Option<Record> {
        let lossless = summary.excerpt.is_none()
            && summary.dated_lines.is_empty()
            && summary.related.iter().all(|r| r.about.is_none());
        lossless.then(|| Record {
            title: summary.title.clone(),
            web_url: summary.web_url.clone(),
            original_url: summary.original_url.clone(),
            published: summary.published,
            provider_name: self.spanned_id(summary.provider_name.as_ref()),
            provider_domain: self.spanned_id(summary.provider_domain.as_ref()),
            kind: self.spanned_id(summary.kind.as_ref()),
            category: self.spanned_id(summary.category.as_ref()),
            topics: summary
                .topics
                .iter()
                .map(|t| Spanned { value: self.texts.intern(&t.value), span: t.span })
                .collect(),
            related: summary.related.iter().map(|r| self.link(r)).collect(),
        })
    }

    fn spanned_id(&mut self, text: Option<&Spanned<Text>>) -> Option<Spanned<Id>> {
        text.map(|t| Spanned { value: self.texts.intern(&t.value), span: t.span })
    }

    fn link(&mut self, related: &RelatedSummary) -> Link {
        Link {
            span: related.span,
            web_url: self.spanned_id(related.web_url.as_ref()),
            provider: related.provider.as_ref().map(|p| self.providers.intern(p)),
        }
    }

    /// The summary `record` was made of.
    pub(super) fn expand(&self, record: &Record) -> ArticleSummary {
        ArticleSummary {
            title: record.title.clone(),
            excerpt: None,
            web_url: record.web_url.clone(),
            original_url: record.original_url.clone(),
            published: record.published,
            provider_name: self.spanned_text(record.provider_name.as_ref()),
            provider_domain: self.spanned_text(record.provider_domain.as_ref()),
            topics: record.topics.iter().filter_map(|t| self.spanned_text(Some(t))).collect(),
            kind: self.spanned_text(record.kind.as_ref()),
            category: self.spanned_text(record.category.as_ref()),
            related: record.related.iter().map(|link| self.related(link)).collect(),
            dated_lines: Vec::new(),
        }
    }

    fn spanned_text(&self, id: Option<&Spanned<Id>>) -> Option<Spanned<Text>> {
        id.map(|id| Spanned { value: self.texts.get(id.value).clone(), span: id.span })
    }

    fn related(&self, link: &Link) -> RelatedSummary {
        RelatedSummary {
            span: link.span,
            web_url: self.spanned_text(link.web_url.as_ref()),
            provider: link.provider.map(|p| self.providers.get(p).clone()),
            about: None,
        }
    }

    /// Lets go of the names a record no longer in the index used.
    pub(super) fn release(&mut self, record: &Record) {
        let single = [&record.provider_name, &record.provider_domain, &record.kind, &record.category];
        let links = record.related.iter().filter_map(|l| l.web_url.as_ref());
        for id in single.into_iter().flatten().chain(record.topics.iter()).chain(links) {
            self.texts.release(id.value);
        }
        for id in record.related.iter().filter_map(|l| l.provider) {
            self.providers.release(id);
        }
    }

    fn text(&self, id: &Spanned<Id>) -> Spanned<&str> {
        Spanned { value: self.texts.get(id.value), span: id.span }
    }
}

/// One file's summary as the index holds it: an open document's whole (shared with the
/// document, which edits it in place), a file read from disk as a record when one holds it.
#[derive(Debug, Clone)]
pub(super) enum Stored {
    Whole(Arc<ArticleSummary>),
    Compact(Box<Record>),
}

/// An indexed article, as lookups answer it: what the index reads of one file, whichever form
/// the index holds it in.
#[derive(Debug, Clone, Copy)]
pub struct Article<'a> {
    stored: &'a Stored,
    names: &'a Names,
}

/// A related entry of an [`Article`]: where it is and the URL it links to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RelatedLink<'a> {
    pub span: Span,
    pub web_url: Option<Spanned<&'a str>>,
}

fn borrowed(text: &Spanned<Text>) -> Spanned<&str> {
    Spanned { value: &text.value, span: text.span }
}

impl<'a> Article<'a> {
    pub(super) fn new(stored: &'a Stored, names: &'a Names) -> Article<'a> {
        Article { stored, names }
    }

    pub fn title(self) -> Option<Spanned<&'a str>> {
        match self.stored {
            Stored::Whole(s) => s.title.as_ref().map(borrowed),
            Stored::Compact(r) => r.title.as_ref().map(borrowed),
        }
    }

    pub fn web_url(self) -> Option<Spanned<&'a str>> {
        match self.stored {
            Stored::Whole(s) => s.web_url.as_ref().map(borrowed),
            Stored::Compact(r) => r.web_url.as_ref().map(borrowed),
        }
    }

    pub fn original_url(self) -> Option<Spanned<&'a str>> {
        match self.stored {
            Stored::Whole(s) => s.original_url.as_ref().map(borrowed),
            Stored::Compact(r) => r.original_url.as_ref().map(borrowed),
        }
    }

    /// `publishedDateTime` when it is a valid RFC 3339 date-time.
    pub fn published(self) -> Option<Timestamp> {
        match self.stored {
            Stored::Whole(s) => s.published,
            Stored::Compact(r) => r.published,
        }
    }

    /// The top-level provider's name.
    pub fn provider_name(self) -> Option<Spanned<&'a str>> {
        match self.stored {
            Stored::Whole(s) => s.provider_name.as_ref().map(borrowed),
            Stored::Compact(r) => r.provider_name.as_ref().map(|n| self.names.text(n)),
        }
    }

    pub fn topics(self) -> Vec<Spanned<&'a str>> {
        match self.stored {
            Stored::Whole(s) => s.topics.iter().map(borrowed).collect(),
            Stored::Compact(r) => r.topics.iter().map(|t| self.names.text(t)).collect(),
        }
    }

    /// The `related` entries, in order.
    pub fn related(self) -> Vec<RelatedLink<'a>> {
        match self.stored {
            Stored::Whole(s) => s
                .related
                .iter()
                .map(|r| RelatedLink { span: r.span, web_url: r.web_url.as_ref().map(borrowed) })
                .collect(),
            Stored::Compact(r) => r
                .related
                .iter()
                .map(|l| RelatedLink { span: l.span, web_url: l.web_url.as_ref().map(|u| self.names.text(u)) })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_stay_small() {
        assert!(size_of::<Link>() <= 24);
        assert!(size_of::<Option<Spanned<Id>>>() <= 12);
        assert!(size_of::<Record>() <= 184);
        assert!(size_of::<Stored>() <= 16);
    }

    #[test]
    fn interned_names_are_counted_and_their_slots_reused() {
        let mut names: Interner<Text> = Interner::default();
        let a = names.intern(&Text::from("a"));
        let b = names.intern(&Text::from("b"));
        assert_eq!(names.intern(&Text::from("a")), a);
        names.release(a);
        assert_eq!(&**names.get(a), "a", "one use left");
        names.release(a);
        assert_eq!(names.len(), 1);
        let c = names.intern(&Text::from("c"));
        assert_eq!(c, a, "the freed slot");
        assert_eq!(&**names.get(c), "c");
        assert_eq!(&**names.get(b), "b");
    }
}
