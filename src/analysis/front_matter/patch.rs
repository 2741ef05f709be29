//! An edit inside one item of a block list (`related`, `images`, `topics`), or inside the value
//! of a top-level scalar field (`title`, `excerpt`, a date), applied to a checked front matter in
//! place: the unit is re-parsed and re-checked alone, and everything after it
//! moves by the edit's length (integer adds on the tree's spans and the findings' offsets; no
//! other unit is hashed, parsed, copied or dropped). That is what makes a keystroke in a front
//! matter of 2,000 related entries cost about what one in a small article costs.
//!
//! The result equals a check of the whole new text; every condition under which it might not
//! declines the patch (the caller then checks the whole front matter): the edit stays inside
//! one item's unit, which is still exactly one item at the list's indentation and parses cleanly
//! on its own (for a top-level entry: not the last one, still one segment holding one entry with
//! the same key, a known scalar field that no cross-field check reads and that stays filled
//! in); the last check parsed every unit cleanly (no syntax errors, so no cascades are
//! filtered) in the same configuration and at the same `now`.

use std::ops::Range;

use jiff::Timestamp;

use super::units::{ListLine, ListUnits, UnitCache, list_line, sequence_start, shift, shift_entry, single_item};
use super::{Checker, is_blank};
use crate::analysis::diagnostic::Diagnostic;
use crate::analysis::layout::{line_text, next_line};
use crate::analysis::schema::{self, Kind};
use crate::analysis::yaml::{Entry, Node, Value};
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

/// What a patch changed: the list or the top-level field (its key), the unit in the new text,
/// that unit's text and the new node (the item, or the entry's value; spans relative to the
/// unit).
#[derive(Debug)]
pub struct ItemPatch {
    pub key: &'static str,
    pub unit: Range<usize>,
    pub unit_text: String,
    pub node: Node,
    /// For a top-level entry, its value before the edit (spans in the old text); `None` for a
    /// list item.
    pub replaced: Option<Node>,
}

/// Applies `edit` in place when it falls inside one list item ([`patch_list_item`]) or inside
/// one top-level scalar entry; `None`, having changed nothing, otherwise.
pub fn patch_unit(
    cache: &mut UnitCache,
    root: &mut Node,
    findings: &mut Vec<Diagnostic>,
    edit: &ItemEdit,
    read: impl Fn(Range<usize>) -> String,
    context: (&Config, Timestamp),
) -> Option<ItemPatch> {
    patch_list_item(cache, root, findings, edit, &read, context)
        .or_else(|| patch_entry(cache, root, findings, edit, &read, context))
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
    move_units_after(cache, old_unit.end, edit);
    Some(ItemPatch { key, unit, unit_text: text, node: only.clone(), replaced: None })
}

