//! The server binary under protocol abuse, driven with raw frames over stdio: malformed frames
//! get a Parse error and the session goes on; `$/…` requests get MethodNotFound; a malformed
//! reply from the client is not a Parse error; `exit` without `shutdown` exits with 1; deeply
//! nested front matter neither crashes `didOpen` nor the indexing of a folder that holds it.

#![allow(clippy::unwrap_used)]

mod raw;

use std::time::Duration;

use raw::{RawServer, frame};
use serde_json::{Value, json};

fn initialize(server: &mut RawServer, root: Option<&std::path::Path>) {
    let root_uri = root.map(raw::file_uri);
    let folders = root_uri.as_ref().map(|uri| json!([{ "uri": uri, "name": "ws" }]));
    let params = json!({ "processId": null, "rootUri": root_uri, "workspaceFolders": folders, "capabilities": { "window": { "workDoneProgress": true } } });
    server.request(1000, "initialize", params);
    server.send(&json!({ "jsonrpc": "2.0", "method": "initialized", "params": {} }));
}

/// A request that any initialised server answers: proof the session is still alive.
fn still_answers(server: &mut RawServer, id: i64) {
    let response = server.request(id, "workspace/symbol", json!({ "query": "" }));
    assert!(response.get("result").is_some(), "{response}");
}

fn is_parse_error(m: &Value) -> bool {
    m["error"]["code"] == -32700 && m["id"].is_null()
}

fn shut_down(mut server: RawServer) -> i32 {
    server.request(9999, "shutdown", Value::Null);
    server.send(&json!({ "jsonrpc": "2.0", "method": "exit" }));
    server.exit_code()
}

/// Each malformed frame, as raw bytes, with a well-formed request right behind it.
fn damaged_frames() -> Vec<(&'static str, Vec<u8>)> {
    let valid = br#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
    let mut too_long = format!("Content-Length: {}\r\n\r\n", valid.len() + 40).into_bytes();
    too_long.extend_from_slice(valid);
    let mut too_short = format!("Content-Length: {}\r\n\r\n", valid.len() - 10).into_bytes();
    too_short.extend_from_slice(valid);
    let mut bad_utf8 = br#"{"jsonrpc":"2.0","method":"x","params":""#.to_vec();
    bad_utf8.extend_from_slice(&[0xff, 0xfe, b'"', b'}']);
    vec![
        ("invalid JSON", frame(b"{\"jsonrpc\":\"2.0\",\"method\":")),
        ("invalid UTF-8", frame(&bad_utf8)),
        ("Content-Length too long", too_long),
        ("Content-Length too short", too_short),
        ("no Content-Length header", b"Content-Type: application/json\r\n\r\n{}".to_vec()),
        ("a body without any header", valid.to_vec()),
        ("a non-numeric Content-Length", b"Content-Length: lots\r\n\r\n{}".to_vec()),
        ("binary garbage", vec![0, 159, 146, 150, 13, 10, 13, 10, 255]),
    ]
}

#[test]
fn malformed_frames_get_a_parse_error_and_the_server_resynchronises() {
    for (case, bytes) in damaged_frames() {
        let mut server = RawServer::start();
        initialize(&mut server, None);
        server.send_raw(&bytes);
        // A too-long frame can only be known as such once the next one arrives.
        still_answers(&mut server, 1);
        let error = server.wait_for(case, is_parse_error);
        assert_eq!(error["jsonrpc"], "2.0", "{case}: {error}");
        assert_eq!(shut_down(server), 0, "{case}");
    }
}

/// A too-long frame sent on its own: the guard must not wait for bytes that never come once
/// the next frame shows up, and must recover that next frame whole.
#[test]
fn a_too_long_frame_followed_later_by_a_good_one() {
    let mut server = RawServer::start();
    initialize(&mut server, None);
    server.send_raw(b"Content-Length: 500\r\n\r\n{\"jsonrpc\":\"2.0\",\"method\":\"initialized\"}");
    std::thread::sleep(Duration::from_millis(200));
    still_answers(&mut server, 2);
    server.wait_for("the parse error", is_parse_error);
    assert_eq!(shut_down(server), 0);
}

#[test]
fn json_that_is_not_a_message_is_an_invalid_request_and_the_session_goes_on() {
    let mut server = RawServer::start();
    initialize(&mut server, None);
    server.send(&json!({ "jsonrpc": "2.0", "id": 7, "method": 42 }));
    let reply = server.wait_for("invalid request", |m| m["id"] == 7);
    assert_eq!(reply["error"]["code"], -32600, "{reply}");
    server.send(&json!([1, 2, 3]));
    server.wait_for("invalid request", |m| m["error"]["code"] == -32600 && m["id"].is_null());
    still_answers(&mut server, 3);
    assert_eq!(shut_down(server), 0);
}

