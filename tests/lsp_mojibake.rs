//! The mojibake repairs through the language server over real JSON-RPC: the safe quick-fix,
//! the guess quick-fix for a lost character (offered, never preferred, never in fix-all), and
//! C1 leftovers that are repaired rather than deleted; and every fixture of
//! `tests/fixtures/mojibake-*/` through the server's quick-fixes (`<name>.txt.lsp` beside it;
//! `UPDATE_EXPECT=1` rewrites them).

#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

mod support;

#[path = "common/mojibake_fixtures.rs"]
mod mojibake_fixtures;
use mojibake_fixtures::sibling;

use expect_test::expect_file;
use serde_json::{Value, json};
use support::{TestClient, apply_edits, push_client_caps};

fn options() -> Value {
    json!({ "now": "2026-01-01T00:00:00Z" })
}

fn codes(diagnostics: &[Value]) -> Vec<&str> {
    diagnostics.iter().map(|d| d["code"].as_str().unwrap()).collect()
}

async fn quick_fixes(client: &mut TestClient, uri: &str, diagnostic: &Value) -> Vec<Value> {
    let params = json!({ "textDocument": { "uri": uri }, "range": diagnostic["range"], "context": { "diagnostics": [diagnostic] } });
    let actions = client.request("textDocument/codeAction", params).await;
    actions.as_array().unwrap().iter().filter(|a| a["kind"] == "quickfix").cloned().collect()
}

