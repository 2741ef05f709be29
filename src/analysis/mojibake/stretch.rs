//! Stretches: the runs of a line that could be mangled, and the exact pre-filter that keeps
//! clean text out of the search.
//!
//! A stretch is a run of non-ASCII characters (plus a space or `?` right after one: a lost
//! no-break space or byte). Before any lattice is built, one pass over the stretch with the
//! per-character table masks finds the tables in which *some* UTF-8 sequence could be read at
//! all: a lead byte of length n followed by n − 1 characters that can stand for continuation
//! bytes. In every other table the search could only keep each character as it is, so it is
//! not run. Plain accented text (`café`, `Zürich`, `naïve`: a lead byte followed by ASCII) is
//! rejected there in O(1) per character, without allocating.

use std::ops::Range;

use super::classes::{Class, Script, class_of};
use super::search::Around;
use super::tables::{Table, masks, nbsp_tables};
use super::weights::shape_cost;

/// A stretch worth a search.
pub(super) struct Stretch {
    /// Byte offset of each character, and one past the last.
    pub offsets: Vec<usize>,
    pub chars: Vec<char>,
    /// The class of each character.
    pub classes: Vec<Class>,
    pub around: Around,
    /// Badness of the case patterns of the stretch's words (with the characters around it).
    pub shape: i32,
    /// Tables in which some sequence (or a C1 control read as Windows-1252) may be read.
    pub tables: u16,
    /// The script that dominates the rest of the line.
    pub script: Option<Script>,
    /// Index of the stretch in its line.
    pub index: usize,
}

/// The stretches of `text[line]` that hold a possible sequence in some table. Offsets are in
/// `text`; nothing is allocated for a line without one.
pub(super) fn stretches(text: &str, line: Range<usize>, around: Around) -> Vec<Stretch> {
    let Some(slice) = text.get(line.clone()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for raw in Scan::new(slice).filter(|raw| raw.possible != 0) {
        let Some(chars) = slice.get(raw.range.clone()) else {
            continue;
        };
        let mut offsets: Vec<usize> = chars.char_indices().map(|(i, _)| line.start + raw.range.start + i).collect();
        offsets.push(line.start + raw.range.end);
        let prev = slice.get(..raw.range.start).and_then(|s| s.chars().next_back()).or(around.prev);
        let next = slice.get(raw.range.end..).and_then(|s| s.chars().next()).or(around.next);
        let shape = shape_cost(prev.into_iter().chain(chars.chars()).chain(next));
        out.push(Stretch {
            offsets,
            shape,
            chars: chars.chars().collect(),
            classes: chars.chars().map(class_of).collect(),
            around: Around { prev, next },
            tables: raw.possible,
            script: None,
            index: out.len(),
        });
    }
    out
}

/// Ranges (in `line`) of the stretches that the line's script count leaves out: those with a
/// lead byte followed by anything that might be a continuation in some table.
pub(super) fn suspicious(line: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    Scan::new(line).filter(|raw| raw.loose != 0).map(|raw| raw.range)
}

/// One stretch as the scanner sees it, before anything is allocated.
struct Raw {
    range: Range<usize>,
    /// Tables where a sequence may be read (exact: every other table reads nothing).
    possible: u16,
    /// Tables where a lead byte is followed by a continuation byte, a space or a `?`: the
    /// looser test that decides which characters the line's script count leaves out.
    loose: u16,
}

/// The stretches of a line, in order.
struct Scan<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Scan<'a> {
    fn new(text: &'a str) -> Self {
        Scan { text, pos: 0 }
    }
}

impl Iterator for Scan<'_> {
    type Item = Raw;

    fn next(&mut self) -> Option<Raw> {
        let at = next_non_ascii(self.text.as_bytes(), self.pos)?;
        let rest = self.text.get(at..)?;
        let mut filter = SequenceFilter::default();
        let (mut loose, mut lead, mut single) = (0, 0, 0);
        let mut end = at;
        let mut after_non_ascii = false;
        for (i, c) in rest.char_indices() {
            if !(!c.is_ascii() || (matches!(c, ' ' | '?') && after_non_ascii)) {
                break;
            }
            let m = masks(c);
            loose |= lead & if matches!(c, ' ' | '?') { u16::MAX } else { m.cont };
            lead = m.lead();
            filter.push(c, m);
            if single_byte(c).is_some() {
                single = 1 << Table::WESTERN.0;
            }
            after_non_ascii = !c.is_ascii();
            end = at + i + c.len_utf8();
        }
        self.pos = end.max(at + 1);
        Some(Raw { range: at..end, possible: filter.found | single, loose: loose | single })
    }
}

/// Tracks, per table, the sequences begun so far (a lead byte and the continuation bytes
/// after it), one character at a time: a superset of what the lattice can read, so a table
/// it rules out is one where the search would keep every character.
#[derive(Debug, Default)]
struct SequenceFilter {
    /// A two-byte lead just before.
    two: u16,
    /// A three-byte lead just before; a three-byte lead and one continuation.
    three: [u16; 2],
    /// A four-byte lead just before; with one; with two continuations.
    four: [u16; 3],
    /// Tables where a whole sequence was seen.
    found: u16,
}

impl SequenceFilter {
    fn push(&mut self, c: char, m: super::tables::Masks) {
        // As the second byte: a space only of a two-byte sequence (a lost no-break space),
        // never a `?`; as a later byte, a `?` may be a lost byte.
        let (second_of_two, second, later) = match c {
            ' ' => (nbsp_tables(), 0, 0),
            '?' => (0, 0, u16::MAX),
            _ => (m.cont, m.cont, m.cont),
        };
        self.found |= self.two & second_of_two | self.three[1] & later | self.four[2] & later;
        self.four = [m.lead4, self.four[0] & second, self.four[1] & later];
        self.three = [m.lead3, self.three[0] & second];
        self.two = m.lead2;
    }
}

/// The Windows-1252 character a C1 control stood for, when Windows-1252 text was read as
/// Latin-1.
pub(super) fn single_byte(c: char) -> Option<char> {
    let byte = u8::try_from(u32::from(c)).ok().filter(|b| (0x80..=0x9F).contains(b))?;
    let decoded = Table::WESTERN.decode(byte);
    (decoded != c).then_some(decoded)
}

/// Offset of the first non-ASCII byte at or after `from`. Whole 64-byte blocks are tested
/// with the word-at-a-time `is_ascii`, as nearly all of a typical corpus is ASCII.
pub(super) fn next_non_ascii(bytes: &[u8], from: usize) -> Option<usize> {
    const BLOCK: usize = 64;
    let mut at = from;
    while let Some(block) = bytes.get(at..at + BLOCK) {
        if !block.is_ascii() {
            break;
        }
        at += BLOCK;
    }
    let rest = bytes.get(at..)?;
    rest.iter().position(|b| !b.is_ascii()).map(|i| at + i)
}
