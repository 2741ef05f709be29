//! The cost model's numbers: the only place where the engine's judgement lives.
//!
//! The badness of a text is the sum, over its characters, of a per-class weight
//! ([`UNIGRAMS`]) plus, over each pair of neighbours, a class-pair weight ([`PAIRS`]). Real
//! text in any language scores near zero; mojibake piles up points (an accented capital
//! before a currency sign, a lowercase letter before an accented capital, symbols glued to
//! symbols, letters of two scripts touching). A repair is kept only when it lowers the
//! badness by [`MARGIN`] after its own costs ([`Penalties`]) are paid.

use std::sync::OnceLock;

use super::classes::{ALL_CLASSES, CLASS_COUNT, Class, Script, case_of, script_of};
use Class::*;

/// Badness of one character of a class, wherever it stands.
const UNIGRAMS: &[(Class, i32)] = &[
    (C1, 20),
    (Odd, 10),
    (LatinRare, 3),
    (Symbol, 1),
    (Mark, 1),
    (Math, 2),
    (Box, 1),
    (BoxOpen, 1),
    (BoxBar, 1),
    (BoxShade, 1),
    (Currency, 1),
    (Replacement, 1),
    (Lost, 1),
    (Combining, 1),
    (Format, 2),
];

const LATIN: &[Class] = &[AsciiLower, AsciiUpper, LatinLower, LatinUpper, LatinRare];
const ACCENTED: &[Class] = &[LatinLower, LatinUpper, LatinRare];
const LOWER: &[Class] = &[AsciiLower, LatinLower];
const GREEK: &[Class] = &[GreekLower, GreekUpper];
const CYRILLIC: &[Class] = &[CyrillicLower, CyrillicUpper];
const OTHER_SCRIPTS: &[Class] = &[GreekLower, GreekUpper, CyrillicLower, CyrillicUpper, Caseless];
const LETTERS: &[Class] = &[
    AsciiLower,
    AsciiUpper,
    LatinLower,
    LatinUpper,
    LatinRare,
    GreekLower,
    GreekUpper,
    CyrillicLower,
    CyrillicUpper,
    Caseless,
];
const SYMBOLS: &[Class] = &[Symbol, Mark, Currency, C1];
/// Box-drawing lines of every shape.
const BOX: &[Class] = &[Box, BoxOpen, BoxBar];
/// ... and block elements and shades.
const BOX_AND_SHADES: &[Class] = &[Box, BoxOpen, BoxBar, BoxShade];
/// What may follow a corner or tee that opens to the right without breaking the line: another
/// line or box, or a space (a tree listing's `└ name`).
const NOT_A_LINE: &[Class] = &[
    Digit,
    AsciiLower,
    AsciiUpper,
    LatinLower,
    LatinUpper,
    LatinRare,
    GreekLower,
    GreekUpper,
    CyrillicLower,
    CyrillicUpper,
    Caseless,
    Quote,
    CloseQuote,
    LowQuote,
    Guillemet,
    Inverted,
    Punct,
    Currency,
    Symbol,
    Mark,
    Math,
    BoxBar,
    BoxOpen,
    C1,
    Nbsp,
];
const NOT_A_BASE: &[Class] = &[
    Space, Nbsp, AsciiPunct, Quote, CloseQuote, LowQuote, Guillemet, Punct, Symbol, Mark, Currency, Math, Box, BoxOpen,
    BoxBar, BoxShade, C1, Format,
];

