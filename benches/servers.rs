//! article-lsp and yaml-language-server side by side, driven by one JSON-RPC client over stdio
//! and alternated sample by sample within one run. Run it through `scripts/bench-yls.sh`, which
//! installs yaml-language-server, generates the corpus and the JSON Schema and sets:
//!
//! - `BENCH_CORPUS`: the generated corpus (`special/`, `10k/`, `100k/`, and `yls/` with the
//!   front-matter-only equivalents of the special files, each with a `$schema` modeline);
//! - `YLS_SERVER`: the yaml-language-server script (run with `node`); without it only
//!   article-lsp is measured;
//! - `BENCH_SAMPLES`: keystrokes and requests per scenario (default 100);
//! - `BENCH_ONLY`: `keystrokes` or `index` to run only that group (both by default);
//! - `BENCH_BINARIES`: builds of article-lsp to compare, `label=path` pairs separated by commas
//!   (this build alone by default). Their keystrokes alternate with each other's and
//!   yaml-language-server's, the order of ours turning every sample, so each build idles alike.
//!
//! A keystroke is a `didChange` inserting a character, then one deleting it, alternately; its
//! latency runs until that document's next `publishDiagnostics` (for article-lsp: the one for
//! that version). yaml-language-server validates 200 ms after the last change (its
//! `validationDelayMs`), so its *work* is its latency minus 200 ms. Peak memory is `VmHWM` of
//! each server process (`/proc/PID/status`), read at the end of each scenario.
//!
//! The `memory` group (`BENCH_ONLY=memory`; it needs no corpus, and adds `related-2000.md` when
//! there is one) measures scenario (d)'s memory alone: per run a fresh server per build, its
//! binary dropped from the page cache first (a freshly written binary is cached whole and
//! shows more file-backed memory), `didOpen`, 20 keystrokes inside entry 1,000 and one in the
//! title, then `VmHWM` and the resident split. `BENCH_MEMORY_RUNS` runs (default 3), the builds
//! alternating within each run.

#![allow(clippy::unwrap_used, clippy::print_stdout)]

#[path = "../tests/support/mod.rs"]
mod support;

#[path = "support/builds.rs"]
mod builds;

#[path = "support/articles.rs"]
#[allow(dead_code)]
mod articles;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{TestClient, file_uri, position_of, push_client_caps};

/// yaml-language-server's debounce before it validates a changed document.
const YLS_DEBOUNCE: Duration = Duration::from_millis(200);

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(run());
}

fn samples() -> usize {
    std::env::var("BENCH_SAMPLES").ok().and_then(|s| s.parse().ok()).unwrap_or(100)
}

/// Whether the scenario group `name` runs (`BENCH_ONLY`; every group by default).
fn wanted(name: &str) -> bool {
    std::env::var("BENCH_ONLY").map_or(true, |only| only.split(',').any(|o| o == name))
}

/// The article-lsp builds under test (`BENCH_BINARIES`; by default this build alone).
fn binaries() -> Vec<(String, PathBuf)> {
    builds::from_env("BENCH_BINARIES", env!("CARGO_BIN_EXE_article-lsp"))
}

/// A row's name, with the build when several are compared.
fn label(name: &str, build: &str) -> String {
    if binaries().len() > 1 { format!("{name} [{build}]") } else { name.to_string() }
}

/// The corpus directory, when `BENCH_CORPUS` names one with the special files.
fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("BENCH_CORPUS").map(PathBuf::from);
    dir.filter(|d| d.join("special").is_dir())
}

