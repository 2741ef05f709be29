//! A frame guard between the client's byte stream and tower-lsp-server.
//!
//! tower-lsp-server ends its input stream at the first frame it cannot decode (its codec is a
//! `FramedRead`, which stops after an error), so one malformed frame would silently end the
//! session. The guard reads the real input, splits it into frames itself and forwards to the
//! framework, over an in-memory pipe, only frames the framework can decode. Everything else it
//! answers itself:
//!
//! - a frame whose body is not UTF-8 JSON: a Parse error (id null);
//! - JSON that is not a JSON-RPC message: an Invalid Request error (with its id when it has one);
//! - a `$/…` request (with an id): MethodNotFound, since the framework never answers those;
//! - a malformed *response* (the client's reply to, say, `workspace/applyEdit`): no reply to the
//!   client; the framework gets a well-formed error response with the same id instead, so the
//!   server's pending request fails cleanly rather than waiting forever.
//!
//! After a bad frame the guard resynchronises on the next `Content-Length` header, which also
//! covers a Content-Length that is too short (the rest of the body is skipped) or too long (the
//! next header shows up inside the body, where valid JSON can never have it). Frames of both
//! the guard and the framework leave through one writer, whole, so they never interleave.

use std::borrow::Cow;

use memchr::memmem;
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, DuplexStream};
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::{Id, Request, Response};

/// The largest message body accepted. Big enough for a 100 MB article opened in the editor;
/// larger bodies are answered with an error and skipped without being held in memory.
pub const MAX_BODY: usize = 512 << 20;

/// How the session ended: what the process should exit with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// `exit` (or the end of input) after `shutdown`: exit code 0.
    Clean,
    /// `exit` or the end of input without `shutdown`: exit code 1, as the protocol asks.
    WithoutShutdown,
}

impl Outcome {
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Clean => 0,
            Outcome::WithoutShutdown => 1,
        }
    }
}

/// What the one writer receives.
#[derive(Debug)]
enum Outgoing {
    /// A whole frame to write.
    Frame(Vec<u8>),
    /// The framework's output ended: the session is over once what came before is written.
    End,
}

/// The one writer's queue of whole frames: the framework's output, the guard's own replies and
/// frames serialised elsewhere ([`DirectOutput`]) all go through it, in the order they are
/// queued.
pub struct Writer {
    tx: mpsc::Sender<Outgoing>,
    rx: mpsc::Receiver<Outgoing>,
    spliced: Spliced,
    opened: OpenedTexts,
}

impl Writer {
    #[allow(clippy::new_without_default)]
    pub fn new() -> Writer {
        let (tx, rx) = mpsc::channel(OUTPUT_QUEUE);
        Writer { tx, rx, spliced: Spliced::default(), opened: OpenedTexts::default() }
    }

    /// A handle that sends notifications straight to this writer.
    pub fn direct(&self) -> DirectOutput {
        DirectOutput(self.tx.clone(), self.spliced.clone(), self.opened.clone())
    }
}

/// Where the writer puts the frames.
pub enum Output<O> {
    /// An async stream (the in-process tests' pipe).
    Stream(O),
    /// The process's standard output, written by a thread of its own with blocking writes: a
    /// frame reaches the client one thread hop after it is queued. (Tokio's `Stdout` hands each
    /// write to a blocking thread and waits for it to flush: two hops, and the writer's own
    /// wake-up, on the path of every publication.)
    Stdout,
}

/// Sends notifications to the client past the framework: serialised from their typed
/// parameters straight to the frame's bytes, where the framework would build a JSON tree,
/// write it into its pipe and have the pump cut the frame out again (a publication of
/// thousands of diagnostics costs several times less).
#[derive(Clone, Debug)]
pub struct DirectOutput(mpsc::Sender<Outgoing>, Spliced, OpenedTexts);

