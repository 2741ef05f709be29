//! The byte lattice: what bytes each character of a stretch may stand for in one table, and
//! the UTF-8 (and CESU-8) sequences that can be read from it.
//!
//! Normally a character stands for exactly one byte, its byte in the table. Three kinds of
//! damage widen that set: a U+FFFD, or a `?` inside a sequence, stands for a byte that was
//! lost (any continuation byte: a wildcard, decoded to U+FFFD, never to a guess; the search
//! leaves out the readings of a U+FFFD that a repair wrote, see `path::Eagerness`); a plain
//! space may stand for the table's no-break space; a C1 control stands for its own byte
//! (Latin-1), which the Western table already holds.

use super::tables::Table;

/// What one character may stand for as a continuation byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cont {
    Byte(u8),
    /// A space read back as the table's no-break space.
    Nbsp(u8),
    /// A lost byte.
    Wild,
}

/// One way to read characters `start..end` of a stretch as the bytes of one character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Reading {
    pub end: usize,
    pub decoded: char,
    pub wildcards: u8,
    pub nbsp: u8,
    pub cesu: bool,
}

/// Every sequence that starts at character `at` of `chars` in `table`.
pub(super) fn readings(acc: &mut Vec<Reading>, chars: &[char], at: usize, table: Table) {
    let Some(lead) = chars.get(at).and_then(|&c| table.encode(c)) else {
        return;
    };
    let len = match lead {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return,
    };
    let Some(conts) = continuations(chars, at, len, table) else {
        return;
    };
    if let Some(reading) = utf8(lead, &conts, at + len) {
        acc.push(reading);
    }
    if lead == 0xED {
        acc.extend(cesu(chars, at, lead, &conts, table));
    }
}

/// The continuation bytes of a `len`-byte sequence starting at `at`, if every character
/// after the lead can be one. A `?` is a wildcard only after a real continuation byte (in
/// `â€?`, not in `É?`); a space may stand for the table's no-break space.
fn continuations(chars: &[char], at: usize, len: usize, table: Table) -> Option<Vec<Cont>> {
    let mut out = Vec::with_capacity(len - 1);
    for i in 1..len {
        let c = *chars.get(at + i)?;
        let cont = match c {
            '\u{FFFD}' => Cont::Wild,
            '?' if i >= 2 && matches!(out.first(), Some(Cont::Byte(_))) => Cont::Wild,
            // Any continuation byte (`Ã ` for `à`, `áƒ ` for `რ`, KOI8-R's `Л ╦` for `울`); the
            // cost model weighs a space after a partial sequence (`â€ ` before a word) against
            // a separator after a dropped byte.
            ' ' => Cont::Nbsp(table.nbsp_continuation()?),
            _ => Cont::Byte(table.encode(c).filter(|b| (0x80..=0xBF).contains(b))?),
        };
        out.push(cont);
    }
    Some(out)
}

/// Decodes one UTF-8 sequence; wildcards make it a lost character (U+FFFD) as long as some
/// byte would make the sequence valid.
fn utf8(lead: u8, conts: &[Cont], end: usize) -> Option<Reading> {
    let wildcards = conts.iter().filter(|c| matches!(c, Cont::Wild)).count() as u8;
    let nbsp = conts.iter().filter(|c| matches!(c, Cont::Nbsp(_))).count() as u8;
    let mut bytes = [lead, 0, 0, 0];
    for (slot, cont) in bytes.iter_mut().skip(1).zip(conts) {
        *slot = match cont {
            Cont::Byte(b) | Cont::Nbsp(b) => *b,
            // The smallest continuation byte valid after this lead stands in for the check.
            Cont::Wild => second_byte_floor(lead),
        };
    }
    let decoded = std::str::from_utf8(&bytes[..=conts.len()]).ok()?.chars().next()?;
    let decoded = if wildcards > 0 { '\u{FFFD}' } else { decoded };
    Some(Reading { end, decoded, wildcards, nbsp, cesu: false })
}

/// The lowest byte that may follow `lead` (E0 and F0 exclude overlong forms).
fn second_byte_floor(lead: u8) -> u8 {
    match lead {
        0xE0 => 0xA0,
        0xF0 => 0x90,
        _ => 0x80,
    }
}

/// A surrogate pair written as two 3-byte sequences (ED A0..AF xx ED B0..BF xx).
fn cesu(chars: &[char], at: usize, lead: u8, conts: &[Cont], table: Table) -> Option<Reading> {
    let [Cont::Byte(h1 @ 0xA0..=0xAF), Cont::Byte(h2)] = conts else {
        return None;
    };
    if table.encode(*chars.get(at + 3)?) != Some(lead) {
        return None;
    }
    let low = continuations(chars, at + 3, 3, table)?;
    let [Cont::Byte(l1 @ 0xB0..=0xBF), Cont::Byte(l2)] = low.as_slice() else {
        return None;
    };
    let high = 0xD000 | (u32::from(h1 & 0x3F) << 6) | u32::from(h2 & 0x3F);
    let low = 0xD000 | (u32::from(l1 & 0x3F) << 6) | u32::from(l2 & 0x3F);
    let code = 0x1_0000 + ((high - 0xD800) << 10) + (low - 0xDC00);
    let decoded = char::from_u32(code)?;
    Some(Reading { end: at + 6, decoded, wildcards: 0, nbsp: 0, cesu: true })
}

/// What a lost byte could have been.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Lost {
    /// The characters it makes with a byte the table leaves undefined (the usual way bytes
    /// get lost).
    pub likely: Vec<char>,
    /// The characters it makes with any continuation byte (a byte lost some other way).
    pub possible: Vec<char>,
}

/// The characters the one lost byte in the sequence `chars[at..end]` could have been.
pub(super) fn lost_candidates(chars: &[char], at: usize, end: usize, table: Table) -> Lost {
    let Some(seq) = chars.get(at..end) else {
        return Lost::default();
    };
    let Some(wild) = seq.iter().position(|&c| c == '\u{FFFD}' || c == '?') else {
        return Lost::default();
    };
    let byte_of = |i: usize, c: char| match c {
        _ if i == wild => Some(0),
        ' ' => table.nbsp_continuation(),
        _ => table.encode(c),
    };
    let Some(mut bytes) = seq.iter().enumerate().map(|(i, &c)| byte_of(i, c)).collect::<Option<Vec<u8>>>() else {
        return Lost::default();
    };
    let mut complete = |byte: u8| {
        bytes[wild] = byte;
        std::str::from_utf8(&bytes).ok().and_then(|s| s.chars().next())
    };
    let likely = table.undefined().filter_map(&mut complete).collect();
    let possible = (0x80..=0xBF_u8).filter_map(&mut complete).collect();
    Lost { likely, possible }
}
