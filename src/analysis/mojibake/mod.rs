//! Mojibake: UTF-8 text that was decoded with a legacy single-byte encoding.
//!
//! Interface used by the rest of the crate (the engine behind it is filled in separately).

use std::ops::Range;

/// The legacy encoding a run was wrongly decoded with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Legacy {
    Windows1252,
    Latin1,
    Windows1250,
    Windows1251,
    Iso8859_2,
    MacRoman,
    Cp437,
}

impl Legacy {
    pub fn name(self) -> &'static str {
        match self {
            Legacy::Windows1252 => "Windows-1252",
            Legacy::Latin1 => "Latin-1",
            Legacy::Windows1250 => "Windows-1250",
            Legacy::Windows1251 => "Windows-1251",
            Legacy::Iso8859_2 => "ISO-8859-2",
            Legacy::MacRoman => "MacRoman",
            Legacy::Cp437 => "cp437",
        }
    }
}

/// One mangled run and its exact repair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mangled {
    /// Byte range of exactly the mangled characters in the searched text.
    pub range: Range<usize>,
    /// The text the run stood for (after undoing every layer of mangling).
    pub repaired: String,
    /// The encoding of the outermost layer.
    pub encoding: Legacy,
    /// How many times the text was mangled (1 or more).
    pub layers: u8,
}

/// Finds every mangled run in `text`, sorted and non-overlapping.
pub fn find(text: &str) -> Vec<Mangled> {
    let _ = text;
    Vec::new()
}

/// `text` with every mangled run repaired.
pub fn repair(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for run in find(text) {
        out.push_str(&text[last..run.range.start]);
        out.push_str(&run.repaired);
        last = run.range.end;
    }
    out.push_str(&text[last..]);
    out
}
