//! The index over all article summaries of a workspace, updated one file at a time.
//!
//! Every derived lookup (URLs, topics, providers, field values, back-links) is a map from a key
//! to the files or counts that contribute to it. A file's contribution is exactly what its
//! summary says, so `remove` subtracts the stored summary and `upsert` = remove + add: both
//! cost time proportional to the one file, never to the workspace.
//!
//! A file read from disk is held as a compact record (`compact`: names as ids, boxed lists),
//! an open document as the summary it shares with the index; lookups answer with an
//! [`Article`] view of either.
//!
//! Layering: `index` knows nothing of the modules that read it; `search` (title search) and
//! `checks` (cross-file findings) add their `Index` methods in their own files.

use std::borrow::Cow;
use std::cmp::Reverse;
use std::collections::BTreeSet;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use super::compact::{Article, Names, Stored};
use super::normal::{topic_key, url_key, url_key_into};
use super::summary::{ArticleSummary, RelatedProvider, RelatedSummary, Text};

/// The index's maps hash with foldhash: SipHash (HashDoS-resistant, for keys an attacker
/// sends) cost a tenth of indexing a large workspace, whose keys are the user's own files.
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
type HashSet<T> = std::collections::HashSet<T, foldhash::fast::RandomState>;

/// A provider seen in the workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderStat {
    pub name: String,
    /// The most common domain written for this provider.
    pub domain: Option<String>,
    /// How many articles (including related entries) name it.
    pub count: usize,
}

/// A provider seen in the workspace, borrowed from the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProviderRank<'a> {
    pub name: &'a str,
    pub domain: Option<&'a str>,
    pub count: usize,
}

/// Every article of the workspace by path, with the derived lookups kept up to date by
/// `upsert` and `remove` (each costs time proportional to the one file, not the workspace).
#[derive(Debug, Default, Clone)]
pub struct Index {
    /// Each path is allocated once and shared by every lookup that names the file. A file
    /// added by [`Index::upsert`] is kept as a compact record when one holds its whole summary
    /// (a file read from disk), an open document's as the summary it shares with the index.
    pub(super) articles: HashMap<Arc<Path>, Stored>,
    /// The names the compact records refer to by id.
    names: Names,
    pub(super) derived: Derived,
    /// A path no indexed path is after (`path_order`), when the index has any: a file after it
    /// goes last in every set it joins, with no comparison. Indexing a folder adds its files in
    /// path order, and comparing with the last path of each set (a cache miss on an older
    /// file's path, in several sets per file) was most of filing them.
    upper: Option<Arc<Path>>,
    /// Files visited by lookups and updates: every loop over files goes through
    /// [`Index::all`], [`Index::resolve`] or [`Index::visited`].
    visits: Visits,
}

/// A count of work done that tests assert on (a timing would be flaky and slow).
#[derive(Debug, Default)]
struct Visits(AtomicUsize);

impl Clone for Visits {
    fn clone(&self) -> Visits {
        Visits(AtomicUsize::new(self.0.load(Ordering::Relaxed)))
    }
}

/// Lookups derived from the summaries. Sets of paths are ordered so results are stable.
#[derive(Debug, Default, Clone)]
pub(super) struct Derived {
    /// Set while a file after every indexed file is added ([`Index::upper`]): it goes last in
    /// each set, unless it is there already (the same `Arc`, added earlier for this file).
    appending: bool,
    /// URL key's hash ([`url_hash`]) -> files whose `webUrl` or `originalUrl` has that key.
    /// Not the key: nearly every article has URLs of its own, and a key other than the URL as
    /// written (`www.`, a trailing slash) was a string per article. [`Index::files_with_url`]
    /// keeps the files whose URL has the key, so a collision costs a filter, not an answer.
    pub(super) by_url: HashMap<u64, PathSet>,
    /// URL key -> files with a related entry pointing at it.
    pub(super) linking: HashMap<Text, PathSet>,
    /// Exact topic spelling -> files listing it. The keys of this map, `providers`, the
    /// domains and `values` are the one copy of each name: summaries added to the index share
    /// them ([`Derived::share_names`]).
    pub(super) by_topic: HashMap<Text, PathSet>,
    /// Topic key (no case, accents, extra blanks) -> the spellings in use.
    pub(super) spellings: HashMap<String, HashSet<Text>>,
    /// Provider name -> occurrences and the domains written with it.
    pub(super) providers: HashMap<Text, ProviderCounts>,
    /// The providers most used first (ties by name), sharing the names of `providers`: built
    /// on first use and then kept in order as counts change, so completion reads the best few
    /// of thousands without sorting them. Bulk indexing drops it rather than keep it in order.
    pub(super) provider_order: OnceLock<BTreeSet<(Reverse<usize>, Text)>>,
    /// The providers of related entries (name and domain as written) -> how many entries name
    /// each: the one copy the entries added to the index share.
    pub(super) related_providers: HashMap<Arc<RelatedProvider>, usize>,
    /// Top-level provider name -> files.
    pub(super) by_provider: HashMap<Text, PathSet>,
    /// Field (`type`, `category`) -> value -> count.
    pub(super) values: HashMap<&'static str, HashMap<Text, usize>>,
}

/// A set of files, sorted: one file inline (most sets hold one: a URL, a rare topic), where a
/// vector would allocate for it, else a sorted vector of shared paths (files arrive in path
/// order while indexing, so an insert is usually an append).
#[derive(Clone)]
pub(super) enum PathSet {
    One(Arc<Path>),
    Many(Vec<Arc<Path>>),
}

/// The files, however held (so equal sets print alike).
impl std::fmt::Debug for PathSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Default for PathSet {
    fn default() -> PathSet {
        PathSet::Many(Vec::new())
    }
}

impl PathSet {
    /// Adds `path`; `last` when it is after every other path of the set.
    fn insert(&mut self, path: &Arc<Path>, last: bool) {
        match self {
            PathSet::Many(paths) if paths.is_empty() => *self = PathSet::One(path.clone()),
            PathSet::One(one) if last => {
                if !Arc::ptr_eq(one, path) {
                    *self = PathSet::Many(vec![one.clone(), path.clone()]);
                }
            }
            PathSet::Many(paths) if last => {
                if !paths.last().is_some_and(|p| Arc::ptr_eq(p, path)) {
                    paths.push(path.clone());
                }
            }
            // One comparison decides both whether it is there and on which side it goes.
            PathSet::One(one) => match same_or_order(one, path) {
                std::cmp::Ordering::Equal => {}
                std::cmp::Ordering::Less => *self = PathSet::Many(vec![one.clone(), path.clone()]),
                std::cmp::Ordering::Greater => *self = PathSet::Many(vec![path.clone(), one.clone()]),
            },
            PathSet::Many(paths) => {
                let after_last = paths.last().is_none_or(|last| path_order(last, path).is_lt());
                if after_last {
                    paths.push(path.clone());
                } else if let Err(at) = paths.binary_search_by(|p| path_order(p, path)) {
                    paths.insert(at, path.clone());
                }
            }
        }
    }

