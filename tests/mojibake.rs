//! Mojibake engine: round trips through every supported legacy encoding, literal real-world
//! damage, a large clean multilingual text that must come back untouched, and robustness.

use std::ops::Range;

use article_lsp::analysis::mojibake::{Legacy, find, repair};

const CP437_HIGH: &str = "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»\
░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀\
αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{A0}";

const ALL: [Legacy; 7] = [
    Legacy::Windows1252,
    Legacy::Latin1,
    Legacy::Windows1250,
    Legacy::Windows1251,
    Legacy::Iso8859_2,
    Legacy::MacRoman,
    Legacy::Cp437,
];

/// `text`'s UTF-8 bytes decoded with `encoding`: what a misconfigured reader shows.
fn mangle(text: &str, encoding: Legacy) -> String {
    let bytes = text.as_bytes();
    let whatwg = match encoding {
        Legacy::Latin1 => return bytes.iter().map(|&b| char::from(b)).collect(),
        Legacy::Cp437 => {
            let high: Vec<char> = CP437_HIGH.chars().collect();
            return bytes
                .iter()
                .map(|&b| {
                    if b < 0x80 {
                        char::from(b)
                    } else {
                        high[usize::from(b - 0x80)]
                    }
                })
                .collect();
        }
        Legacy::Windows1252 => encoding_rs::WINDOWS_1252,
        Legacy::Windows1250 => encoding_rs::WINDOWS_1250,
        Legacy::Windows1251 => encoding_rs::WINDOWS_1251,
        Legacy::Iso8859_2 => encoding_rs::ISO_8859_2,
        Legacy::MacRoman => encoding_rs::MACINTOSH,
    };
    whatwg.decode_without_bom_handling(bytes).0.into_owned()
}

/// A line built from clean and mangled pieces, with the byte ranges damage must be found at.
#[derive(Default)]
struct Line {
    text: String,
    clean: String,
    damaged: Vec<Range<usize>>,
}

impl Line {
    fn clean(mut self, part: &str) -> Self {
        self.text.push_str(part);
        self.clean.push_str(part);
        self
    }

    /// Appends `part` mangled with each encoding in turn (outermost last).
    fn mangled(mut self, part: &str, layers: &[Legacy]) -> Self {
        let damaged = layers
            .iter()
            .fold(part.to_owned(), |text, &e| mangle(&text, e));
        let base = self.text.len();
        self.damaged.extend(
            non_ascii_stretches(&damaged)
                .into_iter()
                .map(|r| r.start + base..r.end + base),
        );
        self.text.push_str(&damaged);
        self.clean.push_str(part);
        self
    }
}

/// Each maximal stretch of non-ASCII characters: mangling only ever touches those.
fn non_ascii_stretches(text: &str) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    for (at, c) in text.char_indices() {
        if c.is_ascii() {
            continue;
        }
        match out.last_mut() {
            Some(last) if last.end == at => last.end = at + c.len_utf8(),
            _ => out.push(at..at + c.len_utf8()),
        }
    }
    out
}

/// `find`'s ranges with touching ones joined (runs in different encodings may touch).
fn found_stretches(text: &str) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    for run in find(text) {
        match out.last_mut() {
            Some(last) if last.end == run.range.start => last.end = run.range.end,
            _ => out.push(run.range),
        }
    }
    out
}

/// Checks one line; returns a description of what went wrong, if anything.
fn check(name: &str, line: &Line) -> Option<String> {
    let repaired = repair(&line.text);
    let found = found_stretches(&line.text);
    if repaired != line.clean || found != line.damaged {
        return Some(format!(
            "{name}: {:?}\n    repaired {repaired:?}\n    expected {:?}\n    found {found:?} expected {:?}",
            line.text, line.clean, line.damaged
        ));
    }
    None
}

fn assert_all(failures: Vec<String>) {
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

const PHRASES: &[&str] = &[
    "Organization’s annual report",
    "“Quoted text,” she said — twice…",
    "It costs 20 € now",
    "Brand™ and more",
    "Temperature: 25 °C",
    "Price £17 or ¥2000",
    "Русский текст: События в Москве",
    "Українська мова: Відповідь",
    "Ελληνικά: Καλημέρα κόσμε",
    "עברית: שלום עולם",
    "العربية: مرحبا بالعالم",
    "中文：你好，世界",
    "日本語のテキスト",
    "한국어 텍스트",
    "Emoji: 😀 👍🏽 👨‍👩‍👧",
    "Tiếng Việt có dấu",
    "Zażółć gęślą jaźń",
    "Příliš žluťoučký kůň úpěl ďábelské ódy",
    "naïve café",
    "Zürich",
    "Straße",
    "Ñandú",
    "São Paulo",
    "crème brûlée",
    "Þingvellir",
    "GRÜN",
    "CAFÉ",
    "și țară",
    "İstanbul ılık",
    "Łódź",
    "Trường học",
    "Árvíztűrő tükörfúrógép",
];

#[test]
#[ignore = "exploration"]
fn explore() {
    let mut failures = Vec::new();
    for phrase in PHRASES {
        for e in ALL {
            let line = Line::default().mangled(phrase, &[e]);
            if let Some(f) = check(&format!("{phrase} / {}", e.name()), &line) {
                failures.push(f);
            }
        }
    }
    assert_all(failures);
}

const CLEAN: &str = include_str!("data/mojibake/clean-multilingual.txt");

fn describe(text: &str) -> Vec<String> {
    find(text)
        .into_iter()
        .map(|m| format!("{:?} -> {:?} ({})", &text[m.range.clone()], m.repaired, m.encoding.name()))
        .collect()
}

#[test]
fn clean_multilingual_text_is_left_alone() {
    assert!(CLEAN.len() > 6000, "the clean text should be several KB");
    let mut failures = Vec::new();
    for (n, line) in CLEAN.lines().enumerate() {
        let found = describe(line);
        if !found.is_empty() {
            failures.push(format!("line {}: {found:?}", n + 1));
        }
    }
    let whole = describe(CLEAN);
    if !whole.is_empty() {
        failures.push(format!("whole text: {whole:?}"));
    }
    assert_all(failures);
}
