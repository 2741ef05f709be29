//! A walk over every `key: value` entry of the front matter with the keys that lead to it and
//! its schema field, for the features that look at the whole tree (tokens, links, hints,
//! highlights). The field table is carried down the walk and the keys are borrowed from the
//! tree, so a front matter of thousands of entries costs no allocation per entry.

use crate::analysis::schema::{self, Field, Kind};
use std::ops::Range;

use crate::analysis::yaml::{Entry, Node, Value};

/// One entry met on the walk.
pub(crate) struct Visit<'a> {
    /// The keys of the enclosing mappings; list items keep their list's key (as
    /// `CursorContext::path`).
    pub(crate) path: &'a [&'a str],
    pub(crate) key: &'a str,
    /// The entry's schema field (`None` for a key the schema does not know there).
    pub(crate) field: Option<&'static Field>,
    pub(crate) entry: &'a Entry,
}

impl Visit<'_> {
    /// Whether the entry is directly inside a `provider` mapping.
    pub(crate) fn in_provider(&self) -> bool {
        self.path.last() == Some(&"provider")
    }

    /// The dotted path of the entry (`related.provider.name`).
    pub(crate) fn dotted(&self) -> String {
        let mut out = String::new();
        for key in self.path.iter().chain([&self.key]) {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(key);
        }
        out
    }
}

/// Calls `visit` for every entry with a scalar key, parents before children (entries whose key
/// is not a scalar are skipped with their values).
pub(crate) fn each_entry<'a>(root: &'a Node, visit: &mut dyn FnMut(&Visit<'_>)) {
    each_entry_within(root, &(0..usize::MAX), visit);
}

/// [`each_entry`] for the entries that touch the byte range `within` only: an editor asks
/// for the visible lines, and the subtrees outside them are skipped whole.
pub(crate) fn each_entry_within<'a>(root: &'a Node, within: &Range<usize>, visit: &mut dyn FnMut(&Visit<'_>)) {
    let mut path: Vec<&'a str> = Vec::new();
    walk(root, Some(schema::ARTICLE), within, &mut path, visit);
}

/// [`each_entry`] for the items of the top-level block list `list` (a sequence holding some of
/// them, as a unit of the front matter holds one): visited as the walk of the whole tree visits
/// them, under the list's key and schema field.
pub(crate) fn each_entry_of_items<'a>(items: &'a Node, list: &'a str, visit: &mut dyn FnMut(&Visit<'_>)) {
    let field = lookup_from(schema::ARTICLE, list, &mut 0);
    let mut path: Vec<&'a str> = vec![list];
    walk(items, field.and_then(inner_fields), &(0..usize::MAX), &mut path, visit);
}

fn walk<'a>(
    node: &'a Node,
    fields: Option<&'static [Field]>,
    within: &Range<usize>,
    path: &mut Vec<&'a str>,
    visit: &mut dyn FnMut(&Visit<'_>),
) {
    match &node.value {
        Value::Mapping(entries) => {
            let mut next = 0;
            for entry in entries {
                let Some(key) = entry.key_text() else { continue };
                // Looked up even when skipped: `next` follows the entries in order.
                let field = fields.and_then(|f| lookup_from(f, key, &mut next));
                if !touches(entry.key.span().start..entry.value.span().end, within) {
                    continue;
                }
                visit(&Visit { path, key, field, entry });
                path.push(key);
                walk(&entry.value, field.and_then(inner_fields), within, path, visit);
                path.pop();
            }
        }
        Value::Sequence(items) => {
            let inside = items.iter().filter(|item| touches(item.span(), within));
            inside.for_each(|item| walk(item, fields, within, path, visit));
        }
        Value::Scalar(_) | Value::Alias => {}
    }
}

/// Whether `span` and `within` share a byte or touch (a hint sits at the end of its value).
pub(crate) fn touches(span: Range<usize>, within: &Range<usize>) -> bool {
    span.start <= within.end && within.start <= span.end
}

/// `schema::lookup`, trying the fields from `next` on first: entries are usually written in
/// the schema's order (thousands of related items), so most keys match at the first try.
fn lookup_from(fields: &'static [Field], key: &str, next: &mut usize) -> Option<&'static Field> {
    let start = (*next).min(fields.len());
    let (found, at) =
        fields[start..].iter().zip(start..).chain(fields[..start].iter().zip(0..)).find(|(f, _)| f.name == key)?;
    *next = at + 1;
    Some(found)
}

/// The fields of the mapping a field holds (itself or as list items).
fn inner_fields(field: &'static Field) -> Option<&'static [Field]> {
    match field.kind {
        Kind::Object(inner) => Some(inner),
        Kind::List(Kind::Object(inner)) => Some(inner),
        _ => None,
    }
}

/// The text of a scalar value without its quotes: the span inside them.
pub(crate) fn unquoted(text: &str, node: &Node) -> std::ops::Range<usize> {
    let span = node.span();
    let written = text.get(span.clone()).unwrap_or("");
    let quoted = written.len() >= 2
        && ((written.starts_with('"') && written.ends_with('"'))
            || (written.starts_with('\'') && written.ends_with('\'')));
    if quoted { span.start + 1..span.end - 1 } else { span }
}
