//! Character classes: what the cost function sees of a character.
//!
//! Classes are coarse on purpose. Mojibake is recognised by which classes sit next to each
//! other (an accented capital followed by a currency sign, a lowercase Cyrillic letter
//! followed by a capital, box drawing against letters), not by individual characters.

/// Defines [`Class`] and, from the same list, [`ALL_CLASSES`] and [`CLASS_COUNT`], so the list
/// of every class cannot drift from the enum (the weight tables index by `class as usize`).
macro_rules! classes {
    ($($(#[$doc:meta])* $class:ident,)*) => {
        /// The class of a character, an index into the weight tables of [`super::weights`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(super) enum Class {
            $($(#[$doc])* $class,)*
        }

        /// How many classes there are.
        pub(super) const CLASS_COUNT: usize = [$(Class::$class),*].len();

        /// Every class, in index order (for tables built over all pairs).
        pub(super) const ALL_CLASSES: [Class; CLASS_COUNT] = [$(Class::$class),*];
    };
}

classes! {
    /// Spaces, tabs and the edges of the text.
    Space,
    Nbsp,
    Digit,
    AsciiLower,
    AsciiUpper,
    AsciiPunct,
    /// Accented Latin letters common in some language.
    LatinLower,
    LatinUpper,
    /// Latin letters few languages use (`ƒ`, `ª`, most of Latin Extended-B).
    LatinRare,
    GreekLower,
    GreekUpper,
    CyrillicLower,
    CyrillicUpper,
    /// Letters of every other script (CJK, kana, Hangul, Arabic, Hebrew, Indic, Thai, ...),
    /// emoji, and the punctuation that lives among them (fullwidth forms, CJK punctuation).
    Caseless,
    /// Emoji and pictographs: no script, at home next to anything.
    Emoji,
    /// Combining diacritics, which belong right after a base letter or digit.
    Combining,
    /// Hebrew geresh and gershayim (`צה״ל`, `ג׳`), which only ever follow a Hebrew letter.
    Geresh,
    /// `‘ ’ “`.
    Quote,
    /// `”`: closes a quotation, so a letter rarely follows it.
    CloseQuote,
    /// `‚ „`: opening quotes, never right after a letter.
    LowQuote,
    /// `« » ‹ ›`.
    Guillemet,
    /// `¡ ¿`.
    Inverted,
    /// Dashes, ellipsis, bullets, middle dot.
    Punct,
    Currency,
    /// Latin-1 and letterlike symbols (`© ° ± ² ½ ¶ §`, spacing accents).
    Symbol,
    /// `™ ®`, which brands carry right after a word, capitals included.
    Mark,
    /// Mathematical operators, arrows, technical symbols.
    Math,
    /// Box drawing lines, geometric shapes.
    Box,
    /// Box-drawing corners and tees that open only to the right (`├ ┌ └ ╠ ╔ ╚`): in line art a
    /// horizontal line follows them; in DOS code-page mojibake they are lead bytes (`├®`).
    BoxOpen,
    /// Vertical box-drawing lines (`│ ║`), which no line joins from the left.
    BoxBar,
    /// Block elements and shades (`█ ░ ▒ ▓`), which line art keeps apart from lines.
    BoxShade,
    /// Invisible format characters (BOM, zero-width joiners, direction marks, soft hyphen).
    Format,
    /// C1 control characters: never real text.
    C1,
    /// A U+FFFD in the text as it came: a character lost before the text reached us.
    Replacement,
    /// A U+FFFD that a repair wrote where a lost byte was: it stands inside a word as often as
    /// the letter it replaces (`�р�да`), so the letter before it is no sign of damage.
    Lost,
    /// A decoded character that is itself a character of the table (or a C1 control): the
    /// middle layer of double mangling, judged only once peeled.
    Pending,
    /// What decoding arbitrary bytes produces and text almost never holds: IPA, private use,
    /// noncharacters, rare scripts and points, other controls.
    Odd,
}

/// The scripts the cost model tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Script {
    Latin,
    Greek,
    Cyrillic,
    Other,
}

/// The script of a letter class (`None` for everything that is not a letter).
pub(super) fn script_of(class: Class) -> Option<Script> {
    use Class::*;
    match class {
        AsciiLower | AsciiUpper | LatinLower | LatinUpper | LatinRare => Some(Script::Latin),
        GreekLower | GreekUpper => Some(Script::Greek),
        CyrillicLower | CyrillicUpper => Some(Script::Cyrillic),
        Caseless => Some(Script::Other),
        _ => None,
    }
}

/// The class of `c`.
pub(super) fn class_of(c: char) -> Class {
    if c.is_ascii() {
        return ascii_class(c);
    }
    match cached(c) {
        Some(info) => info.class,
        None => classify(c),
    }
}

/// Whether `c` is (lowercase, uppercase), as `char::is_lowercase` and `char::is_uppercase` say.
pub(super) fn case_of(c: char) -> (bool, bool) {
    if c.is_ascii() {
        return (c.is_ascii_lowercase(), c.is_ascii_uppercase());
    }
    match cached(c) {
        Some(info) => (info.lower, info.upper),
        None => (c.is_lowercase(), c.is_uppercase()),
    }
}

/// Characters below this code point (every table's upper half but three MacRoman characters,
/// and the scripts of the languages we see most) have their class and case looked up.
const CACHED: u32 = 0x2600;
const _: () = assert!(CACHED % BLOCK == 0, "the cache is whole blocks");

#[derive(Debug, Clone, Copy)]
struct Info {
    class: Class,
    lower: bool,
    upper: bool,
}

/// Code points per block of the cache, each worked out when one of its characters is first
/// looked up: a process sees a few scripts, and working out a block's classes costs a look-up
/// of each code point's general category.
const BLOCK: u32 = 0x100;

/// The cached [`Info`] of `c`, if it is in the cached range.
fn cached(c: char) -> Option<&'static Info> {
    static BLOCKS: [std::sync::OnceLock<Vec<Info>>; (CACHED / BLOCK) as usize] =
        [const { std::sync::OnceLock::new() }; (CACHED / BLOCK) as usize];
    let code = u32::from(c);
    let block = BLOCKS.get((code / BLOCK) as usize)?;
    let infos = block.get_or_init(|| {
        let first = code - code % BLOCK;
        (first..first + BLOCK)
            .map(|u| {
                let c = char::from_u32(u).unwrap_or('\u{FFFD}');
                Info { class: assigned(c), lower: c.is_lowercase(), upper: c.is_uppercase() }
            })
            .collect()
    });
    infos.get((code % BLOCK) as usize)
}

/// The class of `c`, or [`Class::Odd`] for a code point Unicode has not assigned (what decoding
/// arbitrary bytes may produce, never real text). Only for the cached range: that is where two-byte
/// sequences decode, and it keeps the table look-up off the path of every CJK character.
fn assigned(c: char) -> Class {
    use unicode_general_category::{GeneralCategory, get_general_category};
    match get_general_category(c) {
        GeneralCategory::Unassigned => Class::Odd,
        _ => classify(c),
    }
}

/// The class of `c`, worked out.
fn classify(c: char) -> Class {
    if c.is_ascii() {
        return ascii_class(c);
    }
    let u = u32::from(c);
    match u {
        0x80..=0x9F => Class::C1,
        0xA0 => Class::Nbsp,
        0xAD => Class::Format,
        0xA1 | 0xBF => Class::Inverted,
        0xAB | 0xBB | 0x2039 | 0x203A => Class::Guillemet,
        0xA2..=0xA5 | 0x20A0..=0x20CF => Class::Currency,
        0xB7 | 0x2010..=0x2015 | 0x2022 | 0x2026 => Class::Punct,
        0x201A | 0x201E => Class::LowQuote,
        0x201D => Class::CloseQuote,
        0x2018..=0x201F => Class::Quote,
        0xAA | 0xBA | 0xB5 | 0x192 => Class::LatinRare,
        0xAE | 0x2122 => Class::Mark,
        // `× ÷` are operators: between digits and units, as `2πr` is a formula.
        0xD7 | 0xF7 => Class::Math,
        0xA6..=0xBE | 0x2C6..=0x2DD | 0x2016..=0x2017 | 0x2020..=0x2021 | 0x2030..=0x205E => Class::Symbol,
        // Ligatures and obsolete letters of Latin Extended-A that modern text spells out (`IJ`,
        // `l·l`, `'n`, `s`): what `Ä²`, `Ä³`, `Å‰`, `Å¿` decode to.
        0x132 | 0x133 | 0x138 | 0x13F | 0x140 | 0x149 | 0x17F => Class::LatinRare,
        0xC0..=0x17F | 0x1E00..=0x1EFF => latin_letter(c),
        // The schwa of Azerbaijani's alphabet, in IPA's block: `É™` is `ə`, not garble.
        0x259 => Class::LatinLower,
        0x180..=0x24F => latin_extended_b(c),
        0x300..=0x36F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F => Class::Combining,
        0xFE00..=0xFE0F => Class::Combining,
        0x386..=0x3CE | 0x1F00..=0x1FFF => cased(c, Class::GreekLower, Class::GreekUpper),
        // Archaic and symbol letters of the Greek block.
        0x370..=0x3FF => Class::Odd,
        0x400..=0x52F => cased(c, Class::CyrillicLower, Class::CyrillicUpper),
        0x2000..=0x200A | 0x202F | 0x205F | 0x3000 => Class::Space,
        0x200B..=0x200F | 0x2028..=0x202E | 0x2060..=0x206F | 0xFEFF => Class::Format,
        0x2100..=0x214F => Class::Symbol,
        0x2190..=0x23FF | 0x2A00..=0x2AFF => Class::Math,
        0x2580..=0x259F => Class::BoxShade,
        0x2502 | 0x2503 | 0x2551 => Class::BoxBar,
        0x250C..=0x250F | 0x2514..=0x2517 | 0x251C..=0x2523 | 0x2552..=0x2554 | 0x2558..=0x255A | 0x255E..=0x2560 => {
            Class::BoxOpen
        }
        0x2500..=0x25FF => Class::Box,
        0xFFFD => Class::Replacement,
        _ => other(u),
    }
}

fn ascii_class(c: char) -> Class {
    match c {
        'a'..='z' => Class::AsciiLower,
        'A'..='Z' => Class::AsciiUpper,
        '0'..='9' => Class::Digit,
        ' ' | '\t' | '\n' | '\r' => Class::Space,
        '\u{0}'..='\u{1F}' | '\u{7F}' => Class::Odd,
        _ => Class::AsciiPunct,
    }
}

fn cased(c: char, lower: Class, upper: Class) -> Class {
    match c {
        _ if c.is_lowercase() => lower,
        _ if c.is_uppercase() => upper,
        _ if c.is_alphabetic() => lower,
        _ => Class::Odd,
    }
}

fn latin_letter(c: char) -> Class {
    cased(c, Class::LatinLower, Class::LatinUpper)
}

/// Latin Extended-B: only the letters of Romanian, Vietnamese, pinyin, Azerbaijani (`Ə`) and
/// the Balkan digraphs are common.
fn latin_extended_b(c: char) -> Class {
    match u32::from(c) {
        0x18F | 0x1A0 | 0x1A1 | 0x1AF | 0x1B0 | 0x1C4..=0x1DC | 0x218..=0x21B => latin_letter(c),
        _ => Class::LatinRare,
    }
}

/// Everything above the blocks named in [`class_of`].
fn other(u: u32) -> Class {
    match u {
        // `×` before `° ± ²` reads as these Yiddish ligatures: a presentation form that text
        // rarely holds. `×³`, `×´` read as geresh and gershayim.
        0x5F0..=0x5F2 => Class::Odd,
        0x5F3..=0x5F4 => Class::Geresh,
        // IPA, spacing modifiers, Syriac, Thaana, NKo, Samaritan, Hebrew and Arabic points.
        0x250..=0x2FF | 0x591..=0x5C7 | 0x610..=0x61A | 0x64B..=0x65F | 0x6D6..=0x6ED | 0x700..=0x8FF => Class::Odd,
        0x530..=0x5FF | 0x600..=0x6FF | 0x900..=0x1AAF | 0x1B00..=0x1DBF => Class::Caseless,
        0x2070..=0x209F => Class::Symbol,
        0x2400..=0x24FF | 0x2600..=0x27BF | 0x2B00..=0x2BFF => Class::Symbol,
        // Braille patterns: what `в ў` in Windows-1251 (E2 A0 A2, with a lost no-break space)
        // would decode to; news text does not hold them.
        0x2800..=0x28FF => Class::Odd,
        0x27C0..=0x29FF => Class::Math,
        0x2C00..=0x2DFF | 0xA640..=0xA6FF | 0xA700..=0xA8FF => Class::LatinRare,
        0x2E00..=0x2E7F => Class::Punct,
        0x2E80..=0x9FFF | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF => Class::Caseless,
        0xFB00..=0xFB06 => Class::LatinLower,
        0xFB1D..=0xFDFF | 0xFE30..=0xFE6F | 0xFE70..=0xFEFC | 0xFF00..=0xFFEF => Class::Caseless,
        0x1D400..=0x1D7FF => Class::Math,
        0x1F000..=0x1FAFF => Class::Emoji,
        0x20000..=0x3FFFF => Class::Caseless,
        _ => Class::Odd,
    }
}

#[cfg(test)]
mod tests {
    use super::ALL_CLASSES;

    /// The weight tables index by `class as usize` and name classes through `ALL_CLASSES`: the
    /// list the macro derives must hold every class at its own index, or pair weights go astray.
    #[test]
    fn all_classes_lists_every_class_at_its_index() {
        for (index, class) in ALL_CLASSES.iter().enumerate() {
            assert_eq!(*class as usize, index, "{class:?}");
        }
        assert_eq!(ALL_CLASSES.last().map(|c| *c as usize), Some(ALL_CLASSES.len() - 1));
    }
}
