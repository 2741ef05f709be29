//! The fuzz targets' invariants (`tests/invariants/`) as proptest properties, so they run on
//! stable in every `cargo test`: the whole `check` on arbitrary bytes, the YAML layer and front
//! matter segmentation, mojibake repair, position conversions and incremental edits. Inputs the
//! fuzzers found are kept below as plain regression tests.

#![allow(clippy::unwrap_used)]

mod invariants;

use article_lsp::analysis::{self, Code};
use article_lsp::config::Config;
use encoding_rs::{Encoding, WINDOWS_1252};
use invariants::CharEdit;
use proptest::prelude::*;
use proptest::sample::select;

/// Lines that stress the parser and the rules; texts are built from them, so random cases
/// reach deep into the front matter instead of failing at the first byte.
const PIECES: &[&str] = &[
    "---",
    "...",
    "title: \"A\"",
    "title: [",
    "title: {a: 1",
    "  - x",
    "- [a, {b: c}]",
    "related:",
    "  - title: R",
    "    webUrl: htps://x",
    "publishedDateTime: 2021-02-30T00:00:00Z",
    "provider:",
    "  name: P",
    "  domain: x.org",
    "webUrl: https://a.b/c",
    "topics: [AI, AI]",
    "a: &x [1, 2]",
    "b: [*x, *x]",
    "key: 'unclosed",
    "\t- tab",
    "excerpt: Organizationâ€™s",
    "cafÃ© Ã¢â‚¬â„¢",
    "\u{feff}",
    "\u{fffd}\u{7}\u{1b}\u{85}\u{2028}",
    "2021-13-01 body",
    "Sept 31, 2021",
    "😀 中文 Ζ",
    "",
    "? complex",
    ": :",
    "|",
    ">-",
    "!!binary",
    "%YAML 1.2",
    "[[[[[[[[",
    "- - - - - - - -",
];

fn line_break() -> impl Strategy<Value = &'static str> {
    select(vec!["\n", "\n", "\n", "\r\n", "\r"])
}

/// A text assembled from `PIECES` with mixed line breaks.
fn article() -> impl Strategy<Value = String> {
    prop::collection::vec((select(PIECES), line_break()), 0..24)
        .prop_map(|lines| lines.into_iter().flat_map(|(line, end)| [line, end]).collect())
}

/// Bytes: either anything, or an assembled article with some bytes flipped.
fn bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..512),
        (article(), prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4)).prop_map(
            |(text, flips)| {
                let mut bytes = text.into_bytes();
                for (at, byte) in flips {
                    if !bytes.is_empty() {
                        let i = at.index(bytes.len());
                        bytes[i] = byte;
                    }
                }
                bytes
            }
        ),
    ]
}

/// Words that are never mangled, in several scripts.
const CLEAN_WORDS: &[&str] = &[
    "the",
    "news",
    "café",
    "naïve",
    "Zürich",
    "straße",
    "São Paulo",
    "Ærø",
    "œuvre",
    "€5",
    "“quoted”",
    "it’s",
    "—",
    "…",
    "中文",
    "日本語",
    "한국어",
    "Ζεύς",
    "Москва",
    "עברית",
    "العربية",
    "हिन्दी",
    "😀",
    "👍🏽",
    "1,000",
    "50%",
    "(a)",
    "e.g.",
    "Ñandú",
    "Łódź",
    "İstanbul",
    "Þór",
];

fn clean_text() -> impl Strategy<Value = String> {
    prop::collection::vec((select(CLEAN_WORDS), select(vec![" ", " ", ", ", ".\n", "\n"])), 0..40)
        .prop_map(|words| words.into_iter().flat_map(|(w, s)| [w, s]).collect())
}

/// Clean text mangled once or twice (UTF-8 read as Windows-1252), amid clean text.
fn mangled_text() -> impl Strategy<Value = String> {
    (clean_text(), clean_text(), clean_text(), 1..=2usize).prop_map(|(before, word, after, layers)| {
        let mut mangled = word;
        for _ in 0..layers {
            mangled = mangle(&mangled, WINDOWS_1252);
        }
        format!("{before}{mangled}{after}")
    })
}

fn mangle(text: &str, encoding: &'static Encoding) -> String {
    encoding.decode_without_bom_handling(text.as_bytes()).0.into_owned()
}

const POSITION_CHARS: &[&str] = &["a", "é", "中", "😀", "\n", "\r", "\r\n", "\u{2028}", "\u{85}", "\u{feff}", "\t"];

