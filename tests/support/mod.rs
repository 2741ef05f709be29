//! A small LSP client for tests: drives the real server over JSON-RPC, either in-process over
//! a duplex pipe or as the built binary over stdio. Server-to-client requests are answered
//! automatically (and kept, so tests can inspect them).

#![allow(dead_code, clippy::unwrap_used)]

use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use article_lsp::line_index::{LineCol, LineIndex, PositionEncoding};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::{Mutex, mpsc};

type Writer = Arc<Mutex<Box<dyn AsyncWrite + Unpin + Send>>>;

/// How long any awaited message may take before the test fails.
pub const TIMEOUT: Duration = Duration::from_secs(20);

pub struct TestClient {
    writer: Writer,
    inbox: mpsc::UnboundedReceiver<Value>,
    /// Messages read but not yet consumed by a `wait_for`.
    pub seen: Vec<Value>,
    next_id: i64,
    pub child: Option<tokio::process::Child>,
}

impl TestClient {
    /// The server in this process, over an in-memory pipe.
    pub fn in_process() -> TestClient {
        let (client_end, server_end) = tokio::io::duplex(1 << 22);
        let (server_read, server_write) = tokio::io::split(server_end);
        tokio::spawn(article_lsp::server::serve(server_read, server_write));
        let (read, write) = tokio::io::split(client_end);
        TestClient::over(read, Box::new(write), None)
    }

    /// The built binary, over stdio.
    pub fn binary() -> TestClient {
        TestClient::binary_with_env(&[])
    }

    /// The built binary, over stdio, with extra environment variables.
    pub fn binary_with_env(vars: &[(&str, &str)]) -> TestClient {
        TestClient::program(Path::new(env!("CARGO_BIN_EXE_article-lsp")), vars)
    }

    /// A given server binary over stdio (benchmarks compare builds).
    pub fn program(program: &Path, vars: &[(&str, &str)]) -> TestClient {
        let mut command = tokio::process::Command::new(program);
        command.arg("--stdio").envs(vars.iter().copied());
        TestClient::spawn(&mut command)
    }

    /// Any language server started by `command`, over stdio (ours behind a wrapper such as
    /// `setpriv`, or another server the benchmarks drive).
    pub fn spawn(command: &mut tokio::process::Command) -> TestClient {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        TestClient::over(stdout, Box::new(stdin), Some(child))
    }

    fn over(
        read: impl AsyncRead + Unpin + Send + 'static,
        write: Box<dyn AsyncWrite + Unpin + Send>,
        child: Option<tokio::process::Child>,
    ) -> TestClient {
        let writer: Writer = Arc::new(Mutex::new(write));
        let (tx, inbox) = mpsc::unbounded_channel();
        tokio::spawn(read_loop(BufReader::new(read), writer.clone(), tx));
        TestClient { writer, inbox, seen: Vec::new(), next_id: 1, child }
    }

    pub async fn send(&self, message: Value) {
        send(&self.writer, &message).await;
    }

    pub async fn notify(&self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params })).await;
    }

    /// Sends a request and returns its whole response.
    pub async fn request_raw(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params })).await;
        self.wait_for(&format!("response to {method}"), |m| m["id"] == id && m.get("method").is_none()).await
    }

    /// Sends a request and returns its result (fails the test on an error response).
    pub async fn request(&mut self, method: &str, params: Value) -> Value {
        let mut response = self.request_raw(method, params).await;
        assert!(response.get("error").is_none(), "{method} failed: {response}");
        response["result"].take()
    }

    /// The first message (already seen or still to come) that satisfies `matches`; consumed.
    pub async fn wait_for(&mut self, what: &str, matches: impl Fn(&Value) -> bool) -> Value {
        self.wait_within(TIMEOUT, what, matches).await
    }

    /// Like `wait_for`, with its own time limit.
    pub async fn wait_within(&mut self, limit: Duration, what: &str, matches: impl Fn(&Value) -> bool) -> Value {
        if let Some(at) = self.seen.iter().position(&matches) {
            return self.seen.remove(at);
        }
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let next = tokio::time::timeout_at(deadline, self.inbox.recv()).await;
            match next {
                Ok(Some(message)) if matches(&message) => return message,
                Ok(Some(message)) => self.seen.push(message),
                Ok(None) => panic!("the server closed the connection while waiting for {what}"),
                Err(_) => panic!(
                    "timed out waiting for {what}; seen: {:#?}",
                    self.seen.iter().map(summary).collect::<Vec<_>>()
                ),
            }
        }
    }

    /// Waits for `publishDiagnostics` of `uri` at exactly `version`.
    pub async fn diagnostics(&mut self, uri: &str, version: i64) -> Vec<Value> {
        self.diagnostics_within(TIMEOUT, uri, version).await
    }

    /// Like `diagnostics`, with its own time limit.
    pub async fn diagnostics_within(&mut self, limit: Duration, uri: &str, version: i64) -> Vec<Value> {
        let found = self
            .wait_within(limit, &format!("diagnostics of {uri} v{version}"), |m| {
                m["method"] == "textDocument/publishDiagnostics"
                    && m["params"]["uri"] == uri
                    && m["params"]["version"] == version
            })
            .await;
        found["params"]["diagnostics"].as_array().cloned().unwrap_or_default()
    }

    /// Collects everything that arrives within `quiet` of silence.
    pub async fn drain(&mut self, quiet: Duration) {
        while let Ok(Some(message)) = tokio::time::timeout(quiet, self.inbox.recv()).await {
            self.seen.push(message);
        }
    }

    pub async fn initialize(&mut self, capabilities: Value, options: Value, root: Option<&Path>) -> Value {
        let root_uri = root.map(file_uri);
        let folders = root_uri.as_ref().map(|uri| json!([{ "uri": uri, "name": "workspace" }]));
        let result = self
            .request(
                "initialize",
                json!({
                    "processId": null,
                    "rootUri": root_uri,
                    "workspaceFolders": folders,
                    "capabilities": capabilities,
                    "initializationOptions": options,
                }),
            )
            .await;
        self.notify("initialized", json!({})).await;
        result
    }

    /// Waits for the end of the workspace indexing progress and returns that message.
    pub async fn indexed(&mut self) -> Value {
        self.wait_for("end of indexing progress", |m| {
            m["method"] == "$/progress"
                && m["params"]["token"] == "article-lsp/indexing"
                && m["params"]["value"]["kind"] == "end"
        })
        .await
    }

    pub async fn open(&self, uri: &str, text: &str, version: i64) {
        let doc = json!({ "uri": uri, "languageId": "markdown", "version": version, "text": text });
        self.notify("textDocument/didOpen", json!({ "textDocument": doc })).await;
    }

    pub async fn change(&self, uri: &str, version: i64, changes: Value) {
        let params = json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": changes });
        self.notify("textDocument/didChange", params).await;
    }

    /// `shutdown` then `exit`; for the binary, returns how long it took to exit.
    pub async fn shutdown(mut self) -> Option<Duration> {
        self.request("shutdown", Value::Null).await;
        let started = std::time::Instant::now();
        self.notify("exit", Value::Null).await;
        let mut child = self.child.take()?;
        let status =
            tokio::time::timeout(Duration::from_secs(10), child.wait()).await.expect("server did not exit").unwrap();
        assert!(status.success(), "server exited with {status}");
        Some(started.elapsed())
    }
}