    fn remove(&mut self, path: &Path) {
        match self {
            PathSet::One(one) if **one == *path => *self = PathSet::default(),
            PathSet::One(_) => {}
            PathSet::Many(paths) => {
                if let Ok(at) = paths.binary_search_by(|p| path_order(p, path)) {
                    paths.remove(at);
                }
                if let [last] = paths.as_slice() {
                    *self = PathSet::One(last.clone());
                }
            }
        }
    }

    fn as_slice(&self) -> &[Arc<Path>] {
        match self {
            PathSet::One(one) => std::slice::from_ref(one),
            PathSet::Many(paths) => paths,
        }
    }

    pub(super) fn len(&self) -> usize {
        self.as_slice().len()
    }

    fn is_empty(&self) -> bool {
        self.as_slice().is_empty()
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = &Path> {
        self.as_slice().iter().map(|p| &**p)
    }
}

#[derive(Debug, Default, Clone)]
pub(super) struct ProviderCounts {
    pub(super) count: usize,
    pub(super) domains: HashMap<Text, usize>,
    /// The most common domain and its count, kept up to date on every change so listing
    /// providers does not scan every domain of every provider.
    pub(super) top: Option<(Text, usize)>,
}

impl ProviderCounts {
    /// Counts one use more or less of `domain` and keeps the leader up to date.
    fn count_domain(&mut self, domain: &Text, added: bool) {
        let count = update_count(&mut self.domains, domain, added);
        self.domain_changed(domain, count, added);
    }

    /// `domain` now has `count` uses.
    fn domain_changed(&mut self, domain: &Text, count: usize, added: bool) {
        let is_top = self.top.as_ref().is_some_and(|(top, _)| top == domain);
        if added {
            let beats = match &self.top {
                None => true,
                Some((top, n)) => count > *n || (count == *n && domain < top),
            };
            if beats || is_top {
                self.top = Some((domain.clone(), count));
            }
        } else if is_top {
            // The leader lost a use: another domain may lead now.
            self.top = most_common(&self.domains).map(|d| {
                let n = self.domains.get(&d).copied().unwrap_or(0);
                (d, n)
            });
        }
    }
}

impl Index {
    /// Adds or replaces one file's summary (a file read from disk: kept compact when it can be).
    pub fn upsert(&mut self, path: PathBuf, summary: impl Into<Arc<ArticleSummary>>) {
        let path = self.take(&path).unwrap_or_else(|| Arc::from(path));
        self.add(path, summary.into(), true);
    }

    /// [`Index::upsert`] of a summary read from disk while a workspace is indexed: the path
    /// allocated by the caller at discovery, which the index then shares, and the summary
    /// owned, kept as a compact record when one holds it (nearly always), so it needs no `Arc`
    /// of its own (an allocation per file, freed on this thread after another thread made it).
    pub fn upsert_loaded(&mut self, path: Arc<Path>, mut summary: ArticleSummary) {
        self.derived.provider_order.take();
        // A path after every indexed one is not indexed: no lookup to take it out.
        let after_all = self.upper.as_ref().is_none_or(|upper| path_order(upper, &path).is_lt());
        let path = if after_all { path } else { self.take(&path).unwrap_or(path) };
        self.visited(1);
        self.derived.appending = self.raise_upper(&path);
        self.derived.add_owned(&path, &mut summary);
        self.derived.appending = false;
        let stored = match self.names.record(&summary) {
            Some(record) => Stored::Compact(Box::new(record)),
            None => Stored::Whole(Arc::new(summary.shrunk())),
        };
        self.articles.insert(path, stored);
    }

    /// Adds a file not in the index, as a compact record when `compact` and a record holds the
    /// whole summary (built here, on the thread that keeps it, from the shared names).
    fn add(&mut self, path: Arc<Path>, mut summary: Arc<ArticleSummary>, compact: bool) {
        self.visited(1);
        if let Some(summary) = Arc::get_mut(&mut summary) {
            self.derived.share_names(summary);
        }
        self.derived.appending = self.raise_upper(&path);
        self.derived.apply(&path, &summary, true);
        self.derived.appending = false;
        let record = compact.then(|| self.names.record(&summary)).flatten();
        let stored = record.map_or(Stored::Whole(summary), |r| Stored::Compact(Box::new(r)));
        self.articles.insert(path, stored);
    }

    /// Replaces one file's summary after an edit. When only `related` entries changed, only
    /// the changed entries' contributions are updated, so an edit inside one entry of a long
    /// list costs that entry, not the list (a per-item diff; any other change is an `upsert`).
    pub fn update(&mut self, path: PathBuf, summary: Arc<ArticleSummary>) {
        let old = match self.articles.get_key_value(path.as_path()) {
            Some((path, Stored::Whole(old))) => Some((path.clone(), old.clone())),
            _ => None,
        };
        let Some((path, old)) = old.filter(|(_, old)| indexed_fields(old) == indexed_fields(&summary)) else {
            let path = self.take(&path).unwrap_or_else(|| Arc::from(path));
            return self.add(path, summary, false);
        };
        let count = old.related.len().max(summary.related.len());
        let changed: Vec<usize> = (0..count)
            .filter(|&i| indexed_related(old.related.get(i)) != indexed_related(summary.related.get(i)))
            .collect();
        if !changed.is_empty() {
            self.derived.apply_related(
                &path,
                changed.iter().filter_map(|&i| old.related.get(i)),
                &summary.related,
                false,
            );
            self.derived.apply_related(
                &path,
                changed.iter().filter_map(|&i| summary.related.get(i)),
                &summary.related,
                true,
            );
        }
        self.articles.insert(path, Stored::Whole(summary));
    }

