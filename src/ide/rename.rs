//! Renaming a topic or a provider in one article: which name the cursor is on, and the edits
//! that rename it in every `topics` list and `provider` mapping of the article (top level and
//! inside `related[]`). The server runs this over every article of the workspace.
//!
//! Renaming into a name the list already holds merges the two: the renamed item is deleted
//! rather than duplicated. The same function with several old names merges topic variants.

use std::ops::Range;

use super::lines::floor_boundary;
use super::locate::{locate, root};
use super::walk::each_entry;
use crate::analysis::Edit;
use crate::analysis::yaml::{Node, Value};
use crate::workspace::normal::{double_quoted, is_plain_safe};
use crate::workspace::summary::dash_start;

/// What kind of name a rename changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RenameKind {
    Topic,
    Provider,
}

/// The name under the cursor that can be renamed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenameTarget {
    pub kind: RenameKind,
    /// The current name (unquoted).
    pub name: String,
    /// The byte range of its YAML node (quotes included).
    pub range: Range<usize>,
}

/// A rename's edits in one article.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RenameEdits {
    /// Edits of the names themselves (and deletions of merged duplicates).
    pub names: Vec<Edit>,
    /// For a provider: edits of `provider.domain` next to each renamed name, which the client
    /// should confirm (the new provider's domain is a guess from the workspace or catalogue).
    pub domains: Vec<Edit>,
}

impl RenameEdits {
    pub fn is_empty(&self) -> bool {
        self.names.is_empty() && self.domains.is_empty()
    }
}

/// The topic item or provider name at `offset`, top level or inside a related entry.
pub fn prepare_rename(text: &str, offset: usize) -> Option<RenameTarget> {
    let at = locate(text, floor_boundary(text, offset))?;
    if at.on_key {
        return None;
    }
    let (name, range) = at.scalar()?;
    let parent = at.path.last().map(String::as_str);
    let kind = match at.key.as_str() {
        "topics" if at.item.is_some() => RenameKind::Topic,
        "name" if parent == Some("provider") => RenameKind::Provider,
        _ => return None,
    };
    Some(RenameTarget { kind, name: name.to_string(), range })
}

/// Every occurrence in this article of the topic or provider name at `offset` (document
/// highlights).
pub fn highlights(text: &str, offset: usize) -> Vec<Range<usize>> {
    let (Some(target), Some(root)) = (prepare_rename(text, offset), root(text)) else {
        return Vec::new();
    };
    let is_name = |n: &Node| n.as_scalar().is_some_and(|s| s.text == target.name);
    let mut acc = Vec::new();
    each_entry(&root, &mut |at| match (target.kind, at.key, &at.entry.value.value) {
        (RenameKind::Topic, "topics", Value::Sequence(items)) => {
            acc.extend(items.iter().filter(|n| is_name(n)).map(|n| n.span()));
        }
        (RenameKind::Provider, "name", _) if at.in_provider() && is_name(&at.entry.value) => {
            acc.push(at.entry.value.span());
        }
        _ => {}
    });
    acc
}

/// The edits renaming every name in `from` to `to` in this article. `domain`, for a provider,
/// is the domain to write beside each renamed name (only where a domain is already written).
pub fn rename_edits(text: &str, kind: RenameKind, from: &[&str], to: &str, domain: Option<&str>) -> RenameEdits {
    let mut acc = RenameEdits::default();
    if let Some(root) = root(text) {
        let job = Job { text, kind, from, to, domain };
        job.walk(&mut acc, &root);
    }
    acc.names.sort_by_key(|e| (e.range.start, e.range.end));
    acc.domains.sort_by_key(|e| (e.range.start, e.range.end));
    acc
}

struct Job<'a> {
    text: &'a str,
    kind: RenameKind,
    from: &'a [&'a str],
    to: &'a str,
    domain: Option<&'a str>,
}

