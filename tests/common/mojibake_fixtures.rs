//! The `tests/fixtures/mojibake-*` folders, shared by the CLI and the server fixture tests so
//! both read exactly the same inputs and expected files.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

/// Every `.txt` input in the `tests/fixtures/mojibake-*` folders, sorted.
pub fn inputs() -> Vec<PathBuf> {
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

/// The expected-output file beside an input: `name.txt` + `suffix`.
pub fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}