/// Badness of a pair of neighbours, `(left, right, weight)`; rows add up.
const PAIRS: &[(&[Class], &[Class], i32)] = &[
    // An accented capital followed by a symbol: `Ã©`, `Ã¼`, `Â°`, `Ð¡`, `Â\u{a0}`.
    (&[LatinUpper], &[Symbol, Currency, Math, Box, BoxOpen, BoxBar, C1, Nbsp, Inverted], 5),
    // A letter that a table puts on a lead byte, then a lost byte: `Å�odzi`, `Ñ�`, `ã�¯`. Real
    // text that holds U+FFFD lost a whole character, which leaves it after anything.
    (ACCENTED, &[Replacement], 8),
    (CYRILLIC, &[Replacement], 8),
    (GREEK, &[Replacement], 8),
    (SYMBOLS, &[Replacement], 5),
    // ... but less before `™ ®`: an all-caps brand carries them (`PÖYTÄ®`).
    (&[LatinUpper], &[Mark], 3),
    // An ellipsis or dash ends words in capitals too (`AMANHÃ…`); glued to the letter after it,
    // it is a continuation byte inside a word (`Ã…rhus`, `Ã–sterreich`).
    (&[LatinUpper], &[Punct], 1),
    (&[Punct], LETTERS, 2),
    (&[LatinUpper], &[Quote], 2),
    (&[LowQuote], &[LatinUpper], 2),
    (&[CloseQuote], LETTERS, 3),
    (SYMBOLS, &[Punct], 3),
    (&[Punct], SYMBOLS, 3),
    (&[Punct], &[LatinRare, Math], 3),
    (&[Math], &[Punct], 3),
    (&[Math], &[Math], 1),
    (CYRILLIC, &[Nbsp], 2),
    (&[LatinUpper], &[Guillemet], 3),
    (&[LatinUpper], &[LatinLower], 1),
    (LETTERS, &[LowQuote], 6),
    (&[LatinLower], &[Guillemet], 3),
    (&[Guillemet], &[Punct], 2),
    (&[Inverted], &[Symbol, Mark, Currency, Math], 3),
    (BOX_AND_SHADES, &[Math], 3),
    (&[Math], BOX_AND_SHADES, 3),
    (&[Space], &[Format], -2),
    // An accented lowercase letter followed by a symbol: `â€`, `ä¸`.
    (&[LatinLower, LatinRare], &[Symbol, Mark, Currency, Math, Box, BoxOpen, BoxBar, C1, Inverted], 4),
    // A capital inside a lowercase word: `cafÃ©`, `piÄ…tek`, `РёС`.
    (LOWER, &[LatinUpper], 3),
    (&[CyrillicLower], &[CyrillicUpper], 3),
    (&[GreekLower], &[GreekUpper], 3),
    (&[Digit], &[LatinUpper], 2),
    // Symbols glued together: `€™`, `¬â`, `„¢`.
    (SYMBOLS, SYMBOLS, 5),
    (&[Quote, CloseQuote, LowQuote, Punct], &[Symbol, Mark, Currency, Math], 3),
    (&[Guillemet], &[Inverted], 5),
    (&[Symbol, Mark, Currency, Math, Inverted], ACCENTED, 3),
    (&[Symbol, Mark, Currency, Math], CYRILLIC, 3),
    (CYRILLIC, &[Symbol, Mark, Currency, Math], 5),
    // Greek letters before Latin-1 symbols: UTF-8 read as Windows-1253 (`Γ©`, `β€™`).
    (GREEK, &[Symbol, Mark, Currency, Math, C1, Inverted], 4),
    (&[Digit], &[GreekLower, GreekUpper, CyrillicLower, CyrillicUpper], 2),
    (&[CyrillicUpper], &[Quote, Guillemet], 1),
    // A dash glued to a Cyrillic letter: Russian sets its dashes apart with spaces and joins
    // words with `-`; UTF-8 read as Mac Cyrillic puts `–` and `—` before every letter
    // (`–Я—А–∞–≤`).
    (CYRILLIC, &[Punct], 2),
    (&[Punct], CYRILLIC, 1),
    // Letters of two scripts touching: `cafГ©`, `ΓÇÖ`, a CJK character inside a Latin word.
    (LATIN, OTHER_SCRIPTS, 4),
    (OTHER_SCRIPTS, LATIN, 4),
    // ... except a Greek letter in a formula (`2πr`).
    (&[AsciiLower, Digit], &[GreekLower], -2),
    (&[GreekLower], &[AsciiLower], -2),
    (GREEK, CYRILLIC, 4),
    (CYRILLIC, GREEK, 4),
    (&[GreekLower, GreekUpper, CyrillicLower, CyrillicUpper], &[Caseless], 4),
    (&[Caseless], &[GreekLower, GreekUpper, CyrillicLower, CyrillicUpper], 4),
    // Box drawing and maths against letters: `├⌐`, `√©`.
    (BOX_AND_SHADES, LETTERS, 4),
    (LETTERS, BOX_AND_SHADES, 4),
    (BOX_AND_SHADES, SYMBOLS, 3),
    (SYMBOLS, BOX_AND_SHADES, 3),
    (BOX, &[BoxShade], 3),
    (&[BoxShade], BOX, 3),
    // A corner or tee that opens to the right and no line follows: what cp437 and cp850 make
    // of a UTF-8 lead byte (`├®` for `é`, `├│` for `ó`, `╔Ö` for `ə`).
    (&[BoxOpen], NOT_A_LINE, 4),
    (&[Math], LETTERS, 1),
    (LETTERS, &[Math], 1),
    (&[Math], SYMBOLS, 3),
    (SYMBOLS, &[Math], 3),
    (ACCENTED, &[Digit], 2),
    // A combining mark needs a base.
    (NOT_A_BASE, &[Combining], 8),
    (&[Combining], &[Combining], 1),
    // Geresh and gershayim follow a Hebrew letter (a caseless one), never anything else.
    (&ALL_CLASSES, &[Geresh], 8),
    (&[Caseless], &[Geresh], -8),
    // Invisible characters glued to text.
    (LETTERS, &[Format], 2),
    // Typography that uses the no-break space: before `: ; ! ? »` and after `«` (French), between
    // a number and its unit or currency. Mojibake's `Ã\u{a0}` (`à`) is followed by a word.
    (&[Nbsp], &[AsciiPunct, Guillemet, Currency], -3),
    (&[Guillemet], &[Nbsp], -3),
    (&[Digit], &[Nbsp], -2),
];