impl Job<'_> {
    fn walk(&self, acc: &mut RenameEdits, node: &Node) {
        match &node.value {
            Value::Mapping(entries) => {
                for entry in entries {
                    match (self.kind, entry.key_text(), &entry.value.value) {
                        (RenameKind::Topic, Some("topics"), Value::Sequence(items)) => self.topics(acc, items),
                        (RenameKind::Provider, Some("provider"), Value::Mapping(_)) => self.provider(acc, &entry.value),
                        _ => self.walk(acc, &entry.value),
                    }
                }
            }
            Value::Sequence(items) => items.iter().for_each(|item| self.walk(acc, item)),
            Value::Scalar(_) | Value::Alias => {}
        }
    }

    fn renames(&self, name: &str) -> bool {
        self.from.contains(&name)
    }

    /// Renames items of one `topics` list. When the list already holds the new name, the
    /// renamed items are deleted instead (it keeps its place); otherwise the first is renamed
    /// and any other deleted, so merging leaves no duplicates.
    fn topics(&self, acc: &mut RenameEdits, items: &[Node]) {
        let names: Vec<Option<&str>> = items.iter().map(|n| n.as_scalar().map(|s| &*s.text)).collect();
        let renamed: Vec<usize> = (0..items.len()).filter(|&i| names[i].is_some_and(|n| self.renames(n))).collect();
        if renamed.is_empty() {
            return;
        }
        let has_new = names.iter().enumerate().any(|(i, n)| *n == Some(self.to) && !renamed.contains(&i));
        let (kept, deleted) = match has_new {
            true => (None, &renamed[..]),
            false => (Some(renamed[0]), &renamed[1..]),
        };
        if let Some(i) = kept.filter(|&i| names[i] != Some(self.to)) {
            acc.names.push(self.rewrite(&items[i], self.to));
        }
        for range in self.deletions(items, deleted) {
            acc.names.push(Edit { range, replacement: String::new() });
        }
    }

    fn provider(&self, acc: &mut RenameEdits, provider: &Node) {
        let Some(name_node) = provider.get("name") else { return };
        let Some(name) = name_node.as_scalar() else { return };
        if !self.renames(&name.text) {
            return;
        }
        if name.text != self.to {
            acc.names.push(self.rewrite(name_node, self.to));
        }
        let written = provider.get("domain").and_then(|d| Some((d, d.as_scalar()?)));
        if let (Some(domain), Some((node, current))) = (self.domain, written) {
            if current.text != domain {
                acc.domains.push(self.rewrite(node, domain));
            }
        }
    }

    /// The new text for a scalar node, in the node's own quoting style where it can hold it.
    fn rewrite(&self, node: &Node, to: &str) -> Edit {
        let written = self.text.get(node.span()).unwrap_or("");
        let replacement = match written.chars().next() {
            Some('\'') => format!("'{}'", to.replace('\'', "''")),
            Some('"') => double_quoted(to),
            _ if is_plain_safe(to) => to.to_string(),
            _ => double_quoted(to),
        };
        Edit { range: node.span(), replacement }
    }

    /// What to delete to remove the items `deleted` (ascending) of a list: each one's whole
    /// line in a block list; in a flow list each run of neighbours with one separating comma.
    fn deletions(&self, items: &[Node], deleted: &[usize]) -> Vec<Range<usize>> {
        let Some(&first) = deleted.first() else { return Vec::new() };
        if dash_start(self.text, items[first].span().start) != items[first].span().start {
            return deleted.iter().map(|&i| self.item_lines(&items[i])).collect();
        }
        let mut runs: Vec<(usize, usize)> = Vec::new();
        for &i in deleted {
            match runs.last_mut() {
                Some((_, end)) if *end + 1 == i => *end = i,
                _ => runs.push((i, i)),
            }
        }
        runs.into_iter()
            .map(|(start, end)| match (start.checked_sub(1), items.get(end + 1)) {
                (_, Some(next)) => items[start].span().start..next.span().start,
                (Some(prev), None) => items[prev].span().end..items[end].span().end,
                (None, None) => items[start].span().start..items[end].span().end,
            })
            .collect()
    }

    /// The whole lines of a block list item, from the line of its dash.
    fn item_lines(&self, item: &Node) -> Range<usize> {
        let dash = dash_start(self.text, item.span().start);
        let line_start = self.text[..dash].rfind(['\n', '\r']).map_or(0, |n| n + 1);
        line_start..line_end_after(self.text, item.span().end)
    }
}

/// The start of the line after `offset` (or the end of the text).
fn line_end_after(text: &str, offset: usize) -> usize {
    let rest = text.get(offset..).unwrap_or("");
    match rest.find(['\n', '\r']) {
        Some(at) if rest[at..].starts_with("\r\n") => offset + at + 2,
        Some(at) => offset + at + 1,
        None => text.len(),
    }
}
