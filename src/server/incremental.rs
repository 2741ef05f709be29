//! Incremental analysis of one open document.
//!
//! Per-line results are cached by line number (ranges relative to the line's start), so an edit
//! re-checks only the lines it touched and shifts the rest by splicing the cache. The front
//! matter is re-checked only when an edit touches it (or could create or close it); its
//! findings keep absolute offsets, which edits below it cannot move.

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use jiff::Timestamp;
use jiff::civil::Date;
use ropey::Rope;

use crate::analysis::front_matter::{self, ItemEdit, ItemPatch, UnitCache, patch_unit};
use crate::analysis::layout::Layout;
use crate::analysis::text::{LineKind, check_line};
use crate::analysis::yaml::{Entry, Node, Scalar, Value};
use crate::analysis::{self, Diagnostic};
use crate::config::Config;
use crate::ide;
use crate::line_index::rope_line_text;
use crate::workspace::index;
use crate::workspace::summary::{
    RelatedSummary, Span, Spanned, Text, dash_before, summarize_front_matter, summarize_parsed,
};
use crate::workspace::{ArticleSummary, Index};

/// The findings of one line, relative to the line's start. Shared, so taking the findings of a
/// version to assemble them elsewhere copies pointers, not diagnostics.
type Found = Arc<[Diagnostic]>;

/// The findings of the lines that have any, in line order. Sparse, so that an edit, a copy for
/// a version still being published and an assembly cost O(findings), never O(lines): a 10 MB
/// text has 200,000 lines and usually a handful of findings.
#[derive(Debug, Clone, Default)]
struct LineTable(Vec<(usize, Found)>);

impl LineTable {
    /// Replaces the findings of lines `old` (numbered before an edit) by `fresh` (numbered
    /// after it, within `new`), moving the lines after the edit by its change in line count.
    fn splice(&mut self, old: Range<usize>, new: Range<usize>, fresh: impl Iterator<Item = (usize, Found)>) {
        let start = self.0.partition_point(|(line, _)| *line < old.start);
        let end = self.0.partition_point(|(line, _)| *line < old.end).max(start);
        let delta = new.len() as isize - old.len() as isize;
        for (line, _) in &mut self.0[end..] {
            *line = line.saturating_add_signed(delta);
        }
        self.0.splice(start..end, fresh);
    }

    fn iter(&self) -> impl Iterator<Item = &(usize, Found)> {
        self.0.iter()
    }
}

/// Cached analysis results of one document.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    /// Findings of the lines that have any, with default severities. Shared with an assembly in
    /// flight (the publisher's): an edit copies the table only if one still holds it.
    lines: Arc<LineTable>,
    /// Findings of the front matter (absolute offsets, default severities).
    front: Arc<[Diagnostic]>,
    /// Lines `0..front_lines` hold the front matter (delimiters included).
    front_lines: usize,
    /// The front matter was opened but not closed, so any edit may change its extent.
    front_open: bool,
    /// The first body line; lines before it are checked as front matter.
    body_line: usize,
    /// The front matter must be re-checked before findings are complete.
    pub front_dirty: bool,
    today: Option<Date>,
    /// Parses of the front matter's units (entries, list items) for the next re-check.
    units: UnitCache,
    /// The article as parsed by the last front matter check (requests share it).
    parsed: Option<ParseSource>,
    /// What the workspace index holds of the article: the last check's summary with the
    /// in-place edits since, except the last `summary_behind` of `index_changes`.
    summary: Option<Arc<ArticleSummary>>,
    /// The summary changed with an edit applied in place: the index must learn it.
    summary_changed: bool,
    /// The changes in-place edits made to the summary since the index last learnt it, in order:
    /// the index applies them to its own copy rather than copying the summary per keystroke.
    index_changes: Vec<SummaryChange>,
    /// How many of the last `index_changes` the summary lacks: they were made while another
    /// holder (the index, which shares it after a check) kept it, and copying it for them would
    /// hold the 2,000 entries twice. The index applies them to the copy they share, and the
    /// document shares the result ([`Analysis::take_index_changes`]).
    summary_behind: usize,
}

/// The changes the index must apply, and what the document's summary lacks of them.
#[derive(Debug)]
pub struct IndexChanges {
    /// In order, since the index last learnt the summary.
    pub changes: Vec<SummaryChange>,
    /// The document's summary (the changes' last `behind` are not applied to it).
    pub summary: Arc<ArticleSummary>,
    pub behind: usize,
}

impl IndexChanges {
    /// The changes the document's summary lacks.
    pub fn unapplied(&self) -> &[SummaryChange] {
        &self.changes[self.changes.len().saturating_sub(self.behind)..]
    }

    /// The summary of the current text: a copy of the document's with the changes it lacks.
    fn current(&self) -> ArticleSummary {
        let mut copy = ArticleSummary::clone(&self.summary);
        for change in self.unapplied() {
            drop(change.apply(&mut copy));
        }
        copy
    }

