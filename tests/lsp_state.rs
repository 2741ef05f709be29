//! End-to-end tests of the server's document state, over the built binary on stdio: versions
//! never mix, panics are contained, closing re-reads the disk, publications are coalesced and
//! capped, versions may go backwards, watched-file events stay inside the workspace, and a
//! directory created or deleted takes its articles into or out of the index.

#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

mod support;

use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};
use support::{TestClient, apply_edits, file_uri, position_of, push_client_caps};

const NOW: &str = "2026-01-01T00:00:00Z";

fn options() -> Value {
    json!({ "now": NOW })
}

/// A clean article: no finding in its front matter.
fn article(title: &str, url: &str, body: &str) -> String {
    format!(
        "---\ntitle: \"{title}\"\npublishedDateTime: 2021-09-26T06:17:00Z\nwebUrl: \"{url}\"\ntype: article\nprovider:\n  name: Example News\n  domain: example.com\n---\n{body}"
    )
}

fn codes(diagnostics: &[Value]) -> Vec<String> {
    diagnostics.iter().map(|d| d["code"].as_str().unwrap_or("").to_string()).collect()
}

fn write(root: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = root.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

async fn wait_for_index(client: &mut TestClient) {
    client
        .wait_for("end of indexing progress", |m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end")
        .await;
}

async fn started(root: Option<&Path>, env: &[(&str, &str)]) -> TestClient {
    let mut client = TestClient::binary_with_env(env);
    client.initialize(push_client_caps(), options(), root).await;
    if root.is_some() {
        wait_for_index(&mut client).await;
    }
    client
}

fn at(text: &str, offset: usize) -> Value {
    position_of(text, offset)
}

/// An edit replacing `range` of `text` (byte offsets), as an LSP content change.
fn change(text: &str, range: std::ops::Range<usize>, new: &str) -> Value {
    json!({ "range": { "start": at(text, range.start), "end": at(text, range.end) }, "text": new })
}

async fn workspace_symbol_names(client: &mut TestClient, query: &str) -> Vec<String> {
    let found = client.request("workspace/symbol", json!({ "query": query })).await;
    found.as_array().cloned().unwrap_or_default().iter().map(|s| s["name"].as_str().unwrap().to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_action_answers_for_the_version_it_was_asked_about() {
    let mut client = started(None, &[]).await;
    let uri = "file:///tmp/article-lsp-test/stale.md";
    let v1 = article("Stale", "https://example.com/1", "intro\ncafÃ© au lait\n");
    client.open(uri, &v1, 1).await;
    assert_eq!(codes(&client.diagnostics(uri, 1).await), ["mojibake"]);

    // An edit in the front matter that adds a line starts an analysis job; the code action
    // arrives while it runs and must describe version 2, with version 2's ranges.
    let insert_at = v1.find("type:").unwrap();
    let line = "section: world\n";
    client.change(uri, 2, json!([change(&v1, insert_at..insert_at, line)])).await;
    let mut v2 = v1.clone();
    v2.insert_str(insert_at, line);
    let bad = v2.find("Ã©").unwrap();
    let params = json!({
        "textDocument": { "uri": uri },
        "range": { "start": at(&v2, bad), "end": at(&v2, bad + 1) },
        "context": { "diagnostics": [], "only": ["quickfix"] },
    });
    let actions = client.request("textDocument/codeAction", params).await;
    let fix = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["diagnostics"][0]["code"] == "mojibake")
        .unwrap_or_else(|| panic!("no mojibake fix in {actions}"));
    let document_change = &fix["edit"]["documentChanges"][0];
    assert_eq!(document_change["textDocument"]["version"], 2, "{fix}");
    let mut fixed = v2.clone();
    apply_edits(&mut fixed, document_change["edits"].as_array().unwrap());
    assert_eq!(fixed, v2.replace("cafÃ© au lait", "café au lait"));
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_an_unsaved_document_puts_the_file_on_disk_back_in_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let on_disk = article("Harbour Report", "https://example.com/harbour", "Body.\n");
    let path = write(&root, "harbour.md", &on_disk);
    let mut client = started(Some(&root), &[]).await;
    let uri = file_uri(&path);
    assert_eq!(workspace_symbol_names(&mut client, "Harbour").await, ["Harbour Report"]);

    client.open(&uri, &on_disk, 1).await;
    client.diagnostics(&uri, 1).await;
    let unsaved = on_disk.replace("Harbour Report", "Lighthouse Draft");
    client.change(&uri, 2, json!([{ "text": unsaved }])).await;
    client.diagnostics(&uri, 2).await;
    assert_eq!(workspace_symbol_names(&mut client, "Lighthouse").await, ["Lighthouse Draft"]);

    client.notify("textDocument/didClose", json!({ "textDocument": { "uri": uri } })).await;
    client.wait_for("cleared diagnostics", |m| m["params"]["uri"] == uri && m["params"]["version"].is_null()).await;
    let mut names = Vec::new();
    for _ in 0..100 {
        names = workspace_symbol_names(&mut client, "Report").await;
        if !names.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(names, ["Harbour Report"]);
    assert!(workspace_symbol_names(&mut client, "Lighthouse").await.is_empty());
    client.shutdown().await;
}

/// Keystrokes inside the title are applied in place and reach the index (a copy made off the
/// lock, after the publication is queued); a burst of them leaves the index with the last one,
/// and closing the document still puts the file on disk back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keystrokes_applied_in_place_reach_the_index_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    // An entry after the title: a keystroke in the last entry is not applied in place.
    let on_disk = article("Harbour", "https://example.com/harbour", "Body.\n");
    let path = write(&root, "harbour.md", &on_disk);
    let mut client = started(Some(&root), &[]).await;
    let uri = file_uri(&path);
    client.open(&uri, &on_disk, 1).await;
    client.diagnostics(&uri, 1).await;
    // Type "Quay" after "Harbour" one character at a time, without waiting in between.
    let end_of_title = "title: \"Harbour".len() as u32;
    for (i, typed) in "Quay".chars().enumerate() {
        let at = json!({ "line": 1, "character": end_of_title + i as u32 });
        let version = 2 + i as i64;
        client.change(&uri, version, json!([{ "range": { "start": at, "end": at }, "text": typed.to_string() }])).await;
    }
    client.diagnostics(&uri, 5).await;
    let mut names = Vec::new();
    for _ in 0..100 {
        names = workspace_symbol_names(&mut client, "Harbour").await;
        if names == ["HarbourQuay"] {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(names, ["HarbourQuay"]);

    client.notify("textDocument/didClose", json!({ "textDocument": { "uri": uri } })).await;
    client.wait_for("cleared diagnostics", |m| m["params"]["uri"] == uri && m["params"]["version"].is_null()).await;
    for _ in 0..100 {
        names = workspace_symbol_names(&mut client, "Harbour").await;
        if names == ["Harbour"] {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(names, ["Harbour"]);
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_injected_panic_leaves_the_server_and_the_document_working() {
    const MARKER: &str = "INJECTED-PANIC-MARKER";
    let mut client = started(None, &[("ARTICLE_LSP_TEST_PANIC", MARKER), ("RUST_BACKTRACE", "0")]).await;
    let calm = "file:///tmp/article-lsp-test/calm.md";
    let doomed = "file:///tmp/article-lsp-test/doomed.md";
    let calm_text = article("Calm", "https://example.com/calm", "x\u{7}y\n");
    client.open(calm, &calm_text, 1).await;
    assert_eq!(codes(&client.diagnostics(calm, 1).await), ["control-char"]);

    // The analysis job of the whole document panics.
    let body = format!("first line\n{MARKER}\nx\u{7}y\n");
    let v1 = article("Doomed", "https://example.com/doomed", &body);
    client.open(doomed, &v1, 1).await;
    let log = client.wait_for("panic log", |m| m["method"] == "window/logMessage").await;
    let message = log["params"]["message"].as_str().unwrap();
    assert!(message.contains("doomed.md v1") && message.contains("panicked"), "{message}");

    // A request on it answers with an error instead of taking the server down.
    let hover = client
        .request_raw(
            "textDocument/hover",
            json!({ "textDocument": { "uri": doomed }, "position": at(&v1, v1.find(MARKER).unwrap()) }),
        )
        .await;
    assert_eq!(hover["error"]["code"], -32603, "{hover}");

    // The next edit analyses the document again.
    let start = v1.find(MARKER).unwrap();
    client.change(doomed, 2, json!([change(&v1, start..start + MARKER.len(), "calm now")])).await;
    assert_eq!(codes(&client.diagnostics(doomed, 2).await), ["control-char"]);
    let v2 = v1.replace(MARKER, "calm now");

    // A panic in the per-line checks of an edit is contained too.
    let start = v2.find("calm now").unwrap();
    client.change(doomed, 3, json!([change(&v2, start..start, MARKER)])).await;
    let v3 = format!("{}{MARKER}{}", &v2[..start], &v2[start..]);
    client.change(doomed, 4, json!([change(&v3, start..start + MARKER.len(), "")])).await;
    assert_eq!(codes(&client.diagnostics(doomed, 4).await), ["control-char"]);

    // The other document never noticed.
    let bell = calm_text.find('\u{7}').unwrap();
    client.change(calm, 2, json!([change(&calm_text, bell..bell + 1, "")])).await;
    assert!(client.diagnostics(calm, 2).await.is_empty());
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keystrokes_in_an_unterminated_front_matter_end_with_the_full_check_of_the_last_text() {
    let mut client = started(None, &[]).await;
    let uri = "file:///tmp/article-lsp-test/open.md";
    let mut text = String::from("---\ntitle: \"Open\ndate 2021-02-30\nbody line\ncafÃ©\n");
    client.open(uri, &text, 1).await;
    client.diagnostics(uri, 1).await;
    let mut version = 1;
    let mut type_at = |client_text: &mut String, offset: usize, typed: &str| {
        version += 1;
        let edit = change(client_text, offset..offset, typed);
        client_text.insert_str(offset, typed);
        (version, edit)
    };
    let mut edits = Vec::new();
    // Close the quote, then type a closing `---` line before the body, one key at a time.
    let quote = text.find("Open").unwrap() + "Open".len();
    edits.push(type_at(&mut text, quote, "\""));
    let body = text.find("body line").unwrap();
    for (i, key) in ["-", "-", "-", "\n"].iter().enumerate() {
        edits.push(type_at(&mut text, body + i, key));
    }
    for (version, edit) in edits {
        client.change(uri, version, json!([edit])).await;
    }
    let last = client.diagnostics(uri, version).await;
    let fresh = "file:///tmp/article-lsp-test/fresh.md";
    client.open(fresh, &text, 1).await;
    let expected = client.diagnostics(fresh, 1).await;
    assert_eq!(last, expected, "after typing: {text:?}");
    assert!(codes(&last).contains(&"mojibake".to_string()), "{last:?}");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watched_file_events_for_a_fifo_do_not_block_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    write(&root, "one.md", &article("Quay Story", "https://example.com/quay", "Body.\n"));
    let mut client = started(Some(&root), &[]).await;
    let fifo = root.join("pipe.md");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let uri = file_uri(&fifo);
    for typ in [1, 2, 2, 2, 2, 2] {
        client.notify("workspace/didChangeWatchedFiles", json!({ "changes": [{ "uri": uri, "type": typ }] })).await;
    }
    // Every event above has been handled (in order) before this request is answered.
    assert_eq!(workspace_symbol_names(&mut client, "Quay").await, ["Quay Story"]);
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_edits_publishes_far_fewer_sets_than_edits_and_ends_with_the_last() {
    let mut client = started(None, &[]).await;
    let uri = "file:///tmp/article-lsp-test/burst.md";
    let body: String = (0..1_000).map(|i| format!("line {i} x\u{7}y\n")).collect();
    let mut text = article("Burst", "https://example.com/burst", &body);
    client.open(uri, &text, 1).await;
    assert_eq!(client.diagnostics(uri, 1).await.len(), 1_000);
    let edits = 300;
    let at_end = text.len();
    for version in 2..edits + 2 {
        let offset = at_end + (version as usize - 2);
        client.change(uri, version, json!([change(&text, offset..offset, "z")])).await;
        text.push('z');
    }
    // Generous: a debug build on a busy machine; the point is the count, not the time.
    let last = client.diagnostics_within(Duration::from_secs(120), uri, edits + 1).await;
    assert_eq!(last.len(), 1_000);
    client.drain(Duration::from_millis(300)).await;
    let published = client
        .seen
        .iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri)
        .count()
        + 1;
    assert!(published <= edits as usize / 2, "{published} publications for {edits} edits");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnostics_are_capped_per_document_with_a_note_on_how_many_more() {
    let mut client = started(None, &[]).await;
    let uri = "file:///tmp/article-lsp-test/noisy.md";
    let body = "x\u{7}y\n".repeat(6_000);
    client.open(uri, &article("Noisy", "https://example.com/noisy", &body), 1).await;
    let shown = client.diagnostics(uri, 1).await;
    assert_eq!(shown.len(), 5_001);
    let note = shown.last().unwrap()["message"].as_str().unwrap();
    assert!(note.starts_with("1000 more problems") && note.contains("`article-lsp check`"), "{note}");

    let settings = json!({ "settings": { "now": NOW, "maxDiagnostics": 10 } });
    client.notify("workspace/didChangeConfiguration", settings).await;
    let shown = client.diagnostics(uri, 1).await;
    assert_eq!(shown.len(), 11);
    assert!(shown[10]["message"].as_str().unwrap().starts_with("5990 more problems"));
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn versions_that_go_backwards_are_still_published() {
    let mut client = started(None, &[]).await;
    let uri = "file:///tmp/article-lsp-test/again.md";
    client.open(uri, &article("Again", "https://example.com/again", "x\u{7}y\n"), 5).await;
    assert_eq!(codes(&client.diagnostics(uri, 5).await), ["control-char"]);

    // Opened again without a close, with a lower version and other text.
    client.open(uri, &article("Again", "https://example.com/again", "cafÃ©\n"), 1).await;
    assert_eq!(codes(&client.diagnostics(uri, 1).await), ["mojibake"]);

    // A change whose version goes backwards.
    let clean = article("Again", "https://example.com/again", "clean\n");
    client.change(uri, 0, json!([{ "text": clean }])).await;
    assert!(client.diagnostics(uri, 0).await.is_empty());
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watched_file_events_outside_the_workspace_or_through_symlinks_are_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().canonicalize().unwrap();
    let root = base.join("workspace");
    write(&root, "first.md", &article("First Story", "https://example.com/first", "Body.\n"));
    let outside = write(&base, "elsewhere/far.md", &article("Far Story", "https://example.com/far", "Body.\n"));
    let mut client = started(Some(&root), &[]).await;

    let link = root.join("link.md");
    std::os::unix::fs::symlink(&outside, &link).unwrap();
    let linked_dir = root.join("linked");
    std::os::unix::fs::symlink(outside.parent().unwrap(), &linked_dir).unwrap();
    let near = write(&root, "near.md", &article("Near Story", "https://example.com/near", "Body.\n"));
    let changes: Vec<Value> = [outside.clone(), link, linked_dir.join("far.md"), near]
        .iter()
        .map(|p| json!({ "uri": file_uri(p), "type": 1 }))
        .collect();
    client.notify("workspace/didChangeWatchedFiles", json!({ "changes": changes })).await;
    // The events are handled in the background, in order: once the last one (`near.md`) is in
    // the index, the three before it have been handled too.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let names = loop {
        let mut names = workspace_symbol_names(&mut client, "Story").await;
        names.sort();
        if names.iter().any(|n| n == "Near Story") || std::time::Instant::now() > deadline {
            break names;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert_eq!(names, ["First Story", "Near Story"]);
    client.shutdown().await;
}

/// Polls workspace symbols until `done` holds for the sorted titles (events are handled in the
/// background), or 20 s pass; returns the last titles seen.
async fn story_titles_once(client: &mut TestClient, done: impl Fn(&[String]) -> bool) -> Vec<String> {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let mut names = workspace_symbol_names(client, "Story").await;
        names.sort();
        if done(&names) || std::time::Instant::now() > deadline {
            return names;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A directory that appears with articles already in it (moved or unpacked into the folder, or
/// written faster than the editor's watcher follows) is reported as the directory alone: its
/// articles are indexed by the initial scan's rules (`.gitignore` applies), and they leave the
/// index when the directory is deleted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_directory_is_indexed_and_a_deleted_one_forgotten() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    write(&root, "first.md", &article("First Story", "https://example.com/first", "Body.\n"));
    write(&root, ".gitignore", "drafts/\n");
    let mut client = started(Some(&root), &[]).await;

    write(&root, "inbox/today.md", &article("Inbox Story", "https://example.com/inbox", "Body.\n"));
    write(&root, "inbox/deep/older.md", &article("Nested Story", "https://example.com/nested", "Body.\n"));
    write(&root, "inbox/notes.json", "{}\n");
    write(&root, "drafts/draft.md", &article("Draft Story", "https://example.com/draft", "Body.\n"));
    let created: Vec<Value> = ["drafts", "inbox", "inbox/notes.json"]
        .iter()
        .map(|p| json!({ "uri": file_uri(&root.join(p)), "type": 1 }))
        .collect();
    client.notify("workspace/didChangeWatchedFiles", json!({ "changes": created })).await;
    // The directory's articles may reach the index in more than one step under load: wait for
    // both (a lost one still fails, after the deadline), then require exactly them.
    let arrived = |names: &[String]| ["Inbox Story", "Nested Story"].iter().all(|t| names.iter().any(|n| n == t));
    let names = story_titles_once(&mut client, arrived).await;
    assert_eq!(names, ["First Story", "Inbox Story", "Nested Story"]);

    std::fs::remove_dir_all(root.join("inbox")).unwrap();
    let deleted = json!({ "changes": [{ "uri": file_uri(&root.join("inbox")), "type": 3 }] });
    client.notify("workspace/didChangeWatchedFiles", deleted).await;
    let names = story_titles_once(&mut client, |names| names.len() == 1).await;
    assert_eq!(names, ["First Story"]);
    client.shutdown().await;
}

/// A new directory is walked alone, yet by the folder's rules: the `.gitignore` files of the
/// directories above it and the configuration's globs keep its ignored files out, while an
/// article reported beside it still arrives (so the test waits for the walk to finish).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_directorys_ignored_files_stay_out_of_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    write(&root, "first.md", &article("First Story", "https://example.com/first", "Body.\n"));
    write(&root, ".gitignore", "*-wip.md\n**/scratch/\n");
    write(&root, "desk/.gitignore", "private/\n");
    write(&root, "article-lsp.toml", "[files]\nexclude = [\"desk/inbox/archive/**\"]\n");
    let mut client = started(Some(&root), &[]).await;

    let story = |name: &str| article(&format!("{name} Story"), &format!("https://example.com/{name}"), "Body.\n");
    write(&root, "desk/inbox/today.md", &story("Inbox"));
    write(&root, "desk/inbox/plan-wip.md", &story("Wip"));
    write(&root, "desk/inbox/scratch/s.md", &story("Scratch"));
    write(&root, "desk/inbox/private/p.md", &story("Private"));
    write(&root, "desk/inbox/archive/a.md", &story("Archived"));
    write(&root, "desk/inbox/.hidden/h.md", &story("Hidden"));
    write(&root, "desk/private/q.md", &story("Secret"));
    write(&root, "last.md", &story("Last"));
    let created: Vec<Value> = ["desk/inbox", "desk/private", "last.md"]
        .iter()
        .map(|p| json!({ "uri": file_uri(&root.join(p)), "type": 1 }))
        .collect();
    client.notify("workspace/didChangeWatchedFiles", json!({ "changes": created })).await;
    let names = story_titles_once(&mut client, |names| names.len() >= 3).await;
    assert_eq!(names, ["First Story", "Inbox Story", "Last Story"]);
    client.shutdown().await;
}

/// The 10,000-edit storm: incremental edits sent back to back, with a hover every 50 edits.
/// The server's text equals the client's, every hover is answered, and the last version's
/// diagnostics equal those of the final text opened afresh.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_storm_ends_with_the_final_text_and_its_diagnostics() {
    let mut client = started(None, &[]).await;
    let uri = "file:///tmp/article-lsp-test/storm.md";
    let body: String = (0..2_000).map(|i| format!("Organizationâ€™s line {i}\n")).collect();
    let mut text = article("Storm", "https://example.com/storm", &body);
    client.open(uri, &text, 1).await;
    client.diagnostics(uri, 1).await;
    let pieces = ["x", "é", "\n", "â€™", "😀", "", "2021-02-30 "];
    let mut seed: u64 = 0x2545f4914f6cdd1d;
    let mut hovers = Vec::new();
    let edits = 10_000;
    for version in 2..edits + 2 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let starts: Vec<usize> = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        let offset = starts[seed as usize % starts.len()];
        let typed = pieces[(seed >> 32) as usize % pieces.len()];
        client.change(uri, version, json!([change(&text, offset..offset, typed)])).await;
        text.insert_str(offset, typed);
        if version % 50 == 0 {
            let id = 1_000_000 + version;
            let position = at(&text, offset);
            let params = json!({ "textDocument": { "uri": uri }, "position": position });
            client.send(json!({ "jsonrpc": "2.0", "id": id, "method": "textDocument/hover", "params": params })).await;
            hovers.push(id);
        }
    }
    let server = client.request("articleLsp/documentText", json!({ "uri": uri })).await;
    assert_eq!(server["version"], edits + 1);
    assert_eq!(server["text"].as_str().unwrap(), text, "the server's text differs from the client's");
    let last = client.diagnostics_within(Duration::from_secs(120), uri, edits + 1).await;
    for id in hovers {
        client.wait_for("a hover reply", |m| m["id"] == id && m.get("method").is_none()).await;
    }
    let fresh = "file:///tmp/article-lsp-test/storm-fresh.md";
    client.open(fresh, &text, 1).await;
    let expected = client.diagnostics(fresh, 1).await;
    assert_eq!(last, expected);
    assert!(expected.len() >= 2_000, "{}", expected.len());
    client.shutdown().await;
}

/// Results computed under old settings never win a race with new ones: a configuration that
/// changes while the document's analysis job runs, or while its findings are being assembled,
/// is the one the last publication follows. (The delay hook holds each job and assembly of the
/// marked text for 400 ms, so the changes below land inside them.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_changed_during_analysis_or_assembly_are_not_lost() {
    const MARKER: &str = "SLOW-WORK-MARKER";
    let ws = tempfile::tempdir().unwrap();
    let config = write(ws.path(), "article-lsp.toml", "[schema]\ntopics = [\"AI\"]\n");
    let mut client = started(Some(ws.path()), &[("ARTICLE_LSP_TEST_DELAY", MARKER)]).await;
    let path = ws.path().join("slow.md");
    let uri = file_uri(&path);
    let text = article("Slow", "https://example.com/slow", &format!("{MARKER} cafÃ©\n"))
        .replace("type: article\n", "type: article\ntopics:\n  - Vaccines\n");

    // During the first analysis job, the vocabulary learns the topic.
    client.open(&uri, &text, 1).await;
    tokio::time::sleep(Duration::from_millis(150)).await;
    std::fs::write(&config, "[schema]\ntopics = [\"AI\", \"Vaccines\"]\n").unwrap();
    client
        .notify("workspace/didChangeWatchedFiles", json!({ "changes": [{ "uri": file_uri(&config), "type": 2 }] }))
        .await;
    let settled = client
        .wait_for("diagnostics under the new vocabulary", |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri.as_str()
                && m["params"]["diagnostics"].as_array().is_some_and(|d| codes(d) == ["mojibake"])
        })
        .await;
    assert_eq!(settled["params"]["version"], 1);

    // During an assembly, the editor's settings lower the mojibake severity to a hint.
    client.notify("workspace/didChangeConfiguration", json!({ "settings": { "articleLsp": { "now": NOW } } })).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    client
        .notify(
            "workspace/didChangeConfiguration",
            json!({ "settings": { "articleLsp": { "now": NOW, "severity": { "mojibake": "hint" } } } }),
        )
        .await;
    client
        .wait_for("diagnostics under the new severity", |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri.as_str()
                && m["params"]["diagnostics"][0]["severity"] == 4
        })
        .await;
    client.shutdown().await;
}
