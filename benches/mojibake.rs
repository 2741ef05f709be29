//! Throughput of the mojibake engine (divan): `cargo bench --bench mojibake`. News-like text
//! of about 2 MB: mostly ASCII, a sixth of the lines in other languages, and, for the dirty
//! variant, 1% of those non-ASCII lines mangled (UTF-8 read as Windows-1252). The clean
//! sentences are also timed by script alone (about 1 MB each), which shows where clean text
//! still reaches the search.

#![allow(clippy::unwrap_used)]

use article_lsp::analysis::mojibake;
use divan::counter::BytesCount;
use divan::{Bencher, black_box};

fn main() {
    divan::main();
}

const SENTENCES: &str = include_str!("../tests/data/mojibake/sentences.txt");

const ENGLISH: &[&str] = &[
    "The council met on Tuesday to discuss the budget for the coming year and approved it.",
    "Officials said the new bridge would open in the spring, two months later than planned.",
    "Shares in the company rose 4 percent after it reported higher profits for the quarter.",
    "The report, published on Monday, found that most households had cut their spending.",
    "Rain is expected across the north of the country for the rest of the week.",
];

/// About `bytes` of text; every `dirty_every`-th non-ASCII line mangled (0: none).
fn news_text(bytes: usize, dirty_every: usize) -> String {
    let foreign: Vec<&str> =
        SENTENCES.lines().filter(|l| !l.starts_with('#')).filter_map(|l| l.split_once('\t')).map(|(_, s)| s).collect();
    let mut out = String::with_capacity(bytes + 256);
    let (mut i, mut non_ascii) = (0, 0);
    while out.len() < bytes {
        if i % 6 == 5 {
            let line = foreign[non_ascii % foreign.len()];
            non_ascii += 1;
            if dirty_every > 0 && non_ascii % dirty_every == 0 {
                out.push_str(&encoding_rs::WINDOWS_1252.decode_without_bom_handling(line.as_bytes()).0);
            } else {
                out.push_str(line);
            }
        } else {
            out.push_str(ENGLISH[i % ENGLISH.len()]);
        }
        out.push('\n');
        i += 1;
    }
    out
}

const SIZE: usize = 2_000_000;

/// The clean sentences whose letters are mostly of `script`, repeated to about 1 MB.
fn sentences_in(script: &str) -> String {
    let of = |c: char| match c {
        'Ѐ'..='ӿ' => "cyrillic",
        'Ͱ'..='Ͽ' => "greek",
        'A'..='z' | 'À'..='ɏ' => "latin",
        _ => "other",
    };
    let picked: Vec<&str> = SENTENCES
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .map(|(_, s)| s)
        .filter(|s| {
            let letters: Vec<&str> = s.chars().filter(|c| c.is_alphabetic()).map(of).collect();
            letters.iter().filter(|&&k| k == script).count() * 2 > letters.len()
        })
        .collect();
    let mut out = String::new();
    for line in picked.iter().cycle().take(if picked.is_empty() { 0 } else { usize::MAX }) {
        if out.len() >= SIZE / 2 {
            break;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[divan::bench]
fn find_in_ascii(bencher: Bencher) {
    let text: String = ENGLISH.iter().cycle().take(SIZE / 80).map(|l| format!("{l}\n")).collect();
    bencher.counter(BytesCount::of_str(&text)).bench(|| mojibake::find(black_box(&text)));
}

#[divan::bench]
fn find_in_clean_news(bencher: Bencher) {
    let text = news_text(SIZE, 0);
    bencher.counter(BytesCount::of_str(&text)).bench(|| mojibake::find(black_box(&text)));
}

#[divan::bench(args = ["latin", "cyrillic", "greek", "other"])]
fn find_in_clean_sentences_of_one_script(bencher: Bencher, script: &str) {
    let text = sentences_in(script);
    bencher.counter(BytesCount::of_str(&text)).bench(|| mojibake::find(black_box(&text)));
}

#[divan::bench]
fn repair_news_with_one_percent_mangled(bencher: Bencher) {
    let text = news_text(SIZE, 100);
    bencher.counter(BytesCount::of_str(&text)).bench(|| mojibake::repair(black_box(&text)));
}

#[divan::bench]
fn repair_fully_mangled_lines(bencher: Bencher) {
    let text = news_text(200_000, 1);
    bencher.counter(BytesCount::of_str(&text)).bench(|| mojibake::repair(black_box(&text)));
}
