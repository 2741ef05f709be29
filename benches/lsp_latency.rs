//! LSP latency over real JSON-RPC with the release binary: `cargo bench --bench lsp_latency`.
//!
//! Measures keystroke -> `publishDiagnostics` (for that version) on a typical article, on a
//! 10 MB plain-text article (edit in the body), on a 10 MB article (edit in the front matter)
//! and on a front matter with 2,000 related entries; code lenses, semantic tokens and inlay
//! hints of that article (on one version, and first after an edit); the 10,000-edit storm; and
//! indexing a 100,000-article workspace (wall time and the server's CPU time) and completion and
//! hover with its index. Prints medians, 95th percentiles and the server's peak RSS.
//! `LSP_BENCH_SAMPLES` sets the samples per scenario (default 200), `LSP_BENCH_ARTICLES` the
//! size of the index (default 100000), `LSP_BENCH_INDEX_RUNS` the indexings per build (default 5),
//! `LSP_BENCH_STORMS` the storm runs (default 3), `LSP_BENCH_ONLY` the scenario groups and
//! `LSP_BENCH_BINARIES` the builds to alternate (`main=/path,this=/path`).

#![allow(clippy::unwrap_used, clippy::print_stdout)]

#[path = "../tests/support/mod.rs"]
mod support;

#[path = "support/builds.rs"]
mod builds;

#[path = "support/articles.rs"]
mod articles;

use articles::{many_related, workspace_article};

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{TestClient, file_uri, position_of, push_client_caps};

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(run());
}

fn samples() -> usize {
    std::env::var("LSP_BENCH_SAMPLES").ok().and_then(|s| s.parse().ok()).unwrap_or(200)
}

/// The server builds to compare, as `label=path` pairs separated by commas
/// (`LSP_BENCH_BINARIES`); by default this build alone. With several, every scenario alternates
/// between them sample by sample, so machine noise falls on all of them alike.
fn binaries() -> Vec<(String, PathBuf)> {
    builds::from_env("LSP_BENCH_BINARIES", env!("CARGO_BIN_EXE_article-lsp"))
}

/// Whether the scenario group `name` runs (`LSP_BENCH_ONLY`: comma-separated names; all by
/// default): typical, plain, big-front, related, features, deltas (the token delta rows of
/// features alone), storm, index.
fn wanted(name: &str) -> bool {
    std::env::var("LSP_BENCH_ONLY").map_or(true, |only| only.split(',').any(|o| o == name))
}

struct Stats {
    name: String,
    times: Vec<Duration>,
    /// Peak resident memory of the server process (`VmHWM`), when measured.
    peak: Option<String>,
}

impl Stats {
    fn new(name: String, times: Vec<Duration>) -> Stats {
        Stats { name, times, peak: None }
    }

    fn row(&mut self) -> String {
        self.times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let median = ms(self.times[self.times.len() / 2]);
        let p95 = ms(self.times[(self.times.len() * 95 / 100).min(self.times.len() - 1)]);
        let peak = self.peak.as_deref().unwrap_or("—");
        format!("| {} | {} | {median:.2} | {p95:.2} | {peak} |", self.name, self.times.len())
    }
}

async fn run() {
    let mut rows = Vec::new();
    if wanted("typical") {
        rows.extend(keystrokes("typical article, edit in the front matter", &typical(), "excerpt: \"").await);
        let text = format!("{}Body text.\n", typical());
        rows.extend(keystrokes("typical article, edit in the body", &text, "Body text").await);
    }
    if wanted("plain") {
        rows.extend(keystrokes("10 MB plain-text article, edit in the body", &big_plain_text(), "MIDDLE").await);
    }
    if wanted("big-front") {
        let text = format!("{}{}", typical(), big_plain_text());
        rows.extend(keystrokes("10 MB article, edit in the front matter", &text, "excerpt: \"").await);
    }
    if wanted("related") {
        let text = many_related(2_000);
        let name = "2,000 related entries (1.1 MB), edit in the top-level title";
        rows.extend(keystrokes(name, &text, "title: \"").await);
        let name = "2,000 related entries (1.1 MB), edit inside entry 1,000";
        rows.extend(keystrokes(name, &text, "title: \"Related 1000").await);
    }
    if wanted("features") {
        rows.extend(features_on_many_related().await);
    }
    if wanted("features") || wanted("deltas") {
        rows.extend(token_deltas_on_many_related().await);
    }
    if wanted("storm") {
        rows.extend(storm().await);
    }
    if wanted("index") {
        rows.extend(index_requests().await);
    }
    println!("| scenario | samples | median (ms) | p95 (ms) | peak RSS |");
    println!("|---|---|---|---|---|");
    for mut row in rows {
        println!("{}", row.row());
    }
}

