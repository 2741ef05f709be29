//! The editor features through the public API: cursor context, completion, hover, navigation,
//! outline and folding, on realistic multi-article workspaces and on half-typed text.

use std::ops::Range;

use article_lsp::ide::{Slot, context_at};

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

#[allow(dead_code)]
fn slice(text: &str, r: Range<usize>) -> &str {
    &text[r]
}
