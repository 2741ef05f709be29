//! Mojibake: UTF-8 text that was decoded with a legacy single-byte encoding.
//!
//! `Organization’s` stored as UTF-8 and read as Windows-1252 becomes `Organizationâ€™s`: each
//! byte of `’` (E2 80 99) turned into a character of its own. Reading the mangled characters
//! back as bytes of that encoding gives valid UTF-8 again, which is how damage is found: at a
//! non-ASCII character, try each legacy table ([`tables`]) and read UTF-8 sequences
//! ([`scan`]); keep the longest run for which there is enough evidence ([`evidence`]) that
//! it is damage and not real text that happens to decode. A repaired run is searched again,
//! undoing up to three layers of mangling (`Ã¢â‚¬â„¢` → `â€™` → `’`).
//!
//! ASCII never takes part in mojibake, so ASCII stretches are skipped with a block scan; on
//! typical text the cost is close to that of `str::is_ascii`.

mod chars;
mod evidence;
mod layer;
mod scan;
mod tables;

use std::ops::Range;

use evidence::Around;

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
    merge(layer::find_layer(text, Around::default(), 1, false))
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

/// Joins runs that touch and share an encoding, so one damaged stretch is one finding.
fn merge(runs: Vec<Mangled>) -> Vec<Mangled> {
    let mut out: Vec<Mangled> = Vec::with_capacity(runs.len());
    for run in runs {
        match out.last_mut() {
            Some(last) if last.range.end == run.range.start && last.encoding == run.encoding => {
                last.range.end = run.range.end;
                last.repaired.push_str(&run.repaired);
                last.layers = last.layers.max(run.layers);
            }
            _ => out.push(run),
        }
    }
    out
}