    /// Edits one file's summary in place: an open document's keystroke applied to the index's
    /// own copy of its summary, so no keystroke copies the summary. `edit` changes the summary
    /// and returns the `related` entries it removed and where it inserted their replacements;
    /// only those entries' contributions are updated, so any other field it changes must read
    /// the same to the lookups ([`same_lookups`]). `false`, having changed nothing, when the
    /// file is not indexed.
    pub fn edit_in_place(
        &mut self,
        path: &Path,
        edit: impl FnOnce(&mut ArticleSummary) -> (Vec<RelatedSummary>, Range<usize>),
    ) -> bool {
        let Some((path, stored)) = self.articles.remove_entry(path) else {
            return false;
        };
        self.visited(1);
        let mut summary = self.whole(stored);
        let (removed, inserted) = edit(Arc::make_mut(&mut summary));
        let inserted = summary.related.get(inserted).unwrap_or_default();
        let same = removed.len() == inserted.len()
            && removed.iter().zip(inserted).all(|(old, new)| indexed_related(Some(old)) == indexed_related(Some(new)));
        if !same {
            self.derived.apply_related(&path, removed.iter(), &summary.related, false);
            self.derived.apply_related(&path, inserted.iter(), &summary.related, true);
        }
        self.articles.insert(path, Stored::Whole(summary));
        true
    }

    pub fn remove(&mut self, path: &Path) {
        self.take(path);
    }

    /// Makes room for `additional` more files (indexing a folder knows how many it found:
    /// growing the largest maps step by step rehashed them a dozen times).
    pub fn reserve(&mut self, additional: usize) {
        self.articles.reserve(additional);
        self.derived.by_url.reserve(additional);
    }

    /// Removes a file and its contribution; returns its shared path for reuse.
    fn take(&mut self, path: &Path) -> Option<Arc<Path>> {
        let (path, old) = self.articles.remove_entry(path)?;
        self.visited(1);
        let old = self.whole(old);
        self.derived.apply(&path, &old, false);
        if self.articles.is_empty() {
            self.upper = None;
        }
        Some(path)
    }

    /// Whether `path`, about to be added, is after every indexed path; if so it becomes
    /// [`Index::upper`]. One comparison with the last file added, whose path is still in cache
    /// while a folder is indexed in path order.
    fn raise_upper(&mut self, path: &Arc<Path>) -> bool {
        let after = self.upper.as_ref().is_none_or(|upper| path_order(upper, path).is_lt());
        if after {
            self.upper = Some(path.clone());
        }
        after
    }

    /// The whole summary of a file taken out of the index (a record lets go of its names).
    fn whole(&mut self, stored: Stored) -> Arc<ArticleSummary> {
        match stored {
            Stored::Whole(summary) => summary,
            Stored::Compact(record) => {
                let summary = self.names.expand(&record);
                self.names.release(&record);
                Arc::new(summary)
            }
        }
    }

    pub fn len(&self) -> usize {
        self.articles.len()
    }

    /// How many files the index's lookups and updates have visited since it was made: the work
    /// they did, so tests can prove that a lookup or an update costs the files it concerns, not
    /// the workspace.
    pub fn files_visited(&self) -> usize {
        self.visits.0.load(Ordering::Relaxed)
    }

    /// Counts `n` files visited.
    pub(super) fn visited(&self, n: usize) {
        self.visits.0.fetch_add(n, Ordering::Relaxed);
    }

    /// Every file and its summary, counted as visited.
    pub(super) fn all(&self) -> impl Iterator<Item = (&Path, Article<'_>)> {
        self.visited(self.articles.len());
        self.articles.iter().map(|(p, s)| (&**p, Article::new(s, &self.names)))
    }

    pub fn is_empty(&self) -> bool {
        self.articles.is_empty()
    }

    /// The indexed article at `path`, as lookups answer it.
    pub fn article(&self, path: &Path) -> Option<Article<'_>> {
        self.articles.get(path).map(|s| Article::new(s, &self.names))
    }

    /// The summary of the file at `path`: an open document's is the one the index shares with
    /// it (edited in place); a file kept as a compact record gets an equal summary made afresh.
    pub fn get(&self, path: &Path) -> Option<Arc<ArticleSummary>> {
        match self.articles.get(path)? {
            Stored::Whole(summary) => Some(summary.clone()),
            Stored::Compact(record) => Some(Arc::new(self.names.expand(record))),
        }
    }

    /// Topics by frequency (most used first, ties alphabetical), with counts.
    pub fn topics(&self) -> Vec<(String, usize)> {
        self.topic_ranking().into_iter().map(|(topic, n)| (topic.to_string(), n)).collect()
    }

    /// [`Index::topics`] without copying the names (completion lists thousands per keystroke).
    pub fn topic_ranking(&self) -> Vec<(&str, usize)> {
        by_frequency(self.derived.by_topic.iter().map(|(topic, files)| (&**topic, files.len())))
    }

    /// Whether some article of the workspace lists the topic spelt `topic`.
    pub fn has_topic(&self, topic: &str) -> bool {
        self.derived.by_topic.contains_key(topic)
    }