fn typical() -> String {
    include_str!("../examples/world/2021-09-26-vaccine-passports.md").to_string()
}

fn big_plain_text() -> String {
    let paragraph = "16.09.2021 - Address to citizens ahead of the parliamentary elections\n\nThe minister’s statement was read in Zürich — “naïve” hopes, said a spokesman of the organisation.\nPlain ASCII sentences make up most of a news collection, so most lines look like this one.\n\n";
    let half = paragraph.repeat(5_000_000 / paragraph.len());
    format!("{half}MIDDLE of the article.\n{half}")
}

/// A server of each build under test, initialised, with `text` open and analysed.
async fn servers_with(uri: &str, text: &str) -> Vec<(String, TestClient)> {
    let mut out = Vec::new();
    for (label, program) in binaries() {
        let mut client = TestClient::program(&program, &[]);
        client.initialize(push_client_caps(), json!({ "now": "2026-01-01T00:00:00Z" }), None).await;
        client.open(uri, text, 1).await;
        client.wait_within(Duration::from_secs(120), "first diagnostics", |m| is_publication(m, uri, 1)).await;
        out.push((label, client));
    }
    out
}

fn label(name: &str, build: &str) -> String {
    if binaries().len() > 1 { format!("{name} [{build}]") } else { name.to_string() }
}

/// Types one character after `anchor` and deletes it again, alternately; each change is timed
/// until the server publishes diagnostics for its version. Builds take turns sample by sample.
async fn keystrokes(name: &str, text: &str, anchor: &str) -> Vec<Stats> {
    let uri = "file:///bench/article.md";
    let mut servers = servers_with(uri, text).await;
    let at = text.find(anchor).unwrap() + anchor.len();
    let position = position_of(text, at);
    let mut times = vec![Vec::new(); servers.len()];
    for i in 0..samples() {
        let version = 2 + i as i64;
        let change = if i % 2 == 0 {
            json!([{ "range": { "start": position, "end": position }, "text": "x" }])
        } else {
            let mut end = position.clone();
            end["character"] = json!(position["character"].as_u64().unwrap() + 1);
            json!([{ "range": { "start": position, "end": end }, "text": "" }])
        };
        for ((_, client), times) in servers.iter_mut().zip(&mut times) {
            let started = Instant::now();
            client.change(uri, version, change.clone()).await;
            client.wait_within(Duration::from_secs(60), "diagnostics", |m| is_publication(m, uri, version)).await;
            times.push(started.elapsed());
            client.seen.clear();
        }
    }
    finish(name, servers, times).await
}

/// One row per build, with the peak memory of its server; shuts the servers down.
async fn finish(name: &str, servers: Vec<(String, TestClient)>, times: Vec<Vec<Duration>>) -> Vec<Stats> {
    let mut rows = Vec::new();
    for ((build, client), times) in servers.into_iter().zip(times) {
        let peak = client.child.as_ref().and_then(|c| c.id()).map(peak_memory);
        rows.push(Stats { name: label(name, &build), times, peak });
        client.shutdown().await;
    }
    rows
}

