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

/// `unsafe` code is denied by the crate's lints, and allowed in one module only (see
/// ARCHITECTURE.md, "Invariants").
#[test]
fn unsafe_code_is_allowed_in_the_mapped_input_only() {
    let allowed = root().join("src/cli/mapped.rs");
    // Spelt in two halves, so that this file does not hold it.
    let allow = ["allow(", "unsafe_code)"].concat();
    for dir in ["src", "tests", "benches", "fuzz/fuzz_targets"] {
        for file in rust_files(&root().join(dir)) {
            let text = std::fs::read_to_string(&file).unwrap();
            assert_eq!(
                text.contains(&allow),
                file == allowed,
                "{}: `{allow}` belongs in {}",
                file.display(),
                allowed.display()
            );
        }
    }
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    assert!(manifest.contains("unsafe_code = \"deny\""), "Cargo.toml must deny unsafe code");
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

/// Directories whose files still depend on each other in a circle (to be layered later):
/// the server's state and tasks, and the mojibake search, which recurses through `compose`.
const KNOWN_CIRCLES: &[&str] = &["server", "analysis::mojibake"];

/// Modules never depend on each other in a circle: neither the crate's top-level modules
/// (`config` once imported the analysis root, which reads `Config`) nor the files of one
/// directory (`workspace::index` once called `checks` and `search`, which read the index).
/// A dependency is any `crate::…` or `super::…` path, cut to the module it names.
#[test]
fn modules_depend_on_each_other_without_circles() {
    let modules = source_modules();
    let mut edges: std::collections::BTreeMap<Vec<String>, std::collections::BTreeSet<Vec<String>>> =
        Default::default();
    for (module, file) in &modules {
        let text = std::fs::read_to_string(file).unwrap();
        for target in referenced_modules(module, &text, &modules) {
            // The first level where the two paths part: a dependency between siblings there.
            let Some(d) = module.iter().zip(&target).position(|(a, b)| a != b) else { continue };
            edges.entry(module[..=d].to_vec()).or_default().insert(target[..=d].to_vec());
        }
    }
    for from in edges.keys() {
        let parent = from[..from.len() - 1].join("::");
        if KNOWN_CIRCLES.contains(&parent.as_str()) {
            continue;
        }
        if let Some(path) = path_back(&edges, from) {
            let shown: Vec<String> = path.iter().map(|m| m.join("::")).collect();
            panic!("modules depend on each other in a circle: {}", shown.join(" -> "));
        }
    }
}

/// Every module of `src` (path components, `mod.rs` naming its directory) and its file.
fn source_modules() -> std::collections::BTreeMap<Vec<String>, PathBuf> {
    let src = root().join("src");
    let mut modules = std::collections::BTreeMap::new();
    for file in rust_files(&src) {
        let relative = file.strip_prefix(&src).unwrap().with_extension("");
        let mut parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
        if parts == ["lib"] || parts == ["main"] {
            continue;
        }
        if parts.last().is_some_and(|p| p == "mod") {
            parts.pop();
        }
        modules.insert(parts, file);
    }
    modules
}

/// The modules that `crate::` and `super::` paths in `text` (comments left out) point into.
fn referenced_modules(
    module: &[String],
    text: &str,
    modules: &std::collections::BTreeMap<Vec<String>, PathBuf>,
) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        for (at, _) in code.match_indices("::") {
            let head_start = code[..at].rfind(|c: char| !(c.is_alphanumeric() || c == '_')).map_or(0, |i| i + 1);
            let mut target: Vec<String> = match &code[head_start..at] {
                "crate" => Vec::new(),
                "super" if head_start < 2 || &code[head_start - 2..head_start] != "::" => {
                    module[..module.len() - 1].to_vec()
                }
                _ => continue,
            };
            let rest = &code[at + 2..];
            let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).unwrap_or(rest.len());
            target.extend(rest[..end].split("::").filter(|s| !s.is_empty()).map(str::to_string));
            while !target.is_empty() && !modules.contains_key(&target) {
                target.pop();
            }
            found.push(target);
        }
    }
    found
}

/// A path of dependencies from `start` back to itself, if there is one.
fn path_back(
    edges: &std::collections::BTreeMap<Vec<String>, std::collections::BTreeSet<Vec<String>>>,
    start: &Vec<String>,
) -> Option<Vec<Vec<String>>> {
    let mut stack = vec![vec![start.clone()]];
    let mut seen = std::collections::BTreeSet::new();
    while let Some(path) = stack.pop() {
        for next in edges.get(path.last()?).into_iter().flatten() {
            let mut longer = path.clone();
            longer.push(next.clone());
            if next == start {
                return Some(longer);
            }
            if seen.insert(next.clone()) {
                stack.push(longer);
            }
        }
    }
    None
}