fn edits_of(action: &Value) -> Vec<Value> {
    action["edit"]["documentChanges"][0]["edits"].as_array().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_byte_is_repaired_as_u_fffd_and_the_guess_is_a_separate_quick_fix() {
    let mut client = TestClient::in_process();
    client.initialize(push_client_caps(), options(), None).await;
    let uri = "file:///ws/lost.txt";
    let text = "The minister called the â€œofficialâ€? figure wrong.\n";
    client.open(uri, text, 1).await;
    let diagnostics = client.diagnostics(uri, 1).await;
    assert_eq!(codes(&diagnostics), ["mojibake", "mojibake"], "{diagnostics:#?}");

    let fixes = quick_fixes(&mut client, uri, &diagnostics[1]).await;
    assert_eq!(fixes.len(), 2, "{fixes:#?}");
    let (safe, guess) = (&fixes[0], &fixes[1]);
    assert_eq!(safe["isPreferred"], true);
    assert_eq!(guess["isPreferred"], false);
    assert!(guess["title"].as_str().unwrap().contains("guess"), "{guess}");
    let mut with_safe = text.to_string();
    apply_edits(&mut with_safe, &edits_of(safe));
    assert!(with_safe.contains("â€œofficial\u{FFFD} figure"), "{with_safe:?}");
    let mut with_guess = text.to_string();
    apply_edits(&mut with_guess, &edits_of(guess));
    assert!(with_guess.contains("â€œofficial” figure"), "{with_guess:?}");

    // The first run has no lost byte: no guess is offered for it.
    assert_eq!(quick_fixes(&mut client, uri, &diagnostics[0]).await.len(), 1);

    // Fix-all applies only the safe repairs: the lost character stays U+FFFD.
    let params = json!({ "textDocument": { "uri": uri }, "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } }, "context": { "diagnostics": [], "only": ["source.fixAll"] } });
    let actions = client.request("textDocument/codeAction", params).await;
    let mut fixed = text.to_string();
    apply_edits(&mut fixed, &edits_of(&actions[0]));
    assert_eq!(fixed, "The minister called the “official\u{FFFD} figure wrong.\n");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn context_decides_the_guess_for_single_quotes_and_dashes() {
    let mut client = TestClient::in_process();
    client.initialize(push_client_caps(), options(), None).await;
    let uri = "file:///ws/guesses.txt";
    let text = "It’s ‘provisionalâ€\u{FFFD} for now; turnout rose 1990â€\u{FFFD}2004 and rents â€\u{FFFD} fell.\n";
    client.open(uri, text, 1).await;
    let diagnostics = client.diagnostics(uri, 1).await;
    let mojibake: Vec<&Value> = diagnostics.iter().filter(|d| d["code"] == "mojibake").collect();
    assert_eq!(mojibake.len(), 3, "{diagnostics:#?}");
    let mut guessed = Vec::new();
    for d in mojibake {
        let fixes = quick_fixes(&mut client, uri, d).await;
        assert_eq!(fixes.len(), 2, "the safe repair and the guess: {fixes:#?}");
        assert_eq!(fixes[1]["isPreferred"], false);
        assert!(fixes[1]["title"].as_str().unwrap().contains("guess"), "{:?}", fixes[1]);
        guessed.push(edits_of(&fixes[1])[0]["newText"].as_str().unwrap().to_string());
    }
    assert_eq!(guessed, ["’", "–", "—"]);
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c1_leftovers_are_repaired_as_windows_1252_and_never_deleted() {
    let mut client = TestClient::in_process();
    client.initialize(push_client_caps(), options(), None).await;
    let uri = "file:///ws/c1.txt";
    let text = "She said \u{93}quoted\u{94} and left\u{85}\n";
    client.open(uri, text, 1).await;
    let diagnostics = client.diagnostics(uri, 1).await;
    assert_eq!(codes(&diagnostics), ["mojibake", "mojibake", "mojibake"], "{diagnostics:#?}");
    let mut fixed = text.to_string();
    for d in &diagnostics {
        let fixes = quick_fixes(&mut client, uri, d).await;
        assert_eq!(fixes.len(), 1, "one repair, no deletion: {fixes:#?}");
        assert!(!edits_of(&fixes[0])[0]["newText"].as_str().unwrap().is_empty());
    }
    let params = json!({ "textDocument": { "uri": uri }, "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } }, "context": { "diagnostics": [], "only": ["source.fixAll"] } });
    let actions = client.request("textDocument/codeAction", params).await;
    apply_edits(&mut fixed, &edits_of(&actions[0]));
    assert_eq!(fixed, "She said “quoted” and left…\n");
    client.shutdown().await;
}

fn position(p: &Value) -> String {
    format!("{}:{}", p["line"], p["character"])
}

/// Each fixture through the server: every `mojibake` finding's range and quick-fixes (title,
/// preferred or not, replacement text) against `<name>.txt.lsp`, and the text after applying
/// every preferred quick-fix against what `fix --only mojibake` prints (`.stdout-fixed`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fixture_through_the_servers_quick_fixes() {
    let mut client = TestClient::in_process();
    client.initialize(push_client_caps(), options(), None).await;
    for (n, path) in mojibake_fixtures::inputs().iter().enumerate() {
        let text = std::fs::read_to_string(path).unwrap();
        let uri = format!("file:///ws/fixture{n}.txt");
        client.open(&uri, &text, 1).await;
        let diagnostics = client.diagnostics(&uri, 1).await;
        let mut report = String::new();
        let mut preferred = Vec::new();
        for d in diagnostics.iter().filter(|d| d["code"] == "mojibake") {
            let range = &d["range"];
            report.push_str(&format!("{}-{}\n", position(&range["start"]), position(&range["end"])));
            for fix in quick_fixes(&mut client, &uri, d).await {
                let edits = edits_of(&fix);
                let new_text: Vec<&str> = edits.iter().map(|e| e["newText"].as_str().unwrap()).collect();
                let star = if fix["isPreferred"] == true { "*" } else { " " };
                report.push_str(&format!("  {star} {} => {new_text:?}\n", fix["title"].as_str().unwrap()));
                if fix["isPreferred"] == true {
                    preferred.extend(edits);
                }
            }
        }
        if report.is_empty() {
            report.push_str("(no mojibake findings)\n");
        }
        expect_file![sibling(path, ".lsp")].assert_eq(&report);
        let mut fixed = text.clone();
        apply_edits(&mut fixed, &preferred);
        let expected = std::fs::read_to_string(sibling(path, ".stdout-fixed")).unwrap();
        assert_eq!(fixed, expected, "{}: the preferred quick-fixes differ from `fix`", path.display());
    }
    client.shutdown().await;
}