    /// Has the index learn the changes of the file at `path`, and returns the summary the
    /// document and the index then share (one copy, not two). Each change to one `related`
    /// entry, or to a top-level entry the index looks nothing up by (`title`), is applied to the
    /// index's copy in place, in order; a document's summary that lacks them is that copy, let
    /// go of first so it is edited without being copied. Any other change, or a file not
    /// indexed, gives the index the document's summary with the changes.
    pub fn teach(self, index: &mut Index, path: &Path) -> Option<Arc<ArticleSummary>> {
        let in_place = self.changes.iter().all(SummaryChange::index_takes_in_place) && index.article(path).is_some();
        let apply = |index: &mut Index, changes: &[SummaryChange]| {
            for change in changes {
                index.edit_in_place(path, |summary| change.apply(summary));
            }
        };
        if in_place && self.behind > 0 {
            let IndexChanges { changes, summary, .. } = self;
            drop(summary);
            apply(index, &changes);
            return index.get(path);
        }
        let current = if self.behind == 0 { self.summary.clone() } else { Arc::new(self.current()) };
        if in_place {
            apply(index, &self.changes);
            // A copy that drifted from the document's (it should not) is replaced.
            let copy = index.get(path).filter(|copy| copy.related.len() == current.related.len());
            if let Some(copy) = copy {
                return Some(copy.clone());
            }
        }
        index.update(path.to_path_buf(), current.clone());
        Some(current)
    }
}

/// What one in-place edit changed in the summary, made once and applied to the document's
/// summary and then, in the same order, to the index's copy.
#[derive(Debug, Clone)]
pub struct SummaryChange {
    edit: ItemEdit,
    /// The edited unit in the old text.
    old_unit: Range<usize>,
    key: &'static str,
    /// For a top-level entry: the fields it set before the edit and sets now.
    fields: Option<(ArticleSummary, ArticleSummary)>,
    /// For a list item: what it contributes now (spans in the new text).
    item: ArticleSummary,
}

/// What an edit inside the front matter may be applied with, in place, when it falls inside
/// one list item or one top-level scalar entry (`front_matter::patch_unit`).
#[derive(Debug, Clone, Copy)]
pub struct InPlace<'a> {
    pub config: &'a Config,
    pub now: Timestamp,
}

/// The front matter's part of an analysis, computed off the editing path.
#[derive(Debug, Clone)]
pub struct FrontResult {
    front: Arc<[Diagnostic]>,
    front_lines: usize,
    front_open: bool,
    body_line: usize,
    pub summary: Arc<ArticleSummary>,
    units: UnitCache,
    parsed: ParseSource,
}

/// The article's parse as requests get it: made already (a front matter that did not parse
/// as units, or none), or assembled from the front matter's units when a request first needs
/// it, so a keystroke never rebuilds a tree with absolute spans.
#[derive(Debug, Clone)]
pub enum ParseSource {
    Ready(Arc<ide::Parsed>),
    /// The layout of the text up to the end of the front matter, and its units.
    Units(Layout, Arc<front_matter::Units>),
}

impl ParseSource {
    /// The parse, for a whole text of `len` bytes.
    pub fn build(&self, len: usize) -> ide::Parsed {
        match self {
            ParseSource::Ready(parsed) => parsed.with_len(len),
            ParseSource::Units(layout, units) => {
                let front = front_matter::Parsed { root: Some(units.root()), errors: Vec::new() };
                ide::Parsed::of_front_matter(layout.clone(), Some(Arc::new(front)), len)
            }
        }
    }
}

impl Analysis {
    /// Analyses the whole document.
    pub fn full(rope: &Rope, config: &Config, now: Timestamp) -> (Analysis, Arc<ArticleSummary>) {
        let front = check_front(rope, config, now, UnitCache::default());
        let today = analysis::today(now);
        let lines = LineTable(check_lines(rope, 0..rope.len_lines(), front.body_line, today).collect());
        let mut res = Analysis { lines: Arc::new(lines), today: Some(today), ..Analysis::default() };
        let summary = front.summary.clone();
        res.install_front_fields(front);
        (res, summary)
    }

    /// Updates the line cache after `edit` (byte offsets before it) replaced `old_lines` (line
    /// numbers before the edit) by `new_lines` (after it); applies an edit inside one front
    /// matter list item in place when `in_place` allows. Returns whether the front matter must
    /// be re-checked.
    pub fn edited(
        &mut self,
        rope: &Rope,
        (old_lines, new_lines): (Range<usize>, Range<usize>),
        edit: &ItemEdit,
        in_place: Option<InPlace<'_>>,
    ) -> bool {
        let Some(today) = self.today else { return true };
        // A front matter check still in flight must be redone for this newer text too.
        let touches_front = self.front_dirty || self.front_open || old_lines.start <= self.front_lines;
        let patched = touches_front && in_place.is_some_and(|how| self.patch_front(rope, edit, how));
        if old_lines.start < self.body_line {
            // Until the front matter is re-checked, the body keeps its start relative to the edit.
            let delta = new_lines.len() as isize - old_lines.len() as isize;
            let shift = |line: usize| (line as isize + delta).max(old_lines.start as isize) as usize;
            self.body_line = shift(self.body_line);
            self.front_lines = shift(self.front_lines);
        }
        let fresh = check_lines(rope, new_lines.clone(), self.body_line, today);
        Arc::make_mut(&mut self.lines).splice(old_lines, new_lines, fresh);
        if touches_front && !patched {
            self.front_dirty = true;
        }
        touches_front && !patched
    }

