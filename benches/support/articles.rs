//! Generated articles shared by the benchmarks.

/// A front matter with `n` related entries (each with an excerpt, a date, a URL and a provider).
pub fn many_related(n: usize) -> String {
    let mut text = String::from(
        "---\ntitle: \"Hub article\"\npublishedDateTime: 2021-09-26T06:17:00Z\nwebUrl: \"https://hub.example.com/a\"\nprovider:\n  name: Hub\n  domain: hub.example.com\nrelated:\n",
    );
    for i in 0..n {
        text.push_str(&format!(
            "  - title: \"Related {i}\"\n    excerpt: \"Excerpt number {i} with the Organization’s words.\"\n    publishedDateTime: 2021-09-2{}T18:13:00Z\n    webUrl: \"https://r{i}.example.com/a\"\n    provider:\n      name: Provider {}\n      domain: r{i}.example.com\n",
            i % 7,
            i % 40
        ));
    }
    text.push_str("---\n");
    text
}

const TOPICS: [&str; 12] = [
    "AI",
    "Vaccines",
    "Diplomacy",
    "Public Health",
    "Elections",
    "Energy",
    "Climate",
    "Trade",
    "Sport",
    "Science",
    "Europe",
    "Asia",
];

/// Article number `i` of a generated workspace: 500 providers, 12 topics, unique URLs.
pub fn workspace_article(i: usize) -> String {
    format!(
        "---\ntitle: \"Article {i}\"\npublishedDateTime: 2021-{:02}-{:02}T06:17:00Z\nwebUrl: \"https://site{i}.example.com/a/{i}\"\nprovider:\n  name: Provider {}\n  domain: site{i}.example.com\ntopics:\n  - {}\n  - {}\n---\n",
        i % 12 + 1,
        i % 28 + 1,
        i % 500,
        TOPICS[i % TOPICS.len()],
        TOPICS[(i / 7) % TOPICS.len()]
    )
}
