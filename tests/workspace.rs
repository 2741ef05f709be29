//! The workspace through its public API: summaries of real-looking articles, the incremental
//! index and its lookups, the cross-file checks, and discovering and loading files from disk.

#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use article_lsp::analysis::Code;
use article_lsp::config::Config;
use article_lsp::workspace::{Article, ArticleSummary, Index, Span, Spanned, discover, summarize};

fn fixture_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/ide/ws")
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(fixture_root().join(rel)).expect("test data")
}

/// The fixture workspace, discovered and loaded from disk.
fn fixture_index() -> Index {
    let root = fixture_root();
    let paths = discover::discover(&root, &|_| Config::default());
    let mut index = Index::default();
    for (path, summary) in discover::load(&paths, &|_, _| {}, &|| false) {
        index.upsert(path, summary);
    }
    index
}

/// Writes `text` to `rel` under `root`, making its directories.
fn write_file(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn path(rel: &str) -> PathBuf {
    fixture_root().join(rel)
}

fn names(found: &[(&Path, Article<'_>)]) -> Vec<String> {
    found.iter().map(|(p, _)| p.file_name().expect("test data").to_string_lossy().into_owned()).collect()
}

#[test]
fn summary_of_a_full_article() {
    let text = read("world/2021-09-26-vaccine-passports.md");
    let s = summarize(&text);
    let title = s.title.as_ref().unwrap();
    assert_eq!(&*title.value, "Moscow Backs Mutual Recognition Of Vaccine Certificates");
    assert_eq!(&text[title.span.range()], "\"Moscow Backs Mutual Recognition Of Vaccine Certificates\"");
    assert_eq!(s.published.unwrap().to_string(), "2021-09-26T06:17:00Z");
    let provider = s.provider_name.as_ref().unwrap();
    assert_eq!(&text[provider.span.range()], "Radio Free Europe/Radio Liberty");
    assert_eq!(&*s.provider_domain.as_ref().unwrap().value, "rferl.org");
    let topics: Vec<&str> = s.topics.iter().map(|t| &text[t.span.range()]).collect();
    assert_eq!(topics, ["Public Health", "Vaccines", "Diplomacy"]);
    assert_eq!(&*s.kind.as_ref().unwrap().value, "article");
    assert_eq!(&*s.category.as_ref().unwrap().value, "news");
    assert!(s.excerpt.as_ref().unwrap().starts_with("The foreign minister"));
    assert_eq!(s.original_url.as_ref().unwrap().value, s.web_url.as_ref().unwrap().value);
    assert!(s.dated_lines.is_empty());

    assert_eq!(s.related.len(), 2);
    let first = &s.related[0];
    let shown = &text[first.span.range()];
    assert!(shown.starts_with("- title: \"Regional bloc"), "{shown}");
    assert!(shown.ends_with("isCached: true"), "{shown}");
    assert_eq!(first.provider_name().map(|n| &**n), Some("The Frontier Post"));
    assert_eq!(first.provider_domain().map(|d| &**d), Some("thefrontierpost.com"));
    assert_eq!(first.published().unwrap().to_string(), "2021-09-23T18:13:00Z");
    let url = first.web_url.as_ref().unwrap();
    assert_eq!(&text[url.span.range()][1..20], "https://thefrontier");
    assert!(text[s.related[1].span.range()].ends_with("quality: 15"));
}

#[test]
fn summary_of_a_plain_text_article() {
    let text = read("scraped/2021-09-embassy-page.txt");
    let s = summarize(&text);
    assert!(s.title.is_none() && s.related.is_empty());
    let dates: Vec<&str> = s.dated_lines.iter().map(|d| &*d.value).collect();
    assert_eq!(dates, ["26 September 2021", "16.09.2021", "31.09.2021"], "lines starting with a date only");
    let line = &text[s.dated_lines[1].span.range()];
    assert_eq!(line, "16.09.2021 - Address to citizens ahead of the parliamentary elections");
}

#[test]
fn summary_survives_broken_yaml_crlf_and_odd_shapes() {
    let text = "---\r\ntitle: Port reopens\r\nexcerpt: Breaking: the port reopens\r\ntopics:\r\n  - Trade\r\nprovider: Wire\r\nrelated: [{title: a, webUrl: \"https://x.org/a\"}]\r\n---\r\n";
    let s = summarize(text);
    assert_eq!(&*s.title.as_ref().unwrap().value, "Port reopens");
    assert_eq!(&*s.topics[0].value, "Trade");
    assert!(s.provider_name.is_none(), "a provider that is not a mapping");
    assert_eq!(s.related.len(), 1);
    assert_eq!(&text[s.related[0].span.range()], "{title: a, webUrl: \"https://x.org/a\"}");
    for text in ["", "---", "---\n", "---\n:\n- - [\n", "\u{feff}", "title: x"] {
        let _ = summarize(text);
    }
    let empty = summarize("---\ntitle:\npublishedDateTime: yesterday\n---\n");
    assert!(empty.title.is_none() && empty.published.is_none());
}

#[test]
fn index_lookups() {
    let index = fixture_index();
    assert_eq!(index.len(), 7);
    let topics = index.topics();
    let top: Vec<(&str, usize)> = topics[..3].iter().map(|(t, n)| (t.as_str(), *n)).collect();
    assert_eq!(top, [("Diplomacy", 3), ("Public Health", 3), ("AI", 2)], "by count, ties alphabetical");
    assert!(topics.contains(&("AI".to_string(), 2)));
    assert!(topics.contains(&("ai".to_string(), 1)));

    let providers = index.providers();
    let science = providers.iter().find(|p| p.name == "Science Daily Wire").unwrap();
    assert_eq!(science.count, 3);
    assert_eq!(science.domain.as_deref(), Some("sciencewire.example.org"));
    let rferl = providers.iter().find(|p| p.name == "Radio Free Europe/Radio Liberty").unwrap();
    assert_eq!(rferl.count, 3, "the article and two related entries");
    assert_eq!(providers[0].count, 3);

    let types = index.values_of("type");
    assert_eq!(types[0], ("article".to_string(), 5));
    assert!(types.contains(&("video".to_string(), 1)));
    assert_eq!(index.values_of("category")[0].0, "news");
    assert!(index.values_of("nothing").is_empty());

    let same = index.articles_with_url("https://sciencewire.example.org/2022/03/open-protein-model");
    assert_eq!(names(&same), ["2022-03-14-protein-folding.md", "2022-05-10-protein-rerun.md"]);
    let links = index.articles_linking_to("HTTPS://rferl.org/a/moscow-vaccine-certificates/31478001.html/");
    assert_eq!(names(&links), ["2022-03-14-protein-folding.md", "2021-11-28-certificate-talks.md"]);
    let health = index.articles_with_topic("Public Health");
    assert_eq!(
        names(&health),
        ["2022-04-02-model-cards.md", "2021-09-26-vaccine-passports.md", "2021-09-23-regional-bloc.md"],
        "newest first"
    );
    assert_eq!(names(&index.articles_with_provider("Science Daily Wire")).len(), 3);
    assert!(index.articles_with_topic("public health").is_empty());
}

#[test]
fn title_search_is_fuzzy_and_ranked() {
    let index = fixture_index();
    let titles = |q: &str, limit| -> Vec<String> {
        index.search_titles(q, limit).iter().map(|(_, s)| s.title().unwrap().value.to_string()).collect()
    };
    assert_eq!(titles("protein", 10)[0], "Protein model results reproduced");
    assert_eq!(titles("PROTEIN", 10).len(), 2);
    assert_eq!(titles("vaccine", 10).len(), 2);
    assert_eq!(titles("mdl crds", 10), ["Labs agree on model cards for medical AI"]);
    assert_eq!(titles("", 100).len(), 6, "every titled article");
    assert_eq!(titles("", 2).len(), 2);
    assert!(titles("zzzz", 10).is_empty());
}

#[test]
fn workspace_diagnostics_duplicate_url_and_topic_variants() {
    let index = fixture_index();
    let rerun = path("science/2022-05-10-protein-rerun.md");
    let text = read("science/2022-05-10-protein-rerun.md");
    let found = index.workspace_diagnostics(&rerun);
    let codes: Vec<Code> = found.iter().map(|d| d.code).collect();
    assert_eq!(codes, [Code::DuplicateUrl, Code::TopicVariant, Code::TopicVariant]);
    let dup = &found[0];
    assert_eq!(&text[dup.range.clone()], "\"https://www.sciencewire.example.org/2022/03/open-protein-model/\"");
    assert!(dup.message.contains("2022-03-14-protein-folding.md"), "{}", dup.message);

    let ai = &found[1];
    assert_eq!(&text[ai.range.clone()], "ai");
    assert!(ai.message.contains("`AI`"), "{}", ai.message);
    let fix = ai.fix.as_ref().unwrap();
    assert!(!fix.safe);
    assert_eq!(fix.edits[0].replacement, "AI");
    assert_eq!(fix.edits[0].range, ai.range);

    let health = &found[2];
    assert_eq!(&text[health.range.clone()], "\"Public  Health\"");
    let edit = &health.fix.as_ref().unwrap().edits[0];
    assert_eq!(&text[edit.range.clone()], "Public  Health", "quotes are kept");
    assert_eq!(edit.replacement, "Public Health");

    // The well-used spelling is not a variant of the rare one, and the original has no dup
    // beyond the one file.
    let folding = path("science/2022-03-14-protein-folding.md");
    let found = index.workspace_diagnostics(&folding);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].message.contains("2022-05-10-protein-rerun.md"));
    assert!(index.workspace_diagnostics(Path::new("/nope.md")).is_empty());
}

#[test]
fn topic_variants_need_two_other_articles_and_more_uses() {
    let mut index = Index::default();
    let article = |topics: &[&str]| {
        let list: String = topics.iter().map(|t| format!("  - {t}\n")).collect();
        Arc::new(summarize(&format!("---\ntitle: t\ntopics:\n{list}---\n")))
    };
    index.upsert("/w/a.md".into(), article(&["Política"]));
    index.upsert("/w/b.md".into(), article(&["Politica"]));
    assert!(index.workspace_diagnostics(Path::new("/w/b.md")).is_empty());
    index.upsert("/w/c.md".into(), article(&["Política"]));
    let found = index.workspace_diagnostics(Path::new("/w/b.md"));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].fix.as_ref().unwrap().edits[0].replacement, "Política");
    assert!(index.workspace_diagnostics(Path::new("/w/a.md")).is_empty());
    // Equal use is not "more often".
    index.upsert("/w/d.md".into(), article(&["Politica"]));
    assert!(index.workspace_diagnostics(Path::new("/w/b.md")).is_empty());
}

