//! Generated round-trip tables: our own sentences in many languages, damaged through every
//! table and every kind of damage, must come back exactly; the same sentences undamaged, plus
//! traps, must come back byte-identical. Run with `--nocapture` to see the table of shares
//! per family and table (the numbers quoted in BENCHMARKS.md and the closing notes).

#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

use std::collections::BTreeMap;

use article_lsp::analysis::mojibake::repair;

const SENTENCES: &str = include_str!("data/mojibake/sentences.txt");
const TRAPS: &str = include_str!("data/mojibake/traps.txt");
const CLEAN: &str = include_str!("data/mojibake/clean-multilingual.txt");

/// Families of legitimate text that an independent check once saw repaired, each in several
/// languages: `(family, lines)`.
const NEGATIVES: &[(&str, &str)] = &[
    ("symbols", include_str!("data/mojibake/negatives/symbols.txt")),
    ("line art", include_str!("data/mojibake/negatives/line-art.txt")),
    ("capitals next to a no-break space", include_str!("data/mojibake/negatives/nbsp-capitals.txt")),
    ("lone letter of another script", include_str!("data/mojibake/negatives/foreign-letters.txt")),
    (
        "dangerous-looking text: symbols, superscripts, capitals in quotes, names, code",
        include_str!("data/mojibake/negatives/dangerous.txt"),
    ),
    (
        "accented capitals next to guillemets, quotes and symbols; notation, currency, names",
        include_str!("data/mojibake/negatives/accented-capitals.txt"),
    ),
    (
        "lookalikes: text about encodings, all-caps headlines, codes, units, currency, loanwords",
        include_str!("data/mojibake/negatives/legit-lookalikes.txt"),
    ),
];

#[path = "common/code_pages.rs"]
mod code_pages;
use code_pages::{CP437_HIGH, CP850_HIGH};

/// The tables of the engine, as a reader that decodes a byte with them.
const TABLES: &[&str] = &[
    "Windows-1252",
    "Latin-1",
    "Windows-1250",
    "ISO-8859-2",
    "Windows-1251",
    "Windows-1253",
    "Windows-1254",
    "Windows-1257",
    "KOI8-R",
    "MacRoman",
    "Mac Cyrillic",
    "cp437",
    "cp850",
];

/// What byte `b` reads as in `table`; `None` where the table leaves it undefined (strict
/// decoders lose it).
fn read_byte(table: &str, b: u8) -> Option<char> {
    if b < 0x80 {
        return Some(char::from(b));
    }
    let high = |s: &str| s.chars().nth(usize::from(b - 0x80));
    let whatwg = |e: &'static encoding_rs::Encoding| {
        let c = e.decode_without_bom_handling(&[b]).0.chars().next()?;
        (!matches!(c, '\u{80}'..='\u{9F}' | '\u{FFFD}')).then_some(c)
    };
    match table {
        "Latin-1" => Some(char::from(b)),
        "Windows-1252" => whatwg(encoding_rs::WINDOWS_1252),
        "Windows-1250" => whatwg(encoding_rs::WINDOWS_1250),
        "ISO-8859-2" => encoding_rs::ISO_8859_2.decode_without_bom_handling(&[b]).0.chars().next(),
        "Windows-1251" => whatwg(encoding_rs::WINDOWS_1251),
        "Windows-1253" => whatwg(encoding_rs::WINDOWS_1253),
        "Windows-1254" => whatwg(encoding_rs::WINDOWS_1254),
        "Windows-1257" => whatwg(encoding_rs::WINDOWS_1257),
        "KOI8-R" => whatwg(encoding_rs::KOI8_R),
        "MacRoman" => whatwg(encoding_rs::MACINTOSH),
        "Mac Cyrillic" => whatwg(encoding_rs::X_MAC_CYRILLIC),
        "cp437" => high(CP437_HIGH),
        "cp850" => high(CP850_HIGH),
        _ => None,
    }
}

/// One damaged line and the repair expected of it.
struct Case {
    family: &'static str,
    table: &'static str,
    damaged: String,
    expected: String,
}

/// `text`'s bytes read in `table`; a lost byte becomes `lost` (and its character U+FFFD in
/// the expected repair), or the C1 control a sloppy reader shows when `lost` is `None`.
fn mangle(text: &str, table: &str, lost: Option<char>) -> (String, String) {
    let (mut damaged, mut expected) = (String::new(), String::new());
    for c in text.chars() {
        let mut buf = [0; 4];
        let mut any_lost = false;
        for &b in c.encode_utf8(&mut buf).as_bytes() {
            match (read_byte(table, b), lost) {
                (Some(r), _) => damaged.push(r),
                (None, Some(l)) => {
                    damaged.push(l);
                    any_lost = true;
                }
                (None, None) => damaged.push(char::from(b)),
            }
        }
        expected.push(if any_lost { '\u{FFFD}' } else { c });
    }
    (damaged, expected)
}

