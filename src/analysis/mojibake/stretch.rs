//! Stretches: the runs of a line that could be mangled, and the exact pre-filter that keeps
//! clean text out of the search.
//!
//! A stretch is a run of non-ASCII characters (plus a space or `?` right after one: a lost
//! no-break space or byte). Before any lattice is built, one pass over the stretch with the
//! per-character table masks finds the tables in which *some* UTF-8 sequence could be read at
//! all: a lead byte of length n followed by n − 1 characters that can stand for continuation
//! bytes. In every other table the search could only keep each character as it is, so it is
//! not run. Plain accented text (`café`, `Zürich`, `naïve`: a lead byte followed by ASCII) is
//! rejected there in O(1) per character, without allocating. Before that scan, the same
//! filter runs once over the line's bytes ([`may_hold_sequence`]), so a clean line costs a
//! table look-up per two-byte character, and only a look-up of its lead byte per character
//! without masks (Arabic, Hebrew, Indic, CJK).

use std::cell::OnceCell;
use std::ops::Range;
use std::sync::OnceLock;

use super::bound::gains_nothing;
use super::classes::{Class, Script, class_of};
use super::lattice::{Reading, readings};
use super::search::Around;
use super::tables::{Masks, TABLE_COUNT, Table, masks, nbsp_tables};

/// A stretch worth a search.
pub(super) struct Stretch {
    /// Byte offset of each character, and one past the last.
    pub offsets: Vec<usize>,
    pub chars: Vec<char>,
    /// The class of each character.
    pub classes: Vec<Class>,
    pub around: Around,
    /// Badness of the case patterns of the stretch's words (with the ASCII letters around it),
    /// filled in by the search, which knows the words.
    pub shape: i32,
    /// Tables in which some sequence (or a C1 control read as Windows-1252) may be read.
    pub tables: u16,
    /// The script that dominates the rest of the line.
    pub script: Option<Script>,
    /// Index of the stretch in its line.
    pub index: usize,
    /// Per table, once asked for: every sequence its lattice holds (see [`Stretch::readings`]).
    lattices: [OnceCell<Vec<(usize, Reading)>>; TABLE_COUNT],
}

impl Stretch {
    /// Every sequence that `table` can read in the stretch, with the character it starts at, in
    /// order of that character. Built once per table: the proofs and searches of every mode
    /// read it again.
    pub(super) fn readings(&self, table: Table) -> &[(usize, Reading)] {
        // Every table has a cell; a table out of range could read nothing.
        let Some(cell) = self.lattices.get(usize::from(table.0)) else {
            return &[];
        };
        let bit = 1 << table.0;
        cell.get_or_init(|| {
            let (mut all, mut here) = (Vec::new(), Vec::new());
            for at in 0..self.chars.len() {
                if !may_start_sequence(&self.chars, at, bit) {
                    continue;
                }
                here.clear();
                readings(&mut here, &self.chars, at, table);
                all.extend(here.iter().map(|&r| (at, r)));
            }
            all
        })
    }
}

/// Whether a sequence of the tables in `tables` may start at character `at`: a lead byte
/// followed by a character that may be its first continuation byte (a continuation byte, a
/// lost byte, or a space for a no-break space). A necessary condition of the lattice's reading
/// that skips its work for the letters of a script (a lead byte followed by another lead byte).
fn may_start_sequence(chars: &[char], at: usize, tables: u16) -> bool {
    let Some((&c, rest)) = chars.get(at..).and_then(<[char]>::split_first) else {
        return false;
    };
    masks(c).lead() & tables != 0 && rest.first().is_some_and(|&next| next == ' ' || masks(next).cont & tables != 0)
}