    /// Providers by frequency.
    pub fn providers(&self) -> Vec<ProviderStat> {
        let owned = |p: ProviderRank<'_>| ProviderStat {
            name: p.name.to_string(),
            domain: p.domain.map(str::to_string),
            count: p.count,
        };
        self.provider_ranking().map(owned).collect()
    }

    /// [`Index::providers`] without copying the names and domains, lazily: taking the first
    /// few costs those few, not the thousands of providers a workspace may have.
    pub fn provider_ranking(&self) -> impl Iterator<Item = ProviderRank<'_>> + '_ {
        let order = self.derived.provider_order.get_or_init(|| {
            self.derived.providers.iter().map(|(name, counts)| (Reverse(counts.count), name.clone())).collect()
        });
        order.iter().filter_map(|(Reverse(count), name)| {
            let counts = self.derived.providers.get(&**name)?;
            Some(ProviderRank { name, domain: counts.top.as_ref().map(|(d, _)| &**d), count: *count })
        })
    }

    /// How many distinct providers the workspace names.
    pub fn provider_count(&self) -> usize {
        self.derived.providers.len()
    }

    /// Whether some article (or related entry) of the workspace names the provider `name`.
    pub fn has_provider(&self, name: &str) -> bool {
        self.derived.providers.contains_key(name)
    }

    /// Values seen for a scalar field (`type`, `category`) by frequency.
    pub fn values_of(&self, field: &str) -> Vec<(String, usize)> {
        let Some(values) = self.derived.values.get(field) else {
            return Vec::new();
        };
        by_frequency(values.iter().map(|(v, n)| (v.to_string(), *n)))
    }

    /// Articles whose `webUrl` or `originalUrl` is `url` (compared after normalising a trailing
    /// slash, the scheme's case and `www.`).
    pub fn articles_with_url(&self, url: &str) -> Vec<(&Path, Article<'_>)> {
        let key = url_key(url);
        self.resolve(self.derived.by_url.get(&url_hash(&key)))
            .into_iter()
            .filter(|(_, a)| has_url_key(*a, &key))
            .collect()
    }

    /// The files whose `webUrl` or `originalUrl` has the key `key` (a [`url_key`]).
    pub(super) fn files_with_url(&self, key: &str) -> impl Iterator<Item = &Path> {
        let set = self.derived.by_url.get(&url_hash(key));
        set.into_iter().flat_map(PathSet::iter).filter(|p| self.article(p).is_some_and(|a| has_url_key(a, key)))
    }

    /// Articles whose `related` entries point at `url`.
    pub fn articles_linking_to(&self, url: &str) -> Vec<(&Path, Article<'_>)> {
        self.resolve(self.derived.linking.get(&*url_key(url)))
    }

    /// Articles that list `topic`, newest first.
    pub fn articles_with_topic(&self, topic: &str) -> Vec<(&Path, Article<'_>)> {
        newest_first(self.resolve(self.derived.by_topic.get(topic)))
    }

    /// Articles whose provider (top level) is `name`, newest first.
    pub fn articles_with_provider(&self, name: &str) -> Vec<(&Path, Article<'_>)> {
        newest_first(self.resolve(self.derived.by_provider.get(name)))
    }

    /// The stored entries for a set of paths.
    pub(super) fn resolve(&self, paths: Option<&PathSet>) -> Vec<(&Path, Article<'_>)> {
        paths
            .into_iter()
            .flat_map(PathSet::iter)
            .filter_map(|p| self.articles.get_key_value(p))
            .map(|(p, s)| (&**p, Article::new(s, &self.names)))
            .inspect(|_| self.visited(1))
            .collect()
    }
}

impl Derived {
    /// Points the summary's names (topics, providers, domains, field values) and the URLs of
    /// its related entries at the copies the index already holds, so a name used by thousands
    /// of articles, or a URL cited by hundreds, is stored once. An `originalUrl` equal to the
    /// `webUrl` shares its text.
    fn share_names(&self, summary: &mut ArticleSummary) {
        for url in summary.related.iter_mut().filter_map(|r| r.web_url.as_mut()) {
            share(&mut url.value, &self.linking);
        }
        self.share_names_but_links(summary);
    }

    /// [`Derived::share_names`] but for the URLs of related entries.
    fn share_names_but_links(&self, summary: &mut ArticleSummary) {
        if let (Some(web), Some(original)) = (&summary.web_url, &mut summary.original_url) {
            if web.value == original.value {
                original.value = web.value.clone();
            }
        }
        for topic in &mut summary.topics {
            share(&mut topic.value, &self.by_topic);
        }
        let values = [("type", &mut summary.kind), ("category", &mut summary.category)];
        for (field, value) in values {
            if let (Some(value), Some(known)) = (value, self.values.get(field)) {
                share(&mut value.value, known);
            }
        }
        let name = summary.provider_name.as_mut().map(|n| &mut n.value);
        self.share_provider(name, summary.provider_domain.as_mut().map(|d| &mut d.value));
        for provider in summary.related.iter_mut().filter_map(|r| r.provider.as_mut()) {
            if let Some((known, _)) = self.related_providers.get_key_value(&**provider) {
                *provider = known.clone();
            } else if let Some(provider) = Arc::get_mut(provider) {
                provider.share_texts(|name, domain| self.share_provider(name, domain));
            }
        }
    }

    /// Points a provider's name and domain at the index's copies.
    fn share_provider(&self, name: Option<&mut Text>, domain: Option<&mut Text>) {
        let Some(name) = name else { return };
        let Some((known, counts)) = self.providers.get_key_value(&**name) else { return };
        *name = known.clone();
        if let Some(domain) = domain {
            share(domain, &counts.domains);
        }
    }

    /// Adds (`add`) or subtracts one file's contribution.
    fn apply(&mut self, path: &Arc<Path>, summary: &ArticleSummary, add: bool) {
        // Adding a path to a set it is in, or taking it from one it is not in, changes nothing,
        // so the names a file repeats need no sort to drop the repeats (sorting every file's
        // related URLs to find a rare repeat was a visible share of indexing).
        self.apply_own_urls(path, summary, add);
        for url in summary.related.iter().filter_map(|r| r.web_url.as_ref()) {
            update_set(&mut self.linking, keyed_url(&url.value), path, add, self.appending);
        }
        self.apply_names(path, summary, add);
    }

    /// [`Derived::share_names`] and [`Derived::apply`] (adding) of a summary the index owns,
    /// each related URL pointed at the index's copy by the lookup that files it (they were two).
    fn add_owned(&mut self, path: &Arc<Path>, summary: &mut ArticleSummary) {
        self.share_names_but_links(summary);
        self.apply_own_urls(path, summary, true);
        for url in summary.related.iter_mut().filter_map(|r| r.web_url.as_mut()) {
            self.link_sharing(&mut url.value, path);
        }
        self.apply_names(path, summary, true);
    }

    /// Files `path` as linking to `url`'s key; when the key is the URL and the index has it,
    /// `url` becomes the index's copy.
    fn link_sharing(&mut self, url: &mut Text, path: &Arc<Path>) {
        let key = keyed_url(url);
        let is_url = Arc::ptr_eq(&key, url);
        match self.linking.entry(key) {
            std::collections::hash_map::Entry::Occupied(known) => {
                if is_url {
                    *url = known.key().clone();
                }
                known.into_mut().insert(path, self.appending);
            }
            std::collections::hash_map::Entry::Vacant(new) => {
                new.insert(PathSet::One(path.clone()));
            }
        }
    }

    /// The `webUrl` and `originalUrl` of a file (one URL when the second is the first's text).
    fn apply_own_urls(&mut self, path: &Arc<Path>, summary: &ArticleSummary, add: bool) {
        let web = summary.web_url.as_ref().map(|u| &u.value);
        let original = summary.original_url.as_ref().map(|u| &u.value);
        let same = web.zip(original).is_some_and(|(w, o)| Arc::ptr_eq(w, o));
        for url in [web, original.filter(|_| !same)].into_iter().flatten() {
            update_set(&mut self.by_url, url_key_hash(url), path, add, self.appending);
        }
    }