impl DirectOutput {
    /// The whole frame of the notification `method` with `params` (CPU work: call it off the
    /// async threads for large parameters).
    pub fn frame<T: serde::Serialize>(method: &str, params: &T) -> Option<Vec<u8>> {
        #[derive(serde::Serialize)]
        struct Notification<'a, T> {
            jsonrpc: &'static str,
            method: &'a str,
            params: &'a T,
        }
        let body = serde_json::to_vec(&Notification { jsonrpc: "2.0", method, params }).ok()?;
        Some(frame(&body))
    }

    /// Queues a frame made by [`DirectOutput::frame`]; `false` once the writer is gone.
    pub async fn send(&self, frame: Vec<u8>) -> bool {
        self.0.send(Outgoing::Frame(frame)).await.is_ok()
    }

    /// [`DirectOutput::send`] from a blocking thread (never from async code): the frame goes
    /// to the writer without a hop back to the async threads first.
    pub fn send_blocking(&self, frame: Vec<u8>) -> bool {
        self.0.blocking_send(Outgoing::Frame(frame)).is_ok()
    }

    /// Serialises a request's `result` straight to JSON bytes and keeps them; returns the
    /// ticket string the handler puts in its typed (small) answer instead (`None`, keeping
    /// nothing, when it does not serialise).
    /// The framework answers with the ticket under the request's id, which only it
    /// knows; the pump then sends `result` in its place (see [`Spliced`]).
    pub fn splice(&self, result: &impl serde::Serialize) -> Option<String> {
        Some(self.1.keep(serde_json::to_vec(result).ok()?))
    }

    /// The text of a `didOpen` as the handler got it: a ticket of a text the guard kept
    /// becomes that text (see [`OpenedTexts`]); any other text is returned as it is.
    pub fn opened_text(&self, text: String) -> String {
        self.2.take(&text).unwrap_or(text)
    }
}

/// Large request results (whole-document semantic tokens, inlay hints) serialised straight
/// from their typed values to bytes: through the framework, 100,000 integers would become a
/// JSON tree, be written into its pipe and be cut out again, which costs more than computing
/// them. The framework's own response still decides the id and the order of replies; the pump
/// only swaps the ticket result for the kept bytes.
#[derive(Clone, Debug, Default)]
struct Spliced(Kept<Vec<u8>>);

/// Values kept under numbered tickets until taken. At most [`MAX_KEPT`]: a request cancelled
/// after its handler finished leaves its result behind, so the oldest go first.
#[derive(Debug)]
struct Kept<T>(std::sync::Arc<std::sync::Mutex<KeptValues<T>>>);

#[derive(Debug)]
struct KeptValues<T> {
    next_key: u64,
    values: std::collections::BTreeMap<u64, T>,
}

const MAX_KEPT: usize = 8;

impl<T> Default for Kept<T> {
    fn default() -> Kept<T> {
        Kept(std::sync::Arc::new(std::sync::Mutex::new(KeptValues { next_key: 0, values: Default::default() })))
    }
}

impl<T> Clone for Kept<T> {
    fn clone(&self) -> Kept<T> {
        Kept(self.0.clone())
    }
}

impl<T> Kept<T> {
    fn lock(&self) -> std::sync::MutexGuard<'_, KeptValues<T>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Keeps `value`; returns its key.
    fn keep(&self, value: T) -> u64 {
        let mut kept = self.lock();
        kept.next_key += 1;
        let key = kept.next_key;
        kept.values.insert(key, value);
        while kept.values.len() > MAX_KEPT {
            kept.values.pop_first();
        }
        key
    }

    fn take(&self, key: u64) -> Option<T> {
        self.lock().values.remove(&key)
    }
}

/// The text of a large `didOpen`, kept by the guard while the framework gets the notification
/// with a ticket in its place. The framework reads a whole frame into a buffer that it keeps
/// for the life of the server and parses it into a JSON tree: for an article of a megabyte,
/// a megabyte held for good and another one on the way, besides the document itself.
#[derive(Clone, Debug, Default)]
struct OpenedTexts(Kept<String>);

/// `didOpen` frames at least this long have their text kept by the guard.
const KEEP_TEXT_FROM: usize = 64 << 10;

/// How an opened text's ticket starts; its key follows. A client's text could spell it only
/// while the guard keeps a text under that key, which the handler then takes at once.
const OPENED_MARKER: &str = "\u{1}article-lsp:opened:";

impl OpenedTexts {
    /// The body to forward instead of the `didOpen` in `body`, with its text kept (`None`:
    /// forward `body` as it is).
    fn forward(&self, body: &[u8]) -> Option<Vec<u8>> {
        #[derive(Deserialize, serde::Serialize)]
        struct DidOpen {
            jsonrpc: String,
            method: String,
            params: tower_lsp_server::ls_types::DidOpenTextDocumentParams,
        }
        let mut message: DidOpen = serde_json::from_slice(body).ok()?;
        let text = std::mem::take(&mut message.params.text_document.text);
        let key = self.0.keep(text);
        message.params.text_document.text = format!("{OPENED_MARKER}{key}");
        serde_json::to_vec(&message).ok()
    }

