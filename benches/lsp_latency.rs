//! LSP latency over real JSON-RPC with the release binary: `cargo bench --bench lsp_latency`.
//!
//! Measures keystroke -> `publishDiagnostics` (for that version) on a typical article, on a
//! 10 MB plain-text article (edit in the body) and on a front matter with 2,000 related
//! entries; code lenses, semantic tokens and inlay hints of that article; and completion and
//! hover latency with a 100,000-article workspace index. Prints
//! medians and 95th percentiles. `LSP_BENCH_SAMPLES` sets the samples per scenario (default 200)
//! and `LSP_BENCH_ARTICLES` the size of the index (default 100000).

#![allow(clippy::unwrap_used, clippy::print_stdout)]

#[path = "../tests/support/mod.rs"]
mod support;

#[path = "support/articles.rs"]
mod articles;

use articles::{many_related, workspace_article};

use std::path::Path;
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

struct Stats {
    name: String,
    times: Vec<Duration>,
}

impl Stats {
    fn row(&mut self) -> String {
        self.times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let median = ms(self.times[self.times.len() / 2]);
        let p95 = ms(self.times[(self.times.len() * 95 / 100).min(self.times.len() - 1)]);
        format!("| {} | {} | {median:.2} | {p95:.2} |", self.name, self.times.len())
    }
}

async fn run() {
    let mut rows = Vec::new();
    rows.push(keystrokes("typical article, edit in the front matter", &typical(), "excerpt: \"").await);
    rows.push(
        keystrokes("typical article, edit in the body", &format!("{}Body text.\n", typical()), "Body text").await,
    );
    rows.push(keystrokes("10 MB plain-text article, edit in the body", &big_plain_text(), "MIDDLE").await);
    rows.push(
        keystrokes(
            "front matter with 2,000 related entries, edit in the front matter",
            &many_related(2_000),
            "title: \"",
        )
        .await,
    );
    rows.extend(features_on_many_related().await);
    rows.extend(index_requests().await);
    println!("| scenario | samples | median (ms) | p95 (ms) |");
    println!("|---|---|---|---|");
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

/// Types one character after `anchor` and deletes it again, alternately; each change is timed
/// until the server publishes diagnostics for its version.
async fn keystrokes(name: &str, text: &str, anchor: &str) -> Stats {
    let mut client = TestClient::binary();
    client.initialize(push_client_caps(), json!({ "now": "2026-01-01T00:00:00Z" }), None).await;
    let uri = "file:///bench/article.md";
    client.open(uri, text, 1).await;
    client.wait_within(Duration::from_secs(120), "first diagnostics", |m| is_publication(m, uri, 1)).await;
    let at = text.find(anchor).unwrap() + anchor.len();
    let position = position_of(text, at);
    let mut times = Vec::new();
    for i in 0..samples() {
        let version = 2 + i as i64;
        let change = if i % 2 == 0 {
            json!([{ "range": { "start": position, "end": position }, "text": "x" }])
        } else {
            let mut end = position.clone();
            end["character"] = json!(position["character"].as_u64().unwrap() + 1);
            json!([{ "range": { "start": position, "end": end }, "text": "" }])
        };
        let started = Instant::now();
        client.change(uri, version, change).await;
        client.wait_within(Duration::from_secs(60), "diagnostics", |m| is_publication(m, uri, version)).await;
        times.push(started.elapsed());
        client.seen.clear();
    }
    client.shutdown().await;
    Stats { name: name.to_string(), times }
}

/// Code lenses, semantic tokens and inlay hints of an article with 2,000 related entries.
async fn features_on_many_related() -> Vec<Stats> {
    let text = many_related(2_000);
    let mut client = TestClient::binary();
    client.initialize(push_client_caps(), json!({ "now": "2026-01-01T00:00:00Z" }), None).await;
    let uri = "file:///bench/related.md";
    client.open(uri, &text, 1).await;
    client.wait_within(Duration::from_secs(120), "first diagnostics", |m| is_publication(m, uri, 1)).await;
    let doc = json!({ "uri": uri });
    let end = position_of(&text, text.len());
    let whole = json!({ "start": { "line": 0, "character": 0 }, "end": end });
    let requests = [
        ("code lenses", "textDocument/codeLens", json!({ "textDocument": doc })),
        ("semantic tokens (full)", "textDocument/semanticTokens/full", json!({ "textDocument": doc })),
        ("inlay hints (whole document)", "textDocument/inlayHint", json!({ "textDocument": doc, "range": whole })),
    ];
    let mut rows = Vec::new();
    for (name, method, params) in requests {
        let mut times = Vec::new();
        for _ in 0..samples() {
            times.push(timed(&mut client, method, params.clone()).await);
            client.seen.clear();
        }
        rows.push(Stats { name: format!("{name}, 2,000 related entries"), times });
    }
    client.shutdown().await;
    rows
}

fn is_publication(m: &Value, uri: &str, version: i64) -> bool {
    m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri && m["params"]["version"] == version
}

/// Completion and hover with a workspace of many articles.
async fn index_requests() -> Vec<Stats> {
    let articles: usize = std::env::var("LSP_BENCH_ARTICLES").ok().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    write_workspace(dir.path(), articles);
    let mut client = TestClient::binary();
    let started = Instant::now();
    client.initialize(push_client_caps(), json!({ "now": "2026-01-01T00:00:00Z" }), Some(dir.path())).await;
    client
        .wait_within(Duration::from_secs(600), "indexing", |m| {
            m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end"
        })
        .await;
    let indexing = started.elapsed();
    if let Some(pid) = client.child.as_ref().and_then(|c| c.id()) {
        println!("server memory after indexing {articles} articles: {}", memory_of(pid));
    }
    let text = "---\ntitle: \"Editing\"\ntopics:\n  - \nprovider:\n  name: Pro\nrelated:\n  - title: \"Article 7\"\n    webUrl: \"https://site7.example.com/a/7\"\n---\n";
    let uri = file_uri(&dir.path().join("editing.md"));
    client.open(&uri, text, 1).await;
    client.seen.clear();
    let mut completion = Vec::new();
    let mut providers = Vec::new();
    let mut hover = Vec::new();
    for _ in 0..samples() {
        completion.push(
            timed(
                &mut client,
                "textDocument/completion",
                json!({ "textDocument": { "uri": uri }, "position": { "line": 3, "character": 4 } }),
            )
            .await,
        );
        providers.push(
            timed(
                &mut client,
                "textDocument/completion",
                json!({ "textDocument": { "uri": uri }, "position": { "line": 5, "character": 11 } }),
            )
            .await,
        );
        hover.push(
            timed(
                &mut client,
                "textDocument/hover",
                json!({ "textDocument": { "uri": uri }, "position": { "line": 7, "character": 2 } }),
            )
            .await,
        );
        client.seen.clear();
    }
    client.shutdown().await;
    vec![
        Stats { name: format!("indexing {articles} articles (once)"), times: vec![indexing] },
        Stats { name: format!("completion of topics, {articles}-article index"), times: completion },
        Stats { name: format!("completion of providers, {articles}-article index"), times: providers },
        Stats { name: format!("hover on a related entry, {articles}-article index"), times: hover },
    ]
}

/// Resident and peak memory of a process (Linux `/proc`).
fn memory_of(pid: u32) -> String {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status.lines().find(|l| l.starts_with(name)).map(|l| l[name.len()..].trim().to_string()).unwrap_or_default()
    };
    format!("RSS {}, peak {}", field("VmRSS:"), field("VmHWM:"))
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