#[test]
fn upsert_and_remove_keep_derived_maps_exact() {
    let mut index = fixture_index();
    let fresh = fixture_index();
    let bloc = path("world/2021-09-23-regional-bloc.md");
    let before = index.get(&bloc).unwrap().clone();

    // Replace the article with different content, then put it back.
    let changed = "---\ntitle: Changed\nwebUrl: https://x.org/changed\ntype: gallery\nprovider:\n  name: New Wire\n  domain: x.org\ntopics:\n  - Trade\n---\n";
    index.upsert(bloc.clone(), Arc::new(summarize(changed)));
    assert!(index.topics().contains(&("Trade".to_string(), 1)));
    assert!(index.topics().contains(&("Public Health".to_string(), 2)));
    assert!(index.values_of("type").contains(&("gallery".to_string(), 1)));
    assert_eq!(index.articles_with_url("https://x.org/changed").len(), 1);
    assert!(index.articles_with_url("https://thefrontierpost.com/regional-bloc-not-discussing-recognition").is_empty());
    index.upsert(bloc.clone(), before);
    assert_same(&index, &fresh);

    // Removing everything leaves nothing behind.
    let paths: Vec<PathBuf> = discover::discover(&fixture_root(), &|_| Config::default());
    for p in &paths {
        index.remove(p);
    }
    index.remove(&bloc);
    assert!(index.is_empty());
    assert_same(&index, &Index::default());
}