    /// Applies an edit inside one list item of a clean front matter to its parse, findings and
    /// summary in place; `false` (nothing changed) when the whole front matter must be checked.
    fn patch_front(&mut self, rope: &Rope, edit: &ItemEdit, how: InPlace<'_>) -> bool {
        if self.front_dirty || self.front_open {
            return false;
        }
        let (Some(ParseSource::Units(mut layout, held)), true) = (self.parsed.take(), self.summary.is_some()) else {
            return false;
        };
        // Let go of this hold on the units, so patching them does not copy them (a request may
        // still hold an older version's: then it does).
        drop(held);
        let mut findings = self.front.to_vec();
        let read = |range: Range<usize>| rope.get_byte_slice(range).map(|s| s.to_string()).unwrap_or_default();
        let patch = patch_unit(&mut self.units, &mut findings, edit, read, (how.config, how.now));
        let (Some(patch), Some(units)) = (patch, self.units.units()) else {
            self.parsed = self.units.units().map(|units| ParseSource::Units(layout, units));
            return false;
        };
        // In place when the document holds the summary alone; otherwise the change waits for
        // the holder (the index) to apply it to the copy they share.
        let change = SummaryChange::of(&patch, edit);
        match self.summary.as_mut().and_then(Arc::get_mut).filter(|_| self.summary_behind == 0) {
            Some(summary) => drop(change.apply(summary)),
            None => self.summary_behind += 1,
        }
        self.index_changes.push(change);
        move_layout(&mut layout, edit, rope.len_bytes());
        self.summary_changed = true;
        self.parsed = Some(ParseSource::Units(layout, units));
        self.front = findings.into();
        true
    }

    /// What the workspace index holds of the article, when it has every in-place edit
    /// (`None` while some wait for the index: see [`Analysis::take_index_changes`]).
    pub fn summary(&self) -> Option<&Arc<ArticleSummary>> {
        self.summary.as_ref().filter(|_| self.summary_behind == 0)
    }

    /// Whether an in-place edit changed the summary since the last call (the index must be
    /// told: [`Analysis::take_index_changes`] has what it must learn).
    pub fn take_summary_changed(&mut self) -> bool {
        std::mem::take(&mut self.summary_changed)
    }

    /// The changes in-place edits made to the summary since the last call, in order, with the
    /// summary, which the document lets go of: the caller has the index learn them and gives
    /// the document the summary they then share ([`Analysis::share_summary`]) under the same lock.
    pub fn take_index_changes(&mut self) -> Option<IndexChanges> {
        if self.index_changes.is_empty() {
            return None;
        }
        let changes = std::mem::take(&mut self.index_changes);
        let behind = std::mem::take(&mut self.summary_behind);
        Some(IndexChanges { changes, summary: self.summary.take()?, behind })
    }

    /// The summary the index and the document share after the index learnt the changes.
    pub fn share_summary(&mut self, summary: Option<Arc<ArticleSummary>>) {
        self.summary = summary;
        self.summary_behind = 0;
    }

    /// Installs a fresh front matter result computed for the current text; re-checks the lines
    /// whose kind (front matter or body) changed.
    pub fn install_front(&mut self, rope: &Rope, front: FrontResult) {
        let old_body = self.body_line;
        let body_line = front.body_line;
        self.install_front_fields(front);
        let Some(today) = self.today else { return };
        let changed = old_body.min(body_line)..old_body.max(body_line).min(rope.len_lines());
        let fresh = check_lines(rope, changed.clone(), body_line, today);
        Arc::make_mut(&mut self.lines).splice(changed.clone(), changed, fresh);
    }

    fn install_front_fields(&mut self, front: FrontResult) {
        self.front = front.front;
        self.front_lines = front.front_lines;
        self.front_open = front.front_open;
        self.body_line = front.body_line;
        self.units = front.units;
        self.parsed = Some(front.parsed);
        self.summary = Some(front.summary);
        self.summary_changed = false;
        self.index_changes.clear();
        self.summary_behind = 0;
        self.front_dirty = false;
    }

    /// The parse of the front matter's last check, if it is current (layout relative to the
    /// text it was made for: see `ide::Parsed::with_len`).
    pub fn parsed(&self) -> Option<&ParseSource> {
        self.parsed.as_ref().filter(|_| !self.front_dirty)
    }

    /// The unit parses a front matter re-check of the next text can reuse.
    pub fn units(&self) -> UnitCache {
        self.units.clone()
    }

    /// The date the per-line findings were computed for (dated body lines depend on it).
    pub fn today(&self) -> Option<Date> {
        self.today
    }

    /// All findings with absolute offsets and configured severities, sorted.
    pub fn diagnostics(&self, rope: &Rope, config: &Config) -> Vec<Diagnostic> {
        self.findings().assemble(rope, config)
    }

