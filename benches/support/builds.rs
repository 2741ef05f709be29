//! The builds of article-lsp a benchmark compares, named in an environment variable.

use std::path::PathBuf;

/// `label=path` pairs separated by commas in the variable `name` (a bare path is its own
/// label); without it, `this`: the build under test.
pub fn from_env(name: &str, this: &str) -> Vec<(String, PathBuf)> {
    let Ok(list) = std::env::var(name) else { return vec![("this".to_string(), PathBuf::from(this))] };
    list.split(',')
        .filter(|s| !s.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((label, path)) => (label.to_string(), PathBuf::from(path)),
            None => (pair.to_string(), PathBuf::from(pair)),
        })
        .collect()
}