/// Applies `edit` inside the value of one top-level entry (a scalar field) in place; see the
/// module comment for when it declines.
fn patch_entry(
    cache: &mut UnitCache,
    root: &mut Node,
    findings: &mut Vec<Diagnostic>,
    edit: &ItemEdit,
    read: impl FnOnce(Range<usize>) -> String,
    (config, now): (&Config, Timestamp),
) -> Option<ItemPatch> {
    let newline = cache.findings.newline_if_same(config, now)?;
    let at = cache.entries.iter().position(|u| u.bounds.start < edit.range.start && edit.range.end < u.bounds.end)?;
    let old_unit = cache.entries[at].bounds.clone();
    let unit = old_unit.start..edit.moved(old_unit.end);
    let text = read(unit.clone());
    if text.len() != unit.len() || !is_one_segment(&text) {
        return None;
    }
    let Value::Mapping(entries) = &root.value else { return None };
    // The last entry's end decides where missing fields are inserted, and an edit can move the
    // end of its value across lines.
    let index = cache.entries[at].entry;
    if index + 1 >= entries.len() {
        return None;
    }
    let old = entries.get(index)?;
    let key_text = old.key_text()?;
    if entries.iter().filter(|e| e.key_text() == Some(key_text)).count() != 1 {
        return None;
    }
    let field = schema::lookup(schema::ARTICLE, key_text)?;
    let scalar = matches!(field.kind, Kind::Text | Kind::Date | Kind::Url | Kind::Integer | Kind::Boolean);
    // `webUrl` and `originalUrl` are read by the provider-domain check of another entry.
    if !scalar || matches!(field.name, "webUrl" | "originalUrl") {
        return None;
    }
    let (hash, parse) = cache.lookup(&text, &Default::default());
    let fresh_entry = match parse.node.as_ref().map(|n| &n.value) {
        Some(Value::Mapping(found)) if parse.is_clean() && found.len() == 1 => &found[0],
        _ => return None,
    };
    if fresh_entry.key_text() != Some(key_text) || is_blank(&fresh_entry.value) {
        return None;
    }
    let mut fresh = Vec::new();
    let mut checker = Checker::new(&text, config, now, &mut fresh, None);
    checker.newline = newline;
    checker.value(&fresh_entry.value, field, field.name, fresh_entry.key.span.clone());
    // Everything is known: from here on, change things.
    let replaced = old.value.clone();
    let node = fresh_entry.value.clone();
    let new_entry = shift_entry(fresh_entry, unit.start);
    move_findings(findings, &old_unit, edit);
    findings.extend(fresh.iter().map(|d| d.shifted(unit.start as isize)));
    replace_entry(root, index, new_entry, edit);
    let old_hash = std::mem::replace(&mut cache.entries[at].key, hash);
    cache.entries[at].bounds = unit.clone();
    cache.parses.remove(&old_hash);
    cache.parses.insert(hash, parse.clone());
    move_units_after(cache, old_unit.end, edit);
    Some(ItemPatch { key: field.name, unit, unit_text: text, node, replaced: Some(replaced) })
}

/// Whether `unit` is one top-level segment: every line after its first is indented, blank or a
/// comment (a line starting with `-` could close the front matter), and it ends with a line
/// break.
fn is_one_segment(unit: &str) -> bool {
    if !unit.ends_with(['\n', '\r']) {
        return false;
    }
    let mut line = next_line(unit, 0);
    while line < unit.len() {
        if !matches!(line_text(unit, line).chars().next(), None | Some(' ' | '\t' | '#')) {
            return false;
        }
        line = next_line(unit, line);
    }
    true
}

/// Moves the units that start at or after `old_end` (an offset before the edit).
fn move_units_after(cache: &mut UnitCache, old_end: usize, edit: &ItemEdit) {
    for other in cache.lists.iter_mut().filter(|l| l.bounds.first().is_some_and(|&b| b >= old_end)) {
        for bound in &mut other.bounds {
            *bound = edit.moved(*bound);
        }
    }
    for other in cache.entries.iter_mut().filter(|u| u.bounds.start >= old_end) {
        other.bounds = edit.moved(other.bounds.start)..edit.moved(other.bounds.end);
    }
}

/// Puts a top-level entry's new parse into the tree and moves what follows it.
fn replace_entry(root: &mut Node, index: usize, entry: Entry, edit: &ItemEdit) {
    let Value::Mapping(entries) = &mut root.value else { return };
    for later in entries.iter_mut().skip(index + 1) {
        move_node(&mut later.key, edit);
        move_node(&mut later.value, edit);
    }
    entries[index] = entry;
    root.span = mapping_span(entries, &root.span);
}

/// The span of the root mapping: its first key to its last value.
fn mapping_span(entries: &[Entry], otherwise: &Range<usize>) -> Range<usize> {
    match (entries.first(), entries.last()) {
        (Some(first), Some(last)) => first.key.span.start..last.value.span.end.max(first.key.span.start),
        _ => otherwise.clone(),
    }
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
    root.span = mapping_span(entries, &root.span);
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
