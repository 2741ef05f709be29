//! The legacy code pages as data rows, and the character → byte lookup the lattice reads.
//!
//! Each row names a table, where its upper half (bytes 0x80..=0xFF) comes from (encoding_rs
//! when it has the code page, a 128-character string when it does not), how unlikely the
//! table is a priori, and which letters of its upper half are rare in the languages that use
//! it (they make a stretch look more like damage). Adding a code page is one row. The lower
//! half is ASCII in every table, and ASCII never occurs inside a multi-byte UTF-8 sequence.

use std::sync::OnceLock;

use encoding_rs::Encoding;

use super::Legacy;

/// Where a table's upper half comes from.
enum Source {
    Whatwg(&'static Encoding),
    Chars(&'static str),
}

/// One code page.
struct Row {
    legacy: Legacy,
    source: Source,
    /// Cost of assuming this table at all (more exotic tables need more evidence).
    prior: i32,
    /// Letters of the upper half that real text in this table's languages rarely holds, with
    /// the badness each adds.
    rare: &'static [(&'static str, i32)],
}

/// The tables, most common in the wild first; on a tie the earlier one wins. The Western
/// row is Windows-1252 and Latin-1 at once: real damage mixes them (Latin-1 keeps the C1
/// controls that Windows-1252 turns into `€`, `‚`, ...).
const ROWS: [Row; TABLE_COUNT] = [
    Row {
        legacy: Legacy::Windows1252,
        source: Source::Whatwg(encoding_rs::WINDOWS_1252),
        prior: 0,
        rare: &[("ÃÂŠšŒœŽžŸƒªºµ", 3)],
    },
    Row {
        legacy: Legacy::Windows1250,
        source: Source::Whatwg(encoding_rs::WINDOWS_1250),
        prior: 1,
        rare: &[("ĂÂĹ", 3)],
    },
    Row {
        legacy: Legacy::Iso8859_2, source: Source::Whatwg(encoding_rs::ISO_8859_2), prior: 2, rare: &[("ĂÂĹ", 3)]
    },
    Row {
        legacy: Legacy::Windows1251,
        source: Source::Whatwg(encoding_rs::WINDOWS_1251),
        prior: 1,
        rare: &[("ЎўЅѕ", 3)],
    },
    Row { legacy: Legacy::Windows1253, source: Source::Whatwg(encoding_rs::WINDOWS_1253), prior: 2, rare: &[] },
    Row {
        legacy: Legacy::Windows1254,
        source: Source::Whatwg(encoding_rs::WINDOWS_1254),
        prior: 1,
        rare: &[("ÃÂŠšŒœŸƒªºµ", 3)],
    },
    Row {
        legacy: Legacy::Windows1257,
        source: Source::Whatwg(encoding_rs::WINDOWS_1257),
        prior: 1,
        rare: &[("ÃĆ", 3)],
    },
    Row { legacy: Legacy::Koi8R, source: Source::Whatwg(encoding_rs::KOI8_R), prior: 3, rare: &[] },
    Row { legacy: Legacy::MacRoman, source: Source::Whatwg(encoding_rs::MACINTOSH), prior: 1, rare: &[] },
    Row { legacy: Legacy::MacCyrillic, source: Source::Whatwg(encoding_rs::X_MAC_CYRILLIC), prior: 3, rare: &[] },
    Row { legacy: Legacy::Cp437, source: Source::Chars(CP437_HIGH), prior: 2, rare: &[] },
    Row { legacy: Legacy::Cp850, source: Source::Chars(CP850_HIGH), prior: 2, rare: &[] },
];

pub(super) const TABLE_COUNT: usize = 12;

/// IBM code page 437, the DOS console encoding (not in encoding_rs).
const CP437_HIGH: &str = "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»\
░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀\
αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{A0}";

/// IBM code page 850, DOS Western Europe (not in encoding_rs).
const CP850_HIGH: &str = "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜø£Ø×ƒáíóúñÑªº¿®¬½¼¡«»\
░▒▓│┤ÁÂÀ©╣║╗╝¢¥┐└┴┬├─┼ãÃ╚╔╩╦╠═╬¤ðÐÊËÈıÍÎÏ┘┌█▄¦Ì▀\
ÓßÔÒõÕµþÞÚÛÙýÝ¯´\u{AD}±‗¾¶§÷¸°¨·¹³²■\u{A0}";