fn summary(m: &Value) -> String {
    let method = m["method"].as_str().unwrap_or("(response)");
    let mut s = format!("{method} {}", m["params"]["uri"].as_str().unwrap_or(""));
    if let Some(v) = m["params"]["version"].as_i64() {
        s.push_str(&format!(" v{v}"));
    }
    s
}

async fn send(writer: &Writer, message: &Value) {
    let body = message.to_string();
    let mut w = writer.lock().await;
    w.write_all(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes()).await.unwrap();
    w.flush().await.unwrap();
}

async fn read_loop(mut read: BufReader<impl AsyncRead + Unpin>, writer: Writer, tx: mpsc::UnboundedSender<Value>) {
    loop {
        let mut length = None;
        loop {
            let mut line = String::new();
            if read.read_line(&mut line).await.unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(n) = line.strip_prefix("Content-Length: ") {
                length = n.parse::<usize>().ok();
            }
        }
        let mut body = vec![0; length.unwrap()];
        read.read_exact(&mut body).await.unwrap();
        let message: Value = serde_json::from_slice(&body).unwrap();
        if message.get("id").is_some() && message.get("method").is_some() {
            let result = match message["method"].as_str() {
                Some("workspace/applyEdit") => json!({ "applied": true }),
                Some("workspace/configuration") => json!([]),
                _ => Value::Null,
            };
            send(&writer, &json!({ "jsonrpc": "2.0", "id": message["id"], "result": result })).await;
        }
        if tx.send(message).is_err() {
            return;
        }
    }
}

pub fn file_uri(path: &Path) -> String {
    let mut uri = String::from("file://");
    for byte in path.to_string_lossy().bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => uri.push(byte as char),
            _ => uri.push_str(&format!("%{byte:02X}")),
        }
    }
    uri
}

/// The client's side of the text: LSP positions (UTF-16; lines end at LF, CRLF or CR).
pub fn offset_of(text: &str, line: u64, character: u64) -> usize {
    let index = LineIndex::new(text);
    index.offset(text, LineCol { line: line as u32, col: character as u32 }, PositionEncoding::Utf16)
}

pub fn position_of(text: &str, offset: usize) -> Value {
    let at = LineIndex::new(text).line_col(text, offset, PositionEncoding::Utf16);
    json!({ "line": at.line, "character": at.col })
}

/// Applies LSP text edits (UTF-16 positions, `\n` line ends) to `text`.
pub fn apply_edits(text: &mut String, edits: &[Value]) {
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            let r = &e["range"];
            let start =
                offset_of(text, r["start"]["line"].as_u64().unwrap(), r["start"]["character"].as_u64().unwrap());
            let end = offset_of(text, r["end"]["line"].as_u64().unwrap(), r["end"]["character"].as_u64().unwrap());
            (start, end, e["newText"].as_str().unwrap().to_string())
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    for (start, end, new) in spans {
        text.replace_range(start..end, &new);
    }
}

/// Client capabilities of a modern editor that takes pushed diagnostics.
pub fn push_client_caps() -> Value {
    json!({
        "general": { "positionEncodings": ["utf-16"] },
        "window": { "workDoneProgress": true },
        "workspace": {
            "didChangeWatchedFiles": { "dynamicRegistration": true },
            "workspaceEdit": { "documentChanges": true },
            "applyEdit": true
        },
        "textDocument": {
            "completion": { "completionItem": { "snippetSupport": true } },
            "publishDiagnostics": { "versionSupport": true }
        }
    })
}