#[test]
fn files_sharing_a_key_come_back_in_path_order_whatever_the_order_of_updates() {
    let text = "---\ntitle: T\nwebUrl: https://x.org/same\ntopics:\n  - Trade\n---\n";
    let mut index = Index::default();
    for name in ["c", "a", "d", "b", "a"] {
        index.upsert(PathBuf::from(format!("/w/{name}.md")), Arc::new(summarize(text)));
    }
    assert_eq!(names(&index.articles_with_url("https://x.org/same")), ["a.md", "b.md", "c.md", "d.md"]);
    index.remove(Path::new("/w/b.md"));
    index.remove(Path::new("/w/missing.md"));
    assert_eq!(names(&index.articles_with_url("https://x.org/same")), ["a.md", "c.md", "d.md"]);
    assert_eq!(index.topics(), [("Trade".to_string(), 3)]);
    let found = index.workspace_diagnostics(Path::new("/w/c.md"));
    assert_eq!(found.len(), 1);
    assert!(found[0].message.contains("`/w/a.md`, `/w/d.md`"), "{}", found[0].message);
}

fn assert_same(a: &Index, b: &Index) {
    assert_eq!(a.len(), b.len());
    assert_eq!(a.topics(), b.topics());
    assert_eq!(a.providers(), b.providers());
    assert_eq!(a.values_of("type"), b.values_of("type"));
    assert_eq!(a.values_of("category"), b.values_of("category"));
    assert_eq!(a.search_titles("", 100).len(), b.search_titles("", 100).len());
}

