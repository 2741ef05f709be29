//! Workspace-wide repair of one article: every safe fix (to a fixed point, as `article-lsp fix`
//! does) expressed as edits of the original text, so the server can send all articles' repairs
//! as one workspace edit that a client applies and can undo.

use jiff::Timestamp;
use similar::{DiffTag, TextDiff};

use crate::analysis::Edit;
use crate::config::Config;
use crate::fix::{self, Selection};

/// The safe repairs of one article.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Repair {
    /// Non-overlapping edits of the original text, sorted; each covers the changed lines only.
    pub edits: Vec<Edit>,
    /// How many findings the repairs fix.
    pub findings: usize,
}

/// Every safe repair of `text`. Fixes may take several rounds (a repair can reveal another),
/// so the result is computed on the text and then diffed line by line against the original.
pub fn repair(text: &str, config: &Config, now: Timestamp) -> Repair {
    let fixed = fix::fix_text(text, config, now, &Selection::default());
    if fixed.applied == 0 || fixed.text == text {
        return Repair::default();
    }
    Repair { edits: line_edits(text, &fixed.text), findings: fixed.applied }
}

/// The changed runs of lines between `before` and `after`, as edits of `before`.
fn line_edits(before: &str, after: &str) -> Vec<Edit> {
    let diff = TextDiff::from_lines(before, after);
    let (old, new) = (diff.old_slices(), diff.new_slices());
    let mut starts = Vec::with_capacity(old.len() + 1);
    let mut at = 0;
    starts.push(0);
    for line in old {
        at += line.len();
        starts.push(at);
    }
    diff.ops()
        .iter()
        .filter(|op| op.tag() != DiffTag::Equal)
        .map(|op| {
            let (old_lines, new_lines) = (op.old_range(), op.new_range());
            Edit { range: starts[old_lines.start]..starts[old_lines.end], replacement: new[new_lines].concat() }
        })
        .collect()
}
