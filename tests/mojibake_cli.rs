//! Mojibake fixtures through the real binary: each `tests/fixtures/mojibake-*/<name>.txt` (one
//! folder per family of damage, and `mojibake-false-positives` for text that must stay) has
//! beside it what `fix --only mojibake -` prints (`<name>.txt.stdout-fixed`) and what
//! `check --format json -` reports, ranges included (`<name>.txt.json`). Update them with
//! `UPDATE_EXPECT=1 cargo test --test mojibake_cli` and review the diff.

#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

use std::io::Write;
#[path = "common/mojibake_fixtures.rs"]
mod mojibake_fixtures;
use mojibake_fixtures::{inputs, sibling};
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