/// Code lenses, semantic tokens and inlay hints of an article with 2,000 related entries:
/// repeated on one version, and the first request after each edit (which must not re-parse).
async fn features_on_many_related() -> Vec<Stats> {
    let text = many_related(2_000);
    let uri = "file:///bench/related.md";
    let mut servers = servers_with(uri, &text).await;
    let doc = json!({ "uri": uri });
    let end = position_of(&text, text.len());
    let whole = json!({ "start": { "line": 0, "character": 0 }, "end": end });
    // What an editor asks for: the visible lines, here 60 around entry 1,000.
    let middle = position_of(&text, text.find("title: \"Related 1000").unwrap())["line"].as_u64().unwrap();
    let viewport =
        json!({ "start": { "line": middle - 30, "character": 0 }, "end": { "line": middle + 30, "character": 0 } });
    let requests = [
        ("code lenses", "textDocument/codeLens", json!({ "textDocument": doc })),
        ("semantic tokens (full)", "textDocument/semanticTokens/full", json!({ "textDocument": doc })),
        ("inlay hints (whole document)", "textDocument/inlayHint", json!({ "textDocument": doc, "range": whole })),
        ("inlay hints (60-line viewport)", "textDocument/inlayHint", json!({ "textDocument": doc, "range": viewport })),
    ];
    let anchor = text.find("title: \"Related 1000").unwrap() + "title: \"Related 1000".len();
    let position = position_of(&text, anchor);
    let mut version = 1;
    let mut rows = Vec::new();
    for (name, method, params) in requests {
        let mut same = vec![Vec::new(); servers.len()];
        let mut after_edit = vec![Vec::new(); servers.len()];
        for i in 0..samples() {
            version += 1;
            let change = if version % 2 == 0 {
                json!([{ "range": { "start": position, "end": position }, "text": "x" }])
            } else {
                let mut end = position.clone();
                end["character"] = json!(position["character"].as_u64().unwrap() + 1);
                json!([{ "range": { "start": position, "end": end }, "text": "" }])
            };
            for (k, (_, client)) in servers.iter_mut().enumerate() {
                if i % 2 == 0 {
                    same[k].push(timed(client, method, params.clone()).await);
                } else {
                    client.change(uri, version, change.clone()).await;
                    client
                        .wait_within(Duration::from_secs(60), "diagnostics", |m| is_publication(m, uri, version))
                        .await;
                    after_edit[k].push(timed(client, method, params.clone()).await);
                }
                client.seen.clear();
            }
        }
        for (k, (build, _)) in servers.iter().enumerate() {
            let row = format!("{name}, 2,000 related entries, same version");
            rows.push(Stats::new(label(&row, build), std::mem::take(&mut same[k])));
            let row = format!("{name}, 2,000 related entries, first request after an edit");
            rows.push(Stats::new(label(&row, build), std::mem::take(&mut after_edit[k])));
        }
    }
    for (_, client) in servers {
        client.shutdown().await;
    }
    rows
}

/// Semantic tokens as a delta against the client's last result (what editors ask once they
/// hold full tokens): on the same version (no change) and after an edit inside entry 1,000.
/// Builds without delta support (no `resultId`) are left out.
async fn token_deltas_on_many_related() -> Vec<Stats> {
    let text = many_related(2_000);
    let uri = "file:///bench/related-delta.md";
    let doc = json!({ "uri": uri });
    let mut servers = Vec::new();
    for (build, mut client) in servers_with(uri, &text).await {
        let full = client.request("textDocument/semanticTokens/full", json!({ "textDocument": doc })).await;
        match full["resultId"].as_str().map(str::to_string) {
            Some(id) => servers.push((build, client, id)),
            None => drop(client.shutdown().await),
        }
    }
    let anchor = text.find("title: \"Related 1000").unwrap() + "title: \"Related 1000".len();
    let position = position_of(&text, anchor);
    let mut same = vec![Vec::new(); servers.len()];
    let mut after_edit = vec![Vec::new(); servers.len()];
    for i in 0..samples() {
        let version = i as i64 + 2;
        let change = if version % 2 == 0 {
            json!([{ "range": { "start": position, "end": position }, "text": "x" }])
        } else {
            let mut end = position.clone();
            end["character"] = json!(position["character"].as_u64().unwrap() + 1);
            json!([{ "range": { "start": position, "end": end }, "text": "" }])
        };
        for (k, (_, client, id)) in servers.iter_mut().enumerate() {
            client.change(uri, version, change.clone()).await;
            client.wait_within(Duration::from_secs(60), "diagnostics", |m| is_publication(m, uri, version)).await;
            for times in [&mut after_edit[k], &mut same[k]] {
                let params = json!({ "textDocument": doc, "previousResultId": id.clone() });
                let started = Instant::now();
                let result = client.request("textDocument/semanticTokens/full/delta", params).await;
                times.push(started.elapsed());
                assert!(result["edits"].is_array(), "a delta: {result}");
                *id = result["resultId"].as_str().unwrap().to_string();
            }
            client.seen.clear();
        }
    }
    let mut rows = Vec::new();
    for (k, (build, _, _)) in servers.iter().enumerate() {
        let row = "semantic tokens (delta), 2,000 related entries, same version";
        rows.push(Stats::new(label(row, build), std::mem::take(&mut same[k])));
        let row = "semantic tokens (delta), 2,000 related entries, first request after an edit";
        rows.push(Stats::new(label(row, build), std::mem::take(&mut after_edit[k])));
    }
    for (_, client, _) in servers {
        client.shutdown().await;
    }
    rows
}