fn sentences() -> Vec<&'static str> {
    SENTENCES
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| l.split_once('\t'))
        .map(|(_, s)| s)
        .collect()
}

/// Every generated case: each sentence through each table and kind of damage.
fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    for &sentence in &sentences() {
        for &table in TABLES {
            let push = |out: &mut Vec<Case>, family, damaged: String, expected: String| {
                if damaged != expected {
                    out.push(Case { family, table, damaged, expected });
                }
            };
            let (plain, _) = mangle(sentence, table, None);
            push(&mut out, "whole line", plain.clone(), sentence.to_string());
            if let Some(word) = sentence.split(' ').find(|w| !w.is_ascii()) {
                let (one, _) = mangle(word, table, None);
                push(&mut out, "one word", sentence.replacen(word, &one, 1), sentence.to_string());
            }
            let (lossy, expected) = mangle(sentence, table, Some('\u{FFFD}'));
            if lossy != plain {
                push(&mut out, "lost byte (U+FFFD)", lossy, expected);
            }
            if plain.contains('\u{A0}') {
                push(&mut out, "NBSP as space", plain.replace('\u{A0}', " "), sentence.to_string());
            }
            let twice = mangle(&plain, "Windows-1252", None).0;
            push(&mut out, "two layers", twice.clone(), sentence.to_string());
            push(&mut out, "three layers", mangle(&twice, "Windows-1252", None).0, sentence.to_string());
            let emoji = format!("{sentence} 😀");
            push(&mut out, "CESU-8 emoji", read_all(&cesu8(&emoji), table), emoji);
        }
        if let Some(c1) = windows_1252_as_latin1(sentence) {
            out.push(Case { family: "C1 leftovers", table: "Latin-1", damaged: c1, expected: sentence.to_string() });
        }
    }
    out
}

fn read_all(bytes: &[u8], table: &str) -> String {
    bytes.iter().map(|&b| read_byte(table, b).unwrap_or(char::from(b))).collect()
}

/// `text` in CESU-8: characters outside the BMP as two 3-byte surrogates.
fn cesu8(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for c in text.chars() {
        let mut units = [0; 2];
        for &unit in c.encode_utf16(&mut units).iter() {
            let u = u32::from(unit);
            let bytes = match u {
                0..=0x7F => vec![u as u8],
                0x80..=0x7FF => vec![0xC0 | (u >> 6) as u8, 0x80 | (u & 0x3F) as u8],
                _ => vec![0xE0 | (u >> 12) as u8, 0x80 | ((u >> 6) & 0x3F) as u8, 0x80 | (u & 0x3F) as u8],
            };
            out.extend(bytes);
        }
    }
    out
}

/// `text` written in Windows-1252 and read as Latin-1, when it has a character that only
/// Windows-1252 has (curly quotes, dashes, ellipsis, euro).
fn windows_1252_as_latin1(text: &str) -> Option<String> {
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(text);
    (!unmappable && bytes.iter().any(|b| (0x80..=0x9F).contains(b)))
        .then(|| bytes.iter().map(|&b| char::from(b)).collect())
}

#[test]
fn generated_round_trips_are_repaired() {
    let mut tally: BTreeMap<(&str, &str), (usize, usize)> = BTreeMap::new();
    let mut families: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    // `MOJIBAKE_FAILURES=<text>` prints the failing cases whose `family [table]` contains it
    // (to group misses by cause).
    let show = std::env::var("MOJIBAKE_FAILURES").ok();
    for case in cases() {
        let got = repair(&case.damaged);
        let ok = got == case.expected;
        if !ok && show.as_deref().is_some_and(|f| format!("{} [{}]", case.family, case.table).contains(f)) {
            println!(
                "{} [{}]\n  in:  {:?}\n  got: {:?}\n  exp: {:?}",
                case.family, case.table, case.damaged, got, case.expected
            );
        }
        for entry in [tally.entry((case.family, case.table)).or_default(), families.entry(case.family).or_default()] {
            entry.0 += usize::from(ok);
            entry.1 += 1;
        }
    }
    let share = |(ok, all): (usize, usize)| 100.0 * ok as f64 / all.max(1) as f64;
    println!("{:<22} {}", "family", TABLES.join(" | "));
    for (&family, &total) in &families {
        let row: Vec<String> = TABLES
            .iter()
            .map(|t| tally.get(&(family, *t)).map_or("-".into(), |&c| format!("{:.0}", share(c))))
            .collect();
        println!("{family:<22} {} | all {:.1}% of {}", row.join(" | "), share(total), total.1);
    }
    let (ok, all) = families.values().fold((0, 0), |acc, v| (acc.0 + v.0, acc.1 + v.1));
    println!("overall {:.1}% of {all}", share((ok, all)));
    // Floors just below what the engine achieves today: a regression fails the test.
    for (family, floor) in FLOORS {
        let got = share(families.get(family).copied().unwrap_or_default());
        assert!(got >= *floor, "{family}: {got:.1}% repaired exactly, floor {floor}%");
    }
}

