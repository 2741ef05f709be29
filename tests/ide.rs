//! The editor features through the public API: cursor context, completion, hover, navigation,
//! outline and folding, on realistic multi-article workspaces and on half-typed text.

#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

use std::ops::Range;
use std::path::{Path, PathBuf};

use article_lsp::config::Config;
use article_lsp::ide::{
    self, Completion, CompletionKind, FoldKind, Insert, NamedKind, RenameKind, Slot, SymbolKind, context_at,
};
use article_lsp::workspace::{Index, discover};
use jiff::Timestamp;

fn fixture_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/ide/ws")
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(fixture_root().join(rel)).expect("test data")
}

/// The fixture workspace (seven articles), as the server would load it.
fn index() -> Index {
    let paths = discover::discover(&fixture_root(), &|_| Config::default());
    let mut index = Index::default();
    for (path, summary) in discover::load(&paths, &|_, _| {}, &|| false) {
        index.upsert(path, summary);
    }
    index
}

fn now() -> Timestamp {
    "2026-01-01T00:00:00Z".parse().expect("test data")
}

fn catalog() -> Config {
    Config::from_toml(
        "[schema]\ntopics = [\"AI\", \"Zoology\"]\n[providers]\n\"Radio Free Europe/Radio Liberty\" = \"rferl.org\"\n\"Wire Catalogued\" = \"wire.example.com\"\n",
        None,
    )
    .expect("test data")
}

/// Completions at the `|` marker.
fn complete(marked: &str, config: &Config) -> (String, Vec<Completion>) {
    let (text, at) = cursor(marked);
    let items = ide::completions(&text, at, &index(), config, now());
    (text, items)
}

fn labels(items: &[Completion]) -> Vec<&str> {
    items.iter().map(|c| c.label.as_str()).collect()
}

fn find<'a>(items: &'a [Completion], label: &str) -> &'a Completion {
    items.iter().find(|c| c.label == label).unwrap_or_else(|| panic!("no {label} in {:?}", labels(items)))
}

/// Applies a completion (its plain insertion and additional edits) to `text`.
fn apply(text: &str, c: &Completion) -> String {
    let insert = match &c.insert {
        Insert::Plain(p) => p.clone(),
        Insert::Snippet { plain, .. } => plain.clone(),
    };
    let mut edits: Vec<(Range<usize>, String)> = vec![(c.replace.clone(), insert)];
    edits.extend(c.additional_edits.iter().map(|e| (e.range.clone(), e.replacement.clone())));
    edits.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
    let mut out = text.to_string();
    for (range, with) in edits {
        out.replace_range(range, &with);
    }
    out
}

/// Splits `text` at the `|` cursor marker.
fn cursor(marked: &str) -> (String, usize) {
    let at = marked.find('|').expect("a cursor marker");
    (marked.replacen('|', "", 1), at)
}

fn ctx(marked: &str) -> (Vec<String>, Slot, String) {
    let (text, at) = cursor(marked);
    let c = context_at(&text, at);
    let word = text[c.word.clone()].to_string();
    (c.path, c.slot, word)
}

fn key(k: &str) -> Slot {
    Slot::Value { key: k.into() }
}

fn item(k: &str) -> Slot {
    Slot::Item { key: k.into() }
}

fn path(p: &[&str]) -> Vec<String> {
    p.iter().map(|s| s.to_string()).collect()
}

const HEAD: &str = "---\ntitle: Moscow Backs Certificates\n";

#[test]
fn context_top_level_key_and_value() {
    let (p, s, w) = ctx(&format!("{HEAD}publi|\n---\nbody\n"));
    assert_eq!((p, s, w.as_str()), (path(&[]), Slot::Key, "publi"));
    let (p, s, w) = ctx(&format!("{HEAD}type: vid|\n---\n"));
    assert_eq!((p, s, w.as_str()), (path(&[]), key("type"), "vid"));
    let (_, s, w) = ctx(&format!("{HEAD}category: \"ne|\n---\n"));
    assert_eq!((s, w.as_str()), (key("category"), "ne"));
    let (_, s, w) = ctx(&format!("{HEAD}published:|\n---\n"));
    assert_eq!((s, w.as_str()), (key("published"), ""));
}

#[test]
fn context_topics_items() {
    let base = "---\ntitle: a\ntopics:\n  - AI\n";
    let (p, s, w) = ctx(&format!("{base}  |\n---\n"));
    assert_eq!((p, s, w.as_str()), (path(&[]), item("topics"), ""));
    let (p, s, w) = ctx(&format!("{base}  - Pub|\n---\n"));
    assert_eq!((p, s, w.as_str()), (path(&[]), item("topics"), "Pub"));
    let (p, s, _) = ctx("---\ntopics:\n- |\n---\n");
    assert_eq!((p, s), (path(&[]), item("topics")));
    let (_, s, w) = ctx("---\ntopics: [AI, Pu|]\n---\n");
    assert_eq!((s, w.as_str()), (item("topics"), "Pu"));
    let (_, s, w) = ctx("---\ntopics:\n  - \"Pu|\"\n---\n");
    assert_eq!((s, w.as_str()), (item("topics"), "Pu"));
}

