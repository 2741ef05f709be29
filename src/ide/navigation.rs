//! Navigation across the workspace: from a related entry or a URL to the article it names,
//! from a topic or provider to every article using it, from a title to the entries citing it,
//! and titles, topics (`#AI`) and providers (`@Reuters`) as workspace symbols.

use std::path::Path;

use super::format::articles;
use super::lines::floor_boundary;
use super::locate::locate;
use super::{NamedKind, NamedSymbol, Target};
use crate::analysis::layout;
use crate::workspace::normal::url_key;
use crate::workspace::search::fuzzy_score;
use crate::workspace::{Index, summarize};

/// Workspace symbols are capped at this many entries.
const SYMBOL_LIMIT: usize = 200;

pub(crate) fn definition(text: &str, offset: usize, index: &Index) -> Vec<Target> {
    let offset = floor_boundary(text, offset);
    let Some(url) = url_at(text, offset) else {
        return Vec::new();
    };
    index
        .articles_with_url(&url)
        .into_iter()
        .map(|(path, summary)| Target { path: path.to_path_buf(), range: summary.title().map(|t| t.span.range()) })
        .collect()
}

/// The URL that the cursor designates: a related entry's `webUrl` (from anywhere on the
/// entry), or the article's own `webUrl`/`originalUrl` value.
fn url_at(text: &str, offset: usize) -> Option<String> {
    if !in_front_matter(text, offset) {
        return None;
    }
    let summary = summarize(text);
    let touches = |r: &std::ops::Range<usize>| r.start <= offset && offset <= r.end;
    if let Some(related) = summary.related.iter().find(|r| touches(&r.span.range())) {
        return related.web_url.as_ref().map(|u| u.value.to_string());
    }
    [summary.web_url, summary.original_url]
        .into_iter()
        .flatten()
        .find(|u| touches(&u.span.range()))
        .map(|u| u.value.to_string())
}

fn in_front_matter(text: &str, offset: usize) -> bool {
    let layout = layout::split(text);
    layout.front_matter.is_some() && offset < layout.body.start
}

pub(crate) fn references(text: &str, offset: usize, this: &Path, index: &Index) -> Vec<Target> {
    let offset = floor_boundary(text, offset);
    if !in_front_matter(text, offset) {
        return Vec::new();
    }
    let Some(at) = locate(text, offset) else {
        return Vec::new();
    };
    if at.path.is_empty() && at.key == "related" && at.on_key {
        let entries = summarize(text).related.into_iter();
        return entries.map(|r| Target { path: this.to_path_buf(), range: Some(r.span.range()) }).collect();
    }
    let Some((value, _)) = at.scalar() else {
        return Vec::new();
    };
    let top = at.path.is_empty();
    if top && at.key == "topics" && at.item.is_some() {
        return topic_references(index, value);
    }
    if top && at.key == "title" {
        return citing_entries(text, index);
    }
    let on_provider_name = at.key == "name" && at.path.last().is_some_and(|k| k == "provider");
    if on_provider_name && !at.on_key {
        return index
            .articles_with_provider(value)
            .into_iter()
            .map(|(path, summary)| Target {
                path: path.to_path_buf(),
                range: summary.provider_name().map(|p| p.span.range()),
            })
            .collect();
    }
    Vec::new()
}

/// The related entries of other articles that point at this article's `webUrl`.
fn citing_entries(text: &str, index: &Index) -> Vec<Target> {
    let Some(url) = summarize(text).web_url else {
        return Vec::new();
    };
    let key = url_key(&url.value);
    let mut acc = Vec::new();
    for (path, summary) in index.articles_linking_to(&url.value) {
        let citing = summary.related().into_iter().filter(|r| r.web_url.is_some_and(|u| url_key(u.value) == key));
        acc.extend(citing.map(|r| Target { path: path.to_path_buf(), range: Some(r.span.range()) }));
    }
    acc
}

/// Every topic node spelt `topic` in the workspace.
fn topic_references(index: &Index, topic: &str) -> Vec<Target> {
    index
        .articles_with_topic(topic)
        .into_iter()
        .flat_map(|(path, summary)| {
            summary
                .topics()
                .into_iter()
                .filter(|t| t.value == topic)
                .map(|t| Target { path: path.to_path_buf(), range: Some(t.span.range()) })
                .collect::<Vec<_>>()
        })
        .collect()
}

pub(crate) fn workspace_symbols(index: &Index, query: &str) -> Vec<NamedSymbol> {
    let (wanted, query) = match query.trim_start().chars().next() {
        Some('#') => (Some(NamedKind::Topic), &query.trim_start()[1..]),
        Some('@') => (Some(NamedKind::Provider), &query.trim_start()[1..]),
        _ => (None, query),
    };
    let wants = |kind| wanted.is_none_or(|w| w == kind);
    let mut acc: Vec<(Score, NamedSymbol)> = Vec::new();
    if wants(NamedKind::Title) {
        for (path, summary) in index.search_titles(query, SYMBOL_LIMIT) {
            let Some(title) = summary.title() else { continue };
            let Some(score) = fuzzy_score(title.value, query) else { continue };
            let target = Target { path: path.to_path_buf(), range: Some(title.span.range()) };
            acc.push((
                score,
                NamedSymbol { name: title.value.to_string(), kind: NamedKind::Title, target, detail: None },
            ));
        }
    }
    if wants(NamedKind::Topic) {
        for (topic, uses) in index.topics() {
            let Some(score) = fuzzy_score(&topic, query) else { continue };
            let Some((path, summary)) = index.articles_with_topic(&topic).into_iter().next() else { continue };
            let span = summary.topics().into_iter().find(|t| t.value == topic).map(|t| t.span.range());
            let target = Target { path: path.to_path_buf(), range: span };
            let detail = Some(articles(uses));
            acc.push((score, NamedSymbol { name: format!("#{topic}"), kind: NamedKind::Topic, target, detail }));
        }
    }
    if wants(NamedKind::Provider) {
        for provider in index.providers() {
            let Some(score) = fuzzy_score(&provider.name, query) else { continue };
            let Some((path, summary)) = index.articles_with_provider(&provider.name).into_iter().next() else {
                continue;
            };
            let target = Target { path: path.to_path_buf(), range: summary.provider_name().map(|p| p.span.range()) };
            let name = format!("@{}", provider.name);
            acc.push((score, NamedSymbol { name, kind: NamedKind::Provider, target, detail: provider.domain }));
        }
    }
    acc.sort_by(|a, b| (a.0, &a.1.name).cmp(&(b.0, &b.1.name)));
    acc.truncate(SYMBOL_LIMIT);
    acc.into_iter().map(|(_, symbol)| symbol).collect()
}

type Score = (u8, usize, usize);
