//! Small text helpers for hover cards: Markdown escaping, `file://` URIs and "3 days before".

use std::path::Path;

use jiff::Timestamp;

/// Text shown literally in Markdown.
pub(crate) fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A `file://` URI for an absolute path (`None` for a relative one, which no editor could open).
pub(crate) fn file_uri(path: &Path) -> Option<String> {
    url::Url::from_file_path(path).ok().map(String::from)
}

/// How far `then` is from `reference`: `3 days before this article`, `in 2 hours` ...
pub(crate) fn relative(then: Timestamp, reference: Timestamp, before: &str, after: &str) -> String {
    let seconds = then.as_second() - reference.as_second();
    if seconds.unsigned_abs() < 60 {
        return "at the same time".to_string();
    }
    let template = if seconds < 0 { before } else { after };
    let (head, tail) = template.split_once("{}").unwrap_or((template, ""));
    let (n, unit) = amount(seconds.unsigned_abs());
    let plural = if n == 1 { "" } else { "s" };
    // One allocation: an inlay hint per date of thousands of related entries is built here.
    format!("{head}{n} {unit}{plural}{tail}")
}

/// The largest whole unit of `seconds` and how many of it.
fn amount(seconds: u64) -> (u64, &'static str) {
    const UNITS: &[(u64, &str)] =
        &[(365 * 86_400, "year"), (30 * 86_400, "month"), (86_400, "day"), (3_600, "hour"), (60, "minute")];
    let (size, unit) = UNITS.iter().find(|(size, _)| seconds >= *size).copied().unwrap_or((60, "minute"));
    ((seconds / size).max(1), unit)
}

/// `1 article`, `12 articles`.
pub(crate) fn articles(n: usize) -> String {
    if n == 1 { "1 article".to_string() } else { format!("{n} articles") }
}

/// An instant for people: `26 Sep 2021, 06:17 UTC`.
pub(crate) fn readable(ts: Timestamp) -> String {
    ts.strftime("%-d %b %Y, %H:%M UTC").to_string()
}

/// The date part of an instant (`2021-09-26`).
pub(crate) fn day(ts: Timestamp) -> String {
    ts.strftime("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_and_times() {
        assert_eq!(file_uri(Path::new("/w/a b/é.md")).as_deref(), Some("file:///w/a%20b/%C3%A9.md"));
        assert_eq!(file_uri(Path::new("/w/100%.md")).as_deref(), Some("file:///w/100%25.md"));
        assert_eq!(file_uri(Path::new("w/a.md")), None);
        let a: Timestamp = "2021-09-23T18:13:00Z".parse().unwrap();
        let b: Timestamp = "2021-09-26T06:17:00Z".parse().unwrap();
        let words = |x, y| relative(x, y, "{} before", "{} after");
        assert_eq!(words(a, b), "2 days before");
        assert_eq!(words(b, a), "2 days after");
        assert_eq!(words(a, a), "at the same time");
        assert_eq!(md("a*b_[c]"), "a\\*b\\_\\[c\\]");
        assert_eq!(readable(b), "26 Sep 2021, 06:17 UTC");
        assert_eq!(readable("2021-03-02T00:00:00Z".parse().unwrap()), "2 Mar 2021, 00:00 UTC");
    }
}
