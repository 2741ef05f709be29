//! Semantic tokens: front-matter keys (known and unknown), dates, URLs, topics, providers, and
//! the dates of a plain-text article's dated lines. Tokens never span lines (most clients do
//! not support that), so a multi-line value gets none.

use super::walk::{Visit, each_entry, each_entry_of_items, unquoted};
use super::{Parsed, Token, TokenKind};
use crate::analysis::layout;
use crate::analysis::schema::Kind;
use crate::analysis::yaml::{Node, Value};
use crate::config::Config;

pub(crate) fn semantic_tokens(text: &str, parsed: &Parsed, config: &Config) -> Vec<Token> {
    let mut acc = Vec::new();
    match parsed.root() {
        Some(root) => front_matter_tokens(&mut acc, text, root, config),
        None if parsed.layout.front_matter.is_none() => dated_line_tokens(&mut acc, text, parsed.layout.body.start),
        None => {}
    }
    finish(acc, text)
}

/// The tokens of one unit of the front matter (`text` is the unit's, `node` its tree with
/// unit-relative spans; `list` the split list it is an item of), relative to the unit. Units
/// never share a token, so the document's tokens are the units' in order.
pub(crate) fn unit_tokens(text: &str, node: &Node, list: Option<&str>, config: &Config) -> Vec<Token> {
    let mut acc = Vec::new();
    match list {
        None => front_matter_tokens(&mut acc, text, node, config),
        Some(list) => {
            // The whole walk colours a `topics` list's items when it visits the list's key.
            if list == "topics" {
                topic_tokens(&mut acc, text, node);
            }
            each_entry_of_items(node, list, &mut |at| entry_tokens(&mut acc, text, at, config));
        }
    }
    finish(acc, text)
}

/// Sorted, on single lines, never overlapping.
fn finish(mut acc: Vec<Token>, text: &str) -> Vec<Token> {
    acc.retain(|t| !t.range.is_empty() && text.get(t.range.clone()).is_some_and(|s| !s.contains(['\n', '\r'])));
    acc.sort_by_key(|t| (t.range.start, t.range.end));
    acc.dedup_by(|b, a| b.range.start < a.range.end);
    acc
}

fn front_matter_tokens(acc: &mut Vec<Token>, text: &str, root: &Node, config: &Config) {
    each_entry(root, &mut |at| entry_tokens(acc, text, at, config));
}

fn entry_tokens(acc: &mut Vec<Token>, text: &str, at: &Visit<'_>, config: &Config) {
    let known = at.field.is_some() || config.is_extra_field(&at.dotted());
    let kind = if known { TokenKind::Key } else { TokenKind::UnknownKey };
    acc.push(Token { range: at.entry.key.span(), kind });
    value_tokens(acc, text, at);
}

fn value_tokens(acc: &mut Vec<Token>, text: &str, at: &Visit<'_>) {
    let scalar_kind = match (at.key, at.field.map(|f| &f.kind)) {
        ("name", _) if at.in_provider() => Some(TokenKind::Provider),
        (_, Some(Kind::Date)) => Some(TokenKind::Date),
        (_, Some(Kind::Url)) => Some(TokenKind::Url),
        _ => None,
    };
    match (&at.entry.value.value, scalar_kind) {
        (Value::Scalar(s), Some(kind)) if !s.is_null() => {
            acc.push(Token { range: unquoted(text, &at.entry.value), kind });
        }
        (Value::Sequence(_), _) if at.key == "topics" => topic_tokens(acc, text, &at.entry.value),
        _ => {}
    }
}

/// The items of a `topics` sequence that are written scalars.
fn topic_tokens(acc: &mut Vec<Token>, text: &str, sequence: &Node) {
    let Value::Sequence(items) = &sequence.value else { return };
    let topics = items.iter().filter(|n| n.as_scalar().is_some_and(|s| !s.is_null()));
    acc.extend(topics.map(|n| Token { range: unquoted(text, n), kind: TokenKind::Topic }));
}

/// The date of each dated line of a plain-text article.
fn dated_line_tokens(acc: &mut Vec<Token>, text: &str, mut start: usize) {
    while start < text.len() {
        let line = layout::line_text(text, start);
        let first = line.trim_start().chars().next();
        if first.is_some_and(|c| c.is_ascii_alphanumeric()) {
            if let Some(dated) = crate::analysis::dates::dated_line(line) {
                let range = start + dated.range.start..start + dated.range.end;
                acc.push(Token { range, kind: TokenKind::DatedLine });
            }
        }
        start = layout::next_line(text, start);
    }
}
