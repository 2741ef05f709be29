//! Tidy checks as ordinary tests: module docs everywhere, and the architecture's boundaries.

#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn every_source_file_starts_with_a_module_doc() {
    for dir in ["src", "tests", "benches"] {
        for file in rust_files(&root().join(dir)) {
            let text = std::fs::read_to_string(&file).unwrap();
            assert!(text.starts_with("//!"), "{} does not start with a `//!` module doc", file.display());
        }
    }
}

/// What each layer must never use (see ARCHITECTURE.md, "Invariants").
const FORBIDDEN: &[(&str, &[&str])] = &[
    (
        "src/analysis",
        &[
            "std::fs",
            "std::env",
            "tokio",
            "tower_lsp",
            "ropey",
            "serde_json",
            "crate::cli",
            "crate::server",
            "crate::ide",
            "crate::workspace",
            "Timestamp::now",
        ],
    ),
    (
        "src/ide",
        &["std::fs", "tokio", "tower_lsp", "ropey", "serde_json", "crate::cli", "crate::server", "Timestamp::now"],
    ),
    ("src/workspace", &["tokio", "tower_lsp", "ropey", "serde_json", "crate::cli", "crate::server", "Timestamp::now"]),
    ("src/line_index.rs", &["crate::"]),
    ("src/cli", &["tokio", "tower_lsp", "ropey", "crate::server"]),
    ("src/server", &["crate::cli"]),
];

#[test]
fn layers_keep_their_boundaries() {
    for (place, forbidden) in FORBIDDEN {
        let path = root().join(place);
        let files = if path.is_dir() { rust_files(&path) } else { vec![path] };
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for word in *forbidden {
                assert!(!text.contains(word), "{} uses `{word}`, which its layer must not", file.display());
            }
        }
    }
}

/// `codeDescription` links point at `README.md#<code>`: every code needs its section.
#[test]
fn every_code_is_documented_in_the_readme() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    for code in article_lsp::analysis::Code::ALL {
        assert!(readme.contains(&format!("\n### {code}\n")), "README.md has no `### {code}` section");
        assert!(readme.contains(&format!("[`{code}`](#{code})")), "README.md's code table lacks {code}");
    }
}
