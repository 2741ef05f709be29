//! An edit inside one item of a block list (`related`, `images`, `topics`), applied to a checked
//! front matter in place: the item is re-parsed and re-checked alone, and everything after it
//! moves by the edit's length (integer adds on the tree's spans and the findings' offsets; no
//! other unit is hashed, parsed, copied or dropped). That is what makes a keystroke in a front
//! matter of 2,000 related entries cost about what one in a small article costs.
//!
//! The result equals a check of the whole new text; every condition under which it might not
//! declines the patch (the caller then checks the whole front matter): the edit stays inside
//! one item's unit, which is still exactly one item at the list's indentation and parses cleanly
//! on its own; the last check parsed every unit cleanly (no syntax errors, so no cascades are
//! filtered) in the same configuration and at the same `now`.

use std::ops::Range;

use jiff::Timestamp;

use super::Checker;
use super::units::{ListLine, ListUnits, UnitCache, list_line, sequence_start, shift, single_item};
use crate::analysis::diagnostic::Diagnostic;
use crate::analysis::layout::{line_text, next_line};
use crate::analysis::yaml::{Node, Value};
use crate::config::Config;

/// A replacement of `range` (offsets before the edit) by `new_len` bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemEdit {
    pub range: Range<usize>,
    pub new_len: usize,
}

impl ItemEdit {
    fn delta(&self) -> isize {
        self.new_len as isize - self.range.len() as isize
    }

    /// Where an offset of the old text that the edit did not touch is now.
    pub fn moved(&self, offset: usize) -> usize {
        if offset >= self.range.end { offset.saturating_add_signed(self.delta()) } else { offset }
    }
}

/// What a patch changed: the list (its key), the item's unit in the new text, that unit's text
/// and the item's new node (spans relative to the unit).
#[derive(Debug)]
pub struct ItemPatch {
    pub key: &'static str,
    pub unit: Range<usize>,
    pub unit_text: String,
    pub node: Node,
}

/// Applies `edit` to the front matter whose parse is `root`, whose findings (absolute offsets,
/// default severities) are `findings` and whose units `cache` holds, reading the item's new
/// text with `read` (a range of the new text). Returns `None`, having changed nothing, when the
/// edit is not one this can absorb.
pub fn patch_list_item(
    cache: &mut UnitCache,
    root: &mut Node,
    findings: &mut Vec<Diagnostic>,
    edit: &ItemEdit,
    read: impl FnOnce(Range<usize>) -> String,
    (config, now): (&Config, Timestamp),
) -> Option<ItemPatch> {
    let newline = cache.findings.newline_if_same(config, now)?;
    let (list, index) = find_item(&cache.lists, &edit.range)?;
    let unit = cache.lists[list].bounds[index]..edit.moved(cache.lists[list].bounds[index + 1]);
    let text = read(unit.clone());
    let list_units = &cache.lists[list];
    if text.len() != unit.len() || !is_one_item(&text, list_units.indent) {
        return None;
    }
    let (hash, parse) = cache.lookup(&text, &Default::default());
    let (sequence, only) = single_item(&parse)?;
    let entries = match &root.value {
        Value::Mapping(entries) => entries,
        _ => return None,
    };
    let entry = entries.get(list_units.entry)?;
    let key = list_units.key;
    let first_with_key = entries.iter().position(|e| e.key_text() == Some(key)) == Some(list_units.entry);
    let items = match &entry.value.value {
        Value::Sequence(items) => items.len(),
        _ => 0,
    };
    if !first_with_key || items + 1 != list_units.bounds.len() {
        return None;
    }
    let node = shift(only, unit.start);
    let first_start = (index == 0).then(|| sequence_start(&text, list_units.indent, sequence) + unit.start);
    let mut fresh = Vec::new();
    Checker::new(&text, config, now, &mut fresh, None).check_list_item(only, key, newline);
    // Everything is known: from here on, change things.
    let old_unit = cache.lists[list].bounds[index]..cache.lists[list].bounds[index + 1];
    move_findings(findings, &old_unit, edit);
    findings.extend(fresh.iter().map(|d| d.shifted(unit.start as isize)));
    move_tree(root, (list_units.entry, index), node, first_start, edit);
    let units = &mut cache.lists[list];
    for bound in &mut units.bounds[index + 1..] {
        *bound = edit.moved(*bound);
    }
    let old_hash = std::mem::replace(&mut units.keys[index], hash);
    cache.parses.remove(&old_hash);
    cache.parses.insert(hash, parse.clone());
    for other in cache.lists.iter_mut().filter(|l| l.bounds.first().is_some_and(|&b| b >= old_unit.end)) {
        for bound in &mut other.bounds {
            *bound = edit.moved(*bound);
        }
    }
    Some(ItemPatch { key, unit, unit_text: text, node: only.clone() })
}