async fn run() {
    if wanted("memory") {
        memory::table(corpus().as_deref()).await;
    }
    // `cargo bench` runs every bench: without a corpus the other groups have nothing to measure.
    let Some(corpus) = corpus() else {
        println!("servers: skipped; run scripts/bench-yls.sh (it sets BENCH_CORPUS)");
        return;
    };
    let special = corpus.join("special");
    let yls = corpus.join("yls");
    let mut table = Table::default();
    let cases = [
        ("(a) typical article, edit in the front matter", "typical.md", Edit::After("title: \"")),
        ("(b) 10 MB plain-text article, edit in the body", "plain-10mb.txt", Edit::Middle),
        ("(c) 10 MB article, edit in the front matter", "front-matter-10mb.md", Edit::After("title: \"")),
        ("(d) 2,000 related entries, edit inside entry 1,000", "related-2000.md", Edit::Entry(1_000)),
    ];
    for (name, file, edit) in cases.into_iter().filter(|_| wanted("keystrokes")) {
        let ours = std::fs::read_to_string(special.join(file)).unwrap();
        let theirs = std::fs::read_to_string(yls.join(file).with_extension("yaml")).ok();
        table.rows.extend(keystrokes(name, &ours, theirs.as_deref(), edit).await);
    }
    for articles in ["10k", "100k"] {
        let dir = corpus.join(articles);
        if dir.is_dir() && wanted("index") {
            for (build, program) in binaries() {
                let rows = index_and_requests(&program, &dir, articles, &yls).await;
                table.rows.extend(rows.into_iter().map(|row| Row { name: label(&row.name, &build), ..row }));
            }
        }
    }
    table.print();
}

/// Where a scenario's keystrokes go.
#[derive(Clone, Copy)]
enum Edit {
    /// Right after the first occurrence of the text.
    After(&'static str),
    /// At the start of the line nearest the middle of the text.
    Middle,
    /// Inside the title of the `n`th related entry.
    Entry(usize),
}

impl Edit {
    fn offset(self, text: &str) -> usize {
        match self {
            Edit::After(anchor) => text.find(anchor).unwrap() + anchor.len(),
            Edit::Middle => text[text.len() / 2..].find('\n').unwrap() + text.len() / 2 + 1,
            Edit::Entry(n) => {
                let anchor = "  - title: \"";
                text.match_indices(anchor).nth(n).unwrap().0 + anchor.len()
            }
        }
    }
}

/// One server under test: its client, the document it edits, the position of the edit.
struct Session {
    client: TestClient,
    uri: String,
    position: Value,
    /// Whether publications carry the document version (yaml-language-server's do not).
    versioned: bool,
    times: Vec<Duration>,
}

impl Session {
    async fn open(mut client: TestClient, uri: String, text: &str, edit: Edit, versioned: bool) -> Session {
        client.open(&uri, text, 1).await;
        let first = |m: &Value| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri.as_str();
        client.wait_within(Duration::from_secs(300), "first diagnostics", first).await;
        // Let late publications (a schema loaded after the first validation) arrive now.
        client.drain(Duration::from_millis(500)).await;
        client.seen.clear();
        let position = position_of(text, edit.offset(text));
        Session { client, uri, position, versioned, times: Vec::new() }
    }

    /// One keystroke (insert on even samples, delete on odd ones), timed until its diagnostics.
    async fn keystroke(&mut self, sample: usize) {
        let version = 2 + sample as i64;
        let change = if sample % 2 == 0 {
            json!([{ "range": { "start": self.position, "end": self.position }, "text": "x" }])
        } else {
            let mut end = self.position.clone();
            end["character"] = json!(self.position["character"].as_u64().unwrap() + 1);
            json!([{ "range": { "start": self.position, "end": end }, "text": "" }])
        };
        let started = Instant::now();
        self.client.change(&self.uri, version, change).await;
        let (uri, versioned) = (self.uri.as_str(), self.versioned);
        let published = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && (!versioned || m["params"]["version"] == version)
        };
        self.client.wait_within(Duration::from_secs(120), "diagnostics", published).await;
        self.times.push(started.elapsed());
        self.client.seen.clear();
    }

    /// Peak resident memory, then shutdown.
    async fn finish(self) -> (Vec<Duration>, Option<u64>) {
        let peak = peak_rss(&self.client);
        self.client.shutdown().await;
        (self.times, peak)
    }
}