/// What a repair itself costs, on top of the badness of what it produces.
#[derive(Debug, Clone, Copy)]
pub(super) struct Penalties {
    /// Per decoded UTF-8 sequence: text is innocent until proven mangled.
    pub sequence: i32,
    /// Per byte that was lost (a U+FFFD or `?` read as a wildcard).
    pub wildcard: i32,
    /// ... and more in a table that defines every byte (KOI8-R, MacRoman, the DOS pages): its
    /// decoders never drop one, so a U+FFFD there is rarely a byte lost on the way (`р�` in a
    /// line that already lost whole letters is no KOI8-R sequence).
    pub wildcard_without_hole: i32,
    /// Per plain space read back as a no-break space.
    pub nbsp: i32,
    /// Per CESU-8 surrogate pair.
    pub cesu: i32,
    /// Per C1 control read back as a Windows-1252 character.
    pub single_byte: i32,
    /// Per layer of mangling beyond the first.
    pub layer: i32,
    /// Per decoded sequence, as a bonus, in a stretch or line already known to be mangled
    /// in the table: the rest of it most likely is too.
    pub eager_bonus: i32,
}

pub(super) const PENALTIES: Penalties = Penalties {
    sequence: 1,
    wildcard: 3,
    wildcard_without_hole: 4,
    nbsp: 2,
    cesu: 1,
    single_byte: 1,
    layer: 2,
    eager_bonus: 3,
};

/// A stretch is repaired only when its badness drops by at least this much.
pub(super) const MARGIN: i32 = 4;

/// The margin for a stretch in the table that wins its line, when the line's damage in that
/// table is strong: a lone two-byte sequence among mangled words (`Ð²` in mangled Russian).
pub(super) const MARGIN_AGREEING: i32 = 1;

/// Badness of a word whose case pattern no language has (`ZĂĽrich`, `РЎРѕ`, `ÄúQuoted`):
/// neither lowercase, capitalised nor all capitals.
pub(super) const MIXED_CASE: i32 = 3;