#[test]
fn context_nested_mappings() {
    let (p, s, w) = ctx("---\nprovider:\n  na|\n---\n");
    assert_eq!((p, s, w.as_str()), (path(&["provider"]), Slot::Key, "na"));
    let (p, s, w) = ctx("---\nprovider:\n  name: Radio|\n  domain: rferl.org\n---\n");
    assert_eq!((p, s, w.as_str()), (path(&["provider"]), key("name"), "Radio"));
    let related = "---\nrelated:\n  - title: x\n    provider:\n      name: T\n";
    let (p, s, _) = ctx(&format!("{related}    web|\n---\n"));
    assert_eq!((p, s), (path(&["related"]), Slot::Key));
    let (p, s, _) = ctx(&format!("{related}      dom|\n---\n"));
    assert_eq!((p, s), (path(&["related", "provider"]), Slot::Key));
    let (p, s, w) = ctx("---\nrelated:\n  - title: Regional|\n---\n");
    assert_eq!((p, s, w.as_str()), (path(&["related"]), key("title"), "Regional"));
    let (p, s, _) = ctx("---\nrelated:\n  - title: a\n  - |\n---\n");
    assert_eq!((p, s), (path(&["related"]), Slot::Key));
    let images = "---\nrelated:\n  - title: x\n    images:\n      - url: u\n        wid|\n---\n";
    let (p, s, _) = ctx(images);
    assert_eq!((p, s), (path(&["related", "images"]), Slot::Key));
}

#[test]
fn context_crlf_tabs_and_body() {
    let (p, s, w) = ctx("---\r\nprovider:\r\n  name: Tr|\r\n---\r\nbody\r\n");
    assert_eq!((p, s, w.as_str()), (path(&["provider"]), key("name"), "Tr"));
    let (p, s, _) = ctx("---\r\ntopics:\r\n  - AI\r\n  |\r\n---\r\n");
    assert_eq!((p, s), (path(&[]), item("topics")));
    let (p, s, _) = ctx("---\nprovider:\n\tna|\n---\n");
    assert_eq!((p, s), (path(&["provider"]), Slot::Key));
    let (_, s, _) = ctx("---\ntitle: a\n---\nbo|dy\n");
    assert_eq!(s, Slot::Body);
    let (_, s, _) = ctx("---\ntitle: a\n|---\n");
    assert_eq!(s, Slot::Body);
    let (_, s, _) = ctx("plain te|xt\n");
    assert_eq!(s, Slot::Body);
    let (p, s, _) = ctx("---\ntitle: a\npub|");
    assert_eq!((p, s), (path(&[]), Slot::Key));
}

#[test]
fn completes_missing_top_level_fields_as_snippets() {
    let (text, items) = complete(&format!("{HEAD}publ|\n---\n"), &Config::default());
    assert!(!labels(&items).contains(&"title"), "present keys are left out");
    let date = find(&items, "publishedDateTime");
    assert_eq!(date.kind, CompletionKind::Field);
    assert_eq!(&text[date.replace.clone()], "publ");
    assert_eq!(
        date.insert,
        Insert::Snippet { snippet: "publishedDateTime: ${1}".into(), plain: "publishedDateTime: ".into() }
    );
    assert!(date.documentation.as_deref().unwrap().contains("RFC 3339"));
    let Insert::Snippet { snippet, .. } = &find(&items, "provider").insert else { panic!() };
    assert_eq!(snippet, "provider:\n  name: $1\n  domain: $2");
    let Insert::Snippet { snippet, .. } = &find(&items, "topics").insert else { panic!() };
    assert_eq!(snippet, "topics:\n  - $1");
    let Insert::Snippet { snippet, .. } = &find(&items, "related").insert else { panic!() };
    assert_eq!(snippet, "related:\n  - title: $1\n    webUrl: $2");
    // Required fields sort first.
    let first: Vec<&str> = labels(&items).into_iter().take(4).collect();
    assert_eq!(first, ["publishedDateTime", "webUrl", "provider", "related"]);
}

#[test]
fn completes_keys_of_nested_mappings() {
    let (_, items) = complete("---\nprovider:\n  name: X\n  |\n---\n", &Config::default());
    assert_eq!(labels(&items), ["domain"]);
    let related = "---\nrelated:\n  - title: a\n    webUrl: https://x.org/a\n  - |\n---\n";
    let (_, items) = complete(related, &Config::default());
    assert!(labels(&items).contains(&"title"), "a new item has no keys yet");
    let Insert::Snippet { snippet, plain } = &find(&items, "provider").insert else { panic!() };
    assert_eq!(snippet, "provider:\n      name: $1\n      domain: $2");
    assert_eq!(plain, "provider:\n      name: \n      domain: ");
    let (_, items) =
        complete("---\nrelated:\n  - title: a\n    excerpt: b\n    |\n    webUrl: u\n---\n", &Config::default());
    let keys = labels(&items);
    assert!(!keys.contains(&"title") && !keys.contains(&"webUrl") && !keys.contains(&"excerpt"));
    assert!(keys.contains(&"publishedDateTime"));
    let (_, items) = complete("---\nimages:\n  - url: u\n    |\n---\n", &Config::default());
    assert_eq!(labels(&items), ["width", "height", "isCached"]);
}

