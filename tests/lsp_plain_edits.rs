//! Workspace edits for clients without `workspace.workspaceEdit.documentChanges` (older or
//! minimal editors): rename, provider rename with its domain, merging topic variants and
//! `articleLsp.fixWorkspace` must come back as a plain `changes` map (URI -> text edits), with
//! exactly the edits a `documentChanges` client gets, over real JSON-RPC on a temporary
//! multi-file workspace.

#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

mod support;

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::{Value, json};
use support::{TestClient, apply_edits, file_uri, position_of};

/// A client that edits through `changes` only: no `documentChanges`, no resource operations,
/// no change annotations; it does show progress and applies edits.
fn plain_client_caps() -> Value {
    json!({
        "general": { "positionEncodings": ["utf-16"] },
        "window": { "workDoneProgress": true },
        "workspace": { "applyEdit": true, "workspaceEdit": {} },
        "textDocument": { "publishDiagnostics": { "versionSupport": true } }
    })
}

struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    fn new(files: &[(&str, &[u8])]) -> Workspace {
        let dir = tempfile::tempdir().unwrap();
        for (name, bytes) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        }
        Workspace { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn uri(&self, name: &str) -> String {
        file_uri(&self.path(name))
    }
}

async fn start(ws: &Workspace) -> TestClient {
    let mut client = TestClient::in_process();
    let result =
        client.initialize(plain_client_caps(), json!({ "now": "2026-01-01T00:00:00Z" }), Some(ws.dir.path())).await;
    assert_eq!(result["capabilities"]["renameProvider"]["prepareProvider"], true);
    client.indexed().await;
    client
}

/// The `changes` map of a workspace edit, checked to be the only form used.
fn changes(edit: &Value) -> BTreeMap<String, Vec<Value>> {
    assert!(edit.get("documentChanges").is_none(), "documentChanges sent to a client without it: {edit:#}");
    assert!(edit.get("changeAnnotations").is_none(), "change annotations sent to a client without them: {edit:#}");
    let map = edit["changes"].as_object().unwrap_or_else(|| panic!("no `changes` map in {edit:#}"));
    map.iter().map(|(uri, edits)| (uri.clone(), edits.as_array().unwrap().clone())).collect()
}

fn applied(text: &str, edits: &[Value]) -> String {
    for edit in edits {
        assert!(edit.get("annotationId").is_none(), "an annotated edit in a plain `changes` map: {edit}");
    }
    let mut out = text.to_string();
    apply_edits(&mut out, edits);
    out
}

fn at(text: &str, needle: &str, delta: usize) -> Value {
    position_of(text, text.find(needle).unwrap() + delta)
}