async fn keystrokes(name: &str, ours: &str, theirs: Option<&str>, edit: Edit) -> Vec<Row> {
    let mut builds = Vec::new();
    for (build, program) in binaries() {
        let client = article_lsp(&program, None).await;
        builds.push((build, Session::open(client, "file:///bench/article.md".into(), ours, edit, true).await));
    }
    let mut y = match (theirs, yaml_language_server().await) {
        (Some(text), Some(client)) => Some(Session::open(client, yls_uri(), text, edit, false).await),
        _ => None,
    };
    for sample in 0..samples() {
        // Each build goes first in turn: none always runs right after another one.
        let n = builds.len();
        for k in (0..n).map(|k| (k + sample) % n) {
            builds[k].1.keystroke(sample).await;
        }
        if let Some(y) = &mut y {
            y.keystroke(sample).await;
        }
    }
    let (theirs, their_peak) = match y {
        Some(y) => y.finish().await,
        None => (Vec::new(), None),
    };
    let theirs = Summary::of(theirs);
    let mut rows = Vec::new();
    for (build, session) in builds {
        let (ours, our_peak) = session.finish().await;
        rows.push(Row {
            name: label(name, &build),
            ours: Summary::of(ours),
            theirs,
            our_peak,
            their_peak,
            debounced: true,
        });
    }
    rows
}

/// The URI yaml-language-server sees: a `.yaml` file (its modeline names the schema).
fn yls_uri() -> String {
    "file:///bench/article.yaml".into()
}

async fn article_lsp(program: &Path, root: Option<&Path>) -> TestClient {
    let mut client = TestClient::program(program, &[]);
    client.initialize(push_client_caps(), json!({ "now": "2026-01-01T00:00:00Z" }), root).await;
    client
}

async fn yaml_language_server() -> Option<TestClient> {
    let script = std::env::var_os("YLS_SERVER")?;
    let node = std::env::var_os("NODE").unwrap_or_else(|| "node".into());
    let mut command = tokio::process::Command::new(node);
    command.arg(script).arg("--stdio");
    let mut client = TestClient::spawn(&mut command);
    client.initialize(push_client_caps(), Value::Null, None).await;
    let settings =
        json!({ "yaml": { "validate": true, "hover": true, "completion": true, "format": { "enable": false } } });
    client.notify("workspace/didChangeConfiguration", json!({ "settings": settings })).await;
    Some(client)
}

/// Time to index a workspace (until `$/progress` ends), then completion and hover in it.
/// yaml-language-server has no index: its completion and hover are measured on the typical
/// article's front matter, alternated with ours.
async fn index_and_requests(program: &Path, dir: &Path, label: &str, yls: &Path) -> Vec<Row> {
    let started = Instant::now();
    let mut client = article_lsp(program, Some(dir)).await;
    let ended = |m: &Value| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end";
    client.wait_within(Duration::from_secs(600), "indexing", ended).await;
    let indexing = started.elapsed();
    let peak_after_index = peak_rss(&client);
    let mut rows = vec![Row {
        name: format!("indexing {label} articles (until `$/progress` end)"),
        ours: Summary::of(vec![indexing]),
        their_peak: None,
        our_peak: peak_after_index,
        theirs: Summary::default(),
        debounced: false,
    }];
    if label != "100k" {
        client.shutdown().await;
        return rows;
    }
    let text = "---\ntitle: \"Editing\"\ntopics:\n  - \nprovider:\n  name: Ka\nrelated:\n  - title: \"Article 7\"\n    webUrl: \"https://site7.example.com/a/7\"\n---\n";
    let uri = file_uri(&dir.join("editing.md"));
    client.open(&uri, text, 1).await;
    client.diagnostics(&uri, 1).await;
    let mut theirs = match (std::fs::read_to_string(yls.join("typical.yaml")), yaml_language_server().await) {
        (Ok(text), Some(mut y)) => {
            y.open(&yls_uri(), &text, 1).await;
            let first = |m: &Value| m["method"] == "textDocument/publishDiagnostics";
            y.wait_within(Duration::from_secs(60), "first diagnostics", first).await;
            Some((y, text))
        }
        _ => None,
    };
    let ours = [
        ("completion of topics", "textDocument/completion", 3, 4),
        ("completion of providers", "textDocument/completion", 5, 10),
        ("hover on a related entry", "textDocument/hover", 7, 4),
    ];
    for (name, method, line, character) in ours {
        let params = json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } });
        let mut our_times = Vec::new();
        let mut their_times = Vec::new();
        for _ in 0..samples() {
            our_times.push(timed(&mut client, method, params.clone()).await);
            if let Some((y, text)) = &mut theirs {
                their_times.push(timed(y, method, their_request(text, method)).await);
            }
        }
        rows.push(Row {
            name: format!("{name}, {label}-article index"),
            ours: Summary::of(our_times),
            theirs: Summary::of(their_times),
            our_peak: None,
            their_peak: None,
            debounced: false,
        });
    }
    if let Some(last) = rows.last_mut() {
        last.our_peak = peak_rss(&client);
    }
    client.shutdown().await;
    if let Some((y, _)) = theirs {
        if let Some(last) = rows.last_mut() {
            last.their_peak = peak_rss(&y);
        }
        y.shutdown().await;
    }
    rows
}