fn synthetic(i: usize) -> ArticleSummary {
    let spanned = |value: String| Spanned { value: value.into(), span: Span::new(0..1) };
    let topics = match i % 1000 {
        0 => vec!["machine learning", "Climate"],
        _ => vec!["Machine Learning", "Climate", "Economy"],
    };
    ArticleSummary {
        title: Some(spanned(format!("Article number {i}"))),
        web_url: Some(spanned(format!("https://news.example.org/{}", i % 50_000))),
        provider_name: Some(spanned(format!("Wire {}", i % 100))),
        topics: topics.into_iter().map(|t| spanned(t.to_string())).collect(),
        ..ArticleSummary::default()
    }
}

#[test]
fn scales_to_a_hundred_thousand_articles() {
    let mut index = Index::default();
    for i in 0..100_000 {
        index.upsert(PathBuf::from(format!("/w/{i}.md")), Arc::new(synthetic(i)));
    }
    let before = index.files_visited();
    let found = index.workspace_diagnostics(Path::new("/w/1000.md"));
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].message.contains("/w/51000.md"));
    assert_eq!(found[1].code, Code::TopicVariant);
    // Checking one file visits the files sharing its URL (one here), never the workspace.
    assert_eq!(index.files_visited() - before, 1);
    let before = index.files_visited();
    index.upsert("/w/1000.md".into(), Arc::new(synthetic(1)));
    index.remove(Path::new("/w/1001.md"));
    // The replaced file (out, then in) and the removed one.
    assert_eq!(index.files_visited() - before, 3);
    // A walk over the workspace is counted, so the assertions above would see one.
    let before = index.files_visited();
    assert_eq!(index.paths().len(), 99_999);
    assert_eq!(index.files_visited() - before, 99_999);
    assert_eq!(index.len(), 99_999);
    assert_eq!(index.topics()[0].1, 99_999);
}