    /// The names of a file: topics, providers, field values.
    fn apply_names(&mut self, path: &Arc<Path>, summary: &ArticleSummary, add: bool) {
        for topic in &summary.topics {
            self.apply_topic(topic.value.clone(), path, add);
        }
        self.apply_providers(path, summary, add);
        let values = [("type", &summary.kind), ("category", &summary.category)];
        for (field, value) in values {
            if let Some(value) = value {
                let counts = self.values.entry(field).or_default();
                update_count(counts, &value.value, add);
            }
        }
    }

    /// Adds or subtracts the contributions of some related entries of a file whose related
    /// entries are now `all`: a link stays while any entry of the file still has its URL.
    fn apply_related<'a>(
        &mut self,
        path: &Arc<Path>,
        entries: impl Iterator<Item = &'a RelatedSummary>,
        all: &[RelatedSummary],
        add: bool,
    ) {
        for entry in entries {
            if let Some(url) = &entry.web_url {
                let key = keyed_url(&url.value);
                let kept = !add && all.iter().any(|r| r.web_url.as_ref().is_some_and(|u| *url_key(&u.value) == *key));
                if !kept {
                    update_set(&mut self.linking, key, path, add, self.appending);
                }
            }
            self.apply_related_provider(entry, add);
        }
    }

    /// Adds or subtracts a related entry's provider: its use of the name and domain, and the
    /// shared copy of the pair.
    fn apply_related_provider(&mut self, entry: &RelatedSummary, add: bool) {
        let Some(provider) = &entry.provider else { return };
        update_count(&mut self.related_providers, provider, add);
        if let Some(name) = provider.name() {
            self.apply_provider(name, provider.domain(), add);
        }
    }

    fn apply_topic(&mut self, topic: Text, path: &Arc<Path>, add: bool) {
        // `spellings` holds exactly the topics `by_topic` has: only a topic that comes or goes
        // changes it (most files name topics the index already has).
        if !update_set(&mut self.by_topic, topic.clone(), path, add, self.appending) {
            return;
        }
        let still_used = add;
        let key = topic_key(&topic);
        let spellings = match self.spellings.get_mut(&key) {
            Some(spellings) => spellings,
            None => self.spellings.entry(key.clone()).or_default(),
        };
        if still_used {
            spellings.insert(topic);
        } else {
            spellings.remove(&topic);
        }
        if spellings.is_empty() {
            self.spellings.remove(&key);
        }
    }

    fn apply_providers(&mut self, path: &Arc<Path>, summary: &ArticleSummary, add: bool) {
        if let Some(name) = &summary.provider_name {
            update_set(&mut self.by_provider, name.value.clone(), path, add, self.appending);
            let domain = summary.provider_domain.as_ref().map(|d| &d.value);
            self.apply_provider(&name.value, domain, add);
        }
        for related in &summary.related {
            self.apply_related_provider(related, add);
        }
    }

    fn apply_provider(&mut self, name: &Text, domain: Option<&Text>, add: bool) {
        // One lookup of the name (it was three: whether it is there, its key, its counts).
        let counts = match self.providers.get_mut(&**name) {
            Some(counts) => counts,
            None if add => self.providers.entry(name.clone()).or_default(),
            None => return,
        };
        let before = counts.count;
        counts.count = if add { before + 1 } else { before.saturating_sub(1) };
        let after = counts.count;
        if let Some(domain) = domain {
            counts.count_domain(domain, add);
        }
        if after == 0 {
            self.providers.remove(&**name);
        }
        if let Some(order) = self.provider_order.get_mut() {
            if before > 0 {
                order.remove(&(Reverse(before), name.clone()));
            }
            if after > 0 {
                // The shared name (a reference count, not a copy).
                let key = self.providers.get_key_value(&**name).map_or_else(|| name.clone(), |(k, _)| k.clone());
                order.insert((Reverse(after), key));
            }
        }
    }
}

/// Replaces `text` by the index's copy of the same name, when it has one.
fn share<V>(text: &mut Text, names: &HashMap<Text, V>) {
    if let Some((known, _)) = names.get_key_value(&**text) {
        *text = known.clone();
    }
}

/// The hash `by_url` files a URL key under: the same in every run and on every machine.
fn url_hash(key: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0x5eed).hash_one(key)
}

/// [`url_hash`] of `url`'s key, built in a buffer the thread keeps.
fn url_key_hash(url: &str) -> u64 {
    thread_local! {
        static KEY: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    }
    KEY.with_borrow_mut(|buf| url_hash(url_key_into(url, buf)))
}

/// Whether `webUrl` or `originalUrl` of `article` has the URL key `key`.
fn has_url_key(article: Article<'_>, key: &str) -> bool {
    [article.web_url(), article.original_url()].into_iter().flatten().any(|u| *url_key(u.value) == *key)
}

/// A URL's key, sharing the URL's text when the key is the URL as written (nearly always).
fn keyed_url(url: &Text) -> Text {
    match url_key(url) {
        // Borrowed and as long: the URL itself (no spaces trimmed), known without comparing.
        Cow::Borrowed(key) if key.len() == url.len() => url.clone(),
        key => Text::from(&*key),
    }
}

/// `a.cmp(b)` as `Path` orders paths (component by component), compared as bytes where that
/// is the same answer: where the first bytes that differ sit inside a normal component of
/// both. Indexing inserts every file into several sorted sets, and splitting both paths into
/// components for each comparison was most of that. (Windows prefixes have rules of their own.)
fn path_order(a: &Path, b: &Path) -> std::cmp::Ordering {
    let (x, y) = (a.as_os_str().as_encoded_bytes(), b.as_os_str().as_encoded_bytes());
    match x.iter().zip(y).position(|(p, q)| p != q) {
        Some(at) if !cfg!(windows) && inside_normal_component(x, y, at) => x[at].cmp(&y[at]),
        _ => a.cmp(b),
    }
}

/// [`path_order`], knowing at once that a shared path is itself (indexing adds the same
/// `Arc` of a file to each of its sets).
fn same_or_order(a: &Arc<Path>, b: &Arc<Path>) -> std::cmp::Ordering {
    if Arc::ptr_eq(a, b) { std::cmp::Ordering::Equal } else { path_order(a, b) }
}

/// Whether the first difference of `x` and `y`, at `at`, is inside a normal component of both:
/// neither byte is a separator, and the component so far is not made of dots alone (`.` and
/// `..` are components of their own, ordered before any name), nor empty with a dot next.
fn inside_normal_component(x: &[u8], y: &[u8], at: usize) -> bool {
    let separator = |b: u8| std::path::is_separator(char::from(b));
    let start = x[..at].iter().rposition(|&b| separator(b)).map_or(0, |s| s + 1);
    let so_far = &x[start..at];
    let dots_only = so_far.iter().all(|&b| b == b'.');
    let dot_next = x[at] == b'.' || y[at] == b'.';
    !separator(x[at]) && !separator(y[at]) && !(dots_only && (!so_far.is_empty() || dot_next))
}