    fn take(&self, ticket: &str) -> Option<String> {
        let key = ticket.strip_prefix(OPENED_MARKER)?.parse().ok()?;
        self.0.take(key)
    }
}

/// How the ticket starts in the framework's JSON (the control character is escaped), so
/// no text of a well-formed article can spell it. Its key follows.
const SPLICE_MARKER: &str = r"\u0001article-lsp:spliced:";

impl Spliced {
    fn keep(&self, result: Vec<u8>) -> String {
        let key = self.0.keep(result);
        format!("\u{1}article-lsp:spliced:{key}")
    }

    /// The frame to send instead of the framework's response `body`, when it carries a
    /// ticket whose result is kept.
    fn replace(&self, body: &[u8]) -> Option<Vec<u8>> {
        let at = memmem::find(body, SPLICE_MARKER.as_bytes())? + SPLICE_MARKER.len();
        let digits = body[at..].iter().take_while(|b| b.is_ascii_digit()).count();
        let key: u64 = std::str::from_utf8(&body[at..at + digits]).ok()?.parse().ok()?;
        #[derive(Deserialize)]
        struct Response {
            id: Value,
        }
        let id = serde_json::from_slice::<Response>(body).ok()?.id;
        let result = self.0.take(key)?;
        let mut spliced = format!(r#"{{"jsonrpc":"2.0","id":{id},"result":"#).into_bytes();
        spliced.reserve(result.len() + 1);
        spliced.extend_from_slice(&result);
        spliced.push(b'}');
        Some(frame(&spliced))
    }
}

/// Serves `input`/`output` through the guard; `framework` runs the real server on the two ends
/// of the in-memory pipes it is given (its input and its output); `writer` takes its frames
/// and any sent directly.
pub async fn guard<I, O, F, Fut>(input: I, output: Output<O>, writer: Writer, framework: F) -> Outcome
where
    I: AsyncRead + Unpin,
    O: AsyncWrite + Unpin,
    F: FnOnce(DuplexStream, DuplexStream) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let (to_framework, framework_in) = tokio::io::duplex(PIPE_BUFFER);
    let (framework_out, from_framework) = tokio::io::duplex(PIPE_BUFFER);
    let Writer { tx: frames_tx, rx: frames_rx, spliced, opened } = writer;
    let reader = read_input(input, to_framework, frames_tx.clone(), opened);
    let pump = pump_framework(from_framework, frames_tx, spliced);
    let writer = async {
        match output {
            Output::Stream(output) => write_output(frames_rx, output).await,
            Output::Stdout => {
                let thread = tokio::task::spawn_blocking(|| write_blocking(frames_rx));
                let _ = thread.await;
            }
        }
    };
    let (outcome, (), (), ()) = tokio::join!(reader, framework(framework_in, framework_out), pump, writer);
    outcome
}

/// Bytes in flight in each in-memory pipe. The pipe keeps its buffer once grown, so a large
/// `didOpen` would otherwise hold a megabyte for the life of the server.
const PIPE_BUFFER: usize = 64 << 10;

/// Whole frames waiting for the client to read them (backpressure beyond that).
const OUTPUT_QUEUE: usize = 16;

/// Bytes asked of the input per read.
const READ_CHUNK: usize = 64 << 10;

/// A header block longer than this is not a header block.
const MAX_HEADER: usize = 8 << 10;

const HEADER_NAME: &[u8] = b"content-length:";

/// What one step of frame splitting found.
#[derive(Debug, PartialEq, Eq)]
enum Frame {
    /// A complete frame with this body.
    Body(Vec<u8>),
    /// Bytes that are not a frame (garbage, a bad header, a body cut short or overlong); they
    /// have been skipped up to the next `Content-Length` header.
    Malformed(String),
    /// The input ended.
    End,
}

/// Splits a byte stream into frames, resynchronising after damage.
///
/// One read brings many small frames (an edit storm), so frames are taken from the buffer by
/// moving `start`, and the buffer is compacted once per read: taking a frame costs its own
/// length, not the length of everything buffered behind it.
struct FrameReader<I> {
    input: I,
    buffer: Vec<u8>,
    /// Where the unconsumed bytes of `buffer` start.
    start: usize,
    chunk: Box<[u8]>,
    eof: bool,
}

