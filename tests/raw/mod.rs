//! The server binary driven with raw bytes over stdio, for tests that must send what a
//! well-behaved client never would. Server-to-client requests are answered automatically
//! (except `workspace/applyEdit`, which tests answer themselves).

#![allow(dead_code, clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// How long any awaited message may take before the test fails.
pub const TIMEOUT: Duration = Duration::from_secs(30);

pub struct RawServer {
    child: Child,
    stdin: Arc<Mutex<Option<ChildStdin>>>,
    inbox: Receiver<Value>,
    /// Messages read but not consumed by a `wait_for`.
    pub seen: Vec<Value>,
}

impl RawServer {
    pub fn start() -> RawServer {
        RawServer::spawn(Command::new(env!("CARGO_BIN_EXE_article-lsp")))
    }

    /// Starts `command`, which runs the server binary (possibly under a tracer, or with its own
    /// environment).
    pub fn spawn(mut command: Command) -> RawServer {
        let mut child = command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
        let stdin = Arc::new(Mutex::new(child.stdin.take()));
        let stdout = child.stdout.take().unwrap();
        let (tx, inbox) = channel();
        let writer = stdin.clone();
        std::thread::spawn(move || {
            let mut read = BufReader::new(stdout);
            while let Some(message) = read_frame(&mut read) {
                let is_request = message.get("id").is_some() && message.get("method").is_some();
                if is_request && message["method"] != "workspace/applyEdit" {
                    let reply = json!({ "jsonrpc": "2.0", "id": message["id"], "result": null });
                    write_to(&writer, &frame(reply.to_string().as_bytes()));
                }
                if tx.send(message).is_err() {
                    return;
                }
            }
        });
        RawServer { child, stdin, inbox, seen: Vec::new() }
    }

    pub fn send_raw(&self, bytes: &[u8]) {
        write_to(&self.stdin, bytes);
    }

    pub fn send(&self, message: &Value) {
        self.send_raw(&frame(message.to_string().as_bytes()));
    }

    /// Sends a request and waits for its response.
    pub fn request(&mut self, id: i64, method: &str, params: Value) -> Value {
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        self.wait_for(method, |m| m["id"] == id && m.get("method").is_none())
    }

    /// The first message (already seen or still to come) that satisfies `matches`; consumed.
    pub fn wait_for(&mut self, what: &str, matches: impl Fn(&Value) -> bool) -> Value {
        if let Some(at) = self.seen.iter().position(&matches) {
            return self.seen.remove(at);
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            match self.inbox.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(message) if matches(&message) => return message,
                Ok(message) => self.seen.push(message),
                Err(RecvTimeoutError::Timeout) => panic!("timed out waiting for {what}; seen {:?}", self.seen),
                Err(RecvTimeoutError::Disconnected) => {
                    let status = self.child.wait().unwrap();
                    panic!("the server ended ({status}) while waiting for {what}; seen {:?}", self.seen)
                }
            }
        }
    }

    pub fn close_input(&self) {
        self.stdin.lock().unwrap().take();
    }

    /// Waits for the process to end on its own; its exit code.
    pub fn exit_code(mut self) -> i32 {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code().unwrap_or(-1);
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn write_to(stdin: &Mutex<Option<ChildStdin>>, bytes: &[u8]) {
    if let Some(stdin) = stdin.lock().unwrap().as_mut() {
        let _ = stdin.write_all(bytes).and_then(|()| stdin.flush());
    }
}

pub fn frame(body: &[u8]) -> Vec<u8> {
    let mut framed = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    framed.extend_from_slice(body);
    framed
}

fn read_frame(read: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if read.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(n) = line.strip_prefix("Content-Length: ") {
            length = n.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    read.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
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

/// An article whose front matter nests `depth` block sequences (`- - - x`, compact, so the
/// text stays small).
pub fn nested_block(depth: usize) -> String {
    format!("---\ntitle: Deep\nk:\n  {}x\n---\nBody.\n", "- ".repeat(depth))
}

/// An article whose front matter nests `depth` flow sequences.
pub fn nested_flow(depth: usize) -> String {
    format!("---\ntitle: Deep\nk: {}{}\n---\nBody.\n", "[".repeat(depth), "]".repeat(depth))
}