/// A repair must remove at least this share (percent) of a stretch's badness: garble that a
/// repair leaves garbled (a list of symbols) is better left alone.
pub(super) const MIN_IMPROVEMENT: i32 = 50;

/// Extra badness of a letter in a script other than the one that dominates its line.
pub(super) const FOREIGN_LETTER: i32 = 2;

/// Extra badness of a letter that starts a run of a script foreign to its line (a lone Hebrew,
/// Cyrillic or CJK character among Latin words is what a wrong repair makes of symbols and
/// capitals; a mangled foreign word pays it once).
pub(super) const FOREIGN_WORD: i32 = 2;

/// Badness of a repair that leaves a pair of guillemets or quotes open that the original closed
/// (`«LÃ»` read as `«Lû`; see [`super::pairs`]).
pub(super) const BROKEN_PAIR: i32 = 4;

/// Badness of a stretch left as it is after a double quote that its line opens and never closes
/// (`“yesâ€? and`), where a repair could restore the lost closing mark (see [`super::pairs`]).
pub(super) const UNCLOSED_QUOTE: i32 = 4;

/// The total gain of a table over a line that makes it the line's hypothesis.
pub(super) const STRONG_LINE: i32 = 4;

/// When tables compete for a stretch, the line's hypothesis gets this much extra gain.
pub(super) const AGREEING_BONUS: i32 = 2;

/// Badness of a character alone: its class, plus a letter of a script foreign to its line.
pub(super) fn char_cost(class: Class, script: Option<Script>) -> i32 {
    let foreign = match (script_of(class), script) {
        // Greek lowercase letters are at home in formulas of any script.
        _ if class == Class::GreekLower => 0,
        (Some(own), Some(line)) if own != line => FOREIGN_LETTER,
        _ => 0,
    };
    unigram(class) + foreign
}

/// Badness of `left` right before `right` on a line whose letters are mostly in `script`: the
/// class-pair weight, plus [`FOREIGN_WORD`] where a run of a foreign script begins.
pub(super) fn link(left: Class, right: Class, script: Option<Script>) -> i32 {
    let line = script.map_or(SCRIPTS, |s| s as usize);
    weights().link[line][left as usize][right as usize]
}

/// What [`link`] adds to the pair weight: the start of a run of a foreign script.
fn foreign_start(left: Class, right: Class, script: Option<Script>) -> i32 {
    let starts_foreign = match (script_of(right), script) {
        (Some(own), Some(line)) => own != line && script_of(left) != Some(own),
        _ => false,
    };
    if starts_foreign && right != Class::GreekLower { FOREIGN_WORD } else { 0 }
}

/// How many scripts [`Script`] tells apart (the index of "no dominant script" in the table).
const SCRIPTS: usize = 4;

/// Badness of the case patterns of the words in `chars`: a word that is neither lowercase,
/// capitalised nor all capitals is what mangling makes of words.
pub(super) fn shape_cost(chars: impl Iterator<Item = char>) -> i32 {
    let mut shape = ShapeCost::default();
    chars.for_each(|c| shape.push(case_of(c)));
    shape.finish()
}

/// [`shape_cost`] gathered one character at a time (its case, as [`case_of`] gives it), so a
/// scan that already looks each character up needs no second pass.
#[derive(Debug, Default)]
pub(super) struct ShapeCost {
    cost: i32,
    word: WordShape,
}

/// A character's case as [`ShapeCost`] reads it, in two bits: 0 for a character without case
/// (it ends a word), 1 lowercase, 2 (or 3) uppercase.
pub(super) fn case_code((lower, upper): (bool, bool)) -> u8 {
    u8::from(upper) << 1 | u8::from(lower)
}

impl ShapeCost {
    pub(super) fn push(&mut self, case: (bool, bool)) {
        self.push_code(case_code(case));
    }

