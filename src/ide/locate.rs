//! The YAML entry under a byte offset, from the parsed (error-tolerant) tree: for hover and
//! navigation, which look at complete text rather than at what is being typed.

use std::ops::Range;

use crate::analysis::front_matter;
use crate::analysis::layout;
use crate::analysis::yaml::{Entry, Node, Value};

/// The innermost `key: value` entry at an offset.
#[derive(Debug, Clone)]
pub(crate) struct Located {
    /// Keys of the enclosing mappings (list items keep their list's key), as in
    /// `CursorContext::path`.
    pub(crate) path: Vec<String>,
    pub(crate) key: String,
    pub(crate) key_span: Range<usize>,
    /// The offset is on the key (else on the value).
    pub(crate) on_key: bool,
    pub(crate) value: Node,
    /// The scalar item of a sequence value the offset is on (a topic).
    pub(crate) item: Option<Node>,
}

impl Located {
    /// The scalar text under the offset: the item's, else the value's.
    pub(crate) fn scalar(&self) -> Option<(&str, Range<usize>)> {
        let node = self.item.as_ref().unwrap_or(&self.value);
        let scalar = node.as_scalar().filter(|s| !s.is_null())?;
        Some((&*scalar.text, node.span()))
    }
}

/// The parsed top-level mapping of the front matter, if there is one.
pub(crate) fn root(text: &str) -> Option<Node> {
    let fm = layout::split(text).front_matter?;
    front_matter::parse(text, &fm).root
}

/// The entry at `offset` (spans are inclusive of their end, where the cursor often rests).
pub(crate) fn locate(text: &str, offset: usize) -> Option<Located> {
    let root = root(text)?;
    let mut path = Vec::new();
    find_in_mapping(root.as_mapping()?, offset, &mut path)
}

fn touches(span: &Range<usize>, offset: usize) -> bool {
    span.start <= offset && offset <= span.end
}

fn find_in_mapping(entries: &[Entry], offset: usize, path: &mut Vec<String>) -> Option<Located> {
    let entry = entries.iter().find(|e| touches(&e.key.span(), offset) || touches(&e.value.span(), offset))?;
    let key = entry.key_text()?.to_string();
    if touches(&entry.key.span(), offset) {
        return Some(located(path, key, entry, true, None));
    }
    path.push(key.clone());
    let inner = match &entry.value.value {
        Value::Mapping(children) => find_in_mapping(children, offset, path),
        Value::Sequence(items) => find_in_items(items, offset, path),
        _ => None,
    };
    path.pop();
    if inner.is_some() {
        return inner;
    }
    let item = match &entry.value.value {
        Value::Sequence(items) => items.iter().find(|n| n.as_scalar().is_some() && touches(&n.span(), offset)).cloned(),
        _ => None,
    };
    Some(located(path, key, entry, false, item))
}

fn find_in_items(items: &[Node], offset: usize, path: &mut Vec<String>) -> Option<Located> {
    let item = items.iter().find(|n| touches(&n.span(), offset))?;
    find_in_mapping(item.as_mapping()?, offset, path)
}

fn located(path: &[String], key: String, entry: &Entry, on_key: bool, item: Option<Node>) -> Located {
    Located { path: path.to_vec(), key, key_span: entry.key.span(), on_key, value: entry.value.clone(), item }
}