/// The list and item whose unit holds the edit, past the unit's first byte (an edit there
/// could change the dash line) and before its last (its line break).
fn find_item(lists: &[ListUnits], range: &Range<usize>) -> Option<(usize, usize)> {
    lists.iter().enumerate().find_map(|(l, list)| {
        let after = list.bounds.partition_point(|&b| b < range.start);
        let index = after.checked_sub(1)?;
        let end = *list.bounds.get(index + 1)?;
        (range.end < end).then_some((l, index))
    })
}

/// Whether `unit` is exactly one item of a block list indented by `indent`: its first line an
/// item at that indentation, every other line inside it, and a line break at its end.
fn is_one_item(unit: &str, indent: usize) -> bool {
    if !unit.ends_with(['\n', '\r']) || list_line(line_text(unit, 0), Some(indent)) != ListLine::Item(indent) {
        return false;
    }
    let mut line = next_line(unit, 0);
    while line < unit.len() {
        if list_line(line_text(unit, line), Some(indent)) != ListLine::Inside {
            return false;
        }
        line = next_line(unit, line);
    }
    true
}

/// Drops the findings of the edited item's old unit and moves those after it.
fn move_findings(findings: &mut Vec<Diagnostic>, old_unit: &Range<usize>, edit: &ItemEdit) {
    findings.retain(|d| !old_unit.contains(&d.range.start));
    if edit.delta() == 0 {
        return;
    }
    let at = |r: &mut Range<usize>| *r = edit.moved(r.start)..edit.moved(r.end);
    for d in findings.iter_mut() {
        at(&mut d.range);
        for fix in d.fix.iter_mut().chain(d.guesses.iter_mut()) {
            fix.edits.iter_mut().for_each(|e| at(&mut e.range));
        }
        d.related.iter_mut().for_each(|r| at(&mut r.range));
    }
}

/// Puts the item's new node into the tree and moves what follows it.
fn move_tree(root: &mut Node, (entry, index): (usize, usize), node: Node, first_start: Option<usize>, edit: &ItemEdit) {
    let Value::Mapping(entries) = &mut root.value else { return };
    for later in entries.iter_mut().skip(entry + 1) {
        move_node(&mut later.key, edit);
        move_node(&mut later.value, edit);
    }
    let sequence = &mut entries[entry].value;
    if let Value::Sequence(items) = &mut sequence.value {
        items.iter_mut().skip(index + 1).for_each(|n| move_node(n, edit));
        items[index] = node;
        let start = first_start.unwrap_or(sequence.span.start);
        let end = items.last().map_or(start, |n| n.span.end.max(start));
        sequence.span = start..end;
    }
    let span = match (entries.first(), entries.last()) {
        (Some(first), Some(last)) => first.key.span.start..last.value.span.end.max(first.key.span.start),
        _ => root.span.clone(),
    };
    root.span = span;
}

fn move_node(node: &mut Node, edit: &ItemEdit) {
    node.span = edit.moved(node.span.start)..edit.moved(node.span.end);
    match &mut node.value {
        Value::Scalar(_) | Value::Alias => {}
        Value::Sequence(items) => items.iter_mut().for_each(|n| move_node(n, edit)),
        Value::Mapping(entries) => entries.iter_mut().for_each(|e| {
            move_node(&mut e.key, edit);
            move_node(&mut e.value, edit);
        }),
    }
}