#[test]
fn discover_honours_gitignore_and_globs() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let write = |rel: &str, text: &str| write_file(root, rel, text);
    write(".gitignore", "build/\n");
    write("b.md", "---\ntitle: b\n---\n");
    write("a.txt", "26 September 2021\n");
    write("notes.json", "{}");
    write("build/out.md", "---\ntitle: x\n---\n");
    write("world/c.markdown", "---\ntitle: c\n---\n");
    write("drafts/d.md", "---\ntitle: d\n---\n");
    let config = Config::from_toml(
        "[files]\ninclude = [\"*.md\", \"*.markdown\", \"*.txt\"]\nexclude = [\"drafts/**\"]\n",
        None,
    )
    .unwrap();
    let asked = AtomicUsize::new(0);
    let found = discover::discover(root, &|_| {
        asked.fetch_add(1, Ordering::Relaxed);
        config.clone()
    });
    let rel: Vec<String> =
        found.iter().map(|p| p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/")).collect();
    assert_eq!(rel, ["a.txt", "b.md", "world/c.markdown"]);
    assert!(asked.load(Ordering::Relaxed) <= 4, "once per directory");
}

/// Walking one directory alone finds exactly what the walk of the whole folder finds under it:
/// the ignore files of the directories above it, hidden directories on the way and the
/// configuration's globs all apply.
#[test]
fn discovering_one_directory_equals_the_whole_walk_under_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let write = |rel: &str, text: &str| write_file(root, rel, text);
    let article = "---\ntitle: x\n---\n";
    write(".gitignore", "build/\n*-wip.md\n**/scratch/\n!keep-wip.md\n");
    write("inbox/.gitignore", "private/\nlocal.md\n");
    write("inbox/sub/.ignore", "!local.md\n");
    for rel in [
        "top.md",
        "build/out.md",
        "inbox/today.md",
        "inbox/note-wip.md",
        "inbox/keep-wip.md",
        "inbox/local.md",
        "inbox/private/p.md",
        "inbox/scratch/s.md",
        "inbox/sub/local.md",
        "inbox/sub/deep/scratch/t.md",
        "inbox/sub/deep/ok.markdown",
        "inbox/sub/deep/notes.json",
        "inbox/drafts/d.md",
        ".hidden/h.md",
        ".hidden/inner/i.md",
    ] {
        write(rel, article);
    }
    let config =
        Config::from_toml("[files]\ninclude = [\"*.md\", \"*.markdown\"]\nexclude = [\"inbox/drafts/**\"]\n", None)
            .unwrap();
    let config_for = |_: &Path| config.clone();
    let everything = discover::discover(root, &config_for);
    let dirs = [
        "inbox",
        "inbox/sub",
        "inbox/sub/deep",
        "inbox/private",
        "inbox/scratch",
        "inbox/drafts",
        "build",
        ".hidden/inner",
    ];
    for rel in dirs {
        let start = root.join(rel);
        let expected: Vec<&PathBuf> = everything.iter().filter(|p| p.starts_with(&start)).collect();
        let found = discover::discover_under(root, &start, &config_for);
        assert_eq!(found.iter().collect::<Vec<_>>(), expected, "{rel}");
    }
    let under_inbox: Vec<String> = discover::discover_under(root, &root.join("inbox"), &config_for)
        .iter()
        .map(|p| p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/"))
        .collect();
    assert_eq!(
        under_inbox,
        ["inbox/keep-wip.md", "inbox/sub/deep/ok.markdown", "inbox/sub/local.md", "inbox/today.md"]
    );
    assert!(discover::discover_under(root, Path::new("/elsewhere"), &config_for).is_empty());
}

