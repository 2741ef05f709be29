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
