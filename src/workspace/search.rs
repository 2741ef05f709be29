//! Fuzzy title search for workspace symbols: case-insensitive, an exact title first, then
//! prefixes, substrings at a word start, other substrings, and finally subsequences (the
//! query's characters in order, fewer gaps first).

use std::path::Path;

use super::compact::Article;
use super::index::Index;

/// How well a title matches; smaller is better.
type Score = (u8, usize, usize);

impl Index {
    /// Article titles matching a fuzzy query (all when empty), best first, at most `limit`.
    pub fn search_titles(&self, query: &str, limit: usize) -> Vec<(&Path, Article<'_>)> {
        search_titles(self, query, limit)
    }
}

fn search_titles<'a>(index: &'a Index, query: &str, limit: usize) -> Vec<(&'a Path, Article<'a>)> {
    let query = query.trim().to_lowercase();
    let mut hits: Vec<(Score, String, &Path, Article<'_>)> = index
        .all()
        .filter_map(|(path, summary)| {
            let title = summary.title()?.value.to_lowercase();
            let score = score(&title, &query)?;
            Some((score, title, path, summary))
        })
        .collect();
    let order = |a: &(Score, String, &Path, Article<'_>), b: &(Score, String, &Path, Article<'_>)| {
        (a.0, &a.1, a.2).cmp(&(b.0, &b.1, b.2))
    };
    // Only the best `limit` need sorting: partition first on large workspaces.
    if limit < hits.len() && limit > 0 {
        hits.select_nth_unstable_by(limit - 1, order);
    }
    hits.truncate(limit);
    hits.sort_by(order);
    hits.into_iter().map(|(_, _, p, s)| (p, s)).collect()
}

/// How well `name` matches a fuzzy `query` (any case), comparable across titles, topics and
/// providers; smaller is better, `None` when it does not match.
pub fn fuzzy_score(name: &str, query: &str) -> Option<(u8, usize, usize)> {
    score(&name.to_lowercase(), &query.trim().to_lowercase())
}

/// The score of `title` for `query` (both lowercase), or `None` when it does not match.
fn score(title: &str, query: &str) -> Option<Score> {
    let len = title.chars().count();
    if query.is_empty() {
        return Some((0, 0, 0));
    }
    if title == query {
        return Some((0, 0, len));
    }
    if title.starts_with(query) {
        return Some((1, 0, len));
    }
    let word_start = title
        .match_indices(query)
        .find(|(at, _)| title[..*at].chars().next_back().is_none_or(|c| !c.is_alphanumeric()));
    if let Some((at, _)) = word_start {
        return Some((2, at, len));
    }
    if let Some(at) = title.find(query) {
        return Some((3, at, len));
    }
    subsequence_gaps(title, query).map(|gaps| (4, gaps, len))
}

/// Number of gaps when `query`'s characters appear in order in `title`.
fn subsequence_gaps(title: &str, query: &str) -> Option<usize> {
    let mut wanted = query.chars().filter(|c| !c.is_whitespace()).peekable();
    let mut gaps = 0;
    let mut in_gap = false;
    for c in title.chars() {
        match wanted.peek() {
            None => break,
            Some(&w) if w == c => {
                wanted.next();
                in_gap = false;
            }
            Some(_) => {
                if !in_gap {
                    gaps += 1;
                    in_gap = true;
                }
            }
        }
    }
    wanted.peek().is_none().then_some(gaps)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers() {
        assert!(score("vaccine talks", "vaccine talks") < score("vaccine talks x", "vaccine"));
        assert!(score("vaccine talks", "vac") < score("eu vaccine", "vac"));
        assert!(score("eu vaccine", "vac") < score("evacuate", "vac"));
        assert!(score("evacuate", "vac") < score("v-a-c", "vac"));
        assert_eq!(score("abc", "xyz"), None);
        assert_eq!(subsequence_gaps("moscow backs", "mb"), Some(1));
    }
}