/// Adds `path` to the set of `key` or takes it out; `true` when the key came or went. `last`:
/// an added path is after every path of the index but itself ([`Derived::appending`]).
fn update_set<K: Eq + std::hash::Hash>(
    map: &mut HashMap<K, PathSet>,
    key: K,
    path: &Arc<Path>,
    add: bool,
    last: bool,
) -> bool {
    if add {
        let set = map.entry(key).or_default();
        let new = set.is_empty();
        set.insert(path, last);
        new
    } else if let Some(set) = map.get_mut(&key) {
        set.remove(path);
        let gone = set.is_empty();
        if gone {
            map.remove(&key);
        }
        gone
    } else {
        false
    }
}

/// Counts one use more or less of `key`; returns its count now.
fn update_count<K: Clone + Eq + std::hash::Hash>(map: &mut HashMap<K, usize>, key: &K, add: bool) -> usize {
    if add {
        match map.get_mut(key) {
            Some(n) => {
                *n += 1;
                *n
            }
            None => {
                map.insert(key.clone(), 1);
                1
            }
        }
    } else if let Some(n) = map.get_mut(key) {
        *n = n.saturating_sub(1);
        let left = *n;
        if left == 0 {
            map.remove(key);
        }
        left
    } else {
        0
    }
}

/// What the derived lookups read of a summary outside `related`.
fn indexed_fields(s: &ArticleSummary) -> impl PartialEq + '_ {
    let topics: Vec<&str> = s.topics.iter().map(|t| &*t.value).collect();
    let fields = [&s.web_url, &s.original_url, &s.provider_name, &s.provider_domain, &s.kind, &s.category]
        .map(|v| v.as_ref().map(|v| &*v.value));
    (fields, topics)
}

/// Whether the derived lookups read the same of `a` as of `b` (their `related` entries aside):
/// an edit between them needs no lookup updated.
pub fn same_lookups(a: &ArticleSummary, b: &ArticleSummary) -> bool {
    indexed_fields(a) == indexed_fields(b)
}

/// What the derived lookups read of one related entry.
fn indexed_related(r: Option<&RelatedSummary>) -> Option<(Option<&str>, Option<&str>, Option<&str>)> {
    r.map(|r| {
        (r.web_url.as_ref().map(|u| &*u.value), r.provider_name().map(|n| &**n), r.provider_domain().map(|d| &**d))
    })
}

/// Most used first, ties alphabetical.
fn by_frequency<K: Ord>(items: impl Iterator<Item = (K, usize)>) -> Vec<(K, usize)> {
    let mut out: Vec<(K, usize)> = items.collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

/// The most frequent key (ties: the alphabetically first), in one pass without cloning the
/// others: this runs for every provider on every provider completion.
fn most_common(counts: &HashMap<Text, usize>) -> Option<Text> {
    counts.iter().max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0))).map(|(k, _)| k.clone())
}

/// Newest `publishedDateTime` first; undated last; ties by path.
type Found<'a> = Vec<(&'a Path, Article<'a>)>;