impl<I: AsyncRead + Unpin> FrameReader<I> {
    fn new(input: I) -> Self {
        FrameReader { input, buffer: Vec::new(), start: 0, chunk: vec![0; READ_CHUNK].into_boxed_slice(), eof: false }
    }

    /// The bytes not consumed yet.
    fn pending(&self) -> &[u8] {
        &self.buffer[self.start..]
    }

    fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.buffer.len());
    }

    fn clear(&mut self) {
        self.buffer.clear();
        self.start = 0;
    }

    /// Reads more input; false at the end of input (or on a read error, which ends it too).
    async fn fill(&mut self) -> bool {
        if self.eof {
            return false;
        }
        self.buffer.drain(..self.start);
        self.start = 0;
        // A large frame (the `didOpen` of a big file) grew the buffer: give that back once read.
        if self.buffer.capacity() > 4 * READ_CHUNK && self.buffer.len() <= READ_CHUNK {
            self.buffer.shrink_to(2 * READ_CHUNK);
        }
        let n = self.input.read(&mut self.chunk).await.unwrap_or(0);
        self.buffer.extend_from_slice(&self.chunk[..n]);
        self.eof = n == 0;
        n > 0
    }

    async fn next(&mut self) -> Frame {
        let length = match self.header().await {
            Ok(Some(length)) => length,
            Ok(None) => return Frame::End,
            Err(message) => return Frame::Malformed(message),
        };
        if length > MAX_BODY {
            self.skip(length).await;
            return Frame::Malformed(format!("a message of {length} bytes is over the limit of {MAX_BODY}"));
        }
        self.body(length).await
    }

    /// Parses the header block at the start of the buffer: `Ok(Some(length))`, `Ok(None)` at a
    /// clean end of input, or an error after skipping towards the next header.
    async fn header(&mut self) -> Result<Option<usize>, String> {
        loop {
            let blank = self.pending().iter().take_while(|b| b.is_ascii_whitespace()).count();
            self.consume(blank);
            if let Some(end) = memmem::find(self.pending(), b"\r\n\r\n") {
                let parsed = parse_header(&self.pending()[..end]);
                match parsed {
                    Ok(_) => self.consume(end + 4),
                    Err(_) => self.resync(),
                }
                return parsed.map(Some);
            }
            if self.eof {
                let ended_cleanly = self.pending().is_empty();
                self.clear();
                return if ended_cleanly { Ok(None) } else { Err("the input ended inside a header".to_string()) };
            }
            if self.pending().len() > MAX_HEADER || !starts_like_header(self.pending()) {
                self.resync();
                return Err("bytes outside any message".to_string());
            }
            self.fill().await;
        }
    }

    /// Collects `length` body bytes. A header that appears inside the body means the declared
    /// length was too long (JSON never holds a raw `Content-Length: N\r\n`): the frame ends
    /// there, and the next one starts at that header. Only the body (and a header's length past
    /// its end) is searched, never the frames buffered after it.
    async fn body(&mut self, length: usize) -> Frame {
        let mut scanned = 0;
        loop {
            let pending = self.pending();
            let window = &pending[..pending.len().min(length.saturating_add(HEADER_LOOKAHEAD))];
            if let Some(at) = find_header(window, scanned).filter(|at| *at < length) {
                self.consume(at);
                return Frame::Malformed("the message is shorter than its Content-Length".to_string());
            }
            if pending.len() >= length {
                let body = pending[..length].to_vec();
                self.consume(length);
                return Frame::Body(body);
            }
            scanned = pending.len().saturating_sub(HEADER_LOOKAHEAD);
            if !self.fill().await {
                self.clear();
                return Frame::Malformed("the input ended inside a message".to_string());
            }
        }
    }

    /// Drops `length` bytes without keeping them.
    async fn skip(&mut self, mut length: usize) {
        loop {
            let n = length.min(self.pending().len());
            self.consume(n);
            length -= n;
            if length == 0 || !self.fill().await {
                return;
            }
        }
    }

    /// Drops the damaged start of the buffer, up to the next `Content-Length` header (at least
    /// one byte, so that skipping always progresses). Without a header in sight, a tail that may
    /// be the start of one split across reads is kept.
    fn resync(&mut self) {
        let pending = self.pending();
        let keep_tail = pending.len().saturating_sub(HEADER_NAME.len() - 1);
        let at = find_name(pending, 1).unwrap_or(keep_tail).max(1).min(pending.len());
        self.consume(at);
    }
}

