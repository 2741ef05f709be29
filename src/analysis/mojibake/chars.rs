//! Character classes the evidence rules are built from.
//!
//! Two questions are asked about characters: is a *decoded* character something real text
//! contains (plausibility), and is a *mangled* character one that legitimate text would
//! plausibly place there (ordinary letters, typographic punctuation).

use super::tables::Table;

/// C1 control: never real text, but the middle layer of double mangling contains them.
pub(super) fn is_c1(c: char) -> bool {
    matches!(c, '\u{80}'..='\u{9F}')
}

/// Could `c` be the repaired text of one UTF-8 sequence inside a longer run of sequences?
/// Rejects what decoding arbitrary legitimate characters tends to produce instead:
/// IPA, combining marks, Syriac/Thaana/NKo, Hebrew points, private use, noncharacters.
pub(super) fn plausible(c: char) -> bool {
    let u = u32::from(c);
    match c.len_utf8() {
        2 => plausible_two_byte(u),
        3 => plausible_three_byte(u),
        _ => matches!(u, 0x1_0000..=0x3_FFFF | 0xE_0001 | 0xE_0020..=0xE_007F) && u & 0xFFFE != 0xFFFE,
    }
}

fn plausible_two_byte(u: u32) -> bool {
    match u {
        0xA0..=0x24F => true,
        // Spacing accents that Windows-1252/1250 and MacRoman have (ˆ ˇ ˘ ˙ ˚ ˛ ˜ ˝): they
        // appear in the middle layer of doubly mangled text.
        0x2C6 | 0x2C7 | 0x2D8..=0x2DD => true,
        0x370..=0x3FF => !matches!(u, 0x378..=0x379 | 0x380..=0x383 | 0x38B | 0x38D | 0x3A2),
        0x400..=0x52F => !matches!(u, 0x483..=0x489),
        0x531..=0x58A => true,
        0x5D0..=0x5EA | 0x5F0..=0x5F4 => true,
        // Arabic letters, digits and punctuation, not its marks and signs.
        0x60C | 0x61B | 0x61F | 0x621..=0x64A | 0x660..=0x66D | 0x671..=0x6D5 | 0x6EE..=0x6FF => true,
        _ => false,
    }
}

fn plausible_three_byte(u: u32) -> bool {
    matches!(
        u,
        0x900..=0xDFF          // Indic scripts, Sinhala
            | 0xE00..=0xEFF    // Thai, Lao
            | 0xF00..=0xFFF    // Tibetan
            | 0x1000..=0x109F  // Myanmar
            | 0x10A0..=0x10FF  // Georgian
            | 0x1100..=0x11FF  // Hangul Jamo
            | 0x1200..=0x137F  // Ethiopic
            | 0x13A0..=0x13FF  // Cherokee
            | 0x1780..=0x17FF  // Khmer
            | 0x1800..=0x18AF  // Mongolian
            | 0x1E00..=0x1FFF  // Latin Extended Additional (Vietnamese), Greek Extended
            | 0x2000..=0x2BFF  // punctuation, currency, letterlike, arrows, math, symbols
            | 0x2E00..=0x2E7F  // supplemental punctuation
            | 0x2E80..=0x2FDF  // CJK radicals
            | 0x3000..=0x4DBF  // CJK symbols, kana, bopomofo, CJK extension A
            | 0x4DC0..=0x9FFF  // CJK unified
            | 0xAC00..=0xD7A3  // Hangul syllables
            | 0xF900..=0xFAFF  // CJK compatibility
            | 0xFB00..=0xFB4F  // ligatures, Hebrew presentation forms
            | 0xFB50..=0xFDCF  // Arabic presentation forms A
            | 0xFDF0..=0xFDFF
            | 0xFE00..=0xFE1F  // variation selectors (emoji presentation), vertical forms
            | 0xFE30..=0xFE6F
            | 0xFE70..=0xFEFF  // Arabic presentation forms B, BOM
            | 0xFF00..=0xFFEF  // half- and fullwidth forms
            | 0xFFFD
    )
}

/// Stricter plausibility for a lone two-byte sequence, which is weak evidence on its own:
/// only characters that are common in text (Latin-1 letters and symbols, Latin Extended-A,
/// the handful of Extended-B letters of Romanian, Vietnamese and pinyin, Greek, Cyrillic).
pub(super) fn plausible_alone(c: char) -> bool {
    matches!(
        u32::from(c),
        0xA0..=0xA9 | 0xAB..=0xB9 | 0xBB..=0x17F
            | 0x192 | 0x1A0 | 0x1A1 | 0x1AF | 0x1B0 | 0x1CD..=0x1DC | 0x218..=0x21B
            | 0x386 | 0x388..=0x3CE
            | 0x400..=0x45F | 0x490 | 0x491
    )
}

/// Letters that sit in the continuation range of a table but are rare in real text written
/// in it, so they count as evidence of mangling rather than as ordinary letters.
fn odd_letter(table: Table, c: char) -> bool {
    match c {
        'ª' | 'º' | 'µ' | 'ƒ' => true,
        'Š' | 'š' | 'Œ' | 'œ' | 'Ž' | 'ž' | 'Ÿ' => table == Table::Western,
        'ß' => table == Table::MacRoman,
        _ => false,
    }
}

/// A letter that legitimate text in `table`'s languages uses.
pub(super) fn ordinary_letter(table: Table, c: char) -> bool {
    c.is_alphabetic() && !odd_letter(table, c)
}

/// Quotes, dashes, ellipsis and spaces: what follows an accented letter at the end of a word
/// in real text (`réglé »`, `è”…`).
pub(super) fn typographic(c: char) -> bool {
    matches!(c, '‘' | '’' | '“' | '”' | '„' | '…' | '–' | '—' | '«' | '»' | '¡' | '¿') || space_like(c)
}

pub(super) fn apostrophe(c: char) -> bool {
    matches!(c, '’' | '‘' | 'ʼ')
}

pub(super) fn space_like(c: char) -> bool {
    c.is_whitespace()
}

pub(super) fn is_cyrillic(c: char) -> bool {
    matches!(u32::from(c), 0x400..=0x52F)
}

/// Coarse script of a letter: Latin (0), Greek (1), Cyrillic (2), anything else (3).
pub(super) fn script(c: char) -> u8 {
    match u32::from(c) {
        0..=0x24F | 0x1E00..=0x1EFF => 0,
        0x370..=0x3FF | 0x1F00..=0x1FFF => 1,
        0x400..=0x52F => 2,
        _ => 3,
    }
}

/// General punctuation, symbols, CJK punctuation, BOM, replacement character: what damage
/// decodes to where script does not matter.
pub(super) fn scriptless(c: char) -> bool {
    matches!(u32::from(c), 0x2000..=0x2BFF | 0x3000..=0x303F | 0xFEFF | 0xFFFD)
}

/// Box drawing, block elements, geometric shapes: legitimate in cp437-era text art.
pub(super) fn is_box(c: char) -> bool {
    matches!(u32::from(c), 0x2500..=0x25FF)
}