fn newest_first(mut items: Found<'_>) -> Found<'_> {
    items.sort_by(|a, b| b.1.published().cmp(&a.1.published()).then_with(|| a.0.cmp(b.0)));
    items
}

impl Index {
    /// Every indexed path, sorted (the server's `workspace/diagnostic` walks them).
    pub fn paths(&self) -> Vec<PathBuf> {
        let mut paths: Vec<PathBuf> = self.all().map(|(p, _)| p.to_path_buf()).collect();
        paths.sort();
        paths
    }
}

impl Index {
    /// Every spelling in use of the topic `topic` is a spelling of (same letters ignoring
    /// case, accents and extra blanks), most used first, ties alphabetical.
    pub fn topic_spellings(&self, topic: &str) -> Vec<String> {
        let Some(spellings) = self.derived.spellings.get(&topic_key(topic)) else {
            return Vec::new();
        };
        let uses = |s: &Text| self.derived.by_topic.get(s).map_or(0, PathSet::len);
        by_frequency(spellings.iter().map(|s| (s.to_string(), uses(s)))).into_iter().map(|(s, _)| s).collect()
    }
}

#[cfg(test)]
mod order_tests {
    use super::*;

    /// The byte shortcut orders paths exactly as `Path` does, over pairs chosen to trip it:
    /// separators against bytes below and above `/`, doubled and trailing separators, `.`
    /// components, prefixes of each other.
    #[test]
    fn paths_are_ordered_as_path_orders_them() {
        let parts = [
            "a", "a-b", "a.b", "a/b", "a//b", "a/./b", "a/b/", "ab", "a0", "a/.b", "./a", "/a", "a b", "é", "a/é", ".",
            "..", ".a", "a/..", "a/.", "a/.-", "a/..-", "..a", ".-", "a/.b/c",
        ];
        let paths: Vec<String> = parts.iter().flat_map(|x| parts.iter().map(move |y| format!("{x}/{y}"))).collect();
        for a in &paths {
            for b in &paths {
                let (a, b) = (Path::new(a), Path::new(b));
                assert_eq!(path_order(a, b), a.cmp(b), "{a:?} {b:?}");
            }
        }
    }
}

#[cfg(test)]
mod update_tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::workspace::summarize;

    /// The derived lookups in a comparable form (sorted).
    fn lookups(index: &Index) -> String {
        let d = &index.derived;
        fn sorted<K: Ord>(m: &HashMap<K, PathSet>) -> BTreeMap<&K, &PathSet> {
            m.iter().collect()
        }
        let providers: BTreeMap<_, _> = d
            .providers
            .iter()
            .map(|(k, v)| (k, (v.count, v.domains.iter().collect::<BTreeMap<_, _>>(), &v.top)))
            .collect();
        // The ranking as kept in order (by `update` when built before) or built afresh.
        let ranking: Vec<_> = index.provider_ranking().collect();
        let related_providers: BTreeMap<_, _> =
            d.related_providers.iter().map(|(p, n)| ((p.name(), p.domain()), n)).collect();
        format!(
            "{:?}",
            (
                sorted(&d.by_url),
                sorted(&d.linking),
                sorted(&d.by_topic),
                sorted(&d.by_provider),
                providers,
                ranking,
                related_providers
            )
        )
    }

    const THIS: &str = "/w/this.md";

    fn hub(entries: &[String]) -> String {
        let head = "---\ntitle: \"Hub\"\nwebUrl: \"https://hub.example.com/a\"\nprovider:\n  name: Hub\n  domain: hub.example.com\nrelated:\n";
        format!("{head}{}---\n", entries.concat())
    }

    /// Related entries the tests pick from (the last one: none).
    fn variants() -> [String; 5] {
        [
            entry("https://a.example.com/1", "A", "a.example.com"),
            entry("https://a.example.com/1", "A", "b.example.com"),
            entry("https://b.example.com/2", "B", "b.example.com"),
            entry("https://hub.example.com/a", "Hub", "hub.example.com"),
            String::new(),
        ]
    }

    /// An index of the hub `THIS` with `entries` and another article linking to the second variant.
    fn hub_index(entries: &[String]) -> Index {
        let mut index = Index::default();
        index.upsert(PathBuf::from("/w/other.md"), Arc::new(summarize(&hub(&[variants()[1].clone()]))));
        index.upsert(PathBuf::from(THIS), Arc::new(summarize(&hub(entries))));
        index
    }

    fn entry(url: &str, provider: &str, domain: &str) -> String {
        format!(
            "  - title: \"T\"\n    webUrl: \"{url}\"\n    provider:\n      name: {provider}\n      domain: {domain}\n"
        )
    }

    /// The next pseudo-random edit of a list of `len` entries: where (`len` appends) and which
    /// variant goes there.
    fn random_edit(seed: &mut u64, len: usize, variants: &[String]) -> (usize, String) {
        *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let at = (*seed >> 33) as usize % (len + 1);
        (at, variants[(*seed >> 20) as usize % variants.len()].clone())
    }

    /// Changing related entries one at a time through `update` leaves the same lookups as
    /// indexing the final summaries from scratch.
    #[test]
    fn updating_related_entries_equals_indexing_afresh() {
        let variants = variants();
        let this = PathBuf::from(THIS);
        let mut entries = vec![variants[0].clone(), variants[2].clone(), variants[0].clone()];
        let mut index = hub_index(&entries);
        // Built now, the provider ranking is kept in order by every update below.
        assert_eq!(index.provider_ranking().count(), 3);
        let mut seed = 7u64;
        for _ in 0..300 {
            let (at, variant) = random_edit(&mut seed, entries.len(), &variants);
            match at {
                at if at == entries.len() => entries.push(variant),
                at => entries[at] = variant,
            }
            entries.retain(|e| !e.is_empty());
            index.update(this.clone(), Arc::new(summarize(&hub(&entries))));
            assert_eq!(lookups(&index), lookups(&hub_index(&entries)), "{entries:?}");
        }
    }

    /// Editing related entries in place through `edit_in_place` (an open document's keystrokes)
    /// leaves the same lookups as indexing the final summaries from scratch.
    #[test]
    fn editing_related_entries_in_place_equals_indexing_afresh() {
        let variants = variants();
        let this = PathBuf::from(THIS);
        let mut entries = vec![variants[0].clone(), variants[2].clone(), variants[0].clone()];
        let mut index = hub_index(&entries);
        assert_eq!(index.provider_ranking().count(), 3);
        let mut seed = 11u64;
        for _ in 0..300 {
            let (at, variant) = random_edit(&mut seed, entries.len(), &variants);
            let removed = usize::from(at < entries.len());
            let added = usize::from(!variant.is_empty());
            entries.splice(at..at + removed, [variant].into_iter().filter(|v| !v.is_empty()));
            let after = summarize(&hub(&entries));
            let edited = index.edit_in_place(&this, |summary| {
                let old = summary.related.splice(at..at + removed, after.related[at..at + added].iter().cloned());
                (old.collect(), at..at + added)
            });
            assert!(edited);
            assert_eq!(lookups(&index), lookups(&hub_index(&entries)), "{entries:?}");
        }
        assert!(!index.edit_in_place(Path::new("/w/absent.md"), |_| unreachable!()));
    }
}

/// The compact records of files read from disk answer every lookup as the whole summaries do.
#[cfg(test)]
mod compact_tests {
    use super::*;
    use crate::workspace::compact::Article;
    use crate::workspace::summarize;

    /// A pseudo-random number below `n`.
    fn pick(seed: &mut u64, n: usize) -> usize {
        *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (*seed >> 33) as usize % n
    }

    /// A pseudo-random article whose names, URLs and links often collide with other articles'.
    fn article(seed: &mut u64) -> String {
        let topics = ["Trade", "trade", "Política", "Politica", "Health", "AI"];
        let providers = ["Wire", "Daily", "Post"];
        let mut text = format!("---\ntitle: \"Article {}\"\n", pick(seed, 9));
        if pick(seed, 4) > 0 {
            text += &format!("webUrl: \"https://www.site{}.example.com/a/\"\n", pick(seed, 6));
        }
        if pick(seed, 3) == 0 {
            text += &format!("originalUrl: https://site{}.example.com/a\n", pick(seed, 6));
        }
        if pick(seed, 2) == 0 {
            text += &format!("publishedDateTime: 2021-0{}-01T00:00:00Z\n", 1 + pick(seed, 9));
        }
        text += &format!("type: {}\ncategory: c{}\n", ["article", "video"][pick(seed, 2)], pick(seed, 3));
        let provider = providers[pick(seed, 3)];
        text += &format!("provider:\n  name: {provider}\n  domain: {}.example.com\n", pick(seed, 2));
        text += "topics:\n";
        for _ in 0..pick(seed, 4) {
            text += &format!("  - {}\n", topics[pick(seed, topics.len())]);
        }
        text += "related:\n";
        for _ in 0..pick(seed, 5) {
            let (url, name) = (pick(seed, 6), providers[pick(seed, 3)]);
            text += &format!(
                "  - title: T\n    webUrl: \"https://site{url}.example.com/a\"\n    provider:\n      name: {name}\n      domain: d{}.example.com\n",
                pick(seed, 2)
            );
        }
        text + "---\nBody.\n"
    }

