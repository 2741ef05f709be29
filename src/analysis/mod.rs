//! The pure analysis core: text (plus configuration and the current time) in, diagnostics out.
//! No IO, no clock, no protocol types: `now` is an argument and files arrive as bytes or text.

pub mod dates;
mod diagnostic;
pub mod encoding;
pub mod front_matter;
pub mod layout;
pub mod mojibake;
pub mod schema;
pub mod text;
pub mod urls;
pub mod yaml;

pub use crate::codes::{Code, Severity};
pub use dates::{DateProblem, calendar_problem, format_rfc3339, parse_datetime};
pub use diagnostic::{Diagnostic, Edit, Fix, Related};

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::config::Config;
use layout::Layout;
use text::LineKind;

/// Checks one article's text. Never fails: broken input is reported, not refused.
/// Diagnostics are sorted by position and carry the configured severities.
pub fn check(text: &str, config: &Config, now: Timestamp) -> Vec<Diagnostic> {
    let (layout, mut acc) = check_front_matter(text, config, now);
    check_lines(&mut acc, text, &layout, now);
    check_empty(&mut acc, text);
    apply_severities(acc, config)
}

/// An article file with nothing but whitespace (and perhaps a byte-order mark) is almost
/// always a failed download or save, and no other rule would say a word about it.
fn check_empty(acc: &mut Vec<Diagnostic>, text: &str) {
    if is_blank([text]) {
        acc.push(empty_file(text.len()));
    }
}

/// Whether a text given in pieces (a rope's chunks) holds nothing but whitespace and a
/// byte-order mark; stops at the first other character, so it is cheap on real articles.
pub fn is_blank<'a>(pieces: impl IntoIterator<Item = &'a str>) -> bool {
    pieces.into_iter().all(|piece| piece.chars().all(|c| c == '\u{feff}' || c.is_whitespace()))
}

/// The `empty-file` finding for a blank text of `len` bytes.
pub fn empty_file(len: usize) -> Diagnostic {
    Diagnostic::new(Code::EmptyFile, 0..len, "the file is empty: an article needs a title and a body")
}

/// Checks a file's bytes: like [`check`], plus `not-utf8` when the bytes had to be transcoded.
/// Returns the text that was analysed (the diagnostics' offsets refer to it).
pub fn check_bytes<'a>(bytes: &'a [u8], config: &Config, now: Timestamp) -> (encoding::Decoded<'a>, Vec<Diagnostic>) {
    let decoded = encoding::decode(bytes);
    let mut diagnostics = check(&decoded.text, config, now);
    if let Some(t) = &decoded.transcoded {
        let at = t.text_offset;
        let end = decoded.text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
        let shown: Vec<String> = t.invalid_bytes.iter().map(|b| format!("0x{b:02X}")).collect();
        let message = format!(
            "the file is not UTF-8 (byte {} at offset {}); it reads as {}: `fix` rewrites it as UTF-8",
            shown.join(" "),
            t.first_invalid_byte,
            t.encoding
        );
        let fix = Fix { title: format!("Transcode from {} to UTF-8", t.encoding), edits: Vec::new(), safe: true };
        let diagnostic = Diagnostic::new(Code::NotUtf8, at..end, message).with_fix(fix);
        diagnostics = apply_severities([diagnostic].into_iter().chain(diagnostics).collect(), config);
    }
    (decoded, diagnostics)
}

/// The front matter part of [`check`]: the layout and the front matter's findings, with
/// default severities. `text` may be just a prefix of the article that contains its whole front
/// matter (the editor re-checks only that when an edit touches it).
pub fn check_front_matter(text: &str, config: &Config, now: Timestamp) -> (Layout, Vec<Diagnostic>) {
    let checked = check_front_matter_parsed(text, config, now);
    (checked.layout, checked.diagnostics)
}

/// The front matter's layout, parse and findings: callers that also need the tree (the
/// workspace summary) reuse it instead of parsing twice.
pub struct FrontMatterCheck {
    pub layout: Layout,
    /// `None` when the text has no front matter.
    pub parsed: Option<front_matter::Parsed>,
    pub diagnostics: Vec<Diagnostic>,
}

pub fn check_front_matter_parsed(text: &str, config: &Config, now: Timestamp) -> FrontMatterCheck {
    check_front_matter_cached(text, config, now, &mut front_matter::UnitCache::default())
}

/// Like [`check_front_matter_parsed`], reusing the parses of front matter units (top-level
/// entries, list items) that `cache` holds from an earlier version of the text.
pub fn check_front_matter_cached(
    text: &str,
    config: &Config,
    now: Timestamp,
    cache: &mut front_matter::UnitCache,
) -> FrontMatterCheck {
    let layout = layout::split(text);
    let mut diagnostics = Vec::new();
    let Some(fm) = &layout.front_matter else {
        cache.forget_units();
        return FrontMatterCheck { layout, parsed: None, diagnostics };
    };
    if fm.closer.is_none() {
        let msg = "front matter opened with `---` is never closed; add a `---` line after the last field";
        diagnostics.push(Diagnostic::new(Code::UnterminatedFrontMatter, fm.opener.clone(), msg));
    }
    let parsed = front_matter::parse_cached(text, fm, cache);
    let memo = Some(&mut cache.findings);
    front_matter::Checker::new(text, config, now, &mut diagnostics, memo).check(fm, &parsed);
    FrontMatterCheck { layout, parsed: Some(parsed), diagnostics }
}

/// The date `now` falls on (UTC), which body dated lines are compared with.
pub fn today(now: Timestamp) -> jiff::civil::Date {
    now.to_zoned(TimeZone::UTC).date()
}

fn check_lines(acc: &mut Vec<Diagnostic>, text: &str, layout: &Layout, now: Timestamp) {
    let today = today(now);
    let mut start = 0;
    while start < text.len() {
        let end = layout::next_line(text, start);
        let line = layout::line_text(text, start);
        let kind = if start >= layout.body.start { LineKind::Body } else { LineKind::FrontMatter };
        text::check_line(acc, line, start, kind, today);
        start = end;
    }
}

/// Applies configured severities (dropping what is off) and sorts by position.
pub fn apply_severities(acc: Vec<Diagnostic>, config: &Config) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = acc
        .into_iter()
        .filter_map(|mut d| {
            let configured = config.severity(d.code)?;
            // A rule may lower its own default (YAML 1.1 booleans are warnings); configuration
            // that changes the code's default wins.
            if configured != d.code.default_severity() || d.severity == d.code.default_severity() {
                d.severity = configured;
            }
            Some(d)
        })
        .collect();
    out.sort_by_key(|d| (d.range.start, d.range.end, d.code));
    out
}
