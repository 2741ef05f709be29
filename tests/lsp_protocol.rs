//! The server binary under protocol abuse, driven with raw frames over stdio: malformed frames
//! get a Parse error and the session goes on; `$/…` requests get MethodNotFound; a malformed
//! reply from the client is not a Parse error; `exit` without `shutdown` exits with 1; deeply
//! nested front matter neither crashes `didOpen` nor the indexing of a folder that holds it.

#![allow(clippy::unwrap_used)]

mod raw;

use std::process::Command;
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

/// Security: the server reads only inside its workspace folder (and configuration), follows no
/// symlink or `file:` link out of it, fetches no URL and runs no program, even when every
/// feature is exercised on an article full of links. Under strace (when installed) every
/// `open` and `execve` of the session is checked too.
#[test]
fn the_server_stays_inside_its_workspace() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.md"), "---\ntitle: Secret\n---\nHidden.\n").unwrap();
    let ws = tempfile::tempdir().unwrap();
    let root = ws.path().canonicalize().unwrap();
    std::os::unix::fs::symlink(outside.path(), root.join("linked-dir")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.md"), root.join("linked.md")).unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://127.0.0.1:{}/story", listener.local_addr().unwrap().port());
    let secret = format!("file://{}/secret.md", outside.path().display());
    let text = format!(
        "---\ntitle: Links\npublishedDateTime: 2024-01-01T00:00:00Z\nwebUrl: {url}\nprovider:\n  name: P\n  domain: 127.0.0.1\nrelated:\n  - title: Out\n    webUrl: {secret}\n  - title: Up\n    webUrl: ../../etc/passwd\n---\nSee {url} and {secret}.\n"
    );
    std::fs::write(root.join("links.md"), &text).unwrap();
    // Programs the server might be tempted to run: each leaves a mark if it is.
    let bin = tempfile::tempdir().unwrap();
    let mark = bin.path().join("ran");
    for name in ["sh", "bash", "git", "curl", "wget", "xdg-open", "open", "python3", "node", "article-lsp"] {
        let path = bin.path().join(name);
        std::fs::write(&path, format!("#!/bin/sh\necho {name} >> {}\n", mark.display())).unwrap();
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    }
    let trace = bin.path().join("trace");
    let strace = ["/usr/bin/strace", "/bin/strace"].into_iter().find(|p| std::path::Path::new(p).exists());
    let traced = strace.is_some();
    let mut command = if let Some(strace) = strace {
        let mut c = Command::new(strace);
        c.args(["-f", "-qq", "-e", "trace=execve,open,openat,connect", "-o"]).arg(&trace);
        c.arg(env!("CARGO_BIN_EXE_article-lsp"));
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_article-lsp"))
    };
    command.env("PATH", bin.path()).env("HOME", bin.path()).current_dir(&root);

    let mut server = RawServer::spawn(command);
    initialize(&mut server, Some(&root));
    server.wait_for("indexing to end", |m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end");
    let uri = raw::file_uri(&root.join("links.md"));
    let doc = json!({ "uri": uri, "languageId": "markdown", "version": 1, "text": text });
    server.send(&json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": { "textDocument": doc } }));
    server.wait_for("diagnostics", |m| m["method"] == "textDocument/publishDiagnostics");
    let mut id = 10;
    for (line, character) in [(3, 12), (9, 15), (11, 15), (13, 8), (13, 40)] {
        let at = json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } });
        for method in ["textDocument/hover", "textDocument/definition", "textDocument/references"] {
            let mut params = at.clone();
            params["context"] = json!({ "includeDeclaration": true });
            server.request(id, method, params);
            id += 1;
        }
    }
    for method in ["textDocument/documentLink", "textDocument/documentSymbol", "textDocument/codeAction"] {
        let range = json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 14, "character": 0 } });
        let params = json!({ "textDocument": { "uri": uri }, "range": range, "context": { "diagnostics": [] } });
        server.request(id, method, params);
        id += 1;
    }
    let symbols = server.request(id, "workspace/symbol", json!({ "query": "Secret" }));
    assert_eq!(symbols["result"].as_array().map_or(0, Vec::len), 0, "a file outside the workspace: {symbols}");
    assert_eq!(shut_down(server), 0);

    assert!(listener.accept().is_err(), "the server connected to a URL it was shown");
    assert!(!mark.exists(), "the server ran {}", std::fs::read_to_string(&mark).unwrap_or_default());
    if traced {
        assert_trace_stays_inside(&std::fs::read_to_string(&trace).unwrap(), &root);
    }
}