/// How far past a body's end a header that starts inside it can reach (`Content-Length:`, a
/// value of up to 40 blanks and digits, and its line break).
const HEADER_LOOKAHEAD: usize = HEADER_NAME.len() + 42;

/// The `Content-Length` of a header block (lines `Name: value`, CRLF separated).
fn parse_header(block: &[u8]) -> Result<usize, String> {
    let text = std::str::from_utf8(block).map_err(|_| "a header that is not UTF-8".to_string())?;
    let mut length = None;
    for line in text.split("\r\n") {
        let Some((name, value)) = line.split_once(':') else {
            return Err(format!("a malformed header line `{}`", line.escape_debug()));
        };
        if name.eq_ignore_ascii_case("content-length") {
            let value = value.trim();
            length = Some(value.parse::<usize>().map_err(|_| format!("a bad Content-Length `{value}`"))?);
        }
    }
    length.ok_or_else(|| "a header without Content-Length".to_string())
}

/// The buffer could still become a header block (a prefix of a header name, or a header line).
fn starts_like_header(buffer: &[u8]) -> bool {
    let head = &buffer[..buffer.len().min(HEADER_NAME.len())];
    let name_chars = |b: &u8| b.is_ascii_alphanumeric() || *b == b'-';
    match buffer.iter().position(|b| *b == b':') {
        Some(colon) => colon > 0 && buffer[..colon].iter().all(name_chars),
        None => head.iter().all(name_chars),
    }
}

/// The next `Content-Length:` (any case) at or after `from`.
fn find_name(buffer: &[u8], from: usize) -> Option<usize> {
    let lower: Vec<u8> = buffer.get(from..)?.to_ascii_lowercase();
    memmem::find(&lower, HEADER_NAME).map(|at| at + from)
}

