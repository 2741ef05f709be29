//! Fault injection for tests: when the environment variable `ARTICLE_LSP_TEST_PANIC` holds a
//! marker, work on a text that contains it panics; when `ARTICLE_LSP_TEST_DELAY` holds one,
//! analysis and assembly of such a text are slowed down. End-to-end tests use them to prove
//! that a panic is contained and that results computed under old settings never win a race.
//! Without the variables (every real session) each is one cached lookup.

use std::sync::OnceLock;

use ropey::Rope;

const VARIABLE: &str = "ARTICLE_LSP_TEST_PANIC";
const DELAY_VARIABLE: &str = "ARTICLE_LSP_TEST_DELAY";
/// How long work on a text with the delay marker takes longer.
const DELAY: std::time::Duration = std::time::Duration::from_millis(400);

fn marker() -> Option<&'static str> {
    static MARKER: OnceLock<Option<String>> = OnceLock::new();
    MARKER.get_or_init(|| std::env::var(VARIABLE).ok().filter(|m| !m.is_empty())).as_deref()
}

fn delay_marker() -> Option<&'static str> {
    static MARKER: OnceLock<Option<String>> = OnceLock::new();
    MARKER.get_or_init(|| std::env::var(DELAY_VARIABLE).ok().filter(|m| !m.is_empty())).as_deref()
}

/// Sleeps if delay injection is on and `rope` holds the marker (call off the async runtime).
pub fn maybe_delay_in(rope: &Rope) {
    if delays(rope) {
        std::thread::sleep(DELAY);
    }
}

/// Whether work on `rope` is slowed down (delay injection is on and it holds the marker).
pub fn delays(rope: &Rope) -> bool {
    delay_marker().is_some_and(|marker| rope.to_string().contains(marker))
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