const OPEN: &str = "---\ntitle: \"Open\"\nprovider:\n  name: Old Wire\n  domain: old.example.com\ntopics:\n  - Vaccines\n  - AI\n---\nBody.\n";
const CLOSED: &str = "---\ntitle: \"Closed\"\ntopics: [Health, \"Vaccines\"]\nrelated:\n  - title: \"R\"\n    provider:\n      name: Old Wire\n      domain: old.example.com\n    topics:\n      - Vaccines\n---\n";
const UNRELATED: &str = "---\ntitle: \"Unrelated\"\nprovider:\n  name: New Wire\n  domain: new.example.com\ntopics:\n  - Vaccine policy\n---\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn topic_rename_comes_back_as_a_changes_map_for_open_unsaved_and_closed_files() {
    let ws = Workspace::new(&[
        ("open.md", OPEN.as_bytes()),
        ("sub/closed.md", CLOSED.as_bytes()),
        ("unrelated.md", UNRELATED.as_bytes()),
    ]);
    let mut client = start(&ws).await;
    let uri = ws.uri("open.md");
    client.open(&uri, OPEN, 1).await;
    // Typed but not saved: the edit must be computed on this text, not the file on disk.
    let typed = "excerpt: \"typed, not saved\"\n";
    let edited = OPEN.replacen("provider:", &format!("{typed}provider:"), 1);
    let at_provider = at(OPEN, "provider:", 0);
    client.change(&uri, 2, json!([{ "range": { "start": at_provider, "end": at_provider }, "text": typed }])).await;
    client.diagnostics(&uri, 2).await;

    let position = at(&edited, "  - Vaccines", 5);
    let doc = json!({ "uri": uri });
    let prepared =
        client.request("textDocument/prepareRename", json!({ "textDocument": doc, "position": position })).await;
    assert_eq!(prepared["placeholder"], "Vaccines");
    let params = json!({ "textDocument": doc, "position": position, "newName": "Immunisation" });
    let edit = client.request("textDocument/rename", params).await;
    let by_uri = changes(&edit);
    assert_eq!(by_uri.keys().collect::<Vec<_>>(), [&uri, &ws.uri("sub/closed.md")], "unrelated.md is untouched");
    assert_eq!(by_uri[&uri].len(), 1);
    assert_eq!(applied(&edited, &by_uri[&uri]), edited.replace("  - Vaccines\n", "  - Immunisation\n"));
    let closed = &by_uri[&ws.uri("sub/closed.md")];
    assert_eq!(closed.len(), 2);
    assert_eq!(applied(CLOSED, closed), CLOSED.replace("Vaccines", "Immunisation"));
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provider_rename_keeps_provider_domain_consistent_without_change_annotations() {
    // `New Wire` is known with `new.example.com` (unrelated.md): renaming `Old Wire` into it
    // changes each renamed provider's domain too. A client that cannot confirm an annotated
    // edit gets it as a plain edit, rather than a name that no longer matches its domain.
    let ws = Workspace::new(&[
        ("open.md", OPEN.as_bytes()),
        ("sub/closed.md", CLOSED.as_bytes()),
        ("unrelated.md", UNRELATED.as_bytes()),
    ]);
    let mut client = start(&ws).await;
    let uri = ws.uri("open.md");
    client.open(&uri, OPEN, 1).await;
    let params = json!({ "textDocument": { "uri": uri }, "position": at(OPEN, "Old Wire", 3), "newName": "New Wire" });
    let edit = client.request("textDocument/rename", params).await;
    let by_uri = changes(&edit);
    assert_eq!(by_uri.len(), 2, "{by_uri:#?}");
    let renamed = |text: &str| text.replace("Old Wire", "New Wire").replace("old.example.com", "new.example.com");
    assert_eq!(by_uri[&uri].len(), 2, "the name and the domain");
    assert_eq!(applied(OPEN, &by_uri[&uri]), renamed(OPEN));
    assert_eq!(applied(CLOSED, &by_uri[&ws.uri("sub/closed.md")]), renamed(CLOSED));
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn merging_topic_variants_applies_a_changes_map() {
    let spelled = |topic: &str| format!("---\ntitle: \"{topic}\"\ntopics:\n  - {topic}\n  - AI\n---\n");
    let (a, b, c) = (spelled("Public Health"), spelled("Public Health"), spelled("public health"));
    let ws = Workspace::new(&[("a.md", a.as_bytes()), ("b.md", b.as_bytes()), ("c.md", c.as_bytes())]);
    let mut client = start(&ws).await;
    let params = json!({ "command": "articleLsp.mergeTopicVariants", "arguments": ["public health"] });
    let result = client.request("workspace/executeCommand", params).await;
    assert_eq!(result["files"], 1, "{result}");
    let request = client.wait_for("applyEdit", |m| m["method"] == "workspace/applyEdit").await;
    let by_uri = changes(&request["params"]["edit"]);
    assert_eq!(by_uri.keys().collect::<Vec<_>>(), [&ws.uri("c.md")]);
    assert_eq!(applied(&c, &by_uri[&ws.uri("c.md")]), c.replace("  - public health", "  - Public Health"));
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fix_workspace_applies_a_changes_map_and_leaves_other_bytes_alone() {
    let clean = |i: usize| {
        format!(
            "---\ntitle: \"Caf\u{e9} {i}\"\nexcerpt: \"The Organization\u{2019}s members\"\n---\nBody \u{2019} {i}.\n"
        )
    };
    let broken = |i: usize| clean(i).replacen('\u{e9}', "Ã©", 1).replacen('\u{2019}', "â€™", 1);
    let mut files: Vec<(String, Vec<u8>)> =
        (0..3).map(|i| (format!("broken/{i}.md"), broken(i).into_bytes())).collect();
    files.push(("clean.md".into(), clean(9).into_bytes()));
    // Not UTF-8: rewriting it needs resource operations, which this client lacks.
    let legacy_text = clean(7);
    let (legacy, _, _) = encoding_rs::WINDOWS_1252.encode(&legacy_text);
    files.push(("legacy.md".into(), legacy.into_owned()));
    let refs: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
    let ws = Workspace::new(&refs);
    let mut client = start(&ws).await;
    // One broken file is open: its edit is computed on (and applies to) the document.
    client.open(&ws.uri("broken/0.md"), &broken(0), 1).await;

    let params = json!({ "command": "articleLsp.fixWorkspace", "arguments": [] });
    let result = client.request("workspace/executeCommand", params).await;
    assert_eq!(result, json!({ "applied": true, "files": 3, "findings": 6, "notUtf8": 1, "cancelled": false }));
    let request = client.wait_for("applyEdit", |m| m["method"] == "workspace/applyEdit").await;
    let by_uri = changes(&request["params"]["edit"]);
    let expected: Vec<String> = (0..3).map(|i| ws.uri(&format!("broken/{i}.md"))).collect();
    assert_eq!(by_uri.keys().cloned().collect::<Vec<_>>(), expected, "only the three broken files");
    for i in 0..3 {
        let on_disk = std::fs::read_to_string(ws.path(&format!("broken/{i}.md"))).unwrap();
        // Byte for byte: the repaired text is the clean one, so nothing else changed.
        assert_eq!(applied(&on_disk, &by_uri[&expected[i]]), clean(i), "broken/{i}.md");
    }
    client.shutdown().await;
}
