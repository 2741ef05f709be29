//! Paired punctuation as a feature of the cost: a repair must not swallow the closing half of a
//! pair of guillemets or quotes that the rest of its line opened.
//!
//! `«LÃ»` reads as `«Lû` in Windows-1252 (C3 BB is `û`): the capital `Ã` before a guillemet
//! looks like damage, and the word `Lû` looks fine. What gives it away is the line: the nearest
//! mark before the stretch is a `«` that this `»` closes, and the nearest mark after it is no
//! other `»`. A repair that drops such a closing mark pays [`BROKEN_PAIR`]. Only marks outside
//! every stretch count as the line's (a mark inside one may itself be damage: MacRoman reads
//! the first byte of each curly quote as `‚`, in `‚Äú`). A repair that *adds* a mark pays
//! nothing (in `â€œquotedâ€` both halves are mangled), so the feature only ever makes the
//! engine more careful.
//!
//! The other half of the feature: a double quote the line opens before the stretch and never
//! closes after it is missing its closing mark, and `”` (E2 80 9D) is the character whose last
//! byte Windows-1252 leaves undefined. Keeping such a stretch pays [`UNCLOSED_QUOTE`]; a repair
//! that puts a lost character (U+FFFD) there does not (`“yesâ€? and`).

use std::ops::Range;

use super::stretch::Stretch;
use super::weights::{BROKEN_PAIR, UNCLOSED_QUOTE};

/// The mark that opens the pair `c` closes: `«…»`, `»…«` (German, Danish), `‹…›`, `“…”`,
/// `„…“` (German, Icelandic, Czech), `„…”` (Polish, Hungarian), `‘…’`, `‚…‘`. `None` for
/// anything else, and for a `’` followed by a letter (an apostrophe).
fn closes(c: char, next: Option<char>) -> &'static [char] {
    match c {
        '»' => &['«'],
        '«' => &['»'],
        '›' => &['‹'],
        '‹' => &['›'],
        '”' => &['“', '„'],
        '“' => &['„'],
        '’' if next.is_some_and(char::is_alphanumeric) => &[],
        '’' => &['‘'],
        '‘' => &['‚'],
        _ => &[],
    }
}

/// Whether `marks` (in order) leave a double quote open: `“` opens one unless a `„` is open
/// (German and Czech close `„` with `“`), `”` closes whichever is open.
fn double_quote_open(marks: &[(usize, char)]) -> bool {
    let mut open = None;
    for &(_, c) in marks {
        open = match (c, open) {
            ('„', _) => Some('„'),
            ('“', Some('„')) => None,
            ('“', _) => Some('“'),
            ('”', _) => None,
            (_, open) => open,
        };
    }
    open.is_some()
}

/// Whether `c` is a paired mark at all (either half).
fn is_mark(c: char) -> bool {
    matches!(c, '«' | '»' | '‹' | '›' | '“' | '”' | '„' | '‘' | '’' | '‚')
}

/// What the line says about the paired marks of one stretch.
#[derive(Debug, Clone, Default)]
pub(super) struct Pairing {
    /// The closing marks of the stretch whose pair the line opened right before it and does
    /// not close again after it: a repair must keep them.
    closing: Vec<char>,
    /// The stretch ends in a `?`, and the line opened a double quote before it and closes none
    /// after it.
    unclosed: bool,
}

impl Pairing {
    /// Badness of `chars` standing in for the stretch: [`BROKEN_PAIR`] when they drop one of
    /// the stretch's closing marks, [`UNCLOSED_QUOTE`] when they leave the line's open double
    /// quote without a place where its closing mark may have been lost (a U+FFFD). Whatever
    /// else they hold pays it too, so only a lost byte's reading gains by it, and such a line
    /// is outside the sequence bound (`bound.rs`), which counts word shapes alone.
    pub(super) fn cost(&self, chars: impl Iterator<Item = char> + Clone) -> i32 {
        let has = |m: char| chars.clone().any(|c| c == m);
        let broken = !self.closing.iter().all(|&m| has(m));
        let unclosed = self.unclosed && !has('\u{FFFD}');
        BROKEN_PAIR * i32::from(broken) + UNCLOSED_QUOTE * i32::from(unclosed)
    }
}

/// The pairing of each stretch of `text[line]` (in order), from the marks outside every
/// stretch: the nearest one before and after each stretch.
pub(super) fn pairings(text: &str, line: Range<usize>, stretches: &[Stretch]) -> Vec<Pairing> {
    let span = |s: &Stretch| {
        let start = s.offsets.first().copied().unwrap_or(0);
        start..s.offsets.last().copied().unwrap_or(start)
    };
    let line_text = text.get(line.clone()).unwrap_or_default();
    if !may_hold_marks(line_text.as_bytes()) {
        return vec![Pairing::default(); stretches.len()];
    }
    let mut clean: Vec<(usize, char)> = Vec::new();
    let mut next_stretch = stretches.iter().map(span).peekable();
    for (at, c) in line_text.char_indices().map(|(i, c)| (i + line.start, c)) {
        while next_stretch.peek().is_some_and(|r| r.end <= at) {
            next_stretch.next();
        }
        if is_mark(c) && next_stretch.peek().is_none_or(|r| r.start > at) {
            clean.push((at, c));
        }
    }
    stretches
        .iter()
        .map(|s| {
            if clean.is_empty() {
                return Pairing::default();
            }
            let range = span(s);
            let after_index = clean.partition_point(|&(at, _)| at < range.start);
            let before = after_index.checked_sub(1).and_then(|i| clean.get(i)).map(|&(_, c)| c);
            let after = clean.get(after_index).map(|&(_, c)| c);
            let mut closing = Vec::new();
            let mut chars = s.chars.iter().copied().peekable();
            while let Some(c) = chars.next() {
                let next = chars.peek().copied().or(s.around.next);
                let opens = closes(c, next);
                if before.is_some_and(|b| opens.contains(&b)) && after != Some(c) {
                    closing.push(c);
                }
            }
            // Only a stretch that ends in a `?` (a byte lost to a strict decoder) can be where
            // the closing mark went; elsewhere the cost would only blur the other features.
            let unclosed = s.chars.last() == Some(&'?')
                && double_quote_open(&clean[..after_index])
                && !clean[after_index..].iter().any(|&(_, c)| c == '”' || c == '“');
            Pairing { closing, unclosed }
        })
        .collect()
}

/// Whether `bytes` may hold a paired mark: the last byte of `«` or `»`, or the first two of the
/// quotes of the General Punctuation block. A block scan that spares most lines the walk.
fn may_hold_marks(bytes: &[u8]) -> bool {
    memchr::memchr2(0xAB, 0xBB, bytes).is_some() || memchr::memmem::find(bytes, b"\xE2\x80").is_some()
}

// The bound of `path::never_gains` counts a repair's word shape, this cost included, as at
// least zero.
const _: () = assert!(BROKEN_PAIR >= 0 && UNCLOSED_QUOTE >= 0);
