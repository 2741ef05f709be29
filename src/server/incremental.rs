//! Incremental analysis of one open document.
//!
//! Per-line results are cached by line number (ranges relative to the line's start), so an edit
//! re-checks only the lines it touched and shifts the rest by splicing the cache. The front
//! matter is re-checked only when an edit touches it (or could create or close it); its
//! findings keep absolute offsets, which edits below it cannot move.

use std::ops::Range;
use std::sync::Arc;

use jiff::Timestamp;
use jiff::civil::Date;
use ropey::Rope;

use crate::analysis::front_matter::UnitCache;
use crate::analysis::text::{LineKind, check_line};
use crate::analysis::{self, Diagnostic};
use crate::config::Config;
use crate::ide;
use crate::line_index::rope_line_text;
use crate::workspace::ArticleSummary;
use crate::workspace::summary::summarize_parsed;

/// The findings of one line, relative to the line's start (`None`: none). Shared, so taking
/// the findings of a version to assemble them elsewhere copies pointers, not diagnostics.
type LineFindings = Option<Arc<[Diagnostic]>>;

/// Cached analysis results of one document.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    /// Findings of each line, with default severities. Shared with an assembly in flight (the
    /// publisher's): an edit copies the table only if one still holds it.
    lines: Arc<Vec<LineFindings>>,
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
    parsed: Option<Arc<ide::Parsed>>,
}

/// The front matter's part of an analysis, computed off the editing path.
#[derive(Debug, Clone)]
pub struct FrontResult {
    front: Arc<[Diagnostic]>,
    front_lines: usize,
    front_open: bool,
    body_line: usize,
    pub summary: ArticleSummary,
    units: UnitCache,
    parsed: Arc<ide::Parsed>,
}

impl Analysis {
    /// Analyses the whole document.
    pub fn full(rope: &Rope, config: &Config, now: Timestamp) -> (Analysis, ArticleSummary) {
        let front = check_front(rope, config, now, UnitCache::default());
        let today = analysis::today(now);
        let mut lines = Vec::with_capacity(rope.len_lines());
        for line in 0..rope.len_lines() {
            lines.push(check_one(rope, line, kind_of(line, front.body_line), today));
        }
        let mut res = Analysis { lines: Arc::new(lines), today: Some(today), ..Analysis::default() };
        let summary = front.summary.clone();
        res.install_front_fields(front);
        (res, summary)
    }

    /// Updates the line cache after an edit replaced `old_lines` (line numbers before the edit)
    /// by `new_lines` (after it). Returns whether the front matter must be re-checked.
    pub fn edited(&mut self, rope: &Rope, old_lines: Range<usize>, new_lines: Range<usize>) -> bool {
        let Some(today) = self.today else { return true };
        // A front matter check still in flight must be redone for this newer text too.
        let touches_front = self.front_dirty || self.front_open || old_lines.start <= self.front_lines;
        if old_lines.start < self.body_line {
            // Until the front matter is re-checked, the body keeps its start relative to the edit.
            let delta = new_lines.len() as isize - old_lines.len() as isize;
            let shift = |line: usize| (line as isize + delta).max(old_lines.start as isize) as usize;
            self.body_line = shift(self.body_line);
            self.front_lines = shift(self.front_lines);
        }
        let body_line = self.body_line;
        let fresh: Vec<LineFindings> =
            new_lines.clone().map(|line| check_one(rope, line, kind_of(line, body_line), today)).collect();
        let end = old_lines.end.min(self.lines.len());
        let start = old_lines.start.min(end);
        Arc::make_mut(&mut self.lines).splice(start..end, fresh);
        if touches_front {
            self.front_dirty = true;
        }
        touches_front
    }

    /// Installs a fresh front matter result computed for the current text; re-checks the lines
    /// whose kind (front matter or body) changed.
    pub fn install_front(&mut self, rope: &Rope, front: FrontResult) {
        let old_body = self.body_line;
        let body_line = front.body_line;
        self.install_front_fields(front);
        let Some(today) = self.today else { return };
        let changed = old_body.min(body_line)..old_body.max(body_line);
        for line in changed {
            if let Some(slot) = Arc::make_mut(&mut self.lines).get_mut(line) {
                *slot = check_one(rope, line, kind_of(line, body_line), today);
            }
        }
    }

    fn install_front_fields(&mut self, front: FrontResult) {
        self.front = front.front;
        self.front_lines = front.front_lines;
        self.front_open = front.front_open;
        self.body_line = front.body_line;
        self.units = front.units;
        self.parsed = Some(front.parsed);
        self.front_dirty = false;
    }