    /// The findings of this version, to be assembled elsewhere (cheap: shared per line).
    pub fn findings(&self) -> Unassembled {
        Unassembled { lines: self.lines.clone(), front: self.front.clone() }
    }
}

/// The cached findings of one version, not yet shifted into place: assembling them costs
/// O(lines + findings), so it happens once per publication, outside the state lock, never on
/// each keystroke.
#[derive(Debug, Clone)]
pub struct Unassembled {
    lines: Arc<LineTable>,
    front: Arc<[Diagnostic]>,
}

impl Unassembled {
    /// Whether there are at most `limit` findings (counting stops past it).
    pub fn at_most(&self, limit: usize) -> bool {
        let mut count = self.front.len();
        for (_, found) in self.lines.iter() {
            if count > limit {
                break;
            }
            count += found.len();
        }
        count <= limit
    }

    /// All findings with absolute offsets and configured severities, sorted.
    pub fn assemble(&self, rope: &Rope, config: &Config) -> Vec<Diagnostic> {
        let mut all = self.front.to_vec();
        for (line, found) in self.lines.iter() {
            if *line >= rope.len_lines() {
                continue;
            }
            let start = rope.line_to_byte(*line);
            all.extend(found.iter().map(|d| d.shifted(start as isize)));
        }
        if analysis::is_blank(rope.chunks()) {
            all.push(analysis::empty_file(rope.len_bytes()));
        }
        analysis::apply_severities(all, config)
    }
}

/// Checks the front matter of the document held by `rope` (only the text it needs).
pub fn check_front(rope: &Rope, config: &Config, now: Timestamp, mut units: UnitCache) -> FrontResult {
    let prefix = front_matter_prefix(rope);
    let checked = analysis::check_front_matter_cached(&prefix, config, now, &mut units);
    let (front_lines, front_open, body_line) = match &checked.layout.front_matter {
        None => (0, false, 0),
        Some(fm) => {
            let body_line = first_body_line(rope, checked.layout.body.start);
            (body_line, fm.closer.is_none(), body_line)
        }
    };
    let summary = match checked.parsed.as_ref() {
        Some(parsed) => {
            // The copy of the text goes before the summary is made, so the two never coexist
            // (the summary reads only the bytes before each related item, from the rope).
            drop(prefix);
            summarize_front_matter(parsed, |at| dash_before(at, |i| rope.get_byte(i)))
        }
        None => summarize_parsed(&prefix, &checked.layout, None),
    };
    let summary = Arc::new(summary);
    let mut layout = checked.layout;
    if layout.front_matter.is_none() {
        // The prefix was empty: the body is the whole text after a BOM.
        let bom = rope.get_char(0) == Some('\u{feff}');
        layout.body = if bom { '\u{feff}'.len_utf8() } else { 0 }..0;
    }
    // A front matter parsed as units is kept as those alone (requests assemble the tree): its
    // tree is made of the cache's own list items, which go back to it.
    let mut front = checked.parsed;
    if let Some(parsed) = front.as_mut().filter(|_| units.is_lending()) {
        let lent = parsed.root.take().map(|root| units.give_back(root));
        parsed.root = lent.and_then(Result::err);
    }
    let parsed = match (units.units(), front) {
        (Some(held), Some(_)) => ParseSource::Units(layout, held),
        (_, front) => {
            ParseSource::Ready(Arc::new(ide::Parsed::of_front_matter(layout, front.map(Arc::new), rope.len_bytes())))
        }
    };
    FrontResult { front: checked.diagnostics.into(), front_lines, front_open, body_line, summary, units, parsed }
}

impl SummaryChange {
    fn of(patch: &ItemPatch, edit: &ItemEdit) -> SummaryChange {
        let fields = patch.replaced.as_ref().map(|replaced| {
            let old = entry_summary(patch.key, replaced, "", 0);
            (old, entry_summary(patch.key, &patch.node, &patch.unit_text, patch.unit.start))
        });
        let item = if fields.is_some() { ArticleSummary::default() } else { item_summary(patch) };
        let old_unit = patch.unit.start..patch.unit.end.saturating_add_signed(-delta(edit));
        SummaryChange { edit: edit.clone(), old_unit, key: patch.key, fields, item }
    }

    /// Whether the index can apply the change to its own copy in place
    /// ([`crate::workspace::Index::edit_in_place`]) instead of taking a whole copy of the summary:
    /// it replaces one `related` entry and only moves the rest, or it sets a top-level entry to
    /// values the index looks nothing up by (a title, an excerpt, a date).
    pub fn index_takes_in_place(&self) -> bool {
        self.related_only() || self.keeps_lookups()
    }

    fn related_only(&self) -> bool {
        self.fields.is_none() && self.key == "related"
    }

    fn keeps_lookups(&self) -> bool {
        self.fields.as_ref().is_some_and(|(before, after)| index::same_lookups(before, after))
    }

    /// Moves the summary's spans and replaces what the edited item contributed (a related
    /// entry, a topic, a top-level entry's fields; images contribute nothing). Returns the
    /// `related` entries it removed and where it inserted the new ones.
    pub fn apply(&self, summary: &mut ArticleSummary) -> (Vec<RelatedSummary>, Range<usize>) {
        let (removed, at) = patch_summary(summary, self);
        let inserted = if self.related_only() { at..at + self.item.related.len() } else { at..at };
        (removed, inserted)
    }
}