    /// Everything an article answers, in a comparable form.
    fn shown(found: &[(&Path, Article<'_>)]) -> String {
        let each = |(path, a): &(&Path, Article<'_>)| {
            let related: Vec<_> = a.related();
            format!(
                "{path:?} {:?} {:?} {:?} {:?} {:?} {:?} {related:?}",
                a.title(),
                a.web_url(),
                a.original_url(),
                a.published(),
                a.provider_name(),
                a.topics()
            )
        };
        found.iter().map(each).collect::<Vec<_>>().join("\n")
    }

    /// The answers of every lookup for the keys the generated articles use.
    fn answers(index: &Index) -> String {
        let mut out = String::new();
        for i in 0..6 {
            for url in [format!("https://site{i}.example.com/a"), format!("https://www.site{i}.example.com/a/")] {
                out += &shown(&index.articles_with_url(&url));
                out += &shown(&index.articles_linking_to(&url));
            }
        }
        for topic in ["Trade", "trade", "Política", "Politica", "Health", "AI"] {
            out += &shown(&index.articles_with_topic(topic));
            out += &format!("{:?}", index.topic_spellings(topic));
        }
        for name in ["Wire", "Daily", "Post"] {
            out += &shown(&index.articles_with_provider(name));
        }
        out += &shown(&index.search_titles("article", 100));
        for path in index.paths() {
            out += &format!("{:?} {:?}", index.workspace_diagnostics(&path), index.get(&path));
            out += &shown(&[(path.as_path(), index.article(&path).expect("indexed"))]);
        }
        let ranking: Vec<_> = index.provider_ranking().collect();
        out + &format!(
            "{:?} {ranking:?} {:?} {:?}",
            index.topics(),
            index.values_of("type"),
            index.values_of("category")
        )
    }

    /// Random upserts and removals through `upsert` (disk files: compact records) and through
    /// `update` (open documents: whole summaries) leave indexes that answer alike, and a
    /// record gives back the summary it was made of.
    #[test]
    fn compact_records_answer_as_whole_summaries() {
        let mut seed = 5u64;
        let (mut compact, mut whole) = (Index::default(), Index::default());
        for step in 0..600 {
            let path = PathBuf::from(format!("/w/{}.md", pick(&mut seed, 40)));
            if pick(&mut seed, 5) == 0 {
                compact.remove(&path);
                whole.remove(&path);
            } else {
                let summary = summarize(&article(&mut seed)).for_index();
                compact.upsert(path.clone(), Arc::new(summary.clone()));
                whole.update(path.clone(), Arc::new(summary.clone()));
                assert!(matches!(compact.articles.get(path.as_path()), Some(Stored::Compact(_))), "step {step}");
                assert_eq!(compact.get(&path).as_deref(), Some(&summary), "step {step}");
            }
            if step % 20 == 0 {
                assert_eq!(answers(&compact), answers(&whole), "step {step}");
            }
        }
        assert_eq!(answers(&compact), answers(&whole));
        for path in compact.paths() {
            compact.remove(&path);
        }
        assert_eq!((compact.names.texts.len(), compact.names.providers.len()), (0, 0), "every name let go");
    }

    /// Files added in path order (each after every indexed file: appended to its sets with no
    /// comparison) leave the same sets, in the same order, as the same files added in a shuffled
    /// order, with removals, re-additions and files before the last one in between.
    #[test]
    fn files_added_in_path_order_are_filed_as_in_any_order() {
        fn sets(index: &Index) -> String {
            let d = &index.derived;
            let sorted =
                |m: &HashMap<Text, PathSet>| format!("{:?}", m.iter().collect::<std::collections::BTreeMap<_, _>>());
            let by_url: std::collections::BTreeMap<_, _> = d.by_url.iter().collect();
            format!("{by_url:?} {} {} {}", sorted(&d.linking), sorted(&d.by_topic), sorted(&d.by_provider))
        }
        let mut seed = 11u64;
        let texts: Vec<String> = (0..60).map(|_| article(&mut seed)).collect();
        let path = |i: usize| Arc::<Path>::from(PathBuf::from(format!("/w/{i:02}.md")));
        let mut order: Vec<usize> = (0..60).collect();
        for i in (1..order.len()).rev() {
            order.swap(i, pick(&mut seed, i + 1));
        }
        let (mut sorted, mut shuffled) = (Index::default(), Index::default());
        for (i, text) in texts.iter().enumerate() {
            sorted.upsert_loaded(path(i), summarize(text).for_index());
        }
        for &i in &order {
            shuffled.upsert_loaded(path(i), summarize(&texts[i]).for_index());
        }
        assert_eq!(sets(&sorted), sets(&shuffled));
        assert_eq!(answers(&sorted), answers(&shuffled));
        // Removals, a file before the last one, re-additions, and an index emptied and refilled.
        for step in 0..200 {
            let i = pick(&mut seed, 70);
            let text = &texts[pick(&mut seed, 60)];
            if pick(&mut seed, 3) == 0 {
                sorted.remove(&path(i));
                shuffled.remove(&path(i));
            } else {
                sorted.upsert_loaded(path(i), summarize(text).for_index());
                shuffled.upsert(path(i).to_path_buf(), Arc::new(summarize(text).for_index()));
            }
            assert_eq!(sets(&sorted), sets(&shuffled), "step {step}");
        }
        assert_eq!(answers(&sorted), answers(&shuffled));
        for index in [&mut sorted, &mut shuffled] {
            for path in index.paths() {
                index.remove(&path);
            }
        }
        for i in [5, 3, 9, 1] {
            sorted.upsert_loaded(path(i), summarize(&texts[i]).for_index());
        }
        for i in [1, 3, 5, 9] {
            shuffled.upsert_loaded(path(i), summarize(&texts[i]).for_index());
        }
        assert_eq!(sets(&sorted), sets(&shuffled));
    }

    /// A summary a record would not hold whole (an open document's, with excerpts and related
    /// titles) stays whole; editing a compact file in place makes it whole first.
    #[test]
    fn summaries_a_record_cannot_hold_stay_whole() {
        let mut seed = 9u64;
        let text = article(&mut seed).replacen("---\n", "---\nexcerpt: \"What it says\"\n", 1);
        let mut index = Index::default();
        let path = Path::new("/w/a.md");
        index.upsert(path.to_path_buf(), Arc::new(summarize(&text)));
        assert!(matches!(index.articles.get(path), Some(Stored::Whole(_))));
        index.upsert(path.to_path_buf(), Arc::new(summarize(&text).for_index()));
        assert!(matches!(index.articles.get(path), Some(Stored::Compact(_))));
        assert!(index.edit_in_place(path, |s| (Vec::new(), s.related.len()..s.related.len())));
        assert!(matches!(index.articles.get(path), Some(Stored::Whole(_))));
        assert_eq!(index.get(path).as_deref(), Some(&summarize(&text).for_index()));
    }
}
