//! Rendering `check` output (divan): `cargo bench --bench render`. Findings crowded on one long
//! line are the case that used to be quadratic (issue 9 item 8); the time per finding should
//! stay flat as their number grows.

#![allow(clippy::unwrap_used)]

use article_lsp::analysis::{self, Diagnostic};
use article_lsp::cli::render::{self, Locator, Style};
use article_lsp::config::Config;
use article_lsp::line_index::LineIndex;
use divan::counter::ItemsCount;
use divan::{Bencher, black_box};

fn main() {
    divan::main();
}

/// One line of `n` control characters, each after 100 letters: `n` findings on a line of
/// about 101·n characters.
fn crowded_line(n: usize) -> (String, Vec<Diagnostic>) {
    let text: String = (0..n).map(|_| format!("{}\u{1}", "a".repeat(100))).collect::<String>() + "\n";
    let now = "2026-01-01T00:00:00Z".parse().unwrap();
    let diagnostics = analysis::check(&text, &Config::default(), now);
    assert_eq!(diagnostics.len(), n);
    (text, diagnostics)
}

#[divan::bench(args = [1_000, 4_000, 16_000])]
fn human_findings_on_one_line(bencher: Bencher, n: usize) {
    let (text, diagnostics) = crowded_line(n);
    let index = LineIndex::new(&text);
    let style = Style { color: false };
    bencher.counter(ItemsCount::new(n)).bench(|| {
        let mut out = Vec::new();
        let mut locator = Locator::new(&text, &index);
        for d in &diagnostics {
            let finding = locator.finding(d, Some(("a.txt", style)));
            render::human_finding(&mut out, "a.txt", &finding, style).unwrap();
        }
        black_box(out)
    });
}

#[divan::bench(args = [1_000, 4_000, 16_000])]
fn locate_only_on_one_line(bencher: Bencher, n: usize) {
    let (text, diagnostics) = crowded_line(n);
    let index = LineIndex::new(&text);
    bencher.counter(ItemsCount::new(n)).bench(|| {
        let mut locator = Locator::new(&text, &index);
        diagnostics.iter().map(|d| locator.finding(d, None)).collect::<Vec<_>>()
    });
}