/// [`SummaryChange::apply`]; returns the removed `related` entry, if any, and where the
/// edited item's entries go.
fn patch_summary(summary: &mut ArticleSummary, change: &SummaryChange) -> (Vec<RelatedSummary>, usize) {
    let (edit, old_unit) = (&change.edit, &change.old_unit);
    let (related_at, removed) = take_item(&mut summary.related, |r| r.span.start(), old_unit);
    let topic_at = take_item(&mut summary.topics, |t| t.span.start(), old_unit).0;
    let moved = |span: &mut Span| *span = span.map(|at| edit.moved(at));
    let singles = summary.spanned_fields_mut().into_iter().flatten().filter(|s| s.span.start() >= edit.range.end);
    singles.for_each(|field| moved(&mut field.span));
    let lists = summary.topics.iter_mut().chain(summary.dated_lines.iter_mut());
    lists.filter(|s| s.span.start() >= edit.range.end).for_each(|field| moved(&mut field.span));
    for related in summary.related.iter_mut().filter(|r| r.span.start() >= edit.range.end) {
        moved(&mut related.span);
        related.web_url.iter_mut().for_each(|u: &mut Spanned<Text>| moved(&mut u.span));
    }
    if let Some((old, new)) = &change.fields {
        replace_entry_fields(summary, old.clone(), new.clone());
        return (removed.into_iter().collect(), related_at);
    }
    match change.key {
        "related" => drop(summary.related.splice(related_at..related_at, change.item.related.iter().cloned())),
        "topics" => drop(summary.topics.splice(topic_at..topic_at, change.item.topics.iter().cloned())),
        _ => {}
    }
    (removed.into_iter().collect(), related_at)
}

/// What the top-level entry `key: value` alone contributes to a summary (`value`'s spans are
/// relative to `text`, which starts at `at`).
fn entry_summary(key: &str, value: &Node, text: &str, at: usize) -> ArticleSummary {
    let key = Node::new(0..0, Value::Scalar(Scalar { text: key.to_string().into(), plain: true }));
    let root = Node::new(0..0, Value::Mapping(Box::new([Entry { key, value: value.clone() }])));
    let parsed = front_matter::Parsed { root: Some(root), errors: Vec::new() };
    let layout = Layout { front_matter: None, body: 0..0 };
    let mut summary = summarize_parsed(text, &layout, Some(&parsed));
    let spanned = summary.spanned_fields_mut();
    for field in spanned.into_iter().flatten() {
        field.span = field.span.map(|offset| offset + at);
    }
    summary
}

/// Replaces the summary fields a top-level entry set before or sets now (its key is unique, so
/// they are its alone).
fn replace_entry_fields(summary: &mut ArticleSummary, old: ArticleSummary, new: ArticleSummary) {
    fn pick<T>(slot: &mut Option<T>, old: Option<T>, new: Option<T>) {
        if old.is_some() || new.is_some() {
            *slot = new;
        }
    }
    pick(&mut summary.title, old.title, new.title);
    pick(&mut summary.excerpt, old.excerpt, new.excerpt);
    pick(&mut summary.web_url, old.web_url, new.web_url);
    pick(&mut summary.original_url, old.original_url, new.original_url);
    pick(&mut summary.published, old.published, new.published);
    pick(&mut summary.kind, old.kind, new.kind);
    pick(&mut summary.category, old.category, new.category);
}

/// Removes the entry of `list` (sorted by start) that lies in `unit`, if any; returns where the
/// unit's entries go, and the entry removed.
fn take_item<T>(list: &mut Vec<T>, start: impl Fn(&T) -> usize, unit: &Range<usize>) -> (usize, Option<T>) {
    let at = list.partition_point(|it| start(it) < unit.start);
    let removed = list.get(at).is_some_and(|it| unit.contains(&start(it))).then(|| list.remove(at));
    (at, removed)
}

fn delta(edit: &ItemEdit) -> isize {
    edit.new_len as isize - edit.range.len() as isize
}

/// What the edited item alone contributes to a summary (spans in the new text).
fn item_summary(patch: &ItemPatch) -> ArticleSummary {
    let key = Node::new(0..0, Value::Scalar(Scalar { text: patch.key.into(), plain: true }));
    let list = Node::new(patch.node.span(), Value::Sequence(Box::new([patch.node.clone()])));
    let root = Node::new(0..0, Value::Mapping(Box::new([Entry { key, value: list }])));
    let parsed = front_matter::Parsed { root: Some(root), errors: Vec::new() };
    let layout = Layout { front_matter: None, body: 0..0 };
    let mut summary = summarize_parsed(&patch.unit_text, &layout, Some(&parsed));
    let by = |span: &mut Span| *span = span.map(|at| at + patch.unit.start);
    for related in &mut summary.related {
        by(&mut related.span);
        related.web_url.iter_mut().for_each(|u| by(&mut u.span));
    }
    summary.topics.iter_mut().for_each(|t| by(&mut t.span));
    summary
}

