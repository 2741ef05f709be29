//! Fixture tests: every article under `tests/fixtures/` is checked and its diagnostics, rendered
//! exactly as `article-lsp check` prints them, are compared with `<file>.expected` beside it.
//! Files whose safe repairs change them also have `<file>.fixed`: the text `fix` produces.
//! Run `UPDATE_EXPECT=1 cargo test --test fixtures` to rewrite the expectations, then review
//! the diff.

#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

use std::path::{Path, PathBuf};

use article_lsp::analysis::{self, Code};
use article_lsp::cli::render::{self, Style};
use article_lsp::config::{self, Config};
use article_lsp::fix::{self, Selection};
use article_lsp::line_index::LineIndex;
use expect_test::expect_file;
use jiff::Timestamp;

/// The fixed "now" of every fixture, so `future-date` results do not drift.
const NOW: &str = "2026-01-01T00:00:00Z";

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn fixture_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![fixtures_dir()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if matches!(path.extension().and_then(|e| e.to_str()), Some("md" | "txt")) {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(files.len() >= 30, "fixtures went missing: {}", files.len());
    files
}

fn config_for(path: &Path) -> Config {
    let candidate = path.parent().unwrap().join(config::FILE_NAME);
    if candidate.is_file() { Config::load(&candidate).unwrap() } else { Config::default() }
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

#[test]
fn every_fixture_matches_its_expected_diagnostics() {
    let now: Timestamp = NOW.parse().unwrap();
    for path in fixture_files() {
        let bytes = std::fs::read(&path).unwrap();
        let config = config_for(&path);
        let (decoded, diagnostics) = analysis::check_bytes(&bytes, &config, now);
        let name = path.strip_prefix(fixtures_dir()).unwrap().to_string_lossy().replace('\\', "/");
        let index = LineIndex::new(&decoded.text);
        let mut out = Vec::new();
        for d in &diagnostics {
            render::human(&mut out, &name, &decoded.text, &index, d, Style { color: false }).unwrap();
        }
        expect_file![sibling(&path, ".expected")].assert_eq(&String::from_utf8(out).unwrap());

        let fixed = fix::fix_text(&decoded.text, &config, now, &Selection::default());
        let fixed_path = sibling(&path, ".fixed");
        if fixed.text != bytes_as_text(&bytes) {
            expect_file![fixed_path].assert_eq(&fixed.text);
        } else {
            assert!(!fixed_path.exists(), "{name}: nothing to fix, but {} exists", fixed_path.display());
        }
    }
}

fn bytes_as_text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap_or_default()
}

#[test]
fn every_code_has_a_fixture_that_fires_it() {
    let mut all = String::new();
    for path in fixture_files() {
        all.push_str(&std::fs::read_to_string(sibling(&path, ".expected")).unwrap_or_default());
    }
    for code in Code::ALL.iter().filter(|c| !c.is_workspace()) {
        assert!(all.contains(&format!("[{code}]")), "no fixture produces {code}");
    }
}

#[test]
fn fixing_twice_changes_nothing_the_second_time() {
    let now: Timestamp = NOW.parse().unwrap();
    for path in fixture_files() {
        let bytes = std::fs::read(&path).unwrap();
        let config = config_for(&path);
        let decoded = analysis::encoding::decode(&bytes);
        let once = fix::fix_text(&decoded.text, &config, now, &Selection::default());
        let twice = fix::fix_text(&once.text, &config, now, &Selection::default());
        assert_eq!(twice.applied, 0, "{}", path.display());
        assert_eq!(once.text, twice.text, "{}", path.display());
    }
}