#[test]
fn completes_topics_by_frequency_then_vocabulary() {
    let marked = "---\ntitle: a\ntopics:\n  - Trade\n  - |\n---\n";
    let (_, items) = complete(marked, &catalog());
    let got = labels(&items);
    assert_eq!(&got[..3], ["Diplomacy", "Public Health", "AI"]);
    assert_eq!(got.last(), Some(&"Zoology"));
    assert_eq!(got.iter().filter(|l| **l == "AI").count(), 1);
    assert_eq!(find(&items, "Diplomacy").detail.as_deref(), Some("3 articles"));
    assert_eq!(find(&items, "Zoology").detail.as_deref(), Some("vocabulary"));
    assert_eq!(find(&items, "AI").kind, CompletionKind::Topic);
    let mut sorted = items.clone();
    sorted.sort_by(|a, b| a.sort_text.cmp(&b.sort_text));
    assert_eq!(sorted, items, "sort_text keeps frequency order");

    // A blank line under the list, and a quote already typed.
    let (_, items) = complete("---\ntopics:\n  - AI\n  |\n---\n", &catalog());
    assert_eq!(items[0].label, "Diplomacy");
    let (text, items) = complete("---\ntopics:\n  - \"Pub|\"\n---\n", &catalog());
    let health = find(&items, "Public Health");
    assert_eq!(&text[health.replace.clone()], "Pub");
    assert_eq!(apply(&text, health), "---\ntopics:\n  - \"Public Health\"\n---\n");
}

#[test]
fn provider_name_completion_fills_in_the_domain() {
    let (text, items) = complete("---\nprovider:\n  name: Sci|\ntopics: []\n---\n", &catalog());
    let science = find(&items, "Science Daily Wire");
    assert_eq!(science.kind, CompletionKind::Provider);
    assert!(matches!(science.insert, Insert::Plain(_)));
    assert_eq!(science.detail.as_deref(), Some("sciencewire.example.org · 3 articles"));
    assert_eq!(
        apply(&text, science),
        "---\nprovider:\n  name: Science Daily Wire\n  domain: sciencewire.example.org\ntopics: []\n---\n"
    );
    // The catalog's providers are offered too, after the workspace's.
    assert_eq!(items.last().unwrap().label, "Wire Catalogued");

    // An existing domain is replaced; CRLF and a related item's provider keep their layout.
    let marked = "---\r\nrelated:\n  - title: a\n    provider:\n      domain: wrong.org\n      name: Rad|\n---\n";
    let (text, items) = complete(marked, &catalog());
    let rferl = find(&items, "Radio Free Europe/Radio Liberty");
    assert_eq!(
        apply(&text, rferl),
        "---\r\nrelated:\n  - title: a\n    provider:\n      domain: rferl.org\n      name: Radio Free Europe/Radio Liberty\n---\n"
    );
    let (text, items) = complete("---\r\nprovider:\r\n  name: |\r\n---\r\n", &catalog());
    let wire = find(&items, "Wire Catalogued");
    assert_eq!(
        apply(&text, wire),
        "---\r\nprovider:\r\n  name: Wire Catalogued\r\n  domain: wire.example.com\r\n---\r\n"
    );
    // Already right: no extra edit.
    let (_, items) = complete("---\nprovider:\n  name: Tre|\n  domain: trend.az\n---\n", &catalog());
    assert!(find(&items, "Trend News Agency").additional_edits.is_empty());
}

#[test]
fn completes_domains_types_booleans_and_dates() {
    let (_, items) = complete("---\nprovider:\n  name: X\n  domain: |\n---\n", &catalog());
    assert_eq!(labels(&items)[..2], ["rferl.org", "sciencewire.example.org"]);
    assert!(labels(&items).contains(&"wire.example.com"));
    let (_, items) = complete("---\ntype: |\n---\n", &Config::default());
    assert_eq!(labels(&items), ["article", "video"]);
    assert_eq!(items[0].detail.as_deref(), Some("5 articles"));
    let (_, items) = complete("---\ncategory: s|\n---\n", &Config::default());
    assert_eq!(labels(&items), ["news", "science"]);
    let (_, items) = complete("---\npublished: |\n---\n", &Config::default());
    assert_eq!(labels(&items), ["true", "false"]);
    let (_, items) = complete("---\nrelated:\n  - publishedDateTime: |\n---\n", &Config::default());
    assert_eq!(labels(&items), ["2026-01-01T00:00:00Z"]);
    assert_eq!(items[0].kind, CompletionKind::Date);
    let (_, items) = complete("---\ntitle: a\n---\nbody |text\n", &Config::default());
    assert!(items.is_empty());
}

fn hover_at(rel: &str, needle: &str, delta: usize) -> Option<ide::Hover> {
    let text = read(rel);
    let at = text.find(needle).expect("needle") + delta;
    ide::hover(&text, at, &fixture_root().join(rel), &index(), now())
}

const PASSPORTS: &str = "world/2021-09-26-vaccine-passports.md";