/// Moves the layout's offsets after an in-place edit inside the front matter.
fn move_layout(layout: &mut Layout, edit: &ItemEdit, len: usize) {
    if let Some(fm) = layout.front_matter.as_mut() {
        fm.yaml.end = edit.moved(fm.yaml.end);
        fm.closer = fm.closer.take().map(|c| edit.moved(c.start)..edit.moved(c.end));
    }
    layout.body = edit.moved(layout.body.start)..len;
}

/// The line the body starts on. The body starts at a line start, or at the end of the text when
/// the front matter takes it all: then a last line without a line break still belongs to the
/// front matter, and the body starts past the last line.
fn first_body_line(rope: &Rope, body_start: usize) -> usize {
    let at = body_start.min(rope.len_bytes());
    let line = rope.byte_to_line(at);
    if rope.line_to_byte(line) < at { line + 1 } else { line }
}

/// The text up to the end of the front matter's closing line (the whole text when the front
/// matter is not closed; nothing when there is none).
fn front_matter_prefix(rope: &Rope) -> String {
    let first = rope_line_text(rope, 0);
    let first = first.strip_prefix('\u{feff}').unwrap_or(&first);
    if !first.starts_with("---") {
        return String::new();
    }
    // One pass over the lines in order (random access per line costs a tree walk each); only
    // short lines can be a delimiter, so only they are looked at.
    let mut end = 0;
    for (number, line) in rope.lines().enumerate() {
        end += line.len_bytes();
        if number == 0 || line.len_bytes() > MAX_DELIMITER_LINE {
            continue;
        }
        let text = line.to_string();
        let mark = text.trim_end_matches(['\n', '\r']).trim_end_matches([' ', '\t']);
        if mark == "---" || mark == "..." {
            // `From` sizes the string exactly; `to_string` grows it by doubling (a 1 MiB
            // buffer for an 870 KB front matter, the largest allocation of a `didOpen`).
            return String::from(rope.byte_slice(..end));
        }
    }
    String::from(rope)
}

/// Longer lines cannot be a `---` or `...` delimiter (three characters, trailing blanks and a
/// line break); a generous bound that keeps blank-padded delimiters.
const MAX_DELIMITER_LINE: usize = 256;

/// The first line an edit on line `first` starting at byte `edit_start` (of the edited rope) can
/// have changed: that line, or the one above when a CR right before the edit may have been
/// joined to or split from an LF. Re-checking an unchanged line would be wasted work.
pub fn first_changed_line(rope: &Rope, first: usize, edit_start: usize) -> usize {
    let after_cr = edit_start > 0 && rope.get_byte(edit_start - 1) == Some(b'\r');
    if after_cr { first.saturating_sub(1) } else { first }
}

fn kind_of(line: usize, body_line: usize) -> LineKind {
    if line >= body_line { LineKind::Body } else { LineKind::FrontMatter }
}

/// The findings of `lines` that have any, with their line numbers.
fn check_lines(
    rope: &Rope,
    lines: Range<usize>,
    body_line: usize,
    today: Date,
) -> impl Iterator<Item = (usize, Found)> + '_ {
    lines.filter_map(move |line| Some((line, check_one(rope, line, kind_of(line, body_line), today)?)))
}