/// A table, by its index in [`ROWS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) struct Table(pub u8);

impl Table {
    /// Windows-1252 and Latin-1, the only table where a C1 control may stand for itself.
    pub(super) const WESTERN: Table = Table(0);

    pub(super) fn all() -> impl Iterator<Item = Table> {
        (0..TABLE_COUNT as u8).map(Table)
    }

    fn row(self) -> &'static Row {
        &ROWS[usize::from(self.0) % TABLE_COUNT]
    }

    pub(super) fn legacy(self) -> Legacy {
        self.row().legacy
    }

    pub(super) fn prior(self) -> i32 {
        self.row().prior
    }

    pub(super) fn is_western(self) -> bool {
        self.0 == 0
    }

    /// Extra badness of `c` in text of this table's languages (letters they rarely hold).
    pub(super) fn rarity(self, c: char) -> i32 {
        if c.is_ascii() || masks(c).rare & (1 << self.0) == 0 {
            return 0;
        }
        let rare = &lookup().rare;
        rare.binary_search_by_key(&c, |(k, ..)| *k).map_or(0, |at| rare[at].1[usize::from(self.0) % TABLE_COUNT])
    }

    /// The byte `c` stands for in this table, if `c` is in its upper half.
    pub(super) fn encode(self, c: char) -> Option<u8> {
        let byte = lookup().bytes(c)?[usize::from(self.0)];
        (byte != 0).then_some(byte)
    }

    /// What `byte` (0x80..=0xFF) decodes to in this table.
    pub(super) fn decode(self, byte: u8) -> char {
        lookup().forward[usize::from(self.0) % TABLE_COUNT][usize::from(byte & 0x7F)]
    }

    /// The byte a no-break space is in this table, when it is a UTF-8 continuation byte
    /// (so a plain space in a sequence may stand for it).
    pub(super) fn nbsp_continuation(self) -> Option<u8> {
        lookup().nbsp[usize::from(self.0) % TABLE_COUNT]
    }

    /// Bytes this table leaves undefined (decoded as C1 controls by browsers, lost by strict
    /// decoders): what a wildcard most likely stood for.
    /// Does the table leave some continuation byte undefined (a byte its strict decoders lose)?
    pub(super) fn has_holes(self) -> bool {
        lookup().undefined[usize::from(self.0) % TABLE_COUNT] != 0
    }

    pub(super) fn undefined(self) -> impl Iterator<Item = u8> {
        let bits = lookup().undefined[usize::from(self.0) % TABLE_COUNT];
        (0x80..=0xBF_u8).filter(move |&b| bits & (1 << (b - 0x80)) != 0)
    }
}

/// Per-character bit masks over tables (bit `i` is table `i`), for the cheap pre-filter of the
/// scanner: which tables could read a UTF-8 sequence here at all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Masks {
    /// Tables where the character is the lead byte of a two-byte sequence (0xC2..=0xDF).
    pub lead2: u16,
    /// ... of a three-byte sequence (0xE0..=0xEF).
    pub lead3: u16,
    /// ... of a four-byte sequence (0xF0..=0xF4).
    pub lead4: u16,
    /// Tables where the character is a UTF-8 continuation byte (0x80..=0xBF).
    pub cont: u16,
    /// Tables whose languages rarely hold the character (see [`Table::rarity`]).
    pub rare: u16,
}

impl Masks {
    /// Tables where the character is a lead byte of any length.
    pub(super) fn lead(self) -> u16 {
        self.lead2 | self.lead3 | self.lead4
    }
}

/// Masks of `c`. A U+FFFD is a continuation in every table (a wildcard).
pub(super) fn masks(c: char) -> Masks {
    match c {
        '\u{FFFD}' => Masks { cont: u16::MAX, ..Masks::default() },
        _ => lookup().masks(c),
    }
}

/// Tables with a no-break space among their continuation bytes: where a plain space may be the
/// second byte of a two-byte sequence.
pub(super) fn nbsp_tables() -> u16 {
    lookup().nbsp_tables
}