#[test]
fn exit_without_shutdown_exits_with_1_and_after_shutdown_with_0() {
    let mut server = RawServer::start();
    initialize(&mut server, None);
    server.send(&json!({ "jsonrpc": "2.0", "method": "exit" }));
    assert_eq!(server.exit_code(), 1);

    let server = RawServer::start();
    server.send(&json!({ "jsonrpc": "2.0", "method": "exit" }));
    assert_eq!(server.exit_code(), 1, "exit before initialize");

    let mut server = RawServer::start();
    initialize(&mut server, None);
    assert_eq!(shut_down(server), 0);
}

#[test]
fn the_end_of_input_ends_the_server() {
    let mut server = RawServer::start();
    initialize(&mut server, None);
    server.close_input();
    assert_eq!(server.exit_code(), 1, "no shutdown was asked for");
}

/// Issue 9 item 14: `$/…` requests get MethodNotFound; `$/…` notifications are ignored.
#[test]
fn dollar_requests_get_method_not_found() {
    let mut server = RawServer::start();
    initialize(&mut server, None);
    server.send(&json!({ "jsonrpc": "2.0", "method": "$/somethingNew", "params": {} }));
    let reply = server.request(5, "$/somethingNew", json!({}));
    assert_eq!(reply["error"]["code"], -32601, "{reply}");
    let reply = server.request(6, "articleLsp/noSuchMethod", json!({}));
    assert_eq!(reply["error"]["code"], -32601, "{reply}");
    assert!(!server.seen.iter().any(|m| m.get("error").is_some()), "the notification got a reply: {:?}", server.seen);
    assert_eq!(shut_down(server), 0);
}

/// Issue 9 item 14: a malformed reply to `workspace/applyEdit` is not answered with a Parse
/// error; the command that sent the edit fails cleanly and the session goes on.
#[test]
fn a_malformed_apply_edit_reply_fails_the_command_not_the_session() {
    let mut server = RawServer::start();
    initialize(&mut server, None);
    let uri = "file:///tmp/article-lsp-protocol-test/fix.txt";
    let doc = json!({ "uri": uri, "languageId": "markdown", "version": 1, "text": "Organizationâ€™s\n" });
    server.send(&json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": { "textDocument": doc } }));
    server.wait_for("diagnostics", |m| m["method"] == "textDocument/publishDiagnostics");
    let command = json!({ "command": "articleLsp.fixAll", "arguments": [uri] });
    server.send(&json!({ "jsonrpc": "2.0", "id": 8, "method": "workspace/executeCommand", "params": command }));
    let apply = server.wait_for("applyEdit", |m| m["method"] == "workspace/applyEdit");
    // No "jsonrpc" member and both `result` and `error`: not a JSON-RPC response.
    server.send(&json!({ "id": apply["id"], "result": { "applied": true }, "error": { "code": 1 } }));
    let reply = server.wait_for("the command's reply", |m| m["id"] == 8);
    assert!(reply.get("error").is_some(), "{reply}");
    assert!(!server.seen.iter().any(is_parse_error), "{:?}", server.seen);
    still_answers(&mut server, 9);
    assert_eq!(shut_down(server), 0);
}

/// Issue 9 item 5: 10,000 levels of nesting, block and flow, on `didOpen`: a located
/// `yaml-syntax` diagnostic, no crash.
#[test]
fn deeply_nested_front_matter_on_did_open() {
    for (style, text) in [("block", raw::nested_block(10_000)), ("flow", raw::nested_flow(10_000))] {
        let mut server = RawServer::start();
        initialize(&mut server, None);
        let uri = format!("file:///tmp/article-lsp-protocol-test/{style}.md");
        let doc = json!({ "uri": uri, "languageId": "markdown", "version": 1, "text": text });
        server.send(&json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": { "textDocument": doc } }));
        let published = server.wait_for(style, |m| m["method"] == "textDocument/publishDiagnostics");
        let diagnostics = published["params"]["diagnostics"].as_array().unwrap();
        let nesting =
            diagnostics.iter().find(|d| d["code"] == "yaml-syntax").unwrap_or_else(|| panic!("{style}: {published}"));
        assert!(nesting["message"].as_str().unwrap().contains("nest"), "{style}: {nesting}");
        assert!(
            nesting["range"]["start"]["line"].as_u64().unwrap() > 0,
            "{style}: located at the deep point: {nesting}"
        );
        still_answers(&mut server, 1);
        assert_eq!(shut_down(server), 0, "{style}");
    }
}

/// Issue 9 item 5: indexing a folder that merely holds deeply nested files does not crash.
#[test]
fn indexing_a_folder_with_deeply_nested_files() {
    let ws = tempfile::tempdir().unwrap();
    std::fs::write(ws.path().join("block.md"), raw::nested_block(10_000)).unwrap();
    std::fs::write(ws.path().join("flow.md"), raw::nested_flow(10_000)).unwrap();
    std::fs::write(ws.path().join("fine.md"), "---\ntitle: Fine\n---\nBody.\n").unwrap();
    let mut server = RawServer::start();
    initialize(&mut server, Some(ws.path()));
    server.wait_for("indexing to end", |m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end");
    let symbols = server.request(2, "workspace/symbol", json!({ "query": "Fine" }));
    assert!(symbols["result"].to_string().contains("Fine"), "{symbols}");
    assert_eq!(shut_down(server), 0);
}