/// The stretches of `text[line]` that hold a possible sequence in some table. Offsets are in
/// `text`; nothing is allocated for a line without one.
pub(super) fn stretches(text: &str, line: Range<usize>, around: Around) -> Vec<Stretch> {
    let Some(slice) = text.get(line.clone()) else {
        return Vec::new();
    };
    if !may_hold_sequence(slice.as_bytes()) || gains_nothing(slice, around) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for raw in Scan::new(slice).filter(|raw| raw.possible != 0) {
        let Some(chars) = slice.get(raw.range.clone()) else {
            continue;
        };
        let mut offsets: Vec<usize> = chars.char_indices().map(|(i, _)| line.start + raw.range.start + i).collect();
        offsets.push(line.start + raw.range.end);
        let prev = slice.get(..raw.range.start).and_then(|s| s.chars().next_back()).or(around.prev);
        let next = slice.get(raw.range.end..).and_then(|s| s.chars().next()).or(around.next);
        out.push(Stretch {
            offsets,
            shape: 0,
            chars: chars.chars().collect(),
            classes: chars.chars().map(class_of).collect(),
            around: Around { prev, next },
            tables: raw.possible,
            script: None,
            index: out.len(),
            lattices: Default::default(),
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
///
/// The state is one word of five [`LANE`]-bit lanes, a bit per table, named by what the next
/// byte must be: `P` lanes wait for the second byte of a sequence, `Q` lanes for a later one,
/// and the digit counts the bytes still missing. A step is then a few word operations, the
/// same for every table.
#[derive(Debug, Default, Clone, Copy)]
struct SequenceFilter {
    state: u64,
    /// Tables where a whole sequence was seen.
    found: u16,
}

/// Bits per lane: one per table.
const LANE: u32 = 12;
const _: () = assert!(TABLE_COUNT <= LANE as usize, "a lane holds a bit per table");
const LANE_BITS: u64 = (1 << LANE) - 1;
/// A two-byte lead just before (`P1`); a three-byte lead (`P2`); a four-byte lead (`P3`).
const P1: u32 = 0;
const P2: u32 = 2 * LANE;
const P3: u32 = 4 * LANE;
/// One byte short after a lead and a continuation or two (`Q1`); two short after a four-byte
/// lead and one continuation (`Q2`).
const Q1: u32 = LANE;
const Q2: u32 = 3 * LANE;
const P_LANES: u64 = LANE_BITS << P1 | LANE_BITS << P2 | LANE_BITS << P3;
const Q_LANES: u64 = LANE_BITS << Q1 | LANE_BITS << Q2;
/// Multiplying a lane's value by these copies it into every `P` lane, or every `Q` lane.
const EVERY_P: u64 = 1 << P1 | 1 << P2 | 1 << P3;
const EVERY_Q: u64 = 1 << Q1 | 1 << Q2;
/// In a [`packed`] entry of [`QuickMasks`]: a C1 control that stands for a Windows-1252
/// character (above the lanes).
const SINGLE: u64 = 1 << 63;

/// `m` as one word for [`SequenceFilter::push_packed`]: the lead masks in the `P` lanes of
/// their length, the continuation mask in both `Q` lanes.
fn packed(m: Masks) -> u64 {
    let lane = |mask: u16, at: u32| (u64::from(mask) & LANE_BITS) << at;
    lane(m.lead2, P1) | lane(m.lead3, P2) | lane(m.lead4, P3) | (u64::from(m.cont & LANE_BITS as u16) * EVERY_Q)
}

impl SequenceFilter {
    fn push(&mut self, c: char, m: Masks) {
        // A space may be any continuation byte (a lost no-break space); a `?` never the
        // second byte, but a later one may be a lost byte.
        let (second, later) = match c {
            ' ' => (nbsp_tables(), nbsp_tables()),
            '?' => (0, u16::MAX),
            _ => (m.cont, m.cont),
        };
        self.step(packed(m) & P_LANES, second, later);
    }

    /// A non-ASCII character, by its [`packed`] masks: its continuation mask goes on in
    /// every lane.
    fn push_packed(&mut self, entry: u64) {
        let going_on = self.state & ((entry >> Q1 & LANE_BITS) * (EVERY_P | EVERY_Q));
        self.advance(entry & P_LANES, going_on);
    }

    /// One character: `leads` (in the `P` lanes) begin sequences; sequences waiting for a
    /// second byte go on in the tables of `second`, those waiting for a later one in `later`.
    fn step(&mut self, leads: u64, second: u16, later: u16) {
        let lane = |mask: u16| u64::from(mask) & LANE_BITS;
        self.advance(leads, self.state & ((lane(second) * EVERY_P) | (lane(later) * EVERY_Q)));
    }

    /// Records the sequences `going_on` (the state's bits the character continues) completes
    /// and moves the others one lane on; `leads` begin new ones.
    fn advance(&mut self, leads: u64, going_on: u64) {
        // Whole sequences: a two-byte lead and its second byte, or a longer one's last byte.
        self.found |= ((going_on >> P1 | going_on >> Q1) & LANE_BITS) as u16;
        // P2 -> Q1 and P3 -> Q2 (a second byte read), Q2 -> Q1 (a later one).
        let moved = (going_on >> LANE) & Q_LANES | (going_on >> (Q2 - Q1)) & (LANE_BITS << Q1);
        self.state = leads | moved;
    }
}

/// The byte-level pre-filter: whether some stretch of `line` may hold a sequence in some table
/// (or a C1 control read as Windows-1252). It runs the [`SequenceFilter`] over the whole line
/// with the same masks as [`Scan`], taken from per-byte tables of [`packed`] masks for two-byte
/// characters and for three-byte ones whose lead byte starts a character of some table, and
/// skips other three-byte characters (CJK, Indic, Thai...) without decoding them. An ASCII
/// character resets the filter as a stretch boundary does, except a space or `?` right after a
/// non-ASCII character; a `?` after such a one, which ends a stretch, is still fed, which can
/// only say "maybe" more often. So this is true for every line where `Scan` finds a possible
/// stretch: it rejects only what `Scan` would reject, at a table look-up per character.
pub(super) fn may_hold_sequence(line: &[u8]) -> bool {
    let quick = quick_masks();
    let mut filter = SequenceFilter::default();
    let mut at = 0;
    // The characters of a non-ASCII word follow each other: only a gap needs the scan.
    let next =
        |at: usize| if line.get(at).is_some_and(|b| !b.is_ascii()) { Some(at) } else { next_non_ascii(line, at) };
    // The six payload bits of the continuation byte at `i` (any bits past the end: the tables
    // are only ever asked whether something *may* be read).
    let low = |i: usize| usize::from(line.get(i).map_or(0, |b| b & 0x3F));
    while let Some(start) = next(at) {
        // A space or `?` right after a non-ASCII character stays in the stretch; any other
        // ASCII (or a second one) has no masks and so resets the filter. An empty filter
        // stays empty through any of them.
        if start > at && filter.state != 0 {
            filter.push(char::from(line[at]), Masks::default());
            if start - at > 1 {
                filter = SequenceFilter { found: filter.found, ..SequenceFilter::default() };
            }
        }
        let lead = line[start];
        // An empty filter stays empty through ASCII and through characters without masks
        // (Arabic, Hebrew, Indic, CJK...): such characters are skipped, a whole run of them
        // at once, at a look-up of each lead byte.
        if filter.state == 0 && !quick.live[usize::from(lead)] {
            at = past_dead_characters(line, start, &quick.live);
            continue;
        }
        let (entry, len) = match lead {
            0xC2..=0xDF => (quick.two[usize::from(lead & 0x1F) << 6 | low(start + 1)], 2),
            0xE0..=0xEF => match &quick.three[usize::from(lead & 0x0F)] {
                Some(table) => (table[low(start + 1) << 6 | low(start + 2)], 3),
                None => (0, 3),
            },
            _ => decoded_masks(line, start),
        };
        if entry & SINGLE != 0 {
            return true;
        }
        at = (start + len).min(line.len());
        // Most accented letters stand alone in a word: on an empty filter, one followed by
        // ASCII that ends its stretch begins nothing that could be completed.
        if filter.state == 0 && line.get(at).is_some_and(|&b| b.is_ascii() && b != b' ' && b != b'?') {
            continue;
        }
        filter.push_packed(entry);
        if filter.found != 0 {
            return true;
        }
    }
    // A space or `?` that ends the line may still complete a sequence.
    if let Some(&last) = line.get(at).filter(|_| at > 0) {
        filter.push(char::from(last), Masks::default());
    }
    filter.found != 0
}

/// The offset after the run of non-ASCII characters from `at` whose lead bytes are not `live`
/// (at most the end of `line`): what [`may_hold_sequence`] skips on an empty filter.
fn past_dead_characters(line: &[u8], mut at: usize, live: &[bool; 256]) -> usize {
    while let Some(&lead) = line.get(at) {
        if lead.is_ascii() || live[usize::from(lead)] {
            break;
        }
        at += char_len(lead);
    }
    at.min(line.len())
}

/// The length of the character a non-ASCII byte `lead` starts (two for a byte that starts
/// none: the tables then read it as some two-byte character, which only says "maybe").
fn char_len(lead: u8) -> usize {
    match lead {
        0xF0.. => 4,
        0xE0.. => 3,
        _ => 2,
    }
}

/// The [`packed`] masks of the character at `at` and its length in bytes.
fn decoded_masks(line: &[u8], at: usize) -> (u64, usize) {
    let len = char_len(line[at]);
    let c = line.get(at..at + len).and_then(|b| std::str::from_utf8(b).ok()).and_then(|s| s.chars().next());
    (c.map_or(0, |c| packed(masks(c))), len)
}

/// Whether [`super::find`] may find a run in `line`, one line without its terminator: false
/// only when the byte pre-filter proves that no stretch of it holds a sequence in any table,
/// so the search would build nothing. Takes bytes (any bytes, valid UTF-8 or not) so that a
/// caller can skip a clean line before validating it. The ASCII before the line's first
/// non-ASCII byte does not change the answer: a caller may pass the line from there on.
pub fn may_hold_run(line: &[u8]) -> bool {
    may_hold_sequence(line)
}

/// Whether the sequence bound ([`gains_nothing`]) proves that [`super::find`] finds no run in
/// `line`, one line without its terminator: the second, dearer test, for a line that
/// [`may_hold_run`] does not clear.
pub fn proven_without_runs(line: &str) -> bool {
    gains_nothing(line, Around::default())
}

/// Per-byte tables of [`may_hold_sequence`], built once from [`masks`] itself: [`packed`]
/// masks, with [`SINGLE`] on a C1 control that stands for a Windows-1252 character.
struct QuickMasks {
    /// U+0000..U+07FF, indexed by the payload bits of a two-byte character.
    two: [u64; 0x800],
    /// Per three-byte lead byte (low four bits), indexed by the payload bits of the two
    /// continuation bytes; none where no character the lead byte starts has masks.
    three: [Option<Box<[u64; 0x1000]>>; 16],
    /// Per byte: a lead byte of characters some of which have masks (the others, ASCII
    /// included, leave an empty filter empty).
    live: [bool; 256],
}

fn quick_masks() -> &'static QuickMasks {
    static QUICK: OnceLock<QuickMasks> = OnceLock::new();
    QUICK.get_or_init(|| {
        let two = std::array::from_fn(|code| match char::from_u32(code as u32) {
            Some(c) if code >= 0x80 => packed(masks(c)) | if single_byte(c).is_some() { SINGLE } else { 0 },
            _ => 0,
        });
        let three = three_byte_tables(masked_chars());
        let live = std::array::from_fn(|byte| match byte {
            0xC2..=0xDF => two.iter().skip((byte & 0x1F) << 6).take(0x40).any(|&entry| entry != 0),
            0xE0..=0xEF => three[byte & 0x0F].is_some(),
            0xF0..=0xF4 => true,
            _ => false,
        });
        QuickMasks { two, three, live }
    })
}

/// Every character that may have masks: the upper halves of the tables (a character no table
/// decodes to is no byte of any table) and U+FFFD (a wildcard). Far fewer than the 61,440
/// three-byte characters, which every process would otherwise look up at start.
fn masked_chars() -> impl Iterator<Item = char> {
    Table::all().flat_map(|t| (0x80..=0xFF_u8).map(move |b| t.decode(b))).chain(['\u{FFFD}'])
}

/// The [`packed`] masks of the three-byte characters among `chars`, a table per lead byte
/// (low four bits) that starts one with masks.
fn three_byte_tables(chars: impl Iterator<Item = char>) -> [Option<Box<[u64; 0x1000]>>; 16] {
    let mut tables: [Option<Box<[u64; 0x1000]>>; 16] = Default::default();
    for c in chars.filter(|&c| c.len_utf8() == 3) {
        let entry = packed(masks(c));
        if entry == 0 {
            continue;
        }
        let code = u32::from(c) as usize;
        let table = tables[code >> 12 & 0x0F].get_or_insert_with(|| Box::new([0; 0x1000]));
        table[code & 0xFFF] = entry;
    }
    tables
}

/// The Windows-1252 character a C1 control stood for, when Windows-1252 text was read as
/// Latin-1.
pub(super) fn single_byte(c: char) -> Option<char> {
    let byte = u8::try_from(u32::from(c)).ok().filter(|b| (0x80..=0x9F).contains(b))?;
    let decoded = Table::WESTERN.decode(byte);
    (decoded != c).then_some(decoded)
}

/// Offset of the first non-ASCII byte at or after `from`. Nearly all of a typical corpus is
/// ASCII, in long runs (whole 64-byte blocks are tested with the word-at-a-time `is_ascii`),
/// while the letters of a non-ASCII line are a few bytes apart: one eight-byte word is tested
/// first, and the tail a word at a time, so a short gap costs a few instructions.
/// That first word is tested inline ([`may_hold_sequence`] looks across such a gap at almost
/// every non-ASCII word).
#[inline]
pub fn next_non_ascii(bytes: &[u8], from: usize) -> Option<usize> {
    match first_high_bit(bytes, from) {
        Some(found) => found,
        None => next_non_ascii_after(bytes, from + WORD),
    }
}

/// [`next_non_ascii`] past its first word, from `at`: whole blocks first.
fn next_non_ascii_after(bytes: &[u8], mut at: usize) -> Option<usize> {
    const BLOCK: usize = 64;
    while let Some(block) = bytes.get(at..at + BLOCK) {
        if !block.is_ascii() {
            break;
        }
        at += BLOCK;
    }
    loop {
        match first_high_bit(bytes, at) {
            Some(found) => return found,
            None => at += WORD,
        }
    }
}

/// Bytes tested at a time by [`first_high_bit`].
const WORD: usize = 8;

/// The first non-ASCII byte among the [`WORD`] bytes at `at`: `Some(None)` when there is none
/// up to the end of `bytes` (fewer than a word left), `None` when the whole word is ASCII.
fn first_high_bit(bytes: &[u8], at: usize) -> Option<Option<usize>> {
    let Some(word) = bytes.get(at..at + WORD).and_then(|w| <[u8; WORD]>::try_from(w).ok()) else {
        let rest = bytes.get(at..).unwrap_or_default();
        return Some(rest.iter().position(|b| !b.is_ascii()).map(|i| at + i));
    };
    let high = u64::from_le_bytes(word) & 0x8080_8080_8080_8080;
    (high != 0).then(|| Some(at + (high.trailing_zeros() / 8) as usize))
}

#[cfg(test)]
mod tests {
    use super::super::tables::TABLE_COUNT;
    use super::*;

    const DATA: [&str; 3] = [
        include_str!("../../../tests/data/mojibake/sentences.txt"),
        include_str!("../../../tests/data/mojibake/clean-multilingual.txt"),
        include_str!("../../../tests/data/mojibake/traps.txt"),
    ];

    /// What the pre-filter must never reject: a line where `Scan` finds a possible stretch.
    fn scan_finds(line: &str) -> bool {
        Scan::new(line).any(|raw| raw.possible != 0)
    }

    fn assert_never_rejects_what_scan_keeps(line: &str) {
        if scan_finds(line) {
            assert!(may_hold_sequence(line.as_bytes()), "the pre-filter rejects {line:?}");
        }
    }

    /// Every corpus line, as it is and read in each table.
    fn lines_and_mangled() -> impl Iterator<Item = String> {
        DATA.iter().flat_map(|d| d.lines()).flat_map(|line| {
            std::iter::once(line.to_owned()).chain((0..TABLE_COUNT).map(move |t| mangled(line, Table(t as u8))))
        })
    }

    /// `text`'s UTF-8 bytes read in `table`.
    fn mangled(text: &str, table: Table) -> String {
        text.bytes().map(|b| if b.is_ascii() { char::from(b) } else { table.decode(b) }).collect()
    }

    #[test]
    fn clean_and_mangled_corpus_lines_are_never_wrongly_rejected() {
        let mut rejected = 0;
        for line in DATA.iter().flat_map(|d| d.lines()) {
            assert_never_rejects_what_scan_keeps(line);
            rejected += usize::from(!may_hold_sequence(line.as_bytes()));
            for table in 0..TABLE_COUNT {
                let once = mangled(line, Table(table as u8));
                assert_never_rejects_what_scan_keeps(&once);
                assert_never_rejects_what_scan_keeps(&mangled(&once, Table(table as u8)));
                assert_never_rejects_what_scan_keeps(&once.replace('\u{a0}', " "));
            }
        }
        // The pre-filter must earn its place: most clean lines never reach the scanner.
        assert!(rejected > 100, "only {rejected} lines rejected");
    }

    /// The line from its first non-ASCII byte on gets the whole line's answer (the streaming
    /// `fix` looks for a line's start only when the pre-filter does not clear it).
    #[test]
    fn the_ascii_before_the_first_non_ascii_byte_does_not_change_the_answer() {
        let (mut kept, mut cleared) = (0, 0);
        for text in lines_and_mangled() {
            let Some(first) = next_non_ascii(text.as_bytes(), 0) else {
                continue;
            };
            let whole = may_hold_run(text.as_bytes());
            assert_eq!(may_hold_run(&text.as_bytes()[first..]), whole, "{text:?}");
            if whole { kept += 1 } else { cleared += 1 }
        }
        assert!(kept > 1000 && cleared > 50, "{kept} kept, {cleared} cleared");
    }

    #[test]
    fn next_non_ascii_finds_the_first_high_byte_from_any_offset() {
        let mut bytes: Vec<u8> = (0..200).map(|i| b'a' + (i % 26) as u8).collect();
        for high in [0, 7, 8, 9, 63, 64, 65, 71, 72, 130, 199] {
            bytes[high] = 0xC3;
        }
        for end in [0, 1, 7, 8, 9, 64, 100, 200] {
            for from in 0..=end {
                let expected = bytes[from..end].iter().position(|b| !b.is_ascii()).map(|i| from + i);
                assert_eq!(next_non_ascii(&bytes[..end], from), expected, "from {from} to {end}");
            }
        }
        assert_eq!(next_non_ascii(b"abc", 7), None);
    }

    /// The contract the streaming `fix` relies on: a line that the pre-filter or the bound
    /// clears has no run, even with every shortcut of the search off.
    #[test]
    fn a_line_the_pre_filter_or_the_bound_clears_has_no_run() {
        let (mut by_filter, mut by_bound) = (0, 0);
        for text in lines_and_mangled() {
            let cleared = if !may_hold_run(text.as_bytes()) {
                by_filter += 1;
                true
            } else if proven_without_runs(&text) {
                by_bound += 1;
                true
            } else {
                false
            };
            if cleared {
                let slow = super::super::path::without_shortcuts(|| super::super::find(&text));
                assert_eq!(slow, Vec::new(), "{text:?}");
            }
        }
        assert!(by_filter > 100 && by_bound > 10, "cleared {by_filter} by the pre-filter, {by_bound} by the bound");
    }

    /// The lattice reads nothing in a stretch that the scanner rules out, in any table.
    fn assert_scan_keeps_what_the_lattice_reads(line: &str) {
        for raw in Scan::new(line) {
            let chars: Vec<char> = line[raw.range.clone()].chars().collect();
            for table in Table::all().filter(|t| raw.possible & (1 << t.0) == 0) {
                let mut found = Vec::new();
                (0..chars.len()).for_each(|at| readings(&mut found, &chars, at, table));
                assert!(found.is_empty(), "{line:?}: the scanner rules out {table:?}, the lattice reads {found:?}");
            }
        }
    }

    #[test]
    fn the_scanner_never_rules_out_a_reading() {
        // A no-break space read back from a space inside three-byte sequences (KOI8-R).
        for line in ["\u{416} \u{2566}x", "\u{41b} \u{2566} y", "caf\u{c3} ok"] {
            assert_scan_keeps_what_the_lattice_reads(line);
        }
        for line in DATA.iter().flat_map(|d| d.lines()) {
            for table in 0..TABLE_COUNT {
                assert_scan_keeps_what_the_lattice_reads(&mangled(line, Table(table as u8)).replace('\u{a0}', " "));
            }
        }
    }

    /// The quick tables are built from the characters of the tables; every three-byte
    /// character must agree with them.
    #[test]
    fn three_byte_tables_hold_every_character_with_masks() {
        let all = (0x800..=0xFFFF_u32).filter_map(char::from_u32);
        assert_eq!(three_byte_tables(masked_chars()), three_byte_tables(all));
        assert!(three_byte_tables(masked_chars()).iter().any(Option::is_none), "CJK lead bytes are inert");
    }

    /// Skipping a run of characters whose lead bytes are not live at once ends where skipping
    /// them one at a time does, from every character of every test line and of lines of
    /// such characters cut anywhere (a lead byte without its continuation at the end).
    #[test]
    fn a_run_of_dead_characters_is_skipped_as_one_at_a_time() {
        let live = &quick_masks().live;
        let one_at_a_time = |line: &[u8], mut at: usize| {
            while let Some(&lead) = line.get(at).filter(|b| !b.is_ascii() && !live[usize::from(**b)]) {
                at = (at + char_len(lead)).min(line.len());
            }
            at
        };
        let dead = "عبԱअกა中한😀".repeat(3);
        let mut lines: Vec<String> = lines_and_mangled().collect();
        lines.extend((0..dead.len()).map(|cut| String::from_utf8_lossy(&dead.as_bytes()[..cut]).into_owned()));
        let mut runs = 0;
        for line in &lines {
            let bytes = line.as_bytes();
            for at in 0..=bytes.len() {
                let expected = one_at_a_time(bytes, at);
                assert_eq!(past_dead_characters(bytes, at, live), expected, "{line:?} from {at}");
                runs += usize::from(expected > at);
            }
        }
        // Cut lines, raw bytes: a lead byte whose character runs past the end.
        for cut in 0..dead.len() {
            let bytes = &dead.as_bytes()[..cut];
            assert_eq!(past_dead_characters(bytes, 0, live), one_at_a_time(bytes, 0), "cut at {cut}");
        }
        assert!(runs > 1000, "only {runs} runs skipped");
    }

    /// A character whose lead byte the pre-filter skips on an empty filter has no masks.
    #[test]
    fn characters_of_lead_bytes_that_are_not_live_have_no_masks() {
        let quick = quick_masks();
        let mut skipped = 0;
        for c in (0x80..=0x10FFFF_u32).filter_map(char::from_u32) {
            let mut buf = [0; 4];
            let lead = c.encode_utf8(&mut buf).as_bytes()[0];
            if !quick.live[usize::from(lead)] {
                assert_eq!((masks(c), single_byte(c)), (Masks::default(), None), "{c:?}");
                skipped += 1;
            }
        }
        // Arabic, Hebrew, Armenian, Indic, Thai, Georgian, CJK and Hangul are skipped.
        for c in "عבԱअกა中한".chars() {
            let mut buf = [0; 4];
            assert!(!quick.live[usize::from(c.encode_utf8(&mut buf).as_bytes()[0])], "{c:?}");
        }
        assert!(skipped > 40_000, "only {skipped} characters skipped");
    }

    /// The packed filter steps as the lanes say: each length of sequence found after its last
    /// byte and not before, a `?` only as a later byte, a space only where a no-break space is
    /// a continuation byte.
    #[test]
    fn the_packed_filter_finds_whole_sequences_only() {
        let (lead2, lead3, lead4, cont) = (0b0001, 0b0010, 0b0100, 0b0111);
        let char_of = |lead2, lead3, lead4, cont| Masks { lead2, lead3, lead4, cont, rare: 0 };
        let run = |steps: &[(char, Masks)]| {
            let mut filter = SequenceFilter::default();
            steps
                .iter()
                .map(|&(c, m)| {
                    filter.push(c, m);
                    filter.found
                })
                .collect::<Vec<_>>()
        };
        let lead = char_of(lead2, lead3, lead4, 0);
        let follow = char_of(0, 0, 0, cont);
        let x = '\u{80}';
        assert_eq!(run(&[(x, lead), (x, follow), (x, follow), (x, follow)]), [0, 0b001, 0b011, 0b111]);
        assert_eq!(run(&[(x, lead), ('?', Masks::default()), ('?', Masks::default())]), [0, 0, 0]);
        assert_eq!(
            run(&[(x, lead), (x, follow), ('?', Masks::default()), ('?', Masks::default())]),
            [0, 1, 0b011, 0b111]
        );
        assert_eq!(run(&[(x, lead), ('a', Masks::default()), (x, follow)]), [0, 0, 0]);
        let nbsp = nbsp_tables();
        let all = char_of(LANE_BITS as u16, LANE_BITS as u16, LANE_BITS as u16, 0);
        assert_eq!(run(&[(x, all), (' ', Masks::default())]), [0, nbsp & LANE_BITS as u16]);
        // The packed step of a non-ASCII character is the general one.
        for m in [lead, follow, all, char_of(0b1000, 0, 0, 0b1010)] {
            let (mut general, mut quick) = (SequenceFilter::default(), SequenceFilter::default());
            for _ in 0..4 {
                general.push(x, m);
                quick.push_packed(packed(m));
                assert_eq!((general.state, general.found), (quick.state, quick.found), "{m:?}");
            }
        }
    }

    /// Random strings over every character some table decodes to, plus the characters the
    /// stretch rules treat specially, ASCII, CJK and emoji (a fixed-seed xorshift, so a
    /// failure reproduces).
    #[test]
    fn random_strings_are_never_wrongly_rejected() {
        let mut pool: Vec<char> = "ab ?.\u{fffd}\u{a0}\u{85}\u{93}\u{9d}中文😀ÿ".chars().collect();
        for table in 0..TABLE_COUNT {
            pool.extend((0x80..=0xFF_u8).map(|b| Table(table as u8).decode(b)));
        }
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..200_000 {
            let len = 1 + next() % 10;
            let line: String = (0..len).map(|_| pool[(next() % pool.len() as u64) as usize]).collect();
            assert_never_rejects_what_scan_keeps(&line);
            assert_scan_keeps_what_the_lattice_reads(&line);
        }
    }
}