/// Characters below this code point are looked up in dense arrays; the few above (MacRoman's
/// `ﬁ`, `ﬂ` and Apple logo) in a short list.
const DENSE: usize = 0x2600;

struct Lookup {
    forward: [[char; 128]; TABLE_COUNT],
    /// Per table, the bytes the code page leaves undefined (bit `b - 0x80`).
    undefined: [u128; TABLE_COUNT],
    dense: Vec<[u8; TABLE_COUNT]>,
    dense_masks: Vec<Masks>,
    sparse: Vec<(char, [u8; TABLE_COUNT])>,
    /// Each table's no-break space, when it is a continuation byte.
    nbsp: [Option<u8>; TABLE_COUNT],
    nbsp_tables: u16,
    /// Each rare letter (sorted) with its badness in every table and the tables that list it.
    rare: Vec<(char, [i32; TABLE_COUNT], u16)>,
}

impl Lookup {
    fn bytes(&self, c: char) -> Option<&[u8; TABLE_COUNT]> {
        let code = c as usize;
        if code < DENSE {
            return self.dense.get(code);
        }
        self.sparse.iter().find(|(k, _)| *k == c).map(|(_, b)| b)
    }

    fn masks(&self, c: char) -> Masks {
        let code = c as usize;
        if code < DENSE {
            return self.dense_masks.get(code).copied().unwrap_or_default();
        }
        self.bytes(c).map(|bytes| masks_of(bytes, rare_tables(&self.rare, c))).unwrap_or_default()
    }
}

/// The tables that list `c` as a rare letter (a bit per table).
fn rare_tables(rare: &[(char, [i32; TABLE_COUNT], u16)], c: char) -> u16 {
    rare.binary_search_by_key(&c, |(k, ..)| *k).map_or(0, |at| rare[at].2)
}

fn masks_of(bytes: &[u8; TABLE_COUNT], rare_tables: u16) -> Masks {
    let mut out = Masks { rare: rare_tables, ..Masks::default() };
    for (i, &b) in bytes.iter().enumerate() {
        let bit = 1 << i;
        match b {
            0x80..=0xBF => out.cont |= bit,
            0xC2..=0xDF => out.lead2 |= bit,
            0xE0..=0xEF => out.lead3 |= bit,
            0xF0..=0xF4 => out.lead4 |= bit,
            _ => {}
        }
    }
    out
}

fn lookup() -> &'static Lookup {
    static LOOKUP: OnceLock<Lookup> = OnceLock::new();
    LOOKUP.get_or_init(build)
}

fn build() -> Lookup {
    let halves: [([char; 128], u128); TABLE_COUNT] = std::array::from_fn(|i| upper_half(&ROWS[i].source));
    let forward = halves.map(|(chars, _)| chars);
    let undefined = halves.map(|(_, bits)| bits);
    let mut dense = vec![[0_u8; TABLE_COUNT]; DENSE];
    let mut sparse: Vec<(char, [u8; TABLE_COUNT])> = Vec::new();
    let mut add = |c: char, table: usize, byte: u8| {
        let slot = match dense.get_mut(c as usize) {
            Some(slot) => slot,
            None => match sparse.iter().position(|(k, _)| *k == c) {
                Some(at) => &mut sparse[at].1,
                None => {
                    sparse.push((c, [0; TABLE_COUNT]));
                    let last = sparse.len() - 1;
                    &mut sparse[last].1
                }
            },
        };
        if slot[table] == 0 {
            slot[table] = byte;
        }
    };
    for (table, decoded) in forward.iter().enumerate() {
        for (c, byte) in decoded.iter().zip(0x80..=0xFF_u8) {
            add(*c, table, byte);
        }
    }
    // Latin-1 half of the Western table: each C1 control stands for its own byte.
    for byte in 0x80..=0x9F_u8 {
        add(char::from(byte), 0, byte);
    }
    let mut rare: Vec<(char, [i32; TABLE_COUNT], u16)> = Vec::new();
    for (table, row) in ROWS.iter().enumerate() {
        for &(chars, weight) in row.rare {
            for c in chars.chars() {
                let at = rare.iter().position(|(k, ..)| *k == c).unwrap_or_else(|| {
                    rare.push((c, [0; TABLE_COUNT], 0));
                    rare.len() - 1
                });
                rare[at].1[table] += weight;
                rare[at].2 |= 1 << table;
            }
        }
    }
    rare.sort_by_key(|(c, ..)| *c);
    // Only the characters of some table have masks (and the rare ones a rare bit): the rest of
    // the 9,728 entries stay empty instead of being worked out one by one at start-up.
    let mut dense_masks = vec![Masks::default(); DENSE];
    for (slot, bytes) in dense_masks.iter_mut().zip(&dense).filter(|(_, bytes)| **bytes != [0; TABLE_COUNT]) {
        *slot = masks_of(bytes, 0);
    }
    for &(c, _, tables) in &rare {
        if let Some(slot) = dense_masks.get_mut(c as usize) {
            slot.rare = tables;
        }
    }
    let nbsp: [Option<u8>; TABLE_COUNT] =
        std::array::from_fn(|i| (0x80..=0xBF_u8).find(|&b| forward[i][usize::from(b & 0x7F)] == '\u{A0}'));
    let nbsp_tables = nbsp.iter().enumerate().filter(|(_, b)| b.is_some()).fold(0, |acc, (i, _)| acc | 1 << i);
    Lookup { forward, undefined, dense, dense_masks, sparse, nbsp, nbsp_tables, rare }
}

