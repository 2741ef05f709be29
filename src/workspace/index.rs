//! The index over all article summaries of a workspace, updated one file at a time.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::summary::ArticleSummary;
use crate::analysis::Diagnostic;

/// A provider seen in the workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderStat {
    pub name: String,
    /// The most common domain written for this provider.
    pub domain: Option<String>,
    /// How many articles (including related entries) name it.
    pub count: usize,
}

/// Every article of the workspace by path, with the derived lookups kept up to date by
/// `upsert` and `remove` (each costs time proportional to the one file, not the workspace).
#[derive(Debug, Default, Clone)]
pub struct Index {
    articles: HashMap<PathBuf, Arc<ArticleSummary>>,
}

impl Index {
    /// Adds or replaces one file's summary.
    pub fn upsert(&mut self, path: PathBuf, summary: Arc<ArticleSummary>) {
        self.articles.insert(path, summary);
    }

    pub fn remove(&mut self, path: &Path) {
        self.articles.remove(path);
    }

    pub fn len(&self) -> usize {
        self.articles.len()
    }

    pub fn is_empty(&self) -> bool {
        self.articles.is_empty()
    }

    pub fn get(&self, path: &Path) -> Option<&Arc<ArticleSummary>> {
        self.articles.get(path)
    }

    /// Topics by frequency (most used first, ties alphabetical), with counts.
    pub fn topics(&self) -> Vec<(String, usize)> {
        Vec::new()
    }

    /// Providers by frequency.
    pub fn providers(&self) -> Vec<ProviderStat> {
        Vec::new()
    }

    /// Values seen for a scalar field (`type`, `category`) by frequency.
    pub fn values_of(&self, field: &str) -> Vec<(String, usize)> {
        let _ = field;
        Vec::new()
    }

    /// Articles whose `webUrl` or `originalUrl` is `url` (compared after normalising a trailing
    /// slash, the scheme's case and `www.`).
    pub fn articles_with_url(&self, url: &str) -> Vec<(&Path, &Arc<ArticleSummary>)> {
        let _ = url;
        Vec::new()
    }

    /// Articles whose `related` entries point at `url`.
    pub fn articles_linking_to(&self, url: &str) -> Vec<(&Path, &Arc<ArticleSummary>)> {
        let _ = url;
        Vec::new()
    }

    /// Articles that list `topic`, newest first.
    pub fn articles_with_topic(&self, topic: &str) -> Vec<(&Path, &Arc<ArticleSummary>)> {
        let _ = topic;
        Vec::new()
    }

    /// Articles whose provider (top level) is `name`, newest first.
    pub fn articles_with_provider(&self, name: &str) -> Vec<(&Path, &Arc<ArticleSummary>)> {
        let _ = name;
        Vec::new()
    }

    /// Article titles matching a fuzzy query (all when empty), best first, at most `limit`.
    pub fn search_titles(&self, query: &str, limit: usize) -> Vec<(&Path, &Arc<ArticleSummary>)> {
        let _ = (query, limit);
        Vec::new()
    }

    /// `duplicate-url` and `topic-variant` findings for the article at `path` (its summary
    /// must be in the index). Ranges are byte ranges in that article's text.
    pub fn workspace_diagnostics(&self, path: &Path) -> Vec<Diagnostic> {
        let _ = path;
        Vec::new()
    }
}
