//! One open document: its rope, version and cached analysis, and the findings of the last
//! version that was assembled (kept with the text they describe).

use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use jiff::civil::Date;
use ropey::Rope;
use tower_lsp_server::ls_types::TextDocumentContentChangeEvent;

use super::convert::char_index;
use super::incremental::{Analysis, InPlace, ParseSource, first_changed_line};
use super::test_hook;
use crate::analysis::Diagnostic;
use crate::analysis::front_matter::ItemEdit;
use crate::ide;
use crate::line_index::PositionEncoding;

/// What an edit left to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Pending {
    /// The cached analysis is complete for the new text.
    Nothing,
    /// The front matter must be re-checked.
    FrontMatter,
    /// Everything must be analysed (the whole text was replaced, or no analysis exists yet).
    Everything,
}

/// The findings of one revision of a document together with the text they were computed on:
/// ranges are converted against that text and edits are pinned to its version, so results of
/// two versions never mix.
#[derive(Debug)]
pub struct Findings {
    pub revision: u64,
    pub version: i32,
    pub rope: Rope,
    pub diagnostics: Vec<Diagnostic>,
}

/// One version of a document as requests see it: immutable, shared through `Arc`. Its whole
/// text and its parse are made at most once per version, by whichever request needs them
/// first; the parse usually comes ready-made from the analysis (or carried over from the
/// previous version when an edit left the front matter alone), so requests never re-parse.
#[derive(Debug)]
pub struct Version {
    pub rope: Rope,
    pub version: i32,
    pub revision: u64,
    text: OnceLock<Arc<str>>,
    parsed: OnceLock<Arc<ide::Parsed>>,
    /// What the parse is made from when a request first needs it (set by the analysis).
    source: OnceLock<ParseSource>,
    /// Request results that depend on this version alone, computed once.
    pub views: super::ide_features::Views,
}

impl Version {
    fn new(rope: Rope, version: i32, revision: u64, source: Option<ParseSource>) -> Version {
        let cell = OnceLock::new();
        if let Some(source) = source {
            let _ = cell.set(source);
        }
        let (text, parsed, views) = (OnceLock::new(), OnceLock::new(), Default::default());
        Version { rope, version, revision, text, parsed, source: cell, views }
    }

    /// The whole text (copied out of the rope once per version).
    pub fn text(&self) -> Arc<str> {
        self.text.get_or_init(|| self.rope.to_string().into()).clone()
    }

    /// The article parsed: from the analysis' parse (assembled from its units on first use),
    /// or parsed here when the analysis has none for this version yet.
    pub fn parsed(&self) -> Arc<ide::Parsed> {
        let make = || match self.source.get() {
            Some(source) => Arc::new(source.build(self.rope.len_bytes())),
            None => Arc::new(ide::Parsed::new(&self.text())),
        };
        self.parsed.get_or_init(make).clone()
    }

    /// What the parse is made from, once the analysis has offered it: semantic tokens read
    /// the front matter's units from it without assembling the tree.
    pub fn parse_source(&self) -> Option<&ParseSource> {
        self.source.get()
    }

    /// Installs the analysis' parse of this very version (a request may have made one first).
    pub fn offer_parsed(&self, source: ParseSource) {
        let _ = self.source.set(source);
    }
}

#[derive(Debug, Clone)]
pub struct Document {
    /// Unique per `didOpen`: results of jobs started for an earlier opening are ignored.
    pub opening: u64,
    /// Unique per text state (every open and every change gets a fresh one). Client version
    /// numbers may repeat or go backwards; this never does, so staleness checks use it.
    pub revision: u64,
    pub path: Option<PathBuf>,
    pub rope: Rope,
    pub version: i32,
    /// `None` until the first full analysis has been installed.
    pub analysis: Option<Analysis>,
    /// The findings last assembled (code actions and pull requests read them).
    pub findings: Option<Arc<Findings>>,
    /// Counts `forget_findings` calls: an assembly that started before one is not kept.
    pub findings_epoch: u64,
    /// Work still needed before the findings of the current version are complete.
    pub needs: Pending,
    /// An analysis job for this document is running (at most one at a time).
    pub job_running: bool,
    /// The current version, as requests share it.
    pub current: Arc<Version>,
}

/// Source of `opening` and `revision` numbers.
static COUNTER: AtomicU64 = AtomicU64::new(1);

fn next_number() -> u64 {
    COUNTER.fetch_add(1, Ordering::Relaxed)
}

