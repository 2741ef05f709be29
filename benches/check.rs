//! Throughput of the analysis core (divan): `cargo bench --bench check`.

#![allow(clippy::unwrap_used)]

use article_lsp::analysis::{self, mojibake};
use article_lsp::config::Config;
use divan::counter::BytesCount;
use divan::{Bencher, black_box};
use jiff::Timestamp;

#[path = "support/articles.rs"]
mod articles;

use articles::{many_related, workspace_article};

fn main() {
    divan::main();
}

fn now() -> Timestamp {
    "2026-01-01T00:00:00Z".parse().unwrap()
}

const EXAMPLES: &[(&str, &str)] = &[
    ("front_matter_with_mojibake", include_str!("../examples/world/2021-09-26-vaccine-passports.md")),
    ("front_matter_clean", include_str!("../examples/world/2021-11-28-certificate-talks.md")),
    ("front_matter_with_defects", include_str!("../examples/drafts/2023-05-02-draft-with-problems.md")),
    ("plain_text_scraped", include_str!("../examples/scraped/2021-09-embassy-page.txt")),
];

#[divan::bench(args = EXAMPLES.iter().map(|e| e.0))]
fn check_example(bencher: Bencher, name: &str) {
    let text = EXAMPLES.iter().find(|e| e.0 == name).unwrap().1;
    let config = Config::default();
    bencher.counter(BytesCount::of_str(text)).bench(|| analysis::check(black_box(text), &config, now()));
}

/// A ~1 MB plain-text body with dated lines, curly quotes and a little mojibake.
fn big_body() -> String {
    let paragraph = "16.09.2021 - Address to citizens ahead of the parliamentary elections\n\nThe minister’s statement was read in Zürich and Kraków — “naïve” hopes, said the Organizationâ€™s spokesman.\nPlain ASCII sentences make up most of a news collection, so most lines are like this one here.\n\n";
    paragraph.repeat(1_000_000 / paragraph.len())
}

#[divan::bench]
fn check_1mb_plain_text(bencher: Bencher) {
    let text = big_body();
    let config = Config::default();
    bencher.counter(BytesCount::of_str(&text)).bench(|| analysis::check(black_box(&text), &config, now()));
}

#[divan::bench]
fn mojibake_find_1mb(bencher: Bencher) {
    let text = big_body();
    bencher.counter(BytesCount::of_str(&text)).bench(|| mojibake::find(black_box(&text)));
}

#[divan::bench]
fn front_matter_2000_related(bencher: Bencher) {
    let text = many_related(2_000);
    let config = Config::default();
    bencher.counter(BytesCount::of_str(&text)).bench(|| analysis::check_front_matter(black_box(&text), &config, now()));
}

#[divan::bench]
fn yaml_parse_2000_related(bencher: Bencher) {
    let text = many_related(2_000);
    let layout = analysis::layout::split(&text);
    let fm = layout.front_matter.unwrap();
    bencher.bench(|| analysis::yaml::parse(black_box(&text), fm.yaml.clone()));
}

#[divan::bench]
fn summarize_2000_related(bencher: Bencher) {
    let text = many_related(2_000);
    bencher.bench(|| article_lsp::workspace::summarize(black_box(&text)));
}

// The editor features below run on a parse shared per document version (the server parses once
// per edit; `yaml_parse_2000_related` is that cost).
#[divan::bench]
fn code_lenses_2000_related(bencher: Bencher) {
    let text = many_related(2_000);
    let index = article_lsp::workspace::Index::default();
    let parsed = article_lsp::ide::Parsed::new(&text);
    bencher.bench(|| article_lsp::ide::code_lenses(black_box(&text), &parsed, std::path::Path::new("/w/a.md"), &index));
}

#[divan::bench]
fn semantic_tokens_2000_related(bencher: Bencher) {
    let text = many_related(2_000);
    let config = Config::default();
    let parsed = article_lsp::ide::Parsed::new(&text);
    bencher.bench(|| article_lsp::ide::semantic_tokens(black_box(&text), &parsed, &config));
}

#[divan::bench]
fn inlay_hints_2000_related(bencher: Bencher) {
    let text = many_related(2_000);
    let index = article_lsp::workspace::Index::default();
    let settings = article_lsp::ide::HintSettings::default();
    let parsed = article_lsp::ide::Parsed::new(&text);
    bencher.bench(|| article_lsp::ide::inlay_hints(black_box(&parsed), &index, &settings, now()));
}

/// An index of `n` generated articles (500 providers, 12 topics), as in the LSP benchmark.
fn index_of(n: usize) -> article_lsp::workspace::Index {
    let mut index = article_lsp::workspace::Index::default();
    for i in 0..n {
        let text = workspace_article(i);
        let path = std::path::PathBuf::from(format!("/ws/a{i}.md"));
        index.upsert(path, std::sync::Arc::new(article_lsp::workspace::summarize(&text)));
    }
    index
}

#[divan::bench(sample_count = 20)]
fn provider_completion_100k_index(bencher: Bencher) {
    let index = index_of(100_000);
    let text = "---\ntitle: \"Editing\"\nprovider:\n  name: Pro\n---\n";
    let offset = text.find("Pro\n").unwrap() + 3;
    let config = Config::default();
    bencher.bench(|| article_lsp::ide::completions(black_box(text), offset, &index, &config, now()));
}

#[divan::bench(sample_count = 20)]
fn provider_stats_100k_index(bencher: Bencher) {
    let index = index_of(100_000);
    bencher.bench(|| index.providers());
}

#[divan::bench(sample_count = 30)]
fn index_upsert_2000_related(bencher: Bencher) {
    let text = many_related(2_000);
    let summary = std::sync::Arc::new(article_lsp::workspace::summarize(&text));
    let mut index = article_lsp::workspace::Index::default();
    bencher.bench_local(|| index.upsert("/ws/hub.md".into(), summary.clone()));
}

/// The server's path for one keystroke inside related entry 1,000 of 2,000: the rope edit, the
/// per-line update and the front matter re-check (what `lsp_latency`'s (d) row pays besides the
/// protocol), alternately typing and deleting a character.
#[divan::bench(sample_count = 50)]
fn keystroke_in_related_entry_2000_related(bencher: Bencher) {
    use article_lsp::analysis::front_matter::ItemEdit;
    use article_lsp::server::incremental::{Analysis, InPlace, check_front};
    let text = many_related(2_000);
    let config = Config::default();
    let mut rope = ropey::Rope::from_str(&text);
    let (mut analysis, _) = Analysis::full(&rope, &config, now());
    let at = text.find("title: \"Related 1000").unwrap() + "title: \"Related 1000".len();
    let (char_at, line) = (rope.byte_to_char(at), rope.byte_to_line(at));
    let mut typed = false;
    bencher.bench_local(|| {
        let edit = if typed {
            rope.remove(char_at..char_at + 1);
            ItemEdit { range: at..at + 1, new_len: 0 }
        } else {
            rope.insert(char_at, "x");
            ItemEdit { range: at..at, new_len: 1 }
        };
        typed = !typed;
        let in_place = InPlace { config: &config, now: now() };
        if analysis.edited(&rope, (line..line + 1, line..line + 1), &edit, Some(in_place)) {
            let front = check_front(&rope, &config, now(), analysis.units());
            analysis.install_front(&rope, front);
        }
        black_box(analysis.diagnostics(&rope, &config))
    });
}