/// Share of cases repaired exactly (percent) below which a family fails the test.
const FLOORS: &[(&str, f64)] = &[
    ("whole line", 98.5),
    ("one word", 93.5),
    ("two layers", 90.5),
    ("three layers", 90.5),
    ("CESU-8 emoji", 99.5),
    ("lost byte (U+FFFD)", 99.5),
    ("NBSP as space", 99.5),
    ("C1 leftovers", 100.0),
];

#[test]
fn negative_families_are_left_byte_identical() {
    let mut changed = Vec::new();
    for &(family, lines) in NEGATIVES {
        let lines: Vec<&str> = lines.lines().collect();
        assert!(lines.len() >= 30, "{family}: only {} lines", lines.len());
        for line in lines {
            let repaired = repair(line);
            if repaired != line {
                changed.push(format!("{family}: {line:?}\n    -> {repaired:?}"));
            }
        }
    }
    assert!(changed.is_empty(), "{} clean lines changed:\n{}", changed.len(), changed.join("\n"));
}

#[test]
fn negative_corpus_is_left_byte_identical() {
    let mut changed = Vec::new();
    for line in sentences().into_iter().chain(TRAPS.lines().filter(|l| !l.starts_with('#'))).chain(CLEAN.lines()) {
        let repaired = repair(line);
        if repaired != line {
            changed.push(format!("{line:?}\n    -> {repaired:?}"));
        }
    }
    let languages: std::collections::BTreeSet<&str> =
        SENTENCES.lines().filter_map(|l| l.split_once('\t')).map(|(lang, _)| lang).collect();
    assert!(languages.len() >= 40, "{} languages", languages.len());
    assert!(changed.is_empty(), "{} clean lines changed:\n{}", changed.len(), changed.join("\n"));
}

/// Every clean line the tests above require unchanged, by family: the negative families, then
/// the sentences, traps and clean corpus.
fn negative_lines() -> Vec<(&'static str, &'static str)> {
    let families = NEGATIVES.iter().flat_map(|&(family, lines)| lines.lines().map(move |l| (family, l)));
    let sentences = sentences().into_iter().map(|l| ("sentences", l));
    let traps = TRAPS.lines().filter(|l| !l.starts_with('#')).map(|l| ("traps", l));
    let clean = CLEAN.lines().map(|l| ("clean multilingual", l));
    families.chain(sentences).chain(traps).chain(clean).collect()
}

/// Writes every case the round-trip test scores and every negative line, each with our repair,
/// as JSON lines to the file `MOJIBAKE_EXPORT` names: the one source of cases for
/// `scripts/compare-ftfy.sh`, which scores another repairer on exactly the same strings.
#[test]
#[ignore = "an export for scripts/compare-ftfy.sh, not a check"]
fn export_cases_for_comparison() {
    use std::io::Write;
    let path = std::env::var_os("MOJIBAKE_EXPORT").expect("MOJIBAKE_EXPORT names the file to write");
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut write = |record: serde_json::Value| writeln!(out, "{record}").unwrap();
    let cases = cases();
    for case in &cases {
        write(serde_json::json!({
            "set": "case", "family": case.family, "table": case.table,
            "damaged": case.damaged, "expected": case.expected, "ours": repair(&case.damaged),
        }));
    }
    let negatives = negative_lines();
    for &(family, line) in &negatives {
        write(serde_json::json!({ "set": "negative", "family": family, "line": line, "ours": repair(line) }));
    }
    out.flush().unwrap();
    assert!(cases.len() > 4_000 && negatives.len() > 500, "{} cases, {} negatives", cases.len(), negatives.len());
}