/// A table's upper half, and which of its bytes the code page leaves undefined (bit `b - 0x80`).
/// An undefined byte shows as the Latin-1 character of the same value (a C1 control, or `¡`
/// for Windows-1257's 0xA1), as sloppy decoders (browsers, most scrapers) show it.
fn upper_half(source: &Source) -> ([char; 128], u128) {
    let mut out = ['\u{FFFD}'; 128];
    match source {
        Source::Whatwg(encoding) => {
            // A single-byte code page decodes each byte to one character (U+FFFD if undefined),
            // so the whole upper half is decoded at once.
            let bytes: Vec<u8> = (0x80..=0xFF_u8).collect();
            let (text, _) = encoding.decode_without_bom_handling(&bytes);
            for (slot, c) in out.iter_mut().zip(text.chars()) {
                *slot = c;
            }
        }
        Source::Chars(chars) => {
            for (slot, c) in out.iter_mut().zip(chars.chars()) {
                *slot = c;
            }
        }
    }
    let mut undefined = 0_u128;
    for (i, (slot, byte)) in out.iter_mut().zip(0x80..=0xFF_u8).enumerate() {
        if matches!(*slot, '\u{80}'..='\u{9F}' | '\u{FFFD}') {
            *slot = char::from(byte);
            undefined |= 1 << i;
        }
    }
    (out, undefined)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The upper halves are decoded 128 bytes at once: each byte must be one character, the one
    /// it decodes to alone.
    #[test]
    fn a_code_page_decodes_its_upper_half_byte_by_byte() {
        for (i, row) in ROWS.iter().enumerate() {
            let Source::Whatwg(encoding) = row.source else {
                continue;
            };
            let (half, _) = upper_half(&row.source);
            for (byte, &c) in (0x80..=0xFF_u8).zip(&half) {
                let bytes = [byte];
                let (alone, _) = encoding.decode_without_bom_handling(&bytes);
                let expected = match alone.chars().next() {
                    Some('\u{80}'..='\u{9F}' | '\u{FFFD}') | None => char::from(byte),
                    Some(other) => other,
                };
                assert_eq!(c, expected, "table {i}, byte {byte:#x}");
                assert_eq!(Table(i as u8).decode(byte), expected);
            }
        }
    }

    /// Start-up leaves the characters of no table empty, and gives the others their masks.
    #[test]
    fn dense_masks_are_the_masks_of_each_character() {
        let lookup = lookup();
        for (code, bytes) in lookup.dense.iter().enumerate() {
            let c = char::from_u32(code as u32).unwrap_or_default();
            assert_eq!(lookup.masks(c), masks_of(bytes, rare_tables(&lookup.rare, c)), "U+{code:04X}");
        }
    }
}
