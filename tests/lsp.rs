//! End-to-end tests of the language server over real JSON-RPC: in-process over a duplex pipe,
//! and the built binary over stdio.

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

fn article(title: &str, url: &str, provider: (&str, &str), topics: &[&str], related: &str) -> String {
    let topics: String = topics.iter().map(|t| format!("  - {t}\n")).collect();
    format!(
        "---\ntitle: \"{title}\"\npublishedDateTime: 2021-09-26T06:17:00Z\nwebUrl: \"{url}\"\ntype: article\nprovider:\n  name: {}\n  domain: {}\ntopics:\n{topics}{related}---\n",
        provider.0, provider.1
    )
}

/// A workspace of three articles that share topics and providers.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "world/talks.md",
        &article(
            "EU and Moscow hold talks",
            "https://en.trend.az/world/1.html",
            ("Trend News Agency", "trend.az"),
            &["Vaccines", "Diplomacy"],
            "",
        ),
    );
    write(
        "world/vaccines.md",
        &article(
            "Moscow backs recognition",
            "https://www.rferl.org/a/2.html",
            ("Radio Free Europe/Radio Liberty", "rferl.org"),
            &["Vaccines", "Public Health"],
            "",
        ),
    );
    write(
        "science/model.md",
        &article(
            "Open model predicts proteins",
            "https://science.example.org/3",
            ("Science Wire", "science.example.org"),
            &["AI", "Vaccines"],
            "",
        ),
    );
    dir
}

fn codes(diagnostics: &[Value]) -> Vec<String> {
    diagnostics.iter().map(|d| d["code"].as_str().unwrap().to_string()).collect()
}

