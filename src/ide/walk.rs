//! A walk over every `key: value` entry of the front matter with the keys that lead to it, for
//! the features that look at the whole tree (tokens, links, hints, lenses).

use crate::analysis::yaml::{Entry, Node, Value};

/// Calls `visit(path, entry)` for every entry, parents before children. `path` holds the keys
/// of the enclosing mappings; list items keep their list's key (as `CursorContext::path`).
pub(crate) fn each_entry(root: &Node, visit: &mut dyn FnMut(&[String], &Entry)) {
    let mut path = Vec::new();
    walk(root, &mut path, visit);
}

fn walk(node: &Node, path: &mut Vec<String>, visit: &mut dyn FnMut(&[String], &Entry)) {
    match &node.value {
        Value::Mapping(entries) => {
            for entry in entries {
                visit(path, entry);
                let Some(key) = entry.key_text() else { continue };
                path.push(key.to_string());
                walk(&entry.value, path, visit);
                path.pop();
            }
        }
        Value::Sequence(items) => items.iter().for_each(|item| walk(item, path, visit)),
        Value::Scalar(_) | Value::Alias => {}
    }
}

/// The text of a scalar value without its quotes: the span inside them.
pub(crate) fn unquoted(text: &str, node: &Node) -> std::ops::Range<usize> {
    let span = node.span.clone();
    let written = text.get(span.clone()).unwrap_or("");
    let quoted = written.len() >= 2
        && ((written.starts_with('"') && written.ends_with('"'))
            || (written.starts_with('\'') && written.ends_with('\'')));
    if quoted { span.start + 1..span.end - 1 } else { span }
}
