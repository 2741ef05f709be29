//! One open document: its rope, version and cached analysis.

use std::path::PathBuf;
use std::sync::Arc;

use ropey::Rope;
use tower_lsp_server::ls_types::TextDocumentContentChangeEvent;

use super::convert::char_index;
use super::incremental::Analysis;
use crate::analysis::Diagnostic;
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

#[derive(Debug, Clone)]
pub struct Document {
    /// Unique per `didOpen`: results of jobs started for an earlier opening are ignored.
    pub opening: u64,
    pub path: Option<PathBuf>,
    pub rope: Rope,
    pub version: i32,
    /// `None` until the first full analysis has been installed.
    pub analysis: Option<Analysis>,
    /// The findings last assembled, and the version they describe (code actions and pull
    /// requests read them).
    pub findings: Option<(i32, Arc<Vec<Diagnostic>>)>,
    /// Work still needed before the findings of the current version are complete.
    pub needs: Pending,
    /// An analysis job for this document is running (at most one at a time).
    pub job_running: bool,
}

impl Document {
    pub fn new(path: Option<PathBuf>, text: &str, version: i32) -> Document {
        // Distinguishes this opening of the document from an earlier one with the same URI and
        // version numbers, whose analysis jobs may still be running.
        static OPENINGS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        Document {
            opening: OPENINGS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            path,
            rope: Rope::from_str(text),
            version,
            analysis: None,
            findings: None,
            needs: Pending::Everything,
            job_running: false,
        }
    }

    /// Applies one content change (ranged or whole-text) and updates the line cache.
    pub fn apply(&mut self, change: &TextDocumentContentChangeEvent, encoding: PositionEncoding) -> Pending {
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
        self.rope.remove(start..end);
        self.rope.insert(start, &change.text);
        let new_last = self.rope.char_to_line(start + change.text.chars().count());
        // One line of context above: a CR/LF pair may have been joined or split there.
        let from = first.saturating_sub(1);
        let Some(analysis) = &mut self.analysis else {
            return Pending::Everything;
        };
        if analysis.edited(&self.rope, from..old_last + 1, from..new_last + 1) {
            Pending::FrontMatter
        } else {
            Pending::Nothing
        }
    }
}
