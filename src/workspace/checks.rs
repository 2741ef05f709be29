//! The checks that need the whole workspace: `duplicate-url` and `topic-variant`.
//!
//! Both read only the index's maps for the keys of the one article (its URLs, its topics), so
//! checking a file costs the same with ten articles or a hundred thousand.

use std::path::Path;

use super::compact::Article;
use super::index::Index;
use super::normal::{double_quoted, is_plain_safe, topic_key, url_key};
use super::summary::Spanned;
use crate::analysis::{Code, Diagnostic, Fix};

/// A spelling is "well used" when at least this many other articles use it.
const MIN_OTHERS: usize = 2;

/// At most this many other files are named in a `duplicate-url` message.
const NAMED_FILES: usize = 3;

impl Index {
    /// `duplicate-url` and `topic-variant` findings for the article at `path` (its summary
    /// must be in the index). Ranges are byte ranges in that article's text.
    pub fn workspace_diagnostics(&self, path: &Path) -> Vec<Diagnostic> {
        let Some(article) = self.article(path) else {
            return Vec::new();
        };
        let mut acc = duplicate_urls(self, path, article);
        acc.extend(topic_variants(self, article));
        acc.sort_by_key(|d| (d.range.start, d.range.end));
        acc
    }
}

/// One finding per distinct URL of the article (on `webUrl` when both fields hold it).
fn duplicate_urls(index: &Index, path: &Path, article: Article<'_>) -> Vec<Diagnostic> {
    let mut seen: Vec<String> = Vec::new();
    let mut acc = Vec::new();
    let fields = [("webUrl", article.web_url()), ("originalUrl", article.original_url())];
    for (field, url) in fields {
        let Some(url) = url else { continue };
        let key = url_key(url.value);
        if seen.iter().any(|s| **s == *key) {
            continue;
        }
        let others: Vec<&Path> = index.files_with_url(&key).filter(|p| *p != path).collect();
        index.visited(others.len());
        if !others.is_empty() {
            acc.push(duplicate_url(field, &url, &others));
        }
        seen.push(key.into_owned());
    }
    acc
}

fn duplicate_url(field: &str, url: &Spanned<&str>, others: &[&Path]) -> Diagnostic {
    let mut names: Vec<String> = others.iter().take(NAMED_FILES).map(|p| format!("`{}`", p.display())).collect();
    if others.len() > NAMED_FILES {
        names.push(format!("{} more", others.len() - NAMED_FILES));
    }
    let message = format!("`{}` ({field}) is also the URL of {}", url.value, names.join(", "));
    Diagnostic::new(Code::DuplicateUrl, url.span.range(), message)
}

fn topic_variants(index: &Index, article: Article<'_>) -> Vec<Diagnostic> {
    let topics = article.topics();
    let own: Vec<&str> = topics.iter().map(|t| t.value).collect();
    topics.iter().filter_map(|topic| topic_variant(index, topic, &own)).collect()
}

/// The well-used spelling that `topic` is a variant of, as a finding.
fn topic_variant(index: &Index, topic: &Spanned<&str>, own: &[&str]) -> Option<Diagnostic> {
    let uses = |spelling: &str| index.derived.by_topic.get(spelling).map_or(0, |files| files.len());
    let mine = uses(topic.value);
    let spellings = index.derived.spellings.get(&topic_key(topic.value))?;
    let (common, count) = spellings
        .iter()
        .filter(|s| ***s != *topic.value)
        .map(|s| (s, uses(s)))
        .filter(|(s, n)| {
            // The article itself may list the common spelling too: count other articles only.
            let others = n - usize::from(own.contains(&&***s));
            others >= MIN_OTHERS && *n > mine
        })
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(a.0)))?;
    let message =
        format!("topic `{}` is a variant of `{common}`, used by {count} articles; use one spelling", topic.value);
    let fix = Fix { title: format!("Use `{common}`"), edits: vec![replacement(topic, common)], safe: false };
    Some(Diagnostic::new(Code::TopicVariant, topic.span.range(), message).with_fix(fix))
}

/// Replaces a topic node's text, keeping its quotes when it was quoted without escapes.
fn replacement(topic: &Spanned<&str>, with: &str) -> crate::analysis::Edit {
    let span = topic.span.range();
    let quoted_plainly = span.len() == topic.value.len() + 2;
    let (range, text) = if quoted_plainly && !with.contains(['"', '\'', '\\']) {
        (span.start + 1..span.end - 1, with.to_string())
    } else if span.len() == topic.value.len() && is_plain_safe(with) {
        (span, with.to_string())
    } else {
        (span, double_quoted(with))
    };
    crate::analysis::Edit { range, replacement: text }
}
