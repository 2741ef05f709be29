//! The outline (document symbols) and folding ranges of an article.

use std::ops::Range;

use super::locate::root;
use super::{Fold, FoldKind, Symbol, SymbolKind};
use crate::analysis::layout;
use crate::analysis::schema::Kind;
use crate::analysis::yaml::{Entry, Node, Value};
use crate::workspace::summarize;
use crate::workspace::summary::dash_start;

/// Details (scalar values) are cut to this many characters.
const DETAIL_CHARS: usize = 60;

pub(crate) fn document_symbols(text: &str) -> Vec<Symbol> {
    if layout::split(text).front_matter.is_none() {
        return dated_line_symbols(text);
    }
    let Some(root) = root(text) else {
        return Vec::new();
    };
    let entries = root.as_mapping().unwrap_or_default();
    entries.iter().map(|e| entry_symbol(text, e, "")).collect()
}

/// A `key: value` entry; `parent` is the dotted path of its mapping (for the schema).
fn entry_symbol(text: &str, entry: &Entry, parent: &str) -> Symbol {
    let name = entry.key_text().unwrap_or("?").to_string();
    let dotted = if parent.is_empty() { name.clone() } else { format!("{parent}.{name}") };
    let is_date = date_field(&dotted);
    let (kind, children) = match &entry.value.value {
        Value::Mapping(children) => {
            (SymbolKind::Object, children.iter().map(|c| entry_symbol(text, c, &dotted)).collect())
        }
        Value::Sequence(items) => {
            (SymbolKind::Array, items.iter().enumerate().map(|(i, item)| item_symbol(text, item, i, &dotted)).collect())
        }
        _ if is_date => (SymbolKind::Date, Vec::new()),
        _ => (SymbolKind::Field, Vec::new()),
    };
    Symbol {
        name,
        detail: scalar_detail(&entry.value),
        kind,
        range: entry.key.span().start..entry.value.span().end.max(entry.key.span().end),
        selection_range: entry.key.span(),
        children,
    }
}

/// Whether a dotted path (`publishedDateTime`, `related.publishedDateTime`) is a date field.
fn date_field(dotted: &str) -> bool {
    let path: Vec<String> = dotted.split('.').map(str::to_string).collect();
    let Some((key, parent)) = path.split_last() else {
        return false;
    };
    super::context::field_at(parent, key).is_some_and(|f| f.kind == Kind::Date)
}

fn item_symbol(text: &str, item: &Node, i: usize, list: &str) -> Symbol {
    let range = dash_start(text, item.span().start)..item.span().end;
    let Some(entries) = item.as_mapping() else {
        let name = scalar_detail(item).unwrap_or_else(|| format!("item {}", i + 1));
        return leaf(name, SymbolKind::Field, range, item.span());
    };
    let label = ["title", "url", "name", "webUrl"].iter().find_map(|k| item.get(k).and_then(scalar_detail));
    let kind = if list == "related" { SymbolKind::Related } else { SymbolKind::Object };
    let selection = item.get("title").map_or(item.span(), |n| n.span());
    Symbol {
        name: label.unwrap_or_else(|| format!("item {}", i + 1)),
        detail: item.get("webUrl").and_then(scalar_detail),
        kind,
        range,
        selection_range: selection,
        children: entries.iter().map(|e| entry_symbol(text, e, list)).collect(),
    }
}

fn leaf(name: String, kind: SymbolKind, range: Range<usize>, selection: Range<usize>) -> Symbol {
    Symbol { name, detail: None, kind, range, selection_range: selection, children: Vec::new() }
}

/// A scalar's text, shortened for display.
fn scalar_detail(node: &Node) -> Option<String> {
    let scalar = node.as_scalar().filter(|s| !s.is_null())?;
    let mut short: String = scalar.text.chars().take(DETAIL_CHARS).collect();
    if short.len() < scalar.text.len() {
        short.push('…');
    }
    Some(short)
}

/// The dated lines of a plain-text article.
fn dated_line_symbols(text: &str) -> Vec<Symbol> {
    summarize(text)
        .dated_lines
        .into_iter()
        .map(|line| {
            let span = line.span.range();
            let content = text.get(span.clone()).unwrap_or("");
            let date_at = content.find(&*line.value).unwrap_or(0);
            let selection = span.start + date_at..span.start + date_at + line.value.len();
            let mut symbol = leaf(content.trim().chars().take(80).collect(), SymbolKind::Date, span, selection);
            symbol.detail = Some(line.value.to_string());
            symbol
        })
        .collect()
}

pub(crate) fn folding_ranges(text: &str) -> Vec<Fold> {
    let Some(fm) = layout::split(text).front_matter else {
        return Vec::new();
    };
    let end = fm.closer.as_ref().map_or(fm.yaml.end, |c| c.end);
    let mut folds = vec![Fold { range: fm.opener.start..end, kind: FoldKind::FrontMatter }];
    let multi_line = |r: &Range<usize>| text.get(r.clone()).is_some_and(|t| t.contains(['\n', '\r']));
    if let Some(root) = root(text) {
        for entry in root.as_mapping().unwrap_or_default() {
            let range = entry.key.span().start..entry.value.span().end;
            if multi_line(&range) {
                folds.push(region(range));
            }
        }
    }
    for related in summarize(text).related {
        if multi_line(&related.span.range()) {
            folds.push(region(related.span.range()));
        }
    }
    folds.sort_by_key(|f| (f.range.start, std::cmp::Reverse(f.range.end)));
    folds
}

fn region(range: Range<usize>) -> Fold {
    Fold { range, kind: FoldKind::Region }
}
