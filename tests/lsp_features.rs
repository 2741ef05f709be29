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
    client.indexed().await;
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

/// A workspace where `main.md` cites and is cited by other articles.
fn linked_workspace() -> (Workspace, String) {
    let main = "---\ntitle: \"Main story\"\npublishedDateTime: 2021-09-26T09:17:00+03:00\nwebUrl: \"https://main.example.com/1\"\nprovider:\n  name: Wire\n  domain: main.example.com\ntopics:\n  - Vaccines\n  - AI\nrelated:\n  - title: \"Other story\"\n    webUrl: \"https://other.example.com/2\"\n  - title: \"Elsewhere\"\n    webUrl: \"https://elsewhere.example.net/3\"\n---\nBody.\n".to_string();
    let other = "---\ntitle: \"Other story\"\npublishedDateTime: 2021-09-20T00:00:00Z\nwebUrl: \"https://other.example.com/2\"\nprovider:\n  name: Other Wire\n  domain: other.example.com\ntopics:\n  - Vaccines\nrelated:\n  - title: \"Main story\"\n    webUrl: \"https://main.example.com/1\"\n---\n";
    let ws = Workspace::new(&[("main.md", &main), ("other.md", other)]);
    (ws, main)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lenses_links_hints_tokens_selection_highlights_and_symbols() {
    let (ws, main) = linked_workspace();
    let mut client = TestClient::in_process();
    let options = json!({ "now": NOW, "inlayHints": { "timeZone": "UTC" } });
    let init = client.initialize(push_client_caps(), options, Some(ws.dir.path())).await;
    let caps = &init["capabilities"];
    for cap in ["codeLensProvider", "documentLinkProvider", "inlayHintProvider", "selectionRangeProvider"] {
        assert!(!caps[cap].is_null(), "{cap} advertised");
    }
    assert_eq!(caps["renameProvider"]["prepareProvider"], true);
    assert_eq!(caps["workspace"]["workspaceFolders"], json!({ "supported": true, "changeNotifications": true }));
    assert_eq!(caps["semanticTokensProvider"]["range"], true);
    let legend = caps["semanticTokensProvider"]["legend"]["tokenTypes"].clone();
    assert_eq!(legend, json!(["property", "variable", "number", "string", "enumMember", "class"]));
    client.indexed().await;
    let uri = ws.uri("main.md");
    client.open(&uri, &main, 1).await;
    client.diagnostics(&uri, 1).await;
    let doc = json!({ "uri": uri });

    let lenses = client.request("textDocument/codeLens", json!({ "textDocument": doc })).await;
    let titles: Vec<&str> =
        lenses.as_array().unwrap().iter().map(|l| l["command"]["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["cited by 1 article", "2 related", "2 articles", "1 article"]);
    let cited = &lenses[0]["command"];
    assert_eq!(cited["command"], "articleLsp.showReferences");
    assert_eq!(cited["arguments"][0], uri.as_str());
    // A client without its own references view sends the command back and gets the locations.
    let found = client.request("workspace/executeCommand", cited.clone()).await;
    assert_eq!(found.as_array().unwrap().len(), 1);
    assert_eq!(found[0]["uri"], ws.uri("other.md"));
    assert_eq!(found[0]["range"]["start"], json!({ "line": 10, "character": 2 }), "the citing related entry");

    let links = client.request("textDocument/documentLink", json!({ "textDocument": doc })).await;
    let targets: Vec<&str> = links.as_array().unwrap().iter().map(|l| l["target"].as_str().unwrap()).collect();
    assert_eq!(targets, ["https://main.example.com/1", ws.uri("other.md").as_str(), "https://elsewhere.example.net/3"]);
    assert_eq!(links[1]["range"]["start"], at(&main, "https://other", 0));

    let whole = json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 30, "character": 0 } });
    let hints = client.request("textDocument/inlayHint", json!({ "textDocument": doc, "range": whole })).await;
    let labels: Vec<&str> = hints.as_array().unwrap().iter().map(|h| h["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["4 years ago", "26 Sep 2021, 06:17 UTC", "· Other Wire"]);
    assert_eq!(hints[0]["position"], at(&main, "\nwebUrl", 0));

    let tokens = client.request("textDocument/semanticTokens/full", json!({ "textDocument": doc })).await;
    let data: Vec<u64> = tokens["data"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
    // `title` at 1:0 (5 long, property), then `publishedDateTime` on the next line.
    assert_eq!(&data[..10], [1, 0, 5, 0, 0, 1, 0, 17, 0, 0]);
    assert_eq!(data.len() % 5, 0);
    // Positions are in UTF-16 and found in one pass: an emoji (two units) before a token on
    // the same line, and CRLF line ends.
    let emoji_uri = ws.uri("emoji.md");
    let emoji = "---\r\ntitle: T\r\ntopics: [\"😀 x\", AI]\r\n---\r\n";
    client.open(&emoji_uri, emoji, 1).await;
    let tokens =
        client.request("textDocument/semanticTokens/full", json!({ "textDocument": { "uri": emoji_uri } })).await;
    assert_eq!(tokens["data"], json!([1, 0, 5, 0, 0, 1, 0, 6, 0, 0, 0, 10, 4, 4, 0, 0, 7, 2, 4, 0]));
    let lines = json!({ "start": { "line": 7, "character": 0 }, "end": { "line": 9, "character": 0 } });
    let ranged =
        client.request("textDocument/semanticTokens/range", json!({ "textDocument": doc, "range": lines })).await;
    // `topics` (line 7, property) and `Vaccines` (line 8, enumMember).
    assert_eq!(ranged["data"], json!([7, 0, 6, 0, 0, 1, 4, 8, 4, 0]));

    let position = at(&main, "Vaccines", 2);
    let params = json!({ "textDocument": doc, "positions": [position] });
    let selection = client.request("textDocument/selectionRange", params).await;
    let mut depth = 0;
    let mut node = &selection[0];
    assert_eq!(node["range"]["start"], at(&main, "Vaccines", 0));
    while !node["parent"].is_null() {
        node = &node["parent"];
        depth += 1;
    }
    assert_eq!(depth, 5, "value, then item, list, entry, front matter, document: {selection:#}");

    let params = json!({ "textDocument": doc, "position": at(&main, "name: Wire", 7) });
    let highlights = client.request("textDocument/documentHighlight", params).await;
    assert_eq!(highlights.as_array().unwrap().len(), 1);

    let symbols = client.request("workspace/symbol", json!({ "query": "#vacc" })).await;
    assert_eq!(symbols[0]["name"], "#Vaccines");
    assert_eq!(symbols[0]["containerName"], "2 articles");
    let symbols = client.request("workspace/symbol", json!({ "query": "@other" })).await;
    assert_eq!(symbols[0]["name"], "@Other Wire");
    assert_eq!(symbols[0]["location"]["uri"], ws.uri("other.md"));

    let hover = client
        .request("textDocument/hover", json!({ "textDocument": doc, "position": at(&main, "2021-09-26", 3) }))
        .await;
    assert_eq!(hover["contents"]["value"], "26 Sep 2021, 06:17 UTC — 2021-09-26T09:17:00+03:00 (4 years ago)");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inlay_hint_kinds_can_be_switched_off() {
    let (ws, main) = linked_workspace();
    let mut client = TestClient::in_process();
    let options = json!({ "now": NOW, "inlayHints": { "relativeDates": false, "relatedProvider": false, "timeZone": "Asia/Tokyo" } });
    client.initialize(push_client_caps(), options, Some(ws.dir.path())).await;
    let uri = ws.uri("main.md");
    client.open(&uri, &main, 1).await;
    let whole = json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 30, "character": 0 } });
    let params = json!({ "textDocument": { "uri": uri }, "range": whole });
    let hints = client.request("textDocument/inlayHint", params.clone()).await;
    let labels: Vec<&str> = hints.as_array().unwrap().iter().map(|h| h["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["26 Sep 2021, 15:17 JST"]);
    let off = json!({ "articleLsp": { "now": NOW, "inlayHints": { "relativeDates": false, "zonedTimes": false, "relatedProvider": false } } });
    client.notify("workspace/didChangeConfiguration", json!({ "settings": off })).await;
    assert_eq!(client.request("textDocument/inlayHint", params).await, json!([]));
    client.shutdown().await;
}

const REFRESHES: [&str; 3] =
    ["workspace/codeLens/refresh", "workspace/inlayHint/refresh", "workspace/semanticTokens/refresh"];

/// Waits for one refresh request of each kind.
async fn refreshed(client: &mut TestClient, after: &str) {
    for kind in REFRESHES {
        client.wait_for(&format!("{kind} {after}"), |m| m["method"] == kind).await;
    }
}

/// Lenses, hints and tokens follow the settings and the index, so the editor is asked to
/// re-request them when either changes — only when it said it supports that.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shown_lenses_hints_and_tokens_are_refreshed_when_settings_or_the_index_change() {
    let (ws, _) = linked_workspace();
    let mut caps = push_client_caps();
    caps["workspace"]["codeLens"] = json!({ "refreshSupport": true });
    caps["workspace"]["inlayHint"] = json!({ "refreshSupport": true });
    caps["workspace"]["semanticTokens"] = json!({ "refreshSupport": true });
    let mut client = TestClient::in_process();
    client.initialize(caps, options(), Some(ws.dir.path())).await;
    client.indexed().await;
    refreshed(&mut client, "after indexing").await;

    let off = json!({ "articleLsp": { "now": NOW, "inlayHints": { "relativeDates": false } } });
    client.notify("workspace/didChangeConfiguration", json!({ "settings": off })).await;
    refreshed(&mut client, "after a settings change").await;

    ws.write("new.md", &article("Newcomer", "https://n.example.com/1", ("N", "n.example.com"), &["Vaccines"]));
    let created = json!({ "changes": [{ "uri": ws.uri("new.md"), "type": 1 }] });
    client.notify("workspace/didChangeWatchedFiles", created).await;
    refreshed(&mut client, "after a file was added").await;
    client.shutdown().await;

    let mut plain = TestClient::in_process();
    plain.initialize(push_client_caps(), options(), Some(ws.dir.path())).await;
    plain.indexed().await;
    plain.notify("workspace/didChangeConfiguration", json!({ "settings": { "articleLsp": { "now": NOW } } })).await;
    plain.request("workspace/symbol", json!({ "query": "main" })).await;
    plain.drain(std::time::Duration::from_millis(300)).await;
    let sent: Vec<&Value> =
        plain.seen.iter().filter(|m| m["method"].as_str().is_some_and(|m| REFRESHES.contains(&m))).collect();
    assert!(sent.is_empty(), "{sent:?}");
    plain.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workspace_folders_added_and_removed_at_runtime() {
    let first = Workspace::new(&[(
        "a.md",
        &article("Alpha story", "https://a.example.com/1", ("Wire", "a.example.com"), &["AI"]),
    )]);
    let zoology =
        article("Zebra migration tracked", "https://b.example.com/2", ("Wire", "b.example.com"), &["Zoology"]);
    // The added folder brings its own configuration: future dates are errors there.
    let second = Workspace::new(&[("b.md", &zoology), ("article-lsp.toml", "[severity]\nfuture-date = \"error\"\n")]);
    let mut client = start(first.dir.path()).await;
    let init_caps = client.request("workspace/symbol", json!({ "query": "zebra" })).await;
    assert_eq!(init_caps, json!([]), "not indexed before the folder is added");

    let folder = json!({ "uri": file_uri(second.dir.path()), "name": "second" });
    client
        .notify("workspace/didChangeWorkspaceFolders", json!({ "event": { "added": [folder], "removed": [] } }))
        .await;
    client
        .wait_for("indexing of the added folder", |m| {
            m["method"] == "$/progress"
                && m["params"]["token"].as_str().is_some_and(|t| t.starts_with("article-lsp/indexing/folder-"))
                && m["params"]["value"]["kind"] == "end"
        })
        .await;
    let symbols = client.request("workspace/symbol", json!({ "query": "zebra" })).await;
    assert_eq!(symbols[0]["name"], "Zebra migration tracked");
    assert_eq!(symbols[0]["location"]["uri"], second.uri("b.md"));

    let draft_uri = first.uri("draft.md");
    let draft = "---\ntitle: \"Draft\"\ntopics:\n  - Z\n---\n";
    client.open(&draft_uri, draft, 1).await;
    let completion = json!({ "textDocument": { "uri": draft_uri }, "position": { "line": 3, "character": 5 } });
    let labels = |items: &Value| -> Vec<String> {
        items["items"].as_array().unwrap().iter().map(|i| i["label"].as_str().unwrap().to_string()).collect()
    };
    let offered = client.request("textDocument/completion", completion.clone()).await;
    assert!(labels(&offered).contains(&"Zoology".to_string()), "{:?}", labels(&offered));

    let future = "---\ntitle: \"Later\"\npublishedDateTime: 2030-01-01T00:00:00Z\n---\n";
    client.open(&second.uri("later.md"), future, 1).await;
    let diagnostics = client.diagnostics(&second.uri("later.md"), 1).await;
    let future_date = diagnostics.iter().find(|d| d["code"] == "future-date").expect("future-date");
    assert_eq!(future_date["severity"], 1, "the folder's own article-lsp.toml applies");

    let folder = json!({ "uri": file_uri(second.dir.path()), "name": "second" });
    client
        .notify("workspace/didChangeWorkspaceFolders", json!({ "event": { "added": [], "removed": [folder] } }))
        .await;
    client
        .wait_for("cleared diagnostics of the removed folder's file", |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == second.uri("b.md")
                && m["params"]["diagnostics"] == json!([])
        })
        .await;
    assert_eq!(client.request("workspace/symbol", json!({ "query": "zebra" })).await, json!([]));
    let offered = client.request("textDocument/completion", completion).await;
    assert!(!labels(&offered).contains(&"Zoology".to_string()), "{:?}", labels(&offered));
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fix_workspace_transcodes_legacy_files_when_the_client_can_create_files() {
    let utf8 = "---\ntitle: \"Caf\u{e9} talks\"\ntype: article\n---\nBody.\n";
    let (windows_1252, _, _) = encoding_rs::WINDOWS_1252.encode(utf8);
    let ws = Workspace::new(&[("ok.md", "---\ntitle: fine\ntype: article\n---\n")]);
    std::fs::write(ws.path("legacy.md"), &windows_1252).unwrap();
    std::fs::write(ws.path("binary.txt"), b"\xff\x00\xfe binary").unwrap();
    let mut caps = push_client_caps();
    caps["workspace"]["workspaceEdit"]["resourceOperations"] = json!(["create"]);
    let mut client = TestClient::in_process();
    client.initialize(caps, options(), Some(ws.dir.path())).await;
    client.indexed().await;
    let params = json!({ "command": "articleLsp.fixWorkspace", "arguments": [] });
    let result = client.request("workspace/executeCommand", params).await;
    assert_eq!(result["files"], 1, "{result}");
    assert_eq!(result["notUtf8"], 1, "the binary file is left alone: {result}");
    let request = client.wait_for("applyEdit", |m| m["method"] == "workspace/applyEdit").await;
    let changes = request["params"]["edit"]["documentChanges"].clone();
    assert_eq!(
        changes[0],
        json!({ "kind": "create", "uri": ws.uri("legacy.md"), "options": { "overwrite": true, "ignoreIfExists": false } })
    );
    assert_eq!(changes[1]["textDocument"]["uri"], ws.uri("legacy.md"));
    assert_eq!(changes[1]["edits"][0]["newText"], utf8, "the whole text, as UTF-8");
    assert_eq!(changes[1]["edits"][0]["range"]["end"], json!({ "line": 0, "character": 0 }));
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fix_workspace_can_be_cancelled_through_its_progress() {
    let broken = "---\ntitle: \"cafÃ©\"\ntype: article\n---\n";
    let files: Vec<(String, &str)> = (0..1000).map(|i| (format!("d{}/{i}.md", i / 100), broken)).collect();
    let refs: Vec<(&str, &str)> = files.iter().map(|(n, t)| (n.as_str(), *t)).collect();
    let ws = Workspace::new(&refs);
    let mut client = start(ws.dir.path()).await;
    let params = json!({ "command": "articleLsp.fixWorkspace", "arguments": [] });
    client.send(json!({ "jsonrpc": "2.0", "id": 9001, "method": "workspace/executeCommand", "params": params })).await;
    let begin = client
        .wait_for("fixWorkspace progress begin", |m| {
            m["method"] == "$/progress"
                && m["params"]["token"].as_str().is_some_and(|t| t.starts_with("article-lsp/fixWorkspace"))
                && m["params"]["value"]["kind"] == "begin"
        })
        .await;
    assert_eq!(begin["params"]["value"]["cancellable"], true);
    client.notify("window/workDoneProgress/cancel", json!({ "token": begin["params"]["token"] })).await;
    let response = client.wait_for("the command's response", |m| m["id"] == 9001 && m.get("method").is_none()).await;
    let result = &response["result"];
    assert_eq!(result["cancelled"], true, "{result}");
    assert_eq!(result["applied"], false);
    assert!(result["files"].as_u64().unwrap() < 1000, "stopped early: {result}");
    client.drain(std::time::Duration::from_millis(200)).await;
    assert!(!client.seen.iter().any(|m| m["method"] == "workspace/applyEdit"), "nothing applied");
    client.shutdown().await;
}

/// With more providers than one list holds (100), the list is incomplete and narrowed by the
/// typed word, most used first; the chosen item still fills in `provider.domain`, whether the
/// mapping has a `domain:` line to replace or needs one inserted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_provider_lists_narrow_by_the_typed_word_and_keep_the_domain_edit() {
    let mut files = Vec::new();
    for i in 0..150 {
        // Provider i is used by (i % 3) + 1 articles: counts decide the order.
        for copy in 0..=(i % 3) {
            let name = format!("a{i}-{copy}.md");
            let url = format!("https://p{i}.example.com/{copy}");
            let text = article("A", &url, (&format!("Provider {i:03}"), &format!("p{i}.example.com")), &["AI"]);
            files.push((name, text));
        }
    }
    let refs: Vec<(&str, &str)> = files.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    let ws = Workspace::new(&refs);
    let mut client = start(ws.dir.path()).await;
    let labels = |list: &Value| -> Vec<String> {
        list["items"].as_array().unwrap().iter().map(|i| i["label"].as_str().unwrap().to_string()).collect()
    };

    let draft = "---\ntitle: \"Draft\"\nprovider:\n  name: \n---\n";
    let uri = ws.uri("draft.md");
    client.open(&uri, draft, 1).await;
    let all = client
        .request(
            "textDocument/completion",
            json!({ "textDocument": { "uri": uri }, "position": at(draft, "name: ", 6) }),
        )
        .await;
    assert_eq!(all["isIncomplete"], true, "150 providers > 100");
    assert_eq!(labels(&all).len(), 100);
    assert_eq!(labels(&all)[..2], ["Provider 002", "Provider 005"], "most used first, ties alphabetical");

    let typed = "---\ntitle: \"Draft\"\nprovider:\n  name: provider 12\n---\n";
    client.change(&uri, 2, json!([{ "text": typed }])).await;
    // The draft's own name reaches the index with its analysis, published with its diagnostics.
    client.diagnostics(&uri, 2).await;
    let narrowed = client
        .request(
            "textDocument/completion",
            json!({ "textDocument": { "uri": uri }, "position": at(typed, "provider 12", 11) }),
        )
        .await;
    assert_eq!(narrowed["isIncomplete"], true);
    // Every provider containing the typed words (any case), ranked as before: by use, then name
    // (the draft's own half-typed name is indexed too: open documents count).
    let mut expected = ["122", "125", "128", "121", "124", "127", "120", "123", "126", "129"]
        .map(|n| format!("Provider {n}"))
        .to_vec();
    expected.push("provider 12".into());
    assert_eq!(labels(&narrowed), expected);
    let chosen = narrowed["items"].as_array().unwrap().iter().find(|i| i["label"] == "Provider 125").unwrap().clone();
    let mut edits = vec![chosen["textEdit"].clone()];
    edits.extend(chosen["additionalTextEdits"].as_array().cloned().unwrap_or_default());
    assert_eq!(
        applied(typed, &edits),
        "---\ntitle: \"Draft\"\nprovider:\n  name: Provider 125\n  domain: p125.example.com\n---\n"
    );

    // A `domain:` line already there is replaced rather than doubled.
    let with_domain = "---\ntitle: \"Draft\"\nprovider:\n  name: provider 12\n  domain: old.example.com\n---\n";
    client.change(&uri, 3, json!([{ "text": with_domain }])).await;
    let again = client
        .request(
            "textDocument/completion",
            json!({ "textDocument": { "uri": uri }, "position": at(with_domain, "provider 12", 11) }),
        )
        .await;
    let chosen = again["items"].as_array().unwrap().iter().find(|i| i["label"] == "Provider 122").unwrap().clone();
    let mut edits = vec![chosen["textEdit"].clone()];
    edits.extend(chosen["additionalTextEdits"].as_array().cloned().unwrap_or_default());
    assert_eq!(
        applied(with_domain, &edits),
        "---\ntitle: \"Draft\"\nprovider:\n  name: Provider 122\n  domain: p122.example.com\n---\n"
    );
    client.shutdown().await;
}

/// Semantic tokens are computed once per version and configuration: asked twice they are the
/// same, an edit gives the new version's, and a configuration reload (a key becoming known)
/// is seen on the version that was already asked about.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn semantic_tokens_follow_edits_and_configuration_reloads() {
    let text = "---\ntitle: T\nauthor: Ann\n---\n";
    let ws = Workspace::new(&[("a.md", text)]);
    let mut client = TestClient::in_process();
    client.initialize(push_client_caps(), options(), Some(ws.dir.path())).await;
    client.indexed().await;
    let uri = ws.uri("a.md");
    client.open(&uri, text, 1).await;
    client.diagnostics(&uri, 1).await;
    // `title` (property), `author` (unknown: variable).
    let first = full_tokens(&mut client, &uri).await;
    assert_eq!(first, json!([1, 0, 5, 0, 0, 1, 0, 6, 1, 0]));
    assert_eq!(full_tokens(&mut client, &uri).await, first, "asked again, same version");

    let end_of_title = json!({ "line": 1, "character": 8 });
    client.change(&uri, 2, json!([{ "range": { "start": end_of_title, "end": end_of_title }, "text": "\nwebUrl: \"https://x.example.com/a\"" }])).await;
    client.diagnostics(&uri, 2).await;
    assert_eq!(
        full_tokens(&mut client, &uri).await,
        json!([1, 0, 5, 0, 0, 1, 0, 6, 0, 0, 0, 9, 23, 3, 0, 1, 0, 6, 1, 0])
    );

    let config = ws.path("article-lsp.toml");
    std::fs::write(&config, "[schema]\nextra-fields = [\"author\"]\n").unwrap();
    client
        .notify("workspace/didChangeWatchedFiles", json!({ "changes": [{ "uri": file_uri(&config), "type": 1 }] }))
        .await;
    let known = json!([1, 0, 5, 0, 0, 1, 0, 6, 0, 0, 0, 9, 23, 3, 0, 1, 0, 6, 0, 0]);
    let mut last = Value::Null;
    for _ in 0..100 {
        last = full_tokens(&mut client, &uri).await;
        if last == known {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(last, known, "`author` is a known key once the configuration says so");
    client.shutdown().await;
}

async fn full_tokens(client: &mut TestClient, uri: &str) -> Value {
    client.request("textDocument/semanticTokens/full", json!({ "textDocument": { "uri": uri } })).await["data"].clone()
}

/// Inlay hints asked for a viewport (what editors ask for) are exactly the hints of the whole
/// document that fall in it, with the same positions, wherever the viewport starts (mid-line,
/// past a multi-byte character, at the end).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inlay_hints_of_a_viewport_are_the_whole_documents_hints_in_it() {
    let linked =
        article("Linked «story»", "https://linked.example.com/1", ("Linked Wire", "linked.example.com"), &["AI"]);
    let entries: String = (0..40)
        .map(|i| {
            let url = if i % 3 == 0 { "https://linked.example.com/1".to_string() } else { format!("https://x.example.com/{i}") };
            format!("  - title: \"Entrée {i}\"\n    webUrl: \"{url}\"\n    publishedDateTime: 2021-0{}-1{}T06:17:00+02:00\n", i % 9 + 1, i % 10)
        })
        .collect();
    let main =
        format!("---\ntitle: \"Main\"\npublishedDateTime: 2021-09-26T09:17:00+03:00\nrelated:\n{entries}---\nBody.\n");
    let ws = Workspace::new(&[("main.md", &main), ("linked.md", &linked)]);
    let mut client = TestClient::in_process();
    let options = json!({ "now": NOW, "inlayHints": { "timeZone": "UTC" } });
    client.initialize(push_client_caps(), options, Some(ws.dir.path())).await;
    client.indexed().await;
    let uri = ws.uri("main.md");
    client.open(&uri, &main, 1).await;
    client.diagnostics(&uri, 1).await;
    let doc = json!({ "uri": uri });
    let hints = |range: Value| json!({ "textDocument": doc, "range": range });
    let lines = main.lines().count() as u64;
    let whole = json!({ "start": { "line": 0, "character": 0 }, "end": { "line": lines + 1, "character": 0 } });
    let all = client.request("textDocument/inlayHint", hints(whole)).await.as_array().unwrap().clone();
    assert_eq!(all.len(), 2 + 40 * 2 + 14, "two per date, one per linked entry");
    let key = |p: &Value| (p["line"].as_u64().unwrap(), p["character"].as_u64().unwrap());
    for (first, last, character) in [(0, 10, 0), (5, 25, 12), (40, 100, 3), (100, 200, 0), (lines - 3, lines, 0)] {
        let (start, end) = (json!({ "line": first, "character": character }), json!({ "line": last, "character": 0 }));
        let expected: Vec<&Value> =
            all.iter().filter(|h| key(&start) <= key(&h["position"]) && key(&h["position"]) <= key(&end)).collect();
        let got = client.request("textDocument/inlayHint", hints(json!({ "start": start, "end": end }))).await;
        let got: Vec<&Value> = got.as_array().unwrap().iter().collect();
        assert_eq!(got, expected, "lines {first}:{character} to {last}");
    }
    client.shutdown().await;
}

/// `semanticTokens/full/delta`: after each of several edits (a key added inside one related
/// entry, a title typed into, an entry deleted, a topic added, an edit that leaves the tokens
/// as they are), the delta applied to the tokens the client holds equals a fresh full result,
/// and a local edit sends a few integers, not the whole array. An unknown id gets full tokens.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn semantic_token_deltas_applied_to_the_previous_tokens_equal_a_full_result() {
    let entries: String = (0..30)
        .map(|i| format!("  - title: \"Entry {i}\"\n    webUrl: \"https://x.example.com/{i}\"\n    provider:\n      name: Wire {i}\n"))
        .collect();
    let mut text = format!("---\ntitle: \"Main\"\ntopics:\n  - AI\nrelated:\n{entries}---\nBody.\n");
    let ws = Workspace::new(&[("main.md", &text)]);
    let mut client = TestClient::in_process();
    let init = client.initialize(push_client_caps(), options(), Some(ws.dir.path())).await;
    assert_eq!(init["capabilities"]["semanticTokensProvider"]["full"], json!({ "delta": true }));
    client.indexed().await;
    let uri = ws.uri("main.md");
    client.open(&uri, &text, 1).await;
    client.diagnostics(&uri, 1).await;
    let doc = json!({ "uri": uri });
    let first = client.request("textDocument/semanticTokens/full", json!({ "textDocument": doc })).await;
    let mut held: Vec<u64> = numbers(&first["data"]);
    let mut id = first["resultId"].as_str().unwrap().to_string();
    assert!(held.len() > 30 * 5 * 3);
    let at_text = |text: &str, needle: &str, delta: usize| at(text, needle, delta);
    let edits: [(&str, usize, &str); 5] = [
        ("    webUrl: \"https://x.example.com/10\"", 0, "    publishedDateTime: 2021-09-26T06:17:00Z\n"),
        ("Entry 3\"", 5, "ish"),
        ("  - title: \"Entry 20\"\n", 0, ""),
        ("  - AI\n", 7, "  - Vaccines\n"),
        ("Body.", 4, " More body."),
    ];
    for (version, (needle, delta, insert)) in (2..).zip(edits) {
        let start = at_text(&text, needle, delta);
        // The third edit deletes the whole entry (four lines) rather than inserting.
        let (end, replacement) = if insert.is_empty() {
            let entry = text.find(needle).unwrap();
            let len = text[entry..].find("  - title: \"Entry 21\"").unwrap();
            (position_of(&text, entry + len), String::new())
        } else {
            (start.clone(), insert.to_string())
        };
        let change = json!([{ "range": { "start": start, "end": end }, "text": replacement }]);
        client.change(&uri, version, change.clone()).await;
        apply_edits(&mut text, &[json!({ "range": change[0]["range"], "newText": replacement })]);
        client.diagnostics(&uri, version).await;
        let params = json!({ "textDocument": doc, "previousResultId": id });
        let delta = client.request("textDocument/semanticTokens/full/delta", params).await;
        let edits = delta["edits"].as_array().unwrap_or_else(|| panic!("a delta, not full tokens: {delta}"));
        let mut sent = 0;
        for edit in edits.iter().rev() {
            let (at, deleted) =
                (edit["start"].as_u64().unwrap() as usize, edit["deleteCount"].as_u64().unwrap() as usize);
            let data = numbers(&edit["data"]);
            sent += data.len();
            held.splice(at..at + deleted, data);
        }
        assert!(sent <= 20, "step {version}: {sent} integers sent for a local edit");
        let full = client.request("textDocument/semanticTokens/full", json!({ "textDocument": doc })).await;
        assert_eq!(held, numbers(&full["data"]), "step {version}");
        assert_eq!(full["resultId"], delta["resultId"], "the same tokens keep their id");
        id = delta["resultId"].as_str().unwrap().to_string();
    }
    let unknown = json!({ "textDocument": doc, "previousResultId": "no such id" });
    let full = client.request("textDocument/semanticTokens/full/delta", unknown).await;
    assert_eq!(numbers(&full["data"]), held, "an unknown id gets the full tokens");
    assert_eq!(full["resultId"].as_str(), Some(id.as_str()), "under their id (the same tokens as last sent)");
    assert_eq!(full.as_object().map(|o| o.len()), Some(2), "resultId and data only: {full}");
    // The tokens kept and patched over the edits equal those of a fresh document with the text.
    let copy = ws.uri("copy.md");
    client.open(&copy, &text, 1).await;
    client.diagnostics(&copy, 1).await;
    assert_eq!(numbers(&full_tokens(&mut client, &copy).await), held, "a fresh document's tokens");
    client.shutdown().await;
}

fn numbers(data: &Value) -> Vec<u64> {
    data.as_array().map(|a| a.iter().map(|v| v.as_u64().unwrap()).collect()).unwrap_or_default()
}

/// Whole-document semantic tokens and inlay hints are serialised past the framework and
/// spliced into its response: over the real binary, with edits, hovers and range requests in
/// flight between them, every answer is a well-formed JSON-RPC response under its own id
/// (numbers and strings), carries no splice ticket, and holds exactly what a fresh server
/// computes for one of the versions sent (the last one once the edits have settled).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spliced_tokens_and_hints_are_whole_responses_under_their_own_ids_amid_other_traffic() {
    let linked = article("Linked", "https://linked.example.com/1", ("Linked Wire", "linked.example.com"), &["AI"]);
    let entries: String = (0..300)
        .map(|i| {
            let url = if i % 7 == 0 { "https://linked.example.com/1".to_string() } else { format!("https://x.example.com/{i}") };
            format!("  - title: \"Entrée {i}\"\n    webUrl: \"{url}\"\n    publishedDateTime: 2021-0{}-1{}T06:17:00+02:00\n", i % 9 + 1, i % 10)
        })
        .collect();
    // Version k has k topics: each version's tokens differ.
    let version = |k: usize| {
        let topics: String = (0..k).map(|t| format!("  - Topic {t}\n")).collect();
        format!(
            "---\ntitle: \"Main\"\npublishedDateTime: 2021-09-26T09:17:00+03:00\ntopics:\n{topics}related:\n{entries}---\nBody.\n"
        )
    };
    let ws = Workspace::new(&[("main.md", &version(1)), ("linked.md", &linked)]);
    let options = json!({ "now": NOW, "inlayHints": { "timeZone": "UTC" } });
    let whole = json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 2000, "character": 0 } });
    let lines = json!({ "start": { "line": 5, "character": 0 }, "end": { "line": 40, "character": 0 } });

    // What a fresh server answers for each version, opened directly.
    let mut fresh = TestClient::in_process();
    fresh.initialize(push_client_caps(), options.clone(), Some(ws.dir.path())).await;
    fresh.indexed().await;
    let mut expected = Vec::new();
    for k in 1..=6 {
        let uri = format!("{}-fresh-{k}.md", ws.uri("main"));
        fresh.open(&uri, &version(k), 1).await;
        let doc = json!({ "uri": uri });
        let full =
            fresh.request("textDocument/semanticTokens/full", json!({ "textDocument": doc })).await["data"].clone();
        let range =
            fresh.request("textDocument/semanticTokens/range", json!({ "textDocument": doc, "range": lines })).await;
        let hints = fresh.request("textDocument/inlayHint", json!({ "textDocument": doc, "range": whole })).await;
        assert!(numbers(&full).len() > 1500 && hints.as_array().unwrap().len() > 300, "a long result");
        expected.push((full, range, hints));
    }
    fresh.shutdown().await;

    let mut client = TestClient::binary();
    client.initialize(push_client_caps(), options, Some(ws.dir.path())).await;
    client.indexed().await;
    let uri = ws.uri("main.md");
    client.open(&uri, &version(1), 1).await;
    let doc = json!({ "uri": uri });
    let mut asked = Vec::new();
    for k in 2..=6 {
        client.change(&uri, k as i64, json!([{ "text": version(k) }])).await;
        let requests = [
            (json!(format!("full-{k}")), "textDocument/semanticTokens/full", json!({ "textDocument": doc })),
            (json!(1000 + k), "textDocument/inlayHint", json!({ "textDocument": doc, "range": whole })),
            (
                json!(2000 + k),
                "textDocument/hover",
                json!({ "textDocument": doc, "position": { "line": 1, "character": 2 } }),
            ),
            (
                json!(format!("range-{k}")),
                "textDocument/semanticTokens/range",
                json!({ "textDocument": doc, "range": lines }),
            ),
        ];
        for (id, method, params) in requests {
            client.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params })).await;
            asked.push((id, method));
        }
    }
    for (id, method) in asked {
        let response = client.wait_for(&format!("{method} {id}"), |m| m["id"] == id && m.get("method").is_none()).await;
        let keys: Vec<&str> = response.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys.len(), 3, "{method}: {response}");
        assert_eq!(response["jsonrpc"], "2.0");
        assert!(response.get("result").is_some(), "{method}: {response}");
        assert!(!response.to_string().contains("spliced"), "{method}: a splice ticket reached the client");
        let result = &response["result"];
        let matches_a_version =
            |pick: fn(&(Value, Value, Value)) -> &Value, got: &Value| expected.iter().any(|e| pick(e) == got);
        match method {
            "textDocument/semanticTokens/full" => {
                assert!(result["resultId"].is_string());
                assert!(matches_a_version(|e| &e.0, &result["data"]), "full tokens of no version sent");
            }
            "textDocument/semanticTokens/range" => assert!(matches_a_version(|e| &e.1, result), "range tokens"),
            "textDocument/inlayHint" => assert!(matches_a_version(|e| &e.2, result), "inlay hints"),
            _ => {}
        }
    }

    // Settled: exactly the last version's.
    client.diagnostics(&uri, 6).await;
    let (full, range, hints) = &expected[5];
    assert_eq!(&client.request("textDocument/semanticTokens/full", json!({ "textDocument": doc })).await["data"], full);
    let got_range =
        client.request("textDocument/semanticTokens/range", json!({ "textDocument": doc, "range": lines })).await;
    assert_eq!(&got_range, range);
    assert_eq!(&client.request("textDocument/inlayHint", json!({ "textDocument": doc, "range": whole })).await, hints);
    client.shutdown().await;
}
