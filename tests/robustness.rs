//! Robustness: thousands of generated messy articles through `check` and `fix`. Nothing may
//! panic, every range must be on char boundaries, and fixing must converge and lose no text
//! outside the repaired ranges.

#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

use article_lsp::analysis::{self, Code};
use article_lsp::config::Config;
use article_lsp::fix::{self, Selection};
use jiff::Timestamp;

const PIECES: &[&str] = &[
    "---",
    "...",
    "title: \"A\"",
    "title:",
    "title: [",
    "title: {a: 1",
    "  - ",
    "- x",
    "related:",
    "  - title: \"R\"",
    "    webUrl: htps://x",
    "    publishedDateTime: 2021-02-30T00:00:00Z",
    "provider:",
    "  name: P",
    "  domain: x.org",
    "webUrl: \"https://a.b/c\"",
    "topics: AI",
    "topics:",
    "  - AI",
    "quality: high",
    "published: yes",
    "a: &x [1, 2]",
    "b: [*x, *x]",
    "key: 'unclosed",
    "\t- tab",
    "excerpt: Organizationâ€™s",
    "cafÃ© Ã¢â‚¬â„¢",
    "\u{feff}",
    "\u{fffd}",
    "\u{7}\u{1b}\u{85}",
    "2021-13-01 body",
    "31.09.2021 - x",
    "Sept 31, 2021",
    "😀 中文 Ζ",
    "",
    " ",
    "#",
    "? complex",
    ": :",
    "\"",
    "'",
    "|",
    ">",
    "!!str",
    "%YAML 1.2",
    "&anchor",
    "*alias",
];

fn now() -> Timestamp {
    "2026-01-01T00:00:00Z".parse().unwrap()
}

#[test]
fn generated_articles_never_break_check_or_fix() {
    let config = Config::default();
    let mut seed: u64 = 0x2545f4914f6cdd1d;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let breaks = ["\n", "\r\n", "\r"];
    for case in 0..3_000 {
        let lines = 1 + next() as usize % 14;
        let mut text = String::new();
        if next() % 2 == 0 {
            text.push_str("---\n");
        }
        for _ in 0..lines {
            text.push_str(PIECES[next() as usize % PIECES.len()]);
            text.push_str(breaks[next() as usize % breaks.len()]);
        }
        if next() % 3 == 0 {
            text.pop();
        }
        let diagnostics = analysis::check(&text, &config, now());
        for d in &diagnostics {
            assert!(d.range.start <= d.range.end && d.range.end <= text.len(), "case {case}: {d:?} in {text:?}");
            assert!(text.is_char_boundary(d.range.start) && text.is_char_boundary(d.range.end), "case {case}: {d:?}");
            for edit in d.fix.iter().flat_map(|f| &f.edits) {
                assert!(
                    text.is_char_boundary(edit.range.start) && text.is_char_boundary(edit.range.end),
                    "case {case}"
                );
            }
        }
        let once = fix::fix_text(&text, &config, now(), &Selection::default());
        let twice = fix::fix_text(&once.text, &config, now(), &Selection::default());
        assert_eq!(twice.applied, 0, "case {case}: fixing twice changed something in {:?}", once.text);
        // Only mojibake may be repaired here; everything else must be byte for byte the same.
        let only = fix::fix_text(&text, &config, now(), &Selection { only: Some(vec![Code::Mojibake]) });
        let mojibake = diagnostics.iter().filter(|d| d.code == Code::Mojibake).count();
        if mojibake == 0 {
            assert_eq!(only.text, text, "case {case}");
        }
    }
}
