//! Selection ranges: from the cursor outwards, value → entry → list item → list → front
//! matter → document, each strictly containing the one before.

use std::ops::Range;

use super::lines::floor_boundary;
use super::locate::root;
use crate::analysis::layout;
use crate::analysis::yaml::{Entry, Node, Value};
use crate::workspace::summary::dash_start;

pub(crate) fn selection_ranges(text: &str, offset: usize) -> Vec<Range<usize>> {
    let offset = floor_boundary(text, offset);
    // Outermost first: the whole document.
    let mut outer: Vec<Range<usize>> = Vec::new();
    outer.push(0..text.len());
    let layout = layout::split(text);
    if layout.front_matter.is_some() && offset < layout.body.start {
        outer.push(0..layout.body.start);
        if let Some(root) = root(text) {
            if let Some(entries) = root.as_mapping() {
                in_mapping(text, entries, offset, &mut outer);
            }
        }
    }
    // Innermost first, each strictly larger than the one before.
    let mut acc: Vec<Range<usize>> = Vec::new();
    for range in outer.into_iter().rev() {
        let grows =
            acc.last().is_none_or(|inner| range.start <= inner.start && inner.end <= range.end && range != *inner);
        if grows {
            acc.push(range);
        }
    }
    acc
}

fn touches(span: &Range<usize>, offset: usize) -> bool {
    span.start <= offset && offset <= span.end
}

/// Pushes the ranges around `offset` from outer to inner.
fn in_mapping(text: &str, entries: &[Entry], offset: usize, acc: &mut Vec<Range<usize>>) {
    let Some(entry) =
        entries.iter().find(|e| touches(&(e.key.span().start..e.value.span().end.max(e.key.span().end)), offset))
    else {
        return;
    };
    acc.push(entry.key.span().start..entry.value.span().end.max(entry.key.span().end));
    if touches(&entry.key.span(), offset) {
        acc.push(entry.key.span());
        return;
    }
    in_value(text, &entry.value, offset, acc);
}

fn in_value(text: &str, node: &Node, offset: usize, acc: &mut Vec<Range<usize>>) {
    match &node.value {
        Value::Mapping(entries) => in_mapping(text, entries, offset, acc),
        Value::Sequence(items) => {
            let Some(first) = items.first() else {
                acc.push(node.span());
                return;
            };
            acc.push(dash_start(text, first.span().start).min(node.span().start)..node.span().end);
            if let Some(item) =
                items.iter().find(|i| touches(&(dash_start(text, i.span().start)..i.span().end), offset))
            {
                acc.push(dash_start(text, item.span().start)..item.span().end);
                in_value(text, item, offset, acc);
            }
        }
        Value::Scalar(_) | Value::Alias => acc.push(node.span()),
    }
}
