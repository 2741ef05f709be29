//! Fault injection for tests: when the environment variable `ARTICLE_LSP_TEST_PANIC` holds a
//! marker, work on a text that contains it panics. End-to-end tests use it to prove that a
//! panic in an analysis job, a per-line check or a request handler is contained. Without the
//! variable (every real session) this is one cached lookup.

use std::sync::OnceLock;

use ropey::Rope;

const VARIABLE: &str = "ARTICLE_LSP_TEST_PANIC";

fn marker() -> Option<&'static str> {
    static MARKER: OnceLock<Option<String>> = OnceLock::new();
    MARKER.get_or_init(|| std::env::var(VARIABLE).ok().filter(|m| !m.is_empty())).as_deref()
}

/// Panics if fault injection is on and `text` holds the marker.
pub fn maybe_panic(text: &str) {
    if let Some(marker) = marker()
        && text.contains(marker)
    {
        panic!("injected panic ({VARIABLE})");
    }
}

/// Like [`maybe_panic`], for a whole document.
pub fn maybe_panic_in(rope: &Rope) {
    if marker().is_some() {
        maybe_panic(&rope.to_string());
    }
}
