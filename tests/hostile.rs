//! Hostile files and workspaces: deep nesting through the CLI, and the workspace walk under
//! symlink loops, special files, ignored junk, files that vanish or change kind while being
//! indexed, and a 100,000-file folder.

#![allow(clippy::unwrap_used)]

mod raw;

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use article_lsp::config::Config;
use article_lsp::workspace::discover;

const VALID_HEAD: &str = "---\ntitle: Deep\npublishedDateTime: 2024-01-01T00:00:00Z\nwebUrl: https://a.example.com/x\nprovider:\n  name: A\n  domain: a.example.com\n";

fn cli(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_article-lsp")).args(args).output().unwrap()
}

/// Issue 9 item 5 through the CLI: 10,000 levels, block and flow, give one located
/// `yaml-syntax` error and exit 1; no stack overflow.
#[test]
fn ten_thousand_levels_of_nesting_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let depth = 10_000;
    let block = format!("{VALID_HEAD}deep:\n  {}x\n---\nBody.\n", "- ".repeat(depth));
    let flow = format!("{VALID_HEAD}deep: {}{}\n---\nBody.\n", "[".repeat(depth), "]".repeat(depth));
    for (name, text, line) in [("block.md", block, 9), ("flow.md", flow, 8)] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let out = cli(&["check", "--format", "json", path.to_str().unwrap()]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{name}: {out:?}");
        let syntax: Vec<&str> = stdout.lines().filter(|l| l.contains("\"yaml-syntax\"")).collect();
        assert_eq!(syntax.len(), 1, "{name}: {stdout}");
        assert!(syntax[0].contains("nested more than 64 levels"), "{name}: {}", syntax[0]);
        assert!(syntax[0].contains(&format!("\"line\":{line},")), "{name}: located on the deep line: {}", syntax[0]);
    }
}

fn articles(paths: &[PathBuf], root: &Path) -> Vec<String> {
    paths.iter().map(|p| p.strip_prefix(root).unwrap().to_string_lossy().into_owned()).collect()
}

fn article(title: &str) -> String {
    format!("---\ntitle: {title}\n---\nBody.\n")
}

/// Runs `work` on another thread; fails the test if it takes longer than `limit` (a hang).
fn within<T: Send + 'static>(limit: Duration, work: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(work()));
    rx.recv_timeout(limit).expect("the work hung")
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success());
}

#[test]
fn the_walk_skips_symlinks_special_files_and_ignored_junk() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.md"), article("Secret")).unwrap();
    let ws = tempfile::tempdir().unwrap();
    let root = ws.path();
    std::fs::create_dir_all(root.join("a/b")).unwrap();
    std::fs::write(root.join("a/b/real.md"), article("Real")).unwrap();
    symlink("..", root.join("a/b/loop")).unwrap();
    symlink(root.join("a"), root.join("a/b/again")).unwrap();
    symlink(outside.path(), root.join("outside")).unwrap();
    symlink(outside.path().join("secret.md"), root.join("secret-link.md")).unwrap();
    symlink(root.join("missing.md"), root.join("dangling.md")).unwrap();
    mkfifo(&root.join("fifo.md"));
    let _socket = std::os::unix::net::UnixListener::bind(root.join("socket.md")).unwrap();
    std::fs::write(root.join(".gitignore"), "junk/\n").unwrap();
    std::fs::create_dir(root.join("junk")).unwrap();
    for i in 0..1_000 {
        std::fs::write(root.join(format!("junk/{i}.md")), article("Junk")).unwrap();
    }
    let unreadable = root.join("unreadable.md");
    std::fs::write(&unreadable, article("Locked")).unwrap();
    std::fs::set_permissions(&unreadable, std::os::unix::fs::PermissionsExt::from_mode(0o000)).unwrap();

    let root_owned = root.to_path_buf();
    let (paths, loaded) = within(Duration::from_secs(20), move || {
        let paths = discover::discover(&root_owned, &|_| Config::default());
        let loaded = discover::load(&paths, &|_, _| {}, &|| false);
        (paths, loaded)
    });
    assert_eq!(articles(&paths, root), ["a/b/real.md", "unreadable.md"]);
    let titles: Vec<String> =
        loaded.iter().filter_map(|(_, s)| s.title.as_ref().map(|t| t.value.to_string())).collect();
    assert!(titles.contains(&"Real".to_string()), "{titles:?}");
    assert!(!titles.iter().any(|t| t == "Secret" || t == "Junk"), "{titles:?}");
}

/// Files that are deleted, turned into a FIFO or a directory, or rewritten between the walk and
/// the read: skipped (or read as they are then), never a hang.
#[test]
fn files_that_change_between_the_walk_and_the_read() {
    let ws = tempfile::tempdir().unwrap();
    let root = ws.path();
    for name in ["deleted", "fifo", "dir", "rewritten", "kept"] {
        std::fs::write(root.join(format!("{name}.md")), article(name)).unwrap();
    }
    let paths = discover::discover(root, &|_| Config::default());
    assert_eq!(paths.len(), 5);
    std::fs::remove_file(root.join("deleted.md")).unwrap();
    std::fs::remove_file(root.join("fifo.md")).unwrap();
    mkfifo(&root.join("fifo.md"));
    std::fs::remove_file(root.join("dir.md")).unwrap();
    std::fs::create_dir(root.join("dir.md")).unwrap();
    std::fs::write(root.join("rewritten.md"), article("Rewritten")).unwrap();

    let loaded = within(Duration::from_secs(20), move || discover::load(&paths, &|_, _| {}, &|| false));
    let mut titles: Vec<String> =
        loaded.iter().filter_map(|(_, s)| s.title.as_ref().map(|t| t.value.to_string())).collect();
    titles.sort();
    assert_eq!(titles, ["Rewritten", "kept"]);
}

/// A 100,000-file folder is walked and loaded, each file once.
#[test]
fn a_hundred_thousand_files() {
    let ws = tempfile::tempdir().unwrap();
    let root = ws.path();
    let text = article("Many");
    for dir in 0..100 {
        let dir_path = root.join(format!("d{dir:03}"));
        std::fs::create_dir(&dir_path).unwrap();
        for file in 0..1_000 {
            std::fs::write(dir_path.join(format!("{file:04}.md")), &text).unwrap();
        }
    }
    let root_owned = root.to_path_buf();
    let (found, loaded) = within(Duration::from_secs(300), move || {
        let paths = discover::discover(&root_owned, &|_| Config::default());
        let loaded = discover::load(&paths, &|_, _| {}, &|| false);
        (paths.len(), loaded.len())
    });
    assert_eq!((found, loaded), (100_000, 100_000));
}