/// The next complete `Content-Length: <digits>\r\n` at or after `from`.
fn find_header(buffer: &[u8], from: usize) -> Option<usize> {
    let mut from = from;
    while let Some(at) = find_name(buffer, from) {
        let rest = &buffer[at + HEADER_NAME.len()..];
        let value: &[u8] = rest.split(|b| *b == b'\r').next().unwrap_or_default();
        let complete = rest.get(value.len()..value.len() + 2) == Some(b"\r\n");
        if complete && !value.trim_ascii().is_empty() && value.trim_ascii().iter().all(u8::is_ascii_digit) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// What to do with one well-framed body.
#[derive(Debug, PartialEq)]
enum Verdict {
    /// Pass it to the framework.
    Forward { method: Option<String> },
    /// Answer the client with this message and forward nothing.
    Reply(Value),
    /// Forward this (a replacement for a malformed response) instead.
    Substitute(Value),
}

/// The two members the full judgement needs, read without building the rest; it then decodes
/// the body as the framework would (only messages [`judge_request`] cannot vouch for get there).
#[derive(Deserialize)]
struct Probe {
    #[serde(default)]
    method: Option<Value>,
    #[serde(default)]
    id: Option<Value>,
}

/// A request or notification as the framework decodes it (`jsonrpc::Request`: the version
/// "2.0", a string method, an id that is an integer, a string or null, any params), read in one
/// pass that builds no tree: `params` are checked for syntax and skipped.
#[derive(Deserialize)]
struct RequestShape<'a> {
    #[serde(borrow)]
    jsonrpc: Cow<'a, str>,
    #[serde(default, borrow)]
    method: Option<Cow<'a, str>>,
    #[serde(default, deserialize_with = "present")]
    #[allow(dead_code)]
    params: Option<IgnoredAny>,
    #[serde(default, deserialize_with = "present")]
    id: Option<Id>,
}

/// A member that is there, whatever its value (`null` included), as the framework reads it.
fn present<'de, T: Deserialize<'de>, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<T>, D::Error> {
    T::deserialize(deserializer).map(Some)
}

/// The verdict on a well-formed request or notification, the common case (an edit storm is
/// thousands of them), from one pass over the body; `None` when the full judgement is needed.
fn judge_request(body: &str) -> Option<Verdict> {
    // (A struct also deserialises from an array, so only objects are probed.)
    if body.trim_ascii_start().as_bytes().first() != Some(&b'{') {
        return None;
    }
    let shape = serde_json::from_str::<RequestShape>(body).ok()?;
    let method = shape.method.filter(|_| shape.jsonrpc == "2.0")?;
    match shape.id {
        Some(id @ (Id::Number(_) | Id::String(_))) if method.starts_with("$/") => {
            let id = serde_json::to_value(id).ok()?;
            Some(Verdict::Reply(error(id, -32601, &format!("Method not found: {method}"))))
        }
        _ => Some(Verdict::Forward { method: Some(method.into_owned()) }),
    }
}

fn judge(body: &[u8]) -> Verdict {
    // The framework's codec refuses the whole body when any of it is not UTF-8.
    let text = match std::str::from_utf8(body) {
        Ok(text) => text,
        Err(err) => {
            return Verdict::Reply(error(
                Value::Null,
                -32700,
                &format!("Parse error: the message is not UTF-8 ({err})"),
            ));
        }
    };
    judge_request(text).unwrap_or_else(|| judge_in_full(body))
}

/// The verdict on any UTF-8 body: probes `method` and `id`, then decodes as the framework would.
fn judge_in_full(body: &[u8]) -> Verdict {
    // (A struct also deserialises from an array, so only objects are probed.)
    let is_object = body.trim_ascii_start().first() == Some(&b'{');
    let Some(probe) = serde_json::from_slice::<Probe>(body).ok().filter(|_| is_object) else {
        return Verdict::Reply(match serde_json::from_slice::<serde::de::IgnoredAny>(body) {
            Ok(_) => error(Value::Null, -32600, "Invalid request"),
            Err(err) => error(Value::Null, -32700, &format!("Parse error: {err}")),
        });
    };
    let id = probe.id.filter(|id| id.is_number() || id.is_string());
    let method = probe.method.as_ref().and_then(Value::as_str).map(str::to_owned);
    if let (Some(method), Some(id)) = (&method, &id)
        && method.starts_with("$/")
    {
        return Verdict::Reply(error(id.clone(), -32601, &format!("Method not found: {method}")));
    }
    let is_request = probe.method.is_some();
    let decodes = match is_request {
        true => serde_json::from_slice::<Request>(body).is_ok(),
        false => serde_json::from_slice::<Response>(body).is_ok(),
    };
    match (decodes, is_request, id) {
        (true, _, _) => Verdict::Forward { method },
        (false, false, Some(id)) => Verdict::Substitute(error(id, -32603, "the client sent a malformed response")),
        (false, _, id) => Verdict::Reply(error(id.unwrap_or(Value::Null), -32600, "Invalid request")),
    }
}

fn error(id: Value, code: i64, message: &str) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "error": { "code": code, "message": message } })
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut framed = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    framed.extend_from_slice(body);
    framed
}

/// Reads client frames until `exit` or the end of input; forwards the good ones.
async fn read_input<I: AsyncRead + Unpin>(
    input: I,
    mut to_framework: DuplexStream,
    replies: mpsc::Sender<Outgoing>,
    opened: OpenedTexts,
) -> Outcome {
    let mut frames = FrameReader::new(input);
    let mut shutdown = false;
    // One error per damaged stretch: the leftovers of a bad frame are not reported again.
    let mut after_error = false;
    loop {
        let body = match frames.next().await {
            Frame::Body(body) => body,
            Frame::End => break,
            Frame::Malformed(why) => {
                if !std::mem::replace(&mut after_error, true) {
                    let reply = error(Value::Null, -32700, &format!("Parse error: {why}"));
                    let _ = replies.send(Outgoing::Frame(frame(reply.to_string().as_bytes()))).await;
                }
                continue;
            }
        };
        let verdict = judge(&body);
        after_error = matches!(&verdict, Verdict::Reply(reply) if reply["error"]["code"] == -32700);
        let forward = match verdict {
            Verdict::Reply(reply) => {
                let _ = replies.send(Outgoing::Frame(frame(reply.to_string().as_bytes()))).await;
                continue;
            }
            Verdict::Substitute(response) => response.to_string().into_bytes(),
            Verdict::Forward { method } => {
                shutdown |= method.as_deref() == Some("shutdown");
                if method.as_deref() == Some("exit") {
                    let _ = forward_frame(&mut to_framework, &body).await;
                    break;
                }
                let large_open = method.as_deref() == Some("textDocument/didOpen") && body.len() >= KEEP_TEXT_FROM;
                large_open.then(|| opened.forward(&body)).flatten().unwrap_or(body)
            }
        };
        if forward_frame(&mut to_framework, &forward).await.is_err() {
            break;
        }
    }
    let _ = to_framework.shutdown().await;
    if shutdown { Outcome::Clean } else { Outcome::WithoutShutdown }
}

