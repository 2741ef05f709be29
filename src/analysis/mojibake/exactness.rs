//! The shortcuts are proofs, not heuristics: `find` with every shortcut of [`super::path`]
//! switched off (a full search of every stretch in every table it may be read in) must give
//! the same runs as with them, on clean text in many scripts, traps, negatives and that text
//! mangled through every table.

use super::path::without_shortcuts;
use super::tables::{TABLE_COUNT, Table};
use super::{Mangled, find};

const DATA: &[&str] = &[
    include_str!("../../../tests/data/mojibake/sentences.txt"),
    include_str!("../../../tests/data/mojibake/clean-multilingual.txt"),
    include_str!("../../../tests/data/mojibake/traps.txt"),
    include_str!("../../../tests/data/mojibake/negatives/symbols.txt"),
    include_str!("../../../tests/data/mojibake/negatives/line-art.txt"),
    include_str!("../../../tests/data/mojibake/negatives/nbsp-capitals.txt"),
    include_str!("../../../tests/data/mojibake/negatives/foreign-letters.txt"),
    include_str!("../../../tests/data/mojibake/negatives/dangerous.txt"),
];

/// The text lines of the data files (the sentences file puts a language code before a tab).
fn lines() -> Vec<&'static str> {
    DATA.iter()
        .flat_map(|d| d.lines())
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split_once('\t').map_or(l, |(_, text)| text))
        .collect()
}

/// `text`'s UTF-8 bytes read in `table` (`None`: as Latin-1, C1 controls included).
fn mangled(text: &str, table: Option<Table>) -> String {
    let read = |b: u8| match table {
        _ if b.is_ascii() => char::from(b),
        Some(t) => t.decode(b),
        None => char::from(b),
    };
    text.bytes().map(read).collect()
}

/// Each line clean, as Latin-1, mangled in every table (as is, with its no-break spaces turned
/// into spaces, with lost bytes as `?`) and twice in Windows-1252.
fn variants(line: &str) -> Vec<String> {
    let mut out = vec![line.to_owned(), mangled(line, None)];
    for table in (0..TABLE_COUNT).map(|t| Some(Table(t as u8))) {
        let once = mangled(line, table);
        out.push(once.replace('\u{a0}', " "));
        out.push(once.chars().map(|c| if matches!(c, '\u{80}'..='\u{9f}') { '?' } else { c }).collect());
        out.push(once);
    }
    let western = Some(Table::WESTERN);
    out.push(mangled(&mangled(line, western), western));
    out
}

fn find_slowly(text: &str) -> Vec<Mangled> {
    without_shortcuts(|| find(text))
}

#[test]
fn shortcuts_never_change_what_is_found() {
    let mut searched = 0;
    let mut found = 0;
    for line in lines() {
        for text in variants(line) {
            let fast = find(&text);
            assert_eq!(fast, find_slowly(&text), "the shortcuts change what is found in {text:?}");
            searched += 1;
            found += usize::from(!fast.is_empty());
        }
    }
    // The comparison must cover repairs as well as clean text.
    assert!(found > 1_000 && searched - found > 500, "{found} of {searched} texts with runs");
}
