//! Applying repairs to text: pure functions shared by `article-lsp fix` and the server.

use jiff::Timestamp;

use crate::analysis::{self, Code, Diagnostic, Edit, text};
use crate::config::Config;

/// Which repairs to apply.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Only fixes of these codes; `None` means every safe fix.
    pub only: Option<Vec<Code>>,
}

/// Codes whose safe fixes depend on nothing but the line they are on, so that they can be
/// applied line by line without analysing the whole text ([`fix_line`]).
pub const LINE_LOCAL: &[Code] = &[Code::Mojibake];

impl Selection {
    pub fn allows(&self, code: Code) -> bool {
        self.only.as_ref().is_none_or(|codes| codes.contains(&code))
    }

    /// Whether every fix the selection allows is line-local ([`LINE_LOCAL`]) or the
    /// transcoding (`not-utf8`), which happens before any line is read.
    pub fn is_line_local(&self) -> bool {
        let line_local = |code: &Code| LINE_LOCAL.contains(code) || *code == Code::NotUtf8;
        self.only.as_ref().is_some_and(|codes| codes.iter().all(line_local))
    }
}

/// The safe edits of `diagnostics` that `selection` allows, sorted and non-overlapping
/// (an edit overlapping an earlier one is left for the next round).
pub fn safe_edits(diagnostics: &[Diagnostic], selection: &Selection) -> Vec<Edit> {
    let mut edits: Vec<Edit> = diagnostics
        .iter()
        .filter(|d| selection.allows(d.code))
        .filter_map(|d| d.fix.as_ref())
        .filter(|f| f.safe)
        .flat_map(|f| f.edits.iter().cloned())
        .collect();
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out: Vec<Edit> = Vec::with_capacity(edits.len());
    for edit in edits {
        let overlaps = out.last().is_some_and(|last| edit.range.start < last.range.end);
        if !overlaps {
            out.push(edit);
        }
    }
    out
}

/// Applies sorted, non-overlapping edits. Edits whose ranges are not char boundaries of `text`
/// are skipped rather than risk corrupting it.
pub fn apply(text: &str, edits: &[Edit]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for edit in edits {
        let valid = edit.range.start >= last
            && edit.range.end <= text.len()
            && text.is_char_boundary(edit.range.start)
            && text.is_char_boundary(edit.range.end);
        if !valid {
            continue;
        }
        out.push_str(&text[last..edit.range.start]);
        out.push_str(&edit.replacement);
        last = edit.range.end;
    }
    out.push_str(&text[last..]);
    out
}

/// The result of repairing one text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fixed {
    pub text: String,
    /// How many edits were applied in all rounds.
    pub applied: usize,
}

/// Rounds of check-and-repair at most: a repair never creates unbounded new work.
const MAX_ROUNDS: usize = 4;

/// Rounds of check-and-repair until nothing safe is left, so that fixing twice changes
/// nothing the second time. Bounded: a repair never creates unbounded new work.
pub fn fix_text(text: &str, config: &Config, now: Timestamp, selection: &Selection) -> Fixed {
    let mut current = text.to_string();
    let mut applied = 0;
    for _ in 0..MAX_ROUNDS {
        let diagnostics = analysis::check(&current, config, now);
        let edits = safe_edits(&diagnostics, selection);
        if edits.is_empty() {
            break;
        }
        applied += edits.len();
        current = apply(&current, &edits);
    }
    Fixed { text: current, applied }
}

/// Findings reused from line to line by [`fix_line`], so a clean line allocates nothing.
#[derive(Debug, Default)]
pub struct LineScratch {
    diagnostics: Vec<Diagnostic>,
}

/// Repairs one line (without its terminator) with the [`LINE_LOCAL`] fixes `selection`
/// allows and `config` does not turn off, in the same rounds as [`fix_text`]; `None` when
/// nothing applies. Because these fixes look at their line alone, this gives the lines of
/// `fix_text`'s result.
pub fn fix_line(line: &str, config: &Config, selection: &Selection, scratch: &mut LineScratch) -> Option<Fixed> {
    if !selection.allows(Code::Mojibake) || config.severity(Code::Mojibake).is_none() {
        return None;
    }
    let mut current: Option<String> = None;
    let mut applied = 0;
    for _ in 0..MAX_ROUNDS {
        let text = current.as_deref().unwrap_or(line);
        scratch.diagnostics.clear();
        text::check_mojibake(&mut scratch.diagnostics, text, 0);
        let edits = safe_edits(&scratch.diagnostics, selection);
        if edits.is_empty() {
            break;
        }
        applied += edits.len();
        current = Some(apply(text, &edits));
    }
    current.map(|text| Fixed { text, applied })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(range: std::ops::Range<usize>, s: &str) -> Edit {
        Edit { range, replacement: s.to_string() }
    }

    #[test]
    fn applies_in_order_and_skips_bad_ranges() {
        let text = "aé-b";
        assert_eq!(apply(text, &[edit(0..1, "A"), edit(4..5, "B")]), "Aé-B");
        // 2 is inside `é`: skipped, never a panic or a split character.
        assert_eq!(apply(text, &[edit(2..3, "x")]), text);
        assert_eq!(apply(text, &[edit(9..10, "x")]), text);
    }
}