/// The 10,000-edit storm: incremental edits at line starts sent back to back, a hover after
/// every 50th; timed from the last edit written until the diagnostics of its version arrive.
async fn storm() -> Vec<Stats> {
    let runs: usize = std::env::var("LSP_BENCH_STORMS").ok().and_then(|s| s.parse().ok()).unwrap_or(3);
    let initial = format!("---\ntitle: Storm\n---\n{}", "Organizationâ€™s line\n".repeat(2_000));
    let uri = "file:///bench/storm.md";
    let builds = binaries();
    let mut times = vec![Vec::new(); builds.len()];
    let mut peaks = vec![String::new(); builds.len()];
    for _ in 0..runs {
        for (k, (_, program)) in builds.iter().enumerate() {
            let mut client = TestClient::program(program, &[]);
            client.initialize(push_client_caps(), json!({ "now": "2026-01-01T00:00:00Z" }), None).await;
            client.open(uri, &initial, 1).await;
            client.wait_within(Duration::from_secs(120), "first diagnostics", |m| is_publication(m, uri, 1)).await;
            let mut lines = initial.lines().count();
            let mut seed: u64 = 3;
            let last = 10_001;
            for version in 2..=last {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                let line = (seed >> 33) as usize % lines;
                let typed = ["x", "é", "\n", "â€™", "😀", ""][(seed >> 20) as usize % 6];
                lines += usize::from(typed == "\n");
                let start = json!({ "line": line, "character": 0 });
                let change = json!([{ "range": { "start": start, "end": start }, "text": typed }]);
                client.change(uri, version, change).await;
                if version % 50 == 0 {
                    let params =
                        json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": 1 } });
                    let id = 1_000_000 + version;
                    client
                        .send(json!({ "jsonrpc": "2.0", "id": id, "method": "textDocument/hover", "params": params }))
                        .await;
                }
            }
            let sent = Instant::now();
            // Where the time goes: when the hover sent after the last edit is answered (the
            // server has read and applied every edit by then) and which versions are published
            // after the last edit was written.
            let timeline = std::sync::Mutex::new(Vec::new());
            let before: Vec<String> = client.seen.iter().filter_map(storm_event).collect();
            client
                .wait_within(Duration::from_secs(600), "last diagnostics", |m| {
                    if let Some(event) = storm_event(m) {
                        timeline.lock().unwrap().push(format!("{event} @{:.0} ms", sent.elapsed().as_secs_f64() * 1e3));
                    }
                    is_publication(m, uri, last)
                })
                .await;
            times[k].push(sent.elapsed());
            let timeline = timeline.into_inner().unwrap();
            println!(
                "storm [{}]: before the last edit was written: {} events; after: {}",
                builds[k].0,
                before.len(),
                timeline.join(", ")
            );
            if let Some(pid) = client.child.as_ref().and_then(|c| c.id()) {
                peaks[k] = peak_memory(pid);
            }
            client.seen.clear();
            client.shutdown().await;
        }
    }
    builds
        .iter()
        .zip(times)
        .zip(peaks)
        .map(|(((build, _), times), peak)| Stats {
            name: label("10,000-edit storm: last edit -> its diagnostics", build),
            times,
            peak: Some(peak),
        })
        .collect()
}

