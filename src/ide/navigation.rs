//! Navigation across the workspace: from a related entry or a URL to the article it names,
//! from a topic or provider to every article using it, and titles as workspace symbols.

use super::Target;
use super::lines::floor_boundary;
use super::locate::locate;
use crate::analysis::layout;
use crate::workspace::{Index, summarize};

/// Workspace symbols are capped at this many titles.
const SYMBOL_LIMIT: usize = 200;

pub(crate) fn definition(text: &str, offset: usize, index: &Index) -> Vec<Target> {
    let offset = floor_boundary(text, offset);
    let Some(url) = url_at(text, offset) else {
        return Vec::new();
    };
    index
        .articles_with_url(&url)
        .into_iter()
        .map(|(path, summary)| Target {
            path: path.to_path_buf(),
            range: summary.title.as_ref().map(|t| t.span.clone()),
        })
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
    if let Some(related) = summary.related.iter().find(|r| touches(&r.span)) {
        return related.web_url.as_ref().map(|u| u.value.clone());
    }
    [summary.web_url, summary.original_url].into_iter().flatten().find(|u| touches(&u.span)).map(|u| u.value)
}

fn in_front_matter(text: &str, offset: usize) -> bool {
    let layout = layout::split(text);
    layout.front_matter.is_some() && offset < layout.body.start
}

pub(crate) fn references(text: &str, offset: usize, index: &Index) -> Vec<Target> {
    let offset = floor_boundary(text, offset);
    if !in_front_matter(text, offset) {
        return Vec::new();
    }
    let Some(at) = locate(text, offset) else {
        return Vec::new();
    };
    let Some((value, _)) = at.scalar() else {
        return Vec::new();
    };
    let top = at.path.is_empty();
    if top && at.key == "topics" && at.item.is_some() {
        return topic_references(index, value);
    }
    let on_provider_name = at.key == "name" && at.path.last().is_some_and(|k| k == "provider");
    if on_provider_name && !at.on_key {
        return index
            .articles_with_provider(value)
            .into_iter()
            .map(|(path, summary)| Target {
                path: path.to_path_buf(),
                range: summary.provider_name.as_ref().map(|p| p.span.clone()),
            })
            .collect();
    }
    Vec::new()
}

/// Every topic node spelt `topic` in the workspace.
fn topic_references(index: &Index, topic: &str) -> Vec<Target> {
    index
        .articles_with_topic(topic)
        .into_iter()
        .flat_map(|(path, summary)| {
            summary
                .topics
                .iter()
                .filter(|t| t.value == topic)
                .map(|t| Target { path: path.to_path_buf(), range: Some(t.span.clone()) })
                .collect::<Vec<_>>()
        })
        .collect()
}

pub(crate) fn workspace_symbols(index: &Index, query: &str) -> Vec<(Target, String)> {
    index
        .search_titles(query, SYMBOL_LIMIT)
        .into_iter()
        .filter_map(|(path, summary)| {
            let title = summary.title.as_ref()?;
            let target = Target { path: path.to_path_buf(), range: Some(title.span.clone()) };
            Some((target, title.value.clone()))
        })
        .collect()
}