/// Every `execve` is the server's own start; no `connect`; every file opened is the workspace,
/// system files (libraries, /proc, /sys, the time zone database) or the configuration lookup.
/// A file opened by name in a directory the server holds open (`openat(11, "a.md", ...)`) is
/// judged by that directory's path, as traced when it was opened.
fn assert_trace_stays_inside(trace: &str, root: &std::path::Path) {
    let root = root.to_string_lossy();
    // The time zone database is read for inlay hints in the configured display time zone.
    let system = [
        "/proc/",
        "/sys/",
        "/etc/ld.so",
        "/lib",
        "/usr/lib",
        "/dev/null",
        "/dev/urandom",
        "/usr/share/zoneinfo",
        "/etc/localtime",
    ];
    let mut execs = 0;
    // What each open descriptor names, and the path of an open whose result comes on a later
    // line (`<unfinished ...>`, then `<... openat resumed>`), by process.
    let mut named: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut unfinished: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for line in trace.lines() {
        if line.contains("execve(") && !line.contains("= -1") {
            execs += 1;
        }
        assert!(!line.contains("connect("), "the server connected somewhere: {line}");
        let pid = line.split_whitespace().next().unwrap_or_default().to_string();
        let descriptor =
            line.rsplit_once(") = ").and_then(|(_, r)| r.split_whitespace().next()).filter(|r| is_number(r));
        if line.contains("<... open") {
            if let (Some(path), Some(fd)) = (unfinished.remove(&pid), descriptor) {
                named.insert(fd.to_string(), path);
            }
            continue;
        }
        let Some(written) = line.split('"').nth(1).filter(|_| line.contains("open")) else { continue };
        if line.contains("= -1") {
            continue;
        }
        let relative_to = line.split_once("openat(").and_then(|(_, r)| r.split(',').next()).filter(|d| is_number(d));
        let path = match relative_to {
            Some(directory) => {
                let Some(directory) = named.get(directory) else {
                    panic!("the server opened a file in a directory it was not traced opening: {line}");
                };
                assert!(!written.split('/').any(|c| c == ".."), "the server opened a name with `..`: {line}");
                format!("{directory}/{written}")
            }
            None => written.to_string(),
        };
        let allowed = path.starts_with(&*root) || system.iter().any(|s| path.starts_with(s));
        assert!(allowed, "the server opened a file outside its workspace: {line} ({path})");
        match descriptor {
            Some(fd) => drop(named.insert(fd.to_string(), path)),
            None if line.contains("<unfinished") => drop(unfinished.insert(pid, path)),
            None => {}
        }
    }
    assert_eq!(execs, 1, "the server ran a program:\n{trace}");
}

/// The trace check follows descriptors: a name opened in a directory inside the workspace
/// passes, one in a directory outside it (or one never traced, or with `..`) does not.
#[test]
fn the_trace_check_judges_names_by_their_directory() {
    let root = std::path::Path::new("/w");
    let inside = "9  openat(AT_FDCWD, \"/w/d\", O_RDONLY|O_CLOEXEC|O_DIRECTORY) = 11\n\
                  9  execve(\"/bin/s\", [\"s\"], 0x0 /* 1 var */) = 0\n\
                  9  openat(11, \"a.md\", O_RDONLY|O_NONBLOCK) = 12\n\
                  8  openat(AT_FDCWD, \"/w/e\", O_RDONLY|O_DIRECTORY <unfinished ...>\n\
                  8  <... openat resumed>) = 13\n\
                  8  openat(13, \"b.md\", O_RDONLY|O_NONBLOCK) = 14\n";
    assert_trace_stays_inside(inside, root);
    let escapes = [
        "9  openat(AT_FDCWD, \"/home\", O_RDONLY|O_DIRECTORY) = 11\n9  openat(11, \"x.md\", O_RDONLY) = 12\n",
        "9  openat(7, \"x.md\", O_RDONLY) = 12\n",
        "9  openat(AT_FDCWD, \"/w/d\", O_RDONLY|O_DIRECTORY) = 11\n9  openat(11, \"../../x\", O_RDONLY) = 12\n",
    ];
    for trace in escapes {
        let exec = "9  execve(\"/bin/s\", [\"s\"], 0x0 /* 1 var */) = 0\n";
        let judged = std::panic::catch_unwind(|| assert_trace_stays_inside(&format!("{exec}{trace}"), root));
        assert!(judged.is_err(), "not refused: {trace}");
    }
}

fn is_number(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// Frames that arrive a byte at a time, and several frames in one write, are split correctly.
#[test]
fn frames_split_across_reads_or_packed_together() {
    let mut server = RawServer::start();
    let init = json!({ "jsonrpc": "2.0", "id": 1, "method": "initialize", "params": { "capabilities": {} } });
    for byte in frame(init.to_string().as_bytes()) {
        server.send_raw(&[byte]);
        std::thread::sleep(Duration::from_micros(200));
    }
    server.wait_for("initialize", |m| m["id"] == 1);
    let mut packed = frame(json!({ "jsonrpc": "2.0", "method": "initialized", "params": {} }).to_string().as_bytes());
    for id in 2..5 {
        let request = json!({ "jsonrpc": "2.0", "id": id, "method": "workspace/symbol", "params": { "query": "" } });
        packed.extend(frame(request.to_string().as_bytes()));
    }
    server.send_raw(&packed);
    for id in 2..5 {
        let reply = server.wait_for("a packed request", |m| m["id"] == id);
        assert!(reply.get("result").is_some(), "{reply}");
    }
    assert_eq!(shut_down(server), 0);
}