/// A publication (`published vN`) or a response (`answered #id`) of the storm, for its timeline.
fn storm_event(m: &Value) -> Option<String> {
    if m["method"] == "textDocument/publishDiagnostics" {
        return Some(format!("published v{}", m["params"]["version"]));
    }
    m.get("id").filter(|_| m.get("method").is_none()).map(|id| format!("answered #{id}"))
}

/// Peak resident memory of a process (`VmHWM` in `/proc`, Linux).
fn peak_memory(pid: u32) -> String {
    status_mib(pid, "VmHWM:")
}

/// A memory field of `/proc/PID/status` (Linux), in MiB.
fn status_mib(pid: u32, field: &str) -> String {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kb: Option<u64> = status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok());
    kb.map_or_else(|| "?".to_string(), |kb| format!("{:.1} MiB", kb as f64 / 1024.0))
}

fn is_publication(m: &Value, uri: &str, version: i64) -> bool {
    m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri && m["params"]["version"] == version
}

/// Indexing a workspace of many articles, then completion and hover with its index. Each build
/// indexes the same workspace `LSP_BENCH_INDEX_RUNS` times (default 5), builds taking turns run
/// by run. Two rows per build: the wall time from the `initialized` notification (which starts
/// the indexing) to the end of the indexing progress, and the server's CPU time (user + system)
/// over that same span, read from `/proc` (10 ms ticks). On a loaded machine the wall time is
/// the scheduler's; the CPU time is ours. The servers of the last run then answer the requests,
/// taking turns sample by sample.
async fn index_requests() -> Vec<Stats> {
    let articles: usize = std::env::var("LSP_BENCH_ARTICLES").ok().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let runs: usize = std::env::var("LSP_BENCH_INDEX_RUNS").ok().and_then(|s| s.parse().ok()).unwrap_or(5).max(1);
    let dir = tempfile::tempdir().unwrap();
    write_workspace(dir.path(), articles);
    let builds = binaries();
    let mut walls = vec![Vec::new(); builds.len()];
    let mut cpus = vec![Vec::new(); builds.len()];
    let mut servers = Vec::new();
    for run in 0..runs {
        for (b, (build, program)) in builds.iter().enumerate() {
            let (client, wall, cpu) = indexed_server(program, dir.path()).await;
            let pid = client.child.as_ref().and_then(|c| c.id()).unwrap();
            println!(
                "indexing {articles} articles [{build}] run {run}: wall {:.3} s, CPU {:.2} s ({}), {}",
                wall.as_secs_f64(),
                cpu.total().as_secs_f64(),
                cpu,
                memory_of(pid)
            );
            walls[b].push(wall);
            cpus[b].push(cpu.total());
            if run + 1 == runs {
                servers.push((build.clone(), client));
            } else {
                client.shutdown().await;
            }
        }
    }
    let mut rows = Vec::new();
    for (b, (build, _)) in builds.iter().enumerate() {
        let rss = servers[b].1.child.as_ref().and_then(|c| c.id()).map(resident_memory);
        let mut wall = Stats::new(
            label(&format!("indexing {articles} articles, wall from `initialized`"), build),
            walls[b].clone(),
        );
        wall.peak = rss;
        rows.push(wall);
        rows.push(Stats::new(label(&format!("indexing {articles} articles, server CPU"), build), cpus[b].clone()));
    }
    let text = "---\ntitle: \"Editing\"\ntopics:\n  - \nprovider:\n  name: Pro\nrelated:\n  - title: \"Article 7\"\n    webUrl: \"https://site7.example.com/a/7\"\n---\n";
    let uri = file_uri(&dir.path().join("editing.md"));
    for (_, client) in &mut servers {
        client.open(&uri, text, 1).await;
        client.seen.clear();
    }
    let requests = [
        ("completion of topics", "textDocument/completion", json!({ "line": 3, "character": 4 })),
        ("completion of providers", "textDocument/completion", json!({ "line": 5, "character": 11 })),
        ("hover on a related entry", "textDocument/hover", json!({ "line": 7, "character": 2 })),
    ];
    let mut times = vec![vec![Vec::new(); requests.len()]; servers.len()];
    for _ in 0..samples() {
        for ((_, client), times) in servers.iter_mut().zip(&mut times) {
            for ((_, method, position), times) in requests.iter().zip(times.iter_mut()) {
                let params = json!({ "textDocument": { "uri": uri }, "position": position });
                times.push(timed(client, method, params).await);
            }
            client.seen.clear();
        }
    }
    for ((build, client), times) in servers.into_iter().zip(times) {
        for ((name, _, _), times) in requests.iter().zip(times) {
            rows.push(Stats::new(label(&format!("{name}, {articles}-article index"), &build), times));
        }
        client.shutdown().await;
    }
    rows
}