impl Document {
    pub fn new(path: Option<PathBuf>, text: &str, version: i32) -> Document {
        let (rope, revision) = (Rope::from_str(text), next_number());
        Document {
            opening: next_number(),
            revision,
            path,
            rope: rope.clone(),
            version,
            analysis: None,
            findings: None,
            findings_epoch: 0,
            needs: Pending::Everything,
            job_running: false,
            current: Arc::new(Version::new(rope, version, revision, None)),
        }
    }

    /// Forgets the assembled findings: they depend on settings or other files that changed.
    pub fn forget_findings(&mut self) {
        self.findings = None;
        self.findings_epoch += 1;
    }

    /// Applies the changes of one `didChange` and moves to `version`; an edit inside one front
    /// matter list item is applied in place when `in_place` gives the configuration and time
    /// (then [`Document::take_summary_changed`] says the index must learn it).
    pub fn change(
        &mut self,
        changes: &[TextDocumentContentChangeEvent],
        version: i32,
        (encoding, today): (PositionEncoding, Date),
        in_place: Option<InPlace<'_>>,
    ) -> Pending {
        // Dated body lines are judged against today: cached line findings of another day are
        // redone (once a day, not frozen at the cache's creation).
        if self.analysis.as_ref().is_some_and(|a| a.today() != Some(today)) {
            self.analysis = None;
        }
        // The old version's hold on the parse is let go first, so an in-place edit does not
        // have to copy it (a request may still hold it: then it does).
        let carried_tokens = self.current.views.carry_tokens();
        self.current = Arc::new(Version::new(self.rope.clone(), self.version, self.revision, None));
        let pending = changes.iter().map(|c| self.apply(c, encoding, in_place)).max().unwrap_or(Pending::Nothing);
        self.version = version;
        self.revision = next_number();
        // The front matter is untouched: its parse holds for this version too.
        let carried = match (pending, &self.analysis) {
            (Pending::Nothing, Some(analysis)) => analysis.parsed().cloned(),
            _ => None,
        };
        self.current = Arc::new(Version::new(self.rope.clone(), version, self.revision, carried));
        // The tokens the client holds, which a delta request names, and their units.
        self.current.views.keep_carried_tokens(carried_tokens);
        pending
    }

    /// Whether an in-place edit changed the summary since the last call: the index must be told.
    pub fn take_summary_changed(&mut self) -> bool {
        self.analysis.as_mut().is_some_and(Analysis::take_summary_changed)
    }

    /// Installs a finished analysis' parse when it is of the current version.
    pub fn offer_parsed(&self, revision: u64) {
        if revision != self.revision {
            return;
        }
        if let Some(source) = self.analysis.as_ref().and_then(Analysis::parsed) {
            self.current.offer_parsed(source.clone());
        }
    }

    /// Applies one content change (ranged or whole-text) and updates the line cache.
    fn apply(
        &mut self,
        change: &TextDocumentContentChangeEvent,
        encoding: PositionEncoding,
        in_place: Option<InPlace<'_>>,
    ) -> Pending {
        let Some(range) = change.range else {
            self.rope = Rope::from_str(&change.text);
            self.analysis = None;
            return Pending::Everything;
        };
        let a = char_index(&self.rope, range.start, encoding);
        let b = char_index(&self.rope, range.end, encoding);
        let (start, end) = (a.min(b), a.max(b));
        let first = self.rope.char_to_line(start);
        let old_last = self.rope.char_to_line(end);
        let edit =
            ItemEdit { range: self.rope.char_to_byte(start)..self.rope.char_to_byte(end), new_len: change.text.len() };
        self.rope.remove(start..end);
        self.rope.insert(start, &change.text);
        let new_last = self.rope.char_to_line(start + change.text.chars().count());
        let from = first_changed_line(&self.rope, first, edit.range.start);
        let Some(analysis) = &mut self.analysis else {
            return Pending::Everything;
        };
        // The per-line checks run on the server's own task: a panic there must cost only this
        // cache (a full analysis job, itself contained, rebuilds it), never the server.
        let rope = &self.rope;
        let edited = std::panic::catch_unwind(AssertUnwindSafe(|| {
            test_hook::maybe_panic(&change.text);
            analysis.edited(rope, (from..old_last + 1, from..new_last + 1), &edit, in_place)
        }));
        match edited {
            Ok(true) => Pending::FrontMatter,
            Ok(false) => Pending::Nothing,
            Err(_) => {
                self.analysis = None;
                Pending::Everything
            }
        }
    }
}