async fn wait_for_index(client: &mut TestClient) {
    client
        .wait_for("end of indexing progress", |m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end")
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnostics_for_both_article_shapes_with_exact_ranges() {
    let mut client = TestClient::in_process();
    client.initialize(push_client_caps(), options(), None).await;
    let front = "---\ntitle: \"Ζ 😀\"\npublishedDateTime: 2021-02-30T00:00:00Z\nwebUrl: \"https://a.example.com/1\"\nprovider:\n  name: A\n  domain: a.example.com\nrelated:\n  - title: \"R\"\n    webUrl: \"https://b.example.com/2\"\n    excerpt: \"😀 Organizationâ€™s members\"\n---\n";
    client.open("file:///ws/front.md", front, 1).await;
    let diagnostics = client.diagnostics("file:///ws/front.md", 1).await;
    assert_eq!(codes(&diagnostics), ["invalid-date", "mojibake"], "{diagnostics:#?}");
    let date = &diagnostics[0];
    assert_eq!(
        date["range"],
        json!({ "start": { "line": 2, "character": 19 }, "end": { "line": 2, "character": 39 } })
    );
    assert_eq!(date["severity"], 1);
    assert_eq!(date["source"], "article-lsp");
    assert!(date["message"].as_str().unwrap().contains("February 2021 has 28 days"));
    assert!(date["codeDescription"]["href"].as_str().unwrap().ends_with("README.md#invalid-date"));
    // `    excerpt: "😀 Organization` is 29 UTF-16 units (the emoji counts two).
    let mojibake = &diagnostics[1];
    assert_eq!(
        mojibake["range"],
        json!({ "start": { "line": 10, "character": 29 }, "end": { "line": 10, "character": 32 } })
    );
    assert_eq!(mojibake["severity"], 2);

    let plain = " date 2021-03-02 MOSCOW (Wire) A report.\r\n\r\n31.09.2021 - A day that never was\r\n";
    client.open("file:///ws/plain.txt", plain, 7).await;
    let diagnostics = client.diagnostics("file:///ws/plain.txt", 7).await;
    assert_eq!(codes(&diagnostics), ["invalid-date"], "no missing-field for plain text: {diagnostics:#?}");
    assert_eq!(diagnostics[0]["range"]["start"], json!({ "line": 2, "character": 0 }));

    let duplicate = "---\ntitle: a\ntitle: b\n---\n";
    client.open("file:///ws/dup.md", duplicate, 1).await;
    let diagnostics = client.diagnostics("file:///ws/dup.md", 1).await;
    let dup = diagnostics.iter().find(|d| d["code"] == "duplicate-key").unwrap();
    assert_eq!(dup["relatedInformation"][0]["location"]["range"]["start"], json!({ "line": 1, "character": 0 }));

    client.notify("textDocument/didClose", json!({ "textDocument": { "uri": "file:///ws/dup.md" } })).await;
    let closed = client
        .wait_for("empty diagnostics on close", |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == "file:///ws/dup.md"
                && m["params"]["diagnostics"] == json!([])
        })
        .await;
    assert!(closed["params"]["version"].is_null());
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mojibake_quick_fix_applies_and_rechecks_clean() {
    let mut client = TestClient::in_process();
    client.initialize(push_client_caps(), options(), None).await;
    let uri = "file:///ws/fix.txt";
    let mut text = "The Shanghai Cooperation Organizationâ€™s members, cafÃ© owners.\n".to_string();
    client.open(uri, &text, 1).await;
    let diagnostics = client.diagnostics(uri, 1).await;
    assert_eq!(codes(&diagnostics), ["mojibake", "mojibake"]);
    let first = diagnostics[0].clone();
    let actions = client
        .request(
            "textDocument/codeAction",
            json!({ "textDocument": { "uri": uri }, "range": first["range"], "context": { "diagnostics": [first] } }),
        )
        .await;
    let quick_fix = actions.as_array().unwrap().iter().find(|a| a["kind"] == "quickfix").unwrap().clone();
    assert_eq!(quick_fix["isPreferred"], true);
    assert_eq!(quick_fix["title"], "Repair encoding: â€™ → ’", "a menu shows no Markdown");
    let change = &quick_fix["edit"]["documentChanges"][0];
    assert_eq!(change["textDocument"]["version"], 1, "edits are pinned to the document version");
    let edits = change["edits"].as_array().unwrap().clone();
    assert_eq!(edits.len(), 1);
    apply_edits(&mut text, &edits);
    assert_eq!(text, "The Shanghai Cooperation Organization’s members, cafÃ© owners.\n");
    let changes: Vec<Value> = edits.iter().map(|e| json!({ "range": e["range"], "text": e["newText"] })).collect();
    client.change(uri, 2, json!(changes)).await;
    assert_eq!(codes(&client.diagnostics(uri, 2).await), ["mojibake"]);

    // source.fixAll repairs the rest.
    let actions = client
        .request("textDocument/codeAction", json!({ "textDocument": { "uri": uri }, "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } }, "context": { "diagnostics": [], "only": ["source.fixAll"] } }))
        .await;
    let fix_all = &actions[0];
    assert_eq!(fix_all["kind"], "source.fixAll");
    let edits = fix_all["edit"]["documentChanges"][0]["edits"].as_array().unwrap().clone();
    apply_edits(&mut text, &edits);
    assert_eq!(text, "The Shanghai Cooperation Organization’s members, café owners.\n");
    let changes: Vec<Value> = edits.iter().map(|e| json!({ "range": e["range"], "text": e["newText"] })).collect();
    client.change(uri, 3, json!(changes)).await;
    assert_eq!(client.diagnostics(uri, 3).await, Vec::<Value>::new());
    let server = client.request("articleLsp/documentText", json!({ "uri": uri })).await;
    assert_eq!(server["text"], text);
    client.shutdown().await;
}

/// A large `didOpen` reaches the handler past the framework (its text kept by the frame guard):
/// the server holds the exact text, quotes, backslashes and all, and locates findings in it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_opened_document_is_held_exactly() {
    let mut client = TestClient::in_process();
    client.initialize(push_client_caps(), options(), None).await;
    let uri = "file:///ws/large.txt";
    let filler = "A \"quoted\" line with a back\\slash, a tab\tand Zürich.\n".repeat(4_000);
    let text = format!("{filler}Organizationâ€™s members.\n");
    assert!(text.len() > 200_000);
    client.open(uri, &text, 1).await;
    let diagnostics = client.diagnostics(uri, 1).await;
    assert_eq!(codes(&diagnostics), ["mojibake"]);
    assert_eq!(diagnostics[0]["range"]["start"], json!({ "line": 4_000, "character": 12 }));
    let server = client.request("articleLsp/documentText", json!({ "uri": uri })).await;
    assert_eq!(server["text"], text);
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completion_offers_workspace_topics_and_fills_the_provider_domain() {
    let ws = workspace();
    let mut client = TestClient::in_process();
    client.initialize(push_client_caps(), options(), Some(ws.path())).await;
    wait_for_index(&mut client).await;
    let uri = file_uri(&ws.path().join("new.md"));
    let text = "---\ntitle: \"New\"\ntopics:\n  - \nprovider:\n  name: Tr\n---\n";
    client.open(&uri, text, 1).await;
    let topics = client
        .request(
            "textDocument/completion",
            json!({ "textDocument": { "uri": uri }, "position": { "line": 3, "character": 4 } }),
        )
        .await;
    let items = topics["items"].as_array().unwrap();
    let labels: Vec<&str> = items.iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert_eq!(
        &labels[..4],
        ["Vaccines", "AI", "Diplomacy", "Public Health"].as_slice(),
        "ranked by frequency: {labels:?}"
    );
    let vaccines = &items[0];
    assert_eq!(vaccines["detail"], "3 articles");
    // A topic the list already has is not offered again.
    let listed = "---\ntitle: \"Listed\"\ntopics:\n  - Vaccines\n  - \n---\n";
    let listed_uri = file_uri(&ws.path().join("listed.md"));
    client.open(&listed_uri, listed, 1).await;
    let again = client
        .request(
            "textDocument/completion",
            json!({ "textDocument": { "uri": listed_uri }, "position": { "line": 4, "character": 4 } }),
        )
        .await;
    let labels: Vec<&str> = again["items"].as_array().unwrap().iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert_eq!(&labels[..3], ["AI", "Diplomacy", "Public Health"].as_slice(), "{labels:?}");

    let providers = client
        .request(
            "textDocument/completion",
            json!({ "textDocument": { "uri": uri }, "position": { "line": 5, "character": 10 } }),
        )
        .await;
    let trend =
        providers["items"].as_array().unwrap().iter().find(|i| i["label"] == "Trend News Agency").unwrap().clone();
    let mut edited = text.to_string();
    let mut edits = vec![trend["textEdit"].clone()];
    edits.extend(trend["additionalTextEdits"].as_array().cloned().unwrap_or_default());
    apply_edits(&mut edited, &edits);
    assert!(edited.contains("  name: Trend News Agency\n  domain: trend.az\n"), "{edited}");
    assert_eq!(trend["insertTextFormat"], 1, "plain text, so it works without snippets");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hover_and_definition_on_a_related_entry_that_is_in_the_workspace() {
    let ws = workspace();
    let mut client = TestClient::in_process();
    client.initialize(push_client_caps(), options(), Some(ws.path())).await;
    wait_for_index(&mut client).await;
    let related = "related:\n  - title: \"EU and Moscow hold talks\"\n    webUrl: \"https://en.trend.az/world/1.html\"\n    publishedDateTime: 2021-11-28T20:45:00Z\n    provider:\n      name: Trend News Agency\n      domain: trend.az\n";
    let text = article(
        "Citing article",
        "https://www.rferl.org/a/9.html",
        ("Radio Free Europe/Radio Liberty", "rferl.org"),
        &["Vaccines"],
        related,
    );
    let uri = file_uri(&ws.path().join("world/citing.md"));
    std::fs::write(ws.path().join("world/citing.md"), &text).unwrap();
    client.open(&uri, &text, 1).await;
    let dash = text.find("  - title: \"EU").unwrap() + 2;
    let target = file_uri(&ws.path().join("world/talks.md"));
    for offset in [dash, text.find("webUrl: \"https://en.trend").unwrap(), text.find("trend.az\n").unwrap()] {
        let at = position_of(&text, offset);
        let hover =
            client.request("textDocument/hover", json!({ "textDocument": { "uri": uri }, "position": at })).await;
        let card = hover["contents"]["value"].as_str().unwrap_or_default().to_string();
        assert!(card.contains("EU and Moscow hold talks"), "{card}");
        assert!(card.contains("Trend News Agency"), "{card}");
        assert!(card.contains(&target), "a link to open the workspace file: {card}");
        let definition =
            client.request("textDocument/definition", json!({ "textDocument": { "uri": uri }, "position": at })).await;
        assert_eq!(definition[0]["uri"], target.as_str(), "{definition}");
    }
    // The article's own URL does not jump to itself.
    client.diagnostics(&uri, 1).await;
    let own = position_of(&text, text.find("https://www.rferl.org/a/9.html").unwrap());
    let definition =
        client.request("textDocument/definition", json!({ "textDocument": { "uri": uri }, "position": own })).await;
    assert!(definition.is_null(), "{definition}");
    let references = client
        .request("textDocument/references", json!({ "textDocument": { "uri": uri }, "position": position_of(&text, text.find("  - Vaccines").unwrap() + 5), "context": { "includeDeclaration": true } }))
        .await;
    assert!(references.as_array().unwrap().len() >= 3, "{references}");
    let symbols = client.request("workspace/symbol", json!({ "query": "talks" })).await;
    assert_eq!(symbols[0]["name"], "EU and Moscow hold talks");
    let outline = client.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": uri } })).await;
    assert!(outline.as_array().unwrap().iter().any(|s| s["name"] == "related"), "{outline}");
    let folds = client.request("textDocument/foldingRange", json!({ "textDocument": { "uri": uri } })).await;
    assert!(!folds.as_array().unwrap().is_empty());
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn indexing_reports_work_done_progress() {
    let ws = workspace();
    for i in 0..50 {
        std::fs::write(
            ws.path().join(format!("extra-{i}.md")),
            article(&format!("Extra {i}"), &format!("https://x.example.com/{i}"), ("X", "x.example.com"), &["AI"], ""),
        )
        .unwrap();
    }
    let mut client = TestClient::in_process();
    client.initialize(push_client_caps(), options(), Some(ws.path())).await;
    let create = client.wait_for("workDoneProgress/create", |m| m["method"] == "window/workDoneProgress/create").await;
    let token = create["params"]["token"].clone();
    let begin = client
        .wait_for("progress begin", |m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "begin")
        .await;
    assert_eq!(begin["params"]["token"], token);
    let end =
        client.wait_for("progress end", |m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end").await;
    assert_eq!(end["params"]["value"]["message"], "53 articles indexed");
    let registration =
        client.wait_for("watched files registration", |m| m["method"] == "client/registerCapability").await;
    assert_eq!(registration["params"]["registrations"][0]["method"], "workspace/didChangeWatchedFiles");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configuration_reloads_when_the_file_changes() {
    let ws = workspace();
    let config = ws.path().join("article-lsp.toml");
    std::fs::write(&config, "[severity]\nmojibake = \"error\"\n").unwrap();
    let mut client = TestClient::in_process();
    client.initialize(push_client_caps(), options(), Some(ws.path())).await;
    let uri = file_uri(&ws.path().join("note.txt"));
    client.open(&uri, "cafÃ©\n", 1).await;
    let diagnostics = client.diagnostics(&uri, 1).await;
    assert_eq!(diagnostics[0]["severity"], 1, "the configuration made mojibake an error");

    std::fs::write(&config, "[severity]\nmojibake = \"off\"\n").unwrap();
    client
        .notify("workspace/didChangeWatchedFiles", json!({ "changes": [{ "uri": file_uri(&config), "type": 2 }] }))
        .await;
    let reloaded = client
        .wait_for("re-published diagnostics", |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri.as_str()
                && m["params"]["diagnostics"] == json!([])
        })
        .await;
    assert_eq!(reloaded["params"]["version"], 1);

    std::fs::write(&config, "[severity]\nmojibake = \"loud\"\n").unwrap();
    client
        .notify("workspace/didChangeWatchedFiles", json!({ "changes": [{ "uri": file_uri(&config), "type": 2 }] }))
        .await;
    let config_uri = file_uri(&config);
    let errors = client
        .wait_for("diagnostics on the configuration file", |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == config_uri.as_str()
                && m["params"]["diagnostics"] != json!([])
        })
        .await;
    let error = &errors["params"]["diagnostics"][0];
    assert!(error["message"].as_str().unwrap().contains("invalid severity `loud`"), "{error}");
    assert_eq!(error["range"]["start"], json!({ "line": 1, "character": 12 }));

    // Editor settings override the file.
    client
        .notify(
            "workspace/didChangeConfiguration",
            json!({ "settings": { "articleLsp": { "now": NOW, "severity": { "mojibake": "hint" } } } }),
        )
        .await;
    let hinted = client
        .wait_for("diagnostics under the new settings", |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri.as_str()
                && m["params"]["diagnostics"][0]["severity"] == 4
        })
        .await;
    assert_eq!(hinted["params"]["version"], 1);
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn position_encoding_is_negotiated() {
    for (offered, expected, character) in
        [(json!(["utf-8", "utf-16"]), "utf-8", 18), (json!(["utf-32"]), "utf-32", 11), (json!([]), "utf-16", 12)]
    {
        let mut client = TestClient::in_process();
        let mut caps = push_client_caps();
        caps["general"]["positionEncodings"] = offered;
        let init = client.initialize(caps, options(), None).await;
        assert_eq!(init["capabilities"]["positionEncoding"], expected);
        // `中文 😀 Lavrov` before the mojibake: 11 chars, 12 UTF-16 units, 18 bytes.
        client.open("file:///ws/enc.txt", "中文 😀 Lavrovâ€™s\n", 1).await;
        let diagnostics = client.diagnostics("file:///ws/enc.txt", 1).await;
        assert_eq!(diagnostics[0]["range"]["start"]["character"], character, "{expected}");
        client.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_clients_get_no_pushed_diagnostics() {
    let mut client = TestClient::in_process();
    let mut caps = push_client_caps();
    caps["textDocument"]["diagnostic"] = json!({ "dynamicRegistration": false });
    client.initialize(caps, options(), None).await;
    client.open("file:///ws/pull.txt", "cafÃ©\n", 1).await;
    let report =
        client.request("textDocument/diagnostic", json!({ "textDocument": { "uri": "file:///ws/pull.txt" } })).await;
    assert_eq!(report["kind"], "full");
    assert_eq!(codes(report["items"].as_array().unwrap()), ["mojibake"]);
    // A front matter edit, pulled at once: the answer describes the new version.
    let front = "---\ntitle: a\ntitle: b\n---\ncafÃ©\n";
    client.change("file:///ws/pull.txt", 2, json!([{ "text": front }])).await;
    let report =
        client.request("textDocument/diagnostic", json!({ "textDocument": { "uri": "file:///ws/pull.txt" } })).await;
    let found = codes(report["items"].as_array().unwrap());
    assert!(found.contains(&"duplicate-key".to_string()) && found.contains(&"mojibake".to_string()), "{found:?}");
    client.drain(Duration::from_millis(300)).await;
    assert!(!client.seen.iter().any(|m| m["method"] == "textDocument/publishDiagnostics"), "pushed to a pull client");
    client.shutdown().await;
}

/// Random edits, sent in a burst without waiting: the server's text must equal the client's,
/// and the last diagnostics must carry the last version.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_random_incremental_edits_keeps_text_and_versions_in_sync() {
    let mut client = TestClient::in_process();
    client.initialize(push_client_caps(), options(), None).await;
    let uri = "file:///ws/burst.md";
    let mut text =
        "---\ntitle: \"Burst\"\npublishedDateTime: 2021-09-26T06:17:00Z\n---\nBody line one\r\nline two 😀\n"
            .to_string();
    client.open(uri, &text, 1).await;
    let pieces = ["a", "é", "😀", "中文", "\n", "\r\n", "\r", "â€™", "2021-02-30 ", "", "---\n", " ", "Zürich"];
    let mut seed: u64 = 0x9e3779b97f4a7c15;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let edits = 1_000;
    for version in 2..2 + edits {
        let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
        let a = boundaries[next() as usize % boundaries.len()];
        let b = boundaries[next() as usize % boundaries.len()];
        let (start, end) = (a.min(b), a.max(b));
        let end = if end - start > 20 { start } else { end };
        let insert = pieces[next() as usize % pieces.len()];
        let range = json!({ "start": position_of(&text, start), "end": position_of(&text, end) });
        text.replace_range(start..end, insert);
        client.change(uri, version as i64, json!([{ "range": range, "text": insert }])).await;
    }
    let last = (1 + edits) as i64;
    let server = client.request("articleLsp/documentText", json!({ "uri": uri })).await;
    assert_eq!(server["version"], last);
    assert_eq!(server["text"].as_str().unwrap(), text, "the server's text differs from the client's");
    // Everything published, in arrival order: versions never go back, and the last is the last.
    client.drain(Duration::from_millis(500)).await;
    let versions: Vec<i64> = client
        .seen
        .iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri)
        .map(|m| m["params"]["version"].as_i64().unwrap())
        .collect();
    assert_eq!(versions.last(), Some(&last), "{versions:?}");
    assert!(
        versions.windows(2).all(|w| w[0] < w[1]),
        "diagnostics of an older version after a newer one: {versions:?}"
    );
    client.shutdown().await;
}

/// The built binary over stdio: the same protocol, and `shutdown` + `exit` end the process
/// promptly even while a large workspace is still being indexed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_serves_stdio_and_exits_promptly_while_indexing() {
    let ws = tempfile::tempdir().unwrap();
    let body = article("Many", "https://m.example.com/x", ("M", "m.example.com"), &["AI"], "");
    for i in 0..3_000 {
        std::fs::write(ws.path().join(format!("a{i}.md")), &body).unwrap();
    }
    let mut client = TestClient::binary();
    client.initialize(push_client_caps(), options(), Some(ws.path())).await;
    client
        .wait_for("indexing has begun", |m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "begin")
        .await;
    let uri = file_uri(&ws.path().join("open.txt"));
    client.open(&uri, "Organizationâ€™s\n", 1).await;
    assert_eq!(codes(&client.diagnostics(&uri, 1).await), ["mojibake"]);
    let took = client.shutdown().await.unwrap();
    assert!(took < Duration::from_secs(2), "exit took {took:?}");
}

#[test]
fn file_uris_are_percent_encoded() {
    assert_eq!(file_uri(Path::new("/a b/ü.md")), "file:///a%20b/%C3%BC.md");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quick_fixes_insert_missing_fields_and_apply_suggestions() {
    let mut client = TestClient::in_process();
    client.initialize(push_client_caps(), options(), None).await;
    let uri = "file:///ws/missing.md";
    let mut text =
        "---\ntitel: \"Port\"\nwebUrl: \"https://port.example.com/a\"\nprovider:\n  name: Port\ntopics:\n  - AI\n---\n"
            .to_string();
    client.open(uri, &text, 1).await;
    let diagnostics = client.diagnostics(uri, 1).await;
    assert_eq!(
        codes(&diagnostics),
        ["missing-field", "missing-field", "unknown-field", "missing-field"],
        "{diagnostics:#?}"
    );
    let mut version = 1;
    let mut last = Vec::new();
    for title in ["Insert `publishedDateTime`", "Insert `domain`", "Rename to `title`"] {
        let whole = json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 9, "character": 0 } });
        let actions = client
            .request(
                "textDocument/codeAction",
                json!({ "textDocument": { "uri": uri }, "range": whole, "context": { "diagnostics": [] } }),
            )
            .await;
        let action = actions
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["title"] == title)
            .unwrap_or_else(|| panic!("no `{title}` in {actions:#}"))
            .clone();
        let edits = action["edit"]["documentChanges"][0]["edits"].as_array().unwrap().clone();
        apply_edits(&mut text, &edits);
        version += 1;
        let changes: Vec<Value> = edits.iter().map(|e| json!({ "range": e["range"], "text": e["newText"] })).collect();
        client.change(uri, version, json!(changes)).await;
        last = client.diagnostics(uri, version).await;
    }
    assert_eq!(
        text,
        "---\ntitle: \"Port\"\nwebUrl: \"https://port.example.com/a\"\nprovider:\n  name: Port\n  domain: \"\"\ntopics:\n  - AI\npublishedDateTime: 2026-01-01T00:00:00Z\n---\n"
    );
    assert_eq!(codes(&last), ["missing-field"], "only the empty domain is left: {last:#?}");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workspace_checks_follow_the_index() {
    let ws = workspace();
    // A copy of talks.md under another name shares its URL; its topic is a variant spelling.
    let copy = article(
        "Copy of the talks",
        "https://en.trend.az/world/1.html",
        ("Trend News Agency", "trend.az"),
        &["vaccines"],
        "",
    );
    std::fs::write(ws.path().join("world/copy.md"), &copy).unwrap();
    std::fs::write(ws.path().join("legacy.txt"), b"Caf\xe9 owners in Z\xfcrich\n").unwrap();
    let mut client = TestClient::in_process();
    client.initialize(push_client_caps(), options(), Some(ws.path())).await;
    wait_for_index(&mut client).await;
    let uri = file_uri(&ws.path().join("world/copy.md"));
    client.open(&uri, &copy, 1).await;
    let diagnostics = client.diagnostics(&uri, 1).await;
    let mut found = codes(&diagnostics);
    found.sort();
    assert_eq!(found, ["duplicate-url", "topic-variant"], "{diagnostics:#?}");
    let duplicate = diagnostics.iter().find(|d| d["code"] == "duplicate-url").unwrap();
    let other = &duplicate["relatedInformation"][0]["location"];
    assert_eq!(other["uri"], file_uri(&ws.path().join("world/talks.md")));
    assert_eq!(other["range"]["start"]["line"], 3, "points at the other file's webUrl: {other}");
    let variant = diagnostics.iter().find(|d| d["code"] == "topic-variant").unwrap();
    assert!(variant["message"].as_str().unwrap().contains("Vaccines"), "{variant}");

    // Unopened files are reported through workspace/diagnostic.
    let report = client.request("workspace/diagnostic", json!({ "previousResultIds": [] })).await;
    let talks = file_uri(&ws.path().join("world/talks.md"));
    let entry = report["items"].as_array().unwrap().iter().find(|i| i["uri"] == talks.as_str()).unwrap();
    assert_eq!(codes(entry["items"].as_array().unwrap()), ["duplicate-url"]);
    // A file that is not UTF-8 is indexed (transcoded) and reported, not skipped.
    let legacy = file_uri(&ws.path().join("legacy.txt"));
    let entry = report["items"].as_array().unwrap().iter().find(|i| i["uri"] == legacy.as_str()).unwrap();
    assert_eq!(codes(entry["items"].as_array().unwrap()), ["not-utf8"]);
    // A second pull with the result ids of the first: nothing changed, nothing is re-sent.
    let previous: Vec<Value> = report["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| json!({ "uri": i["uri"], "value": i["resultId"] }))
        .collect();
    let again = client.request("workspace/diagnostic", json!({ "previousResultIds": previous })).await;
    let kinds: Vec<&str> = again["items"].as_array().unwrap().iter().map(|i| i["kind"].as_str().unwrap()).collect();
    assert!(!kinds.is_empty() && kinds.iter().all(|k| *k == "unchanged"), "{again:#}");

    // Deleting the other file updates the index and the open document's diagnostics.
    std::fs::remove_file(ws.path().join("world/talks.md")).unwrap();
    client.notify("workspace/didChangeWatchedFiles", json!({ "changes": [{ "uri": talks, "type": 3 }] })).await;
    client
        .wait_for("empty diagnostics for the deleted file", |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == talks.as_str()
                && m["params"]["diagnostics"] == json!([])
        })
        .await;
    let after = client
        .wait_for("re-published diagnostics", |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri.as_str()
                && m["params"]["version"] == 1
        })
        .await;
    let remaining: Vec<Value> = after["params"]["diagnostics"].as_array().unwrap().clone();
    assert!(!codes(&remaining).contains(&"duplicate-url".to_string()), "{remaining:#?}");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_configuration_is_shown_on_the_file_at_startup() {
    let ws = workspace();
    let config = ws.path().join("article-lsp.toml");
    std::fs::write(&config, "[schema]\nrequird = [\"title\"]\n").unwrap();
    let mut client = TestClient::in_process();
    client.initialize(push_client_caps(), options(), Some(ws.path())).await;
    let config_uri = file_uri(&config);
    let errors = client
        .wait_for("diagnostics on the configuration file", |m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == config_uri.as_str()
        })
        .await;
    let error = &errors["params"]["diagnostics"][0];
    assert!(error["message"].as_str().unwrap().contains("unknown field `requird`"), "{error}");
    assert_eq!(error["range"]["start"], json!({ "line": 1, "character": 0 }));
    // Articles are still checked, with the defaults.
    let uri = file_uri(&ws.path().join("note.txt"));
    client.open(&uri, "cafÃ©\n", 1).await;
    assert_eq!(codes(&client.diagnostics(&uri, 1).await), ["mojibake"]);
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reopening_a_document_never_shows_the_old_text_s_findings() {
    let mut client = TestClient::in_process();
    client.initialize(push_client_caps(), options(), None).await;
    let uri = "file:///ws/reopen.txt";
    // A large first text keeps its analysis busy while the document is closed and reopened
    // with the same version number.
    let old = format!("2021-02-30 impossible\n{}", "plain line of text\n".repeat(60_000));
    client.open(uri, &old, 1).await;
    client.notify("textDocument/didClose", json!({ "textDocument": { "uri": uri } })).await;
    client.open(uri, "cafÃ©\n", 1).await;
    // Long enough for the first text's analysis to finish and be (wrongly or rightly) installed.
    client.drain(Duration::from_millis(4000)).await;
    let published: Vec<Vec<String>> = client
        .seen
        .iter()
        .filter(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri && m["params"]["version"] == 1
        })
        .map(|m| codes(m["params"]["diagnostics"].as_array().unwrap()))
        .collect();
    assert_eq!(published.last(), Some(&vec!["mojibake".to_string()]), "{published:?}");
    assert!(published.iter().all(|c| !c.contains(&"invalid-date".to_string())), "old findings shown: {published:?}");
    client.shutdown().await;
}
