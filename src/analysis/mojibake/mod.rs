//! Mojibake: text whose bytes were decoded with the wrong table, found and repaired exactly.
//!
//! `Organization’s` stored as UTF-8 and read as Windows-1252 becomes `Organizationâ€™s`: each
//! byte of `’` (E2 80 99) turned into a character of its own. Reading the mangled characters
//! back as bytes of that table gives valid UTF-8 again. The engine is one model:
//!
//! 1. **A byte lattice per stretch and table** ([`lattice`]). A stretch is a run of non-ASCII
//!    characters (ASCII never takes part in a UTF-8 sequence, except a space that stood for a
//!    no-break space and a `?` that stood for a lost byte). In each table ([`tables`], data
//!    rows) every character stands for a set of bytes: its own byte; a U+FFFD or a `?` inside
//!    a sequence for any byte (a wildcard, repaired as U+FFFD); a space for the no-break
//!    space; a C1 control for its Latin-1 byte. UTF-8 and CESU-8 sequences are read from it.
//! 2. **One cost function** ([`weights`], data): badness is a weight per character class
//!    ([`classes`]) plus a weight per pair of neighbouring classes, the case pattern of words
//!    and the paired marks a repair would leave open ([`pairs`]). A search ([`search`])
//!    finds the cheapest way through the stretch (keep a character, or read a sequence, or
//!    read a C1 control as the Windows-1252 character it was) and pays penalties for
//!    wildcards, restored no-break spaces, layers and exotic tables. The repair is kept only
//!    if it lowers the badness by a margin.
//! 3. **A line hypothesis.** Each table's gains are summed over the line; a stretch that
//!    agrees with a strong winner needs a smaller margin, one that disagrees a larger one.
//!    That decides lone two-byte sequences, Windows-1250 against ISO-8859-2, and `à` in
//!    Windows-1250/1251 text.
//!
//! Each repaired run is searched again, undoing up to three layers (`Ã¢â‚¬â„¢` → `â€™` →
//! `’`). Ranges cover exactly the mangled characters. A lost byte is repaired as U+FFFD (safe);
//! when the context decides what it was (a closing quote after an opening one), the run also
//! carries a *guess*, offered to a person but never applied blindly.
//!
//! ASCII is skipped with a block scan. A stretch is searched only in the tables where it can
//! hold a whole sequence ([`stretch`], an exact pre-filter on per-character masks), and only
//! when a local test ([`path`]) cannot prove that no reading pays, so clean text costs a
//! table look-up per non-ASCII character. A line where no reading can pay in any table (clean
//! Cyrillic and Greek, where a letter before a space may be a lost no-break space) is proven
//! so in one pass ([`bound`]) before any stretch is built.

mod bound;
mod classes;
mod compose;
#[cfg(test)]
mod exactness;
mod lattice;
mod pairs;
mod path;
mod search;
mod stretch;
mod tables;
mod weights;

use std::ops::Range;

use search::{Around, Depth};
pub use stretch::{may_hold_run, next_non_ascii, proven_without_runs};

/// The legacy encoding a run was wrongly decoded with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Legacy {
    Windows1252,
    Latin1,
    Windows1250,
    Windows1251,
    Iso8859_2,
    Windows1253,
    Windows1254,
    Windows1257,
    Koi8R,
    MacRoman,
    MacCyrillic,
    Cp437,
    Cp850,
}

impl Legacy {
    pub fn name(self) -> &'static str {
        match self {
            Legacy::Windows1252 => "Windows-1252",
            Legacy::Latin1 => "Latin-1",
            Legacy::Windows1250 => "Windows-1250",
            Legacy::Windows1251 => "Windows-1251",
            Legacy::Iso8859_2 => "ISO-8859-2",
            Legacy::Windows1253 => "Windows-1253",
            Legacy::Windows1254 => "Windows-1254",
            Legacy::Windows1257 => "Windows-1257",
            Legacy::Koi8R => "KOI8-R",
            Legacy::MacRoman => "MacRoman",
            Legacy::MacCyrillic => "Mac Cyrillic",
            Legacy::Cp437 => "cp437",
            Legacy::Cp850 => "cp850",
        }
    }
}

/// What the damaged text was before it was decoded with the wrong table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Origin {
    Utf8,
    /// UTF-8 with characters outside the BMP written as surrogate pairs (Java, old MySQL).
    Cesu8,
    /// Windows-1252 text read as Latin-1: C1 controls where quotes and dashes were.
    Windows1252,
}

/// One mangled run and its exact repair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mangled {
    /// Byte range of exactly the mangled characters in the searched text.
    pub range: Range<usize>,
    /// The text the run stood for (after undoing every layer); a lost byte is U+FFFD.
    pub repaired: String,
    /// The encoding of the outermost layer.
    pub encoding: Legacy,
    /// How many times the text was mangled (1 or more).
    pub layers: u8,
    /// What the bytes were meant to be.
    pub origin: Origin,
    /// The repair with a lost character restored from context: a guess, never safe.
    pub guess: Option<String>,
}

/// Finds every mangled run in `text`, sorted and non-overlapping.
pub fn find(text: &str) -> Vec<Mangled> {
    merge(search::find_all(text, Around::default(), Depth::default()))
}

/// `text` with every mangled run repaired.
pub fn repair(text: &str) -> String {
    apply(text, &find(text))
}

/// `text` with `runs` (sorted, non-overlapping, on char boundaries) replaced by their repairs.
fn apply(text: &str, runs: &[Mangled]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for run in runs {
        out.push_str(text.get(last..run.range.start).unwrap_or_default());
        out.push_str(&run.repaired);
        last = run.range.end;
    }
    out.push_str(text.get(last..).unwrap_or_default());
    out
}

/// Joins runs that touch and share an encoding, so one damaged stretch is one finding.
fn merge(runs: Vec<Mangled>) -> Vec<Mangled> {
    let mut out: Vec<Mangled> = Vec::with_capacity(runs.len());
    for run in runs {
        match out.last_mut() {
            Some(last)
                if last.range.end == run.range.start
                    && last.encoding == run.encoding
                    && last.origin == run.origin
                    && last.guess.is_none()
                    && run.guess.is_none() =>
            {
                last.range.end = run.range.end;
                last.repaired.push_str(&run.repaired);
                last.layers = last.layers.max(run.layers);
            }
            _ => out.push(run),
        }
    }
    out
}
