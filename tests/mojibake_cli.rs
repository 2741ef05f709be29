//! Mojibake fixtures through the real binary: each `tests/fixtures/mojibake-*/<name>.txt` (one
//! folder per family of damage, and `mojibake-false-positives` for text that must stay) has
//! beside it what `fix --only mojibake -` prints (`<name>.txt.stdout-fixed`) and what
//! `check --format json -` reports, ranges included (`<name>.txt.json`). Update them with
//! `UPDATE_EXPECT=1 cargo test --test mojibake_cli` and review the diff.

#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use expect_test::expect_file;

fn run_stdin(args: &[&str], input: &[u8]) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_article-lsp"))
        .env("NO_COLOR", "1")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.code().is_some_and(|c| c <= 1), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Every `.txt` input in the `tests/fixtures/mojibake-*` folders.
fn inputs() -> Vec<PathBuf> {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixtures)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|dir| dir.file_name().unwrap().to_string_lossy().starts_with("mojibake-"))
        .flat_map(|dir| std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    assert!(files.len() >= 12, "fixtures went missing");
    files
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

#[test]
fn fix_only_mojibake_matches_the_fixtures() {
    for path in inputs() {
        let input = std::fs::read(&path).unwrap();
        let fixed = run_stdin(&["fix", "--only", "mojibake", "-"], &input);
        expect_file![sibling(&path, ".stdout-fixed")].assert_eq(&fixed);
        // Fixing the output again changes nothing.
        assert_eq!(run_stdin(&["fix", "--only", "mojibake", "-"], fixed.as_bytes()), fixed, "{}", path.display());
    }
}

#[test]
fn check_json_reports_exact_ranges() {
    for path in inputs() {
        let input = std::fs::read(&path).unwrap();
        let json = run_stdin(&["check", "--format", "json", "-"], &input);
        expect_file![sibling(&path, ".json")].assert_eq(&json);
    }
}
