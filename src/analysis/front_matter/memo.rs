//! Findings of list items (`related` entries, topics, images), kept by a hash of the item's
//! text and relative to its start, so a re-check after an edit checks only the items whose text
//! changed and shifts the others' findings into place.
//!
//! An item's findings depend on its text up to the end of its last line (the insertion point
//! of a missing field lies there), on the schema-relevant configuration, on `now` (future
//! dates) and on the text's newline style (inserted skeletons): the memo holds findings for one
//! such context and starts afresh when it changes.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::ops::Range;
use std::sync::Arc;

use jiff::Timestamp;

use super::{Checker, next_line_start};
use crate::analysis::diagnostic::Diagnostic;
use crate::analysis::yaml::Node;
use crate::config::Config;

#[derive(Debug, Default, Clone)]
pub struct FindingsMemo {
    context: Option<Context>,
    /// Findings by item, from the last completed check.
    items: HashMap<u64, Findings>,
    /// Findings used by the check in progress (the others are dropped when it finishes).
    used: HashMap<u64, Findings>,
}

/// One item's findings, relative to its start. `None` when it has none, as nearly every item
/// has: no allocation per finding-free item (a front matter of 2,000 related entries with their
/// images would otherwise hold ~2,500 empty vectors).
type Findings = Option<Arc<Vec<Diagnostic>>>;

/// What an item's findings depend on besides its text.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Context {
    required: Vec<String>,
    extra_fields: Vec<String>,
    topics: Option<Vec<String>>,
    providers: std::collections::BTreeMap<String, String>,
    now: Timestamp,
    newline: &'static str,
}

impl FindingsMemo {
    /// Starts a check in `config`/`now`/`newline`; forgets everything if they changed.
    pub(super) fn begin(&mut self, config: &Config, now: Timestamp, newline: &'static str) {
        let context = Context::new(config, now, newline);
        if self.context.as_ref() != Some(&context) {
            self.items.clear();
            self.context = Some(context);
        }
        self.used.clear();
    }

    /// The line break of the last check, if it ran in `config` and `now`: findings made then
    /// still hold for items checked now.
    pub(super) fn newline_if_same(&self, config: &Config, now: Timestamp) -> Option<&'static str> {
        let context = self.context.as_ref()?;
        (*context == Context::new(config, now, context.newline)).then_some(context.newline)
    }

    /// Ends a check: what it did not use is dropped, so the memo stays one document's size.
    pub(super) fn finish(&mut self) {
        self.items = std::mem::take(&mut self.used);
    }
}

impl Context {
    fn new(config: &Config, now: Timestamp, newline: &'static str) -> Context {
        Context {
            required: config.required.clone(),
            extra_fields: config.extra_fields.clone(),
            topics: config.topics.clone(),
            providers: config.providers.clone(),
            now,
            newline,
        }
    }
}

impl Checker<'_> {
    /// Runs `check` on the list item `node`, or reuses its findings from an earlier check of the
    /// same item text.
    pub(super) fn memoized(&mut self, node: &Node, path: &str, check: impl FnOnce(&mut Self)) {
        let Some(memo) = self.memo.as_deref_mut() else {
            check(self);
            return;
        };
        let extent = item_extent(self.text, &node.span());
        let key = hash(path, &self.text[extent.clone()]);
        let base = extent.start as isize;
        if let Some(found) = memo.used.get(&key).or_else(|| memo.items.get(&key)).cloned() {
            self.acc.extend(found.iter().flat_map(|found| found.iter()).map(|d| d.shifted(base)));
            memo.used.insert(key, found);
            return;
        }
        let before = self.acc.len();
        check(self);
        let relative: Vec<Diagnostic> = self.acc[before..].iter().map(|d| d.shifted(-base)).collect();
        if let Some(memo) = self.memo.as_deref_mut() {
            memo.used.insert(key, (!relative.is_empty()).then(|| Arc::new(relative)));
        }
    }
}

/// The text an item's findings can depend on: from its start to the end of its last line.
fn item_extent(text: &str, span: &Range<usize>) -> Range<usize> {
    let end = next_line_start(text, span.end.saturating_sub(1).max(span.start));
    span.start..end.max(span.end).min(text.len())
}

fn hash(path: &str, item: &str) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (path, item).hash(&mut hasher);
    hasher.finish()
}