fn check_one(rope: &Rope, line: usize, kind: LineKind, today: Date) -> Option<Found> {
    let text = rope_line_text(rope, line);
    let mut acc = Vec::new();
    check_line(&mut acc, &text, 0, kind, today);
    (!acc.is_empty()).then(|| acc.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2026-01-01T00:00:00Z".parse().unwrap()
    }

    /// Applies a byte-range edit the way the server does; returns whether it was applied in
    /// place.
    fn edit(rope: &mut Rope, analysis: &mut Analysis, range: Range<usize>, insert: &str, config: &Config) -> bool {
        let start = rope.byte_to_char(range.start);
        let end = rope.byte_to_char(range.end);
        let first = rope.char_to_line(start);
        let old_last = rope.char_to_line(end);
        rope.remove(start..end);
        rope.insert(start, insert);
        let new_last = rope.char_to_line(start + insert.chars().count());
        let from = first_changed_line(rope, first, range.start);
        let item_edit = ItemEdit { range: range.clone(), new_len: insert.len() };
        let in_place = InPlace { config, now: now() };
        let dirty_before = analysis.front_dirty;
        if analysis.edited(rope, (from..old_last + 1, from..new_last + 1), &item_edit, Some(in_place)) {
            let front = check_front(rope, config, now(), analysis.units());
            analysis.install_front(rope, front);
            return false;
        }
        !dirty_before && analysis.take_summary_changed()
    }

    const ARTICLE: &str = "---\ntitle: \"A\"\npublishedDateTime: 2021-09-26T06:17:00Z\nwebUrl: \"https://a.example.com/1\"\nprovider:\n  name: A\n  domain: a.example.com\ntopics:\n  - AI\n  - \"Public Health\"\nrelated:\n  - title: \"R0\"\n    webUrl: \"https://r0.example.com/a\"\n    publishedDateTime: 2021-02-30T00:00:00Z\n  - title: R1\n    webUrl: https://r1.example.com/b\n    provider:\n      name: P\n      domain: other.example.com\n  - title: R2\n---\n2021-02-30 bad\ncafÃ© line\r\nplain\rlast";

    /// Random edits, each followed by the server's incremental update, compared with a full
    /// check of the same text. `front_bias` of 16 puts every edit in the front matter's lines
    /// (as long as there is one), 0 anywhere.
    fn random_edits(seed: u64, steps: usize, front_bias: u64) -> usize {
        let mut patched = 0;
        let config = Config::default();
        let inserts = [
            "x",
            "\n",
            "\r\n",
            "\r",
            "2021-13-01 ",
            "â€™",
            "---\n",
            "😀",
            "",
            "title: dup\n",
            "é",
            "  - ",
            "- ",
            ":",
            "\"",
            "  - title: N\n    webUrl: \"https://n.example.com\"\n",
            "    provider:\n",
            "related:\n",
            "#",
        ];
        let mut rope = Rope::from_str(ARTICLE);
        let (mut analysis, _) = Analysis::full(&rope, &config, now());
        // The index's copy, which learns in-place edits from their changes alone.
        let mut index = indexed(&analysis);
        let mut seed = seed;
        for step in 0..steps {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let text = rope.to_string();
            let front_end = text.find("\n---").map_or(text.len(), |i| i + 1);
            let limit = if (seed >> 59) < front_bias { front_end } else { text.len() };
            let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
            let within: Vec<usize> = boundaries.iter().copied().filter(|&b| b <= limit).collect();
            let a = within[(seed >> 33) as usize % within.len()];
            let b = *boundaries.iter().find(|&&x| x >= a + (seed >> 13) as usize % 8).unwrap_or(&text.len());
            let insert = inserts[(seed >> 40) as usize % inserts.len()];
            let in_place = edit(&mut rope, &mut analysis, a..b, insert, &config);
            patched += usize::from(in_place);
            follow_in_index(&mut index, &mut analysis, in_place, step);
            let text = rope.to_string();
            let expected = analysis::check(&text, &config, now());
            assert_eq!(analysis.diagnostics(&rope, &config), expected, "step {step}: {text:?}");
            if in_place {
                same_parse_and_summary(&analysis, &text);
            }
            if text.len() > 4_000 || step % 300 == 299 {
                rope = Rope::from_str(ARTICLE);
                (analysis, _) = Analysis::full(&rope, &config, now());
                index = indexed(&analysis);
            }
        }
        patched
    }

    const PATH: &str = "/w/article.md";

    /// An index holding the document's summary, as the server's does after a check.
    fn indexed(analysis: &Analysis) -> Index {
        let mut index = Index::default();
        if let Some(summary) = analysis.summary() {
            index.update(PATH.into(), summary.clone());
        }
        index
    }

    /// The index learns an edit applied in place from its changes alone, editing the copy it
    /// shares with the document without copying it, and then the document shares the result;
    /// after any other edit it takes the fresh check's summary.
    fn follow_in_index(index: &mut Index, analysis: &mut Analysis, in_place: bool, step: usize) {
        let path = Path::new(PATH);
        let Some(taken) = in_place.then(|| analysis.take_index_changes()).flatten() else {
            if let Some(summary) = analysis.summary() {
                index.update(PATH.into(), summary.clone());
            }
            return;
        };
        let mut copy = index.get(path).map(|s| ArticleSummary::clone(&s)).expect("indexed");
        for change in &taken.changes {
            let before = change.keeps_lookups().then(|| copy.clone());
            drop(change.apply(&mut copy));
            let kept = before.is_none_or(|before| index::same_lookups(&before, &copy));
            assert!(kept, "step {step}: a change the index takes in place changed what it looks up");
        }
        let without_copy = taken.behind > 0 && taken.changes.iter().all(SummaryChange::index_takes_in_place);
        let before = index.get(path).as_ref().map(Arc::as_ptr);
        let shared = taken.teach(index, path);
        analysis.share_summary(shared);
        let now = index.get(path).expect("indexed");
        assert_eq!(now.as_ref(), &copy, "step {step}: the index's copy");
        assert!(analysis.summary().is_some_and(|s| Arc::ptr_eq(s, &now)), "step {step}: one summary, shared");
        if without_copy {
            assert_eq!(before, Some(Arc::as_ptr(&now)), "step {step}: the index's copy was edited in place");
        }
    }

    /// An edit applied in place left the parse and the summary a fresh check makes.
    fn same_parse_and_summary(analysis: &Analysis, text: &str) {
        let parsed = analysis.parsed().expect("a current parse").build(text.len());
        let fresh = ide::Parsed::new(text);
        assert_eq!(parsed.layout, fresh.layout, "{text:?}");
        assert_eq!(parsed.front, fresh.front, "{text:?}");
        let summary = analysis.summary.as_deref().expect("a summary");
        assert_eq!(summary, &crate::workspace::summarize(text), "{text:?}");
    }

    /// The index takes an edit of a title in place, but not one of `type` or `category`, whose
    /// values it counts.
    #[test]
    fn only_edits_of_fields_the_index_looks_nothing_up_by_keep_its_lookups() {
        let config = Config::default();
        let text = "---\ntitle: \"A\"\ntype: article\ncategory: news\nrelated:\n  - title: R\n---\nbody\n";
        for (after, keeps) in [("title: \"", true), ("category: ne", false), ("type: art", false)] {
            let mut rope = Rope::from_str(text);
            let (mut analysis, _) = Analysis::full(&rope, &config, now());
            let at = text.find(after).unwrap() + after.len();
            assert!(edit(&mut rope, &mut analysis, at..at, "x", &config), "{after}: applied in place");
            let changes = analysis.take_index_changes().map(|taken| taken.changes).unwrap_or_default();
            assert_eq!(changes.iter().map(SummaryChange::keeps_lookups).collect::<Vec<_>>(), [keeps], "{after}");
        }
    }

    #[test]
    fn incremental_results_equal_a_full_check_after_edits_in_the_front_matter() {
        random_edits(7, 3_000, 16);
    }

    /// Edits inside the front matter's lists, mostly keeping it valid YAML, so that most are
    /// applied in place: findings, parse and summary equal a full check's after each.
    #[test]
    fn edits_inside_list_items_applied_in_place_equal_a_full_check() {
        let patched = edits_in_values(11, |text| {
            text.find("topics:").unwrap_or(0)..text.find("\n---").map_or(text.len(), |i| i + 1)
        });
        assert!(patched > 200, "{patched}");
    }

    /// The same inside the top-level fields before the lists (`title`, a date, `webUrl`,
    /// `provider`): edits inside a scalar field's value are applied in place.
    #[test]
    fn edits_inside_top_level_values_applied_in_place_equal_a_full_check() {
        // Only `title` and the date qualify (`webUrl` and `provider` are read across entries).
        let patched = edits_in_values(12, |text| 4..text.find("topics:").unwrap_or(4));
        assert!(patched > 50, "{patched}");
    }

    /// Random edits past a key or a dash in the part of the front matter `region` selects;
    /// returns how many were applied in place.
    fn edits_in_values(seed: u64, region: impl Fn(&str) -> Range<usize>) -> usize {
        let config = Config::default();
        let inserts = [
            "x",
            "é",
            "😀",
            "",
            " ",
            "\n      ",
            "\n    excerpt: e",
            "\r\n",
            "#",
            ":",
            "\"",
            "- ",
            "\n  - ",
            "---\n",
            "\n",
        ];
        let mut rope = Rope::from_str(ARTICLE);
        let (mut analysis, _) = Analysis::full(&rope, &config, now());
        let mut index = indexed(&analysis);
        let (mut seed, mut patched) = (seed, 0);
        for step in 0..4_000 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let text = rope.to_string();
            let region = region(&text);
            // Past a key or a dash on its line: mostly inside values.
            let in_value = |i: usize| {
                let line = &text[text[..i].rfind('\n').map_or(0, |n| n + 1)..i];
                line.contains(": ") || line.contains("- ")
            };
            let within: Vec<usize> =
                text.char_indices().map(|(i, _)| i).filter(|&i| region.contains(&i) && in_value(i)).collect();
            let Some(&a) = within.get((seed >> 33) as usize % within.len().max(1)) else {
                // A `---` line closed the front matter before its lists: start again.
                rope = Rope::from_str(ARTICLE);
                (analysis, _) = Analysis::full(&rope, &config, now());
                index = indexed(&analysis);
                continue;
            };
            let b = within.iter().copied().find(|&x| x >= a + (seed >> 13) as usize % 3).unwrap_or(a);
            let insert = inserts[(seed >> 40) as usize % inserts.len()];
            let mut edited = text.clone();
            edited.replace_range(a..b, insert);
            // Keep the YAML valid but now and then (one edit in eight), so that both the in-place
            // path and the way back to it are exercised.
            let fm_end = edited.find("\n---").map_or(edited.len(), |i| i + 1);
            let valid = crate::analysis::yaml::parse(&edited, 4.min(fm_end)..fm_end).is_ok();
            if !valid && (seed >> 61) != 0 {
                continue;
            }
            let in_place = edit(&mut rope, &mut analysis, a..b, insert, &config);
            patched += usize::from(in_place);
            follow_in_index(&mut index, &mut analysis, in_place, step);
            let text = rope.to_string();
            assert_eq!(
                analysis.diagnostics(&rope, &config),
                analysis::check(&text, &config, now()),
                "step {step}: {text:?}"
            );
            if in_place {
                same_parse_and_summary(&analysis, &text);
            }
            if text.len() > 3_000 || step % 200 == 199 {
                rope = Rope::from_str(ARTICLE);
                (analysis, _) = Analysis::full(&rope, &config, now());
                index = indexed(&analysis);
            }
        }
        patched
    }

    #[test]
    fn incremental_results_equal_a_full_check_after_edits_anywhere() {
        random_edits(8, 2_000, 0);
    }
}
