//! The plain-data result of analysis: what is wrong, where (byte offsets), and how to repair it.

use std::ops::Range;

// Re-exported: files of the core name codes through `diagnostic` as they always did.
pub use crate::codes::{Code, Severity};

/// One finding in one article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable identifier of the rule that fired.
    pub code: Code,
    /// Severity after configuration was applied.
    pub severity: Severity,
    /// Byte range in the analysed text; may be empty (a point) but never out of bounds.
    pub range: Range<usize>,
    /// What is wrong and, where known, what would be right.
    pub message: String,
    /// A repair, when one is known.
    pub fix: Option<Fix>,
    /// Other repairs a person may choose (never safe, never applied by `fix`): e.g. a lost
    /// character restored from context.
    pub guesses: Vec<Fix>,
    /// Other places that explain this finding (e.g. the first occurrence of a duplicate key).
    pub related: Vec<Related>,
}

/// A secondary location attached to a diagnostic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    /// Byte range in the same text.
    pub range: Range<usize>,
    /// Why this place matters.
    pub message: String,
}

/// A repair: one or more non-overlapping text replacements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// Short imperative title, shown as the quick-fix label.
    pub title: String,
    /// Replacements, sorted by start and non-overlapping.
    pub edits: Vec<Edit>,
    /// Safe fixes keep the meaning exactly (mojibake repair, transcoding) and are applied by
    /// `fix` and `source.fixAll`; unsafe ones need a person's judgement.
    pub safe: bool,
}

/// Replace `range` (bytes) with `replacement`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    pub replacement: String,
}

impl Diagnostic {
    /// A diagnostic with the code's default severity and no fix.
    pub fn new(code: Code, range: Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: code.default_severity(),
            range,
            message: message.into(),
            fix: None,
            guesses: Vec::new(),
            related: Vec::new(),
        }
    }

    pub fn with_fix(mut self, fix: Fix) -> Diagnostic {
        self.fix = Some(fix);
        self
    }

    /// Adds an alternative repair; it is a guess, so it is never marked safe.
    pub fn with_guess(mut self, mut fix: Fix) -> Diagnostic {
        fix.safe = false;
        self.guesses.push(fix);
        self
    }

    pub fn with_severity(mut self, severity: Severity) -> Diagnostic {
        self.severity = severity;
        self
    }

    pub fn with_related(mut self, range: Range<usize>, message: impl Into<String>) -> Diagnostic {
        self.related.push(Related { range, message: message.into() });
        self
    }

    /// The same finding with every offset (range, fix edits, related ranges) moved by `by`
    /// bytes: cached findings are kept relative to their line or unit and shifted into place.
    pub fn shifted(&self, by: isize) -> Diagnostic {
        let move_range = |r: &Range<usize>| r.start.saturating_add_signed(by)..r.end.saturating_add_signed(by);
        let mut d = self.clone();
        d.range = move_range(&d.range);
        if let Some(fix) = &mut d.fix {
            for edit in &mut fix.edits {
                edit.range = move_range(&edit.range);
            }
        }
        for related in &mut d.related {
            related.range = move_range(&related.range);
        }
        d
    }
}

impl Fix {
    pub fn replace(title: impl Into<String>, range: Range<usize>, replacement: impl Into<String>, safe: bool) -> Fix {
        Fix { title: title.into(), edits: vec![Edit { range, replacement: replacement.into() }], safe }
    }
}