    /// One character by its [`case_code`]: one look-up in [`SHAPE_STEPS`] (the bound's scan
    /// pushes every character of a line).
    pub(super) fn push_code(&mut self, case: u8) {
        let (next, cost) = SHAPE_STEPS[(usize::from(self.word.0) << 2 | usize::from(case)) & (SHAPE_STEPS.len() - 1)];
        self.word = WordShape(next);
        self.cost += cost;
    }

    /// The cost, the last word ended.
    pub(super) fn finish(mut self) -> i32 {
        self.push_code(0);
        self.cost
    }
}

/// [`WordShape`]'s steps as data, indexed by its bits and a [`case_code`]: the next bits, and
/// what a word that ends there costs.
const SHAPE_STEPS: [(u8, i32); 64] = {
    let mut steps = [(0, 0); 64];
    let mut i = 0;
    while i < steps.len() {
        let (bits, case) = ((i >> 2) as u8, i & 3);
        steps[i] = match case {
            0 if WordShape(bits).mixed() => (0, MIXED_CASE),
            0 => (0, 0),
            _ => (WordShape(bits).pushed(case >= 2).0, 0),
        };
        i += 1;
    }
    steps
};

/// The case pattern of a word, letter by letter, as bits.
#[derive(Debug, Default, Clone, Copy)]
struct WordShape(u8);

impl WordShape {
    /// The word has a first letter.
    const STARTED: u8 = 1;
    const FIRST_UPPER: u8 = 2;
    const REST_HAS_UPPER: u8 = 4;
    const REST_HAS_LOWER: u8 = 8;

    const fn pushed(self, upper: bool) -> WordShape {
        WordShape(match (self.0, upper) {
            (0, true) => Self::STARTED | Self::FIRST_UPPER,
            (0, false) => Self::STARTED,
            (bits, true) => bits | Self::REST_HAS_UPPER,
            (bits, false) => bits | Self::REST_HAS_LOWER,
        })
    }

    /// Neither lowercase, capitalised nor all capitals: an uppercase letter after the first,
    /// with a lowercase one after the first or a lowercase first letter.
    const fn mixed(self) -> bool {
        let bits = self.0;
        bits & Self::REST_HAS_UPPER != 0 && (bits & Self::REST_HAS_LOWER != 0 || bits & Self::FIRST_UPPER == 0)
    }
}

/// Badness of `class` alone.
pub(super) fn unigram(class: Class) -> i32 {
    weights().unigram[class as usize]
}

struct Weights {
    unigram: [i32; CLASS_COUNT],
    pair: [[i32; CLASS_COUNT]; CLASS_COUNT],
    /// [`link`] per line script (the last row: no dominant script).
    link: [[[i32; CLASS_COUNT]; CLASS_COUNT]; SCRIPTS + 1],
}

fn weights() -> &'static Weights {
    static WEIGHTS: OnceLock<Weights> = OnceLock::new();
    WEIGHTS.get_or_init(|| {
        let mut out = Weights {
            unigram: [0; CLASS_COUNT],
            pair: [[0; CLASS_COUNT]; CLASS_COUNT],
            link: [[[0; CLASS_COUNT]; CLASS_COUNT]; SCRIPTS + 1],
        };
        for &(class, weight) in UNIGRAMS {
            out.unigram[class as usize] += weight;
        }
        for &(lefts, rights, weight) in PAIRS {
            for &l in lefts {
                for &r in rights {
                    out.pair[l as usize][r as usize] += weight;
                }
            }
        }
        let scripts = [Some(Script::Latin), Some(Script::Greek), Some(Script::Cyrillic), Some(Script::Other), None];
        for (table, script) in out.link.iter_mut().zip(scripts) {
            for (l, row) in table.iter_mut().enumerate() {
                for (r, slot) in row.iter_mut().enumerate() {
                    *slot = out.pair[l][r] + foreign_start(ALL_CLASSES[l], ALL_CLASSES[r], script);
                }
            }
        }
        out
    })
}