#[test]
fn hover_on_a_related_entry_is_a_card() {
    let text = read(PASSPORTS);
    for (needle, delta) in [("- title: \"Regional", 0), ("publishedDateTime: 2021-09-23", 3), ("name: The Frontier", 8)]
    {
        let card = hover_at(PASSPORTS, needle, delta).unwrap();
        assert!(
            card.markdown.starts_with("**Regional bloc not discussing recognition of new Kabul government**"),
            "{}",
            card.markdown
        );
        assert!(card.markdown.contains("The Frontier Post (thefrontierpost.com)"));
        assert!(
            card.markdown.contains("23 Sep 2021, 18:13 UTC — 2021-09-23T18:13:00Z (2 days before this article)"),
            "{}",
            card.markdown
        );
        let uri = format!("[Open in workspace](file://{}/world/2021-09-23-regional-bloc.md)", fixture_root().display());
        assert!(card.markdown.contains(&uri), "{}", card.markdown);
        assert!(text[card.range.clone()].starts_with("- title: \"Regional"));
    }
    let second = hover_at(PASSPORTS, "- title: \"EU and Moscow", 2).unwrap();
    assert!(second.markdown.contains("2 months after this article"), "{}", second.markdown);
}

#[test]
fn hover_on_title_topic_provider_date_and_key() {
    let title = hover_at(PASSPORTS, "title: \"Moscow", 9).unwrap();
    assert!(title.markdown.contains("Related (2):"));
    assert!(title.markdown.contains("Linked from (2):"), "{}", title.markdown);
    // Both lists alike: `- date [title](uri)` for workspace articles, `- date title` otherwise.
    let related = title.markdown.split("Linked from").next().unwrap();
    let regional = format!(
        "\n- 2021-09-23 [Regional bloc not discussing recognition of new Kabul government](file://{}/world/2021-09-23-regional-bloc.md)",
        fixture_root().display()
    );
    assert!(related.contains(&regional), "{}", title.markdown);
    let linked = title.markdown.split("Linked from").nth(1).unwrap();
    assert!(linked.contains("\n- 2021-11-28 [EU and Moscow hold talks"), "{}", title.markdown);

    let topic = hover_at(PASSPORTS, "  - Public Health", 6).unwrap();
    assert!(topic.markdown.starts_with("**Topic** `Public Health`: 3 articles"));
    assert!(topic.markdown.contains("- 2022-04-02 [Labs agree on model cards"));

    let provider = hover_at(PASSPORTS, "name: Radio Free", 8).unwrap();
    assert!(provider.markdown.contains("1 article in the workspace"), "{}", provider.markdown);

    let date = hover_at("science/2022-03-14-protein-folding.md", "2022-03-14T09", 2).unwrap();
    assert_eq!(date.markdown, "14 Mar 2022, 08:30 UTC — 2022-03-14T09:30:00+01:00 (3 years ago)");

    let key = hover_at(PASSPORTS, "quality: 24\nheat", 2).unwrap();
    assert!(key.markdown.contains("Quality score"));
    assert!(hover_at(PASSPORTS, "secured", 2).unwrap().markdown.contains("signature"));
    assert!(hover_at(PASSPORTS, "\"c2FtcGxl", 3).is_none());
}

#[test]
fn hover_on_mojibake_and_dated_lines() {
    let text = read(PASSPORTS);
    let card = hover_at(PASSPORTS, "Organizationâ€™s", 13).expect("a mojibake card");
    // Relies on the mojibake engine (another work stream) finding `â€™` in this line.
    assert!(card.markdown.contains("`Organizationâ€™s` is `Organization’s`"));
    assert_eq!(&text[card.range], "â€™");
    let dated = hover_at("scraped/2021-09-embassy-page.txt", "16.09.2021", 3).unwrap();
    assert_eq!(dated.markdown, "Dated line: `16.09.2021`");
}

#[test]
fn definition_and_references() {
    let index = index();
    let text = read(PASSPORTS);
    let at = text.find("The Shanghai").unwrap();
    let targets = ide::definition(&text, at, &index);
    assert_eq!(targets.len(), 1);
    let bloc = fixture_root().join("world/2021-09-23-regional-bloc.md");
    assert_eq!(targets[0].path, bloc);
    let bloc_text = std::fs::read_to_string(&bloc).unwrap();
    assert!(bloc_text[targets[0].range.clone().unwrap()].starts_with("\"Regional bloc"));

    let rerun = read("science/2022-05-10-protein-rerun.md");
    let at = rerun.find("https://www.science").unwrap();
    assert_eq!(ide::definition(&rerun, at, &index).len(), 2);
    assert!(ide::definition(&rerun, 0, &index).is_empty());

    let at = text.find("  - Public Health").unwrap() + 5;
    let refs = ide::references(&text, at, &fixture_root().join(PASSPORTS), &index);
    assert_eq!(refs.len(), 3);
    for r in &refs {
        let other = std::fs::read_to_string(&r.path).unwrap();
        assert_eq!(&other[r.range.clone().unwrap()], "Public Health");
    }
    let folding = read("science/2022-03-14-protein-folding.md");
    let at = folding.find("name: Science").unwrap() + 7;
    let here = fixture_root().join("science/2022-03-14-protein-folding.md");
    let refs = ide::references(&folding, at, &here, &index);
    assert_eq!(refs.len(), 3);
    assert!(ide::references(&folding, 1, &here, &index).is_empty());
}