fn position_text() -> impl Strategy<Value = String> {
    prop::collection::vec(select(POSITION_CHARS), 0..60).prop_map(|parts| parts.concat())
}

fn probes() -> impl Strategy<Value = Vec<(u32, u32)>> {
    prop::collection::vec(
        prop_oneof![(0u32..8, 0u32..40), (any::<u32>(), any::<u32>()), (0u32..4, Just(u32::MAX))],
        0..16,
    )
}

fn edits() -> impl Strategy<Value = Vec<CharEdit>> {
    let insert = prop_oneof![select(PIECES).prop_map(str::to_owned), select(POSITION_CHARS).prop_map(str::to_owned)];
    prop::collection::vec(
        (0usize..300, 0usize..16, insert).prop_map(|(start, len, insert)| CharEdit { start, end: start + len, insert }),
        1..24,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    #[test]
    fn check_on_arbitrary_bytes(bytes in bytes()) {
        invariants::check_bytes(&bytes);
    }

    #[test]
    fn yaml_layer_and_segmentation(text in article()) {
        invariants::yaml_layer(&text);
    }

    #[test]
    fn yaml_layer_on_arbitrary_text(text in any::<String>()) {
        invariants::yaml_layer(&format!("---\n{text}\n---\n"));
    }

    #[test]
    fn mojibake_repair_is_idempotent_and_local(text in prop_oneof![mangled_text(), article(), any::<String>()]) {
        invariants::mojibake_repair(&text);
    }

    #[test]
    fn clean_text_is_left_alone(text in clean_text()) {
        invariants::clean_is_identity(&text);
    }

    #[test]
    fn positions_round_trip_and_clamp(text in position_text(), probes in probes()) {
        invariants::positions(&text, &probes);
    }

    #[test]
    fn incremental_edits_match_a_string_and_a_full_check(initial in article(), edits in edits()) {
        invariants::incremental_edits(&initial, &edits);
    }
}

/// Mangled text is found and repaired exactly (the generator's own sanity check: the
/// properties above would prove little if the mangling never produced mojibake).
#[test]
fn mangled_words_are_repaired() {
    let text = format!("Le {} de Zürich", mangle("café", WINDOWS_1252));
    assert_eq!(article_lsp::analysis::mojibake::repair(&text), "Le café de Zürich");
}

#[test]
fn deep_nesting_regressions() {
    for depth in [65, 300, 10_000] {
        invariants::yaml_layer(&format!("---\nk: {}\n---\n", "[".repeat(depth)));
        invariants::yaml_layer(&format!("---\n{}x\n---\n", "- ".repeat(depth)));
        invariants::yaml_layer(&format!("---\n{}\n---\n", "{a: ".repeat(depth)));
        invariants::check_bytes(format!("---\n{}x\n---\n", "? ".repeat(depth)).as_bytes());
    }
}

/// Found by `incremental_edits_match_a_string_and_a_full_check`: the fix for a missing field
/// took its line ending from the whole text in `check` but from the front matter alone in the
/// editor, so a CRLF below the front matter made the two disagree.
#[test]
fn missing_field_fix_takes_the_line_ending_of_the_front_matter() {
    let edits = [CharEdit { start: 29, end: 29, insert: "\r\n".to_string() }];
    invariants::incremental_edits("---\n    webUrl: htps://x\n---\n", &edits);
}

/// Found by `incremental_edits_match_a_string_and_a_full_check`: a missing field's insertion
/// point looked for the next LF only, so after a CR-only line it skipped into the body (in the
/// editor, which checks only the front matter, it stopped at the end of the closing line).
#[test]
fn missing_field_insertion_stops_at_a_cr_only_line_end() {
    let text = "---\r\n- - - - - - - -\r\ntitle: {a: 1\n%YAML 1.2\r---\r\u{fffd}\u{7}\u{1b}\u{85}\u{2028}\r    \
                webUrl: htps://x\nwebUrl: https://a.b/c\npublishedDateTime: 2021-02-30T00:00:00Z\n? complex";
    invariants::incremental_edits(text, &[CharEdit { start: 0, end: 0, insert: String::new() }]);
}

/// Found by `incremental_edits_match_a_string_and_a_full_check`: an unterminated front matter
/// that takes the whole text, whose last line has no line break (here after a CR-only opener):
/// the editor checked that last line as a body line (a dated line), the full check as front matter.
#[test]
fn unterminated_front_matter_to_the_last_unbroken_line() {
    invariants::incremental_edits(
        "---\nSept 31, 2021title: \"A\"",
        &[CharEdit { start: 0, end: 0, insert: String::new() }],
    );
    let text = "---\r    webUrl: htps://x\n  - title: R\n- - - - - - - -\n- - -     webUrl: htps://x title: R\r\n\
                title: {a: 1\nSept 31, 2021title: \"A\"";
    invariants::incremental_edits(text, &[CharEdit { start: 0, end: 0, insert: String::new() }]);
}

/// Found by the `edits` fuzz target: a cached body line's guess (the restored lost character)
/// kept its line-relative range when the line was shifted into place, so the editor's guess
/// quick-fix on any line but the first replaced the wrong bytes.
#[test]
fn guesses_of_a_later_line_are_shifted_with_it() {
    let text = "The minister called the figure wrong.\nA \u{e2}\u{20ac}\u{153}quoted\u{e2}\u{20ac}\u{fffd} phrase.\n";
    invariants::incremental_edits(text, &[CharEdit { start: 3, end: 4, insert: "x".into() }]);
}

/// Found by the `check` fuzz target: a long run of `Â` before a Latin-1 character (`ÂÂÂ…Âµ`,
/// bytes 0xC2 0xC2 … 0xB5 read as Windows-1252). A kept character did not pay its table
/// rarity in a repair's cost but did in the original's, so repairing the last pair always
/// looked like a gain, and each repair formed a new pair with the `Â` before it: `fix` never
/// converged. Lead bytes before a lead byte are not a layer of mangling; the run stays.
#[test]
fn a_run_of_lead_bytes_before_a_sequence_is_not_peeled_pair_by_pair() {
    // The fuzzer's input, with its long runs written as repeats.
    let mut bytes = b"---\ntitle: \"Harbour opens nigh= window\"\npublishedDateTime: 2021-09-26T06:17:00Z\nwe;bUrl: \"htt\x90\xe2\x80\x9c stay.\nSymbols: >\xa1\xc2\xa2\xc2\xa3\xc2\xa4\xc2\xa5\xc2\xa6\xc2\xa7\xc2\xc2\xa8\xa9\xc2\xaa\xc2\xab\xc2\xac\xc2\xae\xc2\xaf\xc2\xb0\xc2\xb1\xc2\xb2\xc2\xb3\xc2\xb4".to_vec();
    bytes.extend(std::iter::repeat_n(0xc2, 118));
    bytes.extend(b"\xb5\xc2\xb6\xc2\xb7\xc2\xb8\xc2\xb9\xc2");
    bytes.extend(std::iter::repeat_n(0x9c, 29));
    bytes.push(b'[');
    bytes.extend(std::iter::repeat_n(0x9c, 48));
    bytes.extend(b"---\n");
    invariants::check_bytes(&bytes);
}

/// Found by `check_on_arbitrary_bytes`: mojibake bytes that are not UTF-8 read as Shift_JIS;
/// the prefix before the first invalid byte, decoded alone, ended inside a character that the
/// whole decode joins with that byte, so `not-utf8` pointed inside a character (a panic).
#[test]
fn not_utf8_points_at_a_character_boundary() {
    let bytes = [
        99, 97, 102, 195, 131, 194, 169, 32, 195, 131, 194, 224, 195, 162, 226, 128, 154, 194, 172, 195, 162, 226, 128,
        158, 194, 162, 10,
    ];
    invariants::check_bytes(&bytes);
}

/// Found by the `check` fuzz target: saphyr reads a NUL as the end of the stream, so after one
/// its error positions are arbitrary. Here it blamed a line that an earlier error had blanked,
/// where the original text holds two-byte characters: the `yaml-syntax` range split a
/// character, and blanking the blank line again repeated the finding seven times.
#[test]
fn a_yaml_error_blamed_on_a_blanked_line_is_reported_once_on_char_boundaries() {
    let bytes = &[b"---\n%title: \"Ha--".as_slice(), &[0xb1; 20], b"\xb9", &[0xb1; 20], b"://www.\x10\x00gle\xe2\x80\x99 \xe2\x80\x94 dashes1\"\n- s(ipping\n  \xd3\xdf\xaf\x8a\x9d\x93\x96\x9b Heath\n  - Astronomy\n---\n"]
        .concat();
    invariants::check_bytes(bytes);
    let (_, diagnostics) = analysis::check_bytes(bytes, &Config::default(), invariants::now());
    let syntax: Vec<_> = diagnostics.iter().filter(|d| d.code == Code::YamlSyntax).collect();
    assert_eq!(syntax.len(), 1, "{syntax:?}");
}
