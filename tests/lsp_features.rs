//! End-to-end tests of the workspace editing features over real JSON-RPC, on temporary
//! multi-file workspaces: rename of topics and providers, merging topic variants,
//! `articleLsp.fixWorkspace`, and the per-document features (code lenses, links, inlay hints,
//! semantic tokens, selection ranges, highlights, workspace symbols).

#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use support::{TestClient, apply_edits, file_uri, position_of, push_client_caps};

const NOW: &str = "2026-01-01T00:00:00Z";

fn options() -> Value {
    json!({ "now": NOW })
}

/// An article with the given provider and topics (block list).
fn article(title: &str, url: &str, provider: (&str, &str), topics: &[&str]) -> String {
    let topics: String = topics.iter().map(|t| format!("  - {t}\n")).collect();
    format!(
        "---\ntitle: \"{title}\"\npublishedDateTime: 2021-09-26T06:17:00Z\nwebUrl: \"{url}\"\ntype: article\nprovider:\n  name: {}\n  domain: {}\ntopics:\n{topics}---\nBody.\n",
        provider.0, provider.1
    )
}

struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    fn new(files: &[(&str, &str)]) -> Workspace {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace { dir };
        for (name, text) in files {
            ws.write(name, text);
        }
        ws
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn uri(&self, name: &str) -> String {
        file_uri(&self.path(name))
    }

    fn write(&self, name: &str, text: &str) {
        let path = self.path(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap()
    }
}

async fn start(root: &Path) -> TestClient {
    let mut client = TestClient::in_process();
    client.initialize(push_client_caps(), options(), Some(root)).await;
    client
        .wait_for("end of indexing progress", |m| {
            m["method"] == "$/progress"
                && m["params"]["token"] == "article-lsp/indexing"
                && m["params"]["value"]["kind"] == "end"
        })
        .await;
    client
}

/// The text document edits of a workspace edit by URI: (version, edits).
fn by_uri(edit: &Value) -> BTreeMap<String, (Value, Vec<Value>)> {
    edit["documentChanges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let uri = d["textDocument"]["uri"].as_str().unwrap().to_string();
            (uri, (d["textDocument"]["version"].clone(), d["edits"].as_array().unwrap().clone()))
        })
        .collect()
}

fn applied(text: &str, edits: &[Value]) -> String {
    let mut out = text.to_string();
    apply_edits(&mut out, edits);
    out
}