#[test]
fn outline_and_folding() {
    let text = read(PASSPORTS);
    let symbols = ide::document_symbols(&text);
    let names: Vec<&str> = symbols.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names[..3], ["category", "title", "excerpt"]);
    let related = symbols.iter().find(|s| s.name == "related").unwrap();
    assert_eq!(related.kind, SymbolKind::Array);
    assert_eq!(related.children[1].name, "EU and Moscow hold talks on vaccination certificates");
    assert_eq!(related.children[1].kind, SymbolKind::Related);
    assert!(text[related.children[0].range.clone()].starts_with("- title:"));
    let date = symbols.iter().find(|s| s.name == "publishedDateTime").unwrap();
    assert_eq!(date.kind, SymbolKind::Date);
    assert_eq!(date.detail.as_deref(), Some("2021-09-26T06:17:00Z"));
    let provider = symbols.iter().find(|s| s.name == "provider").unwrap();
    assert_eq!((provider.kind, provider.children.len()), (SymbolKind::Object, 2));

    let plain = read("scraped/2021-09-embassy-page.txt");
    let dated = ide::document_symbols(&plain);
    assert_eq!(dated.len(), 3);
    assert_eq!(&plain[dated[1].selection_range.clone()], "16.09.2021");
    assert_eq!(dated[1].kind, SymbolKind::Date);

    let folds = ide::folding_ranges(&text);
    assert_eq!(folds[0].kind, FoldKind::FrontMatter);
    assert!(text[folds[0].range.clone()].ends_with("==\"\n---"));
    let regions: Vec<&str> = folds[1..].iter().map(|f| text[f.range.clone()].lines().next().unwrap()).collect();
    assert_eq!(
        regions,
        [
            "provider:",
            "topics:",
            "related:",
            "- title: \"Regional bloc not discussing recognition of new Kabul government\"",
            "- title: \"EU and Moscow hold talks on vaccination certificates\""
        ]
    );
    assert!(ide::folding_ranges(&plain).is_empty());
}

#[test]
fn workspace_symbols_search_titles() {
    let found = ide::workspace_symbols(&index(), "protein");
    let titles: Vec<&str> = found.iter().filter(|s| s.kind == NamedKind::Title).map(|s| s.name.as_str()).collect();
    assert_eq!(titles, ["Protein model results reproduced", "Open model predicts protein shapes in minutes"]);
    assert!(found[0].target.range.is_some());
}

/// Texts that are broken in every way we know of.
const MESSY: &[&str] = &[
    "",
    "---",
    "---\r\n",
    "\u{feff}---\r\ntitle: \"Zürich ’s\r\n  - - [\r\nprovider:\r\n\tname: é\r\n---\r\nbody é\r\n",
    "---\ntopics:\n  - AI\n  \nrelated:\n  - title: Organizationâ€™s\n    provider:\n      name: \n  - \n-\n- - x\n: \n\"k\": v\nexcerpt: Breaking: news\n",
    "---\nrelated: [{title: a, webUrl: x}, \nimages:\n  - url:\n    width: é\n...\n16.09.2021 - x\n",
    "26 September 2021\n31.09.2021 - x\r\rAugust 4, 2021 é😀\n",
    "---\ntitle: a\rprovider:\r  name: x\r---\r",
    "---\n\u{85}\u{0}:\n  \u{2028}: -\n---\n",
];

#[test]
fn never_panics_at_any_offset() {
    let index = index();
    let config = catalog();
    let passports = read(PASSPORTS);
    let crlf = passports.replace('\n', "\r\n");
    let cut = passports[..passports.len() / 2].to_string();
    let texts = MESSY.iter().map(|t| t.to_string()).chain([passports, crlf, cut]);
    for text in texts {
        let text = text.as_str();
        // Every offset of the short texts; on the long articles, a stride keeps the debug
        // build fast (every offset is still exercised by `context_at` below).
        let step = if text.len() > 500 { 7 } else { 1 };
        for at in 0..=text.len() + 2 {
            let c = context_at(text, at);
            assert!(c.word.end <= text.len() && text.is_char_boundary(c.word.start));
        }
        let boundaries = (0..=text.len() + 2).filter(|i| *i > text.len() || text.is_char_boundary(*i)).step_by(step);
        for at in boundaries.chain([text.len() + 100, 1, 2, 3]) {
            let ctx = context_at(text, at);
            assert!(ctx.word.start <= ctx.word.end && ctx.word.end <= text.len());
            assert!(text.is_char_boundary(ctx.word.start) && text.is_char_boundary(ctx.word.end));
            for c in ide::completions(text, at, &index, &config, now()) {
                assert!(c.replace.end <= text.len() && text.is_char_boundary(c.replace.start));
                for e in &c.additional_edits {
                    assert!(e.range.end <= text.len() && text.is_char_boundary(e.range.start));
                }
            }
            if let Some(h) = ide::hover(text, at, Path::new("/w/x.md"), &index, now()) {
                assert!(h.range.end <= text.len());
            }
            let _ = ide::definition(text, at, &index);
            let _ = ide::references(text, at, Path::new("/w/x.md"), &index);
            for range in ide::selection_ranges(text, at).into_iter().chain(ide::highlights(text, at)) {
                assert!(range.end <= text.len() && text.is_char_boundary(range.start));
            }
            if let Some(target) = ide::prepare_rename(text, at) {
                let edits = ide::rename_edits(text, target.kind, &[target.name.as_str()], "x: y", Some("d"));
                let _ = article_lsp::fix::apply(text, &edits.names);
            }
        }
        let this = Path::new("/w/x.md");
        let parsed = ide::Parsed::new(text);
        let _ = ide::code_lenses(text, &parsed, this, &index);
        let _ = ide::document_links(text, &parsed, this, &index);
        let _ = ide::inlay_hints(&parsed, &index, &ide::HintSettings::default(), now());
        for t in ide::semantic_tokens(text, &parsed, &config) {
            assert!(t.range.end <= text.len() && text.is_char_boundary(t.range.start));
        }
        let repair = ide::repair(text, &config, now());
        let _ = article_lsp::fix::apply(text, &repair.edits);
        for s in ide::document_symbols(text) {
            assert!(s.range.end <= text.len() && s.selection_range.end <= text.len());
        }
        for f in ide::folding_ranges(text) {
            assert!(f.range.end <= text.len());
        }
        let _ = article_lsp::workspace::summarize(text);
    }
    let _ = ide::workspace_symbols(&index, "ü😀");
}