    /// The parse of the front matter's last check, if it is current (layout relative to the
    /// text it was made for: see `ide::Parsed::with_len`).
    pub fn parsed(&self) -> Option<&Arc<ide::Parsed>> {
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
    lines: Arc<Vec<LineFindings>>,
    front: Arc<[Diagnostic]>,
}

impl Unassembled {
    /// All findings with absolute offsets and configured severities, sorted.
    pub fn assemble(&self, rope: &Rope, config: &Config) -> Vec<Diagnostic> {
        let mut all = self.front.to_vec();
        for (line, found) in self.lines.iter().enumerate() {
            let Some(found) = found else { continue };
            if line >= rope.len_lines() {
                continue;
            }
            let start = rope.line_to_byte(line);
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
    let summary = summarize_parsed(&prefix, &checked.layout, checked.parsed.as_ref());
    let mut layout = checked.layout;
    if layout.front_matter.is_none() {
        // The prefix was empty: the body is the whole text after a BOM.
        let bom = rope.get_char(0) == Some('\u{feff}');
        layout.body = if bom { '\u{feff}'.len_utf8() } else { 0 }..0;
    }
    let front = checked.parsed.map(Arc::new);
    let parsed = Arc::new(ide::Parsed::of_front_matter(layout, front, rope.len_bytes()));
    FrontResult { front: checked.diagnostics.into(), front_lines, front_open, body_line, summary, units, parsed }
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
            return rope.byte_slice(..end).to_string();
        }
    }
    rope.to_string()
}

/// Longer lines cannot be a `---` or `...` delimiter (three characters, trailing blanks and a
/// line break); a generous bound that keeps blank-padded delimiters.
const MAX_DELIMITER_LINE: usize = 256;

fn kind_of(line: usize, body_line: usize) -> LineKind {
    if line >= body_line { LineKind::Body } else { LineKind::FrontMatter }
}

fn check_one(rope: &Rope, line: usize, kind: LineKind, today: Date) -> LineFindings {
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

    /// Applies a byte-range edit the way the server does and returns the line ranges.
    fn edit(rope: &mut Rope, analysis: &mut Analysis, range: Range<usize>, insert: &str, config: &Config) {
        let start = rope.byte_to_char(range.start);
        let end = rope.byte_to_char(range.end);
        let first = rope.char_to_line(start);
        let old_last = rope.char_to_line(end);
        rope.remove(start..end);
        rope.insert(start, insert);
        let new_last = rope.char_to_line(start + insert.chars().count());
        let from = first.saturating_sub(1);
        if analysis.edited(rope, from..old_last + 1, from..new_last + 1) {
            let front = check_front(rope, config, now(), analysis.units());
            analysis.install_front(rope, front);
        }
    }

    const ARTICLE: &str = "---\ntitle: \"A\"\npublishedDateTime: 2021-09-26T06:17:00Z\nwebUrl: \"https://a.example.com/1\"\nprovider:\n  name: A\n  domain: a.example.com\ntopics:\n  - AI\n  - \"Public Health\"\nrelated:\n  - title: \"R0\"\n    webUrl: \"https://r0.example.com/a\"\n    publishedDateTime: 2021-02-30T00:00:00Z\n  - title: R1\n    webUrl: https://r1.example.com/b\n    provider:\n      name: P\n      domain: other.example.com\n  - title: R2\n---\n2021-02-30 bad\ncafÃ© line\r\nplain\rlast";

    /// Random edits, each followed by the server's incremental update, compared with a full
    /// check of the same text. `front_bias` of 16 puts every edit in the front matter's lines
    /// (as long as there is one), 0 anywhere.
    fn random_edits(seed: u64, steps: usize, front_bias: u64) {
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
            edit(&mut rope, &mut analysis, a..b, insert, &config);
            let text = rope.to_string();
            let expected = analysis::check(&text, &config, now());
            assert_eq!(analysis.diagnostics(&rope, &config), expected, "step {step}: {text:?}");
            if text.len() > 4_000 || step % 300 == 299 {
                rope = Rope::from_str(ARTICLE);
                (analysis, _) = Analysis::full(&rope, &config, now());
            }
        }
    }

    #[test]
    fn incremental_results_equal_a_full_check_after_edits_in_the_front_matter() {
        random_edits(7, 3_000, 16);
    }

    #[test]
    fn incremental_results_equal_a_full_check_after_edits_anywhere() {
        random_edits(8, 2_000, 0);
    }
}
