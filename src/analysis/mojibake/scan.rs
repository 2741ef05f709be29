//! Reading UTF-8 sequences out of text decoded with a legacy table, and growing them into runs.

use super::chars::{is_c1, plausible};
use super::tables::Table;

/// One character's worth of mojibake: the mangled characters `start..end` of the searched
/// text are, in `table`, the bytes of one UTF-8 sequence encoding `decoded`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Seq {
    pub start: usize,
    pub end: usize,
    pub lead: u8,
    pub decoded: char,
}

/// Consecutive sequences in one table.
#[derive(Debug, Clone)]
pub(super) struct Run {
    pub table: Table,
    pub seqs: Vec<Seq>,
}

impl Run {
    pub fn start(&self) -> usize {
        self.seqs.first().map_or(0, |s| s.start)
    }

    pub fn end(&self) -> usize {
        self.seqs.last().map_or(0, |s| s.end)
    }

    pub fn decoded(&self) -> String {
        self.seqs.iter().map(|s| s.decoded).collect()
    }
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

/// The sequence starting at byte `at` of `text` when read in `table`, if there is one.
pub(super) fn read_seq(text: &str, at: usize, table: Table) -> Option<Seq> {
    let mut chars = text.get(at..)?.chars();
    let first = chars.next()?;
    let lead = table.encode(first)?;
    let continuations = match lead {
        0xC2..=0xDF => 1,
        0xE0..=0xEF => 2,
        0xF0..=0xF4 => 3,
        _ => return None,
    };
    let mut bytes = [lead, 0, 0, 0];
    let mut end = at + first.len_utf8();
    for slot in bytes.iter_mut().skip(1).take(continuations) {
        let c = chars.next()?;
        *slot = table.encode(c).filter(|b| (0x80..=0xBF).contains(b))?;
        end += c.len_utf8();
    }
    // from_utf8 rejects overlong forms, surrogates and code points above U+10FFFF.
    let decoded = std::str::from_utf8(&bytes[..=continuations]).ok()?.chars().next()?;
    Some(Seq { start: at, end, lead, decoded })
}

/// The longest run of consecutive sequences in `table` starting at `at`, each decoding to a
/// plausible character or to a C1 control (which only a further layer can explain).
pub(super) fn grow_run(text: &str, at: usize, table: Table) -> Option<Run> {
    let mut seqs = Vec::new();
    let mut pos = at;
    while let Some(seq) = read_seq(text, pos, table) {
        if !(plausible(seq.decoded) || is_c1(seq.decoded)) {
            break;
        }
        pos = seq.end;
        seqs.push(seq);
    }
    (!seqs.is_empty()).then_some(Run { table, seqs })
}