#[test]
fn completing_inside_an_existing_key_renames_it() {
    let (text, items) = complete("---\npubli|shDateTime: 2021-09-26T06:17:00Z\n---\n", &Config::default());
    let date = find(&items, "publishedDateTime");
    assert_eq!(date.insert, Insert::Plain("publishedDateTime".into()));
    assert_eq!(apply(&text, date), "---\npublishedDateTime: 2021-09-26T06:17:00Z\n---\n");
}

fn apply_edits(text: &str, edits: &[article_lsp::analysis::Edit]) -> String {
    article_lsp::fix::apply(text, edits)
}

fn rename_topic(text: &str, from: &[&str], to: &str) -> String {
    let edits = ide::rename_edits(text, RenameKind::Topic, from, to, None);
    assert!(edits.domains.is_empty());
    apply_edits(text, &edits.names)
}

#[test]
fn prepare_rename_finds_topics_and_provider_names_only() {
    let marked = "---\ntitle: T\nprovider:\n  name: \"Old Wire\"\ntopics:\n  - AI\nrelated:\n  - title: R\n    provider:\n      name: Other\n---\n";
    let target = |needle: &str, delta: usize| ide::prepare_rename(marked, marked.find(needle).unwrap() + delta);
    let topic = target("AI", 1).unwrap();
    assert_eq!((topic.kind, topic.name.as_str(), &marked[topic.range]), (RenameKind::Topic, "AI", "AI"));
    let provider = target("Old Wire", 0).unwrap();
    assert_eq!((provider.kind, &marked[provider.range]), (RenameKind::Provider, "\"Old Wire\""));
    assert_eq!(provider.name, "Old Wire");
    assert_eq!(target("Other", 2).unwrap().kind, RenameKind::Provider);
    assert_eq!(target("title: T", 8), None);
    assert_eq!(target("name:", 1), None, "a key is not a name");
    assert_eq!(target("topics", 0), None);
}

#[test]
fn rename_keeps_quoting_and_quotes_when_needed() {
    let text = "---\ntopics:\n  - 'Old'\n  - \"Old\"\n  - Old\n---\n";
    // Three spellings of one name in one list: the first is renamed, the others merged away.
    assert_eq!(rename_topic(text, &["Old"], "It's: new"), "---\ntopics:\n  - 'It''s: new'\n---\n");
    let plain = "---\ntopics: [Old]\n---\n";
    assert_eq!(rename_topic(plain, &["Old"], "a: b"), "---\ntopics: [\"a: b\"]\n---\n");
    assert_eq!(rename_topic(plain, &["Old"], "New"), "---\ntopics: [New]\n---\n");
}

#[test]
fn rename_into_an_existing_name_deletes_without_breaking_the_list() {
    let flow = "---\ntopics: [A, Old, Old2, B]\n---\n";
    assert_eq!(rename_topic(flow, &["Old", "Old2"], "A"), "---\ntopics: [A, B]\n---\n");
    let flow_end = "---\ntopics: [A, Old, Old2]\n---\n";
    assert_eq!(rename_topic(flow_end, &["Old", "Old2"], "A"), "---\ntopics: [A]\n---\n");
    let crlf = "---\r\ntopics:\r\n  - New\r\n  - Old\r\n  - B\r\n---\r\n";
    assert_eq!(rename_topic(crlf, &["Old"], "New"), "---\r\ntopics:\r\n  - New\r\n  - B\r\n---\r\n");
    // Unrelated duplicates are left alone: a rename changes only what it renames.
    let dup = "---\ntopics:\n  - B\n  - B\n  - Old\n---\n";
    assert_eq!(rename_topic(dup, &["Old"], "C"), "---\ntopics:\n  - B\n  - B\n  - C\n---\n");
    assert_eq!(rename_topic("no front matter", &["Old"], "New"), "no front matter");
}

#[test]
fn provider_rename_changes_names_and_written_domains() {
    let text = "---\nprovider:\n  name: Old\n  domain: old.example\nrelated:\n  - provider:\n      name: Old\n  - provider:\n      name: Keep\n      domain: keep.example\n---\n";
    let edits = ide::rename_edits(text, RenameKind::Provider, &["Old"], "New", Some("new.example"));
    assert_eq!(edits.names.len(), 2);
    assert_eq!(edits.domains.len(), 1, "a domain is changed only where one is written beside the name");
    let all: Vec<_> = edits.names.iter().chain(&edits.domains).cloned().collect();
    let mut all = all;
    all.sort_by_key(|e| e.range.start);
    assert_eq!(
        apply_edits(text, &all),
        "---\nprovider:\n  name: New\n  domain: new.example\nrelated:\n  - provider:\n      name: New\n  - provider:\n      name: Keep\n      domain: keep.example\n---\n"
    );
}