#[test]
fn load_transcodes_skips_reports_and_cancels() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.md");
    let latin = dir.path().join("latin.md");
    std::fs::write(&good, "---\ntitle: Good\n---\n").unwrap();
    std::fs::write(&latin, b"---\ntitle: Z\xfcrich caf\xe9 reopens\n---\n").unwrap();
    let missing = dir.path().join("missing.md");
    let paths = vec![good.clone(), missing, latin.clone()];

    let last = std::sync::Mutex::new((0, 0));
    let calls = AtomicUsize::new(0);
    let loaded = discover::load(
        &paths,
        &|done, total| {
            calls.fetch_add(1, Ordering::Relaxed);
            *last.lock().unwrap() = (done, total);
        },
        &|| false,
    );
    let titles: Vec<(PathBuf, String)> =
        loaded.into_iter().map(|(p, s)| (p, s.title.clone().unwrap().value.to_string())).collect();
    assert_eq!(titles, [(good, "Good".to_string()), (latin, "Zürich café reopens".to_string())]);
    assert_eq!(*last.lock().unwrap(), (3, 3));
    assert!(calls.load(Ordering::Relaxed) >= 1);

    let cancelled = discover::load(&paths, &|_, _| {}, &|| true);
    assert!(cancelled.is_empty());
}

/// A file that is not UTF-8 is summarised as its whole decoded text is, also when its front
/// matter is ASCII and closed before the first byte that is not (which is not decoded).
#[test]
fn files_that_are_not_utf8_summarise_as_their_decoded_text() {
    let files: [&[u8]; 8] = [
        b"---\ntitle: Cafe\nrelated:\n  - webUrl: https://a.example/x\n    provider:\n      name: A\n---\nM\xfcnchen\n",
        b"---\r\ntitle: Cafe\r\n---\r\nM\xfcnchen\r\n",
        b"---\ntitle: Cafe\n...\n\xe9\n",
        b"---\ntitle: Cafe\n---\xfc\nwebUrl: https://x.example/a\n",
        b"title: Cafe\n---\ntitle: x\n---\n\xe9",
        b"---\ntitle: Z\xfcrich caf\xe9\n---\nbody\n",
        b"---\ntitle: Z\xc3\xbcrich\n---\nM\xfcnchen caf\xe9 cr\xe8me\n",
        b"Caf\xe9 news of 2021-05-01\n2021-05-02 more\n",
    ];
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<PathBuf> = (0..files.len()).map(|i| dir.path().join(format!("{i}.md"))).collect();
    for (path, bytes) in paths.iter().zip(files) {
        std::fs::write(path, bytes).unwrap();
    }
    let loaded = discover::load(&paths, &|_, _| {}, &|| false);
    assert_eq!(loaded.len(), files.len());
    for ((path, summary), bytes) in loaded.iter().zip(files) {
        let decoded = article_lsp::analysis::encoding::decode(bytes);
        assert!(decoded.transcoded.is_some(), "{path:?}");
        assert_eq!(*summary, summarize(&decoded.text).for_index(), "{path:?}");
    }
    assert_eq!(loaded[0].1.related.len(), 1);
}

#[test]
fn provider_domain_is_the_most_common_one_through_upserts_and_removals() {
    use article_lsp::workspace::{Index, summarize};
    let article = |domain: &str| {
        let text = format!("---\ntitle: \"T\"\nprovider:\n  name: Wire\n  domain: {domain}\n---\n");
        std::sync::Arc::new(summarize(&text))
    };
    let domain = |index: &Index| index.providers().into_iter().find(|p| p.name == "Wire").and_then(|p| p.domain);
    let mut index = Index::default();
    index.upsert("/a".into(), article("b.example"));
    index.upsert("/b".into(), article("a.example"));
    index.upsert("/c".into(), article("a.example"));
    assert_eq!(domain(&index).as_deref(), Some("a.example"));
    index.remove(std::path::Path::new("/b"));
    assert_eq!(domain(&index).as_deref(), Some("a.example"), "a tie goes to the alphabetically first");
    index.upsert("/c".into(), article("c.example"));
    assert_eq!(domain(&index).as_deref(), Some("b.example"));
    index.upsert("/d".into(), article("c.example"));
    assert_eq!(domain(&index).as_deref(), Some("c.example"));
}