/// yaml-language-server's request of the same kind on the typical front matter: completion of
/// a key at the start of the `provider` mapping, hover on the `title` key.
fn their_request(text: &str, method: &str) -> Value {
    let at = match method {
        "textDocument/hover" => text.find("title:").unwrap() + 1,
        _ => text.find("  name:").unwrap() + 2,
    };
    json!({ "textDocument": { "uri": yls_uri() }, "position": position_of(text, at) })
}

async fn timed(client: &mut TestClient, method: &str, params: Value) -> Duration {
    let started = Instant::now();
    client.request(method, params).await;
    let elapsed = started.elapsed();
    client.seen.clear();
    elapsed
}

/// `VmHWM` (peak resident set) of a client's server process, in KiB.
fn peak_rss(client: &TestClient) -> Option<u64> {
    let pid = client.child.as_ref()?.id()?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[derive(Default, Clone, Copy)]
struct Summary {
    samples: usize,
    median: Duration,
    p95: Duration,
}

impl Summary {
    fn of(mut times: Vec<Duration>) -> Summary {
        if times.is_empty() {
            return Summary::default();
        }
        times.sort();
        let p95 = times[(times.len() * 95 / 100).min(times.len() - 1)];
        Summary { samples: times.len(), median: times[times.len() / 2], p95 }
    }
}

struct Row {
    name: String,
    ours: Summary,
    theirs: Summary,
    our_peak: Option<u64>,
    their_peak: Option<u64>,
    /// Whether the other server's latency includes its debounce (keystrokes).
    debounced: bool,
}

#[derive(Default)]
struct Table {
    rows: Vec<Row>,
}

impl Table {
    fn print(&self) {
        println!(
            "| scenario | samples | article-lsp median / p95 (ms) | yaml-language-server median / p95 (ms) | YLS work: median − 200 ms | work ratio | peak RSS article-lsp / YLS (MiB) | memory ratio |"
        );
        println!("|---|---|---|---|---|---|---|---|");
        for row in &self.rows {
            println!("{}", row.line());
        }
    }
}

impl Row {
    fn line(&self) -> String {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let ours = format!("{:.2} / {:.2}", ms(self.ours.median), ms(self.ours.p95));
        let has_theirs = self.theirs.samples > 0;
        let theirs = if has_theirs {
            format!("{:.1} / {:.1}", ms(self.theirs.median), ms(self.theirs.p95))
        } else {
            "—".into()
        };
        let work = if self.debounced { self.theirs.median.saturating_sub(YLS_DEBOUNCE) } else { self.theirs.median };
        let (work_cell, ratio) = if has_theirs {
            let label = if self.debounced { format!("{:.1}", ms(work)) } else { "—".into() };
            (label, format!("{:.0}×", ms(work) / ms(self.ours.median).max(1e-6)))
        } else {
            ("—".into(), "—".into())
        };
        let mib = |k: Option<u64>| k.map_or("—".into(), |k| format!("{:.1}", k as f64 / 1024.0));
        let memory = match (self.our_peak, self.their_peak) {
            (Some(o), Some(t)) => format!("{:.0}×", t as f64 / o as f64),
            _ => "—".into(),
        };
        format!(
            "| {} | {} | {ours} | {theirs} | {work_cell} | {ratio} | {} / {} | {memory} |",
            self.name,
            self.ours.samples,
            mib(self.our_peak),
            mib(self.their_peak)
        )
    }
}

/// Scenario (d)'s memory, builds alternated run by run (see the module documentation).
mod memory {
    use super::*;

    /// Where the memory of one server run went, in KiB (`/proc/PID/status`).
    #[derive(Clone, Copy)]
    struct Footprint {
        after_initialize: u64,
        after_open: u64,
        peak: u64,
        anonymous: u64,
        file_backed: u64,
    }

    fn runs() -> usize {
        std::env::var("BENCH_MEMORY_RUNS").ok().and_then(|s| s.parse().ok()).unwrap_or(3)
    }

    /// The documents: a tiny article (the server's floor), the 2,000-related-entry article of
    /// `lsp_latency` and, with a corpus, the generator's `related-2000.md`.
    fn documents(corpus: Option<&Path>) -> Vec<(String, String, Edit)> {
        let tiny = articles::workspace_article(7);
        let mut documents = vec![
            (format!("tiny article ({} B)", tiny.len()), tiny, Edit::After("title: \"")),
            named("many_related(2000)", articles::many_related(2_000)),
        ];
        if let Some(text) = corpus.and_then(|c| std::fs::read_to_string(c.join("special/related-2000.md")).ok()) {
            documents.push(named("related-2000.md", text));
        }
        documents
    }

    fn named(name: &str, text: String) -> (String, String, Edit) {
        (format!("{name} ({} KB)", text.len() / 1000), text, Edit::Entry(1_000))
    }

    pub async fn table(corpus: Option<&Path>) {
        println!(
            "| document | build | runs | after `initialize` | after `didOpen` | peak (VmHWM) min / median / max | anonymous / file-backed at the end (median) |"
        );
        println!("|---|---|---|---|---|---|---|");
        for (name, text, edit) in documents(corpus) {
            let builds = binaries();
            let mut seen: Vec<Vec<Footprint>> = vec![Vec::new(); builds.len()];
            for run in 0..runs() {
                for k in (0..builds.len()).map(|k| (k + run) % builds.len()) {
                    seen[k].push(one_run(&builds[k].1, &text, edit).await);
                }
            }
            for ((build, _), footprints) in builds.iter().zip(seen) {
                println!("{}", line(&name, build, &footprints));
            }
        }
    }

    fn line(name: &str, build: &str, footprints: &[Footprint]) -> String {
        let mib = |k: u64| format!("{:.2}", k as f64 / 1024.0);
        let sorted = |f: fn(&Footprint) -> u64| {
            let mut values: Vec<u64> = footprints.iter().map(f).collect();
            values.sort_unstable();
            values
        };
        let median = |f: fn(&Footprint) -> u64| mib(sorted(f)[footprints.len() / 2]);
        let peaks = sorted(|f| f.peak);
        format!(
            "| {name} | {build} | {} | {} | {} | {} / **{}** / {} | {} / {} |",
            footprints.len(),
            median(|f| f.after_initialize),
            median(|f| f.after_open),
            mib(peaks[0]),
            mib(peaks[peaks.len() / 2]),
            mib(peaks[peaks.len() - 1]),
            median(|f| f.anonymous),
            median(|f| f.file_backed),
        )
    }

    async fn one_run(program: &Path, text: &str, edit: Edit) -> Footprint {
        drop_from_page_cache(program);
        let client = article_lsp(program, None).await;
        let after_initialize = status_kib(&client, "VmRSS:");
        let mut session = Session::open(client, "file:///bench/article.md".into(), text, edit, true).await;
        let after_open = status_kib(&session.client, "VmHWM:");
        for sample in 0..20 {
            session.keystroke(sample).await;
        }
        session.position = position_of(text, Edit::After("title: \"").offset(text));
        session.keystroke(20).await;
        let footprint = Footprint {
            after_initialize,
            after_open,
            peak: status_kib(&session.client, "VmHWM:"),
            anonymous: status_kib(&session.client, "RssAnon:"),
            file_backed: status_kib(&session.client, "RssFile:"),
        };
        session.client.shutdown().await;
        footprint
    }

    /// Evicts the binary's pages from the page cache, so every run maps it alike.
    fn drop_from_page_cache(program: &Path) {
        if let Ok(file) = std::fs::File::open(program) {
            let _ = rustix::fs::fadvise(&file, 0, None, rustix::fs::Advice::DontNeed);
        }
    }

    /// A `/proc/PID/status` field of the client's server, in KiB (0 when unreadable).
    fn status_kib(client: &TestClient, field: &str) -> u64 {
        let Some(pid) = client.child.as_ref().and_then(|c| c.id()) else { return 0 };
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let line = status.lines().find(|l| l.starts_with(field)).unwrap_or_default();
        line.split_whitespace().nth(1).and_then(|v| v.parse().ok()).unwrap_or(0)
    }
}