#[test]
fn repair_edits_touch_only_changed_lines() {
    let text = "---\ntitle: \"cafÃ©\"\ntype: article\nexcerpt: \"Organizationâ€™s\"\n---\nBody stays.\n";
    let repair = ide::repair(text, &Config::default(), now());
    assert_eq!(repair.findings, 2);
    assert_eq!(repair.edits.len(), 2, "{:?}", repair.edits);
    assert_eq!(&text[repair.edits[0].range.clone()], "title: \"cafÃ©\"\n");
    assert_eq!(
        apply_edits(text, &repair.edits),
        "---\ntitle: \"café\"\ntype: article\nexcerpt: \"Organization’s\"\n---\nBody stays.\n"
    );
    assert_eq!(ide::repair("---\ntitle: fine\n---\n", &Config::default(), now()), ide::Repair::default());
}

fn passports_path() -> PathBuf {
    fixture_root().join(PASSPORTS)
}

#[test]
fn code_lenses_count_citations_related_entries_and_topic_users() {
    let text = read(PASSPORTS);
    let lenses = ide::code_lenses(&text, &ide::Parsed::new(&text), &passports_path(), &index());
    let shown: Vec<(&str, &str)> = lenses.iter().map(|l| (&text[l.range.clone()], l.title.as_str())).collect();
    assert_eq!(
        shown,
        [
            ("\"Moscow Backs Mutual Recognition Of Vaccine Certificates\"", "cited by 2 articles"),
            ("\"Moscow Backs Mutual Recognition Of Vaccine Certificates\"", "2 related"),
            ("Public Health", "3 articles"),
            ("Vaccines", "2 articles"),
            ("Diplomacy", "3 articles"),
        ]
    );
    // Each lens opens the references at its offset: the citing entries, the related entries,
    // the topic's users.
    let refs = |l: &ide::Lens| ide::references(&text, l.references_at, &passports_path(), &index());
    let citing = refs(&lenses[0]);
    assert_eq!(citing.len(), 2);
    for target in &citing {
        let other = std::fs::read_to_string(&target.path).unwrap();
        assert!(other[target.range.clone().unwrap()].starts_with("- title:"), "a related entry");
    }
    let related = refs(&lenses[1]);
    assert_eq!(related.len(), 2);
    assert!(related.iter().all(|t| t.path == passports_path()));
    assert_eq!(refs(&lenses[2]).len(), 3);
    assert!(
        ide::code_lenses("plain text\n", &ide::Parsed::new("plain text\n"), &passports_path(), &index()).is_empty()
    );
}

#[test]
fn document_links_prefer_workspace_articles() {
    let text = read(PASSPORTS);
    let links = ide::document_links(&text, &ide::Parsed::new(&text), &passports_path(), &index());
    let shown: Vec<(&str, String)> = links
        .iter()
        .map(|l| {
            let target = match &l.target {
                ide::LinkTarget::Article(p) => format!("file {}", p.strip_prefix(fixture_root()).unwrap().display()),
                ide::LinkTarget::Url(u) => u.clone(),
            };
            (&text[l.range.clone()], target)
        })
        .collect();
    assert_eq!(shown.len(), 6, "{shown:#?}");
    // The article's own URLs link to the web, not to itself.
    assert_eq!(shown[0].1, "https://www.rferl.org/a/moscow-vaccine-certificates/31478001.html");
    assert_eq!(shown[0].0, shown[0].1, "the range excludes the quotes");
    assert_eq!(shown[3].1, "file world/2021-09-23-regional-bloc.md");
    assert_eq!(shown[4].1, "https://thefrontierpost.com/wp-content/uploads/2021/09/fp-logo.jpg");
    assert_eq!(shown[5].1, "file world/2021-11-28-certificate-talks.md");
    let broken = "---\nwebUrl: \"not a url\"\nimages:\n  - url: ftp://x.example.com/a\n---\n";
    assert!(ide::document_links(broken, &ide::Parsed::new(broken), Path::new("/w/x.md"), &index()).is_empty());
}

#[test]
fn inlay_hints_by_kind() {
    let text = read("science/2022-03-14-protein-folding.md");
    let hints = ide::inlay_hints(&ide::Parsed::new(&text), &index(), &ide::HintSettings::default(), now());
    let shown: Vec<(ide::HintKind, &str)> = hints.iter().map(|h| (h.kind, h.label.as_str())).collect();
    assert!(shown.contains(&(ide::HintKind::RelativeDate, "3 years ago")), "{shown:?}");
    assert!(shown.contains(&(ide::HintKind::ZonedTime, "14 Mar 2022, 08:30 UTC")), "{shown:?}");
    let zoned = hints.iter().find(|h| h.kind == ide::HintKind::ZonedTime).unwrap();
    assert!(text[..zoned.offset].ends_with("2022-03-14T09:30:00+01:00"));

    let berlin =
        ide::HintSettings { time_zone: Some(jiff::tz::TimeZone::fixed(jiff::tz::offset(1))), ..Default::default() };
    let same_zone = ide::inlay_hints(&ide::Parsed::new(&text), &index(), &berlin, now());
    assert!(same_zone.iter().all(|h| h.kind != ide::HintKind::ZonedTime), "written in the display zone already");

    let passports = read(PASSPORTS);
    let hints = ide::inlay_hints(&ide::Parsed::new(&passports), &index(), &ide::HintSettings::default(), now());
    let providers: Vec<&str> =
        hints.iter().filter(|h| h.kind == ide::HintKind::RelatedProvider).map(|h| h.label.as_str()).collect();
    assert_eq!(providers, ["The Frontier Post", "Trend News Agency"]);
    assert!(hints.iter().all(|h| h.kind != ide::HintKind::ZonedTime), "UTC values need no zoned time");
    let off = ide::HintSettings { relative_dates: false, time_zone: None, related_provider: false };
    assert!(ide::inlay_hints(&ide::Parsed::new(&passports), &index(), &off, now()).is_empty());
}