/// Writes one frame to the framework: the header, then the body as it came (this reader is the
/// pipe's only writer, so nothing interleaves; a `didOpen` of a large article is not copied once
/// more just to put a header in front of it).
async fn forward_frame(to_framework: &mut DuplexStream, body: &[u8]) -> std::io::Result<()> {
    to_framework.write_all(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes()).await?;
    to_framework.write_all(body).await
}

/// Passes the framework's frames, whole, to the writer (a response with a ticket result
/// as the result kept for it); tells it when the framework's output ends.
async fn pump_framework(from_framework: DuplexStream, frames_tx: mpsc::Sender<Outgoing>, spliced: Spliced) {
    let mut frames = FrameReader::new(from_framework);
    loop {
        match frames.next().await {
            Frame::Body(body) => {
                let framed = spliced.replace(&body).unwrap_or_else(|| frame(&body));
                if frames_tx.send(Outgoing::Frame(framed)).await.is_err() {
                    return;
                }
            }
            Frame::Malformed(_) => {}
            Frame::End => {
                let _ = frames_tx.send(Outgoing::End).await;
                return;
            }
        }
    }
}

/// Frames the writer takes from its queue at once: a storm's queued frames go out together.
const BATCH: usize = OUTPUT_QUEUE;

/// Writes frames to the client, whole and in order, until the framework's output ends.
async fn write_output<O: AsyncWrite + Unpin>(mut queue: mpsc::Receiver<Outgoing>, mut output: O) {
    let mut batch = Vec::with_capacity(BATCH);
    while queue.recv_many(&mut batch, BATCH).await > 0 {
        for message in batch.drain(..) {
            let Outgoing::Frame(frame) = message else {
                let _ = output.flush().await;
                return;
            };
            if output.write_all(&frame).await.is_err() {
                return;
            }
        }
        if output.flush().await.is_err() {
            return;
        }
    }
}

/// [`write_output`] with blocking writes to standard output, on a thread of its own. The
/// descriptor is written directly (through a duplicate of it), not through `Stdout`'s line
/// buffer, which would split each frame after its header into two writes.
fn write_blocking(mut queue: mpsc::Receiver<Outgoing>) {
    let mut output = raw_stdout();
    let mut batch = Vec::with_capacity(BATCH);
    while queue.blocking_recv_many(&mut batch, BATCH) > 0 {
        for message in batch.drain(..) {
            let Outgoing::Frame(frame) = message else {
                let _ = output.flush();
                return;
            };
            if output.write_all(&frame).is_err() {
                return;
            }
        }
        if output.flush().is_err() {
            return;
        }
    }
}

/// Standard output as a file of its own (a duplicate descriptor), buffered per batch; where
/// that is not possible, `Stdout` itself.
#[cfg(unix)]
fn raw_stdout() -> Box<dyn std::io::Write> {
    use std::os::fd::AsFd;
    let stdout = std::io::stdout();
    match stdout.as_fd().try_clone_to_owned() {
        Ok(fd) => Box::new(std::io::BufWriter::with_capacity(WRITE_BUFFER, std::fs::File::from(fd))),
        Err(_) => Box::new(stdout.lock()),
    }
}

#[cfg(not(unix))]
fn raw_stdout() -> Box<dyn std::io::Write> {
    Box::new(std::io::stdout().lock())
}

/// The blocking writer's buffer: small frames of one batch leave in one write; a larger frame
/// is written straight from its own bytes.
const WRITE_BUFFER: usize = 64 << 10;

#[cfg(test)]
mod tests {
    use super::*;