/// A server of `program` with `root` as its workspace folder, once its indexing progress has
/// ended; with the wall time and the server's CPU time from `initialized` to that end.
async fn indexed_server(program: &Path, root: &Path) -> (TestClient, Duration, CpuTime) {
    let mut client = TestClient::program(program, &[]);
    let root_uri = file_uri(root);
    let params = json!({
        "processId": null,
        "rootUri": root_uri,
        "workspaceFolders": [{ "uri": root_uri, "name": "workspace" }],
        "capabilities": push_client_caps(),
        "initializationOptions": { "now": "2026-01-01T00:00:00Z" },
    });
    client.request("initialize", params).await;
    let pid = client.child.as_ref().and_then(|c| c.id()).unwrap();
    let before = cpu_of(pid);
    let started = Instant::now();
    client.notify("initialized", json!({})).await;
    client
        .wait_within(Duration::from_secs(600), "indexing", |m| {
            m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end"
        })
        .await;
    let wall = started.elapsed();
    let cpu = cpu_of(pid).since(before);
    client.seen.clear();
    (client, wall, cpu)
}

/// Resident and peak memory of a process (Linux `/proc`).
fn memory_of(pid: u32) -> String {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status.lines().find(|l| l.starts_with(name)).map(|l| l[name.len()..].trim().to_string()).unwrap_or_default()
    };
    format!("RSS {}, peak {}", field("VmRSS:"), field("VmHWM:"))
}

/// Resident memory of a process (`VmRSS`), for the peak column of the indexing row.
fn resident_memory(pid: u32) -> String {
    format!("RSS {}", status_mib(pid, "VmRSS:"))
}

/// User and system CPU time of a process.
#[derive(Debug, Clone, Copy, Default)]
struct CpuTime {
    user: Duration,
    system: Duration,
}

impl CpuTime {
    fn total(&self) -> Duration {
        self.user + self.system
    }

    fn since(&self, earlier: CpuTime) -> CpuTime {
        CpuTime { user: self.user.saturating_sub(earlier.user), system: self.system.saturating_sub(earlier.system) }
    }
}

impl std::fmt::Display for CpuTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.2} user, {:.2} system", self.user.as_secs_f64(), self.system.as_secs_f64())
    }
}

/// CPU time of a process so far (Linux `/proc/PID/stat`, in clock ticks of 10 ms).
fn cpu_of(pid: u32) -> CpuTime {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<u64> = after.split_whitespace().skip(11).take(2).filter_map(|f| f.parse().ok()).collect();
    let ticks = |n: u64| Duration::from_millis(n * 10);
    match fields[..] {
        [user, system] => CpuTime { user: ticks(user), system: ticks(system) },
        _ => CpuTime::default(),
    }
}

async fn timed(client: &mut TestClient, method: &str, params: Value) -> Duration {
    let started = Instant::now();
    let result = client.request(method, params).await;
    assert!(!result.is_null(), "{method} returned nothing");
    started.elapsed()
}

fn write_workspace(dir: &Path, n: usize) {
    for i in 0..n {
        let sub = dir.join(format!("d{}", i / 1000));
        if i % 1000 == 0 {
            std::fs::create_dir_all(&sub).unwrap();
        }
        let text = workspace_article(i);
        std::fs::write(sub.join(format!("a{i}.md")), text).unwrap();
    }
}