#[test]
fn semantic_tokens_classify_keys_values_and_dated_lines() {
    use ide::TokenKind::*;
    let text = "---\ntitle: \"T\"\nmystery: 1\npublishedDateTime: 2021-09-26T06:17:00Z\nwebUrl: \"https://a.example.com/1\"\nprovider:\n  name: Wire\ntopics: [AI, \"Public Health\"]\n---\nbody 2021-01-01\n";
    let tokens = ide::semantic_tokens(text, &ide::Parsed::new(text), &Config::default());
    let shown: Vec<(&str, ide::TokenKind)> = tokens.iter().map(|t| (&text[t.range.clone()], t.kind)).collect();
    assert_eq!(
        shown,
        [
            ("title", Key),
            ("mystery", UnknownKey),
            ("publishedDateTime", Key),
            ("2021-09-26T06:17:00Z", Date),
            ("webUrl", Key),
            ("https://a.example.com/1", Url),
            ("provider", Key),
            ("name", Key),
            ("Wire", Provider),
            ("topics", Key),
            ("AI", Topic),
            ("Public Health", Topic),
        ]
    );
    let plain = "Title line\n26 September 2021\nMoscow: 16:04\n16.09.2021 - entry\n";
    let dated: Vec<&str> = ide::semantic_tokens(plain, &ide::Parsed::new(plain), &Config::default())
        .iter()
        .inspect(|t| assert_eq!(t.kind, DatedLine))
        .map(|t| &plain[t.range.clone()])
        .collect();
    assert_eq!(dated, ["26 September 2021", "16.09.2021"]);
}

#[test]
fn selection_ranges_grow_from_value_to_document() {
    let text = read(PASSPORTS) + "A body.\n";
    let at = text.find("Trend News Agency").unwrap() + 3;
    let ranges = ide::selection_ranges(&text, at);
    let shown: Vec<&str> = ranges.iter().map(|r| &text[r.clone()]).collect();
    assert_eq!(shown[0], "Trend News Agency");
    assert_eq!(shown[1], "name: Trend News Agency");
    assert!(shown[2].starts_with("provider:\n      name: Trend") || shown[2].starts_with("name: Trend"), "{shown:#?}");
    let item = shown.iter().position(|s| s.starts_with("- title: \"EU and Moscow")).expect("the list item");
    assert!(shown[item + 1].starts_with("- title: \"Regional"), "then the list: {shown:#?}");
    assert!(shown[item + 2].starts_with("related:"));
    assert!(shown[shown.len() - 2].starts_with("---\ncategory") && shown[shown.len() - 2].ends_with("---\n"));
    assert_eq!(ranges.last().unwrap(), &(0..text.len()));
    for pair in ranges.windows(2) {
        assert!(pair[1].start <= pair[0].start && pair[0].end <= pair[1].end && pair[0] != pair[1]);
    }
}

#[test]
fn highlights_every_use_of_a_name_in_the_file() {
    let text = "---\nprovider:\n  name: Wire\ntopics: [AI, B]\nrelated:\n  - provider:\n      name: Wire\n    topics:\n      - AI\n---\n";
    let spans = |needle: &str| -> Vec<&str> {
        ide::highlights(text, text.find(needle).unwrap() + 1).iter().map(|r| &text[r.clone()]).collect()
    };
    assert_eq!(spans("Wire"), ["Wire", "Wire"]);
    assert_eq!(spans("AI"), ["AI", "AI"]);
    assert!(ide::highlights(text, 1).is_empty());
}

#[test]
fn workspace_symbols_include_topics_and_providers() {
    let index = index();
    let names =
        |query: &str| -> Vec<String> { ide::workspace_symbols(&index, query).into_iter().map(|s| s.name).collect() };
    assert_eq!(names("#public h"), ["#Public Health", "#Public  Health"]);
    let providers = names("@radio");
    assert_eq!(providers, ["@Radio Free Europe/Radio Liberty"]);
    let all = ide::workspace_symbols(&index, "vaccines");
    assert_eq!(all[0].name, "#Vaccines", "an exact name ranks first: {all:#?}");
    assert_eq!(all[0].detail.as_deref(), Some("2 articles"));
    let topic = &all[0].target;
    let other = std::fs::read_to_string(&topic.path).unwrap();
    assert_eq!(&other[topic.range.clone().unwrap()], "Vaccines");
}
