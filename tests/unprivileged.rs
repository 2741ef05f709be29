//! Files the user may not read or write, through the real binary (CLI and server) run as an
//! unprivileged user. Root can read and write anything, so when the tests run as root they
//! drop to `nobody` with `setpriv` (util-linux); as any other user they run the binary as is.

#![cfg(unix)]
#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

mod support;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::json;
use support::{TestClient, file_uri, push_client_caps};

const NOBODY: u32 = 65534;
const DAMAGED: &str = "---\ntitle: \"Port reopens\"\n---\nThe ministerâ€™s words.\n";

fn running_as_root() -> bool {
    std::fs::metadata("/proc/self").map(|m| m.uid() == 0).unwrap_or(false)
}

/// A world-traversable temporary folder holding a copy of the binary (the build directory may
/// sit under a home directory `nobody` cannot enter).
struct Sandbox {
    dir: tempfile::TempDir,
    bin: PathBuf,
}

impl Sandbox {
    fn new() -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(dir.path(), PermissionsExt::from_mode(0o755)).unwrap();
        let bin = dir.path().join("article-lsp");
        // Copied by a child process: a copy written by this process holds a writable descriptor
        // that a test thread forking at that moment inherits until its exec, and running the copy
        // then fails with "Text file busy" (ETXTBSY).
        let copied = std::process::Command::new("cp").arg(env!("CARGO_BIN_EXE_article-lsp")).arg(&bin).status();
        assert!(copied.unwrap().success(), "copy the binary");
        std::fs::set_permissions(&bin, PermissionsExt::from_mode(0o755)).unwrap();
        Sandbox { dir, bin }
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    /// A file the unprivileged user owns, with `mode`.
    fn file(&self, relative: &str, text: &str, mode: u32) -> PathBuf {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        if running_as_root() {
            std::os::unix::fs::chown(&path, Some(NOBODY), Some(NOBODY)).unwrap();
        }
        std::fs::set_permissions(&path, PermissionsExt::from_mode(mode)).unwrap();
        path
    }

    /// The binary with `args`, as an unprivileged user.
    fn command(&self, args: &[&str]) -> std::process::Command {
        let mut command = if running_as_root() {
            let mut setpriv = std::process::Command::new("setpriv");
            setpriv.args(["--reuid", "65534", "--regid", "65534", "--clear-groups", "--"]).arg(&self.bin);
            setpriv
        } else {
            std::process::Command::new(&self.bin)
        };
        command.args(args).env("NO_COLOR", "1").current_dir(self.dir.path());
        command
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run the binary (is util-linux's setpriv installed?)")
    }
}

/// Reads a file whatever its mode (making it readable first when not root).
fn content(path: &Path) -> String {
    if !running_as_root() {
        std::fs::set_permissions(path, PermissionsExt::from_mode(0o600)).unwrap();
    }
    std::fs::read_to_string(path).unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn check_names_an_unreadable_file_and_checks_the_rest() {
    let sandbox = Sandbox::new();
    sandbox.file("ws/readable.md", DAMAGED, 0o644);
    sandbox.file("ws/locked.md", DAMAGED, 0o000);

    let out = sandbox.run(&["check", "--format", "concise", "ws"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("ws/locked.md: cannot read: Permission denied"), "{stderr}");
    let stdout = text(&out.stdout);
    assert!(stdout.contains("ws/readable.md:4:13: warning[mojibake]"), "{stdout}");
    assert!(!stdout.contains("locked.md:"), "{stdout}");
}

#[test]
fn fix_write_leaves_a_file_it_cannot_read_untouched() {
    let sandbox = Sandbox::new();
    let write_only = sandbox.file("write-only.md", DAMAGED, 0o200);

    let out = sandbox.run(&["fix", "--write", "write-only.md"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("write-only.md: cannot read: Permission denied"), "{}", text(&out.stderr));
    assert_eq!(std::fs::metadata(&write_only).unwrap().mode() & 0o777, 0o200);
    assert_eq!(content(&write_only), DAMAGED);
}

#[test]
fn fix_write_in_a_folder_it_cannot_write_fails_cleanly_and_leaves_the_file() {
    let sandbox = Sandbox::new();
    let file = sandbox.file("locked-dir/a.md", DAMAGED, 0o644);
    std::fs::set_permissions(sandbox.path("locked-dir"), PermissionsExt::from_mode(0o555)).unwrap();

    let out = sandbox.run(&["fix", "--write", "locked-dir/a.md"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("locked-dir/a.md: cannot create a temporary file: Permission denied"), "{stderr}");
    assert_eq!(content(&file), DAMAGED);
    let names: Vec<_> =
        std::fs::read_dir(sandbox.path("locked-dir")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, ["a.md"]);
    // Readable and writable again for the temporary folder's removal when not root.
    std::fs::set_permissions(sandbox.path("locked-dir"), PermissionsExt::from_mode(0o755)).unwrap();
}

fn article(title: &str, url: &str) -> String {
    format!(
        "---\ntitle: \"{title}\"\nexcerpt: \"An excerpt.\"\npublishedDateTime: \"2021-03-02T10:00:00Z\"\n\
         webUrl: \"{url}\"\nprovider:\n  name: \"Example\"\n  domain: \"example.com\"\ntopics:\n  - Ports\n---\nBody.\n"
    )
}

/// The server, run unprivileged, indexes a folder around a file it may not read, and keeps
/// answering when that file is watched, opened from the editor's buffer and closed again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_works_around_an_unreadable_file() {
    let sandbox = Sandbox::new();
    sandbox.file("ws/open.md", &article("Harbour reopens", "https://example.com/a"), 0o644);
    let locked = sandbox.file("ws/locked.md", &article("Secret locks", "https://example.com/b"), 0o000);
    std::fs::set_permissions(sandbox.path("ws"), PermissionsExt::from_mode(0o755)).unwrap();

    let mut std_command = sandbox.command(&["--stdio"]);
    std_command.current_dir("/");
    let mut client = TestClient::spawn(&mut tokio::process::Command::from(std_command));
    client.initialize(push_client_caps(), json!({}), Some(&sandbox.path("ws"))).await;
    let end = client.indexed().await;
    assert_eq!(end["params"]["value"]["message"], "1 articles indexed; 1 could not be read", "{end}");

    let symbols = client.request("workspace/symbol", json!({ "query": "" })).await;
    let names: Vec<&str> = symbols.as_array().unwrap().iter().filter_map(|s| s["name"].as_str()).collect();
    assert!(names.contains(&"Harbour reopens"), "{symbols}");
    assert!(!names.contains(&"Secret locks"), "{symbols}");

    let uri = file_uri(&locked);
    let changed = json!({ "changes": [{ "uri": uri, "type": 2 }] });
    client.notify("workspace/didChangeWatchedFiles", changed).await;
    client.open(&uri, "---\ntitle: \"Secret locks\"\n---\ncafÃ©\n", 1).await;
    let published = client.diagnostics(&uri, 1).await;
    assert!(published.iter().any(|d| d["code"] == "mojibake"), "{published:?}");
    client.notify("textDocument/didClose", json!({ "textDocument": { "uri": uri } })).await;
    let symbols = client.request("workspace/symbol", json!({ "query": "harbour" })).await;
    assert_eq!(symbols[0]["name"], "Harbour reopens", "{symbols}");
    client.shutdown().await;
}
