//! Upper-half (0x80..=0xFF) decode tables of the legacy encodings and the inverse lookup.
//!
//! The lower half is ASCII in all of them, and ASCII never occurs inside a multi-byte UTF-8
//! sequence, so only the upper half matters for recognising mojibake.

use std::sync::OnceLock;

use encoding_rs::Encoding;

/// A decode table the scanner tries. Windows-1252 and Latin-1 are one table: real damage
/// mixes them (Latin-1 keeps the C1 controls that Windows-1252 turns into `€`, `‚`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Table {
    Western,
    Windows1250,
    Iso8859_2,
    Windows1251,
    MacRoman,
    Cp437,
}

/// Scan order; on a tie in run length the earlier (more common in the wild) table wins.
pub(super) const TABLES: [Table; 6] =
    [Table::Western, Table::Windows1250, Table::Iso8859_2, Table::Windows1251, Table::MacRoman, Table::Cp437];

impl Table {
    fn index(self) -> usize {
        match self {
            Table::Western => 0,
            Table::Windows1250 => 1,
            Table::Iso8859_2 => 2,
            Table::Windows1251 => 3,
            Table::MacRoman => 4,
            Table::Cp437 => 5,
        }
    }

    /// The byte `c` stands for in this table, if `c` is in its upper half.
    pub(super) fn encode(self, c: char) -> Option<u8> {
        let inverse = &tables().inverse;
        let at = inverse.binary_search_by_key(&c, |&(k, _)| k).ok()?;
        let byte = inverse[at].1[self.index()];
        (byte != 0).then_some(byte)
    }

    /// What `byte` (0x80..=0xFF) decodes to; for the Western table, the Windows-1252 reading.
    pub(super) fn decode(self, byte: u8) -> char {
        tables().forward[self.index()][usize::from(byte & 0x7F)]
    }
}

/// Cheap pre-filter: does `c` stand for a UTF-8 lead byte (C2..=F4) in any table?
pub(super) fn may_lead(c: char) -> bool {
    let inverse = &tables().inverse;
    inverse
        .binary_search_by_key(&c, |&(k, _)| k)
        .is_ok_and(|at| inverse[at].1.iter().any(|b| (0xC2..=0xF4).contains(b)))
}

/// `c` is a C1 control that only Latin-1 (not Windows-1252) produces.
pub(super) fn latin1_only(c: char) -> bool {
    matches!(c, '\u{80}'..='\u{9F}') && Table::Western.encode(c).is_some_and(|b| Table::Western.decode(b) != c)
}

struct Tables {
    /// Per table, the characters bytes 0x80..=0xFF decode to.
    forward: [[char; 128]; 6],
    /// Sorted by character: the byte for each table (0 = not in that table).
    inverse: Vec<(char, [u8; 6])>,
}

fn tables() -> &'static Tables {
    static TABLES_CELL: OnceLock<Tables> = OnceLock::new();
    TABLES_CELL.get_or_init(build)
}

fn build() -> Tables {
    let forward = [
        from_encoding(encoding_rs::WINDOWS_1252),
        from_encoding(encoding_rs::WINDOWS_1250),
        from_encoding(encoding_rs::ISO_8859_2),
        from_encoding(encoding_rs::WINDOWS_1251),
        from_encoding(encoding_rs::MACINTOSH),
        cp437(),
    ];
    let mut inverse: Vec<(char, [u8; 6])> = Vec::with_capacity(6 * 128);
    let mut add = |c: char, table: usize, byte: u8| match inverse.iter_mut().find(|e| e.0 == c) {
        Some(entry) => entry.1[table] = byte,
        None => {
            let mut bytes = [0; 6];
            bytes[table] = byte;
            inverse.push((c, bytes));
        }
    };
    for (table, decoded) in forward.iter().enumerate() {
        for (c, byte) in decoded.iter().zip(0x80..=0xFF_u8) {
            add(*c, table, byte);
        }
    }
    // Latin-1 half of the Western table: each C1 control stands for its own byte, unless
    // Windows-1252 already decodes some byte to it (the five bytes WHATWG leaves undefined).
    for byte in 0x80..=0x9F_u8 {
        add(char::from(byte), 0, byte);
    }
    inverse.sort_unstable_by_key(|e| e.0);
    Tables { forward, inverse }
}

fn from_encoding(encoding: &'static Encoding) -> [char; 128] {
    let mut out = ['\u{FFFD}'; 128];
    for (slot, byte) in out.iter_mut().zip(0x80..=0xFF_u8) {
        let bytes = [byte];
        let (text, _) = encoding.decode_without_bom_handling(&bytes);
        *slot = text.chars().next().unwrap_or('\u{FFFD}');
    }
    out
}

/// IBM code page 437, the DOS console encoding (not in encoding_rs).
const CP437_HIGH: &str = "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»\
░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀\
αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{A0}";

fn cp437() -> [char; 128] {
    let mut out = ['\u{FFFD}'; 128];
    for (slot, c) in out.iter_mut().zip(CP437_HIGH.chars()) {
        *slot = c;
    }
    out
}