/// The position of the first occurrence of `needle` (plus `delta` bytes) in `text`.
fn at(text: &str, needle: &str, delta: usize) -> Value {
    position_of(text, text.find(needle).unwrap() + delta)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn topic_rename_edits_open_unsaved_and_closed_files_exactly() {
    let a = article("A", "https://a.example.com/1", ("Wire", "wire.example.com"), &["Vaccines", "AI"]);
    let b = article("B", "https://a.example.com/2", ("Wire", "wire.example.com"), &["Health", "Vaccines"]);
    // A flow list, a quoted item, and the topic inside a related entry.
    let c =
        "---\ntitle: C\ntopics: [\"Vaccines\", Science]\nrelated:\n  - title: R\n    topics:\n      - Vaccines\n---\n";
    let untouched = article("D", "https://a.example.com/4", ("Wire", "wire.example.com"), &["Vaccine policy"]);
    let ws = Workspace::new(&[("a.md", &a), ("b.md", &b), ("sub/c.md", c), ("d.md", &untouched)]);
    let mut client = start(ws.dir.path()).await;

    // Open a.md and edit it without saving: the rename must use the edited text and version.
    client.open(&ws.uri("a.md"), &a, 1).await;
    let inserted = "excerpt: \"new line typed but not saved\"\n";
    let edited = a.replacen("type: article\n", &format!("type: article\n{inserted}"), 1);
    let change = json!([{ "range": { "start": at(&a, "type:", 0), "end": at(&a, "type:", 0) }, "text": inserted }]);
    client.change(&ws.uri("a.md"), 2, change).await;
    client.diagnostics(&ws.uri("a.md"), 2).await;

    let position = at(&edited, "  - Vaccines", 6);
    let doc = json!({ "uri": ws.uri("a.md") });
    let prepared =
        client.request("textDocument/prepareRename", json!({ "textDocument": doc, "position": position })).await;
    assert_eq!(prepared["placeholder"], "Vaccines");
    assert_eq!(prepared["range"]["start"], at(&edited, "Vaccines", 0));

    let params = json!({ "textDocument": doc, "position": position, "newName": "Immunisation" });
    let edit = client.request("textDocument/rename", params).await;
    let docs = by_uri(&edit);
    let uris: Vec<&String> = docs.keys().collect();
    let mut expected_uris = [ws.uri("a.md"), ws.uri("b.md"), ws.uri("sub/c.md")];
    expected_uris.sort();
    assert_eq!(uris, expected_uris.iter().collect::<Vec<_>>(), "d.md (`Vaccine policy`) is not touched");

    let (version, edits) = &docs[&ws.uri("a.md")];
    assert_eq!(*version, json!(2), "the open document's edit carries its version");
    assert_eq!(edits.len(), 1);
    assert_eq!(applied(&edited, edits), edited.replace("  - Vaccines\n", "  - Immunisation\n"));

    let (version, edits) = &docs[&ws.uri("b.md")];
    assert_eq!(*version, Value::Null, "closed files are edited by their content on disk");
    assert_eq!(edits.len(), 1);
    assert_eq!(edits[0]["range"]["start"], at(&b, "Vaccines", 0));
    assert_eq!(applied(&b, edits), b.replace("Vaccines", "Immunisation"));

    let (_, edits) = &docs[&ws.uri("sub/c.md")];
    assert_eq!(edits.len(), 2);
    assert_eq!(
        applied(c, edits),
        "---\ntitle: C\ntopics: [\"Immunisation\", Science]\nrelated:\n  - title: R\n    topics:\n      - Immunisation\n---\n"
    );
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rename_into_an_existing_topic_leaves_no_duplicates() {
    let a = article("A", "https://a.example.com/1", ("Wire", "wire.example.com"), &["Vaccines", "AI", "Immunisation"]);
    let b = "---\ntitle: B\ntopics: [Immunisation, Vaccines, AI]\n---\n";
    let c = "---\ntitle: C\ntopics: [AI, Vaccines]\n---\n";
    let ws = Workspace::new(&[("a.md", &a), ("b.md", b), ("c.md", c)]);
    let mut client = start(ws.dir.path()).await;
    client.open(&ws.uri("a.md"), &a, 1).await;
    let doc = json!({ "uri": ws.uri("a.md") });
    let params = json!({ "textDocument": doc, "position": at(&a, "Vaccines", 1), "newName": "Immunisation" });
    let edit = client.request("textDocument/rename", params).await;
    let docs = by_uri(&edit);
    assert_eq!(applied(&a, &docs[&ws.uri("a.md")].1), a.replace("  - Vaccines\n", ""));
    assert_eq!(applied(b, &docs[&ws.uri("b.md")].1), "---\ntitle: B\ntopics: [Immunisation, AI]\n---\n");
    assert_eq!(applied(c, &docs[&ws.uri("c.md")].1), "---\ntitle: C\ntopics: [AI, Immunisation]\n---\n");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provider_rename_offers_the_known_domain_for_confirmation() {
    let a = article("A", "https://a.example.com/1", ("Old Wire", "old.example.com"), &["AI"]);
    let b = "---\ntitle: B\nprovider:\n  name: New Wire\n  domain: new.example.com\nrelated:\n  - title: R\n    provider:\n      name: Old Wire\n      domain: old.example.com\n---\n";
    let ws = Workspace::new(&[("a.md", &a), ("b.md", b)]);
    let mut client = start(ws.dir.path()).await;
    client.open(&ws.uri("a.md"), &a, 1).await;
    let doc = json!({ "uri": ws.uri("a.md") });
    let position = at(&a, "Old Wire", 2);
    let prepared =
        client.request("textDocument/prepareRename", json!({ "textDocument": doc, "position": position })).await;
    assert_eq!(prepared["placeholder"], "Old Wire");
    let params = json!({ "textDocument": doc, "position": position, "newName": "New Wire" });
    let edit = client.request("textDocument/rename", params).await;
    assert_eq!(edit["changeAnnotations"]["article-lsp/provider-domain"]["needsConfirmation"], true);
    let docs = by_uri(&edit);
    let edits = &docs[&ws.uri("a.md")].1;
    assert_eq!(edits.len(), 2);
    assert!(edits[0].get("annotationId").is_none(), "the name edit needs no confirmation");
    assert_eq!(edits[1]["annotationId"], "article-lsp/provider-domain");
    let expected = a.replace("Old Wire", "New Wire").replace("old.example.com", "new.example.com");
    assert_eq!(applied(&a, edits), expected);
    let expected_b =
        b.replace("name: Old Wire\n      domain: old.example.com", "name: New Wire\n      domain: new.example.com");
    assert_eq!(applied(b, &docs[&ws.uri("b.md")].1), expected_b);

    // A title is not renameable: prepareRename says so with a null result.
    let on_title = json!({ "textDocument": doc, "position": at(&a, "title", 9) });
    assert_eq!(client.request("textDocument/prepareRename", on_title).await, Value::Null);
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn topic_variant_quick_fix_merges_every_spelling_across_the_workspace() {
    let files: Vec<(String, String)> = [
        ("a.md", "Public Health"),
        ("b.md", "Public Health"),
        ("c.md", "Public Health"),
        ("d.md", "public health"),
        ("e.md", "Public  Health"),
    ]
    .iter()
    .enumerate()
    .map(|(i, (name, topic))| {
        let url = format!("https://a.example.com/{i}");
        (name.to_string(), article(name, &url, ("Wire", "wire.example.com"), &[topic, "AI"]))
    })
    .collect();
    let refs: Vec<(&str, &str)> = files.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    let ws = Workspace::new(&refs);
    let mut client = start(ws.dir.path()).await;
    let d = &files[3].1;
    client.open(&ws.uri("d.md"), d, 1).await;
    let diagnostics = client.diagnostics(&ws.uri("d.md"), 1).await;
    let variant = diagnostics.iter().find(|x| x["code"] == "topic-variant").expect("topic-variant").clone();
    let params = json!({
        "textDocument": { "uri": ws.uri("d.md") },
        "range": variant["range"],
        "context": { "diagnostics": [variant] },
    });
    let actions = client.request("textDocument/codeAction", params).await;
    let merge = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Merge all variants of this topic across the workspace")
        .expect("merge action")
        .clone();
    let result = client.request("workspace/executeCommand", merge["command"].clone()).await;
    assert_eq!(result["files"], 2);
    let request = client.wait_for("applyEdit", |m| m["method"] == "workspace/applyEdit").await;
    let docs = by_uri(&request["params"]["edit"]);
    assert_eq!(docs.len(), 2, "only the two variant spellings change: {docs:#?}");
    assert_eq!(applied(d, &docs[&ws.uri("d.md")].1), d.replace("public health", "Public Health"));
    assert_eq!(docs[&ws.uri("d.md")].0, json!(1));
    let e = &files[4].1;
    assert_eq!(applied(e, &docs[&ws.uri("e.md")].1), e.replace("Public  Health", "Public Health"));
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fix_workspace_repairs_mojibake_in_fifty_files_and_nothing_else() {
    let clean = |i: usize| {
        format!(
            "---\ntitle: \"Story {i}: a café opens\"\npublishedDateTime: 2021-09-26T06:17:00Z\nwebUrl: \"https://a.example.com/{i}\"\ntype: article\nprovider:\n  name: Wire\n  domain: a.example.com\ntopics:\n  - AI\nexcerpt: \"The Organization’s members, line {i}\"\n---\nUnchanged body {i} with ’ and é.\n"
        )
    };
    let broken = |i: usize| {
        let text = clean(i);
        let front_end = text.find("\n---\n").unwrap();
        let (front, body) = text.split_at(front_end);
        format!("{}{body}", front.replace('é', "Ã©").replace('’', "â€™"))
    };
    let mut files = Vec::new();
    for i in 0..50 {
        files.push((format!("broken/{i:02}.md"), broken(i)));
    }
    for i in 50..55 {
        files.push((format!("clean/{i:02}.md"), clean(i)));
    }
    let refs: Vec<(&str, &str)> = files.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    let ws = Workspace::new(&refs);
    let mut client = start(ws.dir.path()).await;
    let params = json!({ "command": "articleLsp.fixWorkspace", "arguments": [] });
    let result = client.request("workspace/executeCommand", params).await;
    assert_eq!(result["files"], 50, "{result}");
    assert_eq!(result["findings"], 100, "{result}");
    assert_eq!(result["applied"], true);
    let request = client.wait_for("applyEdit", |m| m["method"] == "workspace/applyEdit").await;
    let docs = by_uri(&request["params"]["edit"]);
    assert_eq!(docs.len(), 50);
    for (i, (name, _)) in files.iter().enumerate() {
        let on_disk = ws.read(name);
        let Some((version, edits)) = docs.get(&ws.uri(name)) else {
            assert!(i >= 50, "{name} was not repaired");
            continue;
        };
        assert!(i < 50, "{name} is clean and must not be edited");
        assert_eq!(*version, Value::Null);
        // Byte for byte: the repaired file is the clean one, so nothing else changed.
        assert_eq!(applied(&on_disk, edits), clean(i), "{name}");
    }
    let end = client
        .wait_for("fixWorkspace progress end", |m| {
            m["method"] == "$/progress"
                && m["params"]["token"].as_str().is_some_and(|t| t.starts_with("article-lsp/fixWorkspace"))
                && m["params"]["value"]["kind"] == "end"
        })
        .await;
    assert_eq!(end["params"]["value"]["message"], "repaired 100 findings in 50 files");
    client.shutdown().await;
}