    /// The framework's response with a ticket becomes the kept result under the same id;
    /// other frames pass unchanged, and only the newest results are kept.
    #[test]
    fn a_ticket_response_carries_the_kept_result_under_its_id() {
        let spliced = Spliced::default();
        let ticket = spliced.keep(br#"{"data":[1,2,3,4,5]}"#.to_vec());
        let response = json!({ "jsonrpc": "2.0", "result": { "resultId": ticket, "data": [] }, "id": "a\"b" });
        let sent = spliced.replace(response.to_string().as_bytes()).unwrap();
        let body = sent.split_at(sent.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4).1;
        let sent: Value = serde_json::from_slice(body).unwrap();
        assert_eq!(sent, json!({ "jsonrpc": "2.0", "id": "a\"b", "result": { "data": [1, 2, 3, 4, 5] } }));
        assert_eq!(spliced.replace(response.to_string().as_bytes()), None, "sent once");
        assert_eq!(spliced.replace(br#"{"jsonrpc":"2.0","result":{"data":[]},"id":1}"#), None);

        let first = spliced.keep(b"1".to_vec());
        for _ in 0..MAX_KEPT {
            spliced.keep(b"2".to_vec());
        }
        let stale = json!({ "jsonrpc": "2.0", "result": [first], "id": 9 });
        assert_eq!(spliced.replace(stale.to_string().as_bytes()), None, "the oldest was dropped");
    }

    /// A large `didOpen` reaches the framework with a ticket for its text, which the handler
    /// exchanges for the text once; any other text is the handler's as it came.
    #[test]
    fn a_large_opened_text_is_kept_past_the_framework() {
        let opened = OpenedTexts::default();
        let text = "é\"\n".repeat(KEEP_TEXT_FROM);
        let params =
            json!({ "textDocument": { "uri": "file:///a.md", "languageId": "markdown", "version": 3, "text": text } });
        let body = json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": params }).to_string();
        let forwarded = opened.forward(body.as_bytes()).unwrap();
        assert!(forwarded.len() < 200, "{}", String::from_utf8_lossy(&forwarded));
        let forwarded: Value = serde_json::from_slice(&forwarded).unwrap();
        assert_eq!(forwarded["params"]["textDocument"]["version"], 3);
        let ticket = forwarded["params"]["textDocument"]["text"].as_str().unwrap().to_string();
        assert_eq!(opened.take(&ticket).as_deref(), Some(text.as_str()));
        assert_eq!(opened.take(&ticket), None, "taken once");
        let direct = DirectOutput(mpsc::channel(1).0, Spliced::default(), opened);
        assert_eq!(direct.opened_text(ticket.clone()), ticket, "an unknown ticket is a text");
    }

    /// The one-pass verdict, when it gives one, is the full judgement's.
    #[test]
    fn the_quick_verdict_on_requests_is_the_full_one() {
        let bodies = [
            r#"{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"a":[1,{"b":null}]}}"#,
            r#"{"jsonrpc":"2.0","id":7,"method":"textDocument/hover","params":{}}"#,
            r#"{"jsonrpc":"2.0","id":"x","method":"$/cancelRequest"}"#,
            r#"{"jsonrpc":"2.0","id":7,"method":"$/progress"}"#,
            r#"{"jsonrpc":"2.0","id":null,"method":"$/progress"}"#,
            r#"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":1}}"#,
            r#"{"jsonrpc":"2.0","id":1.5,"method":"$/progress"}"#,
            r#"{"jsonrpc":"2.0","id":1.5,"method":"initialized"}"#,
            r#"{"jsonrpc":"2.0","id":true,"method":"initialized"}"#,
            r#"{"jsonrpc":"1.0","method":"initialized"}"#,
            r#"{"method":"initialized"}"#,
            r#"{"jsonrpc":"2.0","method":null,"id":3}"#,
            r#"{"jsonrpc":"2.0","method":5,"id":3}"#,
            r#"{"jsonrpc":"2.0","method":"a","method":"b"}"#,
            r#"{"jsonrpc":"2.0","method":"a","params":1,"params":2}"#,
            r#"{"jsonrpc":"2.0","method":"a\u0041","params":[}"#,
            r#"{"jsonrpc":"2.0","method":"a\u0041","params":null}"#,
            r#"{"jsonrpc":"2.0","id":3,"result":null}"#,
            r#"["jsonrpc","2.0","method"]"#,
            r#"  {"jsonrpc":"2.0","method":"exit"}  "#,
        ];
        let mut quick = 0;
        for body in bodies {
            if let Some(verdict) = judge_request(body) {
                assert_eq!(verdict, judge_in_full(body.as_bytes()), "{body}");
                quick += 1;
            }
        }
        assert!(quick >= 8, "{quick}");
    }
}
